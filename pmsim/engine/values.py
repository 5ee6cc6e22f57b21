"""What a feature is worth, on the truth and on the player's beliefs.

A feature's value is the change in total customer utility its shipping causes across the market:
sum over segments of (segment size) * (business weight) * BETA * (mean need for its theme) * (Kano
gain), plus its stated usability/accessibility effects. The business weight of a segment blends
"every customer counts the same" with "customers count by revenue" (scoring.revenue_weight). The market
model uses exactly these quantities, so the value is additive and a 0/1 knapsack finds the best
set of features for a round's capacity (engine/knapsack.py, whose names this module hands on).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pmsim.engine import detmath
from pmsim.engine.knapsack import _knapsack, knapsack, knapsack2  # noqa: F401 (re-exported)
from pmsim.engine.market import (
    ACCESS_W,
    BETA,
    LOSS_W,
    MUST_GROWTH,
    MUST_PENALTY,
    STAKE_GROWTH,
    STAKE_PENALTY,
    USABILITY_W,
    shipped_gain,
)
from pmsim.scenario.models import Kano, Scenario

KANO_ORDER = [Kano.must_be, Kano.performance, Kano.attractive, Kano.indifferent, Kano.reverse]
KANO_PRIOR = np.array([0.2, 0.4, 0.2, 0.15, 0.05])
_LOG_PRIOR = np.array([-1.6094379124341003, -0.916290731874155, -1.6094379124341003, -1.8971199848858813, -2.995732273553991])
_LOG_RIGHT = -0.35667494393873245  # log(0.7)
_LOG_WRONG = -2.5902671654458267  # log(0.075)
VOTE_ACCURACY = 0.7


def kano_matrix(scenario: Scenario) -> np.ndarray:
    """(S, F) index into KANO_ORDER of each feature's true category per segment."""
    out = np.zeros((len(scenario.market.segments), len(scenario.features)), np.int64)
    for si, seg in enumerate(scenario.market.segments):
        for fi, f in enumerate(scenario.features):
            cat = f.kano.get(seg.id) or seg.kano.get(f.theme) or Kano.performance
            out[si, fi] = KANO_ORDER.index(Kano(cat))
    return out


_GAIN_COEF = np.array([shipped_gain(c, 1.0) for c in KANO_ORDER])  # gain is linear in value


def gain_table(values: np.ndarray) -> np.ndarray:
    """(F, 5) Kano gain of shipping each feature under each category."""
    return np.asarray(values, dtype=np.float64)[:, None] * _GAIN_COEF[None, :]


def experience_values(scenario: Scenario, sizes: np.ndarray) -> np.ndarray:
    """(F,) value of each feature's stated usability and accessibility effects (public knowledge)."""
    return _experience(scenario, sizes).copy()


def _experience(scenario: Scenario, sizes: np.ndarray) -> np.ndarray:
    """`experience_values`, made once for these sizes (read-only): every value on beliefs adds it."""
    return _kept(_static(scenario)["memo"], ("experience", _key(sizes)), lambda: _read_only(_experience_of(scenario, sizes)))


