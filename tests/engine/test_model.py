"""The model teaches for the right reasons: each mechanism, the yardsticks, the harness."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst

from pmsim.engine import new_game, scoring, worth
from pmsim.engine.actions import EndRound, Plan, Research
from pmsim.engine.bots import ABLATIONS, BEHAVIOURS, play_game, play_round
from pmsim.engine.market import effective_scores, kano_contribution
from pmsim.engine.research import SURVEY_SATURATION
from pmsim.engine.simulate import parse_strategies, run_batch
from pmsim.engine.teach import teach
from pmsim.engine.values import knapsack


# ---------------------------------------------------------------- mechanisms
def test_a_missing_must_be_costs_more_every_quarter():
    costs = [-kano_contribution("must_be", 0.1, False, r) for r in range(1, 9)]
    assert all(b > a for a, b in zip(costs, costs[1:], strict=False))
    assert kano_contribution("must_be", 0.1, True, 8) == 0.0
    assert kano_contribution("performance", 0.1, False, 8) == 0.0  # only must-bes grow


def test_a_gap_behind_the_best_competitor_is_felt_where_we_are_behind():
    ours = np.array([0.5, 0.3])
    comp = np.array([[0.4, 0.6], [0.2, 0.5]])
    eff = effective_scores(ours, comp)
    assert eff[0] == 0.5  # ahead: no loss
    assert eff[1] < 0.3  # behind by 0.3: it hurts more than the raw score says


def test_hindsight_ships_the_enterprise_must_haves_early(saas_small):
    """b2b_saas's lesson (SSO and audit log are must-bes for enterprise) is in the optimum."""
    g = play_game(new_game(saas_small, 5), "analyst")
    schedule = g.debrief()["hindsight_schedule"]
    assert schedule["sso"] <= 2 and schedule["audit_log"] <= 2, schedule


def test_competitive_analysis_reveals_launches_and_changes_what_features_are_believed_worth(saas_small):
    g = new_game(saas_small, 3)
    before = worth.believed_remaining(g)
    g.apply(Research("competitive_analysis"))
    moves = g.state.beliefs.known_moves
    assert moves and all("delta" in m for m in moves)
    after = worth.believed_remaining(g)
    # where the analysis corrected a gap behind a rival, closing it is believed worth more or less
    assert np.abs(after - before).max() > 1e-3


def test_a_launch_in_the_news_moves_everyones_belief(saas_small):
    g = new_game(saas_small, 3)
    before = g.state.beliefs.comp_mean.copy()
    while g.round < 3:  # Trackr's integrations marketplace launches in round 3 ...
        g.apply(EndRound())
    assert g.state.launches and not g.state.public_moves  # ... customers feel it at once ...
    g.apply(EndRound())
    assert g.state.public_moves  # ... and the news has it a quarter later
    m = g.state.public_moves[0]
    assert g.state.beliefs.comp_mean[m["competitor"], m["theme"]] > before[m["competitor"], m["theme"]]


def test_a_survey_measures_how_much_features_matter(saas_small):
    g = new_game(saas_small, 3)
    sd0 = {f: fs.impact_sd for f, fs in g.state.features.items()}
    g.apply(Research("survey", segment="smb", n=400))
    assert all(g.state.features[f].impact_sd < sd0[f] for f in sd0)


def test_survey_confidence_intervals_cover_the_truth_95_percent_of_the_time(saas_small):
    hits = total = 0
    truth = None
    for seed in range(60):
        g = new_game(saas_small, seed)
        truth = g.true_need_means()[0]
        res = g.apply(Research("survey", segment="smb", n=100))
        for ti, t in enumerate(g.themes):
            est = res["needs"][t]
            hits += abs(est["estimate"] - truth[ti]) <= est["ci95"]
            total += 1
    assert 0.9 <= hits / total <= 0.99, hits / total


def test_a_repeated_study_is_marked_as_telling_nothing_new(saas_small):
    g = new_game(saas_small, 3)
    first = g.apply(Research("competitive_analysis"))
    again = g.apply(Research("competitive_analysis"))
    assert first["informative"] and not again["informative"]
    g.state.beliefs.survey_n[0] = SURVEY_SATURATION
    assert not g.apply(Research("survey", segment="smb", n=30))["informative"]


