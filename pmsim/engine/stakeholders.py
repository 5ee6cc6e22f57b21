"""Stakeholders: requests, answers, trust, and what happens when a powerful one is ignored.

Trust moves with what is delivered and how it was communicated: a kept promise earns most, a
broken one costs most, a reasoned deferral or decline costs little, silence costs more. A request
that waits past its due date costs trust every quarter, and what is delivered late earns less the
later it is. An accepted request can be renegotiated (a later date, or dropped) before its
deadline: cheaper than breaking it, and cheaper the earlier the news comes; the stakeholder agrees,
pushes back or escalates, by their power and their trust in you. A stakeholder with power who loses
trust escalates: capacity is pulled or the research budget cut.

Nobody asks for what is already shipped, in progress or planned in Now.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

from pmsim.engine import text
from pmsim.engine.rng import stream
from pmsim.engine.state import RequestState, StakeholderState
from pmsim.scenario.models import Request, Scenario

if TYPE_CHECKING:
    from pmsim.engine.actions import Renegotiate, Respond
    from pmsim.engine.protocols import GameLike as Game  # the narrow protocol, not game.py

ACCEPT_BONUS = 0.03
DELIVERED_BONUS = 0.12
DELIVERED_UNASKED = 0.06
BROKEN_PENALTY = 0.4  # x (0.5 + urgency) x (0.5 + power): a promise broken to the powerful hurts most
BROKEN_SEEN = 0.4  # ... and everyone else sees it (a broken promise is the talk of the office): they lose
# this share of (BROKEN_PENALTY x (0.5 + urgency))
DEFER_PENALTY = 0.04
DECLINE_REASONED = 0.05
DECLINE_BARE = 0.12
IGNORED_PENALTY = 0.10
ESCALATION_TRUST = 0.3
ESCALATION_POWER = 0.6
ESCALATION_CAPACITY = 0.15
ESCALATION_BUDGET = 0.7
LATE_DECAY = 0.04  # per quarter past due, x (0.5 + urgency) x (0.5 + power)
LATE_FACTOR = 0.5  # what is delivered n quarters late earns LATE_FACTOR ** n of the on-time credit
RENEGOTIATE_PENALTY = 0.06  # x (0.5 + urgency) x (0.5 + power) x (0.5 + 1 / (1 + quarters of notice))
WITHDRAW_FACTOR = 1.5  # dropping the promise costs more than moving its date
PUSHBACK_PENALTY = 0.02  # x (0.5 + power)
AGREE_MARGIN = 0.1  # agrees when trust - power / 2 >= this (+ RETRY_MARGIN per earlier renegotiation)
RETRY_MARGIN = 0.1
RENEGOTIATE_ESCALATION_TRUST = 0.4  # a powerful stakeholder below this trust escalates instead


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
    _arrive(game, RequestState(
        id=req.id or fallback_id, stakeholder=sid, round=st.round, text=req.text, feature=req.feature,
        deadline=req.deadline, urgency=req.urgency, scripted=True,
    ))


def already_under_way(game: Game, fid: str | None) -> str | None:
    """Why nobody would ask for `fid` now ("shipped", "in progress", "planned"), else None."""
    if fid is None:
        return None
    fs = game.state.features[fid]
    if fs.status == "shipped":
        return "shipped"
    if fs.status == "in_progress":
        return "in progress"
    if fid in game.state.now:
        return "planned"
    return None


def _arrive(game: Game, req: RequestState) -> None:
    """A scripted request arrives, unless its feature is already shipped or being built: then the
    stakeholder has nothing to ask, and the news says so (no trust moves either way)."""
    st = game.state
    why = already_under_way(game, req.feature)
    if why is None:
        st.requests.append(req)
        return
    s = st.stakeholders[req.stakeholder]
    title = _title_of(game, req.feature)
    st.news.append({"kind": "stakeholder", "text": (
        f"{s.name} ({s.title}) was going to ask for {title}, but it has already shipped." if why == "shipped"
        else f"{s.name} ({s.title}) was going to ask for {title}, but the team is already building it."
    )})


def _title_of(game: Game, fid: str | None) -> str:
    return game.scenario.features[game.fidx(fid)].title if fid else "their request"


def new_requests(game: Game) -> None:
    """Scripted requests for this round, then generated ones from the stakeholders' agendas."""
    st = game.state
    sc = game.scenario
    r = st.round
    for s in sc.stakeholders:
        for qi, q in enumerate(s.requests):
            if q.round == r:
                _arrive(game, RequestState(
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
    room = _capacity_left_in_game(game)
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
            if f.theme in s.agenda and already_under_way(game, f.id) is None and f.id not in asked
            and f.available_from <= r + 1 and f.effort <= room
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


def _capacity_left_in_game(game: Game) -> float:
    """Engineer-weeks the team could still build this game (nominal): nobody asks for more."""
    sc = game.scenario
    return sum(sc.team.capacity_by_round.get(r, sc.team.capacity) for r in range(game.state.round, sc.rounds + 1))


def respond(game: Game, req: RequestState, action: Respond) -> None:
    s = game.state.stakeholders[req.stakeholder]
    req.reason = action.reason
    req.rationale = action.rationale
    req.answer = action.response
    req.answered_round = game.state.round
    if action.response == "accept":
        req.status = "accepted"
        if req.deadline is None or game.state.round <= req.deadline:
            _trust(s, ACCEPT_BONUS)  # past its due date, a yes is no longer good news
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
    """After delivery: promises kept or broken, requests waiting past their due date, and
    escalations. Returns reactions to show (this quarter's renegotiation replies first)."""
    st = game.state
    r = st.round
    reactions: list[dict[str, Any]] = []
    for req in st.requests:
        for ask in req.renegotiations:
            if ask["round"] == r:
                s = st.stakeholders[req.stakeholder]
                reactions.append({"stakeholder": s.id, "name": s.name, "mood": ask["reply"], "request": req.id,
                                  "text": ask["text"]})
    just_broken: set[str] = set()
    for req in st.requests:
        s = st.stakeholders[req.stakeholder]
        fs = st.features[req.feature] if req.feature else None
        if (fs is not None and fs.status == "shipped" and req.delivered_round is None
                and req.status in ("accepted", "broken", "deferred", "ignored", "declined", "released")):
            req.delivered_round = fs.shipped_round
            late = _quarters_late(req, fs.shipped_round)
            if req.status in ("accepted", "broken"):
                _trust(s, DELIVERED_BONUS * (0.5 + req.urgency) * LATE_FACTOR**late)
                if late == 0:
                    reactions.append(_react(s, req, "delighted", "delivered"))
                else:
                    reactions.append(_react(s, req, "relieved", f"delivered {_quarters(late)} late"))
                if req.status == "accepted":
                    req.status = "delivered"  # a broken promise stays broken, even delivered late
            else:
                _trust(s, DELIVERED_UNASKED * LATE_FACTOR**late)
                reactions.append(_react(s, req, "pleased", "delivered anyway"))
                req.status = "delivered"
        elif req.status == "accepted" and req.feature is None:
            req.status = "delivered"  # nothing to build: answering it was the delivery
        elif req.status == "accepted" and req.deadline is not None and r >= req.deadline:
            req.status = "broken"
            just_broken.add(req.id)
            _trust(s, -BROKEN_PENALTY * (0.5 + req.urgency) * (0.5 + s.power))
            for other in st.stakeholders.values():
                if other.id != s.id:
                    _trust(other, -BROKEN_SEEN * BROKEN_PENALTY * (0.5 + req.urgency))
            reactions.append(_react(s, req, "angry", "promise broken"))
    for req in st.requests:
        if req.deadline is None or r < req.deadline or req.id in just_broken or not waiting(req):
            continue
        s = st.stakeholders[req.stakeholder]
        _trust(s, -LATE_DECAY * (0.5 + req.urgency) * (0.5 + s.power))
        reactions.append({"stakeholder": s.id, "name": s.name, "mood": "impatient", "request": req.id,
                          "text": f"{s.name} ({s.title}) is still waiting for {_title_of(game, req.feature)}, "
                                  f"due Q{req.deadline}."})
    for s in st.stakeholders.values():
        if s.power >= ESCALATION_POWER and s.trust < ESCALATION_TRUST and r - s.last_escalation >= 2:
            what = _escalate(game, s)
            reactions.append({"stakeholder": s.id, "name": s.name, "mood": "escalated", "request": None,
                              "text": f"{s.name} ({s.title}) escalated to leadership and {what}."})
    return reactions


def waiting(req: RequestState) -> bool:
    """Still waiting for its feature: open, deferred, or promised and not yet delivered."""
    return (req.status in ("open", "deferred", "accepted")
            or (req.status == "broken" and req.delivered_round is None))


def _quarters_late(req: RequestState, shipped_round: int | None) -> int:
    if req.deadline is None or shipped_round is None:
        return 0
    return max(shipped_round - req.deadline, 0)


def _quarters(n: int) -> str:
    return "a quarter" if n == 1 else f"{n} quarters"


def _escalate(game: Game, s: StakeholderState) -> str:
    """Go over the player's head: capacity pulled next quarter or the research budget cut."""
    st = game.state
    s.last_escalation = st.round
    if s.role in ("sales", "leadership", "customer_success"):
        cut = round(ESCALATION_CAPACITY * game.scenario.team.capacity, 6)
        st.capacity_penalty_next += cut
        what = f"pulled {cut:.1f} engineer-weeks next quarter for their own priorities"
    else:
        st.budget_factor *= ESCALATION_BUDGET
        what = "had the research budget cut by 30%"
    st.news.append({"kind": "escalation", "text": f"{s.name} escalated: {what}."})
    return what


# ---------------------------------------------------------------------- renegotiation
def check_renegotiate(game: Game, req: RequestState, action: Renegotiate) -> None:
    """Raise IllegalAction unless `action` can renegotiate `req` now."""
    from pmsim.engine.actions import MAX_RATIONALE, REASONS
    from pmsim.engine.state import IllegalAction

    st = game.state
    r = st.round
    if req.status != "accepted":
        raise IllegalAction("not_accepted", f"only an accepted request can be renegotiated; {req.id!r} is {req.status}")
    if req.feature is None:
        raise IllegalAction("nothing_to_build", f"request {req.id!r} asks for nothing to build")
    if req.deadline is not None and req.deadline < r:
        raise IllegalAction("past_due", f"request {req.id!r} was due in Q{req.deadline}: too late to renegotiate")
    if any(a["round"] == r for a in req.renegotiations):
        raise IllegalAction("already_renegotiated", f"request {req.id!r} was already renegotiated this quarter")
    if action.new_deadline is not None:
        if isinstance(action.new_deadline, bool) or not isinstance(action.new_deadline, int):
            raise IllegalAction("bad_deadline", "the new deadline must be a round number")
        if req.deadline is None:
            raise IllegalAction("no_deadline", f"request {req.id!r} has no deadline to move")
        if action.new_deadline <= req.deadline:
            raise IllegalAction("bad_deadline", f"the new deadline must be after Q{req.deadline}")
        if action.new_deadline > game.scenario.rounds:
            raise IllegalAction("bad_deadline", f"the game ends in Q{game.scenario.rounds}")
    if action.reason not in REASONS:
        raise IllegalAction("bad_reason", f"reason must be one of {', '.join(REASONS)}")
    if action.reason == "none":
        raise IllegalAction("reason_required", "a renegotiation needs a reason")
    if len(action.rationale) > MAX_RATIONALE:
        raise IllegalAction("rationale_too_long", f"a rationale is at most {MAX_RATIONALE} characters")


def renegotiation_cost(game: Game, req: RequestState, withdraw: bool) -> float:
    """The trust an agreed renegotiation costs: more for powerful people and urgent asks, and more
    the later the news comes (told in the deadline quarter itself costs most)."""
    s = game.state.stakeholders[req.stakeholder]
    due = req.deadline if req.deadline is not None else game.scenario.rounds
    notice = max(due - game.state.round, 0)
    cost = RENEGOTIATE_PENALTY * (0.5 + req.urgency) * (0.5 + s.power) * (0.5 + 1.0 / (1 + notice))
    return cost * (WITHDRAW_FACTOR if withdraw else 1.0)


def reply(game: Game, req: RequestState) -> str:
    """How the stakeholder answers a renegotiation: "agreed", "pushed back" or "escalated".

    Goodwill is trust minus half their power (the powerful expect more), less a margin for each
    earlier renegotiation of the same request. Enough goodwill: they agree. Otherwise a powerful
    (power >= 0.6) stakeholder who trusts you little (< 0.4) and has not escalated in the last
    quarter escalates; everyone else pushes back and keeps the date."""
    s = game.state.stakeholders[req.stakeholder]
    goodwill = s.trust - 0.5 * s.power - RETRY_MARGIN * len(req.renegotiations)
    if goodwill >= AGREE_MARGIN - 1e-9:
        return "agreed"
    if (s.power >= ESCALATION_POWER and s.trust < RENEGOTIATE_ESCALATION_TRUST
            and game.state.round - s.last_escalation >= 2):
        return "escalated"
    return "pushed back"


def renegotiate(game: Game, req: RequestState, action: Renegotiate) -> dict[str, Any]:
    """Apply a (checked) renegotiation: the stakeholder replies, trust moves, and the ask and
    reply are recorded on the request."""
    st = game.state
    s = st.stakeholders[req.stakeholder]
    withdraw = action.new_deadline is None
    answer = reply(game, req)
    title = _title_of(game, req.feature)
    before = s.trust
    if answer == "agreed":
        _trust(s, -renegotiation_cost(game, req, withdraw))
        if withdraw:
            req.status = "released"
            text = f"{s.name} ({s.title}) agreed to drop {title} from your commitments."
        else:
            if req.original_deadline is None:
                req.original_deadline = req.deadline
            req.deadline = action.new_deadline
            text = f"{s.name} ({s.title}) agreed to move {title} to Q{action.new_deadline}."
    elif answer == "escalated":
        _trust(s, -renegotiation_cost(game, req, withdraw))
        what = _escalate(game, s)
        text = (f"{s.name} ({s.title}) escalated to leadership rather than "
                f"{'drop' if withdraw else 'move'} {title} and {what}; it is still due Q{req.deadline}.")
    else:
        _trust(s, -PUSHBACK_PENALTY * (0.5 + s.power))
        text = f"{s.name} ({s.title}) pushed back: {title} is still due Q{req.deadline}."
    ask = {"round": st.round, "new_deadline": action.new_deadline, "reason": action.reason,
           "rationale": action.rationale, "reply": answer, "text": text,
           "trust_change": round(s.trust - before, 6)}
    req.renegotiations.append(ask)
    return dict(ask)


def _react(s: StakeholderState, req: RequestState, mood: str, what: str) -> dict[str, Any]:
    return {"stakeholder": s.id, "name": s.name, "mood": mood, "request": req.id,
            "text": f"{s.name} ({s.title}) is {mood}: {what}."}
