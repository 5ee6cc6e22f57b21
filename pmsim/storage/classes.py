"""Class runs in the database: join codes, the `classes` table, and each class's saves with the
game summaries stored when they finished. `ClassStore` is a part of `SaveStore` (saves.py): use
it as `SaveStore(url).create_class(...)`; it shares the store's engines and helpers.
"""

from __future__ import annotations

import builtins
import secrets
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pmsim.storage.db import db_errors
from pmsim.storage.errors import ClassNotFound, SaveNotFound, StorageError
from pmsim.storage.models import ClassRow, Save
from pmsim.storage.records import (
    FINISHED,
    ClassGame,
    ClassInfo,
    SaveInfo,
    canonical_json,
    finite,
    sha256_text,
)
from pmsim.storage.roster import (  # noqa: F401  (the roster's names, importable from here as before)
    MAX_WRONG_PINS,
    JoinRefused,
    RosterStore,
    StudentInfo,
    hash_pin,
    new_pin,
    normalize_pin,
    pin_matches,
)
from pmsim.storage.rows import _INFO_COLUMNS, _check_seed, _info, _json, _load_scenario, _now, _utc

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from pmsim.scenario.models import Scenario

# A seed below this could be found by a student who runs pmsim on every seed and compares the first
# quarter's numbers with what the class server shows (a million seeds take hours, not years):
# `serve --class` warns about such a class. Default seeds are drawn from all 2^63.
GUESSABLE_SEED = 10**12
MAX_CLASS_NAME = 100  # as pmsim.textsafe.MAX_NAME: a longer name is refused, not cut
# Class join codes: "PM-" + 4 characters of Crockford's base32 (no I, L, O or U), read back with
# O as 0 and I, L as 1, so a code read aloud or copied from a projector still works.
CODE_PREFIX = "PM-"
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 4
_CODE_READ = str.maketrans("OIL", "011")


def new_class_code() -> str:
    """A fresh random join code like PM-7QK4 (operating-system randomness: this is not the game)."""
    return CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_class_code(code: str) -> str | None:
    """`code` as stored (PM-XXXX), forgiving case, spaces, a missing PM- and O/I/L; None if it cannot be one."""
    c = "".join(str(code).split()).upper().replace("_", "-")
    if c.startswith(CODE_PREFIX):
        c = c[len(CODE_PREFIX):]
    elif c.startswith("PM") and len(c) == 2 + CODE_LENGTH:
        c = c[2:]
    c = c.translate(_CODE_READ)
    if len(c) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in c):
        return None
    return CODE_PREFIX + c


def _class_info(row: Any, n_saves: int = 0, n_finished: int = 0) -> ClassInfo:
    return ClassInfo(
        id=row.id, code=row.code, name=row.name, scenario_id=row.scenario_id,
        scenario_title=row.scenario_title, scenario_sha256=row.scenario_sha256, seed=int(row.seed),
        created_at=_utc(row.created_at), scenario_text=row.scenario_text, n_saves=n_saves,
        n_finished=n_finished,
    )


