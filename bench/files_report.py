# bench/files_report.py: the Markdown table of bench/files from its JSON
# lines: per tool, the median wall and CPU time of the timed runs and the
# peak memory of the sampled ones, and writ put's ratios to pscp and prsync.
#   python3 files_report.py RESULTS.jsonl
import json
import statistics
import sys

NAMES = {"writ": "writ put", "pscp": "parallel-scp", "prsync": "parallel-rsync"}


def main():
    runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    n, mib = runs[0]["n"], runs[0]["mib"]
    rows = {}
    for tool in NAMES:
        timed = [r for r in runs if r["tool"] == tool and r["mode"] == "time"]
        mem = [r for r in runs if r["tool"] == tool and r["mode"] == "mem"]
        if not timed:
            continue
        rows[tool] = dict(
            wall=statistics.median(r["wall"] for r in timed),
            user=statistics.median(r["user"] for r in timed),
            sys=statistics.median(r["sys"] for r in timed),
            cpu=statistics.median(r["cpu"] for r in timed),
            tree=max(r["peak_tree_kib"] for r in mem) / 1024 if mem else 0,
            procs=max(r["peak_tree_procs"] for r in mem) if mem else 0,
            one=max(r["peak_one_kib"] for r in mem) / 1024 if mem else 0,
            spread="%.2f-%.2f" % (min(r["wall"] for r in timed),
                                  max(r["wall"] for r in timed)))
    print("### %d MiB to N = %d hosts\n" % (mib, n))
    print("| tool | wall s (spread) | CPU s (user + sys) | peak tree RSS MiB "
          "(processes) | largest process RSS MiB |")
    print("|---|---|---|---|---|")
    for tool, r in rows.items():
        print("| %s | %.2f (%s) | %.2f (%.2f + %.2f) | %.1f (%d) | %.1f |" % (
            NAMES[tool], r["wall"], r["spread"], r["cpu"], r["user"],
            r["sys"], r["tree"], r["procs"], r["one"]))
    w = rows.get("writ")
    if w:
        for peer in ("pscp", "prsync"):
            p = rows.get(peer)
            if p:
                print("\nwrit put / %s: wall %.2f×, CPU %.2f×, peak tree RSS "
                      "%.2f×" % (NAMES[peer], w["wall"] / p["wall"],
                                 w["cpu"] / p["cpu"], w["tree"] / p["tree"]
                                 if p["tree"] else 0), end="")
        print("\n\nAims: wall ≤ parallel-scp's (%s); writ's client RSS flat in "
              "the file size (%.1f MiB for a %d MiB file)." % (
                  "met" if w["wall"] <= rows.get("pscp", w)["wall"] else
                  "missed", w["tree"], mib))


if __name__ == "__main__":
    main()
