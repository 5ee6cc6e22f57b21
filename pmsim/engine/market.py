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


def _weighted(w: np.ndarray, coef: np.ndarray, cut: np.ndarray | None = None, out: np.ndarray | None = None
              ) -> np.ndarray:
    """(m,) float32 sum over themes of w[t] * coef[t] for gathered needs `w` (T, m), added theme
    after theme (float32 elementwise, so each customer's value is the same whichever customers
    are computed together). `coef` is (T,), or (T, S) with `cut` (S + 1,) the segments' bounds in
    w's columns: each customer's own segment's column. The products are made in `out` (T, m)
    (which may be `w` itself, then used up) and summed into its row 0, which is returned."""
    p = np.empty_like(w) if out is None else out
    if cut is None:
        np.multiply(w, coef[:, None], out=p)
    else:
        for si in range(cut.size - 1):
            lo, hi = cut[si], cut[si + 1]
            if hi > lo:
                np.multiply(w[:, lo:hi], coef[:, si:si + 1], out=p[:, lo:hi])
    u = p[0]
    for t in range(1, p.shape[0]):
        u += p[t]
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
    ps = pop.mean_price_sens()[si]
    best = max(
        (BETA * float(np.dot(mean_need, mi.g_comp[k])) - ps * float(mi.price_index[k])
         for k in range(mi.g_comp.shape[0])), default=-np.inf,
    )
    if mi.rivals is not None:  # a rival company's product, at the market's price (index 1)
        best = max(best, *(BETA * float(np.dot(mean_need, g)) - ps for g in mi.rivals[si]))
    return max(best, float(mi.outside[si]))


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


