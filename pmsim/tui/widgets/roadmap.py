"""The Roadmap pane: the backlog as a sortable table, Now/Next/Later, and a capacity bar.

Sorting is this pane's own display state; the roadmap itself (slots, the order of Now) lives in
the engine, so every move is a message up (`PlanRequested`, `UnplanRequested`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from pmsim.tui import fmt
from pmsim.tui.service import GameView
from pmsim.tui.widgets.base import ViewPane
from pmsim.tui.widgets.table import Column, GameTable

SLOT_ORDER = {"now": 0, "next": 1, "later": 2, None: 3}
KANO_RANK = {"must_be": 4, "performance": 3, "attractive": 2, "indifferent": 1, "reverse": 0}
KANO_LETTER = {"must_be": "M", "performance": "P", "attractive": "A", "indifferent": "I", "reverse": "R"}
# (key, header, numeric: sorts high-first by default)
COLUMNS = [
    ("plan", "Plan", False),
    ("title", "Feature", False),
    ("est", "Est wk", False),
    ("rice", "RICE", True),
    ("wsjf", "WSJF", True),
    ("kano", "Kano", True),
    ("deps", "Needs", False),
    ("asked", "Asked by", False),
]
JUSTIFY = {"est": "right", "rice": "right", "wsjf": "right"}
FLEX = {"title", "deps", "asked"}
SLOTS_GROUP = Binding.Group("Now/Next/Later")
MOVE_GROUP = Binding.Group("Reorder")
SORT_GROUP = Binding.Group("Sort/reverse")


def plan_rank(f: dict[str, Any], now: list[str], rnd: int) -> tuple:
    if f["status"] == "shipped":
        return (6, f["shipped_round"] or 0)
    if f["slot"] == "now":
        return (0, now.index(f["id"]) if f["id"] in now else 99)
    if f["available_from"] > rnd and f["slot"] is None:
        return (5, f["available_from"])
    return (SLOT_ORDER.get(f["slot"], 3) + 1, 0)


def kano_rank(f: dict[str, Any]) -> float:
    known = [KANO_RANK[k["category"]] + k["p"] for k in f["kano"].values() if k["votes"] > 0]
    return max(known) if known else -1.0


def sort_value(key: str, f: dict[str, Any], view: GameView) -> Any:
    if key == "plan":
        return plan_rank(f, view.obs["now"], view.round)
    if key == "title":
        return f["title"].lower()
    if key == "est":
        return f["remaining_estimate"]
    if key == "rice":
        return f["rice"]
    if key == "wsjf":
        return f["wsjf"]
    if key == "kano":
        return kano_rank(f)
    if key == "deps":
        return len(f["depends_on"]), ",".join(f["depends_on"])
    if key == "asked":
        return (0 if f["requested_by"] else 1, f["deadline"] or 99)
    raise KeyError(key)


class CapacityBar(Static):
    """Committed vs capacity on estimates, with a warning before over-commitment."""


class FeatureDetail(Static):
    """Everything known about the highlighted feature."""


class RoadmapPane(ViewPane):
    BINDINGS = [
        Binding("n", "slot('now')", "Now", group=SLOTS_GROUP),
        Binding("x", "slot('next')", "Next", group=SLOTS_GROUP),
        Binding("l", "slot('later')", "Later", group=SLOTS_GROUP),
        Binding("delete,backspace", "unplan", "Remove", key_display="⌫"),
        Binding("shift+up,K", "move(-1)", "Move up", key_display="⇧↑", group=MOVE_GROUP),
        Binding("shift+down,J", "move(1)", "Move down", key_display="⇧↓", group=MOVE_GROUP),
        Binding("s", "sort", "Sort by next column", group=SORT_GROUP),
        Binding("r", "reverse", "Reverse sort", group=SORT_GROUP),
    ]

    @dataclass
    class PlanRequested(Message):
        feature: str
        slot: str
        position: int | None = None

    @dataclass
    class UnplanRequested(Message):
        feature: str

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.sort_key = "plan"
        self.sort_desc = False
        # the row order, kept while you plan: n/x/l/⌫ never reorder the rows under the cursor (the
        # next row is still the one below); s, r, a header click, a new quarter or coming back re-sort
        self._order: list[str] | None = None
        self._order_round = 0

    def compose(self) -> ComposeResult:
        yield CapacityBar(id="capacity")
        table = GameTable(id="roadmap-table")
        table.border_title = "Backlog"
        yield table
        yield FeatureDetail(id="feature-detail")

    @property
    def table(self) -> GameTable:
        return self.query_one("#roadmap-table", GameTable)

    def focus_main(self) -> None:
        self.focus_now(self.table)

    def on_resize(self) -> None:
        # 3 lines of detail at 80×24 (the backlog keeps 10+ rows); the whole story on taller screens
        self.query_one(FeatureDetail).set_class(self.app.size.height >= 30, "-tall")

    # ------------------------------------------------------------------ drawing
    def show(self, view: GameView) -> None:
        table = self.table
        current = self.current_feature()
        table.set_columns([
            Column(key, f"{label} {'▼' if self.sort_desc else '▲'}" if key == self.sort_key else label,
                   JUSTIFY.get(key, "left"), key in FLEX, 16 if key == "title" else 6)
            for key, label, _num in COLUMNS
        ])
        by_id = {f["id"]: f for f in view.obs["features"]}
        if self._order is None or self._order_round != view.round or set(self._order) != set(by_id):
            rows = sorted(view.obs["features"], key=lambda f: sort_value(self.sort_key, f, view),
                          reverse=self.sort_desc)
            rows.sort(key=lambda f: f["status"] == "shipped")  # shipped work sinks, whatever the sort
            self._order, self._order_round = [f["id"] for f in rows], view.round
        else:
            rows = [by_id[fid] for fid in self._order]
        names = {s["id"]: fmt.first_name(s["name"]) for s in view.obs["stakeholders"]}
        table.set_rows([(f["id"], self._cells(f, view, names)) for f in rows], keep=current)
        self._describe(view)

    def _cells(self, f: dict[str, Any], view: GameView, names: dict[str, str]) -> list[Any]:
        now = view.obs["now"]
        if f["status"] == "shipped":
            plan = Text(f"✓ Q{f['shipped_round']}", style="dim")
        elif f["slot"] == "now":
            plan = Text(f"NOW {now.index(f['id']) + 1}" if f["id"] in now else "NOW", style="bold")
            if f["status"] == "in_progress":
                plan.append(f" ▶{f['progress']:.0%}")
        elif f["slot"]:
            plan = Text(f["slot"].upper())
        elif f["available_from"] > view.round:
            plan = Text(f"≥Q{f['available_from']}", style="dim")
        else:
            plan = Text("—", style="dim")
        kano = " ".join(KANO_LETTER[k["category"]] if k["votes"] else "?" for k in f["kano"].values())
        deps = [d for d in f["depends_on"] if view.feature(d)["status"] != "shipped"]
        asked = ""
        if f["requested_by"]:
            asked = names.get(f["requested_by"][0], f["requested_by"][0])
            if len(f["requested_by"]) > 1:
                asked += f"+{len(f['requested_by']) - 1}"
            if f["deadline"]:
                asked += f" Q{f['deadline']}"
        return [
            plan, f["title"], f"{f['remaining_estimate']:.1f}", fmt.compact(f["rice"]), f"{f['wsjf']:.1f}",
            kano, ", ".join(view.feature_title(d) for d in deps) if deps else Text("—", style="dim"), asked,
        ]

    def current_feature(self) -> str | None:
        return self.table.current_key

    def explain_topic(self) -> tuple[str, str | None]:
        """The sorted column (the one whose header shows ▲▼), with the highlighted feature's numbers."""
        from pmsim.tui.explain import COLUMN_TOPIC

        return COLUMN_TOPIC[self.sort_key], self.current_feature()

    def _describe(self, view: GameView) -> None:
        fid = self.current_feature()
        self.query_one(CapacityBar).update(capacity_text(view, fid))
        self.query_one(FeatureDetail).update(feature_text(view, fid) if fid else "")

    def on_game_table_row_highlighted(self, event: GameTable.RowHighlighted) -> None:
        event.stop()
        if self.view is not None:
            self._describe(self.view)

    def on_game_table_header_selected(self, event: GameTable.HeaderSelected) -> None:
        event.stop()
        key = event.key
        if key == self.sort_key:
            self.sort_desc = not self.sort_desc
        else:
            self.set_sort(key)
        self._redraw()

    # ------------------------------------------------------------------ keys
    def set_sort(self, key: str, desc: bool | None = None) -> None:
        self.sort_key = key
        self.sort_desc = next(n for k, _, n in COLUMNS if k == key) if desc is None else desc

    def _redraw(self) -> None:
        self._order = None  # a deliberate sort: order the rows afresh
        if self.view is not None:
            self.show(self.view)

    def set_active(self, active: bool) -> None:
        if active and not self.active:
            self._order = None  # coming back to the roadmap: sorted again
            self._stale = self._stale or self.view is not None
        super().set_active(active)

    def action_sort(self) -> None:
        keys = [k for k, _, _ in COLUMNS]
        self.set_sort(keys[(keys.index(self.sort_key) + 1) % len(keys)])
        self._redraw()
        self.notify(f"Sorted by {dict((k, h) for k, h, _ in COLUMNS)[self.sort_key]}", timeout=1.5)

    def action_reverse(self) -> None:
        self.sort_desc = not self.sort_desc
        self._redraw()

    def action_slot(self, slot: str) -> None:
        fid = self.current_feature()
        if fid is not None:
            self.post_message(self.PlanRequested(fid, slot))

    def action_unplan(self) -> None:
        fid = self.current_feature()
        if fid is not None:
            self.post_message(self.UnplanRequested(fid))

    def action_move(self, step: int) -> None:
        fid = self.current_feature()
        if fid is None or self.view is None:
            return
        now = self.view.obs["now"]
        if fid not in now:
            self.notify("Only Now items have an order: press n to put it in Now.", severity="warning")
            return
        pos = now.index(fid) + step
        if 0 <= pos < len(now):
            self.post_message(self.PlanRequested(fid, "now", pos))


