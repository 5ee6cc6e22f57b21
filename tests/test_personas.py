"""People that fit the scenario: interviewees carry their segment's job titles (and no company when
they are consumers), no study repeats a sentence, and research names segments as players read them."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmsim.engine import Research, new_game
from pmsim.scenario.loader import load_scenario

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
                assert bool(q["company"]) == seg.persona.companies, (seg.id, q["company"])
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
