"""A DNS tree of its own for the --authoritative tests: a root server, TLD
servers and a few broken ones, each on its own loopback address at port 53
(glue carries no port), all inside a private network namespace.

Why a namespace and not the host's loopback: port 53 on 127.0.0.2-12 may be
taken on the host (a local resolver, or another engineer's run of this same
suite on the shared machine), and a namespace gives every run a loopback of
its own. It is also the one place where a run of --authoritative cannot
reach the public root servers, even by mistake: the namespace has no
interface but lo, so a run that forgot --root, or a blogdom that ignored it,
finds every address outside 127.0.0.0/8 unreachable.

    host (pytest)                      rig namespace (only lo)
    AuthRig.start() -- unshare --net --pid -> authrig.py hold WORKDIR
                                         NSDs, faultds, unbound on :53
    AuthRig.run(...) -- nsenter -t PID -n -> authrig.py exec blogdom ...
    AuthRig.ask(...) -- nsenter -t PID -n -> authrig.py ask ADDR NAME ...

The holder checks that its namespace has only lo, starts every server,
prints one JSON line ({"ready": true} or {"error": WHY}) and keeps them up
until its stdin closes. Each command run inside checks again that it sees
only lo before it execs.

The tree (zones under zones/auth/):

    127.0.0.2   NSD   .          delegates every TLD below, with glue except
                                 for com.; lamey. back to itself (lame)
    127.0.0.3   NSD   dev., wild.  (wild. has "*.wild. A")
    127.0.0.4   NSD   nothing: REFUSED for all; the lame 2nd server of dev.
                      and the only one of nay.
    127.0.0.5   NSD   com.       NS ns.nic.net. (out of bailiwick)
                      oob.       NS ns.oob-host.tcz. (idem, logged by faultd)
                      glueless.dev. (delegated to ns.nic.net., for sale)
    127.0.0.6   NSD   net.       ns.nic.net. A 127.0.0.5
    127.0.0.7   NSD   uk.        co.uk names inside, org.uk delegated
    127.0.0.8   NSD   org.uk., store.dev. (delegated from dev., for sale)
    127.0.0.9   NSD   app.       with RRL (rrl-ratelimit 20, rrl-slip 2)
    127.0.0.10  faultd tcz.      TC=1 over UDP for tc*.tcz, whole over TCP;
                                 ns.oob-host.tcz. A 127.0.0.5
                       shx., shy. (two more zones on the same address)
    127.0.0.11  faultd sfail.    SERVFAIL for everything
    127.0.0.12  faultd mute.     drops everything
    127.0.0.53  unbound          a recursive resolver whose root hint is
                                 127.0.0.2, for contrast with -A
    127.0.0.99  nothing          delegations to name servers that do not
                                 exist; gone.'s only server
"""

import concurrent.futures
import json
import os
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from conftest import (BLOGDOM, FAULTD, WRAPPER, Faultd, Nsd,  # noqa: E402
                      Run, Unbound, dns_query, needs, wait_for_dns)

import pytest  # noqa: E402

AUTH_ZONES = HERE / "zones" / "auth"
ROOT = "127.0.0.2"
RESOLVER = "127.0.0.53"
NOBODY = "127.0.0.99"

# What serves at each address. NSD zones are files under zones/auth/.
NSDS = {
    "127.0.0.2": {"zones": ["root.zone"]},
    "127.0.0.3": {"zones": ["dev.zone", "wild.zone"]},
    "127.0.0.4": {"zones": []},
    "127.0.0.5": {"zones": ["com.zone", "oob.zone", "glueless.dev.zone"]},
    "127.0.0.6": {"zones": ["net.zone"]},
    "127.0.0.7": {"zones": ["uk.zone"]},
    "127.0.0.8": {"zones": ["org.uk.zone", "store.dev.zone"]},
    "127.0.0.9": {"zones": ["app.zone"], "rrl": True},
}
FAULTDS = {
    "127.0.0.10": {"rules": ["tc.tcz tc,a=192.0.2.7", "tcfree.tcz tc,nxdomain",
                             "ns.oob-host.tcz a=127.0.0.5", "tcz nodata",
                             "shx nodata", "shy nodata"],
                   "default": "nxdomain"},
    "127.0.0.11": {"rules": [], "default": "servfail"},
    "127.0.0.12": {"rules": [], "default": "drop"},
}

