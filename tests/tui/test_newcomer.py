"""What a newcomer trips on, found by playing the TUI at 80×24 (each test failed before its fix)."""

from __future__ import annotations

from tui_helpers import make_app, past_briefing, press, run, screen_text, settle, small_text

from pmsim.storage.session import record_bot_game


@run
async def test_home_and_end_in_the_replay_jump_to_the_first_and_last_round(store, catalog):
    # the help lists home/end as "First round"/"Last round", but the focused scroll area took them
    # (it scrolled the page) and the round never changed
    from pmsim.tui.screens.replay import ReplayScreen

    sid = record_bot_game(store, small_text("b2b_saas"), 5, "rice")
    app = make_app(store, catalog, start="replay", save_ref=sid)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ReplayScreen)
        total = app.screen.pages
        assert "Round 1 of" in screen_text(app)
        await press(pilot, "end")
        assert app.screen.index == total - 1
        assert f"Round {total} of {total}" in screen_text(app)
        await press(pilot, "home")
        assert app.screen.index == 0 and "Round 1 of" in screen_text(app)


@run
async def test_one_tab_on_the_new_game_screen_reaches_the_seed(store, catalog):
    # the title line says "tab: seed, name"; the first tab went to the description instead, so the
    # seed a newcomer typed went nowhere and the game started on another market
    from pmsim.tui.screens.game import GameScreen

    app = make_app(store, catalog)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "n", "tab", "ctrl+u", *"4242")
        assert app.focused is not None and app.focused.id == "seed"
        await press(pilot, "tab")
        assert app.focused.id == "player"
        await press(pilot, "pagedown")  # the description still scrolls from the keyboard
        assert app.screen.query_one("#scenario-detail-box").scroll_y > 0
        await press(pilot, "enter")
        await past_briefing(pilot)
        assert isinstance(app.screen, GameScreen)
        assert store.info(app.view.save_id).seed == 4242
