"""One source of truth: every screen and document tells a sample game's weeks and skills alike."""

from __future__ import annotations

import re

import pytest
from learning_helpers import SAVES, load_sample

from pmsim.engine.scoring import skill_order
from pmsim.reports.case import case_of as _case
from pmsim.reports.portfolio import portfolio_md
from pmsim.reports.review import internship_review


@pytest.mark.parametrize("path", SAVES, ids=[p.name for p in SAVES])
def test_report_review_portfolio_and_debrief_agree_on_weeks_and_skills(path):
    rec, game = load_sample(path)
    debrief = game.debrief()
    reports = game.state.reports
    review = internship_review(game, rec.player)
    case = _case(game, rec.player)
    for rep, d, dec in zip(reports, debrief["rounds"], case["decisions"], strict=True):
        assert rep["committed_weeks"] == d["committed_weeks"] == pytest.approx(dec["committed"], abs=1e-9)
        assert rep["delivered_weeks"] == d["delivered_weeks"] == pytest.approx(dec["delivered"], abs=1e-9)
        assert rep["delivered_weeks"] <= rep["committed_weeks"] + 1e-9
    # the Markdown portfolio prints the same delivered weeks (one decimal)
    text = portfolio_md(game, rec.player)
    for rep in reports:
        shown = f"{rep['delivered_weeks']:.1f}".removesuffix(".0")
        assert re.search(rf"delivered {re.escape(shown)}\b", text), (rep["round"], shown)
    # one skill order: the debrief's ranking, the review's ratings and its growth areas
    order = skill_order(game.score())
    assert [k["skill"] for k in debrief["skills"]] == order
    ratings = {k["skill"]: k["rating"] for k in review["skills"]}
    assert ratings == {k["skill"]: k["rating"] for k in debrief["skills"]}
    assert [ratings[s] for s in order] == sorted(ratings.values())
    assert debrief["practise_next"][0]["skill"] == order[0] or ratings[order[0]] == ratings[
        debrief["practise_next"][0]["skill"]]
