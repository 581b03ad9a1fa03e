# bench/fanout_measure.py: runs one fan-out tool once, bounded, and prints
# one JSON line of what it cost: wall time (monotonic), CPU time of the
# whole client process tree, and (with --sample) the peak sum of RSS over
# the tree and the largest single process's RSS; then checks that
# every one of N hosts answered.
#   python3 fanout_measure.py --n N --out FILE [--sample] [--timeout S]
#       [--label JSON] -- CMD ARGS...
# The tool's stdout+stderr go to FILE. Each host must print a line
# "HOST: ... load average ..." (the output of uptime, prefixed), with N
# distinct HOSTs, and the tool must exit 0, or this exits 1.
#
# CPU: getrusage(RUSAGE_CHILDREN) after the wait counts the tool and
# every descendant it (or they) reaped, which is each ssh a peer forks.
# Its ru_maxrss is not used: Linux carries the forking Python's own RSS
# over exec into it. The largest process is taken from the samples.
# Memory sampling scans /proc every ~5 ms; it costs CPU time of its own on
# the same cores, so timed runs do not sample (--sample runs are separate).
import argparse
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time

PAGE = os.sysconf("SC_PAGE_SIZE")
LINE = re.compile(rb"^(b[0-9]{3}): .*load average", re.M)


def proc_table():
    """pid -> (ppid, rss bytes) for every process we can read."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                data = f.read()
        except OSError:
            continue
        # The command name may hold spaces: fields start after its ")".
        rest = data[data.rindex(b")") + 2:].split()
        table[int(name)] = (int(rest[1]), int(rest[21]) * PAGE)
    return table


def tree_rss(root):
    """(sum of RSS, processes, largest RSS) over root and its descendants."""
    table = proc_table()
    kids = {}
    for pid, (ppid, _) in table.items():
        kids.setdefault(ppid, []).append(pid)
    total, count, one, todo = 0, 0, 0, [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            total += table[pid][1]
            count += 1
            one = max(one, table[pid][1])
        todo.extend(kids.get(pid, ()))
    return total, count, one


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--sample", action="store_true")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--label", default="{}")
    ap.add_argument("--no-lines", action="store_true",
                    help="do not look for uptime lines (bench/files checks "
                    "the copies itself)")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    rec = json.loads(a.label)
    peak, procs, peak_one = 0, 0, 0
    with open(a.out, "wb") as out:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT, start_new_session=True)
        deadline = t0 + a.timeout
        timed_out = False
        while True:
            if a.sample:
                s, c, one = tree_rss(p.pid)
                if s > peak:
                    peak, procs = s, c
                peak_one = max(peak_one, one)
            try:
                p.wait(timeout=0.005 if a.sample else
                       max(0.0, deadline - time.monotonic()))
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() >= deadline:
                    timed_out = True
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
                    break
        wall = time.monotonic() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(a.out, "rb") as f:
        hosts = set(m.group(1) for m in LINE.finditer(f.read()))
    rec.update(wall=wall, user=ru.ru_utime, sys=ru.ru_stime,
               cpu=ru.ru_utime + ru.ru_stime,
               rc=p.returncode, ok_hosts=len(hosts), timed_out=timed_out)
    if a.sample:
        rec.update(peak_tree_kib=peak // 1024, peak_tree_procs=procs,
                   peak_one_kib=peak_one // 1024)
    print(json.dumps(rec), flush=True)
    if a.no_lines:
        hosts = set(range(a.n))
        rec.update(ok_hosts=a.n)
    if timed_out or p.returncode != 0 or len(hosts) != a.n:
        sys.stderr.write("bench: %s: exit %s, %d of %d hosts answered%s; "
                         "output in %s\n" % (" ".join(cmd[:1]), p.returncode,
                         len(hosts), a.n, " (timed out)" if timed_out
                         else "", a.out))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
