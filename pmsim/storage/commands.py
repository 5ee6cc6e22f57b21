"""Click commands for saved games. Registered lazily in pmsim/cli.py:

    "saves": "pmsim.storage.commands:saves",     "replay": "pmsim.storage.commands:replay",
    "fork": "pmsim.storage.commands:fork",       "export": "pmsim.storage.commands:export",
    "import": "pmsim.storage.commands:import_",

Every command takes `--db URL` (else $PMSIM_DB_URL, else the default SQLite file). SAVE is a
save id in that database or the path of an exported `.pmsave.json` (use ./3 for a file named 3).
Exit codes: 0 fine, 1 a replay differs from its record (state hashes or recorded scores), 2
anything that could not be done (bad input, damaged save, unreachable database, an export onto an
existing file without --force) with one line on stderr, never a traceback. Names and other text
from a save are printed through pmsim.textsafe, so a save cannot send escape codes to a terminal.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from pmsim.storage.errors import StorageError

db_option = click.option(
    "--db", "db_url", metavar="URL", default=None,
    help="Database URL (sqlite:///FILE or postgresql+psycopg://USER@HOST/DB). "
    "Default: $PMSIM_DB_URL, else the SQLite file shown by `pmsim saves path`.",
)


def _fail(message: str, code: int = 2) -> NoReturn:
    click.echo(message, err=True)
    raise SystemExit(code)


def _errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Storage errors become one line on stderr and their exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except StorageError as e:
            from pmsim.textsafe import plain

            _fail(plain(str(e)), e.exit_code)

    return wrapper


def _store(db_url: str | None):
    from pmsim.storage.saves import SaveStore

    return SaveStore(db_url)


def _record(target: str, db_url: str | None):
    """An exported file is read without touching the database; an id is loaded from it."""
    from pmsim.storage import exchange
    from pmsim.storage.saves import parse_target

    t = parse_target(target)
    if isinstance(t, Path):
        return exchange.read_save(t)
    with _store(db_url) as store:
        return store.load(t)


def _fmt_score(score: float | None) -> str:
    return "-" if score is None else f"{score:.1f}"


# ---------------------------------------------------------------------------- saves
@click.group("saves")
def saves() -> None:
    """List, delete and locate saved games."""


@saves.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {id, player, scenario, seed, round, status, score}.")
@_errors
def saves_list(db_url: str | None, as_json: bool) -> None:
    """List every save in the database."""
    with _store(db_url) as store:
        rows = store.list()
        where = store.where
    if as_json:
        click.echo(json.dumps([r.to_json() for r in rows], indent=2))
        return
    if not rows:
        click.echo(f"no saves in {where}")
        return
    from pmsim.textsafe import name

    table = [["ID", "PLAYER", "SCENARIO", "SEED", "ROUND", "STATUS", "SCORE", "UPDATED"]]
    for r in rows:
        updated = r.updated_at.strftime("%Y-%m-%d %H:%M") if r.updated_at else ""
        table.append([str(r.id), name(r.player, 40), name(r.scenario_id, 40), str(r.seed), str(r.round),
                      r.status.replace("_", " "), _fmt_score(r.score), updated])
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


@saves.command("delete")
@click.argument("save_id", metavar="ID", type=int)
@db_option
@_errors
def saves_delete(save_id: int, db_url: str | None) -> None:
    """Delete save ID (its actions and round summaries too)."""
    with _store(db_url) as store:
        store.delete(save_id)
    click.echo(f"deleted save {save_id}")


@saves.command("path")
@db_option
@_errors
def saves_path(db_url: str | None) -> None:
    """Print where saves are stored (the SQLite file, or the database URL without password)."""
    from pmsim.storage.db import describe_url, resolve_url

    click.echo(describe_url(resolve_url(db_url)))


# ---------------------------------------------------------------------------- replay
def _round_line(summary: dict[str, Any], status: str) -> str:
    m = summary.get("metrics", {})
    parts = [f"Round {summary['round']:>2}", f"score {_fmt_score(summary.get('score'))}"]
    if "customers" in m:
        parts.append(f"customers {m['customers']}")
    if "revenue" in m:
        parts.append(f"revenue {m['revenue']:,.0f}")
    if "nps" in m:
        parts.append(f"NPS {m['nps']:+.0f}")
    shipped = summary.get("shipped") or []
    parts.append("shipped " + (", ".join(shipped) if shipped else "nothing"))
    return "  ".join(parts) + f"  [{status}]"


@click.command("replay")
@click.argument("save", metavar="SAVE")
@click.option("--verify", is_flag=True, help="Only check: exit 0 if every round hash matches, 1 otherwise.")
@click.option("--text", "as_text", is_flag=True,
              help="Print a round-by-round summary instead of opening the viewer.")
@db_option
@_errors
def replay(save: str, verify: bool, as_text: bool, db_url: str | None) -> None:
    """Step through SAVE (an id or a .pmsave.json file) round by round, or check it.

    On a terminal this opens the replay viewer (rounds back and forth, your decisions beside the
    best roadmap, fork from any round). --verify re-simulates headless and checks every round
    hash; --text (or output that is not a terminal) prints a summary per round.
    """
    import sys

    from pmsim.storage.history import replay_record, score_differences
    from pmsim.textsafe import name, plain

    if not verify and not as_text and sys.stdout.isatty() and sys.stdin.isatty():
        from pmsim.tui.commands import run_replay_viewer

        _record(save, db_url)  # a missing or unreadable save fails here with one line
        run_replay_viewer(save, db_url)
        return
    rec = _record(save, db_url)
    res = replay_record(rec)
    if not verify:
        click.echo(f"{plain(rec.source)}: {name(rec.player)}, {name(rec.scenario_id)} ({name(rec.scenario_title)}), "
                   f"seed {rec.seed}, engine {name(rec.engine_version)}, {rec.status.replace('_', ' ')}, "
                   f"{len(rec.actions)} actions")
        recorded = {r.round: r.state_hash for r in rec.rounds}
        for s in res.summaries:
            status = "matches" if recorded.get(s["round"]) == s["state_hash"] else "DIFFERS"
            click.echo(plain(_round_line(s, status)))
    if res.problem:
        _fail(plain(res.problem), 2 if res.damaged else 1)
    forged = score_differences(rec, res.summaries)
    if forged:
        _fail(f"{plain(rec.source)}: every state hash matches, but the recorded scores differ from the replay: "
              + "; ".join(forged), 1)
    click.echo(f"{plain(rec.source)}: {res.rounds_checked} round(s) verified, every state hash matches, "
               "and so does every recorded score")


@click.command("fork")
@click.argument("save", metavar="SAVE")
@click.option("--round", "round_n", type=click.IntRange(min=0), required=True,
              help="Keep the decisions of rounds 1..N; the new game continues from round N+1.")
@db_option
@_errors
def fork(save: str, round_n: int, db_url: str | None) -> None:
    """Start a new save from SAVE's first N rounds, to play on differently."""
    with _store(db_url) as store:
        new_id = store.fork(save, round_n)
    click.echo(f"forked {save} at round {round_n} as save {new_id}")


