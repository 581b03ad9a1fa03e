#!/usr/bin/env python3
"""conn_flood.py: connections that never authenticate, from chosen loopback
source addresses, for the tests of writ-gate --listen's caps on them.

  conn_flood.py PORT hold SRC:N[,SRC:N...] [probe SRC...]
      Holds N connections from each SRC that got the server's banner (one
      closed at once is made again, 20 ms later, up to 50 times), then
      makes one more from each probe SRC and prints "probe SRC banner" or
      "probe SRC closed", prints "held N" and exits, closing them all.
  conn_flood.py PORT flood SRC N READY STOP
      Keeps N sockets from SRC open, making a new one for each the server
      closes, until the file STOP exists (at most 120 s). Writes the file
      READY once N connections were dropped. Prints "held H dropped D":
      H got the banner, D were closed without one.

Sources are 127.x addresses (the whole of 127/8 is loopback on Linux); the
server is on 127.0.0.1.
"""
import os
import select
import socket
import sys
import time


def connect(port, src):
    return socket.create_connection(("127.0.0.1", port), timeout=5,
                                    source_address=(src, 0))


def banner(s):
    """True if the server sent its banner, False if it closed first."""
    try:
        return s.recv(64).startswith(b"SSH-")
    except (ConnectionResetError, socket.timeout):
        return False


def hold(port, plan, probes):
    held = []
    for item in plan.split(","):
        src, n = item.rsplit(":", 1)
        for _ in range(int(n)):
            for _ in range(50):
                s = connect(port, src)
                if banner(s):
                    held.append(s)
                    break
                s.close()
                time.sleep(0.02)    # for the children of earlier ones to end
            else:
                print("could not hold a connection from %s" % src)
                return 1
    for src in probes:
        s = connect(port, src)
        print("probe %s %s" % (src, "banner" if banner(s) else "closed"))
        s.close()
    print("held %d" % len(held))
    return 0


def flood(port, src, n, ready, stop):
    socks = {}          # fd -> [socket, got banner]
    held = dropped = 0
    deadline = time.monotonic() + 120
    while not os.path.exists(stop) and time.monotonic() < deadline:
        while len(socks) < n:
            try:
                s = connect(port, src)
            except OSError:
                time.sleep(0.01)
                break
            s.setblocking(False)
            socks[s.fileno()] = [s, False]
        readable, _, _ = select.select(list(socks), [], [], 0.05)
        for fd in readable:
            s, seen = socks[fd]
            try:
                data = s.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if data and not seen:
                socks[fd][1] = True
                held += 1
            elif not data:
                if not seen:
                    dropped += 1
                s.close()
                del socks[fd]
        if dropped >= n and not os.path.exists(ready):
            open(ready, "w").close()
        time.sleep(0.001)   # still thousands a second, not a busy loop
    print("held %d dropped %d" % (held, dropped))
    return 0


def main(argv):
    port, mode = int(argv[1]), argv[2]
    if mode == "hold":
        probes = argv[4:]
        if probes and probes[0] != "probe":
            print(__doc__)
            return 2
        return hold(port, argv[3], probes[1:])
    if mode == "flood":
        return flood(port, argv[3], int(argv[4]), argv[5], argv[6])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
