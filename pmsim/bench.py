"""The benchmark registry behind `pmsim bench` (the command and the engine and CLI benchmarks are
in pmsim/commands/bench.py).

A benchmark is a function registered with `@benchmark(name, ...)` that returns at least
{"median_s", "runs"} and optionally {"baseline_s", ...extra fields}; `run()` adds the name, the
ratio to the baseline and the targets. Targets are reported, never asserted: timings depend on
the machine (the targets assume 2 cores). Add a benchmark by decorating a function in a module
listed in `BENCH_MODULES`. This module imports nothing of pmsim, so every layer can register.
"""

from __future__ import annotations

import gc
import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Modules that register benchmarks when imported (e.g. "pmsim.storage.bench").
BENCH_MODULES: list[str] = ["pmsim.commands.bench", "pmsim.storage.bench", "pmsim.tui.bench",
                            "pmsim.commands.classes", "pmsim.commands.shared_bench"]


@dataclass(frozen=True)
class Benchmark:
    name: str
    func: Callable[[], dict[str, Any]]
    target_s: float | None = None
    target_ratio: float | None = None
    doc: str = ""


BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str, *, target_s: float | None = None, target_ratio: float | None = None):
    """Register `func` as benchmark `name`."""

    def register(func: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
        BENCHMARKS[name] = Benchmark(
            name, func, target_s, target_ratio, (func.__doc__ or "").strip()
        )
        return func

    return register


def timed(
    fn: Callable[[], Any], runs: int, setup: Callable[[], Any] | None = None, warmup: int = 1,
    cpu: list[float] | None = None,
) -> list[float]:
    """Wall times of `fn(setup())` (or `fn()`), GC off while timing; setup is not timed.

    `cpu`, when given, receives each run's CPU seconds: this process's (all its threads) and
    its finished child processes' (a command and its workers). Unlike wall time, CPU time
    hardly depends on what else the machine is running."""
    times = []
    for i in range(warmup + runs):
        arg = setup() if setup is not None else None
        gc.collect()
        gc.disable()
        try:
            c0 = _cpu_now()
            t0 = time.perf_counter()
            fn(arg) if setup is not None else fn()
            dt = time.perf_counter() - t0
            dc = _cpu_now() - c0
        finally:
            gc.enable()
        if i >= warmup:
            times.append(dt)
            if cpu is not None:
                cpu.append(dc)
    return times


def _cpu_now() -> float:
    """CPU seconds so far of this process and of its children that have finished."""
    t = time.process_time()
    try:
        import resource

        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        t += ru.ru_utime + ru.ru_stime
    except (ImportError, OSError):  # no resource module (Windows): this process only
        pass
    return t



def compiled_bytecode() -> None:
    """Process benchmarks time pmsim as an installed package runs: with its bytecode compiled
    (pip compiles it when it installs a wheel; an editable checkout under
    PYTHONDONTWRITEBYTECODE would otherwise recompile every module in every process)."""
    import compileall
    from pathlib import Path

    compileall.compile_dir(str(Path(__file__).resolve().parent), quiet=1)


def _load_modules() -> None:
    for name in BENCH_MODULES:
        importlib.import_module(name)


def run(name: str) -> dict[str, Any]:
    """Run one benchmark; a JSON-ready row with name, median_s, baseline_s, ratio, runs, targets."""
    b = BENCHMARKS[name]
    raw = dict(b.func())
    median = float(raw.pop("median_s"))
    base = raw.pop("baseline_s", None)
    ratio = median / base if base else None
    row: dict[str, Any] = {
        "name": name,
        "median_s": round(median, 6),
        "baseline_s": None if base is None else round(float(base), 6),
        "ratio": None if ratio is None else round(ratio, 3),
        "runs": raw.pop("runs"),
    }
    if b.target_s is not None:
        row["target_s"] = b.target_s
    if b.target_ratio is not None:
        row["target_ratio"] = b.target_ratio
    checks = []
    if b.target_s is not None:
        checks.append(median <= b.target_s)
    if b.target_ratio is not None and ratio is not None:
        checks.append(ratio <= b.target_ratio)
    row["meets_target"] = all(checks) if checks else None
    row.update(raw)
    return row

