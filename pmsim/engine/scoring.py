"""The transparent scoring model: seven components, each 0..1, weighted by the scenario.

| component          | skill (DOMAIN.md)          | how                                                          |
|--------------------|----------------------------|--------------------------------------------------------------|
| customer_impact    | customer-centric thinking  | value customers got, quarter by quarter, / the whole-game    |
|                    |                            | best roadmap in hindsight on the whole nominal capacity      |
| okr                | analytical thinking        | Google OKR grades: aspirational /0.7, committed all-or-less  |
| stakeholder_trust  | communication              | salience-weighted mean trust                                 |
| prioritization     | problem solving            | your new Now items / the best plan on the whole capacity,    |
|                    |                            | on your beliefs (or the truth if kinder), each feature       |
|                    |                            | valued by its cost of delay (shipped now vs next quarter)    |
| research           | analytical thinking        | value of information realised, net of the room spikes took,  |
|                    |                            | / (ACHIEVABLE_SHARE x perfect information), less             |
|                    |                            | WASTE_WEIGHT x the share of money spent on studies           |
|                    |                            | that told nothing new (a spike's weeks at WEEK_PRICE; a      |
|                    |                            | spike tells something only where a plan hinges on it)        |
| delivery           | project management         | committed estimate-weeks that shipped / committed            |
| accessibility      | customer-centric thinking  | mean product accessibility and usability over rounds         |

What a feature is worth (on the truth, the player's beliefs, or the starting beliefs) and its
cost of delay are computed in `pmsim.engine.worth`; defects shipped cut a feature's value
(FeatureState.quality).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pmsim.engine.skills import (  # noqa: F401 (BANDS, SKILL_ORDER, component_rating: re-exported)
    BANDS,
    SKILL_ORDER,
    SKILLS,
    component_rating,
    skill_order,
    skill_ratings,
)
from pmsim.engine.values import (
    benefit,
    knapsack,
    quarters_left,
    remaining_values,
)
from pmsim.engine.worth import (
    _available,
    _shared,
    _stakes_shipped,
    _stakes_true_over,
    _true_gain,
    believed,
    believed_delay,
    comp_best_true,
    fresh_true,
    gap_true,
    prior_delay,
    rivals_key,
    true_delay,
    true_must,
)
from pmsim.scenario.models import COMPONENTS

if TYPE_CHECKING:
    from pmsim.engine.protocols import GameLike as Game  # the narrow protocol, not game.py



def nominal_capacity(game: Game, r: int) -> float:
    """The team's whole capacity in round r, before spikes, escalation cuts and the debt you added.

    Yardsticks are measured against it, so capacity spent on spikes, left idle or lost to an
    escalation costs what it wastes."""
    sc = game.scenario
    base = sc.team.capacity_by_round.get(r, sc.team.capacity) + game.state.capacity_event_delta.get(r, 0.0)
    return max(base * (1.0 - sc.team.tech_debt), 0.0)


def _realize(order: list[int], effort: list[float], values: np.ndarray, cap: float) -> float:
    """True value of a plan taken in `order` when work costs its true effort: what does not fit slips."""
    left, total = cap, 0.0
    for i in order:
        if effort[i] <= left + 1e-9:
            left -= effort[i]
            total += max(float(values[i]), 0.0)
    return total


def snapshot_plan(game: Game) -> dict[str, Any]:
    """Everything scoring needs from the moment the roadmap is committed."""
    st = game.state
    sc = game.scenario
    r = st.round
    avail = _available(game)
    # each feature's cost of delay (its worth over the rest of the game shipped now, less shipped
    # next quarter): quarters left, a must-be's loss that lasts, gaps behind the best competitor
    brv = believed_delay(game)
    trv = true_delay(game)
    prv = prior_delay(game)
    carry_est = sum(
        st.features[f].remaining_estimate(sc.features[game.fidx(f)].effort)
        for f in st.now if st.features[f].status == "in_progress"
    )
    carry_true = sum(st.features[f].remaining for f in st.now if st.features[f].status == "in_progress")
    whole = nominal_capacity(game, r)
    cap_est = max(whole - carry_est, 0.0)
    cap_true = max(whole - carry_true, 0.0)
    est = [st.features[game.feature_ids[i]].estimate for i in avail]
    est0 = game._c["prior"][3]
    effort = {i: sc.features[i].effort for i in avail}
    bel = [float(brv[i]) for i in avail]
    opt_b = [avail[j] for j in knapsack(bel, est, cap_est)]
    opt_t_est = [avail[j] for j in knapsack([float(trv[i]) for i in avail], est, cap_est)]
    opt_p = [avail[j] for j in knapsack([float(prv[i]) for i in avail], [float(est0[i]) for i in avail], cap_est)]
    opt_t = [avail[j] for j in knapsack([float(trv[i]) for i in avail], [effort[i] for i in avail], cap_true)]

    def by_density(items: list[int], values: np.ndarray, estimates) -> list[int]:
        return sorted(items, key=lambda i: -float(values[i]) / max(float(estimates[i]), 0.5))

    cur_est = {i: st.features[game.feature_ids[i]].estimate for i in avail}
    # information net of what it cost in capacity: the plan your beliefs pick for the room your
    # spikes left, against the plan the starting beliefs pick for the whole room. Spike weeks that
    # fit in room the team has beyond the nominal capacity (debt paid down) cost that room nothing
    spent = max(st.spike_used - max(st.capacity - whole, 0.0), 0.0)
    opt_room = opt_b if spent <= 0 else [avail[j] for j in knapsack(bel, est, max(cap_est - spent, 0.0))]
    voi_bel = _realize(by_density(opt_room, brv, cur_est), effort, trv, max(cap_true - spent, 0.0))
    voi_prior = _realize(by_density(opt_p, prv, est0), effort, trv, cap_true)
    voi_best = _realize(opt_t, effort, trv, cap_true)
    new_now = [game.fidx(f) for f in st.now if st.features[f].status == "backlog"]
    return {
        "available": avail, "brv": brv, "trv": trv, "plan": new_now,
        "opt_beliefs": opt_b, "opt_true_est": opt_t_est, "opt_true": opt_t,
        "voi": voi_bel - voi_prior, "voi_achievable": voi_best - voi_prior,
    }


def ledger_entry(game: Game, snap: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    sc = game.scenario
    st = game.state
    r = st.round
    brv, trv = snap["brv"], snap["trv"]
    shipped_ids = [game.fidx(f) for f in result["shipped"]]

    def val(v, items):
        return float(sum(max(v[i], 0.0) for i in items))

    # what everything shipped so far is worth to customers this quarter, on the truth
    done = [game.fidx(f) for f in st.shipped]
    closed = _gap_shares(game, _without(game, done), r, done)
    since = {i: st.features[sc.features[i].id].shipped_round or r for i in done}
    since_arr = np.array([since.get(i, r) for i in range(len(sc.features))])
    per_quarter = (benefit(game.true_values(), true_must(game), r, since_arr) + closed
                   + _stakes_shipped(game, r, since))
    per_quarter = per_quarter * np.array([st.features[f.id].quality() for f in sc.features])
    studies = [x for x in st.research_results if x["round"] == r]
    entry = {
        "round": r,
        "weight": quarters_left(r, sc.rounds),
        "benefit": round(val(per_quarter, done), 6),
        "value_shipped": round(val(trv, shipped_ids), 6),
        "plan_value_beliefs": round(val(brv, snap["plan"]), 6),
        "plan_value_true": round(val(trv, snap["plan"]), 6),
        "opt_value_beliefs": round(val(brv, snap["opt_beliefs"]), 6),
        "opt_beliefs_true": round(val(trv, snap["opt_beliefs"]), 6),
        "opt_true_est": round(val(trv, snap["opt_true_est"]), 6),
        "opt_true": round(val(trv, snap["opt_true"]), 6),
        "voi": round(snap["voi"], 6),
        "voi_achievable": round(max(snap["voi_achievable"], 0.0), 6),
        "committed_est": result["committed_est"],
        "delivered_est": result["delivered_est"],
        "shipped_est": result.get("shipped_est", result["delivered_est"]),
        "plan": [sc.features[i].id for i in snap["plan"]],
        "opt_beliefs": [sc.features[i].id for i in snap["opt_beliefs"]],
        "round_best": [sc.features[i].id for i in snap["opt_true"]],
        "shipped": list(result["shipped"]),
        "accessibility": round((st.accessibility + st.usability) / 2.0, 6),
        "research_spent": round(float(sum(x["cost"] for x in studies)), 6),
        "research_wasted": round(float(sum(x["cost"] for x in studies if not x.get("informative", True))), 6),
        "spike_weeks": round(float(sum(x.get("weeks", 0.0) for x in studies)), 6),
        "spike_weeks_wasted": round(float(sum(x.get("weeks", 0.0) for x in studies if not x.get("informative", True))), 6),
    }
    return entry


def _without(game: Game, items: list[int]) -> np.ndarray:
    """(S, T) our theme scores now, less the true gains of features `items`."""
    g = game.theme_scores()
    gain = _true_gain(game)
    for i in items:
        g[:, game.themes.index(game.scenario.features[i].theme)] -= gain[:, i]
    return g


def _gap_shares(game: Game, without: np.ndarray, t: int, items: list[int]) -> np.ndarray:
    """(F,) the gap value in quarter t of each of features `items`, shipped together on top of
    theme scores `without` ((S, T)): in each segment and theme they close min(their gains
    together, the gap) between them, in proportion to their gains, so a gap is counted once
    however many features close it (0 for the other features)."""
    sc = game.scenario
    ti = np.array([game.themes.index(f.theme) for f in sc.features], dtype=np.int64)
    pos = np.zeros_like(_true_gain(game))
    pos[:, items] = np.maximum(_true_gain(game)[:, items], 0.0)
    together = np.zeros_like(without)
    for i in sorted(items):
        together[:, ti[i]] += pos[:, i]
    best = comp_best_true(game, t)
    closed = np.minimum(together, np.maximum((best[None, :] if best.ndim == 1 else best) - without, 0.0))
    share = pos * np.divide(closed, together, out=np.zeros_like(closed), where=together > 0)[:, ti]
    need = np.maximum(game.true_need_means()[:, ti], 0)
    weighted = game.sizes() * np.array(sc.segment_weights())
    from pmsim.engine.market import BETA, LOSS_W

    mult = fresh_true(game, t)[ti][None, :]
    return (weighted[:, None] * BETA * LOSS_W * need * share * mult).sum(axis=0) / 1000.0


def hindsight(game: Game) -> dict[str, Any]:
    """The best roadmap in hindsight over the whole game, on the truth and the team's whole capacity.

    Quarter by quarter, a knapsack on each feature's true cost of delay (its value over the rest of
    the game shipped now, less shipped next quarter: a quarter of its value, plus for a must-be the
    loss that would persist) plus half of what it unlocks (the value of its dependants one quarter
    later), within the nominal capacity in true effort. Its benefit counts each competitive gap
    once, shared by the features that close it, as the player's ledger does. Returns
    {"schedule": {feature: round}, "benefit": [per completed round]}. Cached per round.
    """
    st = game.state
    key = (st.round, len(st.ledger))
    cached = getattr(game, "_hindsight_cache", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    sc = game.scenario
    vt = game.true_values()
    vm = true_must(game)
    # the schedule reads only the truth: the scenario, the customers' needs, the round, the
    # launches and the capacity events so far. A batch plays every strategy on the same market,
    # so it is made once per market and round, by these exact inputs.
    shared = ("hindsight", game._c["need_means"].tobytes(), game._c["g0"].tobytes(), st.round,
              tuple((m["competitor"], m["theme"], m["delta"], m["round"], m.get("feature")) for m in st.launches),
              tuple(sorted(st.capacity_event_delta.items())), rivals_key(game, full=True))
    when, ben_by_t = _shared(game, shared, lambda: _hindsight_schedule(game, vt, vm))
    ben = []
    for t in range(1, len(st.ledger) + 1):
        if t not in ben_by_t:  # what the schedule gave customers in quarter t: the truth's too
            have = {i: r for i, r in when.items() if r <= t}
            since = np.array([have.get(i, t) for i in range(len(vt))])
            b = (benefit(vt, vm, t, since) + _gap_shares(game, game._c["g0"], t, sorted(have))
                 + _stakes_shipped(game, t, have))
            ben_by_t[t] = float(sum(max(b[i], 0.0) for i in have))
        ben.append(ben_by_t[t])
    out = {"schedule": {sc.features[i].id: r for i, r in sorted(when.items())}, "benefit": ben}
    game._hindsight_cache = (key, out)  # type: ignore[attr-defined]
    return out


def _hindsight_schedule(game: Game, vt: np.ndarray, vm: np.ndarray) -> tuple[dict[int, int], dict[int, float]]:
    """({feature index: round}, {quarter: benefit} filled as asked) of `hindsight`."""
    sc = game.scenario
    rounds = sc.rounds
    deps = {fi: [game.fidx(d) for d in f.depends_on] for fi, f in enumerate(sc.features)}
    children: dict[int, list[int]] = {fi: [] for fi in deps}
    for fi, ds in deps.items():
        for d in ds:
            children[d].append(fi)
    when: dict[int, int] = {}
    g0 = game._c["g0"]
    gap_by_round = [gap_true(game, [u], g0) for u in range(1, rounds + 1)]
    for a in gap_by_round:
        a.flags.writeable = False

    def over(r: int) -> np.ndarray:  # shipped in round r: worth this over the rest of the game
        return (remaining_values(vt, vm, r, rounds) + sum(gap_by_round[r - 1:], np.zeros(len(vt)))
                + _stakes_true_over(game, list(range(r, rounds + 1))))

    nxt = over(1)
    for r in range(1, rounds + 1):
        rv = nxt
        nxt = over(r + 1) if r < rounds else np.zeros_like(rv)
        # what waiting a quarter would lose (the cost of delay): a must-be's loss persists, so
        # shipping it now rather than next quarter is worth more than one quarter of its value
        delay = rv - nxt
        avail = [fi for fi, f in enumerate(sc.features) if fi not in when and f.available_from <= r
                 and all(d in when and when[d] < r for d in deps[fi])]
        score = [float(delay[i]) + 0.5 * sum(max(float(nxt[c]), 0.0) for c in children[i] if c not in when)
                 for i in avail]
        for j in knapsack(score, [sc.features[i].effort for i in avail], nominal_capacity(game, r)):
            when[avail[j]] = r
    return when, {}


def _ratio(a: float, b: float, empty: float = 1.0) -> float:
    if b <= 1e-12:
        return empty
    return float(min(max(a / b, 0.0), 1.0))


def okr_grades(game: Game, metrics: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Each key result graded 0..1 from its baseline (round 0) towards its target."""
    st = game.state
    base = st.metrics[0]
    cur = metrics or st.metrics[-1]
    out = []
    for obj in game.scenario.okrs:
        krs = []
        for kr in obj.key_results:
            b = metric_value(base, kr.metric, kr.segment)
            v = metric_value(cur, kr.metric, kr.segment)
            grade = kr_grade(b, v, kr.target, kr.direction)
            krs.append({"id": kr.id, "metric": kr.metric, "segment": kr.segment, "baseline": b, "value": v,
                        "target": kr.target, "direction": kr.direction, "grade": round(grade, 4),
                        "description": kr.description})
        grade = sum(k["grade"] for k in krs) / len(krs)
        if obj.kind == "aspirational":
            credit = min(grade / 0.7, 1.0)
        else:
            credit = 1.0 if grade >= 0.999 else 0.7 * grade
        out.append({"id": obj.id, "objective": obj.objective, "kind": obj.kind, "grade": round(grade, 4),
                    "credit": round(credit, 4), "band": band(grade), "key_results": krs})
    return out