# ---------------------------------------------------------------- yardsticks
def _research_of(sc, strategy, seeds):
    return float(np.mean([play_game(new_game(sc, s), strategy).score()["components"]["research"] for s in seeds]))


def test_research_scores_zero_without_research_and_well_for_a_good_researcher(saas_small):
    assert _research_of(saas_small, "rice", [1, 2]) == 0.0
    assert _research_of(saas_small, "analyst", [1, 2, 3, 4]) >= 0.5


def test_buying_everything_indiscriminately_scores_low_on_research(saas_small):
    def spree(game):
        from pmsim.engine.observe import research_options

        for a in research_options(game) * 2:
            if a.method != "spike" and game.is_legal(a):
                game.apply(a)

    scores = []
    for seed in (1, 2, 3):
        g = new_game(saas_small, seed)
        while not g.finished:
            spree(g)
            play_round(g, "rice")
        scores.append(g.score()["components"]["research"])
    assert float(np.mean(scores)) < _research_of(saas_small, "analyst", [1, 2, 3])


def test_idle_capacity_costs_customer_impact(saas_small):
    """The yardstick is the whole capacity: planning nothing in round 1 is a cost, not a smaller bar."""
    busy = new_game(saas_small, 4)
    idle = new_game(saas_small, 4)
    play_round(busy, "oracle")
    idle.apply(EndRound())
    for g in (busy, idle):
        while not g.finished:
            play_round(g, "oracle")
    assert idle.score()["components"]["customer_impact"] < busy.score()["components"]["customer_impact"]


def test_spending_the_first_quarter_on_spikes_does_not_pay(saas_small):
    seeds = [11, 12, 13, 14]
    spiker = np.mean([play_game(new_game(saas_small, s), "spiker").score()["score"] for s in seeds])
    researcher = np.mean([play_game(new_game(saas_small, s), "researcher").score()["score"] for s in seeds])
    assert spiker < researcher


def test_the_spiker_is_the_researcher_after_its_first_quarter(saas_small):
    """spiker = every spike in Q1, then exactly the researcher: from the same state after Q1,
    both bots play the same game."""
    for seed in (11, 12, 13, 14, 15, 16):
        g = new_game(saas_small, seed)
        play_round(g, "spiker")
        a, b = g.copy(), g.copy()
        play_game(a, "spiker")
        play_game(b, "researcher")
        assert a.state_hash() == b.state_hash()


def test_a_spike_informs_only_where_a_plan_hinges_on_the_item(saas_small):
    """A spike of an item no plan hinges on tells nothing a decision needed: its weeks count as
    research spent on a study that told nothing new (scoring.WEEK_PRICE a week); a spike of an item
    the plan hinges on does not."""
    from pmsim.engine.hinges import candidates, spike_informs

    seen = {True: 0, False: 0}
    for seed in range(1, 30):
        g = new_game(saas_small, seed)
        room = g.capacity_left()
        verdict = {f: spike_informs(g, f, room) for f in candidates(g)}
        for fid, informs in verdict.items():
            if seen[informs] >= 2 or not g.is_legal(Research("spike", feature=fid)):
                continue
            res = g.apply(Research("spike", feature=fid))
            assert res["informative"] is informs
            seen[informs] += 1
            g.apply(EndRound())
            e = g.state.ledger[-1]
            assert e["spike_weeks"] == pytest.approx(res["weeks"])
            assert e["spike_weeks_wasted"] == pytest.approx(0.0 if informs else res["weeks"])
            break
        if all(v >= 2 for v in seen.values()):
            break
    assert all(v >= 2 for v in seen.values()), seen


