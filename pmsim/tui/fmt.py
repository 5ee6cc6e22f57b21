"""Small text formatters shared by the screens: numbers, deltas, bars, sparklines.

Every value that a colour hints at also gets a word or a symbol here (▲▼, ✓✗, band names),
so that nothing is carried by colour alone and the high-contrast theme loses no information.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.text import Text

from pmsim.numfmt import (  # noqa: F401 - the pure formatters (shared with reports, engine)
    CURRENCY,
    MINUS,
    RATE_METRICS,
    _trim,
    compact,
    count,
    decimal,
    dollars,
    money,
    num,
    pct,
    plus,
    points,
    signed,
    value,
    weeks,
)
from pmsim.reports.studies import COMPONENT_LABEL  # noqa: F401 - the one naming of score components

SPARK = "▁▂▃▄▅▆▇█"

KANO_SHORT = {
    "must_be": "Must",
    "performance": "Perf",
    "attractive": "Attr",
    "indifferent": "Indf",
    "reverse": "Rev",
}
KANO_WORD = {
    "must_be": "must-be",
    "performance": "performance",
    "attractive": "attractive (delighter)",
    "indifferent": "indifferent",
    "reverse": "reverse",
}
METRIC_LABEL = {
    "customers": "Customers",
    "revenue": "Revenue / qtr",
    "nps": "NPS",
    "churn_rate": "Churn",
    "activation_rate": "Activation",
    "satisfaction": "Satisfaction",
    "market_share": "Market share",
}
# metrics where going down is good news
LOWER_IS_BETTER = {"churn_rate"}

MOOD_SYMBOL = {
    "delighted": "▲▲",
    "relieved": "▲",
    "pleased": "▲",
    "angry": "▼▼",
    "escalated": "⚠",
}
STATUS_SYMBOL = {
    "open": "● open",
    "accepted": "✓ accepted",
    "deferred": "↷ deferred",
    "declined": "✗ declined",
    "ignored": "… ignored",
    "delivered": "★ delivered",
    "broken": "⚠ broken",
}


def arrow(delta: float, eps: float = 1e-9) -> str:
    return "▲" if delta > eps else "▼" if delta < -eps else "="


def trend(delta: float, good_when_up: bool = True, eps: float = 1e-9) -> Text:
    """▲/▼ with a style saying whether that direction is good news (the arrow says the direction)."""
    sym = arrow(delta, eps)
    if sym == "=":
        return Text(sym, style="dim")
    good = (delta > 0) == good_when_up
    return Text(sym, style="bold green" if good else "bold red")


def lost(points_lost: float) -> str:
    """Score points lost, as the debrief and explanations print them: "−7.5", and "0.0" (never
    "−0.0") for what rounds to nothing."""
    return "0.0" if round(points_lost, 1) == 0 else f"−{points_lost:.1f}"


def bar(frac: float, width: int = 10, full: str = "█", empty: str = "░") -> str:
    frac = min(max(float(frac), 0.0), 1.0)
    n = int(round(frac * width))
    return full * n + empty * (width - n)


def spark(values: Sequence[float]) -> str:
    """A sparkline: one block per value, scaled between the series' min and max."""
    vals = [float(v) for v in values]
    if not vals:
        return ""
    lo, hi = min(vals), max(vals)
    if hi - lo < 1e-12:
        return SPARK[3] * len(vals)
    return "".join(SPARK[int(round((v - lo) / (hi - lo) * (len(SPARK) - 1)))] for v in vals)


def band_text(band: str) -> Text:
    """The OKR band as a word with a symbol, coloured: never colour alone."""
    sym = {"green": "●", "yellow": "◐", "red": "○"}.get(band, "?")
    style = {"green": "bold green", "yellow": "bold yellow", "red": "bold red"}.get(band, "")
    return Text(f"{sym} {band}", style=style)


def urgency_word(u: float) -> str:
    return "high" if u >= 0.7 else "medium" if u >= 0.4 else "low"


def trust_text(t: float, width: int = 5) -> Text:
    n = int(round(min(max(t, 0.0), 1.0) * width))
    style = "green" if t >= 0.6 else "yellow" if t >= 0.35 else "red"
    return Text.assemble(("▰" * n, style), ("▱" * (width - n), "dim"), f" {100 * t:.0f}%")


def metric_value(metric: str, v: float) -> str:
    """A metric's value in its unit: rates in %, NPS signed, revenue in money (thousands a quarter),
    customers as a count; anything else as a plain number with up to 2 decimals (0.5, 0.75, 11,000)."""
    if metric in RATE_METRICS:
        return pct(v, 1)
    if metric == "nps":
        return plus(v)
    if metric == "revenue":
        return money(v)
    if metric == "customers":
        return count(v)
    return value(v)


