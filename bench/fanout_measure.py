# bench/fanout_measure.py: runs one fan-out tool once, bounded, and prints
# one JSON line of what it cost: wall time (monotonic), CPU time of the
# whole client process tree, and (with --sample) the peak sum of RSS over
# the tree and the largest single process's RSS; then checks that
# every one of N hosts answered.
#   python3 fanout_measure.py --n N --out FILE [--sample | --sample-self]
#       [--timeout S] [--label JSON]
#       [--no-lines | --ok-re RE | --writ-json JSON] -- CMD ARGS...
# The tool's stdout+stderr go to FILE. Each host must print a line
# "HOST: ... load average ..." (the output of uptime, prefixed), with N
# distinct HOSTs, and the tool must exit 0, or this exits 1. What counts
# as a host that answered can change, for ops that print nothing:
# --ok-re RE, lines matching RE (group 1: the host; pssh's "[SUCCESS]
# HOST"); --writ-json JSON, the file writ wrote with `--json JSON`: each
# host with "status":"ok" counts (and peak_inflight, the most hosts whose
# started_at..finished_at overlap, is recorded); --no-lines, the exit
# status alone.
#
# CPU: getrusage(RUSAGE_CHILDREN) after the wait counts the tool and
# every descendant it (or they) reaped, which is each ssh a peer forks.
# Its ru_maxrss is not used: Linux carries the forking Python's own RSS
# over exec into it. The largest process is taken from the samples.
# Memory sampling scans /proc every ~5 ms; it costs CPU time of its own on
# the same cores, so timed runs do not sample (--sample runs are separate).
# --sample-self reads only the tool's own process (one process, like
# writ) every ~10 ms: its peak VmHWM and its peak count of open fds.
import argparse
import datetime
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


def self_sample(pid):
    """(VmHWM bytes, open fds) of one process; (0, 0) once it is gone."""
    try:
        with open("/proc/%d/status" % pid, "rb") as f:
            m = re.search(rb"^VmHWM:\s+(\d+) kB", f.read(), re.M)
        return (int(m.group(1)) * 1024 if m else 0,
                len(os.listdir("/proc/%d/fd" % pid)))
    except OSError:
        return 0, 0


def stamp(text):
    """writ's report time ("...T12:00:00.123Z") -> seconds."""
    return datetime.datetime.strptime(
        text, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


def writ_json(data):
    """(hosts with status ok, most hosts in flight at once) from writ's
    --json lines; hosts never started have no times."""
    ok, edges = set(), []
    for line in data.splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if not isinstance(r, dict) or "target" not in r:
            continue
        if r.get("status") == "ok":
            ok.add(r["target"])
        if r.get("started_at") and r.get("finished_at"):
            edges += [(stamp(r["started_at"]), 1),
                      (stamp(r["finished_at"]), -1)]
    now = peak = 0
    # An end sorts before a start at the same millisecond.
    for _, d in sorted(edges):
        now += d
        peak = max(peak, now)
    return ok, peak


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
    ap.add_argument("--ok-re", type=re.compile,
                    help="a line matching this regex (group 1: the host) "
                    "counts its host as answered")
    ap.add_argument("--writ-json", metavar="JSON",
                    help="count the hosts with status ok in this file, "
                    "writ's --json report")
    ap.add_argument("--sample-self", action="store_true",
                    help="sample the tool's own VmHWM and open fds")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    rec = json.loads(a.label)
    peak, procs, peak_one, hwm, fds = 0, 0, 0, 0, 0
    sampling = a.sample or a.sample_self
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
            if a.sample_self:
                h, f = self_sample(p.pid)
                hwm, fds = max(hwm, h), max(fds, f)
            try:
                p.wait(timeout=(0.005 if a.sample else 0.01) if sampling else
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
        data = f.read()
    if a.writ_json:
        try:
            with open(a.writ_json, "rb") as f:
                hosts, rec["peak_inflight"] = writ_json(f.read())
        except OSError:
            hosts = set()
    else:
        line = re.compile(a.ok_re.pattern.encode(), re.M) if a.ok_re \
            else LINE
        hosts = set(m.group(1) for m in line.finditer(data))
    rec.update(wall=wall, user=ru.ru_utime, sys=ru.ru_stime,
               cpu=ru.ru_utime + ru.ru_stime,
               rc=p.returncode, ok_hosts=len(hosts), timed_out=timed_out)
    if a.sample:
        rec.update(peak_tree_kib=peak // 1024, peak_tree_procs=procs,
                   peak_one_kib=peak_one // 1024)
    if a.sample_self:
        rec.update(peak_hwm_kib=hwm // 1024, peak_fds=fds)
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
