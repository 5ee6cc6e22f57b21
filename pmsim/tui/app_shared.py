"""Playing a company of a shared-market class (issue 14), a mixin of `PmsimApp`.

`pmsim play --class CODE --company NAME` opens the company (GameService.start_company). While it
is open the app looks at the database once a second (a Textual timer; each look is a service
job, so it never runs beside an action, and only one is queued at a time): a teammate's action
shows on screen, and a quarter resolved by others (the last company's commit, or the instructor's
`pmsim class advance`) shows its round report, as after a solo quarter. When the company's
EndRound commits the quarter without resolving it, the WaitingScreen shows who the quarter still
waits for; the plan can be read (esc) but not changed, and w shows the screen again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.timer import Timer

from pmsim.tui.company import Waiting
from pmsim.tui.messages import GameOpened, RoundResolved, ServiceFailed
from pmsim.tui.screens.waiting import WaitingScreen

if TYPE_CHECKING:
    from pmsim.tui.service import GameService, GameView

POLL_S = 1.0


@dataclass
class WaitingStarted(Message):
    """The company ended the quarter; others have not."""

    view: GameView
    before: GameView


@dataclass
class CompanyPolled(Message):
    """The database was looked at: who the quarter waits for, and the view if the market moved."""

    waiting: Waiting | None
    view: GameView | None
    problem: str | None = None  # the database could not be read this time (the next tick tries again)


class SharedPlayMixin:
    """The company's poll and the waiting screen, for a company of a shared market."""

    service: GameService
    view: GameView | None
    _poll_timer: Timer | None = None
    _wait_before: GameView | None = None
    _polling = False
    _poll_problem: str | None = None

    def start_company_game(self, code: str, company: str, player: str) -> None:
        """Open company `company` of class `code`; a company it cannot play ends the app with the
        one-line reason (exit code 2)."""
        from pmsim.storage.errors import DatabaseUnavailable, StorageError

        self.remember_player(player)  # type: ignore[attr-defined]

        def job() -> Message:
            try:
                return GameOpened(self.service.start_company(code, company, player))
            except DatabaseUnavailable:
                raise
            except StorageError as e:
                return ServiceFailed(str(e), fatal=True)

        self.submit(job)  # type: ignore[attr-defined]

    def shared_opened(self, view: GameView) -> bool:
        """A company opened: look at the database every second from now on. True when it has
        already ended its quarter (the player came back): then it waits."""
        if not view.obs.get("company"):
            return False
        if self._poll_timer is None:
            self._poll_timer = self.set_interval(POLL_S, self._poll_company)  # type: ignore[attr-defined]
        if not view.obs.get("committed"):
            return False
        self._wait_before = view
        self._show_waiting()
        return True

    def on_waiting_started(self, m: WaitingStarted) -> None:
        self.set_view(m.view)  # type: ignore[attr-defined]
        self._wait_before = m.before
        self._show_waiting()

    def _show_waiting(self) -> None:
        self.push_screen(WaitingScreen())  # type: ignore[attr-defined]
        self._poll_company()

    @property
    def waiting(self) -> bool:
        return self._wait_before is not None

    def _poll_company(self) -> None:
        session: Any = self.service.session
        if self.game_screen is None or not hasattr(session, "poll"):  # type: ignore[attr-defined]
            if self._poll_timer is not None:  # the company was closed
                self._poll_timer.stop()
                self._poll_timer = None
            return
        if self._polling:
            return  # the last look is still queued or running: the next tick looks again
        self._polling = True
        before = self._wait_before or self.view

        def job() -> Message | None:
            from pmsim.storage.errors import StorageError
            from pmsim.tui.screens.report import body_width, report_body

            try:
                try:
                    polled = session.poll()
                except StorageError as e:  # a server outage, a lock timeout: not worth a dialog a second
                    return CompanyPolled(None, None, str(e))
                if polled.report is None:
                    view = self.service.view() if polled.changed else None
                    return CompanyPolled(polled.waiting, view)
                view = self.service.view()
                if polled.advanced:
                    self.call_from_thread(  # type: ignore[attr-defined]
                        self.notify, "Your instructor ended the quarter (pmsim class advance): your Now list "  # type: ignore[attr-defined]
                        "was committed as it stood.", timeout=8)
                report = polled.report
                width = body_width(self.size.width)  # type: ignore[attr-defined]
                return RoundResolved(report, view, before or view,
                                     (width, report_body(report, before or view, view, width)))
            finally:
                self._polling = False

        self.submit(job)  # type: ignore[attr-defined]

    def on_company_polled(self, m: CompanyPolled) -> None:
        if m.problem != self._poll_problem:  # said once, and once more when it is over
            self._poll_problem = m.problem
            self.notify(f"Cannot read the class: {m.problem} (trying again every second)" if m.problem  # type: ignore[attr-defined]
                        else "The class can be read again.", severity="warning" if m.problem else "information",
                        markup=False)
        if m.view is not None:
            self.set_view(m.view)  # type: ignore[attr-defined]
        if m.waiting is not None:
            for screen in self.screen_stack:  # type: ignore[attr-defined]
                if isinstance(screen, WaitingScreen):
                    screen.waiting = m.waiting

    def end_waiting(self) -> None:
        """A quarter resolved: close the waiting screen."""
        self._wait_before = None
        while isinstance(self.screen, WaitingScreen):  # type: ignore[attr-defined]
            self.pop_screen()  # type: ignore[attr-defined]

    def action_show_waiting(self) -> None:
        """w: the waiting screen again, while the quarter waits for other companies."""
        if self.waiting and not isinstance(self.screen, WaitingScreen):  # type: ignore[attr-defined]
            self._show_waiting()
