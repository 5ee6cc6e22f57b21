"""Revision 0002 (classes): a version-1 database upgrades in place and keeps every save, action,
round, fork link and used id; a downgrade keeps them too."""

from __future__ import annotations

import re

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from class_helpers import small_text
from sqlalchemy import create_engine, text

from pmsim.storage import migrate
from pmsim.storage.models import Base
from pmsim.storage.saves import SaveStore
from pmsim.storage.session import GameSession, record_bot_game

V1_SAVE_COLUMNS = ("id, player, scenario_id, scenario_title, scenario_text, scenario_sha256, seed, engine_version, "
                   "status, round, n_actions, score, parent_id, forked_round, origin, created_at, updated_at")


def _counts(conn) -> dict[str, int]:
    return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in ("saves", "actions", "rounds")}


def _schema_sql(conn, table: str) -> str:
    sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}).scalar()
    return re.sub(r"\s+", " ", sql).strip()


def _populate(store: SaveStore) -> dict[str, int]:
    """A finished game, a fork of it, a game in progress, and a used-then-deleted id."""
    from pmsim.engine.bots import play_round

    finished = record_bot_game(store, small_text(), 11, "rice")
    fork = store.fork(finished, 3)
    s = GameSession.start(store, small_text(), 12, "ada")
    play_round(s, "hippo")
    store.delete(GameSession.start(store, small_text(), 13, "gone").save_id)
    return {"finished": finished, "fork": fork, "playing": s.save_id}


def test_a_version_1_database_upgrades_in_place(tmp_path):
    src = tmp_path / "source.sqlite3"
    with SaveStore(f"sqlite:///{src}") as store:
        ids = _populate(store)
    old = tmp_path / "v1.sqlite3"
    engine = create_engine(f"sqlite:///{old}")
    with engine.begin() as conn:  # a genuine revision-0001 database, filled with version-1 rows
        command.upgrade(migrate.alembic_config(conn), "0001")
        conn.execute(text(f"ATTACH DATABASE '{src}' AS src"))
        conn.execute(text(f"INSERT INTO saves ({V1_SAVE_COLUMNS}) SELECT {V1_SAVE_COLUMNS} FROM src.saves"))
        conn.execute(text("INSERT INTO actions SELECT * FROM src.actions"))
        conn.execute(text("INSERT INTO rounds SELECT * FROM src.rounds"))
        conn.execute(text("UPDATE sqlite_sequence SET seq = 4 WHERE name = 'saves'"))
    with engine.connect() as conn:
        before = _counts(conn)
        assert "class_id" not in _schema_sql(conn, "saves")
    engine.dispose()

    with SaveStore(f"sqlite:///{old}") as store:  # opening it migrates it
        with store._engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == migrate.HEAD
            assert _counts(conn) == before
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        infos = {s.id: s for s in store.list()}
        assert sorted(infos) == sorted(ids.values())
        assert infos[ids["fork"]].parent_id == ids["finished"] and infos[ids["fork"]].forked_round == 3
        assert all(s.class_id is None for s in infos.values())
        for sid in ids.values():
            assert store.verify(sid).ok
        session = GameSession.resume(store, ids["playing"])
        from pmsim.engine.bots import play_round

        play_round(session, "hippo")  # the game in progress goes on
        assert store.create(small_text(), 1, "new") == 5  # id 4 was used once: never again
        klass = store.create_class("after the upgrade", small_text(), 11)
        assert GameSession.start_class(store, klass.code, "x").save_id == 6


def test_downgrade_keeps_the_saves_and_upgrade_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    with SaveStore(url) as store:
        ids = _populate(store)
        klass = store.create_class("c", small_text(), 11)
        s = GameSession.start_class(store, klass.code, "student")
        ids["student"] = s.save_id
        with store._engine.connect() as conn:
            before = _counts(conn)
        fresh = create_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
        with fresh.begin() as conn:
            command.upgrade(migrate.alembic_config(conn), "0001")
            v1_saves = _schema_sql(conn, "saves")
        fresh.dispose()
        with store._w.connect() as conn, conn.begin():
            command.downgrade(migrate.alembic_config(conn), "0001")
        with store._engine.connect() as conn:
            assert _counts(conn) == before
            assert _schema_sql(conn, "saves") == v1_saves  # the very table revision 0001 makes
            assert conn.execute(text("SELECT value FROM pmsim_meta WHERE key = 'schema_version'")).scalar() == "1"
            assert "classes" not in {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
    with SaveStore(url) as store:
        assert sorted(s.id for s in store.list()) == sorted(ids.values())
        assert store.info(ids["fork"]).parent_id == ids["finished"]
        assert all(store.verify(sid).ok for sid in ids.values())
        assert store.create(small_text(), 1, "new") == ids["student"] + 1
