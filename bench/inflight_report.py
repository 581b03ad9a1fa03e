# bench/inflight_report.py: the Markdown tables of bench/inflight, from
# the JSON lines fanout_measure.py wrote (with bench/inflight's "ok" and
# "error"): per N, each tool's median wall time, client CPU time and peak
# memory of its process tree, or the error that stopped it; then writ's
# ratio to the best peer (wall, CPU) and to pssh (memory).
#   python3 inflight_report.py RESULTS.jsonl
import collections
import json
import statistics
import sys

TOOLS = ["writ", "pssh", "pdsh", "clush"]
PEERS = TOOLS[1:]
NAMES = {"writ": "writ run -p N", "pssh": "parallel-ssh -p N",
         "pdsh": "pdsh -R ssh -f N", "clush": "clush -f N"}


def med(rs, key):
    return statistics.median(r[key] for r in rs)


def summary(by, n, t):
    """A tool's row at N: its medians over the runs that counted, or the
    error of the first that did not (then it has no figures)."""
    tr, mr = by[(n, t, "time")], by[(n, t, "mem")]
    bad = [r for r in tr + mr if not r["ok"]]
    if bad or not tr:
        err = bad[0].get("error", "no run") if bad else "no run"
        return dict(error=" ".join(err.split())[-160:])
    row = dict(wall=med(tr, "wall"), cpu=med(tr, "cpu"), user=med(tr, "user"),
               sys=med(tr, "sys"), reps=len(tr), tree=None, procs=0)
    if mr:
        row.update(tree=med(mr, "peak_tree_kib") / 1024.0,
                   procs=med(mr, "peak_tree_procs"))
    if "peak_inflight" in tr[0]:
        row["inflight"] = min(r["peak_inflight"] for r in tr)
    return row


def table(by, n, sleep):
    rows = {t: summary(by, n, t) for t in TOOLS}
    print("\n### N = %d hosts, all in flight at once, op sleep %d s, "
          "curve25519-sha256 for all\n" % (n, sleep))
    print("| tool | wall s | CPU s (user + sys) | peak tree RSS MiB "
          "(processes) |")
    print("|---|---|---|---|")
    for t in TOOLS:
        r = rows[t]
        if "error" in r:
            print("| %s | failed: %s | | |" % (NAMES[t],
                  r["error"].replace("|", "/")))
            continue
        mem = "%.1f (%d)" % (r["tree"], r["procs"]) if r["tree"] is not None \
            else "?"
        print("| %s | %.2f | %.2f (%.2f + %.2f) | %s |" % (
            NAMES[t], r["wall"], r["cpu"], r["user"], r["sys"], mem))
    w = rows["writ"]
    if "inflight" in w:
        print("\nwrit had %d of %d hosts in flight at once (from the "
              "started/finished times of its --json)." % (w["inflight"], n))
    ok = [t for t in PEERS if "error" not in rows[t]]
    if "error" in w or not ok:
        print("\nno ratio: %s." % ("writ failed" if "error" in w
                                     else "every peer failed"))
        return
    parts = []
    for key, label in (("wall", "wall"), ("cpu", "CPU")):
        best = min(ok, key=lambda t: rows[t][key])
        parts.append("%s %.2f× (best peer: %s)" % (
            label, w[key] / rows[best][key], best))
    p = rows["pssh"]
    if "error" not in p and p["tree"] and w["tree"] is not None:
        parts.append("peak tree RSS / pssh %.2f×" % (w["tree"] / p["tree"]))
    failed = [t for t in PEERS if t not in ok]
    print("\nwrit / best peer that ran: %s%s." % ("; ".join(parts),
          "; failed at N = %d: %s" % (n, ", ".join(failed)) if failed else ""))


def main():
    runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    runs = [r for r in runs if r["mode"] in ("time", "mem")]
    by = collections.defaultdict(list)
    for r in runs:
        by[(r["n"], r["tool"], r["mode"])].append(r)
    for n in sorted(set(r["n"] for r in runs)):
        table(by, n, runs[0]["sleep"])


if __name__ == "__main__":
    main()
