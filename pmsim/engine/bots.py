"""Bot players. Each plays through the same public actions as a human (Game.apply).

random      picks features, answers and studies at random
hippo       does whatever the most powerful stakeholder asks (HiPPO: highest-paid person's opinion)
rice        greedy RICE on the observed estimates; no research
researcher  buys research, then picks the best roadmap on its posterior beliefs
oracle      the analyst's habits, but it plans on the hidden truth (true values and efforts)
analyst     plays like a careful human on what the player can see: interviews and surveys each
            segment, watches competitors, spikes big uncertain bets, usability-tests what it
            will build, protects must-haves, plans within a buffer, answers every request
spiker      spends all of its first quarter on spikes, then plays like the researcher

`analyst-no-BEHAVIOUR` is the analyst with one behaviour switched off (see `BEHAVIOURS`): the
skill-attribution harness (`pmsim scenarios teach`) plays it beside the analyst on the same seeds.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pmsim.engine.actions import EndRound, Plan, Renegotiate, Research, Respond
from pmsim.engine.game import Game, IllegalAction
from pmsim.engine.rng import stream
from pmsim.engine.stakeholders import ESCALATION_POWER
from pmsim.engine.values import knapsack, knapsack2
from pmsim.engine.worth import believed, believed_remaining, true_delay

STRATEGIES = ("random", "hippo", "rice", "researcher", "oracle", "analyst", "spiker")
# what the analyst does that a mentor would name, each of which `analyst-no-X` leaves out
BEHAVIOURS = ("interviews", "surveys", "competitive", "usability", "spikes", "musthaves", "answers",
              "renegotiation")
ABLATIONS = tuple(f"analyst-no-{b}" for b in BEHAVIOURS)


def is_strategy(name: str) -> bool:
    return name in STRATEGIES or name in ABLATIONS


def _try(game: Game, action) -> bool:
    """Apply `action` if it is legal. Game.apply checks an action completely before it changes
    anything (an illegal one raises IllegalAction, the state as it was): one check, not two."""
    try:
        game.apply(action)
    except IllegalAction:
        return False
    return True


def _candidates(game: Game) -> list[str]:
    st = game.state
    return [f.id for f in game.scenario.features
            if st.features[f.id].status == "backlog" and f.available_from <= st.round]


def _fill(game: Game, order: list[str]) -> None:
    """Plan features into Now in this order while they fit; dependencies permitting."""
    changed = True
    planned = set(game.state.now)
    while changed:
        changed = False
        for fid in order:
            if fid in planned:
                continue
            if _try(game, Plan(fid, "now")):
                planned.add(fid)
                changed = True


def _answer(game: Game, value: dict[str, float]) -> None:
    """Accept what is planned for Now, defer what is worth doing, decline the rest with a reason."""
    st = game.state
    now = set(st.now)
    vals = sorted(value.values())
    median = vals[len(vals) // 2] if vals else 0.0
    for q in list(st.requests):
        if q.status != "open":
            continue
        if q.feature is None or q.feature in now:
            _try(game, Respond(q.id, "accept"))
        elif st.features[q.feature].status == "shipped":
            _try(game, Respond(q.id, "accept"))
        elif value.get(q.feature, 0.0) >= median:
            _try(game, Respond(q.id, "defer", "capacity"))
        else:
            _try(game, Respond(q.id, "decline", "evidence"))


def _promise_bar(game: Game, value: np.ndarray) -> float:
    """The value above which the analyst calls work worth a promise: the 60th percentile of what
    it could build. (Asked three times a round with the same values: the last answer is kept by
    its exact inputs.)"""
    fids = _candidates(game)
    key = (value.tobytes(), [game.fidx(f) for f in fids])
    if _BAR[0] != key:
        cands = [float(value[i]) for i in key[1]]
        _BAR[:] = [key, float(np.percentile(cands, 60)) if cands else 0.0]
    return _BAR[1]


_BAR: list = [None, 0.0]  # (the exact values and candidates, their bar) last asked


def _answer_analyst(game: Game, value: np.ndarray) -> None:
    """Answer every request and close the loop on deferred ones: accept what is in Now, promise
    valuable work for next quarter, defer the rest of what is worth doing with a reason, and
    decline (with the evidence) what is not, or what waited past its date without making the plan."""
    st = game.state
    now = set(st.now)
    bar = _promise_bar(game, value)
    for q in list(st.requests):
        if q.status not in ("open", "deferred") or q.round > st.round:
            continue
        if q.feature is None or q.feature in now:
            _try(game, Respond(q.id, "accept"))
            continue
        if st.features[q.feature].status != "backlog":
            continue
        worth = float(value[game.fidx(q.feature)]) >= bar
        soon = q.deadline is None or q.deadline > st.round + 1
        if q.status == "open" and worth and soon:
            _try(game, Respond(q.id, "accept"))
        elif q.status == "open" and worth:
            _try(game, Respond(q.id, "defer", "capacity"))
        elif q.status == "open" or (q.deadline is not None and q.deadline < st.round):
            _try(game, Respond(q.id, "decline", "evidence"))


def _renegotiate_analyst(game: Game, value: np.ndarray) -> None:
    """Say early what will not happen: a promise due this quarter or next whose feature is not in
    Now is moved a quarter if it is among the most valuable work (once), else released."""
    st = game.state
    bar = _promise_bar(game, value)
    for q in list(st.requests):
        if (q.status != "accepted" or q.feature is None or q.feature in st.now or q.deadline is None
                or q.deadline > st.round + 1 or st.features[q.feature].status != "backlog"):
            continue
        moved = bool(getattr(q, "renegotiations", None))
        if (not moved and q.deadline == st.round and q.deadline < game.scenario.rounds
                and float(value[game.fidx(q.feature)]) >= bar):
            _try(game, Renegotiate(q.id, q.deadline + 1, "capacity", "it did not fit this quarter"))
        else:
            _try(game, Renegotiate(q.id, None, "capacity", "other work matters more to customers now"))


def renegotiate_at_risk(game: Game) -> list[str]:
    """Renegotiate accepted requests that this quarter's plan will not deliver by their deadline
    (due this quarter, not in Now): a quarter later while the game lasts, else drop the promise.
    Early news costs less trust than a broken promise. Returns the requests renegotiated."""
    st = game.state
    done = []
    for q in list(st.requests):
        if q.status != "accepted" or q.feature is None or q.deadline != st.round or q.feature in st.now:
            continue
        later = q.deadline + 1 if q.deadline < game.scenario.rounds else None
        if _try(game, Renegotiate(q.id, later, "capacity", "it does not fit this quarter's plan")):
            done.append(q.id)
    return done


def _plan_by_value(game: Game, value: np.ndarray, weight_of: Callable[[str], float], buffer: float) -> None:
    """Best set under capacity (less a safety buffer) on the given values, dependencies first."""
    cands = _candidates(game)
    _fill(game, [f for f in game.state.now])
    left = game.capacity_left() - buffer * game.state.capacity
    fids = [f for f in cands if game.deps_ok(f, list(game.state.now))]
    chosen = knapsack([float(value[game.fidx(f)]) for f in fids], [weight_of(f) for f in fids], left)
    picks = [fids[i] for i in chosen]
    picks.sort(key=lambda f: -float(value[game.fidx(f)]) / max(weight_of(f), 0.5))
    _fill(game, picks)


def _plan_researcher(game: Game) -> None:
    """The best roadmap on its beliefs, at face-value estimates: each feature's worth over the rest
    of the game (quarters left, must-bes, rivals), and a foundation's share of what it unlocks."""
    st = game.state
    _plan_by_value(game, _with_unlock(game, believed_remaining(game)), lambda f: st.features[f].estimate, 0.0)