# NSD's response rate limiting for the RRL server: 20 answers a second per
# bucket (for NXDOMAIN the bucket is the zone), and of the answers over
# the limit every second one goes out truncated (TC=1, retry over TCP,
# which RRL leaves alone) while the others are dropped.
RRL_CONFIG = "  rrl-ratelimit: 20\n  rrl-slip: 2\n"


# ---- inside the namespace ---------------------------------------------


def only_loopback():
    """Fails unless this process's network namespace has no interface but
    lo: nothing sent from here can leave the machine."""
    names = [name for _, name in socket.if_nameindex()]
    if names != ["lo"]:
        raise SystemExit(f"authrig: not in a private network namespace: "
                         f"interfaces {names}")


class RigNsd(Nsd):
    """conftest's Nsd on one address at port 53, RRL on if asked."""

    def __init__(self, workdir, addr, zones, rrl=False):
        super().__init__(workdir, [AUTH_ZONES / z for z in zones], port=53,
                         addrs=(addr,))
        self.rrl = rrl

    def config(self, port):
        text = super().config(port)
        if self.rrl:
            off = "  rrl-ratelimit: 0\n"
            assert off in text, "conftest's NSD config changed"
            text = text.replace(off, RRL_CONFIG)
        return text


class RigUnbound(Unbound):
    """conftest's unbound, iterating on 127.0.0.53:53 from a root hint that
    names the rig's root server, instead of forwarding to one NSD."""

    def __init__(self, workdir):
        super().__init__(workdir, upstream_port=None)

    def config(self, port):
        hints = self.dir / "root.hints"
        hints.write_text(". 3600000 NS a.root-servers.net.\n"
                         f"a.root-servers.net. 3600000 A {ROOT}\n")
        text = super().config(port)
        text = text[:text.index("forward-zone:")]
        for old, new in ((f"interface: 127.0.0.1@{port}",
                          f"interface: {RESOLVER}@{port}"),
                         ("  qname-minimisation:",
                          f'  root-hints: "{hints}"\n  qname-minimisation:')):
            assert old in text, "conftest's unbound config changed"
            text = text.replace(old, new)
        return text

    def start(self):
        conf = self.dir / "unbound.conf"
        conf.write_text(self.config(53))
        unbound = shutil.which("unbound") or "/usr/sbin/unbound"
        log = open(self.dir / "unbound.log", "w")
        self.proc = subprocess.Popen([unbound, "-d", "-c", str(conf)],
                                     stdout=log, stderr=log)
        log.close()
        try:
            wait_for_dns(RESOLVER, 53, 10)
        except RuntimeError:
            self.stop()
            raise RuntimeError("unbound did not start: " +
                               (self.dir / "unbound.log").read_text())
        self.port = 53
        return self


def hold(workdir):
    """The holder: starts the rig, says so, waits for stdin to close."""
    workdir = Path(workdir)
    only_loopback()
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    servers = []
    try:
        def start_nsd(addr):
            d = workdir / f"nsd-{addr}"
            d.mkdir()
            spec = NSDS[addr]
            return RigNsd(d, addr, spec["zones"], spec.get("rrl")).start()

        # NSDs start in parallel: each takes a few hundred ms to answer.
        with concurrent.futures.ThreadPoolExecutor(len(NSDS)) as pool:
            futures = [pool.submit(start_nsd, a) for a in NSDS]
            for f in futures:
                try:
                    servers.append(f.result())
                except Exception as e:  # noqa: BLE001 (reported below)
                    raise RuntimeError(f"NSD did not start: {e}") from e
        for addr, spec in FAULTDS.items():
            d = workdir / f"faultd-{addr}"
            d.mkdir()
            servers.append(Faultd(d, spec["rules"], spec["default"], addr,
                                  ["--port", "53"]))
        d = workdir / "unbound"
        d.mkdir()
        servers.append(RigUnbound(d).start())
    except Exception as e:  # noqa: BLE001 (the harness reports it)
        print(json.dumps({"error": str(e)}), flush=True)
        for s in servers:
            s.stop()
        sys.exit(3)
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.read()
    for s in servers:
        s.stop()


