"""The one gate a scenario passes before any command uses it.

`pmsim scenarios validate` and every command that loads a scenario to play or measure it (`play`,
`serve --scenario`, `simulate`, `class create`, `scenarios balance`, and the coming `scenarios
teach`) call `check()`, so they all refuse the same files for the same reasons: the loader's
errors (YAML, shape, references) and the lint's (must-be work that can never fit, features that do
not fit the game). Warnings never stop a command; the command prints them.

`force=True` lets a command go on despite *lint* errors (for `simulate` and `balance`: an author
measuring a draft). Loader errors cannot be forced: there is no scenario to play.

Pure: reads the file, no database, no terminal. A command turns the result into output and an
exit code with `pmsim.commands.common.gate_or_exit`; a new command (e.g. `scenarios teach`) needs
one line:

    sc = gate_or_exit(scenario_arg, force=force, can_force=True).scenario  # --force: an author's tool
    sc = gate_or_exit(scenario_arg).scenario  # no --force: anything a student plays
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pmsim.scenario.loader import Problem, ScenarioError
from pmsim.scenario.models import Scenario

if TYPE_CHECKING:
    from pmsim.scenario.lint import OkrCheck

__all__ = ["Checked", "check", "check_text"]


@dataclass(frozen=True)
class Checked:
    """What the gate found. `scenario` is what a command may use (None: refuse)."""

    name: str  # as the user gave it: a built-in id or a path
    path: str  # the file that was read ("" if none was found)
    text: str | None  # its text, to store with a save or a class (the text that was checked)
    loaded: Scenario | None  # the scenario if the loader accepted it, even with lint errors
    problems: tuple[Problem, ...] = ()
    forced: bool = False
    unknown: str | None = None  # "no such scenario" message, when neither a file nor a built-in
    errors: tuple[Problem, ...] = field(init=False)
    warnings: tuple[Problem, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "errors", tuple(p for p in self.problems if p.severity == "error"))
        object.__setattr__(self, "warnings", tuple(p for p in self.problems if p.severity == "warning"))

    @property
    def scenario(self) -> Scenario | None:
        if self.loaded is None or (self.errors and not self.forced):
            return None
        return self.loaded

    @property
    def forcible(self) -> bool:
        """Refused only for lint errors, which `force` would let through."""
        return self.loaded is not None and bool(self.errors) and not self.forced

    def lines(self) -> list[str]:
        """One ``path:line:col: severity: field: message`` line per problem, as `validate` prints."""
        if self.unknown is not None:
            return [self.unknown]
        return [p.format(with_severity=True) for p in self.problems]


def check_text(text: str, path: str, *, name: str | None = None, force: bool = False,
               okr_check: OkrCheck | None = None) -> Checked:
    """The gate on a scenario's text (`path` names it in messages)."""
    from pmsim.scenario.lint import lint_text

    _, loaded, problems = lint_text(text, path, okr_check=okr_check)
    return Checked(name or path, path, text, loaded, tuple(problems), force)


def check(id_or_path: str | os.PathLike[str], *, force: bool = False,
          okr_check: OkrCheck | None = None) -> Checked:
    """The gate on a built-in id or a file: exactly the checks of `pmsim scenarios validate`
    (`okr_check`: also a check that plays, such as `validate --play`'s quick bot games,
    pmsim.engine.okr_check.okr_problems)."""
    from pmsim.scenario.builtin import UnknownScenario, resolve
    from pmsim.scenario.loader import read_scenario_text

    name = os.fspath(id_or_path)
    try:
        path = resolve(id_or_path)
    except UnknownScenario as exc:
        return Checked(name, "", None, None, tuple(exc.problems), force, unknown=exc.message)
    except ScenarioError as exc:  # pragma: no cover - resolve raises only UnknownScenario
        return Checked(name, "", None, None, tuple(exc.problems), force)
    text, problems = read_scenario_text(path)
    if text is None:
        return Checked(name, str(path), None, None, tuple(problems), force)
    return check_text(text, str(path), name=name, force=force, okr_check=okr_check)
