"""Open a database for pmsim: check what it is, and bring its schema up to date with Alembic.

* empty database → create the schema (revision HEAD);
* pmsim database at HEAD → nothing to do (a fast check that does not import Alembic);
* pmsim database at an older revision → upgrade, under a lock so two processes never race;
* pmsim database written by a newer pmsim → `SchemaTooNew`, and the database is left untouched;
* anything else (someone else's tables) → `NotAPmsimDatabase`, untouched.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from pmsim.storage.db import META_TABLE, check_writable, describe_url, write_engine
from pmsim.storage.errors import NotAPmsimDatabase, SchemaTooNew

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

HEAD = "0004"  # the newest revision in migrations/versions
SCHEMA_VERSION = 4  # pmsim_meta.schema_version written by HEAD
VERSION_TABLE = "alembic_version"
_PG_LOCK_KEY = 0x706D73696D  # "pmsim": pg_advisory_xact_lock key for migrations


def _state(conn: Connection) -> tuple[str, str | None, int | None]:
    """("empty" | "foreign" | "pmsim", alembic revision, schema_version)."""
    from sqlalchemy import inspect, text

    insp = inspect(conn)
    names = set(insp.get_table_names())
    if META_TABLE not in names:
        if names == {VERSION_TABLE}:  # e.g. after `alembic downgrade base`: empty if unstamped
            if conn.execute(text(f"SELECT count(*) FROM {VERSION_TABLE}")).scalar() == 0:
                names = set()
        if names or insp.get_view_names() or _other_schemas_used(conn, insp):
            return ("foreign", None, None)
        return ("empty", None, None)
    rev = None
    if VERSION_TABLE in names:
        rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
        rev = rows[0][0] if len(rows) == 1 else None
    row = conn.execute(text(f"SELECT value FROM {META_TABLE} WHERE key = 'schema_version'")).first()
    try:
        version = int(row[0]) if row else None
    except (TypeError, ValueError):
        version = None
    return ("pmsim", rev, version)


_SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "pg_toast"}


def _other_schemas_used(conn: Connection, insp) -> bool:
    """True when a schema other than the default one holds a table or a view (PostgreSQL: a
    database whose tables all live outside `public` is not empty, and not pmsim's to claim)."""
    if conn.dialect.name != "postgresql":
        return False
    default = insp.default_schema_name
    for schema in insp.get_schema_names():
        if schema == default or schema in _SYSTEM_SCHEMAS or schema.startswith(("pg_temp", "pg_toast")):
            continue
        if insp.get_table_names(schema=schema) or insp.get_view_names(schema=schema):
            return True
    return False


def _check(url: str, state: tuple[str, str | None, int | None]) -> bool:
    """True when the schema is current; raise if pmsim must not touch this database."""
    kind, rev, version = state
    where = describe_url(url)
    if kind == "foreign":
        raise NotAPmsimDatabase(
            f"{where} is not a pmsim database (it holds other tables or views, in some schema): "
            "use another file or database"
        )
    if kind == "empty":
        return False
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"{where} was written by a newer pmsim (schema {version}, this pmsim knows up to "
            f"{SCHEMA_VERSION}): upgrade pmsim to open it; the database was not changed"
        )
    if rev == HEAD:
        return True
    if rev is None or rev not in known_revisions():
        if rev is not None and (version is None or version >= SCHEMA_VERSION):
            raise SchemaTooNew(
                f"{where} has schema revision {rev!r}, unknown to this pmsim (newest known {HEAD!r}): "
                "upgrade pmsim to open it; the database was not changed"
            )
        raise NotAPmsimDatabase(f"{where} is a damaged pmsim database (no schema revision recorded)")
    return False


def alembic_config(conn: Connection | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("pmsim.storage") / "migrations"))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def ensure_schema(engine: Engine, url: str) -> None:
    """Make `engine`'s database a current pmsim database, or raise without changing it."""
    with engine.connect() as conn:
        if _check(url, _state(conn)):
            return
    check_writable(engine, url)  # never create or migrate a schema inside a damaged file
    with write_engine(engine).connect() as conn:
        with conn.begin():
            if conn.dialect.name == "postgresql":
                from sqlalchemy import text

                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            if _check(url, _state(conn)):  # someone else migrated while we waited
                return
            from alembic import command

            command.upgrade(alembic_config(conn), "head")
