"""The rules: illegal actions are refused with a typed error and change nothing."""

from __future__ import annotations

import pytest

from pmsim.engine import (
    ActionFormatError,
    EndRound,
    IllegalAction,
    Plan,
    Research,
    Respond,
    Unplan,
    action_from_dict,
    new_game,
)
from pmsim.engine.bots import play_game, play_round


@pytest.fixture
def game(saas_small):
    return new_game(saas_small, 11)


ILLEGAL = [
    (Plan("nope", "now"), "unknown_feature"),
    (Plan("scim", "now"), "dependency"),  # needs sso first
    (Plan("ai_summaries", "now"), "not_available"),  # from round 3
    (Plan("sso", "someday"), "bad_slot"),
    (Unplan("sso"), "not_planned"),
    (Respond("nope", "accept"), "unknown_request"),
    (Respond("sales_sso", "defer"), "reason_required"),
    (Respond("sales_sso", "decline", "because"), "bad_reason"),
    (Research("survey", segment="nope", n=100), "unknown_segment"),
    (Research("survey", segment="smb", n=5), "bad_sample"),
    (Research("survey", segment="smb", n=5000), "over_budget"),
    (Research("ab_test", feature="sso", n=2000), "not_shipped"),
    (Research("telepathy"), "bad_method"),
    (EndRound(rationale="x" * 501), "rationale_too_long"),
]


@pytest.mark.parametrize("action,code", ILLEGAL, ids=[c for _, c in ILLEGAL])
def test_illegal_actions_are_refused_and_change_nothing(game, action, code):
    if code == "over_budget":  # past the discovery quarter, where the largest survey fits the budget
        game.apply(EndRound())
    before, log = game.state_hash(), list(game.log)
    with pytest.raises(IllegalAction) as e:
        game.apply(action)
    assert e.value.code == code
    assert e.value.message
    assert game.state_hash() == before
    assert game.log == log


def test_capacity_is_enforced_on_estimates(game):
    planned = []
    for f in game.scenario.features:
        try:
            game.apply(Plan(f.id, "now"))
            planned.append(f.id)
        except IllegalAction as e:
            assert e.code in ("over_capacity", "dependency", "not_available")
    assert planned
    assert game.committed_estimate() <= game.state.capacity + 1e-9
    with pytest.raises(IllegalAction) as e:
        for f in game.scenario.features:
            if f.id not in planned and f.available_from == 1 and not f.depends_on:
                game.apply(Plan(f.id, "now"))
    assert e.value.code == "over_capacity"


def test_dependency_order_within_now(game):
    game.apply(Plan("comments", "now"))
    game.apply(Plan("mentions", "now"))
    with pytest.raises(IllegalAction):
        game.apply(Plan("mentions", "now", position=0))
    game.apply(Unplan("comments"))
    assert "mentions" not in game.state.now  # lost its footing, moved to Next
    assert game.state.features["mentions"].slot == "next"


def test_game_over_refuses_everything(saas_small):
    g = play_game(new_game(saas_small, 1), "rice")
    assert g.finished
    with pytest.raises(IllegalAction) as e:
        g.apply(EndRound())
    assert e.value.code == "game_over"


def test_actions_round_trip_through_dicts():
    for a in [Plan("sso", "now", 2), Unplan("sso"), Respond("r1", "defer", "capacity", "why"),
              Research("survey", segment="smb", n=100), EndRound("because")]:
        assert action_from_dict(a.to_dict()) == a


@pytest.mark.parametrize("bad", [
    {}, {"kind": "teleport"}, {"kind": "plan"}, {"kind": "plan", "feature": "x", "extra": 1},
    {"kind": "plan", "feature": 3}, {"kind": "research", "method": "survey", "n": "many"}, [],
])
def test_malformed_action_dicts_raise_format_error(bad):
    with pytest.raises(ActionFormatError):
        action_from_dict(bad)


def test_promises_kept_and_broken_move_trust(saas_small):
    kept = new_game(saas_small, 2)
    kept.apply(Respond("sales_sso", "accept"))
    kept.apply(Plan("sso", "now"))
    broken = new_game(saas_small, 2)
    broken.apply(Respond("sales_sso", "accept"))
    for g in (kept, broken):
        g.apply(EndRound())
    # deadline is round 2: play round 2 without SSO in the broken game
    kept_trust = kept.state.stakeholders["sales"].trust
    broken.apply(EndRound())
    assert broken.state.requests[[q.id for q in broken.state.requests].index("sales_sso")].status == "broken"
    assert broken.state.stakeholders["sales"].trust < kept_trust


def test_silence_costs_more_than_a_reasoned_decline(saas_small):
    a = new_game(saas_small, 4)
    b = new_game(saas_small, 4)
    a.apply(Respond("ceo_realtime", "decline", "evidence"))
    a.apply(EndRound())
    b.apply(EndRound())
    assert a.state.stakeholders["ceo"].trust > b.state.stakeholders["ceo"].trust


def test_accepting_a_request_with_nothing_to_build_is_not_a_broken_promise(saas_small):
    from pmsim.engine.state import RequestState

    g = new_game(saas_small, 6)
    g.state.requests.append(RequestState(id="talk", stakeholder="ceo", round=1, text="Update me?", feature=None,
                                         deadline=1, urgency=0.5, scripted=True))
    g.apply(Respond("talk", "accept"))
    g.apply(EndRound())
    assert [q.status for q in g.state.requests if q.id == "talk"] == ["delivered"]


def test_quotes_with_stray_braces_do_not_crash(saas_small):
    from pmsim.engine import text

    assert text.fill("I {really} like {theme}", "Reporting") == "I {really} like reporting"


