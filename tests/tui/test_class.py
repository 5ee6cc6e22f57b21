"""`pmsim play --class CODE --player NAME`: a new save in the class, without the mentor; an
unknown code is one line on stderr and exit code 2."""

from __future__ import annotations

import contextlib
import re

import pytest
from click.testing import CliRunner
from textual.worker import WorkerCancelled
from tui_helpers import make_app, past_briefing, press, run, screen_text, settle

from pmsim.cli import cli
from pmsim.storage.errors import ClassNotFound
from pmsim.tui.screens.briefing import BriefingScreen
from pmsim.tui.screens.game import GameScreen
from pmsim.tui.service import GameService
from pmsim.tui.widgets.coach import MentorPanel


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """A class on b2b_saas, seed 1, created with `pmsim class create` on a temporary SQLite file."""
    url = f"sqlite:///{tmp_path_factory.mktemp('class') / 'class.sqlite3'}"
    res = CliRunner().invoke(cli, ["class", "create", "--db", url, "--scenario", "b2b_saas", "--seed", "1",
                                   "--name", "T"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    code = re.search(r"PM-[A-Z0-9]{4}", res.output)
    assert code, res.output
    return url, code.group(0)


@pytest.fixture(scope="module")
def class_store(klass):
    from pmsim.storage.saves import SaveStore

    s = SaveStore(klass[0])
    yield s
    s.close()


def test_an_unknown_class_code_exits_2_with_one_line(klass):
    url, _ = klass
    for code in ("PM-ZZZZ", "not a code!"):
        res = CliRunner().invoke(cli, ["play", "--class", code, "--player", "Ada", "--db", url])
        assert res.exit_code == 2, res.output
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and "class" in lines[0] and "Traceback" not in res.output
    res = CliRunner().invoke(cli, ["play", "--class", "PM-ZZZZ", "--seed", "3", "--db", url])
    assert res.exit_code == 2 and "--class sets the scenario and seed" in res.stderr


def test_the_service_starts_a_new_save_in_the_class(klass, class_store):
    _, code = klass
    info = class_store.get_class(code)
    service = GameService(class_store)
    view = service.start_class(code.lower(), "Ada")  # codes are forgiving about case
    assert view.class_id == info.id and view.scenario_id == "b2b_saas" and view.player == "Ada"
    saved = class_store.info(view.save_id)
    assert saved.class_id == info.id and saved.seed == 1 and saved.player == "Ada"
    # resuming by save id keeps it a class game
    assert GameService(class_store).resume(view.save_id).class_id == info.id
    with pytest.raises(ClassNotFound):
        service.start_class("PM-ZZZZ", "Ada")


@run
async def test_a_class_game_opens_without_the_mentor(klass, class_store, catalog):
    _, code = klass
    app = make_app(class_store, catalog, start="class", class_code=code, player="Bo", mentor=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        # a class game is briefed too: the scenario, the team, the OKRs, the stakeholders
        assert isinstance(app.screen, BriefingScreen)
        text = screen_text(app)
        assert "Quarter 1 of" in text and "The team" in text and "Your OKRs" in text
        await past_briefing(pilot)
        assert isinstance(app.screen, GameScreen)
        assert app.view.class_id is not None and not app.coach.mentor_on
        await press(pilot, "M")
        assert not app.coach.mentor_on and not app.screen.query_one(MentorPanel).display
        assert any("class" in n.message for n in app._notifications)
        await press(pilot, "e")
        assert not app.screen.query("#advice")


@run
async def test_an_unknown_code_ends_the_app_with_exit_code_2(class_store, catalog):
    app = make_app(class_store, catalog, start="class", class_code="PM-ZZZZ")
    async with app.run_test(size=(80, 24)) as pilot:
        with contextlib.suppress(WorkerCancelled):  # the app exits while the worker winds down
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    assert app.return_code == 2
