"""What each feature is worth: on the truth, on the player's beliefs, and on the beliefs they
started with (no research).

A feature's value over the rest of the game (`remaining_values` + gaps + table stakes): its
quarterly value for each quarter left; a must-be's cost grows MUST_GROWTH a quarter while missing,
and what was lost stays lost when it ships (so shipping it in round s is worth MUST_GROWTH * (t - s)
extra in quarter t); closing a gap behind the best rival is worth LOSS_W more per point (more in a
launch quarter); a rival's launch makes its feature (else the theme's headline one) a table stake. The
cost of delay (`true_delay`, `believed_delay`, `prior_delay`) is what shipping now rather than next
quarter is worth: every "best plan" (scoring, the hindsight optimum, the analyst) is judged on it.
Each number is remembered on the game until one of its inputs changes (`_memo`), and those that
depend only on the market and the round across a batch's games (`_shared`); a cost of delay is made
from parts kept the same way (`_true_parts`, `_believed_parts`, `_prior_parts`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pmsim.engine.rivals import (  # noqa: F401 (comp_best_believed, fresh_believed: re-exported)
    _comp_best_believed_over,
    _comp_best_true,
    _fresh_believed_over,
    comp_best_believed,
    fresh_believed,
    fresh_true,
)
from pmsim.engine.values import (
    _gap_rows,
    _static,
    believed_parts,
    believed_values,
    gain_table,
    gap_rows,
    gap_values,
    kano_posterior,
    must_values,
    remaining_values,
    sum_rows,
    table_stakes,
)
from pmsim.engine.values import (
    stakes_over as stakes_over_quarters,
)

if TYPE_CHECKING:
    from pmsim.engine.protocols import GameLike as Game  # the narrow protocol, not game.py


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
    return _believed_kept(game)[0].copy()


def _believed_kept(game: Game, guess: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(`_believed`, `_believed_must`, the player's `_believed_gain`) made at once (values.believed_parts:
    the same bits), kept read-only until the beliefs change. `guess`: `_guess(game)`, if made."""
    b = game.state.beliefs
    guess = _guess(game) if guess is None else guess
    key = (b.need_mean.tobytes(), b.kano_votes.tobytes(), guess.tobytes())
    return _memo(game, "believed_parts", key, lambda: _read_only(
        believed_parts(game.scenario, game.sizes(), b.need_mean, b.kano_votes, guess)))


def _read_only(arrays):
    for a in arrays:
        if isinstance(a, np.ndarray):
            a.flags.writeable = False
    return arrays


def _believed(game: Game) -> np.ndarray:
    st = game.state
    guess = _guess(game)
    return believed_values(game.scenario, game.sizes(), st.beliefs.need_mean, st.beliefs.kano_votes, guess)


def believed_must(game: Game) -> np.ndarray:
    """(F,) the must-be part of `believed`, whose cost grows every quarter it is missing."""
    return _believed_kept(game)[1].copy()


def _believed_must(game: Game) -> np.ndarray:
    st = game.state
    guess = _guess(game)
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
def rivals_key(game: Game, full: bool = False) -> Any:
    """What the rival companies of a shared market add to the truth's values, as a key (None for
    a solo game: engine/shared.py CompanyGame.rivals_key)."""
    key = getattr(game, "rivals_key", None)
    return None if key is None else key(full)


def comp_best_true(game: Game, u: int) -> np.ndarray:
    """(T,) the best competitor's true score per theme in quarter u (scripted moves included;
    a launch that may not happen counts by its probability). In a shared market, (S, T): the
    rival companies' products too, as the market compared them in quarter u (their launches
    are given, like scripted moves)."""
    return _memo(game, f"comp_best_true{u}", rivals_key(game), lambda: _comp_best_true(game, u))


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
    """(F,) the design team's impact guesses, in the scenario's order of features."""
    features = game.state.features
    return np.array([features[fid].impact_guess for fid in game.feature_ids])


def _moves(moves: list[dict[str, Any]], *fields: str) -> tuple:
    """The fields of each move that a value reads, as a key."""
    return tuple([tuple(map(m.get, fields)) for m in moves])


