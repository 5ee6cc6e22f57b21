"""Which save a command names: a save id in a database, or the path of an exported file.

Kept apart from saves.py (which imports SQLAlchemy, a quarter of a second at start-up) so that a
command given a `.pmsave.json` reads it without loading the database layer (`read_file_target`).
"""

from __future__ import annotations

from pathlib import Path

from pmsim.storage.records import SaveRecord


def parse_target(target: int | str | Path) -> int | Path:
    """A save id (digits) or the path of an exported file (anything else; `./3` for a file named 3)."""
    if isinstance(target, bool):
        raise TypeError("a save is an id or a path")
    if isinstance(target, int | Path):
        return target
    t = str(target).strip()
    return int(t) if t.isascii() and t.isdigit() else Path(t)


def read_file_target(target: int | str | Path) -> SaveRecord | None:
    """The exported save `target` names, read (and checked) without a database; None when
    `target` is a save id (load it with `pmsim.storage.saves.load_record`). Raises `StorageError`."""
    t = parse_target(target)
    if not isinstance(t, Path):
        return None
    from pmsim.storage import exchange

    return exchange.read_save(t)
