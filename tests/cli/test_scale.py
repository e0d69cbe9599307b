"""Many names, several resolvers, shards, pacing."""

import json
import time

from conftest import TIMED


def names_file(tmp_path, n, prefix="n"):
    f = tmp_path / f"{prefix}{n}.txt"
    f.write_text("".join(f"{prefix}{i}.dev\n" for i in range(n)))
    return f


def test_load_is_spread_over_all_resolvers(run, faultd, tmp_path):
    servers = [faultd(["*.dev answer"]) for _ in range(3)]
    args = []
    for s in servers:
        args += ["-s", s.addr]
    r = run(*args, "-f", names_file(tmp_path, 3000))
    assert len(r.lines) == 3000 and r.returncode == 0
    counts = [len(s.queries()) for s in servers]
    assert sum(counts) == 3000
    assert all(c > 600 for c in counts), counts


def test_resolvers_file(run, faultd, tmp_path):
    a = faultd(["*.dev answer"])
    b = faultd(["*.dev answer"])
    rf = tmp_path / "resolvers.txt"
    rf.write_text(f"# ours\n{a.addr}\n\n{b.addr}  # second\n")
    r = run("-r", rf, "-s", a.addr, "and", "or", "not", "is")
    assert len(r.lines) == 4 and r.returncode == 0
    assert len(a.queries()) > 0 and len(b.queries()) > 0


def test_failing_resolver_is_sidelined_and_its_names_retried(
        run, faultd, tmp_path):
    good1 = faultd(["*.dev answer"])
    good2 = faultd(["*.dev answer"])
    bad = faultd(["*.dev drop"])
    r = run("-s", good1.addr, "-s", bad.addr, "-s", good2.addr,
            "--timeout", "200", "--json", "-f", names_file(tmp_path, 600))
    rows = [json.loads(line) for line in r.lines]
    assert len(rows) == 600
    assert all(row["status"] == "found" for row in rows)
    assert r.returncode == 0
    assert f"server {bad.addr} sidelined" in r.stderr
    # Once sidelined, the bad server got no more new names: far fewer than
    # its third of the input.
    assert len(bad.queries()) < 300, len(bad.queries())


def test_refusing_resolver_is_sidelined(run, faultd, tmp_path):
    good = faultd(["*.dev answer"])
    bad = faultd(["*.dev refused"])
    r = run("-s", bad.addr, "-s", good.addr, "-f",
            names_file(tmp_path, 400))
    assert len(r.lines) == 400
    assert all(line.startswith("+ ") for line in r.lines)
    assert "sidelined" in r.stderr


def test_shards_partition_the_input(run, faultd, tmp_path):
    f = faultd(["*.dev answer"])
    names = names_file(tmp_path, 2000)
    seen = []
    for k in range(4):
        r = run("-s", f.addr, "-f", names, "--shard", f"{k}/4")
        assert r.returncode == 0
        assert 300 < len(r.lines) < 700
        seen += [line[2:] for line in r.lines]
    assert len(seen) == 2000
    assert set(seen) == {f"n{i}.dev" for i in range(2000)}


def test_rate_paces_evenly(run, faultd, tmp_path):
    f = faultd(["*.dev answer"])
    r = run("-s", f.addr, "--rate", "200", "-f", names_file(tmp_path, 500))
    assert len(r.lines) == 500
    times = sorted(q[0] for q in f.queries())
    assert len(times) == 500
    # No one-second window holds more than 200 queries...
    j = 0
    for i, t in enumerate(times):
        while j < len(times) and times[j] <= t + 1000.0:
            j += 1
        assert j - i <= 200, (i, j - i)
    # ...and the run takes about 500 / 200 s.
    if TIMED:
        assert 2.3 <= r.seconds < 4.0, r.seconds


def test_random_loss_costs_retries_never_verdicts(run, faultd, tmp_path):
    f = faultd(["ok* loss=30,answer", "nx* loss=30,nxdomain"])
    names = tmp_path / "names.txt"
    names.write_text("".join(f"ok{i}.dev\nnx{i}.dev\n" for i in range(5000)))
    r = run("-s", f.addr, "--tries", "4", "--timeout", "300", "-f", names,
            "--stats", timeout=120)
    marks = r.marks()
    assert len(r.lines) == 10000 and len(marks) == 10000
    wrong = [n for n, m in marks.items()
             if m != ("+ " if n.startswith("ok") else "  ")]
    # 30% loss over 4 tries leaves 0.3^4 = 0.8% of names without any
    # answer: those, and only those, are '?', never a wrong verdict.
    assert all(marks[n] == "? " for n in wrong)
    assert len(wrong) < 200, len(wrong)
    assert r.returncode == (1 if wrong else 0)


def test_a_server_held_back_by_its_cap_alone_is_waited_for(run, faultd):
    # With nothing in flight and the next name held back only by the
    # server's cap, the loop must wake up for it, not run dry: every name
    # has its line, and the run takes about as long as the cap says.
    f = faultd(["*.dev answer"])
    labels = [f"c{i}" for i in range(10)]
    r = run("-s", f.addr, "--server-rate", "5", "--order=input", *labels)
    assert r.lines == [f"+ {x}.dev" for x in labels]
    assert r.returncode == 0
    assert "internal error" not in r.stderr
    if TIMED:
        assert 1.2 <= r.seconds < 5.0, r.seconds
