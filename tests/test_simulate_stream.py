"""`pmsim simulate` streams (issue 13): a live table on a terminal, and --until-ci stops early at
the same game count whatever the number of worker processes."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner

from pmsim.cli import LiveTable, cli
from pmsim.engine.simulate import MIN_CI_GAMES, ci_half, run_batch
from pmsim.scenario.builtin import resolve
from pmsim.scenario.loader import load_scenario


@pytest.fixture(scope="module")
def tutorial():
    return load_scenario(resolve("tutorial"))


@pytest.fixture(scope="module")
def full(tutorial):
    return run_batch(tutorial, ["rice", "random"], 60, 0, raw=True)


def test_until_ci_stops_at_the_first_game_count_that_meets_it(tutorial, full):
    target = 3.0
    early = run_batch(tutorial, ["rice", "random"], 60, 0, until_ci=target)
    n = early["games"]
    assert MIN_CI_GAMES <= n < 60
    assert early["until_ci"] == {"target": target, "met": True}
    scores = {s: [g["score"] for g in full["raw"][s]] for s in ("rice", "random")}

    def met(k: int) -> bool:
        return all(ci_half(v[:k]) <= target for v in scores.values())

    assert met(n) and not any(met(k) for k in range(MIN_CI_GAMES, n))
    for s in ("rice", "random"):
        assert early["strategies"][s]["ci95"] <= target
        # the summary is the summary of exactly the first n games
        head = run_batch(tutorial, [s], n, 0)["strategies"][s]
        assert {k: v for k, v in early["strategies"][s].items() if k != "ci95"} == head


def test_until_ci_is_the_same_whatever_the_jobs(tutorial):
    serial = run_batch(tutorial, ["rice", "random"], 40, 1, until_ci=2.5)
    assert run_batch(tutorial, ["rice", "random"], 40, 1, jobs=2, until_ci=2.5) == serial


def test_until_ci_not_met_plays_every_game_and_says_so(tutorial, full):
    out = run_batch(tutorial, ["rice", "random"], 12, 0, until_ci=0.01)
    assert out["games"] == 12 and out["until_ci"] == {"target": 0.01, "met": False}
    assert "until_ci" not in full and all("ci95" not in s for s in full["strategies"].values())


def test_live_sees_every_game_as_it_finishes(tutorial):
    seen = []
    run_batch(tutorial, ["rice", "random"], 5, 0, live=lambda stats: seen.append(stats))
    assert [st["rice"][0] for st in seen] == [1, 2, 3, 4, 5]
    k, mean, half = seen[-1]["random"]
    assert k == 5 and 0 < mean < 100 and half > 0


def test_the_live_table_draws_in_place_and_erases_itself():
    buf = io.StringIO()
    with LiveTable(buf, 100, every=0.0) as board:
        board.show({"rice": (1, 60.0, float("inf")), "random": (0, float("nan"), float("inf"))})
        board.show({"rice": (2, 61.5, 3.25), "random": (1, 55.0, float("inf"))})
    text = buf.getvalue()
    assert "1/100" in text and "2/100" in text and "± 3.25" in text and "± ?" in text
    # the second table moves up over the first (3 lines), and the end erases the second
    assert text.count("\x1b[1A\x1b[2K") == 6
    assert text.endswith("\x1b[1A\x1b[2K" * 3)


def test_cli_until_ci(tutorial):
    res = CliRunner().invoke(cli, ["simulate", "--scenario", "tutorial", "--strategy", "rice,random",
                                   "--games", "60", "--until-ci", "3", "--jobs", "1"])
    assert res.exit_code == 0, res.output
    assert "every mean known to ± 3 points (95% CI) after" in res.stdout and "95% CI" in res.stdout
    res = CliRunner().invoke(cli, ["simulate", "--scenario", "tutorial", "--strategy", "rice", "--games",
                                   "20", "--until-ci", "0.01", "--jobs", "1", "--json"])
    assert json.loads(res.stdout)["until_ci"] == {"target": 0.01, "met": False}
    bad = CliRunner().invoke(cli, ["simulate", "--scenario", "tutorial", "--until-ci", "0"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_balance_until_ci_stops_alike_for_any_jobs_and_says_so(tutorial):
    from pmsim.commands.scenarios import render_balance
    from pmsim.engine.balance import explain, play_batch

    names = ["rice", "random"]
    serial = play_batch(tutorial, names, 40, 0, jobs=1, until_ci=3.5)
    assert play_batch(tutorial, names, 40, 0, jobs=2, until_ci=3.5) == serial
    n = serial["games"]
    assert MIN_CI_GAMES <= n < 40 and serial["until_ci"]["met"]
    assert all(len(serial["raw"][s]) == n == len(serial["kr_values"][s]) for s in names)
    assert max(serial["until_ci"]["ci95"].values()) <= 3.5
    full = play_batch(tutorial, names, n, 0, jobs=1)
    assert {k: v for k, v in serial.items() if k not in ("until_ci",)} == full
    text = render_balance(explain(tutorial, serial), tutorial)
    assert f"tutorial: {n} games per strategy" in text and "every mean known to ± 3.5 points" in text


def test_simulate_uses_one_worker_per_cpu_by_default(monkeypatch):
    import os

    import pmsim.engine.simulate as simulate

    seen = {}
    real = simulate.run_batch

    def spy(*args, **kwargs):
        seen["jobs"] = kwargs["jobs"]
        return real(*args, **{**kwargs, "jobs": 1})

    monkeypatch.setattr(simulate, "run_batch", spy)
    res = CliRunner().invoke(cli, ["simulate", "--scenario", "tutorial", "--strategy", "rice", "--games", "2",
                                   "--json"])
    assert res.exit_code == 0, res.output
    assert seen["jobs"] == (os.cpu_count() or 1)
