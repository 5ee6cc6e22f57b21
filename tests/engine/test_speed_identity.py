"""The fast paths give the very bits the plain ones gave (issue 13): vectorized values against
the per-feature loops they replaced, a batch's copied new game against a new game."""

from __future__ import annotations

import numpy as np
import pytest

from pmsim.engine import new_game
from pmsim.engine.bots import play_game
from pmsim.engine.market import ACCESS_W, BETA, MUST_PENALTY, USABILITY_W
from pmsim.engine.values import (
    believed_values,
    experience_values,
    gain_table,
    kano_posterior,
    must_values,
    true_values,
)
from pmsim.scenario.builtin import builtin_ids, resolve
from pmsim.scenario.loader import load_scenario


# ------------------------------------------------------------------ the loops, as they were
def _experience_ref(scenario, sizes):
    assistive = np.array([s.assistive_share for s in scenario.market.segments])
    sizes = sizes * np.array(scenario.segment_weights())
    out = np.array([
        float(np.sum(sizes * (USABILITY_W * f.usability + assistive * ACCESS_W * f.accessibility)))
        for f in scenario.features
    ])
    return out / 1000.0


def _true_ref(scenario, sizes, need_means, kano):
    themes = scenario.theme_ids()
    gains = gain_table(np.array([f.value for f in scenario.features]))
    out = np.zeros(len(scenario.features))
    weighted = sizes * np.array(scenario.segment_weights())
    for fi, f in enumerate(scenario.features):
        ti = themes.index(f.theme)
        for si in range(len(sizes)):
            out[fi] += weighted[si] * BETA * need_means[si, ti] * gains[fi, kano[si, fi]]
    return out / 1000.0 + _experience_ref(scenario, sizes)


def _must_ref(scenario, sizes, need_mean, p_must, impact):
    themes = scenario.theme_ids()
    weighted = sizes * np.array(scenario.segment_weights())
    out = np.zeros(len(scenario.features))
    for fi, f in enumerate(scenario.features):
        ti = themes.index(f.theme)
        out[fi] = float(np.sum(weighted * BETA * np.clip(need_mean[:, ti], 0, None) * p_must[:, fi]))
        out[fi] *= MUST_PENALTY * float(impact[fi])
    return out / 1000.0


def _believed_ref(scenario, sizes, need_mean, kano_votes, impact_guess):
    themes = scenario.theme_ids()
    gains = gain_table(impact_guess)
    post = kano_posterior(kano_votes)
    exp_gain = (post * gains[None, :, :]).sum(axis=-1)
    out = np.zeros(len(scenario.features))
    weighted = sizes * np.array(scenario.segment_weights())
    for fi, f in enumerate(scenario.features):
        ti = themes.index(f.theme)
        out[fi] = float(np.sum(weighted * BETA * np.clip(need_mean[:, ti], 0, None) * exp_gain[:, fi]))
    return out / 1000.0 + _experience_ref(scenario, sizes)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _many_segments(sc, n: int):
    """The scenario with its segments repeated to n (np.sum changes its order of additions at 8)."""
    segs = [sc.market.segments[i % len(sc.market.segments)].model_copy(update={"id": f"s{i}"})
            for i in range(n)]
    return sc.model_copy(update={"market": sc.market.model_copy(update={"segments": segs})})


@pytest.mark.parametrize("sid", builtin_ids())
@pytest.mark.parametrize("segments", [None, 9])
def test_vectorized_values_are_the_loops_bit_for_bit(sid, segments):
    sc = load_scenario(resolve(sid))
    if segments is not None:
        sc = _many_segments(sc, segments)
    s_n, f_n, t_n = len(sc.market.segments), len(sc.features), len(sc.theme_ids())
    rng = np.random.default_rng(13)
    for trial in range(20):
        sizes = rng.integers(0, 50_000, s_n).astype(np.float64)
        need = rng.normal(0.15, 0.12, (s_n, t_n))  # negatives too: the clip must behave alike
        kano = rng.integers(0, 5, (s_n, f_n))
        votes = rng.integers(0, 6, (s_n, f_n, 5)) * (rng.random((s_n, f_n, 1)) < 0.5)
        guess = rng.normal(0.3, 0.3, f_n) * 10.0 ** rng.integers(-2, 2, f_n)
        p_must = (kano == 0).astype(np.float64) if trial % 2 else kano_posterior(votes)[..., 0]
        assert _same_bits(experience_values(sc, sizes), _experience_ref(sc, sizes))
        assert _same_bits(true_values(sc, sizes, need, kano), _true_ref(sc, sizes, need, kano))
        assert _same_bits(must_values(sc, sizes, need, p_must, guess), _must_ref(sc, sizes, need, p_must, guess))
        assert _same_bits(believed_values(sc, sizes, need, votes, guess),
                          _believed_ref(sc, sizes, need, votes, guess))


