"""Fixtures for the TUI tests (helpers live in tui_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_helpers import small_catalog

from pmsim.storage.saves import SaveStore
from pmsim.tui.service import Catalog


@pytest.fixture(autouse=True)
def _private_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every TUI test gets its own settings folder: no test ever reads or writes the real home's."""
    folder = tmp_path / "config"
    monkeypatch.setenv("PMSIM_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return small_catalog()


@pytest.fixture
def store(tmp_path: Path):
    s = SaveStore(f"sqlite:///{tmp_path / 'saves.sqlite3'}")
    yield s
    s.close()
