"""Research: noisy evidence whose noise shrinks with sample size, from its own random stream.

Each study samples real simulated customers. Its draws come from the research stream keyed by
(round, study number), never from the market's, so buying research never changes the market.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from pmsim.engine import text
from pmsim.engine.hinges import spike_informs
from pmsim.engine.market import ACT_SLOPE, BETA, shipped_gain
from pmsim.engine.population import OURS
from pmsim.engine.rng import stream
from pmsim.engine.state import IllegalAction
from pmsim.engine.values import KANO_ORDER, VOTE_ACCURACY

if TYPE_CHECKING:
    from pmsim.engine.actions import Research
    from pmsim.engine.protocols import GameLike as Game  # the narrow protocol, not game.py

LIMITS = {
    "survey": (30, 5000),
    "interviews": (1, 30),
    "usability_test": (1, 20),
    "ab_test": (200, 50000),
    "competitive_analysis": (0, 0),
    "spike": (0, 0),
}
DISCOVERY_RATE = 0.31  # Nielsen & Landauer: share of problems one test user finds
RESPONSE_NOISE = 0.04
CA_HORIZON = 2  # quarters ahead a competitive analysis sees a rival's launch (hiring, betas, patents)
MAX_STUDIES_PER_ROUND = 20
IMPACT_GUESS_SD = 0.75  # log-sd of the design team's first guess at a feature's value
# A survey asks every respondent how much each feature would matter to them: with n answers the
# feature's impact is measured with log-sd SURVEY_IMPACT_SD * sqrt(100 / n), combined with what
# the team believed before by precision (the same rule as for needs).
SURVEY_IMPACT_SD = 0.25


def cost(game: Game, a: Research) -> tuple[float, float]:
    """(budget $k, capacity engineer-weeks) a study costs."""
    m = a.method
    if m == "survey":
        return round(4 + 0.015 * a.n, 6), 0.0
    if m == "interviews":
        return round(1.5 * a.n, 6), 0.0
    if m == "usability_test":
        return round(2 + 0.6 * a.n, 6), 0.0
    if m == "ab_test":
        return round(3 + 0.0004 * a.n, 6), 0.0
    if m == "competitive_analysis":
        return 8.0, 0.0
    if m == "spike":
        f = game.state.features[a.feature]
        return 0.0, round(max(0.5, 0.1 * f.estimate), 1)
    raise AssertionError(m)


def check(game: Game, a: Research) -> None:
    st = game.state
    sc = game.scenario
    if a.method not in LIMITS:
        raise IllegalAction("bad_method", f"unknown research method {a.method!r}")
    lo, hi = LIMITS[a.method]
    if hi and not (lo <= a.n <= hi):
        raise IllegalAction("bad_sample", f"{a.method} takes a sample of {lo} to {hi}")
    if st.research_count >= MAX_STUDIES_PER_ROUND:
        raise IllegalAction("too_many_studies", f"at most {MAX_STUDIES_PER_ROUND} studies a round")
    if a.method in ("survey", "interviews"):
        if a.segment not in sc.segment_ids():
            raise IllegalAction("unknown_segment", f"{a.method} needs a segment: one of {', '.join(sc.segment_ids())}")
        lo_i, hi_i = st.pop.bounds[sc.segment_ids().index(a.segment)]
        if hi_i <= lo_i:
            raise IllegalAction("empty_segment", f"segment {a.segment!r} has no customers to ask")
    if a.method in ("usability_test", "ab_test", "spike"):
        f = st.features.get(a.feature or "")
        if f is None:
            raise IllegalAction("unknown_feature", f"{a.method} needs a feature")
        if a.method == "ab_test" and f.status != "shipped":
            raise IllegalAction("not_shipped", "an A/B test needs a shipped feature")
        if a.method in ("usability_test", "spike") and f.status == "shipped":
            raise IllegalAction("shipped", f"a {a.method.replace('_', ' ')} is for features not yet shipped")
        if a.method == "spike" and f.spiked:
            raise IllegalAction("already_spiked", "this feature has had its spike")
    if a.method == "competitive_analysis" and a.competitor is not None:
        if a.competitor not in [c.id for c in sc.market.competitors]:
            raise IllegalAction("unknown_competitor", f"no competitor {a.competitor!r}")
    if a.method == "competitive_analysis" and not sc.market.competitors:
        raise IllegalAction("no_competitors", "this market has no competitors to analyse")
    money, weeks = cost(game, a)
    if money > st.budget + 1e-9:
        raise IllegalAction("over_budget", f"costs ${money:.1f}k; ${st.budget:.1f}k of research budget left")
    if weeks and game.capacity_left() < weeks - 1e-9:
        raise IllegalAction("over_capacity", f"a spike takes {weeks:.1f} wk; {game.capacity_left():.1f} wk left")


def run(game: Game, a: Research) -> dict[str, Any]:
    st = game.state
    money, weeks = cost(game, a)
    rng = stream(st.seed, "research", st.round, st.research_count)
    st.research_count += 1
    st.budget = round(st.budget - money, 6)
    st.spike_used = round(st.spike_used + weeks, 6)
    result = {"round": st.round, "method": a.method, "n": a.n, "cost": money, "weeks": weeks,
              "segment": a.segment, "feature": a.feature, "competitor": a.competitor}
    fresh = _fresh(game, a, weeks)
    result.update(_METHODS[a.method](game, a, rng))
    # a study told something new if it asked a question not yet answered, or found something
    result["informative"] = bool(fresh or result.get("moves") or any((result.get("found") or {}).values()))
    st.research_results.append(result)
    return result


def expected_yield(a: Research) -> dict[str, float]:
    """What a study will tell, known before buying it: a survey's worst-case 95% margin (a share
    near 50%) and an A/B test's, in percentage points; a usability test's expected share of the
    defects found. Empty for the other methods."""
    if a.method == "survey":
        return {"margin_pp": 196 * math.sqrt(0.25 / a.n)}
    if a.method == "ab_test":
        return {"margin_pp": 196 * _ab_se(a.n)}
    if a.method == "usability_test":
        return {"found_share": 1.0 - (1.0 - DISCOVERY_RATE) ** a.n}
    return {}


SURVEY_SATURATION = 1000  # respondents per segment past which a survey tells little new
INTERVIEW_SATURATION = 30  # interviews per segment past which themes repeat


def _fresh(game: Game, a: Research, weeks: float = 0.0) -> bool:
    """Whether a study asks something the player's research has not already settled (for a
    spike, of `weeks`: whether a plan hinges on the item's size, see hinges.spike_informs)."""
    st = game.state
    sc = game.scenario
    past = st.research_results
    if a.method == "survey":
        return int(st.beliefs.survey_n[sc.segment_ids().index(a.segment)]) < SURVEY_SATURATION
    if a.method == "interviews":
        return int(st.beliefs.interview_n[sc.segment_ids().index(a.segment)]) < INTERVIEW_SATURATION
    if a.method in ("usability_test", "ab_test"):
        return not any(x["method"] == a.method and x["feature"] == a.feature for x in past)
    if a.method == "competitive_analysis":
        return not any(x["method"] == a.method and x["round"] >= st.round - 1
                       and x["competitor"] in (None, a.competitor) for x in past)
    # a spike (one per feature) tells a decision something only where a plan hinges on the item
    return spike_informs(game, a.feature, game.capacity_left() + weeks)


