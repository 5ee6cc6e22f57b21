"""The replay viewer: step through a saved game's rounds, decisions beside the optimum, fork."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Static

from pmsim.tui import fmt
from pmsim.tui.replay_data import Replay, ReplayRound
from pmsim.tui.widgets.keybar import KeyBar

STEP_GROUP = Binding.Group("Round", compact=True)


def round_body(rr: ReplayRound) -> Group:
    dec = Text()
    for d in rr.decisions or ["(no decisions)"]:
        dec.append(f"  • {d}\n")
    tab = Table(box=None, padding=(0, 1), header_style="bold", expand=True)
    tab.add_column("You planned (✓ shipped)", ratio=1)
    tab.add_column("Best on what you knew", ratio=1)
    tab.add_column("Best in hindsight", ratio=1)
    shipped = set(rr.shipped)
    mine = [f"{'✓ ' if f in shipped else ''}{f}" for f in rr.plan] + [f"(carried) {f}" for f in rr.carried]
    rows = max(len(mine), len(rr.best_on_beliefs), len(rr.best_in_hindsight), 1)
    for i in range(rows):
        tab.add_row(*(Text(col[i]) if i < len(col) else "" for col in (mine, rr.best_on_beliefs, rr.best_in_hindsight)))
    out = Text()
    out.append("Shipped ", style="bold")
    out.append(", ".join(f"✓ {f}" for f in rr.shipped) or "nothing")
    if rr.slipped:
        out.append("   Slipped ", style="bold")
        out.append(", ".join(f"✗ {f}" for f in rr.slipped))
    m = rr.metrics
    # the truth, which the player saw only through a pulse survey (the screens showed its reading)
    seen = "" if rr.surveyed_nps is None else f" (true; the survey read {fmt.plus(rr.surveyed_nps)})"
    out.append(f"\nCustomers {fmt.num(m['customers'])} · revenue {fmt.money(m['revenue'])}/qtr · "
               f"NPS {fmt.plus(m['nps'])}{seen} · churn {fmt.pct(m['churn_rate'], 1)} · "
               f"activation {fmt.pct(m['activation_rate'], 1)}\n")
    for line in rr.reactions:
        out.append(f"  {line}\n")
    for line in rr.news:
        out.append(f"  • {line}\n", style="dim")
    return Group(Text("Decisions", style="bold"), dec, Text("Your new work beside the optimum", style="bold"),
                 tab, Text("\nOutcome", style="bold"), out)


class ReplayScreen(Screen):
    BINDINGS = [
        Binding("left,p", "step(-1)", "Previous", key_display="←", group=STEP_GROUP),
        Binding("right,n", "step(1)", "Next", key_display="→", group=STEP_GROUP),
        # priority: the focused scroll area has its own home/end (scroll to top/bottom), which ate
        # the keys the help lists for the first and last round
        Binding("home", "jump(0)", "First round", show=False, priority=True),
        Binding("end", "jump(-1)", "Last round", show=False, priority=True),
        Binding("f", "fork", "Fork here"),
        Binding("escape", "back", "Back"),
    ]

    index: var[int] = var(0, init=False)

    @dataclass
    class ForkRequested(Message):
        """Start a new game from `target` keeping the decisions of rounds 1..`round`."""

        target: str
        round: int

    def __init__(self, replay: Replay) -> None:
        super().__init__()
        self.replay = replay

    @property
    def pages(self) -> int:
        return len(self.replay.rounds) + (1 if self.replay.pending or not self.replay.rounds else 0)

    def compose(self) -> ComposeResult:
        yield Static(Text(self.replay.header, style="bold"), id="replay-header")
        yield Static(id="replay-nav")
        with VerticalScroll(id="replay-scroll"):
            yield Static(id="replay-body")
        yield KeyBar()

    def on_mount(self) -> None:
        self.index = 0
        self.watch_index(0)
        self.query_one("#replay-scroll").focus()

    def watch_index(self, index: int) -> None:
        rp = self.replay
        nav = Text()
        nav.append("◀ " if index > 0 else "  ")
        if index < len(rp.rounds):
            rr = rp.rounds[index]
            nav.append(f"Round {rr.round} of {rp.rounds_total}", style="bold")
            nav.append(" ▶" if index + 1 < self.pages else "  ")
            nav.append(f"   score {rr.score:.1f} ")
            nav.append_text(fmt.trend(rr.score_delta))
            nav.append(f" {fmt.signed(rr.score_delta)} · regret {rr.regret:.1f} · ")
            nav.append("✓ verified" if rr.matches else "✗ DIFFERS from the record",
                       style="green" if rr.matches else "bold red")
            body = round_body(rr)
        else:
            nav.append(f"Round {len(rp.rounds) + 1} (in progress)", style="bold")
            t = Text()
            for d in rp.pending or ["(no decisions yet)"]:
                t.append(f"  • {d}\n")
            body = Group(Text("Decisions so far", style="bold"), t)
        if rp.problem:
            nav.append(f"\n⚠ {rp.problem}", style="bold red")
        self.query_one("#replay-nav", Static).update(nav)
        self.query_one("#replay-body", Static).update(body)

    def action_step(self, step: int) -> None:
        self.index = min(max(self.index + step, 0), max(self.pages - 1, 0))

    def action_jump(self, where: int) -> None:
        self.index = 0 if where == 0 else max(self.pages - 1, 0)

    def fork_round(self) -> int:
        """Forking on the page of round N replays round N differently: keep rounds 1..N-1."""
        if self.index < len(self.replay.rounds):
            return self.replay.rounds[self.index].round - 1
        return len(self.replay.rounds)

    def action_fork(self) -> None:
        from pmsim.tui.screens.dialogs import ConfirmDialog

        n = self.fork_round()
        kept = (f"keeps your decisions of rounds 1–{n}" if n > 1 else "keeps your decisions of round 1" if n
                else "keeps no decisions")  # not "rounds 1–1"
        question = f"Fork a new game at round {n + 1}?"

        def answer(yes: bool | None) -> None:
            if yes:
                self.post_message(self.ForkRequested(self.replay.target, n))

        self.app.push_screen(ConfirmDialog(question, f"The new save {kept}; the original stays as it is."), answer)

    def action_back(self) -> None:
        self.app.action_title()  # type: ignore[attr-defined]
