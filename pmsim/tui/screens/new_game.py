"""New game: pick a scenario (title, summary, difficulty, rounds), a seed and your name."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from pmsim.tui import fmt
from pmsim.tui.service import MAX_SEED, Catalog, ScenarioEntry
from pmsim.tui.widgets.keybar import KeyBar


def describe(e: ScenarioEntry) -> Text:
    t = Text()
    t.append(e.title + "\n", style="bold")
    t.append(e.facts() + "\n\n", style="dim")
    t.append(e.summary + "\n")
    if e.lessons:
        t.append("\nWhat it teaches\n", style="bold")
        for lesson in e.lessons:
            t.append(f"  ▸ {lesson}\n")
    return t


class NewGameScreen(Screen):
    BINDINGS = [
        # priority: the scenario list's own enter (select) hid this one from the footer, so the first
        # screen a newcomer sees did not show its main key (enter in a field starts the game too)
        Binding("enter", "start", "Start", show=True, priority=True),
        Binding("escape", "app.title", "Back"),
        # the description is not in the tab chain (tab goes list → seed → name, as the title line
        # says): these scroll it from anywhere on the screen
        Binding("pageup", "scroll_detail(-1)", "Scroll the description", show=False, priority=True),
        Binding("pagedown", "scroll_detail(1)", "Scroll the description", show=False, priority=True),
    ]

    @dataclass
    class GameRequested(Message):
        scenario_id: str
        seed: int
        player: str

    def __init__(self, catalog: Catalog, seed: int, player: str, selected: str | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.seed = seed
        self.player = player
        self.selected = selected

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("New game", "bold"), ("  ↑↓ pick a scenario · enter starts · tab: seed, name",
                                                          "dim")), id="new-title")
        with Horizontal(id="new-body"):
            ol = OptionList(*[Option(fmt.scenario_name(e.title, e.id).append(f" · {e.rounds} q",
                                                                             style="dim"), id=e.id)
                              for e in self.catalog.entries], id="scenario-list")
            ol.border_title = "Scenarios"
            yield ol
            # not focusable: one tab from the list must reach the seed (a newcomer's first tab landed
            # here, and the seed they typed went nowhere)
            with VerticalScroll(id="scenario-detail-box", can_focus=False):
                yield Static(id="scenario-detail")
        with Horizontal(id="new-fields"):
            with Vertical():
                yield Label("Seed (same seed = same market)")
                yield Input(str(self.seed), id="seed", type="integer", max_length=19)
            with Vertical():
                yield Label("Your name")
                yield Input(self.player, id="player", max_length=80)
        yield KeyBar()

    def on_mount(self) -> None:
        ol = self.query_one("#scenario-list", OptionList)
        ol.highlighted = self.catalog.index(self.selected)
        ol.focus()
        self._detail()

    def action_scroll_detail(self, pages: int) -> None:
        box = self.query_one("#scenario-detail-box", VerticalScroll)
        box.scroll_to(y=box.scroll_y + pages * max(box.size.height - 1, 1), animate=False)

    def _current(self) -> ScenarioEntry:
        ol = self.query_one("#scenario-list", OptionList)
        return self.catalog.entries[ol.highlighted or 0]

    def _detail(self) -> None:
        self.query_one("#scenario-detail", Static).update(describe(self._current()))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._detail()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_start()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_start()

    def action_start(self) -> None:
        raw = self.query_one("#seed", Input).value.strip()
        if not raw.isdigit() or int(raw) > MAX_SEED:
            self.notify("The seed must be a whole number from 0 to 2^63-1.", severity="error")
            self.query_one("#seed", Input).focus()
            return
        player = " ".join(self.query_one("#player", Input).value.split())
        if not player:
            self.notify("Type your name first: it goes on your save and your debrief.", severity="error")
            self.query_one("#player", Input).focus()
            return
        self.post_message(self.GameRequested(self._current().id, int(raw), player))
