"""blogdom with no -s: the system's resolvers, from /etc/resolv.conf. Each
run happens inside a network namespace that has only loopback, with a
resolv.conf of the test's own bind-mounted over /etc/resolv.conf, so the
machine's real resolver is never asked (see netns_driver.py)."""

import pytest

from conftest import BOOK_FOUND, BOOK_ORDER, blogdom

BOOK_LINES = [("+ " if n in BOOK_FOUND else "  ") + n + ".dev"
              for n in BOOK_ORDER]


def test_the_harness_refuses_runs_without_a_server_outside_a_namespace(
        tmp_path):
    with pytest.raises(AssertionError, match="loopback --server"):
        blogdom("and")
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n")
    with pytest.raises(AssertionError, match="loopback --server"):
        blogdom("-r", empty, "and")
    listed = tmp_path / "listed.txt"
    listed.write_text("127.0.0.1:9\n10.1.2.3\n")
    with pytest.raises(AssertionError, match="not a loopback"):
        blogdom("-r", listed, "and")


def test_books_run_through_the_system_resolver(netns):
    r = netns.run("--order=input", server={"kind": "nsd"})
    assert r.stderr == ""
    assert r.lines == BOOK_LINES
    assert r.returncode == 0


def test_nothing_listening_on_the_system_resolver(netns):
    r = netns.run("--order=input", "and", "none")
    assert r.returncode == 2
    assert r.stdout == ""
    assert "127.0.0.1:53" in r.stderr
    assert "refuses connections" in r.stderr
    assert r.stderr.rstrip("\n").endswith(": no usable DNS server left")


def test_a_dead_system_resolver_beside_a_live_one(netns):
    # 127.0.0.2 is on lo too, and nothing listens there.
    r = netns.run("--order=input", "and", "none",
                  resolv_conf="nameserver 127.0.0.2\nnameserver 127.0.0.1\n",
                  server={"kind": "nsd"})
    assert r.lines == ["+ and.dev", "  none.dev"]
    assert r.returncode == 0
    warnings = r.stderr.splitlines()
    assert len(warnings) == 1
    assert "warning: server 127.0.0.2:53 refuses connections" in warnings[0]
    assert warnings[0].endswith(": dropped")


@pytest.mark.parametrize("text", ["", "\n\n", "# no servers yet\n\n  # x\n"])
def test_resolver_file_without_servers_sends_nothing(netns, tmp_path, text):
    # An empty list must not fall back to the system's resolver: a faultd
    # listens where resolv.conf points and must see no query at all.
    servers = tmp_path / "servers.txt"
    servers.write_text(text)
    r = netns.run("-r", servers, "and", "none",
                  server={"kind": "faultd", "default": "answer"})
    assert r.returncode == 2
    assert r.stdout == ""
    assert f"blogdom: no servers in {servers}" in r.stderr
    assert r.queries == []
