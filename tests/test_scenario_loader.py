"""Tests for the scenario loader: every malformed file gives `path:line:col: message` problems."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from pmsim.scenario import loader, yaml_safe
from pmsim.scenario.loader import (
    MAX_BYTES,
    PositionMap,
    Problem,
    ScenarioError,
    load_scenario,
    load_scenario_text,
    main,
    parse_yaml,
    semantic_problems,
)
from pmsim.scenario.models import Scenario

VALID = """\
meta:
  id: tiny
  title: Tiny test scenario
rounds: 6
team:
  capacity: 10
  capacity_by_round: {3: 8}
market:
  population: 1000
  themes:
    - id: speed
      name: Speed
    - id: privacy
      name: Privacy
  segments:
    - id: smb
      name: Small business
      share: 0.6
      needs: {speed: 2, privacy: 1}
      kano: {privacy: must_be}
      price: 10
      initial_competitors: {rival: 0.2}
    - id: ent
      name: Enterprise
      share: 0.4
      needs: {speed: 1, privacy: 3}
      price: 50
  competitors:
    - id: rival
      name: Rival Inc
      strengths: {speed: 0.5}
      moves:
        - {round: 3, theme: privacy, delta: 0.1}
  product: {speed: 0.3, privacy: 0.2}
features:
  - id: cache
    title: Response cache
    theme: speed
    effort: 4
    value: 0.2
  - id: audit
    title: Audit log
    theme: privacy
    effort: 6
    value: 0.3
    kano: {ent: must_be}
  - id: sso
    title: Single sign-on
    theme: privacy
    effort: 8
    value: 0.25
    depends_on: [audit]
stakeholders:
  - id: sam
    role: sales
    power: 0.8
    legitimacy: 0.6
    urgency: 0.7
    agenda: [privacy]
    requests:
      - id: sso_request
        round: 2
        feature: sso
        text: Enterprise prospects need SSO.
        deadline: 4
okrs:
  - id: grow
    objective: Grow the enterprise segment
    owner: sam
    key_results:
      - id: ent_customers
        metric: customers
        segment: ent
        target: 50
events:
  - round: 3
    kind: competitor_launch
    text: Rival launches a privacy dashboard.
    competitor: rival
    theme: privacy
    delta: 0.1
