"""A whole shared-market class on the command line (issue 14), wired into the solo commands:

    pmsim replay --class PM-7QK4 --verify      (every quarter's joint hash re-derived; exit 1 on a mismatch)
    pmsim replay --class pm101.pmclass.json    (the same for an exported class file)
    pmsim export --class PM-7QK4 -o pm101.pmclass.json
    pmsim import pm101.pmclass.json            (a new class with its own join code)

Storage errors are one line on stderr and exit code 2 (the callers wrap them: storage_errors).
"""

from __future__ import annotations

from pathlib import Path

import click

from pmsim.commands.common import fail


def _record(target: str, db_url: str | None):
    """A class code in the database, or the path of an exported class file."""
    from pmsim.storage.saves import SaveStore
    from pmsim.storage.shared_exchange import SUFFIX, load_class, read_class_file

    path = Path(target)
    if target.endswith(SUFFIX) or (path.is_file() and not target.upper().startswith("PM-")):
        return read_class_file(path)
    with SaveStore(db_url) as store:
        return load_class(store, target)


def replay_class(target: str, verify_only: bool, db_url: str | None) -> None:
    """Re-derive every quarter's joint state hash of class TARGET; exit 1 where one diverges."""
    from pmsim.storage.shared_exchange import verify
    from pmsim.textsafe import name, plain

    rec = _record(target, db_url)
    res = verify(rec)
    if not verify_only:
        click.echo(f"{plain(rec.source)}: '{name(rec.name)}', seed {rec.seed}, engine {name(rec.engine_version)}, "
                   f"{len(rec.companies)} companies, {len(rec.actions)} actions, {rec.status.replace('_', ' ')}")
        for r, stored, replayed in res.quarters:
            status = "matches" if stored == replayed else "DIFFERS"
            click.echo(f"Quarter {r:>2}  {replayed[:16]}  [{status}]")
    if res.problem:
        fail(res.problem, 1)
    n = len(res.quarters)
    click.echo(f"{plain(rec.source)}: OK, {n} quarter{'' if n == 1 else 's'} verified, every joint state hash "
               "matches" + ("" if rec.status == "finished" else f" (quarter {rec.round} is being played)"))


def export_class(code: str, output: Path, force: bool, db_url: str | None) -> None:
    from pmsim.storage.exchange import check_output
    from pmsim.storage.saves import SaveStore
    from pmsim.storage.shared_exchange import export_class as write
    from pmsim.textsafe import plain

    check_output(output, force=force)
    with SaveStore(db_url) as store:
        rec = write(store, code, output, force=force)
    click.echo(f"exported shared class {rec.source} ({len(rec.companies)} companies, {len(rec.quarters)} quarters "
               f"resolved) to {plain(output)}")


def import_class(file: Path, db_url: str | None) -> None:
    from pmsim.storage.saves import SaveStore
    from pmsim.storage.shared_exchange import import_class as read
    from pmsim.textsafe import plain

    with SaveStore(db_url) as store:
        klass = read(store, file)
    click.echo(f"imported {plain(file)} as shared class {klass.code} (every quarter verified); "
               f"see `pmsim class status {klass.code}`")
