"""Alembic owns the schema: the models and the migrations agree, and opening is idempotent."""

from __future__ import annotations

import threading

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from pmsim.storage import migrate
from pmsim.storage.models import Base
from pmsim.storage.saves import SaveStore


def test_head_constant_matches_the_scripts():
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    assert scripts.get_heads() == [migrate.HEAD]


def test_models_match_the_migrations(store):
    with store._engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == migrate.HEAD
        meta = dict(conn.execute(text("SELECT key, value FROM pmsim_meta")).all())
        assert meta == {"app": "pmsim", "schema_version": str(migrate.SCHEMA_VERSION)}
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 10_000


def test_downgrade_and_upgrade_again(db_url):
    s = SaveStore(db_url)
    with s._w.connect() as conn, conn.begin():
        command.downgrade(migrate.alembic_config(conn), "base")
    s.close()
    with SaveStore(db_url) as s2:  # opening migrates back up
        assert s2.list() == []


def test_many_openers_of_a_new_file(db_url):
    errors = []

    def open_it():
        try:
            SaveStore(db_url).close()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []



class _Cursor:
    """A cursor whose WAL switch is refused while another opener holds the file."""

    def __init__(self, refusals: int, error: str = "database is locked") -> None:
        self.refusals, self.error, self.mode = refusals, error, "delete"

    def execute(self, sql: str):
        import sqlite3

        if sql == "PRAGMA journal_mode = WAL":
            if self.refusals:
                self.refusals -= 1
                raise sqlite3.OperationalError(self.error)
            self.mode = "wal"
        return self

    def fetchone(self):
        return (self.mode,)


def test_the_switch_to_wal_waits_while_another_opener_holds_the_file():
    """SQLite refuses PRAGMA journal_mode = WAL at once ("database is locked") while another
    connection of a new file is mid-transaction: six threads opening one new file failed now and
    then (test_many_openers_of_a_new_file, under load). The switch is retried until it succeeds."""
    import sqlite3

    from pmsim.storage.db import _switch_to_wal

    cur = _Cursor(refusals=3)
    _switch_to_wal(cur)
    assert cur.mode == "wal" and cur.refusals == 0
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        _switch_to_wal(_Cursor(refusals=1, error="disk I/O error"))  # not a lock: not retried
