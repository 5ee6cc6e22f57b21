"""Small self-contained dialogs: commit the roadmap, answer a request with a reason, confirm."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pmsim.tui import fmt
from pmsim.tui.screens.modal import OnceModal
from pmsim.tui.service import GameView

MAX_RATIONALE = 500  # the engine's limit (pmsim.engine.actions.MAX_RATIONALE; a test keeps them equal)

REASONS = {
    "capacity": "Capacity: the team is full this quarter",
    "evidence": "Evidence: the research points elsewhere",
    "strategy": "Strategy: it doesn't serve our OKRs",
    "timing": "Timing: right idea, wrong quarter",
    "none": "No reason given (costs more trust)",
}

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 72; max-width: 100%; height: auto; max-height: 100%;
    border: thick $primary; background: $surface; padding: 0 1;
}}
{name} .dialog-title {{ text-style: bold; margin-bottom: 1; }}
{name} Input {{ margin-top: 1; }}
{name} OptionList {{ height: auto; max-height: 8; }}
{name} #advice {{ height: auto; max-height: 9; margin-top: 1; }}
"""


class EndRoundDialog(OnceModal[str | None]):
    """Commit the roadmap for the quarter, with an optional rationale (saved, never simulated).
    With the mentor on, its advice on the plan is listed (`advice`; None: the mentor is off)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="EndRoundDialog")
    BINDINGS = [
        Binding("escape", "cancel", "Keep planning"),
        Binding("enter", "commit", "Commit", show=True),
        Binding("pageup", "scroll_advice(-3)", "Scroll the advice", show=False),
        Binding("pagedown", "scroll_advice(3)", "Scroll the advice", show=False),
    ]

    def __init__(self, view: GameView, advice: tuple | list | None = None) -> None:
        super().__init__()
        self.view = view
        self.advice = advice

    def compose(self) -> ComposeResult:
        from pmsim.tui.widgets.coach import advice_lines

        v = self.view
        with Vertical():
            yield Static(f"Commit the roadmap for quarter {v.round} of {v.rounds}?", classes="dialog-title")
            yield Static(plan_summary(v))
            if self.advice is not None:
                with VerticalScroll(id="advice"):
                    head = Text("Mentor", style="bold")
                    if self.advice:
                        head.append(" (on what you know; your call)\n", style="dim")
                        head.append_text(advice_lines(self.advice, v))
                    else:
                        head.append(": nothing to flag in this plan.", style="dim")
                    yield Static(head, id="advice-text")
            yield Input(placeholder=f"Why this plan? (optional, up to {MAX_RATIONALE} characters, saved)",
                        max_length=MAX_RATIONALE, id="rationale")
            yield Static(Text("enter commits the roadmap · esc keeps planning", style="dim"))

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_commit()

    def action_commit(self) -> None:
        self.dismiss(self.query_one(Input).value.strip()[:MAX_RATIONALE])

    def action_scroll_advice(self, step: int) -> None:
        for box in self.query("#advice").results(VerticalScroll):
            box.scroll_relative(y=step, animate=False)

    def action_cancel(self) -> None:
        self.dismiss(None)


def plan_summary(v: GameView) -> Text:
    t = Text()
    now = [v.feature(f) for f in v.obs["now"]]
    cap = v.obs["capacity"]
    if now:
        t.append("Now: ", style="bold")
        t.append(", ".join(f"{f['title']} ({fmt.weeks(f['remaining_estimate'])})" for f in now))
    else:
        t.append("⚠ Nothing is planned in Now: the team will build nothing this quarter.", style="bold yellow")
    spikes = float(cap.get("spikes") or 0.0)
    if spikes > 0:  # the capacity line counts them: say so, or the items do not add up to it
        t.append(f"{', ' if now else chr(10)}spikes ({fmt.weeks(spikes)})")
    share = cap["committed"] / cap["total"] if cap["total"] else 0
    t.append(f"\nCapacity {fmt.bar(share, 12)} {fmt.decimal(cap['committed'], 1)} of {fmt.weeks(cap['total'])}  ")
    word, style = fmt.capacity_word(share)
    t.append(word, style=style)
    open_reqs = [q for q in v.open_requests if q["status"] == "open"]
    if open_reqs:
        names = sorted({v.stakeholder(q["stakeholder"])["name"] for q in open_reqs})
        t.append(f"\n⚠ {len(open_reqs)} unanswered request(s) from {', '.join(names)} will count as ignored.",
                 style="bold yellow")
    if not any(r["round"] == v.round for r in v.obs["research"]):
        t.append("\nℹ No research bought this quarter: the budget does not carry over.", style="dim")
    return t


class RespondDialog(OnceModal[tuple[str, str] | None]):
    """Defer or decline a request: a reason (it matters to the stakeholder) and an optional note."""

    DEFAULT_CSS = DIALOG_CSS.format(name="RespondDialog")
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("enter", "choose", "Send", show=False)]

    def __init__(self, response: str, who: str, text: str) -> None:
        super().__init__()
        self.response = response
        self.who = who
        self.text = text

    def compose(self) -> ComposeResult:
        verb = "Defer" if self.response == "defer" else "Decline"
        reasons = [r for r in REASONS if self.response == "decline" or r != "none"]
        with Vertical():
            yield Static(f"{verb} {self.who}'s request", classes="dialog-title")
            yield Static(Text(f"“{self.text}”", style="italic"))
            yield OptionList(*[Option(REASONS[r], id=r) for r in reasons], id="reasons")
            yield Input(placeholder=f"A note to them (optional, up to {MAX_RATIONALE} characters, saved)",
                        max_length=MAX_RATIONALE, id="note")
            yield Static(Text("↑↓ pick a reason · enter sends · tab to write a note · esc cancels", style="dim"))

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        ol.highlighted = 0
        ol.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._send(event.option.id or "none")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_choose()

    def action_choose(self) -> None:
        ol = self.query_one(OptionList)
        opt = ol.get_option_at_index(ol.highlighted or 0)
        self._send(opt.id or "none")

    def _send(self, reason: str) -> None:
        self.dismiss((reason, self.query_one(Input).value.strip()[:MAX_RATIONALE]))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(OnceModal[bool]):
    """A yes/no question."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmDialog")
    BINDINGS = [Binding("y,enter", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, classes="dialog-title")
            if self.detail:
                yield Static(self.detail)
            yield Static(Text("y / enter: yes · n / esc: no", style="dim"))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class FaultDialog(OnceModal[bool]):
    """A transient storage fault (disk full, database unreachable, lock timeout): nothing was
    saved and nothing changed on screen. Retry runs the same request again; Quit leaves (every
    action saved before the fault is kept)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="FaultDialog")
    BINDINGS = [Binding("r,enter", "answer(True)", "Retry"), Binding("q,escape", "answer(False)", "Quit")]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Could not save: your last action was not applied", style="bold"),
                         classes="dialog-title")
            yield Static(Text(self.message))  # Text: the message is shown as written, never as markup
            yield Static(Text("Everything before it is saved. Fix the problem (free some disk space, "
                              "restart the database server), then retry.", style="dim"))
            yield Static(Text("r / enter: retry · q / esc: quit", style="dim"))

    def action_answer(self, retry: bool) -> None:
        self.dismiss(retry)