# the mode of the gathers by customer index: the indices come from the population itself, so they
# are in range, and "clip" (which leaves them as they are) skips numpy's check of each index
_IN_RANGE = "clip"

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
    bounds = pop.bounds
    s_count = len(bounds)
    k_count = mi.g_comp.shape[0]
    keys = n_co * s_count
    outs = [{k: np.zeros(s_count, np.int64) for k in COUNTS} for _ in range(n_co)]
    for out in outs:
        out["comp_customers"] = np.zeros((s_count, max(k_count, 1)), np.int64)
        out["sat_sum"] = np.zeros(s_count)
    if s_count == 0:
        return outs
    status = pop.status
    edges = np.array([a for a, _ in bounds] + [bounds[-1][1]], dtype=np.int64)  # segment starts, and the end
    coefs = [_our_coefs(m, s_count) for m in mis]  # each (T, S)
    comp_coef = [(BETA * mi.g_comp[k]).astype(np.float32) for k in range(k_count)]

    # the users (customers and trials) in customer order: each segment's are contiguous
    users = np.flatnonzero(_is_user(status))
    u_cut = np.searchsorted(users, edges)
    u_count = np.diff(u_cut)  # users per segment
    u_co = u_key = None
    if n_co > 1:
        u_co = owner.take(users, mode=_IN_RANGE).astype(np.int64)
        u_key = u_co * s_count + np.repeat(np.arange(s_count), u_count)  # (company, segment)
    is_ours = status.take(users, mode=_IN_RANGE) == OURS
    not_ours = ~is_ours
    uu = _users_utility(pop, users, u_cut, u_co, coefs, mis, edges)
    # SAT_SLOPE * (uu - ref) + SAT_BIAS + temper, and ACT_SLOPE * (uu - ref) + ACT_BIAS for the
    # trials, operation after operation in place
    x = uu.astype(np.float64)
    x -= _per_user(refs, u_co, u_key, u_count)
    xa = x.compress(not_ours)
    xa *= ACT_SLOPE
    xa += ACT_BIAS
    x *= SAT_SLOPE
    x += SAT_BIAS
    x += pop.temper.take(users, mode=_IN_RANGE)
    sat = detmath.quantized_sigmoid(x, _per_user([m.shock for m in mis], u_co, u_key, u_count))
    pop.sat[users] = sat
    ours, trials = users.compress(is_ours), users.compress(not_ours)
    # min(theta * (0.4 + 2.4 * (1 - sat)), 0.95)
    p_churn = np.subtract(1.0, sat.compress(is_ours), dtype=np.float64)
    p_churn *= 2.4
    p_churn += 0.4
    p_churn *= pop.theta.take(ours, mode=_IN_RANGE)
    np.minimum(p_churn, 0.95, out=p_churn)
    s_act = detmath.fast_sigmoid(xa)  # the trials' conversion probabilities, decided on in the loop
    o_cut = np.searchsorted(ours, edges)  # segment bounds in `ours`
    t_cut = np.searchsorted(trials, edges)  # ... and in `trials`
    was_none = status == NONE
    with_comp = status >= COMP0
    wom = mi.wom if u_co is None else _mixed_wom(mis, u_key, keys, s_count)
    churn = np.empty(ours.size, bool)
    conv = np.empty(trials.size, bool)
    churned_n = np.zeros(s_count, np.int64)
    converted_n = np.zeros(s_count, np.int64)
    none_after = np.zeros(s_count, np.int64)
    c_cut = np.zeros(s_count + 1, np.int64)  # segment bounds in the choosers
    chooser_parts, uniform_parts = [], []

    for si in range(s_count):
        a, b = bounds[si]
        n = b - a
        c_cut[si + 1] = c_cut[si]
        if n == 0:
            continue
        draw = rng.random(n, dtype=np.float32)
        o0, o1, t0, t1 = o_cut[si], o_cut[si + 1], t_cut[si], t_cut[si + 1]
        # churn of paying customers: shifted-beta-geometric propensity scaled by dissatisfaction
        if o1 > o0:
            np.less(draw.take(ours[o0:o1] - a, mode=_IN_RANGE), p_churn[o0:o1], out=churn[o0:o1])
            churned_n[si] = np.count_nonzero(churn[o0:o1])
        # trials convert or leave
        if t1 > t0:
            conv[t0:t1] = detmath.below(draw.take(trials[t0:t1] - a, mode=_IN_RANGE), s_act[t0:t1], xa[t0:t1])
            converted_n[si] = np.count_nonzero(conv[t0:t1])
        churned, converted = int(churned_n[si]), int(converted_n[si])

        # who is choosing a product this round: Bass entrants and switchers from competitors
        none_mid = int(np.count_nonzero(was_none[a:b])) + churned + (t1 - t0) - converted
        hazard = min(float(mi.bass_p[si] + mi.bass_q[si] * ((n - none_mid) / n) * wom[si]), 1.0)
        entering = draw < hazard
        entering &= was_none[a:b]
        none_after[si] = none_mid - int(np.count_nonzero(entering))
        choosing = _below(draw, mi.switching[si])
        choosing &= with_comp[a:b]
        choosing |= entering
        choosers = np.flatnonzero(choosing)
        if choosers.size:
            choosers += a
            chooser_parts.append(choosers)
            uniform_parts.append(rng.random(choosers.size))
            c_cut[si + 1] += choosers.size

    # each company's counts before the changes (one company: read off the segment bounds)
    if u_co is None:
        out = outs[0]
        out["customers_before"][:] = np.diff(o_cut)
        out["trials_before"][:] = np.diff(t_cut)
        out["churned"][:] = churned_n
        out["converted"][:] = converted_n
    else:
        o_key, t_key = u_key[is_ours], u_key[not_ours]
        _put(outs, "customers_before", o_key, keys, s_count)
        _put(outs, "trials_before", t_key, keys, s_count)
        _put(outs, "churned", o_key[churn], keys, s_count)
        _put(outs, "converted", t_key[conv], keys, s_count)
    # the draws are made: every segment's changes at once (the sets changed are disjoint)
    churned = ours.compress(churn)
    converted = trials.compress(conv)
    older = pop.tenure.take(ours, mode=_IN_RANGE)  # those who stay are one quarter older; the churned are set to 0 below
    older += 1
    pop.tenure[ours] = older
    pop.tenure[churned] = 0
    status[churned] = NONE
    status[trials] = NONE  # trials that do not convert leave ...
    status[converted] = OURS  # ... the others become customers
    pop.tenure[converted] = 1
    if owner is not None:
        owner[churned] = -1
        owner[trials[~conv]] = -1
    if chooser_parts:
        choosers = chooser_parts[0] if len(chooser_parts) == 1 else np.concatenate(chooser_parts)
        w = pop.needs.take(choosers, axis=1, mode=_IN_RANGE)
        ps = pop.price_sens.take(choosers, mode=_IN_RANGE)
        ps64 = ps.astype(np.float64)
        none_opt = n_co + k_count  # the outside option's index
        utils = np.empty((none_opt + 1, choosers.size))
        scratch = np.empty_like(w)  # each option's products in turn
        for c in range(n_co):
            utils[c] = _utility(pop, choosers, c_cut, coefs[c], mis[c], w, ps, scratch)
        for k in range(k_count):
            np.subtract(_weighted(w, comp_coef[k], out=scratch), ps64 * float(mi.price_index[k]), out=utils[n_co + k])
        for si in range(s_count):
            utils[none_opt, c_cut[si]:c_cut[si + 1]] = float(mi.outside[si])
        pick = detmath.logit_pick(utils, uniform_parts[0] if len(uniform_parts) == 1 else np.concatenate(uniform_parts))
        # the status each option gives (one past the last option is never picked; it maps as the
        # formula COMP0 + pick - n_co would)
        new_status = np.array([TRIAL] * n_co + [COMP0 + k for k in range(k_count)] + [NONE, COMP0 + k_count + 1],
                              dtype=np.int8)
        status[choosers] = new_status.take(pick)
        tried = pick < n_co
        if owner is not None:
            owner[choosers] = np.where(tried, pick, -1).astype(owner.dtype)
            c_seg = np.repeat(np.arange(s_count), np.diff(c_cut))
            _put(outs, "new_trials", (pick * s_count + c_seg)[tried], keys, s_count)
        else:
            outs[0]["new_trials"][:] = _segment_counts(tried, c_cut)
        none_after += _segment_counts(pick == none_opt, c_cut)

    # every trial now is a new one; customers are the users who stayed or converted
    stays = np.empty(users.size, bool)
    np.place(stays, is_ours, ~churn)
    np.place(stays, not_ours, conv)
    s_now = sat.compress(stays)
    if u_co is None:
        out = outs[0]
        out["customers"][:] = out["customers_before"] - out["churned"] + out["converted"]
        n_cut = np.zeros(s_count + 1, np.int64)
        np.cumsum(out["customers"], out=n_cut[1:])
        out["promoters"][:] = _segment_counts(s_now >= PROMOTER, n_cut)
        out["detractors"][:] = _segment_counts(s_now < DETRACTOR, n_cut)
    else:
        n_key = u_key[stays]
        _put(outs, "customers", n_key, keys, s_count)
        _put(outs, "promoters", n_key[s_now >= PROMOTER], keys, s_count)
        _put(outs, "detractors", n_key[s_now < DETRACTOR], keys, s_count)
        order = np.argsort(n_key, kind="stable")  # each company's customers together, in customer order
        s_now, n_key = s_now[order], n_key[order]
        n_cut = np.searchsorted(n_key, np.arange(keys + 1))
    adopters = np.zeros(s_count, np.int64)
    comp_customers = np.zeros((s_count, max(k_count, 1)), np.int64)
    for si in range(s_count):
        a, b = bounds[si]
        if b == a:
            continue
        for c, out in enumerate(outs):
            lo, hi = n_cut[c * s_count + si], n_cut[c * s_count + si + 1]
            out["sat_sum"][si] = float(s_now[lo:hi].astype(np.float64).sum())
        adopters[si] = (b - a) - none_after[si]
        st = status[a:b]
        for k in range(k_count):
            comp_customers[si, k] = int(np.count_nonzero(st == COMP0 + k))
    for out in outs:
        out["trials"][:] = out["new_trials"]
        out["adopters"][:] = adopters
        out["comp_customers"][:] = comp_customers
    return outs


