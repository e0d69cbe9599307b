"""A small RDAP server on loopback for the CLI tests (standard library only).

    from rdapd import RdapServer

    srv = RdapServer({"taken.*": 200, "flaky.*": "500x2",
                      "busy.*": "429x2:1", "late.*": "slow:2:404"})
    ... blogdom --confirm --rdap-url srv.url ...
    srv.requests        # [(time.monotonic(), "/domain/taken.com"), ...]
    srv.close()

Rules map a domain glob (fnmatch, matched against the lower-cased name) to
a behaviour; the first matching rule wins and unmatched names get 404:

    200, 404, 500, ...  that status, always (an int or its string)
    "500x2"             500 twice for that name, then 404 (any CODExN)
    "429x2:RETRY"       429 with "Retry-After: RETRY" twice, then 404;
                        RETRY is sent as given (seconds, an HTTP date or
                        anything else); "429x2" sends no Retry-After
    "slow:SECONDS:CODE" CODE after SECONDS (other requests go on meanwhile)
    {"code": 200, "body": BODY}
                        that status with that body: a dict or list is sent
                        as JSON, a str or bytes as it is (malformed bodies)

Only /domain/<name> is served (RFC 9082 section 3.1.3), with
Content-Type application/rdap+json and a minimal RDAP body; any other path
gets 400. Connections are kept alive (HTTP/1.1), as registries do.
"""

import fnmatch
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["RdapServer", "bootstrap_json", "domain_body"]


def bootstrap_json(tlds, url):
    """An RFC 9224 dns.json sending every TLD in tlds to the base url (or
    to each of a list of base urls, in that order)."""
    return json.dumps({
        "version": "1.0",
        "publication": "2024-01-01T00:00:00Z",
        "description": "blogdom test bootstrap",
        "services": [[list(tlds), [url] if isinstance(url, str) else
                      list(url)]],
    })


def domain_body(name, status=("active",), events=()):
    """An RFC 9083 domain object for name: status values as given, and
    events as (eventAction, eventDate) pairs."""
    return {"rdapConformance": ["rdap_level_0"],
            "objectClassName": "domain", "ldhName": name,
            "status": list(status),
            "events": [{"eventAction": a, "eventDate": d}
                       for a, d in events]}


def _parse_rule(behaviour):
    """A rule's behaviour as (kind, args), checked once, up front."""
    if isinstance(behaviour, dict):
        body = behaviour["body"]
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        return ("body", (int(behaviour.get("code", 200)), body))
    text = str(behaviour)
    if text.isdigit():
        return ("status", int(text))
    head, colon, rest = text.partition(":")
    code, _, times = head.partition("x")
    if code.isdigit() and times.isdigit():
        return ("fail_then_404", (int(code), int(times),
                                  rest if colon else None))
    if head == "slow":
        seconds, _, code = rest.partition(":")
        if code.isdigit():
            return ("slow", (float(seconds), int(code)))
    raise ValueError(f"rdapd: unknown behaviour {behaviour!r}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "rdapd/1"
    # Headers and body leave in two writes: without this, Nagle's algorithm
    # holds the body until the client's delayed ACK, 40 ms a response.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 (the base's name)
        pass  # pytest shows stderr on failure; keep it for real problems

    def do_GET(self):  # noqa: N802 (the base's name)
        owner = self.server.owner
        owner._record(self.path)
        path = urllib.parse.urlsplit(self.path).path
        if not path.startswith("/domain/") or len(path) <= len("/domain/"):
            self._reply(400, {"errorCode": 400, "title": "Bad Request"})
            return
        name = urllib.parse.unquote(path[len("/domain/"):]).lower()
        status, headers = owner._decide(name)
        if isinstance(status, tuple):  # a body of the rule's own
            self._send(status[0], status[1], headers)
            return
        if status == 200:
            body = {"rdapConformance": ["rdap_level_0"],
                    "objectClassName": "domain", "ldhName": name,
                    "status": ["active"]}
        else:
            body = {"rdapConformance": ["rdap_level_0"],
                    "errorCode": status, "title": "blogdom test"}
        self._reply(status, body, headers)

    def _reply(self, status, body, headers=()):
        self._send(status, json.dumps(body).encode(), headers)

    def _send(self, status, data, headers=()):
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/rdap+json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers:
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up (a timeout under test): fine


class RdapServer:
    """An RDAP server on 127.0.0.1, on a free port, in a thread."""

    def __init__(self, rules=None):
        items = rules.items() if isinstance(rules, dict) else (rules or [])
        self._rules = [(glob.lower(), _parse_rule(b)) for glob, b in items]
        self._lock = threading.Lock()
        self._counts = {}
        self.requests = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def bootstrap_json(self, tlds):
        """A dns.json that sends the given TLDs to this server."""
        return bootstrap_json(tlds, self.url)

    def count(self, name):
        """Requests received so far for /domain/<name>."""
        with self._lock:
            return self._counts.get(name.lower(), 0)

    def close(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _record(self, path):
        with self._lock:
            self.requests.append((time.monotonic(), path))

    def _decide(self, name):
        """The status and extra headers for this request of name."""
        with self._lock:
            seen = self._counts.get(name, 0)
            self._counts[name] = seen + 1
        for glob, rule in self._rules:
            if fnmatch.fnmatchcase(name, glob):
                kind, args = rule
                break
        else:
            return 404, []
        if kind == "status":
            return args, []
        if kind == "body":
            return args, []
        if kind == "fail_then_404":
            code, times, retry = args
            if seen >= times:
                return 404, []
            return code, ([("Retry-After", retry)] if retry else [])
        seconds, code = args
        time.sleep(seconds)
        return code, []
