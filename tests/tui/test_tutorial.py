"""The guided tutorial, played through key presses alone: every step shown, then done; skipping;
and an experienced player who ignores the guide is never blocked."""

from __future__ import annotations

from tui_helpers import make_app, past_briefing, press, run, screen_text, settle

from pmsim.tui.screens.debrief import DebriefScreen
from pmsim.tui.screens.explain import ExplainScreen
from pmsim.tui.screens.game import GameScreen
from pmsim.tui.screens.report import RoundReportScreen
from pmsim.tui.tutorial import STEPS
from pmsim.tui.widgets.coach import GuidePanel


async def open_tutorial(pilot) -> GameScreen:
    await settle(pilot)
    await press(pilot, "g")  # the title screen's tutorial key
    app = pilot.app
    await past_briefing(pilot)
    assert isinstance(app.screen, GameScreen)
    assert app.view.scenario_id == "tutorial" and app.coach.guide is not None
    return app.screen


async def goto_row(pilot, table, key: str) -> None:
    await press(pilot, "home", *["down"] * table.keys.index(key))


def shown_step(app) -> str:
    """The step the guide shows now (on the game screen, or on the round report), checked on screen."""
    guide = app.coach.guide
    step = guide.step
    assert step is not None
    where = {"RoundReportScreen": "#report-guide", "ExplainScreen": "#explain-guide"}
    panel = app.screen.query_one(where.get(type(app.screen).__name__, "#guide"), GuidePanel)
    assert panel.display
    assert f"Guide {guide.index + 1}/{len(STEPS)}" in screen_text(app)
    assert step.title in str(panel.render())
    return step.id


@run
async def test_the_whole_tutorial_by_keys(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(100, 32)) as pilot:
        game = await open_tutorial(pilot)
        seen = []

        async def step(expected: str, *keys: str) -> None:
            assert shown_step(app) == expected
            seen.append(expected)
            await press(pilot, *keys)
            assert expected in app.coach.guide.completed, (expected, app.coach.guide.step)

        await step("dashboard", "i")  # the dashboard's explanation: a metric
        assert isinstance(app.screen, ExplainScreen)
        await press(pilot, "escape")
        await step("okrs", "5", "i")
        assert "0.7" in screen_text(app) and "aspirational" in screen_text(app).lower()
        await press(pilot, "escape")
        await step("inbox", "2")
        inbox = game.pane("inbox")
        founder = next(q for q in app.view.obs["requests"] if q["id"] == "founder_ai")
        await goto_row(pilot, inbox.table, founder["id"])
        await step("answer_founder", "d", "down", "tab", *"after interviews", "enter")  # defer: evidence
        assert next(q for q in app.view.obs["requests"] if q["id"] == "founder_ai")["status"] == "deferred"
        await goto_row(pilot, inbox.table, "support_reader")
        await step("answer_support", "a")
        await step("research", "3")
        research = game.pane("research")
        # interviews: m, then the row "Teachers 5 ppl"
        await press(pilot, "m")
        rows = [(o.action.segment, o.action.n) for o in app.view.studies["interviews"]]
        await step("interviews", "home", *["down"] * rows.index(("teachers", 5)), "enter", "enter")
        await press(pilot, "m", "m", "m", "m", "m")  # back to surveys
        assert research.method == "survey"
        rows = [(o.action.segment, o.action.n) for o in app.view.studies["survey"]]
        await step("survey", "home", *["down"] * rows.index(("students", 400)), "enter", "enter")
        await step("roadmap", "4")
        roadmap = game.pane("roadmap")
        await step("rice", "s", "s", "s", "i")
        assert roadmap.sort_key == "rice" and "Reach × Impact" in screen_text(app)
        await step("wsjf_kano", "right", "right")
        assert "Kano" in screen_text(app)
        await press(pilot, "escape")
        await goto_row(pilot, roadmap.table, "screen_reader")
        await step("must_be", "n")
        left = app.view.obs["capacity"]["left"]
        small = min((f for f in app.view.obs["features"] if f["slot"] is None and not f["depends_on"]
                     and f["remaining_estimate"] <= left), key=lambda f: f["remaining_estimate"])
        await goto_row(pilot, roadmap.table, small["id"])
        await step("capacity", "n")
        await step("end_round", "e", *"accessibility first", "enter")
        assert isinstance(app.screen, RoundReportScreen)
        assert "accessibility first" in screen_text(app)  # the rationale, in the report
        await step("report", "enter")
        await past_briefing(pilot)
        assert isinstance(app.screen, GameScreen)
        await step("quarter2", "4", "home", "n", "e", "enter")
        await press(pilot, "enter")
        await past_briefing(pilot)  # quarter 3's briefing
        await step("finish", "e", "enter")
        await press(pilot, "enter")
        assert isinstance(app.screen, DebriefScreen)

    guide = app.coach.guide if app.coach.guide is not None else None
    assert seen == [s.id for s in STEPS]
    assert guide is None or (guide.completed == seen and not guide.skipped)


