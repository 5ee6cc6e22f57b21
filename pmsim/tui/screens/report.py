"""The round report: what shipped and slipped, metric changes, reactions, score, events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from pmsim.tui import fmt
from pmsim.tui.coach import GuideLine
from pmsim.tui.messages import ExplainRequested
from pmsim.tui.screens.modal import OnceModal
from pmsim.tui.service import GameView
from pmsim.tui.widgets.dashboard import METRICS
from pmsim.tui.widgets.keybar import KeyBar


def last_quarter_card(before: GameView) -> dict[str, Any]:
    """The score card the previous quarter ended on (what the briefing, the replay and the debrief
    count a quarter's change from). The live card just before the commit is not it: answering
    requests moves trust, and so the score, during the quarter."""
    reports = before.obs.get("reports") or []
    return reports[-1]["score"] if reports else before.obs["score"]


def headline(report: dict[str, Any], before: GameView, after: GameView) -> Text:
    score = float(report["score"]["score"])
    d = fmt.change(float(last_quarter_card(before)["score"]), score)  # as the two scores are printed
    t = Text()
    t.append(f"Quarter {report['round']} report", style="bold")
    t.append(f"   Score {score:.1f} ")
    t.append_text(fmt.trend(d))
    t.append(f" {fmt.signed(d)}", style="bold")
    if after.finished:
        t.append("   · the internship is over", style="bold")
    return t


def delivery_text(report: dict[str, Any], after: GameView) -> Text:
    t = Text()
    title = after.feature_title
    shipped = report["shipped"]
    t.append("Shipped  ", style="bold")
    t.append(", ".join(f"✓ {title(f)}" for f in shipped) if shipped else "nothing this quarter", style="green")
    t.append("\n")
    if report["carried_over"]:
        t.append("Slipped  ", style="bold")
        parts = []
        for f in report["carried_over"]:
            p = after.feature(f)["progress"]
            parts.append(f"✗ {title(f)} ({p:.0%} done, carries over)")
        t.append(", ".join(parts) + "\n", style="yellow")
    if report["blocked"]:
        t.append("Blocked  ", style="bold")
        t.append(", ".join(f"✗ {title(f)}" for f in report["blocked"]) + "\n", style="red")
    # the one definition of the quarter's weeks (estimate-weeks), as in the review and portfolio
    committed = report.get("committed_weeks", report["capacity"])
    delivered = report.get("delivered_weeks", report["velocity"])
    t.append(f"Delivered {delivered:.1f} of {committed:.1f} committed wk (estimates); velocity "
             f"{report['velocity']:.1f} wk.", style="dim")
    if report.get("rationale"):
        t.append(f"\nYour rationale: “{report['rationale']}”", style="italic")
    return t


def metrics_table(before: GameView, after: GameView) -> Table:
    b, a = before.obs["metrics"][-1], after.obs["metrics"][-1]
    tab = Table(box=None, padding=(0, 1), header_style="bold")
    tab.add_column("Metric")
    tab.add_column("Before", justify="right")
    tab.add_column("After", justify="right")
    tab.add_column("Change", justify="right")
    for k in METRICS:
        d = fmt.metric_change(k, float(b[k]), float(a[k]))  # adds up with the Before and After shown
        tab.add_row(fmt.METRIC_LABEL[k], fmt.metric_value(k, b[k]), fmt.metric_value(k, a[k]),
                    Text.assemble(fmt.trend(d, k not in fmt.LOWER_IS_BETTER), " ", fmt.metric_delta(k, d)))
    return tab


def people_text(report: dict[str, Any], before: GameView, after: GameView) -> Text:
    t = Text()
    for r in report["reactions"]:
        t.append(f"{fmt.MOOD_SYMBOL.get(r['mood'], '•')} {r['text']}\n")
    prev = {s["id"]: s["trust"] for s in before.obs["stakeholders"]}
    why = trust_reasons(before, after)
    for s in after.obs["stakeholders"]:
        d = s["trust"] - prev.get(s["id"], s["trust"])
        if abs(d) >= 0.005:
            t.append_text(fmt.trend(d))
            t.append(f" {s['name']} ({s['title']}): trust {100 * prev[s['id']]:.0f}% → {100 * s['trust']:.0f}%")
            if why.get(s["id"]):
                t.append(f"  ({'; '.join(why[s['id']])})", style="dim")
            t.append("\n")
    if not t.plain:
        t.append("No change in how your stakeholders see you.\n", style="dim")
    return t


WHY = {
    ("open", "ignored"): "ignored: {about}",
    ("accepted", "delivered"): "delivered {about}",
    ("deferred", "delivered"): "got {about} anyway",
    ("declined", "delivered"): "got {about} anyway",
    ("ignored", "delivered"): "got {about} anyway",
    # unanswered at the commit: ignored (a penalty), then shipped the same quarter (a smaller bonus):
    # the report said "pleased: delivered anyway" beside a fall in trust, with no reason
    ("open", "delivered"): "never answered, so ignored; got {about} anyway",
    ("accepted", "broken"): "promise broken: {about}",
}


def trust_reasons(before: GameView, after: GameView) -> dict[str, list[str]]:
    """Why each stakeholder's trust moved: their requests whose status changed this quarter."""
    was = {q["id"]: q["status"] for q in before.obs["requests"]}
    out: dict[str, list[str]] = {}
    for q in after.obs["requests"]:
        key = (was.get(q["id"], "open"), q["status"])
        if key in WHY and key[0] != key[1]:
            about = after.feature_title(q["feature"]) if q["feature"] else "their request"
            out.setdefault(q["stakeholder"], []).append(WHY[key].format(about=about))
    return out


def score_table(report: dict[str, Any], before: GameView) -> Table:
    card = report["score"]
    prev = last_quarter_card(before)["components"]
    tab = Table(box=None, padding=(0, 1), header_style="bold")
    tab.add_column("Score component")
    tab.add_column("Now", justify="right")
    tab.add_column("Change", justify="right")
    tab.add_column("Weight", justify="right")
    tab.add_column("Skill")
    for c, v in card["components"].items():
        d = fmt.change(prev.get(c, 0.0), v, 2)
        tab.add_row(fmt.COMPONENT_LABEL.get(c, c), f"{v:.2f}", Text.assemble(fmt.trend(d, eps=5e-4), f" {fmt.signed(d, 2)}"),
                    f"{100 * card['weights'][c]:.0f}%", card["skills"][c])
    return tab


def news_text(report: dict[str, Any], after: GameView) -> Text:
    t = Text()
    for n in report["news"]:
        t.append(f"• {n['text']}\n")
    if not after.finished:
        for n in after.obs["news"]:
            t.append(f"⚑ Next quarter: {n['text']}\n", style="bold")
        new_reqs = [q for q in after.obs["requests"] if q["round"] == after.round and q["status"] == "open"]
        if new_reqs:
            t.append(f"✉ {len(new_reqs)} new request(s) waiting in your inbox.\n", style="bold")
    if not t.plain:
        t.append("No news.\n", style="dim")
    return t


BOX_WIDTH = 96  # the report box's width (app.tcss #report-box), less its border, padding and scrollbar below
CHROME = 6


def body_width(screen_width: int) -> int:
    return min(screen_width, BOX_WIDTH) - CHROME


def report_body(report: dict[str, Any], before: GameView, after: GameView, width: int) -> Text:
    """The whole report below the headline, rendered once (a worker can do it)."""
    return fmt.flatten(Group(
        delivery_text(report, after), Text("\nMetrics", style="bold"), metrics_table(before, after),
        Text("\nStakeholders", style="bold"), people_text(report, before, after),
        Text("Score", style="bold"), score_table(report, before),
        Text("\nNews", style="bold"), news_text(report, after),
    ), width)


class RoundReportScreen(OnceModal[None]):
    """Shown after every round; dismissing it posts `ReportShown`."""

    BINDINGS = [
        Binding("enter,escape,space", "close", "Continue"),
        Binding("i", "explain", "Explain the score"),
        Binding("up", "scroll(-1)", "Scroll", show=False),
        Binding("down", "scroll(1)", "Scroll", show=False),
    ]

    @dataclass
    class ReportShown(Message):
        """The player has read the report of `round`."""

        round: int
        finished: bool

    def __init__(self, report: dict[str, Any], before: GameView, after: GameView,
                 body: tuple[int, Text] | None = None, guide: GuideLine | None = None) -> None:
        super().__init__()
        self.report = report
        self.before = before
        self.after = after
        self.body = body  # (width, text) when a worker rendered it already
        self.guide = guide  # the tutorial's step about the report, if the guide is on

    def compose(self) -> ComposeResult:
        r, b, a = self.report, self.before, self.after
        width = body_width(self.app.size.width)
        if self.body is None or self.body[0] != width:
            self.body = (width, report_body(r, b, a, width))
        with Vertical(id="report-box"):
            yield Static(headline(r, b, a), id="report-headline")
            if self.guide is not None:
                from pmsim.tui.widgets.coach import GuidePanel, guide_text

                yield GuidePanel(guide_text(self.guide, where="report"), id="report-guide")
            with VerticalScroll(id="report-scroll"):
                yield Static(self.body[1], id="report-body")
            yield KeyBar()

    def on_resize(self) -> None:
        width = body_width(self.app.size.width)
        if self.body is not None and self.body[0] != width:
            self.body = (width, report_body(self.report, self.before, self.after, width))
            self.query_one("#report-body", Static).update(self.body[1])

    def on_mount(self) -> None:
        self.query_one("#report-scroll").focus()

    def action_scroll(self, step: int) -> None:
        self.query_one("#report-scroll", VerticalScroll).scroll_relative(y=step, animate=False)

    def action_explain(self) -> None:
        self.app.post_message(ExplainRequested("customer_impact"))

    def action_close(self) -> None:
        if self.dismissed or not self.is_active:  # a second enter on its way: the report is read once
            return
        self.app.post_message(self.ReportShown(self.report["round"], self.after.finished))
        self.dismiss(None)
