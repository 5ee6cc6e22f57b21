"""What every game pane shares: it receives the `GameView` as an attribute and redraws itself.

Only the pane on screen redraws at once; a hidden pane remembers that its view changed and
redraws when it is shown (so a key press costs one pane's redraw, not five).
"""

from __future__ import annotations

from textual.containers import Container
from textual.reactive import var
from textual.widget import Widget

from pmsim.tui.service import GameView


class ViewPane(Container):
    """A pane of the game screen. Holds no game state: `view` is pushed down by the screen."""

    view: var[GameView | None] = var(None, always_update=True, init=False)

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.active = False
        self._stale = False

    def watch_view(self, view: GameView | None) -> None:
        if view is None or not self.is_mounted:
            return
        if self.active:
            self.show(view)
            self._stale = False
        else:
            self._stale = True

    def on_mount(self) -> None:
        self._stale = self.view is not None
        if self.active and self.view is not None:
            self.show(self.view)
            self._stale = False

    def set_active(self, active: bool) -> None:
        self.active = active
        if active and self._stale and self.view is not None:
            self.show(self.view)
            self._stale = False

    def show(self, view: GameView) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def focus_main(self) -> None:
        """Put the focus where this pane's keys work."""

    def focus_now(self, widget: Widget) -> None:
        """Focus `widget` at once, not after the next refresh (`Widget.focus` waits): a key typed
        right after the pane key (4 then n, in one burst) must reach this pane's bindings."""
        try:
            self.screen.set_focus(widget)
        except Exception:  # not on a screen yet: the usual, deferred way
            widget.focus()

    def explain_topic(self) -> tuple[str, str | None]:
        """What `i` explains here: a topic of pmsim.tui.explain, and the feature whose numbers to show."""
        return "score", None

