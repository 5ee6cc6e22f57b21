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
    out = CliRunner().invoke(cli, ["scenarios", "validate", str(p)])
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
    assert runner.invoke(cli, ["scenarios", "validate", str(p)]).exit_code == 0
    assert runner.invoke(cli, ["scenarios", "validate", "--strict", str(p)]).exit_code == 1


def test_key_results_out_of_reach_or_trivial_are_flagged(tmp_path):
    def change(d):
        krs = d["okrs"][0]["key_results"]
        krs[0].update(metric="customers", target=5_000_000)  # more small teams than exist
        krs[1]["target"] = 10  # 10 paying small teams: already there
    from pmsim.engine.okr_check import okr_problems

    p = _variant(tmp_path, change)
    assert not any("even the oracle" in x.message for x in lint_file(p)[1])  # static lint: no bot games
    _, problems = lint_file(p, okr_check=okr_problems)
    text = "\n".join(x.message for x in problems)
    assert "'smb_activation': even the oracle" in text
    assert "'smb_customers': every bot reaches it" in text


def test_new_writes_a_template_that_validates_and_plays(tmp_path):
    from pmsim.engine import new_game
    from pmsim.engine.bots import play_game
    from pmsim.scenario.loader import load_scenario

    runner = CliRunner()
    p = tmp_path / "My Course.yaml"
    out = runner.invoke(cli, ["scenarios", "new", str(p)])
    assert out.exit_code == 0, out.output
    sc = load_scenario(p)
    assert sc.meta.id == "my_course"
    assert runner.invoke(cli, ["scenarios", "validate", "--strict", "--play", str(p)]).exit_code == 0
    assert play_game(new_game(sc, 1), "rice").finished
    assert p.read_text().startswith("# yaml-language-server: $schema=./schema.json")
    assert (tmp_path / "schema.json").read_text() == schema_text()
    again = runner.invoke(cli, ["scenarios", "new", str(p)])
    assert again.exit_code == 2 and "already exists" in again.output


def test_new_from_a_builtin_copies_it(tmp_path):
    p = tmp_path / "copy.yaml"
    out = CliRunner().invoke(cli, ["scenarios", "new", str(p), "--from", "b2b_saas"])
    assert out.exit_code == 0
    text = p.read_text()
    assert "  id: copy" in text and "Beacon" in text
    assert CliRunner().invoke(cli, ["scenarios", "validate", str(p)]).exit_code == 0


def test_balance_warnings_name_what_fails_to_teach():
    from pmsim.engine.balance import histogram, warnings

    def s(mean, okr):
        return {"mean": mean, "components": {"okr": okr}}

    batch = {"strategies": {"oracle": s(70, 1.0), "researcher": s(72, 1.0), "rice": s(60, 0.99),
                            "random": s(59, 0.97), "hippo": s(40, 0.96)},
             "raw": {"rice": [{"score": 60, "components": {"okr": 0.99, "delivery": 0.5}},
                              {"score": 61, "components": {"okr": 0.97, "delivery": 0.5}}]}}
    found = "\n".join(warnings(batch))
    assert "random 59.0 vs rice 60.0" in found
    assert "oracle (70.0) does not beat researcher (72.0)" in found
    assert "trivially met" in found
    assert "'delivery' never varies" in found
    assert len(histogram([10, 10, 95], bins=10)) == 10


def test_balance_command_shows_a_table_and_histograms(tmp_path):
    p = tmp_path / "t.yaml"
    CliRunner().invoke(cli, ["scenarios", "new", str(p)])
    out = CliRunner().invoke(cli, ["scenarios", "balance", str(p), "--games", "2", "--jobs", "1"])
    assert out.exit_code in (0, 1)
    for name in ("random", "hippo", "rice", "researcher", "oracle", "customer_impact"):
        assert name in out.output
    assert "scores" in out.output


def test_a_segment_without_customers_is_an_error(tmp_path):
    def change(d):
        d["market"]["population"] = 400
    p = _variant(tmp_path, change)  # enterprise: 10% of 400 = 40 customers
    out = CliRunner().invoke(cli, ["scenarios", "validate", str(p)])
    assert out.exit_code == 2
    assert "segment 'enterprise' gets only 40 of 400 customers" in out.output


def test_an_event_request_arrives_in_the_events_round(tmp_path):
    def change(d):
        ev = next(e for e in d["events"] if e.get("request"))
        ev["request"]["round"] = 1
    p = _variant(tmp_path, change)
    out = CliRunner().invoke(cli, ["scenarios", "validate", str(p)])
    assert out.exit_code == 2 and "request.round" in out.output and "event's round" in out.output


