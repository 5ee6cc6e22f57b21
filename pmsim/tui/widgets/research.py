"""The Research pane: studies on offer (cost, sample size), results with confidence intervals,
and what customers said, in their own words."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pmsim.tui import fmt
from pmsim.tui.service import METHOD_INFO, GameView, StudyOption
from pmsim.tui.widgets.base import ViewPane
from pmsim.tui.widgets.table import Column, GameTable


def precision(opt: StudyOption) -> str:
    a = opt.action
    if a.method == "survey":
        return f"±{196 * math.sqrt(0.25 / a.n):.1f}pp"
    if a.method == "interviews":
        return "Kano+quotes"
    if a.method == "usability_test":
        return f"~{1 - 0.69 ** a.n:.0%} found"
    if a.method == "ab_test":
        return f"±{196 * math.sqrt(0.5 / a.n):.1f}pp"
    return ""


class ResearchResults(Static):
    """Everything research has told you so far, newest first."""


class ResearchPane(ViewPane):
    BINDINGS = [
        Binding("m", "next_method", "Next method"),
        Binding("b", "buy", "Buy study"),
    ]

    @dataclass
    class StudyChosen(Message):
        action: Any

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.method = "survey"

    def compose(self) -> ComposeResult:
        with Vertical(id="research-left"):
            methods = OptionList(*[Option(f"{name}", id=m) for m, (name, _) in METHOD_INFO.items()],
                                 id="methods")
            methods.border_title = "Methods (m)"
            yield methods
            table = GameTable(id="studies")
            table.border_title = "On offer (enter buys)"
            yield table
        with VerticalScroll(id="research-right"):
            yield ResearchResults(id="research-results")

    @property
    def table(self) -> GameTable:
        return self.query_one("#studies", GameTable)

    def focus_main(self) -> None:
        self.table.focus()

    def explain_topic(self) -> tuple[str, str | None]:
        return self.method, None  # the method highlighted on the left

    def show(self, view: GameView) -> None:
        self._fill_options(view)
        self.query_one(ResearchResults).update(results_text(view))

    def _fill_options(self, view: GameView) -> None:
        table = self.table
        keep = table.current_key
        table.set_columns([Column("target", "Target", flex=True), Column("size", "Size"),
                           Column("cost", "Cost", "right"), Column("precision", "Yields")])
        rows = []
        for i, opt in enumerate(view.studies.get(self.method, [])):
            style = "" if opt.why_not is None else "dim"
            mark = "✓ " if opt.why_not is None else "✗ "
            rows.append((str(i), [Text(mark + opt.target.split(" (")[0], style=style), Text(opt.size, style=style),
                                  Text(opt.cost_text, style=style), Text(precision(opt), style=style)]))
        table.set_rows(rows, keep=keep)
        methods = self.query_one("#methods", OptionList)
        idx = list(METHOD_INFO).index(self.method)
        if methods.highlighted != idx:
            methods.highlighted = idx
        name, what = METHOD_INFO[self.method]
        budget = view.obs["budget"]
        cap = view.obs["capacity"]
        table.border_subtitle = f"${budget['left']:.1f}k · {cap['left']:.1f} wk left"
        methods.border_subtitle = what if len(what) < 34 else ""

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id and event.option.id != self.method:
            self.method = event.option.id
            if self.view is not None:
                self._fill_options(self.view)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.table.focus()

    def on_game_table_row_highlighted(self, event: GameTable.RowHighlighted) -> None:
        event.stop()

    def on_game_table_row_selected(self, event: GameTable.RowSelected) -> None:
        event.stop()
        self.action_buy()

    def action_next_method(self) -> None:
        keys = list(METHOD_INFO)
        self.method = keys[(keys.index(self.method) + 1) % len(keys)]
        if self.view is not None:
            self._fill_options(self.view)
        self.notify(f"{METHOD_INFO[self.method][0]}: {METHOD_INFO[self.method][1]}", timeout=2)

    def action_buy(self) -> None:
        if self.view is None:
            return
        opts = self.view.studies.get(self.method, [])
        table = self.table
        if not opts or table.row_count == 0:
            self.notify("Nothing on offer for this method right now.", severity="warning")
            return
        opt = opts[table.cursor_row]
        if opt.why_not is not None:
            self.notify(f"Can't buy: {opt.why_not}", severity="warning")
            return
        self.post_message(self.StudyChosen(opt.action))


def _needs_lines(t: Text, needs: dict[str, Any], names: dict[str, str]) -> None:
    top = sorted(needs.items(), key=lambda kv: -kv[1]["estimate"])
    for theme, v in top:
        t.append(f"  {fmt.clip(names.get(theme, theme), 18):<18} {v['estimate']:>4.0%} ±{v['ci95']:.0%} ")
        t.append(fmt.bar(v["estimate"] / max(top[0][1]["estimate"], 1e-9), 8, "▇", " ") + "\n", style="cyan")


def result_text(r: dict[str, Any], view: GameView) -> Text:
    names = view.obs.get("_theme_names", {})
    t = Text()
    name = METHOD_INFO.get(r["method"], (r["method"], ""))[0]
    cost = f"{r['weeks']:.1f} wk" if r.get("weeks") else f"${r['cost']:.1f}k"
    t.append(f"Q{r['round']} · {name} · {cost}\n", style="bold")
    t.append(f"{r.get('summary', '')}\n")
    m = r["method"]
    if m == "survey":
        t.append(f"  needs in {view.segment_name(r['segment'])} (share of what matters, 95% CI):\n", style="dim")
        _needs_lines(t, r["needs"], names)
        if r.get("nps") is not None:
            t.append(f"  NPS among {r['customers_responding']} of our customers: {r['nps']:+.0f} ± "
                     f"{1.96 * r['nps_se']:.0f}\n")
    elif m == "interviews":
        for q in r["quotes"]:
            t.append(f"  “{q['text']}”\n", style="italic")
            who = "customer" if q["is_customer"] else "not a customer"
            t.append(f"    — {q['name']}, {q['job']} at {q['company']} ({who})\n", style="dim")
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
    elif m == "spike":
        t.append(f"  estimate {r['old_estimate']:.1f} → {r['new_estimate']:.1f} wk\n")
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
            t.append(f"    — {x['name']}, {x['company']} ({view.segment_name(x['segment'])}, "
                     f"satisfaction {x['satisfaction']:.0%})\n", style="dim")
        t.append("\n")
    personas = view.obs["personas"]
    if personas:
        t.append("Customers you know\n", style="bold")
        for p in personas:
            t.append(f"  {p['name']}, {p['job']} at {p['company']} ({view.segment_name(p['segment'])}): "
                     f"cares about {' and '.join(p['cares_about'])}; uses {p['uses']}\n")
    return t
