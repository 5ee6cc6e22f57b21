"""Who has ended the quarter in a shared-market class (issue 14): the status records, and a
reader that answers `pmsim class status` for a SQLite file without importing SQLAlchemy.

`pmsim class status` is what an instructor runs over and over while a quarter is open; most of its
time was spent importing the database layer (SQLAlchemy alone is ~0.2 s of a 0.3 s budget), not
reading three small tables. `quick_status` reads them with the standard library's sqlite3,
read-only, from a file whose schema is exactly this pmsim's. It answers only the plain case: it
returns None for anything else (PostgreSQL, an unknown code or one typed loosely, an older or
newer schema, a missing or busy file), and the caller then asks `shared_market.status` through
the SaveStore, which gives the proper answer or the one-line error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class CompanyStatus:
    name: str
    committed: bool  # has ended the quarter being played


@dataclass(frozen=True)
class RoundStatus:
    round: int
    state_hash: str
    advanced: int  # companies the instructor's advance ended
    resolved_at: datetime | None


@dataclass(frozen=True)
class MarketStatus:
    code: str
    round: int
    finished: bool
    n_actions: int
    companies: list[CompanyStatus]
    rounds: list[RoundStatus]

    @property
    def waiting_for(self) -> int:
        return 0 if self.finished else sum(1 for c in self.companies if not c.committed)


def _when(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        dt = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt  # stored as UTC (see rows._utc)


def _sqlite_file(url: str) -> str | None:
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url:
        return None
    path = url[len(prefix):]
    return path if path and path != ":memory:" and not path.startswith("file:") else None


def quick_status(db_url: str | None, code: str) -> MarketStatus | None:
    """Class `code`'s status from a SQLite file, or None when this reader cannot answer (see the
    module's docstring): never an error, never a write."""
    import sqlite3
    from pathlib import Path

    from pmsim.storage.db import BUSY_TIMEOUT_S, META_TABLE, resolve_url
    from pmsim.storage.errors import StorageError
    from pmsim.storage.migrate import HEAD, SCHEMA_VERSION, VERSION_TABLE

    try:
        path = _sqlite_file(resolve_url(db_url))
    except StorageError:
        return None
    if path is None or not Path(path).is_file():
        return None
    wanted = "".join(str(code).split()).upper()
    try:
        conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True, timeout=min(BUSY_TIMEOUT_S, 5))
    except (sqlite3.Error, ValueError):
        return None
    try:
        version = conn.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'schema_version'").fetchone()
        rev = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()
        if version is None or str(version[0]) != str(SCHEMA_VERSION) or rev != [(HEAD,)]:
            return None
        row = conn.execute("SELECT m.class_id, c.code, m.round, m.status, m.n_actions FROM shared_markets m "
                           "JOIN classes c ON c.id = m.class_id WHERE c.code = ?", (wanted,)).fetchone()
        if row is None:
            return None
        class_id, stored_code, round_, status, n_actions = row
        finished = status == "finished"
        comps = conn.execute("SELECT name, committed_round FROM shared_companies WHERE class_id = ? ORDER BY idx",
                             (class_id,)).fetchall()
        rounds = conn.execute("SELECT round, state_hash, advanced, resolved_at FROM shared_rounds "
                              "WHERE class_id = ? ORDER BY round", (class_id,)).fetchall()
    except sqlite3.Error:  # busy, damaged, or not this schema after all: the full path will say
        return None
    finally:
        conn.close()
    return MarketStatus(
        code=stored_code, round=round_, finished=finished, n_actions=n_actions,
        companies=[CompanyStatus(name, finished or committed == round_) for name, committed in comps],
        rounds=[RoundStatus(r, h, a, _when(t)) for r, h, a, t in rounds],
    )
