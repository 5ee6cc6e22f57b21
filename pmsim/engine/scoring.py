"""The transparent scoring model: seven components, each 0..1, weighted by the scenario.

| component          | skill (DOMAIN.md)          | how                                                          |
|--------------------|----------------------------|--------------------------------------------------------------|
| customer_impact    | customer-centric thinking  | value customers got, quarter by quarter, / the whole-game    |
|                    |                            | best roadmap in hindsight on the whole nominal capacity      |
| okr                | analytical thinking        | Google OKR grades: aspirational /0.7, committed all-or-less  |
| stakeholder_trust  | communication              | salience-weighted mean trust                                 |
| prioritization     | problem solving            | your new Now items / the best plan on the whole capacity,    |
|                    |                            | on your beliefs (or the truth if kinder), each feature       |
|                    |                            | valued by its cost of delay (shipped now vs next quarter)    |
| research           | analytical thinking        | value of information realised / (ACHIEVABLE_SHARE x perfect  |
|                    |                            | information), less WASTE_WEIGHT x money spent on studies     |
|                    |                            | that told nothing new                                        |
| delivery           | project management         | committed estimate-weeks that shipped / committed            |
| accessibility      | customer-centric thinking  | mean product accessibility and usability over rounds         |

A feature's value over the rest of the game (`remaining_values` + gaps + table stakes): its
quarterly value for each quarter left; a must-be's cost grows MUST_GROWTH a quarter while missing,
and what was lost stays lost when it ships (so shipping it in round s is worth MUST_GROWTH * (t - s)
extra in quarter t);
closing a gap behind the best rival is worth LOSS_W more per point (more in a launch quarter); a
rival's launch makes the theme's headline feature a must-be from then on; defects shipped cut a
feature's value (FeatureState.quality).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from pmsim.engine.values import (
    _static,
    believed_values,
    benefit,
    gain_table,
    gap_values,
    kano_posterior,
    knapsack,
    must_values,
    quarters_left,
    remaining_values,
    table_stakes,
)
from pmsim.engine.values import (
    stakes_over as stakes_over_quarters,
)
from pmsim.scenario.models import COMPONENTS

if TYPE_CHECKING:
    from pmsim.engine.protocols import GameLike as Game  # the narrow protocol, not game.py

SKILLS = {
    "customer_impact": "customer-centric thinking",
    "okr": "analytical thinking",
    "stakeholder_trust": "communication",
    "prioritization": "problem solving",
    "research": "analytical thinking",
    "delivery": "project management",
    "accessibility": "customer-centric thinking",
}


def _memo(game: Game, name: str, key: Any, make) -> Any:
    """`make()`, kept on this game (never on a copy: `Game.copy` starts afresh) until `key`, the
    state object or the customers' needs (replaced by a segment shift) change. What it keeps is
    read-only."""
    memo = getattr(game, "_scoring_memo", None)
    if memo is None:
        memo = game._scoring_memo = {}  # type: ignore[attr-defined]
    need = game._c["need_means"]
    hit = memo.get(name)
    if hit is not None and hit[0] == key and hit[1] is need and hit[2] is game.state:
        return hit[3]
    out = make()
    if isinstance(out, np.ndarray):
        out.flags.writeable = False
    memo[name] = (key, need, game.state, out)
    return out


def _available(game: Game) -> list[int]:
    """Features that could start this round: not shipped or in progress, deps shipped."""
    st = game.state
    out = []
    for fi, f in enumerate(game.scenario.features):
        fs = st.features[f.id]
        if fs.status != "backlog" or f.available_from > st.round:
            continue
        if all(st.features[d].status == "shipped" for d in f.depends_on):
            out.append(fi)
    return out


def _beliefs_key(game: Game) -> tuple[bytes, bytes, bytes]:
    """What believed values depend on, by content: needs, Kano votes and impact guesses."""
    b = game.state.beliefs
    return (np.ascontiguousarray(b.need_mean).tobytes(), np.ascontiguousarray(b.kano_votes).tobytes(),
            _guess(game).tobytes())


def believed(game: Game) -> np.ndarray:
    """(F,) what each feature is worth a quarter on the player's beliefs (the value column).
    Kept until the beliefs change."""
    return _memo(game, "believed", _beliefs_key(game), lambda: _believed(game)).copy()


def _believed(game: Game) -> np.ndarray:
    st = game.state
    guess = np.array([st.features[f.id].impact_guess for f in game.scenario.features])
    return believed_values(game.scenario, game.sizes(), st.beliefs.need_mean, st.beliefs.kano_votes, guess)


def believed_must(game: Game) -> np.ndarray:
    """(F,) the must-be part of `believed`, whose cost grows every quarter it is missing."""
    return _memo(game, "believed_must", _beliefs_key(game), lambda: _believed_must(game)).copy()


def _believed_must(game: Game) -> np.ndarray:
    st = game.state
    guess = np.array([st.features[f.id].impact_guess for f in game.scenario.features])
    p_must = kano_posterior(st.beliefs.kano_votes)[..., 0]
    return must_values(game.scenario, game.sizes(), st.beliefs.need_mean, p_must, guess)


def true_must(game: Game) -> np.ndarray:
    return _memo(game, "true_must", None, lambda: _true_must(game)).copy()


def _true_must(game: Game) -> np.ndarray:
    sc = game.scenario
    p_must = (game.true_kano() == 0).astype(np.float64)
    return must_values(sc, game.sizes(), game.true_need_means(), p_must, np.array([f.value for f in sc.features]))


def prior_values(game: Game) -> np.ndarray:
    """What the player would believe features are worth had they done no research at all."""
    return _memo(game, "prior_values", None, lambda: _prior_values(game)).copy()


def _prior_values(game: Game) -> np.ndarray:
    need, votes, guess, _ = game._c["prior"]
    return believed_values(game.scenario, game.sizes(), need, votes, guess)


def prior_must(game: Game) -> np.ndarray:
    return _memo(game, "prior_must", None, lambda: _prior_must(game)).copy()


def _prior_must(game: Game) -> np.ndarray:
    need, votes, guess, _ = game._c["prior"]
    return must_values(game.scenario, game.sizes(), need, kano_posterior(votes)[..., 0], guess)


# ------------------------------------------------------------------ competitive gaps
def comp_best_true(game: Game, u: int) -> np.ndarray:
    """(T,) the best competitor's true score per theme in quarter u (scripted moves included;
    a launch that may not happen counts by its probability)."""
    return _memo(game, f"comp_best_true{u}", None, lambda: _comp_best_true(game, u))


def _comp_best_true(game: Game, u: int) -> np.ndarray:
    sc = game.scenario
    themes = game.themes
    if not sc.market.competitors:
        return np.full(len(themes), -np.inf)
    g = np.array([[c.strengths.get(t, 0.0) for t in themes] for c in sc.market.competitors])
    for ki, c in enumerate(sc.market.competitors):
        for mv in c.moves:
            if mv.round <= u:
                g[ki, themes.index(mv.theme)] += mv.delta
    ids = [c.id for c in sc.market.competitors]
    for ev in sc.events:
        if ev.kind == "competitor_launch" and ev.competitor and ev.theme and ev.round <= u:
            g[ids.index(ev.competitor), themes.index(ev.theme)] += ev.delta * ev.probability
    return np.clip(g, 0.0, 1.0).max(axis=0)


def comp_best_believed(game: Game, u: int, comp_mean: np.ndarray | None = None,
                       moves: list[dict[str, Any]] | None = None) -> np.ndarray:
    """(T,) the best competitor per theme in quarter u as the player believes it: what they know
    of each competitor now, plus the launches their competitive analysis found coming."""
    sc = game.scenario
    themes = game.themes
    if not sc.market.competitors:
        return np.full(len(themes), -np.inf)
    b = game.state.beliefs
    g = (b.comp_mean if comp_mean is None else comp_mean).copy()
    ids = [c.id for c in sc.market.competitors]
    for m in (b.known_moves if moves is None else moves):
        if game.state.round < m["round"] <= u and m.get("theme") in themes:
            g[ids.index(m["competitor"]), themes.index(m["theme"])] += float(m.get("delta", 0.0))
    return np.clip(g, 0.0, 1.0).max(axis=0)


def fresh_true(game: Game, u: int) -> np.ndarray:
    """(T,) the gap multiplier in quarter u: launches that happened, and the scripted ones to come
    (a launch that may not happen counts by its probability)."""
    from pmsim.engine.market import FRESH

    sc = game.scenario
    r = game.state.round
    out = game.fresh_gaps(u) if u <= r else np.ones(len(game.themes))
    if u > r:
        for m in game.state.launches:
            if u - 1 <= m["round"] <= u:
                out[m["theme"]] = 1.0 + FRESH
    themes = game.themes
    for c in sc.market.competitors:
        for mv in c.moves:
            if r < mv.round and u - 1 <= mv.round <= u:
                out[themes.index(mv.theme)] = 1.0 + FRESH
    for ev in sc.events:
        if ev.kind == "competitor_launch" and ev.theme and r < ev.round and u - 1 <= ev.round <= u:
            ti = themes.index(ev.theme)
            out[ti] = max(out[ti], 1.0 + FRESH * ev.probability)
    return out


def fresh_believed(game: Game, u: int, known: bool = True) -> np.ndarray:
    """(T,) the same as the player can know it: launches in the news, and (`known`) those a
    competitive analysis found coming."""
    from pmsim.engine.market import FRESH

    out = np.ones(len(game.themes))
    moves = [(m["round"], m["theme"]) for m in game.state.public_moves]
    if known:
        moves += [(m["round"], game.themes.index(m["theme"])) for m in game.state.beliefs.known_moves
                  if m.get("theme") in game.themes]
    for rnd, ti in moves:
        if u - 1 <= rnd <= u:
            out[ti] = 1.0 + FRESH
    return out


def _true_gain(game: Game) -> np.ndarray:
    """(S, F) each feature's true theme-score gain per segment."""
    return _memo(game, "true_gain", None, lambda: _true_gain_of(game))


