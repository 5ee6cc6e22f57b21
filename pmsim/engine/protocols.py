"""What the engine's modules need of a game: a narrow protocol, so they never import game.py back.

`game.py` orchestrates (what an action does) and calls delivery, observe, research, scoring and
stakeholders, each of which takes the game as this protocol: the scenario, the state, and the
derived numbers every module reads (sizes, true values, theme scores, capacity). `Game`
satisfies it; nothing below `game.py` imports `Game`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from pmsim.engine.actions import Action
    from pmsim.engine.state import GameState
    from pmsim.scenario.models import Scenario


class GameLike(Protocol):
    """A game as the engine's modules see it (see `pmsim.engine.game.Game`)."""

    scenario: Scenario
    state: GameState
    _c: dict[str, Any]  # numbers fixed at the game's start (true needs, Kano, priors)

    @property
    def themes(self) -> list[str]: ...

    @property
    def feature_ids(self) -> list[str]: ...

    @property
    def round(self) -> int: ...

    def fidx(self, fid: str) -> int: ...

    def sizes(self) -> np.ndarray: ...

    def true_values(self) -> np.ndarray: ...

    def true_kano(self) -> np.ndarray: ...

    def true_need_means(self) -> np.ndarray: ...

    def theme_scores(self) -> np.ndarray: ...

    def fresh_gaps(self, r: int | None = None) -> np.ndarray: ...

    def capacity_left(self) -> float: ...

    def deps_ok(self, fid: str, before: list[str] | None = None) -> bool: ...

    def committed_estimate(self) -> float: ...

    def fit_now(self) -> list[str]: ...

    def is_legal(self, action: Action) -> bool: ...