def test_a_batch_game_copied_from_the_seeds_new_game_plays_the_same():
    from pmsim.engine.simulate import fresh_game, play_one

    sc = load_scenario(resolve("tutorial"))
    first = fresh_game(sc, 7)
    assert first.state_hash() == new_game(sc, 7).state_hash()
    first.state.round = 99  # a copy: changing it leaves the template alone
    assert fresh_game(sc, 7).state.round == 1
    for strategy in ("analyst", "random", "analyst"):
        a = play_one(sc, strategy, 7)
        b = play_game(new_game(sc, 7), strategy)
        assert a.state_hash() == b.state_hash()
        assert a.score() == b.score()


def test_remembered_names_are_the_names_faker_makes():
    from faker import Faker

    from pmsim.engine import text
    from pmsim.engine.rng import int_seed

    fake = Faker(text.LOCALE)
    for key in [(1, 5), (1, 70_000), (0, 123, 2)]:
        first = text.person(42, "customer", *key)
        first["name"] = "changed by a caller"  # a copy: the remembered one stays as made
        again = text.person(42, "customer", *key)
        fake.seed_instance(int_seed(42, "names", *key))
        assert again == {"name": fake.name(), "company": fake.company(), "job": fake.job()}
    fake.seed_instance(int_seed(9, "names", 90, 3, 1))
    assert text.company(9, 3, 1) == fake.company()


def _fresh_equals_cached(game) -> None:
    """Every kept value equals the same value computed afresh, now."""
    from pmsim.engine import worth
    from pmsim.engine.values import true_values as tv

    assert _same_bits(game.theme_scores(), game._theme_scores())
    assert _same_bits(game.true_values(),
                      tv(game.scenario, game.sizes(), game.true_need_means(), game.true_kano()))
    assert _same_bits(worth.believed(game), worth._believed(game))
    assert _same_bits(worth.believed_must(game), worth._believed_must(game))
    assert _same_bits(worth.prior_values(game), worth._prior_values(game))
    assert _same_bits(worth.prior_must(game), worth._prior_must(game))
    assert _same_bits(worth.true_must(game), worth._true_must(game))
    assert _same_bits(worth._true_gain(game), worth._true_gain_of(game))
    for u in range(1, game.scenario.rounds + 1):
        assert _same_bits(worth.comp_best_true(game, u), worth._comp_best_true(game, u))
    kept, fresh = worth.stakes_true(game), worth._stakes_true(game)
    assert [(f, m.tobytes(), u) for f, m, u in kept] == [(f, m.tobytes(), u) for f, m, u in fresh]
    # the gap and table-stake values kept per game, by the exact inputs each reads
    b = game.state.beliefs
    left = list(range(game.round, game.scenario.rounds + 1))
    for quarters in (left, [game.round]):
        assert _same_bits(worth.gap_believed(game, quarters),
                          worth._gap_believed(game, quarters, game.theme_scores()))
        assert _same_bits(worth.gap_prior(game, quarters),
                          worth._gap_prior(game, quarters, game.theme_scores()))
        assert _same_bits(worth.gap_true(game, quarters),
                          worth._gap_true(game, quarters, game.theme_scores()))
        assert _same_bits(worth._stakes_true_over(game, quarters), worth._stakes_true_over_of(game, quarters))
        assert _same_bits(worth._stakes_true_over(game, quarters, 1), worth._stakes_true_over_of(game, quarters, 1))
        assert _same_bits(worth._stakes_believed_over(game, quarters),
                          worth._stakes_believed_over_of(game, quarters))
        assert _same_bits(worth._stakes_prior_over(game, quarters), worth._stakes_prior_over_of(game, quarters))
    assert _same_bits(worth._believed_gain(game, b.kano_votes, worth._guess(game)),
                      worth._believed_gain_of(b.kano_votes, worth._guess(game)))