def kr_grade(baseline: float, value: float, target: float, direction: str) -> float:
    """A key result's grade 0..1: the share of the way from its baseline to its target (for a
    `decrease` one, downwards); a target the baseline already meets grades 1 unless it slipped."""
    if direction == "decrease":
        span, progress = baseline - target, baseline - value
    else:
        span, progress = target - baseline, value - baseline
    if span <= 0:  # met at the start: kept or not
        return 1.0 if progress >= span else 0.0
    return _ratio(progress, span, 1.0)


def band(grade: float) -> str:
    return "green" if grade >= 0.7 else "yellow" if grade >= 0.4 else "red"


def metric_value(metrics: dict[str, Any], metric: str, segment: str | None) -> float:
    if segment is None:
        return float(metrics[metric])
    for s in metrics["segments"]:
        if s["id"] == segment:
            return float(s.get(metric, metrics.get(metric, 0.0)))
    raise KeyError(segment)


WASTE_WEIGHT = 0.8  # how much research money spent on studies that told nothing new costs
# what an engineer-week spent on a spike counts as in research money ($k): a spike of an item no
# plan hinges on is capacity spent on a study that told nothing new
WEEK_PRICE = 4.0
# The share of perfect information's value that a quarter's research budget can buy: research
# cannot reveal true effort except by spikes, nor a feature's exact impact. Calibrated on the
# built-ins, where a thorough research programme (the researcher bot) reaches about 0.55 and
# nothing bought reaches 0; the research component is the share reached over this.
ACHIEVABLE_SHARE = 0.6


