"""A whole game of a built-in scenario played only through key presses, checked against storage."""

from __future__ import annotations

import re

from tui_helpers import PLAYER, make_app, past_briefing, press, run, screen_text, settle

from pmsim.tui.screens.debrief import DebriefScreen
from pmsim.tui.screens.game import GameScreen
from pmsim.tui.screens.report import RoundReportScreen


def highlighted_status(app) -> str | None:
    rid = app.screen.pane("inbox").current_request()
    return next((q["status"] for q in app.view.obs["requests"] if q["id"] == rid), None)


async def play_round(pilot, rnd: int) -> None:
    """One quarter as a keyboard-only player would play it."""
    app = pilot.app
    # research: the first study on offer (a survey); in round 1 also interviews (m: next method)
    await press(pilot, "3", "enter", "enter")
    if rnd == 1:
        await press(pilot, "m", "enter", "enter")
    # inbox: accept the most urgent request, defer the next open one with a reason and a note
    # (after an answer the cursor moves to the next open request)
    await press(pilot, "2")
    if highlighted_status(app) == "open":
        await press(pilot, "a")
    if highlighted_status(app) == "open":
        keys = ["d", "tab", *"next quarter", "enter"] if rnd == 1 else ["d", "enter"]
        await press(pilot, *keys)
    # roadmap: in round 1 sort by RICE (plan → feature → est → RICE); fill Now from the top
    await press(pilot, "4", *(["s", "s", "s"] if rnd == 1 else []), "home")
    await press(pilot, "n", "down", "n", "down", "n")
    if rnd == 1:
        await press(pilot, "down", "n", "shift+down")  # and reorder within Now
    # commit, with a rationale in round 1
    await press(pilot, "e", *(f"round {rnd}" if rnd == 1 else ""), "enter")
    assert isinstance(app.screen, RoundReportScreen), type(app.screen)
    assert f"Quarter {rnd} report" in screen_text(app)
    await press(pilot, "enter")


@run
async def test_whole_game_by_keys_replays_to_the_score_shown(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "n", "enter")  # title → new game → start the highlighted scenario
        await past_briefing(pilot)
        assert isinstance(app.screen, GameScreen)
        rounds = app.view.rounds
        for rnd in range(1, rounds + 1):
            assert app.view.round == rnd
            await play_round(pilot, rnd)
        assert isinstance(app.screen, DebriefScreen)
        text = screen_text(app)
        m = re.search(r"Final score (\d+\.\d) / 100", text)
        assert m, text
        shown = float(m.group(1))
        assert "Score by component" in text and "Customer impact" in text
        save_id = app.view.save_id

    info = store.info(save_id)
    assert info.status == "finished" and info.player == PLAYER
    res = store.verify(save_id)
    assert res.ok, res.problem
    assert res.rounds_checked == rounds
    assert round(res.summaries[-1]["score"], 1) == shown
    rec = store.load(save_id)
    kinds = {a.kind for a in rec.actions}
    assert {"plan", "respond", "research", "end_round"} <= kinds
    assert any(a.data.get("rationale") == "round 1" for a in rec.actions if a.kind == "end_round")
