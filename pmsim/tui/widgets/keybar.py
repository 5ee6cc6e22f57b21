"""A footer that wraps: every active key stays visible at 80 columns.

Textual's `Footer` is one scrolling line, so at 80×24 most of the game's keys would sit
off-screen where a keyboard-only player cannot scroll. `KeyBar` lays the same active bindings
(focused widget first, then screen, then app; `Binding.Group`s combined) over as many lines as
it needs. Clicking a key presses it.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static


class KeyBar(Static):
    """The keys that work right now, wrapped to the width of the screen."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self._spots: list[tuple[int, int, int, str]] = []  # (line, start, end, key)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.refresh_keys)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self.refresh_keys)

    def on_resize(self, event: events.Resize) -> None:
        self.refresh_keys()

    def items(self) -> list[tuple[str, str, str, bool]]:
        """(keys shown, description, key to press, enabled) for each active binding or group."""
        by_action: defaultdict[str, list[tuple[Binding, bool]]] = defaultdict(list)
        for _node, binding, enabled, _tip in self.screen.active_bindings.values():
            if binding.show:
                by_action[binding.action].append((binding, enabled))
        out: list[tuple[str, str, str, bool]] = []
        for group, members in groupby(by_action.values(), lambda m: m[0][0].group):
            members = list(members)
            if group is not None and len(members) > 1:
                keys = "".join(self.app.get_key_display(m[0][0]) for m in members) if group.compact else \
                    " ".join(self.app.get_key_display(m[0][0]) for m in members)
                out.append((keys, group.description, members[0][0][0].key, any(m[0][1] for m in members)))
            else:
                for m in members:
                    b, enabled = m[0]
                    out.append((self.app.get_key_display(b), b.description, b.key, enabled))
        if self.app.ENABLE_COMMAND_PALETTE and not self.screen.is_modal:
            out.append(("^p", "Commands", self.app.COMMAND_PALETTE_BINDING, True))
        return out

    def refresh_keys(self) -> None:
        if not self.is_attached:
            return
        width = max(self.size.width, 20)
        text = Text(no_wrap=True, overflow="crop")
        self._spots = []
        line, col = 0, 0
        for keys, desc, key, enabled in self.items():
            piece = len(keys) + 2 + len(desc)
            if col and col + 2 + piece > width:
                text.append("\n")
                line, col = line + 1, 0
            elif col:
                text.append("  ")
                col += 2
            style = "keybar--key" if enabled else "keybar--disabled"
            text.append(f" {keys} ", style=self.get_component_rich_style(style, partial=True))
            text.append(desc, style="" if enabled else "dim")
            self._spots.append((line, col, col + piece, key))
            col += piece
        self.update(text)

    def on_click(self, event: events.Click) -> None:
        for line, start, end, key in self._spots:
            if event.y == line and start <= event.x < end:
                self.app.simulate_key(key)
                return

    COMPONENT_CLASSES = {"keybar--key", "keybar--disabled"}