def _true_gain_of(game: Game) -> np.ndarray:
    gains = gain_table(np.array([f.value for f in game.scenario.features]))  # (F, 5)
    kano = game.true_kano()  # (S, F)
    return gains[np.arange(gains.shape[0])[None, :], kano]


def _believed_gain(game: Game, votes: np.ndarray, guess: np.ndarray) -> np.ndarray:
    """(S, F) each feature's expected theme-score gain per segment on these Kano votes and
    impact guesses, kept until they change (the player's, or the prior's, which never do)."""
    key = (np.ascontiguousarray(votes).tobytes(), guess.tobytes())
    return _memo(game, "believed_gain" if votes is game.state.beliefs.kano_votes else "prior_gain", key,
                 lambda: _believed_gain_of(votes, guess))


def _believed_gain_of(votes: np.ndarray, guess: np.ndarray) -> np.ndarray:
    gains = gain_table(guess)  # (F, 5)
    post = kano_posterior(votes)  # (S, F, 5)
    return (post * gains[None, :, :]).sum(axis=-1)


def _guess(game: Game) -> np.ndarray:
    return np.array([game.state.features[f.id].impact_guess for f in game.scenario.features])


def _moves(moves: list[dict[str, Any]], *fields: str) -> tuple:
    """The fields of each move that a value reads, as a key."""
    return tuple(tuple(m.get(f) for f in fields) for m in moves)


