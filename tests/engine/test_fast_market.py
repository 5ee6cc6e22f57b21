"""The fast market (issue 13) gives the very bits the plain one gave: `market.step` against the
step it replaced (kept here verbatim), and detmath's fast exact decisions against the formulas
they stand for, on their edges too."""

from __future__ import annotations

import numpy as np
import pytest

from pmsim.engine import detmath, market, new_game
from pmsim.engine.market import (
    ACCESS_REF,
    ACCESS_W,
    ACT_BIAS,
    ACT_SLOPE,
    BETA,
    DETRACTOR,
    PROMOTER,
    SAT_BIAS,
    SAT_SLOPE,
    USABILITY_W,
    effective_scores,
)
from pmsim.engine.population import COMP0, NONE, OURS, TRIAL
from pmsim.engine.rng import stream
from pmsim.scenario.builtin import builtin_ids, resolve
from pmsim.scenario.loader import load_scenario


# ------------------------------------------------------------------ the step, as it was
def _utility_ref(pop, si, mi):
    a, b = pop.bounds[si]
    coef = (BETA * effective_scores(mi.g_ours[si], mi.g_comp, mi.fresh)).astype(np.float32)
    u = pop.needs[0, a:b] * coef[0]
    for t in range(1, coef.shape[0]):
        u = u + pop.needs[t, a:b] * coef[t]
    u = u - pop.price_sens[a:b]
    u = u + np.float32(USABILITY_W * (mi.usability - 0.6))
    u = u + pop.assistive[a:b].astype(np.float32) * np.float32(ACCESS_W * (mi.accessibility - ACCESS_REF))
    return u


def _step_ref(pop, mi, ref, rng):
    s_count = len(pop.bounds)
    k_count = mi.g_comp.shape[0]
    out = {k: np.zeros(s_count, np.int64) for k in (
        "customers", "trials", "new_trials", "churned", "converted", "trials_before",
        "customers_before", "promoters", "detractors", "adopters")}
    out["comp_customers"] = np.zeros((s_count, max(k_count, 1)), np.int64)
    out["sat_sum"] = np.zeros(s_count)
    for si in range(s_count):
        a, b = pop.bounds[si]
        n = b - a
        if n == 0:
            continue
        st = pop.status[a:b]
        uo = _utility_ref(pop, si, mi)
        draw = rng.random(n, dtype=np.float32)
        ours = np.flatnonzero(st == OURS)
        trials = np.flatnonzero(st == TRIAL)
        was_none = st == NONE
        out["customers_before"][si] = ours.size
        out["trials_before"][si] = trials.size
        users = np.concatenate([ours, trials])
        x = SAT_SLOPE * (uo[users].astype(np.float64) - ref[si]) + SAT_BIAS + pop.temper[a + users]
        sat = np.clip(detmath.sigmoid(x) + mi.shock[si], 0.0, 1.0)
        pop.sat[a + users] = detmath.quantize(sat)
        s_ours = pop.sat[a + ours].astype(np.float64)
        p_churn = np.minimum(pop.theta[a + ours].astype(np.float64) * (0.4 + 2.4 * (1.0 - s_ours)), 0.95)
        churn = draw[ours] < p_churn
        churned = ours[churn]
        st[churned] = NONE
        pop.tenure[a + churned] = 0
        pop.tenure[a + ours[~churn]] += 1
        out["churned"][si] = churned.size
        xa = ACT_SLOPE * (uo[trials].astype(np.float64) - ref[si]) + ACT_BIAS
        conv = draw[trials] < detmath.sigmoid(xa)
        st[trials[conv]] = OURS
        pop.tenure[a + trials[conv]] = 1
        st[trials[~conv]] = NONE
        out["converted"][si] = int(conv.sum())
        adopted = int(np.count_nonzero(st != NONE))
        hazard = min(float(mi.bass_p[si] + mi.bass_q[si] * (adopted / n) * mi.wom[si]), 1.0)
        entrants = np.flatnonzero(was_none & (draw < hazard))
        switchers = np.flatnonzero((st >= COMP0) & (draw < mi.switching[si]))
        choosers = np.concatenate([entrants, switchers])
        choosers.sort()
        if choosers.size:
            w = pop.needs[:, a + choosers]
            ps = pop.price_sens[a + choosers].astype(np.float64)
            utils = np.empty((k_count + 2, choosers.size))
            utils[0] = uo[choosers]
            for k in range(k_count):
                coef = (BETA * mi.g_comp[k]).astype(np.float32)
                uk = w[0] * coef[0]
                for t in range(1, coef.shape[0]):
                    uk = uk + w[t] * coef[t]
                utils[1 + k] = uk.astype(np.float64) - ps * float(mi.price_index[k])
            utils[k_count + 1] = float(mi.outside[si])
            utils -= utils.max(axis=0)
            e = detmath.exp(utils)
            cum = np.cumsum(e, axis=0)
            u2 = rng.random(choosers.size) * cum[-1]
            pick = (u2[None, :] >= cum).sum(axis=0)
            new_status = np.where(pick == 0, TRIAL, np.where(pick == k_count + 1, NONE, COMP0 + pick - 1))
            st[choosers] = new_status.astype(np.int8)
            out["new_trials"][si] = int(np.count_nonzero(pick == 0))
        ours_now = np.flatnonzero(st == OURS)
        s_now = pop.sat[a + ours_now]
        out["customers"][si] = ours_now.size
        out["trials"][si] = int(np.count_nonzero(st == TRIAL))
        out["promoters"][si] = int(np.count_nonzero(s_now >= PROMOTER))
        out["detractors"][si] = int(np.count_nonzero(s_now < DETRACTOR))
        out["sat_sum"][si] = float(s_now.astype(np.float64).sum())
        out["adopters"][si] = int(np.count_nonzero(st != NONE))
        for k in range(k_count):
            out["comp_customers"][si, k] = int(np.count_nonzero(st == COMP0 + k))
    return out


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _small(sc, n):
    return sc.model_copy(update={"market": sc.market.model_copy(update={"population": n})})


