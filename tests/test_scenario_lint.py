"""Scenario authoring: the JSON Schema stays in sync; the lint finds what teaches badly."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from pmsim.cli import cli
from pmsim.scenario.lint import lint_file
from pmsim.scenario.schema import schema_text

ROOT = Path(__file__).resolve().parents[1]
BUILTIN = sorted((ROOT / "scenarios").glob("*.yaml"))


def test_shipped_schema_is_in_sync_with_the_models():
    assert (ROOT / "scenarios" / "schema.json").read_text() == schema_text(), (
        "regenerate with: pmsim scenarios schema > scenarios/schema.json")


@pytest.mark.parametrize("path", BUILTIN, ids=[p.stem for p in BUILTIN])
def test_builtins_point_editors_at_the_schema_and_satisfy_it(path):
    text = path.read_text()
    assert text.splitlines()[0] == "# yaml-language-server: $schema=./schema.json"
    schema = json.loads((ROOT / "scenarios" / "schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(yaml.safe_load(text)))
    assert errors == []


def test_schema_command_prints_the_schema():
    out = CliRunner().invoke(cli, ["scenarios", "schema"])
    assert out.exit_code == 0
    assert json.loads(out.output)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _variant(tmp_path, change) -> Path:
    data = yaml.safe_load((ROOT / "scenarios" / "b2b_saas.yaml").read_text())
    change(data)
    p = tmp_path / "variant.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    return p


def test_must_be_work_that_never_fits_is_an_error(tmp_path):
    def change(d):
        next(f for f in d["features"] if f["id"] == "sso")["effort"] = 80

    p = _variant(tmp_path, change)
    sc, problems = lint_file(p, okr_check=False)
    assert sc is None
    msg = [x for x in problems if "can never be planned" in x.message]
    assert msg and msg[0].severity == "error" and msg[0].field.endswith("effort")
    out = CliRunner().invoke(cli, ["scenarios", "validate", "--no-play", str(p)])
    assert out.exit_code == 2
    assert f"{p}:" in out.output and "error:" in out.output and "Traceback" not in out.output


def test_silent_stakeholder_is_a_warning_and_strict_fails(tmp_path):
    def change(d):
        d["stakeholders"].append({"id": "legal", "role": "leadership", "power": 0.5, "legitimacy": 0.5,
                                  "urgency": 0.1, "agenda": []})

    p = _variant(tmp_path, change)
    sc, problems = lint_file(p, okr_check=False)
    assert sc is not None
    assert any("never asks" in x.message and x.severity == "warning" for x in problems)
    runner = CliRunner()
    assert runner.invoke(cli, ["scenarios", "validate", "--no-play", str(p)]).exit_code == 0
    assert runner.invoke(cli, ["scenarios", "validate", "--no-play", "--strict", str(p)]).exit_code == 1


def test_key_results_out_of_reach_or_trivial_are_flagged(tmp_path):
    def change(d):
        krs = d["okrs"][0]["key_results"]
        krs[0].update(metric="customers", target=5_000_000)  # more small teams than exist
        krs[1]["target"] = 10  # 10 paying small teams: already there
    p = _variant(tmp_path, change)
    _, problems = lint_file(p)
    text = "\n".join(x.message for x in problems)
    assert "'smb_activation': even the oracle" in text
    assert "'smb_customers': every bot reaches it" in text
