"""Fixtures for the CLI tests: real DNS servers on loopback, started and
stopped here, and a runner for blogdom that refuses to send anything to a
server that is not on loopback."""

import fcntl
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
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


def _skip_name(msg, off):
    while True:
        n = msg[off]
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n
        if n == 0:
            return off


def ask(addr, port, name, qtype=1, timeout=2.0):
    """One query over UDP to a server of the harness (loopback only), and
    the parts of the reply the fixtures' sanity checks look at: rcode, the
    AA bit, and the types of the answer and authority records."""
    assert addr.startswith(("127.", "::1")), addr
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    qid = int.from_bytes(os.urandom(2), "big")
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(dns_query(name, qid, qtype), (addr, port))
        while True:
            msg, _ = s.recvfrom(65535)
            if msg[:2] == qid.to_bytes(2, "big"):
                break
    _, flags, qd, an, ns, _ = struct.unpack(">HHHHHH", msg[:12])
    off = 12
    for _ in range(qd):
        off = _skip_name(msg, off) + 4
    sections = []
    for count in (an, ns):
        types = []
        for _ in range(count):
            off = _skip_name(msg, off)
            rtype, _, _, rdlen = struct.unpack(">HHIH", msg[off:off + 10])
            types.append(rtype)
            off += 10 + rdlen
        sections.append(types)
    return {"rcode": flags & 0xF, "aa": bool(flags & 0x0400),
            "answer": sections[0], "authority": sections[1]}


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


