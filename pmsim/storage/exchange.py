"""The `.pmsave.json` exchange format, and the decision logs (csv, jsonl) an instructor grades.

A `.pmsave.json` file is self-contained and diffable: pretty JSON with sorted keys, the scenario
text included line by line, the numbered action log and the per-round summaries with their state
hashes. `chain_sha256` is a hash chain: h0 = sha256 of the header (every top-level field but
`log`, `rounds` and the chain), then h = sha256(h + entry) over each log entry and each round
entry, in order. It detects edits and truncation; it is not a signature (anyone can recompute
it), so an import also replays the game and checks every round hash. Reading a file never
executes anything from it: it is parsed as JSON and validated field by field.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import stat
import tempfile
from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any, Literal

from pmsim.storage.errors import SaveDamaged, SaveFileError, StorageError
from pmsim.storage.records import (
    FINISHED,
    IN_PROGRESS,
    ActionRecord,
    NonFiniteNumber,
    RoundRecord,
    SaveRecord,
    canonical_json,
    loads_finite,
    sha256_text,
)

FORMAT = "pmsim-save"
FORMAT_VERSION = 1
SUFFIX = ".pmsave.json"
MAX_BYTES = 8 * 1024 * 1024
MAX_ACTIONS = 100_000
FORMATS = ("json", "csv", "jsonl")


# ---------------------------------------------------------------------------- the hash chain
def chain_sha256(doc: dict[str, Any]) -> str:
    header = {k: v for k, v in doc.items() if k not in ("log", "rounds", "chain_sha256")}
    h = hashlib.sha256(("pmsim-save-chain\n" + canonical_json(header)).encode()).hexdigest()
    for entry in list(doc.get("log", [])) + list(doc.get("rounds", [])):
        h = hashlib.sha256((h + canonical_json(entry)).encode()).hexdigest()
    return h


# ---------------------------------------------------------------------------- writing
def to_document(rec: SaveRecord) -> dict[str, Any]:
    if rec.damaged_actions:
        a = rec.damaged_actions[0]
        raise SaveDamaged(f"{rec.source}: action {a.seq} is damaged ({a.error}): it cannot be exported")
    doc: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "engine_version": rec.engine_version,
        "player": rec.player,
        "seed": rec.seed,
        "status": rec.status,
        "round": rec.round,
        "score": rec.score,
        "origin": rec.origin,
        "created_at": rec.created_at.isoformat(timespec="seconds") if rec.created_at else None,
        "scenario": {
            "id": rec.scenario_id, "title": rec.scenario_title, "sha256": rec.scenario_sha256,
            "lines": rec.scenario_text.split("\n"),
        },
        "log": [{"seq": a.seq, "round": a.round, "action": a.data} for a in rec.actions],
        "rounds": [r.to_dict() for r in rec.rounds],
    }
    doc["chain_sha256"] = chain_sha256(doc)
    return doc


# Characters that may not appear raw in a file someone will `cat`: C0/C1 controls (JSON escapes
# C0 itself), DEL, bidi controls and line separators. Outside strings JSON has none of them, so
# writing them as \uXXXX escapes is the same JSON, byte for byte the same data once parsed.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def dumps(doc: dict[str, Any]) -> str:
    text = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a character device")):
        if test(mode):
            return name
    return "not a regular file"


def check_output(path: Path, *, force: bool = False) -> None:
    """Raise `StorageError` now if `write_output(path, ..., force=force)` would refuse `path`
    because of what is there (an existing file without `force`, a folder, a socket...)."""
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        st = os.stat(target)
    except FileNotFoundError:
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise StorageError(f"cannot write {path}: the folder {folder} does not exist") from None
        return
    except OSError as e:
        raise StorageError(f"cannot write {path}: {e.strerror or e}") from None
    if stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode):
        return
    if not stat.S_ISREG(st.st_mode):
        raise StorageError(f"cannot write {path}: it is {_kind(st.st_mode)}")
    if not force:
        raise StorageError(f"{path} already exists: use --force to overwrite it")


def write_output(path: Path, text: str, *, force: bool = False) -> Path:
    """Write `text` to `path` as a careful command-line tool does:

    * a new file is written beside it and moved into place, so a crash never leaves half a file;
    * an existing regular file is refused unless `force` (then replaced the same way);
    * a symlink is followed: the rules apply to what it points at, and the link stays a link;
    * a FIFO or a character device (/dev/null, /dev/stdout, a pipe) is written in place, never
      replaced by a regular file;
    * anything else (a folder, a socket, a block device) is refused.

    Raises `StorageError` with one line naming `path`."""
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise StorageError(f"cannot write {path}: {e.strerror or e}") from None
    if st is not None:
        if stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode):
            return _write_in_place(path, target, text)
        if not stat.S_ISREG(st.st_mode):
            raise StorageError(f"cannot write {path}: it is {_kind(st.st_mode)}")
        if not force:
            raise StorageError(f"{path} already exists: use --force to overwrite it")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise StorageError(f"cannot write {path}: the folder {folder} does not exist")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a file we export is an ordinary file
        if st is None:
            _link_new(tmp, target, path)
        else:
            now = os.lstat(target)  # still the regular file we were allowed to replace?
            if not stat.S_ISREG(now.st_mode):
                raise StorageError(f"cannot write {path}: it is {_kind(now.st_mode)}")
            os.replace(tmp, target)
    except OSError as e:
        raise StorageError(f"cannot write {path}: {e.strerror or e}") from None
    finally:
        if tmp is not None and os.path.lexists(tmp):
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return path


def _link_new(tmp: str, target: Path, shown: Path) -> None:
    """Move `tmp` to `target`, which did not exist a moment ago, without clobbering whatever may
    have appeared there since (a hard link fails if the name is taken; rename would replace it)."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise StorageError(f"{shown} already exists: use --force to overwrite it") from None
    except OSError:  # a file system without hard links: the small race is better than no export
        os.replace(tmp, target)


