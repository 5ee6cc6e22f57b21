"""The player's actions: small frozen dataclasses, serializable to plain JSON for saves."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar, Literal

SLOTS = ("now", "next", "later")
RESPONSES = ("accept", "defer", "decline")
REASONS = ("capacity", "evidence", "strategy", "timing", "none")
RESEARCH_KINDS = ("survey", "interviews", "usability_test", "ab_test", "competitive_analysis", "spike")
MAX_RATIONALE = 500


@dataclass(frozen=True)
class Action:
    kind: ClassVar[str] = ""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **asdict(self)}


@dataclass(frozen=True)
class Plan(Action):
    """Put a backlog feature in a roadmap slot; `now` items are built this round, in order."""

    kind: ClassVar[str] = "plan"
    feature: str
    slot: Literal["now", "next", "later"] = "now"
    position: int | None = None


@dataclass(frozen=True)
class Unplan(Action):
    kind: ClassVar[str] = "unplan"
    feature: str


@dataclass(frozen=True)
class Respond(Action):
    """Answer a stakeholder request. The reason is simulated; the rationale is only recorded."""

    kind: ClassVar[str] = "respond"
    request: str
    response: Literal["accept", "defer", "decline"]
    reason: str = "none"
    rationale: str = ""


@dataclass(frozen=True)
class Renegotiate(Action):
    """Go back to a stakeholder about an accepted request before its deadline: ask for a later
    deadline (`new_deadline`, a round), or with `new_deadline=None` to drop the commitment (scope
    reduced to nothing). A reason is required; the stakeholder agrees, pushes back or escalates."""

    kind: ClassVar[str] = "renegotiate"
    request: str
    new_deadline: int | None
    reason: str = "none"
    rationale: str = ""


@dataclass(frozen=True)
class Research(Action):
    kind: ClassVar[str] = "research"
    method: Literal["survey", "interviews", "usability_test", "ab_test", "competitive_analysis", "spike"]
    segment: str | None = None
    feature: str | None = None
    competitor: str | None = None
    n: int = 0


@dataclass(frozen=True)
class EndRound(Action):
    """Commit the roadmap and let the quarter play out."""

    kind: ClassVar[str] = "end_round"
    rationale: str = ""


ACTION_TYPES: dict[str, type[Action]] = {c.kind: c for c in (Plan, Unplan, Respond, Renegotiate, Research, EndRound)}


class ActionFormatError(ValueError):
    """A serialized action that is not one of ours."""


def action_from_dict(data: dict[str, Any]) -> Action:
    if not isinstance(data, dict) or "kind" not in data:
        raise ActionFormatError("an action must be an object with a 'kind'")
    cls = ACTION_TYPES.get(data["kind"])
    if cls is None:
        raise ActionFormatError(f"unknown action kind {data['kind']!r}")
    allowed = {f.name for f in fields(cls)}
    extra = set(data) - allowed - {"kind"}
    if extra:
        raise ActionFormatError(f"unknown field(s) {sorted(extra)} for action {cls.kind!r}")
    kwargs = {k: v for k, v in data.items() if k != "kind"}
    for f in fields(cls):
        v = kwargs.get(f.name)
        if v is None:
            continue
        if f.type in ("int", "int | None") and (not isinstance(v, int) or isinstance(v, bool)):
            raise ActionFormatError(f"field {f.name!r} of action {cls.kind!r} must be an integer")
        if f.type == "str" and not isinstance(v, str):
            raise ActionFormatError(f"field {f.name!r} of action {cls.kind!r} must be a string")
    try:
        return cls(**kwargs)
    except TypeError as e:
        raise ActionFormatError(str(e)) from None
