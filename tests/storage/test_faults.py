"""Files that are not pmsim databases, damaged files, newer schemas, unreachable servers:
one clear line naming the file or server, and nothing changed or written elsewhere."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from pmsim.commands.saves import saves
from pmsim.storage.errors import DatabaseUnavailable, NotAPmsimDatabase, SaveDamaged, SchemaTooNew
from pmsim.storage.saves import SaveStore


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_garbage_file_is_named_and_left_alone(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(os.urandom(8192))
    before = digest(path)
    with pytest.raises(NotAPmsimDatabase, match="not a SQLite database") as exc:
        SaveStore(f"sqlite:///{path}")
    assert str(path) in str(exc.value)
    assert digest(path) == before


@pytest.mark.parametrize("fraction", [0.2, 0.6, 0.9])
def test_truncated_database(tmp_path, template_db, fraction):
    path = tmp_path / "cut.sqlite3"
    shutil.copy(template_db, path)
    with open(path, "r+b") as f:
        f.truncate(int(path.stat().st_size * fraction))
    with pytest.raises(NotAPmsimDatabase, match="damaged") as exc:
        s = SaveStore(f"sqlite:///{path}")
        for info in s.list():
            s.load(info.id)
    assert str(path) in str(exc.value)


def test_someone_elses_sqlite_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO customers (name) VALUES ('ada')")
    conn.close()
    before = digest(path)
    with pytest.raises(NotAPmsimDatabase, match="not a pmsim database"):
        SaveStore(f"sqlite:///{path}")
    assert digest(path) == before
    assert not (tmp_path / "other.db-wal").exists()  # not even switched to WAL


def test_newer_schema_is_refused_untouched(tmp_path, template_db):
    path = tmp_path / "future.sqlite3"
    shutil.copy(template_db, path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE pmsim_meta SET value = '99' WHERE key = 'schema_version'")
        conn.execute("UPDATE alembic_version SET version_num = 'f00d'")
    conn.close()
    before = digest(path)
    with pytest.raises(SchemaTooNew, match="newer pmsim") as exc:
        SaveStore(f"sqlite:///{path}")
    assert "schema 99" in str(exc.value) and str(path) in str(exc.value)
    assert digest(path) == before
    res = CliRunner().invoke(saves, ["list", "--db", f"sqlite:///{path}"])
    assert res.exit_code == 2 and "newer pmsim" in res.stderr and "Traceback" not in res.output


def test_unknown_revision_without_newer_version(tmp_path, template_db):
    path = tmp_path / "odd.sqlite3"
    shutil.copy(template_db, path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'zzzz'")
    conn.close()
    with pytest.raises(SchemaTooNew, match="'zzzz'"):
        SaveStore(f"sqlite:///{path}")


def test_database_path_is_a_directory(tmp_path):
    with pytest.raises(DatabaseUnavailable, match="cannot open"):
        SaveStore(f"sqlite:///{tmp_path}")


def test_unreachable_postgres_is_one_line_and_writes_nothing(tmp_path, monkeypatch):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data_home = tmp_path / "data-home"
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(saves, ["list", "--db", f"postgresql+psycopg://ada:pw@127.0.0.1:{port}/pmsim"])
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        f"cannot connect to PostgreSQL at 127.0.0.1:{port}: connection refused (is the server running?)"
    )
    assert list(tmp_path.iterdir()) == []  # no fallback SQLite file, no data folder


def test_default_database_is_created_in_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    with SaveStore() as s:
        assert s.list() == []
    assert (tmp_path / "xdg" / "pmsim" / "pmsim.sqlite3").is_file()


def _damage(url: str, sql: str) -> None:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as c:
        c.execute(sql)


@pytest.mark.parametrize(("sql", "named"), [
    ("UPDATE saves SET seed = 'abc' WHERE id = 1", "its seed is 'abc', not a whole number"),
    ("UPDATE saves SET n_actions = 'x', round = -5 WHERE id = 1", "its round is '-5', outside"),
    ("UPDATE saves SET status = 'zombie' WHERE id = 1", "its status is 'zombie'"),
])
def test_a_save_row_holding_garbage_is_listed_as_damaged_and_the_others_still_load(seeded_url, sql, named):
    # SQLite keeps any value in any column: one hand-edited or damaged row used to make `saves list`
    # (and every command reading a header) end in a traceback, hiding every other save
    _damage(seeded_url, sql)
    with SaveStore(seeded_url) as store:
        rows = {r.id: r for r in store.list()}
        assert rows[1].status == "damaged" and named in rows[1].problem
        assert rows[2].status != "damaged" and rows[2].problem is None
        assert store.load(2).actions  # the other save still loads
        with pytest.raises(SaveDamaged, match=f"save 1 is damaged: {named}"):
            store.load(1)
    out = CliRunner().invoke(saves, ["list", "--db", seeded_url])
    assert out.exit_code == 0, out.output
    assert "damaged" in out.output and out.exception is None
    out = CliRunner().invoke(saves, ["list", "--json", "--db", seeded_url])
    listed = {r["id"]: r for r in json.loads(out.output)}
    assert named in listed[1]["problem"] and "problem" not in listed[2]  # a script can tell why


def test_a_stored_time_that_is_not_a_time_hides_nothing(seeded_url):
    _damage(seeded_url, "UPDATE saves SET created_at = 'yesterday', updated_at = 'x' WHERE id = 1")
    with SaveStore(seeded_url) as store:
        rows = {r.id: r for r in store.list()}
        assert rows[1].updated_at is None and rows[1].problem is None  # the time is just not shown
        assert rows[2].updated_at is not None
        assert store.verify(1).ok
    out = CliRunner().invoke(saves, ["list", "--db", seeded_url])
    assert out.exit_code == 0 and out.exception is None, out.output


@pytest.mark.parametrize(("version", "named"), [
    ("99.0.0", "saved by a newer engine (99.0.0; this pmsim has"),
    ("banana", "its engine version 'banana' is not a version number"),
])
def test_a_save_from_a_newer_engine_opens_read_only_with_the_reason(seeded_url, version, named):
    # a save a newer pmsim wrote into the same database (same schema) was played on silently by this
    # older engine, whose rules its next quarters may not follow; import already refused such a file
    from pmsim.engine import EndRound
    from pmsim.storage.errors import ReadOnlySave
    from pmsim.storage.session import GameSession

    _damage(seeded_url, f"UPDATE saves SET engine_version = '{version}' WHERE id = 2")
    with SaveStore(seeded_url) as store:
        session = GameSession.resume(store, 2)
        assert session.read_only and named in session.problem and "save 2" in session.problem
        # the reason alone, once: the refusal below and the screens say it is read-only
        assert "read-only" not in session.problem
        before = store.info(2).n_actions
        with pytest.raises(ReadOnlySave) as refused:
            session.apply(EndRound())
        assert str(refused.value).count("read-only") == 1, refused.value  # said twice before
        assert store.info(2).n_actions == before  # nothing written
        assert store.verify(2).ok  # it still replays, and the other saves still load
        assert store.resume(1)[0].finished
    _damage(seeded_url, "UPDATE saves SET engine_version = '0.0.1' WHERE id = 2")
    with SaveStore(seeded_url) as store:
        assert not GameSession.resume(store, 2).read_only  # an older engine's save plays on


def test_a_database_opened_read_only_is_named_by_its_file(tmp_path, template_db):
    # a read-only database (here SQLite's own mode=ro; a file without write permission alike) was
    # reported as "in-memory SQLite is read-only" when given as a URI filename; the other saves still load
    path = tmp_path / "ro.sqlite3"
    shutil.copy(template_db, path)
    before = digest(path)
    with SaveStore(f"sqlite:///file:{path}?mode=ro&uri=true") as store:
        assert {r.id for r in store.list()} == {1, 2}
        assert store.load(2).actions
        with pytest.raises(DatabaseUnavailable, match="read-only") as exc:
            store.fork(1, 2)
        assert str(path) in str(exc.value) and "in-memory" not in str(exc.value)
    assert digest(path) == before
