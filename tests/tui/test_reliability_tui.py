"""Issue 10 in the TUI: a name is text, never markup (F5), and `--continue` is per player."""

from __future__ import annotations

from textual.content import Content
from tui_helpers import make_app, run, settle, small_text

from pmsim.tui.app import continue_target
from pmsim.tui.screens.game import GameScreen

NAME = "[/x] Bob [intern]"


@run
async def test_a_markup_name_is_shown_as_written_and_never_parsed(store, catalog):
    app = make_app(store, catalog, player=NAME, start="play", scenario_id=catalog.entries[0].id)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, GameScreen)
        shown = [Content.from_markup(n.message).plain for n in app._notifications]  # raises MarkupError unescaped
        assert any(f"Welcome, {NAME}." in s for s in shown), shown
    assert store.list()[0].player == NAME


@run
async def test_continue_resumes_the_named_players_game_not_the_latest_one(store, catalog):
    text = small_text("b2b_saas")
    ada = store.create(text, 1, "Ada")
    store.create(text, 2, "Bob")  # newer: a plain "latest game" would be Bob's
    app = make_app(store, catalog, player="Ada", start="continue")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, GameScreen)
        assert app.view.save_id == ada and app.view.player == "Ada"


@run
async def test_continue_of_a_player_without_a_game_in_progress_says_so(store, catalog):
    store.create(small_text("b2b_saas"), 1, "Bob")
    app = make_app(store, catalog, player="Cleo", start="continue")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, GameScreen)
        assert any("No game of Cleo in progress" in n.message for n in app._notifications)


def test_continue_target_without_a_name_follows_the_last_human_player(store):
    text = small_text("b2b_saas")
    ada = store.create(text, 1, "Ada")
    store.create(text, 2, "bot:rice")  # bots never count as the last player
    assert continue_target(store.list(), None).id == ada
    bob_done = store.create(text, 3, "Bob")
    store.delete(ada)
    rows = store.list()
    assert continue_target(rows, None).id == bob_done
    assert continue_target(rows, "Ada") is None
