"""`pmsim simulate --shared` (issue 14): bots as companies, one shared market per game."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from pmsim.cli import cli
from pmsim.engine.shared_batch import play_shared, run_shared_batch
from pmsim.engine.simulate import game_seed
from pmsim.scenario.builtin import resolve
from pmsim.scenario.loader import load_scenario

STRATS = ["researcher", "rice", "hippo", "random"]


@pytest.fixture(scope="module")
def tutorial():
    return load_scenario(resolve("tutorial"))


def _run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_json_keeps_the_solo_shape_and_adds_shared_and_share_mean():
    solo = _run("simulate", "--scenario", "tutorial", "--strategy", ",".join(STRATS), "--games", "2",
                "--jobs", "1", "--json")
    shared = _run("simulate", "--shared", "--scenario", "tutorial", "--strategy", ",".join(STRATS),
                  "--games", "2", "--jobs", "1", "--json")
    assert solo.exit_code == 0 and shared.exit_code == 0, shared.output
    a, b = json.loads(solo.output), json.loads(shared.output)
    assert b.pop("shared") is True and "shared" not in a
    assert set(a) == set(b) and list(b["strategies"]) == STRATS
    for n in STRATS:
        share = b["strategies"][n].pop("share_mean")
        assert 0.0 < share < 1.0
        assert set(b["strategies"][n]) == set(a["strategies"][n])
        assert set(b["strategies"][n]["components"]) == set(a["strategies"][n]["components"])
    assert b["strategies"] != a["strategies"]  # competing is not playing alone


def test_the_summary_is_the_markets_played(tutorial):
    result = run_shared_batch(tutorial, STRATS, 3, 7)
    markets = [play_shared(tutorial, STRATS, game_seed(7, i)) for i in range(3)]
    for c, n in enumerate(STRATS):
        scores = [m.companies[c].score()["score"] for m in markets]
        shares = [m.shares()[c] for m in markets]
        assert result["strategies"][n]["mean"] == round(float(np.mean(scores)), 4)
        assert result["strategies"][n]["share_mean"] == round(float(np.mean(shares)), 4)
        assert all(m.companies[c].name == n for m in markets)


def test_worker_processes_do_not_change_the_result(tutorial):
    assert run_shared_batch(tutorial, STRATS, 4, 3, jobs=2) == run_shared_batch(tutorial, STRATS, 4, 3, jobs=1)


def test_text_output_shows_each_strategys_share():
    out = _run("simulate", "--shared", "--scenario", "tutorial", "--strategy", "researcher,random", "--games", "2",
               "--jobs", "1")
    assert out.exit_code == 0
    assert "2 shared markets, one company per strategy" in out.output
    assert "share" in out.output.splitlines()[2] and "%" in out.output


@pytest.mark.parametrize("extra, message", [
    (["--save"], "--shared cannot be used with --save"),
    (["--until-ci", "1"], "--shared cannot be used with --until-ci"),
])
def test_options_a_shared_batch_cannot_take_are_refused(extra, message):
    out = CliRunner().invoke(cli, ["simulate", "--shared", "--scenario", "tutorial", "--games", "2", *extra])
    assert out.exit_code == 2
    assert out.output.strip().splitlines() == [f"simulate: {message}" + (
        " (shared markets are not stored yet)" if extra == ["--save"] else "")]


def test_an_unknown_strategy_is_refused():
    out = CliRunner().invoke(cli, ["simulate", "--shared", "--strategy", "researcher,nobody", "--games", "1"])
    assert out.exit_code == 2 and "unknown strategy 'nobody'" in out.output
