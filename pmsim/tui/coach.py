"""The learning layer of the app: the mentor setting and the tutorial guide.

Both are settings of the app, not of the game: they never reach the engine or the saved actions.
The app owns one `Coach`; after every change it asks for `state()` (plain data) and sets it on
the game screen, which draws the guide and mentor panels from it (attributes down).

The mentor is on by default in the tutorial, off otherwise (`pmsim play --mentor` turns it on,
`M` toggles it), and always off in a class game: the class table has no "allow the mentor" flag
yet, so a class run gets the game its instructor set up, without a coach.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pmsim.tui.service import GameView
from pmsim.tui.tutorial import TUTORIAL_SCENARIO, Guide, Progress, Step, guide_for


@dataclass(frozen=True)
class GuideLine:
    """The current tutorial step, as the guide panel shows it."""

    step: Step
    number: int
    total: int


@dataclass(frozen=True)
class CoachState:
    """What the game screen needs to draw the guide and the mentor."""

    mentor_on: bool
    guide: GuideLine | None  # None: no guide (not the tutorial, hidden, or finished)


class Coach:
    def __init__(self, mentor: bool | None = None) -> None:
        self.choice = mentor  # --mentor / --no-mentor / the player's setting; None: on in the tutorial only
        self.mentor_on = False
        self.in_class = False
        self.guide: Guide | None = None
        self.pane = "dashboard"
        self.seen_panes: set[str] = set()
        self.explained: set[str] = set()
        self.reports_read = 0
        self.view: GameView | None = None

    # ------------------------------------------------------------------ games
    def game_opened(self, view: GameView, saved: dict[str, Any] | None = None) -> None:
        """A game was started or resumed: pick the mentor's default and (for the tutorial) a guide.
        `saved`: what `export()` gave when this save was last played (the mentor and the guide)."""
        self.view = view
        self.in_class = view.class_id is not None
        tutorial = view.scenario_id == TUTORIAL_SCENARIO
        if self.in_class:
            self.mentor_on = False
        elif self.choice is not None:
            self.mentor_on = self.choice
        else:
            self.mentor_on = tutorial
        self.guide = guide_for(view.scenario_id)
        self.pane = "dashboard"
        self.seen_panes = {"dashboard"}
        self.explained = set()
        self.reports_read = len(view.obs["reports"])  # a resumed game's reports were read before
        if saved:
            self.restore(saved)
        self.update(view)

    # ------------------------------------------------------------------ stored with the save
    def export(self) -> dict[str, Any]:
        """What to remember with the save: the mentor on/off and where the guide is."""
        out: dict[str, Any] = {"mentor": self.mentor_on, "seen_panes": sorted(self.seen_panes),
                               "explained": sorted(self.explained)}
        g = self.guide
        if g is not None:
            out["guide"] = {"index": g.index, "hidden": g.hidden, "completed": list(g.completed),
                            "skipped": list(g.skipped)}
        return out

    def restore(self, saved: dict[str, Any]) -> None:
        """Undo `export()` on a freshly opened game (anything malformed is ignored)."""
        if isinstance(saved.get("mentor"), bool) and not self.in_class:
            self.mentor_on = saved["mentor"]
        self.seen_panes |= {p for p in saved.get("seen_panes", []) if isinstance(p, str)}
        self.explained |= {t for t in saved.get("explained", []) if isinstance(t, str)}
        g, data = self.guide, saved.get("guide")
        if g is not None and isinstance(data, dict):
            ids = [s.id for s in g.steps]
            done = [x for x in data.get("completed", []) if x in ids]
            skipped = [x for x in data.get("skipped", []) if x in ids]
            index = data.get("index")
            if isinstance(index, int) and 0 <= index <= len(ids):
                g.index, g.completed, g.skipped = index, done, skipped
                g.hidden = bool(data.get("hidden", False))

    def game_closed(self) -> None:
        self.view = None
        self.guide = None

    # ------------------------------------------------------------------ what the player did
    def update(self, view: GameView | None = None) -> list[Step]:
        """Re-check the guide after a change; returns the steps just completed."""
        if view is not None:
            self.view = view
        if self.guide is None or self.view is None:
            return []
        return self.guide.update(self.progress())

    def progress(self) -> Progress:
        assert self.view is not None
        return Progress(self.view.obs, self.pane, frozenset(self.seen_panes), frozenset(self.explained),
                        self.reports_read)

    def pane_shown(self, pane: str) -> list[Step]:
        self.pane = pane
        self.seen_panes.add(pane)
        return self.update()

    def topic_shown(self, topic: str) -> list[Step]:
        self.explained.add(topic)
        return self.update()

    def report_read(self) -> list[Step]:
        self.reports_read += 1
        return self.update()

    # ------------------------------------------------------------------ keys
    def toggle_mentor(self) -> str:
        """M: turn the mentor on or off; returns what to tell the player."""
        if self.in_class:
            return "The mentor is off in class games: your class has not allowed it."
        self.mentor_on = not self.mentor_on  # for this game only (kept with its save); not the default
        return ("Mentor on: it comments on your plan as you go, and in the end-round dialog." if self.mentor_on
                else "Mentor off (M turns it back on).")

    def skip_step(self) -> str:
        if self.guide is None:
            return "The guide runs in the tutorial (g on the title screen)."
        if self.guide.hidden:
            self.guide.hidden = False
        s = self.guide.skip()
        self.update()
        if s is None:
            return "The guide is finished."
        return f"Skipped: {s.title}." if not self.guide.finished else "That was the last step of the guide."

    def toggle_guide(self) -> str:
        if self.guide is None:
            return "The guide runs in the tutorial (g on the title screen)."
        self.guide.hidden = not self.guide.hidden
        if self.guide.hidden:
            return "Guide hidden: play on your own. G brings it back."
        return "Guide back." if not self.guide.finished else "The guide is finished."

    # ------------------------------------------------------------------ what to draw
    def state(self) -> CoachState:
        g = self.guide
        line = None
        if g is not None and g.showing and g.step is not None:
            n, total = g.position()
            line = GuideLine(g.step, n, total)
        return CoachState(self.mentor_on, line)

    def report_line(self) -> GuideLine | None:
        """The step to show on the round report, if the current one belongs there."""
        line = self.state().guide
        return line if line is not None and line.step.on_report else None
