"""The mentor panel and the end-round dialog's advice, the explanations one key away, and the
player's rationale (bounded, saved, shown in the report and the replay viewer)."""

from __future__ import annotations

from textual.widgets import Input, Static
from tui_helpers import make_app, past_briefing, press, run, screen_text, settle

from pmsim.tui import explain
from pmsim.tui.screens.dialogs import MAX_RATIONALE, EndRoundDialog
from pmsim.tui.screens.explain import ExplainScreen, topic_text
from pmsim.tui.screens.game import GameScreen
from pmsim.tui.widgets.coach import MentorPanel, advice_text, mentor_text
from pmsim.tui.widgets.dashboard import METRICS
from pmsim.tui.widgets.roadmap import COLUMNS


async def start(pilot) -> GameScreen:
    await settle(pilot)
    await press(pilot, "n", "enter")
    await past_briefing(pilot)
    assert isinstance(pilot.app.screen, GameScreen)
    return pilot.app.screen


def plain(widget: Static) -> str:
    return str(widget.render())


def explanation(app) -> str:
    """The explanation on screen, unwrapped."""
    assert isinstance(app.screen, ExplainScreen)
    return plain(app.screen.query_one("#explain-body", Static)).replace("\n", " ")


def dialog_advice(app) -> str | None:
    assert isinstance(app.screen, EndRoundDialog)
    found = app.screen.query("#advice-text")
    return plain(found.first()) if found else None


# ---------------------------------------------------------------------------- mentor
@run
async def test_mentor_panel_follows_the_plan_and_the_dialog_lists_its_advice(store, catalog):
    app = make_app(store, catalog, mentor=True)
    async with app.run_test(size=(100, 30)) as pilot:
        game = await start(pilot)
        panel = game.query_one(MentorPanel)
        advice = app.view.advice
        assert panel.display and advice, "a new game has unanswered requests: the mentor says so"
        assert {a.rule for a in advice} >= {"stakeholder_waiting"}
        assert plain(panel) == mentor_text(advice, app.view).plain
        assert advice_text(advice[0], app.view)[:40] in screen_text(app)
        # answering the requests changes the advice after each action
        await press(pilot, "2")
        for _ in [q for q in app.view.open_requests if q["status"] == "open"]:
            await press(pilot, "a")
        assert not any(a.rule == "stakeholder_waiting" for a in app.view.advice)
        assert plain(panel) == mentor_text(app.view.advice, app.view).plain
        # the end-round dialog lists every piece of advice in full
        await press(pilot, "4", "home", "n", "e")
        listed = dialog_advice(app)
        assert listed is not None and listed.startswith("Mentor")
        for a in app.view.advice:
            assert advice_text(a, app.view) in listed.replace("\n", " ")
        await press(pilot, "escape")
        # M turns it off: no panel, nothing in the dialog
        await press(pilot, "M")
        assert not panel.display and not app.coach.mentor_on
        await press(pilot, "e")
        assert dialog_advice(app) is None
        assert "Mentor" not in screen_text(app)


@run
async def test_mentor_is_off_by_default_outside_the_tutorial(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(100, 30)) as pilot:
        game = await start(pilot)
        assert not app.coach.mentor_on and not game.query_one(MentorPanel).display
        await press(pilot, "e")
        assert dialog_advice(app) is None
        await press(pilot, "escape", "M")  # and one key turns it on
        assert app.coach.mentor_on and game.query_one(MentorPanel).display
        await press(pilot, "e")
        assert dialog_advice(app) is not None


# ---------------------------------------------------------------------------- explanations
def test_every_column_and_metric_has_an_explanation():
    assert {k for k, _, _ in COLUMNS} == set(explain.COLUMN_TOPIC)
    assert set(METRICS) == set(explain.METRIC_TOPIC)
    for t in explain.TOPICS:
        assert t.group in explain.GROUPS and t.what and t.how and t.why
        assert t.id in explain.group_of(t.id)
        assert topic_text(t.id, None, None).plain.count("\n") >= 6
    assert len({t.id for t in explain.TOPICS}) == len(explain.TOPICS)


@run
async def test_i_explains_the_sorted_column_the_metric_and_the_grading(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(100, 36)) as pilot:
        game = await start(pilot)
        # roadmap: sorted by WSJF (s: plan → feature → est → RICE → WSJF), i explains WSJF
        await press(pilot, "4", "s", "s", "s", "s", "home")
        roadmap = game.pane("roadmap")
        assert roadmap.sort_key == "wsjf"
        await press(pilot, "i")
        assert isinstance(app.screen, ExplainScreen) and app.screen.topic_id == "wsjf"
        f = app.view.feature(roadmap.current_feature())
        text = explanation(app)
        assert "Cost of Delay ÷ Job size" in text and "1, 2, 3, 5, 8, 13, 20" in text
        assert "WSJF: Weighted Shortest Job First" in screen_text(app)
        assert f"cost of delay {f['cost_of_delay']} ÷ job size {f['job_size']}" in text  # its numbers
        await press(pilot, "left")  # ← the previous column: RICE
        assert app.screen.topic_id == "rice" and "Reach = the customers" in explanation(app)
        await press(pilot, "right", "right")
        assert app.screen.topic_id == "kano" and "M must-be" in explanation(app)
        await press(pilot, "escape")
        await past_briefing(pilot)
        assert isinstance(app.screen, GameScreen)
        # dashboard: i, then → → reaches NPS with its standard error
        await press(pilot, "1", "i", "right", "right")
        assert app.screen.topic_id == "nps"
        text = explanation(app)
        assert "Net Promoter" in screen_text(app) and "1.96 × SE" in text and "(95%)" in text
        await press(pilot, "escape", "5", "i")
        assert app.screen.topic_id == "okr_grading" and "0.7 is the sweet spot" in explanation(app)
        await press(pilot, "escape", "3", "m", "i")  # research: the highlighted method
        assert app.screen.topic_id == "interviews"
        await press(pilot, "escape")
        # and through the command palette
        await press(pilot, "ctrl+p", *"Explain: Churn")
        await pilot.pause()
        await press(pilot, "enter")
        assert isinstance(app.screen, ExplainScreen) and app.screen.topic_id == "churn"
        assert "shifted-beta-geometric" in explanation(app)


# ---------------------------------------------------------------------------- rationale
def test_the_dialogs_limit_is_the_engines():
    from pmsim.engine.actions import MAX_RATIONALE as ENGINE_MAX

    assert MAX_RATIONALE == ENGINE_MAX == 500


@run
async def test_rationale_is_bounded_saved_and_shown_in_report_and_replay(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot)
        await press(pilot, "2", "x", "tab", *"not this year", "enter")  # decline with a note
        await press(pilot, "4", "home", "n", "e")
        field = app.screen.query_one("#rationale", Input)
        assert field.max_length == MAX_RATIONALE
        field.value = "Retention first. " * 40  # 680 characters, pasted
        await press(pilot, "enter")
        report = screen_text(app)
        assert "Your rationale: “Retention first." in report
        await press(pilot, "enter")
        sid = app.view.save_id
        saved = [a.data for a in store.load(sid).actions]
        rationale = next(a["rationale"] for a in saved if a["kind"] == "end_round")
        assert len(rationale) == MAX_RATIONALE and rationale.startswith("Retention first.")
        assert any(a.get("rationale") == "not this year" for a in saved if a["kind"] == "respond")
        await press(pilot, "q", "r", "enter")  # the replay viewer, round 1
        text = screen_text(app)
        assert '"not this year"' in text and 'Committed the roadmap — "Retention first.' in text
