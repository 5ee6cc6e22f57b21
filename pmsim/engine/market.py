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


def effective_scores(g_ours: np.ndarray, g_comp: np.ndarray, fresh: np.ndarray | None = None) -> np.ndarray:
    """(T,) or (S, T) our theme scores less the loss felt where the best competitor is ahead."""
    if g_comp.shape[0] == 0:
        return g_ours
    best = g_comp.max(axis=0)
    weight = LOSS_W if fresh is None else LOSS_W * fresh
    return g_ours - weight * np.maximum(best - g_ours, 0.0)


def _weighted(w: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """(m,) float32 sum over themes of w[t] * coef[t] for gathered needs `w` (T, m), added theme
    after theme (float32 elementwise, so each customer's value is the same whichever customers
    are computed together)."""
    u = w[0] * coef[0]
    tmp = np.empty_like(u)
    for t in range(1, coef.shape[0]):
        np.multiply(w[t], coef[t], out=tmp)
        u += tmp
    return u


def _ours(pop: Population, idx: np.ndarray, w: np.ndarray, coef: np.ndarray, mi: MarketInputs) -> np.ndarray:
    """(m,) float32 utility of our product for the customers `idx` (global), needs `w` (T, m)."""
    u = _weighted(w, coef)
    u -= pop.price_sens[idx]
    u += np.float32(USABILITY_W * (mi.usability - 0.6))
    a = pop.assistive[idx].astype(np.float32)
    a *= np.float32(ACCESS_W * (mi.accessibility - ACCESS_REF))
    u += a
    return u


def _our_coef(mi: MarketInputs, si: int) -> np.ndarray:
    return (BETA * effective_scores(mi.g_ours[si], mi.g_comp, mi.fresh)).astype(np.float32)


def _our_utility(pop: Population, si: int, mi: MarketInputs) -> np.ndarray:
    """(n,) float32 utility of our product for every customer of segment `si`."""
    a, b = pop.bounds[si]
    idx = np.arange(a, b)
    return _ours(pop, idx, pop.needs[:, a:b], _our_coef(mi, si), mi)


def _mean_competitor_reference(pop: Population, si: int, mi: MarketInputs, mean_need: np.ndarray) -> float:
    """Utility of the best competitor for the segment's average customer (the expectation bar)."""
    if mi.g_comp.shape[0] == 0:
        return float(mi.outside[si])
    a, b = pop.bounds[si]
    ps = float(pop.price_sens[a:b].astype(np.float64).sum() / max(b - a, 1))
    best = max(
        BETA * float(np.dot(mean_need, mi.g_comp[k])) - ps * float(mi.price_index[k])
        for k in range(mi.g_comp.shape[0])
    )
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
    """Advance the market one round in place. Returns per-segment integer counts and sums.

    Segment after segment (a segment's draws come before the next's). Only the customers who
    decide something this round (our users, and those choosing a product) have their utilities
    computed, the logistic and logit decisions use detmath's fast exact paths, and every count
    is the one a pass over the segment would give."""
    s_count = len(pop.bounds)
    k_count = mi.g_comp.shape[0]
    out = {k: np.zeros(s_count, np.int64) for k in (
        "customers", "trials", "new_trials", "churned", "converted", "trials_before",
        "customers_before", "promoters", "detractors", "adopters")}
    out["comp_customers"] = np.zeros((s_count, max(k_count, 1)), np.int64)
    out["sat_sum"] = np.zeros(s_count)
    comp_coef = [(BETA * mi.g_comp[k]).astype(np.float32) for k in range(k_count)]
    for si in range(s_count):
        a, b = pop.bounds[si]
        n = b - a
        if n == 0:
            continue
        st = pop.status[a:b]
        coef = _our_coef(mi, si)
        draw = rng.random(n, dtype=np.float32)
        # our users (customers and trials), in customer order
        users = np.flatnonzero((st == OURS) | (st == TRIAL))
        is_ours = st[users] == OURS
        ours, trials = users[is_ours], users[~is_ours]
        was_none = st == NONE
        none_before = int(np.count_nonzero(was_none))
        out["customers_before"][si] = ours.size
        out["trials_before"][si] = trials.size

        # satisfaction of everyone who uses our product now
        gu = users + a
        uu = _ours(pop, gu, pop.needs.take(gu, axis=1), coef, mi)
        x = SAT_SLOPE * (uu.astype(np.float64) - ref[si]) + SAT_BIAS + pop.temper[gu]
        sat = detmath.quantized_sigmoid(x, mi.shock[si])
        pop.sat[gu] = sat
        d = draw[users]

        # churn of paying customers: shifted-beta-geometric propensity scaled by dissatisfaction
        s_ours = sat[is_ours].astype(np.float64)
        p_churn = np.minimum(pop.theta[a + ours].astype(np.float64) * (0.4 + 2.4 * (1.0 - s_ours)), 0.95)
        churn = d[is_ours] < p_churn
        churned = ours[churn]
        st[churned] = NONE
        pop.tenure[a + churned] = 0
        pop.tenure[a + ours[~churn]] += 1
        out["churned"][si] = churned.size

        # trials convert or leave
        xa = ACT_SLOPE * (uu[~is_ours].astype(np.float64) - ref[si]) + ACT_BIAS
        conv = detmath.below_sigmoid(d[~is_ours], xa)
        st[trials[conv]] = OURS
        pop.tenure[a + trials[conv]] = 1
        st[trials[~conv]] = NONE
        converted = int(np.count_nonzero(conv))
        out["converted"][si] = converted
        stays = is_ours.copy()  # our customers after this round, among the users
        stays[is_ours] = ~churn
        stays[~is_ours] = conv

        # who is choosing a product this round: Bass entrants and switchers from competitors
        none_mid = none_before + churned.size + trials.size - converted
        adopted = n - none_mid
        hazard = min(float(mi.bass_p[si] + mi.bass_q[si] * (adopted / n) * mi.wom[si]), 1.0)
        entering = was_none & (draw < hazard)
        entrants = int(np.count_nonzero(entering))
        choosers = np.flatnonzero(entering | ((st >= COMP0) & _below(draw, mi.switching[si])))
        none_after = none_mid - entrants
        if choosers.size:
            gc = choosers + a
            w = pop.needs.take(gc, axis=1)
            ps = pop.price_sens[gc].astype(np.float64)
            utils = np.empty((k_count + 2, choosers.size))
            utils[0] = _ours(pop, gc, w, coef, mi)
            for k in range(k_count):
                utils[1 + k] = _weighted(w, comp_coef[k]).astype(np.float64) - ps * float(mi.price_index[k])
            utils[k_count + 1] = float(mi.outside[si])
            pick = detmath.logit_pick(utils, rng.random(choosers.size))  # index of the chosen option
            new_status = np.where(pick == 0, TRIAL, np.where(pick == k_count + 1, NONE, COMP0 + pick - 1))
            st[choosers] = new_status.astype(np.int8)
            out["new_trials"][si] = int(np.count_nonzero(pick == 0))
            none_after += int(np.count_nonzero(pick == k_count + 1))

        # every trial now is a new one; our customers are the users who stayed or converted
        ours_now = users[stays]
        s_now = pop.sat[a + ours_now]
        out["customers"][si] = ours_now.size
        out["trials"][si] = out["new_trials"][si]
        out["promoters"][si] = int(np.count_nonzero(s_now >= PROMOTER))
        out["detractors"][si] = int(np.count_nonzero(s_now < DETRACTOR))
        out["sat_sum"][si] = float(s_now.astype(np.float64).sum())
        out["adopters"][si] = n - none_after
        for k in range(k_count):
            out["comp_customers"][si, k] = int(np.count_nonzero(st == COMP0 + k))
    return out
