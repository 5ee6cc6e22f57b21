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


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="pmsim")


from pmsim.commands.common import (  # noqa: E402,F401
    LiveTable,
    fail,
    gate_or_exit,
    json_text,
    load_or_exit,
    strategies_or_exit,
    table,
)
