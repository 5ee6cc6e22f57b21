"""Storage benchmarks for `pmsim bench` (registered by pmsim/bench.py). Targets are reported,
not asserted: the numbers depend on the machine and its disk."""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _times(fn: Callable[[], Any], runs: int, warmup: int = 1, cpu: list[float] | None = None) -> list[float]:
    from pmsim.bench import timed

    return timed(fn, runs, warmup=warmup, cpu=cpu)


def _default_scenario_text() -> tuple[str, str]:
    from pmsim.scenario.builtin import DEFAULT_SCENARIO, resolve

    return DEFAULT_SCENARIO, Path(resolve(DEFAULT_SCENARIO)).read_text(encoding="utf-8")


def bench_save_action(runs: int = 200) -> dict[str, Any]:
    """Committing one action (its own transaction) to a SQLite file in WAL mode."""
    from pmsim.storage.saves import SaveStore

    _, text = _default_scenario_text()
    with tempfile.TemporaryDirectory(prefix="pmsim-bench-") as tmp:
        store = SaveStore(f"sqlite:///{tmp}/bench.sqlite3")
        try:
            sid = store.create(text, 1, "bench")
            seq = iter(range(1, 10**6))
            action = {"kind": "plan", "feature": "sso", "slot": "now", "position": None}
            times = _times(lambda: store.append_action(sid, next(seq), action, round_n=1), runs, warmup=5)
        finally:
            store.close()
    times.sort()
    return {
        "name": "save_action", "median_s": round(statistics.median(times), 6), "target_s": 0.005,
        "p95_s": round(times[int(0.95 * (len(times) - 1))], 6), "runs": runs,
    }


def bench_replay_game(runs: int = 5, strategy: str = "researcher", warmup: int = 1) -> dict[str, Any]:
    """Loading and verifying (replay + every round hash) a finished game of the default scenario.

    The median is a replay in a process that has replayed a game of that scenario and seed
    before, as a class report or the saves list does (history.replay_record copies the market it
    built then); `cold_s` is the first replay of that market in the process, which builds it."""
    from pmsim.engine import simulate
    from pmsim.storage.saves import SaveStore
    from pmsim.storage.session import record_bot_game

    scenario_id, text = _default_scenario_text()
    with tempfile.TemporaryDirectory(prefix="pmsim-bench-") as tmp:
        store = SaveStore(f"sqlite:///{tmp}/bench.sqlite3")
        try:
            sid = record_bot_game(store, text, 1, strategy)
            n_actions = store.info(sid).n_actions
            store.verify(sid)  # imports and connections warm, then a replay with no market built yet
            simulate.forget_template()
            cold = _times(lambda: store.verify(sid), 1, warmup=0)[0]
            results = []
            cpu: list[float] = []  # CPU seconds (all threads): hardly changed by other processes' load
            times = _times(lambda: results.append(store.verify(sid)), runs, warmup, cpu)
        finally:
            store.close()
    if not all(r.ok for r in results):
        raise RuntimeError(f"replay_game: the recorded game does not verify: {results[-1].problem}")
    return {
        "name": "replay_game", "median_s": round(statistics.median(times), 6), "target_s": 0.1,
        "runs": runs, "cpu_s": round(statistics.median(cpu), 6), "cold_s": round(cold, 6),
        "scenario": scenario_id, "actions": n_actions,
        "rounds": results[-1].rounds_checked,
    }


if __name__ == "__main__":  # python -m pmsim.storage.bench
    import json

    for bench in (bench_save_action, bench_replay_game):
        print(json.dumps(bench()))


def _register() -> None:
    from pmsim.bench import benchmark

    def strip(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if k not in ("name", "target_s")}

    benchmark("save_action", target_s=0.005)(lambda: strip(bench_save_action()))
    benchmark("replay_game", target_s=0.1)(lambda: strip(bench_replay_game()))


_register()