def _plan_oracle(game: Game, vt: np.ndarray) -> None:
    """Knapsack on true value and true effort within the nominal capacity, kept legal on estimates."""
    st = game.state
    sc = game.scenario
    _fill(game, list(st.now))
    carry = sum(st.features[f].remaining for f in st.now)
    room = st.capacity - st.spike_used - carry
    fids = [f for f in _candidates(game) if game.deps_ok(f, list(st.now))]
    effort = [sc.features[game.fidx(f)].effort for f in fids]
    est = [st.features[f].estimate for f in fids]
    chosen = [fids[i] for i in knapsack2([float(vt[game.fidx(f)]) for f in fids], est, game.capacity_left(),
                                         effort, room)]
    chosen.sort(key=lambda f: -float(vt[game.fidx(f)]) / sc.features[game.fidx(f)].effort)
    _fill(game, chosen)


def _do_research(game: Game) -> None:
    """A sensible research habit: learn needs and Kano early, keep an eye on competitors, spike big bets."""
    st = game.state
    sc = game.scenario
    r = st.round
    segs = sc.segment_ids()
    for si, s in enumerate(segs):
        if st.beliefs.survey_n[si] < 300:
            _try(game, Research("survey", segment=s, n=300))
    for si, s in enumerate(segs):
        if st.beliefs.interview_n[si] < 20:
            _try(game, Research("interviews", segment=s, n=10))
    if r % 3 == 1 and sc.market.competitors:
        _try(game, Research("competitive_analysis"))
    # spike the largest-uncertainty candidates the value model likes
    vb = believed(game)
    cands = sorted(_candidates(game), key=lambda f: -vb[game.fidx(f)])[:3]
    for f in cands:
        fs = st.features[f]
        if not fs.spiked and fs.estimate_sd >= 0.25 and fs.estimate >= 6:
            _try(game, Research("spike", feature=f))
    # put the front-runners in front of users before committing to them
    for f in cands[:2]:
        if st.features[f].usability_tested == 0:
            _try(game, Research("usability_test", feature=f, n=5))


