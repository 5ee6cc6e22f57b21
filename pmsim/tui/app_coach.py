"""The app's learning layer: the guided tutorial, the mentor and the explanations (`i`).

A mixin of `PmsimApp`, so that app.py stays about games, jobs and screens. The state lives in
`self.coach` (pmsim/tui/coach.py); these handlers turn keys and messages into calls on it and
push its `state()` down to the game screen (and to an explanation the player is reading).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

from pmsim.tui.messages import ExplainRequested, GameOpened
from pmsim.tui.screens.explain import ExplainScreen
from pmsim.tui.screens.game import GameScreen
from pmsim.tui.service import Catalog

if TYPE_CHECKING:
    from pmsim.tui.coach import Coach


class CoachingMixin:
    """Handlers for the tutorial's guide, the mentor and the explanations."""

    coach: Coach
    game_screen: GameScreen | None
    _ui_saved: dict[str, Any] | None

    def action_tutorial(self) -> None:
        """The guided tutorial: a new game of the tutorial scenario, started at once."""
        from pmsim.tui.tutorial import TUTORIAL_SCENARIO

        def job() -> Message:
            cat = self.catalog_now()
            try:
                entry = cat.get(TUTORIAL_SCENARIO)
            except KeyError:
                entry = Catalog.load_one(TUTORIAL_SCENARIO)
            return GameOpened(self.service.start(entry, self.seed, self.player))

        self.submit(job)

    def action_explain(self, topic: str, feature: str | None = None) -> None:
        playing = self.game_screen is not None
        self.push_screen(ExplainScreen(topic, self.view if playing else None, feature,
                                       self.coach.state().guide if playing else None))

    def on_explain_requested(self, m: ExplainRequested) -> None:
        self.action_explain(m.topic, m.feature)

    def _coached(self, done: list[Any]) -> None:
        """Draw the guide and mentor after a change; say which tutorial steps were just done; keep
        the mentor and the guide's progress with the save when they changed."""
        self._store_coach()
        if self.game_screen is not None:
            state = self.coach.state()
            self.game_screen.coach = state
            if isinstance(self.screen, ExplainScreen):
                self.screen.guide = state.guide
        if done:
            self.notify("✓ " + " ✓ ".join(s.title for s in done), title="Guide", timeout=1.5)
            if self.coach.guide is not None and self.coach.guide.finished:
                self.notify("Tutorial complete: n on the title screen starts a real scenario, with M for "
                            "the mentor.", title="Guide", timeout=8)

    def _store_coach(self) -> None:
        view = self.view
        if view is None or view.read_only or self.coach.view is None:
            return
        state = self.coach.export()
        if state == self._ui_saved:
            return
        self._ui_saved = state
        save_id = view.save_id

        def save() -> None:
            # the guide's progress is not a game action: if the database is away, say so quietly
            # and try again with the next change, instead of the fault dialog for a lost action
            from pmsim.storage.errors import StorageError

            try:
                self.store.set_ui_state(save_id, state)
            except StorageError:
                self._ui_saved = None
                self.call_from_thread(self.notify, "The guide's progress is not saved yet (the database is "
                                      "not answering); it will be with your next step.", title="Guide",
                                      severity="warning", timeout=4)

        self.submit(save)

    def on_game_screen_pane_shown(self, m: GameScreen.PaneShown) -> None:
        self._coached(self.coach.pane_shown(m.pane))

    def on_explain_screen_topic_shown(self, m: ExplainScreen.TopicShown) -> None:
        self._coached(self.coach.topic_shown(m.topic))

    def action_toggle_mentor(self) -> None:
        self.notify(self.coach.toggle_mentor(), timeout=3)
        self._coached([])

    def action_guide_skip(self) -> None:
        self.notify(self.coach.skip_step(), title="Guide", timeout=2)
        self._coached([])

    def action_toggle_guide(self) -> None:
        self.notify(self.coach.toggle_guide(), title="Guide", timeout=3)
        self._coached([])