# The competitive-gap and table-stake values over some quarters, kept on the game by the exact
# inputs each reads (bots and the round's snapshot ask the same ones several times a round).
def gap_true(game: Game, quarters: list[int], g_ref: np.ndarray | None = None) -> np.ndarray:
    st = game.state
    g_ref = game.theme_scores() if g_ref is None else g_ref
    key = (tuple(quarters), g_ref.tobytes(), st.round, _moves(st.launches, "theme", "round"))
    return _memo(game, f"gap_true{key[0]}", key, lambda: _gap_true(game, quarters, g_ref)).copy()


def _gap_true(game: Game, quarters: list[int], g_ref: np.ndarray) -> np.ndarray:
    sc = game.scenario
    return gap_values(sc, game.sizes(), game.true_need_means(), _true_gain(game), g_ref,
                      [comp_best_true(game, u) for u in quarters], [fresh_true(game, u) for u in quarters])


def gap_believed(game: Game, quarters: list[int]) -> np.ndarray:
    st = game.state
    b = st.beliefs
    g = game.theme_scores()
    key = (tuple(quarters), _beliefs_key(game), g.tobytes(), b.comp_mean.tobytes(), st.round,
           _moves(b.known_moves, "round", "competitor", "theme", "delta"), _moves(st.public_moves, "round", "theme"))
    return _memo(game, f"gap_believed{key[0]}", key, lambda: _gap_believed(game, quarters, g)).copy()


def _gap_believed(game: Game, quarters: list[int], g: np.ndarray) -> np.ndarray:
    b = game.state.beliefs
    return gap_values(game.scenario, game.sizes(), b.need_mean, _believed_gain(game, b.kano_votes, _guess(game)),
                      g, [comp_best_believed(game, u) for u in quarters],
                      [fresh_believed(game, u) for u in quarters])


def gap_prior(game: Game, quarters: list[int]) -> np.ndarray:
    g = game.theme_scores()
    key = (tuple(quarters), g.tobytes(), _moves(game.state.public_moves, "competitor", "theme", "delta", "round"))
    return _memo(game, f"gap_prior{key[0]}", key, lambda: _gap_prior(game, quarters, g)).copy()


def _gap_prior(game: Game, quarters: list[int], g: np.ndarray) -> np.ndarray:
    need, votes, guess, _ = game._c["prior"]
    comp = game._c["prior_comp"].copy()  # what was known at the start, plus launches in the news
    for m in game.state.public_moves:
        comp[m["competitor"], m["theme"]] = min(max(comp[m["competitor"], m["theme"]] + m["delta"], 0.0), 1.0)
    return gap_values(game.scenario, game.sizes(), need, _believed_gain(game, votes, guess), g,
                      [comp_best_believed(game, u, comp, []) for u in quarters],
                      [fresh_believed(game, u, known=False) for u in quarters])


def _worth_from(game: Game, u: int, quarterly: np.ndarray, must: np.ndarray, gap, stakes) -> np.ndarray:
    """(F,) each feature's worth over the rest of the game if it ships in round u (0 past the end)."""
    rounds = game.scenario.rounds
    if u > rounds:
        return np.zeros(len(quarterly))
    left = list(range(u, rounds + 1))
    return remaining_values(quarterly, must, u, rounds) + gap(left) + stakes(left)


def _cost_of_delay(game: Game, quarterly: np.ndarray, must: np.ndarray, gap, stakes) -> np.ndarray:
    """(F,) what shipping each feature this round rather than next is worth: a quarter of its
    value, plus for a must-be (or a launch's table stake) the loss that waiting would make last
    for the rest of the game. A quarter's best plan is the one that loses least by waiting."""
    r = game.state.round
    return (_worth_from(game, r, quarterly, must, gap, stakes)
            - _worth_from(game, r + 1, quarterly, must, gap, stakes))


def true_delay(game: Game) -> np.ndarray:
    """(F,) each feature's true cost of delay this round (see _cost_of_delay)."""
    return _cost_of_delay(game, game.true_values(), true_must(game), lambda q: gap_true(game, q),
                          lambda q: _stakes_true_over(game, q))


def believed_delay(game: Game) -> np.ndarray:
    """(F,) the same on the player's beliefs."""
    return _cost_of_delay(game, believed(game), believed_must(game), lambda q: gap_believed(game, q),
                          lambda q: _stakes_believed_over(game, q))


def prior_delay(game: Game) -> np.ndarray:
    """(F,) the same on the beliefs the player started with (no research)."""
    return _cost_of_delay(game, prior_values(game), prior_must(game), lambda q: gap_prior(game, q),
                          lambda q: _stakes_prior_over(game, q))


def true_remaining(game: Game) -> np.ndarray:
    """(F,) what shipping each feature this round is truly worth over the rest of the game."""
    r, rounds = game.state.round, game.scenario.rounds
    left = list(range(r, rounds + 1))
    return (remaining_values(game.true_values(), true_must(game), r, rounds) + gap_true(game, left)
            + _stakes_true_over(game, left))


