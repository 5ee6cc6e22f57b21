"""The panes' behaviours, driven by keys (and a mouse click on a table header)."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import Static
from tui_helpers import make_app, past_briefing, press, run, screen_text, settle

from pmsim.tui.screens.game import GameScreen
from pmsim.tui.screens.help import HelpScreen
from pmsim.tui.widgets.inbox import InboxPane
from pmsim.tui.widgets.research import ResearchPane
from pmsim.tui.widgets.roadmap import COLUMNS, RoadmapPane
from pmsim.tui.widgets.table import GameTable


async def start(pilot) -> GameScreen:
    await settle(pilot)
    await press(pilot, "n", "enter")
    await past_briefing(pilot)
    assert isinstance(pilot.app.screen, GameScreen)
    return pilot.app.screen


def row_ids(table: GameTable) -> list[str]:
    return list(table.keys)


async def goto_row(pilot, table: GameTable, row_id: str) -> None:
    """Move the cursor to a row with the keys a player would use."""
    await press(pilot, "home", *["down"] * row_ids(table).index(row_id))


def plannable(view) -> list[str]:
    return [f["id"] for f in view.obs["features"] if f["status"] == "backlog" and not f["depends_on"]
            and f["available_from"] <= view.round]


@run
async def test_roadmap_sorts_by_every_column_with_keys_and_header_clicks(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(120, 40)) as pilot:
        game = await start(pilot)
        await press(pilot, "4")
        pane = game.pane("roadmap")
        assert isinstance(pane, RoadmapPane)
        feats = {f["id"]: f for f in app.view.obs["features"]}
        seen = []
        for _ in COLUMNS:  # s cycles through every column
            await press(pilot, "s")
            seen.append(pane.sort_key)
            if pane.sort_key == "rice":
                ids = row_ids(pane.table)
                rice = [feats[i]["rice"] for i in ids]
                assert rice == sorted(rice, reverse=True)
                await press(pilot, "r")  # reverse
                rice = [feats[i]["rice"] for i in row_ids(pane.table)]
                assert rice == sorted(rice)
                assert "RICE ▲" in screen_text(app)
        assert sorted(seen) == sorted(k for k, _, _ in COLUMNS)
        # a click on the Est header sorts by the estimate, a second click reverses
        table = pane.table
        x = 1 + table.column_x("est") + 1  # border, then the column
        await pilot.click("#roadmap-table", offset=(x, 1))
        await settle(pilot)
        assert pane.sort_key == "est"
        est = [feats[i]["remaining_estimate"] for i in row_ids(pane.table)]
        assert est == sorted(est)
        await pilot.click("#roadmap-table", offset=(x, 1))
        await settle(pilot)
        assert pane.sort_desc is True


@run
async def test_roadmap_moves_items_between_slots_and_within_now(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(120, 40)) as pilot:
        game = await start(pilot)
        await press(pilot, "4")
        pane = game.pane("roadmap")
        await press(pilot, "s")  # sort by title, so rows stay put while slots change
        first, second = plannable(app.view)[:2]
        await goto_row(pilot, pane.table, first)
        await press(pilot, "n")
        await goto_row(pilot, pane.table, second)
        await press(pilot, "n")
        assert app.view.obs["now"] == [first, second]
        await goto_row(pilot, pane.table, first)
        await press(pilot, "shift+down")  # the first Now item moves after the second
        assert app.view.obs["now"] == [second, first]
        await press(pilot, "K")  # and back up
        assert app.view.obs["now"] == [first, second]
        await press(pilot, "x")
        assert app.view.feature(first)["slot"] == "next" and app.view.obs["now"] == [second]
        await press(pilot, "l")
        assert app.view.feature(first)["slot"] == "later"
        await press(pilot, "backspace")
        assert app.view.feature(first)["slot"] is None
        # the save has every move
        kinds = [a.kind for a in store.load(app.view.save_id).actions]
        assert kinds.count("plan") == 6 and kinds.count("unplan") == 1


@run
async def test_capacity_bar_warns_before_over_commitment(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(120, 40)) as pilot:
        game = await start(pilot)
        await press(pilot, "4", "s", "s", "r", "home")  # biggest estimates first
        pane = game.pane("roadmap")
        cap = app.view.obs["capacity"]["total"]
        # add items until the bar says we are close to full, or an item no longer fits
        for _ in range(12):
            text = screen_text(app)
            if "won't fit" in text or "⚠" in text:
                break
            fid = pane.current_feature()
            if app.view.feature(fid)["slot"] != "now":
                await press(pilot, "n")
            await press(pilot, "down")
        text = screen_text(app)
        assert "won't fit" in text or "⚠" in text, text
        # pushing an item that does not fit is refused with the engine's message, nothing changes
        used = app.view.obs["capacity"]["committed"]
        big = max((f for f in app.view.obs["features"] if f["slot"] != "now" and f["status"] == "backlog"
                   and f["available_from"] <= app.view.round and not f["depends_on"]),
                  key=lambda f: f["remaining_estimate"])
        if used + big["remaining_estimate"] > cap:
            await goto_row(pilot, pane.table, big["id"])
            assert "won't fit" in screen_text(app)
            await press(pilot, "n")
            assert app.view.obs["capacity"]["committed"] == used
            assert any("does not fit" in n.message for n in app._notifications)


@run
async def test_inbox_accept_defer_decline(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(100, 30)) as pilot:
        game = await start(pilot)
        await press(pilot, "2")
        pane = game.pane("inbox")
        assert isinstance(pane, InboxPane)
        status = {}

        def st(rid):
            return next(q for q in app.view.obs["requests"] if q["id"] == rid)

        r1 = pane.current_request()
        await press(pilot, "a")
        status[r1] = "accepted"
        r2 = pane.current_request()
        assert r2 != r1 and st(r2)["status"] == "open"  # the cursor moved on to the next open request
        await press(pilot, "d")
        assert "Defer" in screen_text(app)
        await press(pilot, "down", "tab", *"after the survey", "enter")  # reason: evidence, with a note
        r3 = pane.current_request()
        await press(pilot, "x", "escape")  # a cancelled decline changes nothing
        assert st(r3)["status"] == "open"
        await press(pilot, "x", "enter")  # decline with the first reason (capacity)
        assert st(r1)["status"] == "accepted"
        assert st(r2)["status"] == "deferred" and st(r2)["reason"] == "evidence"
        assert st(r2)["rationale"] == "after the survey"
        assert st(r3)["status"] == "declined" and st(r3)["reason"] == "capacity"
        cells = {rid: pane.table.get_row(rid)[0].plain for rid in (r1, r2, r3)}
        assert cells == {r1: "✓ accepted", r2: "↷ deferred", r3: "✗ declined"}


@run
async def test_research_purchase_shows_result_with_interval(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(120, 40)) as pilot:
        game = await start(pilot)
        budget = app.view.obs["budget"]["left"]
        await press(pilot, "3", "down", "enter", "enter")  # survey, n=400 in the first segment
        pane = game.pane("research")
        assert isinstance(pane, ResearchPane)
        res = app.view.obs["research"]
        assert len(res) == 1 and res[0]["method"] == "survey" and res[0]["n"] == 400
        assert app.view.obs["budget"]["left"] < budget
        assert "±" in screen_text(app) and "Survey of 400" in screen_text(app)
        await press(pilot, "m", "enter", "enter")  # interviews: quotes from named customers
        quotes = app.view.obs["research"][-1]["quotes"]
        assert quotes and quotes[0]["text"][:20] in screen_text(app)
        # a study the budget cannot pay for is refused with the reason
        await press(pilot, "m", "m", "m", "m", "m")  # back to surveys
        for _ in range(8):
            await press(pilot, "end", "enter", "enter")
        assert any("budget" in n.message for n in app._notifications)


@run
async def test_theme_switch_and_help(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await press(pilot, "t")
        assert app.theme == "textual-light"
        await press(pilot, "t")
        assert app.theme == "pmsim-high-contrast"
        await press(pilot, "t")
        assert app.theme == "textual-dark"
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=100, file=io.StringIO(), record=True)
        console.print(app.screen.query_one("#help-body", Static).content)
        help_text = console.export_text()
        for section, bindings in app.help_sections():
            for b in bindings:
                assert b.description in help_text, (section, b.description)
        await press(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)


@run
async def test_command_palette_reaches_game_actions(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot)
        title = app.view.obs["features"][0]["title"]
        await press(pilot, "ctrl+p", *f"Plan {title} in Now")
        await pilot.pause()
        await press(pilot, "enter")
        assert app.view.obs["now"] == [app.view.obs["features"][0]["id"]]
        await press(pilot, "ctrl+p", *"End round", "enter")
        assert "Commit the roadmap" in screen_text(app)


@run
async def test_quit_and_continue_resumes_exactly(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot)
        await press(pilot, "4", "n", "down", "n", "e", "enter", "enter")  # one round
        await press(pilot, "4", "n", "2", "a")  # and a few moves into round 2
        before = app.view
        await press(pilot, "q")
        assert "New game" in screen_text(app) and f"c continues save {before.save_id}" in screen_text(app)
    app2 = make_app(store, catalog, start="continue")
    async with app2.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await past_briefing(pilot)
        assert isinstance(app2.screen, GameScreen)
        after = app2.view
        assert after.save_id == before.save_id and after.round == before.round == 2
        assert after.obs["now"] == before.obs["now"]
        assert [q["status"] for q in after.obs["requests"]] == [q["status"] for q in before.obs["requests"]]
        assert after.score == before.score


@run
async def test_replay_viewer_steps_and_forks(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot)
        for _ in range(2):
            await press(pilot, "4", "home", "n", "e", "enter", "enter")
        sid = app.view.save_id
        await press(pilot, "q", "r")  # title → replay picker
        await press(pilot, "enter")  # the newest save
        assert "Replay of save" in screen_text(app) and "Round 1 of 8" in screen_text(app)
        await press(pilot, "right")
        assert "Round 2 of 8" in screen_text(app) and "Best in hindsight" in screen_text(app)
        await press(pilot, "left", "right", "f")
        assert "Fork a new game at round 2" in screen_text(app)
        await press(pilot, "y")
        await past_briefing(pilot)
        assert isinstance(app.screen, GameScreen)
        assert app.view.save_id != sid and app.view.round == 2
        info = store.info(app.view.save_id)
        assert info.parent_id == sid and info.forked_round == 1


@run
async def test_an_unusable_database_ends_the_app_with_one_line(catalog):
    from pmsim.storage.errors import DatabaseUnavailable
    from pmsim.tui.app import PmsimApp

    def broken():
        raise DatabaseUnavailable("cannot open /nowhere/saves.sqlite3: the folder does not exist")

    app = PmsimApp(broken, catalog=catalog, seed=1, player="x")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    assert app.return_code == 2


def test_the_briefing_names_a_discovery_budget(store, catalog):
    async def body():
        async with make_app(store, catalog).run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await press(pilot, "n", "enter")
            text = " ".join(screen_text(pilot.app).split())
            assert "research budget $100k (a discovery budget: $30k next quarter" in text, text

    run(body)
