"""The "waiting for N companies" screen of a shared market (issue 14): shown after a company ends
its quarter, updated by the app once a second (it polls the database), gone when the quarter
resolves (the last company's commit, or the instructor's `pmsim class advance`). esc hides it to
read the plan, which can no longer change; w shows it again."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import var
from textual.widgets import Static

from pmsim.textsafe import name
from pmsim.tui.company import Waiting
from pmsim.tui.screens.dialogs import DIALOG_CSS
from pmsim.tui.screens.modal import OnceModal


def waiting_text(w: Waiting | None) -> Text:
    t = Text()
    if w is None:
        t.append("Reading who has ended the quarter…", style="dim")
        return t
    t.append(f"{name(w.company)} has ended quarter {w.round}.\n\n")
    t.append(f"Waiting for {w.n} compan{'y' if w.n == 1 else 'ies'}: ", style="bold")
    t.append(", ".join(name(c) for c in w.waiting) or "none")
    t.append("\nEnded: ", style="bold")
    t.append(", ".join(name(c) for c in w.ended) or "none")
    t.append("\n\nThe quarter resolves when the last company ends it, or when your instructor runs ")
    t.append(f"pmsim class advance {w.code}", style="bold")
    t.append(". This screen updates by itself.")
    return t


class WaitingScreen(OnceModal[None]):
    """Who the quarter still waits for; `waiting` is set by the app at every poll."""

    DEFAULT_CSS = DIALOG_CSS.format(name="WaitingScreen")
    BINDINGS = [
        Binding("escape", "dismiss", "Read your plan"),
        Binding("q", "app.title", "Title"),
    ]

    waiting: var[Waiting | None] = var(None, init=False)

    def __init__(self, waiting: Waiting | None = None) -> None:
        super().__init__()
        self._initial = waiting

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Waiting for the other companies", classes="dialog-title", id="waiting-title")
            yield Static(waiting_text(self._initial), id="waiting-body")
            yield Static(Text("esc: read your plan (no more changes) · w: this again · q: title",
                              style="dim"))

    def on_mount(self) -> None:
        if self._initial is not None:
            self.waiting = self._initial

    def watch_waiting(self, w: Waiting | None) -> None:
        self.query_one("#waiting-body", Static).update(waiting_text(w))
        if w is not None:
            self.query_one("#waiting-title", Static).update(
                f"Waiting for {w.n} compan{'y' if w.n == 1 else 'ies'}")
