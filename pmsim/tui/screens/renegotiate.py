"""The renegotiation dialog: go back to a stakeholder about a promise before its deadline."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pmsim.tui.screens.dialogs import DIALOG_CSS, MAX_RATIONALE
from pmsim.tui.screens.modal import OnceModal

DROP = "drop"
REASONS = {  # the short forms of the defer/decline dialog's reasons: two lists side by side at 80 columns
    "capacity": "Capacity: the team is full",
    "evidence": "Evidence: research says so",
    "strategy": "Strategy: off our OKRs",
    "timing": "Timing: wrong quarter",
}


def date_options(deadline: int | None, rounds: int) -> list[tuple[str, str]]:
    """(option id, label): each later quarter the game still has, then dropping the promise."""
    out = []
    if deadline is not None:
        out = [(f"q{q}", f"Move it to Q{q}" + (" (last)" if q == rounds else ""))
               for q in range(deadline + 1, rounds + 1)]
    return [*out, (DROP, "Drop the promise")]


class RenegotiateDialog(OnceModal[tuple[int | None, str, str] | None]):
    """A new quarter (or dropping the promise), a reason, and an optional note. Dismisses with
    (new deadline or None to drop, reason, note), or None when cancelled."""

    DEFAULT_CSS = DIALOG_CSS.format(name="RenegotiateDialog") + """
RenegotiateDialog Horizontal { height: auto; margin-top: 1; }
RenegotiateDialog Horizontal OptionList { width: 1fr; max-height: 8; }
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
            with Horizontal():
                yield OptionList(*[Option(label, id=oid) for oid, label in date_options(self.deadline, self.rounds)],
                                 id="dates")
                yield OptionList(*[Option(label, id=r) for r, label in REASONS.items()], id="reasons")
            yield Input(placeholder=f"A note to them (optional, up to {MAX_RATIONALE} characters, saved)",
                        max_length=MAX_RATIONALE, id="note")
            yield Static(Text("↑↓ pick · tab: the reason, the note · enter sends · esc cancels", style="dim"))

    def _notice(self) -> str:
        reply = "They agree, push back or escalate, by their power and trust in you."
        if self.deadline is None:
            return f"No deadline. {reply}"
        left = self.deadline - self.current_round
        when = "this quarter (late news costs most)" if left <= 0 else \
            f"in {left} quarter{'s' if left > 1 else ''} (early news costs less)"
        return f"Promised for Q{self.deadline}, due {when}. {reply}"

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
