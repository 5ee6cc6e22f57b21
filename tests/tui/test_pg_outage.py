"""Issue 10 with real parts: a game on a real PostgreSQL server that goes down mid-game.

The server is this test's own throwaway cluster (its own data folder and port, stopped in a
`finally`), not the storage suite's shared one, because the test stops and restarts it. Like the
other PostgreSQL tests it skips locally without the server binaries and fails on CI.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tui_helpers import make_app, past_briefing, press, run, settle

from pmsim.storage.saves import SaveStore
from pmsim.tui.screens.dialogs import FaultDialog
from pmsim.tui.screens.game import GameScreen
from pmsim.tui.screens.report import RoundReportScreen


def _storage_conftest():
    """tests/storage/conftest.py (its PostgreSQL server): the same module the class tests load."""
    name = "pmsim_tests_storage_conftest"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).parents[1] / "storage" / "conftest.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod  # dataclasses look their module up while the file runs
        spec.loader.exec_module(mod)
    return sys.modules[name]


def stored(store: SaveStore, sid: int) -> list[tuple[int, str]]:
    return [(a.seq, a.kind) for a in store.load(sid).actions]


def test_a_real_postgresql_outage_offers_retry_and_stores_the_action_once(catalog):
    server = _storage_conftest().start_pg_server()  # our own: this test stops and restarts it
    store = None
    try:
        store = SaveStore(server.url())
        run(_play_through_an_outage)(server, store, catalog)
    finally:
        if store is not None:
            store.close()
        server.stop()


async def _play_through_an_outage(server, store: SaveStore, catalog) -> None:
    app = make_app(store, catalog, start="play", scenario_id=catalog.entries[0].id)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await past_briefing(pilot)
        assert isinstance(app.screen, GameScreen)
        sid = app.view.save_id
        await press(pilot, "2", "a")  # accept the first request: stored while the server is up
        await press(pilot, "4", "home")  # the roadmap, top feature (opening a pane saves the guide's state)
        assert stored(store, sid) == [(1, "respond")]
        game = app.service.session.game
        hash_before = game.state_hash()

        server.halt()  # the server goes away for real; the pool still holds its dead connection
        await press(pilot, "n")  # plan the top feature into Now
        assert isinstance(app.screen, FaultDialog), type(app.screen)
        assert "connection refused" in app.screen.message and str(server.port) in app.screen.message
        game = app.service.session.game
        assert len(game.log) == 1 and game.state_hash() == hash_before  # nothing applied
        await press(pilot, "r")  # still down: the dialog comes back, still nothing applied
        assert isinstance(app.screen, FaultDialog)
        assert len(app.service.session.game.log) == 1

        server.restart()  # same data folder, same port
        assert stored(store, sid) == [(1, "respond")]  # the failed plan never reached the database
        await press(pilot, "r")
        assert isinstance(app.screen, GameScreen), type(app.screen)
        assert stored(store, sid) == [(1, "respond"), (2, "plan")]  # stored exactly once
        assert store.info(sid).n_actions == 2 and len(app.service.session.game.log) == 2

        await press(pilot, "e", "enter")  # the game goes on: end the quarter
        assert isinstance(app.screen, RoundReportScreen), type(app.screen)
        info = store.info(sid)
        assert info.n_actions == 3 and info.round == 2
        assert [k for _, k in stored(store, sid)] == ["respond", "plan", "end_round"]
        assert app.service.session.game.state_hash() == store.resume(sid)[0].state_hash()
    res = store.verify(sid)
    assert res.ok and res.rounds_checked == 1, res.problem
