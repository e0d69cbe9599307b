"""Runs blogdom with the system's resolver, inside a network namespace that
has only loopback. Started by the harness as

    unshare --net --mount python3 netns_driver.py SPEC.json

SPEC names the resolv.conf to put over /etc/resolv.conf (a bind mount seen
only in this private mount namespace), the server to start on 127.0.0.1:53
first (NSD with some zones, faultd with some arguments, or none), and
blogdom's arguments. The driver prints one JSON object: blogdom's exit
status, stdout and stderr, and the queries faultd logged.

Before blogdom runs, the driver checks that it can reach nothing but
loopback: the namespace has no interface but lo, and every nameserver of the
resolv.conf now in place is a loopback address."""

import ipaddress
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import Faultd, Nsd, ZONES  # noqa: E402


def fail(why):
    print(json.dumps({"error": why}))
    sys.exit(3)


def isolate(resolv_conf):
    names = [name for _, name in socket.if_nameindex()]
    if names != ["lo"]:
        fail(f"not in a private network namespace: interfaces {names}")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["mount", "--bind", resolv_conf, "/etc/resolv.conf"],
                   check=True)
    text = Path("/etc/resolv.conf").read_text()
    if text != Path(resolv_conf).read_text():
        fail("the bind mount over /etc/resolv.conf did not take")
    for line in text.splitlines():
        words = line.split()
        if words[:1] == ["nameserver"] and \
                not ipaddress.ip_address(words[1]).is_loopback:
            fail(f"resolv.conf names {words[1]}, not a loopback address")


def start_server(spec, workdir):
    if spec is None:
        return None
    if spec["kind"] == "nsd":
        zones = [ZONES / z for z in spec["zones"]] if spec.get("zones") \
            else None
        return Nsd(workdir, zones, port=53, addrs=("127.0.0.1",)).start()
    if spec["kind"] == "faultd":
        return Faultd(workdir, spec.get("rules", ()), spec.get("default"),
                      "127.0.0.1", ["--port", "53"] + spec.get("extra", []))
    fail(f"unknown server kind {spec['kind']}")


def main():
    spec = json.loads(Path(sys.argv[1]).read_text())
    workdir = Path(spec["workdir"])
    isolate(spec["resolv_conf"])
    server = start_server(spec.get("server"), workdir)
    try:
        start = time.monotonic()
        proc = subprocess.run(spec["command"], stdin=subprocess.DEVNULL,
                              capture_output=True,
                              timeout=spec.get("timeout", 60))
        result = {
            "returncode": proc.returncode,
            "stdout": proc.stdout.decode("utf-8", "surrogateescape"),
            "stderr": proc.stderr.decode("utf-8", "surrogateescape"),
            "seconds": time.monotonic() - start,
            "queries": server.queries() if isinstance(server, Faultd)
            else None,
        }
    finally:
        if server is not None:
            server.stop()
    print(json.dumps(result))


if __name__ == "__main__":
    os.umask(0o022)
    main()
