"""Fixtures for the class tests: a small-population scenario text, a class of students who played
bot games through `GameSession.start_class`, their exported files, and the real PostgreSQL
server of the storage suite (its fixtures are loaded from tests/storage/conftest.py).

Every test runs with XDG_DATA_HOME in a temp folder and no PMSIM_DB_URL, so nothing here can
touch a developer's real saves.
"""

from __future__ import annotations

import shutil

import pytest
from class_helpers import SEED, ClassDB, play_students, small_text, storage_conftest

# the real PostgreSQL server of the storage suite
pg_server = storage_conftest.pg_server
pg_fresh_url = storage_conftest.pg_fresh_url
# `pytest tests/storage tests/classes` leaves this module as `conftest` in sys.modules, and the
# storage tests import these names from `conftest`
BOT, ROOT, play_reference = storage_conftest.BOT, storage_conftest.ROOT, storage_conftest.play_reference


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
    monkeypatch.delenv("PMSIM_DB_URL", raising=False)


@pytest.fixture(scope="session")
def class_db(tmp_path_factory) -> ClassDB:
    from pmsim.storage.saves import SaveStore

    base = tmp_path_factory.mktemp("class")
    path = base / "class.sqlite3"
    files_dir = base / "files"
    files_dir.mkdir()
    store = SaveStore(f"sqlite:///{path}")
    klass = store.create_class("PM 101", small_text(), SEED)
    ids, other = play_students(store, klass.code)
    files = {}
    for n, sid in enumerate(ids):
        files[f"good{n}"] = store.export(sid, files_dir / f"good{n}.pmsave.json")
    files["unfinished"] = store.export(other, files_dir / "unfinished.pmsave.json")
    store.close()
    return ClassDB(path, klass.code, ids, other, files)


@pytest.fixture
def class_url(tmp_path, class_db) -> str:
    """A private copy of the class database."""
    dst = tmp_path / "class.sqlite3"
    shutil.copy(class_db.path, dst)
    return f"sqlite:///{dst}"


@pytest.fixture
def class_store(class_url):
    from pmsim.storage.saves import SaveStore

    s = SaveStore(class_url)
    yield s
    s.close()
