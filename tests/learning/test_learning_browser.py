"""The HTML portfolio in a real headless Chromium: the page loads, its SVG charts are in the DOM
Chromium builds (lines, points and bars), and it paints something that is not blank.

Skipped (with the reason) when no Chromium is installed, except on CI (CI=true), where it fails:
CI is expected to run scripts/ensure_chromium.sh first.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from learning_helpers import SAVES, find_chromium, on_ci, run_chromium

from pmsim.reports.portfolio import portfolio_html


class Charts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.svg: str | None = None
        self.marks: dict[tuple[str, str], int] = {}
        self.h1 = ""
        self._in_h1 = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.svg = a.get("id")
        elif self.svg and tag in ("path", "rect", "circle"):
            key = (self.svg, f"{tag}.{a.get('class') or ''}")
            self.marks[key] = self.marks.get(key, 0) + 1
        self._in_h1 = tag == "h1"

    def handle_endtag(self, tag):
        if tag == "svg":
            self.svg = None
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1 += data


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        msg = "Chromium is not installed (run scripts/ensure_chromium.sh)"
        if on_ci():
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@pytest.fixture(scope="module")
def page(samples, tmp_path_factory):
    name = SAVES[0].name
    rec, game = samples[name]
    path = tmp_path_factory.mktemp("portfolio") / "portfolio.html"
    path.write_text(portfolio_html(game, rec.player), encoding="utf-8")
    return path, game, rec


def test_charts_are_in_the_dom_chromium_builds(chromium, page, tmp_path):
    path, game, rec = page
    res = run_chromium(chromium, tmp_path, "--dump-dom", path.as_uri())
    dom = res.stdout.decode("utf-8", "replace")
    assert res.returncode == 0 and "<svg" in dom, res.stderr.decode("utf-8", "replace")[-2000:]
    charts = Charts()
    charts.feed(dom)
    n = len(game.state.ledger)
    assert charts.marks[("customers-chart", "path.line")] == 1
    assert charts.marks[("customers-chart", "circle.pt")] == n + 1
    assert charts.marks[("revenue-chart", "path.line")] == 1
    assert charts.marks[("segments-chart", "path.line")] == len(game.scenario.market.segments)
    assert charts.marks[("delivery-chart", "rect.bar")] == 2 * n
    assert charts.marks[("components-chart", "rect.bar")] == 7
    assert charts.marks[("okr-chart", "rect.bar")] == len(game.scenario.okrs)
    assert charts.h1.startswith(rec.player)
    assert "simulated by pmsim" in dom


def test_the_page_chromium_paints_is_not_blank(chromium, page, tmp_path):
    path, _, _ = page
    shot = tmp_path / "shot.png"
    res = run_chromium(chromium, tmp_path, f"--screenshot={shot}", "--window-size=1000,1600", path.as_uri())
    assert res.returncode == 0 and shot.exists(), res.stderr.decode("utf-8", "replace")[-2000:]
    data = Path(shot).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 30_000  # text, tables and colour: a blank 1000x1600 page compresses to a few kB
