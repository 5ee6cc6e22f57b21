"""What shipping does to customers: Kano value, logit choice, Bass adoption, churn, revenue.

The model, in one place so the debrief can explain it:

* Each feature j has a Kano category per segment s. Shipped or not, it contributes to its theme's
  score g[s, t]: a missing must-be costs MUST_PENALTY * value, a shipped performance feature adds
  value, an attractive one ATTRACTIVE * value, a reverse one subtracts REVERSE * value.
* A customer's utility for a product is BETA * sum_t need[i, t] * g[s, t] - price_sens[i] * price
  index, plus usability, plus accessibility for customers who rely on assistive technology.
* Satisfaction of our customers is a logistic function of their utility against the best
  competitor's; satisfaction drives NPS, churn (each customer's shifted-beta-geometric propensity
  scaled by dissatisfaction) and the conversion of trials to paying customers.
* Non-adopters enter the market with a Bass hazard p + q * adopted share * word of mouth (from
  NPS); they and a few switchers choose among our product, the competitors and nothing by
  multinomial logit.
* A shared market (engine/shared.py) is the same step with N companies' products: customers
  choose among every company's product, the competitors and nothing by the same logit; to each
  company its rivals are competitors too (loss aversion, the expectation bar); churn, trials and
  satisfaction are each customer's with their own company, and the word of mouth that draws
  entrants is the companies' mixed by how many users each has in the segment. A solo game is the
  one-company case of the same step (`step` is `step_companies` with one company).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pmsim.engine import detmath
from pmsim.engine.population import COMP0, NONE, OURS, TRIAL, Population
from pmsim.scenario.models import Kano

BETA = 4.0
MUST_PENALTY = 1.6
# a must-be need left unmet costs more every quarter: buyers' patience runs out (the penalty in
# round r is MUST_PENALTY * (1 + MUST_GROWTH * (r - 1)))
MUST_GROWTH = 0.5
# a launch makes its feature expected at once: customers who care switch faster than for a need
# that was always there (a missing table stake costs STAKE_GROWTH more each quarter)
STAKE_GROWTH = 1.0
# ... and it hurts twice what a must-be customers always lacked: they now hold a concrete
# alternative, so STAKE_PENALTY * value from the launch on (before growth)
STAKE_PENALTY = 2.0 * MUST_PENALTY
# loss aversion: where the best competitor is ahead of us in a theme, customers who care about it
# feel the gap: every point behind costs LOSS_W points more utility, so closing a gap that
# customers notice is worth more than adding where we already lead
LOSS_W = 0.5
# ... and a gap in a theme where a rival launched this quarter or last is felt (1 + FRESH) times
# as much: the launch is what customers compare you with
FRESH = 2.0
ATTRACTIVE = 1.6
REVERSE = 0.6
INDIFFERENT = 0.1
USABILITY_W = 1.5
ACCESS_W = 4.0
ACCESS_REF = 0.7
SAT_SLOPE, SAT_BIAS = 0.9, 1.5
ACT_SLOPE, ACT_BIAS = 2.0, 0.0
PROMOTER, DETRACTOR = 9.0 / 11.0, 7.0 / 11.0


def must_factor(round_: int) -> float:
    """How much a missing must-be hurts in `round_` relative to round 1."""
    return 1.0 + MUST_GROWTH * max(round_ - 1, 0)


def stake_factor(quarters_since_launch: int) -> float:
    """How much a missing table stake hurts, `quarters_since_launch` after the launch that set it."""
    return 1.0 + STAKE_GROWTH * max(quarters_since_launch, 0)


def kano_contribution(category: Kano | str, value: float, shipped: bool, round_: int = 1) -> float:
    c = category if type(category) is Kano else Kano(category)
    if c is Kano.must_be:
        return 0.0 if shipped else -MUST_PENALTY * value * must_factor(round_)
    if not shipped:
        return 0.0
    if c is Kano.performance:
        return value
    if c is Kano.attractive:
        return ATTRACTIVE * value
    if c is Kano.reverse:
        return -REVERSE * value
    return INDIFFERENT * value


def shipped_gain(category: Kano | str, value: float) -> float:
    """Change in theme score from shipping a feature (the per-customer effect before needs)."""
    return kano_contribution(category, value, True) - kano_contribution(category, value, False)


@dataclass
class MarketInputs:
    g_ours: np.ndarray  # (S, T) theme scores of our product per segment
    g_comp: np.ndarray  # (K, T) competitors' theme scores
    price_index: np.ndarray  # (K,)
    usability: float
    accessibility: float
    shock: np.ndarray  # (S,) satisfaction shock this round
    bass_p: np.ndarray  # (S,)
    bass_q: np.ndarray  # (S,)
    switching: np.ndarray  # (S,)
    outside: np.ndarray  # (S,)
    wom: np.ndarray  # (S,) word-of-mouth multiplier from last round's NPS
    prices: np.ndarray  # (S,)
    fresh: np.ndarray | None = None  # (T,) how much more a gap is felt after a rival's launch
    rivals: np.ndarray | None = None  # (S, R, T) the other companies' theme scores (a shared market)


def effective_scores(g_ours: np.ndarray, g_comp: np.ndarray, fresh: np.ndarray | None = None) -> np.ndarray:
    """(T,) or (S, T) our theme scores less the loss felt where the best competitor is ahead."""
    if g_comp.shape[0] == 0:
        return g_ours
    best = g_comp.max(axis=0)
    weight = LOSS_W if fresh is None else LOSS_W * fresh
    return g_ours - weight * np.maximum(best - g_ours, 0.0)


def _weighted(w: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """(m,) float32 sum over themes of w[t] * coef[t] for gathered needs `w` (T, m) and
    coefficients (T,) or one per customer (T, m), added theme after theme (float32 elementwise,
    so each customer's value is the same whichever customers are computed together)."""
    u = w[0] * coef[0]
    tmp = np.empty_like(u)
    for t in range(1, coef.shape[0]):
        np.multiply(w[t], coef[t], out=tmp)
        u += tmp
    return u


def _our_coef(mi: MarketInputs, si: int) -> np.ndarray:
    g_comp = mi.g_comp if mi.rivals is None else np.concatenate([mi.g_comp, mi.rivals[si]])
    return (BETA * effective_scores(mi.g_ours[si], g_comp, mi.fresh)).astype(np.float32)


def _our_coefs(mi: MarketInputs, s_count: int) -> np.ndarray:
    """(T, S) float32 `_our_coef` of every segment; without rivals (whose products differ by
    segment) all at once, element by element the same."""
    if mi.rivals is not None:
        return np.stack([_our_coef(mi, si) for si in range(s_count)], axis=1)
    return np.ascontiguousarray((BETA * effective_scores(mi.g_ours, mi.g_comp, mi.fresh)).astype(np.float32).T)


def _mean_competitor_reference(pop: Population, si: int, mi: MarketInputs, mean_need: np.ndarray) -> float:
    """Utility of the best competitor for the segment's average customer (the expectation bar)."""
    if mi.g_comp.shape[0] == 0 and mi.rivals is None:
        return float(mi.outside[si])
    ps = _mean_price_sens(pop)[si]
    best = max(
        (BETA * float(np.dot(mean_need, mi.g_comp[k])) - ps * float(mi.price_index[k])
         for k in range(mi.g_comp.shape[0])), default=-np.inf,
    )
    if mi.rivals is not None:  # a rival company's product, at the market's price (index 1)
        best = max(best, *(BETA * float(np.dot(mean_need, g)) - ps for g in mi.rivals[si]))
    return max(best, float(mi.outside[si]))


def _mean_price_sens(pop: Population) -> list[float]:
    """Each segment's mean price sensitivity, made once per population (customers' price
    sensitivities never change)."""
    kept = pop.__dict__.get("_mean_price_sens")
    if kept is None or kept[0] is not pop.price_sens:
        means = [float(pop.price_sens[a:b].astype(np.float64).sum() / max(b - a, 1)) for a, b in pop.bounds]
        kept = pop.__dict__["_mean_price_sens"] = (pop.price_sens, means)
    return kept[1]


def reference_utilities(pop: Population, mi: MarketInputs, mean_needs: np.ndarray) -> np.ndarray:
    return np.array([_mean_competitor_reference(pop, si, mi, mean_needs[si]) for si in range(len(pop.bounds))])


def _below(draw: np.ndarray, p: float) -> np.ndarray:
    """`draw < p` for float32 draws and a float64 `p`, compared as float64 (exactly: a float32
    is below p if and only if it is below the smallest float32 not below p), without making a
    float64 copy of the draws."""
    t = np.float32(p)
    if float(t) < p:
        t = np.nextafter(t, np.float32(np.inf))
    return draw < t


def step(pop: Population, mi: MarketInputs, ref: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Advance a one-company market one round in place (`step_companies` with one company)."""
    return step_companies(pop, None, [mi], [ref], rng)[0]


COUNTS = ("customers", "trials", "new_trials", "churned", "converted", "trials_before", "customers_before",
          "promoters", "detractors", "adopters")


def step_companies(pop: Population, owner: np.ndarray | None, mis: list[MarketInputs], refs: list[np.ndarray],
                   rng: np.random.Generator) -> list[dict[str, np.ndarray]]:
    """Advance the market one round in place, for every company at once. Returns each company's
    per-segment integer counts and sums (the market-wide ones, adopters and competitors'
    customers, are the same in each).

    `mis[c]` and `refs[c]` are company c's inputs and expectation bar; `owner` (int8, one per
    customer, -1 for none) says whose user each trial or customer is, and is kept up to date; it
    is None for one company. The competitors, adoption, switching and the outside option are the
    market's (taken from `mis[0]`).

    The draws are made segment after segment, in the order of the plain model (a segment's
    uniforms, then its choosers' uniforms, then the next segment's), and only the decisions
    that need them are taken there: what does not depend on a draw (users' utilities and
    satisfaction, the choosers' utilities) is computed for every segment at once, only for the
    customers who decide something this round. Decisions use detmath's fast exact paths, and
    every count is the one a pass over the segment would give."""
    n_co = len(mis)
    mi = mis[0]
    s_count = len(pop.bounds)
    k_count = mi.g_comp.shape[0]
    keys = n_co * s_count
    outs = [{k: np.zeros(s_count, np.int64) for k in COUNTS} for _ in range(n_co)]
    for out in outs:
        out["comp_customers"] = np.zeros((s_count, max(k_count, 1)), np.int64)
        out["sat_sum"] = np.zeros(s_count)
    if s_count == 0:
        return outs
    status = pop.status
    starts = np.array([a for a, _ in pop.bounds], dtype=np.int64)
    ends = np.array([b for _, b in pop.bounds], dtype=np.int64)
    coefs = [_our_coefs(m, s_count) for m in mis]  # each (T, S)
    comp_coef = [(BETA * mi.g_comp[k]).astype(np.float32) for k in range(k_count)]

    # the users (customers and trials) in customer order: each segment's are contiguous
    users = np.flatnonzero((status == OURS) | (status == TRIAL))
    u_cut = np.searchsorted(users, np.concatenate([starts, ends[-1:]]))
    u_seg = np.repeat(np.arange(s_count), np.diff(u_cut))
    u_co = None if n_co == 1 else owner[users].astype(np.int64)
    u_key = u_seg if u_co is None else u_co * s_count + u_seg  # (company, segment)
    is_ours = status[users] == OURS
    uu = _users_utility(pop, users, u_seg, u_co, coefs, mis)
    ref_u = _per_user(refs, u_co, u_seg)
    x = SAT_SLOPE * (uu.astype(np.float64) - ref_u) + SAT_BIAS + pop.temper[users]
    sat = detmath.quantized_sigmoid(x, _per_user([m.shock for m in mis], u_co, u_seg))
    pop.sat[users] = sat
    ours, trials = users[is_ours], users[~is_ours]
    s_ours = sat[is_ours].astype(np.float64)
    p_churn = np.minimum(pop.theta[ours].astype(np.float64) * (0.4 + 2.4 * (1.0 - s_ours)), 0.95)
    xa = ACT_SLOPE * (uu[~is_ours].astype(np.float64) - ref_u[~is_ours]) + ACT_BIAS
    o_cut = np.concatenate([[0], np.cumsum(is_ours)])[u_cut]  # segment bounds in `ours`
    t_cut = u_cut - o_cut  # ... and in `trials`
    was_none = status == NONE
    with_comp = status >= COMP0
    wom = mi.wom if u_co is None else _mixed_wom(mis, u_key, keys, s_count)
    churn = np.empty(ours.size, bool)
    conv = np.empty(trials.size, bool)
    none_after = np.zeros(s_count, np.int64)
    chooser_parts, uniform_parts = [], []

    for si in range(s_count):
        a, b = pop.bounds[si]
        n = b - a
        if n == 0:
            continue
        draw = rng.random(n, dtype=np.float32)
        o0, o1, t0, t1 = o_cut[si], o_cut[si + 1], t_cut[si], t_cut[si + 1]
        # churn of paying customers: shifted-beta-geometric propensity scaled by dissatisfaction
        churn[o0:o1] = draw[ours[o0:o1] - a] < p_churn[o0:o1]
        # trials convert or leave
        conv[t0:t1] = detmath.below_sigmoid(draw[trials[t0:t1] - a], xa[t0:t1])
        churned = int(np.count_nonzero(churn[o0:o1]))
        converted = int(np.count_nonzero(conv[t0:t1]))

        # who is choosing a product this round: Bass entrants and switchers from competitors
        none_mid = int(np.count_nonzero(was_none[a:b])) + churned + (t1 - t0) - converted
        hazard = min(float(mi.bass_p[si] + mi.bass_q[si] * ((n - none_mid) / n) * wom[si]), 1.0)
        entering = was_none[a:b] & (draw < hazard)
        none_after[si] = none_mid - int(np.count_nonzero(entering))
        choosers = np.flatnonzero(entering | (with_comp[a:b] & _below(draw, mi.switching[si])))
        if choosers.size:
            chooser_parts.append(choosers + a)
            uniform_parts.append(rng.random(choosers.size))

    # each company's counts before the changes (one company: read off the segment bounds)
    if u_co is None:
        out = outs[0]
        out["customers_before"][:] = np.diff(o_cut)
        out["trials_before"][:] = np.diff(t_cut)
        out["churned"][:] = [np.count_nonzero(churn[o_cut[si]:o_cut[si + 1]]) for si in range(s_count)]
        out["converted"][:] = [np.count_nonzero(conv[t_cut[si]:t_cut[si + 1]]) for si in range(s_count)]
    else:
        o_key, t_key = u_key[is_ours], u_key[~is_ours]
        _put(outs, "customers_before", o_key, keys, s_count)
        _put(outs, "trials_before", t_key, keys, s_count)
        _put(outs, "churned", o_key[churn], keys, s_count)
        _put(outs, "converted", t_key[conv], keys, s_count)
    # the draws are made: every segment's changes at once (the sets changed are disjoint)
    churned = ours[churn]
    status[churned] = NONE
    pop.tenure[churned] = 0
    pop.tenure[ours[~churn]] += 1
    status[trials[conv]] = OURS
    pop.tenure[trials[conv]] = 1
    status[trials[~conv]] = NONE
    if owner is not None:
        owner[churned] = -1
        owner[trials[~conv]] = -1
    if chooser_parts:
        choosers = np.concatenate(chooser_parts)
        c_seg = np.searchsorted(ends, choosers, side="right")
        w = pop.needs.take(choosers, axis=1)
        ps = pop.price_sens[choosers].astype(np.float64)
        utils = np.empty((n_co + k_count + 1, choosers.size))
        for c in range(n_co):
            utils[c] = _ours_by_segment(pop, choosers, c_seg, coefs[c], mis[c], w)
        for k in range(k_count):
            utils[n_co + k] = _weighted(w, comp_coef[k]).astype(np.float64) - ps * float(mi.price_index[k])
        utils[n_co + k_count] = np.array([float(v) for v in mi.outside])[c_seg]
        pick = detmath.logit_pick(utils, np.concatenate(uniform_parts))  # index of the chosen option
        new_status = np.where(pick < n_co, TRIAL, np.where(pick == n_co + k_count, NONE, COMP0 + pick - n_co))
        status[choosers] = new_status.astype(np.int8)
        tried = pick < n_co
        if owner is not None:
            owner[choosers] = np.where(tried, pick, -1).astype(owner.dtype)
        _put(outs, "new_trials", (pick * s_count + c_seg)[tried], keys, s_count)
        none_after += np.bincount(c_seg[pick == n_co + k_count], minlength=s_count)

    # every trial now is a new one; customers are the users who stayed or converted
    stays = is_ours.copy()
    stays[is_ours] = ~churn
    stays[~is_ours] = conv
    s_now = sat[stays]
    n_key = u_key[stays]
    if u_co is None:
        outs[0]["customers"][:] = outs[0]["customers_before"] - outs[0]["churned"] + outs[0]["converted"]
    else:
        _put(outs, "customers", n_key, keys, s_count)
    _put(outs, "promoters", n_key[s_now >= PROMOTER], keys, s_count)
    _put(outs, "detractors", n_key[s_now < DETRACTOR], keys, s_count)
    if u_co is not None:  # each company's customers together, in customer order
        order = np.argsort(n_key, kind="stable")
        s_now, n_key = s_now[order], n_key[order]
    n_cut = np.searchsorted(n_key, np.arange(keys + 1))
    adopters = np.zeros(s_count, np.int64)
    comp_customers = np.zeros((s_count, max(k_count, 1)), np.int64)
    for si in range(s_count):
        a, b = pop.bounds[si]
        if b == a:
            continue
        for c, out in enumerate(outs):
            lo, hi = n_cut[c * s_count + si], n_cut[c * s_count + si + 1]
            out["sat_sum"][si] = float(s_now[lo:hi].astype(np.float64).sum())
        adopters[si] = (b - a) - none_after[si]
        for k in range(k_count):
            comp_customers[si, k] = int(np.count_nonzero(status[a:b] == COMP0 + k))
    for out in outs:
        out["trials"][:] = out["new_trials"]
        out["adopters"][:] = adopters
        out["comp_customers"][:] = comp_customers
    return outs


def _put(outs: list[dict[str, np.ndarray]], name: str, key: np.ndarray, keys: int, s_count: int) -> None:
    """Count `key` (company * S + segment) into each company's per-segment `name`."""
    counts = np.bincount(key, minlength=keys)
    for c, out in enumerate(outs):
        out[name][:] = counts[c * s_count:(c + 1) * s_count]


def _per_user(values: list[np.ndarray], u_co: np.ndarray | None, u_seg: np.ndarray) -> np.ndarray:
    """(m,) float64 each user's own company's per-segment value."""
    if u_co is None:
        return np.asarray(values[0], dtype=np.float64)[u_seg]
    return np.asarray(values, dtype=np.float64)[u_co, u_seg]


def _users_utility(pop: Population, users: np.ndarray, u_seg: np.ndarray, u_co: np.ndarray | None,
                   coefs: list[np.ndarray], mis: list[MarketInputs]) -> np.ndarray:
    """(m,) float32 each user's utility for their own company's product (element by element, so
    the same whichever users are computed together)."""
    if u_co is None:
        return _ours_by_segment(pop, users, u_seg, coefs[0], mis[0])
    uu = np.empty(users.size, np.float32)
    for c in range(len(mis)):
        mine = u_co == c
        uu[mine] = _ours_by_segment(pop, users[mine], u_seg[mine], coefs[c], mis[c])
    return uu


def _mixed_wom(mis: list[MarketInputs], u_key: np.ndarray, keys: int, s_count: int) -> np.ndarray:
    """(S,) the word of mouth that draws entrants into each segment: the companies' own (from
    their NPS), weighted by how many users each has there (equally where none has any)."""
    users = np.bincount(u_key, minlength=keys).reshape(len(mis), s_count).astype(np.float64)
    w = np.array([np.asarray(m.wom, dtype=np.float64) for m in mis])
    total = users.sum(axis=0)
    mixed = (users * w).sum(axis=0) / np.maximum(total, 1.0)
    return np.where(total > 0, mixed, w.mean(axis=0))


def company_inputs(pop: Population, games: list) -> tuple[list[MarketInputs], list[np.ndarray]]:
    """Each company's market inputs and expectation bar for this round (`games`: each company's
    Game, whose `market_inputs()` describe its product): with more than one company, each one's
    rivals' products are competitors to its customers."""
    mis = [g.market_inputs() for g in games]
    if len(mis) > 1:
        scores = [m.g_ours for m in mis]
        for c, m in enumerate(mis):
            m.rivals = np.stack([g for j, g in enumerate(scores) if j != c], axis=1)
    refs = [reference_utilities(pop, m, g.true_need_means()) for g, m in zip(games, mis, strict=True)]
    return mis, refs


def _ours_by_segment(pop: Population, idx: np.ndarray, seg: np.ndarray, coef: np.ndarray,
                     mi: MarketInputs, w: np.ndarray | None = None) -> np.ndarray:
    """(m,) float32 utility of our product for customers `idx` of segments `seg`, with each
    customer's own segment's coefficients (`coef` (T, S)), element by element."""
    if idx.size == 0:
        return np.zeros(0, np.float32)
    w = pop.needs.take(idx, axis=1) if w is None else w
    u = _weighted(w, coef.take(seg, axis=1))  # each customer's segment's coefficients (T, m)
    u -= pop.price_sens[idx]
    u += np.float32(USABILITY_W * (mi.usability - 0.6))
    a = pop.assistive[idx].astype(np.float32)
    a *= np.float32(ACCESS_W * (mi.accessibility - ACCESS_REF))
    u += a
    return u