def components(game: Game) -> dict[str, float]:
    st = game.state
    led = st.ledger
    if not led:
        return {c: 0.0 for c in COMPONENTS}
    comp = {}
    # the value customers got from what you shipped, quarter by quarter, against the best roadmap
    # in hindsight over the whole game on the team's whole capacity
    comp["customer_impact"] = _ratio(sum(e["benefit"] for e in led), sum(hindsight(game)["benefit"]))
    # judged on what you knew, or on the truth if that is kinder: a pick that was truly better
    # than your estimates said is never marked down. The best plan uses the whole capacity.
    comp["prioritization"] = max(
        _ratio(sum(e["plan_value_beliefs"] for e in led), sum(e["opt_value_beliefs"] for e in led)),
        _ratio(sum(e["plan_value_true"] for e in led), sum(e["opt_true_est"] for e in led)),
    )
    comp["research"] = research_score(led)
    # promises kept: the estimate-weeks committed that shipped in the quarter (carry-overs miss)
    deliv = [_ratio(e["shipped_est"], e["committed_est"], 0.0) for e in led]
    comp["delivery"] = float(np.mean(deliv))
    grades = okr_grades(game)
    comp["okr"] = float(np.mean([g["credit"] for g in grades])) if grades else 1.0
    sh = list(st.stakeholders.values())
    tot = sum(s.salience for s in sh)
    comp["stakeholder_trust"] = float(sum(s.trust * s.salience for s in sh) / tot) if tot else 1.0
    comp["accessibility"] = float(np.mean([e["accessibility"] for e in led]))
    return {c: round(comp[c], 6) for c in COMPONENTS}


