"""A whole shared-market class as one record (issue 14): verified by replay, exported to one
`.pmclass.json` file with its hash chain, and imported from it.

A `ClassRecord` is what defines the market: scenario text, seed, company names, every action
in the order the database stored it (with its company and quarter), and every resolved quarter
with its joint state hash. `verify` replays it from nothing (no cached market) and compares each
quarter's joint hash with the stored one; the first difference is reported by quarter.

The file is pretty JSON with sorted keys, like a `.pmsave.json`: `chain_sha256` is h0 = sha256 of
the header (every top-level field but `log`, `rounds` and the chain), then h = sha256(h + entry)
over each log entry and each round entry in order. It detects edits and truncation; an import
also replays the class and checks every quarter's hash before anything is stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmsim.storage.errors import SaveFileError, StorageError
from pmsim.storage.records import canonical_json, loads_finite, sha256_text

if TYPE_CHECKING:
    from pmsim.storage.records import ClassInfo
    from pmsim.storage.saves import SaveStore

FORMAT = "pmsim-shared-class"
FORMAT_VERSION = 1
SUFFIX = ".pmclass.json"
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class LoggedAction:
    seq: int
    round: int
    company: int
    data: dict[str, Any]


@dataclass(frozen=True)
class StoredQuarter:
    round: int
    seq: int  # the action that resolved it
    state_hash: str
    advanced: int


@dataclass
class ClassRecord:
    source: str  # the class code, or the file it was read from
    name: str
    scenario_text: str
    seed: int
    engine_version: str
    companies: list[str]
    status: str
    round: int
    state_hash: str | None
    actions: list[LoggedAction] = field(default_factory=list)
    quarters: list[StoredQuarter] = field(default_factory=list)


@dataclass
class Verified:
    """Each quarter: (round, stored hash, replayed hash); `problem` is the first divergence."""

    quarters: list[tuple[int, str | None, str]]
    problem: str | None
    final_hash: str | None = None
    game: Any = None

    @property
    def ok(self) -> bool:
        return self.problem is None


# ---------------------------------------------------------------------------- from the database
def load_class(store: SaveStore, code: str) -> ClassRecord:
    """Class `code`'s market as stored (NotShared for a class that is not a shared market)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from pmsim.storage.db import db_errors
    from pmsim.storage.models import SharedActionRow, SharedCompanyRow, SharedRoundRow
    from pmsim.storage.rows import _json
    from pmsim.storage.shared_market import _market_row

    with db_errors(store.url), Session(store._engine) as s:
        klass, row = _market_row(s, store, code, lock=False, engine=False)
        names = [r.name for r in s.execute(select(SharedCompanyRow).where(SharedCompanyRow.class_id == klass.id)
                                           .order_by(SharedCompanyRow.idx)).scalars()]
        actions = [LoggedAction(a.seq, a.round, a.company, _json(a.payload, {})) for a in s.execute(
            select(SharedActionRow).where(SharedActionRow.class_id == klass.id).order_by(SharedActionRow.seq)).scalars()]
        quarters = [StoredQuarter(r.round, r.seq, r.state_hash, r.advanced) for r in s.execute(
            select(SharedRoundRow).where(SharedRoundRow.class_id == klass.id).order_by(SharedRoundRow.round)).scalars()]
        return ClassRecord(klass.code, klass.name, klass.scenario_text, klass.seed, row.engine_version, names,
                           row.status, row.round, row.state_hash, actions, quarters)