def _read_only(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _experience_of(scenario: Scenario, sizes: np.ndarray) -> np.ndarray:
    info = _static(scenario)
    assistive = info["assistive"]
    sizes = sizes * info["weights"]
    usab, acc = info["usability"], info["accessibility"]
    # (S, F) at once, each column summed as np.sum summed it per feature
    per = sizes[:, None] * ((USABILITY_W * usab)[None, :] + (assistive * ACCESS_W)[:, None] * acc[None, :])
    return _colsum(per) / 1000.0


def _colsum(a: np.ndarray) -> np.ndarray:
    """(F,) `np.sum` of each column of an (S, F) array, bit for bit: each column made contiguous
    and reduced by numpy's own loop, as `float(np.sum(a[:, f]))` per feature did (summing along
    axis 0 adds in another order once S >= 8)."""
    return np.ascontiguousarray(a.T).sum(axis=1)


def _seqsum(a: np.ndarray) -> np.ndarray:
    """(F,) the sum over axis 0 of an (S, F) array, row after row from 0.0: the same additions,
    in the same order, as `out[f] += a[s, f]` in a loop over segments."""
    out = np.zeros(a.shape[1])
    for row in a:
        out += row
    return out


def true_values(scenario: Scenario, sizes: np.ndarray, need_means: np.ndarray, kano: np.ndarray) -> np.ndarray:
    """(F,) utility-customer value of shipping each feature, on the truth (in thousands)."""
    ti = _theme_index(scenario)
    gains = gain_table(_static(scenario)["value"])
    weighted = sizes * _static(scenario)["weights"]
    g = gains[np.arange(len(ti))[None, :], kano]  # (S, F) the gain under each segment's category
    out = _seqsum(weighted[:, None] * BETA * need_means[:, ti] * g)
    return out / 1000.0 + _experience(scenario, sizes)


# What values need of a scenario that never changes (scenarios are frozen), by scenario object.
_STATIC: dict[int, tuple[Scenario, dict[str, Any]]] = {}


def _static(scenario: Scenario) -> dict[str, Any]:
    kept = _STATIC.get(id(scenario))
    if kept is None or kept[0] is not scenario:
        if len(_STATIC) >= 16:
            _STATIC.clear()
        themes = scenario.theme_ids()
        info = {
            "ti": np.array([themes.index(f.theme) for f in scenario.features], dtype=np.int64),
            "weights": np.array(scenario.segment_weights()),
            "assistive": np.array([s.assistive_share for s in scenario.market.segments]),
            "usability": np.array([f.usability for f in scenario.features], dtype=np.float64),
            "accessibility": np.array([f.accessibility for f in scenario.features], dtype=np.float64),
            "value": np.array([f.value for f in scenario.features]),
        }
        for a in info.values():
            a.flags.writeable = False
        info["ids"] = [f.id for f in scenario.features]
        info["memo"] = {}
        info["stake_sums"] = {}
        info["stakes"] = {}
        info["gap_rows"] = {}
        kept = (scenario, info)  # the scenario is kept with its look-ups: its id stays its own
        _STATIC[id(scenario)] = kept
    return kept[1]


def _theme_index(scenario: Scenario) -> np.ndarray:
    return _static(scenario)["ti"]


def _key(a) -> tuple:
    """An exact, hashable key of an array's contents."""
    if type(a) is not np.ndarray:
        a = np.asarray(a)
    return (a.dtype.str, a.shape, a.tobytes())


def _remembered(scenario: Scenario, key: tuple, compute) -> np.ndarray:
    """`compute()` for these exact inputs of this scenario, made once (a copy each time): scoring
    asks the same values again every quarter, and they depend on nothing else."""
    return _kept(_static(scenario)["memo"], key, compute).copy()


def _kept(memo: dict, key: tuple, compute, limit: int = 1024) -> Any:
    """`memo[key]`, made by `compute()` the first time (the table emptied when it holds `limit`):
    the caller hands out copies of what must not be changed."""
    hit = memo.get(key)
    if hit is None:
        if len(memo) >= limit:
            memo.clear()
        hit = memo[key] = compute()
    return hit


def must_values(scenario: Scenario, sizes: np.ndarray, need_mean: np.ndarray, p_must: np.ndarray,
                impact: np.ndarray) -> np.ndarray:
    """(F,) the must-be part of each feature's quarterly value in round 1 (in thousands).

    `p_must` (S, F) is the probability that the feature is a must-be for the segment (0/1 on the
    truth, the Kano posterior on beliefs). A missing must-be costs more each quarter (MUST_GROWTH):
    customers leave while it is missing, and those who left do not come back when it ships. So
    shipping one in round r is worth this part times `growth_weight(r, R)` on top of its quarterly
    value times the quarters left.
    """
    ti = _theme_index(scenario)
    weighted = sizes * _static(scenario)["weights"]
    out = _colsum(weighted[:, None] * BETA * np.maximum(need_mean[:, ti], 0) * p_must)  # = np.clip(.., 0, None)
    out *= MUST_PENALTY * np.asarray(impact, dtype=np.float64)
    return out / 1000.0


def quarters_left(r: int, rounds: int) -> float:
    return float(max(rounds - r + 1, 0))


def growth_weight(r: int, rounds: int) -> float:
    """sum over t = r..R of MUST_GROWTH * (t - r): the loss a must-be shipped in round r stops from
    growing. What was lost before r stays lost (customers who left for a rival do not come back),
    so every quarter of delay costs the rest of the game, not just that quarter."""
    return MUST_GROWTH * float(sum(t - r for t in range(r, rounds + 1)))


def remaining_values(quarterly: np.ndarray, must: np.ndarray, r: int, rounds: int) -> np.ndarray:
    """(F,) what shipping each feature in round r is worth over the rest of the game."""
    return quarterly * quarters_left(r, rounds) + must * growth_weight(r, rounds)


def benefit(quarterly: np.ndarray, must: np.ndarray, t: int, since: np.ndarray | int = 1) -> np.ndarray:
    """(F,) what a feature shipped in round `since` (per feature, or one round for all) is worth in
    quarter t: its quarterly value, plus for a must-be the loss it has stopped from growing since
    it shipped (the customers lost before stay lost)."""
    return quarterly + must * MUST_GROWTH * np.maximum(t - np.asarray(since), 0)


def gap_values(scenario: Scenario, sizes: np.ndarray, need_mean: np.ndarray, gain: np.ndarray,
               g_ours: np.ndarray, comp_best: list[np.ndarray], fresh: list[np.ndarray] | None = None) -> np.ndarray:
    """(F,) what closing a competitive gap adds to each feature, summed over the given quarters.

    `gain` (S, F) is the feature's theme-score gain per segment, `g_ours` (S, T) our theme scores
    without it, `comp_best` one (T,) array per quarter: the best competitor's score in each theme
    (or one (S, T) per quarter: per segment, with a shared market's rival companies).
    A feature closes min(gain, gap) of a gap, and each point closed is worth LOSS_W more, times
    the quarter's `fresh` multiplier (T,) where a rival has just launched.

    Each quarter's share (its segments summed, (F,)) is remembered by its exact inputs, and the
    quarters are added from zeros one after another, as _gap_values adds them: a cost of delay asks
    the quarters from now and from next quarter, and a batch's games the same truth again.
    """
    if fresh is not None and len(fresh) != len(comp_best):  # (not asked: made as given, not remembered)
        return _gap_values(scenario, sizes, need_mean, gain, g_ours, comp_best, fresh)
    return sum_rows(gap_rows(scenario, sizes, need_mean, gain, g_ours, comp_best, fresh), len(scenario.features))


def gap_rows(scenario: Scenario, sizes: np.ndarray, need_mean: np.ndarray, gain: np.ndarray,
             g_ours: np.ndarray, comp_best: list[np.ndarray], fresh: list[np.ndarray] | None = None) -> list[np.ndarray]:
    """Each quarter's share of `gap_values` (its segments summed, (F,), not yet in thousands),
    remembered by its exact inputs and handed out read-only. `fresh`, if given, has one array a
    quarter. A cost of delay sums the quarters from now and from next quarter of the same rows."""
    base = (_key(sizes), _key(need_mean), _key(gain), _key(g_ours))
    made_keys: dict[int, tuple] = {}  # the quarters' arrays are often one array shared (rivals._once_per_set)

    def key_of(a) -> tuple:
        k = made_keys.get(id(a))
        if k is None:
            k = made_keys[id(a)] = _key(a)
        return k

    keys = [(base, key_of(b), None if fresh is None else key_of(fresh[q])) for q, b in enumerate(comp_best)]
    memo = _static(scenario)["gap_rows"]
    rows = [memo.get(k) for k in keys]
    missing = [q for q, row in enumerate(rows) if row is None]
    if missing:
        made = _gap_rows(scenario, sizes, need_mean, gain, g_ours, [comp_best[q] for q in missing],
                         None if fresh is None else [fresh[q] for q in missing])
        if len(memo) + len(missing) > 4096:
            memo.clear()
        for q, row in zip(missing, made, strict=True):
            row.flags.writeable = False
            rows[q] = memo[keys[q]] = row
    return rows


def sum_rows(rows: list[np.ndarray], n: int) -> np.ndarray:
    """(n,) the quarters' rows added to zeros one after another, in thousands: `gap_values`."""
    out = np.zeros(n)
    for row in rows:
        out += row
    return out / 1000.0


def _gap_values(scenario, sizes, need_mean, gain, g_ours, comp_best, fresh) -> np.ndarray:
    """gap_values, made afresh: each quarter's share added to zeros one after another."""
    return sum_rows(_gap_rows(scenario, sizes, need_mean, gain, g_ours, comp_best, fresh), len(scenario.features))


def _gap_rows(scenario, sizes, need_mean, gain, g_ours, comp_best, fresh) -> np.ndarray:
    """(Q, F) each quarter's gap value, its segments summed in order (not yet in thousands)."""
    ti = _theme_index(scenario)
    if not len(comp_best):
        return np.zeros((0, len(scenario.features)))
    weighted = sizes * _static(scenario)["weights"]
    need = np.maximum(need_mean[:, ti], 0)  # what np.clip(need, 0, None) calls
    # every quarter at once ((Q, S, F), element by element the same products as one at a time),
    # and each quarter's segments summed in order (a sum over axis 1 adds each (q, f)'s segments
    # as per[q].sum(axis=0) did)
    best = np.asarray(comp_best, dtype=np.float64)  # (Q, T), or (Q, S, T) with rival companies
    best = best[:, None, :] if best.ndim == 2 else best
    gap = np.maximum(best - g_ours[None, :, :], 0.0)[:, :, ti]  # (Q, S, F)
    closed = np.minimum(np.maximum(gain, 0.0)[None, :, :], gap)
    mult = 1.0 if fresh is None else np.asarray(fresh, dtype=np.float64)[:, ti][:, None, :]
    per = (weighted[:, None] * BETA * LOSS_W * need)[None, :, :] * closed * mult
    return per.sum(axis=1)


def table_stakes(scenario: Scenario, need_mean: np.ndarray, launches: list[tuple],
                 kano: np.ndarray | None = None) -> list[tuple[int, np.ndarray, int]]:
    """What a rival's launch makes expected (Kano's life cycle: yesterday's delight is today's must-be).

    For each launch (theme index, round[, feature id]): the feature the launch names, else the
    theme's headline feature (its highest-value one), becomes a must-be, from that round, for the
    segments that care about the theme more than average (and, given the true `kano`, for which it is not a must-be already). Returns
    (feature index, segment mask (S,), round), earliest launch per feature: made once for these
    exact inputs (the masks copied for each caller), as the game and the bots ask again and again.
    """
    try:
        key = (_key(need_mean), tuple(tuple((type(v), v) for v in x) for x in launches),
               None if kano is None else _key(kano))
        hash(key)
    except TypeError:  # unhashable launches: made, not remembered
        return _table_stakes(scenario, need_mean, launches, kano)
    hit = _kept(_static(scenario)["stakes"], key, lambda: _table_stakes(scenario, need_mean, launches, kano))
    return [(fi, mask.copy(), u) for fi, mask, u in hit]


def _table_stakes(scenario: Scenario, need_mean: np.ndarray, launches: list[tuple],
                  kano: np.ndarray | None) -> list[tuple[int, np.ndarray, int]]:
    info = _static(scenario)
    ti_of = info["ti"].tolist()
    n_themes = len(scenario.market.themes)
    out: dict[int, tuple[int, np.ndarray, int]] = {}
    ids = info["ids"]
    for launch in sorted(launches, key=lambda x: (x[1], x[0])):
        ti, u = launch[0], launch[1]
        named = launch[2] if len(launch) > 2 else None
        cands = [fi for fi, t in enumerate(ti_of) if t == ti]
        if named in ids:
            cands = [ids.index(named)]
        if not cands:
            continue
        fi = max(cands, key=lambda i: (scenario.features[i].value, -i))
        mask = need_mean[:, ti] >= 1.0 / n_themes
        if kano is not None:
            mask = mask & (kano[:, fi] != 0)
        if mask.any() and fi not in out:
            out[fi] = (fi, mask, u)
    return [out[k] for k in sorted(out)]


def stake_values(scenario: Scenario, sizes: np.ndarray, need_mean: np.ndarray, impact: np.ndarray,
                 stakes: list[tuple[int, np.ndarray, int]], t: int, since: int = 1) -> np.ndarray:
    """(F,) what having each feature, shipped in round `since`, is worth in quarter t because a
    launch made it expected. Like a must-be, but STAKE_PENALTY (twice a must-be's) times its value
    at the launch, growing STAKE_GROWTH a quarter while it is missing; and what was lost between the launch and `since` stays lost: a feature there at the
    launch keeps every customer, one shipped a quarter later stops the bleeding but wins none back."""
    key = ("stake", _key(sizes), _key(need_mean), _key(impact), tuple((fi, _key(m), u) for fi, m, u in stakes),
           t, since)
    return _remembered(scenario, key, lambda: _stake_values(scenario, sizes, need_mean, impact, stakes, t, since))


def _stake_values(scenario, sizes, need_mean, impact, stakes, t, since) -> np.ndarray:
    ti_of = _theme_index(scenario)
    weighted = sizes * _static(scenario)["weights"]
    out = np.zeros(len(scenario.features))
    for fi, mask, u in stakes:
        if u > t:
            continue
        ti = int(ti_of[fi])
        per = float(np.sum(mask * weighted * BETA * np.maximum(need_mean[:, ti], 0)))
        out[fi] += per * STAKE_PENALTY * float(impact[fi]) * (1.0 + STAKE_GROWTH * (t - max(u, since)))
    return out / 1000.0


def stakes_over(scenario: Scenario, sizes: np.ndarray, need_mean: np.ndarray, impact: np.ndarray,
                stakes: list[tuple[int, np.ndarray, int]], quarters: list[int], since: int = 1) -> np.ndarray:
    """(F,) the sum of `stake_values(..., t, since)` over `quarters`, added quarter after quarter
    from zeros: the same bits, with each stake's market (its segments' weighted needs) summed once
    (and remembered by its exact inputs: a batch's games ask the same few again and again), and
    the quarters added on Python floats, the same float64 operations in the same order as the
    arrays' (`out[fi] += ...` from 0.0, then `total += out / 1000.0` for each stake's feature;
    the others stay 0.0)."""
    per = _stake_sums(scenario, sizes, need_mean, stakes)
    acc = {fi: 0.0 for fi, _, _ in stakes}  # total[fi], from np.zeros
    terms = [(fi, u, max(u, since), p * STAKE_PENALTY * float(impact[fi]))
             for (fi, _, u), p in zip(stakes, per, strict=True)]
    growth = STAKE_GROWTH
    for t in quarters:
        out = dict.fromkeys(acc, 0.0)  # out[fi], from np.zeros
        for fi, u, start, base in terms:
            if u <= t:
                out[fi] += base * (1.0 + growth * (t - start))
        for fi, o in out.items():
            acc[fi] += o / 1000.0
    total = np.zeros(len(scenario.features))
    for fi, v in acc.items():
        total[fi] = v
    return total


def _stake_sums(scenario: Scenario, sizes: np.ndarray, need_mean: np.ndarray,
                stakes: list[tuple[int, np.ndarray, int]]) -> list[float]:
    """Each stake's `np.sum(mask * weighted * BETA * max(need, 0))` (its market), as _stake_values
    sums it, remembered by its exact inputs (the sizes, the needs, the feature and its mask)."""
    if not stakes:
        return []
    info = _static(scenario)
    sums = info["stake_sums"]
    ti_of = info["ti"]
    base = (_key(sizes), _key(need_mean))

    weighted = sizes * info["weights"]

    def stake_sum(fi: int, mask: np.ndarray) -> float:
        return float(np.sum(mask * weighted * BETA * np.maximum(need_mean[:, int(ti_of[fi])], 0)))

    return [_kept(sums, (base, fi, _key(mask)), lambda fi=fi, mask=mask: stake_sum(fi, mask), 4096)
            for fi, mask, _ in stakes]


# Posteriors already computed, by their exact vote counts: the values on beliefs, their must-be
# part and the believed gains all ask for the same votes' posterior, several times a round.
_POSTERIORS: dict[tuple, np.ndarray] = {}


def kano_posterior(votes: np.ndarray) -> np.ndarray:
    """(..., 5) posterior over Kano categories from vote counts (..., 5) (a copy of the one made
    for these exact votes)."""
    return _posterior_kept(votes).copy()


def _posterior_kept(votes: np.ndarray) -> np.ndarray:
    """`kano_posterior(votes)` without the copy, for a caller that only reads it."""
    key = _key(votes)
    hit = _POSTERIORS.get(key)
    if hit is None:
        if len(_POSTERIORS) >= 256:
            _POSTERIORS.clear()
        hit = _POSTERIORS[key] = _kano_posterior(np.asarray(votes))
    return hit


def _kano_posterior(votes: np.ndarray) -> np.ndarray:
    ll = votes * _LOG_RIGHT + (votes.sum(axis=-1, keepdims=True) - votes) * _LOG_WRONG
    ll = ll + _LOG_PRIOR
    ll -= ll.max(axis=-1, keepdims=True)
    p = detmath.exp(ll)
    return p / p.sum(axis=-1, keepdims=True)


def believed_values(scenario: Scenario, sizes: np.ndarray, need_mean: np.ndarray, kano_votes: np.ndarray,
                    impact_guess: np.ndarray) -> np.ndarray:
    """(F,) expected value of each feature under the player's beliefs (in thousands)."""
    ti = _theme_index(scenario)
    gains = gain_table(impact_guess)  # (F, 5)
    post = kano_posterior(kano_votes)  # (S, F, 5)
    exp_gain = (post * gains[None, :, :]).sum(axis=-1)  # (S, F)
    weighted = sizes * _static(scenario)["weights"]
    out = _colsum(weighted[:, None] * BETA * np.maximum(need_mean[:, ti], 0) * exp_gain)
    return out / 1000.0 + _experience(scenario, sizes)


def believed_parts(scenario: Scenario, sizes: np.ndarray, need_mean: np.ndarray, kano_votes: np.ndarray,
                   impact_guess: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(`believed_values`, `must_values` on the Kano posterior's must-be share, the expected gain
    (S, F) of worth's _believed_gain_of) of these beliefs at once, bit for bit the same: one
    posterior, and the segments' weighted needs the first two share multiplied once."""
    ti = _theme_index(scenario)
    guess = np.asarray(impact_guess, dtype=np.float64)
    post = _posterior_kept(kano_votes)  # (S, F, 5), read here only
    exp_gain = (post * gain_table(guess)[None, :, :]).sum(axis=-1)  # (S, F)
    weighted = sizes * _static(scenario)["weights"]
    market = weighted[:, None] * BETA * np.maximum(need_mean[:, ti], 0)  # (S, F), as both products begin
    vals = _colsum(market * exp_gain) / 1000.0 + _experience(scenario, sizes)
    must = _colsum(market * post[..., 0])
    must *= MUST_PENALTY * guess
    return vals, must / 1000.0, exp_gain