class ClassStore(RosterStore):
    """The class methods of `SaveStore` (the helpers it shares with saves.py are in rows.py)."""

    url: str
    where: str
    _engine: Engine
    _w: Engine

    def _check_class_game(self, s: Session, class_id: int, header: dict[str, Any]) -> None:
        row = s.execute(select(ClassRow.code, ClassRow.scenario_sha256, ClassRow.seed)
                        .where(ClassRow.id == class_id)).first()
        if row is None:
            raise ClassNotFound(f"no class with id {class_id} in {self.where}")
        if row.scenario_sha256 != header["scenario_sha256"] or int(row.seed) != header["seed"]:
            raise StorageError(
                f"class {row.code} plays another scenario text or seed (seed {row.seed}): a game in it "
                "must use the class's own (GameSession.start_class does)"
            )

    def create_class(self, name: str, scenario_text: str, seed: int, *,
                     scenario: Scenario | None = None) -> ClassInfo:
        """A new class run of `scenario_text` on `seed`, with a fresh join code."""
        scenario = scenario or _load_scenario(scenario_text)
        _check_seed(seed)
        from pmsim.textsafe import check_name

        if not " ".join(str(name).split()):
            raise StorageError("a class needs a name (e.g. --name \"PM 101, spring\")")
        try:
            name = check_name(name, "class name", MAX_CLASS_NAME)
        except ValueError as e:
            raise StorageError(str(e)) from None
        values = {
            "name": name, "scenario_id": scenario.meta.id, "scenario_title": scenario.meta.title,
            "scenario_text": scenario_text, "scenario_sha256": sha256_text(scenario_text), "seed": seed,
        }
        with db_errors(self.url):
            for _ in range(50):
                code = new_class_code()
                try:
                    with Session(self._w) as s, s.begin():
                        if s.scalar(select(ClassRow.id).where(ClassRow.code == code)) is not None:
                            continue  # taken: draw another
                        row = ClassRow(code=code, created_at=_now(), **values)
                        s.add(row)
                        s.flush()
                        return _class_info(row)
                except IntegrityError:  # another process took the same code a moment ago
                    continue
        raise StorageError(f"could not find a free class code in {self.where}: try again")

    def get_class(self, code: str) -> ClassInfo:
        """The class with join code `code` (case, spaces and a missing PM- do not matter)."""
        norm = normalize_class_code(code)
        shown = " ".join(str(code).split())[:40]
        if norm is None:
            raise ClassNotFound(
                f"{shown!r} is not a class code (codes look like PM-7QK4): check it with your instructor"
            )
        with db_errors(self.url), Session(self._engine) as s:
            row = s.execute(select(ClassRow).where(ClassRow.code == norm)).scalars().first()
            if row is None:
                raise ClassNotFound(
                    f"no class {norm} in {self.where}: check the code, and that --db (or PMSIM_DB_URL) "
                    "points at the class database"
                )
            counts = self._class_counts(s, [row.id]).get(row.id, (0, 0))
            return _class_info(row, *counts)

    def list_classes(self) -> builtins.list[ClassInfo]:
        """Every class, oldest first, with how many games were started and finished in it."""
        with db_errors(self.url), Session(self._engine) as s:
            rows = s.execute(select(ClassRow).order_by(ClassRow.id)).scalars().all()
            counts = self._class_counts(s, [r.id for r in rows])
            return [_class_info(r, *counts.get(r.id, (0, 0))) for r in rows]

    @staticmethod
    def _class_counts(s: Session, ids: builtins.list[int]) -> dict[int, tuple[int, int]]:
        if not ids:
            return {}
        out: dict[int, tuple[int, int]] = {}
        for cid, status, n in s.execute(
            select(Save.class_id, Save.status, func.count()).where(Save.class_id.in_(ids))
            .group_by(Save.class_id, Save.status)
        ).all():
            total, done = out.get(cid, (0, 0))
            out[cid] = (total + n, done + (n if status == FINISHED else 0))
        return out

    def class_saves(self, code: str) -> builtins.list[SaveInfo]:
        """The saves played in class `code`, oldest first."""
        klass = self.get_class(code)
        with db_errors(self.url), Session(self._engine) as s:
            rows = s.execute(select(*_INFO_COLUMNS).where(Save.class_id == klass.id).order_by(Save.id)).all()
        return [_info(r) for r in rows]

    def class_games(self, code: str) -> tuple[ClassInfo, builtins.list[ClassGame]]:
        """Class `code` and each of its saves with the game summary stored when it finished
        (one query; nothing is replayed). `summary` is None for a game in progress, one finished
        before summaries were stored, or an unreadable summary (then `problem` says so)."""
        klass = self.get_class(code)
        with db_errors(self.url), Session(self._engine) as s:
            rows = s.execute(
                select(*_INFO_COLUMNS, Save.scenario_sha256, Save.summary)
                .where(Save.class_id == klass.id).order_by(Save.id)
            ).all()
        games = []
        for r in rows:
            summary, problem = None, None
            if r.summary is not None:
                summary = _json(r.summary, None)
                if not isinstance(summary, dict):
                    summary, problem = None, f"save {r.id}: its stored game summary is unreadable"
            games.append(ClassGame(_info(r), r.scenario_sha256, summary, problem))
        return klass, games

    def set_summary(self, save_id: int, summary: dict[str, Any]) -> None:
        """Store the game summary of finished save `save_id` (rebuilt by replay for an older save)."""
        text = canonical_json(finite(summary))
        with db_errors(self.url), Session(self._w) as s, s.begin():
            res = s.execute(update(Save).where(Save.id == save_id, Save.status == FINISHED)
                            .values(summary=text).execution_options(synchronize_session=False))
            if res.rowcount != 1:
                raise SaveNotFound(f"no finished save {save_id} in {self.where}")