# ---------------------------------------------------------------------------- verify by replay
def verify(rec: ClassRecord) -> Verified:
    """Replay `rec` from nothing and compare every quarter's joint state hash with the stored one.
    StorageError (exit 2) when this pmsim cannot replay it at all (another engine, a bad scenario)."""
    from pmsim.engine.actions import action_from_dict
    from pmsim.engine.shared import SharedGame
    from pmsim.engine.state import ENGINE_VERSION
    from pmsim.storage.rows import _load_scenario

    if rec.engine_version != ENGINE_VERSION:
        raise StorageError(f"{rec.source} was played with pmsim engine {rec.engine_version}, this pmsim runs "
                           f"{ENGINE_VERSION}: verify it with that pmsim")
    try:
        game = SharedGame(_load_scenario(rec.scenario_text), rec.seed, rec.companies)
    except ValueError as e:
        raise StorageError(f"{rec.source}: its market cannot be set up ({e})") from None
    stored = {q.round: q for q in rec.quarters}
    out: list[tuple[int, str | None, str]] = []

    def done(problem: str | None) -> Verified:
        return Verified(out, problem, game.state_hash(), game)

    for expected, a in enumerate(rec.actions, start=1):
        if a.seq != expected:
            return done(f"{rec.source}: action {expected} is missing (the next stored is {a.seq})")
        if not 0 <= a.company < len(rec.companies):
            return done(f"{rec.source}: action {a.seq} belongs to no company (index {a.company})")
        r = game.round
        if a.round != r:
            return done(f"{rec.source}: action {a.seq} is stored in quarter {a.round}, but the replay is in "
                        f"quarter {r}")
        try:
            game.apply(a.company, action_from_dict(a.data))
        except Exception as e:  # an illegal or unreadable action: the replay cannot go on
            return done(f"{rec.source}: action {a.seq} ({rec.companies[a.company]}, quarter {r}) does not replay: "
                        f"{getattr(e, 'message', e)}")
        if game.round == r and not game.finished:
            continue
        replayed = game.round_hashes[-1]
        q = stored.get(r)
        out.append((r, q.state_hash if q else None, replayed))
        if q is None:
            return done(f"{rec.source}: quarter {r} resolves at action {a.seq} in the replay, but no resolution "
                        "is stored")
        if q.state_hash != replayed:
            return done(f"{rec.source}: quarter {r} diverges: stored {q.state_hash[:16]}, replayed {replayed[:16]}")
        if q.seq != a.seq:
            return done(f"{rec.source}: quarter {r} is stored as resolved by action {q.seq}, the replay resolves "
                        f"it at action {a.seq}")
    extra = [q.round for q in rec.quarters if q.round > len(out)]
    if extra:
        return done(f"{rec.source}: quarter {extra[0]} is stored as resolved, but its actions do not resolve it")
    if rec.state_hash is not None and game.state_hash() != rec.state_hash:
        return done(f"{rec.source}: the market after the last action diverges from the stored state "
                    f"({rec.state_hash[:16]} stored, {game.state_hash()[:16]} replayed)")
    return done(None)


# ---------------------------------------------------------------------------- the file
def chain_sha256(doc: dict[str, Any]) -> str:
    header = {k: v for k, v in doc.items() if k not in ("log", "rounds", "chain_sha256")}
    h = hashlib.sha256(("pmsim-shared-class-chain\n" + canonical_json(header)).encode()).hexdigest()
    for entry in list(doc.get("log", [])) + list(doc.get("rounds", [])):
        h = hashlib.sha256((h + canonical_json(entry)).encode()).hexdigest()
    return h


def to_document(rec: ClassRecord) -> dict[str, Any]:
    from pmsim.storage.rows import _load_scenario

    sc = _load_scenario(rec.scenario_text)
    doc: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "engine_version": rec.engine_version,
        "code": rec.source, "name": rec.name, "seed": rec.seed, "status": rec.status, "round": rec.round,
        "state_hash": rec.state_hash, "companies": list(rec.companies),
        "scenario": {"id": sc.meta.id, "title": sc.meta.title, "sha256": sha256_text(rec.scenario_text),
                     "lines": rec.scenario_text.split("\n")},
        "log": [{"seq": a.seq, "round": a.round, "company": a.company, "action": a.data} for a in rec.actions],
        "rounds": [{"round": q.round, "seq": q.seq, "state_hash": q.state_hash, "advanced": q.advanced}
                   for q in rec.quarters],
    }
    doc["chain_sha256"] = chain_sha256(doc)
    return doc


def export_class(store: SaveStore, code: str, path: Path, *, force: bool = False) -> ClassRecord:
    """Write class `code` to `path` (refused when it does not verify: a file must import)."""
    from pmsim.storage.exchange import dumps, write_output

    rec = load_class(store, code)
    checked = verify(rec)
    if not checked.ok:
        raise StorageError(f"{checked.problem}: the class cannot be exported")
    write_output(path, dumps(to_document(rec)), force=force)
    return rec


def is_class_file(path: Path) -> bool:
    """Whether `path` looks like an exported shared class (its format field, in the first bytes)."""
    try:
        with open(path, "rb") as f:
            head = f.read(65536)
    except OSError:
        return False
    return f'"format": "{FORMAT}"'.encode() in head


def _int(v: Any, what: str, lo: int = 0, hi: int = 2**63 - 1) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise ValueError(f"{what} must be a whole number from {lo} to {hi}")
    return v


def _str(v: Any, what: str) -> str:
    if not isinstance(v, str):
        raise ValueError(f"{what} must be text")
    return v


