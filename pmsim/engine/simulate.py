"""Batch simulation: many bot games per strategy, summarized. Pure (no Textual, no SQLAlchemy).

Game i uses the same game seed for every strategy (derived from the batch seed and i only), so
strategies are compared on the same markets. Results are assembled by index and rounded, so the
summary is byte-identical whatever the number of worker processes.
"""

from __future__ import annotations

import math
import os
import pickle
import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from pmsim.engine.bots import ABLATIONS, STRATEGIES, is_strategy, play_game
from pmsim.engine.game import Game, new_game

if TYPE_CHECKING:
    from pmsim.scenario.models import Scenario

__all__ = ["DIGITS", "BatchInterrupted", "game_seed", "parse_strategies", "play_one", "run_batch", "summarize"]

DIGITS = 4  # every float in a summary is rounded to this many decimals


def game_seed(seed: int, i: int) -> int:
    """The seed of game `i` of a batch with `seed`: a 63-bit integer, the same on every platform."""
    if seed < 0 or i < 0:
        raise ValueError("seeds and game numbers must be non-negative")
    words = np.random.SeedSequence(entropy=seed, spawn_key=(i,)).generate_state(2, dtype=np.uint32)
    return int(words.view(np.uint64)[0] >> np.uint64(1))


def parse_strategies(spec: str | Sequence[str]) -> list[str]:
    """ "rice,random" or ["rice", "random"] or "all" → a list of known strategy names, no repeats."""
    parts = spec.split(",") if isinstance(spec, str) else list(spec)
    names: list[str] = []
    for part in parts:
        name = part.strip()
        if not name:
            continue
        expanded = list(STRATEGIES) if name == "all" else [name]
        for n in expanded:
            if not is_strategy(n):
                raise ValueError(
                    f"unknown strategy {n!r}: use one of {', '.join(STRATEGIES)}, "
                    f"{', '.join(ABLATIONS)} or all"
                )
            if n not in names:
                names.append(n)
    if not names:
        raise ValueError(f"no strategy given: use one of {', '.join(STRATEGIES)} or all")
    return names


def _load(scenario: Scenario | str | os.PathLike[str]) -> Scenario:
    if isinstance(scenario, str | os.PathLike):
        from pmsim.scenario.builtin import resolve
        from pmsim.scenario.loader import load_scenario

        return load_scenario(resolve(scenario))
    return scenario


# The last new game built in this process, kept to be copied: a batch plays the same seed for
# every strategy one after the other, and building the market (population, the two quarters
# before the player arrives, stakeholders, the first round) is about a third of a bot game.
_TEMPLATE: tuple[Scenario, int, Game] | None = None
_TEMPLATE_LOCK = threading.Lock()


def forget_template() -> None:
    """Drop the kept new game: the next `fresh_game` builds its market (a benchmark's cold start)."""
    global _TEMPLATE
    with _TEMPLATE_LOCK:
        _TEMPLATE = None


def fresh_game(scenario: Scenario, seed: int) -> Game:
    """`new_game(scenario, seed)`, copied from the last one built for the same scenario object
    and seed (identical state, hash and play: `Game.copy` copies everything a game changes)."""
    global _TEMPLATE
    with _TEMPLATE_LOCK:  # Game.copy briefly detaches the template's population: one copy at a time
        t = _TEMPLATE
        if t is None or t[0] is not scenario or t[1] != seed:
            t = _TEMPLATE = (scenario, seed, new_game(scenario, seed))
        return t[2].copy()


def play_one(scenario: Scenario, strategy: str, seed: int) -> Game:
    """A whole game of `scenario` with game seed `seed`, played by the bot `strategy`."""
    if not is_strategy(strategy):
        raise ValueError(f"unknown strategy {strategy!r}: use one of {', '.join(STRATEGIES)}")
    return play_game(fresh_game(scenario, seed), strategy)


def _result(game: Game) -> tuple[float, dict[str, float]]:
    card = game.score()
    return float(card["score"]), {k: float(v) for k, v in card["components"].items()}


