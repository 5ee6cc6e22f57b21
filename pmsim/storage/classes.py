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

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from pmsim.scenario.models import Scenario

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
    from pmsim.storage.saves import _utc

    return ClassInfo(
        id=row.id, code=row.code, name=row.name, scenario_id=row.scenario_id,
        scenario_title=row.scenario_title, scenario_sha256=row.scenario_sha256, seed=int(row.seed),
        created_at=_utc(row.created_at), scenario_text=row.scenario_text, n_saves=n_saves,
        n_finished=n_finished,
    )


# ---------------------------------------------------------------------------- the class server
# A roster of students, each with a PIN (8 digits, shown once as 1234-5678, stored as a salted
# scrypt hash), and the saves played on the class server (`pmsim serve --class`): the server ran
# the engine and held the seed, the student only sent keys, so class reports mark them verified.
PIN_DIGITS = 8
MAX_WRONG_PINS = 5  # wrong PINs in a row before a student's joins are refused for a while
LOCK_SECONDS = 300
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # 16 MiB, ~50 ms a check: slow to guess, quick to join


class JoinRefused(StorageError):
    """A student could not join the class server (unknown name, wrong PIN, locked for a while).
    The message says what to do without telling a guesser which of name or PIN was wrong."""


class StudentInfo:
    """A student on a class roster (never their PIN)."""

    __slots__ = ("id", "class_id", "name", "created_at", "locked_until", "game")

    def __init__(self, id: int, class_id: int, name: str, created_at: Any, locked_until: Any = None,
                 game: ServerGame | None = None) -> None:
        self.id, self.class_id, self.name = id, class_id, name
        self.created_at, self.locked_until, self.game = created_at, locked_until, game

    def to_json(self) -> dict[str, Any]:
        g = self.game
        return {"name": self.name, "added": self.created_at.isoformat() if self.created_at else None,
                "game": None if g is None else {"save": g.save_id, "status": g.status, "round": g.round,
                                                "score": g.score}}


class ServerGame:
    """A save a student played on the class server: where it stands."""

    __slots__ = ("save_id", "status", "round", "score")

    def __init__(self, save_id: int, status: str, round: int, score: float | None) -> None:
        self.save_id, self.status, self.round, self.score = save_id, status, round, score


def new_pin() -> str:
    """A fresh PIN like 4821-0937 (operating-system randomness)."""
    n = secrets.randbelow(10**PIN_DIGITS)
    s = f"{n:0{PIN_DIGITS}d}"
    return f"{s[:4]}-{s[4:]}"


def normalize_pin(pin: str) -> str | None:
    """The PIN's digits (spaces and dashes do not matter), or None if it cannot be one."""
    digits = "".join(ch for ch in str(pin) if ch not in " -\t")
    return digits if len(digits) == PIN_DIGITS and digits.isascii() and digits.isdigit() else None


