"""The built-in scenarios: whatever `*.yaml` file ships in `scenarios/` (see pmsim.paths).

A built-in scenario's id is its file name without `.yaml`, and must equal its `meta.id`
(tests check this), so `resolve("b2b_saas")` never has to load every file.
"""

from __future__ import annotations

import os
from pathlib import Path

from pmsim.paths import builtin_scenarios_dir
from pmsim.scenario.loader import Problem, ScenarioError, load_scenario

__all__ = [
    "DEFAULT_SCENARIO",
    "UnknownScenario",
    "builtin_ids",
    "builtin_paths",
    "list_builtin",
    "resolve",
]

DEFAULT_SCENARIO = "b2b_saas"


class UnknownScenario(ScenarioError):
    """Neither an existing file nor a built-in id. `lines()` is one actionable message."""

    def __init__(self, name: str, available: list[str]):
        self.name = name
        self.available = available
        ids = ", ".join(available) or "(none installed)"
        self.message = (
            f"{name}: no such scenario file or built-in scenario; built-in ids: {ids} "
            "(see `pmsim scenarios list`)"
        )
        super().__init__([Problem(name, 1, 1, self.message)])

    def lines(self) -> list[str]:
        return [self.message]


def builtin_paths() -> list[Path]:
    """The built-in scenario files, sorted by file name."""
    return sorted(builtin_scenarios_dir().glob("*.yaml"))


def builtin_ids() -> list[str]:
    return [p.stem for p in builtin_paths()]


def list_builtin() -> list[dict]:
    """{"id", "title", "path", "rounds", "difficulty"} for each built-in scenario, sorted by id.

    Every file is loaded and validated; a broken built-in raises one `ScenarioError` with the
    problems of every broken file.
    """
    rows = []
    problems = []
    for path in builtin_paths():
        try:
            sc = load_scenario(path)
        except ScenarioError as exc:
            problems += exc.problems
            continue
        rows.append(
            {
                "id": sc.meta.id,
                "title": sc.meta.title,
                "path": str(path),
                "rounds": sc.rounds,
                "difficulty": sc.meta.difficulty,
            }
        )
    if problems:
        raise ScenarioError(problems)
    return sorted(rows, key=lambda r: r["id"])


def resolve(id_or_path: str | os.PathLike[str]) -> Path:
    """An existing file as given, else the built-in scenario with that id.

    Raises `UnknownScenario` (a `ScenarioError`) naming the available ids otherwise.
    """
    path = Path(id_or_path)
    if path.exists():
        return path
    name = os.fspath(id_or_path)
    if name and os.sep not in name and "/" not in name and not name.endswith((".yaml", ".yml")):
        candidate = builtin_scenarios_dir() / f"{name}.yaml"
        if candidate.is_file():
            return candidate
    raise UnknownScenario(name, builtin_ids())