# ---------------------------------------------------------------------- worker processes
_WORKER_SCENARIO: Scenario | None = None


def _init_worker(blob: bytes) -> None:
    global _WORKER_SCENARIO
    import signal

    # Ctrl-C reaches the whole process group: the parent alone decides to stop (and stops us),
    # so a worker never prints a KeyboardInterrupt traceback or dies holding the queue's lock
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _WORKER_SCENARIO = pickle.loads(blob)


def play_chunk(measure: Callable[[Scenario, str, int], Any], names: list[str], seeds: list[int]) -> dict[str, list[Any]]:
    """In a worker: `measure(scenario, strategy, seed)` of every strategy on each seed, seed after
    seed (so each market is built once, see fresh_game). `functools.partial(play_chunk, measure)`,
    with a module-level `measure`, is the `work` of run_chunks."""
    assert _WORKER_SCENARIO is not None, "worker not initialized"
    out: dict[str, list[Any]] = {n: [] for n in names}
    for s in seeds:
        for n in names:
            out[n].append(measure(_WORKER_SCENARIO, n, s))
    return out


def _played(sc: Scenario, strategy: str, seed: int) -> tuple[float, dict[str, float]]:
    return _result(play_one(sc, strategy, seed))


# ---------------------------------------------------------------------- batch
def batch_plan(scenario: Scenario | str | os.PathLike[str], strategies: str | Sequence[str], games: int, seed: int,
               jobs: int) -> tuple[Scenario, list[str], list[int]]:
    """A batch's scenario (loaded), strategy names and game seeds (game i on `game_seed(seed, i)`),
    shared by the solo and the shared-market batches; ValueError for a count below 1."""
    sc = _load(scenario)
    names = parse_strategies(strategies)
    if games < 1:
        raise ValueError("games must be at least 1")
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    return sc, names, [game_seed(seed, i) for i in range(games)]


class BatchInterrupted(KeyboardInterrupt):
    """The batch was stopped (KeyboardInterrupt: Ctrl-C, or a signal handler that raises it)
    before every game finished. Every worker process is gone when this is raised; `partial` is
    the summary of the games that did finish, with "partial": True and "played" per strategy.
    A KeyboardInterrupt itself, so a caller that does not look for it stops as on Ctrl-C."""

    def __init__(self, partial: dict[str, Any]) -> None:
        super().__init__("the batch was interrupted")
        self.partial = partial


def run_batch(
    scenario: Scenario | str | os.PathLike[str],
    strategies: Sequence[str],
    games: int,
    seed: int,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    raw: bool = False,
    until_ci: float | None = None,
    live: Callable[[dict[str, tuple[int, float, float]]], None] | None = None,
) -> dict[str, Any]:
    """Play `games` games per strategy and summarize them.

    With `until_ci`, stop early at the first n (from MIN_CI_GAMES games on) where every
    strategy's mean score over games 0..n-1 is known to ± `until_ci` points (the half-width of
    its 95% CI): the result is the summary of those n games, "games" is n, and "until_ci" says
    {"target", "met"}; `games` is the most played. Which n that is depends on the scores alone,
    never on timing or `jobs`. `live(stats)` is called (in this process) as games finish, with
    {strategy: (games finished, mean, CI half-width)} of every game finished so far.

    `scenario` is a loaded Scenario, a file path or a built-in id. `progress(n)` is called (in
    this process) each time `n` more games have finished. With `jobs > 1` the games run in that
    many spawned worker processes; the result is identical to `jobs=1`. With `raw`, the result
    also holds every game's score and components under "raw" (for distributions).

    A KeyboardInterrupt while games run stops the workers at once and raises `BatchInterrupted`
    with the summary of the games that finished.
    """
    sc, names, seeds = batch_plan(scenario, strategies, games, seed, jobs)
    results: dict[str, list[Any]] = {n: [None] * games for n in names}
    if until_ci is not None and not until_ci > 0:
        raise ValueError("until_ci must be a positive number of points")
    jobs = min(jobs, games)  # workers share out seeds: one more than there are seeds would idle
    stop = _Stopper(names, results, until_ci, live)
    try:
        if jobs == 1:
            for i, s in enumerate(seeds):  # seed-major: each market is built once (fresh_game)
                for n in names:
                    results[n][i] = _result(play_one(sc, n, s))
                    if progress is not None:
                        progress(1)
                if stop.update():
                    break
        else:
            _run_parallel(sc, names, seeds, jobs, results, progress, stop)
    except KeyboardInterrupt as e:
        raise BatchInterrupted(_partial(sc.meta.id, games, seed, names, results)) from e
    played = stop.stopped_at or games
    results = {n: results[n][:played] for n in names}
    out = {
        "scenario": sc.meta.id,
        "games": played,
        "seed": seed,
        "strategies": {n: summarize(results[n]) for n in names},
    }
    if until_ci is not None:
        out["until_ci"] = {"target": until_ci, "met": stop.stopped_at is not None}
        for n in names:
            out["strategies"][n]["ci95"] = _r(ci_half([r[0] for r in results[n]]))
    if raw:
        out["raw"] = {n: [{"score": _r(s), "components": {c: _r(v) for c, v in comp.items()}}
                          for s, comp in results[n]] for n in names}
    return out


