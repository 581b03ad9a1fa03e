#!/usr/bin/python3
# bench/plot.py: PNG plots of the benchmarks' JSON lines.
#   bench/plot.py --out docs/img [--inflight FILE] [--daemons FILE]
#       [--fanout FILE]
# --inflight (bench/inflight's INFLIGHT_RESULTS): wall and client CPU per
# tool per N, grouped bars (inflight.png); --daemons (DAEMONS_RESULTS):
# writ's peak RSS and open fds against N, lines (daemons.png); --fanout
# (FANOUT_RESULTS): wall and client CPU per tool per N, one figure per key
# exchange setting (fanout-KEX.png). Figures are medians of the timed
# ("time") and sampled ("mem") runs; runs that failed are left out, and a
# tool with none left at an N gets no bar there. Needs Debian's
# python3-matplotlib (apt-get install python3-matplotlib), hence Debian's
# python3 in the first line, not another one first on PATH.
import argparse
import collections
import json
import os
import statistics
import sys

try:
    import matplotlib
except ImportError:
    raise SystemExit("bench/plot.py: no matplotlib for %s: apt-get install "
                     "python3-matplotlib" % sys.executable)
matplotlib.use("Agg")   # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

TOOLS = ["writ", "pssh", "pdsh", "clush"]


def load(path):
    """Runs that counted: bench/inflight and bench/daemons say "ok";
    bench/fanout keeps only runs that counted."""
    runs = [json.loads(line) for line in open(path) if line.strip()]
    return [r for r in runs if r.get("ok", True)]


def medians(runs, mode, key, group=("tool", "n")):
    by = collections.defaultdict(list)
    for r in runs:
        if r["mode"] == mode and key in r:
            by[tuple(r[g] for g in group)].append(r[key])
    return {k: statistics.median(v) for k, v in by.items()}


def bars(ax, runs, key, label, fmt):
    """Grouped bars: one group per N, one bar per tool, each labelled."""
    m = medians(runs, "time", key)
    ns = sorted(set(n for _, n in m))
    width = 0.8 / len(TOOLS)
    for i, t in enumerate(TOOLS):
        xs = [j + (i - (len(TOOLS) - 1) / 2) * width
              for j, n in enumerate(ns) if (t, n) in m]
        ys = [m[(t, n)] for n in ns if (t, n) in m]
        if xs:
            ax.bar_label(ax.bar(xs, ys, width, label=t), fmt=fmt,
                         fontsize="x-small")
    ax.set_xticks(range(len(ns)), ["N = %d" % n for n in ns])
    ax.set_ylabel(label)


def two_bars(runs, title, path):
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.6))
    bars(a, runs, "wall", "wall s", "%.1f")
    bars(b, runs, "cpu", "client CPU s (user + sys)", "%.2f")
    fig.suptitle(title)
    # One legend for both, between the title and the plots.
    fig.legend(*a.get_legend_handles_labels(), loc="upper center",
               ncol=len(TOOLS), bbox_to_anchor=(0.5, 0.94), frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(path)


def daemons(runs, path):
    """writ's peak RSS and peak open fds against N, one writ process."""
    rss = medians(runs, "mem", "peak_hwm_kib", ("n",))
    fds = medians(runs, "mem", "peak_fds", ("n",))
    ns = sorted(n for (n,) in rss)
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2))
    a.plot(ns, [rss[(n,)] / 1024 for n in ns], "o-")
    a.set_ylabel("writ peak RSS MiB (VmHWM)")
    b.plot(ns, [fds[(n,)] for n in ns], "o-", color="tab:orange")
    b.plot(ns, ns, ":", color="grey", label="one per host")
    b.set_ylabel("writ peak open fds")
    b.legend()
    for ax in (a, b):
        ax.set_xlabel("N daemons, all in flight (-p N)")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    fig.suptitle("writ run against N writ-gate --listen daemons")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, help="directory for the PNGs")
    ap.add_argument("--inflight", help="bench/inflight's JSON lines")
    ap.add_argument("--daemons", help="bench/daemons' JSON lines")
    ap.add_argument("--fanout", help="bench/fanout's JSON lines")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    if a.inflight:
        runs = load(a.inflight)
        two_bars(runs, "N hosts in flight at once (-p N), op sleep %s s, "
                 "one sshd on loopback" % runs[0].get("sleep", "?"),
                 os.path.join(a.out, "inflight.png"))
    if a.daemons:
        daemons(load(a.daemons), os.path.join(a.out, "daemons.png"))
    if a.fanout:
        runs = load(a.fanout)
        for kex in sorted(set(r["kex"] for r in runs)):
            two_bars([r for r in runs if r["kex"] == kex],
                     "fan-out, uptime, p = 64, key exchange: %s" % kex,
                     os.path.join(a.out, "fanout-%s.png" % kex))


if __name__ == "__main__":
    main()
