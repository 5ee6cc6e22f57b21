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
