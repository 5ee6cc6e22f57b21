"""Issue 10 in the TUI: a name is text, never markup (F5), and `--continue` is per player."""

from __future__ import annotations

from textual.content import Content
from tui_helpers import make_app, past_briefing, run, screen_text, settle, small_text

from pmsim.tui.app import continue_target
from pmsim.tui.screens.game import GameScreen

NAME = "[/x] Bob [intern]"


@run
async def test_a_markup_name_is_shown_as_written_and_never_parsed(store, catalog):
    app = make_app(store, catalog, player=NAME, start="play", scenario_id=catalog.entries[0].id)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert f"welcome, {NAME}" in screen_text(app)  # the briefing greets the player by name, as written
        await past_briefing(pilot)
        assert isinstance(app.screen, GameScreen)
        shown = [Content.from_markup(n.message).plain for n in app._notifications]  # raises MarkupError unescaped
        assert all("[/x]" not in s or NAME in s for s in shown), shown
    assert store.list()[0].player == NAME


@run
async def test_continue_resumes_the_named_players_game_not_the_latest_one(store, catalog):
    text = small_text("b2b_saas")
    ada = store.create(text, 1, "Ada")
    store.create(text, 2, "Bob")  # newer: a plain "latest game" would be Bob's
    app = make_app(store, catalog, player="Ada", start="continue")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await past_briefing(pilot)
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


@run
async def test_a_transient_fault_offers_retry_and_applies_the_action_once_stored(store, catalog):
    from tui_helpers import press

    from pmsim.storage.errors import DatabaseUnavailable
    from pmsim.tui.screens.dialogs import FaultDialog

    real = store.append_action
    faults = [DatabaseUnavailable("/tmp/s.db: the disk is full"), DatabaseUnavailable("still full")]

    def flaky(*args, **kwargs):
        if faults:
            raise faults.pop(0)
        return real(*args, **kwargs)

    app = make_app(store, catalog, start="play", scenario_id=catalog.entries[0].id)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        sid = app.view.save_id
        store.append_action = flaky
        await press(pilot, "2", "a")  # accept the first request: its save fails
        assert isinstance(app.screen, FaultDialog) and "disk is full" in app.screen.message
        assert store.info(sid).n_actions == 0 and len(app.service.session.game.log) == 0  # nothing applied
        await press(pilot, "r")  # fails again: the dialog comes back
        assert isinstance(app.screen, FaultDialog) and "still full" in app.screen.message
        await press(pilot, "enter")  # the disk has room again
        assert isinstance(app.screen, GameScreen)
        assert store.info(sid).n_actions == 1 and len(app.service.session.game.log) == 1
        assert sum(q["status"] == "accepted" for q in app.view.obs["requests"]) == 1
        store.append_action = lambda *a, **k: (_ for _ in ()).throw(DatabaseUnavailable("server gone"))
        await press(pilot, "a")
        assert isinstance(app.screen, FaultDialog)
        await press(pilot, "q")  # quit: the app ends, with the reason, and code 2
    assert app.return_code == 2
    assert store.info(sid).n_actions == 1


@run
async def test_the_guides_progress_failing_to_save_is_a_notice_not_a_lost_action(store, catalog):
    from tui_helpers import press

    from pmsim.storage.errors import DatabaseUnavailable
    from pmsim.tui.screens.dialogs import FaultDialog

    app = make_app(store, catalog, start="play", scenario_id=catalog.entries[0].id)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        real = store.set_ui_state
        calls = []

        def away(*args, **kwargs):
            calls.append(args)
            raise DatabaseUnavailable("server gone")

        store.set_ui_state = away
        await press(pilot, "3", "4", "1")  # panes the guide ticks off: its progress cannot be saved
        await settle(pilot)
        assert calls, "the guide's progress was never saved"
        assert not isinstance(app.screen, FaultDialog)
        assert isinstance(app.screen, GameScreen)
        store.set_ui_state = real
        await press(pilot, "2", "5")  # the next step saves it
        await settle(pilot)
        assert store.info(app.view.save_id) is not None and not isinstance(app.screen, FaultDialog)


