"""`pmsim bench` entries of the shared market (issue 14): resolving one quarter for 30 companies
(b2b_saas as authored, and with 1,000,000 customers) and `pmsim class status` as a process."""

from __future__ import annotations

import statistics
import subprocess
import sys
from typing import Any

from pmsim.bench import benchmark, compiled_bytecode, timed

COMPANIES = 30


def _quarter(population: int | None, runs: int) -> dict[str, Any]:
    from pmsim.engine import EndRound
    from pmsim.engine.shared import SharedGame
    from pmsim.scenario.builtin import resolve
    from pmsim.scenario.loader import load_scenario

    sc = load_scenario(resolve("b2b_saas"))
    if population is not None:
        sc = sc.model_copy(update={"market": sc.market.model_copy(update={"population": population})})
    names = [f"Company {i + 1}" for i in range(COMPANIES)]

    def ready() -> SharedGame:  # every company but the last has ended the quarter
        game = SharedGame(sc, 1, names)
        for c in range(COMPANIES - 1):
            game.apply(c, EndRound())
        return game

    cpu: list[float] = []
    times = timed(lambda g: g.apply(COMPANIES - 1, EndRound()), runs=runs, setup=ready, warmup=0, cpu=cpu)
    return {"median_s": statistics.median(times), "cpu_s": round(statistics.median(cpu), 6), "runs": len(times),
            "companies": COMPANIES, "population": sc.market.population}


@benchmark("shared_round_30", target_s=1.0)
def bench_shared_round_30() -> dict[str, Any]:
    """One quarter of a 30-company shared market of b2b_saas resolved (the last EndRound)."""
    return _quarter(None, runs=5)


@benchmark("shared_round_30_1m", target_s=3.0)
def bench_shared_round_30_1m() -> dict[str, Any]:
    """The same with 1,000,000 customers."""
    return _quarter(1_000_000, runs=3)


@benchmark("class_status", target_s=0.3)
def bench_class_status() -> dict[str, Any]:
    """`pmsim class status CODE` as a process, on a SQLite file holding a 6-company shared class
    one quarter in."""
    import tempfile
    from pathlib import Path

    from pmsim.scenario.builtin import resolve
    from pmsim.storage import shared_market
    from pmsim.storage.saves import SaveStore

    compiled_bytecode()
    with tempfile.TemporaryDirectory(prefix="pmsim-bench-") as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        with SaveStore(url) as store:
            text = Path(resolve("tutorial")).read_text(encoding="utf-8")
            code = shared_market.create(store, "bench", text, 1, shared_market.company_names(6)).code
            shared_market.advance(store, code)
        cmd = [sys.executable, "-m", "pmsim", "class", "status", code, "--db", url]
        cpu: list[float] = []
        times = timed(lambda: subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL),
                      runs=5, cpu=cpu)
    return {"median_s": statistics.median(times), "cpu_s": round(statistics.median(cpu), 6), "runs": len(times)}
