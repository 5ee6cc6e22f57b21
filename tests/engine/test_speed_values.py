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