def markup_scenario() -> str:
    """The tutorial (small) with markup-like text in every name and title players see: a scenario is
    written by an instructor or handed in by a student, and "[/]" in a segment's name once crashed the
    dashboard (Rich parsed the table cell as markup)."""
    import yaml

    d = yaml.safe_load(small_text("tutorial", 2000))
    d["meta"]["title"] = "[b]Lumen[/b] [/]"
    for seg in d["market"]["segments"]:
        seg["name"] = "[/] " + seg["name"]
    for t in d["market"]["themes"]:
        t["name"] = "[/i]" + t["name"]
    for f in d["features"]:
        f["title"] = "[/x]" + f["title"]
    for c in d["market"]["competitors"]:
        c["name"] = "[red]" + c["name"] + "[/blue]"
    for s in d["stakeholders"]:
        s["name"], s["title"] = "[/b]" + s["name"], "[/]"
        for q in s["requests"]:
            q["text"] = "[/x] " + q["text"]
    for e in d["events"]:
        e["text"] = "[/] " + e["text"]
    for o in d["okrs"]:
        o["objective"] = "[/] " + o["objective"]
        for kr in o["key_results"]:
            kr["description"] = "[/] " + kr["description"]
    return yaml.safe_dump(d, sort_keys=False, allow_unicode=True)


@run
async def test_markup_in_a_scenarios_names_is_shown_as_written_on_every_screen(store):
    from tui_helpers import press

    from pmsim.tui.screens.debrief import DebriefScreen
    from pmsim.tui.screens.replay import ReplayScreen
    from pmsim.tui.service import Catalog, ScenarioEntry

    entry = ScenarioEntry.from_text(markup_scenario(), "markup.yaml")
    app = make_app(store, Catalog([entry]))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "n", "enter")
        await past_briefing(pilot)
        assert isinstance(app.screen, GameScreen)
        for _ in range(app.view.rounds):
            for pane in "12345":
                await press(pilot, pane, "i", "right", "escape", "down", "i", "escape")
            await press(pilot, "1")
            assert "[/] Students" in screen_text(app)  # the dashboard's segment table, as written
            await press(pilot, "4", "home", "n", "down", "n", "e", "enter")  # plan two, commit
            await press(pilot, "i", "escape", "enter")  # the quarter's report, its score explained
            await past_briefing(pilot)
        assert isinstance(app.screen, DebriefScreen)
        assert "[/x]Share links" in screen_text(app)  # the round-by-round table: what was planned
        await press(pilot, "r")  # replay the game
        assert isinstance(app.screen, ReplayScreen)
        await press(pilot, "right", "right", "end", "home")
        assert "[/x]Share links" in screen_text(app)


@run
async def test_a_save_that_does_not_open_at_start_up_leaves_the_title_not_a_blank_screen(store):
    # `pmsim play --save ID` (or `pmsim replay ID`) of a save whose scenario text was altered: the
    # reason was shown over a blank screen whose keys did nothing (only ctrl+q got out)
    import sqlite3

    from tui_helpers import press, small_catalog

    from pmsim.tui.screens.saves import SavesScreen
    from pmsim.tui.screens.title import TitleScreen

    text = small_text("b2b_saas")
    good = store.create(text, 1, "Ada")
    bad = store.create(text, 2, "Ada")
    with sqlite3.connect(store.url.removeprefix("sqlite:///")) as c:
        c.execute("UPDATE saves SET scenario_text = '' WHERE id = ?", (bad,))
    for start in ("save", "replay"):
        app = make_app(store, small_catalog(), start=start, save_ref=bad)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, TitleScreen), type(app.screen)
            assert any("was altered" in n.message for n in app._notifications)
            await press(pilot, "l")  # and every other save still opens
            assert isinstance(app.screen, SavesScreen)
            assert str(good) in screen_text(app)