def test_a_spike_that_grows_an_estimate_keeps_the_plan_within_capacity(saas_small):
    g = new_game(saas_small, 8)
    fs = g.state.features
    order = sorted((f for f in fs if not g.scenario.feature(f).depends_on
                    and g.scenario.feature(f).available_from == 1), key=lambda f: fs[f].estimate)
    for f in order:
        if g.is_legal(Plan(f, "now")):
            g.apply(Plan(f, "now"))
    # force the spike to find more work than estimated: pretend the estimate was optimistic
    target = max(g.state.now, key=lambda f: g.scenario.feature(f).effort)
    fs[target].estimate = 0.5
    g.state.features[target].estimate_sd = 0.0  # deterministic re-estimate: the true effort
    for f in order:
        if g.is_legal(Plan(f, "now")):
            g.apply(Plan(f, "now"))
    res = g.apply(Research("spike", feature=target))
    assert g.committed_estimate() <= g.state.capacity + 1e-9
    assert res["moved_to_next"]
    assert all(fs[f].slot == "next" for f in res["moved_to_next"])


def test_the_first_impact_guesses_are_as_uncertain_as_the_game_says(saas_small):
    """The design team's first guess at a feature's value is off by a log-normal error of
    IMPACT_GUESS_SD (a factor of about two), and each feature starts with exactly that uncertainty,
    so research updates weigh the guess for what it is."""
    import math

    import numpy as np

    from pmsim.engine.research import IMPACT_GUESS_SD

    assert IMPACT_GUESS_SD == 0.75
    errors = []
    for seed in range(150):
        g = new_game(saas_small, seed)
        for f in saas_small.features:
            fs = g.state.features[f.id]
            assert fs.impact_sd == IMPACT_GUESS_SD
            errors.append(math.log(fs.impact_guess / f.value))
    errors = np.array(errors)
    se = IMPACT_GUESS_SD / math.sqrt(2 * (len(errors) - 1))  # the standard error of a normal sd
    assert abs(errors.std(ddof=1) - IMPACT_GUESS_SD) < 4 * se + 0.01  # rounding to 4 decimals
    assert abs(errors.mean()) < 4 * IMPACT_GUESS_SD / math.sqrt(len(errors))


def test_usability_tests_find_defects_and_sharpen_the_impact_guess(saas_small):
    errors = []
    for seed in range(12):
        g = new_game(saas_small, seed)
        before = abs(g.state.features["guided_setup"].impact_guess / 0.16 - 1)
        res = g.apply(Research("usability_test", feature="guided_setup", n=20))
        after = abs(res["impact_after"] / 0.16 - 1)
        errors.append((before, after))
        assert sum(res["found"].values()) <= 5  # the feature has 3 + 2 defects
    mean_before = sum(b for b, _ in errors) / len(errors)
    mean_after = sum(a for _, a in errors) / len(errors)
    assert mean_after < mean_before / 1.5


def test_answers_are_remembered_after_delivery_and_declines_are_not_asked_again(saas_small):
    from pmsim.engine.summary import game_summary

    g = new_game(saas_small, 12)
    g.apply(Respond("sales_sso", "decline", "evidence"))
    g.apply(Plan("sso", "now"))
    g.apply(EndRound())
    g.apply(EndRound())
    q = next(q for q in g.state.requests if q.id == "sales_sso")
    if g.state.features["sso"].status == "shipped":
        assert q.status == "delivered"
    assert q.answer == "decline"
    assert game_summary(g)["requests"]["declined"] >= 1
    asked_again = [r for r in g.state.requests if r.feature == "sso" and r.id != "sales_sso"]
    assert asked_again == []


def test_value_of_information_is_never_negative(saas_small):
    from pmsim.engine.bots import play_game

    for strategy in ("rice", "researcher", "random"):
        g = play_game(new_game(saas_small, 13), strategy)
        assert all(r["value_of_information"] >= -1e-9 for r in g.debrief()["rounds"])


def test_stakeholder_names_differ_between_scenarios_for_one_seed(saas_small):
    other = saas_small.model_copy(update={"meta": saas_small.meta.model_copy(update={"id": "other"})})
    a = [s.name for s in new_game(saas_small, 1).state.stakeholders.values()]
    b = [s.name for s in new_game(other, 1).state.stakeholders.values()]
    assert a != b


def test_what_a_study_will_tell_is_the_engines_own_numbers(saas_small):
    """The Research pane's Yields column reads research.expected_yield: a usability test's share
    is the discovery rate's, an A/B test's margin the interval its result reports."""
    from pmsim.engine.research import DISCOVERY_RATE, expected_yield
    from pmsim.tui.service import StudyOption
    from pmsim.tui.widgets.research import precision

    usability = Research("usability_test", feature="x", n=5)
    assert expected_yield(usability)["found_share"] == 1 - (1 - DISCOVERY_RATE) ** 5
    assert precision(StudyOption(usability, "x", "5", 1.0, 0.0, None)) == f"~{1 - (1 - DISCOVERY_RATE) ** 5:.0%} found"
    assert expected_yield(Research("survey", segment="s", n=100))["margin_pp"] == 9.8
    g = new_game(saas_small, 3)
    while not g.state.shipped:
        play_round(g, "researcher")
    ab = Research("ab_test", feature=g.state.shipped[0], n=400)
    assert g.apply(ab)["ci95_pp"] == round(expected_yield(ab)["margin_pp"], 2)
    assert precision(StudyOption(ab, "x", "400", 1.0, 0.0, None)) == f"±{expected_yield(ab)['margin_pp']:.1f}pp"
