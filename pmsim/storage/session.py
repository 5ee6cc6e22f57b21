"""A live game that saves itself: every action is committed before its effect is returned.

`GameSession` wraps a `Game` and a `SaveStore`. `apply(action)` applies the action (an illegal
one raises `IllegalAction` and nothing is stored), commits it (with the round summary when it
closed a round, and the game summary when it finished the game) and only then returns the
result to the caller to show. If the commit fails the
game is rolled back to the last saved action and the error is raised, so the screen never shows
an effect the database does not have. A SIGKILL therefore loses at most the action in flight.

For everything else the session reads like the `Game` it wraps (`session.state`, `.round`,
`.observe()`...), so bots can play through it: `play_game(session, "rice")` saves every move.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pmsim.storage.errors import ReadOnlySave
from pmsim.storage.history import round_summary

if TYPE_CHECKING:
    from pmsim.engine import Action, Game
    from pmsim.scenario.models import Scenario
    from pmsim.storage.records import ClassInfo
    from pmsim.storage.saves import SaveStore


class GameSession:
    def __init__(self, store: SaveStore, save_id: int, game: Game, *, read_only: bool = False,
                 problem: str | None = None, class_info: ClassInfo | None = None) -> None:
        self.store = store
        self.save_id = save_id
        self.game = game
        self.read_only = read_only
        self.problem = problem
        self.class_info = class_info  # set by start_class

    @classmethod
    def start(cls, store: SaveStore, scenario_text: str, seed: int, player: str, *,
              scenario: Scenario | None = None) -> GameSession:
        """A new game of `scenario_text` with `seed`, saved from its first action."""
        from pmsim.engine import new_game
        from pmsim.storage.rows import _load_scenario

        scenario = scenario or _load_scenario(scenario_text)
        save_id = store.create(scenario_text, seed, player, scenario=scenario)
        return cls(store, save_id, new_game(scenario, seed))

    @classmethod
    def start_class(cls, store: SaveStore, code: str, player: str) -> GameSession:
        """A new game in class `code`: the class's scenario text and seed, saved in the class.

        Raises `ClassNotFound` (one line) for an unknown or malformed code, `StorageError` for an
        empty player name. Two students with the same name get two separate saves."""
        from pmsim.engine import new_game
        from pmsim.storage.rows import _load_scenario

        klass = store.get_class(code)
        scenario = _load_scenario(klass.scenario_text)
        save_id = store.create(klass.scenario_text, klass.seed, player, scenario=scenario, class_id=klass.id)
        return cls(store, save_id, new_game(scenario, klass.seed), class_info=klass)

    @classmethod
    def resume(cls, store: SaveStore, save_id: int) -> GameSession:
        """Reopen a save by replay; read-only (with `problem` set) if the replay differs."""
        game, read_only, problem = store.resume(save_id)
        return cls(store, save_id, game, read_only=read_only, problem=problem)

    def apply(self, action: Action) -> dict[str, Any] | None:
        if self.read_only:
            raise ReadOnlySave(f"save {self.save_id} is open read-only: {self.problem}")
        game = self.game
        before, was_finished = game.round, game.finished
        result = game.apply(action)  # IllegalAction: nothing changed, nothing stored
        ended = game.round != before or (game.finished and not was_finished)
        summary = round_summary(game, before) if ended else None
        final = None
        if summary and summary["finished"]:
            from pmsim.storage.saves import safe_game_summary

            final = safe_game_summary(game)
        try:
            self.store.append_action(
                self.save_id, len(game.log), action.to_dict(),
                summary["state_hash"] if summary else None, summary, round_n=before, game_summary=final,
            )
        except BaseException:
            self._reconcile()
            raise
        return result

    def _reconcile(self) -> None:
        """After a failed commit: keep the action if the database has it after all (the error came
        after COMMIT), else go back to the last stored action by replaying all but this one."""
        from pmsim.engine import replay

        g = self.game
        try:
            if self.store.info(self.save_id).n_actions == len(g.log):
                return
        except Exception:
            pass
        self.game = replay(g.scenario, g.state.seed, list(g.log[:-1]))

    def __getattr__(self, name: str) -> Any:
        game = self.__dict__.get("game")
        if game is None:
            raise AttributeError(name)
        return getattr(game, name)


def record_bot_game(store: SaveStore, scenario_text: str, seed: int, strategy: str, *,
                    scenario: Scenario | None = None) -> int:
    """Play a whole bot game, saving every move as player `bot:<strategy>`. Returns the save id."""
    from pmsim.engine.bots import STRATEGIES, play_game

    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}: one of {', '.join(STRATEGIES)}")
    session = GameSession.start(store, scenario_text, seed, f"bot:{strategy}", scenario=scenario)
    play_game(session, strategy)  # type: ignore[arg-type]  # a session plays like a Game
    return session.save_id
