"""A shared market (issue 14): N companies in one market; solo is the one-company case."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pmsim.engine import EndRound, IllegalAction, Plan, market, new_game
from pmsim.engine.bots import play_round
from pmsim.engine.population import COMP0, NONE, OURS, TRIAL
from pmsim.engine.rng import stream
from pmsim.engine.shared import SharedGame, replay_shared

ROOT = Path(__file__).resolve().parents[2]


def small(sc, population: int):
    return sc.model_copy(update={"market": sc.market.model_copy(update={"population": population})})

STRATS = ["researcher", "rice", "hippo", "random"]


def _play(game: SharedGame, strategies) -> None:
    while not game.finished:
        for c, s in enumerate(strategies):
            if s is None:
                game.apply(c, EndRound())
            else:
                play_round(game.companies[c], s)


@pytest.mark.parametrize("strategy", ["researcher", "random"])
def test_one_company_is_the_solo_game_bit_for_bit(builtin_small, strategy):
    solo = new_game(builtin_small, 11)
    shared = SharedGame(builtin_small, 11, ["only"])
    me = shared.companies[0]
    assert me.state_hash() == solo.state_hash()
    while not solo.finished:
        play_round(solo, strategy)
        play_round(me, strategy)
        assert me.state_hash() == solo.state_hash(), f"round {solo.round}"
    assert me.score() == solo.score()
    assert shared.finished and len(shared.round_hashes) == builtin_small.rounds


def test_every_customer_is_counted_once_and_views_match_the_metrics(saas_small):
    game = SharedGame(saas_small, 3, STRATS)
    for _ in range(3):
        for c, s in enumerate(STRATS):
            play_round(game.companies[c], s)
        status, owner = game.pop.status, game.owner
        users = (status == OURS) | (status == TRIAL)
        assert (owner[users] >= 0).all() and (owner[~users] == -1).all()
        for si, (a, b) in enumerate(game.pop.bounds):
            ms = [g.state.metrics[-1]["segments"][si] for g in game.companies]
            adopters = int(np.count_nonzero(status[a:b] != NONE))
            assert sum(m["customers"] + m["trials"] for m in ms) + sum(ms[0]["competitors"]) == adopters
            assert all(m["market_share"] == round(m["customers"] / adopters, 6) for m in ms)
            for c, (g, m) in enumerate(zip(game.companies, ms, strict=True)):
                view = g.state.pop.status[a:b]
                assert int(np.count_nonzero(view == OURS)) == m["customers"]
                assert int(np.count_nonzero(view == TRIAL)) == m["trials"]
                mine = (owner[a:b] == c) & (status[a:b] == OURS)
                assert int(np.count_nonzero(mine)) == m["customers"]
                # a rival's users look like prospects; competitors' customers are as they are
                assert not ((view == OURS) & (owner[a:b] != c)).any()
                assert (view[status[a:b] >= COMP0] == status[a:b][status[a:b] >= COMP0]).all()


class _Product:
    """A company as company_inputs sees it: its market inputs (theme scores moved by `lift`)."""

    def __init__(self, game, lift: float = 0.0) -> None:
        self.game, self.lift = game, lift

    def market_inputs(self):
        mi = self.game.market_inputs()
        mi.g_ours = mi.g_ours + self.lift
        return mi

    def true_need_means(self):
        return self.game.true_need_means()


def test_a_better_rival_product_takes_trials_and_customers(saas):
    """Customers choose among every company's product by one logit, and a rival is a competitor
    to each company's own customers: the same quarter, drawn alike, against a rival whose
    product is better in every theme gives a company fewer new trials and more churn."""
    game = SharedGame(saas, 5, ["a", "b"])

    def quarter(lift: float):
        pop, owner = game.pop.copy(), game.owner.copy()
        products = [_Product(game.companies[0], lift), _Product(game.companies[1])]
        mis, refs = market.company_inputs(pop, products)
        return market.step_companies(pop, owner, mis, refs, stream(5, "market", 1))

    even, uneven = quarter(0.0), quarter(0.3)
    assert uneven[1]["new_trials"].sum() < 0.8 * even[1]["new_trials"].sum()
    assert uneven[1]["churned"].sum() > even[1]["churned"].sum()
    assert uneven[0]["new_trials"].sum() > even[0]["new_trials"].sum()
    assert (even[0]["adopters"] == even[1]["adopters"]).all()


def test_a_rivals_good_roadmap_costs_an_idle_company_customers(saas):
    calm, fierce = 0, 0
    for seed in (5, 6):
        a = SharedGame(saas, seed, ["a", "b"])
        _play(a, [None, None])
        b = SharedGame(saas, seed, ["a", "b"])
        _play(b, ["researcher", None])
        assert a.companies[1].state.metrics[0] == b.companies[1].state.metrics[0]
        calm += a.companies[1].state.metrics[-1]["customers"]
        fierce += b.companies[1].state.metrics[-1]["customers"]
        assert b.shares()[0] > 2 * b.shares()[1]
        assert a.shares()[0] == pytest.approx(a.shares()[1], rel=0.1)  # equal companies, equal shares
    assert fierce < calm


def test_companies_start_equal(saas_small):
    game = SharedGame(saas_small, 9, ["a", "b", "c"])
    assert sorted(set(game.owner.tolist())) == [-1, 0, 1, 2]
    custs = [g.state.metrics[0]["customers"] for g in game.companies]
    assert max(custs) - min(custs) <= 0.25 * max(custs) and min(custs) > 0
    assert {g.state.metrics[0]["segments"][0]["id"] for g in game.companies} == {saas_small.market.segments[0].id}


def test_replaying_every_companys_actions_gives_the_same_hashes(saas_small):
    game = SharedGame(saas_small, 21, STRATS)
    _play(game, STRATS)
    again = replay_shared(saas_small, 21, STRATS, [g.log for g in game.companies])
    assert again.round_hashes == game.round_hashes
    assert again.state_hash() == game.state_hash()
    assert len(set(game.round_hashes)) == len(game.round_hashes)
    other = SharedGame(saas_small, 22, STRATS)
    _play(other, STRATS)
    assert other.round_hashes[0] != game.round_hashes[0]


SCRIPT = r"""
import json, sys
from pmsim.scenario.loader import load_scenario
from pmsim.engine.bots import play_round
from pmsim.engine.shared import SharedGame
sc = load_scenario(sys.argv[1])
sc = sc.model_copy(update={"market": sc.market.model_copy(update={"population": 4000})})
names = sys.argv[2].split(",")
g = SharedGame(sc, 42, names)
hashes = [g.state_hash()]
while not g.finished:
    for c, n in enumerate(names):
        play_round(g.companies[c], n)
    hashes.append(g.state_hash())
