"""The game's own bookkeeping made cheaper (issue 13) gives the very bits it gave: each fast path
here against the plain code it replaced, through whole bot games of every built-in scenario."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pmsim.engine import detmath, market, new_game
from pmsim.engine.bots import play_round
from pmsim.engine.observe import FIB, IMPACT_SCALE
from pmsim.engine.values import KANO_ORDER, kano_posterior
from pmsim.engine.worth import believed


def _bits(a: np.ndarray) -> bytes:
    return a.dtype.str.encode() + repr(a.shape).encode() + a.tobytes()


def _theme_scores_plain(game) -> np.ndarray:
    """Game._theme_scores as it was: every (segment, feature) added into the array in turn."""
    sc = game.scenario
    kano = game._c["kano"]
    base = np.array([sc.market.product.get(t, 0.0) for t in game.themes])
    g = np.tile(base, (len(sc.market.segments), 1))
    shipped = set(game.state.shipped)
    r = game.state.round
    for fi, f in enumerate(sc.features):
        ti = game.themes.index(f.theme)
        q = game.state.features[f.id].quality() if f.id in shipped else 1.0
        for si in range(len(sc.market.segments)):
            cat = KANO_ORDER[kano[si, fi]]
            on = market.kano_contribution(cat, f.value, f.id in shipped, r)
            if q < 1.0:
                on = q * on + (1.0 - q) * market.kano_contribution(cat, f.value, False, r)
            g[si, ti] += on
    for fi, mask, u in game.stakes_now():
        f = sc.features[fi]
        if f.id not in shipped:
            ti = game.themes.index(f.theme)
            g[mask, ti] -= market.STAKE_PENALTY * f.value * market.stake_factor(r - u)
    return g


@pytest.mark.parametrize("strategy", ["random", "researcher", "analyst"])
def test_theme_scores_are_the_plain_loops_bits_every_round(builtin_small, strategy):
    """Shipped features (some with defects), must-bes missing longer each round, rivals'
    launches that set table stakes: the scores every round are the plain loops' bits."""
    game = new_game(builtin_small, 9)
    while not game.finished:
        assert _bits(game._theme_scores()) == _bits(_theme_scores_plain(game))
        assert _bits(game.theme_scores()) == _bits(_theme_scores_plain(game))
        play_round(game, strategy)
    assert game.state.shipped


def test_theme_scores_with_defects_everywhere(saas_small):
    """A shipped feature's quality mixes its shipped and missing contributions: forced on every
    shipped feature, with every count of defects up to the cap."""
    game = new_game(saas_small, 2)
    for _ in range(4):
        play_round(game, "researcher")
    assert game.state.shipped
    for k, fid in enumerate(game.state.shipped):
        game.state.features[fid].shipped_defects = k % 7
    assert _bits(game.theme_scores()) == _bits(_theme_scores_plain(game))
    game.state.round += 1  # a must-be missing another quarter costs more
    assert _bits(game.theme_scores()) == _bits(_theme_scores_plain(game))


@pytest.mark.parametrize("sid", ["b2b_saas", "consumer_app", "hardware"])
def test_a_segment_shift_keeps_the_true_need_means_of_the_population(sid):
    """A segment shift makes its segment's row of the customers' mean needs again and keeps the
    others: the bits of population.true_need_means over the whole population, in a new array."""
    from pmsim.engine.population import true_need_means
    from pmsim.scenario.builtin import resolve
    from pmsim.scenario.loader import load_scenario

    sc = load_scenario(resolve(sid))
    sc = sc.model_copy(update={"market": sc.market.model_copy(update={"population": 4000}),
                               "events": [e.model_copy(update={"probability": 1.0}) if e.kind == "segment_shift" else e
                                          for e in sc.events]})
    game = new_game(sc, 5)
    shifts = {e.round for e in sc.events if e.kind == "segment_shift"}
    assert shifts
    kept = game._c["need_means"]
    while not game.finished:
        needs = game.state.pop.needs.copy()
        play_round(game, "rice")
        if game.round in shifts and not game.finished:
            assert game._c["need_means"] is not kept  # what was kept by the old needs is dropped
            kept = game._c["need_means"]
            for ev in sc.events:  # the plain shift, on the needs as they were
                if ev.kind == "segment_shift" and ev.round == game.round:
                    si, ti = sc.segment_ids().index(ev.segment), game.themes.index(ev.theme)
                    a, b = game.state.pop.bounds[si]
                    w = needs[:, a:b].astype(np.float64)
                    w[ti] = np.maximum(w[ti] + ev.delta, 0.0)
                    w /= np.maximum(w.sum(axis=0, keepdims=True), 1e-12)
                    needs[:, a:b] = detmath.quantize(w, 1.0 / 1024.0)
            assert _bits(game.state.pop.needs) == _bits(needs)
        assert _bits(game._c["need_means"]) == _bits(true_need_means(game.state.pop))


