"""Help (`?`): every key, read from the bindings themselves so the list cannot go stale."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from pmsim.tui.screens.modal import OnceModal
from pmsim.tui.widgets.keybar import KeyBar

GENERAL = [
    ("tab / shift+tab", "Move the focus between lists, tables and fields"),
    ("↑ ↓ / page up/down", "Move in a list or table; scroll"),
    ("enter", "Choose the highlighted item"),
    ("ctrl+p", "Command palette: every action by name (type to search)"),
    ("mouse", "Click tabs, rows and keys; click a table header to sort by it"),
]


def key_name(b: Binding) -> str:
    if b.key_display:
        return b.key_display
    names = {"question_mark": "?", "escape": "esc", "delete": "del", "backspace": "⌫", "shift+up": "⇧↑",
             "shift+down": "⇧↓", "left": "←", "right": "→"}
    return " / ".join(names.get(k.strip(), k.strip()) for k in b.key.split(","))


def section(title: str, bindings: list[Binding]) -> Table:
    tab = Table(box=None, padding=(0, 1), show_header=False, title=title, title_justify="left",
                title_style="bold")
    tab.add_column("Key", style="bold", no_wrap=True, min_width=14)
    tab.add_column("Does")
    seen = set()
    for b in bindings:  # keys that do the same thing (the same words) share a row: "q / esc  Title"
        if b.description in seen or not b.description:
            continue
        seen.add(b.description)
        keys = [x for x in bindings if x.description == b.description]
        tab.add_row(" / ".join(dict.fromkeys(key_name(x) for x in keys)), b.description)
    return tab


class HelpScreen(OnceModal[None]):
    """Every key of every screen, grouped; the current screen's keys first."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", key_display="esc")]

    def __init__(self, sections: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        general = Table(box=None, padding=(0, 1), show_header=False, title="Moving around",
                        title_justify="left", title_style="bold")
        general.add_column("Key", style="bold", no_wrap=True, min_width=14)
        general.add_column("Does")
        for k, d in GENERAL:
            general.add_row(k, d)
        parts = [Text("Keys", style="bold underline"), general]
        for title, bindings in self.sections:
            parts += [Text(""), section(title, bindings)]
        with Vertical(id="help-box"):
            with VerticalScroll(id="help-scroll"):
                yield Static(Group(*parts), id="help-body")
            yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)


def sections(app_cls: type) -> list[tuple[str, list[Binding]]]:
    """Every screen's and pane's bindings, by title: what the help screen lists."""
    from pmsim.tui.screens.debrief import DebriefScreen
    from pmsim.tui.screens.dialogs import ConfirmDialog, EndRoundDialog, RespondDialog
    from pmsim.tui.screens.explain import ExplainScreen
    from pmsim.tui.screens.game import GameScreen
    from pmsim.tui.screens.new_game import NewGameScreen
    from pmsim.tui.screens.replay import ReplayScreen
    from pmsim.tui.screens.report import RoundReportScreen
    from pmsim.tui.screens.saves import SavesScreen
    from pmsim.tui.screens.title import TitleScreen
    from pmsim.tui.widgets.inbox import InboxPane
    from pmsim.tui.widgets.research import ResearchPane
    from pmsim.tui.widgets.roadmap import RoadmapPane

    hidden = getattr(app_cls, "HIDDEN_ACTIONS", frozenset())

    def b(cls: type) -> list[Binding]:  # (less the app actions this app neither shows nor runs)
        return [x for x in cls.BINDINGS if isinstance(x, Binding)
                and not (x.action.startswith("app.") and x.action[4:] in hidden)]

    return [
        ("Everywhere", b(app_cls) + [Binding("ctrl+p", "palette", "Command palette"),
                                     Binding("ctrl+q", "quit", "Quit pmsim")]),
        ("Title screen", b(TitleScreen)), ("New game", b(NewGameScreen)),
        ("Game (all panes)", b(GameScreen)),
        ("Roadmap pane", b(RoadmapPane)), ("Inbox pane", b(InboxPane)), ("Research pane", b(ResearchPane)),
        ("End-round dialog", b(EndRoundDialog)), ("Defer/decline dialog", b(RespondDialog)),
        ("Explanation (i)", b(ExplainScreen)),
        ("Round report", b(RoundReportScreen)), ("Debrief", b(DebriefScreen)),
        ("Replay viewer", b(ReplayScreen)), ("Saved games", b(SavesScreen)), ("Confirm", b(ConfirmDialog)),
    ]
