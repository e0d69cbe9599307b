"""Fixtures for the CLI tests: real DNS servers on loopback, started and
stopped here, and a runner for blogdom that refuses to send anything to a
server that is not on loopback."""

import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ZONES = HERE / "zones"
BLOGDOM = os.environ.get("BLOGDOM", "blogdom")
FAULTD = os.environ.get("FAULTD", "faultd")
# A prefix such as "valgrind --error-exitcode=99 --leak-check=full" runs
# every blogdom of the suite under that tool.
WRAPPER = os.environ.get("BLOGDOM_WRAPPER", "").split()
# The RDAP fixture is on loopback: a proxy from the environment must not
# stand in between (libcurl honours http_proxy and friends).
for _var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY",
             "HTTPS_PROXY", "ALL_PROXY"):
    os.environ.pop(_var, None)
# Wall-clock bounds mean nothing under valgrind's 20-50x slowdown: they are
# checked in the plain and sanitizer runs, and skipped under a wrapper.
TIMED = not WRAPPER

# The marks of Fluent Python's blogdom.py for the 18 built-in names, as the
# test zone (zones/dev.zone) serves them.
BOOK_FOUND = {"and", "as", "def", "elif", "else", "for", "if", "in", "is",
              "not"}
BOOK_FREE = {"none", "true", "del", "from", "or", "pass", "try", "with"}
BOOK_ORDER = ["none", "true", "and", "as", "def", "del", "elif", "else",
              "for", "from", "if", "in", "is", "not", "or", "pass", "try",
              "with"]


def dns_query(name, qid=0x4242, qtype=1):
    """A minimal DNS query, for checking that a server is up."""
    wire = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")
                    if p) + b"\0"
    return struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + wire + \
        struct.pack(">HH", qtype, 1)


def wait_for_dns(addr, port, deadline_s=10.0):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.settimeout(0.2)
            try:
                s.sendto(dns_query("dev"), (addr, port))
                s.recvfrom(4096)
                return
            except OSError:
                time.sleep(0.05)
    raise RuntimeError(f"no DNS answer from {addr} port {port}")


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 and ::1."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            try:
                for fam, typ, host in ((socket.AF_INET, socket.SOCK_STREAM,
                                        "127.0.0.1"),
                                       (socket.AF_INET6, socket.SOCK_DGRAM,
                                        "::1"),
                                       (socket.AF_INET6, socket.SOCK_STREAM,
                                        "::1")):
                    with socket.socket(fam, typ) as t:
                        t.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


class Nsd:
    """NSD serving the test zones on 127.0.0.1 and ::1."""

    def __init__(self, workdir):
        self.dir = Path(workdir)
        self.port = None
        self.proc = None

    def config(self, port):
        zones = "".join(
            f"zone:\n  name: {z.stem}\n  zonefile: {z}\n"
            for z in sorted(ZONES.glob("*.zone")))
        return f"""server:
  ip-address: 127.0.0.1@{port}
  ip-address: ::1@{port}
  username: ""
  chroot: ""
  zonesdir: "{self.dir}"
  database: ""
  pidfile: "{self.dir}/nsd.pid"
  zonelistfile: "{self.dir}/zone.list"
  xfrdfile: "{self.dir}/xfrd.state"
  verbosity: 0
  rrl-ratelimit: 0
  server-count: 1
remote-control:
  control-enable: no
{zones}"""

    def start(self):
        nsd = shutil.which("nsd") or "/usr/sbin/nsd"
        for _ in range(5):
            port = free_port()
            conf = self.dir / "nsd.conf"
            conf.write_text(self.config(port))
            log = open(self.dir / "nsd.log", "w")
            self.proc = subprocess.Popen([nsd, "-d", "-c", str(conf)],
                                         stdout=log, stderr=log)
            log.close()
            try:
                wait_for_dns("127.0.0.1", port, 5)
                wait_for_dns("::1", port, 5)
            except RuntimeError:
                self.stop()
                continue
            self.port = port
            return self
        raise RuntimeError("NSD did not start: " +
                           (self.dir / "nsd.log").read_text())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    @property
    def v4(self):
        return f"127.0.0.1:{self.port}"

    @property
    def v6(self):
        return f"[::1]:{self.port}"