"""

P = "scenarios/x.yaml"


@pytest.fixture(autouse=True)
def parse_afresh(monkeypatch):
    """Every test here parses its texts itself: none gets a Scenario another test (or parser, or
    a monkeypatched check) parsed before (the loader keeps parsed texts, see load_scenario_text)."""
    monkeypatch.setattr(loader, "_PARSED", {})


@pytest.fixture(params=[True, False], ids=["libyaml", "pure-python"])
def parser(request, monkeypatch):
    """Run a test with libyaml's parser and with PyYAML's pure-Python one."""
    if request.param and yaml_safe._FAST_LOADER is None:
        pytest.skip("PyYAML built without libyaml")
    monkeypatch.setattr(yaml_safe, "USE_LIBYAML", request.param)
    return request.param


def where(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """1-based (line, col) of the first occurrence of `needle` in `text`, plus `offset` columns."""
    index = text.index(needle)
    assert text.count(needle) == 1, f"{needle!r} is ambiguous in the test text"
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col + offset


def edit(old: str, new: str, text: str = VALID) -> str:
    assert text.count(old) == 1, f"{old!r} is not unique in the test text"
    return text.replace(old, new)


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, P)
    assert info.value.problems, "a ScenarioError must hold at least one problem"
    return info.value.problems


def only_problem(text: str) -> Problem:
    problems = problems_of(text)
    assert len(problems) == 1, [p.format() for p in problems]
    return problems[0]


def at(p: Problem) -> tuple[int, int]:
    return (p.line, p.col)


# ------------------------------------------------------------------------------------------
# A valid scenario
# ------------------------------------------------------------------------------------------


def test_valid_scenario_loads(parser):
    sc = load_scenario_text(VALID, P)
    assert isinstance(sc, Scenario)
    assert sc.rounds == 6
    assert sc.theme_ids() == ["speed", "privacy"]
    assert sc.feature("sso").depends_on == ["audit"]
    assert sc.team.capacity_by_round == {3: 8}
    assert sc.stakeholders[0].requests[0].feature == "sso"
    assert semantic_problems(sc) == []


def test_load_scenario_from_file(tmp_path):
    f = tmp_path / "tiny.yaml"
    f.write_text(VALID, encoding="utf-8")
    assert load_scenario(f).meta.id == "tiny"
    assert load_scenario(str(f)).meta.title == "Tiny test scenario"


def test_utf8_bom_and_utf16_are_accepted(tmp_path):
    f = tmp_path / "bom.yaml"
    f.write_bytes(b"\xef\xbb\xbf" + VALID.encode())
    assert load_scenario(f).meta.id == "tiny"
    f.write_bytes(VALID.encode("utf-16"))
    assert load_scenario(f).meta.id == "tiny"


def test_parse_yaml_positions(parser):
    data, pos = parse_yaml(VALID, P)
    assert isinstance(pos, PositionMap)
    assert data["features"][2]["effort"] == 8
    assert pos[("features", 2, "effort")] == where(VALID, "effort: 8", len("effort: "))
    assert pos[("features", 2)] == where(VALID, "id: sso\n")
    assert pos.key_position(("features", 2, "effort")) == where(VALID, "effort: 8")
    assert pos[()] == (1, 1)
    assert pos.locate(("features", 2, "nonexistent", 5)) == pos[("features", 2)]


def test_anchors_and_merge_keys_work():
    text = edit("    - id: ent\n      name: Enterprise\n      share: 0.4\n",
                "    - <<: *seg\n      id: ent\n      name: Enterprise\n      share: 0.4\n")
    text = edit("      needs: {speed: 2, privacy: 1}", "      needs: &needs {speed: 2, privacy: 1}", text)
    text = edit("      price: 10\n", "      price: &price 10\n", text)
    text = edit("    - id: smb\n", "    - &seg\n      id: smb\n", text)
    text = edit("      needs: {speed: 1, privacy: 3}\n      price: 50\n", "", text)
    sc = load_scenario_text(text, P)
    ent = sc.market.segments[1]
    assert (ent.id, ent.share, ent.price, ent.needs) == ("ent", 0.4, 10, {"speed": 2, "privacy": 1})


# ------------------------------------------------------------------------------------------
# YAML-level problems
# ------------------------------------------------------------------------------------------


def test_invalid_yaml_syntax(parser):
    text = edit("rounds: 6\n", "rounds: 6: 7\n")
    p = only_problem(text)
    assert at(p) == where(text, ": 7", 0)
    assert p.message == 'a \':\' followed by a space inside a value needs quotes; quote the rounds: rounds: "6: 7"'
    assert p.format() == f"{P}:{p.line}:{p.col}: {p.message}"


def test_unterminated_quote_names_where_it_started(parser):
    p = only_problem("meta:\n  title: 'oops\n")
    assert at(p) == (3, 1)
    assert "invalid YAML" in p.message and "started at line 2" in p.message


def test_object_constructing_tag_is_refused_and_never_executed(parser, tmp_path):
    marker = tmp_path / "pwned"
    text = f'meta: !!python/object/apply:os.system ["touch {marker}"]\n'
    problems = problems_of(text)
    assert not marker.exists()
    assert [(at(p), p.message) for p in problems] == [
        ((1, 7), "tag '!!python/object/apply:os.system' is not allowed")
    ]


def test_object_tag_in_a_file_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    f = tmp_path / "evil.yaml"
    f.write_text(edit("  title: Tiny test scenario\n",
                      f"  title: !!python/object/apply:os.system [\"touch {marker}\"]\n"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    assert not marker.exists()
    [p] = info.value.problems
    assert (p.path, p.line, p.col) == (str(f), 3, 10)
    assert "'!!python/object/apply:os.system' is not allowed" in p.message


@pytest.mark.parametrize(
    "snippet, tag",
    [
        ("!!python/name:os.system ''", "!!python/name:os.system"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!set {a, b}", "!!set"),
        ("!custom 3", "!custom"),
        ("!<tag:example.com,2024:thing> 3", "tag:example.com,2024:thing"),
    ],
)
def test_non_standard_tags_are_errors(parser, snippet, tag):
    p = only_problem(f"meta:\n  id: {snippet}\n")
    assert at(p) == (2, 7)
    assert p.message == f"tag '{tag}' is not allowed"


def test_standard_tags_are_fine():
    data, _ = parse_yaml("a: !!str 12\nb: !!float 3\nc: !!int '4'\nd: ! x\n", P)
    assert data == {"a": "12", "b": 3.0, "c": 4, "d": "x"}


def test_duplicate_keys(parser):
    text = edit("rounds: 6\n", "rounds: 6\nrounds: 8\n")
    p = only_problem(text)
    assert at(p) == (5, 1)
    assert p.message == "duplicate key 'rounds' (first defined at line 4)"


def test_duplicate_keys_in_flow_mapping(parser):
    text = edit("{speed: 2, privacy: 1}", "{speed: 2, privacy: 1, speed: 3}")
    p = only_problem(text)
    assert at(p) == where(text, "speed: 3")
    assert "duplicate key 'speed'" in p.message


def test_non_mapping_top_level(parser):
    p = only_problem("- meta\n- rounds\n")
    assert at(p) == (1, 1)
    assert "top level must be a mapping" in p.message and "a list" in p.message
    p = only_problem("just some text\n")
    assert "top level must be a mapping" in p.message


def test_empty_file():
    p = only_problem("# nothing but a comment\n")
    assert at(p) == (1, 1) and "empty" in p.message


def test_more_than_one_document(parser):
    p = only_problem(VALID + "---\nrounds: 3\n")
    assert at(p) == (VALID.count("\n") + 1, 1)
    assert "single YAML document" in p.message


def test_deep_nesting(parser):
    # the top-level mapping is level 1, so the 32nd '[' opens level 33
    p = only_problem("a: " + "[" * 40 + "]" * 40 + "\n")
    assert at(p) == (1, 4 + 31)
    assert "nesting is too deep" in p.message


def test_very_deep_nesting_is_no_recursion_error(parser):
    # One problem on line 1, in the loader's words, whichever parser (or libyaml version) stopped it.
    p = only_problem("a: " + "[" * 200_000)
    assert p.line == 1
    assert p.message.startswith("nesting is too deep (more than ")


def test_a_parsers_own_depth_limit_is_reported_in_our_words():
    """libyaml >= 0.2.6 raises its own depth error; the player sees the loader's message."""
    mark = yaml.Mark("x", 1002, 0, 1002, None, None)
    exc = yaml.parser.ParserError(
        None, None, "exceeded maximum nesting depth (while increasing flow level)", mark
    )
    p = loader._Composer("a: [", P).syntax_problem(exc)
    assert (p.line, p.col) == (1, 1003)
    assert p.message == f"nesting is too deep (more than {loader.MAX_DEPTH} levels)"