def research_score(led: list[dict[str, Any]]) -> float:
    """Value of the information you bought, against what perfect information could have added.

    Each quarter: the true value of the best roadmap on your beliefs, in the room your spikes
    left, minus that of the best roadmap on the beliefs you started with (no research), in the
    whole room, when work costs its true effort (so a spike's weeks are paid out of what it
    told); over ACHIEVABLE_SHARE of the same for perfect knowledge of values and efforts. Summed over
    quarters, clipped to 0..1, then reduced by the share of research money spent on studies that
    told nothing new (WASTE_WEIGHT), an engineer-week of spikes counting WEEK_PRICE: a spike tells
    nothing new unless a plan hinges on the item's size (hinges.spike_informs). No research scores 0.
    """
    gained = sum(e.get("voi", 0.0) for e in led)
    possible = sum(e.get("voi_achievable", 0.0) for e in led)
    spent = sum(e["research_spent"] + WEEK_PRICE * e.get("spike_weeks", 0.0) for e in led)
    wasted = sum(e.get("research_wasted", 0.0) + WEEK_PRICE * e.get("spike_weeks_wasted", 0.0) for e in led)
    share = _ratio(gained, possible * ACHIEVABLE_SHARE, 0.0)
    waste = wasted / spent if spent > 1e-9 else 0.0
    return share * (1.0 - WASTE_WEIGHT * waste)


