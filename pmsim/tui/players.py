"""Who is playing: the default player's name and the save `--continue` resumes."""

from __future__ import annotations

import getpass
from typing import Any


def continue_target(saves: list[Any], player: str | None) -> Any | None:
    """The save `--continue` (and `c`) resumes: the latest game in progress of `player`, else of
    the last player who played here (the most recently updated save that is not a bot's), never
    somebody else's game."""
    def when(s: Any) -> tuple[float, int]:
        return (s.updated_at.timestamp() if s.updated_at else 0.0, s.id or 0)

    if player is None:
        humans = [s for s in saves if not str(s.player).startswith("bot:")]
        if not humans:
            return None
        player = max(humans, key=when).player
    mine = [s for s in saves if s.status == "in_progress" and s.player == player]
    return max(mine, key=when) if mine else None


def default_player() -> str:
    try:
        return getpass.getuser() or "Intern"
    except Exception:
        return "Intern"