def test_the_promise_bar_kept_follows_the_values_and_the_candidates(saas_small):
    """The analyst's promise bar (the last one kept by its exact inputs) is the 60th percentile of
    what it could build, asked again with other values, the same values in another array, and
    after the candidates changed."""
    from pmsim.engine import bots

    game = new_game(saas_small, 3)
    rng = np.random.default_rng(2)

    def plain(value):
        cands = [float(value[game.fidx(f)]) for f in bots._candidates(game)]
        return float(np.percentile(cands, 60)) if cands else 0.0

    value = rng.normal(1.0, 2.0, len(saas_small.features))
    for trial in range(30):
        if trial % 3 == 0:
            value = rng.normal(1.0, 2.0, len(saas_small.features))
        elif trial % 3 == 1:
            value = value.copy()  # the same values: the same bar
        else:  # a candidate leaves (shipped): the bar moves with the candidates
            fid = bots._candidates(game)[0]
            game.state.features[fid].status = "shipped"
        assert bots._promise_bar(game, value) == plain(value)
        value[int(rng.integers(len(value)))] += 5.0  # changed in place after it was asked
        assert bots._promise_bar(game, value) == plain(value)


def _feature_table_plain(game):
    """observe.feature_table as it was: every column made feature by feature."""
    st = game.state
    sc = game.scenario
    vb = believed(game)
    post = kano_posterior(st.beliefs.kano_votes)  # (S, F, 5)
    sizes = game.sizes()
    votes_total = st.beliefs.kano_votes.sum(axis=-1)
    requested: dict[str, list[str]] = {}
    deadline: dict[str, int] = {}
    for q in st.requests:
        if q.feature and q.status in ("open", "accepted", "deferred"):
            requested.setdefault(q.feature, []).append(q.stakeholder)
            if q.deadline is not None:
                deadline[q.feature] = min(deadline.get(q.feature, 99), q.deadline)
    vmax = max(float(np.max(np.abs(vb))), 1e-9)
    rows = []
    for fi, f in enumerate(sc.features):
        fs = st.features[f.id]
        ti = game.themes.index(f.theme)
        reach = float(np.sum(sizes * np.clip(st.beliefs.need_mean[:, ti] * len(game.themes) / 2, 0, 1)))
        per_customer = float(vb[fi]) * 1000 / max(reach, 1.0)
        # a feature believed to hurt customers has no positive impact (RICE 0), never a crash
        impact = next((v for v, lim in IMPACT_SCALE if per_customer >= lim), 0.0)
        n_votes = int(votes_total[:, fi].sum())
        surveyed = int(st.beliefs.survey_n.sum())
        conf = 1.0 if (n_votes >= 8 and surveyed >= 300) else 0.8 if (n_votes > 0 or surveyed > 0) else 0.5
        months = max(fs.estimate / 4.0, 0.25)
        rice = reach * impact * conf / months
        bv = FIB[min(int(round(max(vb[fi], 0) / vmax * 6)), 6)]
        tc = 8 if f.id in deadline and deadline[f.id] <= st.round + 1 else 3 if f.id in deadline else 1
        rr = 5 if f.tech_debt < 0 else 1
        size = next((x for x in FIB if x >= fs.estimate / 2), 20)
        kano = {}
        for si, seg in enumerate(sc.market.segments):
            k = int(np.argmax(post[si, fi]))
            kano[seg.id] = {"category": KANO_ORDER[k].value, "p": round(float(post[si, fi, k]), 3),
                            "votes": int(votes_total[si, fi])}
        rows.append({
            "id": f.id, "title": f.title, "theme": f.theme, "description": f.description,
            "status": fs.status, "slot": fs.slot, "estimate": fs.estimate,
            "estimate_range": [round(fs.estimate * math.exp(-1.28 * fs.estimate_sd), 1),
                               round(fs.estimate * math.exp(1.28 * fs.estimate_sd), 1)],
            "remaining_estimate": round(fs.remaining_estimate(f.effort), 1),
            "progress": round(1 - fs.remaining / f.effort, 3),
            "depends_on": list(f.depends_on), "available_from": f.available_from,
            "value": round(float(vb[fi]), 3) + 0.0, "reach": round(reach), "impact": impact, "confidence": conf,
            "rice": round(rice, 1), "wsjf": round((bv + tc + rr) / size, 2),
            "cost_of_delay": bv + tc + rr, "job_size": size,
            "kano": kano, "requested_by": requested.get(f.id, []), "deadline": deadline.get(f.id),
            "defects_found": dict(fs.defects_found), "spiked": fs.spiked,
            "shipped_round": fs.shipped_round,
        })
    return rows


