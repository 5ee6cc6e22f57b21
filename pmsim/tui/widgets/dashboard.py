"""The Dashboard pane: metrics with their uncertainty and sparklines, OKRs, news, segments."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from pmsim.tui import fmt
from pmsim.tui.service import GameView
from pmsim.tui.widgets.base import ViewPane

METRICS = ("customers", "revenue", "nps", "churn_rate", "activation_rate", "satisfaction", "market_share")


def score_line(view: GameView) -> Text:
    t = Text()
    score = view.score
    reports = view.obs["reports"]
    t.append(f"Score {score:.1f}", style="bold")
    t.append(" / 100  ")
    if reports:
        # last quarter's change, as the round report printed it (not the live score's drift since)
        prev = reports[-2]["score"]["score"] if len(reports) > 1 else 0.0
        d = fmt.change(prev, reports[-1]["score"]["score"])
        t.append_text(fmt.trend(d))
        t.append(f" {fmt.signed(d)} last quarter   ")
    t.append(f"Quarter {min(view.round, view.rounds)} of {view.rounds}", style="dim")
    if view.finished:
        t.append(" · game over", style="bold")
    return t


def metrics_table(view: GameView) -> Table:
    ms = view.obs["metrics"]
    cur, prev = ms[-1], ms[-2] if len(ms) > 1 else None
    tab = Table(box=None, padding=(0, 1), expand=False, title_justify="left", header_style="bold")
    tab.add_column("Metric")
    tab.add_column("Now", justify="right")
    tab.add_column("± 95%", justify="right")
    tab.add_column("vs last Q", justify="right")
    tab.add_column("Q0→now")
    for key in METRICS:
        v = float(cur[key])
        se = cur.get(f"{key}_se")  # the engine's standard error of an estimate; none: exact
        ci = "" if se is None else (f"±{1.96 * se:.0f}" if key == "nps" else f"±{196 * se:.1f}pp")
        if prev is not None:
            d = fmt.metric_change(key, float(prev[key]), v)  # as the two values are shown
            delta = Text.assemble(fmt.trend(d, key not in fmt.LOWER_IS_BETTER), " ", fmt.metric_delta(key, d))
        else:
            delta = Text("—", style="dim")
        tab.add_row(fmt.METRIC_LABEL[key], fmt.metric_value(key, v), ci, delta,
                    Text(fmt.spark([float(m[key]) for m in ms]), style="cyan"))
    return tab


def segments_table(view: GameView) -> Table:
    cur = view.obs["metrics"][-1]
    tab = Table(box=None, padding=(0, 1), header_style="bold")
    for col, just in (("Segment", "left"), ("Customers", "right"), ("NPS", "right"), ("Churn", "right"),
                      ("Activation", "right"), ("Share", "right")):
        tab.add_column(col, justify=just)  # type: ignore[arg-type]
    for s in cur["segments"]:
        tab.add_row(Text(fmt.clip(view.segment_name(s["id"]), 24)), fmt.num(s["customers"]),
                    f"{fmt.plus(s['nps'])}±{1.96 * s['nps_se']:.0f}", fmt.pct(s["churn_rate"], 1),
                    fmt.pct(s["activation_rate"], 1),
                    f"{100 * s['market_share']:.0f}%±{196 * s['market_share_se']:.0f}")
    return tab


def okr_lines(view: GameView) -> Text:
    t = Text()
    prev = {o["id"]: o["grade"] for o in view.okr_prev}
    for o in view.obs["okrs"]:
        t.append("  ")
        t.append_text(fmt.band_text(o["band"]))
        t.append(f" {o['grade']:.2f} ")
        t.append(fmt.bar(o["grade"], 10), style={"green": "green", "yellow": "yellow"}.get(o["band"], "red"))
        if o["id"] in prev:
            t.append(" ")
            t.append_text(fmt.trend(o["grade"] - prev[o["id"]], eps=5e-4))
        t.append(f" {fmt.clip(o['objective'], 50)}\n")
    t.rstrip()
    return t


def news_lines(view: GameView) -> Text:
    t = Text()
    items = list(view.obs["news"])
    for n in items:
        sym = "⚠" if n["kind"] in ("escalation", "outage", "budget_cut") else "•"
        t.append(f"  {sym} {n['text']}\n")
    if not items:
        t.append("  Quiet quarter: no news yet.\n", style="dim")
    known = view.obs["beliefs"]["known_moves"]
    comps = view.obs.get("_competitor_names", {})
    for mv in known:
        if mv["round"] >= view.round:
            t.append(f"  ⚠ Intel: {comps.get(mv['competitor'], mv['competitor'])} plans a move in Q{mv['round']}: "
                     f"{mv['note'] or mv['theme']}\n", style="yellow")
    t.rstrip()
    return t


def rivals_lines(view: GameView) -> Text:
    """A shared market's rival companies, as the market sees them: share (to the nearest
    percent), what they launched (latest first) and their list price; never their plans."""
    from pmsim.textsafe import name

    t = Text()
    prices = None
    for r in view.obs.get("rivals", []):
        launched = sorted(r["launched"], key=lambda x: -x["round"])
        t.append(f"  {fmt.clip(name(r['company']), 18)}", style="bold")
        t.append(f"  ~{100 * r['share_estimate']:.0f}% share · {len(launched)} launched")
        if launched:
            t.append(": " + ", ".join(f"{fmt.clip(x['title'], 22)} (Q{x['round']})" for x in launched[:2]), style="dim")
            if len(launched) > 2:
                t.append(f" +{len(launched) - 2}", style="dim")
        t.append("\n")
        prices = prices or r["prices"]
    if prices:
        t.append("  List prices: " + ", ".join(f"{view.segment_name(k)} {fmt.money(v)}" for k, v in prices.items()),
                 style="dim")
    t.rstrip()
    return t


def share_rows(view: GameView) -> list[tuple[str, bool, list[float]]]:
    """(company, is it you, share at the end of each quarter from Q0) for the share chart: yours
    as your metrics estimate it (the Market share row), each rival's to the nearest percent."""
    own = [float(m["market_share"]) for m in view.obs["metrics"]]
    rows = [(str(view.obs.get("company") or "You"), True, own)]
    return rows + [(r["company"], False, [float(x) for x in r["shares"]]) for r in view.obs.get("rival_shares", [])]


