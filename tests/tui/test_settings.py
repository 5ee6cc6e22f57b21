"""What a player set is remembered: the theme, the mentor default and the name across launches (a
settings file), the tutorial's progress and the mentor with the save (restored on resume)."""

from __future__ import annotations

import json
from pathlib import Path

from tui_helpers import make_app, past_briefing, press, run, screen_text, settle

from pmsim.paths import settings_path
from pmsim.tui.screens.game import GameScreen
from pmsim.tui.settings import Settings


def test_the_tests_never_touch_the_real_settings(_private_settings):
    assert settings_path() == _private_settings / "settings.json"
    assert not str(settings_path()).startswith(str(Path.home() / ".config"))


def test_settings_round_trip_and_bad_files(tmp_path):
    path = tmp_path / "cfg" / "settings.json"
    s = Settings.load(path)
    assert (s.theme, s.mentor, s.player, s.problem) == (None, None, None, None)
    s.update(theme="pmsim-high-contrast", mentor=True, player="Ada")
    assert json.loads(path.read_text()) == {"theme": "pmsim-high-contrast", "mentor": True, "player": "Ada"}
    again = Settings.load(path)
    assert (again.theme, again.mentor, again.player) == ("pmsim-high-contrast", True, "Ada")
    path.write_text("{not json")
    bad = Settings.load(path)
    assert bad.theme is None and bad.problem and "ignored" in bad.problem
    path.write_text(json.dumps({"theme": "no-such-theme", "mentor": "yes", "player": 3}))
    odd = Settings.load(path)
    assert (odd.theme, odd.mentor, odd.player) == (None, None, None)
    blocked = tmp_path / "file"
    blocked.write_text("")
    s = Settings(path=blocked / "settings.json")  # its folder is a file: it cannot be written
    s.update(theme="textual-light")
    assert s.theme == "textual-light" and s.problem and "could not save" in s.problem
    memory = Settings()
    memory.update(player="Bo")  # no path: nothing written anywhere
    assert memory.player == "Bo"


@run
async def test_theme_and_name_are_remembered_across_launches(store, catalog, tmp_path):
    path = tmp_path / "settings.json"
    app = make_app(store, catalog, player="Ada", settings=Settings.load(path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "t")
        theme = app.theme
        await press(pilot, "n", "enter")  # a game started under the name Ada
        await past_briefing(pilot)
    assert json.loads(path.read_text())["theme"] == theme
    assert json.loads(path.read_text())["player"] == "Ada"
    later = make_app(store, catalog, player=None, settings=Settings.load(path))
    assert later.player == "Ada", "the name comes from the settings, not the login"
    async with later.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert later.theme == theme


@run
async def test_the_mentor_default_comes_from_the_settings_and_m_changes_only_this_game(store, catalog, tmp_path):
    path = tmp_path / "settings.json"
    Settings(path=path, mentor=True).save()
    app = make_app(store, catalog, settings=Settings.load(path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "n", "enter")
        await past_briefing(pilot)
        assert app.coach.mentor_on, "the player's default: mentor on"
        await press(pilot, "M")
        assert not app.coach.mentor_on
        await press(pilot, "q", "n", "enter")  # a second game in the same process
        await past_briefing(pilot)
        assert isinstance(app.screen, GameScreen) and app.coach.mentor_on, "M in one game does not leak into the next"
    assert json.loads(path.read_text())["mentor"] is True


@run
async def test_tutorial_progress_and_mentor_are_restored_on_continue(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await press(pilot, "g")
        await past_briefing(pilot)
        await press(pilot, "i", "escape", "5", "i", "escape", "2")  # three steps of the guide
        assert app.coach.guide.index == 3
        await press(pilot, "M")  # the tutorial's mentor, turned off
        assert not app.coach.mentor_on
        save_id = app.view.save_id
    assert store.ui_state(save_id)["guide"]["index"] == 3
    again = make_app(store, catalog, start="continue")
    async with again.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await past_briefing(pilot)
        assert again.view.save_id == save_id
        assert again.coach.guide.index == 3 and again.coach.guide.completed == ["dashboard", "okrs", "inbox"]
        assert not again.coach.mentor_on
        assert "Guide 4/" in screen_text(again)


def test_a_saves_ui_state_goes_with_the_save(store):
    from pmsim.scenario.builtin import resolve

    sid = store.create(resolve("tutorial").read_text(encoding="utf-8"), 3, "Ada")
    assert store.ui_state(sid) == {}
    store.set_ui_state(sid, {"mentor": False, "guide": {"index": 4}})
    assert store.ui_state(sid) == {"mentor": False, "guide": {"index": 4}}
    store.delete(sid)
    assert store.ui_state(sid) == {}
