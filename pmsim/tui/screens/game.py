"""The game screen: a status line, five panes (Dashboard, Inbox, Research, Roadmap, OKRs), the
tutorial's guide and the mentor below them, keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Static, TabbedContent, TabPane

from pmsim.tui import fmt
from pmsim.tui.coach import CoachState
from pmsim.tui.messages import ExplainRequested
from pmsim.tui.service import GameView
from pmsim.tui.widgets.base import ViewPane
from pmsim.tui.widgets.coach import GuidePanel, MentorPanel, guide_text, mentor_text
from pmsim.tui.widgets.dashboard import DashboardPane
from pmsim.tui.widgets.inbox import InboxPane
from pmsim.tui.widgets.keybar import KeyBar
from pmsim.tui.widgets.okrs import OkrPane
from pmsim.tui.widgets.research import ResearchPane
from pmsim.tui.widgets.roadmap import RoadmapPane

PANES = [
    ("dashboard", "Dashboard", DashboardPane),
    ("inbox", "Inbox", InboxPane),
    ("research", "Research", ResearchPane),
    ("roadmap", "Roadmap", RoadmapPane),
    ("okrs", "OKRs", OkrPane),
]
PANE_GROUP = Binding.Group("Panes", compact=True)


class GamePane(TabPane):
    """A tab pane that does not switch tabs when something inside it gets the focus.

    Textual's TabPane asks its TabbedContent to show it whenever a descendant is focused, by a
    message that arrives later; with keys typed in a burst (3 then 4) the late message for the
    earlier pane switched the tabs back. Here the game screen alone decides which pane is shown
    (keys, clicks on tabs) and focuses inside the pane it shows."""

    def _on_descendant_focus(self, event: events.DescendantFocus) -> None:
        event.prevent_default()


class StatusLine(Static):
    """Scenario, quarter, score, capacity, budget and open requests, in one line."""


def status_text(v: GameView, busy: bool = False) -> Text:
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(f" {v.title} ", style="bold reverse")
    if v.scenario_id.lower() != v.title.lower():
        t.append(f" {v.scenario_id}", style="dim")
    q = f" Q{min(v.round, v.rounds)}/{v.rounds}" if not v.finished else " Final"
    t.append(q, style="bold")
    t.append(f" · Score {v.score:.1f}")
    cap = v.obs["capacity"]
    t.append(f" · Cap {fmt.decimal(cap['committed'], 1)}/{fmt.weeks(cap['total'])}")
    t.append(f" · {fmt.money(v.obs['budget']['left'])}")
    n_open = sum(1 for q in v.open_requests if q["status"] == "open")
    if n_open:
        t.append(f" · ✉ {n_open} open", style="bold")
    if v.waiting:
        t.append(" · WAITING (w)", style="bold reverse")
    elif v.read_only:
        t.append(" · READ-ONLY", style="bold reverse")
    if busy:
        t.append(" · saving…", style="dim")
    return t


class GameScreen(Screen):
    """Where the quarter is planned. Holds the current `GameView` and hands it to each pane."""

    BINDINGS = [
        *[Binding(str(i + 1), f"pane('{pid}')", label, group=PANE_GROUP) for i, (pid, label, _) in enumerate(PANES)],
        Binding("e", "end_round", "End round"),
        Binding("i", "explain", "Explain"),
        Binding("M", "app.toggle_mentor", "Mentor on/off", show=False),
        Binding("v", "mentor_more", "Mentor: all advice / one line", show=False),
        Binding("greater_than_sign", "app.guide_skip", "Skip this guide step", key_display=">", show=False),
        Binding("G", "app.toggle_guide", "Hide/show the guide", show=False),
        Binding("q", "app.title", "Title"),
        Binding("q", "app.leave", "Leave"),  # the class server's q (one of the two is shown)
        Binding("escape", "app.back", "Title", show=False),
        Binding("t", "app.cycle_theme", "Theme", show=False),  # room in the key bar for i
    ]

    view: var[GameView | None] = var(None, always_update=True, init=False)
    busy: var[bool] = var(False, init=False)
    coach: var[CoachState | None] = var(None, init=False)
    mentor_expanded: var[bool] = var(False, init=False)

    @dataclass
    class RoadmapCommitted(Message):
        """The player committed the roadmap: resolve the quarter."""

        rationale: str

    @dataclass
    class PaneShown(Message):
        """The player looked at pane `pane` (the tutorial waits for some)."""

        pane: str

    def __init__(self, view: GameView | None = None, coach: CoachState | None = None) -> None:
        super().__init__()
        self._initial = view
        self._initial_coach = coach

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with TabbedContent(id="panes", initial="dashboard"):
            for i, (pid, label, cls) in enumerate(PANES):
                with GamePane(f"{i + 1} {label}", id=pid):
                    yield cls(id=f"{pid}-pane")
        yield GuidePanel(id="guide")
        yield MentorPanel(id="mentor")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.pane("dashboard").set_active(True)
        if self._initial_coach is not None:
            self.coach = self._initial_coach
        else:
            self._coach_panels()
        if self._initial is not None:
            self.view = self._initial
        self.pane("dashboard").focus_main()

    def pane(self, pid: str) -> ViewPane:
        return self.query_one(f"#{pid}-pane", ViewPane)

    @property
    def active_pane(self) -> str:
        return self.query_one(TabbedContent).active or "dashboard"

    def watch_view(self, view: GameView | None) -> None:
        if view is None:
            return
        self._status()
        for pid, _, _ in PANES:
            self.pane(pid).view = view  # only the pane on screen redraws now, the others when shown
        n_open = sum(1 for q in view.open_requests if q["status"] == "open")
        label = f"2 Inbox ✉{n_open}" if n_open else "2 Inbox"
        tab = self.query_one(TabbedContent).get_tab("inbox")
        if str(tab.label) != label:
            tab.label = label
        self._mentor()

    def watch_coach(self, coach: CoachState | None) -> None:
        self._coach_panels()

    def _coach_panels(self) -> None:
        c = self.coach
        guide = self.query_one(GuidePanel)
        guide.display = bool(c and c.guide)
        if c is not None and c.guide is not None:
            guide.update(guide_text(c.guide))
        self.set_class(bool(c and c.guide), "-guided")
        self._mentor()

    def _mentor(self) -> None:
        panel = self.query_one(MentorPanel)
        on = bool(self.coach and self.coach.mentor_on) and self.view is not None and not self.view.finished
        panel.display = on
        panel.set_class(self.mentor_expanded, "-expanded")
        if on and self.view is not None:
            panel.update(mentor_text(self.view.advice, self.view, self.mentor_expanded))

    def watch_mentor_expanded(self, expanded: bool) -> None:
        self._mentor()

    def action_mentor_more(self) -> None:
        """v: the mentor's one summary line, or every piece of advice in full."""
        if not (self.coach and self.coach.mentor_on):
            self.notify("The mentor is off: M turns it on.", timeout=2)
            return
        self.mentor_expanded = not self.mentor_expanded

    def watch_busy(self, busy: bool) -> None:
        self._status()

    def _status(self) -> None:
        if self.view is not None:
            self.query_one(StatusLine).update(status_text(self.view, self.busy))

    def action_pane(self, pid: str) -> None:
        self.query_one(TabbedContent).active = pid
        for other, _, _ in PANES:
            self.pane(other).set_active(other == pid)
        self.pane(pid).focus_main()
        self.post_message(self.PaneShown(pid))

    def action_explain(self) -> None:
        topic, feature = self.pane(self.active_pane).explain_topic()
        self.post_message(ExplainRequested(topic, feature))

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """A tab was clicked (or set by a key): draw that pane and focus it, unless another tab
        has been chosen meanwhile (the first activation arrives after mount)."""
        for other, _, _ in PANES:
            self.pane(other).set_active(other == self.active_pane)
        self.call_after_refresh(lambda: self.pane(self.active_pane).focus_main())
        self.post_message(self.PaneShown(self.active_pane))

    def action_end_round(self) -> None:
        v = self.view
        if v is None or v.finished:
            return
        if v.read_only:
            self.notify(v.locked_text, severity="warning" if v.waiting else "error")
            return
        from pmsim.tui.screens.dialogs import EndRoundDialog

        def done(rationale: str | None) -> None:
            if rationale is not None:
                self.post_message(self.RoadmapCommitted(rationale))

        advice = v.advice if self.coach is not None and self.coach.mentor_on else None
        self.app.push_screen(EndRoundDialog(v, advice), done)

    def palette_commands(self) -> list[tuple[str, str, object]]:
        """(title, help, callable) for the command palette: every game action by name."""
        v = self.view
        out: list[tuple[str, str, object]] = []
        for i, (pid, label, _) in enumerate(PANES):
            out.append((f"Go to {label}", f"key {i + 1}", lambda pid=pid: self.action_pane(pid)))
        if v is None or v.finished:
            return out
        out.append(("End round: commit the roadmap", "key e", self.action_end_round))
        post = self.post_message
        for f in v.obs["features"]:
            if f["status"] == "shipped":
                continue
            for slot in ("now", "next", "later"):
                if f["slot"] != slot:
                    out.append((f"Plan {f['title']} in {slot.capitalize()}", f"{f['remaining_estimate']:.1f} wk",
                                lambda fid=f["id"], s=slot: post(RoadmapPane.PlanRequested(fid, s))))
            if f["slot"]:
                out.append((f"Remove {f['title']} from the roadmap", "key ⌫ on the Roadmap",
                            lambda fid=f["id"]: post(RoadmapPane.UnplanRequested(fid))))
        for q in v.open_requests:
            s = v.stakeholder(q["stakeholder"])
            about = v.feature_title(q["feature"]) if q["feature"] else fmt.clip(q["text"], 30)
            out.append((f"Accept {s['name']}'s request: {about}", s["title"],
                        lambda rid=q["id"]: post(InboxPane.ResponseChosen(rid, "accept"))))
            for resp in ("defer", "decline"):
                if resp == "defer" and q["status"] == "deferred":
                    continue
                out.append((f"{resp.capitalize()} {s['name']}'s request: {about}", "asks for a reason",
                            lambda rid=q["id"], r=resp: self._answer(rid, r)))
        for method, opts in v.studies.items():
            for opt in opts:
                if opt.why_not is None:
                    out.append((f"Research: {method.replace('_', ' ')} {opt.target} {opt.size}", opt.cost_text,
                                lambda a=opt.action: post(ResearchPane.StudyChosen(a))))
        return out

    # the Inbox's dialogs (widgets/inbox.py AnswerDialogs): a widget opens no screen itself
    def ask_reason(self, response: str, who: str, text: str,
                   done: Callable[[tuple[str, str] | None], None]) -> None:
        from pmsim.tui.screens.dialogs import RespondDialog

        self.app.push_screen(RespondDialog(response, who, text), done)

    def ask_new_date(self, who: str, text: str, deadline: int, round: int, rounds: int,
                     done: Callable[[tuple[int | None, str, str] | None], None]) -> None:
        from pmsim.tui.screens.renegotiate import RenegotiateDialog

        self.app.push_screen(RenegotiateDialog(who, text, deadline, round, rounds), done)

    def _answer(self, rid: str, response: str) -> None:
        self.action_pane("inbox")
        inbox = self.pane("inbox")
        assert isinstance(inbox, InboxPane)
        if rid not in inbox.table.keys:
            return
        inbox.table.move_to(rid)
        inbox.action_answer(response)
