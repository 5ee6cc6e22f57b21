"""Renegotiating an accepted request from the inbox: r opens a small dialog (a later quarter or
dropping the promise, a reason, a note); the stakeholder's reply shows in the request's detail."""

from __future__ import annotations

from tui_helpers import make_app, past_briefing, press, run, screen_text, settle

from pmsim.tui.screens.game import GameScreen
from pmsim.tui.screens.renegotiate import RenegotiateDialog, date_options
from pmsim.tui.widgets.inbox import InboxPane, RequestDetail


async def _inbox_with_sso_accepted(pilot) -> InboxPane:
    await settle(pilot)
    await press(pilot, "n", "enter")
    await past_briefing(pilot)
    game = pilot.app.screen
    assert isinstance(game, GameScreen)
    await press(pilot, "2")
    pane = game.pane("inbox")
    await _goto(pilot, pane, "sales_sso")
    assert "Renegotiate" not in screen_text(pilot.app)  # an open request: r is not offered
    await press(pilot, "a")
    await _goto(pilot, pane, "sales_sso")
    return pane


async def _goto(pilot, pane: InboxPane, rid: str) -> None:
    await press(pilot, "home", *["down"] * list(pane.table.keys).index(rid))
    assert pane.current_request() == rid


def _req(app, rid):
    return next(q for q in app.view.obs["requests"] if q["id"] == rid)


@run
async def test_r_renegotiates_the_highlighted_promise_and_shows_the_reply(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(100, 34)) as pilot:
        pane = await _inbox_with_sso_accepted(pilot)
        text = screen_text(app)
        assert "Renegotiate" in text and "r renegotiate" in text
        await press(pilot, "r")
        assert isinstance(app.screen, RenegotiateDialog)
        assert "Move it to Q3" in screen_text(app) and "Promised for Q2" in screen_text(app)
        await press(pilot, "escape")  # a cancelled renegotiation changes nothing
        assert _req(app, "sales_sso")["renegotiations"] == []
        await press(pilot, "r", "down", "tab", "down", "tab", *"the deal moved", "enter")  # Q4, evidence
        q = _req(app, "sales_sso")
        [ask] = q["renegotiations"]
        assert (ask["new_deadline"], ask["reason"], ask["rationale"]) == (4, "evidence", "the deal moved")
        assert ask["reply"] in ("agreed", "pushed back", "escalated")
        assert q["deadline"] == (4 if ask["reply"] == "agreed" else 2)
        detail = pane.query_one(RequestDetail).content
        shown = detail.plain if hasattr(detail, "plain") else str(detail)
        assert "Q1: you asked for Q4 (evidence)." in shown and ask["text"] in shown  # the reply, in full
        assert "Q4 ↻" in screen_text(app) or ask["reply"] != "agreed"  # the due date moved
        await press(pilot, "r")  # once a quarter: the inbox says why not
        assert not isinstance(app.screen, RenegotiateDialog)
        assert any("already renegotiated" in n.message for n in app._notifications)


@run
async def test_dropping_a_promise_from_the_dialog(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(100, 34)) as pilot:
        await _inbox_with_sso_accepted(pilot)
        await press(pilot, "r", "end", "enter")
        [ask] = _req(app, "sales_sso")["renegotiations"]
        assert ask["new_deadline"] is None and ask["reason"] == "capacity"


def test_the_dialog_offers_each_later_quarter_then_dropping():
    assert [i for i, _ in date_options(2, 4)] == ["q3", "q4", "drop"]
    assert [i for i, _ in date_options(4, 4)] == ["drop"]
    assert [i for i, _ in date_options(None, 4)] == ["drop"]


def test_the_replay_names_a_renegotiation():
    from tui_helpers import small_text

    from pmsim.engine import Renegotiate, Respond, new_game
    from pmsim.engine.summary import summarize
    from pmsim.scenario.loader import load_scenario_text
    from pmsim.tui.replay_data import describe

    g = new_game(load_scenario_text(small_text()), 1)
    g.apply(Respond("sales_sso", "accept"))
    moved = Renegotiate("sales_sso", 3, "capacity", "the deal moved")
    g.apply(moved)
    line = describe(moved.to_dict(), summarize(g))
    assert line.startswith("Asked ") and "to move a promise" in line and "to Q3, reason: capacity" in line
    assert line.endswith('"the deal moved"')
    assert "to drop a promise" in describe(Renegotiate("sales_sso", None, "strategy").to_dict(), summarize(g))
