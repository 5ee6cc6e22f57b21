"""The pure, deterministic simulation engine. Never imports Textual or SQLAlchemy."""

from __future__ import annotations

from pmsim.engine.actions import (
    Action,
    ActionFormatError,
    EndRound,
    Plan,
    Renegotiate,
    Research,
    Respond,
    Unplan,
    action_from_dict,
)
from pmsim.engine.game import Game, new_game, replay
from pmsim.engine.state import ENGINE_VERSION, IllegalAction

__all__ = [
    "Action", "ActionFormatError", "EndRound", "Plan", "Renegotiate", "Research", "Respond", "Unplan",
    "action_from_dict",
    "Game", "new_game", "replay", "ENGINE_VERSION", "IllegalAction",
]