TINY_WEIGHTS = 1e-250  # scoring weights adding up to less are scaled up before use (scorecard)


def scorecard(game: Game) -> dict[str, Any]:
    comp = components(game)
    given = game.scenario.scoring.weights
    w = {c: given.get(c, 0.0) for c in COMPONENTS}
    if sum(w.values()) < TINY_WEIGHTS:
        # weights are any scale, but products of weights this small (5e-324) lose their digits: a
        # score of 0 beside 77 points lost. Scaled by a power of two, exactly, into the normal range
        w = {c: v * 2.0**600 for c, v in w.items()}
    total_w = sum(w.values())
    score = 100.0 * sum(w[c] * comp[c] for c in COMPONENTS) / total_w
    return {
        "score": round(score, 4),
        "components": comp,
        "weights": {c: given.get(c, 0.0) for c in COMPONENTS},
        "points_lost": {c: round(100.0 * w[c] * (1 - comp[c]) / total_w, 4) for c in COMPONENTS},
        "skills": SKILLS,
        "version": game.scenario.scoring.version,
    }


def regret_note(regret: float, best: float) -> str:
    """Why a quarter's regret is what it is, in words (a negative one included)."""
    if best <= 1e-9 and abs(regret) <= 1e-9:
        return "nothing could have reached customers yet"
    if regret < -1e-9:
        return ("negative: your roadmap gave customers more this quarter than the best roadmap in "
                "hindsight did. That roadmap is planned for the whole game, quarter by quarter, on "
                "the nominal capacity; yours beat it here (by luck, a paid-down debt, or an order it "
                "did not try) and may pay for it in another quarter")
    if regret <= 0.05 * max(best, 1e-9):
        return "about as good as the best roadmap in hindsight"
    return "value the best roadmap in hindsight had already delivered by this quarter and yours had not"