def _sample(game: Game, si: int, n: int, rng: np.random.Generator) -> np.ndarray:
    a, b = game.state.pop.bounds[si]
    return a + rng.integers(0, b - a, n)


def _survey(game: Game, a: Research, rng) -> dict[str, Any]:
    st = game.state
    si = game.scenario.segment_ids().index(a.segment)
    idx = np.sort(_sample(game, si, a.n, rng))
    w = st.pop.needs[:, idx].astype(np.float64) + rng.normal(0.0, RESPONSE_NOISE, (len(game.themes), a.n))
    est = w.mean(axis=1)
    se = w.std(axis=1, ddof=1) / math.sqrt(a.n)
    b = st.beliefs
    var = b.need_var[si]
    new_var = 1.0 / (1.0 / var + 1.0 / np.maximum(se**2, 1e-8))
    b.need_mean[si] = np.round(new_var * (b.need_mean[si] / var + est / np.maximum(se**2, 1e-8)), 6)
    b.need_var[si] = np.round(new_var, 9)
    b.survey_n[si] += a.n
    # how much each feature matters: the segment's rating of features in themes it cares about
    sd = SURVEY_IMPACT_SD * math.sqrt(100.0 / a.n)
    share = float(game.sizes()[si] / max(game.sizes().sum(), 1.0))
    sd = sd / math.sqrt(max(share * len(game.scenario.market.segments), 0.25))
    impact = {}
    for spec in game.scenario.features:
        fs = st.features[spec.id]
        obs = spec.value * math.exp(float(rng.normal(0.0, sd)))
        _update_impact(fs, obs, sd)
        impact[spec.id] = round(fs.impact_guess, 4)
    # NPS from the respondents who are our customers
    ours = idx[st.pop.status[idx] == OURS]
    nps = nps_se = None
    if ours.size >= 5:
        score = np.clip(np.floor(st.pop.sat[ours].astype(np.float64) * 11.0 + rng.normal(0, 0.7, ours.size)), 0, 10)
        pp, pm = float(np.mean(score >= 9)), float(np.mean(score <= 6))
        nps = round(100 * (pp - pm), 2)
        nps_se = round(100 * math.sqrt(max(pp + pm - (pp - pm) ** 2, 0.0) / ours.size), 2)
    return {
        # (+ 0.0: the mean of a need nobody has can round to -0.0; the hash reads both alike)
        "needs": {t: {"estimate": round(float(est[i]), 4) + 0.0, "ci95": round(1.96 * float(se[i]), 4)}
                  for i, t in enumerate(game.themes)},
        "nps": nps, "nps_se": nps_se, "customers_responding": int(ours.size), "impact": impact,
        "summary": f"Survey of {a.n} in {game.scenario.market.segments[si].name}: top need "
                   f"{game.scenario.market.themes[int(np.argmax(est))].name.lower()} "
                   f"({est.max():.0%} ± {1.96 * se[int(np.argmax(est))]:.0%})",
    }


