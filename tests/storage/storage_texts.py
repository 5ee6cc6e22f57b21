"""Scenario texts and reference games for the storage tests, in a module of its own name: tests import it as
`storage_texts` (an import `from conftest import ...` inside a test gets whichever conftest.py
pytest imported last, such as tests/tui's, when several test folders run together)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SMALL_POPULATION = 2000


def scenario_text(scenario_id: str = "b2b_saas", population: int | None = SMALL_POPULATION) -> str:
    from pmsim.paths import builtin_scenarios_dir

    text = (builtin_scenarios_dir() / f"{scenario_id}.yaml").read_text(encoding="utf-8")
    if population is None:
        return text
    new, n = re.subn(r"(?m)^(\s+population:\s*)\d+", rf"\g<1>{population}", text, count=1)
    assert n == 1, f"no market.population line to shrink in {scenario_id}.yaml"
    return new


ROOT = Path(__file__).resolve().parents[2]
BOT = "rice"  # the fastest bot


@dataclass(frozen=True)
class Reference:
    """A bot game played without storage: what a stored copy must replay to."""

    text: str
    seed: int
    strategy: str
    actions: list[dict]
    round_hashes: dict[int, str]
    final_hash: str


def play_reference(text: str, seed: int, strategy: str = BOT) -> Reference:
    from pmsim.engine import new_game
    from pmsim.engine.bots import play_round
    from pmsim.scenario.loader import load_scenario_text

    game = new_game(load_scenario_text(text), seed)
    hashes = {}
    while not game.finished:
        r = game.round
        play_round(game, strategy)
        hashes[r] = game.state_hash()
    return Reference(text, seed, strategy, [a.to_dict() for a in game.log], hashes, game.state_hash())
