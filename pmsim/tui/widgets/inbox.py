"""The Inbox pane: stakeholder requests, who asks and how much they trust you, your answers, and
the stakeholders' replies when you renegotiate a promise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from pmsim.tui import fmt
from pmsim.tui.service import GameView
from pmsim.tui.widgets.base import ViewPane
from pmsim.tui.widgets.table import Column, GameTable

STATUS_ORDER = {"open": 0, "deferred": 1, "accepted": 2, "broken": 3, "declined": 4, "released": 5, "ignored": 6,
                "delivered": 7}
STATUS_SYMBOL = {**fmt.STATUS_SYMBOL, "released": "○ released"}
REPLY_STYLE = {"agreed": "green", "pushed back": "yellow", "escalated": "bold red"}
ANSWER_GROUP = Binding.Group("Accept/Defer/Decline")


class AnswerDialogs(Protocol):
    """What opens the Inbox's dialogs: its screen (`GameScreen`), so that the widget opens no screen
    itself. Each calls `done` with the answer, or None when the player cancels."""

    def ask_reason(self, response: str, who: str, text: str,
                   done: Callable[[tuple[str, str] | None], None]) -> None: ...

    def ask_new_date(self, who: str, text: str, deadline: int, round: int, rounds: int,
                     done: Callable[[tuple[int | None, str, str] | None], None]) -> None: ...


def request_rows(view: GameView) -> list[dict[str, Any]]:
    """Open requests first, the newest quarter's first (then the most urgent); then the rest, newest first."""
    reqs = [q for q in view.obs["requests"] if q["round"] <= view.round]
    return sorted(reqs, key=lambda q: (STATUS_ORDER.get(q["status"], 9), -q["round"],
                                       -q["urgency"] if q["status"] == "open" else 0, q["id"]))


class RequestDetail(Static):
    """The highlighted request in full."""


class StakeholderList(Static):
    """Everyone you answer to, with their trust in you."""


