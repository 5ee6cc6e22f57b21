"""The transparent scoring model: seven components, each 0..1, weighted by the scenario.

| component          | skill (DOMAIN.md)          | how                                                      |
|--------------------|----------------------------|----------------------------------------------------------|
| customer_impact    | customer-centric thinking  | true value shipped / best roadmap in hindsight per round |
| okr                | analytical thinking        | Google OKR grades: aspirational /0.7, committed all-or-less |
| stakeholder_trust  | communication              | salience-weighted mean trust                             |
| prioritization     | problem solving            | your Now list / best roadmap on what you knew (or truth) |
| research           | analytical thinking        | share of your prior beliefs' error that research removed |
| delivery           | project management         | estimate points delivered / committed                    |
| accessibility      | customer-centric thinking  | mean product accessibility and usability over rounds     |

Values of rounds are weighted by the quarters left in the game: shipping early is worth more.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from pmsim.engine.values import believed_values, knapsack, knapsack2
from pmsim.scenario.models import COMPONENTS

if TYPE_CHECKING:
    from pmsim.engine.game import Game

SKILLS = {
    "customer_impact": "customer-centric thinking",
    "okr": "analytical thinking",
    "stakeholder_trust": "communication",
    "prioritization": "problem solving",
    "research": "analytical thinking",
    "delivery": "project management",
    "accessibility": "customer-centric thinking",
}


def _available(game: Game) -> list[int]:
    """Features that could start this round: not shipped or in progress, deps shipped."""
    st = game.state
    out = []
    for fi, f in enumerate(game.scenario.features):
        fs = st.features[f.id]
        if fs.status != "backlog" or f.available_from > st.round:
            continue
        if all(st.features[d].status == "shipped" for d in f.depends_on):
            out.append(fi)
    return out


def believed(game: Game) -> np.ndarray:
    st = game.state
    guess = np.array([st.features[f.id].impact_guess for f in game.scenario.features])
    return believed_values(game.scenario, game.sizes(), st.beliefs.need_mean, st.beliefs.kano_votes, guess)


def prior_values(game: Game) -> np.ndarray:
    """What the player would believe features are worth had they done no research at all."""
    need, votes, guess, _ = game._c["prior"]
    return believed_values(game.scenario, game.sizes(), need, votes, guess)


def snapshot_plan(game: Game) -> dict[str, Any]:
    """Everything scoring needs from the moment the roadmap is committed."""
    st = game.state
    avail = _available(game)
    vb = believed(game)
    vt = game.true_values()
    carry_est = sum(
        st.features[f].remaining_estimate(game.scenario.features[game.fidx(f)].effort)
        for f in st.now if st.features[f].status == "in_progress"
    )
    cap_est = max(st.capacity - st.spike_used - carry_est, 0.0)
    est = [st.features[game.feature_ids[i]].estimate for i in avail]
    opt_b = [avail[j] for j in knapsack([float(vb[i]) for i in avail], est, cap_est)]
    # the best roadmap had you known the true values, under the same rules as opt_b (so the
    # value of information below is never negative)
    opt_t_same = [avail[j] for j in knapsack([float(vt[i]) for i in avail], est, cap_est)]
    # the best roadmap on the truth that was both allowed (fits on estimates) and deliverable
    # (fits the team's nominal capacity in true effort)
    carry_true = sum(st.features[f].remaining for f in st.now if st.features[f].status == "in_progress")
    true_room = max(st.capacity - st.spike_used - carry_true, 0.0)
    opt_te = [avail[j] for j in knapsack2([float(vt[i]) for i in avail], est, cap_est,
                                          [game.scenario.features[i].effort for i in avail], true_room)]
    new_now = [game.fidx(f) for f in st.now if st.features[f].status == "backlog"]
    return {
        "available": avail, "vb": vb, "vt": vt, "opt_beliefs": opt_b, "opt_true_est": opt_te, "opt_true_same": opt_t_same, "plan": new_now,
        "vp": prior_values(game), "est0": game._c["prior"][3],
    }


def ledger_entry(game: Game, snap: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    sc = game.scenario
    st = game.state
    r = st.round
    weight = float(sc.rounds - r + 1)
    avail = snap["available"]
    vb, vt = snap["vb"], snap["vt"]
    # hindsight: true values and true efforts within the team's nominal capacity (less the work
    # that carried over): velocity luck is not something a roadmap could have known
    true_cap = max(result["capacity"] - st.spike_used - result["carry_used"], 0.0)
    opt_t = [avail[j] for j in knapsack([float(vt[i]) for i in avail], [sc.features[i].effort for i in avail], true_cap)]
    shipped_ids = [game.fidx(f) for f in result["shipped"]]

    def val(v, items):
        return float(sum(max(v[i], 0.0) for i in items))

    entry = {
        "round": r,
        "weight": weight,
        "value_shipped": round(val(vt, shipped_ids) * weight, 6),
        "value_hindsight": round(val(vt, opt_t) * weight, 6),
        "plan_value_beliefs": round(val(vb, snap["plan"]), 6),
        "plan_value_true": round(val(vt, snap["plan"]), 6),
        "opt_true_est": round(val(vt, snap["opt_true_est"]), 6),
        "opt_value_beliefs": round(val(vb, snap["opt_beliefs"]), 6),
        "opt_beliefs_true": round(val(vt, snap["opt_beliefs"]), 6),
        "opt_true_same": round(val(vt, snap["opt_true_same"]), 6),
        "opt_true": round(val(vt, opt_t), 6),
        "err_beliefs": round(float(sum(abs(vb[i] - vt[i]) for i in avail)), 6),
        "err_prior": round(float(sum(abs(snap["vp"][i] - vt[i]) for i in avail)), 6),
        "est_err": round(float(sum(abs(math.log(st.features[sc.features[i].id].estimate / sc.features[i].effort))
                                   for i in avail)), 6),
        "est_err_prior": round(float(sum(abs(math.log(snap["est0"][i] / sc.features[i].effort)) for i in avail)), 6),
        "committed_est": result["committed_est"],
        "delivered_est": result["delivered_est"],
        "plan": [sc.features[i].id for i in snap["plan"]],
        "opt_beliefs": [sc.features[i].id for i in snap["opt_beliefs"]],
        "hindsight": [sc.features[i].id for i in opt_t],
        "shipped": list(result["shipped"]),
        "accessibility": round((st.accessibility + st.usability) / 2.0, 6),
        "research_spent": round(_spent(game), 6),
    }
    return entry


def _spent(game: Game) -> float:
    st = game.state
    return float(sum(x["cost"] for x in st.research_results if x["round"] == st.round))


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
            span = kr.target - b
            if kr.direction == "decrease":
                span = b - kr.target
                progress = b - v
            else:
                progress = v - b
            grade = 1.0 if span <= 0 and progress >= span else _ratio(progress, span, 1.0)
            krs.append({"id": kr.id, "metric": kr.metric, "segment": kr.segment, "baseline": b, "value": v,
                        "target": kr.target, "grade": round(grade, 4), "description": kr.description})
        grade = sum(k["grade"] for k in krs) / len(krs)
        if obj.kind == "aspirational":
            credit = min(grade / 0.7, 1.0)
        else:
            credit = 1.0 if grade >= 0.999 else 0.7 * grade
        out.append({"id": obj.id, "objective": obj.objective, "kind": obj.kind, "grade": round(grade, 4),
                    "credit": round(credit, 4), "band": band(grade), "key_results": krs})
    return out


def band(grade: float) -> str:
    return "green" if grade >= 0.7 else "yellow" if grade >= 0.4 else "red"


def metric_value(metrics: dict[str, Any], metric: str, segment: str | None) -> float:
    if segment is None:
        return float(metrics[metric])
    for s in metrics["segments"]:
        if s["id"] == segment:
            return float(s.get(metric, metrics.get(metric, 0.0)))
    raise KeyError(segment)


def components(game: Game) -> dict[str, float]:
    st = game.state
    led = st.ledger
    if not led:
        return {c: 0.0 for c in COMPONENTS}
    comp = {}
    comp["customer_impact"] = _ratio(sum(e["value_shipped"] for e in led), sum(e["value_hindsight"] for e in led))
    # judged on what you knew, or on the truth if that is kinder: a pick that was truly better
    # than your estimates said is never marked down
    comp["prioritization"] = max(
        _ratio(sum(e["plan_value_beliefs"] for e in led), sum(e["opt_value_beliefs"] for e in led)),
        _ratio(sum(e["plan_value_true"] for e in led), sum(e["opt_true_est"] for e in led)),
    )
    # how much of the error in your prior beliefs research removed: feature values (3/4) and
    # effort estimates (1/4), over the features you could have started, rounds weighted
    value_gain = 1.0 - _ratio(sum(e["err_beliefs"] * e["weight"] for e in led),
                              sum(e["err_prior"] * e["weight"] for e in led), 1.0)
    est_gain = 1.0 - _ratio(sum(e["est_err"] * e["weight"] for e in led),
                            sum(e["est_err_prior"] * e["weight"] for e in led), 1.0)
    comp["research"] = 0.75 * value_gain + 0.25 * est_gain
    deliv = [_ratio(e["delivered_est"], e["committed_est"], 0.0) for e in led]
    comp["delivery"] = float(np.mean(deliv))
    grades = okr_grades(game)
    comp["okr"] = float(np.mean([g["credit"] for g in grades])) if grades else 1.0
    sh = list(st.stakeholders.values())
    tot = sum(s.salience for s in sh)
    comp["stakeholder_trust"] = float(sum(s.trust * s.salience for s in sh) / tot) if tot else 1.0
    comp["accessibility"] = float(np.mean([e["accessibility"] for e in led]))
    return {c: round(comp[c], 6) for c in COMPONENTS}


def scorecard(game: Game) -> dict[str, Any]:
    comp = components(game)
    w = game.scenario.scoring.weights
    total_w = sum(w.get(c, 0.0) for c in COMPONENTS)
    score = 100.0 * sum(w.get(c, 0.0) * comp[c] for c in COMPONENTS) / total_w
    return {
        "score": round(score, 4),
        "components": comp,
        "weights": {c: w.get(c, 0.0) for c in COMPONENTS},
        "points_lost": {c: round(100.0 * w.get(c, 0.0) * (1 - comp[c]) / total_w, 4) for c in COMPONENTS},
        "skills": SKILLS,
        "version": game.scenario.scoring.version,
    }


def debrief(game: Game) -> dict[str, Any]:
    """What a reviewer needs: your roadmap beside the best, regret, research that would have paid."""
    sc = game.scenario
    st = game.state
    rounds = []
    for e in st.ledger:
        regret = e["value_hindsight"] - e["value_shipped"]
        vpi = (e["opt_true_same"] - e["opt_beliefs_true"]) * e["weight"]
        rounds.append({
            "round": e["round"], "shipped": e["shipped"], "plan": e["plan"], "best_on_beliefs": e["opt_beliefs"],
            "best_in_hindsight": e["hindsight"], "regret": round(regret, 4),
            "value_of_information": round(vpi, 4),
        })
    # research that would have paid off: the rounds where perfect information was worth most
    skipped = sorted((r for r in rounds if r["value_of_information"] > 0), key=lambda r: -r["value_of_information"])
    vt = game.true_values()
    vb = believed(game)
    misjudged = []
    for fi, f in enumerate(sc.features):
        if abs(vt[fi] - vb[fi]) > 0.25 * max(abs(vt[fi]), 1e-9) and abs(vt[fi]) > 0.05 * float(np.max(np.abs(vt))):
            misjudged.append({"feature": f.id, "title": f.title, "believed": round(float(vb[fi]), 3),
                              "true": round(float(vt[fi]), 3)})
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
    practise = sorted(card["points_lost"].items(), key=lambda kv: -kv[1])[:3]
    return {
        "score": card, "rounds": rounds, "research_that_would_have_paid": skipped[:3],
        "misjudged_features": misjudged, "unmet_must_be": unmet,
        "practise_next": [{"component": c, "skill": SKILLS[c], "points_lost": p} for c, p in practise],
        "okrs": okr_grades(game),
    }
