"""Stakeholders as people: nobody asks for work under way, waiting past a due date costs trust,
late delivery earns less, and an accepted promise can be renegotiated (agreed, pushed back or
escalated) for less than breaking it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pmsim.engine import (
    ActionFormatError,
    EndRound,
    IllegalAction,
    Plan,
    Renegotiate,
    Respond,
    action_from_dict,
    new_game,
)
from pmsim.engine import stakeholders as sh
from pmsim.engine.bots import play_game, renegotiate_at_risk
from pmsim.engine.state import RequestState

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def quiet(saas_small):
    """b2b_saas with only its scripted requests, and one per VP Sales: each trust change has one cause."""
    people = [s.model_copy(update={"requests": s.requests[:1]}) if s.id == "sales" else s
              for s in saas_small.stakeholders]
    return saas_small.model_copy(update={
        "stakeholders": people,
        "generated": saas_small.generated.model_copy(update={"requests_per_round": 0})})


def req(game, rid):
    return next(q for q in game.state.requests if q.id == rid)


def trust(game, sid):
    return game.state.stakeholders[sid].trust


def obs_req(game, rid):
    return next(q for q in game.observe()["requests"] if q["id"] == rid)


# ---------------------------------------------------------------------- no asks for work under way
def test_generated_requests_skip_shipped_in_progress_and_planned_work(saas_small):
    g = new_game(saas_small, 3)
    st = g.state
    busy = {}
    for i, f in enumerate(g.scenario.features):
        if f.available_from > 1:
            continue
        kind = ("shipped", "in_progress", "planned", "free")[i % 4]
        if kind == "shipped":
            st.features[f.id].status = "shipped"
        elif kind == "in_progress":
            st.features[f.id].status = "in_progress"
            st.now.append(f.id)
        elif kind == "planned":
            st.now.append(f.id)
        busy[f.id] = kind
    st.requests = []
    for _ in range(6):  # the same round's draw again and again: it only ever picks free work
        sh.new_requests(g)
    asked = [q.feature for q in st.requests if not q.scripted]
    assert asked, "the agendas have free features: somebody asks for one"
    assert all(busy.get(f, "free") == "free" for f in asked), asked


def test_generated_requests_never_ask_for_work_under_way_in_play(saas_small):
    for seed, strategy in ((1, "random"), (2, "rice"), (3, "researcher")):
        g = new_game(saas_small, seed)
        while not g.finished:
            for q in g.state.requests:
                if q.round == g.round and q.feature:
                    assert sh.already_under_way(g, q.feature) is None, (seed, q.id, q.feature)
            from pmsim.engine.bots import play_round

            play_round(g, strategy)


def test_scripted_request_for_shipped_work_is_dropped_with_news(quiet):
    g = new_game(quiet, 1)
    g.apply(Plan("csv_export", "now"))
    g.apply(EndRound())
    assert g.state.features["csv_export"].status == "shipped"
    before = {s.id: s.trust for s in g.state.stakeholders.values()}
    assert "support_export" not in {q.id for q in g.state.requests}  # it was due in round 2
    assert any("already shipped" in n["text"] and "CSV" in n["text"] for n in g.state.news)
    assert {s.id: s.trust for s in g.state.stakeholders.values()} == before  # no free trust


def test_scripted_request_for_work_in_progress_is_dropped_with_news(quiet):
    g = new_game(quiet, 1)
    g.apply(Plan("perf_overhaul", "now"))
    g.state.features["perf_overhaul"].remaining = 500.0  # true effort: it cannot finish this quarter
    g.apply(EndRound())
    assert g.state.features["perf_overhaul"].status == "in_progress"
    assert "eng_perf" not in {q.id for q in g.state.requests}
    assert any("already building it" in n["text"] for n in g.state.news)


def test_accepting_a_request_for_shipped_work_is_refused(quiet):
    g = new_game(quiet, 1)
    g.state.features["dark_mode"].status = "shipped"
    g.state.requests.append(RequestState(id="old", stakeholder="design", round=1, text="Dark mode?",
                                         feature="dark_mode", deadline=2, urgency=0.5, scripted=True))
    before = g.state_hash()
    with pytest.raises(IllegalAction) as e:
        g.apply(Respond("old", "accept"))
    assert e.value.code == "shipped"
    assert g.state_hash() == before


# ---------------------------------------------------------------------- waiting past the due date
def test_trust_decays_each_quarter_a_deferred_request_waits_past_its_due_date(quiet):
    g = new_game(quiet, 1)
    g.apply(EndRound())
    q = req(g, "support_export")  # round 2, due Q3
    assert (q.round, q.deadline) == (2, 3)
    g.apply(Respond("support_export", "defer", "capacity"))
    s = g.state.stakeholders["support"]
    step = sh.LATE_DECAY * (0.5 + q.urgency) * (0.5 + s.power)
    t = trust(g, "support")
    report = g.apply(EndRound())  # end of Q2: not yet due
    assert trust(g, "support") == pytest.approx(t)
    assert not [r for r in report["reactions"] if r["mood"] == "impatient"]
    for _ in range(2):  # end of Q3 (the due date passes) and Q4: one decay each
        t = trust(g, "support")
        report = g.apply(EndRound())
        assert trust(g, "support") == pytest.approx(t - step, abs=1e-6)
        assert [r["request"] for r in report["reactions"] if r["mood"] == "impatient"] == ["support_export"]
    assert obs_req(g, "support_export")["past_due"] is True


def test_decay_grows_with_power_and_urgency(quiet):
    def loss(power, urgency):
        g = new_game(quiet, 1)
        g.apply(EndRound())
        g.state.stakeholders["support"].power = power
        req(g, "support_export").urgency = urgency
        g.apply(Respond("support_export", "defer", "capacity"))
        g.apply(EndRound())
        t = trust(g, "support")
        g.apply(EndRound())
        return t - trust(g, "support")

    assert 0 < loss(0.2, 0.3) < loss(0.9, 0.3) < loss(0.9, 0.9)


def test_a_broken_promise_keeps_costing_until_delivered_late_for_less(quiet):
    g = new_game(quiet, 1)
    g.apply(Respond("sales_sso", "accept"))  # due Q2
    g.apply(EndRound())
    g.apply(EndRound())
    assert req(g, "sales_sso").status == "broken"
    s = g.state.stakeholders["sales"]
    s.trust = 0.8  # (the broken promise took it to the floor: lift it to see the decay)
    q = req(g, "sales_sso")
    t = trust(g, "sales")
    g.apply(EndRound())  # Q3: still waiting
    assert trust(g, "sales") == pytest.approx(t - sh.LATE_DECAY * (0.5 + q.urgency) * (0.5 + s.power), abs=1e-6)
    g.apply(Plan("sso", "now"))
    t = trust(g, "sales")
    report = g.apply(EndRound())  # Q4: shipped two quarters late
    assert g.state.features["sso"].shipped_round == 4
    gain = trust(g, "sales") - t
    assert gain == pytest.approx(sh.DELIVERED_BONUS * (0.5 + q.urgency) * sh.LATE_FACTOR**2, abs=1e-6)
    assert any(r["mood"] == "relieved" and "2 quarters late" in r["text"] for r in report["reactions"])
    assert q.status == "broken" and q.delivered_round == 4  # the broken promise stays on the record
    t = trust(g, "sales")
    g.apply(EndRound())
    assert trust(g, "sales") == pytest.approx(t)  # delivered: no more waiting


def test_late_delivery_earns_less_than_on_time(quiet):
    g = new_game(quiet, 1)
    g.apply(EndRound())
    on_time, late = g, g.copy()
    on_time.apply(Respond("support_export", "accept"))
    on_time.apply(Plan("csv_export", "now"))
    late.apply(Respond("support_export", "defer", "capacity"))
    t_on, t_late = trust(on_time, "support"), trust(late, "support")
    on_time.apply(EndRound())
    gain_on_time = trust(on_time, "support") - t_on
    for _ in range(2):  # Q2, Q3: deferred past its due date (Q3)
        late.apply(EndRound())
    t_late_before = trust(late, "support")
    assert t_late_before < t_late  # it decayed while it waited
    late.apply(Respond("support_export", "accept"))  # accepted past due: no bonus for a late yes
    assert trust(late, "support") == t_late_before
    late.apply(Plan("csv_export", "now"))
    late.apply(EndRound())
    gain_late = trust(late, "support") - t_late_before
    assert req(on_time, "support_export").status == req(late, "support_export").status == "delivered"
    assert 0 < gain_late < gain_on_time
    q = req(late, "support_export")
    assert gain_late == pytest.approx(sh.DELIVERED_BONUS * (0.5 + q.urgency) * sh.LATE_FACTOR**1, abs=1e-6)


def test_a_request_accepted_past_due_must_ship_that_quarter(quiet):
    g = new_game(quiet, 1)
    g.apply(EndRound())
    g.apply(Respond("support_export", "defer", "capacity"))
    for _ in range(2):
        g.apply(EndRound())
    g.apply(Respond("support_export", "accept"))
    g.apply(EndRound())  # not built: the late yes is a broken promise
    assert req(g, "support_export").status == "broken"


# ---------------------------------------------------------------------- renegotiation
def _accepted_sso(quiet, seed=1):
    g = new_game(quiet, seed)
    g.apply(Respond("sales_sso", "accept"))  # due Q2; sales: power 0.85, trust 0.58 after the yes
    return g


def test_renegotiation_costs_less_than_breaking_the_promise(quiet):
    g = _accepted_sso(quiet)
    g.apply(EndRound())  # Q2: the deadline quarter, SSO not planned
    broken, moved = g, g.copy()
    moved.apply(Renegotiate("sales_sso", 3, "capacity", "an enterprise deal needs the team this quarter"))
    assert req(moved, "sales_sso").renegotiations[-1]["reply"] == "agreed"
    for x in (broken, moved):
        x.apply(EndRound())
    assert req(broken, "sales_sso").status == "broken"
    assert req(moved, "sales_sso").status == "accepted" and req(moved, "sales_sso").deadline == 3
    assert trust(moved, "sales") > trust(broken, "sales")
    # dropping the promise altogether also costs less than breaking it, but more than a new date
    g2 = _accepted_sso(quiet)
    g2.apply(EndRound())
    dropped, moved2 = g2.copy(), g2.copy()
    dropped.apply(Renegotiate("sales_sso", None, "strategy"))
    moved2.apply(Renegotiate("sales_sso", 3, "capacity"))
    assert req(dropped, "sales_sso").status == "released"
    assert trust(broken, "sales") < trust(dropped, "sales") < trust(moved2, "sales")


def test_early_news_costs_less_than_late_news(quiet):
    early = _accepted_sso(quiet)
    late = early.copy()
    t = trust(early, "sales")
    early.apply(Renegotiate("sales_sso", 3, "capacity"))  # Q1: a quarter of notice
    early_cost = t - trust(early, "sales")
    late.apply(EndRound())
    t = trust(late, "sales")
    late.apply(Renegotiate("sales_sso", 3, "capacity"))  # Q2: the deadline quarter itself
    late_cost = t - trust(late, "sales")
    assert req(early, "sales_sso").renegotiations[-1]["reply"] == "agreed"
    assert req(late, "sales_sso").renegotiations[-1]["reply"] == "agreed"
    assert 0 < early_cost < late_cost < sh.BROKEN_PENALTY * (0.5 + req(late, "sales_sso").urgency)


def test_reply_agrees_with_enough_goodwill(quiet):
    g = _accepted_sso(quiet)
    s = g.state.stakeholders["sales"]
    assert s.trust - 0.5 * s.power >= sh.AGREE_MARGIN
    g.apply(Renegotiate("sales_sso", 4, "timing", "after the platform release"))
    q = req(g, "sales_sso")
    assert (q.deadline, q.original_deadline, q.status) == (4, 2, "accepted")
    o = obs_req(g, "sales_sso")
    assert o["reply"] == "agreed" and o["renegotiations"][-1]["rationale"] == "after the platform release"
    sso = next(f.title for f in quiet.features if f.id == "sso")
    assert f"agreed to move {sso} to Q4" in o["renegotiations"][-1]["text"]
    report = g.apply(EndRound())
    assert [r["mood"] for r in report["reactions"] if r["request"] == "sales_sso"] == ["agreed"]
    assert req(g, "sales_sso").status == "accepted"  # not broken at the end of Q2: the date moved


def test_reply_pushes_back_with_little_goodwill(quiet):
    g = _accepted_sso(quiet)
    g.state.stakeholders["sales"].trust = 0.45  # powerful, goodwill 0.025: not enough to agree, not low
    t = trust(g, "sales")
    g.apply(Renegotiate("sales_sso", 3, "capacity"))
    q = req(g, "sales_sso")
    assert q.renegotiations[-1]["reply"] == "pushed back"
    assert (q.deadline, q.original_deadline, q.status) == (2, None, "accepted")  # the date stands
    assert trust(g, "sales") == pytest.approx(t - sh.PUSHBACK_PENALTY * (0.5 + 0.85), abs=1e-6)
    report = g.apply(EndRound())
    assert any(r["mood"] == "pushed back" and "still due Q2" in r["text"] for r in report["reactions"])


def test_a_stakeholder_without_power_pushes_back_rather_than_escalates(quiet):
    g = new_game(quiet, 1)
    g.apply(Respond("design_a11y", "accept"))  # design: power 0.45
    g.state.stakeholders["design"].trust = 0.1
    g.apply(Renegotiate("design_a11y", 4, "capacity"))
    assert req(g, "design_a11y").renegotiations[-1]["reply"] == "pushed back"
    assert g.state.capacity_penalty_next == 0.0 and g.state.budget_factor == 1.0


def test_reply_escalates_when_powerful_and_distrustful(quiet):
    g = _accepted_sso(quiet)
    g.state.stakeholders["sales"].trust = 0.35
    calm = g.copy()
    g.apply(Renegotiate("sales_sso", 3, "capacity"))
    q = req(g, "sales_sso")
    assert q.renegotiations[-1]["reply"] == "escalated" and q.deadline == 2
    assert g.state.capacity_penalty_next == pytest.approx(sh.ESCALATION_CAPACITY * quiet.team.capacity)
    assert any("escalated" in n["text"] for n in g.state.news)
    report = g.apply(EndRound())
    assert [r["mood"] for r in report["reactions"] if r["stakeholder"] == "sales"].count("escalated") == 1
    calm.apply(EndRound())
    assert g.state.capacity == pytest.approx(calm.state.capacity - sh.ESCALATION_CAPACITY * quiet.team.capacity)
    assert (req(g, "sales_sso").status, req(g, "sales_sso").deadline) == ("accepted", 2)  # the date stands
    # a stakeholder who escalated last quarter does not escalate again so soon: they push back
    g2 = _accepted_sso(quiet)
    g2.state.stakeholders["sales"].trust = 0.35
    g2.state.stakeholders["sales"].last_escalation = 1
    g2.apply(Renegotiate("sales_sso", 3, "capacity"))
    assert req(g2, "sales_sso").renegotiations[-1]["reply"] == "pushed back"


def test_asking_twice_needs_more_goodwill(quiet):
    g = _accepted_sso(quiet)
    g.apply(Renegotiate("sales_sso", 3, "capacity"))
    assert req(g, "sales_sso").renegotiations[-1]["reply"] == "agreed"
    g.apply(EndRound())
    g.apply(EndRound())  # Q3: the new date, still not planned
    g.state.stakeholders["sales"].trust = 0.6  # goodwill 0.175: enough once, not twice
    g.apply(Renegotiate("sales_sso", 4, "capacity"))
    assert req(g, "sales_sso").renegotiations[-1]["reply"] == "pushed back"


def _past_due_accepted(quiet):
    g = new_game(quiet, 1)
    g.apply(EndRound())
    g.apply(Respond("support_export", "defer", "capacity"))
    g.apply(EndRound())
    g.apply(EndRound())
    g.apply(Respond("support_export", "accept"))
    return g


def _no_deadline(quiet):
    g = new_game(quiet, 1)
    g.state.requests.append(RequestState(id="nodate", stakeholder="design", round=1, text="Dark mode some day?",
                                         feature="dark_mode", deadline=None, urgency=0.5, scripted=True))
    g.apply(Respond("nodate", "accept"))
    return g


def _nothing_to_build(quiet):
    g = new_game(quiet, 1)
    g.state.requests.append(RequestState(id="talk", stakeholder="ceo", round=1, text="Update me?", feature=None,
                                         deadline=None, urgency=0.5, scripted=True))
    g.apply(Respond("talk", "accept"))
    return g


def _twice(quiet):
    g = _accepted_sso(quiet)
    g.state.stakeholders["sales"].trust = 0.45
    g.apply(Renegotiate("sales_sso", 3, "capacity"))  # pushed back
    return g


def _finished(quiet):
    return play_game(new_game(quiet, 1), "rice")


ILLEGAL = [
    (lambda q: new_game(q, 1), Renegotiate("nope", 3, "capacity"), "unknown_request"),
    (lambda q: new_game(q, 1), Renegotiate("sales_sso", 3, "capacity"), "not_accepted"),  # still open
    (_accepted_sso, Renegotiate("sales_sso", 2, "capacity"), "bad_deadline"),  # not later
    (_accepted_sso, Renegotiate("sales_sso", 1, "capacity"), "bad_deadline"),
    (_accepted_sso, Renegotiate("sales_sso", 9, "capacity"), "bad_deadline"),  # the game has 8 rounds
    (_accepted_sso, Renegotiate("sales_sso", 3), "reason_required"),
    (_accepted_sso, Renegotiate("sales_sso", 3, "because"), "bad_reason"),
    (_accepted_sso, Renegotiate("sales_sso", 3, "capacity", "x" * 501), "rationale_too_long"),
    (_past_due_accepted, Renegotiate("support_export", 6, "capacity"), "past_due"),
    (_no_deadline, Renegotiate("nodate", 3, "capacity"), "no_deadline"),
    (_nothing_to_build, Renegotiate("talk", None, "capacity"), "nothing_to_build"),
    (_twice, Renegotiate("sales_sso", 4, "evidence"), "already_renegotiated"),
    (_finished, Renegotiate("sales_sso", 3, "capacity"), "game_over"),
]


@pytest.mark.parametrize("make,action,code", ILLEGAL, ids=[f"{c}-{i}" for i, (_, _, c) in enumerate(ILLEGAL)])
def test_illegal_renegotiations_are_refused_and_change_nothing(quiet, make, action, code):
    g = make(quiet)
    before, log = g.state_hash(), list(g.log)
    with pytest.raises(IllegalAction) as e:
        g.apply(action)
    assert e.value.code == code and e.value.message
    assert g.state_hash() == before and g.log == log
    assert not g.is_legal(action)


def test_a_withdrawn_promise_without_deadline_is_legal(quiet):
    g = _no_deadline(quiet)
    g.apply(Renegotiate("nodate", None, "strategy"))
    assert req(g, "nodate").status == "released"


def test_renegotiate_is_among_the_legal_actions(quiet):
    g = _accepted_sso(quiet)
    acts = [a for a in g.legal_actions() if isinstance(a, Renegotiate)]
    assert Renegotiate("sales_sso", 3, "capacity") in acts and Renegotiate("sales_sso", None, "capacity") in acts


# ---------------------------------------------------------------------- serialization
def test_renegotiate_round_trips_through_dicts():
    for a in (Renegotiate("r1", 4, "capacity", "why"), Renegotiate("r1", None, "strategy")):
        d = a.to_dict()
        assert d["kind"] == "renegotiate"
        assert action_from_dict(d) == a


@pytest.mark.parametrize("bad", [
    {"kind": "renegotiate", "request": "r1"},  # the new deadline (or None) must be given
    {"kind": "renegotiate", "request": "r1", "new_deadline": "Q3"},
    {"kind": "renegotiate", "request": "r1", "new_deadline": True},
    {"kind": "renegotiate", "request": "r1", "new_deadline": 3, "scope": "half"},
])
def test_malformed_renegotiations_raise_format_error(bad):
    with pytest.raises(ActionFormatError):
        action_from_dict(bad)


def test_renegotiation_survives_a_save_and_replays(tmp_path):
    from pmsim.storage.saves import SaveStore
    from pmsim.storage.session import GameSession

    text = (ROOT / "scenarios" / "b2b_saas.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(\s+population:\s*)\d+", r"\g<1>2000", text, count=1)
    store = SaveStore(f"sqlite:///{tmp_path / 'pmsim.sqlite3'}")
    try:
        s = GameSession.start(store, text, 5, "ada")
        s.apply(Respond("sales_sso", "accept"))
        s.apply(Renegotiate("sales_sso", 3, "capacity", "the deal slipped"))
        s.apply(EndRound())
        want = s.state_hash()
        game, read_only, problem = store.resume(s.save_id)
        assert (read_only, problem) == (False, None)
        assert game.state_hash() == want
        assert Renegotiate("sales_sso", 3, "capacity", "the deal slipped") in game.log
        assert req(game, "sales_sso").renegotiations[-1]["rationale"] == "the deal slipped"
    finally:
        store.close()


# ---------------------------------------------------------------------- bots
def test_bots_renegotiate_a_promise_the_plan_will_miss(quiet):
    g = _accepted_sso(quiet)
    g.apply(EndRound())
    planned = g.copy()
    planned.apply(Plan("sso", "now"))
    assert renegotiate_at_risk(planned) == []  # it is in the plan: nothing at risk
    assert renegotiate_at_risk(g) == ["sales_sso"]
    assert req(g, "sales_sso").deadline == 3
    assert renegotiate_at_risk(g) == []  # once a quarter


def test_bots_drop_a_promise_due_in_the_last_quarter(quiet):
    g = _accepted_sso(quiet)
    req(g, "sales_sso").deadline = quiet.rounds
    for _ in range(quiet.rounds - 1):
        g.apply(EndRound())
    assert renegotiate_at_risk(g) == ["sales_sso"]
    assert req(g, "sales_sso").renegotiations[-1]["new_deadline"] is None


@pytest.mark.parametrize("strategy,renegotiates", [("researcher", True), ("oracle", True), ("rice", False)])
def test_researcher_and_oracle_renegotiate_in_play(quiet, strategy, renegotiates):
    from pmsim.engine.bots import play_round

    g = _accepted_sso(quiet)
    g.apply(EndRound())
    g.state.features["sso"].remaining = 500.0  # SSO turned out huge: it cannot fit this quarter
    n = len(g.log)
    play_round(g, strategy)
    asked = [a for a in g.log[n:] if isinstance(a, Renegotiate)]
    assert bool(asked) == renegotiates
    assert req(g, "sales_sso").status == ("accepted" if renegotiates else "broken")


def test_nobody_asks_for_a_feature_larger_than_what_the_game_has_left(saas_small):
    """A feature the team could not build in the quarters left is never requested (issue 12)."""
    from pmsim.engine import new_game
    from pmsim.engine.actions import EndRound

    big = saas_small.features[0].model_copy(update={"effort": 10_000.0})
    sc = saas_small.model_copy(update={"features": [big, *saas_small.features[1:]]})
    for seed in range(6):
        g = new_game(sc, seed)
        while not g.finished:
            g.apply(EndRound())
        asked = {q.feature for q in g.state.requests if not q.scripted}
        assert big.id not in asked


def test_a_broken_promise_costs_more_to_the_powerful_and_everyone_sees_it(quiet):
    def broken(power):
        g = new_game(quiet, 1)
        for s in g.state.stakeholders.values():
            s.trust = 0.9
        g.state.stakeholders["sales"].power = power
        g.apply(Respond("sales_sso", "accept"))  # due Q2, never planned
        before = {k: s.trust for k, s in g.state.stakeholders.items()}
        g.apply(EndRound())
        g.apply(EndRound())
        assert req(g, "sales_sso").status == "broken"
        return g, before

    g, before = broken(0.9)
    u = req(g, "sales_sso").urgency
    lost = {k: before[k] - s.trust for k, s in g.state.stakeholders.items()}
    assert lost["sales"] >= sh.BROKEN_PENALTY * (0.5 + u) * 1.4 - 1e-6
    for k, v in lost.items():  # everyone else loses at least the share they saw
        if k != "sales":
            assert v >= sh.BROKEN_SEEN * sh.BROKEN_PENALTY * (0.5 + u) - 1e-6, k
    weak, _ = broken(0.2)
    assert weak.state.stakeholders["sales"].trust > g.state.stakeholders["sales"].trust


def test_the_guide_and_the_help_give_the_trust_rules_the_engine_uses():
    """The authoring guide's trust table and the in-game help quote the engine's own constants."""
    from pmsim.tui.explain import TOPICS

    guide = (Path(__file__).resolve().parents[2] / "scenarios" / "README.md").read_text(encoding="utf-8")
    assert f"| − {sh.BROKEN_PENALTY:g} × (0.5 + u) × (0.5 + p) |" in guide
    assert f"| − {sh.BROKEN_SEEN:g} × {sh.BROKEN_PENALTY:g} × (0.5 + u) |" in guide
    assert f"(a reason is required) | − {sh.DEFER_PENALTY:g} × (0.5 + u) |" in guide
    assert f"past its deadline | − {sh.LATE_DECAY:g} × (0.5 + u) × (0.5 + p) |" in guide
    assert f"| + {sh.DELIVERED_BONUS:g} × (0.5 + u) |" in guide
    help_text = " ".join(t.how for t in TOPICS if t.id == "stakeholders")
    assert f"a broken promise −{100 * sh.BROKEN_PENALTY:g} × (0.5 + u) × (0.5 + p)" in help_text
    assert f"a deferral −{100 * sh.DEFER_PENALTY:g} × (0.5 + u)" in help_text


def test_a_request_that_says_when_it_was_asked_also_says_when_it_is_due():
    """"asked for X this quarter" with a later due date read as a request for this quarter: a
    template that speaks of this quarter names the due quarter too."""
    from pmsim.engine.text import REQUEST_TEMPLATES

    timed = [t for ts in REQUEST_TEMPLATES.values() for t in ts if "this quarter" in t]
    assert timed
    for t in timed:
        assert "Q{deadline}" in t, t
