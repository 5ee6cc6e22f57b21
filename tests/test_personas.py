"""People that fit the scenario: interviewees carry their segment's job titles (and no company when
they are consumers), no study repeats a sentence, and research names segments as players read them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pmsim.cli import cli
from pmsim.engine import EndRound, Research, new_game, text
from pmsim.scenario.lint import lint_file
from pmsim.scenario.loader import load_scenario
from pmsim.scenario.models import Persona

ROOT = Path(__file__).resolve().parents[1]
BUILTIN = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", BUILTIN, ids=[p.stem for p in BUILTIN])
def test_a_hundred_studies_never_repeat_a_quote_and_use_the_segments_job_titles(path):
    sc = load_scenario(path)
    sc = sc.model_copy(update={"market": sc.market.model_copy(update={"population": 1500})})
    segs = sc.market.segments
    studies = 0
    seed = 0
    while studies < 100:
        g = new_game(sc, seed)
        seed += 1
        g.state.budget = 10_000.0  # research money is not what this test is about
        for seg in segs:
            res = g.apply(Research("interviews", segment=seg.id, n=10))
            studies += 1
            texts = [q["text"] for q in res["quotes"]]
            assert texts and len(set(texts)) == len(texts), texts  # no sentence twice in one study
            for q in res["quotes"]:
                if seg.persona.jobs:
                    assert q["job"] in seg.persona.jobs, (seg.id, q["job"])
                assert bool(q["company"]) == bool(seg.persona.companies), (seg.id, q["company"])
            assert res["summary"].endswith(f"interviews in {seg.name}")


def test_every_builtin_and_the_template_describe_their_people():
    for path in [*BUILTIN, ROOT / "pmsim" / "scenario" / "template.yaml"]:
        sc = load_scenario(path)
        assert all(seg.persona.jobs for seg in sc.market.segments), path.name


def test_a_survey_names_the_segment_and_the_theme_as_players_read_them():
    sc = load_scenario(ROOT / "scenarios" / "b2b_saas.yaml")
    sc = sc.model_copy(update={"market": sc.market.model_copy(update={"population": 1500})})
    res = new_game(sc, 1).apply(Research("survey", segment="enterprise", n=100))
    assert res["summary"].startswith("Survey of 100 in Enterprise accounts: top need ")
    assert "enterprise:" not in res["summary"]


def _b2b(population: int = 1500):
    sc = load_scenario(ROOT / "scenarios" / "b2b_saas.yaml")
    return sc.model_copy(update={"market": sc.market.model_copy(update={"population": population})})


def _studies(sc, seeds, segment: str, n: int = 10, rounds: int = 1):
    """The quotes of one interview study per seed, and the support tickets of the first `rounds`."""
    quotes, tickets = [], []
    for seed in seeds:
        g = new_game(sc, seed)
        g.state.budget = 10_000.0
        quotes.append(g.apply(Research("interviews", segment=segment, n=n))["quotes"])
        for r in range(rounds):
            tickets += g.state.feedback
            if r + 1 < rounds:
                g.apply(EndRound())
    return quotes, tickets


def test_company_kinds_name_the_companies_of_interviewees_and_ticket_writers():
    sc = _b2b()
    kinds = {seg.id: seg.persona.kinds() for seg in sc.market.segments}
    assert all(kinds.values())  # every b2b segment lists its company kinds
    quotes, tickets = _studies(sc, range(8), "enterprise", rounds=3)
    seen = set()
    for q in (q for study in quotes for q in study):
        tail = [k for k in kinds["enterprise"] if q["company"].endswith(" " + text.kind_name(k))]
        assert tail and q["company"] != text.kind_name(tail[0]), q["company"]  # "Harris Bank", a name first
        seen.add(tail[0])
    assert len(seen) >= 3  # kinds vary by customer
    assert tickets
    for t in tickets:
        assert any(t["company"].endswith(" " + text.kind_name(k)) for k in kinds[t["segment"]]), t
    assert text.kind_name("design co") == "Design Co" and text.kind_name("NHS trust") == "NHS Trust"


def test_companies_true_keeps_fakers_company_and_false_keeps_none():
    for ci in range(40):
        plain = text.person(5, "customer", 1, ci)
        assert text.customer(5, Persona(), ci) == plain
        assert text.customer(5, Persona(companies=False), ci) == {**plain, "company": ""}
        with_jobs = text.customer(5, Persona(jobs=["Nurse"]), ci)
        assert with_jobs == {**plain, "job": "Nurse"}
        kinds = text.customer(5, Persona(jobs=["Nurse"], companies=["clinic"]), ci)
        assert kinds["name"] == plain["name"] and kinds["company"].endswith(" Clinic")


def _segment_quotes(sc, segment: str) -> dict[str, set[str]]:
    seg = next(s for s in sc.market.segments if s.id == segment)
    names = {t.id: t.name for t in sc.market.themes}
    return {tid: {text.fill(p, names[tid]) for p in [*q.pains, *q.delights]} for tid, q in seg.persona.quotes.items()}


def test_a_segments_own_quotes_are_what_it_says_and_only_it():
    sc = _b2b()
    own = _segment_quotes(sc, "enterprise")
    assert set(own) == {"security", "integrations"}
    theirs = set().union(*own.values())
    themes = {t.id: t for t in sc.market.themes}
    generic = {tid: {text.fill(p, themes[tid].name) for p in [*themes[tid].pains, *themes[tid].delights]}
               for tid in own}
    quotes, tickets = _studies(sc, range(10), "enterprise", rounds=4)
    said = [q for study in quotes for q in study]
    on_own = [q for q in said if q["theme"] in own]
    assert len(on_own) >= 20
    for q in on_own:
        assert q["text"] in own[q["theme"]] and q["text"] not in generic[q["theme"]], q
    assert len({q["text"] for q in on_own}) >= 6  # the segment's lines, varied
    mine = [t for t in tickets if t["segment"] == "enterprise" and t["theme"] in own]
    assert mine and all(t["text"] in own[t["theme"]] for t in mine)
    # the other segments keep the themes' own words, never the enterprise lines
    others = [t for t in tickets if t["segment"] != "enterprise"]
    assert others and not any(t["text"] in theirs for t in others)
    for segment in ("midmarket",):
        quotes, _ = _studies(sc, range(10), segment)
        said = [q for study in quotes for q in study]
        assert said and not any(q["text"] in theirs for q in said)
        assert any(q["theme"] in own and q["text"] in generic[q["theme"]] for q in said)


def test_segment_quotes_are_deterministic_by_seed():
    sc = _b2b()
    a = _studies(sc, [11, 12], "smb", rounds=2)
    b = _studies(sc, [11, 12], "smb", rounds=2)
    assert a == b and a[0][0]
    assert _studies(sc, [13], "smb")[0] != a[0][:1]


def test_consumer_and_hardware_segments_speak_for_themselves():
    for name, segment in (("consumer_app", "seniors"), ("hardware", "renters"), ("tutorial", "teachers")):
        sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        own = _segment_quotes(sc, segment)
        assert own, name
        seg = next(s for s in sc.market.segments if s.id == segment)
        assert (seg.persona.companies is False) == (name != "tutorial"), name


def _with_quotes(tmp_path, theme: str, phrase: str = "Nobody here reads the manual."):
    src = (ROOT / "pmsim" / "scenario" / "template.yaml").read_text()
    old = "        quotes:                # this segment's own words about a theme (else the theme's)\n          onboarding:\n"
    assert old in src
    new = old.replace("onboarding:", f"{theme}:")
    src = src.replace(old, new).replace(
        '"I set up every tool here myself, and I don\'t have an afternoon to spare."', f'"{phrase}"')
    p = tmp_path / "quotes.yaml"
    p.write_text(src)
    line = src.splitlines().index(f"          {theme}:") + 1
    return p, line


def test_an_unknown_theme_in_persona_quotes_is_refused_with_its_line(tmp_path):
    p, line = _with_quotes(tmp_path, "onbording")
    sc, problems = lint_file(p, okr_check=False)
    assert sc is None
    bad = [x for x in problems if "unknown theme 'onbording'" in x.message]
    assert bad and bad[0].line == line and bad[0].severity == "error"
    assert "did you mean 'onboarding'?" in bad[0].message
    assert bad[0].field == "market.segments[0].persona.quotes.onbording"
    out = CliRunner().invoke(cli, ["scenarios", "validate", str(p)])
    assert out.exit_code == 2
    assert f"{p}:{line}:" in out.output and "Traceback" not in out.output


def test_a_known_theme_in_persona_quotes_validates_and_a_stray_placeholder_is_warned(tmp_path):
    p, _ = _with_quotes(tmp_path, "reporting")
    sc, problems = lint_file(p, okr_check=False)
    assert sc is not None and not [x for x in problems if x.severity == "error"]
    p, line = _with_quotes(tmp_path, "reporting", "{client} never reads the manual.")
    sc, problems = lint_file(p, okr_check=False)
    warned = [x for x in problems if "{client} is not a placeholder" in x.message]
    assert sc is not None and warned and warned[0].field.startswith("market.segments[0].persona.quotes.reporting.pains")