def _update_impact(fs, observed: float, sd: float) -> None:
    """Combine an observation of a feature's impact (log-normal error `sd`) with the current guess."""
    prec_old = 1.0 / max(fs.impact_sd, 1e-6) ** 2
    prec_new = 1.0 / max(sd, 1e-6) ** 2
    log_guess = (math.log(max(fs.impact_guess, 1e-9)) * prec_old + math.log(max(observed, 1e-9)) * prec_new)
    log_guess /= prec_old + prec_new
    fs.impact_guess = round(math.exp(log_guess), 4)
    fs.impact_sd = round(1.0 / math.sqrt(prec_old + prec_new), 6)


def _interviews(game: Game, a: Research, rng) -> dict[str, Any]:
    st = game.state
    sc = game.scenario
    si = game.scenario.segment_ids().index(a.segment)
    idx = _sample(game, si, a.n, rng)
    kano = game.true_kano()[si].tolist()
    g = game.theme_scores()[si]
    seg = sc.market.segments[si]
    quotes = []
    used: set[str] = set()
    votes = st.beliefs.kano_votes
    # each customer's two most important themes (a stable sort of each one's needs, all at once)
    tops = np.argsort(-st.pop.needs[:, idx].astype(np.float64), axis=0, kind="stable")[:2].T.tolist()
    ours = (st.pop.status[idx] == OURS).tolist()
    f_theme = [game.themes.index(f.theme) for f in sc.features]
    asked: dict[tuple[int, ...], list[int]] = {}  # the features in these themes, in order
    said: dict[int, list[str]] = {}  # what a customer may say about a theme
    tally = [[0] * 5 for _ in f_theme]  # this study's votes per feature, added to the beliefs below
    draw, pick = rng.random, rng.integers
    for ci, top, is_ours in zip(idx.tolist(), tops, ours, strict=True):
        key = tuple(top)
        fis = asked.get(key)
        if fis is None:
            fis = asked[key] = [fi for fi, t in enumerate(f_theme) if t in top]
        for fi in fis:
            true = kano[fi]
            if draw() < VOTE_ACCURACY:
                tally[fi][true] += 1
            else:  # one of the other four categories
                tally[fi][_OTHERS[true][int(pick(4))]] += 1
        # one quote each, never the same sentence twice in a study: an unused phrase about their
        # most important theme, else about their second (else they only add their votes)
        phrase = theme = None
        for t in top:
            th = sc.market.themes[t]
            if t not in said:  # the segment's own words, else the theme's
                said[t] = [text.fill(p, th.name) for p in text.phrases(th, seg.persona, g[t] < 0.5)]
            fresh = [q for q in said[t] if q not in used]
            if fresh:
                phrase, theme = fresh[int(rng.integers(len(fresh)))], th
                break
        if phrase is None:
            continue
        used.add(phrase)
        # who said it (Faker's name, company and job) is made when the quote is first read
        quotes.append(text.CustomerRecord.unnamed(st.seed, seg.persona, ci, {
            "name": text.UNMADE, "company": text.UNMADE, "job": text.UNMADE,
            "theme": theme.id, "text": phrase, "customer": ci, "is_customer": is_ours}))
    votes[si] += np.array(tally, dtype=votes.dtype)
    st.beliefs.interview_n[si] += a.n
    return {"quotes": quotes, "summary": f"{a.n} interviews in {seg.name}"}