def test_a_spike_is_paid_for_out_of_what_it_told(saas_small):
    """The value of information is net of the room spikes took: a quarter spent spiking, with
    nothing left to build, told the plan less than the weeks were worth (negative), and its
    loss is the value of the plan the starting beliefs would have built in that room."""
    from pmsim.engine.hinges import candidates

    for seed in range(1, 9):
        g = new_game(saas_small, seed)
        before = g.copy()
        before.apply(EndRound())  # the same quarter with nothing done: no information, no loss
        assert before.state.ledger[-1]["voi"] == pytest.approx(0.0, abs=1e-6)
        for fid in sorted(candidates(g), key=lambda f: -g.state.features[f].estimate):
            if g.is_legal(Research("spike", feature=fid)):
                g.apply(Research("spike", feature=fid))
        assert g.state.spike_used >= 0.7 * (g.state.spike_used + g.capacity_left())  # most of the quarter
        g.apply(EndRound())
        assert g.state.ledger[-1]["voi"] < 0


def test_weeks_of_uninformative_spikes_cut_the_research_score():
    base = {"voi": 0.3, "voi_achievable": 1.0, "research_spent": 10.0, "research_wasted": 0.0}
    clean = scoring.research_score([{**base, "spike_weeks": 5.0, "spike_weeks_wasted": 0.0}])
    wasted = scoring.research_score([{**base, "spike_weeks": 5.0, "spike_weeks_wasted": 5.0}])
    share = 0.3 / scoring.ACHIEVABLE_SHARE
    assert clean == pytest.approx(share)
    spent = 10.0 + scoring.WEEK_PRICE * 5.0
    assert wasted == pytest.approx(share * (1.0 - scoring.WASTE_WEIGHT * scoring.WEEK_PRICE * 5.0 / spent))
    assert wasted < clean - 0.05
    assert scoring.research_score([base]) == pytest.approx(share)  # ledgers written before spikes counted
    from pmsim.tui.explain import TOPICS

    text = next(t for t in TOPICS if t.id == "research").how
    assert f"a spike's engineer-week counting ${scoring.WEEK_PRICE:g}k" in text
    assert f"{scoring.WASTE_WEIGHT:g} × the share of research money" in text


def test_spiking_everything_scores_low_on_research(saas_small):
    """Spiking every item in the first quarter buys estimates no plan needed: most of those weeks
    are waste, and the research score is cut for them; and the weeks come out of what the spikes
    told, so the spiker's research is well below the researcher's."""
    scored, unpriced, researcher = [], [], []
    for seed in (11, 12, 13, 14):
        researcher.append(play_game(new_game(saas_small, seed), "researcher").score()["components"]["research"])
        g = play_game(new_game(saas_small, seed), "spiker")
        led = g.state.ledger
        weeks = sum(e["spike_weeks"] for e in led)
        assert weeks > 0 and sum(e["spike_weeks_wasted"] for e in led) >= 0.5 * weeks
        scored.append(g.score()["components"]["research"])
        unpriced.append(scoring.research_score([{**e, "spike_weeks": 0.0, "spike_weeks_wasted": 0.0} for e in led]))
    assert np.mean(scored) < 0.9 * np.mean(unpriced), (scored, unpriced)
    assert np.mean(scored) < 0.5 * np.mean(researcher), (scored, researcher)


def test_prioritization_is_not_maxed_by_sorting_the_value_column(saas_small):
    """A knapsack on the quarterly value column ignores urgency (must-bes) and rivals."""
    scores = []
    for seed in (1, 2, 3):
        g = new_game(saas_small, seed)
        while not g.finished:
            vb = worth.believed(g)
            avail = [f.id for f in saas_small.features if g.state.features[f.id].status == "backlog"
                     and f.available_from <= g.round and g.deps_ok(f.id, list(g.state.now))]
            picks = knapsack([float(vb[g.fidx(f)]) for f in avail],
                             [g.state.features[f].estimate for f in avail], g.capacity_left())
            for i in picks:
                if g.is_legal(Plan(avail[i], "now")):
                    g.apply(Plan(avail[i], "now"))
            g.apply(EndRound())
        scores.append(g.score()["components"]["prioritization"])
    assert max(scores) < 0.99, scores


def test_regret_is_explained_negative_included():
    assert "negative" in scoring.regret_note(-3.0, 10.0)
    assert scoring.regret_note(0.1, 10.0).startswith("about as good")
    assert scoring.regret_note(5.0, 10.0)


