"""`OnceModal`: a modal screen that closes once.

Keys a fast typist sends arrive together: the second enter of "e enter e enter" reached the
end-round dialog after its first enter had dismissed it (the pop is not immediate), and
`dismiss` pops whatever screen is on top, so the game screen went too. pmsim then ended in a
traceback (ScreenStackError, or NoMatches on the unmounted game screen). A second dismiss of
the same modal, or one that is no longer on top, now does nothing.
"""

from __future__ import annotations

from typing import TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class OnceModal(ModalScreen[ResultType]):
    _once_dismissed = False  # (not `_closed`: the message pump's own flag has that name)

    @property
    def dismissed(self) -> bool:
        """Dismissed already (keys still on their way here must not act again)."""
        return self._once_dismissed

    def dismiss(self, result: ResultType | None = None) -> AwaitComplete:
        if self._once_dismissed or not self.is_active:
            return AwaitComplete.nothing()
        self._once_dismissed = True
        return super().dismiss(result)