_OTHERS = [[c for c in range(5) if c != true] for true in range(5)]  # the Kano categories but one


def _usability(game: Game, a: Research, rng) -> dict[str, Any]:
    f = game.state.features[a.feature]
    spec = game.scenario.features[game.fidx(a.feature)]
    p = 1.0 - (1.0 - DISCOVERY_RATE) ** a.n
    found = {}
    for kind in ("usability", "accessibility"):
        hidden = getattr(spec.defects, kind) - f.defects_found[kind]
        k = int(rng.binomial(hidden, p)) if hidden > 0 else 0
        f.defects_found[kind] += k
        found[kind] = k
    f.usability_tested += a.n
    # watching users try a prototype also tells how much it matters to them: the impact guess is
    # re-estimated, closer to the truth the more users have tried it
    sd = IMPACT_GUESS_SD / math.sqrt(a.n / 5.0)
    old = f.impact_guess
    _update_impact(f, spec.value * math.exp(float(rng.normal(0.0, sd))), sd)
    return {"found": found, "discovery_share": round(p, 4), "impact_before": old, "impact_after": f.impact_guess,
            "summary": f"Usability test of {spec.title} with {a.n} users: {found['usability']} usability and "
                       f"{found['accessibility']} accessibility problems found (expect ~{p:.0%} of them); "
                       f"its impact re-estimated {_change(old, f.impact_guess)}"}


def _change(old: float, new: float) -> str:
    """'up 12%' / 'down 30%' / 'unchanged': how a re-estimate moved, in words a person reads."""
    if old <= 0 or abs(new - old) < 0.005 * old:
        return "unchanged"
    pct = 100 * (new - old) / old
    return f"{'up' if pct > 0 else 'down'} {abs(pct):.0f}%"


def _ab_se(n: int) -> float:
    """The standard error of an A/B test's lift with n users an arm (a rate near 50% in each)."""
    return math.sqrt(2 * 0.25 / n)


def _ab(game: Game, a: Research, rng) -> dict[str, Any]:
    sc = game.scenario
    fi = game.fidx(a.feature)
    spec = sc.features[fi]
    ti = game.themes.index(spec.theme)
    sizes = game.sizes()
    kano = game.true_kano()
    lift = 0.0
    for si in range(len(sizes)):
        share = sizes[si] / sizes.sum()
        lift += share * BETA * ACT_SLOPE * game.true_need_means()[si, ti] * 0.25 * shipped_gain(
            KANO_ORDER[kano[si, fi]], spec.value)
        game.state.beliefs.kano_votes[si, fi, kano[si, fi]] += 3
    se = _ab_se(a.n)
    est = lift + float(rng.normal(0.0, se))
    return {"lift_pp": round(100 * est, 2), "ci95_pp": round(196 * se, 2),
            "summary": f"A/B test of {spec.title}: activation {100 * est:+.1f} pp ± {196 * se:.1f}"}