# ---------------------------------------------------------------- observe() and research-heavy play
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=hst.integers(0, 2**31), n=hst.integers(5, 30))
def test_research_heavy_play_never_breaks_the_observation(builtin_small, seed, n):
    """Interviews can make a feature's believed value negative; observe() must still work."""
    g = new_game(builtin_small, seed)
    for _ in range(2):
        for s in builtin_small.segment_ids():
            a = Research("interviews", segment=s, n=n)
            if g.is_legal(a):
                g.apply(a)
        obs = g.observe()
        assert all(row["impact"] >= 0 for row in obs["features"])
        play_round(g, "researcher")


def test_a_feature_believed_harmful_has_no_rice_impact(saas_small):
    g = new_game(saas_small, 1)
    g.state.beliefs.kano_votes[:, 0, 4] = 50  # everyone says it would put them off (reverse)
    row = next(r for r in g.observe()["features"] if r["id"] == saas_small.features[0].id)
    assert row["value"] < 0 and row["impact"] == 0.0 and row["rice"] == 0.0


# ---------------------------------------------------------------- the harness
def test_every_ablation_is_a_strategy_and_switches_one_behaviour_off():
    assert len(ABLATIONS) == len(BEHAVIOURS) == 8
    assert parse_strategies("analyst,analyst-no-interviews") == ["analyst", "analyst-no-interviews"]


def test_ablations_change_what_the_analyst_does(saas_small):
    def methods(strategy):
        g = play_game(new_game(saas_small, 2), strategy)
        return {r["method"] for r in g.state.research_results}, g

    full, _ = methods("analyst")
    assert {"interviews", "survey", "competitive_analysis", "usability_test"} <= full
    assert "interviews" not in methods("analyst-no-interviews")[0]
    assert "survey" not in methods("analyst-no-surveys")[0]
    assert "competitive_analysis" not in methods("analyst-no-competitive")[0]
    assert "usability_test" not in methods("analyst-no-usability")[0]
    assert "spike" not in methods("analyst-no-spikes")[0]
    _, quiet = methods("analyst-no-answers")
    assert all(q.answer in ("defer", "ignored", None) for q in quiet.state.requests)


def test_teach_reports_paired_costs(saas_small):
    res = teach(saas_small, 3, 5, behaviours=("usability", "answers"))
    batch = run_batch(saas_small, ["analyst", "analyst-no-usability"], 3, 5)
    assert res["baseline"]["mean"] == batch["strategies"]["analyst"]["mean"]
    row = res["behaviours"]["usability"]
    assert row["strategy"] == "analyst-no-usability"
    assert abs(row["cost"] - (batch["strategies"]["analyst"]["mean"]
                              - batch["strategies"]["analyst-no-usability"]["mean"])) < 1e-3
    lo, hi = row["ci95"]
    assert lo <= row["cost"] <= hi
    assert row["component"] in row["components"]


def test_teach_command_prints_the_json_contract():
    out = subprocess.run([sys.executable, "-m", "pmsim", "scenarios", "teach", "tutorial", "--games", "2",
                          "--jobs", "1", "--json"], capture_output=True, text=True, timeout=300)
    assert out.returncode in (0, 1), out.stderr
    data = json.loads(out.stdout)
    assert data["scenario"] == "tutorial" and data["games"] == 2 and data["seed"] == 0
    assert data["baseline"]["strategy"] == "analyst"
    assert set(data["behaviours"]) == set(BEHAVIOURS)
    for b, row in data["behaviours"].items():
        assert row["strategy"] == f"analyst-no-{b}"
        assert {"cost", "ci95", "d", "component"} <= set(row)


