"""The best set of features for a round's capacity: an exact 0/1 knapsack (and one under two
capacities). A feature's value is additive (engine/values.py), so a knapsack on values finds the
best roadmap for a quarter; scoring, the hindsight optimum, the bots and hinges.py ask it.
"""

from __future__ import annotations

import math

import numpy as np

# Knapsacks already solved, by their exact inputs: scoring asks the same hindsight questions
# every quarter (the truth does not change), and the answer depends on nothing else.
_KNAPSACKS: dict[tuple, tuple[int, ...]] = {}


def knapsack(values: list[float], weights: list[float], capacity: float, unit: float = 0.5) -> list[int]:
    """Exact 0/1 knapsack by dynamic programming on weights rounded up to `unit`.

    Items with non-positive value are never chosen. Returns chosen indices in input order.
    Ties are broken towards earlier items, so the result is deterministic.
    """
    key = (tuple(values), tuple(weights), capacity, unit)
    try:
        hit = _KNAPSACKS.get(key)
    except TypeError:  # unhashable values: solve it, remember nothing
        return _knapsack(values, weights, capacity, unit)
    if hit is None:
        if len(_KNAPSACKS) >= 4096:
            _KNAPSACKS.clear()
        hit = _KNAPSACKS[key] = tuple(_knapsack(values, weights, capacity, unit))
    return list(hit)


def _knapsack(values, weights, capacity: float, unit: float) -> list[int]:
    """The dynamic programme of `knapsack`, on Python floats: a round's knapsack has a dozen or two
    items and a few dozen cells, where numpy's per-call overhead cost more than the arithmetic.
    Each cell is updated in place from the top down (so `best[c - wi]` is still the value before
    this item) with the same float64 additions and the same `cand > rest + 1e-12` test as a
    vectorized pass, so it chooses the same set, bit for bit."""
    cap = int(math.floor(capacity / unit + 1e-9))
    if cap <= 0:
        return []
    ceil = math.ceil  # an int already: max(1, int(ceil(...))) without the calls
    w = [ceil(x / unit - 1e-9) for x in weights]
    best = [0.0] * (cap + 1)
    taken = []  # per item, a bit mask of the cells where taking it is better (c >= wi only)
    for i, v in enumerate(values):
        if not v > 0:
            continue
        wi = w[i]
        if wi < 1:
            wi = 1
        elif wi > cap:
            continue
        v = float(v)
        better = 0
        for c in range(cap, wi - 1, -1):
            cand = best[c - wi] + v
            if cand > best[c] + 1e-12:
                best[c] = cand
                better |= 1 << c
        taken.append((i, wi, better))
    chosen = []
    c = cap
    for i, wi, better in reversed(taken):
        if better >> c & 1:
            chosen.append(i)
            c -= wi
    return sorted(chosen)


def knapsack2(values: list[float], w1: list[float], cap1: float, w2: list[float], cap2: float,
              unit: float = 0.5) -> list[int]:
    """Exact 0/1 knapsack under two capacity constraints (e.g. estimates and true effort)."""
    c1 = int(math.floor(cap1 / unit + 1e-9))
    c2 = int(math.floor(cap2 / unit + 1e-9))
    if c1 <= 0 or c2 <= 0:
        return []
    a = [max(1, int(math.ceil(x / unit - 1e-9))) for x in w1]
    b = [max(1, int(math.ceil(x / unit - 1e-9))) for x in w2]
    items = [i for i, v in enumerate(values) if v > 0 and a[i] <= c1 and b[i] <= c2]
    best = np.zeros((c1 + 1, c2 + 1))
    take = np.zeros((len(items), c1 + 1, c2 + 1), bool)
    for n, i in enumerate(items):
        cand = np.full_like(best, -1.0)
        cand[a[i]:, b[i]:] = best[: c1 + 1 - a[i], : c2 + 1 - b[i]] + values[i]
        better = cand > best + 1e-12
        take[n] = better
        best = np.where(better, cand, best)
    chosen = []
    x, y = c1, c2
    for n in range(len(items) - 1, -1, -1):
        if take[n, x, y]:
            chosen.append(items[n])
            x -= a[items[n]]
            y -= b[items[n]]
    return sorted(chosen)