def read_name(msg, off):
    """(name, offset after it) at off, following compression pointers."""
    labels = []
    end = None
    for _ in range(128):
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if end is None:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            continue
        if n == 0:
            return ".".join(labels).lower() or ".", \
                end if end is not None else off + 1
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    raise ValueError("compression loop")


def parse(msg):
    """The parts of a reply the rig's checks look at."""
    _, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", msg[:12])
    off = 12
    for _ in range(qd):
        off = read_name(msg, off)[1] + 4
    sections = {}
    for key, count in (("answer", an), ("authority", ns),
                       ("additional", ar)):
        rows = []
        for _ in range(count):
            owner, off = read_name(msg, off)
            rtype, _, _, rdlen = struct.unpack(">HHIH", msg[off:off + 10])
            rdata = msg[off + 10:off + 10 + rdlen]
            if rtype == 1:
                value = socket.inet_ntoa(rdata)
            elif rtype in (2, 5):
                value = read_name(msg, off + 10)[0]
            else:
                value = None
            rows.append([owner, rtype, value])
            off += 10 + rdlen
        sections[key] = rows
    return {"rcode": flags & 0xF, "aa": bool(flags & 0x0400),
            "tc": bool(flags & 0x0200), **sections}


def ask(addr, name, qtype=1, tcp=False, timeout=1.0, rd=False):
    """One query to a server of the rig, RD=0 as an iterator sends it
    unless rd (for the resolver). None when nothing comes back."""
    qid = int.from_bytes(os.urandom(2), "big")
    query = bytearray(dns_query(name, qid, qtype))
    if not rd:
        query[2] &= 0xFE
    try:
        if tcp:
            with socket.create_connection((addr, 53), timeout) as s:
                s.sendall(len(query).to_bytes(2, "big") + query)
                data = b""
                while len(data) < 2 or len(data) < 2 + \
                        int.from_bytes(data[:2], "big"):
                    chunk = s.recv(65535)
                    if not chunk:
                        return None
                    data += chunk
                return parse(data[2:])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(timeout)
            s.sendto(query, (addr, 53))
            while True:
                msg, _ = s.recvfrom(65535)
                if msg[:2] == qid.to_bytes(2, "big"):
                    return parse(msg)
    except OSError:
        return None