def test_deep_nesting_through_aliases(parser):
    deep = "[" * 20 + "]" * 20
    text = f"a: &a {deep}\nb: " + "[" * 20 + "*a" + "]" * 20 + "\n"
    p = only_problem(text)
    assert at(p) == where(text, "*a")
    assert "too deep" in p.message


BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]\n" for prev, cur in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_billion_laughs_fails_fast(parser):
    start = time.perf_counter()
    p = only_problem(BILLION_LAUGHS)
    assert time.perf_counter() - start < 0.5
    # a=10 values, b=91, c=820, d=7381, e=66430: the limit is crossed on line 6 (f) at its 2nd *e
    assert at(p) == (6, 11)
    assert "billion laughs" in p.message and "200,000" in p.message


def test_undefined_and_recursive_aliases(parser):
    p = only_problem("meta: *nothing\n")
    assert at(p) == (1, 7) and "no anchor '&nothing'" in p.message
    p = only_problem("meta: &m [1, *m]\n")
    assert at(p) == (1, 14) and "contains it" in p.message


def test_unreadable_scalars(parser):
    problems = problems_of("a: !!int twelve\nb: 2024-13-45\nc: .nan\nd: -.inf\n")
    assert [at(p) for p in problems] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert "cannot read 'twelve' as a whole number" in problems[0].message
    assert "cannot read '2024-13-45' as a date" in problems[1].message
    assert "finite number" in problems[2].message and "finite number" in problems[3].message


def test_complex_keys_are_errors(parser):
    p = only_problem("? [a, b]\n: 1\n")
    assert at(p) == (1, 3) and "a key must be a plain value, not a list" in p.message


# ------------------------------------------------------------------------------------------
# File-level problems
# ------------------------------------------------------------------------------------------


