"""`pmsim review SAVE`: the manager's end-of-internship review of a saved game.

SAVE is a save id in the database (`--db URL`, else $PMSIM_DB_URL, else the default SQLite file) or
the path of an exported `.pmsave.json`. The save is replayed, and every recorded round hash checked,
before anything is written about it: a damaged save, or one whose replay differs from its record,
gets one line on stderr and exit code 2, never a traceback.

The replay is `pmsim.storage.history.replayed_game`, shared with `pmsim export --format portfolio`.
"""

from __future__ import annotations

import json
from typing import Any

import click

from pmsim.commands.common import db_option, storage_errors


@click.command("review")
@click.argument("save", metavar="SAVE")
@click.option("--json", "as_json", is_flag=True, help="Print the review as one JSON object.")
@db_option
@storage_errors
def review(save: str, as_json: bool, db_url: str | None) -> None:
    """Print the end-of-internship review of SAVE (an id or a .pmsave.json file).

    A manager's review in plain language: an overall rating, a return-offer decision with its
    reasoning, and each of the five skills the role needs rated 1-5, quoting your own decisions.
    """
    from pmsim.commands.common import load_save
    from pmsim.reports.review import internship_review, render_review_text
    from pmsim.storage.history import replayed_game
    from pmsim.textsafe import name, plain

    rec = load_save(save, db_url)
    game = replayed_game(rec)
    data: dict[str, Any] = internship_review(game, name(rec.player))
    if as_json:
        # ASCII escapes: the JSON is the same data, and no byte of it can act on a terminal
        click.echo(json.dumps(data, indent=2, ensure_ascii=True))
        return
    # the text quotes the player's own rationales: nothing in them may act on the terminal
    click.echo(plain(render_review_text(data), multiline=True), nl=False)

