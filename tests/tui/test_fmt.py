"""One formatting module for what the screen shows: money, weeks, counts, OKR values; one capacity
rule everywhere; no general-format (`:g`, `:.4g`) numbers reach the screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pmsim.tui import fmt

PMSIM = Path(__file__).resolve().parents[2] / "pmsim"
TUI = PMSIM / "tui"
# everything a player reads: the screens, the reports and portfolio, and the texts the engine writes
PLAYER_FACING = [*sorted(TUI.rglob("*.py")), *sorted((PMSIM / "reports").rglob("*.py")),
                 *(PMSIM / "engine" / n for n in ("mentor.py", "review.py", "research.py", "summary.py"))]


def test_no_general_float_formats_reach_a_player():
    """`:g` and `:.4g` print 1.1e+04 for eleven thousand; every number goes through pmsim.numfmt."""
    pattern = re.compile(r"\{[^{}]*:[^{}]*[gG]\}")
    hits = [f"{p.relative_to(PMSIM)}:{i}: {line.strip()}" for p in PLAYER_FACING
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not hits, hits


def test_the_tui_reports_and_mentor_share_one_number_format():
    from pmsim import numfmt
    from pmsim.engine.mentor import _metric

    assert fmt.money is numfmt.money and fmt.count is numfmt.count and fmt.pct is numfmt.pct
    assert _metric("customers", 11000) == numfmt.value(11000) == "11,000"
    assert _metric("activation_rate", 0.7) == numfmt.pct(0.7) == "70%"


@pytest.mark.parametrize(("k", "shown"), [(7.5, "$7.5k"), (30, "$30k"), (22.5, "$22.5k"), (0, "$0k"),
                                          (8025.3, "$8.03M"), (-3, "−$3k")])
def test_money_is_the_same_everywhere(k, shown):
    assert fmt.money(k) == shown


def test_units_counts_and_okr_values():
    assert fmt.weeks(13.5) == "13.5 wk" and fmt.weeks(10) == "10 wk"
    assert fmt.count(11000) == "11,000" and fmt.count(1.1e4) == "11,000"
    assert fmt.decimal(1.25, 2) == "1.25" and fmt.decimal(1.0, 2) == "1"
    assert fmt.points(12.34) == "12.3 pts"
    # an OKR on a plain ratio: 0.50 → 0.75, never "0 → 1"
    assert (fmt.metric_value("accessibility", 0.5), fmt.metric_value("accessibility", 0.75)) == ("0.5", "0.75")
    assert fmt.metric_value("customers", 11000) == "11,000"
    assert fmt.metric_value("revenue", 210.3) == "$210.3k"
    assert fmt.metric_value("activation_rate", 0.7) == "70.0%"
    assert fmt.humanize("at 1.1e+04 against a target of 1.2e+04.") == "at 11,000 against a target of 12,000."


def test_one_capacity_rule():
    from pmsim.engine.mentor import BUFFER
    from pmsim.tui.explain import TOPICS
    from pmsim.tui.tutorial import STEPS

    assert fmt.CAPACITY_HIGH == BUFFER, "the bar and the mentor warn at the same share"
    word, _ = fmt.capacity_word(0.86)
    assert "70–90%" in word and "break promises" not in word, "an 86% plan is what the guide asks for"
    assert "break promises" in fmt.capacity_word(0.93)[0]
    assert "room for more" in fmt.capacity_word(0.5)[0]
    capacity = next(t for t in TOPICS if t.id == "capacity")
    assert fmt.CAPACITY_RULE in capacity.how
    assert "70–90%" in next(s for s in STEPS if s.id == "capacity").text


def test_help_lists_one_thing_per_line():
    """n (New game) and s (Scenarios) share an action but not a meaning: two lines, not "n / s"."""
    import io

    from rich.console import Console

    from pmsim.tui.screens.help import section
    from pmsim.tui.screens.title import TitleScreen

    out = io.StringIO()
    Console(file=out, width=80).print(section("Title", list(TitleScreen.BINDINGS)))
    text = out.getvalue()
    assert "n / s" not in text
    assert re.search(r"(?m)^\s*n\s+New game", text) and re.search(r"(?m)^\s*s\s+Scenarios", text)


def test_i_on_plan_explains_next_and_later():
    from pmsim.tui.explain import TOPICS

    plan = next(t for t in TOPICS if t.id == "plan")
    assert "does not build" in plan.what and "briefing offers your Next items for Now" in plan.what
