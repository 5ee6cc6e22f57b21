"""Fixtures for the learning-layer tests: the shipped sample saves replayed once per session, bot
games on one seed, and an isolated data folder so no test touches a developer's saves."""

from __future__ import annotations

import pytest
from learning_helpers import SAVES, load_sample


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
    monkeypatch.delenv("PMSIM_DB_URL", raising=False)


@pytest.fixture(scope="session")
def samples():
    """{file name: (record, game)} for every shipped sample save."""
    assert SAVES, "no sample saves in saves/"
    return {p.name: load_sample(p) for p in SAVES}


@pytest.fixture(scope="session")
def bot_games():
    """The oracle and the HiPPO bot on the same scenario and seed."""
    from pmsim.engine import new_game
    from pmsim.engine.bots import play_game
    from pmsim.scenario.builtin import resolve
    from pmsim.scenario.loader import load_scenario

    sc = load_scenario(resolve("b2b_saas"))
    return {s: play_game(new_game(sc, 1), s) for s in ("oracle", "hippo")}
