"""Plain dataclasses at the storage edge: what callers (CLI, TUI, tests) get back. No ORM here."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

IN_PROGRESS = "in_progress"
FINISHED = "finished"


def canonical_json(obj: Any) -> str:
    """Deterministic compact JSON: what is stored and what hashes are taken over."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def finite(obj: Any) -> Any:
    """`obj` with NaN and infinities replaced by None: JSON has no such numbers."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [finite(v) for v in obj]
    return obj


class NonFiniteNumber(ValueError):
    """A JSON text holds a number that is not a finite float (1e400, NaN, Infinity)."""


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NonFiniteNumber(f"the number {text[:40]} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 20:  # nothing in a save needs more (seeds are below 2**63)
        raise NonFiniteNumber(f"the number {text[:24]}... is out of range")
    return int(text)


def _no_constant(name: str) -> Any:
    raise NonFiniteNumber(f"{name} is not a number JSON allows")


def loads_finite(text: str | bytes) -> Any:
    """`json.loads`, refusing what a save must never hold: NaN, Infinity, numbers out of float
    range (1e400 would become inf and break every later dump) and integers of more than 20
    digits. Raises `ValueError`."""
    return json.loads(text, parse_float=_finite_float, parse_int=_bounded_int, parse_constant=_no_constant)


def finite_or_none(value: Any) -> float | None:
    """A stored number as a finite float, or None (NULL, NaN, infinities, not a number)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return f if math.isfinite(f) else None


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ActionRecord:
    """One stored action. `data` is None (and `error` says why) when the row is damaged."""

    seq: int
    round: int
    kind: str
    data: dict[str, Any] | None
    error: str | None = None


@dataclass(frozen=True)
class RoundRecord:
    """A completed round as recorded: the state hash and what the player saw."""

    round: int
    seq: int
    state_hash: str
    score: float | None
    components: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    shipped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "round": self.round, "seq": self.seq, "state_hash": self.state_hash, "score": self.score,
            "components": self.components, "metrics": self.metrics, "shipped": self.shipped,
        }


@dataclass(frozen=True)
class SaveInfo:
    """A save's header, as `saves list` shows it."""

    id: int | None  # None for a save read from a file
    player: str
    scenario_id: str
    scenario_title: str
    seed: int
    engine_version: str
    status: str
    round: int
    n_actions: int
    score: float | None
    parent_id: int | None
    forked_round: int | None
    origin: str
    created_at: datetime | None
    updated_at: datetime | None
    class_id: int | None = field(default=None, kw_only=True)  # the class it was played in, if any
    # why the stored header cannot be trusted (a column holding garbage); its status is then "damaged"
    problem: str | None = field(default=None, kw_only=True)

    def to_json(self) -> dict[str, Any]:
        """The `saves list --json` row; a damaged one also says why (`problem`): its seed, round or
        action count read 0 where the column held garbage."""
        row = {
            "id": self.id, "player": self.player, "scenario": self.scenario_id, "seed": self.seed,
            "round": self.round, "status": self.status, "score": self.score,
        }
        if self.problem:
            row["problem"] = self.problem
        return row


@dataclass(frozen=True)
class SaveRecord(SaveInfo):
    """A whole save: header, scenario text, action log and round summaries."""

    scenario_text: str
    scenario_sha256: str
    actions: list[ActionRecord]
    rounds: list[RoundRecord]
    source: str  # "save 3" or the file it was read from: how messages name it

    @property
    def damaged_actions(self) -> list[ActionRecord]:
        return [a for a in self.actions if a.data is None]


@dataclass(frozen=True)
class ClassInfo:
    """A class run: everyone plays `scenario_text` on `seed`; students join with `code`."""

    id: int
    code: str
    name: str
    scenario_id: str
    scenario_title: str
    scenario_sha256: str
    seed: int
    created_at: datetime | None
    scenario_text: str = field(repr=False)
    n_saves: int = 0  # games started in the class
    n_finished: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code, "name": self.name, "scenario": self.scenario_id, "seed": self.seed,
            "created_at": self.created_at.isoformat(timespec="seconds") if self.created_at else None,
            "games": self.n_saves, "finished": self.n_finished,
        }


@dataclass(frozen=True)
class ClassGame:
    """A save of a class with the game summary stored when it finished (None if there is none)."""

    info: SaveInfo
    scenario_sha256: str
    summary: dict[str, Any] | None
    problem: str | None = None  # why a stored summary could not be read


@dataclass
class ReplayResult:
    """What replaying a save found. `game` is None when the save could not be replayed at all."""

    source: str
    game: Any  # pmsim.engine.Game | None
    rounds_checked: int = 0
    first_mismatch: int | None = None  # first round whose state differs from the record
    problem: str | None = None  # one line; None when everything matched
    damaged: bool = False  # the save itself is unreadable (rather than a different game)
    applied: int = 0  # actions replayed
    summaries: list[dict[str, Any]] = field(default_factory=list)  # per round, from the replay

    @property
    def ok(self) -> bool:
        return self.problem is None
