"""80×24 is the design size: enough rows to work in, the mentor in one line until asked, scrollbars
where rows overflow, new requests on top, toasts clear of the guide, and the rows keep still while
you plan. Plus the Next list offered for Now at the start of a quarter."""

from __future__ import annotations

from tui_helpers import make_app, past_briefing, press, run, screen_text, settle

from pmsim.tui.screens.briefing import BriefingScreen
from pmsim.tui.screens.game import GameScreen
from pmsim.tui.widgets.coach import GuidePanel, MentorPanel

SMALL = (80, 24)


async def game(pilot) -> GameScreen:
    await settle(pilot)
    await press(pilot, "n", "enter")
    await past_briefing(pilot)
    assert isinstance(pilot.app.screen, GameScreen)
    return pilot.app.screen


@run
async def test_room_to_work_at_80x24_with_the_mentor_on(store, catalog):
    app = make_app(store, catalog, mentor=True)
    async with app.run_test(size=SMALL) as pilot:
        screen = await game(pilot)
        await press(pilot, "4")
        backlog = screen.pane("roadmap").table
        assert backlog.size.height - 1 >= 10, "at least 10 backlog rows"
        await press(pilot, "2")
        inbox = screen.pane("inbox").table
        assert inbox.size.height - 1 >= 8, "at least 8 inbox rows"
        await press(pilot, "3")
        assert screen.query_one("#research-right").content_size.width >= 60, "research results in ≥ 60 columns"


@run
async def test_the_mentor_is_one_line_until_v(store, catalog):
    app = make_app(store, catalog, mentor=True)
    async with app.run_test(size=SMALL) as pilot:
        screen = await game(pilot)
        panel = screen.query_one(MentorPanel)
        advice = app.view.advice
        assert len(advice) >= 2 and panel.size.height == 1
        assert "v reads all" in screen_text(app)
        await press(pilot, "v")
        assert panel.size.height >= len(advice)
        text = " ".join(screen_text(app).split())
        assert all(a.text.split()[0] in text for a in advice)
        await press(pilot, "v")
        assert panel.size.height == 1


@run
async def test_backlog_scrollbar_and_rows_that_keep_still_while_planning(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=SMALL) as pilot:
        screen = await game(pilot)
        await press(pilot, "4")
        pane = screen.pane("roadmap")
        table = pane.table
        assert pane.sort_key == "plan"
        assert table.scrollbar_thumb() == (0, table.size.height - 2)
        assert "┃" in screen_text(app)
        await press(pilot, "end")
        first, last = table.scrollbar_thumb()
        assert last == table.row_count - 1 and first > 0
        # plan the 4th row: it stays on the 4th row (the rows keep their order), so down is the 5th
        await press(pilot, "home", "down", "down", "down")
        before = list(table.keys)
        fid = table.current_key
        await press(pilot, "n")
        assert app.view.feature(fid)["slot"] == "now"
        assert table.current_key == fid and table.cursor_row == 3 and list(table.keys) == before
        await press(pilot, "down", "n")
        assert app.view.obs["now"] == [fid, before[4]]
        # s sorts afresh (and the cursor stays on the same item)
        await press(pilot, "s", "s", "s", "s", "s", "s", "s", "s")  # all the way round: Plan again
        assert pane.sort_key == "plan" and table.current_key == before[4]
        assert list(table.keys)[:2] == [fid, before[4]]


@run
async def test_new_requests_come_first_and_focused_after_a_round(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=SMALL) as pilot:
        screen = await game(pilot)
        await press(pilot, "2", "end")  # the cursor parked on last quarter's bottom row
        await press(pilot, "e", "enter", "enter")
        await past_briefing(pilot)
        await press(pilot, "2")
        inbox = screen.pane("inbox")
        new = [q for q in app.view.obs["requests"] if q["round"] == 2]
        assert new, "quarter 2 brings new requests"
        assert inbox.table.cursor_row == 0
        assert set(inbox.table.keys[: len(new)]) == {q["id"] for q in new}


@run
async def test_toasts_never_cover_the_guide(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "g")
        await past_briefing(pilot)
        await press(pilot, "i", "escape")  # a guide step done: its toast appears as the guide changes
        assert app._notifications
        await pilot.pause()
        guide = app.screen.query_one(GuidePanel).region
        toasts = [t.region for t in app.screen.query("Toast")]
        assert toasts and guide.height
        assert all(not t.overlaps(guide) for t in toasts), (toasts, guide)


@run
async def test_next_items_are_offered_for_now_at_the_start_of_a_quarter(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=SMALL) as pilot:
        screen = await game(pilot)
        await press(pilot, "4", "home", "x", "down", "x")  # two items in Next
        table = screen.pane("roadmap").table
        nxt = [fid for fid in table.keys if app.view.feature(fid)["slot"] == "next"]
        assert len(nxt) == 2
        await press(pilot, "e", "enter", "enter")  # commit with nothing in Now; read the report
        assert isinstance(app.screen, BriefingScreen)
        text = " ".join(screen_text(app).split())
        assert "Your Next list" in text and "into Now" in text
        await press(pilot, "a")
        assert isinstance(app.screen, GameScreen)
        assert app.view.obs["now"] == [f["id"] for f in app.view.obs["features"] if f["id"] in nxt]


@run
async def test_keys_typed_in_one_burst_keep_their_order(store, catalog):
    """`4 n` typed at once plans the item (the pane key focuses its table at once), and a game key
    that closes the briefing acts before the keys typed after it (`3 m` ends on Interviews)."""
    from textual import events

    app = make_app(store, catalog)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await press(pilot, "n", "enter")
        assert isinstance(app.screen, BriefingScreen)
        for key in ("3", "m"):
            app.post_message(events.Key(key, key))
        await settle(pilot)
        assert isinstance(app.screen, GameScreen)
        assert app.screen.active_pane == "research" and app.screen.pane("research").method == "interviews"
        for key in ("1", "4", "n"):
            app.post_message(events.Key(key, key))
        await settle(pilot)
        assert app.screen.active_pane == "roadmap" and len(app.view.obs["now"]) == 1


@run
async def test_a_dialog_opened_by_a_key_that_closed_the_briefing_answers(store, catalog):
    """`e` pressed on the briefing closes it and opens the commit dialog: that dialog's enter commits
    (its answer went to the closed briefing, and the quarter silently never ended)."""
    from pmsim.tui.screens.dialogs import EndRoundDialog
    from pmsim.tui.screens.report import RoundReportScreen

    app = make_app(store, catalog)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await press(pilot, "n", "enter")
        assert isinstance(app.screen, BriefingScreen)
        await press(pilot, "e")
        assert isinstance(app.screen, EndRoundDialog)
        await press(pilot, "enter")
        assert isinstance(app.screen, RoundReportScreen)
        assert app.view.round == 2


@run
async def test_enter_then_a_game_key_in_one_burst_close_the_briefing_first(store, catalog):
    """`enter e` typed at once: enter closes the briefing and `e` opens the commit dialog, which
    stays open (the enter used to reach the app's bindings after `e`, and commit the quarter)."""
    from textual import events

    from pmsim.tui.screens.dialogs import EndRoundDialog

    app = make_app(store, catalog)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await press(pilot, "n", "enter")
        assert isinstance(app.screen, BriefingScreen)
        for key in ("enter", "e"):
            app.post_message(events.Key(key, "\r" if key == "enter" else key))
        await settle(pilot)
        assert isinstance(app.screen, EndRoundDialog)
        assert app.view.round == 1
