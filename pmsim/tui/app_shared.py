"""Playing a company of a shared-market class (issue 14), a mixin of `PmsimApp`.

`pmsim play --class CODE --company NAME` opens the company (GameService.start_company). When its
EndRound commits the quarter without resolving it (others have not ended theirs), the app shows
the WaitingScreen and polls the database once a second (a Textual timer; each poll is a service
job, so it never runs beside an action). The poll updates the screen, and when the quarter has
resolved (the last company's commit, or `pmsim class advance`) it closes it and shows the round
report, as after a solo quarter.
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
class WaitingUpdate(Message):
    waiting: Waiting


class SharedPlayMixin:
    """The waiting screen and its poll, for a company of a shared market."""

    service: GameService
    view: GameView | None
    _wait_timer: Timer | None = None
    _wait_before: GameView | None = None
    _polling = False

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
        """A company opened that has already ended its quarter (the player came back): wait."""
        if not view.obs.get("committed"):
            return False
        self._wait_before = view
        self._start_waiting(None)
        return True

    def on_waiting_started(self, m: WaitingStarted) -> None:
        self.set_view(m.view)  # type: ignore[attr-defined]
        self._wait_before = m.before
        self._start_waiting(None)

    def _start_waiting(self, waiting: Waiting | None) -> None:
        self.push_screen(WaitingScreen(waiting))  # type: ignore[attr-defined]
        if self._wait_timer is None:
            self._wait_timer = self.set_interval(POLL_S, self._poll_waiting)  # type: ignore[attr-defined]
        self._poll_waiting()

    @property
    def waiting(self) -> bool:
        return self._wait_timer is not None

    def _poll_waiting(self) -> None:
        if self._polling:
            return  # the last poll is still queued or running: the next tick asks again
        self._polling = True
        before = self._wait_before

        def job() -> Message:
            from pmsim.tui.screens.report import body_width, report_body

            try:
                session: Any = self.service.session
                waiting, report = session.poll()
                if waiting is not None:
                    return WaitingUpdate(waiting)
                view = self.service.view()
                width = body_width(self.size.width)  # type: ignore[attr-defined]
                return RoundResolved(report or {}, view, before or view,
                                     (width, report_body(report or {}, before or view, view, width)))
            finally:
                self._polling = False

        self.submit(job)  # type: ignore[attr-defined]

    def on_waiting_update(self, m: WaitingUpdate) -> None:
        for screen in self.screen_stack:  # type: ignore[attr-defined]
            if isinstance(screen, WaitingScreen):
                screen.waiting = m.waiting

    def end_waiting(self) -> None:
        """The quarter resolved: stop polling and close the waiting screen."""
        if self._wait_timer is not None:
            self._wait_timer.stop()
            self._wait_timer = None
        self._wait_before = None
        while isinstance(self.screen, WaitingScreen):  # type: ignore[attr-defined]
            self.pop_screen()  # type: ignore[attr-defined]

    def action_show_waiting(self) -> None:
        """w: the waiting screen again, while the quarter waits for other companies."""
        if self.waiting and not isinstance(self.screen, WaitingScreen):  # type: ignore[attr-defined]
            self.push_screen(WaitingScreen())  # type: ignore[attr-defined]
            self._poll_waiting()
