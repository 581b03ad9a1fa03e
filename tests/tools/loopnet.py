# tests/tools/loopnet.py: a loopback listener for the client's network
# tests; prints its port on the first line, then serves for LIFE seconds.
#   loopnet.py hole                 accepts and never says a word (a black
#                                   hole: the client's connect timeout)
#   loopnet.py proxy PORT [--delay S] [--cut-first S]
#                                   forwards to 127.0.0.1:PORT; --delay waits
#                                   S seconds before connecting upstream (a
#                                   slow host); --cut-first closes the first
#                                   connection S seconds in (a dropped link)
import argparse
import socket
import threading
import time


def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    try:
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def shut(*socks):
    for s in socks:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(c, a, first):
    time.sleep(a.delay)
    u = socket.create_connection(("127.0.0.1", a.port))
    threading.Thread(target=pump, args=(c, u), daemon=True).start()
    threading.Thread(target=pump, args=(u, c), daemon=True).start()
    if first and a.cut_first is not None:
        time.sleep(a.cut_first)
        shut(c, u)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["hole", "proxy"])
    ap.add_argument("port", type=int, nargs="?")
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--cut-first", type=float)
    ap.add_argument("--life", type=float, default=60.0)
    a = ap.parse_args()
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    print(ls.getsockname()[1], flush=True)
    ls.settimeout(0.2)
    held, n, end = [], 0, time.time() + a.life
    while time.time() < end:
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        n += 1
        if a.mode == "hole":
            held.append(c)
        else:
            threading.Thread(target=serve, args=(c, a, n == 1),
                             daemon=True).start()


if __name__ == "__main__":
    main()