def share_chart(view: GameView) -> Text:
    """Every company's market share over the quarters: a heading with the quarters and the
    scale, then one row of blocks per company, all on one scale (the lowest to the highest share
    in the chart, like the metrics' sparklines but shared), so that rows compare."""
    from pmsim.textsafe import name

    rows = share_rows(view)
    values = [x for _, _, shares in rows for x in shares]
    lo, hi = min(values, default=0.0), max(values, default=0.0)
    quarters = max((len(shares) for _, _, shares in rows), default=1) - 1
    span = f"Q0–Q{quarters}" if quarters else "Q0 so far"
    t = Text()
    t.append(f"\nMarket share by quarter ({span}; one scale: {100 * lo:.1f}%–{100 * hi:.1f}%)\n", style="bold")
    steps = len(fmt.SPARK) - 1
    for company, you, shares in rows:
        label = fmt.clip(name(company), 15) + (" (you)" if you else "")
        t.append(f"  {label:<21} ", style="bold" if you else "")
        t.append("".join(fmt.SPARK[int(round((x - lo) / (hi - lo) * steps)) if hi - lo > 1e-12 else 3]
                         for x in shares), style="cyan" if you else "magenta")
        last = shares[-1] if shares else 0.0
        t.append(f" {100 * last:.1f}%\n" if you else f" ~{100 * last:.0f}%\n")
    t.rstrip()
    return t


class DashboardBody(Static):
    """The whole dashboard as one rich renderable (cheap to redraw)."""


class DashboardPane(ViewPane):
    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dashboard-scroll"):
            yield DashboardBody(id="dashboard-body")

    def focus_main(self) -> None:
        self.focus_now(self.query_one("#dashboard-scroll"))

    def explain_topic(self) -> tuple[str, str | None]:
        return "customers", None  # the first metric; ← → browse the others

    def show(self, view: GameView) -> None:
        heading = Text("\nSegments", style="bold")
        okr = Text("\nOKRs (objective grade, band, change)", style="bold")
        news = Text("\nNews this quarter", style="bold")
        # OKRs and news above the fold at 80×24; the segments (scroll) below
        parts: list = [score_line(view), metrics_table(view), okr, okr_lines(view), news, news_lines(view)]
        if view.obs.get("rivals"):  # a company of a shared market: the other companies
            parts += [Text("\nRival companies (what the market sees)", style="bold"), rivals_lines(view)]
            parts.append(share_chart(view))
        self.query_one(DashboardBody).update(Group(*parts, heading, segments_table(view)))