class InboxPane(ViewPane):
    BINDINGS = [
        Binding("a", "answer('accept')", "Accept", group=ANSWER_GROUP),
        Binding("d", "answer('defer')", "Defer", group=ANSWER_GROUP),
        Binding("x", "answer('decline')", "Decline", group=ANSWER_GROUP),
        Binding("r", "renegotiate", "Renegotiate"),
    ]

    @dataclass
    class ResponseChosen(Message):
        request: str
        response: str
        reason: str = "none"
        rationale: str = ""

    @dataclass
    class RenegotiationChosen(Message):
        """Ask `request`'s stakeholder for `new_deadline` (None: drop the promise)."""

        request: str
        new_deadline: int | None
        reason: str
        rationale: str = ""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self._advance = False  # after an answer, highlight the next open request
        self._round: int | None = None  # the quarter last shown: a new one starts at the top (the new requests)

    def compose(self) -> ComposeResult:
        table = GameTable(id="inbox-table")
        table.border_title = "Requests"
        yield table
        with Horizontal(id="inbox-bottom"):
            with VerticalScroll(id="request-scroll"):
                yield RequestDetail(id="request-detail")
            with VerticalScroll(id="stakeholder-scroll"):
                yield StakeholderList(id="stakeholders")

    @property
    def table(self) -> GameTable:
        return self.query_one("#inbox-table", GameTable)

    def focus_main(self) -> None:
        self.focus_now(self.table)

    def explain_topic(self) -> tuple[str, str | None]:
        return "stakeholders", None

    def show(self, view: GameView) -> None:
        table = self.table
        current = self.current_request()
        table.set_columns([Column("status", "Status"), Column("from", "From", flex=True, min_width=16),
                           Column("urgency", "Urgency"), Column("about", "About", flex=True, min_width=12),
                           Column("due", "Due")])
        rows = request_rows(view)
        if self._round != view.round:
            self._round = view.round
            current = rows[0]["id"] if rows else None
        if self._advance:
            self._advance = False
            current = next((q["id"] for q in rows if q["status"] == "open"), current)
        out = []
        for q in rows:
            s = view.stakeholder(q["stakeholder"])
            about = view.feature_title(q["feature"]) if q["feature"] else "—"
            style = "bold" if q["status"] == "open" else "" if q["status"] == "deferred" else "dim"
            due = f"Q{q['deadline']}" if q["deadline"] else "—"
            if q.get("original_deadline"):
                due += " ↻"  # moved by a renegotiation
            out.append((q["id"], [
                Text(STATUS_SYMBOL.get(q["status"], q["status"]), style=style),
                Text(f"{s['name']} ({s['title']})", style=style), fmt.urgency_word(q["urgency"]),
                about, due,
            ]))
        table.set_rows(out, keep=current)
        self.query_one(StakeholderList).update(stakeholder_text(view))
        self._describe(view)
        self.refresh_bindings()

    def current_request(self) -> str | None:
        return self.table.current_key

    def _describe(self, view: GameView) -> None:
        rid = self.current_request()
        q = next((r for r in view.obs["requests"] if r["id"] == rid), None)
        self.query_one(RequestDetail).update(request_text(view, q) if q else "No requests yet.")

    def on_game_table_row_highlighted(self, event: GameTable.RowHighlighted) -> None:
        event.stop()
        if self.view is not None:
            self._describe(self.view)
        self.refresh_bindings()  # r shows only on a request that can be renegotiated

    def _current(self) -> dict[str, Any] | None:
        rid = self.current_request()
        if rid is None or self.view is None:
            return None
        return next((r for r in self.view.obs["requests"] if r["id"] == rid), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "renegotiate":
            q = self._current()
            return q is not None and q["status"] == "accepted"
        return True

    def action_renegotiate(self) -> None:
        q = self._current()
        if q is None or self.view is None:
            return
        view = self.view
        problem = renegotiation_problem(q, view.round)
        if problem:
            self.notify(problem, severity="warning")
            return
        s = view.stakeholder(q["stakeholder"])
        rid = q["id"]

        def chosen(answer: tuple[int | None, str, str] | None) -> None:
            if answer is not None:
                self.post_message(self.RenegotiationChosen(rid, answer[0], answer[1], answer[2]))

        cast(AnswerDialogs, self.screen).ask_new_date(f"{s['name']} ({s['title']})", q["text"], q["deadline"],
                                                      view.round, view.rounds, chosen)

    def action_answer(self, response: str) -> None:
        rid = self.current_request()
        if rid is None or self.view is None:
            return
        q = next(r for r in self.view.obs["requests"] if r["id"] == rid)
        if q["status"] not in ("open", "deferred"):
            self.notify(f"That request is already {q['status']}.", severity="warning")
            return
        if response == "accept":
            self._advance = True
            self.post_message(self.ResponseChosen(rid, "accept"))
            return
        s = self.view.stakeholder(q["stakeholder"])

        def chosen(answer: tuple[str, str] | None) -> None:
            if answer is not None:
                self._advance = True
                self.post_message(self.ResponseChosen(rid, response, answer[0], answer[1]))

        cast(AnswerDialogs, self.screen).ask_reason(response, s["name"], q["text"], chosen)


def request_text(view: GameView, q: dict[str, Any]) -> Text:
    s = view.stakeholder(q["stakeholder"])
    t = Text()
    t.append(f"“{q['text']}”\n", style="italic")
    t.append(f"— {s['name']}, {s['title']}", style="bold")
    t.append(f" (asked in Q{q['round']}, urgency {fmt.urgency_word(q['urgency'])})\n")
    t.append("Trust in you ")
    t.append_text(fmt.trust_text(s["trust"]))
    t.append(f" · power {fmt.urgency_word(s['power'])}\n")
    if q["feature"]:
        f = view.feature(q["feature"])
        where = f["slot"].upper() if f["slot"] else "not on the roadmap"
        t.append(f"About: {f['title']} ({f['remaining_estimate']:.1f} wk, {where})\n", style="dim")
    st = q["status"]
    if st == "open":
        t.append("a accept · d defer with a reason · x decline. Unanswered requests count as ignored.",
                 style="dim")
        if q.get("past_due"):
            t.append("\nPast its due date: a yes now promises it this quarter, and it counts as late.",
                     style="yellow")
    else:
        t.append(STATUS_SYMBOL.get(st, st), style="bold")
        if q.get("reason") and q["reason"] != "none":
            t.append(f" (reason: {q['reason']})")
        if q.get("rationale"):
            t.append(f" — “{q['rationale']}”")
        if st == "deferred" and q.get("past_due"):
            t.append("\nPast its due date: trust drops each quarter it waits; a yes now earns less.",
                     style="yellow")
        if st == "broken" and q.get("delivered_round"):
            t.append(f"\nDelivered late, in Q{q['delivered_round']}.", style="dim")
    for ask in q.get("renegotiations", []):
        wanted = f"Q{ask['new_deadline']}" if ask["new_deadline"] is not None else "to drop it"
        t.append(f"\nQ{ask['round']}: you asked for {wanted} ({ask['reason']}). ", style="dim")
        t.append(ask["text"], style=REPLY_STYLE.get(ask["reply"], ""))
    if st == "accepted" and not renegotiation_problem(q, view.round):
        t.append("\nr renegotiate: a later date or drop it, with a reason (cheaper than a broken promise).",
                 style="dim")
    return t


def renegotiation_problem(q: dict[str, Any], current_round: int) -> str | None:
    """Why the highlighted request cannot be renegotiated now (the engine has the last word)."""
    if q["status"] != "accepted":
        return f"Only an accepted request can be renegotiated; this one is {q['status']}."
    if not q.get("feature"):
        return "There is nothing to build for this request."
    if q.get("deadline") is not None and q["deadline"] < current_round:
        return f"It was due in Q{q['deadline']}: too late to renegotiate."
    if any(a["round"] == current_round for a in q.get("renegotiations", [])):
        return "You already renegotiated this request this quarter."
    return None


def stakeholder_text(view: GameView) -> Text:
    t = Text()
    t.append("Stakeholders (trust)\n", style="bold")
    for s in sorted(view.obs["stakeholders"], key=lambda s: -s["salience"]):
        t.append(f"{fmt.clip(s['name'], 18)}, {fmt.clip(s['title'], 14)}\n")
        t.append("  ")
        t.append_text(fmt.trust_text(s["trust"]))
        t.append(f" · power {fmt.urgency_word(s['power'])}\n", style="dim")
    reports = view.obs["reports"]
    if reports and reports[-1].get("reactions"):
        t.append(f"\nReactions after Q{reports[-1]['round']}\n", style="bold")
        for r in reports[-1]["reactions"]:
            t.append(f"{fmt.MOOD_SYMBOL.get(r['mood'], '•')} {r['text']}\n")
    return t