def test_huge_file(tmp_path):
    f = tmp_path / "huge.yaml"
    f.write_bytes(b"# " + b"x" * MAX_BYTES + b"\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    [p] = info.value.problems
    assert (p.path, p.line, p.col) == (str(f), 1, 1)
    assert p.message == f"file is too large ({MAX_BYTES + 3:,} bytes, limit 2 MiB)"


def test_huge_text():
    p = only_problem("#" * (MAX_BYTES + 1))
    assert at(p) == (1, 1) and "file is too large" in p.message


def test_nonexistent_path(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(missing)
    assert info.value.lines() == [f"{missing}:1:1: file not found"]


def test_directory_path(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path)
    assert info.value.lines() == [f"{tmp_path}:1:1: is a directory, not a scenario file"]


def test_binary_garbage(tmp_path):
    f = tmp_path / "garbage.yaml"
    f.write_bytes(b"meta:\n  id: \xff\xfe\x00\x89PNG\x00\x01")
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    [p] = info.value.problems
    assert at(p) == (2, 7)
    assert "not UTF-8" in p.message and "0xff" in p.message


def test_control_characters_in_utf8(parser, tmp_path):
    f = tmp_path / "nul.yaml"
    f.write_bytes("meta:\n  id: é\x00b\n".encode())
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    [p] = info.value.problems
    assert at(p) == (2, 8)
    assert "U+0000" in p.message


# ------------------------------------------------------------------------------------------
# Validation problems (pydantic)
# ------------------------------------------------------------------------------------------


def test_wrong_type(parser):
    text = edit("effort: 8", "effort: lots")
    p = only_problem(text)
    assert at(p) == where(text, "lots")
    assert p.field == "features[2].effort"
    assert "valid number" in p.message and "'lots'" in p.message
    assert p.format() == f"{P}:{p.line}:{p.col}: features[2].effort: {p.message}"


def test_out_of_range_value_names_the_field():
    text = edit("effort: 6", "effort: 0")
    p = only_problem(text)
    line, col = where(text, "effort: 0", len("effort: "))
    assert p.format() == f"{P}:{line}:{col}: features[1].effort: Input should be greater than 0"


def test_number_where_text_is_expected_hints_at_quotes():
    text = edit("  title: Tiny test scenario", "  title: 1.5")
    p = only_problem(text)
    assert at(p) == where(text, "1.5")
    assert "valid string" in p.message and "quotes" in p.message


def test_unknown_key(parser):
    text = edit("    effort: 4\n", "    effort: 4\n    efort: 5\n")
    p = only_problem(text)
    assert at(p) == where(text, "efort: 5")
    assert p.field == "features[0].efort"
    assert p.message.startswith("unknown key 'efort', did you mean 'effort'? (allowed: id, title, theme, effort,")


def test_unknown_top_level_key():
    text = VALID + "round: 3\n"
    p = only_problem(text)
    assert at(p) == (VALID.count("\n") + 1, 1)
    assert "unknown key 'round', did you mean 'rounds'?" in p.message
    assert "meta, rounds, team, market, features" in p.message


def test_missing_field(parser):
    text = edit("    effort: 4\n", "")
    p = only_problem(text)
    assert at(p) == where(text, "id: cache")  # the mapping that lacks it
    assert p.field == "features[0].effort"
    assert p.message == "missing required field 'effort'"


def test_missing_top_level_section():
    text = VALID[VALID.index("market:"):VALID.index("features:")]
    problems = problems_of(edit(text, ""))
    assert [(at(p), p.message) for p in problems] == [((1, 1), "missing required field 'market'")]


def test_bad_dict_key_points_at_the_key():
    text = edit("{3: 8}", "{3: 8, soon: 2}")
    p = only_problem(text)
    assert at(p) == where(text, "soon")
    assert "valid integer" in p.message


def test_all_validation_problems_are_reported():
    text = edit("effort: 8", "effort: -1")
    text = edit("    role: sales", "    role: salse", text)
    text = edit("  population: 1000", "  population: 1000\n  colour: red", text)
    problems = problems_of(text)
    assert [p.field for p in problems] == ["market.colour", "features[2].effort", "stakeholders[0].role"]
    assert [p.line for p in problems] == sorted(p.line for p in problems)


# ------------------------------------------------------------------------------------------
# Cross-reference problems
# ------------------------------------------------------------------------------------------


def test_reference_to_missing_feature(parser):
    text = edit("depends_on: [audit]", "depends_on: [audti]")
    p = only_problem(text)
    assert at(p) == where(text, "audti")
    assert p.field == "features[2].depends_on[0]"
    assert p.message.startswith("unknown feature 'audti', did you mean 'audit'?")


def test_request_for_missing_feature():
    text = edit("        feature: sso", "        feature: saml")
    p = only_problem(text)
    assert at(p) == where(text, "saml")
    assert "unknown feature 'saml'" in p.message


def test_dependency_cycle(parser):
    text = edit("    kano: {ent: must_be}\n", "    kano: {ent: must_be}\n    depends_on: [sso]\n")
    p = only_problem(text)
    assert at(p) == where(text, "[sso]", 1)
    assert p.message == "dependency cycle: audit -> sso -> audit"


def test_longer_cycle_and_self_dependency():
    text = edit("    value: 0.2\n", "    value: 0.2\n    depends_on: [cache, sso]\n")
    text = edit("    kano: {ent: must_be}\n", "    kano: {ent: must_be}\n    depends_on: [cache]\n", text)
    problems = problems_of(text)
    messages = [p.message for p in problems]
    assert messages == ["feature 'cache' depends on itself", "dependency cycle: cache -> sso -> audit -> cache"]
    assert at(problems[0]) == where(text, "[cache, sso]", 1)
    assert at(problems[1]) == where(text, "sso]")


def test_shares_must_sum_to_one(parser):
    text = edit("share: 0.4", "share: 0.3")
    p = only_problem(text)
    assert at(p) == where(text, "  segments:", 2)
    assert "segment shares must add up to 1" in p.message and "0.9" in p.message


def test_shares_within_tolerance_are_fine():
    load_scenario_text(edit("share: 0.4", "share: 0.395"), P)


def test_unknown_theme_and_segment_references():
    text = edit("theme: speed\n", "theme: sped\n")
    text = edit("{speed: 1, privacy: 3}", "{speed: 1, privcy: 3}", text)
    text = edit("kano: {ent: must_be}", "kano: {entr: must_be}", text)
    text = edit("        segment: ent", "        segment: enterprise", text)
    text = edit("    agenda: [privacy]", "    agenda: [security]", text)
    text = edit("{speed: 0.3, privacy: 0.2}", "{speed: 0.3, privacy: 0.2, cost: 0.1}", text)
    problems = problems_of(text)
    found = {(p.field, at(p)) for p in problems}
    assert found == {
        ("market.segments[1].needs.privcy", where(text, "privcy")),
        ("market.product.cost", where(text, "cost")),
        ("features[0].theme", where(text, "sped")),
        ("features[1].kano.entr", where(text, "entr")),
        ("stakeholders[0].agenda[0]", where(text, "security")),
        ("okrs[0].key_results[0].segment", where(text, "segment: enterprise", len("segment: "))),
    }
    assert all(p.message.startswith("unknown ") for p in problems)


def test_unknown_competitor_stakeholder_and_owner():
    text = edit("initial_competitors: {rival: 0.2}", "initial_competitors: {rivals: 0.2}")
    text = edit("    competitor: rival\n", "    competitor: nemesis\n    stakeholder: pat\n", text)
    text = edit("    owner: sam", "    owner: samantha", text)
    text = edit("        - {round: 3, theme: privacy", "        - {round: 3, theme: safety", text)
    problems = problems_of(text)
    assert [(p.field, p.message.split(",")[0].split(" (")[0]) for p in problems] == [
        ("market.segments[0].initial_competitors.rivals", "unknown competitor 'rivals'"),
        ("market.competitors[0].moves[0].theme", "unknown theme 'safety'"),
        ("okrs[0].owner", "unknown stakeholder 'samantha'"),
        ("events[0].competitor", "unknown competitor 'nemesis'"),
        ("events[0].stakeholder", "unknown stakeholder 'pat'"),
    ]


def test_rounds_beyond_the_scenario():
    text = edit("rounds: 6", "rounds: 2")
    problems = problems_of(text)
    assert {p.field: at(p) for p in problems} == {
        "team.capacity_by_round[3]": where(text, "{3: 8}", 1),
        "market.competitors[0].moves[0].round": where(text, "{round: 3", len("{round: ")),
        "stakeholders[0].requests[0].deadline": where(text, "deadline: 4", len("deadline: ")),
        "events[0].round": where(text, "  - round: 3", len("  - round: ")),
    }
    assert "after the last round" in problems[1].message


def test_deadline_before_request_round():
    p = only_problem(edit("deadline: 4", "deadline: 1"))
    assert p.message == "deadline 1 is before the request's round 2"


def test_duplicate_ids():
    text = edit("stakeholders:\n", "  - {id: cache, title: Again, theme: speed, effort: 1, value: 0.1}\nstakeholders:\n")
    text = edit("      - id: ent_customers", "      - id: sso_request", text)  # different kinds: fine
    text = edit("    theme: privacy\n    delta: 0.1\n",
                "    theme: privacy\n    delta: 0.1\n    request: {id: sso_request, round: 3, text: Again}\n", text)
    problems = problems_of(text)
    assert [(p.field, p.message) for p in problems] == [
        ("features[3].id", "duplicate feature id 'cache' (already used by features[0])"),
        ("events[0].request.id", "duplicate request id 'sso_request' (already used by stakeholders[0].requests[0])"),
    ]
    assert at(problems[0]) == where(text, "{id: cache", len("{id: "))


def test_semantic_problems_without_positions():
    sc = load_scenario_text(VALID, P)
    bad = sc.model_copy(update={"rounds": 1})
    problems = semantic_problems(bad)
    assert problems and all(p.path == "<scenario>" and at(p) == (1, 1) for p in problems)


# ------------------------------------------------------------------------------------------
# Error object, formatting and the command line
# ------------------------------------------------------------------------------------------


def test_problem_and_error_formatting():
    p = Problem("s.yaml", 4, 2, "bad thing", "warning", "features[0].id")
    assert p.format() == "s.yaml:4:2: features[0].id: bad thing"
    assert p.format(with_severity=True) == "s.yaml:4:2: warning: features[0].id: bad thing"
    q = Problem("s.yaml", 1, 1, "line one\nline two")
    assert q.format(with_severity=True) == "s.yaml:1:1: error: line one\\nline two"
    err = ScenarioError([p, q])
    assert err.lines() == [q.format(), p.format()]
    assert str(err) == "\n".join(err.lines())


def test_main_reports_problems_and_exit_code(tmp_path, capsys):
    good = tmp_path / "good.yaml"
    good.write_text(VALID)
    bad = tmp_path / "bad.yaml"
    bad.write_text(edit("effort: 8", "effort: 0"))
    assert main([str(good)]) == 0
    assert main([str(good), str(bad), str(tmp_path / "missing.yaml")]) == 2
    err = capsys.readouterr().err.splitlines()
    line, col = where(bad.read_text(), "effort: 0", len("effort: "))
    assert err == [
        f"{bad}:{line}:{col}: error: features[2].effort: Input should be greater than 0",
        f"{tmp_path / 'missing.yaml'}:1:1: error: file not found",
    ]


def test_unexpected_failures_are_scenario_errors(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(loader, "semantic_problems", boom)
    p = only_problem(VALID)
    assert at(p) == (1, 1) and "kaboom" in p.message


def test_plain_yaml_would_have_kept_the_last_duplicate():
    """Guard the reason for our own composer: PyYAML's safe_load silently drops duplicates."""
    assert yaml.safe_load("a: 1\na: 2\n") == {"a": 2}
    with pytest.raises(ScenarioError):
        parse_yaml("a: 1\na: 2\n", P)


def test_sample_file_round_trip(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text(VALID)
    assert load_scenario(Path(f)) == load_scenario_text(VALID)


# ------------------------------------------------------------------------------------------
# The common YAML slips, each explained with its fix
# ------------------------------------------------------------------------------------------


def test_comma_inside_a_flow_mapping_says_to_quote_the_value(parser):
    text = edit("        - {round: 3, theme: privacy, delta: 0.1}",
                "        - {round: 3, theme: privacy, delta: 0.1, note: Rival ships SSO, audit logs, and more}")
    p = only_problem(text)
    assert at(p) == where(text, "Rival ships")
    assert p.message == ("a comma inside {...} ends a value: note is cut at 'Rival ships SSO' and 'audit logs' "
                         "becomes a key; quote the note: \"Rival ships SSO, audit logs, and more\"")


def test_the_issue_example_accounting_sync(parser):
    text = edit("    title: Response cache\n", "")
    text = edit("  - id: cache\n", "  - {id: cache, title: Accounting sync (Xero, QuickBooks), theme: speed,\n"
                "     effort: 4, value: 0.2}\n", text)
    text = edit("    theme: speed\n    effort: 4\n    value: 0.2\n", "", text)
    p = only_problem(text)
    assert p.message.endswith('quote the title: "Accounting sync (Xero, QuickBooks)"')
    assert "unknown key" not in p.message


def test_a_word_without_colon_in_a_flow_mapping(parser):
    p = only_problem(edit("needs: {speed: 2, privacy: 1}", "needs: {speed, privacy: 1}"))
    assert p.message.startswith("'speed' has no ':' after it")


def test_an_empty_value_in_a_flow_mapping_is_not_a_slip(parser):
    [p] = [x for x in problems_of(edit("strengths: {speed: 0.5}", "strengths: {speed: }"))]
    assert "comma" not in p.message and "has no ':'" not in p.message


def test_tab_indentation_says_to_use_spaces(parser):
    text = edit("  id: tiny\n", "\tid: tiny\n")
    p = only_problem(text)
    assert at(p) == (2, 1)
    assert p.message.startswith("a tab character: YAML indents with spaces only; replace the tab with spaces")


@pytest.mark.parametrize(("old", "new", "fix"), [
    ("  title: Tiny test scenario\n", "  title: Tiny: a test scenario\n",
     'quote the title: title: "Tiny: a test scenario"'),
    ("        text: Enterprise prospects need SSO.\n", "        text: Note: prospects need SSO.  # why\n",
     'quote the text: text: "Note: prospects need SSO."'),
    ("        - {round: 3, theme: privacy, delta: 0.1}", "        - {round: 3, note: Rival: now with SSO, delta: 0.1}",
     'quote the note: note: "Rival: now with SSO"'),
])
def test_unquoted_colon_in_a_value_says_to_quote_it(parser, old, new, fix):
    text = edit(old, new)
    p = only_problem(text)
    assert p.message == f"a ':' followed by a space inside a value needs quotes; {fix}"
    assert p.line == where(text, new.strip())[0]


def test_must_be_with_a_dash(parser):
    p = only_problem(edit("kano: {privacy: must_be}", "kano: {privacy: must-be}"))
    assert p.field == "market.segments[0].kano.privacy"
    assert p.message.endswith("(found 'must-be'; write 'must_be', with _ not -)")
    p = only_problem(edit("kano: {privacy: must_be}", "kano: {privacy: attractiv}"))
    assert p.message.endswith("(found 'attractiv'; did you mean attractive?)")


def test_unquoted_colon_in_a_flow_mapping_continued_from_the_line_above(parser):
    text = edit("        - {round: 3, theme: privacy, delta: 0.1}",
                "        - {round: 3, theme: privacy,\n           note: Rival: now with SSO, delta: 0.1}")
    p = only_problem(text)
    assert p.message.endswith('quote the note: note: "Rival: now with SSO"')


def test_unquoted_colon_in_a_flow_list_of_texts(parser):
    text = edit("      name: Speed\n", "      name: Speed\n      pains: [Note: it is slow, fine]\n")
    p = only_problem(text)
    assert p.field == "market.themes[0].pains[0]"
    assert p.message.endswith('a \': \' made the text a mapping: quote it: "Note: it is slow")')


def test_a_discovery_budget_round_beyond_the_scenario():
    text = edit("  capacity_by_round: {3: 8}", "  capacity_by_round: {3: 8}\n  research_budget_by_round: {1: 90, 9: 40}")
    p = only_problem(text)
    assert p.field == "team.research_budget_by_round[9]"
    assert p.message == "round 9 is outside the scenario's rounds 1..6"
    assert at(p) == where(text, "9: 40")


def test_a_scenario_text_is_parsed_once_and_a_broken_one_every_time():
    """Replaying many games of one scenario (a class report, the saves list) parses its text once:
    the frozen Scenario is shared. A text that does not load is never kept, so each caller's error
    names its own path."""
    from pmsim.scenario.builtin import resolve
    from pmsim.scenario.loader import ScenarioError, load_scenario_text

    text = resolve("tutorial").read_text(encoding="utf-8")
    first = load_scenario_text(text, "<a>")
    assert load_scenario_text(text, "<b>") is first
    assert load_scenario_text(text + "\n# another scenario file\n", "<c>") is not first
    broken = text.replace("rounds:", "rounds: [", 1)
    for path in ("<one>", "<two>"):
        with pytest.raises(ScenarioError) as e:
            load_scenario_text(broken, path)
        assert path in str(e.value)
