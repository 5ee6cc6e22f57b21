"""The player's settings, remembered across launches: theme, mentor default, last player name.

A small JSON file in the per-user config folder (pmsim.paths.settings_path(); $PMSIM_CONFIG_DIR
overrides the folder). Only `pmsim play` reads and writes it: an app built without a path (every
test, every embedding) keeps its settings in memory and never touches the disk. A missing or
unreadable file means the defaults; a file that cannot be written is reported once and the game
goes on, since nothing about a game depends on it.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

THEMES = ("textual-dark", "textual-light", "pmsim-high-contrast")


@dataclass
class Settings:
    theme: str | None = None  # None: the default theme
    mentor: bool | None = None  # None: on in the tutorial only
    player: str | None = None  # the name last played under
    path: Path | None = field(default=None, compare=False)  # None: in memory only
    problem: str | None = field(default=None, compare=False)  # why the file could not be read or written

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """The settings in `path` (default: the user's settings file); defaults if it is missing or bad."""
        if path is None:
            from pmsim.paths import settings_path

            path = settings_path()
        out = cls(path=path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return out
        except (OSError, ValueError) as e:
            out.problem = f"ignored the settings file {path}: {e}"
            return out
        if not isinstance(data, dict):
            out.problem = f"ignored the settings file {path}: not a JSON object"
            return out
        out.theme = data.get("theme") if data.get("theme") in THEMES else None
        out.mentor = data.get("mentor") if isinstance(data.get("mentor"), bool) else None
        player = data.get("player")
        out.player = player.strip()[:200] if isinstance(player, str) and player.strip() else None
        return out

    def data(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("path")
        d.pop("problem")
        return d

    def update(self, **changes: Any) -> None:
        """Change some settings and write the file (if this object has one) when anything changed."""
        changed = False
        for k, v in changes.items():
            if k not in ("theme", "mentor", "player"):
                raise KeyError(k)
            if getattr(self, k) != v:
                setattr(self, k, v)
                changed = True
        if changed:
            self.save()

    def save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".settings-", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self.data(), f, indent=2, sort_keys=True)
                f.write("\n")
            os.replace(tmp, self.path)
        except OSError as e:
            self.problem = f"could not save the settings to {self.path}: {e}"
