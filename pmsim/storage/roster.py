"""The class server's side of the database: a class roster of students with PINs, and the games
they played on the server (`pmsim serve --class`). `RosterStore` is mixed into `ClassStore`
(classes.py), and through it into `SaveStore`; it shares the store's engines and helpers.
"""

from __future__ import annotations

import builtins
import secrets
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pmsim.storage.db import db_errors
from pmsim.storage.errors import ClassNotFound, StorageError
from pmsim.storage.models import ClassRow, Save
from pmsim.storage.rows import _load_scenario, _now, _utc

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from pmsim.storage.records import ClassInfo

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
        now = _now()
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
            return StudentInfo(row.id, klass.id, row.name, _utc(row.created_at)), pin

    def remove_student(self, code: str, name: str) -> StudentInfo:
        """Take `name` off class `code`'s roster: they can no longer join. Games they played stay
        in the class (and stay verified)."""
        klass = self._roster_class(code)
        with db_errors(self.url), Session(self._w) as s, s.begin():
            row = self._student_row(s, klass, name)
            if row is None:
                raise StorageError(f"no student {' '.join(str(name).split())!r} on the roster of class {klass.code}")
            info = StudentInfo(row.id, klass.id, row.name, _utc(row.created_at))
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
            return [StudentInfo(r.id, klass.id, r.name, _utc(r.created_at), _utc(r.locked_until),
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
            found = None if row is None else (row.id, row.name, row.pin_hash, _utc(row.locked_until),
                                              _utc(row.created_at))
        wrong = JoinRefused("name or PIN not recognised: check both (your instructor has the roster)")
        if found is None:
            if _DUMMY_HASH is None:
                _DUMMY_HASH = hash_pin("0" * PIN_DIGITS)
            pin_matches(pin, _DUMMY_HASH)  # as slow as a real check: no hint which names exist
            raise wrong
        sid, real_name, stored, locked_until, created = found
        now = _now()
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

        save_id = self.create(klass.scenario_text, klass.seed, student.name,  # type: ignore[attr-defined]
                              scenario=_load_scenario(klass.scenario_text), class_id=klass.id)
        try:
            with db_errors(self.url), Session(self._w) as s, s.begin():
                s.add(ServerGameRow(save_id=save_id, student_id=student.id, created_at=_now()))
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