# The competitive-gap and table-stake values over some quarters, kept on the game by the exact
# inputs each reads (bots and the round's snapshot ask the same ones several times a round).
def gap_true(game: Game, quarters: list[int], g_ref: np.ndarray | None = None) -> np.ndarray:
    st = game.state
    g_ref = game.theme_scores() if g_ref is None else g_ref
    key = (tuple(quarters), g_ref.tobytes(), st.round, _moves(st.launches, "theme", "round"), rivals_key(game))
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
                      g, _comp_best_believed_over(game, quarters), _fresh_believed_over(game, quarters))


def gap_prior(game: Game, quarters: list[int]) -> np.ndarray:
    g = game.theme_scores()
    key = (tuple(quarters), g.tobytes(), _moves(game.state.public_moves, "competitor", "theme", "delta", "round"))
    return _memo(game, f"gap_prior{key[0]}", key, lambda: _gap_prior(game, quarters, g)).copy()


def _gap_prior(game: Game, quarters: list[int], g: np.ndarray) -> np.ndarray:
    need, votes, guess, _ = game._c["prior"]
    return gap_values(game.scenario, game.sizes(), need, _believed_gain(game, votes, guess), g,
                      _comp_best_believed_over(game, quarters, _prior_comp(game), []),
                      _fresh_believed_over(game, quarters, known=False))


def _prior_comp(game: Game) -> np.ndarray:
    """(K, T) the rivals as the player knew them at the start, plus the launches in the news."""
    comp = game._c["prior_comp"].copy()
    for m in game.state.public_moves:
        comp[m["competitor"], m["theme"]] = min(max(comp[m["competitor"], m["theme"]] + m["delta"], 0.0), 1.0)
    return comp


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
    return _delay_from(game, *_true_parts(game))


def believed_delay(game: Game) -> np.ndarray:
    """(F,) the same on the player's beliefs."""
    return _delay_from(game, *_believed_parts(game))


def prior_delay(game: Game) -> np.ndarray:
    """(F,) the same on the beliefs the player started with (no research)."""
    return _delay_from(game, *_prior_parts(game))


def true_remaining(game: Game) -> np.ndarray:
    """(F,) what shipping each feature this round is truly worth over the rest of the game."""
    return _remaining_from(game, *_true_parts(game))


def believed_remaining(game: Game) -> np.ndarray:
    """(F,) the same on the player's beliefs: what a PM weighing urgency and rivals would reckon."""
    return _remaining_from(game, *_believed_parts(game))


# A cost of delay and a value over the rest of the game, from their parts: the quarterly and
# must-be values, and the gap and table-stake values over the quarters from this round and from
# the next (`_cost_of_delay` with the gaps and stakes each made once a round and beliefs).
def _delay_from(game: Game, quarterly: np.ndarray, must: np.ndarray, gaps: tuple, stakes: tuple) -> np.ndarray:
    """`_cost_of_delay(game, quarterly, must, gap, stakes)` where gap(quarters from round u) is
    gaps[u - round] and stakes(...) stakes[u - round]: the same operations, the same bits."""
    r, rounds = game.state.round, game.scenario.rounds

    def worth_from(u: int, k: int) -> np.ndarray:  # _worth_from
        if u > rounds:
            return np.zeros(len(quarterly))
        return remaining_values(quarterly, must, u, rounds) + gaps[k] + stakes[k]

    return worth_from(r, 0) - worth_from(r + 1, 1)


def _remaining_from(game: Game, quarterly: np.ndarray, must: np.ndarray, gaps: tuple, stakes: tuple) -> np.ndarray:
    """What shipping now is worth over the rest of the game (`true_remaining`, `believed_remaining`)."""
    r, rounds = game.state.round, game.scenario.rounds
    return remaining_values(quarterly, must, r, rounds) + gaps[0] + stakes[0]


def _pair(game: Game, rows: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray | None]:
    """The gap values over the quarters from this round (`rows`, one a quarter) and from the next
    (None in the last round, where nothing is worth anything from next quarter)."""
    n = len(game.scenario.features)
    return sum_rows(rows, n), (sum_rows(rows[1:], n) if len(rows) > 1 else None)


