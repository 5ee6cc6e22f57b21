"""The Research pane: the method list and the offers never fight (a burst of `m` settles), and a
purchase takes a confirmation that names exactly the highlighted, displayed offer."""

from __future__ import annotations

from textual import events
from textual.widgets import Static
from tui_helpers import make_app, past_briefing, press, run, settle

from pmsim.reports.studies import METHOD_INFO
from pmsim.tui.screens.game import GameScreen
from pmsim.tui.widgets.research import ResearchPane

METHODS = list(METHOD_INFO)


async def research_pane(pilot) -> ResearchPane:
    await settle(pilot)
    await press(pilot, "n", "enter")
    await past_briefing(pilot)
    assert isinstance(pilot.app.screen, GameScreen)
    await press(pilot, "3")
    pane = pilot.app.screen.pane("research")
    assert isinstance(pane, ResearchPane)
    return pane


def burst(app, key: str, times: int) -> None:
    """Queue `times` presses at once, faster than any handler can run between them."""
    for _ in range(times):
        app.post_message(events.Key(key, key))


async def settled(pilot, pane: ResearchPane) -> None:
    """The pane stays put: no more redraws of the offers and no method change over several pauses."""
    await settle(pilot)
    fills, method = pane.fills, pane.method
    for _ in range(10):
        await pilot.pause(0.02)
    assert (pane.fills, pane.method) == (fills, method), "the research pane kept redrawing by itself"
    assert pane.methods.highlighted == METHODS.index(pane.method)


@run
async def test_ten_fast_m_presses_settle_and_enter_buys_the_displayed_offer(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await research_pane(pilot)
        assert pane.method == "survey"
        burst(app, "m", 10)
        await settled(pilot, pane)
        assert pane.method == METHODS[10 % len(METHODS)]
        # ten presses redraw the offers at most ten times (the old code flipped forever)
        burst(app, "m", 2)  # back to surveys
        await settled(pilot, pane)
        assert pane.method == "survey"
        await press(pilot, "down", "down")
        offer = app.view.studies["survey"][2]
        assert pane.table.cursor_row == 2
        await press(pilot, "enter")
        line = pane.query_one("#buy-line", Static)
        assert line.display and not app.view.obs["research"], "the first enter only asks"
        asked = str(line.content)
        assert f"n={offer.action.n}" in asked and offer.target.split(" (")[0] in asked
        assert "budget left" in asked and "enter buys" in asked and "esc cancels" in asked
        await press(pilot, "enter")
        res = app.view.obs["research"]
        assert len(res) == 1
        assert (res[0]["method"], res[0]["segment"], res[0]["n"]) == ("survey", offer.action.segment, offer.action.n)
        assert not line.display


@run
async def test_escape_cancels_a_purchase_and_moving_the_cursor_drops_it(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await research_pane(pilot)
        budget = app.view.obs["budget"]["left"]
        await press(pilot, "enter")
        assert pane.pending is not None
        await press(pilot, "escape")
        assert pane.pending is None and isinstance(app.screen, GameScreen), "esc cancels, it does not leave"
        await press(pilot, "enter", "down", "enter")
        assert not app.view.obs["research"], "enter on another row asks again"
        assert pane.pending is not None and pane.pending[1] == 1
        await press(pilot, "m")
        assert pane.pending is None
        assert app.view.obs["budget"]["left"] == budget


@run
async def test_cursor_resets_per_method_and_per_quarter(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await research_pane(pilot)
        await press(pilot, "end")
        assert pane.table.cursor_row > 0
        await press(pilot, "m")
        assert pane.table.cursor_row == 0
        await press(pilot, "m", "m", "m", "m", "m", "end")  # surveys again, last row
        assert pane.method == "survey" and pane.table.cursor_row > 0
        await press(pilot, "e", "enter")  # commit the quarter
        await press(pilot, "enter")  # the report is read
        while not isinstance(app.screen, GameScreen):
            await press(pilot, "enter")  # the quarter's briefing
        await press(pilot, "3")
        assert app.view.round == 2 and pane.method == "survey" and pane.table.cursor_row == 0


@run
async def test_a_repeated_study_warns_and_an_empty_method_says_why(store, catalog):
    app = make_app(store, catalog)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await research_pane(pilot)
        await press(pilot, "enter", "enter")
        assert len(app.view.obs["research"]) == 1
        await press(pilot, "enter")
        line = pane.query_one("#buy-line", Static)
        assert line.display and "a repeat will find little new" in str(line.content)
        await press(pilot, "escape")
        await press(pilot, "m", "m", "m")
        assert pane.method == "ab_test" and pane.table.row_count == 0
        what = str(pane.query_one("#method-what", Static).content)
        assert "nothing has shipped yet" in what and "first feature ships" in what
        await press(pilot, "enter")
        assert len(app.view.obs["research"]) == 1


def test_a_competitive_analysis_in_a_shared_market_lists_the_rival_companies():
    """The research pane shows what the study saw of each rival company: share and launches."""
    from types import SimpleNamespace

    from tui_helpers import small_text

    from pmsim.engine import EndRound, Plan, Research
    from pmsim.engine.shared import SharedGame
    from pmsim.scenario.loader import load_scenario_text
    from pmsim.tui.service import build_view
    from pmsim.tui.widgets.research import result_text

    game = SharedGame(load_scenario_text(small_text()), 8, ["Acme", "Globex"])
    acme = game.companies[0]
    game.apply(0, next(x for x in acme.legal_actions() if isinstance(x, Plan) and x.slot == "now"))
    game.apply(0, EndRound())
    game.apply(1, EndRound())
    result = game.apply(1, Research("competitive_analysis"))
    view = build_view(SimpleNamespace(game=game.companies[1], save_id=None, read_only=False, problem=None))
    text = result_text(result, view).plain
    titles = [x["title"] for x in result["rival_companies"][0]["launched"]]
    assert titles and "Acme: " in text and all(t in text for t in titles[-3:])


def test_a_spike_result_says_whether_a_plan_hinged_on_it():
    """The summary line gives the new estimate; the line under it says whether the spike could
    change a plan (engine/hinges.py), so a player sees which spikes the research score counts as
    waste, instead of the estimate repeated."""
    from types import SimpleNamespace

    from tui_helpers import small_text

    from pmsim.engine import Research, new_game
    from pmsim.engine.hinges import candidates, spike_informs
    from pmsim.scenario.loader import load_scenario_text
    from pmsim.tui.service import build_view
    from pmsim.tui.widgets.research import result_text

    sc = load_scenario_text(small_text())
    seen = {}
    for seed in range(1, 30):
        g = new_game(sc, seed)
        for fid in candidates(g):
            informs = spike_informs(g, fid, g.capacity_left())
            if informs in seen or not g.is_legal(Research("spike", feature=fid)):
                continue
            result = g.apply(Research("spike", feature=fid))
            view = build_view(SimpleNamespace(game=g, save_id=None, read_only=False, problem=None))
            seen[informs] = result_text(result, view).plain
            break
        if len(seen) == 2:
            break
    assert "a plan this or next quarter hinges on its size" in seen[True]
    assert "no plan this or next quarter hinges on its size" in seen[False]
    assert all(text.count("→") == 1 for text in seen.values())  # the estimate is said once
