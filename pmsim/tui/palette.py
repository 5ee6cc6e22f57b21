"""The command palette's game commands (ctrl+p): every action of the current screen, by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider


class GameCommands(Provider):
    """Commands from the screen the palette was opened on, plus the app's own."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        out: list[tuple[str, str, Callable[[], Any]]] = []
        screen_cmds = getattr(self.screen, "palette_commands", None)
        if screen_cmds is not None:
            out += screen_cmds()
        app_cmds = getattr(self.app, "palette_commands", None)
        if app_cmds is not None:
            out += app_cmds(self.screen)
        return out

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)


def app_commands(app: Any, screen: Any) -> list[tuple[str, str, Callable[[], Any]]]:
    """The commands that work on any screen (every explanation too), plus the game screen's mentor
    and guide, the replay viewer's and the debrief's."""
    from pmsim.tui.explain import GROUPS, TOPICS
    from pmsim.tui.screens.debrief import DebriefScreen
    from pmsim.tui.screens.game import GameScreen
    from pmsim.tui.screens.replay import ReplayScreen

    cmds: list[tuple[str, str, Callable[[], Any]]] = [
        ("New game", "pick a scenario, seed and name", app.action_new_game),
        ("Guided tutorial", "three short quarters that show every pane and framework", app.action_tutorial),
        ("Continue the latest game", "resume where you left off", app.action_continue_game),
        ("Load a saved game", "", lambda: app.action_open_saves("load")),
        ("Replay a saved game", "step through rounds, fork", lambda: app.action_open_saves("replay")),
        ("Help: every key", "?", app.action_help),
        ("Switch theme (dark, light, high contrast)", "t", app.action_cycle_theme),
        ("Title screen", "your game is saved", app.action_title),
    ]
    if isinstance(screen, GameScreen):
        cmds += [("Mentor: turn on or off", "M", app.action_toggle_mentor),
                 ("Mentor: read all its advice", "", lambda: app.action_explain("mentor")),
                 ("Guide: skip this step", ">", app.action_guide_skip),
                 ("Guide: hide or show", "G", app.action_toggle_guide)]
    for tp in TOPICS:
        cmds.append((f"Explain: {tp.title}", GROUPS.get(tp.group, tp.group),
                     lambda t=tp.id: app.action_explain(t, _feature(screen))))
    if isinstance(screen, ReplayScreen):
        cmds += [("Previous round", "←", lambda: screen.action_step(-1)),
                 ("Next round", "→", lambda: screen.action_step(1)),
                 ("Fork a new game from this round", "f", screen.action_fork)]
    if isinstance(screen, DebriefScreen):
        cmds.append(("Replay this game", "r", screen.action_replay))
    return cmds


def _feature(screen: Any) -> str | None:
    """The roadmap's highlighted feature, for the explanation's numbers."""
    from pmsim.tui.screens.game import GameScreen

    if isinstance(screen, GameScreen) and screen.view is not None:
        return screen.pane("roadmap").current_feature()  # type: ignore[attr-defined]
    return None
