"""Saved games: open one to play on, replay it, or delete it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from pmsim.textsafe import name
from pmsim.tui import fmt
from pmsim.tui.widgets.keybar import KeyBar
from pmsim.tui.widgets.table import Column, GameTable


def ago(dt: datetime | None, now: datetime | None = None) -> str:
    """A relative time ('just now', '5 min ago'): stable in snapshots, easy to read."""
    if dt is None:
        return ""
    now = now or datetime.now(UTC)
    s = (now - dt).total_seconds()
    if s < 60:
        return "just now"
    if s < 3600:
        return f"{int(s // 60)} min ago"
    if s < 86400:
        return f"{int(s // 3600)} h ago"
    if s < 7 * 86400:
        return f"{int(s // 86400)} d ago"
    return dt.strftime("%Y-%m-%d")


class SavesScreen(Screen):
    BINDINGS = [
        Binding("o", "open", "Open"),
        Binding("r", "replay", "Replay"),
        Binding("x", "delete", "Delete"),
        Binding("escape", "app.title", "Back"),
    ]

    @dataclass
    class SaveChosen(Message):
        save_id: int
        purpose: str  # "load" | "replay" | "delete"

    def __init__(self, saves: list[Any], purpose: str) -> None:
        super().__init__()
        self.saves = saves
        self.purpose = purpose

    def compose(self) -> ComposeResult:
        what = "Replay a saved game" if self.purpose == "replay" else "Load a saved game"
        yield Static(Text(f"{what}  (enter: {'replay' if self.purpose == 'replay' else 'open'})", style="bold"),
                     id="saves-title")
        table = GameTable(id="saves-table")
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(GameTable)
        table.set_columns([Column("id", "ID", "right"), Column("player", "Player", flex=True),
                           Column("scenario", "Scenario", flex=True, min_width=16), Column("seed", "Seed", "right"),
                           Column("round", "Round", "right"), Column("status", "Status"),
                           Column("score", "Score", "right"), Column("updated", "Updated")])
        rows = []
        for s in self.saves:
            status = {"finished": "✓ finished", "damaged": "✗ damaged"}.get(s.status, "▶ playing")
            score = "—" if s.score is None else f"{s.score:.1f}"
            rows.append((str(s.id), [str(s.id), name(s.player), fmt.scenario_name(s.scenario_title, name(s.scenario_id)), str(s.seed), str(s.round), status, score,
                                     ago(s.updated_at)]))
        table.set_rows(rows)
        if not self.saves:
            self.query_one("#saves-title", Static).update(
                Text("No saved games yet: press escape, then n for a new game.", style="bold"))
        table.focus()

    def _current(self) -> int | None:
        key = self.query_one(GameTable).current_key
        return None if key is None else int(key)

    def on_game_table_row_selected(self, event: GameTable.RowSelected) -> None:
        event.stop()
        self._choose("replay" if self.purpose == "replay" else "load")

    def _choose(self, purpose: str) -> None:
        sid = self._current()
        if sid is not None:
            self.post_message(self.SaveChosen(sid, purpose))

    def action_open(self) -> None:
        self._choose("load")

    def action_replay(self) -> None:
        self._choose("replay")

    def action_delete(self) -> None:
        from pmsim.tui.screens.dialogs import ConfirmDialog

        sid = self._current()
        if sid is None:
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.post_message(self.SaveChosen(sid, "delete"))

        self.app.push_screen(ConfirmDialog(f"Delete save {sid}?", "Its whole history goes; this cannot be undone."),
                             answer)
