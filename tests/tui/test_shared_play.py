"""`pmsim play --class CODE --company NAME` (issue 14): a company of a shared market in the real
game screen, its actions stored through the database; after its EndRound a waiting screen that
updates live and clears when the last company (a bot in another OS process) commits, or when the
instructor runs `pmsim class advance`."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from tui_helpers import make_app, past_briefing, press, run, screen_text, settle, small_text

from pmsim.cli import cli
from pmsim.engine import EndRound, IllegalAction, Plan
from pmsim.storage import shared_market as sm
from pmsim.storage.saves import SaveStore
from pmsim.tui.screens.game import GameScreen
from pmsim.tui.screens.report import RoundReportScreen
from pmsim.tui.screens.waiting import WaitingScreen

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["Acme", "Globex", "Initech"]

BOT = r"""
import sys
from pmsim.engine.bots import play_round
from pmsim.storage.saves import SaveStore
from pmsim.storage import shared_market as sm
url, code, company = sys.argv[1:4]
with SaveStore(url) as store:
    play_round(sm.CompanySession(store, code, company), "rice")  # its quarter, ended with EndRound
"""


def bot_quarter(url: str, code: str, company: str) -> None:
    """Company `company` plays its quarter with the rice bot, in another OS process."""
    out = subprocess.run([sys.executable, "-c", BOT, url, code, company], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-800:]


@pytest.fixture
def shared(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    store = SaveStore(url)
    code = sm.create(store, "Shared", small_text("b2b_saas", 1500), 4, NAMES).code
    yield url, code, store
    store.close()


async def wait_for(pilot, cond, timeout: float = 20.0) -> None:
    """Wait (the app's 1 s poll runs meanwhile) until cond() holds."""
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"timed out; the screen shows:\n{screen_text(pilot.app)}")
        await pilot.pause(0.1)
    await settle(pilot)


async def end_quarter(pilot) -> None:
    await press(pilot, "e")
    await press(pilot, "enter")


@run
async def test_a_company_waits_for_the_others_then_sees_its_report(shared, catalog):
    url, code, store = shared
    app = make_app(store, catalog, start="company", class_code=code, company="acme", player="Ada")
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        await past_briefing(pilot)
        assert isinstance(app.screen, GameScreen)
        text = screen_text(app)
        assert "Rival companies" in text and "Globex" in text and "Initech" in text and "% share" in text
        assert app.view.obs["company"] == "Acme" and app.view.class_id is not None

        # Acme plans one feature (stored through the database) and ends the quarter
        feature = next(f["id"] for f in app.view.obs["features"] if f["status"] != "shipped")
        app.request(Plan(feature, "now"))
        await settle(pilot)
        assert sm.status(store, code).n_actions == 1
        await end_quarter(pilot)
        assert isinstance(app.screen, WaitingScreen)
        await wait_for(pilot, lambda: "Waiting for 2 companies: Globex, Initech" in screen_text(app))

        # it may read its plan but not change it: nothing is stored
        await press(pilot, "escape")
        assert isinstance(app.screen, GameScreen) and app.view.read_only
        app.request(Plan(feature, "next"))
        await settle(pilot)
        assert sm.status(store, code).n_actions == 2
        assert any("Your plan is committed: you have ended quarter 1: waiting for 2 other companies" in str(n.message)
                   for n in app._notifications)
        assert "WAITING (w)" in screen_text(app)
        await press(pilot, "w")
        assert isinstance(app.screen, WaitingScreen)

        # another process commits Globex: the screen counts down; Initech's commit clears it
        bot_quarter(url, code, "Globex")
        await wait_for(pilot, lambda: "Waiting for 1 company: Initech" in screen_text(app))
        bot_quarter(url, code, "Initech")
        await wait_for(pilot, lambda: isinstance(app.screen, RoundReportScreen))
        assert not any(isinstance(s, WaitingScreen) for s in app.screen_stack)
        assert app.view.round == 2 and not app.view.read_only
        assert "Quarter 1" in screen_text(app)
        st = sm.status(store, code)
        assert st.round == 2 and len(st.rounds) == 1 and st.rounds[0].advanced == 0

        # quarter 2: the instructor ends it for the others
        await press(pilot, "enter")
        await past_briefing(pilot)
        await end_quarter(pilot)
        assert isinstance(app.screen, WaitingScreen)
        out = CliRunner().invoke(cli, ["class", "advance", code, "--db", url])
        assert out.exit_code == 0, out.output
        await wait_for(pilot, lambda: isinstance(app.screen, RoundReportScreen))
        assert app.view.round == 3 and sm.status(store, code).rounds[-1].advanced == 2