def believed_remaining(game: Game) -> np.ndarray:
    """(F,) the same on the player's beliefs: what a PM weighing urgency and rivals would reckon."""
    r, rounds = game.state.round, game.scenario.rounds
    left = list(range(r, rounds + 1))
    return (remaining_values(believed(game), believed_must(game), r, rounds) + gap_believed(game, left)
            + _stakes_believed_over(game, left))


# ------------------------------------------------------------------ table stakes
def stakes_true(game: Game) -> list[tuple[int, np.ndarray, int]]:
    """Every launch's table stake: those that happened and the scripted ones to come."""
    st = game.state
    return list(_memo(game, "stakes_true", (st.round, len(st.launches)), lambda: _stakes_true(game)))


def _stakes_true(game: Game) -> list[tuple[int, np.ndarray, int]]:
    st = game.state
    launches = [(m["theme"], m["round"], m.get("feature")) for m in st.launches]
    for c in game.scenario.market.competitors:
        launches += [(game.themes.index(mv.theme), mv.round, mv.feature) for mv in c.moves if mv.round > st.round]
    return table_stakes(game.scenario, game.true_need_means(), launches, game.true_kano())


def stakes_believed(game: Game, known: bool = True) -> list[tuple[int, np.ndarray, int]]:
    """The table stakes the player can know of: launches in the news and (`known`) those their
    competitive analysis found coming."""
    st = game.state
    launches = [(m["theme"], m["round"], m.get("feature")) for m in st.public_moves]
    if known:
        launches += [(game.themes.index(m["theme"]), m["round"], m.get("feature")) for m in st.beliefs.known_moves
                     if m.get("theme") in game.themes]
    need = st.beliefs.need_mean if known else game._c["prior"][0]
    return table_stakes(game.scenario, need, launches)


def stakes_over(game: Game, stakes, need, impact, quarters: list[int], since: int | None = None) -> np.ndarray:
    """(F,) the table-stake value of each feature over `quarters`, shipped in round `since` (by
    default the first of them: shipped now, worth this over the rest of the game)."""
    since = min(quarters, default=1) if since is None else since
    return stakes_over_quarters(game.scenario, game.sizes(), need, impact, stakes, quarters, since)


def _stakes_true_over(game: Game, quarters: list[int], since: int | None = None) -> np.ndarray:
    """On the truth: the same for every strategy on a market, so kept across a batch's games by
    the exact inputs it reads (the customers' needs, the round, the launches)."""
    st = game.state
    key = ("stakes_true", tuple(quarters), since, game._c["need_means"].tobytes(), st.round,
           _moves(st.launches, "theme", "round", "feature"))
    return _shared(game, key, lambda: _stakes_true_over_of(game, quarters, since)).copy()


def _shared(game: Game, key: tuple, make) -> Any:
    """`make()`, kept with the scenario (across games) by `key`, which must hold every input it
    reads besides the scenario. What it keeps is read-only."""
    memo = _static(game.scenario)["memo"]
    hit = memo.get(key)
    if hit is None:
        if len(memo) >= 1024:
            memo.clear()
        hit = memo[key] = make()
        if isinstance(hit, np.ndarray):
            hit.flags.writeable = False
    return hit


def _stakes_true_over_of(game: Game, quarters: list[int], since: int | None = None) -> np.ndarray:
    return stakes_over(game, stakes_true(game), game.true_need_means(),
                       np.array([f.value for f in game.scenario.features]), quarters, since)


def _stakes_believed_over(game: Game, quarters: list[int], since: int | None = None) -> np.ndarray:
    st = game.state
    key = (tuple(quarters), since, _moves(st.public_moves, "theme", "round", "feature"),
           _moves(st.beliefs.known_moves, "theme", "round", "feature"), st.beliefs.need_mean.tobytes(), _guess(game).tobytes())
    return _memo(game, f"stakes_believed{key[:2]}", key, lambda: _stakes_believed_over_of(game, quarters, since)).copy()


def _stakes_believed_over_of(game: Game, quarters: list[int], since: int | None = None) -> np.ndarray:
    return stakes_over(game, stakes_believed(game), game.state.beliefs.need_mean, _guess(game), quarters, since)


def _stakes_prior_over(game: Game, quarters: list[int]) -> np.ndarray:
    key = (tuple(quarters), _moves(game.state.public_moves, "theme", "round", "feature"))
    return _memo(game, f"stakes_prior{key[0]}", key, lambda: _stakes_prior_over_of(game, quarters)).copy()


def _stakes_prior_over_of(game: Game, quarters: list[int]) -> np.ndarray:
    need, _, guess, _ = game._c["prior"]
    return stakes_over(game, stakes_believed(game, known=False), need, guess, quarters)


def _stakes_shipped(game: Game, t: int, shipped_round: dict[int, int]) -> np.ndarray:
    """(F,) the table-stake value in quarter t of the features in `shipped_round` (index: round
    shipped), each counted from its own round; 0 for the others."""
    out = np.zeros(len(game.scenario.features))
    for s in sorted(set(shipped_round.values())):
        idx = [i for i, r in shipped_round.items() if r == s]
        out[idx] = _stakes_true_over(game, [t], s)[idx]
    return out


def nominal_capacity(game: Game, r: int) -> float:
    """The team's whole capacity in round r, before spikes, escalation cuts and the debt you added.

    Yardsticks are measured against it, so capacity spent on spikes, left idle or lost to an
    escalation costs what it wastes."""
    sc = game.scenario
    base = sc.team.capacity_by_round.get(r, sc.team.capacity) + game.state.capacity_event_delta.get(r, 0.0)
    return max(base * (1.0 - sc.team.tech_debt), 0.0)