@pytest.mark.parametrize("sid", builtin_ids())
def test_the_step_is_the_plain_step_bit_for_bit(sid):
    """Eight quarters under varied inputs (shipped scores, shocks, launches, growth, word of
    mouth): every count, sum and customer attribute is the plain step's, byte for byte."""
    sc = _small(load_scenario(resolve(sid)), 6000)
    game = new_game(sc, 5)
    rng = np.random.default_rng(13)
    fast, plain = game.state.pop.copy(), game.state.pop.copy()
    for r in range(8):
        mi = game.market_inputs()
        mi.g_ours = mi.g_ours + rng.normal(0.0, 0.3, mi.g_ours.shape)
        mi.g_comp = np.clip(mi.g_comp + rng.normal(0.0, 0.2, mi.g_comp.shape), 0.0, 1.0)
        mi.shock = rng.normal(0.0, 0.05, mi.shock.shape) * (r % 2)
        mi.wom = rng.uniform(0.5, 1.5, mi.wom.shape)
        mi.bass_p = mi.bass_p * rng.uniform(0.5, 20.0, mi.bass_p.shape)  # hazards up to 1
        mi.usability, mi.accessibility = rng.uniform(0.3, 0.9), rng.uniform(0.3, 0.9)
        if r % 3 == 2:
            mi.fresh = 1.0 + market.FRESH * (rng.random(mi.fresh.shape) < 0.3)
        ref = market.reference_utilities(fast, mi, game.true_need_means())
        want = _step_ref(plain, mi, ref, stream(5, "market", r))
        got = market.step(fast, mi, ref, stream(5, "market", r))
        assert want.keys() == got.keys()
        for k in want:
            assert _same(got[k], want[k]), (r, k)
        for k, v in plain.arrays().items():
            assert _same(fast.arrays()[k], v), (r, k)


def test_a_segment_without_users_or_choosers_steps_as_before():
    sc = _small(load_scenario(resolve("tutorial")), 500)
    game = new_game(sc, 2)
    fast, plain = game.state.pop.copy(), game.state.pop.copy()
    for p in (fast, plain):
        p.status[: p.bounds[0][1]] = COMP0  # segment 0: everyone with a competitor
    mi = game.market_inputs()
    mi.switching = np.zeros_like(mi.switching)  # ... and nobody switching
    ref = market.reference_utilities(fast, mi, game.true_need_means())
    want = _step_ref(plain, mi, ref, stream(2, "market", 1))
    got = market.step(fast, mi, ref, stream(2, "market", 1))
    for k in want:
        assert _same(got[k], want[k]), k
    assert got["customers"][0] == 0 and got["new_trials"][0] == 0


