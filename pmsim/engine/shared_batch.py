"""Bots as companies: many shared markets, one company per strategy in each, summarized.

Game i of a batch is one shared market on the game seed engine/simulate.py gives game i (so a
shared batch and a solo batch with the same seed play the same markets), with one company per
strategy, named after it. The summary has the shape of a solo batch's, with "shared": true and
each strategy's "share_mean" (its mean final market share). Results are assembled by index and
rounded, so the summary is the same whatever the number of worker processes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from pmsim.engine import simulate
from pmsim.engine.bots import play_round
from pmsim.engine.shared import SharedGame
from pmsim.engine.simulate import BatchInterrupted, _r, summarize

if TYPE_CHECKING:
    from pmsim.scenario.models import Scenario

__all__ = ["BALANCE_STRATEGIES", "play_shared", "run_shared_batch", "shared_warnings"]

Row = tuple[float, dict[str, float], float]  # score, components, final market share

# `scenarios balance --shared`: good practice, then bad practice, one company each per market
GOOD = ("researcher", "rice")
BAD = ("random", "hippo")
BALANCE_STRATEGIES = GOOD + BAD


def play_shared(scenario: Scenario, strategies: Sequence[str], seed: int) -> SharedGame:
    """A whole shared market with game seed `seed`: company c is the bot strategies[c]; each
    quarter the companies play in order and the last one's EndRound resolves the market."""
    game = SharedGame(scenario, seed, list(strategies))
    while not game.finished:
        for company, strategy in zip(game.companies, strategies, strict=True):
            play_round(company, strategy)
    return game


def _rows(game: SharedGame) -> list[Row]:
    out = []
    for company, share in zip(game.companies, game.shares(), strict=True):
        card = company.score()
        out.append((float(card["score"]), {k: float(v) for k, v in card["components"].items()}, share))
    return out


def _play_chunk(names: list[str], seeds: list[int]) -> list[list[Row]]:
    scenario = simulate._WORKER_SCENARIO
    assert scenario is not None, "worker not initialized"
    return [_rows(play_shared(scenario, names, s)) for s in seeds]


def run_shared_batch(scenario: Scenario | str, strategies: Sequence[str], games: int, seed: int,
                     jobs: int = 1, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Play `games` shared markets, one company per strategy, and summarize each strategy.

    `progress(n)` is called as n more markets finish. A KeyboardInterrupt stops the workers and
    raises simulate.BatchInterrupted with the summary of the markets that finished."""
    sc, names, seeds = simulate.batch_plan(scenario, strategies, games, seed, jobs)
    results: list[list[Row] | None] = [None] * games
    jobs = min(jobs, games)
    try:
        if jobs == 1:
            for i, s in enumerate(seeds):
                results[i] = _rows(play_shared(sc, names, s))
                if progress is not None:
                    progress(1)
        else:
            _run_parallel(sc, names, seeds, jobs, results, progress)
    except KeyboardInterrupt as e:
        done = [r for r in results if r is not None]
        partial = _summary(sc.meta.id, games, seed, names, done)
        partial.update(partial=True, played={n: len(done) for n in names})
        if not done:
            partial["strategies"] = {}
        raise BatchInterrupted(partial) from e
    return _summary(sc.meta.id, games, seed, names, [r for r in results if r is not None])


def _summary(scenario_id: str, games: int, seed: int, names: list[str], markets: list[list[Row]]) -> dict[str, Any]:
    strategies = {}
    for c, n in enumerate(names):
        rows = [m[c] for m in markets]
        if not rows:
            continue
        strategies[n] = {**summarize([(s, comp) for s, comp, _ in rows]),
                         "share_mean": _r(np.mean([share for _, _, share in rows]))}
    return {"scenario": scenario_id, "games": games, "seed": seed, "shared": True, "strategies": strategies}


def _run_parallel(sc: Scenario, names: list[str], seeds: list[int], jobs: int,
                  results: list[list[Row] | None], progress: Callable[[int], None] | None) -> None:
    def take(start: int, out: list[list[Row]]) -> bool:
        results[start:start + len(out)] = out
        if progress is not None:
            progress(len(out))
        return False  # every market is played

    simulate.run_chunks(sc, _play_chunk, names, seeds, jobs, take)


def shared_warnings(summary: dict[str, Any]) -> list[str]:
    """One line per (good, bad) pair of strategies where good practice (researcher, rice) does not
    beat bad practice (random, hippo) in a shared batch's summary: in mean score, or in mean final
    market share. Empty when the ordering holds (a strategy missing from the summary is skipped)."""
    stats = summary["strategies"]
    out = []
    for good in GOOD:
        for bad in BAD:
            if good not in stats or bad not in stats:
                continue
            g, b = stats[good], stats[bad]
            if g["mean"] <= b["mean"]:
                out.append(f"in the shared market, {good} does not beat {bad} in mean score: "
                           f"{g['mean']:.1f} vs {b['mean']:.1f}")
            if g["share_mean"] <= b["share_mean"]:
                out.append(f"in the shared market, {good} does not beat {bad} in mean final share: "
                           f"{100 * g['share_mean']:.2f}% vs {100 * b['share_mean']:.2f}%")
    return out