def test_a_launch_makes_the_feature_it_names_table_stakes(saas_small):
    from pmsim.engine.values import table_stakes

    sc = saas_small
    ti = sc.theme_ids().index("onboarding")
    need = np.full((len(sc.market.segments), len(sc.theme_ids())), 0.5)
    [(fi, mask, u)] = table_stakes(sc, need, [(ti, 4, "templates")])
    assert sc.features[fi].id == "templates" and u == 4 and mask.all()
    [(fi, _, _)] = table_stakes(sc, need, [(ti, 4, None)])  # unnamed: the theme's most valuable feature
    assert sc.features[fi].id == max((f for f in sc.features if f.theme == "onboarding"), key=lambda f: f.value).id


def test_a_move_must_name_a_feature_of_its_own_theme(tmp_path):
    from pathlib import Path

    from pmsim.scenario.loader import ScenarioError, load_scenario

    text = (Path(__file__).resolve().parents[2] / "scenarios" / "b2b_saas.yaml").read_text()
    bad = text.replace("feature: templates,", "feature: sso,")
    assert bad != text
    p = tmp_path / "bad.yaml"
    p.write_text(bad)
    try:
        load_scenario(p)
    except ScenarioError as e:
        [problem] = e.problems
        assert "moves[0].feature" in problem.format() and "not in the move's theme" in problem.message
    else:
        raise AssertionError("a move naming a feature of another theme loaded")


def test_a_discovery_budget_replaces_the_research_budget_in_its_round(saas_small):
    team = saas_small.team.model_copy(update={"research_budget": 30.0, "research_budget_by_round": {1: 90.0}})
    sc = saas_small.model_copy(update={"team": team})
    g = new_game(sc, 1)
    assert g.state.budget == 90.0
    assert g.observe()["budget"]["next_round"] == 30.0  # what the briefing compares with
    g.apply(EndRound())
    assert g.state.budget == 30.0 * g.state.budget_factor


def test_the_analyst_studies_every_segment_and_the_rivals_before_its_first_plan(saas):
    """With a discovery budget, round 1 buys interviews and a survey of every segment and a
    competitive analysis: the methods do not compete for money, so skipping one leaves it unspent."""
    g = new_game(saas, 3)
    play_round(g, "analyst")
    first = [r for r in g.state.research_results if r["round"] == 1]
    segs = set(saas.segment_ids())
    assert {r["segment"] for r in first if r["method"] == "interviews"} == segs
    assert {r["segment"] for r in first if r["method"] == "survey"} == segs
    assert any(r["method"] == "competitive_analysis" for r in first)
    skip = new_game(saas, 3)
    play_round(skip, "analyst-no-competitive")
    spent = sum(r["cost"] for r in first)
    assert sum(r["cost"] for r in skip.state.research_results if r["round"] == 1) <= spent - 8.0 + 1e-9


def test_the_analyst_without_musthaves_weighs_a_must_have_like_any_wish(saas):
    from pmsim.engine.bots import _analyst_values
    from pmsim.engine.market import MUST_PENALTY
    from pmsim.engine.values import growth_weight, quarters_left

    g = new_game(saas, 3)
    for s in saas.segment_ids():
        g.apply(Research("interviews", segment=s, n=10))
    vb, must = worth.believed(g), worth.believed_must(g)
    fi = int(np.argmax(must))
    assert must[fi] > 0  # interviews found a must-have
    careful = _analyst_values(g, vb.copy(), True)
    careless = _analyst_values(g, vb.copy(), False)
    r, rounds = g.round, saas.rounds
    # on the cost of delay (shipped now vs next quarter): the lasting loss and the must-be part
    extra = must * (growth_weight(r, rounds) - growth_weight(r + 1, rounds)
                    + (1 - 1 / MUST_PENALTY) * (quarters_left(r, rounds) - quarters_left(r + 1, rounds)))
    assert careful[fi] - careless[fi] >= 0.99 * extra[fi] > 0
    # the difference is the must-be part alone (features nothing depends on: no unlock value)
    leaves = [i for i, f in enumerate(saas.features) if not any(f.id in o.depends_on for o in saas.features)]
    assert leaves and all(abs((careful[i] - careless[i]) - extra[i]) < 1e-6 * max(1.0, extra[i]) for i in leaves)


