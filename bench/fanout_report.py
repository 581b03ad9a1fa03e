# bench/fanout_report.py: the Markdown tables of bench/fanout, from the
# JSON lines fanout_measure.py wrote: per (key exchange, N), each tool's
# median wall time, client CPU time and memory, and writ's ratio to the
# best of the peers.
#   python3 fanout_report.py RESULTS.jsonl KEX.txt P
import collections
import json
import statistics
import sys

TOOLS = ["writ", "pssh", "pdsh", "clush"]
PEERS = TOOLS[1:]
NAMES = {"writ": "writ run", "pssh": "parallel-ssh", "pdsh": "pdsh -R ssh",
         "clush": "clush"}
KEX = {"curve25519": "key exchange curve25519-sha256 for all",
       "default": "each tool's default key exchange"}


def main():
    runs = [json.loads(line) for line in open(sys.argv[1])]
    kexseen = collections.defaultdict(dict)
    for line in open(sys.argv[2]):
        kex, tool, algs = line.split(None, 2)
        kexseen[kex][tool] = algs
    p = sys.argv[3]
    by = collections.defaultdict(list)
    for r in runs:
        by[(r["kex"], r["n"], r["tool"], r["mode"])].append(r)
    ns = sorted(set(r["n"] for r in runs if r["mode"] == "time"))
    for kex in ("curve25519", "default"):
        for n in ns:
            table(by, kex, n, p, kexseen[kex])


def med(rs, key):
    return statistics.median(r[key] for r in rs)


def table(by, kex, n, p, seen):
    rows = {}
    for t in TOOLS:
        tr, mr = by[(kex, n, t, "time")], by[(kex, n, t, "mem")]
        if not tr or not mr:
            return
        rows[t] = dict(wall=med(tr, "wall"), cpu=med(tr, "cpu"),
                       user=med(tr, "user"), sys=med(tr, "sys"),
                       tree=med(mr, "peak_tree_kib") / 1024.0,
                       procs=med(mr, "peak_tree_procs"),
                       one=med(mr, "peak_one_kib") / 1024.0,
                       reps=len(tr))
    print("### N = %d hosts, p = %s, %s\n" % (n, p, KEX[kex]))
    print("| tool | wall s | CPU s (user + sys) | peak tree RSS MiB "
          "(processes) | largest process RSS MiB | key exchange |")
    print("|---|---|---|---|---|---|")
    for t in TOOLS:
        r = rows[t]
        print("| %s | %.2f | %.2f (%.2f + %.2f) | %.1f (%d) | %.1f | %s |" % (
            NAMES[t], r["wall"], r["cpu"], r["user"], r["sys"], r["tree"],
            r["procs"], r["one"], seen.get(t, "?").split(" ")[0].strip()))
    w = rows["writ"]
    parts = []
    for key, label in (("wall", "wall"), ("cpu", "CPU"),
                       ("tree", "peak tree RSS")):
        best = min(PEERS, key=lambda t: rows[t][key])
        parts.append("%s %.2f× (best peer: %s)" % (
            label, w[key] / rows[best][key], best))
    ratio = {k: w[k] / min(rows[t][k] for t in PEERS) for k in ("wall", "cpu")}
    print("\nwrit / best peer: %s. Aims (wall ≤ 0.6×, CPU ≤ 0.2×): wall %s, "
          "CPU %s.\n" % ("; ".join(parts),
          "met" if ratio["wall"] <= 0.6 else "missed",
          "met" if ratio["cpu"] <= 0.2 else "missed"))


if __name__ == "__main__":
    main()
