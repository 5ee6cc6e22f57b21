"""A finished (or current) game in one JSON-able summary: what reports and reviews are built from.

Storage keeps it with the last round, so a class report over hundreds of stored games reads it
instead of replaying each one; a report over exported files replays each file and builds it here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pmsim.engine.scoring import debrief

if TYPE_CHECKING:
    from pmsim.engine.game import Game

LOST_TRUST = 0.3


def game_summary(game: Game) -> dict[str, Any]:
    st = game.state
    sc = game.scenario
    d = debrief(game)
    studies: dict[int, list[str]] = {}
    for r in st.research_results:
        studies.setdefault(r["round"], []).append(r["method"])
    rounds = []
    for row, led in zip(d["rounds"], st.ledger, strict=True):
        r = row["round"]
        rounds.append({
            **row,
            "research": studies.get(r, []),
            "research_spent": led["research_spent"],
            "committed_est": row["committed_weeks"],
            "delivered_est": row["delivered_weeks"],
        })
    # how the player answered, and what became of the promises
    requests = {"ignored": 0, "broken": 0, "declined": 0, "delivered": 0, "accepted": 0, "deferred": 0}
    for q in st.requests:
        answered = {"accept": "accepted", "defer": "deferred", "decline": "declined", "ignored": "ignored"}
        if q.answer in answered:
            requests[answered[q.answer]] += 1
        if q.status in ("broken", "delivered"):
            requests[q.status] += 1
    stakeholders = [
        {"id": s.id, "name": s.name, "title": s.title, "role": s.role, "trust": s.trust,
         "escalated": s.last_escalation > 0, "lost": s.trust < LOST_TRUST}
        for s in st.stakeholders.values()
    ]
    okrs = d["okrs"]
    return {
        "scenario": sc.meta.id,
        "seed": st.seed,
        "finished": st.finished,
        "round": st.round,
        "score": d["score"]["score"],
        "components": d["score"]["components"],
        "points_lost": d["score"]["points_lost"],
        "weights": d["score"]["weights"],
        "rounds": rounds,
        "research_that_would_have_paid": d["research_that_would_have_paid"],
        "misjudged_features": d["misjudged_features"],
        "unmet_must_be": d["unmet_must_be"],
        "practise_next": d["practise_next"],
        "okrs": [{"id": o["id"], "kind": o["kind"], "grade": o["grade"], "band": o["band"]} for o in okrs],
        "stakeholders": stakeholders,
        "requests": requests,
        "studies": len(st.research_results),
        "shipped": list(st.shipped),
        "final_metrics": {k: v for k, v in st.metrics[-1].items() if k != "segments"},
    }


MISTAKES = {
    "skipped_research": "skipped research that would have paid off",
    "lost_stakeholder": "lost a stakeholder's trust (below 0.3) or caused an escalation",
    "ignored_requests": "left stakeholder requests unanswered",
    "broken_promises": "accepted requests and did not deliver by the deadline",
    "unmet_must_be": "left a must-be need unmet at the end",
    "slipped": "over-committed: delivered under 70% of what was committed",
    "missed_committed_okr": "missed a committed OKR",
}


def mistakes(summary: dict[str, Any]) -> list[str]:
    """The common mistakes this game shows (keys of MISTAKES)."""
    out = []
    voi = sum(max(r["value_of_information"], 0.0) for r in summary["rounds"])
    if summary["studies"] < len(summary["rounds"]) / 2 and voi > 0:
        out.append("skipped_research")
    if any(s["lost"] or s["escalated"] for s in summary["stakeholders"]):
        out.append("lost_stakeholder")
    if summary["requests"]["ignored"]:
        out.append("ignored_requests")
    if summary["requests"]["broken"]:
        out.append("broken_promises")
    if summary["unmet_must_be"]:
        out.append("unmet_must_be")
    if summary["components"]["delivery"] < 0.7:
        out.append("slipped")
    if any(o["kind"] == "committed" and o["grade"] < 0.999 for o in summary["okrs"]):
        out.append("missed_committed_okr")
    return out