PORTFOLIO_FORMATS = ("portfolio", "portfolio-html")


@click.command("export")
@click.argument("save", metavar="SAVE")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The file to write (e.g. game.pmsave.json, decisions.csv, portfolio.md, portfolio.html).")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists (a FIFO or device is written to, never replaced).")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "jsonl", *PORTFOLIO_FORMATS]), default="json",
              show_default=True,
              help="json: a self-contained .pmsave.json; csv/jsonl: the decision log, one row per action; "
              "portfolio: a Markdown case study of the game; portfolio-html: the case study as one HTML page "
              "with charts.")
@db_option
@_errors
def export(save: str, output: Path, force: bool, fmt: str, db_url: str | None) -> None:
    """Write SAVE to a file: the whole game, the decision log for grading, or a portfolio case study.

    An existing FILE is overwritten only with --force; a FIFO or a device (/dev/stdout) is written
    to in place."""
    from pmsim.storage.exchange import check_output, export_record
    from pmsim.textsafe import plain

    check_output(output, force=force)  # before any work: an existing file without --force
    rec = _record(save, db_url)
    if fmt in PORTFOLIO_FORMATS:
        _export_portfolio(rec, output, fmt, force)
    else:
        export_record(rec, output, fmt, force=force)
    click.echo(f"exported {plain(rec.source)} to {plain(output)} ({fmt})")


def _export_portfolio(rec: Any, output: Path, fmt: str, force: bool = False) -> None:
    """Replay the save (a damaged or mismatching one raises StorageError) and write its case study."""
    from pmsim.commands.review import replayed_game
    from pmsim.reports.portfolio import portfolio_html, portfolio_md
    from pmsim.storage.exchange import write_output
    from pmsim.textsafe import name, plain

    game = replayed_game(rec, "a portfolio")
    render = portfolio_html if fmt == "portfolio-html" else portfolio_md
    # the case study quotes the player's name and rationales: no control character reaches a reader
    write_output(output, plain(render(game, name(rec.player)), multiline=True), force=force)


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@db_option
@_errors
def import_(file: Path, db_url: str | None) -> None:
    """Import an exported .pmsave.json as a new save (checked and replayed first)."""
    from pmsim.textsafe import plain

    with _store(db_url) as store:
        new_id = store.import_file(file)
    click.echo(f"imported {plain(file)} as save {new_id}")