MIN_CI_GAMES = 10  # --until-ci never stops before this many games: a tiny sample's sd lies
Z95 = 1.959963984540054


def ci_half(scores: Sequence[float]) -> float:
    """Half-width of the 95% CI of the mean of `scores` (normal approximation); inf below 2."""
    if len(scores) < 2:
        return math.inf
    return Z95 * float(np.std(np.asarray(scores, dtype=np.float64), ddof=1)) / math.sqrt(len(scores))


class _Stopper:
    """Follows a batch's results as they arrive: calls `live`, and says when --until-ci is met.

    The decision looks only at the first n games of every strategy (the prefix every strategy
    has finished), trying each n in turn, so it is the same n whatever order games finish in."""

    def __init__(self, names: list[str], results: dict[str, list[Any]], until_ci: float | None,
                 live: Callable[[dict[str, tuple[int, float, float]]], None] | None) -> None:
        self.names, self.results, self.until_ci, self.live = names, results, until_ci, live
        self.checked = 0  # prefix lengths up to this one were tried
        self.stopped_at: int | None = None

    def update(self) -> bool:
        """Call after results arrive; True when the batch may stop (stopped_at is set)."""
        if self.live is not None:
            stats = {}
            for n in self.names:
                done = [r[0] for r in self.results[n] if r is not None]
                stats[n] = (len(done), float(np.mean(done)) if done else math.nan, ci_half(done))
            self.live(stats)
        if self.until_ci is None or self.stopped_at is not None:
            return self.stopped_at is not None
        total = len(self.results[self.names[0]])
        prefix = min(next((i for i, r in enumerate(self.results[n]) if r is None), total) for n in self.names)
        for k in range(max(self.checked + 1, MIN_CI_GAMES), prefix + 1):
            if all(ci_half([r[0] for r in self.results[n][:k]]) <= self.until_ci for n in self.names):
                self.stopped_at = k
                return True
        self.checked = max(self.checked, prefix)
        return False


def _partial(scenario_id: str, games: int, seed: int, names: list[str],
             results: dict[str, list[Any]]) -> dict[str, Any]:
    """The summary of the games that finished, per strategy (a strategy with none is left out)."""
    done = {n: [r for r in results[n] if r is not None] for n in names}
    return {
        "scenario": scenario_id,
        "games": games,
        "seed": seed,
        "partial": True,
        "played": {n: len(done[n]) for n in names},
        "strategies": {n: summarize(done[n]) for n in names if done[n]},
    }