def _usability_tests(game: Game) -> None:
    for fid in list(game.state.now):
        fs = game.state.features[fid]
        if fs.status == "backlog" and fs.usability_tested == 0:
            _try(game, Research("usability_test", feature=fid, n=5))


def play_round(game: Game, strategy: str) -> dict:
    st = game.state
    if strategy == "random":
        rng = stream(st.seed, "bots", st.round)
        if rng.random() < 0.5:
            opts = [a for a in _research_menu(game) if game.is_legal(a)]
            if opts:
                game.apply(opts[int(rng.integers(len(opts)))])
        cands = _candidates(game)
        order = [cands[i] for i in rng.permutation(len(cands))]
        _fill(game, order)
        for q in list(st.requests):
            if q.status == "open" and rng.random() < 0.7:
                kind = ["accept", "defer", "decline"][int(rng.integers(3))]
                _try(game, Respond(q.id, kind, "capacity" if kind == "defer" else "none"))
    elif strategy == "hippo":
        boss = max(st.stakeholders.values(), key=lambda s: (s.power, s.id), default=None)  # none: no stakeholders
        by_power = sorted(st.stakeholders.values(), key=lambda s: (-s.power, s.id))
        wanted = []
        for s in by_power:
            for q in st.requests:
                if q.stakeholder == s.id and q.status in ("open", "accepted", "deferred") and q.feature:
                    wanted.append(q.feature)
        _fill(game, wanted)
        for q in list(st.requests):
            if q.status == "open":
                if (boss is not None and q.stakeholder == boss.id) or q.feature in st.now:
                    _try(game, Respond(q.id, "accept"))
                else:
                    _try(game, Respond(q.id, "decline"))
    elif strategy == "rice":
        obs_rows = {r["id"]: r for r in game.observe()["features"]}
        order = sorted(_candidates(game), key=lambda f: -obs_rows[f]["rice"])
        _fill(game, order)
        _answer(game, {f: obs_rows[f]["rice"] for f in obs_rows})
    elif strategy in ("researcher", "spiker"):
        if strategy == "spiker" and st.round == 1:  # the whole first quarter on spikes, then the researcher
            for f in sorted(_candidates(game), key=lambda f: -st.features[f].estimate):
                _try(game, Research("spike", feature=f))
        _do_research(game)
        vb = believed(game)
        _plan_researcher(game)
        _usability_tests(game)
        _answer(game, {f: float(vb[game.fidx(f)]) for f in game.feature_ids})
        renegotiate_at_risk(game)
    elif strategy == "analyst" or strategy.startswith("analyst-no-"):
        if strategy not in ("analyst", *ABLATIONS):
            raise ValueError(f"unknown strategy {strategy!r}")
        _analyst(game, frozenset([strategy[len("analyst-no-"):]]) if strategy != "analyst" else frozenset())
    elif strategy == "oracle":
        _analyst(game, frozenset(), truth=True)
    else:
        raise ValueError(f"unknown strategy {strategy!r}: one of {', '.join(STRATEGIES)}")
    return game.apply(EndRound())


# ---------------------------------------------------------------------- the analyst
ANALYST_PAD = 0.5  # the analyst plans each item at its estimate plus this many standard deviations
PROMISE_W = 1.0  # ... and weighs a promise due this quarter like this many valuable features