@pytest.mark.parametrize("strategy", ["rice", "analyst"])
def test_the_observation_is_the_one_made_column_by_column(builtin_small, strategy):
    """The backlog table (reach per theme, votes and Kano columns made at once) and the reports'
    observed metrics (the round's own, copied) are what the plain code made, every round."""
    import json

    from pmsim.engine.observe import observed_metrics

    game = new_game(builtin_small, 4)
    while not game.finished:
        seen = game.observe()
        assert json.dumps(seen["features"]) == json.dumps(_feature_table_plain(game))
        for rep in seen["reports"]:
            assert json.dumps(rep["metrics"]) == json.dumps(observed_metrics(game, rep["round"]))
        if seen["reports"]:  # each report's metrics its own copy
            seen["reports"][-1]["metrics"]["segments"][0]["nps"] = 1e9
            assert seen["metrics"][seen["reports"][-1]["round"]]["segments"][0]["nps"] != 1e9
        play_round(game, strategy)


@pytest.mark.parametrize("strategy", ["analyst", "oracle", "analyst-no-musthaves"])
def test_the_first_decisive_items_are_those_of_the_whole_list(builtin_small, strategy):
    """The analyst spikes the first two items its plan hinges on that are worth a spike: asked
    with the filter and the limit (hinges.decisive's keep, limit), they are the first two of the
    whole filtered list, every round."""
    from pmsim.engine import bots
    from pmsim.engine.hinges import decisive

    game = new_game(builtin_small, 8)
    found = 0
    while not game.finished:
        value = bots._analyst_values(game, believed(game), True)
        st = game.state

        def padded(f, st=st):
            return st.features[f].estimate * (1.0 + bots.ANALYST_PAD * st.features[f].estimate_sd)

        whole = [f for f in decisive(game, value, padded)
                 if st.features[f].estimate_sd >= 0.25 and st.features[f].estimate >= 4]
        for limit in (1, 2, 3, None):
            assert bots._decisive(game, value, padded, limit) == whole[:limit]
        found += len(whole)
        play_round(game, strategy)
    assert found  # items to spike were there to find


def test_a_bot_trying_an_illegal_action_changes_nothing(saas_small):
    """The bots try actions by applying them (one legality check, not is_legal then apply): an
    illegal one returns False and leaves the state, its hash and the log as they were."""
    from pmsim.engine import Plan, Research
    from pmsim.engine.bots import _try

    game = new_game(saas_small, 1)
    seg = saas_small.segment_ids()[0]
    before, log = game.state_hash(), list(game.log)
    for action in (Research("survey", segment=seg, n=10**6), Research("survey", segment="nobody", n=100),
                   Plan("no-such-feature", "now"), Research("spike", feature="no-such-feature")):
        assert not game.is_legal(action)
        assert _try(game, action) is False
        assert game.state_hash() == before and game.log == log
    assert _try(game, Research("survey", segment=seg, n=100)) is True
    assert game.state_hash() != before and len(game.log) == len(log) + 1
