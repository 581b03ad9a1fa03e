# tests/tools/loopnet.py: a loopback listener for the client's network
# tests; prints its port on the first line, then serves for LIFE seconds.
#   loopnet.py hole [--peaks]       accepts and never says a word (a black
#                                   hole: the client's connect timeout);
#                                   --peaks prints "peak N" each time more
#                                   connections than ever are open at once
#   loopnet.py proxy PORT [--delay S] [--cut-first S] [--cut-first-auth]
#                     [--stall-after BYTES]
#                                   forwards to 127.0.0.1:PORT; --delay waits
#                                   S seconds before connecting upstream (a
#                                   slow host); --cut-first closes the first
#                                   connection S seconds in (a dropped link);
#                                   --cut-first-auth closes it when the
#                                   client sends its first authentication
#                                   request (read off the SSH packets: the
#                                   second message after the client's
#                                   NEWKEYS); --stall-after stops reading
#                                   from every client once BYTES have come
#                                   from it (a peer that stops reading);
#                                   --freeze-after drops whatever comes, either
#                                   way, once S seconds of a connection have
#                                   passed, and keeps both ends open (a link
#                                   that went dead without a word)
#   loopnet.py stdio PORT           connects to 127.0.0.1:PORT and pumps
#                                   stdin to it and it to stdout (an ssh
#                                   ProxyCommand, as nc would be)
import argparse
import os
import select
import socket
import threading
import time


def frozen(freeze_at):
    """Past --freeze-after: nothing more is forwarded, nothing closed."""
    return freeze_at is not None and time.time() >= freeze_at


def pump(a, b, freeze_at=None):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            if frozen(freeze_at):
                continue
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


class AuthWatch:
    """Follows the client's side of an SSH connection: the banner line,
    the clear packets (uint32 length, padding length, type) up to its
    NEWKEYS (type 21), then counts what it sends encrypted, a read at a
    time: the service request, then the first userauth request."""

    def __init__(self):
        self.buf = b""
        self.banner = False
        self.encrypted = 0

    def at_auth(self, data):
        if self.encrypted:
            self.encrypted += 1
            return self.encrypted > 2
        self.buf += data
        if not self.banner:
            nl = self.buf.find(b"\n")
            if nl < 0:
                return False
            self.buf, self.banner = self.buf[nl + 1:], True
        while len(self.buf) >= 6:
            n = int.from_bytes(self.buf[:4], "big")
            if len(self.buf) < 4 + n:
                return False
            kind, self.buf = self.buf[5], self.buf[4 + n:]
            if kind == 21:
                self.encrypted = 2 if self.buf else 1
                return False
        return False


def pump_client(c, u, a, first, freeze_at=None):
    watch = AuthWatch() if first and a.cut_first_auth else None
    got = 0
    try:
        while True:
            if a.stall_after is not None and got >= a.stall_after:
                time.sleep(a.life)
                break
            d = c.recv(65536)
            if not d:
                break
            if watch is not None and watch.at_auth(d):
                shut(c, u)
                return
            got += len(d)
            if frozen(freeze_at):
                continue
            u.sendall(d)
    except OSError:
        pass
    try:
        u.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def serve(c, a, first):
    time.sleep(a.delay)
    u = socket.create_connection(("127.0.0.1", a.port))
    if a.stall_after is not None:
        # A small receive buffer, so the client's sends fill it soon.
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    freeze_at = None
    if a.freeze_after is not None:
        freeze_at = time.time() + a.freeze_after
    threading.Thread(target=pump_client, args=(c, u, a, first, freeze_at),
                     daemon=True).start()
    threading.Thread(target=pump, args=(u, c, freeze_at),
                     daemon=True).start()
    if first and a.cut_first is not None:
        time.sleep(a.cut_first)
        shut(c, u)


def stdio(port):
    """A ProxyCommand: stdin to the socket, the socket to stdout."""
    s = socket.create_connection(("127.0.0.1", port))

    def up():
        try:
            while True:
                d = os.read(0, 65536)
                if not d:
                    break
                s.sendall(d)
        except OSError:
            pass
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    threading.Thread(target=up, daemon=True).start()
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            while d:
                n = os.write(1, d)
                d = d[n:]
    except OSError:
        pass


def still_open(held):
    """The held sockets whose peer has not closed them (what a peer sends
    is read and dropped: the hole never answers)."""
    if not held:
        return held
    gone = set()
    for c in select.select(held, [], [], 0)[0]:
        try:
            if c.recv(65536):
                continue
        except OSError:
            pass
        c.close()
        gone.add(c)
    return [c for c in held if c not in gone]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["hole", "proxy", "stdio"])
    ap.add_argument("port", type=int, nargs="?")
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--cut-first", type=float)
    ap.add_argument("--cut-first-auth", action="store_true")
    ap.add_argument("--stall-after", type=int)
    ap.add_argument("--freeze-after", type=float)
    ap.add_argument("--life", type=float, default=60.0)
    ap.add_argument("--peaks", action="store_true")
    a = ap.parse_args()
    if a.mode == "stdio":
        stdio(a.port)
        return
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(4096)
    print(ls.getsockname()[1], flush=True)
    ls.settimeout(0.05 if a.peaks else 0.2)
    held, n, peak, end = [], 0, 0, time.time() + a.life
    while time.time() < end:
        if a.peaks:
            held = still_open(held)
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        n += 1
        if a.mode == "hole":
            held.append(c)
            if a.peaks and len(held) > peak:
                peak = len(held)
                print("peak %d" % peak, flush=True)
        else:
            threading.Thread(target=serve, args=(c, a, n == 1),
                             daemon=True).start()


if __name__ == "__main__":
    main()
