"""The player's view: noisy estimates and what research revealed, never the hidden truth.

`observe(game)` returns plain JSON-able data. True satisfaction, NPS and market share are shown
only as a small in-product pulse survey and an analyst's estimate, with their uncertainty;
Kano categories, needs and competitor strengths only as research has revealed them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from pmsim.engine.actions import Action, EndRound, Plan, Renegotiate, Research, Respond, Unplan
from pmsim.engine.rng import stream
from pmsim.engine.values import KANO_ORDER, kano_posterior

if TYPE_CHECKING:
    from pmsim.engine.protocols import GameLike as Game  # the narrow protocol, not game.py

PULSE_N = 60
IMPACT_SCALE = [(3.0, 1.0), (2.0, 0.5), (1.0, 0.2), (0.5, 0.08), (0.25, 0.0)]
FIB = [1, 2, 3, 5, 8, 13, 20]

RESEARCH_MENU = [
    ("survey", "n", [100, 400, 1000]),
    ("interviews", "n", [5, 10, 20]),
    ("usability_test", "n", [5]),
    ("ab_test", "n", [2000, 10000]),
    ("competitive_analysis", None, [0]),
    ("spike", None, [0]),
]


def observed_metrics(game: Game, idx: int) -> dict[str, Any]:
    """Round idx's metrics as the company sees them: telemetry exact, sentiment estimated, each
    estimate with its standard error (`nps_se`, `satisfaction_se`, `market_share_se`: per segment,
    and company-wide as the customer-weighted estimate's)."""
    m = game.state.metrics[idx]
    rng = stream(game.state.seed, "feedback", idx, 999)
    out = {k: v for k, v in m.items() if k != "segments"}
    segs = []
    for s in m["segments"]:
        o = dict(s)
        p = max(min((s["nps"] + 100) / 200, 1.0), 0.0)
        se_nps = 100 * math.sqrt(max(p * (1 - p), 0.05) * 2 / PULSE_N)
        o["nps"] = round(s["nps"] + float(rng.normal(0, se_nps)), 1) + 0.0  # never -0.0 (reads "-0")
        o["nps_se"] = round(se_nps, 1)
        se_sat = 0.25 / math.sqrt(PULSE_N)
        o["satisfaction"] = round(min(max(s["satisfaction"] + float(rng.normal(0, se_sat)), 0), 1), 3)
        o["market_share"] = round(min(max(s["market_share"] + float(rng.normal(0, 0.03)), 0), 1), 3)
        o["market_share_se"] = 0.03
        o.pop("competitors", None)
        segs.append(o)
    tot = sum(s["customers"] for s in segs) or 1
    out["nps"] = round(sum(s["nps"] * s["customers"] for s in segs) / tot, 1) + 0.0
    out["satisfaction"] = round(sum(s["satisfaction"] * s["customers"] for s in segs) / tot, 3)
    out["market_share"] = round(sum(s["market_share"] * s["customers"] for s in segs) / tot, 3) if segs else 0.0
    se_sat = 0.25 / math.sqrt(PULSE_N)
    for key, se_of in (("nps", lambda s: s["nps_se"]), ("market_share", lambda s: s["market_share_se"]),
                       ("satisfaction", lambda s: se_sat)):
        out[f"{key}_se"] = math.sqrt(sum((s["customers"] / tot * se_of(s)) ** 2 for s in segs))
    out["segments"] = segs
    return out


def feature_table(game: Game) -> list[dict[str, Any]]:
    """The backlog with RICE, WSJF and Kano columns computed from the player's beliefs."""
    from pmsim.engine.worth import believed

    st = game.state
    sc = game.scenario
    vb = believed(game)
    post = kano_posterior(st.beliefs.kano_votes)  # (S, F, 5)
    sizes = game.sizes()
    votes_total = st.beliefs.kano_votes.sum(axis=-1)
    requested: dict[str, list[str]] = {}
    deadline: dict[str, int] = {}
    for q in st.requests:
        if q.feature and q.status in ("open", "accepted", "deferred"):
            requested.setdefault(q.feature, []).append(q.stakeholder)
            if q.deadline is not None:
                deadline[q.feature] = min(deadline.get(q.feature, 99), q.deadline)
    vmax = max(float(np.max(np.abs(vb))), 1e-9)
    # what is the same for every feature of a theme, or of the backlog, made once
    reach_of = [float(np.sum(sizes * np.clip(st.beliefs.need_mean[:, ti] * len(game.themes) / 2, 0, 1)))
                for ti in range(len(game.themes))]
    votes_of = votes_total.sum(axis=0).tolist()  # (F,) integers
    surveyed = int(st.beliefs.survey_n.sum())
    top = post.argmax(axis=-1)  # (S, F) the first most likely category, as np.argmax of each
    top_p = np.take_along_axis(post, top[..., None], axis=-1)[..., 0].tolist()
    top, seg_votes = top.tolist(), votes_total.tolist()
    rows = []
    for fi, f in enumerate(sc.features):
        fs = st.features[f.id]
        ti = game.themes.index(f.theme)
        reach = reach_of[ti]
        per_customer = float(vb[fi]) * 1000 / max(reach, 1.0)
        # a feature believed to hurt customers has no positive impact (RICE 0), never a crash
        impact = next((v for v, lim in IMPACT_SCALE if per_customer >= lim), 0.0)
        n_votes = int(votes_of[fi])
        conf = 1.0 if (n_votes >= 8 and surveyed >= 300) else 0.8 if (n_votes > 0 or surveyed > 0) else 0.5
        months = max(fs.estimate / 4.0, 0.25)
        rice = reach * impact * conf / months
        bv = FIB[min(int(round(max(vb[fi], 0) / vmax * 6)), 6)]
        tc = 8 if f.id in deadline and deadline[f.id] <= st.round + 1 else 3 if f.id in deadline else 1
        rr = 5 if f.tech_debt < 0 else 1
        size = next((x for x in FIB if x >= fs.estimate / 2), 20)
        kano = {}
        for si, seg in enumerate(sc.market.segments):
            k = top[si][fi]
            kano[seg.id] = {"category": KANO_ORDER[k].value, "p": round(top_p[si][fi], 3),
                            "votes": int(seg_votes[si][fi])}
        rows.append({
            "id": f.id, "title": f.title, "theme": f.theme, "description": f.description,
            "status": fs.status, "slot": fs.slot, "estimate": fs.estimate,
            "estimate_range": [round(fs.estimate * math.exp(-1.28 * fs.estimate_sd), 1),
                               round(fs.estimate * math.exp(1.28 * fs.estimate_sd), 1)],
            "remaining_estimate": round(fs.remaining_estimate(f.effort), 1),
            "progress": round(1 - fs.remaining / f.effort, 3),
            "depends_on": list(f.depends_on), "available_from": f.available_from,
            "value": round(float(vb[fi]), 3) + 0.0, "reach": round(reach), "impact": impact, "confidence": conf,
            "rice": round(rice, 1), "wsjf": round((bv + tc + rr) / size, 2),
            "cost_of_delay": bv + tc + rr, "job_size": size,
            "kano": kano, "requested_by": requested.get(f.id, []), "deadline": deadline.get(f.id),
            "defects_found": dict(fs.defects_found), "spiked": fs.spiked,
            "shipped_round": fs.shipped_round,
        })
    return rows


def personas(game: Game) -> list[dict[str, Any]]:
    """A few real simulated customers per segment the team knows by name (scenario knob).

    Naming them costs milliseconds (Faker) and the population only changes when a round ends, so
    the list is kept on the Game instance for the round (not in `game._c`, which copies share)."""
    key = (game.state.round, len(game.state.reports))
    cached = getattr(game, "_personas_cache", None)
    if cached is None or cached[0] != key:
        cached = (key, _personas(game))
        game._personas_cache = cached  # type: ignore[attr-defined]
    return [dict(p, cares_about=list(p["cares_about"])) for p in cached[1]]


def _personas(game: Game) -> list[dict[str, Any]]:
    from pmsim.engine import text
    from pmsim.engine.population import COMP0, NONE, OURS, TRIAL

    st = game.state
    sc = game.scenario
    out = []
    k = sc.generated.personas
    for si, seg in enumerate(sc.market.segments):
        a, b = st.pop.bounds[si]
        if k == 0 or b <= a:
            continue
        idx = a + stream(st.seed, "names", 2, si).choice(b - a, size=min(k, b - a), replace=False)
        for ci in sorted(int(i) for i in idx):
            who = text.customer(st.seed, seg.persona, ci)
            need = st.pop.needs[:, ci].astype(np.float64)
            top = [sc.market.themes[int(t)].name for t in np.argsort(-need, kind="stable")[:2]]
            code = int(st.pop.status[ci])
            using = ("us" if code in (OURS, TRIAL) else "nothing" if code == NONE
                     else sc.market.competitors[code - COMP0].name)
            out.append({"segment": seg.id, "customer": ci, **who, "cares_about": top, "uses": using,
                        "trial": code == TRIAL, "tenure": int(st.pop.tenure[ci])})
    return out


def observe(game: Game) -> dict[str, Any]:
    from pmsim.engine.scoring import okr_grades, scorecard

    st = game.state
    sc = game.scenario
    b = st.beliefs
    needs = {}
    for si, seg in enumerate(sc.market.segments):
        needs[seg.id] = {t: {"estimate": round(float(b.need_mean[si, ti]), 4) + 0.0,  # never -0.0
                             "ci95": round(1.96 * math.sqrt(float(b.need_var[si, ti])), 4)}
                         for ti, t in enumerate(game.themes)}
    comps = {}
    for ki, c in enumerate(sc.market.competitors):
        comps[c.id] = {"name": c.name, "strengths": {
            t: {"estimate": round(float(b.comp_mean[ki, ti]), 3), "sd": round(float(b.comp_sd[ki, ti]), 3)}
            for ti, t in enumerate(game.themes)}}
    obs_metrics = [observed_metrics(game, i) for i in range(len(st.metrics))]
    return {
        "scenario": {"id": sc.meta.id, "title": sc.meta.title, "rounds": sc.rounds},
        "round": st.round,
        "finished": st.finished,
        "capacity": {"total": st.capacity, "committed": round(game.committed_estimate(), 2),
                     "left": round(game.capacity_left(), 2), "spikes": st.spike_used},
        "budget": {"left": st.budget, "per_round": sc.team.research_budget,
                   # the next quarter's budget (None after the last), to tell a discovery quarter from the rest
                   "next_round": (None if st.round >= sc.rounds else round(
                       sc.team.research_budget_in(st.round + 1) * st.budget_factor, 6))},
        "tech_debt": st.tech_debt,
        "accessibility": st.accessibility,
        "usability": st.usability,
        "metrics": obs_metrics,
        "okrs": okr_grades(game, obs_metrics[-1]) if sc.okrs else [],
        "features": feature_table(game),
        "now": list(st.now),
        "stakeholders": [
            {"id": s.id, "name": s.name, "title": s.title, "role": s.role, "power": s.power,
             "legitimacy": s.legitimacy, "urgency": s.urgency, "trust": s.trust, "salience": round(s.salience, 3),
             "agenda": s.agenda} for s in st.stakeholders.values()
        ],
        "requests": [request_view(q, st.round) for q in st.requests],
        "beliefs": {"needs": needs, "competitors": comps, "known_moves": list(b.known_moves),
                    "survey_n": b.survey_n.tolist(), "interview_n": b.interview_n.tolist()},
        "research": list(st.research_results),
        "feedback": list(st.feedback),
        "personas": personas(game),
        "news": list(st.news),
        "reports": [_observed_report(r, obs_metrics) for r in st.reports],
        "score": scorecard(game),
    }


def request_view(q: Any, current_round: int) -> dict[str, Any]:
    """A request as the inbox shows it, with the stakeholder's last reply to a renegotiation and
    whether it is past its due date."""
    out = dict(q.__dict__)
    out["renegotiations"] = [dict(a) for a in q.renegotiations]
    out["reply"] = q.renegotiations[-1]["reply"] if q.renegotiations else None
    out["past_due"] = q.deadline is not None and current_round > q.deadline
    return out


def _observed_report(rep: dict[str, Any], observed: list[dict[str, Any]]) -> dict[str, Any]:
    """A round report with its metrics as the company saw them (`observed`: every round's
    observed_metrics, whose round's own copy it takes: a round's metrics are kept before its report)."""
    from pmsim.engine.statecopy import copied

    out = dict(rep)
    out["metrics"] = copied(observed[rep["round"]])
    return out


def research_options(game: Game) -> list[Research]:
    sc = game.scenario
    st = game.state
    out: list[Research] = []
    for method, _, sizes in RESEARCH_MENU:
        if method in ("survey", "interviews"):
            out += [Research(method, segment=s, n=n) for s in sc.segment_ids() for n in sizes]
        elif method in ("usability_test", "spike"):
            out += [Research(method, feature=f, n=n) for f, fs in st.features.items()
                    if fs.status != "shipped" for n in sizes]
        elif method == "ab_test":
            out += [Research(method, feature=f, n=n) for f in st.shipped for n in sizes]
        else:
            out.append(Research(method))
    return out


def legal_actions(game: Game) -> list[Action]:
    """A finite menu of legal actions (research at standard sample sizes)."""
    st = game.state
    if st.finished:
        return []
    cands: list[Action] = []
    for fid, fs in st.features.items():
        if fs.status == "shipped":
            continue
        for slot in ("now", "next", "later"):
            if fs.slot != slot:
                cands.append(Plan(fid, slot))
        if fs.slot is not None:
            cands.append(Unplan(fid))
    for q in st.requests:
        if q.status in ("open", "deferred"):
            cands += [Respond(q.id, "accept"), Respond(q.id, "defer", "capacity"),
                      Respond(q.id, "decline", "evidence"), Respond(q.id, "decline")]
        elif q.status == "accepted":
            cands.append(Renegotiate(q.id, None, "capacity"))
            if q.deadline is not None:
                cands.append(Renegotiate(q.id, q.deadline + 1, "capacity"))
    cands += research_options(game)
    out = [a for a in cands if game.is_legal(a)]
    out.append(EndRound())
    return out
