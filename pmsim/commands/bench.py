"""`pmsim bench`: how fast the engine and the CLI are, against the targets of the engine issue.

The engine and CLI benchmarks are registered here (the registry is pmsim/bench.py; storage, TUI
and class benchmarks register from their own modules, see `BENCH_MODULES`).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import click

from pmsim.bench import BENCHMARKS, _load_modules, benchmark, compiled_bytecode, run, timed


def _default_scenario():
    from pmsim.scenario.builtin import DEFAULT_SCENARIO, resolve
    from pmsim.scenario.loader import load_scenario

    return load_scenario(resolve(DEFAULT_SCENARIO))


@benchmark("round_1m", target_s=0.15, target_ratio=4.0)
def bench_round_1m() -> dict[str, Any]:
    """Resolve one round (EndRound) of the default scenario with 1,000,000 customers."""
    from pmsim.engine import EndRound, new_game

    sc = _default_scenario()
    big = sc.model_copy(update={"market": sc.market.model_copy(update={"population": 1_000_000})})
    game = new_game(big, 1)
    arrays = list(game.state.pop.arrays().values())

    def baseline() -> None:
        for a in arrays:
            a.sum()

    base = timed(baseline, runs=7)
    cpu: list[float] = []
    times = timed(lambda g: g.apply(EndRound()), runs=5, setup=game.copy, cpu=cpu)
    return {
        "median_s": statistics.median(times),
        "baseline_s": statistics.median(base),
        "runs": len(times),
        "cpu_s": round(statistics.median(cpu), 6),
        "population": game.state.pop.size,
    }


@benchmark("game_default", target_s=0.045)
def bench_game_default() -> dict[str, Any]:
    """A whole game of the default scenario played by the `researcher` bot, new_game included
    (built afresh each run: a batch's copy of the seed's market is not used)."""
    from pmsim.engine import new_game, text
    from pmsim.engine.bots import play_game

    sc = _default_scenario()

    def cold() -> None:  # names are remembered per process: each run makes its own, as a lone game does
        for made in list(vars(text).values()):
            if callable(getattr(made, "cache_clear", None)):
                made.cache_clear()

    cpu: list[float] = []
    times = timed(lambda _: play_game(new_game(sc, 1), "researcher"), runs=7, setup=cold, cpu=cpu)
    return {
        "median_s": statistics.median(times),
        "cpu_s": round(statistics.median(cpu), 6),
        "runs": len(times),
        "strategy": "researcher",
        "scenario": sc.meta.id,
        "population": sc.market.population,
    }


def _command(*args: str, ok: tuple[int, ...] = (0,)) -> Callable[[], None]:
    """Run `python -m pmsim ARGS` as a process (output discarded); an unexpected exit code raises."""

    def run() -> None:
        done = subprocess.run([sys.executable, "-m", "pmsim", *args], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        if done.returncode not in ok:
            err = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise RuntimeError(f"pmsim {' '.join(args)} exited {done.returncode}: {err[-1] if err else ''}")

    return run


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


@benchmark("balance_default", target_s=20.0)
def bench_balance_default() -> dict[str, Any]:
    """`pmsim scenarios balance b2b_saas` as a process: the default games, teach included, one
    worker per CPU (one run: it plays about 640 games)."""
    compiled_bytecode()
    # exit 1 is the command's answer "this scenario has warnings", not a failure
    cpu: list[float] = []
    times = timed(_command("scenarios", "balance", "b2b_saas", "--json", ok=(0, 1)), runs=1, warmup=0, cpu=cpu)
    return {"median_s": statistics.median(times), "cpu_s": round(statistics.median(cpu), 3), "runs": len(times),
            "cpus": _cpus()}


@benchmark("teach_100", target_s=45.0)
def bench_teach_100() -> dict[str, Any]:
    """`pmsim scenarios teach b2b_saas --games 100` as a process, one worker per CPU (one run:
    it plays 900 games)."""
    compiled_bytecode()
    cpu: list[float] = []
    times = timed(_command("scenarios", "teach", "b2b_saas", "--games", "100", "--json", ok=(0, 1)),
                  runs=1, warmup=0, cpu=cpu)
    return {"median_s": statistics.median(times), "cpu_s": round(statistics.median(cpu), 3), "runs": len(times),
            "cpus": _cpus()}


def _sample_save(tmp: str) -> str:
    """The repository's sample save of b2b_saas, else one recorded and exported into `tmp`."""
    from pathlib import Path

    sample = Path(__file__).resolve().parents[2] / "saves" / "b2b_saas-researcher-seed1.pmsave.json"
    if sample.is_file():
        return str(sample)
    from pmsim.scenario.builtin import resolve
    from pmsim.storage.saves import SaveStore
    from pmsim.storage.session import record_bot_game

    url = f"sqlite:///{tmp}/bench.sqlite3"
    store = SaveStore(url)
    try:
        sid = record_bot_game(store, Path(resolve("b2b_saas")).read_text(encoding="utf-8"), 1, "researcher")
    finally:
        store.close()
    out = f"{tmp}/b2b_saas.pmsave.json"
    _command("export", str(sid), "--db", url, "-o", out)()
    return out