def _realize(order: list[int], effort: list[float], values: np.ndarray, cap: float) -> float:
    """True value of a plan taken in `order` when work costs its true effort: what does not fit slips."""
    left, total = cap, 0.0
    for i in order:
        if effort[i] <= left + 1e-9:
            left -= effort[i]
            total += max(float(values[i]), 0.0)
    return total


def snapshot_plan(game: Game) -> dict[str, Any]:
    """Everything scoring needs from the moment the roadmap is committed."""
    st = game.state
    sc = game.scenario
    r = st.round
    avail = _available(game)
    # each feature's cost of delay (its worth over the rest of the game shipped now, less shipped
    # next quarter): quarters left, a must-be's loss that lasts, gaps behind the best competitor
    brv = believed_delay(game)
    trv = true_delay(game)
    prv = prior_delay(game)
    carry_est = sum(
        st.features[f].remaining_estimate(sc.features[game.fidx(f)].effort)
        for f in st.now if st.features[f].status == "in_progress"
    )
    carry_true = sum(st.features[f].remaining for f in st.now if st.features[f].status == "in_progress")
    whole = nominal_capacity(game, r)
    cap_est = max(whole - carry_est, 0.0)
    cap_true = max(whole - carry_true, 0.0)
    est = [st.features[game.feature_ids[i]].estimate for i in avail]
    est0 = game._c["prior"][3]
    effort = {i: sc.features[i].effort for i in avail}
    opt_b = [avail[j] for j in knapsack([float(brv[i]) for i in avail], est, cap_est)]
    opt_t_est = [avail[j] for j in knapsack([float(trv[i]) for i in avail], est, cap_est)]
    opt_p = [avail[j] for j in knapsack([float(prv[i]) for i in avail], [float(est0[i]) for i in avail], cap_est)]
    opt_t = [avail[j] for j in knapsack([float(trv[i]) for i in avail], [effort[i] for i in avail], cap_true)]

    def by_density(items: list[int], values: np.ndarray, estimates) -> list[int]:
        return sorted(items, key=lambda i: -float(values[i]) / max(float(estimates[i]), 0.5))

    cur_est = {i: st.features[game.feature_ids[i]].estimate for i in avail}
    voi_bel = _realize(by_density(opt_b, brv, cur_est), effort, trv, cap_true)
    voi_prior = _realize(by_density(opt_p, prv, est0), effort, trv, cap_true)
    voi_best = _realize(opt_t, effort, trv, cap_true)
    new_now = [game.fidx(f) for f in st.now if st.features[f].status == "backlog"]
    return {
        "available": avail, "brv": brv, "trv": trv, "plan": new_now,
        "opt_beliefs": opt_b, "opt_true_est": opt_t_est, "opt_true": opt_t,
        "voi": voi_bel - voi_prior, "voi_achievable": voi_best - voi_prior,
    }