@pytest.mark.parametrize("sid,strategy", [("b2b_saas", "analyst"), ("consumer_app", "random"),
                                          ("hardware", "spiker")])
def test_kept_values_follow_every_action(sid, strategy, monkeypatch):
    """After every action of a whole game (research that moves beliefs, shipping, launches,
    segment shifts), what scoring and the game keep equals what they would compute afresh."""
    from pmsim.engine.game import Game

    sc = load_scenario(resolve(sid))
    game = new_game(sc, 11)
    apply = Game.apply
    seen = []

    def checked(self, action):
        out = apply(self, action)
        _fresh_equals_cached(self)
        seen.append(type(action).__name__)
        return out

    monkeypatch.setattr(Game, "apply", checked)
    play_game(game, strategy)
    assert "EndRound" in seen and len(seen) > sc.rounds


def test_cached_arrays_cannot_be_changed_by_a_caller():
    from pmsim.engine import worth

    game = new_game(load_scenario(resolve("tutorial")), 1)
    game.theme_scores()[:] = 0.0  # a copy
    game.true_values()[:] = 0.0
    worth.believed(game)[:] = 0.0
    _fresh_equals_cached(game)
    with pytest.raises(ValueError):
        worth.comp_best_true(game, 1)[0] = 5.0  # kept ones handed out as they are: read-only


def test_stakes_over_quarters_is_the_sum_of_each_quarters_stake_values():
    """values.stakes_over (each stake's market summed once) adds the very bits that summing
    stake_values quarter after quarter from zeros did."""
    from pmsim.engine import values

    sc = load_scenario(resolve("b2b_saas"))
    s_n, f_n, t_n = len(sc.market.segments), len(sc.features), len(sc.theme_ids())
    rng = np.random.default_rng(3)
    for _ in range(40):
        sizes = rng.integers(0, 50_000, s_n).astype(np.float64)
        need = rng.normal(0.15, 0.12, (s_n, t_n))
        impact = rng.random(f_n) * 3.0
        launches = [(int(rng.integers(t_n)), int(rng.integers(1, 8))) for _ in range(int(rng.integers(0, 5)))]
        stakes = values.table_stakes(sc, need, launches)
        quarters = list(range(int(rng.integers(1, 9)), 9))
        since = int(rng.integers(1, 9))
        plain = np.zeros(f_n)
        for t in quarters:
            plain += values._stake_values(sc, sizes, need, impact, stakes, t, since)
        assert _same_bits(values.stakes_over(sc, sizes, need, impact, stakes, quarters, since), plain)


def test_quantize_by_blocks_is_the_plain_formula_bit_for_bit():
    """detmath.quantize works through wide arrays a block of columns at a time (no megabytes of
    fresh scratch memory); every element gets the plain formula's bits."""
    from pmsim.engine import detmath

    def plain(a, step, dtype):
        x = np.divide(a, step, dtype=np.float64)
        x += 0.5
        np.floor(x, out=x)
        x *= step
        return x.astype(dtype)

    rng = np.random.default_rng(5)
    wide = detmath._BLOCK * 2 + 17
    for shape in [(9,), (wide,), (7, wide), (3, detmath._BLOCK), (2, 2, wide)]:
        for src in (np.float64, np.float32):
            a = (rng.normal(0.0, 2.0, shape) + 0.5 / 1024 * rng.integers(0, 3, shape)).astype(src)
            for step in (1.0 / 1024.0, 1.0 / 65536.0, 0.1):
                for dtype in (np.float32, np.float64):
                    got, want = detmath.quantize(a, step, dtype), plain(a, step, dtype)
                    assert got.dtype == want.dtype and got.shape == want.shape
                    assert got.tobytes() == want.tobytes()
    strided = rng.random((7, 3 * wide))[:, 5:wide + 5]  # a slice of a population's needs
    assert detmath.quantize(strided, 1.0 / 1024.0).tobytes() == plain(strided, 1.0 / 1024.0, np.float32).tobytes()


