"""`pmsim class report CODE` of a shared-market class (issue 14): a leaderboard per quarter, market
share over time (an SVG chart in HTML), each company's launches beside its rivals', and the
quarters a company lost customers while a rival launched; every number from the replayed market."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from storage_texts import scenario_text

from pmsim.cli import cli
from pmsim.engine.bots import play_round
from pmsim.reports.shared_report import build, render_md
from pmsim.storage import shared_market as sm
from pmsim.storage.saves import SaveStore

COMPANIES = [("Acme", "researcher"), ("Globex", "rice"), ("Initech", "random")]


@pytest.fixture
def played(db_url):

    with SaveStore(db_url) as store:
        code = sm.create(store, "PM 101", scenario_text("b2b_saas", 1500), 9, [c for c, _ in COMPANIES]).code
        sessions = [(sm.CompanySession(store, code, c), bot) for c, bot in COMPANIES]
        for _ in range(3):  # three quarters of eight
            for s, bot in sessions:
                s.refresh()
                play_round(s, bot)
        game = sm.load(store, code)
    return db_url, code, game


def _report(url: str, code: str, fmt: str) -> str:
    out = CliRunner().invoke(cli, ["class", "report", code, "--format", fmt, "--db", url])
    assert out.exit_code == 0, out.output
    assert "3 companies, 3 of 8 quarters resolved (in progress)" in out.stderr
    return out.stdout


def test_the_csv_is_the_market_quarter_by_quarter(played):
    url, code, game = played
    rows = list(csv.DictReader(io.StringIO(_report(url, code, "csv"))))
    assert len(rows) == 3 * 3
    for row in rows:
        g = game.company(row["company"])
        q = int(row["quarter"])
        assert float(row["score"]) == pytest.approx(g.state.reports[q - 1]["score"]["score"], abs=0.005)
        assert float(row["market_share"]) == pytest.approx(g.state.metrics[q]["market_share"], abs=5e-5)
        assert int(row["customers"]) == g.state.metrics[q]["customers"]
    for q in (1, 2, 3):
        ranked = sorted((r for r in rows if r["quarter"] == str(q)), key=lambda r: int(r["rank"]))
        scores = [float(r["score"]) for r in ranked]
        assert scores == sorted(scores, reverse=True) and [r["rank"] for r in ranked] == ["1", "2", "3"]
    assert any(r["launched"] for r in rows)  # somebody shipped something in three quarters


def test_the_html_has_the_share_chart_and_the_tables(played):
    url, code, game = played
    page = _report(url, code, "html")
    assert page.count('<svg class="chart" id="share"') == 1 and page.count('<path class="line"') == 2 * 3
    for c, _ in COMPANIES:
        assert f"<title>{c}</title>" in page  # one line per company, named for screen readers
    assert "Leaderboard per quarter" in page and "Launches, company beside company" in page
    share = game.company("Globex").state.metrics[2]["market_share"]
    assert f"Globex, Q2: {round(100 * share):.0f}" in page or f"Globex, Q2: {100 * share:.0f}" in page


def test_losses_while_a_rival_launched_are_found(played):
    _, code, game = played
    rep = build(game, code, "PM 101")
    moments = rep.losses_to_launches()
    for q, name, lost, rivals in moments:
        m = game.company(name).state.metrics
        assert m[q - 1]["customers"] - m[q]["customers"] == lost > 0
        assert rivals and all(launched and r != name for r, launched in rivals)
    expected = sum(1 for q in (1, 2, 3) for c in game.companies
                   if c.state.metrics[q - 1]["customers"] > c.state.metrics[q]["customers"]
                   and any(o is not c and o.state.reports[q - 1]["shipped"] for o in game.companies))
    assert len(moments) == expected
    md = render_md(rep)
    assert "## Leaderboard per quarter" in md and md.count("| Q") >= 6


def test_a_class_with_no_quarter_resolved(db_url):

    with SaveStore(db_url) as store:
        code = sm.create(store, "New", scenario_text("tutorial", 800), 1, ["A|B", "C"]).code
        rep = build(sm.load(store, code), code, "New")
    assert "No quarter has resolved yet." in render_md(rep)
