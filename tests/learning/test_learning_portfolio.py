"""The portfolio case study, in Markdown and as one self-contained HTML page: the product and market,
the research and what it found, the decisions of every quarter with the player's rationale, outcomes
with charts, OKR results and lessons; it says the data is simulated and escapes whatever the save says."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from learning_helpers import EVIL, SAVES, play_with_rationale, small_text

from pmsim.engine import new_game
from pmsim.reports.portfolio import SIMULATED, md, portfolio_html, portfolio_md
from pmsim.reports.review import internship_review
from pmsim.scenario.loader import load_scenario_text


class Page(HTMLParser):
    """Tags, SVG charts (their ids and the marks inside them) and any script or external resource."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.svg: str | None = None
        self.charts: dict[str, dict[str, int]] = {}
        self.external: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "svg":
            self.svg = a.get("id")
            self.charts[self.svg or "?"] = {}
        elif self.svg is not None:
            key = f"{tag}.{a.get('class') or ''}"
            self.charts[self.svg][key] = self.charts[self.svg].get(key, 0) + 1
        for k, v in attrs:
            if k.startswith("on") or (k in ("src", "href") and v and not v.startswith("#")):
                self.external.append(f"{tag} {k}={v}")

    def handle_endtag(self, tag):
        if tag == "svg":
            self.svg = None

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Page:
    p = Page()
    p.feed(page)
    p.close()
    return p


@pytest.mark.parametrize("name", [p.name for p in SAVES])
def test_portfolio_of_each_sample_save(samples, name):
    rec, game = samples[name]
    sc, st = game.scenario, game.state
    text_md = portfolio_md(game, rec.player)
    page = portfolio_html(game, rec.player)
    p = parse(page)
    visible = html.unescape("".join(p.text))
    for out in (text_md, visible):
        assert SIMULATED in out
        assert "Research: what I did and what it found" in out and "Decisions, quarter by quarter" in out
        assert "OKR results" in out and "Lessons" in out
        for lesson in sc.meta.lessons:
            assert " ".join(lesson.split()) in out
        for r in range(1, st.round + (0 if not st.finished else 1)):
            if r <= len(st.ledger):
                assert f"Q{r}" in out
    # revenue in money, as the game's screens show it ($7.95M; it printed a bare 7,954)
    from pmsim.numfmt import money
    assert f"{money(st.metrics[0]['revenue'])} → {money(st.metrics[-1]['revenue'])}" in text_md
    assert f"revenue {money(st.metrics[1]['revenue'])}" in visible  # Q1's outcome
    # the product and market, in the scenario's own words
    assert md(sc.meta.title) in text_md and sc.meta.title in visible
    for seg in sc.market.segments:
        assert seg.name in visible
    for c in sc.market.competitors:
        assert c.name in visible
    # research with sample sizes, confidence intervals and interview quotes
    surveys = [x for x in st.research_results if x["method"] == "survey"]
    if surveys:
        assert f"n = {surveys[0]['n']:,}" in visible and "pp)" in visible
    interviews = [x for x in st.research_results if x["method"] == "interviews"]
    if interviews:
        assert "In customers' words" in text_md
        assert any(q["text"] in visible for x in interviews for q in x["quotes"])
    # OKRs with band words, never colour alone
    for o in game.debrief()["okrs"]:
        assert o["objective"] in visible
    assert any(w in visible for w in ("green: on track", "yellow: partly there", "red: missed"))
    # the review's verdict
    rv = internship_review(game, rec.player)
    assert rv["rating"]["label"] in visible and rv["rating"]["label"] in text_md
    # charts: one page, inline SVG, no scripts, nothing fetched from elsewhere
    for chart in ("customers-chart", "revenue-chart", "delivery-chart", "components-chart", "okr-chart"):
        assert chart in p.charts, (chart, list(p.charts))
    assert p.charts["customers-chart"]["path.line"] == 1
    assert p.charts["customers-chart"]["circle.pt"] == len(st.metrics)
    assert p.charts["delivery-chart"]["rect.bar"] == 2 * len(st.ledger)
    assert p.charts["components-chart"]["rect.bar"] == 7
    assert p.charts["okr-chart"]["rect.bar"] == len(sc.okrs)
    assert "script" not in p.tags and not p.external, p.external
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    # deterministic
    assert portfolio_html(game, rec.player) == page and portfolio_md(game, rec.player) == text_md


def test_text_from_the_save_cannot_inject_html():
    game = new_game(load_scenario_text(small_text()), 5)
    player = '<img src=x onerror="alert(2)"> Ada & "Bob"'
    play_with_rationale(game, {1: EVIL, 2: "fine </li></ul><script>x()</script>"}, f"no {EVIL}", rounds=2)
    page = portfolio_html(game, player)
    p = parse(page)
    assert "script" not in p.tags and "img" not in p.tags and not p.external
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt; Ada &amp; &quot;Bob&quot;" in page
    visible = html.unescape("".join(p.text))
    assert EVIL in visible and "fine </li></ul><script>x()</script>" in visible  # shown as text, as written
    text_md = portfolio_md(game, player)
    assert EVIL not in text_md and not re.search(r"(?<!\\)<", text_md)  # every < from the save is escaped
    assert r"\<script\>alert(1)\</script\>" in text_md


def test_markdown_escaping():
    assert md("a|b *c* _d_ [l](u) `code`") == r"a\|b \*c\* \_d\_ \[l\](u) \`code\`"
    assert md("# not a heading") == r"\# not a heading"
    assert md("1. not a list") == r"1\. not a list"
    assert md("two\nlines") == "two lines"
    assert md("Small teams (self-serve) & more") == "Small teams (self-serve) & more"


def test_an_unfinished_game_says_so():
    game = new_game(load_scenario_text(small_text()), 2)
    play_with_rationale(game, {1: "first"}, "not now", rounds=2)
    text_md = portfolio_md(game, "Ada")
    assert "the game is still in progress" in text_md and "### Q2" in text_md and "### Q3" not in text_md