def _gap_loop(scenario, sizes, need_mean, gain, g_ours, comp_best, fresh):
    """values._gap_values as it was: one quarter after another."""
    from pmsim.engine.market import LOSS_W

    ti = np.array([scenario.theme_ids().index(f.theme) for f in scenario.features])
    weighted = sizes * np.array(scenario.segment_weights())
    out = np.zeros(len(scenario.features))
    need = np.clip(need_mean[:, ti], 0, None)
    for q, best in enumerate(comp_best):
        gap = np.maximum(best[None, :] - g_ours, 0.0)[:, ti]
        closed = np.minimum(np.maximum(gain, 0.0), gap)
        mult = 1.0 if fresh is None else fresh[q][ti][None, :]
        out += (weighted[:, None] * BETA * LOSS_W * need * closed * mult).sum(axis=0)
    return out / 1000.0


@pytest.mark.parametrize("sid", builtin_ids())
def test_gap_values_of_every_quarter_at_once_are_the_loops_bits(sid):
    from pmsim.engine import values

    sc = load_scenario(resolve(sid))
    s_n, f_n, t_n = len(sc.market.segments), len(sc.features), len(sc.theme_ids())
    rng = np.random.default_rng(21)
    for _ in range(60):
        sizes = rng.integers(0, 50_000, s_n).astype(np.float64)
        need = rng.normal(0.15, 0.12, (s_n, t_n))
        gain = rng.normal(0.0, 0.3, (s_n, f_n))
        g = rng.normal(0.3, 0.2, (s_n, t_n))
        best = [rng.random(t_n) for _ in range(int(rng.integers(0, 9)))]
        if best and rng.random() < 0.2:
            best[0] = np.full(t_n, -np.inf)  # no competitor
        fresh = None if rng.random() < 0.5 else [1.0 + 2.0 * (rng.random(t_n) < 0.3) for _ in best]
        assert _same_bits(values._gap_values(sc, sizes, need, gain, g, best, fresh),
                          _gap_loop(sc, sizes, need, gain, g, best, fresh))


def test_a_remembered_kano_posterior_is_a_copy_of_the_computed_one():
    from pmsim.engine import values

    votes = np.random.default_rng(2).integers(0, 6, (3, 11, 5))
    first = values.kano_posterior(votes)
    assert _same_bits(first, values._kano_posterior(votes))
    first[:] = 0.0  # a copy: the remembered one stays as made
    assert _same_bits(values.kano_posterior(votes.copy()), values._kano_posterior(votes))


def test_values_kept_across_a_batchs_games_change_no_result():
    """hindsight's schedule and the truth's table stakes are kept across games by the exact inputs
    they read: a game played after other strategies on the same market (kept values warm) plays,
    hashes and scores as the same game played alone (nothing kept)."""
    from pmsim.engine import values

    sc = load_scenario(resolve("b2b_saas"))  # launches, a segment shift and capacity events
    played = [(seed, s, play_game(new_game(sc, seed), s)) for s in ("analyst", "random", "researcher")
              for seed in (3, 4)]
    for seed, strategy, warm in played:
        values._static(sc)["memo"].clear()
        cold = play_game(new_game(sc, seed), strategy)
        assert cold.state_hash() == warm.state_hash()
        assert cold.score() == warm.score()
        assert cold.debrief() == warm.debrief()


def test_a_batch_is_the_same_for_any_number_of_jobs():
    from pmsim.engine.simulate import run_batch

    sc = load_scenario(resolve("tutorial"))
    names = ["analyst", "random", "researcher"]
    assert run_batch(sc, names, 3, 5, jobs=2, raw=True) == run_batch(sc, names, 3, 5, jobs=1, raw=True)


@pytest.mark.parametrize("sid", builtin_ids())
def test_need_means_made_while_drawing_are_true_need_means(sid):
    """A new game's true need means come from the threads that draw each segment: the very bits
    `true_need_means` computes from the finished population, drawn in parallel or not, and a
    segment with no customers keeps means of zero."""
    from pmsim.engine.population import generate_with_means, true_need_means

    sc = load_scenario(resolve(sid))
    empty = sc.market.segments[0].model_copy(update={"id": "nobody", "share": 1e-9})
    cases = [(sc, True), (sc, False), (sc.model_copy(update={"market": sc.market.model_copy(
        update={"segments": [*sc.market.segments, empty], "population": 5000})}), False)]
    for scenario, parallel in cases:
        pop, means = generate_with_means(scenario, 11, parallel=parallel)
        assert _same_bits(means, true_need_means(pop))
    assert pop.bounds[-1][0] == pop.bounds[-1][1] and not means[-1].any()
