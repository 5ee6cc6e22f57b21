"""Building a new game: the market's population, the team's first estimates and beliefs, the
stakeholders, and the two quarters of market before the player arrives (round 0).

`pmsim.engine.game.new_game(scenario, seed)` calls `build` with the `Game` class, so this module
needs nothing from game.py (and game.py stays about the rules that move a game).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from pmsim.engine import market, research, stakeholders
from pmsim.engine.population import Population, generate_with_means, segment_counts
from pmsim.engine.rng import stream
from pmsim.engine.state import Beliefs, FeatureState, GameState
from pmsim.engine.values import kano_matrix
from pmsim.scenario.models import Scenario

G = TypeVar("G")


def build(scenario: Scenario, seed: int, make_game: Callable[[Scenario, GameState, dict[str, Any]], G]) -> G:
    """The initial state of a game of `scenario` with `seed`, at the start of round 1, in the game
    `make_game(scenario, state, cache)` makes (pmsim.engine.game.Game, given by `new_game`)."""
    game = prepare(scenario, seed, make_game)
    counts = round_zero(game.state.pop, None, [game])[0]
    return open_first_round(game, counts)


def prepare(scenario: Scenario, seed: int, make_game: Callable[[Scenario, GameState, dict[str, Any]], G]) -> G:
    """A game of `scenario` with `seed` before round 0: its customers, the team's first
    estimates and beliefs, its stakeholders (`build` runs round 0 and begins round 1)."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0 or seed >= 2**63:
        raise ValueError("seed must be an integer from 0 to 2**63-1")
    sc = scenario
    themes = sc.theme_ids()
    pop, need_means = generate_with_means(sc, seed)  # need_means: true_need_means(pop)
    kano = kano_matrix(sc)
    cache = {
        "themes": themes,
        "feature_ids": [f.id for f in sc.features],
        "fidx": {f.id: i for i, f in enumerate(sc.features)},
        "sizes": np.array(segment_counts(sc), dtype=np.float64),
        "need_means": need_means,
        "kano": kano,
    }
    frng = stream(seed, "features")
    features = {}
    for f in sc.features:
        est = f.effort * math.exp(float(frng.normal(0.0, f.estimate_noise)))
        guess = f.value * math.exp(float(frng.normal(0.0, research.IMPACT_GUESS_SD)))
        features[f.id] = FeatureState(
            id=f.id, estimate=round(max(est, 0.5), 1), estimate_sd=f.estimate_noise,
            impact_guess=round(guess, 4), impact_sd=research.IMPACT_GUESS_SD, remaining=f.effort,
        )
    s_count, k_count = len(sc.market.segments), len(sc.market.competitors)
    brng = stream(seed, "beliefs")
    prior_sd = 0.08
    need_mean = np.clip(need_means + brng.normal(0.0, prior_sd, need_means.shape), 0.0, 1.0)
    comp_true = np.array([[c.strengths.get(t, 0.0) for t in themes] for c in sc.market.competitors]).reshape(k_count, len(themes))
    comp_mean = np.clip(comp_true + brng.normal(0.0, 0.15, comp_true.shape), 0.0, 1.0)
    beliefs = Beliefs(
        need_mean=np.round(need_mean, 6),
        need_var=np.full(need_means.shape, prior_sd**2),
        kano_votes=np.zeros((s_count, len(sc.features), 5), np.int64),
        comp_mean=np.round(comp_mean, 6),
        comp_sd=np.full(comp_true.shape, 0.15),
        survey_n=np.zeros(s_count, np.int64),
        interview_n=np.zeros(s_count, np.int64),
    )
    sh = stakeholders.initial(sc, seed)
    st = GameState(
        seed=seed, round=1, finished=False, pop=pop, shipped=[],
        usability=sc.market.usability, accessibility=sc.market.accessibility,
        tech_debt=sc.team.tech_debt, comp_strength=comp_true.astype(np.float64),
        features=features, now=[], stakeholders=sh, requests=[], beliefs=beliefs,
        bass_factor=np.ones(s_count), wom=np.ones(s_count), shock=np.zeros(s_count),
    )
    return make_game(sc, st, cache)


def round_zero(pop: Population, owner: np.ndarray | None, games: list) -> list[dict[str, np.ndarray]]:
    """Round 0: one quarter of the market as it was before the player arrived, so every metric
    (activation, churn, NPS) has a real baseline for the OKRs; for every company of the market
    (one in a solo game, see market.step_companies). Returns each company's counts."""
    mis, refs = market.company_inputs(pop, games)
    seed = games[0].state.seed
    for k in range(2):  # two quarters, so that trials started before you arrived convert in round 0
        outs = market.step_companies(pop, owner, mis, refs, stream(seed, "market", 0, k))
    return outs


def open_first_round(game: G, counts: dict[str, np.ndarray]) -> G:
    """The baseline metrics from round 0's `counts`, what the team knew then, and round 1 begins."""
    st, sc, cache = game.state, game.scenario, game._c
    beliefs, features = st.beliefs, st.features
    st.metrics.append(game.metrics_from(counts))
    st.metrics[0]["round"] = 0
    nps = np.array([m["nps"] for m in st.metrics[0]["segments"]])
    st.wom = np.clip(1.0 + nps / 100.0, 0.5, 1.5)
    cache["prior_comp"] = beliefs.comp_mean.copy()
    cache["g0"] = game.theme_scores()
    cache["prior"] = (beliefs.need_mean.copy(), beliefs.kano_votes.copy(),
                      np.array([features[f.id].impact_guess for f in sc.features]),
                      np.array([features[f.id].estimate for f in sc.features]))
    game._begin_round()
    return game
