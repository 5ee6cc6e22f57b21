"""The shared market's waiting screen at 80×24 (issue 14), as a snapshot: who the quarter waits
for, who has ended it, how it resolves, and the keys."""

from __future__ import annotations

from textual.app import App

from pmsim.tui.company import Waiting
from pmsim.tui.screens.waiting import WaitingScreen


class WaitingApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(WaitingScreen(Waiting("PM-7QK4", "Acme", 2, ("Globex", "Initech"), ("Acme", "Hooli"))))


def test_waiting_screen(snap_compare):
    assert snap_compare(WaitingApp(), terminal_size=(80, 24))
