"""The rivals a quarter's gaps compare us with, quarter by quarter: the best competitor per theme
and which themes a launch makes fresh (a gap felt more), on the truth (scripted moves and
launches, and a shared market's rival companies) and as the player can know them. The gap values
of engine/worth.py read these (the truth's kept on the game there, by `worth.comp_best_true`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pmsim.engine.market import FRESH

if TYPE_CHECKING:
    from pmsim.engine.protocols import GameLike as Game  # the narrow protocol, not game.py


def _comp_best_true(game: Game, u: int) -> np.ndarray:
    """worth.comp_best_true, made afresh."""
    sc = game.scenario
    themes = game.themes
    if not sc.market.competitors:
        return _with_rivals(game, u, np.full(len(themes), -np.inf))
    g = np.array([[c.strengths.get(t, 0.0) for t in themes] for c in sc.market.competitors])
    for ki, c in enumerate(sc.market.competitors):
        for mv in c.moves:
            if mv.round <= u:
                g[ki, themes.index(mv.theme)] += mv.delta
    ids = [c.id for c in sc.market.competitors]
    for ev in sc.events:
        if ev.kind == "competitor_launch" and ev.competitor and ev.theme and ev.round <= u:
            g[ids.index(ev.competitor), themes.index(ev.theme)] += ev.delta * ev.probability
    best = g.clip(0.0, 1.0).max(axis=0)
    return _with_rivals(game, u, best)


def _with_rivals(game: Game, u: int, best: np.ndarray) -> np.ndarray:
    rivals = getattr(game, "rival_scores", None)
    scores = None if rivals is None else rivals(u)
    if scores is None:
        return best
    return np.maximum(best[None, :], scores.max(axis=0))


def fresh_true(game: Game, u: int) -> np.ndarray:
    """(T,) the gap multiplier in quarter u: launches that happened, and the scripted ones to come
    (a launch that may not happen counts by its probability)."""
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
    return g.clip(0.0, 1.0).max(axis=0)


def fresh_believed(game: Game, u: int, known: bool = True) -> np.ndarray:
    """(T,) the same as the player can know it: launches in the news, and (`known`) those a
    competitive analysis found coming."""
    return _fresh_from(_believed_launches(game, known), u, len(game.themes))


def _believed_launches(game: Game, known: bool) -> list[tuple[int, int]]:
    """(round, theme index) of the launches the player knows of (fresh_believed)."""
    moves = [(m["round"], m["theme"]) for m in game.state.public_moves]
    if known:
        moves += [(m["round"], game.themes.index(m["theme"])) for m in game.state.beliefs.known_moves
                  if m.get("theme") in game.themes]
    return moves


def _fresh_from(moves: list[tuple[int, int]], u: int, n_themes: int) -> np.ndarray:
    out = np.ones(n_themes)
    for rnd, ti in moves:
        if u - 1 <= rnd <= u:
            out[ti] = 1.0 + FRESH
    return out


def _fresh_believed_over(game: Game, quarters: list[int], known: bool = True) -> list[np.ndarray]:
    """`[fresh_believed(game, u, known) for u in quarters]` (see _once_per_set)."""
    moves = _believed_launches(game, known)
    return _once_per_set(quarters, lambda u: tuple(k for k, (rnd, _) in enumerate(moves) if u - 1 <= rnd <= u),
                         lambda u: _fresh_from(moves, u, len(game.themes)))


def _comp_best_believed_over(game: Game, quarters: list[int], comp_mean: np.ndarray | None = None,
                             moves: list[dict[str, Any]] | None = None) -> list[np.ndarray]:
    """`[comp_best_believed(game, u, comp_mean, moves) for u in quarters]` (see _once_per_set)."""
    st = game.state
    known = st.beliefs.known_moves if moves is None else moves
    return _once_per_set(
        quarters,
        lambda u: tuple(k for k, m in enumerate(known) if st.round < m["round"] <= u and m.get("theme") in game.themes),
        lambda u: comp_best_believed(game, u, comp_mean, moves))


def _once_per_set(quarters: list[int], counted, make) -> list[np.ndarray]:
    """`[make(u) for u in quarters]`, each array made once per distinct set of launches it counts
    (`counted(u)`): quarters with the same ones share one array (read it, do not change it)."""
    made: dict[tuple[int, ...], np.ndarray] = {}
    out = []
    for u in quarters:
        which = counted(u)
        if which not in made:
            made[which] = make(u)
        out.append(made[which])
    return out
