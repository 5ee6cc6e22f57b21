"""The values' fast paths of issue 13 against the plain ones, bit for bit: the knapsack on
Python floats, and the table stakes over several quarters with each stake's market remembered."""

from __future__ import annotations

import numpy as np

from pmsim.engine import values
from pmsim.scenario.builtin import resolve
from pmsim.scenario.loader import load_scenario


def _knapsack_numpy(vals, weights, capacity, unit=0.5):
    """The vectorized dynamic programme the knapsack was (one numpy pass per item)."""
    import math

    cap = int(math.floor(capacity / unit + 1e-9))
    if cap <= 0:
        return []
    w = [max(1, int(math.ceil(x / unit - 1e-9))) for x in weights]
    items = [i for i, v in enumerate(vals) if v > 0 and w[i] <= cap]
    best = np.zeros(cap + 1)
    taken = []
    for i in items:
        wi = w[i]
        rest = best[wi:]
        cand = best[: cap + 1 - wi] + vals[i]
        better = cand > rest + 1e-12
        np.copyto(rest, cand, where=better)
        taken.append((i, wi, better))
    chosen = []
    c = cap
    for i, wi, better in reversed(taken):
        if c >= wi and better[c - wi]:
            chosen.append(i)
            c -= wi
    return sorted(chosen)


def test_the_knapsack_on_python_floats_chooses_what_numpy_chose():
    rng = np.random.default_rng(13)
    for trial in range(1500):
        n = int(rng.integers(0, 30))
        vals: list = [float(v) for v in rng.normal(0.8, 1.2, n)]
        if trial % 4 == 0:  # ties: equal values, equal sums, and sums within 1e-12 of each other
            vals = [float(rng.choice([1.0, 2.0, 3.0, 1.0 + 4e-13, 2.0 - 3e-13, 0.0, -0.0])) for _ in range(n)]
        if trial % 7 == 0:  # numpy floats and ints, as a caller may pass them
            vals = [np.float64(v) if k % 2 else int(round(v * 3)) for k, v in enumerate(vals)]
        if trial % 11 == 0 and n:
            vals[0] = float("nan")
        weights = [float(x) for x in rng.choice([0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.5, 8.0], n)]
        capacity = float(rng.choice([-0.5, 0.0, 0.49, 0.5, 6.0, 14.75, 20.0, 33.0]))
        assert values._knapsack(vals, weights, capacity, 0.5) == _knapsack_numpy(vals, weights, capacity), trial


def _plain_stakes_over(sc, sizes, need, impact, stakes, quarters, since):
    out = np.zeros(len(sc.features))
    for t in quarters:
        out += values._stake_values(sc, sizes, need, impact, stakes, t, since)
    return out


def _bits(a: np.ndarray) -> bytes:
    return a.dtype.str.encode() + repr(a.shape).encode() + a.tobytes()


def test_stakes_over_remembers_each_stakes_market_by_its_exact_inputs():
    sc = load_scenario(resolve("b2b_saas"))
    s_n, f_n, t_n = len(sc.market.segments), len(sc.features), len(sc.theme_ids())
    rng = np.random.default_rng(5)
    sizes = rng.integers(1, 40_000, s_n).astype(np.float64)
    need = rng.normal(0.15, 0.12, (s_n, t_n))
    impact = rng.random(f_n) * 2.0
    impact[[6, 14]] = -0.0  # two headline features: a -0.0 term leaves its feature at 0.0, as the arrays' sums did
    for _ in range(60):
        launches = [(int(rng.integers(t_n)), int(rng.integers(1, 9))) for _ in range(int(rng.integers(0, 6)))]
        stakes = values.table_stakes(sc, need, launches)
        if stakes and rng.random() < 0.3:  # two stakes on one feature add up in order
            fi, mask, u = stakes[0]
            stakes = stakes + [(fi, ~mask, u + 1)]
        quarters = list(range(int(rng.integers(1, 9)), 9)) if rng.random() < 0.9 else []
        since = int(rng.integers(1, 9))
        for _ in range(2):  # computed, then remembered
            got = values.stakes_over(sc, sizes, need, impact, stakes, quarters, since)
            assert _bits(got) == _bits(_plain_stakes_over(sc, sizes, need, impact, stakes, quarters, since))
        # the same arrays with other contents are other inputs
        need[rng.integers(s_n), rng.integers(t_n)] += 0.01
        sizes[rng.integers(s_n)] += 1.0
        got = values.stakes_over(sc, sizes, need, impact, stakes, quarters, since)
        assert _bits(got) == _bits(_plain_stakes_over(sc, sizes, need, impact, stakes, quarters, since))


