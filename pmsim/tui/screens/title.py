"""The title screen: new game, the guided tutorial, continue, load, replay, scenarios, help, quit.

On a first run (no saves in the database yet) the tutorial is highlighted and offered below the menu.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pmsim.tui.widgets.keybar import KeyBar

LOGO = r"""
 ┌─┐┌┬┐┌─┐┬┌┬┐
 ├─┘│││└─┐││││
 ┴  ┴ ┴└─┘┴┴ ┴
"""

MENU = [
    ("new", "n", "New game"),
    ("tutorial", "g", "Guided tutorial (3 short quarters)"),
    ("continue", "c", "Continue"),
    ("load", "l", "Load a saved game"),
    ("replay", "r", "Replay a saved game"),
    ("scenarios", "s", "Scenarios"),
    ("help", "?", "Help: every key"),
    ("quit", "q", "Quit"),
]


class TitleScreen(Screen):
    BINDINGS = [
        Binding("n", "app.new_game", "New game"),
        Binding("g", "app.tutorial", "Tutorial"),
        Binding("c", "app.continue_game", "Continue"),
        Binding("l", "app.open_saves('load')", "Load"),
        Binding("r", "app.open_saves('replay')", "Replay"),
        Binding("s", "app.new_game", "Scenarios"),
        Binding("q", "app.quit", "Quit"),
    ]

    latest: var[str] = var("", init=False)
    first_run: var[bool] = var(False, init=False)

    def compose(self) -> ComposeResult:
        with Center(id="title-box"):
            with Vertical(id="title-inner"):
                yield Static(Text(LOGO.strip("\n"), style="bold"), id="logo")
                yield Static(Text("A product-management internship, one quarter at a time.", style="italic"),
                             id="tagline")
                yield OptionList(*[Option(f"{key}  {label}", id=oid) for oid, key, label in MENU], id="menu")
                yield Static("", id="latest")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        # after the first frame: opening the database must not delay the title screen
        self.call_after_refresh(self.app.refresh_latest)  # type: ignore[attr-defined]

    def watch_latest(self, latest: str) -> None:
        self._latest()

    def watch_first_run(self, first: bool) -> None:
        menu = self.query_one(OptionList)
        if first and menu.highlighted == 0:  # the player has not moved yet: offer the tutorial
            menu.highlighted = [oid for oid, _, _ in MENU].index("tutorial")
        self._latest()

    def _latest(self) -> None:
        t = Text(self.latest, style="dim")
        if self.first_run:
            t = Text.assemble(("New here? ", "bold"), "The guided tutorial (g, or enter) walks you through "
                              "every pane and framework in three short quarters.")
        self.query_one("#latest", Static).update(t)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        app = self.app
        oid = event.option.id
        if oid == "new" or oid == "scenarios":
            app.action_new_game()  # type: ignore[attr-defined]
        elif oid == "tutorial":
            app.action_tutorial()  # type: ignore[attr-defined]
        elif oid == "continue":
            app.action_continue_game()  # type: ignore[attr-defined]
        elif oid in ("load", "replay"):
            app.action_open_saves(oid)  # type: ignore[attr-defined]
        elif oid == "help":
            app.action_help()  # type: ignore[attr-defined]
        elif oid == "quit":
            app.exit()
