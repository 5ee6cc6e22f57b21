"""Files that are not pmsim databases, damaged files, newer schemas, unreachable servers:
one clear line naming the file or server, and nothing changed or written elsewhere."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from pmsim.commands.saves import saves
from pmsim.storage.errors import DatabaseUnavailable, NotAPmsimDatabase, SchemaTooNew
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