def capacity_text(view: GameView, fid: str | None) -> Text:
    """Two lines: the bar with used/total weeks, then the verdict by the one capacity rule
    (fmt.capacity_word) and what adding the highlighted item would do, kept apart by " · "."""
    cap = view.obs["capacity"]
    total, used = float(cap["total"]), float(cap["committed"])
    share = used / total if total > 0 else 1.0
    counts = {s: sum(1 for f in view.obs["features"] if f["slot"] == s and f["status"] != "shipped")
              for s in ("now", "next", "later")}
    t = Text()
    t.append("Now ", style="bold")
    style = "bold red" if share > 1.0 else "bold yellow" if share > fmt.CAPACITY_HIGH else "bold green"
    t.append(fmt.bar(share, 16), style=style)
    t.append(f" {fmt.decimal(used, 1)}/{fmt.weeks(total)} ({share:.0%}) · {fmt.weeks(max(total - used, 0))} left")
    t.append(f" · NOW {counts['now']} NEXT {counts['next']} LATER {counts['later']}", style="dim")
    t.append("\n")
    word, wstyle = fmt.capacity_word(share)
    t.append(word, style=wstyle)
    if fid is not None:
        f = view.feature(fid)
        if f["status"] == "backlog" and f["slot"] != "now":
            need = float(f["remaining_estimate"])
            after = (used + need) / total if total > 0 else 9.9
            t.append(" · ", style="dim")
            name = fmt.clip(f["title"], 22)
            if used + need > total + 1e-9:
                t.append(f"✗ {name} ({fmt.weeks(need)}) won't fit", style="bold red")
            elif after > fmt.CAPACITY_HIGH:
                t.append(f"⚠ adding {name} → {after:.0%}", style="yellow")
            else:
                t.append(f"✓ {name} fits ({fmt.weeks(need)} → {after:.0%})", style="dim")
    return t


