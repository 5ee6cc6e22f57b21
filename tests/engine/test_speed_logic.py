"""The game's own bookkeeping made cheaper (issue 13) gives the very bits it gave: each fast path
here against the plain code it replaced, through whole bot games of every built-in scenario."""

from __future__ import annotations

import numpy as np
import pytest

from pmsim.engine import detmath, market, new_game
from pmsim.engine.bots import play_round
from pmsim.engine.values import KANO_ORDER


def _bits(a: np.ndarray) -> bytes:
    return a.dtype.str.encode() + repr(a.shape).encode() + a.tobytes()


def _theme_scores_plain(game) -> np.ndarray:
    """Game._theme_scores as it was: every (segment, feature) added into the array in turn."""
    sc = game.scenario
    kano = game._c["kano"]
    base = np.array([sc.market.product.get(t, 0.0) for t in game.themes])
    g = np.tile(base, (len(sc.market.segments), 1))
    shipped = set(game.state.shipped)
    r = game.state.round
    for fi, f in enumerate(sc.features):
        ti = game.themes.index(f.theme)
        q = game.state.features[f.id].quality() if f.id in shipped else 1.0
        for si in range(len(sc.market.segments)):
            cat = KANO_ORDER[kano[si, fi]]
            on = market.kano_contribution(cat, f.value, f.id in shipped, r)
            if q < 1.0:
                on = q * on + (1.0 - q) * market.kano_contribution(cat, f.value, False, r)
            g[si, ti] += on
    for fi, mask, u in game.stakes_now():
        f = sc.features[fi]
        if f.id not in shipped:
            ti = game.themes.index(f.theme)
            g[mask, ti] -= market.STAKE_PENALTY * f.value * market.stake_factor(r - u)
    return g


@pytest.mark.parametrize("strategy", ["random", "researcher", "analyst"])
def test_theme_scores_are_the_plain_loops_bits_every_round(builtin_small, strategy):
    """Shipped features (some with defects), must-bes missing longer each round, rivals'
    launches that set table stakes: the scores every round are the plain loops' bits."""
    game = new_game(builtin_small, 9)
    while not game.finished:
        assert _bits(game._theme_scores()) == _bits(_theme_scores_plain(game))
        assert _bits(game.theme_scores()) == _bits(_theme_scores_plain(game))
        play_round(game, strategy)
    assert game.state.shipped


def test_theme_scores_with_defects_everywhere(saas_small):
    """A shipped feature's quality mixes its shipped and missing contributions: forced on every
    shipped feature, with every count of defects up to the cap."""
    game = new_game(saas_small, 2)
    for _ in range(4):
        play_round(game, "researcher")
    assert game.state.shipped
    for k, fid in enumerate(game.state.shipped):
        game.state.features[fid].shipped_defects = k % 7
    assert _bits(game.theme_scores()) == _bits(_theme_scores_plain(game))
    game.state.round += 1  # a must-be missing another quarter costs more
    assert _bits(game.theme_scores()) == _bits(_theme_scores_plain(game))


@pytest.mark.parametrize("sid", ["b2b_saas", "consumer_app", "hardware"])
def test_a_segment_shift_keeps_the_true_need_means_of_the_population(sid):
    """A segment shift makes its segment's row of the customers' mean needs again and keeps the
    others: the bits of population.true_need_means over the whole population, in a new array."""
    from pmsim.engine.population import true_need_means
    from pmsim.scenario.builtin import resolve
    from pmsim.scenario.loader import load_scenario

    sc = load_scenario(resolve(sid))
    sc = sc.model_copy(update={"market": sc.market.model_copy(update={"population": 4000}),
                               "events": [e.model_copy(update={"probability": 1.0}) if e.kind == "segment_shift" else e
                                          for e in sc.events]})
    game = new_game(sc, 5)
    shifts = {e.round for e in sc.events if e.kind == "segment_shift"}
    assert shifts
    kept = game._c["need_means"]
    while not game.finished:
        needs = game.state.pop.needs.copy()
        play_round(game, "rice")
        if game.round in shifts and not game.finished:
            assert game._c["need_means"] is not kept  # what was kept by the old needs is dropped
            kept = game._c["need_means"]
            for ev in sc.events:  # the plain shift, on the needs as they were
                if ev.kind == "segment_shift" and ev.round == game.round:
                    si, ti = sc.segment_ids().index(ev.segment), game.themes.index(ev.theme)
                    a, b = game.state.pop.bounds[si]
                    w = needs[:, a:b].astype(np.float64)
                    w[ti] = np.maximum(w[ti] + ev.delta, 0.0)
                    w /= np.maximum(w.sum(axis=0, keepdims=True), 1e-12)
                    needs[:, a:b] = detmath.quantize(w, 1.0 / 1024.0)
            assert _bits(game.state.pop.needs) == _bits(needs)
        assert _bits(game._c["need_means"]) == _bits(true_need_means(game.state.pop))
