"""`pmsim simulate --shared`: bots as companies in one market per game (engine/shared_batch.py)."""

from __future__ import annotations

import sys
from typing import Any

import click

from pmsim.commands.common import capped_jobs, fail, gate_or_exit, json_text, table


def simulate_shared(scenario_arg: str, names: list[str], games: int, seed: int, jobs: int,
                    until_ci: float | None, as_json: bool, save: bool, force: bool, stop_on_signals: Any) -> None:
    """`simulate --shared`; `stop_on_signals` is simulate's (a Ctrl-C or SIGTERM stops the workers
    and prints what finished)."""
    if save:
        fail("simulate: --shared cannot be used with --save (shared markets are not stored yet)")
    if until_ci is not None:
        fail("simulate: --shared cannot be used with --until-ci")
    checked = gate_or_exit(scenario_arg, force=force, can_force=True)
    from pmsim.engine.shared_batch import run_shared_batch
    from pmsim.engine.simulate import BatchInterrupted

    jobs = capped_jobs(jobs)
    with stop_on_signals() as caught:
        try:
            result = run_shared_batch(checked.scenario, names, games, seed, jobs=jobs)
        except BatchInterrupted as e:
            result = e.partial
    if as_json:
        click.echo(json_text(result))
    else:
        _print(result, games, seed)
    if result.get("partial"):
        import signal

        signum = caught[0] if caught else signal.SIGINT
        played = next(iter(result["played"].values()), 0)
        fail(f"simulate: stopped by {signal.Signals(signum).name} after {played} of {games} shared markets: "
             "the summary is partial", 128 + signum)


def _print(result: dict[str, Any], games: int, seed: int) -> None:
    stats = result["strategies"]
    partial = " (PARTIAL: interrupted)" if result.get("partial") else ""
    click.echo(f"{result['scenario']}: {games} shared markets, one company per strategy, seed {seed}{partial}\n")
    if not stats:
        click.echo("no market finished")
        return
    click.echo(table(
        ["strategy", "mean", "sd", "p10", "p50", "p90", "share"],
        [[n, *(f"{s[k]:.2f}" for k in ("mean", "sd", "p10", "p50", "p90")), f"{100 * s['share_mean']:.1f}%"]
         for n, s in stats.items()],
    ))
    comps = list(next(iter(stats.values()))["components"])
    click.echo("\nscore components (mean, 0-1)\n")
    click.echo(table(["strategy", *comps],
                     [[n, *(f"{s['components'][c]:.3f}" for c in comps)] for n, s in stats.items()]))
    sys.stdout.flush()