def feature_text(view: GameView, fid: str) -> Text:
    f = view.feature(fid)
    t = Text()
    t.append(f["title"], style="bold")
    theme = view.obs.get("_theme_names", {}).get(f["theme"], f["theme"])
    t.append(f"  [{theme}]  ", style="dim")
    status = {"shipped": f"shipped in Q{f['shipped_round']}", "in_progress": f"in progress ({f['progress']:.0%})"}
    t.append(status.get(f["status"], "not started"))
    lo, hi = f["estimate_range"]
    t.append(f" · est {fmt.weeks(f['estimate'])} (80%: {fmt.decimal(lo, 1)}–{fmt.decimal(hi, 1)}"
             f"{', spiked' if f['spiked'] else ''})\n")
    t.append(f"RICE {fmt.count(f['reach'])} reach × {fmt.decimal(f['impact'], 2)} impact × {f['confidence']:.0%} conf"
             f" ÷ {fmt.decimal(max(f['estimate'] / 4, 0.25), 2)} mo = {fmt.compact(f['rice'])}")
    t.append(f" · WSJF {f['cost_of_delay']}/{f['job_size']} = {f['wsjf']:.1f}\n")
    parts = []
    for seg, k in f["kano"].items():
        name = view.segment_name(seg).split()[0]
        if k["votes"]:
            parts.append(f"{name} {fmt.KANO_WORD[k['category']]} ({fmt.kano_evidence(k['p'], k['votes'])})")
        else:
            parts.append(f"{name} ?")
    t.append("Kano  " + " · ".join(parts))
    if not any(k["votes"] for k in f["kano"].values()):
        t.append("  (interviews reveal it)", style="dim")
    t.append("\n")
    t.append(f"{f['description']}\n", style="italic")
    if f["depends_on"]:
        deps = [f"{view.feature_title(d)} ({view.feature(d)['status'].replace('_', ' ')})" for d in f["depends_on"]]
        t.append("Needs " + ", ".join(deps) + "\n")
    if f["requested_by"]:
        who = [f"{view.stakeholder(s)['name']} ({view.stakeholder(s)['title']})" for s in f["requested_by"]]
        due = f", due Q{f['deadline']}" if f["deadline"] else ""
        t.append("Asked by " + ", ".join(who) + due + "\n")
    found = f["defects_found"]
    if any(found.values()):
        t.append(f"Usability tests found {found['usability']} usability and {found['accessibility']}"
                 " accessibility problems (fixed before shipping)\n")
    return t