def debrief(game: Game) -> dict[str, Any]:
    """What a reviewer needs: your roadmap beside the best, regret, research that would have paid."""
    sc = game.scenario
    st = game.state
    rounds = []
    hs = hindsight(game)
    best_by_round: dict[int, list[str]] = {}
    for fid, r in hs["schedule"].items():
        best_by_round.setdefault(r, []).append(fid)
    for e, best in zip(st.ledger, hs["benefit"], strict=False):
        # regret: what the best roadmap in hindsight gave customers this quarter, minus what yours did
        regret = best - e["benefit"]
        vpi = e["opt_true_est"] - e["opt_beliefs_true"]
        rounds.append({
            "round": e["round"], "shipped": e["shipped"], "plan": e["plan"], "best_on_beliefs": e["opt_beliefs"],
            # (+ 0.0: a regret of -0.00001 rounds to -0.0, which reads "-0.0")
            "best_in_hindsight": best_by_round.get(e["round"], []), "regret": round(regret, 4) + 0.0,
            "benefit": round(e["benefit"], 4), "benefit_hindsight": round(best, 4),
            "value_of_information": round(vpi, 4) + 0.0,
            "regret_note": regret_note(regret, best),
            # the one definition of the quarter's weeks (estimate-weeks): committed in Now, and
            # delivered = the committed work that shipped (progress on carry-overs is not delivery)
            "committed_weeks": round(e["committed_est"], 4),
            "delivered_weeks": round(e["shipped_est"], 4),
        })
    # research that would have paid off: the rounds where perfect information was worth most
    # (worth at least 0.05: what would print as 0.0 is not worth a line)
    skipped = sorted((r for r in rounds if r["value_of_information"] >= 0.05),
                     key=lambda r: -r["value_of_information"])
    vt = game.true_values()
    vb = believed(game)
    misjudged = []
    for fi, f in enumerate(sc.features):
        if abs(vt[fi] - vb[fi]) > 0.25 * max(abs(vt[fi]), 1e-9) and abs(vt[fi]) > 0.05 * float(np.max(np.abs(vt))):
            misjudged.append({"feature": f.id, "title": f.title, "believed": round(float(vb[fi]), 3) + 0.0,
                              "true": round(float(vt[fi]), 3) + 0.0})
    # must-be needs left unmet
    kano = game.true_kano()
    unmet = []
    for si, seg in enumerate(sc.market.segments):
        churned = sum(m["segments"][si]["churned"] for m in st.metrics[1:])
        for fi, f in enumerate(sc.features):
            if kano[si, fi] == 0 and st.features[f.id].status != "shipped":
                unmet.append({"segment": seg.id, "feature": f.id, "title": f.title,
                              "segment_churned": int(churned), "value_lost": round(float(vt[fi]), 3)})
    card = scorecard(game)
    skills = skill_ratings(card)
    order = skill_order(card)
    # what to practise: the components of the weakest skills first, most points lost first
    practise = sorted(card["points_lost"].items(), key=lambda kv: (order.index(SKILLS[kv[0]]), -kv[1]))[:3]
    return {
        "score": card, "rounds": rounds, "hindsight_schedule": hs["schedule"],
        "research_that_would_have_paid": skipped[:3],
        "misjudged_features": misjudged, "unmet_must_be": unmet,
        "practise_next": [{"component": c, "skill": SKILLS[c], "points_lost": p} for c, p in practise],
        "skills": [{"skill": k, **skills[k]} for k in order],
        "okrs": okr_grades(game),
    }
