"""A game's numbers, as the documents read them: the one API between the engine and `pmsim.reports`.

`summarize(game)` returns a `Summary`: a frozen, typed snapshot of everything the review, the
portfolio and the debrief say (the score card, the debrief, each round's facts, the requests,
stakeholders and features as they ended, the metrics of every round, the studies run). Reports
read a `Summary` and the scenario, never the game's state. `quarterly(game)` is the short form one
company of a shared market gives its class report.

`game_summary(game)` is the JSON-able part (`Summary.numbers`): storage keeps it with the last
round, so a class report over hundreds of stored games reads it instead of replaying each one; a
report over exported files replays each file and builds it here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from pmsim.engine.review import (
    Answer,
    RoundFacts,
    answers,
    belief_progress,
    first_estimates,
    round_facts,
    verdict,
)
from pmsim.engine.scoring import debrief, okr_grades
from pmsim.engine.state import ENGINE_VERSION
from pmsim.engine.values import kano_posterior

if TYPE_CHECKING:
    from pmsim.engine.game import Game
    from pmsim.scenario.models import Scenario

__all__ = ["MISTAKES", "Answer", "FeatureFacts", "Quarterly", "RequestFacts", "RoundFacts", "StakeholderFacts",
           "Summary", "game_summary", "mistakes", "quarterly", "summarize", "verdict"]

LOST_TRUST = 0.3


# ---------------------------------------------------------------------------- the typed summary
@dataclass(frozen=True)
class RequestFacts:
    """A stakeholder's request as it ended: how it was answered (`answer`) and what became of it."""

    id: str
    stakeholder: str
    round: int
    text: str
    feature: str | None
    deadline: int | None
    status: str
    answer: str


@dataclass(frozen=True)
class StakeholderFacts:
    id: str
    name: str
    title: str
    role: str
    power: float
    trust: float  # at the end
    escalated: bool


@dataclass(frozen=True)
class FeatureFacts:
    id: str
    estimate: float  # the team's estimate at the end, engineer-weeks
    started_round: int | None
    shipped_round: int | None
    defects_found: Mapping[str, int]  # by usability tests: usability, accessibility


@dataclass(frozen=True)
class Summary:
    """Everything a document says about one game, read once from the engine."""

    scenario: Scenario
    engine_version: str
    seed: int
    finished: bool
    numbers: dict[str, Any]  # game_summary(): score, components, points lost, debrief lists, ...
    card: dict[str, Any]  # the score card (scoring.scorecard)
    okrs: list[dict[str, Any]]  # each objective graded, with its key results
    rounds: tuple[RoundFacts, ...]  # one per completed round
    answers: tuple[Answer, ...]  # every answer to a request, the open round's too
    metrics: tuple[dict[str, Any], ...]  # index 0: before round 1
    shipped: tuple[str, ...]
    accessibility: float
    usability: float
    requests: tuple[RequestFacts, ...]
    stakeholders: Mapping[str, StakeholderFacts]
    features: Mapping[str, FeatureFacts]
    research: tuple[dict[str, Any], ...]  # every study's result, in the order they ran
    first_estimates: tuple[float, ...]  # the team's starting effort estimates, in scenario order
    belief_progress: tuple[float, float]  # review.belief_progress: (values, efforts)
    true_kano: np.ndarray  # (S, F) the true Kano category index (0: must-be)
    kano_votes: np.ndarray  # (S, F, 5) the interviews' Kano votes
    kano_posterior: np.ndarray  # (S, F, 5) what those votes say

    def request(self, rid: str) -> RequestFacts | None:
        return next((q for q in self.requests if q.id == rid), None)


def summarize(game: Game) -> Summary:
    """The numbers of `game` as the documents read them (a game with no completed round too)."""
    st = game.state
    rounds = round_facts(game)
    votes = st.beliefs.kano_votes.copy()
    return Summary(
        scenario=game.scenario, engine_version=ENGINE_VERSION, seed=st.seed, finished=bool(st.finished),
        numbers=game_summary(game), card=game.score(), okrs=okr_grades(game) if game.scenario.okrs else [],
        rounds=tuple(rounds), answers=tuple(answers(game, rounds)), metrics=tuple(st.metrics),
        shipped=tuple(st.shipped), accessibility=st.accessibility, usability=st.usability,
        requests=tuple(RequestFacts(q.id, q.stakeholder, q.round, q.text, q.feature, q.deadline, q.status, q.answer)
                       for q in st.requests),
        stakeholders=MappingProxyType({s.id: StakeholderFacts(s.id, s.name, s.title, s.role, s.power, s.trust,
                                                              s.last_escalation > 0)
                                       for s in st.stakeholders.values()}),
        features=MappingProxyType({f.id: FeatureFacts(f.id, f.estimate, f.started_round, f.shipped_round,
                                                      MappingProxyType(dict(f.defects_found)))
                                   for f in st.features.values()}),
        research=tuple(st.research_results), first_estimates=tuple(float(x) for x in first_estimates(game)),
        belief_progress=belief_progress(game), true_kano=game.true_kano().copy(), kano_votes=votes,
        kano_posterior=kano_posterior(votes),
    )


@dataclass(frozen=True)
class Quarterly:
    """One company's numbers after each resolved quarter: score and launches (feature ids), and
    its market share and customers at the start (index 0) and after each quarter."""

    scores: tuple[float, ...]
    launches: tuple[tuple[str, ...], ...]
    shares: tuple[float, ...]
    customers: tuple[int, ...]


def quarterly(game: Game) -> Quarterly:
    st = game.state
    return Quarterly(tuple(float(rep["score"]["score"]) for rep in st.reports),
                     tuple(tuple(rep["shipped"]) for rep in st.reports),
                     tuple(float(m["market_share"]) for m in st.metrics), tuple(int(m["customers"]) for m in st.metrics))


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
