"""One gate: every command that loads a scenario refuses what `pmsim scenarios validate` refuses.

The commands run as real subprocesses (`python -m pmsim ...`), so what is tested is what a user
sees: exit code 2, the same `path:line:col: error: ...` lines as `validate` on stderr, no traceback.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pmsim.scenario.gate import check, check_text

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "pmsim" / "scenario" / "template.yaml"

# Files `validate` rejects, one per kind an instructor wrote by mistake (issue 12).
KINDS = {
    # lint errors (the loader accepts these: before the gate, `play` and `class create` did too)
    "must_be_on_unbuildable": [
        ("{id: exports, title: CSV export, theme: reporting, effort: 2, value: 0.05,",
         "{id: exports, title: CSV export, theme: reporting, effort: 2, value: 0.05, depends_on: [dashboards],"),
        ("{id: dashboards, title: Dashboards, theme: reporting, effort: 7,",
         "{id: dashboards, title: Dashboards, theme: reporting, effort: 70,"),
    ],
    "feature_larger_than_game": [
        ("{id: templates, title: Templates, theme: onboarding, effort: 3,",
         "{id: templates, title: Templates, theme: onboarding, effort: 300,"),
    ],
    # non-finite numbers, however they are spelled
    "nan_word": [("target: 215}", "target: nan}")],
    "nan_quoted": [("target: 215}", 'target: "nan"}')],
    "dot_inf": [("target: 60}", "target: .inf}")],
    "minus_inf_word": [("price: 5\n", "price: -inf\n")],
    # a YAML slip
    "flow_mapping_comma": [("title: Dashboards,", "title: Dashboards (Xero, QuickBooks),")],
}


def variant(tmp_path: Path, kind: str) -> Path:
    text = TEMPLATE.read_text(encoding="utf-8")
    for old, new in KINDS[kind]:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / f"{kind}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def pmsim(tmp_path: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "PMSIM_DB_URL": f"sqlite:///{tmp_path}/gate.sqlite3", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "pmsim", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=tmp_path, stdin=subprocess.DEVNULL)


def error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if ": error: " in line]


COMMANDS = {
    "play": lambda p: ["play", "--scenario", str(p)],
    "serve": lambda p: ["serve", "--scenario", str(p), "--port", "8765"],
    "simulate": lambda p: ["simulate", "--scenario", str(p), "--games", "2", "--strategy", "random"],
    "class create": lambda p: ["class", "create", "--scenario", str(p), "--name", "PM 101", "--seed", "3"],
    "scenarios balance": lambda p: ["scenarios", "balance", str(p), "--games", "2", "--jobs", "1"],
    "scenarios teach": lambda p: ["scenarios", "teach", str(p), "--games", "2", "--jobs", "1"],
}
CASES = [(c, k) for c in COMMANDS for k in ("must_be_on_unbuildable", "nan_word")]
CASES += [(c, k) for c in ("play", "class create") for k in KINDS if k not in ("must_be_on_unbuildable", "nan_word")]


@pytest.mark.parametrize(("command", "kind"), CASES, ids=[f"{c}-{k}" for c, k in CASES])
def test_every_command_refuses_what_validate_refuses(tmp_path, command, kind):
    path = variant(tmp_path, kind)
    valid = pmsim(tmp_path, "scenarios", "validate", str(path))
    assert valid.returncode == 2
    expected = error_lines(valid.stdout)
    assert expected and all(line.startswith(f"{path}:") for line in expected)
    out = pmsim(tmp_path, *COMMANDS[command](path))
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr + out.stdout
    assert error_lines(out.stderr) == expected
    assert out.stdout == ""  # nothing was played, created or served
    if command == "class create":
        listed = pmsim(tmp_path, "class", "list", "--json")
        assert json.loads(listed.stdout) == []


def test_force_lets_simulate_and_balance_past_lint_errors_only(tmp_path):
    lint = variant(tmp_path, "feature_larger_than_game")
    refused = pmsim(tmp_path, "simulate", "--scenario", str(lint), "--games", "2", "--strategy", "random")
    assert refused.returncode == 2 and "add --force" in refused.stderr
    forced = pmsim(tmp_path, "simulate", "--scenario", str(lint), "--games", "2", "--strategy", "random",
                   "--force", "--json")
    assert forced.returncode == 0, forced.stderr
    assert error_lines(forced.stderr) and "--force: going on despite 1 error(s)" in forced.stderr
    assert json.loads(forced.stdout)["strategies"]["random"]["mean"] >= 0
    # a file the loader refuses cannot be forced: there is no scenario to play
    broken = variant(tmp_path, "nan_word")
    out = pmsim(tmp_path, "simulate", "--scenario", str(broken), "--force", "--games", "2")
    assert out.returncode == 2 and "add --force" not in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("command", ["play", "class create", "serve"])
def test_no_force_where_a_student_plays(tmp_path, command):
    out = pmsim(tmp_path, *COMMANDS[command](variant(tmp_path, "feature_larger_than_game")), "--force")
    assert out.returncode == 2 and "No such option '--force'" in out.stderr


def test_warnings_are_printed_on_stderr_and_do_not_stop_a_command(tmp_path):
    text = TEMPLATE.read_text(encoding="utf-8").replace(
        'pains: ["Getting started took me an hour."]', 'pains: ["{client} says getting started took an hour."]')
    path = tmp_path / "warned.yaml"
    path.write_text(text, encoding="utf-8")
    out = pmsim(tmp_path, "simulate", "--scenario", str(path), "--games", "2", "--strategy", "random", "--json")
    assert out.returncode == 0, out.stderr
    assert f"{path}:" in out.stderr and ": warning: market.themes[0].pains[0]: {client}" in out.stderr
    json.loads(out.stdout)  # the warnings did not get into the JSON


def test_the_gate_is_the_validate_check(tmp_path):
    """`check` is pure and returns what a command needs: the text it checked and the scenario."""
    good = check("b2b_saas")
    assert good.scenario is not None and good.errors == () and good.text
    assert good.scenario.meta.id == "b2b_saas"
    bad = check(variant(tmp_path, "must_be_on_unbuildable"))
    assert bad.scenario is None and bad.loaded is not None and bad.forcible
    assert check(bad.path, force=True).scenario is not None
    assert check_text(bad.text, "x.yaml").lines() == [line.replace(bad.path, "x.yaml") for line in bad.lines()]
    unknown = check("no_such_scenario")
    assert unknown.scenario is None and not unknown.forcible
    assert unknown.lines()[0].startswith("no_such_scenario: no such scenario file or built-in scenario")


# ---------------------------------------------------------------------------- non-finite numbers
@pytest.mark.parametrize("spelling", [".nan", ".NaN", "nan", "NaN", '"nan"', "'nan'", "inf", ".inf", "-inf",
                                      "-.inf", '"-inf"', "Infinity", '"1e999"', "1e999"])
def test_non_finite_numbers_are_refused_naming_the_field(tmp_path, spelling):
    text = TEMPLATE.read_text(encoding="utf-8").replace("target: 215}", f"target: {spelling}}}")
    checked = check_text(text, "t.yaml")
    assert checked.scenario is None and checked.loaded is None
    [p] = checked.errors
    assert p.field == "okrs[0].key_results[0].target"
    assert "not a finite number" in p.message or "is not a number pmsim can use" in p.message
    assert "NaN and infinity are not allowed" in p.message


@pytest.mark.parametrize(("old", "field"), [
    ("share: 0.7 ", "market.segments[0].share"),
    ("capacity: 10 ", "team.capacity"),
    ("{onboarding: 0.5,", "market.segments[0].needs.onboarding"),
])
@pytest.mark.parametrize("spelling", ["nan", ".nan", '"inf"'])
def test_non_finite_numbers_in_constrained_fields_are_not_called_too_big(old, field, spelling):
    new = old.replace("0.7", spelling).replace("10", spelling).replace("0.5", spelling)
    text = TEMPLATE.read_text(encoding="utf-8").replace(old, new, 1)
    [p] = check_text(text, "t.yaml").errors
    assert p.field == field and "NaN and infinity are not allowed" in p.message
    assert "less than" not in p.message and "greater than" not in p.message


def test_json_output_never_contains_nan(tmp_path):
    """Scores are finite for every scenario the gate lets through; `json_text` refuses the rest."""
    from click.testing import CliRunner

    import pmsim.commands.common as common

    out = pmsim(tmp_path, "simulate", "--scenario", str(TEMPLATE), "--games", "2", "--json")
    assert out.returncode == 0
    assert "NaN" not in out.stdout and "Infinity" not in out.stdout
    json.loads(out.stdout, parse_constant=lambda c: pytest.fail(f"{c} in JSON output"))

    import click

    @click.command()
    def emit() -> None:
        click.echo(common.json_text({"score": math.nan}))

    res = CliRunner().invoke(emit, [])
    assert res.exit_code == 1 and "NaN" not in res.stdout
    assert "not a finite number" in res.stderr


WARNED = {
    "segment_needs_nothing": ("needs: {onboarding: 0.1, reporting: 0.4, security: 0.5}",
                              "needs: {onboarding: 0, reporting: 0, security: 0}"),
    "literal_placeholder": ('pains: ["Getting started took me an hour."]', 'pains: ["{client} waited an hour."]'),
}


@pytest.mark.parametrize("kind", list(WARNED))
def test_warned_kinds_are_accepted_with_the_warning_and_play_with_finite_scores(tmp_path, kind):
    old, new = WARNED[kind]
    text = TEMPLATE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / f"{kind}.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    created = pmsim(tmp_path, *COMMANDS["class create"](path))
    assert created.returncode == 0 and ": warning: " in created.stderr and "Created class" in created.stdout
    out = pmsim(tmp_path, "simulate", "--scenario", str(path), "--games", "2", "--json")
    assert out.returncode == 0 and ": warning: " in out.stderr

    def no_constants(c):
        raise AssertionError(f"{c} in JSON output")

    stats = json.loads(out.stdout, parse_constant=no_constants)["strategies"]
    assert all(math.isfinite(s["mean"]) and all(map(math.isfinite, s["components"].values())) for s in stats.values())


def test_serve_passes_the_checked_scenario_to_every_app_it_starts():
    from pmsim.commands.serve import app_command

    assert app_command("/abs/my.yaml").endswith("play --scenario /abs/my.yaml")
    assert "--scenario" not in app_command()
