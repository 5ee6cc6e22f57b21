"""Messages the app's workers post back to the app (the game service is not a widget).

Widgets' own messages are nested in the widget that sends them (`RoadmapPane.PlanRequested`,
`InboxPane.ResponseChosen`, `GameScreen.RoadmapCommitted`, `RoundReportScreen.ReportShown`...).
A round flows through:

    GameScreen.RoadmapCommitted   the player commits the roadmap (with an optional rationale)
      -> RoundResolved            a worker resolved the quarter and saved it
      -> RoundReportScreen.ReportShown   the player has read the report (-> next round or debrief)

Every other action flows `XRequested -> ActionApplied | ActionRefused`. Handlers on the app own
every state change; workers only post these. `ExplainRequested` is the one message several screens
send (the `i` key): the app opens the explanation over whatever is on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from pmsim.tui.service import GameView


@dataclass
class GameOpened(Message):
    """A game was started or resumed; `view` is its first picture."""

    view: GameView
    resumed: bool = False
    ui: dict[str, Any] | None = None  # the tutorial's progress and the mentor, stored with the save


@dataclass
class ActionApplied(Message):
    """An action was applied and saved; `result` is a research result, else None."""

    action: Any
    result: dict[str, Any] | None
    view: GameView


@dataclass
class ActionRefused(Message):
    """The engine refused an action (nothing changed, nothing saved): show `reason` to the player."""

    action: Any
    reason: str


@dataclass
class RoundResolved(Message):
    """The quarter was resolved and saved: `report` is the round report, `before` the view before."""

    report: dict[str, Any]
    view: GameView
    before: GameView
    body: Any = None  # (width, Text): the report rendered in the worker


@dataclass
class ServiceFailed(Message):
    """Storage or the engine failed: `message` is one line a person can act on. `fatal`: the
    database cannot be used at all, so the app exits with the message."""

    message: str
    fatal: bool = False
    retry: Any = None  # a transient fault during play: the job to run again if the player says so


@dataclass
class CatalogReady(Message):
    """The scenarios are loaded (lazily, the first time a new game is asked for)."""

    catalog: Any


@dataclass
class SavesListed(Message):
    """The saves in the database, newest first (for the load and replay pickers)."""

    saves: list[Any]
    purpose: str


@dataclass
class ReplayLoaded(Message):
    """A save was re-simulated for the replay viewer."""

    replay: Any


@dataclass
class ExplainRequested(Message):
    """Show the explanation of `topic` (pmsim.tui.explain), with `feature`'s numbers if given."""

    topic: str
    feature: str | None = None