def _gap_by_quarter(scenario, sizes, need_mean, gain, g_ours, comp_best, fresh):
    """values._gap_values as it was: every quarter at once, each quarter's segments summed by
    `per[q].sum(axis=0)`, one quarter after another."""
    from pmsim.engine.market import BETA, LOSS_W

    ti = values._theme_index(scenario)
    weighted = sizes * np.array(scenario.segment_weights())
    out = np.zeros(len(scenario.features))
    if not len(comp_best):
        return out / 1000.0
    need = np.clip(need_mean[:, ti], 0, None)
    best = np.asarray(comp_best, dtype=np.float64)
    best = best[:, None, :] if best.ndim == 2 else best
    gap = np.maximum(best - g_ours[None, :, :], 0.0)[:, :, ti]
    closed = np.minimum(np.maximum(gain, 0.0)[None, :, :], gap)
    mult = 1.0 if fresh is None else np.asarray(fresh, dtype=np.float64)[:, ti][:, None, :]
    per = (weighted[:, None] * BETA * LOSS_W * need)[None, :, :] * closed * mult
    for q in range(per.shape[0]):
        out += per[q].sum(axis=0)
    return out / 1000.0


def test_gap_values_sum_each_quarters_segments_as_before_with_many_segments_and_rivals():
    base = load_scenario(resolve("b2b_saas"))
    rng = np.random.default_rng(17)
    for n_seg in (1, 3, 8, 9, 17):
        segs = [base.market.segments[i % len(base.market.segments)].model_copy(update={"id": f"s{i}"})
                for i in range(n_seg)]
        sc = base.model_copy(update={"market": base.market.model_copy(update={"segments": segs})})
        s_n, f_n, t_n = n_seg, len(sc.features), len(sc.theme_ids())
        for trial in range(40):
            sizes = rng.integers(0, 50_000, s_n).astype(np.float64)
            need = rng.normal(0.15, 0.12, (s_n, t_n))
            gain = rng.normal(0.0, 0.3, (s_n, f_n))
            gain[rng.random((s_n, f_n)) < 0.2] = -0.0
            g = rng.normal(0.3, 0.2, (s_n, t_n))
            q_n = int(rng.integers(0, 9))
            if trial % 3 == 0:  # a shared market's rival companies: (S, T) a quarter
                best = [rng.random((s_n, t_n)) for _ in range(q_n)]
            else:
                best = [rng.random(t_n) for _ in range(q_n)]
            fresh = None if trial % 2 else [1.0 + 2.0 * (rng.random(t_n) < 0.3) for _ in best]
            got = values._gap_values(sc, sizes, need, gain, g, best, fresh)
            assert _bits(got) == _bits(_gap_by_quarter(sc, sizes, need, gain, g, best, fresh)), (n_seg, trial)


def test_the_quarters_believed_rivals_and_launches_are_each_quarters(builtin_small):
    """worth's lists over quarters (one array per distinct set of launches counted) hold, quarter
    by quarter, the bits of comp_best_believed and fresh_believed, through bot games that find
    rivals' launches coming (the analyst's competitive analysis)."""
    from pmsim.engine import new_game, worth
    from pmsim.engine.bots import play_round

    game = new_game(builtin_small, 5)
    seen_moves = 0
    while not game.state.finished:
        st = game.state
        seen_moves = max(seen_moves, len(st.beliefs.known_moves) + len(st.public_moves))
        comp = game._c["prior_comp"].copy()
        for first in range(1, builtin_small.rounds + 2):
            quarters = list(range(first, builtin_small.rounds + 1))
            for known in (True, False):
                got = worth._fresh_believed_over(game, quarters, known)
                assert [_bits(a) for a in got] == [_bits(worth.fresh_believed(game, u, known)) for u in quarters]
            got = worth._comp_best_believed_over(game, quarters)
            assert [_bits(a) for a in got] == [_bits(worth.comp_best_believed(game, u)) for u in quarters]
            got = worth._comp_best_believed_over(game, quarters, comp, [])
            assert [_bits(a) for a in got] == [_bits(worth.comp_best_believed(game, u, comp, [])) for u in quarters]
        play_round(game, "analyst")
    if builtin_small.market.competitors and any(c.moves for c in builtin_small.market.competitors):
        assert seen_moves  # the launches were there to count


