"""The renegotiation dialog: go back to a stakeholder about a promise before its deadline."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pmsim.tui.screens.dialogs import DIALOG_CSS, MAX_RATIONALE, REASONS

DROP = "drop"


def date_options(deadline: int | None, rounds: int) -> list[tuple[str, str]]:
    """(option id, label): each later quarter the game still has, then dropping the promise."""
    out = []
    if deadline is not None:
        out = [(f"q{q}", f"Move it to Q{q}" + (" (the last quarter)" if q == rounds else ""))
               for q in range(deadline + 1, rounds + 1)]
    return [*out, (DROP, "Drop it from your commitments (reduce the scope to nothing)")]


class RenegotiateDialog(ModalScreen[tuple[int | None, str, str] | None]):
    """A new quarter (or dropping the promise), a reason, and an optional note. Dismisses with
    (new deadline or None to drop, reason, note), or None when cancelled."""

    DEFAULT_CSS = DIALOG_CSS.format(name="RenegotiateDialog") + """
RenegotiateDialog #reasons { margin-top: 1; }
"""
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("enter", "choose", "Send", show=False)]

    def __init__(self, who: str, text: str, deadline: int | None, current_round: int, rounds: int) -> None:
        super().__init__()
        self.who = who
        self.text = text
        self.deadline = deadline
        self.current_round = current_round
        self.rounds = rounds

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Renegotiate with {self.who}", classes="dialog-title")
            yield Static(Text(f"“{self.text}”", style="italic"))
            yield Static(Text(self._notice(), style="dim"))
            yield OptionList(*[Option(label, id=oid) for oid, label in date_options(self.deadline, self.rounds)],
                             id="dates")
            yield OptionList(*[Option(REASONS[r], id=r) for r in REASONS if r != "none"], id="reasons")
            yield Input(placeholder=f"A note to them (optional, up to {MAX_RATIONALE} characters, saved)",
                        max_length=MAX_RATIONALE, id="note")
            yield Static(Text("↑↓ pick · tab: the reason, then a note · enter sends · esc cancels", style="dim"))

    def _notice(self) -> str:
        if self.deadline is None:
            return "No deadline. They may agree, push back or escalate, depending on their power and trust."
        left = self.deadline - self.current_round
        when = "this quarter: late news, it costs the most" if left <= 0 else \
            f"in {left} quarter{'s' if left > 1 else ''}: the earlier you tell them, the less it costs"
        return (f"Promised for Q{self.deadline}, due {when}. They may agree, push back (the date stands) or "
                "escalate, depending on their power and their trust in you.")

    def on_mount(self) -> None:
        for ol in self.query(OptionList):
            ol.highlighted = 0
        self.query_one("#dates", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_choose()

    def action_choose(self) -> None:
        dates = self.query_one("#dates", OptionList)
        reasons = self.query_one("#reasons", OptionList)
        when = dates.get_option_at_index(dates.highlighted or 0).id or DROP
        reason = reasons.get_option_at_index(reasons.highlighted or 0).id or "capacity"
        new = None if when == DROP else int(when[1:])
        self.dismiss((new, reason, self.query_one(Input).value.strip()[:MAX_RATIONALE]))

    def action_cancel(self) -> None:
        self.dismiss(None)