# ---------------------------------------------------------------- lost customers stay lost
def test_a_must_be_shipped_late_stops_the_loss_but_wins_no_one_back():
    from pmsim.engine.market import MUST_GROWTH
    from pmsim.engine.values import benefit, growth_weight, quarters_left, remaining_values

    q, must = np.array([1.0]), np.array([2.0])
    # in quarter 6, shipped in round 1 it has stopped five quarters of growth, in round 4 only two
    assert benefit(q, must, 6, 1)[0] == 1.0 + 2.0 * MUST_GROWTH * 5
    assert benefit(q, must, 6, 4)[0] == 1.0 + 2.0 * MUST_GROWTH * 2
    assert benefit(q, must, 6, np.array([4]))[0] == benefit(q, must, 6, 4)[0]
    # over the game, a quarter's delay costs more than the quarter itself: the loss persists
    early, late = remaining_values(q, must, 2, 8)[0], remaining_values(q, must, 3, 8)[0]
    one_quarter = q[0] + must[0] * MUST_GROWTH * 0
    assert early - late > one_quarter + must[0] * MUST_GROWTH * 5 - 1e-9
    assert growth_weight(8, 8) == 0.0 and quarters_left(8, 8) == 1.0


def _ship_at(sc, seed: int, fid: str, ship_round: int, until: int):
    g = new_game(sc, seed)
    while g.round <= until:
        if g.round == ship_round:
            g.apply(Plan(fid, "now"))
        g.apply(EndRound())
    return g


def test_the_ledger_counts_a_must_be_from_the_quarter_it_shipped(saas_small):
    """Two games that differ only in when SSO (an enterprise must-be) shipped: by quarter 5 both
    have it, but the early one kept the customers the late one lost while it was missing."""
    from pmsim.engine.market import MUST_GROWTH

    a = _ship_at(saas_small, 11, "sso", 1, 5)
    b = _ship_at(saas_small, 11, "sso", 3, 5)
    assert a.state.features["sso"].shipped_round == 1 and b.state.features["sso"].shipped_round == 3
    assert a.state.shipped == b.state.shipped == ["sso"]
    fi = a.fidx("sso")
    must = float(worth.true_must(a)[fi])
    assert must > 0
    per_a = a.state.ledger[4]["benefit"] / a.state.features["sso"].quality()
    per_b = b.state.ledger[4]["benefit"] / b.state.features["sso"].quality()
    assert abs((per_a - per_b) - must * MUST_GROWTH * 2) < 1e-3 * max(per_a, 1.0)


def test_a_table_stake_missing_at_the_launch_costs_for_the_rest_of_the_game(saas_small):
    from pmsim.engine.market import STAKE_GROWTH, stake_factor
    from pmsim.engine.values import stake_values

    assert stake_factor(0) == 1.0 and stake_factor(2) == 1.0 + 2 * STAKE_GROWTH
    sc = saas_small
    ti = sc.theme_ids().index("onboarding")
    need = np.full((len(sc.market.segments), len(sc.theme_ids())), 0.5)
    from pmsim.engine.values import table_stakes

    stakes = table_stakes(sc, need, [(ti, 4, "templates")])
    fi = stakes[0][0]
    sizes = np.full(len(sc.market.segments), 1000.0)
    impact = np.array([f.value for f in sc.features])
    ready = stake_values(sc, sizes, need, impact, stakes, 7, since=3)[fi]  # there before the launch
    at_launch = stake_values(sc, sizes, need, impact, stakes, 7, since=4)[fi]
    late = stake_values(sc, sizes, need, impact, stakes, 7, since=6)[fi]
    assert ready == at_launch > late > 0
    assert at_launch / late == (1 + STAKE_GROWTH * 3) / (1 + STAKE_GROWTH * 1)


