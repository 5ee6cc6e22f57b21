"""The dashboard of a shared market's company charts every company's market share over the
quarters (issue 14: "terminal chart in the TUI"): one row of blocks per company on one scale,
yours as your metrics estimate it, each rival's to the nearest percent."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from rich.console import Group
from textual.app import App, ComposeResult
from textual.widgets import Static
from tui_helpers import make_app, past_briefing, press, run, screen_text, settle, small_text

from pmsim.cli import cli
from pmsim.engine.bots import play_round
from pmsim.engine.shared import SharedGame
from pmsim.scenario.loader import load_scenario_text
from pmsim.storage import shared_market as sm
from pmsim.storage.saves import SaveStore
from pmsim.tui import fmt
from pmsim.tui.screens.game import GameScreen
from pmsim.tui.screens.report import RoundReportScreen
from pmsim.tui.service import build_view
from pmsim.tui.widgets.dashboard import rivals_lines, share_chart, share_rows

NAMES = ["Acme", "Globex", "Initech"]


def _view(quarters: int):
    """Acme's view after `quarters` quarters of a real shared market of three bots."""
    sc = load_scenario_text(small_text("b2b_saas", 1500))
    game = SharedGame(sc, 4, NAMES)
    for _ in range(quarters):
        for company, strategy in zip(game.companies, ["researcher", "rice", "hippo"], strict=True):
            play_round(company, strategy)
    view = build_view(SimpleNamespace(game=game.companies[0], save_id=1))
    view.obs.update({"rivals": game.rivals(0), "rival_shares": game.rival_shares(0), "company": "Acme"})
    return view


def test_rows_put_you_first_with_your_estimated_share_then_each_rival():
    view = _view(2)
    rows = share_rows(view)
    assert [(c, you) for c, you, _ in rows] == [("Acme", True), ("Globex", False), ("Initech", False)]
    assert rows[0][2] == [m["market_share"] for m in view.obs["metrics"]]  # the Market share row's estimate
    assert rows[1][2] == view.obs["rival_shares"][0]["shares"]
    text = share_chart(view).plain.splitlines()
    lo = min(x for _, _, s in rows for x in s)
    hi = max(x for _, _, s in rows for x in s)
    assert text[1] == f"Market share by quarter (Q0–Q2; one scale: {100 * lo:.1f}%–{100 * hi:.1f}%)"
    drawn = []  # (share, block height) over the whole chart
    for line, (_, _, shares) in zip(text[2:], rows, strict=True):
        blocks = line.split()[-2]
        assert len(blocks) == 3 and set(blocks) <= set(fmt.SPARK)
        drawn += [(x, fmt.SPARK.index(b)) for x, b in zip(shares, blocks, strict=True)]
    # one scale for every row: the highest share is a full block, the lowest the smallest, and a
    # larger share is never drawn lower, whichever company it is
    assert max(drawn)[1] == len(fmt.SPARK) - 1 and min(drawn)[1] == 0
    assert all(hb >= ha for (_, ha), (_, hb) in zip(sorted(drawn), sorted(drawn)[1:], strict=False))
    assert text[2].startswith("  Acme (you)") and text[2].endswith(f" {100 * rows[0][2][-1]:.1f}%")
    assert text[3].startswith("  Globex") and text[3].endswith(f" ~{100 * rows[1][2][-1]:.0f}%")


class ChartApp(App[None]):
    def compose(self) -> ComposeResult:
        view = _view(3)
        yield Static(Group(rivals_lines(view), share_chart(view)))


def test_share_chart_snapshot(snap_compare):
    assert snap_compare(ChartApp(), terminal_size=(80, 24))


@pytest.fixture
def shared(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    store = SaveStore(url)
    code = sm.create(store, "Shared", small_text("b2b_saas", 1500), 4, NAMES).code
    yield url, code, store
    store.close()


@run
async def test_the_dashboard_charts_shares_after_a_quarter(shared, catalog):
    url, code, store = shared
    app = make_app(store, catalog, start="company", class_code=code, company="acme", player="Ada")
    async with app.run_test(size=(100, 60)) as pilot:
        await settle(pilot)
        await past_briefing(pilot)
        assert "Market share by quarter (Q0 so far;" in screen_text(app)
        await press(pilot, "e")
        await press(pilot, "enter")
        out = CliRunner().invoke(cli, ["class", "advance", code, "--db", url])
        assert out.exit_code == 0, out.output
        for _ in range(100):
            if isinstance(app.screen, RoundReportScreen):
                break
            await pilot.pause(0.1)
        await press(pilot, "enter")
        await past_briefing(pilot)
        assert isinstance(app.screen, GameScreen) and app.view.round == 2
        lines = screen_text(app).splitlines()
        head = next(i for i, ln in enumerate(lines) if "Market share by quarter (Q0–Q1;" in ln)
        rows = [ln.split() for ln in lines[head + 1:head + 4]]
        assert [r[0] for r in rows] == ["Acme", "Globex", "Initech"] and rows[0][1] == "(you)"
        assert all(len(r[-2]) == 2 and set(r[-2]) <= set(fmt.SPARK) for r in rows)
