"""`pmsim simulate`: play many bot games per strategy and summarize their scores."""

from __future__ import annotations

import sys
from typing import Any

import click

from pmsim.commands.common import (
    STRATEGY_HELP,
    LiveTable,
    capped_jobs,
    fail,
    gate_or_exit,
    json_text,
    strategies_or_exit,
    table,
)


@click.command()
@click.option(
    "--scenario",
    "scenario_arg",
    default="b2b_saas",
    show_default=True,
    metavar="ID|PATH",
    help="A built-in scenario id or a scenario file.",
)
@click.option(
    "--strategy",
    default="all",
    show_default=True,
    metavar="NAME[,NAME...]|all",
    help=STRATEGY_HELP,
)
@click.option(
    "--games",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Games per strategy.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0, max=2**63 - 1),
    default=0,
    show_default=True,
    help="Batch seed: game i gets the same seed for every strategy.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Worker processes (0, the default: one per CPU). The output does not depend on it.",
)
@click.option("--until-ci", "until_ci", type=click.FloatRange(min=0.0, min_open=True), default=None,
              metavar="POINTS",
              help="Stop early once every strategy's mean score is known to ± POINTS (95% CI), "
                   "after at least 10 games; --games is then the most played.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--save", "save", is_flag=True,
              help="Also store every game in the database, as player bot:<strategy>.")
@click.option("--db", "db_url", metavar="URL", default=None,
              help="Database for --save (default: $PMSIM_DB_URL, else `pmsim saves path`).")
@click.option("--force", is_flag=True,
              help="Run a scenario despite lint errors (never despite load errors).")
@click.option("--shared", is_flag=True,
              help="Play one shared market per game, one company per strategy, competing for the "
                   "same customers (adds each strategy's mean final market share).")
def simulate(
    scenario_arg: str, strategy: str, games: int, seed: int, jobs: int, until_ci: float | None,
    as_json: bool, save: bool, db_url: str | None, force: bool, shared: bool,
) -> None:
    """Play many bot games per strategy and summarize their scores.

    The same arguments always print the same output. With --save every game is also stored
    (a reference game an instructor can replay, fork or put in a report).
    """

    names = strategies_or_exit(strategy)
    if shared:
        from pmsim.commands.shared_sim import simulate_shared

        return simulate_shared(scenario_arg, names, games, seed, jobs, until_ci, as_json, save, force,
                               _stop_on_signals)
    checked = gate_or_exit(scenario_arg, force=force, can_force=True)
    sc = checked.scenario
    from pmsim.engine.simulate import run_batch

    if save:
        _save_bot_games(checked.text, sc, names, games, seed, db_url, quiet=as_json)

    from pmsim.engine.simulate import BatchInterrupted

    jobs = capped_jobs(jobs)
    total = games * len(names)
    with _stop_on_signals() as caught:
        try:
            if sys.stderr.isatty() and not as_json:
                # a live table on stderr that sharpens as games finish, erased before the summary
                with LiveTable(sys.stderr, games) as board:
                    result = run_batch(sc, names, games, seed, jobs=jobs, until_ci=until_ci, live=board.show)
            else:
                result = run_batch(sc, names, games, seed, jobs=jobs, until_ci=until_ci)
        except BatchInterrupted as e:
            result = e.partial
    _print_summary(result, result.get("games", games), seed, as_json)
    if result.get("partial"):
        import signal

        signum = caught[0] if caught else signal.SIGINT
        played = sum(result["played"].values())
        fail(f"simulate: stopped by {signal.Signals(signum).name} after {played} of {total} games: "
             "the summary is partial", 128 + signum)


class _Stopped(KeyboardInterrupt):
    """Raised (once) by the SIGTERM/SIGHUP handler of `pmsim simulate`, like Ctrl-C."""


class _stop_on_signals:
    """While active, the first SIGINT, SIGTERM or SIGHUP raises KeyboardInterrupt (run_batch then
    stops its workers and returns what finished); later ones are ignored, so nothing interrupts
    the clean-up. The signals caught are in the list it yields."""

    SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")

    def __enter__(self) -> list[int]:
        import signal
        import threading

        self.caught: list[int] = []
        self.old: dict[int, Any] = {}
        if threading.current_thread() is not threading.main_thread():
            return self.caught

        def handler(signum: int, frame: Any) -> None:
            self.caught.append(signum)
            if len(self.caught) == 1:
                raise _Stopped()

        for name in self.SIGNALS:
            sig = getattr(signal, name, None)
            if sig is not None:
                self.old[sig] = signal.signal(sig, handler)
        return self.caught

    def __exit__(self, *exc: object) -> None:
        import signal

        for sig, old in self.old.items():
            signal.signal(sig, old)


def _print_summary(result: dict[str, Any], games: int, seed: int, as_json: bool) -> None:
    if as_json:
        click.echo(json_text(result))
        return
    if result.get("partial"):
        played = result["played"]
        click.echo(f"{result['scenario']}: PARTIAL SUMMARY (interrupted): "
                   + ", ".join(f"{n} {k} of {games}" for n, k in played.items())
                   + f" games played, seed {seed}\n")
        if not result["strategies"]:
            click.echo("no game finished")
            return
    else:
        click.echo(f"{result['scenario']}: {games} games per strategy, seed {seed}")
        ci = result.get("until_ci")
        if ci is not None:
            click.echo(f"--until-ci {ci['target']:g}: " + (
                f"every mean known to ± {ci['target']:g} points (95% CI) after {games} games" if ci["met"]
                else f"not reached in {games} games (raise --games)"))
        click.echo("")
    stats = result["strategies"]
    with_ci = all("ci95" in s for s in stats.values())
    click.echo(
        table(
            ["strategy", "mean", *(["95% CI"] if with_ci else []), "sd", "p10", "p50", "p90"],
            [
                [n, f"{s['mean']:.2f}", *([f"± {s['ci95']:.2f}"] if with_ci else []),
                 *(f"{s[k]:.2f}" for k in ("sd", "p10", "p50", "p90"))]
                for n, s in stats.items()
            ],
        )
    )
    comps = list(next(iter(stats.values()))["components"])
    click.echo("\nscore components (mean, 0-1)\n")
    click.echo(
        table(
            ["strategy", *comps],
            [[n, *(f"{s['components'][c]:.3f}" for c in comps)] for n, s in stats.items()],
        )
    )


def _save_bot_games(text: str, sc, names: list[str], games: int, seed: int,
                    db_url: str | None, quiet: bool) -> None:
    """Play and store each game of the batch (the same seeds run_batch uses); `text` is the
    scenario file as the gate read and checked it."""
    from pmsim.engine.simulate import game_seed
    from pmsim.storage.errors import StorageError
    from pmsim.storage.saves import SaveStore
    from pmsim.storage.session import record_bot_game

    try:
        with SaveStore(db_url) as store:
            ids = []
            total = games * len(names)
            show = sys.stderr.isatty() and not quiet
            with click.progressbar(length=total, label="saving games", file=sys.stderr) if show else _Null() as bar:
                for n in names:
                    for i in range(games):
                        ids.append(record_bot_game(store, text, game_seed(seed, i), n, scenario=sc))
                        bar.update(1)
            if not quiet:
                click.echo(f"saved {len(ids)} games (ids {ids[0]}-{ids[-1]}) in {store.where}", err=True)
    except StorageError as exc:
        fail(str(exc))


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def update(self, n: int) -> None:
        return None