def change(before: float, after: float, digits: int = 1) -> float:
    """The change between two numbers printed with `digits` decimals, as those printed numbers
    give it: 39.6 → 49.3 is +9.7 (the raw 39.64 → 49.26 gave +9.6, which no reader can check)."""
    return float(f"{after:.{digits}f}") - float(f"{before:.{digits}f}")


def kano_evidence(p: float, votes: int) -> str:
    """How sure the interviews make a Kano category: "86% likely, 1 answer" (p is the posterior
    probability of the category, not a share of the answers: "86% of 1" read as nonsense)."""
    return f"{p:.0%} likely, {votes} answer{'' if votes == 1 else 's'}"


def metric_change(metric: str, before: float, after: float) -> float:
    """The change between two values of a metric as the screen shows them: each rounded as
    `metric_value` prints it first, so "13.6% → 9.0%" comes with −4.6pp, not the −4.7pp of the raw
    values (revenue, printed in varying units, keeps its raw change)."""
    if metric in RATE_METRICS:  # printed in percent with one decimal, read back as a share
        return float(f"{100 * after:.1f}") / 100 - float(f"{100 * before:.1f}") / 100
    if metric in ("nps", "customers"):
        return change(before, after, 0)
    if metric == "revenue":
        return after - before
    return change(before, after, 2)


def metric_delta(metric: str, d: float) -> str:
    if metric in RATE_METRICS:
        return signed(100 * d, 1, "pp")
    if metric == "revenue":
        return ("+" if d > 0 else "") + money(d) if round(d, 1) else "±0"
    if metric in ("nps", "customers"):
        return signed(d, 0)
    return signed(d, 2)


def scenario_name(title: str, scenario_id: str) -> Text:
    """The one way a scenario is named on screen: its short title, then its id in grey."""
    t = Text(short_title(title), style="bold")
    if scenario_id and scenario_id.lower() != short_title(title).lower():
        t.append(f" {scenario_id}", style="dim")
    return t


# One capacity rule, used by the capacity bar, the commit dialog, the briefing, the guide and `i`.
# The upper bound is the mentor's (pmsim.engine.mentor.BUFFER; a test keeps them equal).
CAPACITY_LOW = 0.7
CAPACITY_HIGH = 0.9
CAPACITY_SHORT = "Plan 70–90% of it in Now: under 70% idles the team, over 90% leaves no room for overruns."
CAPACITY_RULE = ("Aim for 70–90% of capacity in Now: under 70% leaves the team idle; over 90% leaves no room "
                 "for estimates running over, and what does not fit slips (a broken promise if you accepted it).")


def capacity_word(share: float) -> tuple[str, str]:
    """(words, style) for a plan using `share` of capacity, by the one rule above."""
    if share > 1.0 + 1e-9:
        return "✗ over capacity: the engine refuses it", "bold red"
    if share > CAPACITY_HIGH:
        return f"⚠ {share:.0%}: over 90%, a slip will break promises", "bold yellow"
    if share >= CAPACITY_LOW:
        return f"✓ {share:.0%}: in the 70–90% range", "green"
    return f"room for more ({share:.0%}; aim for 70–90%)", "dim"


_SCI = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?[eE][-+]?\d+\b")


def humanize(text: str) -> str:
    """Text from the engine with any scientific-notation number (1.1e+04) written out (11,000)."""
    return _SCI.sub(lambda m: value(float(m.group(0))), text)


def short_title(title: str) -> str:
    """'Beacon: a project tracker...' -> 'Beacon'."""
    return title.split(":")[0].strip() or title


def clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[: max(n - 1, 0)] + "…"


HONORIFICS = {"mr.", "mrs.", "ms.", "miss", "mx.", "dr.", "prof."}


def first_name(name: str) -> str:
    """'Mr. Anthony Robbins' -> 'Anthony' (Faker names may start with a title)."""
    parts = name.split()
    while len(parts) > 1 and parts[0].lower() in HONORIFICS:
        parts = parts[1:]
    return parts[0] if parts else name


def flatten(renderable: object, width: int) -> Text:
    """Render rich tables and groups once, at `width`, into one Text that is cheap to draw.

    A Static holding Rich tables re-renders them for every layout pass; a flattened Text does not.
    Pure Python, so it can run in a worker thread.
    """
    from rich.console import Console

    console = Console(width=max(width, 20), color_system="truecolor", force_terminal=True, legacy_windows=False)
    out = Text(no_wrap=True, overflow="crop", end="")
    lines = console.render_lines(renderable, console.options.update_width(max(width, 20)), pad=False)  # type: ignore[arg-type]
    for i, line in enumerate(lines):
        if i:
            out.append("\n")
        for seg in line:
            if not seg.control:
                out.append(seg.text, seg.style)
    return out