def test_requests_that_would_share_an_id_in_play_are_an_error(tmp_path):
    # the CEO's second request takes its default id, ceo_2, which a third request writes out: in play
    # the player's answer reached the first of the two and the other was always "ignored"
    def change(d):
        ceo = next(s for s in d["stakeholders"] if s["id"] == "ceo")
        del ceo["requests"][1]["id"]
        ceo["requests"].append({"id": "ceo_2", "round": 4, "text": "And another thing."})
    p = _variant(tmp_path, change)
    sc, problems = lint_file(p, okr_check=False)
    assert sc is None
    [clash] = [x for x in problems if "cannot both be answered" in x.message]
    assert clash.severity == "error" and clash.field == "stakeholders[0].requests[2].id"
    assert "'ceo_2'" in clash.message and "stakeholders[0].requests[1]" in clash.message
    out = CliRunner().invoke(cli, ["scenarios", "validate", str(p)])
    assert out.exit_code == 2 and "Traceback" not in out.output


def test_a_request_id_generated_requests_take_is_an_error(tmp_path):
    def change(d):
        d["stakeholders"][0]["requests"][0]["id"] = "g1_1"  # the first request generated in round 1
    p = _variant(tmp_path, change)
    sc, problems = lint_file(p, okr_check=False)
    assert sc is None
    assert any("g<round>_<n>" in x.message and x.severity == "error" for x in problems)

    def no_generated(d):
        change(d)
        d["generated"]["requests_per_round"] = 0
    sc, problems = lint_file(_variant(tmp_path, no_generated), okr_check=False)
    assert sc is not None and not any("g<round>_<n>" in x.message for x in problems)


def test_an_event_request_with_no_stakeholders_to_make_it_is_a_warning(tmp_path):
    def change(d):
        d["stakeholders"] = []
        for o in d["okrs"]:
            o.pop("owner", None)
        for e in d["events"]:
            if e.pop("stakeholder", None):
                e["kind"] = "press"  # a leadership pivot with a request needs a stakeholder
    p = _variant(tmp_path, change)
    sc, problems = lint_file(p, okr_check=False)
    [w] = [x for x in problems if "nobody makes this request" in x.message]
    assert w.severity == "warning" and w.field.startswith("events[") and w.field.endswith(".request")


def test_validate_checks_key_results_only_with_play(tmp_path):
    def change(d):
        d["okrs"][0]["key_results"][1]["target"] = 10  # already met: every bot reaches it
    p = _variant(tmp_path, change)
    runner = CliRunner()
    plain = runner.invoke(cli, ["scenarios", "validate", str(p)])
    played = runner.invoke(cli, ["scenarios", "validate", "--play", str(p)])
    assert "every bot reaches it" not in plain.output
    assert "every bot reaches it" in played.output


# ---------------------------------------------------------------------------- setups that cannot work
TEMPLATE = ROOT / "pmsim" / "scenario" / "template.yaml"


def _template(tmp_path, *edits) -> Path:
    text = TEMPLATE.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    p = tmp_path / "t.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def _found(p, words):
    sc, problems = lint_file(p, okr_check=False)
    return sc, [x for x in problems if words in x.message]


def test_feature_larger_than_the_whole_game_is_an_error(tmp_path):
    # 6 rounds x 10 wk x (1 - 0.05 debt) = 57 wk in the whole game
    p = _template(tmp_path, ("theme: onboarding, effort: 3,", "theme: onboarding, effort: 58,"))
    sc, [x] = _found(p, "does not fit the game")
    assert sc is None and x.severity == "error" and x.field == "features[1].effort"
    assert "'templates' takes 58 wk but the whole game has at most 57 wk" in x.message
    lines = p.read_text(encoding="utf-8").splitlines()
    assert "effort: 58" in lines[x.line - 1] and lines[x.line - 1][x.col - 1:].startswith("58")
    ok = _template(tmp_path, ("theme: onboarding, effort: 3,", "theme: onboarding, effort: 56,"))
    assert lint_file(ok, okr_check=False)[0] is not None  # fits the game (on a lucky estimate per round)


def test_feature_available_late_counts_only_the_rounds_left(tmp_path):
    p = _template(tmp_path, ("theme: onboarding, effort: 3,", "theme: onboarding, effort: 20, available_from: 5,"))
    sc, [x] = _found(p, "does not fit the game")
    assert sc is None and "rounds 5-6 has at most 19 wk" in x.message


