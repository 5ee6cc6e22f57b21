"""The `pmsim` command.

Subcommands are loaded lazily: `COMMANDS` maps a command name to "module:attribute", and the
module is imported only when that command runs, so `pmsim --help` stays fast and imports none
of numpy, pydantic, Faker, Textual or SQLAlchemy. To add a command, add one entry to `COMMANDS`
(and a one-line summary to `SUMMARIES`, shown by `pmsim --help` without importing anything).
Command bodies import what they need inside the function, for the same reason.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any, NoReturn

import click

COMMANDS: dict[str, str] = {
    "play": "pmsim.cli:play",
    "scenarios": "pmsim.cli:scenarios",
    "simulate": "pmsim.cli:simulate",
    "bench": "pmsim.bench:bench",
}

SUMMARIES: dict[str, str] = {
    "play": "Play a game (for now: watch a bot play; the interactive TUI is coming).",
    "scenarios": "List and validate scenario files.",
    "simulate": "Play many bot games per strategy and summarize their scores.",
    "bench": "Time the engine and the CLI; one JSON object per benchmark with --json.",
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


# ---------------------------------------------------------------------- helpers
def fail(lines: list[str] | str, code: int = 2) -> NoReturn:
    """Print `lines` on stderr and exit with `code` (no traceback)."""
    for line in [lines] if isinstance(lines, str) else lines:
        click.echo(line, err=True)
    raise click.exceptions.Exit(code)


def load_or_exit(id_or_path: str):
    """Resolve and load a scenario, or print its problems and exit 2."""
    from pmsim.scenario.builtin import resolve
    from pmsim.scenario.loader import ScenarioError, load_scenario

    try:
        return load_scenario(resolve(id_or_path))
    except ScenarioError as exc:
        fail(exc.lines())


def strategies_or_exit(spec: str) -> list[str]:
    from pmsim.engine.simulate import parse_strategies

    try:
        return parse_strategies(spec)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--strategy'") from None


def _table(header: list[str], rows: list[list[str]], align: str = "") -> str:
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


# ---------------------------------------------------------------------- scenarios
@click.group()
def scenarios() -> None:
    """List and validate scenario files."""


@scenarios.command("list")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a JSON list of {id, title, path, rounds, difficulty}.",
)
def scenarios_list(as_json: bool) -> None:
    """List the built-in scenarios."""
    from pmsim.scenario.builtin import list_builtin
    from pmsim.scenario.loader import ScenarioError

    try:
        rows = list_builtin()
    except ScenarioError as exc:
        fail(exc.lines())
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(
        _table(
            ["id", "rounds", "difficulty", "title"],
            [[r["id"], str(r["rounds"]), r["difficulty"], r["title"]] for r in rows],
            align="lrll",
        )
    )


@scenarios.command("validate")
@click.argument("paths", nargs=-1, required=True)
@click.option("--strict", is_flag=True, help="Exit 1 when there are warnings.")
@click.option("--no-play", "no_play", is_flag=True,
              help="Skip the key-result check that plays quick bot games.")
def scenarios_validate(paths: tuple[str, ...], strict: bool, no_play: bool) -> None:
    """Check scenario files: schema, references, and a lint for authors.

    One `path:line:col: error|warning: message` line per problem. The lint warns about work
    that can never fit capacity, stakeholders who never ask anything, and key results that even
    the oracle bot cannot reach or that every bot reaches (quick bot games on a smaller market).
    Exits 0 when clean, 1 on warnings with --strict, 2 on errors.
    """
    from pmsim.scenario.builtin import resolve
    from pmsim.scenario.lint import lint_file
    from pmsim.scenario.loader import ScenarioError

    status = 0
    for name in paths:
        try:
            path = resolve(name)
        except ScenarioError as exc:
            click.echo("\n".join(exc.lines()))
            status = 2
            continue
        scenario, problems = lint_file(path, okr_check=not no_play)
        for p in problems:
            click.echo(p.format(with_severity=True))
        if scenario is None:
            status = 2
        else:
            warnings = sum(1 for p in problems if p.severity == "warning")
            if warnings and strict:
                status = max(status, 1)
            tail = f", {warnings} warning(s)" if warnings else ""
            click.echo(f"{path}: ok ({scenario.meta.id}: {scenario.meta.title}){tail}")
    raise click.exceptions.Exit(status)


@scenarios.command("schema")
def scenarios_schema() -> None:
    """Print the JSON Schema (draft 2020-12) of scenario files, generated from the models."""
    from pmsim.scenario.schema import schema_text

    click.echo(schema_text(), nl=False)


# ---------------------------------------------------------------------- simulate
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
    help="Bot strategies: random, hippo, rice, researcher, oracle.",
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
    default=1,
    show_default=True,
    help="Worker processes (0: one per CPU). The output does not depend on it.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def simulate(
    scenario_arg: str, strategy: str, games: int, seed: int, jobs: int, as_json: bool
) -> None:
    """Play many bot games per strategy and summarize their scores.

    The same arguments always print the same output.
    """
    import os

    names = strategies_or_exit(strategy)
    sc = load_or_exit(scenario_arg)
    from pmsim.engine.simulate import run_batch

    jobs = jobs or os.cpu_count() or 1
    total = games * len(names)
    if sys.stderr.isatty() and not as_json:
        with click.progressbar(length=total, label="simulating", file=sys.stderr) as bar:
            result = run_batch(sc, names, games, seed, jobs=jobs, progress=bar.update)
    else:
        result = run_batch(sc, names, games, seed, jobs=jobs)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"{result['scenario']}: {games} games per strategy, seed {seed}\n")
    stats = result["strategies"]
    click.echo(
        _table(
            ["strategy", "mean", "sd", "p10", "p50", "p90"],
            [
                [n, *(f"{s[k]:.2f}" for k in ("mean", "sd", "p10", "p50", "p90"))]
                for n, s in stats.items()
            ],
        )
    )
    comps = list(next(iter(stats.values()))["components"])
    click.echo("\nscore components (mean, 0-1)\n")
    click.echo(
        _table(
            ["strategy", *comps],
            [[n, *(f"{s['components'][c]:.3f}" for c in comps)] for n, s in stats.items()],
        )
    )


# ---------------------------------------------------------------------- play (placeholder)
@click.command()
@click.option(
    "--scenario", "scenario_arg", default="b2b_saas", show_default=True, metavar="ID|PATH"
)
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=0, show_default=True)
@click.option(
    "--strategy",
    default="researcher",
    show_default=True,
    type=click.Choice(["random", "hippo", "rice", "researcher", "oracle"]),
    help="The bot that plays.",
)
def play(scenario_arg: str, seed: int, strategy: str) -> None:
    """Watch a bot play a game (a placeholder until the interactive TUI lands)."""
    sc = load_or_exit(scenario_arg)
    from pmsim.engine import new_game
    from pmsim.engine.bots import play_round

    click.echo(
        "The interactive TUI is coming. Until then, `pmsim play` shows the bot "
        f"'{strategy}' playing {sc.meta.id} with seed {seed}.\n"
    )
    click.echo(f"{sc.meta.title}\n{sc.meta.summary}\n")
    game = new_game(sc, seed)
    while not game.finished:
        rep = play_round(game, strategy)
        m = rep["metrics"]
        click.echo(f"Round {rep['round']}/{sc.rounds}  score {rep['score']['score']:.1f}")
        click.echo(
            f"  shipped: {', '.join(rep['shipped']) or '-'}   slipped: {', '.join(rep['slipped']) or '-'}"
        )
        click.echo(
            f"  customers {m['customers']:,}  revenue {m['revenue']:,.0f}  NPS {m['nps']:+.1f}  "
            f"churn {100 * m['churn_rate']:.1f}%  activation {100 * m['activation_rate']:.1f}%"
        )
        for item in rep["news"]:
            click.echo(f"  news: {item['text']}")
        for r in rep["reactions"]:
            click.echo(f"  {r['text']}")
    card = game.score()
    click.echo(f"\nFinal score: {card['score']:.1f} / 100")
    for name, value in card["components"].items():
        click.echo(f"  {name:<18} {value:.2f}  (weight {card['weights'][name]:.2f})")


if __name__ == "__main__":  # pragma: no cover
    main()
