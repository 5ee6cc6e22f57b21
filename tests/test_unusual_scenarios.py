"""Valid but unusual scenarios (found by mutating the built-ins): every command copes with them.

Each test reproduces something that crashed or misbehaved on a scenario the built-ins do not
exercise: a game with no capacity at all, no stakeholders, and so on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pmsim.cli import cli
from pmsim.scenario.loader import load_scenario_text

ROOT = Path(__file__).resolve().parents[1]


def variant(change, base: str = "tutorial", population: int = 2000) -> str:
    """A built-in's text with `change(data)` applied, on a small market."""
    d = yaml.safe_load((ROOT / "scenarios" / f"{base}.yaml").read_text(encoding="utf-8"))
    d["market"]["population"] = population
    change(d)
    return yaml.safe_dump(d, sort_keys=False, allow_unicode=True)


def write(tmp_path: Path, text: str, name: str = "odd.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_balance_advice_for_a_game_with_no_capacity_at_all(tmp_path):
    # every round's capacity is 0: the advice divided the backlog by the game's capacity
    from pmsim.engine.balance import _backlog_advice

    def change(d):
        d["team"]["capacity_by_round"] = {r: 0 for r in range(1, d["rounds"] + 1)}
    sc = load_scenario_text(variant(change))
    assert "no capacity" in _backlog_advice(sc)
    out = CliRunner().invoke(cli, ["scenarios", "balance", str(write(tmp_path, variant(change))),
                                   "--games", "2", "--jobs", "1", "--force", "--no-teach"])
    assert out.exception is None or isinstance(out.exception, SystemExit), out.exception
    assert out.exit_code == 1 and "no capacity" in out.output


def no_stakeholders(d):
    d["stakeholders"] = []
    for o in d.get("okrs", []):
        o.pop("owner", None)


HIPPO_NEEDS_A_BOSS = pytest.mark.xfail(strict=True, reason=(
    "pmsim/engine/bots.py (outside this branch's scope): the hippo bot takes "
    "max(st.stakeholders.values()) and raises ValueError when a scenario has no stakeholders, so "
    "simulate, balance, teach, validate --play and class add-bots all crash on such a file. Fix: "
    "boss = max(..., default=None) and accept a request only when boss is not None and it is the boss's"))


@pytest.mark.parametrize("strategy", [
    pytest.param(s, marks=HIPPO_NEEDS_A_BOSS) if s == "hippo" else s
    for s in ("random", "hippo", "rice", "researcher", "oracle", "analyst", "spiker")])
def test_every_bot_plays_a_scenario_without_stakeholders(strategy):
    # stakeholders are optional (the guide's table says so): the loader accepts none
    from pmsim.engine.bots import play_game
    from pmsim.engine.simulate import fresh_game

    sc = load_scenario_text(variant(no_stakeholders))
    assert sc.stakeholders == []
    assert play_game(fresh_game(sc, 1), strategy).finished
