"""`pmsim saves list|delete|path`: the saved games in a database.

Every command takes `--db URL` (else $PMSIM_DB_URL, else the default SQLite file). Storage errors
are one line on stderr and exit code 2 (`common.storage_errors`); names from a save are printed
through pmsim.textsafe, so a save cannot send escape codes to a terminal.
"""

from __future__ import annotations

import json

import click

from pmsim.commands.common import db_option, storage_errors


def open_store(db_url: str | None):
    from pmsim.storage.saves import SaveStore

    return SaveStore(db_url)


def fmt_score(score: float | None) -> str:
    return "-" if score is None else f"{score:.1f}"


@click.group("saves")
def saves() -> None:
    """List, delete and locate saved games."""


@saves.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {id, player, scenario, seed, round, status, score}.")
@storage_errors
def saves_list(db_url: str | None, as_json: bool) -> None:
    """List every save in the database."""
    with open_store(db_url) as store:
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
                      r.status.replace("_", " "), fmt_score(r.score), updated])
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


@saves.command("delete")
@click.argument("save_id", metavar="ID", type=int)
@db_option
@storage_errors
def saves_delete(save_id: int, db_url: str | None) -> None:
    """Delete save ID (its actions and round summaries too)."""
    with open_store(db_url) as store:
        store.delete(save_id)
    click.echo(f"deleted save {save_id}")


@saves.command("path")
@db_option
@storage_errors
def saves_path(db_url: str | None) -> None:
    """Print where saves are stored (the SQLite file, or the database URL without password)."""
    from pmsim.storage.db import describe_url, resolve_url

    click.echo(describe_url(resolve_url(db_url)))
