"""The `pmsim` command.

Subcommands are loaded lazily: `COMMANDS` maps a command name to "module:attribute", and the
module is imported only when that command runs, so `pmsim --help` stays fast and imports none
of numpy, pydantic, Faker, Textual or SQLAlchemy. To add a command, add one entry to `COMMANDS`
(and a one-line summary to `SUMMARIES`, shown by `pmsim --help` without importing anything).
Command bodies import what they need inside the function, for the same reason.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

COMMANDS: dict[str, str] = {
    "play": "pmsim.commands.play:play",
    "serve": "pmsim.commands.serve:serve",
    "scenarios": "pmsim.commands.scenarios:scenarios",
    "simulate": "pmsim.commands.simulate:simulate",
    "bench": "pmsim.commands.bench:bench",
    "saves": "pmsim.commands.saves:saves",
    "replay": "pmsim.commands.replay:replay",
    "fork": "pmsim.commands.replay:fork",
    "export": "pmsim.commands.files:export",
    "import": "pmsim.commands.files:import_",
    "class": "pmsim.commands.classes:class_",
    "review": "pmsim.commands.review:review",
}

SUMMARIES: dict[str, str] = {
    "play": "Play the game in the terminal (new, --continue, --save ID, --class CODE [--company NAME]).",
    "serve": "Serve the game to a web browser (127.0.0.1); --class CODE: a graded class.",
    "scenarios": "Scenario files: list, validate, schema, new, balance, teach.",
    "simulate": "Play many bot games per strategy and summarize their scores (--shared: one market).",
    "bench": "Time the engine and the CLI; one JSON object per benchmark with --json.",
    "saves": "Saved games: list, delete, path (where the database is).",
    "replay": "Re-simulate a save (or --class CODE) round by round (--verify: check every round hash).",
    "fork": "Start a new game from a save, keeping its first N rounds.",
    "export": "Write a save (or --class CODE) to a file (or its decision log as csv/jsonl).",
    "import": "Check and import a .pmsave.json file as a new save (or a class file as a class).",
    "class": "Run a class on one scenario and seed (solo games or a shared market): create, list, roster, "
             "status, advance, report, add-bots.",
    "review": "The manager's end-of-internship review of a save: rating, return offer, five skills.",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use (see `COMMANDS`)."""

    def __init__(
        self,
        *args: Any,
        lazy: dict[str, str] | None = None,
        summaries: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy if lazy is not None else {}
        self.summaries = summaries if summaries is not None else {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module_name, _, attr = self.lazy[cmd_name].partition(":")
            cmd = getattr(importlib.import_module(module_name), attr)
            if not isinstance(cmd, click.Command):
                raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
            self.add_command(cmd, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List commands from `summaries`, without importing their modules."""
        rows = []
        for name in self.list_commands(ctx):
            if name in self.commands:
                cmd = self.commands[name]
                if cmd.hidden:
                    continue
                rows.append((name, cmd.get_short_help_str(limit=formatter.width - 6)))
            else:
                rows.append((name, self.summaries.get(name, "")))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    summaries=SUMMARIES,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="pmsim")
def cli() -> None:
    """pmsim: a product-management internship simulator for the terminal."""


INTERNAL_ERROR = 70  # EX_SOFTWARE: a bug in pmsim, not bad input (2) or a failed check (1)
TRACEBACK_ENV = "PMSIM_TRACEBACK"


def main(argv: list[str] | None = None) -> None:
    """The `pmsim` command. Every error a person can act on is reported by the command itself (one
    line, exit 2 for bad input); an exception that still gets here is a bug in pmsim. It is shown as
    one line naming the error and a file holding the traceback, with exit code 70, never as a
    traceback on screen (set PMSIM_TRACEBACK=1 to get the traceback instead)."""
    import os
    import sys

    try:
        cli.main(args=argv, prog_name="pmsim")
    except Exception as exc:
        if os.environ.get(TRACEBACK_ENV, "") not in ("", "0"):
            raise
        sys.exit(internal_error(exc))


def internal_error(exc: BaseException) -> int:
    """Report `exc` (a bug) as one line on stderr, its traceback written to a file; the exit code."""
    import tempfile
    import time
    import traceback

    from pmsim.textsafe import plain

    detail = "".join(traceback.format_exception(exc))
    where = None
    try:
        from pmsim.paths import user_data_dir

        folder = user_data_dir() / "crashes"
        folder.mkdir(parents=True, exist_ok=True)
    except Exception:
        folder = None
    for base in [folder, tempfile.gettempdir()]:
        if base is None:
            continue
        try:
            fd, where = tempfile.mkstemp(prefix=time.strftime("pmsim-crash-%Y%m%d-%H%M%S-"), suffix=".txt",
                                         dir=base)
            with open(fd, "w", encoding="utf-8") as fh:
                fh.write(detail)
            break
        except OSError:
            where = None
    try:
        said = str(exc)
    except Exception:  # an exception that cannot even say what it is
        said = "(its message could not be printed)"
    what = plain(f"{type(exc).__name__}: {said}")[:300]
    kept = f"; the details are in {where}" if where else ""
    click.echo(f"pmsim: internal error (a bug in pmsim, not in your input): {what}{kept}. "
               f"Please report it.", err=True)
    return INTERNAL_ERROR


from pmsim.commands.common import (  # noqa: E402,F401
    LiveTable,
    fail,
    gate_or_exit,
    json_text,
    load_or_exit,
    strategies_or_exit,
    table,
)