print(json.dumps({"hashes": hashes, "round_hashes": g.round_hashes, "shares": g.shares()}))
"""


def _run(path, hashseed):
    env = dict(os.environ, PYTHONHASHSEED=str(hashseed))
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(path), ",".join(STRATS)], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_two_processes_with_different_hash_seeds_agree_on_a_shared_game():
    path = ROOT / "scenarios" / "consumer_app.yaml"  # has segment shifts
    a = _run(path, 1)
    b = _run(path, 987654)
    assert a == b
    assert a["hashes"][1:] == a["round_hashes"]
    assert len(set(a["hashes"])) == len(a["hashes"])


def test_a_segment_shift_moves_the_market_once(builtin):
    if not any(e.kind == "segment_shift" for e in builtin.events):
        pytest.skip("no segment shift in this scenario")
    sc = small(builtin, 2000)
    solo = new_game(sc, 4)
    shared = SharedGame(sc, 4, ["a", "b", "c"])
    while not solo.finished:
        solo.apply(EndRound())
        shared.advance()
        assert np.array_equal(shared.pop.needs, solo.state.pop.needs), f"round {solo.round}"
        for g in shared.companies:
            assert np.array_equal(g.true_need_means(), solo.true_need_means())


def test_a_company_that_ended_the_quarter_waits(saas_small):
    game = SharedGame(saas_small, 2, ["a", "b", "c"])
    f = game.companies[0].legal_actions()
    plan = next(x for x in f if isinstance(x, Plan))
    assert game.apply(0, EndRound()) is None
    assert game.waiting_for() == 2 and game.round == 1
    with pytest.raises(IllegalAction) as e:
        game.apply(0, plan)
    assert e.value.code == "committed" and "2 more companies" in e.value.message
    assert game.companies[1].is_legal(plan)
    game.apply(1, plan)
    assert game.apply(1, EndRound()) is None
    report = game.apply(2, EndRound())
    assert report is not None and report["round"] == 1 and game.round == 2 and game.waiting_for() == 3
    assert game.companies[0].is_legal(plan)


def test_advance_ends_the_quarter_for_those_who_have_not_keeping_their_now(saas_small):
    game = SharedGame(saas_small, 2, ["a", "b"])
    b = game.companies[1]
    plan = next(x for x in b.legal_actions() if isinstance(x, Plan) and x.slot == "now")
    game.apply(1, plan)
    game.apply(0, EndRound())
    report = game.advance()
    assert game.round == 2 and report["round"] == 1
    assert b.state.reports[-1]["rationale"] == "(ended by the instructor)"
    assert plan.feature in b.state.reports[-1]["shipped"] + b.state.reports[-1]["carried_over"] \
        + b.state.reports[-1]["slipped"]
    while not game.finished:
        game.advance()
    with pytest.raises(IllegalAction):
        game.advance()


def test_rivals_show_launches_prices_and_shares_never_plans(saas_small):
    game = SharedGame(saas_small, 8, ["a", "b"])
    a = game.companies[0]
    before = game.rivals(1)
    plan = next(x for x in a.legal_actions() if isinstance(x, Plan) and x.slot == "now")
    game.apply(0, plan)
    assert game.rivals(1) == before  # a plan is not a launch
    assert before[0]["launched"] == [] and set(before[0]) == {"company", "launched", "prices", "share_estimate"}
    game.apply(0, EndRound())
    game.apply(1, EndRound())
    seen = game.rivals(1)[0]
    shipped = a.state.reports[-1]["shipped"]
    assert [x["feature"] for x in seen["launched"]] == sorted(shipped)
    assert all(x["round"] == 1 for x in seen["launched"])
    assert seen["share_estimate"] == round(a.state.metrics[-1]["market_share"], 2)
    assert seen["prices"] == {s.id: s.price for s in saas_small.market.segments}
    text = json.dumps(game.rivals(1))
    for fid in a.state.now + [r.id for r in a.state.requests]:
        if fid not in shipped:
            assert f'"{fid}"' not in text


@pytest.mark.parametrize("names, message", [([], "1 to"), (["a", "a"], "different"), (["a", " "], "different")])
def test_bad_company_lists_are_refused(saas_small, names, message):
    with pytest.raises(ValueError, match=message):
        SharedGame(saas_small, 1, names)


def test_replay_refuses_logs_that_stop_mid_quarter(saas_small):
    game = SharedGame(saas_small, 2, ["a", "b"])
    game.apply(0, EndRound())
    game.apply(1, EndRound())
    with pytest.raises(ValueError, match="stop before quarter 2"):
        replay_shared(saas_small, 2, ["a", "b"], [game.companies[0].log + [EndRound()], game.companies[1].log])


def test_the_joint_hash_follows_every_company_and_the_owners(saas_small):
    game = SharedGame(saas_small, 6, ["a", "b", "c"])
    h0 = game.state_hash()
    plan = next(x for x in game.companies[2].legal_actions() if isinstance(x, Plan))
    game.apply(2, plan)
    h1 = game.state_hash()
    assert h1 != h0
    game.apply(1, EndRound())
    assert game.state_hash() != h1  # who has committed is part of the state
    users = np.flatnonzero(game.owner >= 0)
    game.owner[users[0]] = (game.owner[users[0]] + 1) % 3
    assert game.state_hash() != h1


def test_a_companys_observation_adds_rivals_and_the_wait(saas_small):
    game = SharedGame(saas_small, 6, ["a", "b", "c"])
    game.apply(1, EndRound())
    seen = game.observe(1)
    assert seen["committed"] is True and seen["waiting_for"] == 2
    assert [r["company"] for r in seen["rivals"]] == ["a", "c"]
    assert seen["round"] == game.companies[1].observe()["round"]


def test_a_competitive_analysis_studies_the_rival_companies(saas_small):
    """In a shared market a competitive analysis also reports what the market sees of each rival
    company (its launches, prices, share), stored with the study, and never its plans."""
    from pmsim.engine.actions import Research

    game = SharedGame(saas_small, 8, ["a", "b"])
    a, b = game.companies
    plan = next(x for x in a.legal_actions() if isinstance(x, Plan) and x.slot == "now")
    game.apply(0, plan)
    game.apply(0, EndRound())
    game.apply(1, EndRound())
    later = next(x for x in a.legal_actions() if isinstance(x, Plan) and x.slot == "now")
    game.apply(0, later)  # a plan for quarter 2: b must not see it
    result = game.apply(1, Research("competitive_analysis"))
    assert result["rival_companies"] == game.rivals(1)
    assert b.state.research_results[-1]["rival_companies"] == game.rivals(1)  # kept in the history
    launched = [x["feature"] for x in result["rival_companies"][0]["launched"]]
    assert launched == sorted(a.state.reports[-1]["shipped"]) and later.feature not in launched
    assert "rival companies: a " in result["summary"]
    solo = new_game(saas_small, 8).apply(Research("competitive_analysis"))
    assert "rival_companies" not in solo  # a solo game has no rival companies
