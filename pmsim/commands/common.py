"""Helpers shared by the `pmsim` subcommands (kept free of heavy imports)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NoReturn

import click

db_option = click.option(
    "--db", "db_url", metavar="URL", default=None,
    help="Database URL (sqlite:///FILE or postgresql+psycopg://USER@HOST/DB). "
    "Default: $PMSIM_DB_URL, else the SQLite file shown by `pmsim saves path`.",
)


def storage_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """The storage layer's typed errors (`pmsim.storage.errors.StorageError`) become one line on
    stderr and their exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from pmsim.storage.errors import StorageError

        try:
            return func(*args, **kwargs)
        except StorageError as e:
            from pmsim.textsafe import plain

            click.echo(plain(str(e)), err=True)
            raise SystemExit(e.exit_code) from None

    return wrapper


def load_save(save: str, db_url: str | None):
    """The save SAVE names: an exported file is read without importing the database layer
    (`pmsim.storage.targets`); a save id is loaded from the database. Raises `StorageError`."""
    from pmsim.storage.targets import read_file_target

    rec = read_file_target(save)
    if rec is None:
        from pmsim.storage.saves import load_record

        rec = load_record(save, db_url)
    return rec


def fail(lines: list[str] | str, code: int = 2) -> NoReturn:
    """Print `lines` on stderr and exit with `code` (no traceback). Lines often quote a name or a
    path someone typed: control characters are made visible (pmsim.textsafe)."""
    from pmsim.textsafe import plain

    for line in [lines] if isinstance(lines, str) else lines:
        click.echo(plain(line), err=True)
    raise click.exceptions.Exit(code)


def okr_check_if(play: bool):
    """The lint's key-result check that plays quick bot games (the engine's), or None."""
    if not play:
        return None
    from pmsim.engine.okr_check import okr_problems

    return okr_problems


def gate_or_exit(id_or_path: str, *, force: bool = False, can_force: bool = False,
                 okr_check: bool = False):
    """Pass a scenario through the gate (`pmsim.scenario.gate`: the checks of `scenarios
    validate`), print its warnings on stderr, and return the `Checked` result; on an error print
    the same `path:line:col: error: ...` lines and exit 2. `can_force`: the command has --force
    (say so when that would help); `force`: it was given."""
    from pmsim.scenario.gate import check

    checked = check(id_or_path, force=force, okr_check=okr_check_if(okr_check))
    for line in checked.lines():
        click.echo(line, err=True)
    n = len(checked.errors)
    if checked.scenario is None:
        if checked.forcible and can_force:
            click.echo(f"{checked.path}: {n} error(s); fix them (pmsim scenarios validate), "
                       "or add --force to run it anyway", err=True)
        raise click.exceptions.Exit(2)
    if checked.errors:
        click.echo(f"{checked.path}: --force: going on despite {n} error(s); results may not mean much",
                   err=True)
    return checked


def load_or_exit(id_or_path: str, *, force: bool = False, can_force: bool = False):
    """The scenario, once through the gate (see `gate_or_exit`), or exit 2."""
    return gate_or_exit(id_or_path, force=force, can_force=can_force).scenario


def capped_jobs(jobs: int) -> int:
    """`--jobs` for this machine: 0 means one per CPU, and more than the CPUs is capped with a note
    (extra processes on a small machine only compete with each other)."""
    import os

    cpus = os.cpu_count() or 1
    if jobs > cpus:
        click.echo(f"note: --jobs {jobs} is more than the {cpus} CPU(s) here: using {cpus}", err=True)
    return min(jobs, cpus) or cpus


def json_text(obj: object, indent: int | None = 2) -> str:
    """JSON for output: never NaN or Infinity (not JSON; most parsers refuse them). A non-finite
    number reaching here is a bug: one line on stderr and exit 1, never invalid JSON."""
    import json

    try:
        return json.dumps(obj, indent=indent, allow_nan=False)
    except ValueError as exc:
        fail(f"internal error: a result is not a finite number ({exc}); nothing was written", 1)


# the --strategy help of `simulate` and `class add-bots` (a string, so that --help does not load
# the engine; tests/test_cli.py checks it names every bot in pmsim.engine.bots)
STRATEGY_HELP = ("Bot strategies: random, hippo, rice, researcher, oracle, analyst, spiker (all: every "
                 "one of these), or an analyst with one habit off: analyst-no-interviews, -surveys, "
                 "-competitive, -usability, -spikes, -musthaves, -answers, -renegotiation.")


def strategies_or_exit(spec: str) -> list[str]:
    from pmsim.engine.simulate import parse_strategies

    try:
        return parse_strategies(spec)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--strategy'") from None


def table(header: list[str], rows: list[list[str]], align: str = "") -> str:
    """A plain-text table; `align` has one letter per column, "l" or "r" (default: "l" then "r")."""
    align = align or "l" + "r" * (len(header) - 1)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for r in [header, *rows]:
        cells = [
            str(c).ljust(widths[i]) if align[i] == "l" else str(c).rjust(widths[i])
            for i, c in enumerate(r)
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


class LiveTable:
    """A table of each strategy's games, mean and 95% CI, redrawn in place on a terminal (at most
    every `every` seconds, and once at the end); erased when the block ends."""

    def __init__(self, stream: Any, games: int, every: float = 0.2) -> None:
        self.stream, self.games, self.every = stream, games, every
        self.lines = 0
        self.last = 0.0
        self.pending: dict[str, tuple[int, float, float]] | None = None

    def __enter__(self) -> LiveTable:
        return self

    def show(self, stats: dict[str, tuple[int, float, float]]) -> None:
        import time

        self.pending = stats
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self._draw()

    def render(self, stats: dict[str, tuple[int, float, float]]) -> list[str]:
        rows = []
        for n, (k, mean, half) in stats.items():
            ci = f"± {half:.2f}" if half != float("inf") else "± ?"
            rows.append([n, f"{k}/{self.games}", f"{mean:.2f}" if k else "-", ci])
        return table(["strategy", "games", "mean", "95% CI"], rows, align="lrrr").splitlines()

    def _draw(self) -> None:
        if self.pending is None:
            return
        lines = self.render(self.pending)
        out = "".join("\x1b[1A\x1b[2K" for _ in range(self.lines))  # up and clear the last table
        self.stream.write(out + "".join(f"{line}\n" for line in lines))
        self.stream.flush()
        self.lines = len(lines)

    def __exit__(self, *exc: object) -> None:
        self.stream.write("".join("\x1b[1A\x1b[2K" for _ in range(self.lines)))
        self.stream.flush()
        self.lines = 0