def hash_pin(pin: str) -> str:
    """scrypt$N$r$p$salt$hash (hex) of the PIN's digits, with a fresh 16-byte salt."""
    import hashlib

    digits = normalize_pin(pin)
    if digits is None:
        raise ValueError(f"a PIN has {PIN_DIGITS} digits")
    salt = secrets.token_bytes(16)
    h = hashlib.scrypt(digits.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${h.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    """Whether `pin` is the PIN `stored` (a hash_pin() string) was made from; constant time."""
    import hashlib
    import hmac

    try:
        kind, n, r, p, salt, want = stored.split("$")
        if kind != "scrypt":
            return False
        digits = normalize_pin(pin) or ""
        got = hashlib.scrypt(digits.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(want) // 2, maxmem=256 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), want) and normalize_pin(pin) is not None


_DUMMY_HASH = None  # checked against when a name is unknown, so both answers take as long


def _student_key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def _utcnow() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _as_utc(dt: Any) -> Any:
    from datetime import UTC

    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)  # SQLite hands back naive datetimes: they were stored as UTC
    return dt


class RosterStore:
    """The roster and class-server methods of `SaveStore` (mixed in next to `ClassStore`)."""

    url: str
    where: str
    _engine: Engine
    _w: Engine

    def _roster_class(self, code: str) -> ClassInfo:
        return self.get_class(code)  # type: ignore[attr-defined]

    def add_students(self, code: str, names: builtins.list[str]) -> builtins.list[tuple[StudentInfo, str]]:
        """Add each of `names` to class `code`'s roster with a fresh PIN; returns (student, PIN)
        pairs, the only time a PIN is ever seen. All or nothing: a name already on the roster
        (case does not matter), given twice or not a valid name refuses the lot."""
        from pmsim.storage.models import StudentRow
        from pmsim.textsafe import check_name

        klass = self._roster_class(code)
        clean: builtins.list[str] = []
        for n in names:
            try:
                clean.append(check_name(n, "student name"))
            except ValueError as e:
                raise StorageError(str(e)) from None
        keys = [_student_key(n) for n in clean]
        twice = sorted({n for n, k in zip(clean, keys, strict=True) if keys.count(k) > 1})
        if twice:
            raise StorageError(f"{twice[0]!r} is given more than once: each student needs their own name")
        if not clean:
            raise StorageError("no student name given (--add NAME)")
        pins = [new_pin() for _ in clean]
        hashes = [hash_pin(p) for p in pins]
        now = _utcnow()
        with db_errors(self.url):
            try:
                with Session(self._w) as s, s.begin():
                    taken = s.scalars(select(StudentRow.name).where(
                        StudentRow.class_id == klass.id, StudentRow.name_key.in_(keys))).all()
                    if taken:
                        raise StorageError(
                            f"{taken[0]!r} is already on the roster of class {klass.code}: "
                            f"`pmsim class roster {klass.code} --reset NAME` issues a new PIN")
                    rows = [StudentRow(class_id=klass.id, name=n, name_key=k, pin_hash=h, failed=0,
                                       created_at=now) for n, k, h in zip(clean, keys, hashes, strict=True)]
                    s.add_all(rows)
                    s.flush()
                    out = [(StudentInfo(r.id, klass.id, r.name, now), pin) for r, pin in zip(rows, pins, strict=True)]
            except IntegrityError:  # another process added one of them a moment ago
                raise StorageError(f"one of these names was added to class {klass.code} at the same time: "
                                   "list the roster and try again") from None
        return out

    def _student_row(self, s: Session, klass: ClassInfo, name: str) -> Any:
        from pmsim.storage.models import StudentRow

        return s.execute(select(StudentRow).where(
            StudentRow.class_id == klass.id, StudentRow.name_key == _student_key(name))).scalars().first()

    def reset_pin(self, code: str, name: str) -> tuple[StudentInfo, str]:
        """A new PIN for student `name` of class `code` (the old one stops working; a lock is lifted)."""
        klass = self._roster_class(code)
        pin = new_pin()
        h = hash_pin(pin)
        with db_errors(self.url), Session(self._w) as s, s.begin():
            row = self._student_row(s, klass, name)
            if row is None:
                raise StorageError(f"no student {' '.join(str(name).split())!r} on the roster of class {klass.code}")
            row.pin_hash, row.failed, row.locked_until = h, 0, None
            return StudentInfo(row.id, klass.id, row.name, _as_utc(row.created_at)), pin

    def remove_student(self, code: str, name: str) -> StudentInfo:
        """Take `name` off class `code`'s roster: they can no longer join. Games they played stay
        in the class (and stay verified)."""
        klass = self._roster_class(code)
        with db_errors(self.url), Session(self._w) as s, s.begin():
            row = self._student_row(s, klass, name)
            if row is None:
                raise StorageError(f"no student {' '.join(str(name).split())!r} on the roster of class {klass.code}")
            info = StudentInfo(row.id, klass.id, row.name, _as_utc(row.created_at))
            s.delete(row)
            return info

    def roster(self, code: str) -> builtins.list[StudentInfo]:
        """Class `code`'s students in the order they were added, each with their latest server game."""
        from pmsim.storage.models import StudentRow

        klass = self._roster_class(code)
        with db_errors(self.url), Session(self._engine) as s:
            rows = s.execute(select(StudentRow).where(StudentRow.class_id == klass.id)
                             .order_by(StudentRow.id)).scalars().all()
            games = self._server_games(s, [r.id for r in rows])
            return [StudentInfo(r.id, klass.id, r.name, _as_utc(r.created_at), _as_utc(r.locked_until),
                                games.get(r.id)) for r in rows]

    @staticmethod
    def _server_games(s: Session, student_ids: builtins.list[int]) -> dict[int, ServerGame]:
        """Each student's latest save on the class server."""
        from pmsim.storage.models import ServerGameRow

        if not student_ids:
            return {}
        out: dict[int, ServerGame] = {}
        for sid, save_id, status, rnd, score in s.execute(
            select(ServerGameRow.student_id, Save.id, Save.status, Save.round, Save.score)
            .join(Save, Save.id == ServerGameRow.save_id)
            .where(ServerGameRow.student_id.in_(student_ids)).order_by(Save.id)
        ).all():
            out[sid] = ServerGame(save_id, status, rnd, score)
        return out

    def check_student(self, code: str, name: str, pin: str) -> StudentInfo:
        """The student `name` of class `code` if `pin` is theirs; else `JoinRefused`. After
        MAX_WRONG_PINS wrong PINs in a row the name is refused for LOCK_SECONDS, whatever PIN."""
        from datetime import timedelta

        from sqlalchemy import case

        from pmsim.storage.models import StudentRow

        global _DUMMY_HASH
        try:
            klass = self._roster_class(code)
        except ClassNotFound:
            raise JoinRefused("that is not the code of the class on this server: check it with your instructor") \
                from None
        with db_errors(self.url), Session(self._engine) as s:
            row = self._student_row(s, klass, name)
            found = None if row is None else (row.id, row.name, row.pin_hash, _as_utc(row.locked_until),
                                              _as_utc(row.created_at))
        wrong = JoinRefused("name or PIN not recognised: check both (your instructor has the roster)")
        if found is None:
            if _DUMMY_HASH is None:
                _DUMMY_HASH = hash_pin("0" * PIN_DIGITS)
            pin_matches(pin, _DUMMY_HASH)  # as slow as a real check: no hint which names exist
            raise wrong
        sid, real_name, stored, locked_until, created = found
        now = _utcnow()
        if locked_until is not None and locked_until > now:
            wait = max(1, round((locked_until - now).total_seconds() / 60))
            raise JoinRefused(f"too many wrong PINs for this name: try again in {wait} minute(s), "
                              "or ask your instructor for a new PIN")
        ok = pin_matches(pin, stored)
        with db_errors(self.url), Session(self._w) as s, s.begin():
            if ok:
                s.execute(update(StudentRow).where(StudentRow.id == sid).values(failed=0, locked_until=None))
            else:
                s.execute(update(StudentRow).where(StudentRow.id == sid).values(
                    failed=StudentRow.failed + 1,
                    locked_until=case((StudentRow.failed + 1 >= MAX_WRONG_PINS, now + timedelta(seconds=LOCK_SECONDS)),
                                      else_=None),
                ))
        if not ok:
            raise wrong
        return StudentInfo(sid, klass.id, real_name, created)

    def server_game(self, student: StudentInfo) -> ServerGame | None:
        """The student's latest save on the class server, if any."""
        with db_errors(self.url), Session(self._engine) as s:
            return self._server_games(s, [student.id]).get(student.id)

    def start_server_game(self, student: StudentInfo) -> int:
        """A new save in the student's class (its scenario and seed), marked as played on the
        class server. Returns its id."""
        from pmsim.storage.models import ServerGameRow

        klass = None
        with db_errors(self.url), Session(self._engine) as s:
            row = s.execute(select(ClassRow.code).where(ClassRow.id == student.class_id)).first()
            if row is None:
                raise ClassNotFound(f"no class with id {student.class_id} in {self.where}")
            klass = self._roster_class(row.code)
        from pmsim.storage.saves import _load_scenario

        save_id = self.create(klass.scenario_text, klass.seed, student.name,  # type: ignore[attr-defined]
                              scenario=_load_scenario(klass.scenario_text), class_id=klass.id)
        try:
            with db_errors(self.url), Session(self._w) as s, s.begin():
                s.add(ServerGameRow(save_id=save_id, student_id=student.id, created_at=_utcnow()))
        except BaseException:
            try:
                self.delete(save_id)  # type: ignore[attr-defined]  # no unmarked game left behind
            except Exception:
                pass
            raise
        return save_id

    def server_save_ids(self, class_id: int) -> set[int]:
        """The saves of class `class_id` that were played on the class server."""
        from pmsim.storage.models import ServerGameRow

        with db_errors(self.url), Session(self._engine) as s:
            return set(s.scalars(select(ServerGameRow.save_id).join(Save, Save.id == ServerGameRow.save_id)
                                 .where(Save.class_id == class_id)).all())


class ClassStore(RosterStore):
    """The class methods of `SaveStore`. (saves.py imports this module, so helpers from saves.py
    are imported inside the methods.)"""

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
        from pmsim.storage.saves import _check_seed, _load_scenario, _now

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
        from pmsim.storage.saves import _INFO_COLUMNS, _info

        klass = self.get_class(code)
        with db_errors(self.url), Session(self._engine) as s:
            rows = s.execute(select(*_INFO_COLUMNS).where(Save.class_id == klass.id).order_by(Save.id)).all()
        return [_info(r) for r in rows]

    def class_games(self, code: str) -> tuple[ClassInfo, builtins.list[ClassGame]]:
        """Class `code` and each of its saves with the game summary stored when it finished
        (one query; nothing is replayed). `summary` is None for a game in progress, one finished
        before summaries were stored, or an unreadable summary (then `problem` says so)."""
        from pmsim.storage.saves import _INFO_COLUMNS, _info, _json

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