@pytest.fixture(scope="session")
def nsd():
    with tempfile.TemporaryDirectory(prefix="bd-nsd-") as d:
        server = Nsd(d).start()
        yield server
        server.stop()


# Addresses of the fault servers started so far. faultd answers by rule,
# not like a zone (its TLDs have no apex, "*.dev" rules are wildcards), so
# runs against it skip blogdom's resolver and wildcard checks unless a test
# is about them (run(..., checks=True)).
FAULTD_ADDRS = set()


class Faultd:
    """Our fault-injecting server, with rules chosen per name."""

    def __init__(self, workdir, rules, default, bind, extra):
        self.dir = Path(workdir)
        self.log = self.dir / "queries.log"
        port_file = self.dir / "port"
        args = [FAULTD, "--bind", bind, "--port-file", str(port_file),
                "--log", str(self.log)]
        for rule in rules:
            args += ["--rule", rule]
        if default is not None:
            args += ["--default", default]
        self.proc = subprocess.Popen(args + list(extra))
        end = time.monotonic() + 10
        while not port_file.exists():
            if self.proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError("faultd did not start")
            time.sleep(0.01)
        self.port = int(port_file.read_text())
        self.addr = f"[{bind}]:{self.port}" if ":" in bind else \
            f"{bind}:{self.port}"
        FAULTD_ADDRS.add(self.addr)

    def queries(self):
        """Logged queries: (ms, transport, name, qtype, id, action)."""
        rows = []
        if self.log.exists():
            for line in self.log.read_text().splitlines():
                f = line.split()
                rows.append((float(f[0]), f[1], f[2], int(f[3]), int(f[4]),
                             " ".join(f[5:])))
        return rows

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                assert self.proc.wait(10) == 0, "faultd did not exit cleanly"
            except subprocess.TimeoutExpired:
                self.proc.kill()
                raise


@pytest.fixture
def faultd(tmp_path):
    """Starts fault servers: faultd(["*.dev delay=300"], default="nxdomain")."""
    started = []

    def start(rules=(), default=None, bind="127.0.0.1", extra=()):
        d = tmp_path / f"faultd{len(started)}"
        d.mkdir()
        server = Faultd(d, rules, default, bind, extra)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


class Run:
    def __init__(self, proc, seconds):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.seconds = seconds

    @property
    def lines(self):
        return self.stdout.splitlines()

    def marks(self):
        """{name: mark} from the output lines."""
        out = {}
        for line in self.lines:
            out[line[2:]] = line[:2]
        return out


def servers_of(args):
    servers = []
    it = iter(args)
    for a in it:
        if a in ("-s", "--server"):
            servers.append(next(it))
        elif a.startswith("--server="):
            servers.append(a.split("=", 1)[1])
        elif a.startswith("-s") and len(a) > 2:
            servers.append(a[2:])
    return [s.strip() for s in ",".join(servers).split(",") if s.strip()]


def loopback_only(args):
    """Refuses to run blogdom without a loopback --server: the suite must
    never query the system's resolver or any other host."""
    servers = servers_of(args)
    assert servers, "every test run must name a loopback --server"
    for spec in servers:
        host = spec.strip()
        assert host.startswith(("127.", "[::1]", "::1")), \
            f"{host} is not a loopback address"


def without_checks(args):
    """args, with the resolver checks off when a server is a faultd."""
    if FAULTD_ADDRS & set(servers_of(args)):
        return ["--trust-resolver", "--no-wildcard-check"] + list(args)
    return list(args)


def blogdom(*args, stdin=None, timeout=60, network=True, env=None,
            checks=False):
    """Runs blogdom with args; network=False for runs that send nothing
    (usage errors, --help); checks=True keeps the resolver checks against
    faultd."""
    args = [str(a) for a in args]
    if network:
        loopback_only(args)
        if not checks:
            args = without_checks(args)
    start = time.monotonic()
    proc = subprocess.run(WRAPPER + [BLOGDOM] + args, input=stdin,
                          capture_output=True, timeout=timeout, env=env)
    run = Run(proc, time.monotonic() - start)
    run.stdout = run.stdout.decode("utf-8", "surrogateescape")
    run.stderr = run.stderr.decode("utf-8", "surrogateescape")
    if WRAPPER:
        assert proc.returncode != 99, "memory errors:\n" + run.stderr
    return run


@pytest.fixture
def run():
    return blogdom