def _is_user(status: np.ndarray) -> np.ndarray:
    """`(status == OURS) | (status == TRIAL)` in one comparison: TRIAL and OURS are 1 and 2, so
    status - 1 (wrapping, as bytes) is below 2 for them only."""
    return np.subtract(status.view(np.uint8), np.uint8(TRIAL), dtype=np.uint8) < OURS - TRIAL + 1


def _segment_counts(mask: np.ndarray, cut: np.ndarray) -> list[int]:
    """How many of `mask` are set in each segment's slice (`cut` (S + 1,) the bounds)."""
    return [int(np.count_nonzero(mask[cut[si]:cut[si + 1]])) for si in range(cut.size - 1)]


def _put(outs: list[dict[str, np.ndarray]], name: str, key: np.ndarray, keys: int, s_count: int) -> None:
    """Count `key` (company * S + segment) into each company's per-segment `name`."""
    counts = np.bincount(key, minlength=keys)
    for c, out in enumerate(outs):
        out[name][:] = counts[c * s_count:(c + 1) * s_count]


def _per_user(values: list[np.ndarray], u_co: np.ndarray | None, u_key: np.ndarray | None,
              u_count: np.ndarray) -> np.ndarray:
    """(m,) float64 each user's own company's per-segment value (`u_key`: each user's company * S
    + segment; one company: None, and `u_count` users in each segment, in order)."""
    if u_co is None:
        return np.repeat(np.asarray(values[0], dtype=np.float64), u_count)
    return np.asarray(values, dtype=np.float64).reshape(-1).take(u_key)