def _competitive(game: Game, a: Research, rng) -> dict[str, Any]:
    st = game.state
    sc = game.scenario
    ks = range(len(sc.market.competitors)) if a.competitor is None else [
        [c.id for c in sc.market.competitors].index(a.competitor)]
    b = st.beliefs
    found = []
    for k in ks:
        b.comp_mean[k] = np.round(np.clip(st.comp_strength[k] + rng.normal(0, 0.03, len(game.themes)), 0, 1), 6)
        b.comp_sd[k] = 0.03
        comp = sc.market.competitors[k]
        for mv in comp.moves:
            if st.round <= mv.round <= st.round + CA_HORIZON:
                m = {"competitor": comp.id, "round": mv.round, "theme": mv.theme, "note": mv.note,
                     "delta": mv.delta, "feature": mv.feature}
                if m not in b.known_moves:
                    b.known_moves.append(m)
                    found.append(m)
        for ev in sc.events:
            if ev.kind == "competitor_launch" and ev.competitor == comp.id and st.round <= ev.round <= st.round + CA_HORIZON:
                m = {"competitor": comp.id, "round": ev.round, "theme": ev.theme, "note": ev.text,
                     "delta": round(ev.delta * ev.probability, 6)}
                if m not in b.known_moves:
                    b.known_moves.append(m)
                    found.append(m)
    return {"strengths": {sc.market.competitors[k].id: {t: round(float(b.comp_mean[k, i]), 3)
                                                         for i, t in enumerate(game.themes)} for k in ks},
            "moves": found, "summary": f"Competitive analysis: {len(found)} upcoming move(s) spotted"}


def _spike(game: Game, a: Research, rng) -> dict[str, Any]:
    f = game.state.features[a.feature]
    spec = game.scenario.features[game.fidx(a.feature)]
    old = f.estimate
    f.estimate_sd = round(spec.estimate_noise / 3.0, 6)
    est = spec.effort * math.exp(float(rng.normal(0.0, f.estimate_sd)))
    f.estimate = round(max(est, 0.5), 1)
    f.spiked = True
    moved = game.fit_now()  # a bigger estimate may push the plan over capacity
    note = f"; moved {', '.join(moved)} to Next to stay within capacity" if moved else ""
    return {"old_estimate": old, "new_estimate": f.estimate, "moved_to_next": moved,
            "summary": f"Spike on {spec.title}: estimate {old:.1f} → {f.estimate:.1f} wk{note}"}


_METHODS = {
    "survey": _survey, "interviews": _interviews, "usability_test": _usability, "ab_test": _ab,
    "competitive_analysis": _competitive, "spike": _spike,
}


def feedback(game: Game) -> None:
    """Free, unsolicited feedback each round: support tickets from unhappy customers."""
    st = game.state
    sc = game.scenario
    st.feedback = []
    n = sc.generated.feedback_per_round
    if n == 0:
        return
    rng = stream(st.seed, "feedback", st.round)
    for _ in range(n):
        si = int(rng.integers(len(sc.market.segments)))
        a, b = st.pop.bounds[si]
        if b <= a:
            continue
        cand = a + rng.integers(0, b - a, 200)
        cand = cand[st.pop.status[cand] == OURS]
        if cand.size == 0:
            continue
        ci = int(cand[int(np.argmin(st.pop.sat[cand]))])
        ti = int(np.argmax(st.pop.needs[:, ci].astype(np.float64)))
        theme = sc.market.themes[ti]
        persona = sc.market.segments[si].persona
        phrases = text.phrases(theme, persona, weak=True)  # the segment's own complaints, else the theme's
        st.feedback.append(text.CustomerRecord.unnamed(st.seed, persona, ci, {  # named when first read
            "round": st.round, "segment": sc.market.segments[si].id, "theme": theme.id,
            "name": text.UNMADE, "company": text.UNMADE,
            "text": text.fill(phrases[int(rng.integers(len(phrases)))], theme.name),
            "satisfaction": round(float(st.pop.sat[ci]), 3),
        }))