def test_remembered_table_stakes_are_made_ones_and_the_callers_own():
    sc = load_scenario(resolve("b2b_saas"))
    s_n, f_n, t_n = len(sc.market.segments), len(sc.features), len(sc.theme_ids())
    rng = np.random.default_rng(8)
    need = rng.normal(0.15, 0.12, (s_n, t_n))
    kano = rng.integers(0, 5, (s_n, f_n))
    ids = [f.id for f in sc.features]

    def same(a, b):
        return len(a) == len(b) and all(x[0] == y[0] and x[2] == y[2] and _bits(x[1]) == _bits(y[1])
                                        for x, y in zip(a, b, strict=True))

    for trial in range(80):
        launches = [(int(rng.integers(t_n)), int(rng.integers(1, 9))) + ((str(rng.choice(ids)),) if rng.random() < 0.3 else ())
                    for _ in range(int(rng.integers(0, 6)))]
        k = kano if trial % 2 else None
        want = values._table_stakes(sc, need, launches, k)
        first = values.table_stakes(sc, need, launches, k)
        assert same(first, want)
        for _, mask, _ in first:
            mask[:] = ~mask  # the caller's own copy: what is remembered stays as it was
        assert same(values.table_stakes(sc, need, launches, k), want)
        need[rng.integers(s_n), rng.integers(t_n)] = rng.normal(0.15, 0.2)  # same array, other needs
        assert same(values.table_stakes(sc, need, launches, k), values._table_stakes(sc, need, launches, k))


def test_gap_values_remember_each_quarter_and_add_them_as_made_afresh():
    sc = load_scenario(resolve("consumer_app"))
    s_n, f_n, t_n = len(sc.market.segments), len(sc.features), len(sc.theme_ids())
    rng = np.random.default_rng(23)
    sizes = rng.integers(0, 50_000, s_n).astype(np.float64)
    need = rng.normal(0.15, 0.12, (s_n, t_n))
    gain = rng.normal(0.0, 0.3, (s_n, f_n))
    g = rng.normal(0.3, 0.2, (s_n, t_n))
    best = [rng.random(t_n) for _ in range(8)]
    best[3] = best[2].copy()  # two quarters alike
    fresh = [1.0 + 2.0 * (rng.random(t_n) < 0.3) for _ in best]
    for trial in range(60):
        lo, hi = sorted(int(x) for x in rng.integers(0, 9, 2))
        part, part_fresh = best[lo:hi], (None if trial % 3 == 0 else fresh[lo:hi])
        got = values.gap_values(sc, sizes, need, gain, g, part, part_fresh)  # some quarters known, some new
        assert _bits(got) == _bits(values._gap_values(sc, sizes, need, gain, g, part, part_fresh)), (lo, hi)
        got[:] = 7.0  # the caller's own array
        if trial % 10 == 9:  # other needs: nothing remembered applies
            need = need + rng.normal(0.0, 0.01, need.shape)
    assert _bits(values.gap_values(sc, sizes, need, gain, g, best, fresh)) == _bits(
        values._gap_values(sc, sizes, need, gain, g, best, fresh))


def test_the_clips_called_directly_give_np_clips_bits():
    """values and worth call what np.clip(x, 0, None) and np.clip(g, 0.0, 1.0) call (np.maximum,
    ndarray.clip) without numpy's Python wrappers: the same bits, -0.0, nan and inf included."""
    rng = np.random.default_rng(4)
    special = np.array([-0.0, 0.0, np.nan, np.inf, -np.inf, 1.0, -1.0, 0.5, 2.0, -1e-300])
    for _ in range(200):
        a = rng.normal(0.1, 0.5, (int(rng.integers(1, 12)), int(rng.integers(1, 40))))
        a.flat[rng.integers(0, a.size, max(1, a.size // 4))] = rng.choice(special, max(1, a.size // 4))
        ti = rng.integers(0, a.shape[1], int(rng.integers(1, 30)))
        for x in (a, a[:, ti], a[:, int(ti[0])], a.T):  # fancy-indexed, strided, transposed views
            assert _bits(np.maximum(x, 0)) == _bits(np.clip(x, 0, None))
            assert _bits(x.clip(0.0, 1.0)) == _bits(np.clip(x, 0.0, 1.0))
            assert _bits(x.clip(0.0, 1.0).max(axis=0)) == _bits(np.clip(x, 0.0, 1.0).max(axis=0))