@benchmark("review_save", target_s=0.8)
def bench_review_save() -> dict[str, Any]:
    """`pmsim review SAVE` on the b2b_saas sample save, as a process (load, replay, check every
    round hash, write the review)."""
    import tempfile

    compiled_bytecode()
    with tempfile.TemporaryDirectory(prefix="pmsim-bench-") as tmp:
        save = _sample_save(tmp)
        cpu: list[float] = []
        times = timed(_command("review", save), runs=5, cpu=cpu)
    return {"median_s": statistics.median(times), "cpu_s": round(statistics.median(cpu), 6), "runs": len(times)}


@benchmark("export_portfolio", target_s=0.8)
def bench_export_portfolio() -> dict[str, Any]:
    """`pmsim export SAVE --format portfolio` on the b2b_saas sample save, as a process."""
    import tempfile

    compiled_bytecode()
    with tempfile.TemporaryDirectory(prefix="pmsim-bench-") as tmp:
        save = _sample_save(tmp)
        out = f"{tmp}/portfolio.md"
        cpu: list[float] = []
        times = timed(_command("export", save, "--format", "portfolio", "-o", out, "--force"), runs=5, cpu=cpu)
    return {"median_s": statistics.median(times), "cpu_s": round(statistics.median(cpu), 6), "runs": len(times)}


@benchmark("cli_help", target_s=0.3)
def bench_cli_help() -> dict[str, Any]:
    """`python -m pmsim --help` as a process; baseline: `python -c pass` (interpreter start-up)."""

    def run(*args: str) -> Callable[[], None]:
        return lambda: subprocess.run(
            [sys.executable, *args], check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL
        )

    compiled_bytecode()
    base = timed(run("-c", "pass"), runs=5)
    times = timed(run("-m", "pmsim", "--help"), runs=7)
    return {
        "median_s": statistics.median(times),
        "baseline_s": statistics.median(base),
        "runs": len(times),
    }


@benchmark("validate_scenario", target_s=0.3)
def bench_validate_scenario() -> dict[str, Any]:
    """`pmsim scenarios validate` on the default built-in scenario, as a process (the default
    checks; the key-result check that plays bot games is timed separately with --play)."""
    from pmsim.scenario.builtin import DEFAULT_SCENARIO, resolve

    path = str(resolve(DEFAULT_SCENARIO))
    compiled_bytecode()

    def run(*extra: str) -> Callable[[], None]:
        return lambda: subprocess.run(
            [sys.executable, "-m", "pmsim", "scenarios", "validate", *extra, path], check=True,
            stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        )

    times = timed(run(), runs=5)
    played = timed(run("--play"), runs=3)
    return {"median_s": statistics.median(times), "runs": len(times),
            "with_play_s": round(statistics.median(played), 6)}



def _human(row: dict[str, Any]) -> str:
    parts = [f"{row['name']:<16} median {row['median_s'] * 1000:9.1f} ms"]
    if row["baseline_s"] is not None:
        parts.append(f"baseline {row['baseline_s'] * 1000:7.1f} ms  ratio {row['ratio']:6.2f}")
    targets = []
    if "target_s" in row:
        targets.append(f"<= {row['target_s'] * 1000:.0f} ms")
    if "target_ratio" in row:
        targets.append(f"ratio <= {row['target_ratio']:g}")
    if targets:
        verdict = {True: "ok", False: "SLOW", None: "?"}[row["meets_target"]]
        parts.append(f"target {' and '.join(targets)}: {verdict}")
    if "cpu_s" in row:
        parts.append(f"cpu {row['cpu_s'] * 1000:.0f} ms")
    if "cold_s" in row:
        parts.append(f"first in a process {row['cold_s'] * 1000:.0f} ms")
    parts.append(f"({row['runs']} runs)")
    return "  ".join(parts)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--only", default="", metavar="NAME[,NAME...]", help="Run only these benchmarks.")
def bench(as_json: bool, only: str) -> None:
    """Time the engine and the CLI (median of several runs) against the issue's targets.

    Targets assume a 2-core machine; they are reported, not enforced.
    """
    import json

    _load_modules()
    names = [n.strip() for n in only.split(",") if n.strip()] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        raise click.BadParameter(
            f"unknown benchmark {', '.join(unknown)}: choose from {', '.join(BENCHMARKS)}",
            param_hint="'--only'",
        )
    for name in names:
        row = run(name)
        click.echo(json.dumps(row) if as_json else _human(row))
        sys.stdout.flush()