def read_class_file(path: Path) -> ClassRecord:
    """Read and check an exported class: size, JSON, format and version, fields, hash chain,
    scenario text. SaveFileError with one line naming the file. Does not replay it."""
    path = Path(path)

    def reject(msg: str) -> SaveFileError:
        return SaveFileError(f"{path}: {msg}")

    try:
        if not path.is_file():
            raise reject("no such file" if not path.exists() else "not a regular file")
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise reject(f"cannot read it ({e.strerror or e})") from None
    if len(raw) > MAX_BYTES:
        raise reject(f"too large for a class file (more than {MAX_BYTES} bytes)")
    try:
        data = loads_finite(raw.decode("utf-8").lstrip("\ufeff"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise reject(f"not valid JSON ({e})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise reject(f"not a pmsim shared-class file (no \"format\": \"{FORMAT}\")")
    version = data.get("format_version")
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise reject(f"written by a newer pmsim (class format {version}; this pmsim reads format "
                     f"{FORMAT_VERSION}): upgrade pmsim")
    if chain_sha256(data) != data.get("chain_sha256"):
        raise reject("the hash chain does not match: the file was changed after export (or is damaged)")
    try:
        if version != FORMAT_VERSION:
            raise ValueError(f"format_version must be {FORMAT_VERSION}")
        sc = data["scenario"]
        text = "\n".join(_str(line, "scenario.lines") for line in sc["lines"])
        if sha256_text(text) != sc["sha256"]:
            raise ValueError("its scenario text does not match its sha256")
        companies = [_str(c, "companies") for c in data["companies"]]
        actions = []
        for i, e in enumerate(data["log"]):
            if not isinstance(e.get("action"), dict):
                raise ValueError(f"log[{i}].action must be an object")
            actions.append(LoggedAction(_int(e["seq"], f"log[{i}].seq"), _int(e["round"], f"log[{i}].round"),
                                        _int(e["company"], f"log[{i}].company"), e["action"]))
        quarters = [StoredQuarter(_int(q["round"], f"rounds[{i}].round"), _int(q["seq"], f"rounds[{i}].seq"),
                                  _str(q["state_hash"], f"rounds[{i}].state_hash"),
                                  _int(q["advanced"], f"rounds[{i}].advanced"))
                    for i, q in enumerate(data["rounds"])]
        state_hash = data.get("state_hash")
        return ClassRecord(str(path), _str(data["name"], "name"), text, _int(data["seed"], "seed"),
                           _str(data["engine_version"], "engine_version"), companies,
                           _str(data["status"], "status"), _int(data["round"], "round"),
                           None if state_hash is None else _str(state_hash, "state_hash"), actions, quarters)
    except (KeyError, TypeError, AttributeError) as e:
        raise reject(f"invalid class file: a field is missing or of the wrong kind ({e})") from None
    except ValueError as e:
        raise reject(f"invalid class file: {e}") from None


def import_class(store: SaveStore, path: Path) -> ClassInfo:
    """A new class (with a new join code) holding the file's market, after replaying it and
    checking every quarter: nothing is stored from a file that does not verify."""
    from pmsim.storage import shared_market as sm

    rec = read_class_file(path)
    checked = verify(rec)
    if not checked.ok:
        raise SaveFileError(f"{checked.problem}: nothing was imported")
    game = checked.game
    klass = sm.create(store, rec.name, rec.scenario_text, rec.seed, rec.companies)
    last_end: dict[int, int] = {}
    for a in rec.actions:
        if a.data.get("kind") == "end_round":
            last_end[a.company] = a.round
    try:
        _fill(store, klass.id, rec, game, last_end)
    except BaseException:
        _drop(store, klass.id)  # no half-imported class is left behind
        raise
    sm._remember(store, klass.id, game, len(rec.actions))
    return klass


def _fill(store: SaveStore, class_id: int, rec: ClassRecord, game: Any, last_end: dict[int, int]) -> None:
    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from pmsim.storage.db import db_errors
    from pmsim.storage.models import (
        SharedActionRow,
        SharedCompanyRow,
        SharedMarketRow,
        SharedRoundRow,
    )
    from pmsim.storage.rows import _now

    klass_id = class_id
    with db_errors(store.url), Session(store._w) as s, s.begin():
        s.add_all([SharedActionRow(class_id=klass_id, seq=a.seq, company=a.company, round=a.round,
                                   kind=str(a.data.get("kind", "")), payload=canonical_json(a.data), created_at=_now())
                   for a in rec.actions])
        s.add_all([SharedRoundRow(class_id=klass_id, round=q.round, seq=q.seq, state_hash=q.state_hash,
                                  advanced=q.advanced, resolved_at=_now()) for q in rec.quarters])
        for c, r in last_end.items():
            s.execute(update(SharedCompanyRow).where(SharedCompanyRow.class_id == klass_id, SharedCompanyRow.idx == c)
                      .values(committed_round=r))
        s.execute(update(SharedMarketRow).where(SharedMarketRow.class_id == klass_id).values(
            n_actions=len(rec.actions), round=game.round, status="finished" if game.finished else "in_progress",
            state_hash=game.state_hash()))


def _drop(store: SaveStore, class_id: int) -> None:
    from sqlalchemy import delete
    from sqlalchemy.orm import Session

    from pmsim.storage.models import (
        ClassRow,
        SharedActionRow,
        SharedCompanyRow,
        SharedMarketRow,
        SharedRoundRow,
    )

    try:
        with Session(store._w) as s, s.begin():
            for model in (SharedActionRow, SharedRoundRow, SharedCompanyRow, SharedMarketRow):
                s.execute(delete(model).where(model.class_id == class_id))
            s.execute(delete(ClassRow).where(ClassRow.id == class_id))
    except Exception:  # the database is gone: the error that brought us here is the one to report
        pass
