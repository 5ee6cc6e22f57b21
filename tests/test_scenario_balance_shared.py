"""`pmsim scenarios balance --shared`: the bots as rival companies in one market per game, each
strategy's mean score and mean final share, and a warning when good practice does not beat bad."""

from __future__ import annotations

import json

from click.testing import CliRunner

from pmsim.cli import cli
from pmsim.engine.shared_batch import BALANCE_STRATEGIES, shared_warnings


def _run(*args: str):
    return CliRunner().invoke(cli, ["scenarios", "balance", *args])


def test_json_has_each_strategys_score_and_share_and_matches_simulate_shared():
    res = _run("tutorial", "--shared", "--games", "3", "--jobs", "1", "--json")
    out = json.loads(res.output)
    assert out["shared"] is True and out["games"] == 3 and out["scenario"] == "tutorial"
    assert list(out["strategies"]) == ["researcher", "rice", "random", "hippo"]
    for s in out["strategies"].values():
        assert 0 <= s["mean"] <= 100 and 0 < s["share_mean"] < 1
    # the same markets `simulate --shared` plays, with the same seed
    sim = CliRunner().invoke(cli, ["simulate", "--scenario", "tutorial", "--shared", "--strategy",
                                   ",".join(BALANCE_STRATEGIES), "--games", "3", "--jobs", "1", "--json"])
    assert json.loads(sim.output)["strategies"] == out["strategies"]
    assert out["warnings"] == shared_warnings(out)
    assert res.exit_code == (1 if out["warnings"] else 0)


def test_text_report_on_the_tutorial_holds_the_ordering():
    res = _run("tutorial", "--shared", "--games", "3", "--jobs", "1")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == "tutorial: 3 shared markets, one company per strategy (researcher, rice, random, hippo), seed 0"
    assert "final share" in lines[2]
    rows = {ln.split()[0]: ln.split() for ln in lines[3:7]}
    assert set(rows) == set(BALANCE_STRATEGIES) and all(r[-1].endswith("%") for r in rows.values())
    assert lines[-1].startswith("ok: in the shared market, good practice (researcher, rice) beats bad practice")


def test_a_market_where_rice_loses_share_to_random_warns_and_exits_1():
    # b2b_saas, seed 1, 2 markets: rice ends with a smaller share than random (deterministic)
    res = _run("b2b_saas", "--shared", "--games", "2", "--seed", "1", "--jobs", "1")
    assert res.exit_code == 1, res.output
    assert "warning: in the shared market, rice does not beat random in mean final share: " in res.output
    assert "ok:" not in res.output


def _summary(**stats: tuple[float, float]) -> dict:
    return {"strategies": {n: {"mean": m, "share_mean": sh} for n, (m, sh) in stats.items()}}


def test_warnings_name_each_pair_where_good_practice_does_not_beat_bad():
    ordered = _summary(researcher=(80, 0.08), rice=(70, 0.05), random=(50, 0.03), hippo=(20, 0.02))
    assert shared_warnings(ordered) == []
    flipped = _summary(researcher=(80, 0.08), rice=(40, 0.05), random=(50, 0.06), hippo=(20, 0.02))
    assert shared_warnings(flipped) == [
        "in the shared market, rice does not beat random in mean score: 40.0 vs 50.0",
        "in the shared market, rice does not beat random in mean final share: 5.00% vs 6.00%",
    ]
    tie = _summary(researcher=(60, 0.05), rice=(70, 0.05), random=(50, 0.03), hippo=(60, 0.02))
    assert shared_warnings(tie) == ["in the shared market, researcher does not beat hippo in mean score: 60.0 vs 60.0"]


def test_shared_refuses_until_ci_and_teach_with_one_line():
    for extra in (["--until-ci", "2"], ["--teach"]):
        res = _run("tutorial", "--shared", "--games", "2", *extra)
        assert res.exit_code == 2
        assert res.output.count("\n") == 1 and "--shared cannot be used with" in res.output
    assert _run("tutorial", "--shared", "--games", "2", "--jobs", "1", "--no-teach").exit_code == 0
