"""Stakeholders: requests, answers, trust, and what happens when a powerful one is ignored.

Trust moves with what is delivered and how it was communicated: a kept promise earns most, a
broken one costs most, a reasoned deferral or decline costs little, silence costs more. A
stakeholder with power who loses trust escalates: capacity is pulled or the research budget cut.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

from pmsim.engine import text
from pmsim.engine.rng import stream
from pmsim.engine.state import RequestState, StakeholderState
from pmsim.scenario.models import Request, Scenario

if TYPE_CHECKING:
    from pmsim.engine.actions import Respond
    from pmsim.engine.game import Game

ACCEPT_BONUS = 0.03
DELIVERED_BONUS = 0.12
DELIVERED_UNASKED = 0.06
BROKEN_PENALTY = 0.22
DEFER_PENALTY = 0.02
DECLINE_REASONED = 0.05
DECLINE_BARE = 0.12
IGNORED_PENALTY = 0.10
ESCALATION_TRUST = 0.3
ESCALATION_POWER = 0.6
ESCALATION_CAPACITY = 0.15
ESCALATION_BUDGET = 0.7


def initial(sc: Scenario, seed: int) -> dict[str, StakeholderState]:
    out = {}
    salt = zlib.crc32(sc.meta.id.encode())  # the same seed names different people in each scenario
    for i, s in enumerate(sc.stakeholders):
        p = text.person(seed, "stakeholder", 0, salt, i)
        out[s.id] = StakeholderState(
            id=s.id, name=s.name or p["name"], title=s.title or _title(s.role), role=s.role,
            power=s.power, legitimacy=s.legitimacy, urgency=s.urgency, trust=s.trust, agenda=list(s.agenda),
        )
    return out


def _title(role: str) -> str:
    return {
        "sales": "VP Sales", "engineering": "Engineering Manager", "design": "Head of Design",
        "support": "Support Lead", "marketing": "Product Marketing Manager", "leadership": "CEO",
        "customer_success": "Customer Success Lead",
    }[role]


def _trust(s: StakeholderState, delta: float) -> None:
    s.trust = round(min(max(s.trust + delta, 0.0), 1.0), 6)


def add_scripted(game: Game, req: Request, stakeholder: str | None, fallback_id: str) -> None:
    st = game.state
    sid = stakeholder or (game.scenario.stakeholders[0].id if game.scenario.stakeholders else None)
    if sid is None:
        return
    st.requests.append(RequestState(
        id=req.id or fallback_id, stakeholder=sid, round=st.round, text=req.text, feature=req.feature,
        deadline=req.deadline, urgency=req.urgency, scripted=True,
    ))


def new_requests(game: Game) -> None:
    """Scripted requests for this round, then generated ones from the stakeholders' agendas."""
    st = game.state
    sc = game.scenario
    r = st.round
    for s in sc.stakeholders:
        for qi, q in enumerate(s.requests):
            if q.round == r:
                st.requests.append(RequestState(
                    id=q.id or f"{s.id}_{qi + 1}", stakeholder=s.id, round=r, text=q.text, feature=q.feature,
                    deadline=q.deadline, urgency=q.urgency, scripted=True,
                ))
    n = sc.generated.requests_per_round
    if n == 0 or not sc.stakeholders:
        return
    rng = stream(st.seed, "stakeholders", r)
    sh = list(st.stakeholders.values())
    weights = [s.urgency * (0.5 + s.power) for s in sh]
    tot = sum(weights)
    # a feature already asked for, or declined, is not asked for again
    asked = {q.feature for q in st.requests if q.status in ("open", "accepted", "deferred", "declined")}
    for i in range(n):
        x = float(rng.random()) * tot
        pick = 0
        acc = 0.0
        for j, w in enumerate(weights):
            acc += w
            if x < acc:
                pick = j
                break
        s = sh[pick]
        options = [
            f for f in sc.features
            if f.theme in s.agenda and st.features[f.id].status != "shipped" and f.id not in asked
            and f.available_from <= r + 1
        ]
        if not options:
            continue
        f = options[int(rng.integers(len(options)))]
        asked.add(f.id)
        deadline = min(r + int(rng.integers(1, 3)), sc.rounds)
        comp = sc.market.competitors[0].name if sc.market.competitors else ""
        theme = sc.market.themes[game.themes.index(f.theme)].name
        st.requests.append(RequestState(
            id=f"g{r}_{i + 1}", stakeholder=s.id, round=r,
            text=text.request_text(st.seed, r, i, s.role, f.title, theme, deadline, comp),
            feature=f.id, deadline=deadline, urgency=round(float(0.3 + 0.6 * rng.random()), 3), scripted=False,
        ))


