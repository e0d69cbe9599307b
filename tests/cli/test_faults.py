"""Concurrency, ordering and failures against our fault-injecting server."""

import json

from conftest import BOOK_ORDER, TIMED


def test_eighteen_delayed_names_take_one_delay_not_eighteen(run, faultd):
    f = faultd(["*.dev delay=300,nxdomain"])
    r = run("-s", f.addr)
    assert len(r.lines) == 18
    assert all(line.startswith("  ") for line in r.lines)
    # 18 x 300 ms in sequence would be 5.4 s; at once, about 0.3 s.
    assert r.seconds < 2.0 or not TIMED, r.seconds
    assert r.returncode == 0


def reverse_rules():
    # The first name answers last: 50 ms apart, in reverse input order.
    n = len(BOOK_ORDER)
    return [f"{name}.dev delay={50 * (n - i)}"
            for i, name in enumerate(BOOK_ORDER)]


def test_answers_print_in_arrival_order(run, faultd):
    f = faultd(reverse_rules())
    r = run("-s", f.addr)
    assert [line[2:-4] for line in r.lines] == BOOK_ORDER[::-1]


def test_input_order_waits_for_the_slow_head(run, faultd):
    f = faultd(reverse_rules())
    r = run("-s", f.addr, "--order=input")
    assert [line[2:-4] for line in r.lines] == BOOK_ORDER


def test_dropped_name_ends_as_question_mark_within_timeout_x_tries(
        run, faultd):
    f = faultd(["lost.dev drop", "*.dev a=192.0.2.1"])
    r = run("-s", f.addr, "--timeout", "200", "--tries", "3", "lost", "and",
            "--json")
    rows = {j["name"]: j for j in map(json.loads, r.lines)}
    assert rows["lost.dev"]["status"] == "error"
    assert rows["lost.dev"]["reason"] == "timeout"
    assert rows["lost.dev"]["tries"] == 3
    assert rows["and.dev"]["status"] == "found"
    assert r.returncode == 1
    assert 0.6 <= r.seconds < 0.6 + 0.5 or not TIMED, r.seconds
    # Each try waited the same 200 ms: no hidden doubling.
    sent = [q[0] for q in f.queries() if q[2] == "lost.dev"]
    assert len(sent) == 3
    gaps = [b - a for a, b in zip(sent, sent[1:])]
    assert all(180 <= g <= 300 for g in gaps) or not TIMED, gaps


def test_tries_lost_among_answers_are_counted_after_tries_more(
        run, faultd, tmp_path):
    # A server that answers a steady stream of other names drops the first
    # queries for one, as a rate limit drops a run: each try is found lost
    # early (later queries are answered), and the first --tries of them are
    # not counted. Four dropped: the fifth query is answered. Six dropped:
    # '?' after twice --tries queries, the last having waited its timeout.
    # The others keep answers coming for two seconds, time for five tries
    # to be found lost even when valgrind slows the loop.
    others = tmp_path / "others.txt"
    others.write_text("".join(f"x{i:04d}.dev\n" for i in range(3000)))
    for dropped, status, queries in ((4, "found", 5), (6, "error", 6)):
        f = faultd([f"flaky.dev drop-first={dropped},a=192.0.2.9",
                    "*.dev a=192.0.2.1"])
        r = run("-s", f.addr, "--rate", "1500", "--timeout", "500",
                "--tries", "3", "--json", "flaky", "-f", others)
        rows = {j["name"]: j for j in map(json.loads, r.lines)}
        assert len(rows) == 3001
        assert rows["flaky.dev"]["status"] == status, rows["flaky.dev"]
        assert all(row["status"] == "found" for row in rows.values()
                   if row["name"] != "flaky.dev")
        asked = [q for q in f.queries() if q[2] == "flaky.dev"]
        assert len(asked) == queries, asked


def test_servfail_and_refused_are_question_marks(run, faultd):
    f = faultd(["sf.dev servfail", "rf.dev refused", "ok.dev a=192.0.2.1",
                "nx.dev nxdomain"])
    r = run("-s", f.addr, "sf", "rf", "ok", "nx", "--json")
    rows = {j["name"]: j for j in map(json.loads, r.lines)}
    assert (rows["sf.dev"]["status"], rows["sf.dev"]["reason"],
            rows["sf.dev"]["rcode"]) == ("error", "servfail", "SERVFAIL")
    assert (rows["rf.dev"]["status"], rows["rf.dev"]["reason"]) == \
        ("error", "refused")
    assert rows["ok.dev"]["status"] == "found"
    assert rows["nx.dev"]["status"] == "notfound"
    # One server: its refusal is final, asked once.
    assert rows["sf.dev"]["tries"] == 1
    assert r.returncode == 1
    marks = run("-s", f.addr, "sf", "rf", "--order=input").lines
    assert marks == ["? sf.dev", "? rf.dev"]


def test_servfail_moves_on_to_the_next_server(run, faultd):
    bad = faultd(["*.dev servfail"])
    good = faultd(["*.dev a=192.0.2.1"])
    r = run("-s", bad.addr, "-s", good.addr, "a", "b", "c", "d", "--json")
    rows = [json.loads(line) for line in r.lines]
    assert all(row["status"] == "found" for row in rows), rows
    assert all(row["server"] == good.addr for row in rows)
    assert r.returncode == 0


def test_dead_server_beside_a_live_one(run, faultd):
    dead = faultd(["*.dev drop"])
    live = faultd(["*.dev a=192.0.2.1"])
    r = run("-s", dead.addr, "-s", live.addr, "--timeout", "200", "a", "b",
            "c", "d", "--json")
    rows = [json.loads(line) for line in r.lines]
    assert len(rows) == 4
    assert all(row["status"] == "found" for row in rows)
    assert r.returncode == 0
