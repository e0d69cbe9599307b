"""A small WHOIS server (RFC 3912) on loopback for the CLI tests (standard
library only).

    from whoisd import WhoisServer, FIXTURES

    srv = WhoisServer()
    ... blogdom --confirm --whois-host srv.addr ...
    srv.queries      # [(time.monotonic(), "taken.de"), ...]
    srv.close()

It reads one line, the query, and answers by the name asked:

    a DOMAIN of tests/whois/*.txt   that fixture's reply, then closes
    garbage.*                       binary noise, then closes
    huge.*                          a reply of 256 KiB, then closes
    closes.*                        closes at once, with no reply
    silent.*                        never answers; closes when the server
                                    is closed
    anything else                   DENIC's "Status: free" for it (or the
                                    default reply given)
"""

import random
import re
import socket
import threading
import time
from pathlib import Path

__all__ = ["WhoisServer", "FIXTURES", "fixture_replies"]

FIXTURES = Path(__file__).resolve().parent.parent / "whois"


def fixture_replies():
    """{domain: (format, kind, reply bytes)} of every tests/whois file."""
    replies = {}
    for path in sorted(FIXTURES.glob("*.txt")):
        parts = re.split(r"^=== (\S+) (\S+)\n", path.read_text(),
                         flags=re.M)
        for kind, domain, body in zip(parts[1::3], parts[2::3], parts[3::3]):
            replies[domain] = (path.stem, kind,
                               body.replace("\n", "\r\n").encode())
    return replies


class WhoisServer:
    def __init__(self, default="Domain: {q}\nStatus: free\n"):
        self.replies = fixture_replies()
        self.default = default
        self.queries = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self.addr = f"127.0.0.1:{self.port}"
        self._threads = []
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def count(self, name):
        with self._lock:
            return sum(1 for _, q in self.queries if q == name)

    def times(self):
        with self._lock:
            return [t for t, _ in self.queries]

    def close(self):
        self._closing.set()
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()
        for t in self._threads:
            t.join(5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _accept(self):
        while not self._closing.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(conn,),
                                 daemon=True)
            self._threads.append(t)
            t.start()

    def _read_query(self, conn):
        data = b""
        conn.settimeout(5)
        while b"\n" not in data and len(data) < 1024:
            chunk = conn.recv(1024)
            if not chunk:
                break
            data += chunk
        return data.split(b"\n")[0].strip().decode("ascii", "replace")

    def _serve(self, conn):
        with conn:
            try:
                q = self._read_query(conn)
            except OSError:
                return
            with self._lock:
                self.queries.append((time.monotonic(), q))
            first = q.split(".")[0]
            try:
                if first == "closes":
                    return
                if first == "silent":
                    self._closing.wait(60)
                    return
                if first == "garbage":
                    rnd = random.Random(q)
                    conn.sendall(bytes(rnd.randrange(256)
                                       for _ in range(3000)))
                elif first == "huge":
                    conn.sendall(b"x" * (256 * 1024))
                elif q in self.replies:
                    conn.sendall(self.replies[q][2])
                else:
                    conn.sendall(self.default.format(q=q).encode())
            except OSError:
                pass