def terminate(proc, grace=10):
    """Ends proc, if it still runs: SIGTERM, then SIGKILL after grace
    seconds."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


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


def zone_name(path):
    """The zone a file under zones/ holds: its stem, and "." for root.zone."""
    return "." if path.stem == "root" else path.stem


class Nsd:
    """NSD serving zone files (by default every zones/*.zone, the root zone
    included) on 127.0.0.1 and ::1, on a free port or the one given."""

    def __init__(self, workdir, zones=None, port=None,
                 addrs=("127.0.0.1", "::1")):
        self.dir = Path(workdir)
        self.zones = sorted(ZONES.glob("*.zone")) if zones is None else \
            list(zones)
        self.fixed_port = port
        self.addrs = addrs
        self.port = None
        self.proc = None

    def config(self, port):
        zones = "".join(
            f'zone:\n  name: "{zone_name(z)}"\n  zonefile: "{z}"\n'
            for z in self.zones)
        listen = "".join(f"  ip-address: {a}@{port}\n" for a in self.addrs)
        return f"""server:
{listen}  username: ""
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
            port = self.fixed_port or free_port()
            conf = self.dir / "nsd.conf"
            conf.write_text(self.config(port))
            log = open(self.dir / "nsd.log", "w")
            self.proc = subprocess.Popen([nsd, "-d", "-c", str(conf)],
                                         stdout=log, stderr=log)
            log.close()
            try:
                for addr in self.addrs:
                    wait_for_dns(addr, port, 5)
            except RuntimeError:
                self.stop()
                continue
            self.port = port
            return self
        raise RuntimeError("NSD did not start: " +
                           (self.dir / "nsd.log").read_text())

    def stop(self):
        if self.proc:
            terminate(self.proc)

    @property
    def v4(self):
        return f"127.0.0.1:{self.port}"

    @property
    def v6(self):
        return f"[::1]:{self.port}"


@pytest.fixture(scope="session")
def nsd():
    """The root zone and the test TLDs (dev., com., app., uk.): answers as a
    resolver would give them, so it passes blogdom's vetting."""
    with tempfile.TemporaryDirectory(prefix="bd-nsd-") as d:
        server = Nsd(d).start()
        yield server
        server.stop()


@pytest.fixture(scope="session")
def nsd_root_only():
    """Only the root zone: NXDOMAIN for made-up TLDs, and a referral (not an
    answer) for com. and for every name under a TLD."""
    with tempfile.TemporaryDirectory(prefix="bd-nsd-root-") as d:
        server = Nsd(d, [ZONES / "root.zone"]).start()
        yield server
        server.stop()


@pytest.fixture(scope="session")
def nsd_tld_only():
    """Only a dev. zone (zones/tld-only/dev.zone): authoritative answers
    under dev., a referral for deleg.dev, REFUSED for everything else."""
    with tempfile.TemporaryDirectory(prefix="bd-nsd-tld-") as d:
        server = Nsd(d, [ZONES / "tld-only" / "dev.zone"]).start()
        yield server
        server.stop()


class Unbound:
    """Debian's unbound as a real recursive resolver on 127.0.0.1, with the
    whole tree (".") forwarded to an NSD of this harness: no query of it
    can leave loopback, and it needs no DNSSEC trust anchor."""

    def __init__(self, workdir, upstream_port):
        self.dir = Path(workdir)
        self.upstream_port = upstream_port
        self.port = None
        self.proc = None

    def config(self, port):
        return f"""server:
  interface: 127.0.0.1@{port}
  port: {port}
  do-ip4: yes
  do-ip6: no
  do-udp: yes
  do-tcp: yes
  num-threads: 1
  so-reuseport: no
  username: ""
  chroot: ""
  directory: "{self.dir}"
  pidfile: "{self.dir}/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 0
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  module-config: "iterator"
  qname-minimisation: no
  prefetch: no
  minimal-responses: yes
remote-control:
  control-enable: no
forward-zone:
  name: "."
  forward-addr: 127.0.0.1@{self.upstream_port}
  forward-first: no
"""

    def start(self):
        unbound = shutil.which("unbound") or "/usr/sbin/unbound"
        for _ in range(5):
            port = free_port()
            conf = self.dir / "unbound.conf"
            conf.write_text(self.config(port))
            log = open(self.dir / "unbound.log", "w")
            self.proc = subprocess.Popen([unbound, "-d", "-c", str(conf)],
                                         stdout=log, stderr=log)
            log.close()
            try:
                wait_for_dns("127.0.0.1", port, 5)
            except RuntimeError:
                self.stop()
                continue
            self.port = port
            return self
        raise RuntimeError("unbound did not start: " +
                           (self.dir / "unbound.log").read_text())

    def stop(self):
        if self.proc:
            terminate(self.proc)

    @property
    def v4(self):
        return f"127.0.0.1:{self.port}"


@pytest.fixture(scope="session")
def unbound(nsd):
    """A recursive resolver (unbound) in front of the nsd fixture."""
    if not (shutil.which("unbound") or os.path.exists("/usr/sbin/unbound")):
        pytest.fail("unbound is not installed (scripts/bootstrap test "
                    "installs it)")
    with tempfile.TemporaryDirectory(prefix="bd-unbound-") as d:
        server = Unbound(d, nsd.port).start()
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


def servers_in_file(path):
    """The servers of a -r FILE, read as blogdom reads it: one spec (or a
    comma-separated list) a line, '#' to the end of a line is a comment."""
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return []
    specs = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        specs += [s.strip() for s in line.split(",") if s.strip()]
    return specs


def servers_of(args):
    """Every server a command line names: -s specs and the lines of -r
    files."""
    servers = []
    files = []
    it = iter(args)
    for a in it:
        if a in ("-s", "--server"):
            servers.append(next(it, ""))
        elif a.startswith("--server="):
            servers.append(a.split("=", 1)[1])
        elif a.startswith("-s") and len(a) > 2:
            servers.append(a[2:])
        elif a in ("-r", "--resolvers"):
            files.append(next(it, ""))
        elif a.startswith("--resolvers="):
            files.append(a.split("=", 1)[1])
        elif a.startswith("-r") and len(a) > 2:
            files.append(a[2:])
        elif a == "--":
            break
    specs = [s.strip() for s in ",".join(servers).split(",") if s.strip()]
    for f in files:
        specs += servers_in_file(f)
    return specs


# blogdom's short options that take an argument: in "-jAs ADDR" the letters
# after one of these are its argument, not options.
SHORT_WITH_ARG = set("ftmsrc")


def roots_of(args):
    """The --root specs of a command line (getopt_long takes "--ro" and
    longer prefixes of "--root")."""
    roots = []
    it = iter(args)
    for a in it:
        if a == "--":
            break
        name, eq, value = a[2:].partition("=")
        if a.startswith("--") and len(name) >= 2 and "root".startswith(name):
            roots.append(value if eq else next(it, ""))
    return [s.strip() for s in ",".join(roots).split(",") if s.strip()]


def authoritative(args):
    """Whether a command line asks for --authoritative mode: -A, alone or
    in a cluster of short options, --authoritative or a prefix of it, or a
    --root (which implies it)."""
    for a in args:
        if a == "--":
            break
        if a.startswith("--"):
            name = a[2:].partition("=")[0]
            if name and "authoritative".startswith(name):
                return True
        elif a.startswith("-") and len(a) > 1:
            for letter in a[1:]:
                if letter == "A":
                    return True
                if letter in SHORT_WITH_ARG:
                    break
    return bool(roots_of(args))


def loopback(spec):
    return spec.strip().startswith(("127.", "[::1]", "::1"))


def loopback_roots_only(args):
    """Refuses a run of --authoritative without a loopback --root: its
    built-in root hints are the public root servers. Such runs happen only
    inside a network namespace that has nothing but loopback (authrig.py,
    netns_driver.py). Checked even for runs meant to send nothing: a usage
    error that blogdom failed to catch would go out to the world."""
    if not authoritative(args):
        return
    roots = roots_of(args)
    assert roots, "every --authoritative run must name a loopback --root"
    for spec in roots + servers_of(args):
        assert loopback(spec), f"{spec.strip()} is not a loopback address"


def loopback_only(args):
    """Refuses to run blogdom without a loopback --server (or, for
    --authoritative, a loopback --root): the suite must never query the
    system's resolver or any other host. A -r FILE counts by the servers in
    it; a file with none (which blogdom must refuse) is refused here too,
    for a blogdom that did not would fall back to the system's resolver:
    such runs happen only inside a private network namespace
    (test_system_resolver.py)."""
    if authoritative(args):
        loopback_roots_only(args)
        return
    servers = servers_of(args)
    assert servers, "every test run must name a loopback --server"
    for spec in servers:
        assert loopback(spec), f"{spec.strip()} is not a loopback address"


def whois_on_loopback(args):
    """Refuses a --confirm run that could ask a WHOIS server off loopback:
    a TLD without RDAP goes to WHOIS unless --rdap-url sends every name to
    RDAP, so such a run must name a loopback --whois-host, or a
    --whois-servers table whose servers are loopback addresses or names
    under .invalid (which no resolver answers, RFC 6761)."""
    confirm = any(a == "--confirm" or a.startswith(("--rdap-", "--whois-"))
                  for a in args)
    if not confirm or any(a.startswith("--rdap-url") for a in args):
        return
    host = [args[i + 1] for i, a in enumerate(args[:-1])
            if a == "--whois-host"]
    host += [a.split("=", 1)[1] for a in args
             if a.startswith("--whois-host=")]
    tables = [args[i + 1] for i, a in enumerate(args[:-1])
              if a == "--whois-servers"]
    assert host or tables, \
        "a --confirm run needs --rdap-url, --whois-host or --whois-servers"
    for spec in host:
        assert loopback(spec), f"--whois-host {spec} is not on loopback"
    for path in tables:
        for line in Path(path).read_text().splitlines():
            words = line.split()
            if len(words) == 2 and not words[0].startswith("#"):
                assert loopback(words[1]) or \
                    words[1].rstrip(".").endswith(".invalid"), \
                    f"WHOIS server {words[1]} is not on loopback"


def without_checks(args):
    """args, with the resolver checks off when a server is a faultd."""
    if FAULTD_ADDRS & set(servers_of(args)):
        return ["--trust-resolver", "--no-wildcard-check"] + list(args)
    return list(args)


def blogdom(*args, stdin=None, timeout=60, network=True, env=None,
            checks=False):
    """Runs blogdom with args; network=False for runs that send nothing
    (usage errors, --help), though an --authoritative run needs its
    loopback --root all the same; checks=True keeps the resolver checks
    against faultd."""
    args = [str(a) for a in args]
    loopback_roots_only(args)
    if network:
        loopback_only(args)
        whois_on_loopback(args)
        if not checks:
            args = without_checks(args)
    start = time.monotonic()
    # Without input of the test's own, stdin is /dev/null: blogdom reads
    # names from a stdin that is a pipe or a file, and the suite's (a pipe
    # under "pytest -s" or CI) must not become names. stdin is bytes to
    # feed, or an open file (or descriptor) to read from.
    if stdin is None:
        feed = {"stdin": subprocess.DEVNULL}
    elif isinstance(stdin, int) or hasattr(stdin, "fileno"):
        feed = {"stdin": stdin}
    else:
        feed = {"input": stdin}
    proc = subprocess.run(WRAPPER + [BLOGDOM] + args, **feed,
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


class PipedRun:
    """blogdom started with stdout on a pipe of the test's own, whose read
    end the test reads when and as it likes. The test keeps the write end
    too, as a shell keeps a file description it shares with blogdom, and
    can look at its flags once blogdom is gone."""

    def __init__(self, args):
        args = [str(a) for a in args]
        loopback_only(args)
        self.read_fd, self.write_fd = os.pipe()
        self.proc = subprocess.Popen(WRAPPER + [BLOGDOM] +
                                     without_checks(args),
                                     stdin=subprocess.DEVNULL,
                                     stdout=self.write_fd,
                                     stderr=subprocess.PIPE)

    def shared_flags(self):
        """The flags of the file description blogdom's stdout shares."""
        return fcntl.fcntl(self.write_fd, fcntl.F_GETFL)

    def read(self, pause=0.0, size=65536, nap=0.0):
        """Waits pause seconds, then reads to the end of the pipe, size
        bytes a read with a nap after each; the end comes once blogdom has
        exited and close_write() was called."""
        time.sleep(pause)
        chunks = []
        while True:
            data = os.read(self.read_fd, size)
            if not data:
                return b"".join(chunks)
            chunks.append(data)
            time.sleep(nap)

    def read_now(self):
        """What the pipe holds now, without waiting for more."""
        os.set_blocking(self.read_fd, False)
        chunks = []
        while True:
            try:
                data = os.read(self.read_fd, 65536)
            except BlockingIOError:
                break
            if not data:
                break
            chunks.append(data)
        return b"".join(chunks)

    def close_write(self):
        os.close(self.write_fd)
        self.write_fd = -1

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stderr.close()
        if self.write_fd >= 0:
            os.close(self.write_fd)
        os.close(self.read_fd)


@pytest.fixture
def piped():
    """Starts blogdom into a pipe of the test's own: piped(*args)."""
    started = []

    def start(*args):
        p = PipedRun(args)
        started.append(p)
        return p

    yield start
    for p in started:
        p.close()


NETNS_DRIVER = HERE / "netns_driver.py"


class NetnsRun(Run):
    """A run of netns_driver.py: blogdom's outcome, and what the faultd in
    the namespace (if any) logged, as Faultd.queries() gives it."""

    def __init__(self, result):
        self.returncode = result["returncode"]
        self.stdout = result["stdout"]
        self.stderr = result["stderr"]
        self.seconds = result["seconds"]
        self.queries = [tuple(q) for q in result["queries"] or []]


class Netns:
    """Runs blogdom without -s, with the system's resolver, inside a network
    namespace of its own (only lo) and a mount namespace where a resolv.conf
    of the test's making covers /etc/resolv.conf. The server, if any, is
    started in there on 127.0.0.1 port 53."""

    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.count = 0

    def run(self, *args, resolv_conf="nameserver 127.0.0.1\n", server=None,
            timeout=60):
        """server: None, {"kind": "nsd", "zones": [...]} (zones relative to
        zones/, all of them if absent) or {"kind": "faultd", "rules": [...],
        "default": ..., "extra": [...]}."""
        self.count += 1
        work = self.tmp / f"netns{self.count}"
        work.mkdir()
        conf = work / "resolv.conf"
        conf.write_text(resolv_conf)
        spec = work / "spec.json"
        spec.write_text(json.dumps({
            "workdir": str(work), "resolv_conf": str(conf), "server": server,
            "timeout": timeout,
            "command": WRAPPER + [BLOGDOM] + [str(a) for a in args]}))
        proc = subprocess.run(
            ["unshare", "--net", "--mount", sys.executable,
             str(NETNS_DRIVER), str(spec)],
            stdin=subprocess.DEVNULL, capture_output=True,
            timeout=timeout + 30)
        out = proc.stdout.decode("utf-8", "surrogateescape")
        assert proc.returncode == 0, \
            f"netns driver failed ({proc.returncode}): {out}\n" + \
            proc.stderr.decode("utf-8", "replace")
        run = NetnsRun(json.loads(out.splitlines()[-1]))
        if WRAPPER:
            assert run.returncode != 99, "memory errors:\n" + run.stderr
        return run


# Tests that this machine cannot run (not root, no network namespaces)
# skip through needs(). A suite in which any did ends with the status in
# $BD_SKIP_RETURN_CODE, which ctest reports as skipped (SKIP_RETURN_CODE),
# never as passed; the reasons are in pytest's summary (-rs).
UNMET = []


def needs(reason):
    """Skips the test: the machine lacks what it needs."""
    UNMET.append(reason)
    pytest.skip(reason)


def pytest_sessionfinish(session, exitstatus):
    code = os.environ.get("BD_SKIP_RETURN_CODE")
    if UNMET and code and exitstatus == 0:
        session.exitstatus = int(code)


@pytest.fixture
def netns(tmp_path):
    """Netns(tmp_path); skips where namespaces cannot be made (not root, or
    unshare refused)."""
    if os.geteuid() != 0:
        needs("needs root: unshare --net --mount and a bind mount over "
              "/etc/resolv.conf")
    if not shutil.which("unshare") or not shutil.which("ip"):
        needs("needs unshare (util-linux) and ip (iproute2)")
    probe = subprocess.run(["unshare", "--net", "--mount", "ip", "link", "set",
                            "lo", "up"], capture_output=True)
    if probe.returncode != 0:
        needs("cannot make a network namespace here: " +
              probe.stderr.decode("utf-8", "replace").strip())
    return Netns(tmp_path)