# ------------------------------------------------------------------ the fast exact decisions
def _edges(step: float = 1.0 / 4096.0) -> np.ndarray:
    """Logits whose sigmoid lands on (or within an ulp of) a rounding edge of the grid."""
    k = np.arange(1, 4095)
    v = (k + 0.5) * step
    x = np.log(v / (1.0 - v))
    return np.concatenate([x, np.nextafter(x, np.inf), np.nextafter(x, -np.inf)])


@pytest.mark.parametrize("margin", [detmath.MARGIN, 0.5])
def test_quantized_sigmoid_is_the_plain_formula(margin):
    rng = np.random.default_rng(1)
    x = np.concatenate([_edges(), rng.normal(0.0, 4.0, 20_000), [-800.0, -700.0, 0.0, 700.0, 900.0]])
    for shift in (0.0, 0.03, -0.2, np.float64(0.011)):
        want = detmath.quantize(np.clip(detmath.sigmoid(x) + shift, 0.0, 1.0))
        assert _same(detmath.quantized_sigmoid(x, shift, margin=margin), want)


@pytest.mark.parametrize("margin", [detmath.MARGIN, 1.0])
def test_below_sigmoid_is_the_plain_comparison(margin):
    rng = np.random.default_rng(2)
    x = np.concatenate([rng.normal(0.0, 3.0, 20_000), _edges()])
    s = detmath.sigmoid(x)
    # draws on the very values compared with, and an ulp either side
    d32 = np.concatenate([rng.random(20_000, dtype=np.float32), s[20_000:].astype(np.float32)])
    for d in (d32, np.nextafter(d32, np.float32(1)), np.nextafter(d32, np.float32(0))):
        assert np.array_equal(detmath.below_sigmoid(d, x, margin=margin), d < s)


