"""Helpers shared by the save store (saves.py) and its class methods (classes.py): a save's header
columns and how a row becomes a `SaveInfo`, stored times and JSON columns read back safely, and
the checks of a new game's scenario text and seed. Both modules import this one, not each other.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, type_coerce
from sqlalchemy.types import TypeDecorator

from pmsim.storage.errors import StorageError
from pmsim.storage.models import Save
from pmsim.storage.records import SaveInfo, finite_or_none, loads_finite

if TYPE_CHECKING:
    from pmsim.scenario.models import Scenario


class _StoredTime(TypeDecorator):
    """A stored time read back without trusting it: SQLite keeps whatever text a damaged or hand-edited
    row holds, and SQLAlchemy's DateTime raised on it while reading every row of `saves list`, so one
    bad row hid every save. Unreadable text reads as None (the time is not shown)."""

    impl = String
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value
        try:
            return datetime.fromisoformat(str(value))
        except ValueError:
            return None


_INFO_COLUMNS = (
    Save.id, Save.player, Save.scenario_id, Save.scenario_title, Save.seed, Save.engine_version,
    Save.status, Save.round, Save.n_actions, Save.score, Save.parent_id, Save.forked_round,
    Save.origin, type_coerce(Save.created_at, _StoredTime()).label("created_at"),
    type_coerce(Save.updated_at, _StoredTime()).label("updated_at"), Save.class_id,
)


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(dt: datetime | None) -> datetime | None:
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)  # SQLite hands back naive datetimes: they were stored as UTC
    return dt


def _whole(value: Any, what: str, bad: list[str], lo: int = 0, hi: int = 2**63 - 1) -> int:
    """A stored whole number, or 0 with `what` added to `bad` when the column holds something else."""
    if isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi:
        return value
    whole = isinstance(value, int) and not isinstance(value, bool)
    bad.append(f"its {what} is {str(value)[:40]!r}, " + (f"outside {lo}..{hi}" if whole else "not a whole number"))
    return 0


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _info(row: Any) -> SaveInfo:
    """A save's header. A column holding garbage (a damaged or hand-edited row: SQLite keeps any value
    in any column) never raises: the save is listed with status "damaged" and a `problem` naming the
    column, so the other saves still list and load."""
    bad: list[str] = []
    seed = _whole(row.seed, "seed", bad)
    rnd = _whole(row.round, "round", bad)
    n_actions = _whole(row.n_actions, "action count", bad)
    status = _text(row.status)
    if status not in ("in_progress", "finished"):
        bad.append(f"its status is {status[:40]!r}, not in_progress or finished")
    return SaveInfo(
        id=row.id, player=_text(row.player), scenario_id=_text(row.scenario_id),
        scenario_title=_text(row.scenario_title), seed=seed, engine_version=_text(row.engine_version),
        status="damaged" if bad else status, round=rnd, n_actions=n_actions,
        score=finite_or_none(row.score),
        parent_id=row.parent_id, forked_round=row.forked_round, origin=_text(row.origin),
        created_at=_utc(row.created_at), updated_at=_utc(row.updated_at), class_id=row.class_id,
        problem="; ".join(bad) or None,
    )


def _json(text: str, default: Any) -> Any:
    """A JSON column; `default` when it is unreadable or holds a number out of range (F1)."""
    try:
        return loads_finite(text)
    except (TypeError, ValueError, RecursionError):
        return default


def _load_scenario(text: str) -> Scenario:
    from pmsim.scenario.loader import ScenarioError, load_scenario_text

    try:
        return load_scenario_text(text, "<scenario>")
    except ScenarioError as e:
        lines = e.lines()
        raise StorageError(f"the scenario does not load: {lines[0] if lines else e}") from None


def _check_seed(seed: int) -> None:
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
        raise StorageError("the seed must be an integer from 0 to 2**63-1")
