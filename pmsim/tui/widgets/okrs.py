"""The OKRs pane: objectives, key results, progress bars and a straight-line forecast."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from pmsim.engine.scoring import band, kr_grade, metric_value
from pmsim.tui import fmt
from pmsim.tui.service import GameView
from pmsim.tui.widgets.base import ViewPane


def grade_of(kr: dict[str, Any], v: float) -> float:
    """The grade a key result would have at value `v`: the engine's own rule."""
    return kr_grade(kr["baseline"], v, kr["target"], kr["direction"])


def forecast(kr: dict[str, Any], view: GameView) -> float:
    """The grade at the end of the game if the last two quarters' trend continues."""
    ms = view.obs["metrics"]
    vals = [metric_value(m, kr["metric"], kr["segment"]) for m in ms]  # as the engine grades it
    done = len(view.obs["reports"])
    left = view.rounds - done
    if len(vals) < 2 or left <= 0:
        return grade_of(kr, vals[-1])
    k = min(len(vals) - 1, 2)
    slope = (vals[-1] - vals[-1 - k]) / k
    return grade_of(kr, vals[-1] + slope * left)


def value_text(metric: str, v: float) -> str:
    return fmt.metric_value(metric, v)


def okr_text(view: GameView) -> Text:
    t = Text()
    prev = {o["id"]: o for o in view.okr_prev}
    if not view.obs["okrs"]:
        return Text("This scenario has no OKRs.")
    t.append("Google-style grades: 0.7–1.0 green, 0.4–0.6 yellow, under 0.4 red. Aspirational OKRs expect ~0.7;"
             " committed ones 1.0.\n\n", style="dim")
    for o in view.obs["okrs"]:
        t.append(f"{o['objective']}\n", style="bold")
        t.append(f"  {o['kind']} · {o['grade']:.2f} ")
        t.append(fmt.bar(o["grade"], 12), style={"green": "green", "yellow": "yellow"}.get(o["band"], "red"))
        t.append(" ")
        t.append_text(fmt.band_text(o["band"]))
        if o["id"] in prev:
            d = o["grade"] - prev[o["id"]]["grade"]
            t.append(" ")
            t.append_text(fmt.trend(d, eps=5e-4))
            if abs(d) >= 5e-4:
                t.append(f" {fmt.signed(d, 2)}")
        t.append(f" · credit {o['credit']:.2f}\n")
        pk = {k["id"]: k for k in prev.get(o["id"], {}).get("key_results", [])}
        for kr in o["key_results"]:
            seg = f" [{view.segment_name(kr['segment']).split(' (')[0]}]" if kr["segment"] else ""
            t.append(f"  • {kr['description'] or kr['metric']}{seg}\n")
            t.append(f"      {value_text(kr['metric'], kr['baseline'])} → "
                     f"{value_text(kr['metric'], kr['value'])}, target {value_text(kr['metric'], kr['target'])}  ")
            t.append(fmt.bar(kr["grade"], 10), style="cyan")
            t.append(f" {kr['grade']:.2f}")
            if kr["id"] in pk:
                t.append(" ")
                t.append_text(fmt.trend(kr["grade"] - pk[kr["id"]]["grade"], eps=5e-4))
            fc = forecast(kr, view)
            t.append(f"  forecast {fc:.2f} ")
            t.append_text(fmt.band_text(band(fc)))
            t.append("\n")
        t.append("\n")
    return t


class OkrBody(Static):
    """Every objective and key result."""


class OkrPane(ViewPane):
    def compose(self) -> ComposeResult:
        with VerticalScroll(id="okr-scroll"):
            yield OkrBody(id="okr-body")

    def focus_main(self) -> None:
        self.focus_now(self.query_one("#okr-scroll"))

    def explain_topic(self) -> tuple[str, str | None]:
        return "okr_grading", None

    def show(self, view: GameView) -> None:
        self.query_one(OkrBody).update(okr_text(view))