def _split_uniforms(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two options with utilities 0 and x, and uniforms on which the platform's exp and detmath's
    pick differently (where the two exps differ in the last bits)."""
    fast, exact = np.exp(x), detmath.exp(x)
    cols, us = [], []
    for i in np.flatnonzero(fast != exact):
        u = 1.0 / (1.0 + exact[i])
        for _ in range(8):
            if (u * (1.0 + exact[i]) >= 1.0) != (u * (1.0 + fast[i]) >= 1.0):
                cols.append(i)
                us.append(u)
                break
            u = np.nextafter(u, 1.0 if fast[i] > exact[i] else 0.0)
    return np.array(cols, dtype=np.int64), np.array(us)


@pytest.mark.parametrize("margin", [detmath.MARGIN, 10.0])
def test_logit_pick_is_the_plain_choice(margin):
    rng = np.random.default_rng(3)
    utils = rng.normal(0.0, 2.0, (5, 30_000))
    uniform = rng.random(30_000)
    utils[:, :100] = 0.0  # ties: equal shares, uniforms on the boundaries
    uniform[:100] = [0.2, 0.4, 0.6, 0.8, 0.0] * 20
    x = rng.uniform(-3.0, 0.0, 20_000)
    cols, us = _split_uniforms(x)
    assert cols.size > 0  # there are such cases: the fallback is what keeps the choice
    two = np.zeros((2, cols.size))
    two[1] = x[cols]
    for u, un in ((utils, uniform), (two, us)):
        plain = u - u.max(axis=0)
        cum = np.cumsum(detmath.exp(plain), axis=0)
        want = (un * cum[-1] >= cum).sum(axis=0)
        assert np.array_equal(detmath.logit_pick(u.copy(), un, margin=margin), want)


def test_a_float32_draw_below_a_float64_probability_compares_exactly():
    rng = np.random.default_rng(4)
    draw = rng.random(50_000, dtype=np.float32)
    ps = [0.0, 1.0, 0.03, 0.1, 1.0 / 3.0, float(np.float32(0.25)), float(draw[7]),
          np.nextafter(float(draw[9]), 1.0), np.nextafter(float(draw[9]), 0.0), np.float64(0.05)]
    draw[:10] = np.float32(0.03)
    for p in ps:
        assert np.array_equal(market._below(draw, p), draw.astype(np.float64) < p), p


# ------------------------------------------------------------------ values
def _knapsack_ref(values, weights, capacity, unit=0.5):
    import math

    cap = int(math.floor(capacity / unit + 1e-9))
    if cap <= 0:
        return []
    w = [max(1, int(math.ceil(x / unit - 1e-9))) for x in weights]
    items = [i for i, v in enumerate(values) if v > 0 and w[i] <= cap]
    best = np.zeros(cap + 1)
    take = np.zeros((len(items), cap + 1), bool)
    for n, i in enumerate(items):
        wi, vi = w[i], values[i]
        cand = np.full(cap + 1, -1.0)
        cand[wi:] = best[: cap + 1 - wi] + vi
        better = cand > best + 1e-12
        take[n] = better
        best = np.where(better, cand, best)
    chosen = []
    c = cap
    for n in range(len(items) - 1, -1, -1):
        if take[n, c]:
            chosen.append(items[n])
            c -= w[items[n]]
    return sorted(chosen)


def test_the_knapsack_is_the_plain_one_and_remembers_without_sharing():
    from pmsim.engine.values import knapsack

    rng = np.random.default_rng(7)
    for trial in range(400):
        n = int(rng.integers(0, 25))
        values = [float(v) for v in rng.normal(1.0, 1.5, n)]
        if trial % 5 == 0:  # ties, exactly and within the 1e-12 tolerance
            values = [1.0, 1.0, 2.0, 1.0 + 5e-13, 0.0, -1.0][: n] + values[6:]
        weights = [float(x) for x in rng.choice([0.0, 0.3, 0.5, 1.0, 2.0, 2.5, 4.0, 7.5], n)]
        capacity = float(rng.choice([-1.0, 0.0, 0.4, 3.0, 10.0, 17.25, 40.0]))
        want = _knapsack_ref(values, weights, capacity)
        got = knapsack(values, weights, capacity)
        assert got == want
        got.append(99)  # a copy: the remembered answer stays as it was
        assert knapsack(values, weights, capacity) == want


# ------------------------------------------------------------------ population
def _generate_ref(scenario, seed):
    from pmsim.engine.population import (
        Population,
        seg_accessibility_need,
        segment_counts,
        segment_need_means,
    )

    counts = segment_counts(scenario)
    themes = scenario.theme_ids()
    comp_ids = [c.id for c in scenario.market.competitors]
    means = segment_need_means(scenario)
    n, t = sum(counts), len(themes)
    segment = np.empty(n, np.int8)
    needs = np.empty((t, n), np.float32)
    price_sens = np.empty(n, np.float32)
    theta = np.empty(n, np.float32)
    assistive = np.empty(n, bool)
    temper = np.empty(n, np.float32)
    status = np.zeros(n, np.int8)
    tenure = np.zeros(n, np.int16)
    bounds = []
    start = 0
    for si, (seg, c) in enumerate(zip(scenario.market.segments, counts, strict=True)):
        stop = start + c
        bounds.append((start, stop))
        rng = stream(seed, "population", si)
        segment[start:stop] = si
        alpha = np.maximum(means[si] * seg.need_spread, 1e-3)
        g = rng.standard_gamma(alpha[:, None], size=(t, c))
        g /= np.maximum(g.sum(axis=0, keepdims=True), 1e-12)
        needs[:, start:stop] = detmath.quantize(g, 1.0 / 1024.0)
        price_sens[start:stop] = detmath.quantize(seg.price_sensitivity * rng.lognormal(0.0, 0.3, c), 1.0 / 256.0)
        theta[start:stop] = detmath.quantize(rng.beta(seg.churn.alpha, seg.churn.beta, c), 1.0 / 65536.0)
        assistive[start:stop] = rng.random(c) < seg_accessibility_need(scenario, si)
        temper[start:stop] = detmath.quantize(rng.normal(0.0, 1.0, c), 1.0 / 256.0)
        u = rng.random(c)
        cut = seg.initial_ours
        st = np.where(u < cut, OURS, NONE).astype(np.int8)
        for ki, cid in enumerate(comp_ids):
            share = seg.initial_competitors.get(cid, 0.0)
            st = np.where((u >= cut) & (u < cut + share), COMP0 + ki, st).astype(np.int8)
            cut += share
        status[start:stop] = st
        tenure[start:stop] = np.where(st == OURS, rng.integers(1, 9, c), 0)
        start = stop
    return Population(
        segment=segment, needs=needs, price_sens=price_sens, theta=theta, assistive=assistive, temper=temper,
        status=status, sat=np.full(n, 0.5, np.float32), tenure=tenure, bounds=tuple(bounds),
    )


@pytest.mark.parametrize("sid", builtin_ids())
def test_the_population_is_drawn_as_before_in_parallel_or_not(sid):
    from pmsim.engine.population import generate

    sc = _small(load_scenario(resolve(sid)), 9000)
    want = _generate_ref(sc, 77)
    for parallel in (False, True):
        got = generate(sc, 77, parallel=parallel)
        assert got.bounds == want.bounds
        for k, v in want.arrays().items():
            assert _same(got.arrays()[k], v), (parallel, k)


def test_a_forked_child_draws_populations_too():
    import multiprocessing

    from pmsim.engine.population import generate

    sc = _small(load_scenario(resolve("tutorial")), 4000)
    generate(sc, 1, parallel=True)  # the parent's threads exist now
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        digest = pool.apply_async(_needs_digest, (sc,)).get(timeout=60)
    assert digest == _needs_digest(sc)


def _needs_digest(sc) -> str:
    import hashlib

    from pmsim.engine.population import generate

    return hashlib.sha256(generate(sc, 1, parallel=True).needs.tobytes()).hexdigest()


def test_remembered_gap_and_stake_values_are_computed_ones_and_copies():
    from pmsim.engine import values

    sc = load_scenario(resolve("b2b_saas"))
    s_n, f_n, t_n = len(sc.market.segments), len(sc.features), len(sc.theme_ids())
    rng = np.random.default_rng(8)
    for _ in range(30):
        sizes = rng.integers(0, 50_000, s_n).astype(np.float64)
        need = rng.normal(0.15, 0.12, (s_n, t_n))
        gain = rng.normal(0.0, 0.3, (s_n, f_n))
        g = rng.normal(0.3, 0.2, (s_n, t_n))
        best = [rng.random(t_n) for _ in range(int(rng.integers(1, 4)))]
        fresh = None if rng.random() < 0.5 else [1.0 + 2.0 * (rng.random(t_n) < 0.3) for _ in best]
        impact = rng.random(f_n)
        stakes = values.table_stakes(sc, need, [(int(rng.integers(t_n)), int(rng.integers(1, 5)))])
        t = int(rng.integers(1, 9))
        for _ in range(2):  # computed, then remembered
            got = values.gap_values(sc, sizes, need, gain, g, best, fresh)
            assert _same(got, values._gap_values(sc, sizes, need, gain, g, best, fresh))
            got[:] = 7.0  # a copy
            got = values.stake_values(sc, sizes, need, impact, stakes, t)
            assert _same(got, values._stake_values(sc, sizes, need, impact, stakes, t, 1))
            got[:] = 7.0


@pytest.mark.parametrize("sid", builtin_ids())
def test_reference_utilities_are_the_plain_ones(sid):
    sc = _small(load_scenario(resolve(sid)), 5000)
    game = new_game(sc, 4)
    pop = game.state.pop
    for r in range(3):
        mi = game.market_inputs()
        mi.g_comp = mi.g_comp + 0.1 * r
        want = []
        for si, (a, b) in enumerate(pop.bounds):
            ps = float(pop.price_sens[a:b].astype(np.float64).sum() / max(b - a, 1))
            best = max(BETA * float(np.dot(game.true_need_means()[si], mi.g_comp[k])) - ps * float(mi.price_index[k])
                       for k in range(mi.g_comp.shape[0]))
            want.append(max(best, float(mi.outside[si])))
        assert _same(market.reference_utilities(pop, mi, game.true_need_means()), np.array(want))
    copy = pop.copy()
    # another population's own means, not the first one's: a copy keeps the means it was copied
    # with (price sensitivities are drawn once and never written again), a new array has its own
    copy.price_sens = np.zeros_like(copy.price_sens)
    mi = game.market_inputs()
    assert not _same(market.reference_utilities(copy, mi, game.true_need_means()),
                     market.reference_utilities(pop, mi, game.true_need_means()))
