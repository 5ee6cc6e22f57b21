"""The class server's app (`pmsim serve --class`): the join screen refuses a wrong code or PIN,
admits a student on the roster into their own class game (marked as played on the server), and
offers nothing else: no other saves, replays or new games; rejoining resumes the same game."""

from __future__ import annotations

import asyncio

import pytest
from tui_helpers import past_briefing, press, run, screen_text, settle, small_text

from pmsim.storage.saves import SaveStore
from pmsim.tui import join
from pmsim.tui.join import ClassServerApp, JoinScreen
from pmsim.tui.screens.game import GameScreen


@pytest.fixture
def klass(tmp_path, monkeypatch):
    monkeypatch.setattr(join, "WRONG_DELAY_S", 0.0)
    store = SaveStore(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    code = store.create_class("PM 101", small_text(), 3).code
    [(_, pin)] = store.add_students(code, ["Ada Lovelace"])
    other = store.create(small_text(), 9, "someone else")  # a save outside the class
    yield store, code, pin, other
    store.close()


async def fill(pilot, code: str, name: str, pin: str, wait: bool = True) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, JoinScreen)
    for field, value in (("code", code), ("name", name), ("pin", pin)):
        screen.field(field).value = value
    screen.select("pin")
    if wait:
        await press(pilot, "enter")
    else:
        await pilot.press("enter")


def make(store, code) -> ClassServerApp:
    app = ClassServerApp(store, code)
    app.animation_level = "none"
    return app


@run
async def test_join_play_leave_and_rejoin(klass):
    store, code, pin, other = klass
    app = make(store, code)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, JoinScreen)
        assert "join your class" in screen_text(app)
        wrong = f"{(int(pin.replace('-', '')) + 1) % 10**8:08d}"
        await fill(pilot, code, "Ada Lovelace", wrong)
        assert isinstance(app.screen, JoinScreen)
        assert "Name or PIN not recognised" in screen_text(app) and "4 tries left" in screen_text(app)
        await fill(pilot, "PM-0000", "Ada Lovelace", pin)
        assert "not the code of the class on this server" in screen_text(app)
        await fill(pilot, code.lower(), "ada lovelace", pin)
        await past_briefing(pilot)
        assert isinstance(app.screen, GameScreen)
        sid = app.view.save_id
        assert app.view.player == "Ada Lovelace" and app.view.class_id == store.get_class(code).id
        assert store.server_save_ids(store.get_class(code).id) == {sid}
        await press(pilot, "e", "enter")  # end the first round
        assert store.info(sid).round == 2
        await press(pilot, "enter")  # the round report
        await past_briefing(pilot)
        assert isinstance(app.screen, GameScreen)
        # nothing but this game: the palette and the app's own routes are closed
        titles = [t for t, _, _ in app.palette_commands(app.screen)]
        assert "Leave the game" in titles
        assert not {"New game", "Load a saved game", "Replay a saved game", "Guided tutorial"} & set(titles)
        for action in (app.action_new_game, app.action_continue_game, lambda: app.action_open_saves("load"),
                       lambda: app.open_replay(other), lambda: app.open_save(other)):
            action()
            await settle(pilot)
            assert isinstance(app.screen, GameScreen) and app.view.save_id == sid
        assert len(store.list()) == 2  # no new save was made
        keys = screen_text(app).splitlines()[-2:]
        assert "q Leave" in " ".join(keys) and "q Title" not in " ".join(keys)  # q says where it goes
        await press(pilot, "q")  # leave: back to the join screen
        assert isinstance(app.screen, JoinScreen) and app.view is None
        assert "every action in it is saved" in screen_text(app)
        theme = app.theme
        # typed as a student types: enter or tab to the next field, backspace, enter joins; the
        # app's own keys (t: theme, ?: help) are just letters here
        await press(pilot, *code, "x", "backspace", "enter", *"Ada Lovelacet?", "backspace", "backspace", "tab",
                    *pin, "enter")
        await past_briefing(pilot)
        assert app.theme == theme
        assert isinstance(app.screen, GameScreen) and app.view.save_id == sid and app.view.round == 2


@run
async def test_too_many_wrong_joins_close_the_tab(klass):
    store, code, pin, _ = klass
    app = make(store, code)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        for n in range(join.MAX_TRIES - 2):
            await fill(pilot, code, f"Nobody {n}", pin)
            assert isinstance(app.screen, JoinScreen)
        await pilot.click("#name")  # a click picks a field, and on Join joins
        await press(pilot, *"Nobody", "space", *"else")
        assert app.screen.field("name").value == f"Nobody {join.MAX_TRIES - 3}Nobody else"
        await pilot.click("#join")
        await settle(pilot)
        assert "Type your PIN." in screen_text(app)  # a refused PIN is cleared
        await pilot.click("#pin")
        await press(pilot, *pin)
        await pilot.click("#join")
        await settle(pilot)
        text = screen_text(app)
        assert "1 try left" in text, text
        await fill(pilot, code, "Nobody else", pin, wait=False)
        for _ in range(200):
            if app.return_code is not None:
                break
            await asyncio.sleep(0.05)
    assert app.return_code == 2
    assert store.list()[-1].player == "someone else"  # nobody joined, no save was made


@run
async def test_a_finished_game_opens_its_debrief_without_the_new_game_key(klass):
    from pmsim.engine.bots import play_game
    from pmsim.storage.session import GameSession
    from pmsim.tui.screens.debrief import DebriefScreen

    store, code, pin, _ = klass
    [ada] = store.roster(code)
    play_game(GameSession.resume(store, store.start_server_game(ada)), "rice")
    app = make(store, code)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await fill(pilot, code, "Ada Lovelace", pin)
        assert isinstance(app.screen, DebriefScreen)
        keys = screen_text(app).splitlines()[-1]
        assert "Leave" in keys and "Title" not in keys and "New game" not in keys  # n is not offered here
        assert "Replay" not in keys  # nor a replay, which the class server would refuse
        await press(pilot, "n")
        assert isinstance(app.screen, DebriefScreen) and len(store.list()) == 2  # no new game
        await press(pilot, "escape")  # leave: back to the join screen
        assert isinstance(app.screen, JoinScreen)