def _true_parts(game: Game) -> tuple:
    """(true values, true must-be values, (gap_true over the quarters from this round, from the
    next), (_stakes_true_over the same)), kept read-only by what they read: our theme scores, the
    round, the launches and (shared market) the rivals."""
    st = game.state
    g = game.theme_scores()
    key = (g.tobytes(), st.round, _moves(st.launches, "theme", "round", "feature"), rivals_key(game))
    return _memo(game, "true_parts", key, lambda: _read_only_parts(_true_parts_of(game, g)))


def _true_parts_of(game: Game, g: np.ndarray) -> tuple:
    left = list(range(game.state.round, game.scenario.rounds + 1))
    rows = gap_rows(game.scenario, game.sizes(), game.true_need_means(), _true_gain(game), g,
                    [comp_best_true(game, u) for u in left], [fresh_true(game, u) for u in left])
    stakes = (_stakes_true_over(game, left), _stakes_true_over(game, left[1:]) if len(left) > 1 else None)
    return game.true_values(), true_must(game), _pair(game, rows), stakes


def _believed_parts(game: Game) -> tuple:
    """The same on the player's beliefs (gap_believed, _stakes_believed_over), kept by what they
    read: the beliefs (needs, Kano votes, impact guesses, rivals, the launches found coming), our
    theme scores, the round and the launches in the news."""
    st = game.state
    b = st.beliefs
    guess = _guess(game)
    g = game.theme_scores()
    key = (b.need_mean.tobytes(), b.kano_votes.tobytes(), guess.tobytes(), g.tobytes(), b.comp_mean.tobytes(),
           st.round, _moves(b.known_moves, "round", "competitor", "theme", "delta", "feature"),
           _moves(st.public_moves, "round", "theme", "feature"))
    return _memo(game, "believed_delay_parts", key, lambda: _read_only_parts(_believed_parts_of(game, guess, g)))


def _believed_parts_of(game: Game, guess: np.ndarray, g: np.ndarray) -> tuple:
    b = game.state.beliefs
    left = list(range(game.state.round, game.scenario.rounds + 1))
    quarterly, must, gain = _believed_kept(game, guess)
    # (made here, not remembered with the truth's: the player's beliefs change with each study)
    rows = list(_gap_rows(game.scenario, game.sizes(), b.need_mean, gain, g, _comp_best_believed_over(game, left),
                          _fresh_believed_over(game, left)))
    stakes = stakes_believed(game)
    over = (stakes_over(game, stakes, b.need_mean, guess, left),
            stakes_over(game, stakes, b.need_mean, guess, left[1:]) if len(left) > 1 else None)
    return quarterly, must, _pair(game, rows), over


def _prior_parts(game: Game) -> tuple:
    """The same on the starting beliefs (gap_prior, _stakes_prior_over), kept by what they read:
    our theme scores, the round and the launches in the news."""
    st = game.state
    g = game.theme_scores()
    key = (g.tobytes(), st.round, _moves(st.public_moves, "competitor", "theme", "delta", "round", "feature"))
    return _memo(game, "prior_parts", key, lambda: _read_only_parts(_prior_parts_of(game, g)))


def _prior_parts_of(game: Game, g: np.ndarray) -> tuple:
    need, votes, guess, _ = game._c["prior"]
    left = list(range(game.state.round, game.scenario.rounds + 1))
    rows = gap_rows(game.scenario, game.sizes(), need, _believed_gain(game, votes, guess), g,
                    _comp_best_believed_over(game, left, _prior_comp(game), []),
                    _fresh_believed_over(game, left, known=False))
    stakes = stakes_believed(game, known=False)
    over = (stakes_over(game, stakes, need, guess, left),
            stakes_over(game, stakes, need, guess, left[1:]) if len(left) > 1 else None)
    return prior_values(game), prior_must(game), _pair(game, rows), over


def _read_only_parts(parts: tuple) -> tuple:
    quarterly, must, gaps, stakes = parts
    _read_only((quarterly, must, *gaps, *stakes))
    return parts


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
