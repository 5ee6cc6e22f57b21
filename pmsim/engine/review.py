"""The numbers behind the end-of-internship review (pmsim/reports/review.py writes its words).

`round_facts(game)`: one entry per completed round (capacity, commitments, what shipped, the
player's answers and rationale from the action log, the studies run); `answers(game, rounds)`:
every answer to a request, the open round's too; `first_estimates(game)`: the team's starting
effort estimates; `belief_progress(game)`: how much closer to the truth the player's value and
effort estimates ended; `verdict(score, ratings)`: the overall rating and the return offer.

Pure and deterministic: no randomness, no clock, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pmsim.engine.actions import EndRound, Respond
from pmsim.engine.worth import believed, prior_values

if TYPE_CHECKING:
    from pmsim.engine.game import Game

SCORE_FOR = (("exceeds", 75.0), ("meets", 60.0), ("developing", 45.0))


# ---------------------------------------------------------------------------- facts
@dataclass
class Answer:
    round: int
    request: str
    response: str
    reason: str
    rationale: str


@dataclass
class RoundFacts:
    round: int
    capacity: float
    velocity: float
    committed: float
    delivered: float
    spikes: float
    plan: list[str]
    shipped: list[str]
    slipped: list[str]
    carried: list[str]
    blocked: list[str]
    hindsight: list[str]
    best_on_beliefs: list[str]
    value_share: float  # value shipped / best in hindsight
    plan_share: float  # plan value / best plan, on what you knew
    rationale: str
    answers: list[Answer] = field(default_factory=list)
    studies: list[dict[str, Any]] = field(default_factory=list)
    news: list[str] = field(default_factory=list)
    score: float = 0.0  # the score after this round
    regret: float = 0.0  # what the best roadmap in hindsight gave customers, minus what yours did
    metrics: dict[str, Any] = field(default_factory=dict)  # the round's metrics, as its report has them
    reactions: list[str] = field(default_factory=list)  # what stakeholders said at its end

    @property
    def delivery_share(self) -> float:
        """Delivered over committed, 0..1 (0 when nothing was committed)."""
        return _ratio(self.delivered, self.committed, 0.0)


def _ratio(a: float, b: float, empty: float = 1.0) -> float:
    return empty if b <= 1e-12 else min(max(a / b, 0.0), 1.0)


def round_facts(game: Game) -> list[RoundFacts]:
    """One entry per completed round: capacity, commitments, what shipped, the player's answers and
    rationale (from the action log), the studies run. Shared with the portfolio."""
    st = game.state
    answers: dict[int, list[Answer]] = {}
    rationale: dict[int, str] = {}
    r = 1
    for a in game.log:
        if isinstance(a, Respond):
            answers.setdefault(r, []).append(Answer(r, a.request, a.response, a.reason, a.rationale))
        elif isinstance(a, EndRound):
            rationale[r] = a.rationale
            r += 1
    out = []
    debrief = {r["round"]: r for r in game.debrief()["rounds"]}
    for led, rep in zip(st.ledger, st.reports, strict=True):
        rn = led["round"]
        studies = [x for x in st.research_results if x["round"] == rn]
        d = debrief[rn]
        out.append(RoundFacts(
            round=rn, capacity=float(rep["capacity"]), velocity=float(rep["velocity"]),
            committed=float(d["committed_weeks"]), delivered=float(d["delivered_weeks"]),
            spikes=float(sum(x.get("weeks", 0.0) for x in studies)),
            plan=list(led["plan"]), shipped=list(rep["shipped"]), slipped=list(rep["slipped"]),
            carried=list(rep["carried_over"]), blocked=list(rep["blocked"]),
            hindsight=list(d["best_in_hindsight"]), best_on_beliefs=list(led["opt_beliefs"]),
            value_share=_ratio(d["benefit"], d["benefit_hindsight"]),
            plan_share=_ratio(led["plan_value_beliefs"], led["opt_value_beliefs"]),
            rationale=rationale.get(rn, "") or rep.get("rationale", ""),
            answers=answers.get(rn, []), studies=studies,
            news=[n["text"] for n in rep.get("news", [])],
            score=float(rep["score"]["score"]), regret=float(d["regret"]), metrics=rep["metrics"],
            reactions=[x["text"] for x in rep.get("reactions", [])],
        ))
    return out


def answers(game: Game, rounds: list[RoundFacts]) -> list[Answer]:
    """Every answer to a request: those of the completed `rounds`, then those given in a round
    that has not closed yet."""
    out = [a for rf in rounds for a in rf.answers]
    closed = {rf.round for rf in rounds}
    r = 1
    for a in game.log:
        if isinstance(a, Respond) and r not in closed:
            out.append(Answer(r, a.request, a.response, a.reason, a.rationale))
        elif isinstance(a, EndRound):
            r += 1
    return out


def first_estimates(game: Game) -> Any:
    """The team's starting effort estimates, one per feature in scenario order (weeks)."""
    return game._c["prior"][3]


def belief_progress(game: Game) -> tuple[float, float]:
    """How much closer to the truth the player's beliefs ended than the team's starting guesses:
    (value estimates, effort estimates), each 1 - error now / error at the start."""
    st = game.state
    vt = game.true_values()
    vb = believed(game)
    vp = prior_values(game)
    err_b = float(sum(abs(vb - vt)))
    err_p = float(sum(abs(vp - vt)))
    closer = 1.0 - err_b / err_p if err_p > 1e-12 else 0.0
    est0 = first_estimates(game)
    e_now = e_0 = 0.0
    for i, f in enumerate(game.scenario.features):
        e_now += abs(math.log(st.features[f.id].estimate / f.effort))
        e_0 += abs(math.log(est0[i] / f.effort))
    est_closer = 1.0 - e_now / e_0 if e_0 > 1e-12 else 0.0
    return closer, est_closer


def verdict(score: float, ratings: list[int]) -> tuple[str, str]:
    """The overall rating (exceeds, meets, developing, below) and the return offer (yes,
    yes_with_plan, no) of a game's score and its five skill ratings."""
    rating = next((key for key, floor in SCORE_FOR if score >= floor), "below")
    low = [r for r in ratings if r <= 2]
    if rating == "exceeds" and low:
        rating = "meets"
    if rating == "meets" and len(low) >= 3:
        rating = "developing"
    solid = [r for r in ratings if r >= 3]
    if rating == "exceeds":
        offer = "yes"
    elif rating == "meets":
        offer = "yes_with_plan" if any(r == 1 for r in ratings) or len(low) >= 2 else "yes"
    elif rating == "developing":
        offer = "yes_with_plan" if len(solid) >= 2 and sum(r == 1 for r in ratings) < 2 else "no"
    else:
        offer = "no"
    return rating, offer
