"""Helpers shared by the save store (saves.py) and its class methods (classes.py): a save's header
columns and how a row becomes a `SaveInfo`, stored times and JSON columns read back safely, and
the checks of a new game's scenario text and seed. Both modules import this one, not each other.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pmsim.storage.errors import StorageError
from pmsim.storage.models import Save
from pmsim.storage.records import SaveInfo, finite_or_none, loads_finite

if TYPE_CHECKING:
    from pmsim.scenario.models import Scenario

_INFO_COLUMNS = (
    Save.id, Save.player, Save.scenario_id, Save.scenario_title, Save.seed, Save.engine_version,
    Save.status, Save.round, Save.n_actions, Save.score, Save.parent_id, Save.forked_round,
    Save.origin, Save.created_at, Save.updated_at, Save.class_id,
)


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(dt: datetime | None) -> datetime | None:
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)  # SQLite hands back naive datetimes: they were stored as UTC
    return dt


def _info(row: Any) -> SaveInfo:
    return SaveInfo(
        id=row.id, player=row.player, scenario_id=row.scenario_id, scenario_title=row.scenario_title,
        seed=int(row.seed), engine_version=row.engine_version, status=row.status, round=row.round,
        n_actions=row.n_actions, score=finite_or_none(row.score), parent_id=row.parent_id,
        forked_round=row.forked_round, origin=row.origin, created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at), class_id=row.class_id,
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