def test_must_be_feature_depending_on_an_unbuildable_one_is_an_error(tmp_path):
    # exports is must-be for `large`; it needs a11y_pass, which needs dashboards, which does not fit the game
    p = _template(
        tmp_path,
        ("{id: exports, title: CSV export, theme: reporting, effort: 2, value: 0.05,",
         "{id: exports, title: CSV export, theme: reporting, effort: 2, value: 0.05, depends_on: [a11y_pass],"),
        ("{id: dashboards, title: Dashboards, theme: reporting, effort: 7,",
         "{id: dashboards, title: Dashboards, theme: reporting, effort: 70,"),
        ("effort: 4, value: 0.03,", "effort: 4, value: 0.03, depends_on: [dashboards],"),
    )
    sc, [x] = _found(p, "depends on 'dashboards'")
    assert sc is None and x.severity == "error" and x.field == "features[3].depends_on"
    assert "must-be feature 'exports' (for large)" in x.message and "(through a11y_pass)" in x.message
    # a11y_pass is not must-be: only the root cause is reported for it
    assert not _found(p, "'a11y_pass' (for")[1]


def test_feature_that_fits_only_without_its_dependencies(tmp_path):
    # sso (must-be for large, 6 wk) + audit_log 52 wk = 58 wk > 57 wk
    p = _template(tmp_path, ("effort: 5, value: 0.1, depends_on: [sso]", "effort: 52, value: 0.1, depends_on: [sso]"))
    sc, [x] = _found(p, "with its dependencies")
    assert x.field == "features[5].depends_on" and "must-be feature 'audit_log' (for large) needs 58 wk" in x.message
    assert x.severity == "error" and sc is None
    p = _template(tmp_path, ("effort: 5, value: 0.1, depends_on: [sso]", "effort: 52, value: 0.1, depends_on: [sso]"),
                  ("kano: {security: must_be}", "kano: {security: performance}"))
    sc, [x] = _found(p, "with its dependencies")
    assert x.severity == "warning" and sc is not None


def test_segment_that_needs_nothing_is_a_warning(tmp_path):
    p = _template(tmp_path, ("needs: {onboarding: 0.1, reporting: 0.4, security: 0.5}",
                             "needs: {onboarding: 0, reporting: 0, security: 0}"))
    sc, [x] = _found(p, "needs nothing")
    assert sc is not None and x.severity == "warning" and x.field == "market.segments[1].needs"
    assert "segment 'large'" in x.message


@pytest.mark.parametrize(("old", "new", "field"), [
    ('pains: ["Getting started took me an hour."]', 'pains: ["{client} took an hour to get started."]',
     "market.themes[0].pains[0]"),
    ('text: "Two big deals need SSO."', 'text: "{company} needs SSO. So does {theme}."',
     "stakeholders[1].requests[0].text"),
    ('text: "A long outage."', 'text: "A long outage at {company}."', "events[0].text"),
    ('objective: "Grow with large companies"', 'objective: "Grow with {segment}"', "okrs[0].objective"),
    ('summary: "One paragraph the player reads before starting."', 'summary: "You join {company}."',
     "meta.summary"),
])
def test_placeholder_shown_literally_is_a_warning(tmp_path, old, new, field):
    p = _template(tmp_path, (old, new))
    sc, found = _found(p, "is not a placeholder pmsim fills")
    assert sc is not None and found and all(x.severity == "warning" and x.field == field for x in found)
    assert "players would see '{" in found[0].message


def test_theme_placeholder_in_pains_is_filled_not_warned(tmp_path):
    p = _template(tmp_path, ('pains: ["Getting started took me an hour."]', 'pains: ["{theme} took me an hour."]'))
    assert not _found(p, "placeholder")[1]


def test_every_schema_property_has_a_description():
    """Editors show the description on hover: no field of the scenario file goes without one."""
    schema = json.loads(schema_text())
    missing = []

    def walk(name, node):
        for prop, sub in node.get("properties", {}).items():
            if not (sub.get("description") or "").strip():
                missing.append(f"{name}.{prop}")

    walk("Scenario", schema)
    for name, sub in schema["$defs"].items():
        walk(name, sub)
    assert len(schema["$defs"]) >= 18
    assert not missing, f"fields without a description: {', '.join(missing)}"


def test_scenarios_new_refuses_a_folder_that_does_not_exist(tmp_path):
    p = tmp_path / "typo" / "deeper" / "course.yaml"
    out = CliRunner().invoke(cli, ["scenarios", "new", str(p)])
    assert out.exit_code == 2
    assert "no such folder" in out.output and "Traceback" not in out.output
    assert not (tmp_path / "typo").exists()