def test_a_missing_table_stake_costs_twice_a_missing_must_be(saas_small):
    """A rival's launch gives customers a concrete alternative: lacking its feature then costs
    twice what the same feature costs as a must-be they always lacked, in its launch quarter, in
    the value model as in the market's theme scores."""
    from pmsim.engine.market import MUST_PENALTY, STAKE_PENALTY
    from pmsim.engine.values import must_values, stake_values, table_stakes

    assert STAKE_PENALTY == 2 * MUST_PENALTY
    sc = saas_small
    ti = sc.theme_ids().index("onboarding")
    need = np.full((len(sc.market.segments), len(sc.theme_ids())), 0.5)
    stakes = table_stakes(sc, need, [(ti, 1, "templates")])
    fi, mask, _ = stakes[0]
    sizes = np.full(len(sc.market.segments), 1000.0)
    impact = np.array([f.value for f in sc.features])
    p_must = np.zeros((len(sc.market.segments), len(sc.features)))
    p_must[mask, fi] = 1.0
    stake = stake_values(sc, sizes, need, impact, stakes, 1, since=1)[fi]
    must = must_values(sc, sizes, need, p_must, impact)[fi]
    assert stake > 0 and stake == pytest.approx(2 * must)

    g = new_game(sc, 5)
    assert not g.stakes_now()  # no launch, no stake
    before = g.theme_scores()[:, ti]
    g.state.launches.append({"theme": ti, "round": g.round, "feature": "templates"})
    _, mask, _ = g.stakes_now()[0]
    drop = before - g.theme_scores()[:, ti]
    value = next(f.value for f in sc.features if f.id == "templates")
    assert mask.any() and drop[mask] == pytest.approx(STAKE_PENALTY * value)
    assert not drop[~mask].any()


def test_the_analyst_weighs_a_promise_due_now_to_those_who_can_escalate(saas_small):
    """A promise due this quarter to a stakeholder with the power to escalate is planned like a
    valuable feature; one to a stakeholder without it is renegotiated instead (no weight)."""
    from pmsim.engine.actions import Respond
    from pmsim.engine.bots import _promised
    from pmsim.engine.stakeholders import ESCALATION_POWER

    g = new_game(saas_small, 4)
    value = np.linspace(1.0, 2.0, len(g.feature_ids))
    assert not _promised(g, value).any()  # nothing promised yet
    seen = {True: 0, False: 0}
    while not g.finished and not all(seen.values()):
        for q in g.state.requests:
            if q.status == "open" and q.feature is not None:
                g.apply(Respond(q.id, "accept"))
        extra = _promised(g, value)
        for q in g.state.requests:
            if q.status == "accepted" and q.deadline == g.round and g.state.features[q.feature].status == "backlog":
                strong = g.state.stakeholders[q.stakeholder].power >= ESCALATION_POWER
                seen[strong] += 1
                assert (extra[g.fidx(q.feature)] > 0) == strong
        g.apply(EndRound())
    assert all(seen.values()), seen


def test_the_cost_of_delay_of_a_must_be_includes_the_loss_that_would_last(saas_small):
    """Shipping a must-be now rather than next quarter saves a quarter of its value and the loss
    that waiting would leave for every quarter after; other features save one quarter's value."""
    from pmsim.engine.market import MUST_GROWTH

    g = new_game(saas_small, 3)
    q, m = g.true_values(), worth.true_must(g)
    zero = lambda quarters: np.zeros(len(q))  # noqa: E731 (gaps and table stakes aside)
    d = worth._cost_of_delay(g, q, m, zero, zero)
    rounds = saas_small.rounds
    assert np.allclose(d, q + m * MUST_GROWTH * (rounds - 1))
    assert m[g.fidx("sso")] > 0 and d[g.fidx("sso")] > q[g.fidx("sso")]
    # the engine's own: the same rule with gaps and launches, shipped now vs next quarter
    full = worth.true_delay(g)
    shipped_in = worth._worth_from
    gap = lambda quarters: worth.gap_true(g, quarters)  # noqa: E731
    stakes = lambda quarters: worth._stakes_true_over(g, quarters)  # noqa: E731
    assert np.allclose(full, shipped_in(g, 1, q, m, gap, stakes) - shipped_in(g, 2, q, m, gap, stakes))
    assert not shipped_in(g, rounds + 1, q, m, gap, stakes).any()  # past the end: worth nothing


