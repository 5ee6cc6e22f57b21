"""`pmsim export SAVE` (a save, its decision log or a portfolio case study, to a file) and
`pmsim import FILE` (an exported save, checked and replayed, as a new save).

An existing output file is overwritten only with --force; storage errors are one line on stderr
and exit code 2, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pmsim.commands.common import db_option, storage_errors
from pmsim.commands.saves import open_store

PORTFOLIO_FORMATS = ("portfolio", "portfolio-html")


@click.command("export")
@click.argument("save", metavar="SAVE", required=False)
@click.option("--class", "class_code", metavar="CODE", default=None,
              help="Export shared-market class CODE (every company, action and quarter hash) as one .pmclass.json.")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The file to write (e.g. game.pmsave.json, decisions.csv, portfolio.md, portfolio.html).")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists (a FIFO or device is written to, never replaced).")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "jsonl", *PORTFOLIO_FORMATS]), default="json",
              show_default=True,
              help="json: a self-contained .pmsave.json; csv/jsonl: the decision log, one row per action; "
              "portfolio: a Markdown case study of the game; portfolio-html: the case study as one HTML page "
              "with charts.")
@db_option
@storage_errors
def export(save: str | None, class_code: str | None, output: Path, force: bool, fmt: str, db_url: str | None) -> None:
    """Write SAVE to a file: the whole game, the decision log for grading, or a portfolio case study.

    An existing FILE is overwritten only with --force; a FIFO or a device (/dev/stdout) is written
    to in place."""
    from pmsim.commands.common import load_save
    from pmsim.storage.exchange import check_output, export_record
    from pmsim.textsafe import plain

    if class_code is not None or save is None:
        from pmsim.commands.common import fail

        if save is not None or class_code is None or fmt != "json":
            fail("export: give either SAVE or --class CODE (a class is exported as json only)")
        from pmsim.commands.shared_files import export_class

        export_class(class_code, output, force, db_url)
        return
    check_output(output, force=force)  # before any work: an existing file without --force
    rec = load_save(save, db_url)
    if fmt in PORTFOLIO_FORMATS:
        _export_portfolio(rec, output, fmt, force)
    else:
        export_record(rec, output, fmt, force=force)
    click.echo(f"exported {plain(rec.source)} to {plain(output)} ({fmt})")


def _export_portfolio(rec: Any, output: Path, fmt: str, force: bool = False) -> None:
    """Replay the save (a damaged or mismatching one raises StorageError) and write its case study."""
    from pmsim.reports.portfolio import portfolio_html, portfolio_md
    from pmsim.storage.exchange import write_output
    from pmsim.storage.history import replayed_game
    from pmsim.textsafe import name, plain

    game = replayed_game(rec, "a portfolio")
    render = portfolio_html if fmt == "portfolio-html" else portfolio_md
    # the case study quotes the player's name and rationales: no control character reaches a reader
    write_output(output, plain(render(game, name(rec.player)), multiline=True), force=force)


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@db_option
@storage_errors
def import_(file: Path, db_url: str | None) -> None:
    """Import an exported .pmsave.json as a new save, or a .pmclass.json as a new shared-market
    class (checked and replayed first)."""
    from pmsim.storage.shared_exchange import is_class_file
    from pmsim.textsafe import plain

    if is_class_file(file):
        from pmsim.commands.shared_files import import_class

        import_class(file, db_url)
        return

    with open_store(db_url) as store:
        new_id = store.import_file(file)
    click.echo(f"imported {plain(file)} as save {new_id}")