@run
async def test_a_company_that_has_ended_its_quarter_opens_waiting(shared, catalog):
    url, code, store = shared
    sm.act(store, code, "Globex", EndRound())
    app = make_app(store, catalog, start="company", class_code=code, company="Globex", player="Bo")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: "Waiting for 2 companies: Acme, Initech" in screen_text(app))
        sm.advance(store, code)
        await wait_for(pilot, lambda: isinstance(app.screen, RoundReportScreen))


TEAMMATE = r"""
import sys
from pmsim.engine import Plan
from pmsim.storage.saves import SaveStore
from pmsim.storage import shared_market as sm
url, code, company, feature = sys.argv[1:5]
with SaveStore(url) as store:
    sm.act(store, code, company, Plan(feature, "now"))
"""


@run
async def test_a_teammate_and_the_instructor_show_on_screen(shared, catalog):
    """Another player of the same company acts from another process: it shows within ~2 s. The
    instructor ends the quarter while the player still plans: the round report shows, and an
    action meant for the quarter that is gone is refused, storing nothing."""
    url, code, store = shared
    app = make_app(store, catalog, start="company", class_code=code, company="Acme", player="Ada")
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        await past_briefing(pilot)
        feature = next(f["id"] for f in app.view.obs["features"] if f["status"] != "shipped" and not f["slot"])
        out = subprocess.run([sys.executable, "-c", TEAMMATE, url, code, "Acme", feature], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        t0 = time.monotonic()
        await wait_for(pilot, lambda: app.view.feature(feature)["slot"] == "now", timeout=5)
        assert time.monotonic() - t0 < 2.5

        sm.advance(store, code)  # the instructor, while Ada still plans quarter 1
        await wait_for(pilot, lambda: isinstance(app.screen, RoundReportScreen))
        assert app.view.round == 2
        assert any("Your instructor ended the quarter" in str(n.message) for n in app._notifications)
    n = sm.status(store, code).n_actions
    with pytest.raises(IllegalAction, match="quarter 1 has resolved meanwhile"):
        sm.act(store, code, "Acme", EndRound(), round_=1)
    assert sm.status(store, code).n_actions == n


def test_a_postgresql_outage_while_waiting_is_one_note_not_a_dialog_a_second(catalog):
    """The company's poll meets a real PostgreSQL server that is down: one warning (not a retry
    dialog every second), the waiting screen stays, and when the server is back the quarter still
    resolves on screen."""
    from test_pg_outage import _storage_conftest

    server = _storage_conftest().start_pg_server()  # our own: this test stops and restarts it
    store = None
    try:
        store = SaveStore(server.url())
        code = sm.create(store, "Outage", small_text("tutorial", 800), 4, NAMES).code
        run(_wait_through_an_outage)(server, store, code, catalog)
    finally:
        if store is not None:
            store.close()
        server.stop()


async def _wait_through_an_outage(server, store, code, catalog) -> None:
    from pmsim.tui.screens.dialogs import FaultDialog

    app = make_app(store, catalog, start="company", class_code=code, company="Acme", player="Ada")
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        await past_briefing(pilot)
        await end_quarter(pilot)
        assert isinstance(app.screen, WaitingScreen)
        server.halt()
        await wait_for(pilot, lambda: any("Cannot read the class" in str(n.message) for n in app._notifications))
        await pilot.pause(2.5)  # a few more failed looks
        assert sum("Cannot read the class" in str(n.message) for n in app._notifications) == 1
        assert isinstance(app.screen, WaitingScreen) and not any(isinstance(s, FaultDialog) for s in app.screen_stack)
        server.restart()
        await wait_for(pilot, lambda: any("can be read again" in str(n.message) for n in app._notifications))
        with SaveStore(server.url()) as other:  # the other two companies, from another connection
            for c in ("Globex", "Initech"):
                sm.act(other, code, c, EndRound())
        await wait_for(pilot, lambda: isinstance(app.screen, RoundReportScreen))
