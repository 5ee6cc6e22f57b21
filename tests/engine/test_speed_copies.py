"""A round report is handed to the caller as a copy made faster than deepcopy (issue 13): equal
to deepcopy's, and as independent of the game's own report."""

from __future__ import annotations

import copy

import numpy as np

from pmsim.engine import EndRound, new_game
from pmsim.engine.statecopy import copied as _copied


def test_the_round_report_is_a_deep_copy(saas_small):
    game = new_game(saas_small, 4)
    got = game.apply(EndRound(rationale="ship it"))
    kept = game.state.reports[-1]
    assert got == copy.deepcopy(kept) and got is not kept
    h = game.state_hash()
    got["metrics"]["segments"][0]["nps"] = -1e9  # the caller changes its copy...
    got["score"]["components"].clear()
    got["news"].append({"kind": "x"})
    assert game.state_hash() == h and kept["metrics"] is not got["metrics"]  # ...the game's stays


def test_copied_copies_containers_and_hands_anything_else_to_deepcopy():
    arr = np.arange(3.0)
    obj = {"a": [1, 2.5, "x", None, True, {"b": [arr]}], "t": (1, [2])}
    out = _copied(obj)
    assert out["a"][:5] == obj["a"][:5] and out["a"] is not obj["a"] and out["a"][5] is not obj["a"][5]
    assert np.array_equal(out["a"][5]["b"][0], arr) and out["a"][5]["b"][0] is not arr
    assert out["t"] == obj["t"] and out["t"][1] is not obj["t"][1]  # a tuple goes to deepcopy, whole


def test_a_population_copy_keeps_the_segments_mean_price_sensitivity(saas_small):
    """Price sensitivities never change, so a copy of a population (a replayed market, a bench
    round) keeps their per-segment means instead of summing the copy's array again."""
    pop = new_game(saas_small, 2).state.pop
    means = pop.mean_price_sens()
    twin = pop.copy()
    kept = twin.__dict__.get("_mean_price_sens")
    assert kept is not None and kept[0] is twin.price_sens and kept[1] == means
    assert twin.mean_price_sens() is kept[1]  # read, not made again
    fresh = type(pop)(**{k: v.copy() for k, v in pop.arrays().items()}, bounds=pop.bounds)
    assert fresh.mean_price_sens() == means  # the same numbers made afresh
    twin.price_sens = twin.price_sens.copy()  # a new array: the kept means are not used for it
    assert twin.mean_price_sens() is not kept[1]