def _analyst(game: Game, off: frozenset[str], truth: bool = False) -> None:
    """A careful human on the player's view. Each behaviour in BEHAVIOURS can be switched off.
    With `truth` (the oracle), the same habits, but the plan is made on the hidden truth."""
    st = game.state
    sc = game.scenario
    r = st.round
    segs = sc.segment_ids()
    # research: the first quarter is for discovery (interviews find must-bes and pains, surveys
    # size them, richest segments first); from then on the budget goes first to usability tests
    # of what is about to ship (below), and discovery gets what is left
    order = sorted(range(len(segs)), key=lambda si: -sc.segment_weights()[si] * float(game.sizes()[si]))

    def discover() -> None:
        if "interviews" not in off:
            for si in order:
                if st.beliefs.interview_n[si] < 10:
                    _try(game, Research("interviews", segment=segs[si], n=10))
        if "competitive" not in off and sc.market.competitors and r % 2 == 1:
            _try(game, Research("competitive_analysis"))
        if "surveys" not in off:
            for si in order:
                if st.beliefs.survey_n[si] < 200:
                    _try(game, Research("survey", segment=segs[si], n=200))

    if r == 1:
        discover()
    vb = believed(game)
    _fill(game, list(st.now))

    def padded(f: str) -> float:
        return st.features[f].estimate * (1.0 + ANALYST_PAD * st.features[f].estimate_sd)

    if truth:
        value = _with_unlock(game, true_delay(game))
    else:
        value = _analyst_values(game, vb, "musthaves" not in off)
    if "spikes" not in off:
        # spike the uncertain items the plan hinges on: those it would take if they were as
        # small as they may be, and drop if they were as big (at most two a quarter)
        for f in _decisive(game, value, padded, limit=2):
            _try(game, Research("spike", feature=f))
    # plan on what each feature is worth over the rest of the game: its quarterly value for the
    # quarters left, plus what closing a gap behind a rival is worth (launches in the news and
    # those competitive analysis found), plus (musthaves) the growing cost of a missing must-be;
    # with each estimate padded by ANALYST_PAD of its uncertainty
    if truth:
        _plan_oracle(game, value)
    else:
        _plan_by_value(game, value + _promised(game, value), padded, 0.0)
    if "usability" not in off:
        for fid in list(st.now):
            fs = st.features[fid]
            if fs.status == "backlog" and fs.usability_tested == 0:
                _try(game, Research("usability_test", feature=fid, n=5))
    if r > 1:
        discover()  # what it learns now shapes next quarter's plan
    if "answers" in off:
        for q in list(st.requests):
            if q.status == "open":
                _try(game, Respond(q.id, "defer", "capacity"))
    elif truth:  # it knows what it will build: it promises only what is in Now
        _answer(game, {f: float(value[game.fidx(f)]) for f in game.feature_ids})
    else:
        _answer_analyst(game, value)
    if "renegotiation" not in off:
        _renegotiate_analyst(game, value)


def _promised(game: Game, value: np.ndarray) -> np.ndarray:
    """(F,) what keeping a promise adds to a feature's worth: a request accepted and due this
    quarter, to a stakeholder with the power to escalate, is worth the trust it keeps, counted like
    a valuable feature (the bar for promising). Promises to the others are renegotiated early."""
    st = game.state
    bar = _promise_bar(game, value)
    out = np.zeros(len(game.feature_ids))
    for q in st.requests:
        if (q.status == "accepted" and q.feature is not None and q.deadline == st.round
                and st.stakeholders[q.stakeholder].power >= ESCALATION_POWER):
            out[game.fidx(q.feature)] += PROMISE_W * max(bar, 0.0)
    return out


def _decisive(game: Game, value: np.ndarray, weight_of: Callable[[str], float], limit: int | None = None) -> list[str]:
    """The items this quarter's plan hinges on (hinges.decisive) that are worth a spike: uncertain
    (estimate sd >= 0.25) and of four weeks or more. Most valuable first (the first `limit`)."""
    from pmsim.engine.hinges import decisive

    fs = game.state.features
    return decisive(game, value, weight_of, lambda f: fs[f].estimate_sd >= 0.25 and fs[f].estimate >= 4, limit)


def _analyst_values(game: Game, vb: np.ndarray, musts: bool) -> np.ndarray:
    """The analyst's plan values: each feature's believed cost of delay (worth.believed_delay),
    plus half of what a foundation unlocks. Without `musts`, a must-have is weighed like any other
    wish: worth what it adds, not the growing cost of its absence."""
    from pmsim.engine.market import MUST_PENALTY
    from pmsim.engine.worth import _believed_parts, _delay_from

    _, must, gaps, stakes = _believed_parts(game)  # the gaps and stakes of worth.believed_delay
    if not musts:
        vb, must = vb - must * (1.0 - 1.0 / MUST_PENALTY), np.zeros_like(must)
    return _with_unlock(game, _delay_from(game, vb, must, gaps, stakes))


def _with_unlock(game: Game, value: np.ndarray) -> np.ndarray:
    """`value` plus, for a foundation, half of what it unlocks (its dependants, a quarter later)."""
    from pmsim.engine.values import quarters_left

    r, rounds = game.state.round, game.scenario.rounds
    sc = game.scenario
    later = value * (quarters_left(r + 1, rounds) / max(quarters_left(r, rounds), 1.0))
    unlock = np.zeros_like(value)
    for fi, f in enumerate(sc.features):
        for d in f.depends_on:
            if game.state.features[f.id].status == "backlog":
                unlock[game.fidx(d)] += 0.5 * max(float(later[fi]), 0.0)
    return value + unlock


def _research_menu(game: Game) -> list[Research]:
    from pmsim.engine.observe import research_options

    return research_options(game)


def play_game(game: Game, strategy: str) -> Game:
    while not game.finished:
        play_round(game, strategy)
    return game
