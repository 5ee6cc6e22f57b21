"""`pmsim scenarios`: list, validate, schema, new, balance — the scenario author's tools."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pmsim.commands.common import fail, load_or_exit, strategies_or_exit, table


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
        table(
            ["id", "rounds", "difficulty", "title"],
            [[r["id"], str(r["rounds"]), r["difficulty"], r["title"]] for r in rows],
            align="lrll",
        )
    )


@scenarios.command("validate")
@click.argument("paths", nargs=-1, required=True)
@click.option("--strict", is_flag=True, help="Exit 1 when there are warnings.")
@click.option("--play/--no-play", "play", default=False, show_default=True,
              help="Also check key results by playing quick bot games (about a second).")
def scenarios_validate(paths: tuple[str, ...], strict: bool, play: bool) -> None:
    """Check scenario files: schema, references, and a lint for authors.

    One `path:line:col: error|warning: message` line per problem. The lint warns about work
    that can never fit capacity and stakeholders who never ask anything; with --play (and always
    in `balance`) also about key results that even the oracle bot cannot reach or that every bot
    reaches (quick bot games on a smaller market). Exits 0 when clean, 1 on warnings with
    --strict, 2 on errors.
    """
    from pmsim.scenario.gate import check

    status = 0
    for name in paths:
        checked = check(name, okr_check=play)  # the gate every command that loads a scenario uses
        for line in checked.lines():
            click.echo(line)
        scenario = checked.scenario
        if scenario is None:
            status = 2
        else:
            warnings = len(checked.warnings)
            if warnings and strict:
                status = max(status, 1)
            tail = f", {warnings} warning(s)" if warnings else ""
            click.echo(f"{checked.path}: ok ({scenario.meta.id}: {scenario.meta.title}){tail}")
    raise click.exceptions.Exit(status)


@scenarios.command("schema")
def scenarios_schema() -> None:
    """Print the JSON Schema (draft 2020-12) of scenario files, generated from the models."""
    from pmsim.scenario.schema import schema_text

    click.echo(schema_text(), nl=False)


@scenarios.command("new")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "source", metavar="ID", help="Copy a built-in scenario instead of the template.")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def scenarios_new(path: Path, source: str | None, force: bool) -> None:
    """Write a commented scenario template (or a copy of a built-in) to PATH.

    The file validates and plays as it is; edit it from there. A schema.json is written beside
    it (if there is none) so that editors with YAML language support complete and check it.
    """
    from importlib.resources import files

    from pmsim.scenario.builtin import resolve
    from pmsim.scenario.loader import ScenarioError

    if path.exists() and not force:
        fail(f"{path}: already exists (use --force to overwrite)")
    if source:
        try:
            text = resolve(source).read_text(encoding="utf-8")
        except ScenarioError as exc:
            fail(exc.lines())
    else:
        text = files("pmsim.scenario").joinpath("template.yaml").read_text(encoding="utf-8")
    stem = path.stem.split(".")[0].lower()
    new_id = "".join(c if c.isalnum() else "_" for c in stem).strip("_") or "my_scenario"
    if not new_id[0].isalpha():
        new_id = "s_" + new_id
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("  id: "):  # meta.id: the first two-space-indented id
            rest = line.split("#", 1)
            comment = ("  #" + rest[1]) if len(rest) > 1 else "\n"
            lines[i] = f"  id: {new_id[:40]}" + comment
            break
    from pmsim.scenario.schema import schema_text

    schema = path.parent / "schema.json"  # the file's first line points editors at it
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(lines), encoding="utf-8")
        if not schema.exists():
            schema.write_text(schema_text(), encoding="utf-8")
    except OSError as exc:
        fail(f"{path}: cannot write: {exc.strerror or exc}")
    click.echo(f"wrote {path} (id {new_id[:40]}) and {schema.name} beside it for your editor. "
               f"Next: pmsim scenarios validate {path}")


@scenarios.command("balance")
@click.argument("scenario_arg", metavar="ID|PATH")
@click.option("--games", type=click.IntRange(min=2), default=40, show_default=True,
              help="Games per strategy.")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=0, show_default=True)
@click.option("--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes (0: one per CPU).")
@click.option("--json", "as_json", is_flag=True, help="Print the batch and the warnings as JSON.")
def scenarios_balance(scenario_arg: str, games: int, seed: int, jobs: int, as_json: bool) -> None:
    """Play every bot many times and say where the scenario fails to teach.

    Shows the score distribution per strategy (a table and a histogram from 0 to 100) and the
    mean of each component, then warns where bad practice comes within a few points of good
    practice, OKRs are trivially met or impossible, or a component never varies.
    Exits 1 when there are warnings.
    """
    import os

    from pmsim.engine.bots import STRATEGIES
    from pmsim.engine.simulate import run_batch
    from pmsim.scenario.balance import histogram, warnings

    sc = load_or_exit(scenario_arg)
    names = strategies_or_exit(",".join(STRATEGIES))
    jobs = jobs or os.cpu_count() or 1
    total = games * len(names)
    if sys.stderr.isatty() and not as_json:
        with click.progressbar(length=total, label="balancing", file=sys.stderr) as bar:
            batch = run_batch(sc, names, games, seed, jobs=jobs, progress=bar.update, raw=True)
    else:
        batch = run_batch(sc, names, games, seed, jobs=jobs, raw=True)
    from pmsim.scenario.builtin import resolve
    from pmsim.scenario.lint import lint_file

    found = warnings(batch)
    _, problems = lint_file(resolve(scenario_arg), okr_check=True)
    found += [p.format(with_severity=False) for p in problems if "key result" in p.message]
    if as_json:
        click.echo(json.dumps({**batch, "warnings": found}, indent=2))
        raise click.exceptions.Exit(1 if found else 0)
    stats = batch["strategies"]
    click.echo(f"{sc.meta.id}: {games} games per strategy, seed {seed}\n")
    rows = []
    for n, s in stats.items():
        scores = [g["score"] for g in batch["raw"][n]]
        rows.append([n, f"{s['mean']:.1f}", f"{s['sd']:.1f}", f"{s['p10']:.1f}", f"{s['p90']:.1f}",
                     histogram(scores)])
    click.echo(table(["strategy", "mean", "sd", "p10", "p90", "0 ······ scores ······ 100"], rows,
                     align="lrrrrl"))
    comps = list(next(iter(stats.values()))["components"])
    click.echo("\nscore components (mean, 0-1)\n")
    click.echo(table(["strategy", *comps],
                     [[n, *(f"{s['components'][c]:.2f}" for c in comps)] for n, s in stats.items()]))
    click.echo("")
    if found:
        for w in found:
            click.echo(f"warning: {w}")
        raise click.exceptions.Exit(1)
    click.echo("ok: good practice beats bad practice, OKRs discriminate, every component varies")