def _write_in_place(path: Path, target: Path, text: str) -> Path:
    """A FIFO or a device: open what is there (never create, never truncate) and write to it."""
    try:
        fd = os.open(target, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise StorageError(f"cannot write {path}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    except OSError as e:
        raise StorageError(f"cannot write {path}: {e.strerror or e}") from None
    return path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_save(rec: SaveRecord, path: Path, *, force: bool = False) -> Path:
    return write_output(path, dumps(to_document(rec)), force=force)


def _action_fields() -> list[str]:
    from pmsim.engine.actions import ACTION_TYPES

    names: list[str] = []
    for cls in ACTION_TYPES.values():
        for f in fields(cls):
            if f.name not in names:
                names.append(f.name)
    return names


def _cell(v: Any) -> Any:
    """Spreadsheet-safe text: a cell starting with = + - @ would run as a formula in Excel, and
    control characters or bidi overrides are made visible (pmsim.textsafe)."""
    if isinstance(v, str):
        from pmsim.textsafe import plain

        v = plain(v) if v[:1] not in ("\t", "\r") else "'" + plain(v)
        if v[:1] in ("=", "+", "-", "@"):
            return "'" + v
        return v
    return "" if v is None else v


def decision_rows(rec: SaveRecord) -> list[dict[str, Any]]:
    """One row per decision, with the round's score and state hash on the EndRound that closed it."""
    if rec.damaged_actions:
        a = rec.damaged_actions[0]
        raise SaveDamaged(f"{rec.source}: action {a.seq} is damaged ({a.error}): it cannot be exported")
    by_seq = {r.seq: r for r in rec.rounds}
    rows = []
    for a in rec.actions:
        data = dict(a.data or {})
        end = by_seq.get(a.seq)
        rows.append({
            "save": rec.id if rec.id is not None else rec.source, "player": rec.player,
            "scenario": rec.scenario_id, "seed": rec.seed, "seq": a.seq, "round": a.round,
            "kind": data.pop("kind", a.kind), "action": data,
            "round_end": end.to_dict() if end else None,
        })
    return rows


def write_log(rec: SaveRecord, path: Path, fmt: str, *, force: bool = False) -> Path:
    rows = decision_rows(rec)
    if fmt == "jsonl":
        # ASCII escapes: the same data, and no byte of the file can act on a terminal (cat, less)
        text = "".join(json.dumps(r, sort_keys=True, ensure_ascii=True) + "\n" for r in rows)
        return write_output(path, text, force=force)
    cols = ["save", "player", "scenario", "seed", "seq", "round", "kind", *[
        f for f in _action_fields() if f != "kind"], "round_score", "state_hash"]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        flat = {k: r[k] for k in ("save", "player", "scenario", "seed", "seq", "round", "kind")}
        flat.update(r["action"])
        if r["round_end"]:
            flat["round_score"] = r["round_end"]["score"]
            flat["state_hash"] = r["round_end"]["state_hash"]
        w.writerow({k: _cell(v) for k, v in flat.items()})
    return write_output(path, buf.getvalue(), force=force)


def export_record(rec: SaveRecord, path: Path, fmt: str = "json", *, force: bool = False) -> Path:
    if fmt not in FORMATS:
        raise StorageError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    return write_save(rec, path, force=force) if fmt == "json" else write_log(rec, path, fmt, force=force)


# ---------------------------------------------------------------------------- reading
def _models():
    """pydantic models of the file, built on first use (pydantic is slow to import)."""
    from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

    hexdigest = Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{64}$")]
    count = Annotated[StrictInt, Field(ge=0, le=10**9)]

    class Strict(BaseModel):
        model_config = ConfigDict(extra="forbid")

    class ScenarioPart(Strict):
        id: StrictStr
        title: StrictStr
        sha256: hexdigest
        lines: list[StrictStr]

    class LogEntry(Strict):
        seq: count
        round: count
        action: dict[str, Any]

    class RoundEntry(Strict):
        round: count
        seq: count
        state_hash: hexdigest
        score: float | None
        components: dict[str, float]
        metrics: dict[str, Any]
        shipped: list[StrictStr]

    class SaveFile(Strict):
        format: Literal["pmsim-save"]
        format_version: Literal[1]
        engine_version: StrictStr
        player: Annotated[StrictStr, Field(min_length=1, max_length=200)]
        seed: Annotated[StrictInt, Field(ge=0, lt=2**63)]
        status: Literal["in_progress", "finished"]
        round: count
        score: float | None
        origin: StrictStr
        created_at: StrictStr | None
        scenario: ScenarioPart
        log: Annotated[list[LogEntry], Field(max_length=MAX_ACTIONS)]
        rounds: list[RoundEntry]
        chain_sha256: hexdigest

    return SaveFile


def _first_error(exc: Any) -> str:
    err = exc.errors()[0]
    loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
    return f"{loc}: {err['msg']}" if loc else err["msg"]


def read_save(path: Path) -> SaveRecord:
    """Read and check an exported save: size, JSON, format and version, fields, hash chain.

    Raises `SaveFileError` with one line naming the file. Does not replay the game."""
    path = Path(path)

    def reject(msg: str) -> SaveFileError:
        return SaveFileError(f"{path}: {msg}")

    try:
        st = path.stat()
    except FileNotFoundError:
        raise reject("no such file") from None
    except OSError as e:
        raise reject(f"cannot read it ({e.strerror or e})") from None
    if not path.is_file():
        raise reject("not a regular file")
    if st.st_size > MAX_BYTES:
        raise reject(f"too large for a save file ({st.st_size} bytes; the limit is {MAX_BYTES})")
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise reject(f"cannot read it ({e.strerror or e})") from None
    if len(raw) > MAX_BYTES:
        raise reject(f"too large for a save file (more than {MAX_BYTES} bytes)")
    if not raw.strip():
        raise reject("empty file: not a pmsim save")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise reject("not a pmsim save file (not UTF-8 text)") from None
    if not text.lstrip("\ufeff \t\r\n").startswith("{"):
        raise reject("not a pmsim save file (not a JSON object)")
    try:
        data = loads_finite(text.lstrip("\ufeff"))
    except json.JSONDecodeError as e:
        if e.pos >= len(text.rstrip()) - 1:
            raise reject(f"truncated: the JSON ends early (line {e.lineno})") from None
        raise reject(f"not valid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    except NonFiniteNumber as e:
        raise reject(f"not valid JSON for a save ({e})") from None
    except (ValueError, RecursionError) as e:
        raise reject(f"not valid JSON ({'too deeply nested' if isinstance(e, RecursionError) else e})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise reject("not a pmsim save file (no \"format\": \"pmsim-save\")")
    version = data.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise reject(
            f"written by a newer pmsim (save format {version}; this pmsim reads format {FORMAT_VERSION}): "
            "upgrade pmsim"
        )
    from pydantic import ValidationError

    try:
        doc = _models().model_validate(data)
    except ValidationError as e:
        raise reject(f"invalid save file: {_first_error(e)}") from None
    if chain_sha256(data) != doc.chain_sha256:
        raise reject("the hash chain does not match: the file was changed after export (or is damaged)")
    text_ = "\n".join(doc.scenario.lines)
    if sha256_text(text_) != doc.scenario.sha256:
        raise reject("its scenario text does not match its sha256")
    status = FINISHED if doc.status == FINISHED else IN_PROGRESS
    return SaveRecord(
        id=None, player=doc.player, scenario_id=doc.scenario.id, scenario_title=doc.scenario.title,
        seed=doc.seed, engine_version=doc.engine_version, status=status, round=doc.round,
        n_actions=len(doc.log), score=doc.score, parent_id=None, forked_round=None, origin=doc.origin,
        created_at=None, updated_at=None, scenario_text=text_, scenario_sha256=doc.scenario.sha256,
        actions=[ActionRecord(e.seq, e.round, str(e.action.get("kind", "")), e.action) for e in doc.log],
        rounds=[RoundRecord(r.round, r.seq, r.state_hash, r.score, r.components, r.metrics, r.shipped)
                for r in doc.rounds],
        source=str(path),
    )
