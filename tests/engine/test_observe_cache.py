"""The personas cache: the same names as a fresh computation, refreshed when a round ends."""

from __future__ import annotations

from pmsim.engine import EndRound, Plan, new_game
from pmsim.engine.observe import _personas, personas


def test_cached_personas_equal_a_fresh_computation_and_follow_the_round(saas_small):
    game = new_game(saas_small, 11)
    first = personas(game)
    assert first and first == _personas(game)
    assert game._personas_cache[0] == (game.state.round, len(game.state.reports))
    # callers may change what they get without touching the cache
    first[0]["cares_about"].append("x")
    first[0]["name"] = "changed"
    assert personas(game) == _personas(game)

    # an action within the round keeps the cache
    fid = next(f.id for f in saas_small.features if not f.depends_on and f.available_from <= 1)
    game.apply(Plan(fid, "now"))
    kept = game._personas_cache
    assert personas(game) == _personas(game)
    assert game._personas_cache is kept

    # ending the round moves the market: the cache is rebuilt, and matches a fresh computation
    game.apply(EndRound())
    after = personas(game)
    assert game._personas_cache is not kept
    assert game._personas_cache[0] == (2, 1)
    assert after == _personas(game)
    assert game.observe()["personas"] == after


def test_copies_do_not_share_the_cache(saas_small):
    game = new_game(saas_small, 3)
    personas(game)
    twin = game.copy()
    assert getattr(twin, "_personas_cache", None) is None
    twin.apply(EndRound())
    assert personas(twin) == _personas(twin)
    assert game._personas_cache[0] == (1, 0) and personas(game) == _personas(game)
