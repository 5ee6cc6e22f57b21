"""The mentor: rules on constructed states, and it never knows more than the player."""

from __future__ import annotations

import copy

from pmsim.engine import EndRound, Plan, Research, new_game
from pmsim.engine.mentor import advise


def rules(game):
    return {a.rule for a in advise(game.observe())}


def test_powerful_stakeholder_waiting_is_flagged_until_answered(saas_small):
    from pmsim.engine import Respond

    g = new_game(saas_small, 1)
    waiting = [a for a in advise(g.observe()) if a.rule == "stakeholder_waiting"]
    assert {a.subject for a in waiting} >= {"sales_sso", "ceo_realtime"}
    assert "VP Sales" in next(a.text for a in waiting if a.subject == "sales_sso")
    g.apply(Respond("sales_sso", "defer", "capacity"))
    assert "sales_sso" not in {a.subject for a in advise(g.observe()) if a.rule == "stakeholder_waiting"}


def test_a_full_plan_with_uncertain_estimates_is_over_commitment(saas_small):
    g = new_game(saas_small, 2)
    assert "over_commitment" not in rules(g)
    for f in sorted(g.state.features, key=lambda f: -g.state.features[f].estimate_sd):
        if g.is_legal(Plan(f, "now")):
            g.apply(Plan(f, "now"))
    if g.committed_estimate() >= 0.9 * g.state.capacity:
        assert "over_commitment" in rules(g)


def test_must_be_evidence_ignored_is_flagged(saas_small):
    g = new_game(saas_small, 3)
    g.apply(Research("interviews", segment="enterprise", n=20))
    advice = [a for a in advise(g.observe()) if a.rule == "must_be_ignored"]
    assert "sso" in {a.subject for a in advice} or "audit_log" in {a.subject for a in advice}
    subject = advice[0].subject
    if g.is_legal(Plan(subject, "now")):
        g.apply(Plan(subject, "now"))
        assert subject not in {a.subject for a in advise(g.observe()) if a.rule == "must_be_ignored"}


def test_okr_off_track_after_idle_rounds(saas_small):
    g = new_game(saas_small, 4)
    for _ in range(4):
        g.apply(EndRound())
    assert "okr_off_track" in rules(g)


def test_okr_advice_writes_numbers_as_people_read_them(saas_small):
    import re

    g = new_game(saas_small, 4)
    for _ in range(4):
        g.apply(EndRound())
    text = next(a.text for a in advise(g.observe()) if a.rule == "okr_off_track")
    assert not re.search(r"\de[+-]\d", text), text  # never "1.1e+04"
    assert re.search(r"against a target of (\d{1,3}(,\d{3})*|\d+%|[+-]\d+)\.", text), text


def test_cheap_research_suggested_when_nothing_is_known(saas_small):
    g = new_game(saas_small, 5)
    assert "cheap_research" in rules(g)


def test_no_advice_after_the_game(saas_small):
    from pmsim.engine.bots import play_game

    assert advise(play_game(new_game(saas_small, 6), "rice").observe()) == []


def test_same_observation_different_truth_same_advice(saas_small):
    """Hidden truth the player cannot see (defects, a competitor's future launch) never leaks."""
    features = [f.model_copy(update={"defects": f.defects.model_copy(update={"usability": 9, "accessibility": 9})})
                for f in saas_small.features]
    comp = saas_small.market.competitors[0]
    moves = [*comp.moves, comp.moves[0].model_copy(update={"round": 5, "delta": 0.4})]
    market = saas_small.market.model_copy(update={
        "competitors": [comp.model_copy(update={"moves": moves}), *saas_small.market.competitors[1:]]})
    hidden = saas_small.model_copy(update={"features": features, "market": market})
    a, b = new_game(saas_small, 9), new_game(hidden, 9)
    for g in (a, b):
        g.apply(Plan("csv_export", "now"))
    oa, ob = a.observe(), b.observe()
    assert oa == ob
    assert advise(oa) == advise(ob)
    for g in (a, b):  # the truth does differ: it shows once the feature ships with its defects
        g.apply(EndRound())
    assert a.state.usability != b.state.usability


def test_advice_depends_on_the_observation_alone(saas_small):
    g = new_game(saas_small, 10)
    obs = g.observe()
    assert advise(copy.deepcopy(obs)) == advise(obs)


