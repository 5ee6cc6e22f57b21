"""The formatters the portfolio and the replay viewer share (issue 15): numbers from pmsim.numfmt,
studies from pmsim.reports.studies, each worded as the two places worded them before."""

from __future__ import annotations

from pmsim import numfmt
from pmsim.reports.studies import describe_study

SEGS = {"smb": "Small teams"}
TITLES = {"sso": "Single sign-on"}


def test_whole_groups_and_never_abbreviates():
    assert numfmt.whole(6345) == "6,345"
    assert numfmt.whole(12_345_678) == "12,345,678"  # numfmt.num would say 12.3M
    assert numfmt.whole(2.5) == "2"


def test_plus_signs_zero_as_a_gain():
    assert numfmt.plus(0) == "+0" and numfmt.plus(-0.4) == "+0"
    assert numfmt.plus(12.4) == "+12" and numfmt.plus(-3) == "−3"
    assert numfmt.plus(-1234) == "−1,234" and numfmt.plus(1.25, 1) == "+1.2"
    assert numfmt.signed(0) == "±0"  # the TUI's signed() keeps its ±0


def test_change_is_relative_and_new_from_zero():
    assert numfmt.change(100, 112) == "+12%"
    assert numfmt.change(200, 140) == "−30%"
    assert numfmt.change(0, 5) == "new"


def test_a_study_as_a_label_and_as_a_sentence():
    survey = {"method": "survey", "n": 400, "segment": "smb"}
    assert describe_study(survey, SEGS, TITLES) == "survey of 400 (Small teams)"
    assert describe_study(survey, SEGS, TITLES, "sentence") == "Survey of 400 in Small teams"
    ab = {"method": "ab_test", "n": 2000, "feature": "sso"}
    assert describe_study(ab, SEGS, TITLES) == "A/B test, n = 2,000 (Single sign-on)"
    assert describe_study(ab, SEGS, TITLES, "sentence") == "A/B test of Single sign-on (2,000 per arm)"
    test = {"method": "usability_test", "n": 5, "feature": "sso"}
    assert describe_study(test, SEGS, TITLES, "sentence") == "Usability test of Single sign-on with 5 users"
    assert describe_study({"method": "interviews", "n": 5, "segment": "smb"}, SEGS, TITLES) == "5 interviews (Small teams)"
    assert describe_study({"method": "spike", "feature": "sso"}, SEGS, TITLES, "sentence") == \
        "Engineering spike on Single sign-on"
    assert describe_study({"method": "competitive_analysis"}, SEGS, TITLES) == "competitive analysis"


def test_nothing_that_rounds_to_zero_is_shown_with_a_minus():
    # pct(-0.0001) printed "-0%", change(100, 99.99) "−0%", money(-0.01) "−$0k" (found by the fuzz sweep)
    tiny = -1e-4
    shown = [numfmt.pct(tiny), numfmt.pct(tiny, 1), numfmt.decimal(tiny), numfmt.num(tiny), numfmt.whole(tiny),
             numfmt.money(tiny), numfmt.dollars(tiny), numfmt.points(tiny), numfmt.compact(tiny),
             numfmt.weeks(tiny), numfmt.value(tiny), numfmt.change(100, 99.99)]
    assert [s for s in shown if s.startswith(("-", numfmt.MINUS))] == []
    # real negatives keep their sign
    assert numfmt.pct(-0.5) == "-50%" and numfmt.money(-5) == f"{numfmt.MINUS}$5k"
    assert numfmt.change(100, 99.4) == f"{numfmt.MINUS}1%" and numfmt.decimal(-0.25) == "-0.25"


def test_an_nps_is_signed_and_whole_everywhere_and_never_minus_zero():
    # the dashboard, the research results, the replay viewer and the metric formatter each wrote
    # f"{nps:+.0f}", which prints "-0" for an NPS of -0.3; they all call numfmt.plus now, as documents do
    from pmsim.tui import fmt

    m = numfmt.MINUS
    assert [numfmt.plus(x) for x in (-0.3, 0.0, 0.5, 41.6, -12.4, 2.5)] == ["+0", "+0", "+0", "+42", f"{m}12", "+2"]
    assert fmt.metric_value("nps", -0.3) == "+0"


def test_replay_text_shows_revenue_as_money():
    from pmsim.commands.replay import _round_line

    line = _round_line({"round": 1, "score": 50.0, "metrics": {"revenue": 7954.0}, "shipped": []}, "matches")
    assert "revenue $7.95M" in line