@run
async def test_skipping_a_step_and_the_whole_guide(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(100, 32)) as pilot:
        game = await open_tutorial(pilot)
        guide = app.coach.guide
        assert guide.step.id == "dashboard"
        await press(pilot, "greater_than_sign")  # > skips a step
        assert guide.skipped == ["dashboard"] and guide.step.id == "okrs"
        assert "Grade the OKRs" in screen_text(app)
        await press(pilot, "G")  # G hides the whole guide
        assert not game.query_one("#guide").display and "Grade the OKRs" not in screen_text(app)
        # hidden, it still notices what the player does, and comes back where they are
        await press(pilot, "5", "i", "escape", "2")
        assert guide.step.id == "answer_founder"
        await press(pilot, "G")
        assert game.query_one("#guide").display and "Answer the founder" in screen_text(app)
        # skipping every step ends the guide; the game goes on
        for _ in range(len(STEPS)):
            await press(pilot, "greater_than_sign")
        assert guide.finished and not game.query_one("#guide").display
        await press(pilot, "4", "home", "n")
        assert len(app.view.obs["now"]) == 1


@run
async def test_an_experienced_player_is_never_blocked(store, catalog):
    """Every normal key works at the first step; doing things out of order completes their steps."""
    app = make_app(store, catalog)
    async with app.run_test(size=(100, 32)) as pilot:
        game = await open_tutorial(pilot)
        guide = app.coach.guide
        assert guide.step.id == "dashboard"
        roadmap = game.pane("roadmap")
        await press(pilot, "4")
        await goto_row(pilot, roadmap.table, "screen_reader")
        await press(pilot, "n")  # a roadmap move while the guide asks about the dashboard
        assert app.view.obs["now"] == ["screen_reader"]
        await press(pilot, "2", "a", "a")  # both requests accepted
        assert all(q["status"] == "accepted" for q in app.view.obs["requests"])
        await press(pilot, "3", "enter", "enter")  # a survey (enter asks, enter buys)
        assert app.view.obs["research"]
        assert guide.step.id == "dashboard"  # the guide waited, and blocked nothing
        await press(pilot, "1", "i", "escape", "5", "i", "escape")
        # the steps already done were completed on the way, in order
        assert guide.completed == ["dashboard", "okrs", "inbox", "answer_founder", "answer_support", "research"]
        assert guide.step.id == "interviews"
        rows = [(o.action.segment, o.action.n) for o in app.view.studies["interviews"]]
        await press(pilot, "3", "m", "home", *["down"] * rows.index(("teachers", 5)), "enter", "enter")
        assert guide.completed[-3:] == ["interviews", "survey", "roadmap"] and guide.step.id == "rice"
        await press(pilot, "e", "enter")  # ending the round needs no guide step
        assert isinstance(app.screen, RoundReportScreen)
        await press(pilot, "enter")
        assert app.view.round == 2


def test_every_step_of_the_script_has_its_test_and_no_test_is_left_over():
    import pytest

    from pmsim.tui.tutorial import DONE, SCRIPT, _steps

    assert [s.id for s in STEPS] == list(DONE)
    assert all(s.title and s.text and "\n" not in s.text for s in STEPS)
    with pytest.raises(KeyError):  # a step written without a test of when it is done
        _steps(SCRIPT + "\nnew_step: A step nobody can finish\nDo something.\n")