def _hidden_variant(sc, defects: int, move_round: int, delta: float):
    """The same scenario with different hidden truth: feature defects and a future competitor move."""
    features = [f.model_copy(update={"defects": f.defects.model_copy(update={"usability": defects,
                                                                             "accessibility": defects})})
                for f in sc.features]
    comp = sc.market.competitors[0]
    moves = [*comp.moves, comp.moves[0].model_copy(update={"round": move_round, "delta": delta})]
    market = sc.market.model_copy(update={
        "competitors": [comp.model_copy(update={"moves": moves}), *sc.market.competitors[1:]]})
    return sc.model_copy(update={"features": features, "market": market})


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31), picks=st.lists(st.integers(0, 10**6), max_size=8),
       defects=st.integers(0, 12), move_round=st.integers(3, 8), delta=st.floats(-0.3, 0.3))
def test_no_leak_property(saas_small, seed, picks, defects, move_round, delta):
    """Same observations => same advice, whatever the hidden truth (defects, future competitor
    moves). Research can reveal hidden truth (a usability test finds the defects); from then on
    the observations differ and the property has nothing more to say about that pair."""
    a = new_game(saas_small, seed)
    b = new_game(_hidden_variant(saas_small, defects, move_round, delta), seed)
    oa, ob = a.observe(), b.observe()
    assert oa == ob  # nothing hidden shows at the start
    assert advise(oa) == advise(ob)
    for p in picks:
        legal = [x for x in a.legal_actions() if not isinstance(x, EndRound)]
        if not legal:
            break
        action = legal[p % len(legal)]
        a.apply(action)
        b.apply(action)
        oa, ob = a.observe(), b.observe()
        if oa != ob:
            break
        assert advise(oa) == advise(ob)


def test_a_promise_the_plan_will_break_suggests_renegotiating(saas_small):
    from pmsim.engine import Renegotiate, Respond

    g = new_game(saas_small, 12)
    g.apply(Respond("sales_sso", "accept"))  # due Q2
    assert "sales_sso" not in {a.subject for a in advise(g.observe()) if a.rule == "promise_at_risk"}  # Q1
    g.apply(EndRound())
    at_risk = [a for a in advise(g.observe()) if a.rule == "promise_at_risk"]
    assert [a.subject for a in at_risk] == ["sales_sso"]
    assert "renegotiate" in at_risk[0].text and "VP Sales" in at_risk[0].text
    planned = g.copy()
    planned.apply(Plan("sso", "now"))
    assert "promise_at_risk" not in rules(planned)
    g.state.stakeholders["sales"].trust = 0.7  # goodwill enough to agree
    g.apply(Renegotiate("sales_sso", 3, "capacity"))
    assert g.observe()["requests"][[q.id for q in g.state.requests].index("sales_sso")]["reply"] == "agreed"
    assert "promise_at_risk" not in rules(g)  # agreed: the promise is now due next quarter


def test_promise_at_risk_replies_when_the_stakeholder_would_not_move(saas_small):
    from pmsim.engine import Renegotiate, Respond

    g = new_game(saas_small, 12)
    g.apply(Respond("sales_sso", "accept"))
    g.apply(EndRound())
    g.state.stakeholders["sales"].trust = 0.45  # not enough goodwill to agree
    g.apply(Renegotiate("sales_sso", 3, "capacity"))
    advice = [a for a in advise(g.observe()) if a.rule == "promise_at_risk"]
    assert len(advice) == 1 and "would not move the date" in advice[0].text


def test_a_deferred_request_past_its_due_date_asks_for_a_decision(saas_small):
    from pmsim.engine import Respond

    g = new_game(saas_small, 13)
    g.apply(Respond("design_a11y", "defer", "capacity"))  # due Q3
    for _ in range(2):
        g.apply(EndRound())
        assert "design_a11y" not in {a.subject for a in advise(g.observe()) if a.rule == "stakeholder_waiting"}
    g.apply(EndRound())  # Q4: past due
    [advice] = [a for a in advise(g.observe()) if a.subject == "design_a11y"]
    assert advice.rule == "stakeholder_waiting" and "past its due date" in advice.text
    g.apply(Respond("design_a11y", "decline", "strategy"))
    assert "design_a11y" not in {a.subject for a in advise(g.observe())}
