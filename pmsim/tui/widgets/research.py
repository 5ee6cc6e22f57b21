"""The Research pane: studies on offer (cost, sample size), results with confidence intervals,
and what customers said, in their own words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pmsim.engine.research import expected_yield
from pmsim.engine.text import byline
from pmsim.reports.studies import METHOD_INFO
from pmsim.tui import fmt
from pmsim.tui.service import GameView, StudyOption
from pmsim.tui.widgets.base import ViewPane
from pmsim.tui.widgets.table import Column, GameTable


def precision(opt: StudyOption) -> str:
    """The Yields column: what the study will tell (research.expected_yield)."""
    a = opt.action
    got = expected_yield(a)
    if a.method == "survey":  # the worst case: results state the margin their own answers give
        return f"≤±{got['margin_pp']:.1f}pp"
    if a.method == "interviews":
        return "Kano+quotes"
    if a.method == "usability_test":
        return f"~{got['found_share']:.0%} found"
    if a.method == "ab_test":
        return f"±{got['margin_pp']:.1f}pp"
    return ""


class ResearchResults(Static):
    """Everything research has told you so far, newest first."""


def empty_reason(method: str, view: GameView) -> str:
    """Why a method has nothing on offer now, and when it will."""
    if method == "ab_test":
        if not any(f["status"] == "shipped" for f in view.obs["features"]):
            return ("nothing has shipped yet, and an A/B test measures a shipped feature: offers appear "
                    "in the quarter after your first feature ships.")
        return "Nothing shipped can be A/B tested this quarter."
    if method in ("usability_test", "spike"):
        return "Every backlog item has shipped: there is nothing left to test or estimate."
    return "Nothing on offer for this method this quarter."


def same_study(a: Any, r: dict[str, Any]) -> bool:
    """Whether research result `r` came from the same study as action `a` (method, target, size)."""
    return (r.get("method") == a.method and r.get("segment") == a.segment and r.get("feature") == a.feature
            and r.get("competitor") == a.competitor and int(r.get("n") or 0) == int(a.n))


class ResearchPane(ViewPane):
    """Methods on the left (m cycles them), the studies on offer below, results on the right.

    Buying takes two presses of enter: the first shows a one-line confirmation with the cost and
    the budget left after it; esc cancels. Every handler here is idempotent: the method shown is
    always the one highlighted in the method list, and no handler posts the event it handles.
    """

    BINDINGS = [
        Binding("m", "next_method", "Next method"),
        Binding("b", "buy", "Buy study"),
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    @dataclass
    class StudyChosen(Message):
        action: Any

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.method = "survey"
        self.pending: tuple[str, int, str] | None = None  # (method, row, target) awaiting enter
        self._cursor_for: tuple[int, str] | None = None  # (round, method) the cursor was placed for
        self.fills = 0  # how many times the offers were redrawn (tests check the pane settles)

    def compose(self) -> ComposeResult:
        with Horizontal(id="research-top"):
            methods = OptionList(*[Option(f"{name}", id=m) for m, (name, _) in METHOD_INFO.items()],
                                 id="methods")
            methods.border_title = "Methods (m)"
            yield methods
            with Vertical(id="offers"):
                yield Static(id="method-what")
                table = GameTable(id="studies")
                table.border_title = "On offer (enter buys)"
                yield table
                yield Static(id="buy-line")
        with VerticalScroll(id="research-right"):
            yield ResearchResults(id="research-results")

    @property
    def table(self) -> GameTable:
        return self.query_one("#studies", GameTable)

    @property
    def methods(self) -> OptionList:
        return self.query_one("#methods", OptionList)

    def focus_main(self) -> None:
        self.focus_now(self.table)

    def explain_topic(self) -> tuple[str, str | None]:
        return self.method, None  # the method highlighted on the left

    def show(self, view: GameView) -> None:
        self.pending = None
        methods = self.methods
        idx = list(METHOD_INFO).index(self.method)
        if methods.highlighted != idx:
            with methods.prevent(OptionList.OptionHighlighted):
                methods.highlighted = idx
        self._fill_options(view)
        self.query_one(ResearchResults).update(results_text(view))

    def offers(self) -> list[StudyOption]:
        return [] if self.view is None else self.view.studies.get(self.method, [])

    def _fill_options(self, view: GameView) -> None:
        self.fills += 1
        table = self.table
        table.set_columns([Column("target", "Target", flex=True), Column("size", "Size"),
                           Column("cost", "Cost", "right"), Column("precision", "Yields")])
        rows = []
        for i, opt in enumerate(view.studies.get(self.method, [])):
            style = "" if opt.why_not is None else "dim"
            mark = "✓ " if opt.why_not is None else "✗ "
            rows.append((str(i), [Text(mark + opt.target.split(" (")[0], style=style), Text(opt.size, style=style),
                                  Text(opt.cost_text, style=style), Text(precision(opt), style=style)]))
        # the cursor starts on the first row for every method and every quarter
        where = (view.round, self.method)
        keep = table.current_key if self._cursor_for == where else None
        self._cursor_for = where
        table.set_rows(rows, keep=keep)
        if keep is None and rows:
            table.move_to(rows[0][0])
        name, what = METHOD_INFO[self.method]
        budget = view.obs["budget"]
        cap = view.obs["capacity"]
        table.border_subtitle = f"{fmt.money(budget['left'])} · {fmt.weeks(cap['left'])} left"
        line = what if rows else empty_reason(self.method, view)
        self.query_one("#method-what", Static).update(Text(f"{name}: {line}", style="dim" if rows else "yellow"))
        self._show_pending()

    def _sync_method(self) -> None:
        """Make the offers show the method highlighted in the list (a no-op when they already do)."""
        methods = self.methods
        if methods.highlighted is None:
            return
        mid = methods.get_option_at_index(methods.highlighted).id
        if mid and mid != self.method:
            self.method = mid
            self.pending = None
            if self.view is not None:
                self._fill_options(self.view)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._sync_method()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._sync_method()
        self.table.focus()

    def on_game_table_row_highlighted(self, event: GameTable.RowHighlighted) -> None:
        event.stop()
        if self.pending is not None and self.pending[1] != self.table.cursor_row:
            self.pending = None
            self._show_pending()

    def on_game_table_row_selected(self, event: GameTable.RowSelected) -> None:
        event.stop()
        self.action_buy()

    def action_next_method(self) -> None:
        methods = self.methods
        n = len(METHOD_INFO)
        current = list(METHOD_INFO).index(self.method) if methods.highlighted is None else methods.highlighted
        methods.highlighted = (current + 1) % n  # its OptionHighlighted event finds nothing left to do
        self._sync_method()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return self.pending is not None  # otherwise esc goes on to the screen (the title)
        return True

    def action_cancel(self) -> None:
        self.pending = None
        self._show_pending()

    def action_buy(self) -> None:
        if self.view is None:
            return
        opts = self.offers()
        table = self.table
        if not opts or table.row_count == 0:
            self.notify(empty_reason(self.method, self.view), severity="warning")
            return
        row = table.cursor_row
        opt = opts[row]
        if opt.why_not is not None:
            self.pending = None
            self._show_pending()
            self.notify(f"Can't buy: {opt.why_not}", severity="warning")
            return
        if self.pending == (self.method, row, opt.target):
            self.pending = None
            self._show_pending()
            self.post_message(self.StudyChosen(opt.action))
            return
        self.pending = (self.method, row, opt.target)
        self._show_pending()

    def repeats(self, opt: StudyOption) -> bool:
        """Whether the same study was already run this quarter."""
        if self.view is None:
            return False
        return any(r["round"] == self.view.round and same_study(opt.action, r) for r in self.view.obs["research"])

    def _show_pending(self) -> None:
        line = self.query_one("#buy-line", Static)
        if self.pending is None or self.view is None:
            line.display = False
            return
        opt = self.offers()[self.pending[1]]
        line.update(confirm_text(opt, self.view, self.repeats(opt)))
        line.display = True


def confirm_text(opt: StudyOption, view: GameView, repeat: bool) -> Text:
    """The one-line question before a purchase: what, for how much, what is left after it."""
    name = METHOD_INFO[opt.action.method][0]
    t = Text()
    if repeat:
        t.append("Already run this quarter: a repeat will find little new. ", style="bold yellow")
    t.append(f"Buy {name} · {opt.target.split(' (')[0]} · {opt.size} for ", style="bold")
    if opt.weeks:
        left = view.obs["capacity"]["left"] - opt.weeks
        t.append(f"{fmt.weeks(opt.weeks)}", style="bold")
        t.append(f" ({fmt.weeks(left)} of capacity left)? ")
    else:
        left = view.obs["budget"]["left"] - opt.money
        t.append(f"{fmt.money(opt.money)}", style="bold")
        t.append(f" ({fmt.money(left)} budget left)? ")
    t.append("enter", style="bold reverse")
    t.append(" buys · ")
    t.append("esc", style="bold reverse")
    t.append(" cancels")
    return t


def _needs_lines(t: Text, needs: dict[str, Any], names: dict[str, str]) -> None:
    top = sorted(needs.items(), key=lambda kv: -kv[1]["estimate"])
    for theme, v in top:
        t.append(f"  {fmt.clip(names.get(theme, theme), 18):<18} {v['estimate']:>4.0%} ±{v['ci95']:.0%} ")
        t.append(fmt.bar(v["estimate"] / max(top[0][1]["estimate"], 1e-9), 8, "▇", " ") + "\n", style="cyan")


def result_text(r: dict[str, Any], view: GameView) -> Text:
    names = view.obs.get("_theme_names", {})
    t = Text()
    name = METHOD_INFO.get(r["method"], (r["method"], ""))[0]
    cost = fmt.weeks(r["weeks"]) if r.get("weeks") else fmt.money(r["cost"])
    t.append(f"Q{r['round']} · {name} · {cost}\n", style="bold")
    t.append(f"{view.research_summary(r)}\n")
    m = r["method"]
    if m == "survey":
        t.append(f"  needs in {view.segment_name(r['segment'])} (share of what matters, 95% CI):\n", style="dim")
        _needs_lines(t, r["needs"], names)
        if r.get("nps") is not None:
            t.append(f"  NPS among {r['customers_responding']} of our customers: {fmt.plus(r['nps'])} ± "
                     f"{1.96 * r['nps_se']:.0f}\n")
    elif m == "interviews":
        for q in r["quotes"]:
            t.append(f"  “{q['text']}”\n", style="italic")
            who = "customer" if q["is_customer"] else "not a customer"
            t.append(f"    — {byline(q)} ({who})\n", style="dim")
        t.append("  Their answers were added to the Kano column on the Roadmap.\n", style="dim")
    elif m == "usability_test":
        f = r["found"]
        t.append(f"  found {f['usability']} usability, {f['accessibility']} accessibility problems"
                 f" (a test this size finds ~{r['discovery_share']:.0%})\n")
    elif m == "ab_test":
        t.append(f"  activation lift {r['lift_pp']:+.1f} pp, 95% CI ±{r['ci95_pp']:.1f} pp\n")
    elif m == "competitive_analysis":
        comps = view.obs.get("_competitor_names", {})
        for cid, strengths in r["strengths"].items():
            best = sorted(strengths.items(), key=lambda kv: -kv[1])[:3]
            t.append(f"  {comps.get(cid, cid)} strongest in " +
                     ", ".join(f"{names.get(k, k)} {v:.0%}" for k, v in best) + "\n")
        for mv in r["moves"]:
            t.append(f"  ⚠ Q{mv['round']}: {mv['note'] or mv['theme']}\n", style="yellow")
        for rc in r.get("rival_companies", []):  # a shared market: what the market sees of each
            shipped = ", ".join(f"{x['title']} (Q{x['round']})" for x in rc["launched"][-3:]) or "nothing yet"
            t.append(f"  {rc['company']}: {rc['share_estimate']:.0%} share; launched {shipped}\n")
    elif m == "spike":  # the summary gave the new estimate: say whether a plan needed it
        if r.get("informative", True):
            t.append("  a plan this or next quarter hinges on its size: the spike can change it\n", style="dim")
        else:
            t.append("  no plan this or next quarter hinges on its size: its weeks count as research that "
                     "told nothing new\n", style="yellow")
    return t


def results_text(view: GameView) -> Text:
    t = Text()
    results = list(reversed(view.obs["research"]))
    if not results:
        t.append("No research yet this game.\n", style="bold")
        t.append("Pick a method on the left and a study below it; enter buys it. Surveys show what each "
                 "segment needs, interviews reveal Kano categories, spikes tighten estimates.\n\n", style="dim")
    for r in results:
        t.append_text(result_text(r, view))
        t.append("\n")
    fb = view.obs["feedback"]
    if fb:
        t.append(f"Support tickets this quarter ({len(fb)})\n", style="bold")
        for x in fb:
            t.append(f"  “{x['text']}”\n", style="italic")
            t.append(f"    — {byline(x, job=False)} ({view.segment_name(x['segment'])}, "
                     f"satisfaction {x['satisfaction']:.0%})\n", style="dim")
        t.append("\n")
    personas = view.obs["personas"]
    if personas:
        t.append("Customers you know\n", style="bold")
        for p in personas:
            t.append(f"  {byline(p)} ({view.segment_name(p['segment'])}): "
                     f"cares about {' and '.join(p['cares_about'])}; uses {p['uses']}\n")
    return t
