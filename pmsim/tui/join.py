"""The class server's app (`pmsim serve --class CODE`): one per browser tab, on the instructor's
machine. A student joins with the class code, their name and their PIN (`pmsim class roster`),
then plays their own game of the class, on the class's scenario and seed, which the server keeps:
the student's browser only sends keys and receives the screen. Their game is marked as played on
the class server (verified in class reports); rejoining resumes it.

Everything but that one game is out of reach here: no title screen, no other saves, no replays,
no new games, no forks. Leaving the game (q, escape) goes back to the join screen.

Configuration comes from the environment the server passes down (never the command line, which
any user of the machine can read): PMSIM_DB_URL, the database; PMSIM_SERVE_CLASS, the class code.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Label, Static

from pmsim.tui.app import PmsimApp
from pmsim.tui.messages import GameOpened
from pmsim.tui.settings import Settings

ENV_CLASS = "PMSIM_SERVE_CLASS"
MAX_TRIES = 5  # wrong joins in one browser tab before it is closed
WRONG_DELAY_S = 1.0  # each refusal waits this long: guessing is slow even across many tabs


class Field(Static):
    """One line of the join form. Not focusable: the screen reads every key itself (see JoinScreen)."""

    DEFAULT_CSS = """
    Field { border: tall $panel-lighten-2; height: 3; padding: 0 1; }
    Field.-current { border: tall $accent; }
    """

    def __init__(self, label: str, placeholder: str, *, limit: int, secret: bool = False, id: str) -> None:
        super().__init__(id=id)
        self.label, self.placeholder, self.limit, self.secret = label, placeholder, limit, secret
        self.value = ""

    def show(self, current: bool) -> None:
        self.set_class(current, "-current")
        shown = "•" * len(self.value) if self.secret else self.value
        t = Text(shown)
        if current:
            t.append("▏", style="bold")  # the cursor
        if not shown:
            t.append(self.placeholder, style="dim")
        self.update(t)

    def on_click(self) -> None:
        screen = self.screen
        if isinstance(screen, JoinScreen):
            screen.select(self.id or "code")


class JoinScreen(Screen):
    """Class code, name and PIN. Enter or tab moves to the next field, enter in the last one (or a
    click on Join) joins.

    The fields are not Input widgets on purpose: Textual hands each key to the focused widget's
    own queue, so keys typed right after a tab or an enter (a fast typist, a password manager, a
    browser sending a burst) could land in the field being left, or the form be sent before the
    last keys reached it. Here the screen takes every key in the order it was typed."""

    DEFAULT_CSS = """
    JoinScreen { align: center middle; }
    JoinScreen #join-box { width: 64; height: auto; max-height: 100%; border: round $accent; padding: 0 2;
                           overflow-y: auto; }
    JoinScreen #join-title { text-style: bold; }
    JoinScreen #join-intro { color: $text-muted; }
    JoinScreen #join { width: auto; min-width: 12; height: 1; content-align: center middle; margin-top: 1;
                       background: $primary; color: $text; text-style: bold; padding: 0 2; }
    JoinScreen #join.-busy { background: $panel; }
    JoinScreen #join-problem { color: $error; height: auto; }
    JoinScreen #join-problem.-info { color: $text-muted; }
    JoinScreen #join-note { color: $text-muted; height: auto; }
    """
    ORDER = ("code", "name", "pin")

    @dataclass
    class JoinRequested(Message):
        code: str
        name: str
        pin: str

    def __init__(self, note: str = "") -> None:
        super().__init__()
        self.note = note
        self.current = "code"
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="join-box"):
            yield Static("pmsim: join your class", id="join-title")
            yield Static("The class code, your name as it is on the roster, and your PIN. "
                         "Tab or enter: next field.", id="join-intro")
            yield Label("Class code")
            yield Field("Class code", "PM-XXXX", limit=16, id="code")
            yield Label("Your name")
            yield Field("Your name", "as on the roster", limit=100, id="name")
            yield Label("PIN")
            yield Field("PIN", "1234-5678", limit=16, secret=True, id="pin")
            yield Static("Join", id="join")
            yield Static(id="join-problem")
            yield Static(Text(self.note), id="join-note")

    def on_mount(self) -> None:
        self.set_focus(None)
        self._show()

    def field(self, fid: str) -> Field:
        return self.query_one(f"#{fid}", Field)

    def _show(self) -> None:
        for fid in self.ORDER:
            self.field(fid).show(fid == self.current)

    def select(self, fid: str) -> None:
        self.current = fid
        self._show()

    def on_key(self, event: events.Key) -> None:
        key = event.key
        if key in ("tab", "down"):
            self.select(self.ORDER[(self.ORDER.index(self.current) + 1) % len(self.ORDER)])
        elif key in ("shift+tab", "up"):
            self.select(self.ORDER[(self.ORDER.index(self.current) - 1) % len(self.ORDER)])
        elif key == "enter":
            self.action_enter()
        elif key == "backspace":
            f = self.field(self.current)
            f.value = f.value[:-1]
            self._show()
        elif key == "ctrl+u":
            self.field(self.current).value = ""
            self._show()
        elif event.is_printable and event.character:
            self._type(event.character)
        else:
            return  # the app's own keys (ctrl+q, ctrl+p...)
        event.stop()
        event.prevent_default()

    def on_paste(self, event: events.Paste) -> None:
        self._type(" ".join(event.text.split()))
        event.stop()

    def _type(self, text: str) -> None:
        f = self.field(self.current)
        f.value = (f.value + text)[: f.limit]
        self._show()

    def on_click(self, event: events.Click) -> None:
        if event.widget is not None and event.widget.id == "join":
            self.action_join()

    def action_enter(self) -> None:
        """Enter: on to the next field while one is empty, else join."""
        here = self.ORDER.index(self.current)
        empty = next((f for f in self.ORDER if not self.field(f).value.strip()), None)
        if here < len(self.ORDER) - 1 and empty != self.current:
            self.select(self.ORDER[here + 1])
            return
        self.action_join()

    def action_join(self) -> None:
        if self.busy:
            return
        values = {f: self.field(f).value.strip() for f in self.ORDER}
        for fid, label in (("code", "the class code"), ("name", "your name"), ("pin", "your PIN")):
            if not values[fid]:
                self.problem(f"Type {label}.")
                self.select(fid)
                return
        self.busy = True
        self.query_one("#join", Static).add_class("-busy")
        self.problem("Checking…", error=False)
        self.post_message(self.JoinRequested(values["code"], values["name"], values["pin"]))

    def problem(self, text: str, error: bool = True) -> None:
        box = self.query_one("#join-problem", Static)
        box.set_class(not error, "-info")
        box.update(Text(text))

    def refused(self, reason: str) -> None:
        self.problem(reason)
        self.busy = False
        self.query_one("#join", Static).remove_class("-busy")
        self.field("pin").value = ""
        self.select("pin")


@dataclass
class JoinRefusedMessage(Message):
    reason: str


class ClassServerApp(PmsimApp):
    """PmsimApp for one student on the class server: the join screen, then their class game only."""

    TITLE = "pmsim class"

    def __init__(self, store: Any, class_code: str, **kw: Any) -> None:
        super().__init__(store, start="join", settings=Settings(), mentor=False, **kw)
        self.server_class = class_code
        self.wrong = 0

    # ------------------------------------------------------------------ joining
    def action_title(self) -> None:
        """Leave the game (it is saved as it goes) for the join screen: nothing else is on offer."""
        note = ""
        if self.view is not None:
            note = "You left your game; every action in it is saved. Join again to go on."
        self.view = None
        self.game_screen = None
        self.service.session = None
        self.coach.game_closed()
        self.goto(JoinScreen(note))

    def on_join_screen_join_requested(self, m: JoinScreen.JoinRequested) -> None:
        from pmsim.storage.classes import JoinRefused, normalize_class_code

        def job() -> Message:
            store = self.store
            if normalize_class_code(m.code) != self.server_class:
                time.sleep(WRONG_DELAY_S)
                return JoinRefusedMessage("That is not the code of the class on this server: check it with "
                                          "your instructor.")
            try:
                student = store.check_student(self.server_class, m.name, m.pin)
            except JoinRefused as e:
                time.sleep(WRONG_DELAY_S)
                return JoinRefusedMessage(str(e)[:1].upper() + str(e)[1:] + ".")
            game = store.server_game(student)
            save_id = game.save_id if game is not None else store.start_server_game(student)
            view = self.service.resume(save_id)
            return GameOpened(view, resumed=game is not None, ui=store.ui_state(save_id))

        self.submit(job)

    def on_join_refused_message(self, m: JoinRefusedMessage) -> None:
        self.wrong += 1
        if self.wrong >= MAX_TRIES:
            self.exit(return_code=2, message=Text("too many wrong joins in this tab"))
            return
        if isinstance(self.screen, JoinScreen):
            left = MAX_TRIES - self.wrong
            self.screen.refused(f"{m.reason} ({left} tr{'y' if left == 1 else 'ies'} left in this tab.)")

    # ------------------------------------------------------------------ nothing else
    def _not_here(self, *_: Any) -> None:
        self.notify("Not on the class server: your instructor set up this one game for you.",
                    severity="warning", timeout=4)

    action_new_game = _not_here
    action_tutorial = _not_here
    action_continue_game = _not_here
    action_open_saves = _not_here
    open_replay = _not_here
    open_save = _not_here
    refresh_latest = _not_here
    start_game = _not_here
    start_class_game = _not_here

    BLOCKED_ACTIONS = frozenset({"new_game", "tutorial", "continue_game", "open_saves"})
    # q reads "Leave" (back to the join screen), not "Title"; a finished game offers no replay
    HIDDEN_ACTIONS = frozenset({"title"})
    REPLAYS = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The app's routes to other games: never run, and their keys are not shown."""
        if action in self.BLOCKED_ACTIONS:
            return False
        return super().check_action(action, parameters)

    def _refuse(self, m: Message) -> None:
        m.prevent_default()  # Textual would call PmsimApp's handler too
        self._not_here()

    on_catalog_ready = _refuse
    on_saves_listed = _refuse
    on_saves_screen_save_chosen = _refuse
    on_replay_loaded = _refuse
    on_replay_screen_fork_requested = _refuse
    on_new_game_screen_game_requested = _refuse

    def palette_commands(self, screen: Screen) -> list[tuple[str, str, Callable[[], Any]]]:
        blocked = {"New game", "Guided tutorial", "Continue the latest game", "Load a saved game",
                   "Replay a saved game", "Replay this game", "Fork a new game from this round"}
        out = [c for c in super().palette_commands(screen) if c[0] not in blocked]
        return [("Leave the game" if t == "Title screen" else t, h, f) for t, h, f in out]


def main() -> None:
    """Entry point of each browser tab's process (started by the class server, see serve.py)."""
    from pmsim.storage.classes import normalize_class_code
    from pmsim.tui.launch import _fail, _run

    code = normalize_class_code(os.environ.get(ENV_CLASS, ""))
    if code is None:
        _fail(f"pmsim class server: ${ENV_CLASS} is not a class code")

    def open_store():
        from pmsim.storage.saves import SaveStore

        return SaveStore(None)  # $PMSIM_DB_URL, set by the server

    _run(ClassServerApp(open_store, code))


if __name__ == "__main__":
    main()
