"""The final debrief: the score by component and skill, your roadmap beside the best in hindsight,
the research that would have paid off, and what to practise next."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from pmsim.tui import fmt
from pmsim.tui.service import GameView
from pmsim.tui.widgets.keybar import KeyBar

TIPS = {
    "customer_impact": "Ship what customers value most: weigh reach and Kano evidence, not request volume.",
    "okr": "Tie each quarter's plan to the key result furthest from its target.",
    "stakeholder_trust": "Answer every request; a reasoned 'not now' costs less than silence or a broken promise.",
    "prioritization": "Rank by value per week of effort (RICE, WSJF) and fill capacity with the best ratios.",
    "research": "Buy research when it could change the plan: big uncertainty on an expensive choice.",
    "delivery": "Leave slack for estimate error, and spike the biggest uncertain estimates.",
    "accessibility": "Run usability tests before shipping; what they find gets fixed.",
}


def final_score_text(view: GameView) -> Text:
    card = view.debrief["score"] if view.debrief else view.obs["score"]
    t = Text()
    t.append(f"Final score {card['score']:.1f} / 100", style="bold")
    t.append(f"   {view.player} · {view.title} ({view.scenario_id}) · save {view.save_id} · scoring v{card['version']}", style="dim")
    return t


def components_table(card: dict[str, Any]) -> Table:
    tab = Table(box=None, padding=(0, 1), header_style="bold")
    for col, just in (("Component", "left"), ("Score", "right"), ("", "left"), ("Weight", "right"),
                      ("Lost", "right")):
        tab.add_column(col, justify=just, no_wrap=True)  # type: ignore[arg-type]
    tab.add_column("Skill")
    for c, v in card["components"].items():
        tab.add_row(fmt.COMPONENT_LABEL.get(c, c), f"{v:.2f}", fmt.bar(v, 8), f"{100 * card['weights'][c]:.0f}%",
                    fmt.lost(card['points_lost'][c]), card["skills"][c])
    return tab


def skills_text(skills: list[dict[str, Any]]) -> Text:
    """Each skill's rating (1-5), strongest first: the numbers the end-of-internship review uses."""
    t = Text()
    for k in reversed(skills):  # the debrief lists them weakest first
        dots = "●" * k["rating"] + "○" * (5 - k["rating"])
        t.append(f"  {k['skill']:<27} {k['rating']}/5 {dots}  ({fmt.lost(k['points_lost'])} points)\n")
    return t


def rounds_table(view: GameView, rounds: list[dict[str, Any]]) -> Table:
    title = view.feature_title
    tab = Table(box=None, padding=(0, 1), header_style="bold", expand=True)
    tab.add_column("Q", justify="right", no_wrap=True)
    tab.add_column("Your new work (✓ shipped)", ratio=3)
    tab.add_column("Best in hindsight", ratio=3)
    tab.add_column("Regret", justify="right", no_wrap=True)
    for r in rounds:
        shipped = set(r["shipped"])
        mine = ", ".join(f"{'✓ ' if f in shipped else ''}{title(f)}" for f in r["plan"]) or "—"
        carried = [f for f in r["shipped"] if f not in r["plan"]]
        if carried:
            mine += "; finished " + ", ".join(f"✓ {title(f)}" for f in carried)
        best = ", ".join(title(f) for f in r["best_in_hindsight"]) or "—"
        same = set(r["plan"]) == set(r["best_in_hindsight"])
        tab.add_row(str(r["round"]), Text(mine), Text(best + (" (= yours)" if same else ""), style="dim" if same else ""),
                    f"{r['regret']:.1f}")
    return tab


def lessons_text(view: GameView, d: dict[str, Any]) -> Text:
    t = Text()
    if d["research_that_would_have_paid"]:
        t.append("Research that would have paid off\n", style="bold")
        for r in d["research_that_would_have_paid"]:
            t.append(f"  Q{r['round']}: knowing the truth was worth {r['value_of_information']:.1f} value points;"
                     " surveys or interviews before committing could have changed that plan.\n")
    if d["misjudged_features"]:
        t.append("Features you misjudged (believed vs true value)\n", style="bold")
        for m in d["misjudged_features"][:6]:
            direction = "under" if m["true"] > m["believed"] else "over"
            t.append(f"  {m['title']}: {m['believed']:.1f} vs {m['true']:.1f} ({direction}estimated)\n")
    if d["unmet_must_be"]:
        t.append("Must-be needs left unmet\n", style="bold")
        # one line per segment: its churn is the segment's, not each missing feature's
        by_segment: dict[str, list[dict]] = {}
        for u in d["unmet_must_be"]:
            by_segment.setdefault(u["segment"], []).append(u)
        for seg, us in list(by_segment.items())[:6]:
            titles = [u["title"] for u in us]
            named = titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]
            t.append(f"  {view.segment_name(seg)} needed {named}; "
                     f"{fmt.num(us[0]['segment_churned'])} customers churned in that segment.\n")
    t.append("OKRs\n", style="bold")
    for o in d["okrs"]:
        t.append("  ")
        t.append_text(fmt.band_text(o["band"]))
        t.append(f" {o['grade']:.2f} {o['objective']} ({o['kind']})\n")
    t.append("What to practise next\n", style="bold")
    for p in d["practise_next"]:
        t.append(f"  ▸ {p['skill']} ({fmt.COMPONENT_LABEL.get(p['component'], p['component'])}, "
                 f"{fmt.lost(p['points_lost'])} points): {TIPS.get(p['component'], '')}\n")
    return t


class DebriefScreen(Screen):
    BINDINGS = [
        Binding("r", "replay", "Replay this game"),
        Binding("n", "app.new_game", "New game"),
        Binding("escape", "app.title", "Title"),
        Binding("escape", "app.leave", "Leave"),  # the class server's (one of the two is shown)
    ]

    def __init__(self, view: GameView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        v = self.view
        d = v.debrief or {}
        yield Static(final_score_text(v), id="debrief-score")
        with VerticalScroll(id="debrief-scroll"):
            yield Static(Group(
                Text("Score by component", style="bold"), components_table(d["score"]),
                Text("\nBy skill (as your review rates them)", style="bold"), skills_text(d["skills"]),
                Text("Your roadmap beside the best roadmap in hindsight", style="bold"),
                rounds_table(v, d["rounds"]), Text(""), lessons_text(v, d),
            ), id="debrief-body")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#debrief-scroll").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "replay" and not getattr(self.app, "REPLAYS", True):
            return False  # the class server offers no replays: the key is not shown
        return super().check_action(action, parameters)

    def action_replay(self) -> None:
        self.app.open_replay(self.view.save_id)  # type: ignore[attr-defined]