def _stop_workers(pool: Any) -> None:
    """End a ProcessPoolExecutor's workers now (SIGTERM, then SIGKILL) and shut it down. The
    executor has no public handle on its processes before Python 3.14 (`terminate_workers`)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for p in procs:
        try:
            p.terminate()
        except (OSError, ValueError, AttributeError):
            pass
    for p in procs:
        try:
            p.join(2.0)
            if p.is_alive():
                p.kill()
                p.join(1.0)
        except (OSError, ValueError, AssertionError, AttributeError):
            pass
    pool.shutdown(wait=True, cancel_futures=True)


def _run_parallel(
    sc: Scenario,
    names: list[str],
    seeds: list[int],
    jobs: int,
    results: dict[str, list[Any]],
    progress: Callable[[int], None] | None,
    stop: _Stopper | None = None,
) -> None:
    def take(start: int, out: dict[str, list[Any]]) -> bool:
        for n in names:
            results[n][start : start + len(out[n])] = out[n]
            if progress is not None:
                progress(len(out[n]))
        return stop is not None and stop.update()

    run_chunks(sc, partial(play_chunk, _played), names, seeds, jobs, take)


def run_chunks(sc: Scenario, work: Callable[[list[str], list[int]], Any], names: list[str], seeds: list[int],
               jobs: int, take: Callable[[int, Any], bool], size: int | None = None) -> None:
    """Play `seeds` in `jobs` spawned worker processes that hold `sc` (`_WORKER_SCENARIO`), a chunk
    of seeds a task: `work(names, chunk)` (a module-level function) runs in a worker, and
    `take(start, its result)` here as each chunk finishes, returning True when enough games are in
    (the workers are stopped, the rest dropped). An error or a KeyboardInterrupt stops the workers.
    `size`: seeds a task (default chunk_size)."""
    import multiprocessing
    import signal
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # chunks of seeds, every strategy on each (so a worker builds each market once): small enough
    # to balance the load and move the progress bar, big enough to be cheap
    size = chunk_size(len(seeds), jobs) if size is None else size
    chunks = list(range(0, len(seeds), size))
    ctx = multiprocessing.get_context("spawn")  # same behaviour on every OS; no forked threads
    blob = pickle.dumps(sc)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(blob,))
    # workers start (on submit) with SIGINT blocked, until their initializer ignores it: a
    # Ctrl-C during their start-up must not kill them with a traceback
    mask = hasattr(signal, "pthread_sigmask")
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if mask else None
        try:
            futures = {pool.submit(work, names, seeds[start : start + size]): start for start in chunks}
        finally:
            if old is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, old)
        for fut in as_completed(futures):
            if take(futures[fut], fut.result()):
                _stop_workers(pool)  # enough games: the rest are not needed
                return
    except BaseException:
        _stop_workers(pool)
        raise
    pool.shutdown(wait=True)


def chunk_size(seeds: int, jobs: int) -> int:
    """Seeds per task of a parallel batch. A task plays every strategy on its seeds (each market
    built once), so it is a few seconds of work at most: the last tasks finish close together
    (a worker idles at the end for less than one task) and the progress moves often."""
    return max(1, min(4, seeds // (jobs * 8)))


def _r(x: float) -> float:
    return round(float(x), DIGITS) + 0.0  # + 0.0 turns -0.0 into 0.0


def summarize(rows: Sequence[tuple[float, dict[str, float]]]) -> dict[str, Any]:
    """mean, sample sd, p10/p50/p90 (linear interpolation) of the scores; mean of each component."""
    scores = np.array([r[0] for r in rows], dtype=np.float64)
    comps = list(rows[0][1]) if rows else []
    p10, p50, p90 = np.percentile(scores, [10, 50, 90])
    return {
        "mean": _r(scores.mean()),
        "sd": _r(scores.std(ddof=1)) if len(scores) > 1 else 0.0,
        "p10": _r(p10),
        "p50": _r(p50),
        "p90": _r(p90),
        "components": {c: _r(np.mean([r[1][c] for r in rows])) for c in comps},
    }
