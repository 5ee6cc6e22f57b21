"""The guide and mentor panels under the game's panes (and the guide line on the round report).

Both are drawn from plain data pushed down by the game screen: the current `GuideLine` and the
mentor's advice in the `GameView`. Neither holds state or takes the focus, so no key is ever
caught by them: the guide only asks, the player's keys keep doing what they always do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.widgets import Static

from pmsim.tui import fmt
from pmsim.tui.coach import GuideLine
from pmsim.tui.service import GameView

SYMBOL = {"warn": "⚠", "tip": "ℹ"}


def advice_text(advice: Any, view: GameView | None) -> str:
    """The mentor's sentence, with segment ids (e.g. "teachers") shown by their names."""
    text = fmt.humanize(advice.text)
    if view is None:
        return text
    for seg_id, name in view.segment_names.items():
        short = name.split(" (")[0]
        text = re.sub(rf"\b{re.escape(seg_id)}\b", short, text)
    return text


def advice_lines(advice: Sequence[Any], view: GameView | None) -> Text:
    """Every piece of advice in full, one paragraph each (the end-round dialog, the explanation)."""
    t = Text()
    for i, a in enumerate(advice):
        if i:
            t.append("\n")
        t.append(f"{SYMBOL.get(a.severity, '•')} ", style="bold yellow" if a.severity == "warn" else "bold cyan")
        t.append(advice_text(a, view))
    return t


def mentor_text(advice: Sequence[Any], view: GameView | None, expanded: bool = False) -> Text:
    """The panel. Collapsed (the default): one summary line with the first piece of advice, cut to
    the width. Expanded (v): every piece of advice in full, one paragraph each."""
    t = Text(no_wrap=not expanded, overflow="ellipsis")
    warns = sum(1 for a in advice if a.severity == "warn")
    tips = len(advice) - warns
    t.append("Mentor", style="bold")
    if not advice:
        t.append(": nothing to flag in this plan.", style="dim")
        return t
    counts = []
    if warns:
        counts.append(f"⚠ {warns}")
    if tips:
        counts.append(f"ℹ {tips}")
    t.append(f" ({' '.join(counts)})", style="bold")
    t.append(" v hides" if expanded else " v reads all", style="dim")
    t.append(": ")
    shown = advice if expanded else advice[:1]
    for i, a in enumerate(shown):
        if i:
            t.append("\n")
        t.append(f"{SYMBOL.get(a.severity, '•')} ", style="bold yellow" if a.severity == "warn" else "bold cyan")
        t.append(advice_text(a, view))
    return t


def guide_text(line: GuideLine, where: str = "game") -> Text:
    t = Text()
    t.append(f"Guide {line.number}/{line.total} ", style="bold reverse")
    t.append(f" {line.step.title}: ", style="bold")
    t.append(line.step.text)
    hint = "  (> skip · G hide)" if where == "game" else ""
    t.append(hint, style="dim")
    return t


class GuidePanel(Static):
    """The tutorial's current step: what to do next (never modal)."""


class MentorPanel(Static):
    """The mentor's comments on the current plan, updated after every action."""
