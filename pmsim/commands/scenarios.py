"""`pmsim scenarios`: list, validate, schema, new, balance — the scenario author's tools."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pmsim.commands.common import (
    capped_jobs,
    fail,
    load_or_exit,
    okr_check_if,
    strategies_or_exit,
    table,
)


@click.group()
def scenarios() -> None:
    """Scenario files: list, validate, schema, new (a template), balance and teach (bot runs)."""


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
        click.echo(json.dumps(rows, indent=2, allow_nan=False))
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
    that can never fit capacity and stakeholders who never ask anything; with --play also about
    key results that even the oracle bot cannot reach or that every bot reaches (quick bot games
    on a smaller market; `balance` shows what each bot reaches on the full market). Every command
    that loads a scenario runs these same checks (without --play) and refuses a file with an
    error. Exits 0 when clean, 1 on warnings with --strict, 2 on errors.
    """
    from pmsim.scenario.gate import check

    status = 0
    for name in paths:
        # the gate every command that loads a scenario uses
        checked = check(name, okr_check=okr_check_if(play))
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
    if not path.parent.is_dir():  # a typo in the folder should not quietly create a new tree
        fail(f"{path.parent}: no such folder: create it first, or write the file somewhere that exists")
    try:
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
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=0, show_default=True,
              help="Batch seed: game i gets the same seed for every strategy (same seed, same output).")
@click.option("--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes (0: one per CPU).")
@click.option("--json", "as_json", is_flag=True,
              help="Print everything as JSON: key_results, components, warnings, advice, teach, every game.")
@click.option("--force", is_flag=True, help="Balance a draft despite lint errors (never despite load errors).")
@click.option("--teach/--no-teach", "with_teach", default=True, show_default=True,
              help="Also measure what skipping each good habit costs (scenarios teach; about twice the time).")
@click.option("--until-ci", "until_ci", type=click.FloatRange(min=0.0, min_open=True), default=None,
              metavar="POINTS",
              help="Stop early once every bot's mean score is known to ± POINTS (95% CI), after at "
                   "least 10 games; --games is then the most played (teach plays as many).")
@click.option("--shared", is_flag=True,
              help="Instead, play the bots as rival companies in one market per game (researcher, rice, "
                   "random, hippo) and report each one's mean score and final market share.")
def scenarios_balance(scenario_arg: str, games: int, seed: int, jobs: int, as_json: bool, force: bool,
                      with_teach: bool, until_ci: float | None, shared: bool) -> None:
    """Play every bot many times and say where the scenario fails to teach, and what to change.

    Shows the score distribution per strategy (a table and a histogram from 0 to 100), the mean
    of each component per strategy, then a table per key result: its start (round 0), target and
    what each bot reaches (mean, p10-p90), flagged when random play does as well as rice or the
    oracle misses it. Then warnings (bad practice within a few points of good practice, OKRs
    trivially met or impossible, a component that never varies), each with concrete advice.
    Exits 1 when there are warnings.

    With --shared, the bots compete instead: each game is one market where researcher, rice,
    random and hippo are rival companies (as `simulate --shared`). It shows each one's mean score
    and mean final market share, and warns when good practice (researcher, rice) does not beat bad
    practice (random, hippo) in either.
    """
    if shared:
        return _balance_shared(scenario_arg, games, seed, jobs, as_json, force, until_ci)
    from pmsim.commands.common import LiveTable, json_text
    from pmsim.engine.balance import explain, play_batch
    from pmsim.engine.bots import STRATEGIES

    sc = load_or_exit(scenario_arg, force=force, can_force=True)  # the gate: validate's checks
    names = strategies_or_exit(",".join(STRATEGIES))
    jobs = capped_jobs(jobs)
    # teach's bots play alongside, on the same markets (each seed's built once for all of them)
    if sys.stderr.isatty() and not as_json:
        if with_teach:
            click.echo("also measuring what each habit is worth (--no-teach skips it)…", err=True)
        # a live table on stderr that sharpens as games finish, erased before the report
        with LiveTable(sys.stderr, games) as board:
            batch = play_batch(sc, names, games, seed, jobs=jobs, until_ci=until_ci, live=board.show,
                               teach=with_teach)
    else:
        batch = play_batch(sc, names, games, seed, jobs=jobs, until_ci=until_ci, teach=with_teach)
    report = explain(sc, batch, jobs=jobs, teach=with_teach)
    status = 1 if report["warnings"] else 0
    if as_json:
        click.echo(json_text(report))
        raise click.exceptions.Exit(status)
    click.echo(render_balance(report, sc))
    raise click.exceptions.Exit(status)