def test_the_analyst_spikes_a_valuable_item_whose_estimate_does_not_fit(saas_small):
    """A 44-week estimate for what may be an 11-week foundation: the plan cannot hold it as
    estimated, but it would take it if the estimate is two deviations high, so it is spiked."""
    from pmsim.engine.bots import _candidates, _decisive

    g = new_game(saas_small, 3)
    room = g.capacity_left()
    fid = _candidates(g)[0]
    fs = g.state.features[fid]
    fs.estimate, fs.estimate_sd, fs.spiked = round(2.0 * room, 1), 0.6, False
    value = np.zeros(len(g.feature_ids))
    value[g.fidx(fid)] = 100.0  # by far the most valuable
    assert fid in _decisive(g, value, lambda f: g.state.features[f].estimate)
    fs.estimate_sd = 0.2  # a confident estimate: it does not fit, and a spike would not change that
    assert fid not in _decisive(g, value, lambda f: g.state.features[f].estimate)


def test_the_debrief_lists_only_research_worth_a_line(saas_small):
    """A round where perfect information was worth next to nothing (it would print as 0.0) is not
    'research that would have paid off'."""
    g = play_game(new_game(saas_small, 7), "researcher")
    led = g.state.ledger
    led[0]["opt_true_est"] = led[0]["opt_beliefs_true"] + 0.01  # worth 0.01: prints as 0.0
    led[1]["opt_true_est"] = led[1]["opt_beliefs_true"] + 0.4
    d = g.debrief()
    assert {r["round"]: r["value_of_information"] for r in d["rounds"]}[1] == 0.01
    listed = [r["round"] for r in d["research_that_would_have_paid"]]
    assert 2 in listed and 1 not in listed


def test_a_key_result_is_graded_by_one_rule_in_the_engine_and_on_screen():
    """The OKR pane's forecast grades a value with the engine's rule (it had its own copy, which
    disagreed when a target lies behind the baseline)."""
    from pmsim.tui.widgets.okrs import grade_of

    cases = [  # baseline, value, target, direction, grade
        (10.0, 12.0, 14.0, "increase", 0.5),
        (10.0, 8.0, 6.0, "decrease", 0.5),
        (10.0, 9.0, 8.0, "increase", 1.0),  # the target was met at the start and still is
        (10.0, 7.0, 8.0, "increase", 0.0),  # ... and then slipped below it
        (10.0, 15.0, 14.0, "increase", 1.0),
    ]
    for b, v, t, d, want in cases:
        assert scoring.kr_grade(b, v, t, d) == pytest.approx(want)
        assert grade_of({"baseline": b, "target": t, "direction": d}, v) == pytest.approx(want)


def test_spike_weeks_inside_room_beyond_the_nominal_capacity_cost_nothing(saas_small):
    """Room the team has beyond the nominal capacity (tech debt paid down) is not the yardstick's:
    spikes that fit in it take nothing from the room the plan is judged in."""
    from pmsim.engine.hinges import candidates

    g = new_game(saas_small, 1)
    whole = scoring.nominal_capacity(g, 1)
    g.state.capacity = whole + 6.0  # as after shipping a debt-reducing foundation
    plain = g.copy()
    for fid in sorted(candidates(g), key=lambda f: -g.state.features[f].estimate):
        if g.state.spike_used + 0.1 * g.state.features[fid].estimate <= 6.0 and g.is_legal(Research("spike", feature=fid)):
            g.apply(Research("spike", feature=fid))
            # the same beliefs in both games, so the only difference a charge could make is the room
            g.state.features[fid].estimate = plain.state.features[fid].estimate
            g.state.features[fid].estimate_sd = plain.state.features[fid].estimate_sd
    assert 4.0 <= g.state.spike_used <= 6.0
    charged = g.copy()
    charged.state.capacity = whole  # the same spikes with no room beyond the nominal: charged
    for game in (g, plain, charged):
        game.apply(EndRound())
    assert plain.state.ledger[-1]["voi"] == pytest.approx(0.0, abs=1e-6)  # nothing learnt, nothing charged
    assert g.state.ledger[-1]["voi"] == pytest.approx(0.0, abs=1e-6)
    assert charged.state.ledger[-1]["voi"] < -1e-6
