"""An explanation, one key away (`i`): what a column or metric means, how it is computed, why it
matters, and this game's numbers. ← → browse the other topics of its group (the roadmap's
columns, the dashboard's metrics...). It says which topic it shows (`TopicShown`), so the
tutorial can tell that the player has read it; in the tutorial it shows the guide's current step
too, which may be about the explanation itself ("→ shows the next column")."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.widgets import Static

from pmsim.tui import explain
from pmsim.tui.coach import GuideLine
from pmsim.tui.screens.modal import OnceModal
from pmsim.tui.service import GameView
from pmsim.tui.widgets.coach import GuidePanel, guide_text
from pmsim.tui.widgets.keybar import KeyBar

BROWSE = Binding.Group("Other topics", compact=True)


def topic_text(topic_id: str, view: GameView | None, feature: str | None) -> Text:
    tp = explain.topic(topic_id)
    t = Text()
    for heading, body in (("What it means", tp.what), ("How pmsim computes it", tp.how),
                          ("Why it matters", tp.why)):
        t.append(f"{heading}\n", style="bold")
        t.append(f"{body}\n\n")
    ex = explain.example(topic_id, view, feature)
    if ex:
        t.append("In your game now\n", style="bold")
        t.append(f"{ex}\n", style="italic")
    if topic_id == "mentor" and view is not None:
        from pmsim.tui.widgets.coach import advice_lines

        t.append("\nAdvice on your plan now\n", style="bold")
        if view.advice:
            t.append_text(advice_lines(view.advice, view))
        else:
            t.append("Nothing to flag.", style="dim")
    return t


class ExplainScreen(OnceModal[None]):
    BINDINGS = [
        # priority: the scrolling text would take ← → for sideways scrolling it never needs
        Binding("left", "browse(-1)", "Previous", key_display="←", group=BROWSE, priority=True),
        Binding("right", "browse(1)", "Next", key_display="→", group=BROWSE, priority=True),
        Binding("escape,i,q", "close", "Close", key_display="esc"),
    ]

    guide: var[GuideLine | None] = var(None, init=False)

    @dataclass
    class TopicShown(Message):
        """The player is reading the explanation of `topic`."""

        topic: str

    def __init__(self, topic_id: str, view: GameView | None = None, feature: str | None = None,
                 guide: GuideLine | None = None) -> None:
        super().__init__()
        self.topic_id = topic_id
        self.view = view
        self.feature = feature
        self._initial_guide = guide

    def compose(self) -> ComposeResult:
        with Vertical(id="explain-box"):
            yield Static(id="explain-head")
            with VerticalScroll(id="explain-scroll"):
                yield Static(id="explain-body")
            yield GuidePanel(id="explain-guide")
            yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#explain-scroll").focus()
        self.query_one(GuidePanel).display = False
        self.guide = self._initial_guide
        self._show()

    def watch_guide(self, line: GuideLine | None) -> None:
        panel = self.query_one(GuidePanel)
        panel.display = line is not None
        if line is not None:
            panel.update(guide_text(line, where="explain"))

    @property
    def group(self) -> list[str]:
        return explain.group_of(self.topic_id)

    def _show(self) -> None:
        tp = explain.topic(self.topic_id)
        ids = self.group
        head = Text()
        head.append(tp.title, style="bold")
        head.append(f"   {explain.GROUPS.get(tp.group, tp.group)} {ids.index(tp.id) + 1} of {len(ids)}", style="dim")
        self.query_one("#explain-head", Static).update(head)
        self.query_one("#explain-body", Static).update(topic_text(tp.id, self.view, self.feature))
        self.query_one("#explain-scroll", VerticalScroll).scroll_home(animate=False)
        self.app.post_message(self.TopicShown(tp.id))

    def action_browse(self, step: int) -> None:
        ids = self.group
        self.topic_id = ids[(ids.index(self.topic_id) + step) % len(ids)]
        self._show()

    def action_close(self) -> None:
        self.dismiss(None)