def ledger_entry(game: Game, snap: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    sc = game.scenario
    st = game.state
    r = st.round
    brv, trv = snap["brv"], snap["trv"]
    shipped_ids = [game.fidx(f) for f in result["shipped"]]

    def val(v, items):
        return float(sum(max(v[i], 0.0) for i in items))

    # what everything shipped so far is worth to customers this quarter, on the truth
    done = [game.fidx(f) for f in st.shipped]
    # (a shipped feature's share of a closed gap: measured against our scores without it)
    without = game.theme_scores()[:, [game.themes.index(f.theme) for f in sc.features]] - _true_gain(game)
    closed = _gap_closed(game, without, r)
    since = {i: st.features[sc.features[i].id].shipped_round or r for i in done}
    since_arr = np.array([since.get(i, r) for i in range(len(sc.features))])
    per_quarter = (benefit(game.true_values(), true_must(game), r, since_arr) + closed
                   + _stakes_shipped(game, r, since))
    per_quarter = per_quarter * np.array([st.features[f.id].quality() for f in sc.features])
    studies = [x for x in st.research_results if x["round"] == r]
    entry = {
        "round": r,
        "weight": quarters_left(r, sc.rounds),
        "benefit": round(val(per_quarter, done), 6),
        "value_shipped": round(val(trv, shipped_ids), 6),
        "plan_value_beliefs": round(val(brv, snap["plan"]), 6),
        "plan_value_true": round(val(trv, snap["plan"]), 6),
        "opt_value_beliefs": round(val(brv, snap["opt_beliefs"]), 6),
        "opt_beliefs_true": round(val(trv, snap["opt_beliefs"]), 6),
        "opt_true_est": round(val(trv, snap["opt_true_est"]), 6),
        "opt_true": round(val(trv, snap["opt_true"]), 6),
        "voi": round(snap["voi"], 6),
        "voi_achievable": round(max(snap["voi_achievable"], 0.0), 6),
        "committed_est": result["committed_est"],
        "delivered_est": result["delivered_est"],
        "shipped_est": result.get("shipped_est", result["delivered_est"]),
        "plan": [sc.features[i].id for i in snap["plan"]],
        "opt_beliefs": [sc.features[i].id for i in snap["opt_beliefs"]],
        "round_best": [sc.features[i].id for i in snap["opt_true"]],
        "shipped": list(result["shipped"]),
        "accessibility": round((st.accessibility + st.usability) / 2.0, 6),
        "research_spent": round(float(sum(x["cost"] for x in studies)), 6),
        "research_wasted": round(float(sum(x["cost"] for x in studies if not x.get("informative", True))), 6),
    }
    return entry


def _gap_closed(game: Game, without: np.ndarray, t: int) -> np.ndarray:
    """(F,) the gap value in quarter t of each feature, against our scores without it ((S, F))."""
    sc = game.scenario
    best = comp_best_true(game, t)
    ti = [game.themes.index(f.theme) for f in sc.features]
    gap = np.maximum(best[ti][None, :] - without, 0.0)
    closed = np.minimum(np.maximum(_true_gain(game), 0.0), gap)
    need = np.clip(game.true_need_means()[:, ti], 0, None)
    weighted = game.sizes() * np.array(sc.segment_weights())
    from pmsim.engine.market import BETA, LOSS_W

    mult = fresh_true(game, t)[ti][None, :]
    return (weighted[:, None] * BETA * LOSS_W * need * closed * mult).sum(axis=0) / 1000.0


def hindsight(game: Game) -> dict[str, Any]:
    """The best roadmap in hindsight over the whole game, on the truth and the team's whole capacity.

    Quarter by quarter, a knapsack on each feature's true cost of delay (its value over the rest of
    the game shipped now, less shipped next quarter: a quarter of its value, plus for a must-be the
    loss that would persist) plus half of what it unlocks (the value of its dependants one quarter
    later), within the nominal capacity in true effort. Returns
    {"schedule": {feature: round}, "benefit": [per completed round]}. Cached per round.
    """
    st = game.state
    key = (st.round, len(st.ledger))
    cached = getattr(game, "_hindsight_cache", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    sc = game.scenario
    vt = game.true_values()
    vm = true_must(game)
    # the schedule reads only the truth: the scenario, the customers' needs, the round, the
    # launches and the capacity events so far. A batch plays every strategy on the same market,
    # so it is made once per market and round, by these exact inputs.
    shared = ("hindsight", game._c["need_means"].tobytes(), game._c["g0"].tobytes(), st.round,
              tuple((m["competitor"], m["theme"], m["delta"], m["round"], m.get("feature")) for m in st.launches),
              tuple(sorted(st.capacity_event_delta.items())))
    when, gap_by_round, ben_by_t = _shared(game, shared, lambda: _hindsight_schedule(game, vt, vm))
    ben = []
    for t in range(1, len(st.ledger) + 1):
        if t not in ben_by_t:  # what the schedule gave customers in quarter t: the truth's too
            have = {i: r for i, r in when.items() if r <= t}
            since = np.array([have.get(i, t) for i in range(len(vt))])
            b = benefit(vt, vm, t, since) + gap_by_round[t - 1] + _stakes_shipped(game, t, have)
            ben_by_t[t] = float(sum(max(b[i], 0.0) for i in have))
        ben.append(ben_by_t[t])
    out = {"schedule": {sc.features[i].id: r for i, r in sorted(when.items())}, "benefit": ben}
    game._hindsight_cache = (key, out)  # type: ignore[attr-defined]
    return out


def _hindsight_schedule(game: Game, vt: np.ndarray, vm: np.ndarray) -> tuple[dict[int, int], list[np.ndarray],
                                                                             dict[int, float]]:
    """({feature index: round}, the per-quarter gap values, {quarter: benefit} filled as asked) of
    `hindsight`."""
    sc = game.scenario
    rounds = sc.rounds
    deps = {fi: [game.fidx(d) for d in f.depends_on] for fi, f in enumerate(sc.features)}
    children: dict[int, list[int]] = {fi: [] for fi in deps}
    for fi, ds in deps.items():
        for d in ds:
            children[d].append(fi)
    when: dict[int, int] = {}
    g0 = game._c["g0"]
    gap_by_round = [gap_true(game, [u], g0) for u in range(1, rounds + 1)]
    for a in gap_by_round:
        a.flags.writeable = False

    def over(r: int) -> np.ndarray:  # shipped in round r: worth this over the rest of the game
        return (remaining_values(vt, vm, r, rounds) + sum(gap_by_round[r - 1:], np.zeros(len(vt)))
                + _stakes_true_over(game, list(range(r, rounds + 1))))

    nxt = over(1)
    for r in range(1, rounds + 1):
        rv = nxt
        nxt = over(r + 1) if r < rounds else np.zeros_like(rv)
        # what waiting a quarter would lose (the cost of delay): a must-be's loss persists, so
        # shipping it now rather than next quarter is worth more than one quarter of its value
        delay = rv - nxt
        avail = [fi for fi, f in enumerate(sc.features) if fi not in when and f.available_from <= r
                 and all(d in when and when[d] < r for d in deps[fi])]
        score = [float(delay[i]) + 0.5 * sum(max(float(nxt[c]), 0.0) for c in children[i] if c not in when)
                 for i in avail]
        for j in knapsack(score, [sc.features[i].effort for i in avail], nominal_capacity(game, r)):
            when[avail[j]] = r
    return when, gap_by_round, {}


def _ratio(a: float, b: float, empty: float = 1.0) -> float:
    if b <= 1e-12:
        return empty
    return float(min(max(a / b, 0.0), 1.0))


def okr_grades(game: Game, metrics: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Each key result graded 0..1 from its baseline (round 0) towards its target."""
    st = game.state
    base = st.metrics[0]
    cur = metrics or st.metrics[-1]
    out = []
    for obj in game.scenario.okrs:
        krs = []
        for kr in obj.key_results:
            b = metric_value(base, kr.metric, kr.segment)
            v = metric_value(cur, kr.metric, kr.segment)
            span = kr.target - b
            if kr.direction == "decrease":
                span = b - kr.target
                progress = b - v
            else:
                progress = v - b
            grade = 1.0 if span <= 0 and progress >= span else _ratio(progress, span, 1.0)
            krs.append({"id": kr.id, "metric": kr.metric, "segment": kr.segment, "baseline": b, "value": v,
                        "target": kr.target, "grade": round(grade, 4), "description": kr.description})
        grade = sum(k["grade"] for k in krs) / len(krs)
        if obj.kind == "aspirational":
            credit = min(grade / 0.7, 1.0)
        else:
            credit = 1.0 if grade >= 0.999 else 0.7 * grade
        out.append({"id": obj.id, "objective": obj.objective, "kind": obj.kind, "grade": round(grade, 4),
                    "credit": round(credit, 4), "band": band(grade), "key_results": krs})
    return out


def band(grade: float) -> str:
    return "green" if grade >= 0.7 else "yellow" if grade >= 0.4 else "red"


def metric_value(metrics: dict[str, Any], metric: str, segment: str | None) -> float:
    if segment is None:
        return float(metrics[metric])
    for s in metrics["segments"]:
        if s["id"] == segment:
            return float(s.get(metric, metrics.get(metric, 0.0)))
    raise KeyError(segment)


WASTE_WEIGHT = 0.8  # how much research money spent on studies that told nothing new costs
# The share of perfect information's value that a quarter's research budget can buy: research
# cannot reveal true effort except by spikes, nor a feature's exact impact. Calibrated on the
# built-ins, where a thorough research programme (the researcher bot) reaches about 0.55 and
# nothing bought reaches 0; the research component is the share reached over this.
ACHIEVABLE_SHARE = 0.6


def components(game: Game) -> dict[str, float]:
    st = game.state
    led = st.ledger
    if not led:
        return {c: 0.0 for c in COMPONENTS}
    comp = {}
    # the value customers got from what you shipped, quarter by quarter, against the best roadmap
    # in hindsight over the whole game on the team's whole capacity
    comp["customer_impact"] = _ratio(sum(e["benefit"] for e in led), sum(hindsight(game)["benefit"]))
    # judged on what you knew, or on the truth if that is kinder: a pick that was truly better
    # than your estimates said is never marked down. The best plan uses the whole capacity.
    comp["prioritization"] = max(
        _ratio(sum(e["plan_value_beliefs"] for e in led), sum(e["opt_value_beliefs"] for e in led)),
        _ratio(sum(e["plan_value_true"] for e in led), sum(e["opt_true_est"] for e in led)),
    )
    comp["research"] = research_score(led)
    # promises kept: the estimate-weeks committed that shipped in the quarter (carry-overs miss)
    deliv = [_ratio(e["shipped_est"], e["committed_est"], 0.0) for e in led]
    comp["delivery"] = float(np.mean(deliv))
    grades = okr_grades(game)
    comp["okr"] = float(np.mean([g["credit"] for g in grades])) if grades else 1.0
    sh = list(st.stakeholders.values())
    tot = sum(s.salience for s in sh)
    comp["stakeholder_trust"] = float(sum(s.trust * s.salience for s in sh) / tot) if tot else 1.0
    comp["accessibility"] = float(np.mean([e["accessibility"] for e in led]))
    return {c: round(comp[c], 6) for c in COMPONENTS}


def research_score(led: list[dict[str, Any]]) -> float:
    """Value of the information you bought, against what perfect information could have added.

    Each quarter: the true value of the best roadmap on your beliefs minus that of the best
    roadmap on the beliefs you started with (no research), when work costs its true effort; over
    ACHIEVABLE_SHARE of the same for perfect knowledge of values and efforts. Summed over
    quarters, clipped to 0..1, then reduced by the share of research money spent on studies that told nothing new
    (WASTE_WEIGHT). No research scores 0.
    """
    gained = sum(e.get("voi", 0.0) for e in led)
    possible = sum(e.get("voi_achievable", 0.0) for e in led)
    spent = sum(e["research_spent"] for e in led)
    wasted = sum(e.get("research_wasted", 0.0) for e in led)
    share = _ratio(gained, possible * ACHIEVABLE_SHARE, 0.0)
    waste = wasted / spent if spent > 1e-9 else 0.0
    return share * (1.0 - WASTE_WEIGHT * waste)


# Component value from which a component rates 2, 3, 4 and 5 (below the first: 1). Calibrated on
# the bots of the built-in scenarios: a HiPPO player lands around 1-2, the oracle around 4-5.
BANDS = {
    "customer_impact": (0.45, 0.6, 0.75, 0.88),
    "okr": (0.3, 0.5, 0.7, 0.88),
    "stakeholder_trust": (0.3, 0.45, 0.6, 0.75),
    "prioritization": (0.5, 0.7, 0.85, 0.97),
    "research": (0.1, 0.3, 0.5, 0.7),
    "delivery": (0.55, 0.68, 0.8, 0.9),
    "accessibility": (0.5, 0.58, 0.65, 0.75),
}
SKILL_ORDER = (
    "analytical thinking", "problem solving", "communication", "project management", "customer-centric thinking",
)


def component_rating(component: str, value: float) -> int:
    """1-5: how a component's value rates (BANDS)."""
    return 1 + sum(value >= t - 1e-9 for t in BANDS[component])


def skill_ratings(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each skill's rating (1-5) and the points its components lost, from a scorecard.

    A skill's rating is the weight-averaged rating of its components (SKILLS), rounded half up.
    The debrief's ranking and the end-of-internship review both read these numbers."""
    out = {}
    for skill in SKILL_ORDER:
        comps = [c for c in COMPONENTS if SKILLS[c] == skill]
        w = [card["weights"].get(c, 0.0) for c in comps]
        rates = [component_rating(c, card["components"][c]) for c in comps]
        avg = (sum(a * b for a, b in zip(w, rates, strict=True)) / sum(w)) if sum(w) > 0 else sum(rates) / len(rates)
        out[skill] = {"rating": max(1, min(5, int(math.floor(avg + 0.5 + 1e-9)))),
                      "components": comps,
                      "points_lost": round(sum(card["points_lost"][c] for c in comps), 4)}
    return out


def skill_order(card: dict[str, Any]) -> list[str]:
    """Skills from the one to practise first: lowest rating, then most points lost."""
    sk = skill_ratings(card)
    return sorted(SKILL_ORDER, key=lambda s: (sk[s]["rating"], -sk[s]["points_lost"], SKILL_ORDER.index(s)))


def scorecard(game: Game) -> dict[str, Any]:
    comp = components(game)
    w = game.scenario.scoring.weights
    total_w = sum(w.get(c, 0.0) for c in COMPONENTS)
    score = 100.0 * sum(w.get(c, 0.0) * comp[c] for c in COMPONENTS) / total_w
    return {
        "score": round(score, 4),
        "components": comp,
        "weights": {c: w.get(c, 0.0) for c in COMPONENTS},
        "points_lost": {c: round(100.0 * w.get(c, 0.0) * (1 - comp[c]) / total_w, 4) for c in COMPONENTS},
        "skills": SKILLS,
        "version": game.scenario.scoring.version,
    }


def regret_note(regret: float, best: float) -> str:
    """Why a quarter's regret is what it is, in words (a negative one included)."""
    if best <= 1e-9 and abs(regret) <= 1e-9:
        return "nothing could have reached customers yet"
    if regret < -1e-9:
        return ("negative: your roadmap gave customers more this quarter than the best roadmap in "
                "hindsight did. That roadmap is planned for the whole game, quarter by quarter, on "
                "the nominal capacity; yours beat it here (by luck, a paid-down debt, or an order it "
                "did not try) and may pay for it in another quarter")
    if regret <= 0.05 * max(best, 1e-9):
        return "about as good as the best roadmap in hindsight"
    return "value the best roadmap in hindsight had already delivered by this quarter and yours had not"


def debrief(game: Game) -> dict[str, Any]:
    """What a reviewer needs: your roadmap beside the best, regret, research that would have paid."""
    sc = game.scenario
    st = game.state
    rounds = []
    hs = hindsight(game)
    best_by_round: dict[int, list[str]] = {}
    for fid, r in hs["schedule"].items():
        best_by_round.setdefault(r, []).append(fid)
    for e, best in zip(st.ledger, hs["benefit"], strict=False):
        # regret: what the best roadmap in hindsight gave customers this quarter, minus what yours did
        regret = best - e["benefit"]
        vpi = e["opt_true_est"] - e["opt_beliefs_true"]
        rounds.append({
            "round": e["round"], "shipped": e["shipped"], "plan": e["plan"], "best_on_beliefs": e["opt_beliefs"],
            "best_in_hindsight": best_by_round.get(e["round"], []), "regret": round(regret, 4),
            "benefit": round(e["benefit"], 4), "benefit_hindsight": round(best, 4),
            "value_of_information": round(vpi, 4),
            "regret_note": regret_note(regret, best),
            # the one definition of the quarter's weeks (estimate-weeks): committed in Now, and
            # delivered = the committed work that shipped (progress on carry-overs is not delivery)
            "committed_weeks": round(e["committed_est"], 4),
            "delivered_weeks": round(e["shipped_est"], 4),
        })
    # research that would have paid off: the rounds where perfect information was worth most
    # (worth at least 0.05: what would print as 0.0 is not worth a line)
    skipped = sorted((r for r in rounds if r["value_of_information"] >= 0.05),
                     key=lambda r: -r["value_of_information"])
    vt = game.true_values()
    vb = believed(game)
    misjudged = []
    for fi, f in enumerate(sc.features):
        if abs(vt[fi] - vb[fi]) > 0.25 * max(abs(vt[fi]), 1e-9) and abs(vt[fi]) > 0.05 * float(np.max(np.abs(vt))):
            misjudged.append({"feature": f.id, "title": f.title, "believed": round(float(vb[fi]), 3),
                              "true": round(float(vt[fi]), 3)})
    # must-be needs left unmet
    kano = game.true_kano()
    unmet = []
    for si, seg in enumerate(sc.market.segments):
        churned = sum(m["segments"][si]["churned"] for m in st.metrics[1:])
        for fi, f in enumerate(sc.features):
            if kano[si, fi] == 0 and st.features[f.id].status != "shipped":
                unmet.append({"segment": seg.id, "feature": f.id, "title": f.title,
                              "segment_churned": int(churned), "value_lost": round(float(vt[fi]), 3)})
    card = scorecard(game)
    skills = skill_ratings(card)
    order = skill_order(card)
    # what to practise: the components of the weakest skills first, most points lost first
    practise = sorted(card["points_lost"].items(), key=lambda kv: (order.index(SKILLS[kv[0]]), -kv[1]))[:3]
    return {
        "score": card, "rounds": rounds, "hindsight_schedule": hs["schedule"],
        "research_that_would_have_paid": skipped[:3],
        "misjudged_features": misjudged, "unmet_must_be": unmet,
        "practise_next": [{"component": c, "skill": SKILLS[c], "points_lost": p} for c, p in practise],
        "skills": [{"skill": k, **skills[k]} for k in order],
        "okrs": okr_grades(game),
    }