def _users_utility(pop: Population, users: np.ndarray, u_cut: np.ndarray, u_co: np.ndarray | None,
                   coefs: list[np.ndarray], mis: list[MarketInputs], edges: np.ndarray) -> np.ndarray:
    """(m,) float32 each user's utility for their own company's product (element by element, so
    the same whichever users are computed together). `u_cut`: each segment's bounds in `users`;
    `edges`: the segments' bounds in the population."""
    if u_co is None:
        return _utility(pop, users, u_cut, coefs[0], mis[0])
    uu = np.empty(users.size, np.float32)
    for c in range(len(mis)):
        mine = np.flatnonzero(u_co == c)
        idx = users[mine]
        uu[mine] = _utility(pop, idx, np.searchsorted(idx, edges), coefs[c], mis[c])
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


def _utility(pop: Population, idx: np.ndarray, cut: np.ndarray, coef: np.ndarray, mi: MarketInputs,
             w: np.ndarray | None = None, ps: np.ndarray | None = None, scratch: np.ndarray | None = None
             ) -> np.ndarray:
    """(m,) float32 utility of our product for customers `idx` (in customer order, so those of
    segment s are idx[cut[s]:cut[s + 1]]), with each one's own segment's coefficients (`coef`
    (T, S)), element by element. `w` and `ps` are their needs and price sensitivities, if
    already gathered (`w` is then kept, and `scratch`, like it, used for the products)."""
    if idx.size == 0:
        return np.zeros(0, np.float32)
    if w is None:
        w = scratch = pop.needs.take(idx, axis=1, mode=_IN_RANGE)
    u = _weighted(w, coef, cut, scratch)
    u -= pop.price_sens.take(idx, mode=_IN_RANGE) if ps is None else ps
    u += np.float32(USABILITY_W * (mi.usability - 0.6))
    # 1.0 or 0.0 (float32) times the weight, as assistive.astype(float32) * weight
    u += np.multiply(pop.assistive.take(idx, mode=_IN_RANGE), np.float32(ACCESS_W * (mi.accessibility - ACCESS_REF)), dtype=np.float32)
    return u