def _balance_shared(scenario_arg: str, games: int, seed: int, jobs: int, as_json: bool, force: bool,
                    until_ci: float | None) -> None:
    """`scenarios balance --shared` (engine/shared_batch.py plays the markets and judges them)."""
    from pmsim.commands.common import json_text
    from pmsim.engine.shared_batch import BALANCE_STRATEGIES, run_shared_batch, shared_warnings
    from pmsim.engine.simulate import BatchInterrupted

    ctx = click.get_current_context()
    if until_ci is not None:
        fail("scenarios balance: --shared cannot be used with --until-ci")
    if ctx.get_parameter_source("with_teach") == click.core.ParameterSource.COMMANDLINE and ctx.params["with_teach"]:
        fail("scenarios balance: --shared cannot be used with --teach (behaviours are measured solo)")
    sc = load_or_exit(scenario_arg, force=force, can_force=True)
    jobs = capped_jobs(jobs)
    try:
        if sys.stderr.isatty() and not as_json:
            with click.progressbar(length=games, label="shared markets", file=sys.stderr) as bar:
                result = run_shared_batch(sc, BALANCE_STRATEGIES, games, seed, jobs=jobs, progress=bar.update)
        else:
            result = run_shared_batch(sc, BALANCE_STRATEGIES, games, seed, jobs=jobs)
    except BatchInterrupted as e:
        played = next(iter(e.partial.get("played", {}).values()), 0)
        fail(f"scenarios balance: interrupted after {played} of {games} shared markets", 130)
    report = {**result, "warnings": shared_warnings(result)}
    status = 1 if report["warnings"] else 0
    if as_json:
        click.echo(json_text(report))
        raise click.exceptions.Exit(status)
    stats = report["strategies"]
    click.echo(f"{sc.meta.id}: {games} shared markets, one company per strategy "
               f"({', '.join(stats)}), seed {seed}\n")
    click.echo(table(["strategy", "mean score", "sd", "p10", "p90", "final share"],
                     [[n, *(f"{s[k]:.1f}" for k in ("mean", "sd", "p10", "p90")), f"{100 * s['share_mean']:.1f}%"]
                      for n, s in stats.items()], align="lrrrrr"))
    click.echo("")
    for w in report["warnings"]:
        click.echo(f"warning: {w}")
    if not report["warnings"]:
        click.echo("ok: in the shared market, good practice (researcher, rice) beats bad practice "
                   "(random, hippo) in mean score and final share")
    raise click.exceptions.Exit(status)