def respond(game: Game, req: RequestState, action: Respond) -> None:
    s = game.state.stakeholders[req.stakeholder]
    req.reason = action.reason
    req.rationale = action.rationale
    req.answer = action.response
    req.answered_round = game.state.round
    if action.response == "accept":
        req.status = "accepted"
        _trust(s, ACCEPT_BONUS)
    elif action.response == "defer":
        req.status = "deferred"
        _trust(s, -DEFER_PENALTY * (0.5 + req.urgency))
    else:
        req.status = "declined"
        pen = DECLINE_REASONED if action.reason != "none" else DECLINE_BARE
        _trust(s, -pen * (0.5 + s.salience))


def close_unanswered(game: Game) -> None:
    st = game.state
    for req in st.requests:
        if req.status == "open" and req.round <= st.round:
            req.status = "ignored"
            req.answer = "ignored"
            _trust(st.stakeholders[req.stakeholder], -IGNORED_PENALTY * (0.5 + req.urgency))


def settle(game: Game, result: dict[str, Any]) -> list[dict[str, Any]]:
    """After delivery: promises kept or broken, and escalations. Returns reactions to show."""
    st = game.state
    r = st.round
    shipped = set(st.shipped)
    reactions: list[dict[str, Any]] = []
    for req in st.requests:
        s = st.stakeholders[req.stakeholder]
        if req.feature and req.feature in shipped and req.status in ("accepted", "deferred", "ignored", "declined"):
            if req.status == "accepted":
                on_time = req.deadline is None or r <= req.deadline
                _trust(s, DELIVERED_BONUS * (0.5 + req.urgency) if on_time else DELIVERED_UNASKED)
                reactions.append(_react(s, req, "delighted" if on_time else "relieved", "delivered"))
            else:
                _trust(s, DELIVERED_UNASKED)
                reactions.append(_react(s, req, "pleased", "delivered anyway"))
            req.status = "delivered"
        elif req.status == "accepted" and req.feature is None:
            req.status = "delivered"  # nothing to build: answering it was the delivery
        elif req.status == "accepted" and req.deadline is not None and r >= req.deadline:
            req.status = "broken"
            _trust(s, -BROKEN_PENALTY * (0.5 + req.urgency))
            reactions.append(_react(s, req, "angry", "promise broken"))
    for s in st.stakeholders.values():
        if s.power >= ESCALATION_POWER and s.trust < ESCALATION_TRUST and r - s.last_escalation >= 2:
            s.last_escalation = r
            if s.role in ("sales", "leadership", "customer_success"):
                cut = round(ESCALATION_CAPACITY * game.scenario.team.capacity, 6)
                st.capacity_penalty_next += cut
                what = f"pulled {cut:.1f} engineer-weeks next quarter for their own priorities"
            else:
                st.budget_factor *= ESCALATION_BUDGET
                what = "had the research budget cut by 30%"
            reactions.append({"stakeholder": s.id, "name": s.name, "mood": "escalated", "request": None,
                              "text": f"{s.name} ({s.title}) escalated to leadership and {what}."})
            st.news.append({"kind": "escalation", "text": f"{s.name} escalated: {what}."})
    return reactions


def _react(s: StakeholderState, req: RequestState, mood: str, what: str) -> dict[str, Any]:
    return {"stakeholder": s.id, "name": s.name, "mood": mood, "request": req.id,
            "text": f"{s.name} ({s.title}) is {mood}: {what}."}
