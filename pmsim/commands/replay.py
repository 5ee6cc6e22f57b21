"""`pmsim replay SAVE` (step through a save, or check every round hash) and `pmsim fork SAVE`.

SAVE is a save id in the database (`--db URL`, else $PMSIM_DB_URL, else the default SQLite file)
or the path of an exported `.pmsave.json` (use ./3 for a file named 3). Exit codes: 0 fine, 1 a
replay differs from its record (state hashes or recorded scores), 2 anything that could not be
done, with one line on stderr, never a traceback.
"""

from __future__ import annotations

from typing import Any, NoReturn

import click

from pmsim import numfmt
from pmsim.commands.common import db_option, storage_errors
from pmsim.commands.saves import fmt_score, open_store


def _fail(message: str, code: int = 2) -> NoReturn:
    click.echo(message, err=True)
    raise SystemExit(code)


def _round_line(summary: dict[str, Any], status: str) -> str:
    m = summary.get("metrics", {})
    parts = [f"Round {summary['round']:>2}", f"score {fmt_score(summary.get('score'))}"]
    if "customers" in m:
        parts.append(f"customers {m['customers']}")
    if "revenue" in m:
        parts.append(f"revenue {numfmt.money(m['revenue'])}")
    if "nps" in m:
        parts.append(f"NPS {numfmt.plus(m['nps'])}")
    shipped = summary.get("shipped") or []
    parts.append("shipped " + (", ".join(shipped) if shipped else "nothing"))
    return "  ".join(parts) + f"  [{status}]"


@click.command("replay")
@click.argument("save", metavar="SAVE", required=False)
@click.option("--class", "class_code", metavar="CODE|FILE", default=None,
              help="A shared-market class (its code, or an exported .pmclass.json): re-derive every quarter's "
                   "joint state hash.")
@click.option("--verify", is_flag=True, help="Only check: exit 0 if every round hash matches, 1 otherwise.")
@click.option("--text", "as_text", is_flag=True,
              help="Print a round-by-round summary instead of opening the viewer.")
@db_option
@storage_errors
def replay(save: str | None, class_code: str | None, verify: bool, as_text: bool, db_url: str | None) -> None:
    """Step through SAVE (an id or a .pmsave.json file) round by round, or check it.

    On a terminal this opens the replay viewer (rounds back and forth, your decisions beside the
    best roadmap, fork from any round). --verify re-simulates headless and checks every round
    hash; --text (or output that is not a terminal) prints a summary per round.
    """
    import sys

    from pmsim.commands.common import load_save
    from pmsim.storage.history import replay_record, score_differences
    from pmsim.textsafe import name, plain

    if class_code is not None or save is None:
        if save is not None or class_code is None:
            _fail("replay: give either SAVE or --class CODE")
        from pmsim.commands.shared_files import replay_class

        replay_class(class_code, verify, db_url)
        return
    if not verify and not as_text and sys.stdout.isatty() and sys.stdin.isatty():
        from pmsim.tui.launch import run_replay_viewer

        load_save(save, db_url)  # a missing or unreadable save fails here with one line
        run_replay_viewer(save, db_url)
        return
    rec = load_save(save, db_url)
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
@storage_errors
def fork(save: str, round_n: int, db_url: str | None) -> None:
    """Start a new save from SAVE's first N rounds, to play on differently."""
    with open_store(db_url) as store:
        new_id = store.fork(save, round_n)
    click.echo(f"forked {save} at round {round_n} as save {new_id}")
