"""The scenario authoring guide (scenarios/README.md) stays complete and correct.

* every field of every scenario model, and every fixed choice (Kano categories, event kinds,
  metrics, roles, score components...), is mentioned in backticks, so adding a field without
  documenting it fails here;
* every `pmsim ...` command line in a fenced code block names a command that exists, with
  options that exist (except `play`, whose options are changing with the interactive TUI);
* every YAML example parses, and every complete scenario in it validates.
"""

from __future__ import annotations

import enum
import re
import shlex
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import click
import pytest
import yaml
from pydantic import BaseModel

import pmsim.commands.scenarios  # noqa: F401  (the `scenarios` group and its subcommands)
from pmsim.cli import COMMANDS, cli
from pmsim.scenario.loader import check_scenario_text, parse_yaml
from pmsim.scenario.models import Scenario

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "scenarios" / "README.md"
FENCE = re.compile(r"^[ \t]*```([^\n`]*)\n(.*?)^[ \t]*```[ \t]*$", re.M | re.S)
SKIP_OPTIONS = {"play"}  # being rebuilt as an interactive TUI: its options are in flux


def _text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def _blocks(lang: str | None = None) -> list[str]:
    return [body for info, body in FENCE.findall(_text()) if lang is None or info.strip() == lang]


def _walk(tp: Any, models: dict[str, type[BaseModel]], choices: set[str]) -> None:
    """Collect every pydantic model and every Literal / Enum choice reachable from `tp`."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp.__name__ in models:
            return
        models[tp.__name__] = tp
        for field in tp.model_fields.values():
            _walk(field.annotation, models, choices)
        return
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        choices.update(str(m.value) for m in tp)
        return
    if get_origin(tp) is Literal:
        choices.update(str(a) for a in get_args(tp))
        return
    for arg in get_args(tp):  # list[...], dict[..., ...], X | None, Annotated[...]
        _walk(arg, models, choices)


def _reachable() -> tuple[dict[str, type[BaseModel]], set[str]]:
    models: dict[str, type[BaseModel]] = {}
    choices: set[str] = set()
    _walk(Scenario, models, choices)
    return models, choices


def test_the_walk_reaches_the_nested_models():
    models, choices = _reachable()
    for name in ("Scenario", "Meta", "Team", "Market", "Theme", "Segment", "Adoption", "Churn",
                 "Competitor", "CompetitorMove", "Feature", "Defects", "Stakeholder", "Request",
                 "Objective", "KeyResult", "Event", "Scoring", "Generated"):
        assert name in models
    assert {"must_be", "competitor_launch", "activation_rate", "customer_impact"} <= choices


def test_every_field_is_documented():
    text = _text()
    models, _ = _reachable()
    missing = sorted(
        f"{model.__name__}.{name}"
        for model in models.values()
        for name in model.model_fields
        if f"`{name}`" not in text
    )
    assert not missing, f"fields not explained in {GUIDE.name} (in backticks): {', '.join(missing)}"


def test_every_choice_is_documented():
    text = _text()
    _, choices = _reachable()
    missing = sorted(c for c in choices if f"`{c}`" not in text)
    assert not missing, f"choices not explained in {GUIDE.name} (in backticks): {', '.join(missing)}"


def _command_lines() -> list[str]:
    lines = []
    for body in _blocks():
        for line in body.splitlines():
            line = line.strip()
            if line.startswith("$ "):
                line = line[2:].lstrip()
            if re.match(r"^(\S*/)?pmsim(\s|$)", line):
                lines.append(re.split(r"\s#", line, maxsplit=1)[0].strip())
    return lines


def test_the_guide_shows_commands():
    words = {tuple(shlex.split(line)[1:3]) for line in _command_lines()}
    for expected in (("scenarios", "new"), ("scenarios", "validate"), ("scenarios", "balance"),
                     ("scenarios", "schema"), ("play", "--scenario")):
        assert expected in words


@pytest.mark.parametrize("line", _command_lines())
def test_commands_in_code_blocks_exist(line):
    words = shlex.split(line)[1:]
    assert words, f"{line!r}: no subcommand"
    name = words[0]
    assert name in COMMANDS, f"{line!r}: no command {name!r} (known: {', '.join(sorted(COMMANDS))})"
    cmd = cli.get_command(click.Context(cli), name)
    assert cmd is not None
    rest = words[1:]
    while isinstance(cmd, click.Group):
        assert rest and rest[0] in cmd.commands, (
            f"{line!r}: {name!r} has subcommands {', '.join(sorted(cmd.commands))}")
        name, cmd, rest = rest[0], cmd.commands[rest[0]], rest[1:]
    if words[0] in SKIP_OPTIONS:
        return
    options = {"--help", "-h"}
    for param in cmd.params:
        options.update(param.opts)
        options.update(param.secondary_opts)
    for word in rest:
        word = word.strip("[]")
        if word.startswith("-"):
            assert word.split("=", 1)[0] in options, (
                f"{line!r}: {name!r} has no option {word!r} (options: {', '.join(sorted(options))})")


def test_yaml_examples_parse():
    blocks = _blocks("yaml")
    assert blocks
    for body in blocks:
        parse_yaml(body, "<guide>")  # raises ScenarioError on a YAML problem
        yaml.safe_load(body)


def test_complete_scenarios_in_the_guide_validate():
    from pmsim.scenario.lint import static_problems

    complete = [b for b in _blocks("yaml") if re.search(r"^meta:", b, re.M)]
    assert complete, "the guide should hold a complete worked example"
    for body in complete:
        scenario, problems = check_scenario_text(body, "<guide>")
        assert scenario is not None, "\n".join(p.format(with_severity=True) for p in problems)
        _, positions = parse_yaml(body, "<guide>")
        found = problems + static_problems(scenario, "<guide>", positions)
        assert not found, "\n".join(p.format(with_severity=True) for p in found)


# ---------------------------------------------------------------------------- known problems
def _known_problems() -> list[str]:
    text = _text()
    section = text[text.index("### Known problems to avoid"):]
    section = section[:section.find("\n#", 1)] if "\n#" in section[1:] else section
    return re.findall(r"^- \*\*(.+?)\.\*\*", section, re.M)


def _template():
    from pmsim.scenario.loader import load_scenario

    return load_scenario(ROOT / "pmsim" / "scenario" / "template.yaml")


def _requests_for_work_that_does_not_fit() -> None:
    from pmsim.engine import EndRound, new_game

    sc = _template()
    big = sc.features[2].model_copy(update={"effort": 15.0})  # dashboards: reporting, the CEO's agenda
    assert big.id == "dashboards" and big.effort > sc.team.capacity
    sc = sc.model_copy(update={
        "features": [*sc.features[:2], big, *sc.features[3:]],
        "stakeholders": [s.model_copy(update={"requests": []}) for s in sc.stakeholders],
        "generated": sc.generated.model_copy(update={"requests_per_round": 5}),
    })
    g = new_game(sc, 1)
    g.apply(EndRound())
    asked = {q.feature for q in g.state.requests if not q.scripted}
    assert "dashboards" in asked


KNOWN_PROBLEMS = {
    "Requests for work that does not fit a round": _requests_for_work_that_does_not_fit,
}


def test_known_problems_are_listed_with_a_reproduction():
    assert _known_problems() == list(KNOWN_PROBLEMS)


@pytest.mark.parametrize("title", list(KNOWN_PROBLEMS))
def test_each_known_problem_still_reproduces(title):
    """When one fails, pmsim fixed it: remove it from the guide's "Known problems" (and here)."""
    KNOWN_PROBLEMS[title]()