def render_balance(report: dict, sc) -> str:
    """The text of `pmsim scenarios balance` (see `pmsim.engine.balance.explain`)."""
    from pmsim.engine.balance import _num, decimals, histogram

    out = [f"{sc.meta.id}: {report['games']} games per strategy, seed {report['seed']}", ""]
    ci = report.get("until_ci")
    if ci is not None:
        widest = max(ci["ci95"].values(), default=0.0)
        out[-1:] = [f"--until-ci {ci['target']:g}: " + (
            f"every mean known to ± {ci['target']:g} points (95% CI; widest ± {widest:.2f})" if ci["met"]
            else f"not reached in {report['games']} games (widest ± {widest:.2f}; raise --games)"), ""]
    stats = report["strategies"]
    rows = [[n, f"{s['mean']:.1f}", f"{s['sd']:.1f}", f"{s['p10']:.1f}", f"{s['p90']:.1f}",
             histogram([g["score"] for g in report["raw"][n]])] for n, s in stats.items()]
    out.append(table(["strategy", "mean", "sd", "p10", "p90", "0 ······ scores ······ 100"], rows, align="lrrrrl"))
    comps = list(next(iter(stats.values()))["components"])
    out += ["", "score components (mean, 0-1)", ""]
    out.append(table(["strategy", *comps], [[n, *(f"{report['components'][n][c]:.2f}" for c in comps)]
                                            for n in stats]))
    flag_text = {"random_beats_rice": "random ≥ rice", "oracle_misses": "the oracle misses it",
                 "random_reaches": "random reaches it", "already_met": "met at the start"}
    for kr in report["key_results"]:
        seg = f", segment {kr['segment']}" if kr["segment"] else ""
        arrow = "↑" if kr["direction"] == "increase" else "↓"
        d = decimals(kr["start"], kr["target"], *(r[k] for r in kr["reached"].values() for k in ("mean", "p10", "p90")))
        out += ["", f"key result {kr['id']} ({kr['metric']}{seg}): start {_num(kr['start'], d)}, "
                    f"target {_num(kr['target'], d)} {arrow}"
                    + (f" (aspirational: full credit at {_num(kr['full_credit_at'], d)})"
                       if kr["kind"] == "aspirational" else ""), ""]
        out.append(table(["strategy", "mean", "p10", "p90"],
                         [[n, _num(r["mean"], d), _num(r["p10"], d), _num(r["p90"], d)]
                          for n, r in kr["reached"].items()]))
        if kr["flags"]:
            out.append("flags: " + ", ".join(flag_text.get(f, f) for f in kr["flags"]))
    teach = report.get("teach")
    if teach:  # `pmsim scenarios teach`, through balance.teach_section
        out += ["", "what each behaviour is worth (scenarios teach)", ""]
        out.append(table(teach["columns"], teach["rows"]))
        if teach.get("note"):
            out.append(teach["note"])
    out.append("")
    if report["warnings"]:
        out += [f"warning: {w}" for w in report["warnings"]]
        out += [f"advice: {a}" for a in report["advice"]]
    else:
        out.append("ok: good practice beats bad practice, every key result tells them apart, every component varies")
    return "\n".join(out)


@scenarios.command("teach")
@click.argument("scenario_arg", metavar="ID|PATH")
@click.option("--games", type=click.IntRange(min=2), default=100, show_default=True,
              help="Games per strategy (paired: the same seeds for every strategy).")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=0, show_default=True,
              help="Batch seed: game i gets the same seed for every strategy (same seed, same output).")
@click.option("--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes (0: one per CPU).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def scenarios_teach(scenario_arg: str, games: int, seed: int, jobs: int, as_json: bool) -> None:
    """What skipping each of a careful player's behaviours costs on this scenario.

    Plays the analyst bot (interviews, surveys, competitive analysis, usability tests, spikes,
    must-haves first, answering stakeholders, renegotiating at-risk promises) and, on the same
    seeds, the analyst with one behaviour switched off. For each behaviour: the mean score
    cost of skipping it with a 95% CI, Cohen's d of the paired differences, and the score
    component it mostly comes from. A behaviour is taught when skipping it costs at least 3
    points with d of at least 0.5. Exits 1 when some behaviour is not taught.
    """

    from pmsim.engine.bots import BEHAVIOURS
    from pmsim.engine.teach import TABLE_COLUMNS, table_rows, teach, warnings

    sc = load_or_exit(scenario_arg)
    jobs = capped_jobs(jobs)
    total = games * (len(BEHAVIOURS) + 1)
    if sys.stderr.isatty() and not as_json:
        with click.progressbar(length=total, label="teaching", file=sys.stderr) as bar:
            result = teach(sc, games, seed, jobs=jobs, progress=bar.update)
    else:
        result = teach(sc, games, seed, jobs=jobs)
    found = warnings(result)
    if as_json:
        click.echo(json.dumps({**result, "warnings": found}, indent=2, allow_nan=False))
        raise click.exceptions.Exit(1 if found else 0)
    base = result["baseline"]
    click.echo(f"{sc.meta.id}: {games} paired games, seed {seed}; the analyst scores "
               f"{base['mean']:.1f} (sd {base['sd']:.1f})\n")
    click.echo(table(TABLE_COLUMNS, table_rows(result), align="lrrrll"))
    click.echo("")
    if found:
        for w in found:
            click.echo(f"warning: {w}")
        raise click.exceptions.Exit(1)
    click.echo("ok: skipping any behaviour costs at least 3 points")
