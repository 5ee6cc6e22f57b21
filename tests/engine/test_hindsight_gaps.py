"""A competitive gap is worth closing once: when several features of one theme close the same gap,
the player's ledger and the best roadmap in hindsight both share its value between them (in
proportion to their gains), so a player who ships the hindsight roadmap captures all of its value.

Before, the hindsight credited each feature with the whole gap it could close alone (a gap closed
by two features counted twice) while the ledger credited each with what was left without it (the
gap counted less than once): a player shipping exactly the hindsight schedule was told 87%."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from pmsim.engine import new_game
from pmsim.engine.bots import play_game, play_round
from pmsim.engine.scoring import _gap_shares, _without, components, hindsight
from pmsim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def _roomy(sc):
    """Capacity for everything, delivered exactly as planned: the best roadmap is shippable."""
    team = sc.team.model_copy(update={"capacity": 1000.0, "velocity_noise": 0.0, "tech_debt": 0.0,
                                      "capacity_by_round": {}})
    market = sc.market.model_copy(update={"population": 2000})
    return sc.model_copy(update={"team": team, "market": market})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_shipping_the_hindsight_roadmap_captures_all_its_value(seed):
    game = play_game(new_game(_roomy(load_scenario(ROOT / "scenarios" / "tutorial.yaml")), seed), "oracle")
    hs = hindsight(game)
    shipped = {f: game.state.features[f].shipped_round for f in game.state.shipped}
    assert shipped == hs["schedule"]  # the oracle shipped the hindsight roadmap, round for round
    mine = sum(e["benefit"] for e in game.state.ledger)
    assert mine == pytest.approx(sum(hs["benefit"]), rel=1e-6)
    assert components(game)["customer_impact"] == pytest.approx(1.0, abs=1e-6)


def test_a_gap_closed_by_several_features_is_counted_once(builtin_small):
    game = new_game(builtin_small, 5)
    while game.state.round < 3 and not game.finished:
        play_round(game, "researcher")
    sc = game.scenario
    r = game.state.round
    by_theme: dict[str, list[int]] = {}
    for i, f in enumerate(sc.features):
        by_theme.setdefault(f.theme, []).append(i)
    overclosed = 0
    for items in by_theme.values():
        for pair in itertools.combinations(items, 2):
            base = _without(game, [])  # (nothing subtracted: the scores as they are now)
            alone = [_gap_shares(game, base, r, [i])[i] for i in pair]
            both = _gap_shares(game, base, r, list(pair))
            assert both[list(pair)].sum() <= sum(alone) + 1e-9  # never more than each alone
            assert both[list(pair)].sum() >= max(alone) - 1e-9  # never less than the better alone
            others = np.delete(both, list(pair))
            assert not others.any()  # features not in the set get nothing
            overclosed += both[list(pair)].sum() < sum(alone) - 1e-9
    # a pair that closes more than the gap between them exists in every built-in scenario
    assert overclosed > 0