def blast(addr, names, wait=1.5):
    """Sends one UDP query for each name at once, then counts the replies
    that came back whole, the truncated ones, and the silences."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        ids = {}
        for i, name in enumerate(names):
            query = bytearray(dns_query(name, i + 1))
            query[2] &= 0xFE
            s.sendto(query, (addr, 53))
            ids[i + 1] = name
        whole = truncated = 0
        end = time.monotonic() + wait
        while ids and time.monotonic() < end:
            ready, _, _ = select.select([s], [], [], 0.05)
            if not ready:
                continue
            msg, _ = s.recvfrom(65535)
            qid = int.from_bytes(msg[:2], "big")
            if ids.pop(qid, None) is None:
                continue
            if msg[2] & 0x02:
                truncated += 1
            else:
                whole += 1
    return {"whole": whole, "truncated": truncated, "silent": len(ids)}


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "hold":
        hold(sys.argv[2])
    elif cmd == "exec":
        only_loopback()
        os.execvp(sys.argv[2], sys.argv[2:])
    elif cmd == "ask":
        only_loopback()
        print(json.dumps([ask(**req) for req in json.loads(sys.argv[2])]))
    elif cmd == "blast":
        only_loopback()
        req = json.loads(sys.argv[2])
        print(json.dumps(blast(**req)))
    else:
        print("usage: authrig.py hold DIR | exec CMD... | ask JSON | "
              "blast JSON", file=sys.stderr)
        sys.exit(2)


# ---- on the host: the harness's side ----------------------------------


class AuthRig:
    """The rig as the tests see it: start(), run() blogdom inside, ask() a
    server of the rig, stop()."""

    def __init__(self, workdir):
        self.dir = Path(workdir)
        self.proc = None
        self.pid = None

    def start(self):
        err = open(self.dir / "holder.log", "w")
        # A PID namespace too: the holder is its init, so when it ends,
        # however it ends, every server of the rig ends with it, and
        # --kill-child ends the holder with unshare. unshare itself is in
        # the new network namespace: nsenter joins it through its pid.
        self.proc = subprocess.Popen(
            ["unshare", "--net", "--pid", "--fork", "--kill-child",
             sys.executable, str(Path(__file__)), "hold", str(self.dir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
        err.close()
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        line = self.proc.stdout.readline() if ready else b""
        try:
            said = json.loads(line)
        except ValueError:
            said = {"error": f"no word from the holder ({line!r})"}
        if "ready" not in said:
            self.stop()
            raise RuntimeError("the authoritative rig did not start: " +
                               said.get("error", "") + "\n" +
                               (self.dir / "holder.log").read_text())
        self.pid = self.proc.pid
        return self

    def inside(self, argv):
        """argv, to run in the rig's namespace. The holder must still be
        running (and unreaped, so its pid is still its own): a command
        never runs in the host's namespace by mistake."""
        assert self.proc.poll() is None, "the rig's holder is gone"
        return ["nsenter", "-t", str(self.pid), "-n", "--", sys.executable,
                str(Path(__file__))] + argv

    def run(self, *args, stdin=None, timeout=120):
        """blogdom with args, inside the rig: like conftest's blogdom()."""
        args = [str(a) for a in args]
        feed = {"input": stdin} if stdin is not None else \
            {"stdin": subprocess.DEVNULL}
        start = time.monotonic()
        proc = subprocess.run(self.inside(["exec"] + WRAPPER +
                                          [BLOGDOM] + args),
                              **feed, capture_output=True, timeout=timeout)
        run = Run(proc, time.monotonic() - start)
        run.stdout = run.stdout.decode("utf-8", "surrogateescape")
        run.stderr = run.stderr.decode("utf-8", "surrogateescape")
        if WRAPPER:
            assert proc.returncode != 99, "memory errors:\n" + run.stderr
        return run

    def _tool(self, cmd, req):
        proc = subprocess.run(self.inside([cmd, json.dumps(req)]),
                              capture_output=True, timeout=30, check=True)
        return json.loads(proc.stdout)

    def ask(self, addr, name, qtype=1, tcp=False, timeout=1.0, rd=False):
        """One query to a server of the rig (see ask() above)."""
        return self.ask_many([{"addr": addr, "name": name, "qtype": qtype,
                               "tcp": tcp, "timeout": timeout, "rd": rd}])[0]

    def ask_many(self, requests):
        """ask() for each dict of arguments, in one trip into the rig."""
        return self._tool("ask", list(requests))

    def blast(self, addr, names, wait=1.5):
        return self._tool("blast", {"addr": addr, "names": list(names),
                                    "wait": wait})

    def faultd_queries(self, addr):
        """What the rig's faultd at addr logged, as Faultd.queries()."""
        rows = []
        log = self.dir / f"faultd-{addr}" / "queries.log"
        if log.exists():
            for line in log.read_text().splitlines():
                f = line.split()
                rows.append((float(f[0]), f[1], f[2], int(f[3]), int(f[4]),
                             " ".join(f[5:])))
        return rows

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="session", name="authrig")
def authrig_fixture():
    """The rig, started once for the session; skips where network
    namespaces cannot be made (not root, or unshare refused)."""
    if os.geteuid() != 0:
        needs("needs root: unshare --net, servers on port 53")
    for tool in ("unshare", "nsenter", "ip"):
        if not shutil.which(tool):
            needs(f"needs {tool} (util-linux, iproute2)")
    probe = subprocess.run(["unshare", "--net", "--pid", "--fork",
                            "--kill-child", "ip", "link", "set", "lo", "up"],
                           capture_output=True)
    if probe.returncode != 0:
        needs("cannot make a network namespace here: " +
              probe.stderr.decode("utf-8", "replace").strip())
    if not (os.path.exists(FAULTD) or shutil.which(FAULTD)):
        pytest.fail(f"no faultd at {FAULTD} (set FAULTD)")
    with tempfile.TemporaryDirectory(prefix="bd-authrig-") as d:
        rig = AuthRig(d).start()
        yield rig
        rig.stop()


if __name__ == "__main__":
    os.umask(0o022)
    main()
