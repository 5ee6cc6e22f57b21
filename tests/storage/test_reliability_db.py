"""Issue 10, databases: pmsim claims a database only if it is empty in every schema (or already
pmsim's); a damaged SQLite file is refused before the first write; explicit URLs stay explicit."""

from __future__ import annotations

import pytest

from pmsim.storage.db import mask_password, resolve_url
from pmsim.storage.errors import DatabaseUnavailable, NotAPmsimDatabase
from pmsim.storage.saves import SaveStore


def test_a_postgres_database_whose_tables_live_outside_public_is_not_claimed(pg_server):
    import psycopg

    url = pg_server.create_database("pmsim_elsewhere")
    with psycopg.connect(host="127.0.0.1", port=pg_server.port, user="postgres", dbname="pmsim_elsewhere",
                         autocommit=True) as conn:
        conn.execute("CREATE SCHEMA crm")
        conn.execute("CREATE TABLE crm.customers (id int)")
    with pytest.raises(NotAPmsimDatabase, match="not a pmsim database"):
        SaveStore(url)
    with psycopg.connect(host="127.0.0.1", port=pg_server.port, user="postgres", dbname="pmsim_elsewhere") as conn:
        public = conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").fetchone()
    assert public[0] == 0  # nothing was written


def test_an_empty_postgres_database_is_still_claimed(pg_fresh_url):
    with SaveStore(pg_fresh_url) as store:
        assert store.list() == []


def test_a_sqlite_file_with_only_a_view_is_not_claimed(tmp_path):
    import sqlite3

    path = tmp_path / "views.db"
    with sqlite3.connect(path) as c:
        c.execute("CREATE VIEW v AS SELECT 1 AS one")
    with pytest.raises(NotAPmsimDatabase):
        SaveStore(f"sqlite:///{path}")


def test_explicit_urls(tmp_path, monkeypatch):
    with pytest.raises(DatabaseUnavailable, match="--db is empty"):
        resolve_url("  ")
    monkeypatch.setenv("PMSIM_DB_URL", "")
    with pytest.raises(DatabaseUnavailable, match="PMSIM_DB_URL is empty"):
        SaveStore()
    monkeypatch.setenv("PMSIM_DB_URL", f"sqlite:///{tmp_path}/missing/x.db")
    with pytest.raises(DatabaseUnavailable, match="folder does not exist"):
        SaveStore()
    assert not (tmp_path / "missing").exists()


def test_passwords_are_masked():
    url = "postgresql+psycopg://ada:s3cr%40t@db.example/pmsim"
    assert mask_password(f"could not connect with {url}", url) == \
        "could not connect with postgresql+psycopg://ada:***@db.example/pmsim"
    assert "s3cr@t" not in mask_password("server said: password s3cr@t is wrong", url)
