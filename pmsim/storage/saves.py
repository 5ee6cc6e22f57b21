"""The save service: plain dataclasses in and out, one short transaction per call.

    store = SaveStore(url)                        # opens (and migrates) the database
    sid = store.create(scenario_text, seed, player)
    store.append_action(sid, seq, action.to_dict(), round_hash, round_summary)
    game, read_only, problem = store.resume(sid)  # replay + check every recorded round hash

    klass = store.create_class("Spring cohort", scenario_text, seed)   # join code klass.code
    store.class_games(klass.code)                 # its saves, with their stored game summaries

`GameSession` (session.py) does the bookkeeping of `append_action` for a live game.
"""

from __future__ import annotations

import builtins
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from pmsim.storage import exchange
from pmsim.storage.classes import ClassStore
from pmsim.storage.db import (
    check_writable,
    db_errors,
    describe_url,
    is_default_url,
    make_engine,
    resolve_url,
    sqlite_path,
    write_engine,
)
from pmsim.storage.errors import (
    DatabaseUnavailable,
    ReadOnlySave,
    SaveConflict,
    SaveDamaged,
    SaveNotFound,
    StorageError,
)
from pmsim.storage.history import engine_version_problem, replay_record, score_differences
from pmsim.storage.migrate import ensure_schema
from pmsim.storage.models import ActionRow, Meta, RoundRow, Save
from pmsim.storage.records import (
    FINISHED,
    IN_PROGRESS,
    ActionRecord,
    ReplayResult,
    RoundRecord,
    SaveInfo,
    SaveRecord,
    canonical_json,
    finite,
    finite_or_none,
    loads_finite,
    sha256_text,
)
from pmsim.storage.rows import (
    _INFO_COLUMNS,
    _check_seed,
    _info,
    _json,
    _load_scenario,
    _now,
)
from pmsim.storage.targets import parse_target

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from pmsim.engine import Game
    from pmsim.scenario.models import Scenario

MAX_PLAYER = 100  # as pmsim.textsafe.MAX_NAME: a new player name longer than this is refused
MAX_ID = 2**63 - 1  # the largest id a database column holds


def _action_record(row: Any) -> ActionRecord:
    try:
        data = loads_finite(row.payload)
    except (TypeError, ValueError, RecursionError) as e:
        return ActionRecord(row.seq, row.round, row.kind, None, f"unreadable JSON ({e})")
    if not isinstance(data, dict):
        return ActionRecord(row.seq, row.round, row.kind, None, "not a JSON object")
    return ActionRecord(row.seq, row.round, row.kind, data)


def _round_record(row: Any) -> RoundRecord:
    return RoundRecord(
        round=row.round, seq=row.seq, state_hash=row.state_hash, score=finite_or_none(row.score),
        components=_json(row.components, {}), metrics=_json(row.metrics, {}),
        shipped=_json(row.shipped, []),
    )


def load_record(target: int | str | Path, db_url: str | None = None) -> SaveRecord:
    """The save `target` names (see `parse_target`): an exported file is read without touching the
    database; an id is loaded from the database at `db_url`. Raises `StorageError`."""
    t = parse_target(target)
    if isinstance(t, Path):
        return exchange.read_save(t)
    with SaveStore(db_url) as store:
        return store.load(t)


def check_id(save_id: int, where: str) -> int:
    """`save_id` if a database could hold it; else `SaveNotFound` (not an OverflowError, F7)."""
    if isinstance(save_id, bool) or not isinstance(save_id, int) or not 0 < save_id <= MAX_ID:
        raise SaveNotFound(f"no save {save_id} in {where}")
    return save_id


class SaveStore(ClassStore):
    """Saved games in one database. Thread-safe: every call opens its own short session.

    The class methods (create_class, get_class, list_classes, class_saves, class_games,
    set_summary) are in classes.py."""

    def __init__(self, url: str | None = None) -> None:
        self.url = resolve_url(url)
        self.where = describe_url(self.url)
        path = sqlite_path(self.url)
        if path is not None and is_default_url(url):
            try:  # the default folder, created on first use
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise DatabaseUnavailable(f"cannot create {path.parent}: {e.strerror or e}") from None
        elif path is not None and not path.parent.is_dir():  # an explicit URL: never create folders
            raise DatabaseUnavailable(
                f"cannot open {path}: the folder does not exist ({path.parent}; pmsim creates only its "
                "default folder): create it or fix the URL"
            )
        self._write_checked = False
        with db_errors(self.url):
            self._engine = make_engine(self.url)
            try:
                ensure_schema(self._engine, self.url)
            except BaseException:
                self._engine.dispose()
                raise
        self._write_engine = write_engine(self._engine)

    @property
    def _w(self) -> Engine:
        """The write engine; the first write of this store checks the file first (SQLite: a
        damaged file is refused for writes too, not only for the reads that meet the damage)."""
        if not self._write_checked:
            with db_errors(self.url):
                check_writable(self._engine, self.url)
            self._write_checked = True
        return self._write_engine

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> SaveStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writing
    def create(self, scenario_text: str, seed: int, player: str, *, scenario: Scenario | None = None,
               origin: str = "new", class_id: int | None = None) -> int:
        """A new, empty save (round 1, no actions). Returns its id.

        With `class_id` the save belongs to that class, whose scenario text and seed it must use."""
        from pmsim.engine.state import ENGINE_VERSION

        scenario = scenario or _load_scenario(scenario_text)
        _check_seed(seed)
        header = self._header(scenario_text, scenario, seed, _player(player), ENGINE_VERSION, origin)
        with db_errors(self.url), Session(self._w) as s, s.begin():
            if class_id is not None:
                self._check_class_game(s, class_id, header)
                header["class_id"] = class_id
            return self._insert_save(s, header, status=IN_PROGRESS, round_=1, n_actions=0, score=None)

    def append_action(self, save_id: int, seq: int, action_dict: dict[str, Any],
                      round_hash: str | None = None, round_summary: dict[str, Any] | None = None,
                      *, round_n: int | None = None, game_summary: dict[str, Any] | None = None) -> None:
        """Store action `seq` (1-based, the next one) and, when it closed a round, that round's
        summary, in one transaction committed before this returns. `game_summary` (given when
        the action finished the game) is stored with them, for class reports."""
        if round_hash is not None and round_summary is None:
            raise ValueError("a round hash needs its round summary (at least {'round': N})")
        payload = canonical_json(action_dict)
        summary_text = _summary_text(game_summary)
        now = _now()
        with db_errors(self.url), Session(self._w) as s, s.begin():
            if round_n is None:
                round_n = s.scalar(select(Save.round).where(Save.id == save_id))
                if round_n is None:
                    raise SaveNotFound(f"no save {save_id} in {self.where}")
            values: dict[str, Any] = {"n_actions": seq, "updated_at": now}
            if round_summary is not None:
                r = int(round_summary["round"])
                done = bool(round_summary.get("finished"))
                values.update(round=r if done else r + 1, status=FINISHED if done else IN_PROGRESS,
                              score=finite(round_summary.get("score")))
            if summary_text is not None:
                values["summary"] = summary_text
            res = s.execute(
                update(Save)
                .where(Save.id == save_id, Save.n_actions == seq - 1, Save.status == IN_PROGRESS)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if res.rowcount != 1:
                self._refuse_append(s, save_id, seq)
            s.execute(insert(ActionRow).values(
                save_id=save_id, seq=seq, round=round_n, kind=str(action_dict.get("kind", "")),
                payload=payload, created_at=now,
            ))
            if round_summary is not None:
                s.execute(insert(RoundRow).values(
                    **_round_row(save_id, seq, round_summary, round_hash or round_summary["state_hash"])
                ))

    def _refuse_append(self, s: Session, save_id: int, seq: int) -> None:
        row = s.execute(select(Save.n_actions, Save.status).where(Save.id == save_id)).first()
        if row is None:
            raise SaveNotFound(f"no save {save_id} in {self.where}")
        if row.status != IN_PROGRESS:
            raise ReadOnlySave(f"save {save_id} is {row.status}: no more actions can be saved")
        raise SaveConflict(
            f"save {save_id} already has {row.n_actions} actions, so action {seq} cannot follow: "
            "another pmsim is playing it; reopen the save"
        )

    def delete(self, save_id: int) -> None:
        check_id(save_id, self.where)
        with db_errors(self.url), Session(self._w) as s, s.begin():
            res = s.execute(delete(Save).where(Save.id == save_id).execution_options(synchronize_session=False))
            s.execute(delete(Meta).where(Meta.key == f"ui_state:{save_id}"))
            if res.rowcount != 1:
                raise SaveNotFound(f"no save {save_id} in {self.where}")

    # ------------------------------------------------------------------ the player's view of a save
    # What the terminal UI remembers about a save beside the game itself (the tutorial's progress,
    # the mentor on or off): a JSON object in the key/value table, never part of the action log,
    # the replay or the state hash.
    def ui_state(self, save_id: int) -> dict[str, Any]:
        with db_errors(self.url), Session(self._engine) as s:
            row = s.get(Meta, f"ui_state:{save_id}")
        data = _json(row.value, {}) if row is not None else {}
        return data if isinstance(data, dict) else {}

    def set_ui_state(self, save_id: int, state: dict[str, Any]) -> None:
        text = json.dumps(state, sort_keys=True, separators=(",", ":"))
        with db_errors(self.url), Session(self._w) as s, s.begin():
            s.merge(Meta(key=f"ui_state:{save_id}", value=text))

    # ------------------------------------------------------------------ reading
    def info(self, save_id: int) -> SaveInfo:
        check_id(save_id, self.where)
        with db_errors(self.url), Session(self._engine) as s:
            row = s.execute(select(*_INFO_COLUMNS).where(Save.id == save_id)).first()
        if row is None:
            raise SaveNotFound(f"no save {save_id} in {self.where}")
        return _info(row)

    def load(self, save_id: int) -> SaveRecord:
        """The whole save. A damaged action row comes back with `data=None` and an `error`."""
        check_id(save_id, self.where)
        with db_errors(self.url), Session(self._engine) as s, s.begin():
            row = s.execute(
                select(*_INFO_COLUMNS, Save.scenario_text, Save.scenario_sha256).where(Save.id == save_id)
            ).first()
            if row is None:
                raise SaveNotFound(f"no save {save_id} in {self.where}")
            actions = s.execute(
                select(ActionRow.seq, ActionRow.round, ActionRow.kind, ActionRow.payload)
                .where(ActionRow.save_id == save_id).order_by(ActionRow.seq)
            ).all()
            rounds = s.execute(select(RoundRow).where(RoundRow.save_id == save_id).order_by(RoundRow.round)).scalars().all()
            round_recs = [_round_record(r) for r in rounds]
        base = _info(row)
        if base.problem:
            raise SaveDamaged(f"save {save_id} is damaged: {base.problem}; the other saves are not affected")
        return SaveRecord(
            **{k: getattr(base, k) for k in SaveInfo.__dataclass_fields__},
            scenario_text=row.scenario_text, scenario_sha256=row.scenario_sha256,
            actions=[_action_record(a) for a in actions], rounds=round_recs, source=f"save {save_id}",
        )

    def open_target(self, target: int | str | Path) -> SaveRecord:
        """A save by id from this database, or read (and checked) from an exported file."""
        t = parse_target(target)
        return self.load(t) if isinstance(t, int) else exchange.read_save(t)

    # ------------------------------------------------------------------ replay
    def resume(self, save_id: int) -> tuple[Game, bool, str | None]:
        """Rebuild the game by replay, checking every recorded round hash.

        Returns (game, read_only, problem). When the replay differs from the record (or the log
        is damaged part-way) the game is returned read-only with a one-line `problem` naming the
        first differing round (what it says, not that it opened read-only: the caller says that); a save that cannot be replayed at all raises `SaveDamaged`.
        """
        rec = self.load(save_id)
        res = replay_record(rec)
        if res.game is None:
            raise SaveDamaged(res.problem or f"save {save_id} cannot be replayed")
        if res.problem:
            return res.game, True, res.problem
        # a save a newer pmsim wrote (same schema) replays here, but its next quarters may play by
        # rules this engine does not know: it is read, not played on (import refuses it alike)
        version_problem = engine_version_problem(rec.engine_version, "play it on")
        if version_problem:
            return res.game, True, f"{rec.source}: {version_problem}"
        return res.game, False, None

    def verify(self, target: int | str | Path) -> ReplayResult:
        """Replay a save (id or exported file) and compare every round hash with the record."""
        return replay_record(self.open_target(target))

    def fork(self, target: int | str | Path, round_n: int) -> int:
        """A new save keeping the decisions of rounds 1..round_n of `target`. Returns its id."""
        rec = self.open_target(target)
        ends = [a.seq for a in rec.actions if a.kind == "end_round"]
        if not 0 <= round_n <= len(ends):
            raise StorageError(
                f"{rec.source} has {len(ends)} completed round(s): fork at a round from 0 to {len(ends)}"
            )
        upto = ends[round_n - 1] if round_n > 0 else 0
        res = replay_record(rec, upto_seq=upto)
        if res.game is None or res.problem:
            raise StorageError(f"cannot fork: {res.problem}")
        origin = f"fork of {rec.source} at round {round_n}"
        parent = rec.id if isinstance(parse_target(target), int) else None
        return self._create_from_replay(rec, res, rec.actions[:upto], origin, parent, round_n)

    def import_file(self, path: str | Path) -> int:
        """Import an exported `.pmsave.json` as a new save (never replacing one). Returns its id.

        Raises `SaveFileError` (one line) when the file is not a valid, untampered save whose
        replay matches every recorded round."""
        from pmsim.storage.errors import SaveFileError

        rec = exchange.read_save(Path(path))
        version_problem = engine_version_problem(rec.engine_version)
        if version_problem:
            raise SaveFileError(f"cannot import {path}: {version_problem}")
        res = replay_record(rec)
        if res.game is None or res.problem:
            raise SaveFileError(f"cannot import {path}: {res.problem}")
        forged = score_differences(rec, res.summaries)
        if forged:
            raise SaveFileError(f"cannot import {path}: its recorded scores differ from the replay: "
                                + "; ".join(forged))
        return self._create_from_replay(rec, res, rec.actions, f"import of {Path(path).name}", None, None)

    def export(self, target: int | str | Path, path: str | Path, format: str = "json", *,
               force: bool = False) -> Path:
        """Write `target` to `path`: a `.pmsave.json` (format json) or a decision log (csv, jsonl).
        An existing file is overwritten only with `force` (see `exchange.write_output`)."""
        rec = self.open_target(target)
        return exchange.export_record(rec, Path(path), format, force=force)

    # ------------------------------------------------------------------ helpers
    def _header(self, text: str, scenario: Scenario, seed: int, player: str, engine_version: str,
                origin: str) -> dict[str, Any]:
        return {
            "player": player, "scenario_id": scenario.meta.id, "scenario_title": scenario.meta.title,
            "scenario_text": text, "scenario_sha256": sha256_text(text), "seed": seed,
            "engine_version": engine_version, "origin": origin[:500],
        }

    def _insert_save(self, s: Session, header: dict[str, Any], *, status: str, round_: int,
                     n_actions: int, score: float | None, parent_id: int | None = None,
                     forked_round: int | None = None) -> int:
        now = _now()
        save = Save(**header, status=status, round=round_, n_actions=n_actions, score=score,
                    parent_id=parent_id, forked_round=forked_round, created_at=now, updated_at=now)
        s.add(save)
        s.flush()
        return save.id

    def _create_from_replay(self, rec: SaveRecord, res: ReplayResult, actions: builtins.list[ActionRecord],
                            origin: str, parent_id: int | None, forked_round: int | None) -> int:
        """One transaction: the save, its actions and the round summaries the replay computed."""
        from pmsim.engine.state import ENGINE_VERSION

        game = res.game
        header = self._header(rec.scenario_text, game.scenario, rec.seed, _imported_player(rec.player),
                              ENGINE_VERSION, origin)
        if game.finished:
            header["summary"] = _summary_text(safe_game_summary(game))
        now = _now()
        with db_errors(self.url), Session(self._w) as s, s.begin():
            sid = self._insert_save(
                s, header, status=FINISHED if game.finished else IN_PROGRESS, round_=game.round,
                n_actions=len(actions), score=res.summaries[-1]["score"] if res.summaries else None,
                parent_id=parent_id, forked_round=forked_round,
            )
            if actions:
                s.execute(insert(ActionRow), [
                    {"save_id": sid, "seq": a.seq, "round": a.round, "kind": a.kind,
                     "payload": canonical_json(a.data), "created_at": now} for a in actions
                ])
            ends = [a.seq for a in actions if a.kind == "end_round"]
            if res.summaries:
                s.execute(insert(RoundRow), [
                    _round_row(sid, seq, summ, summ["state_hash"]) for seq, summ in zip(ends, res.summaries, strict=False)
                ])
        return sid

    def list(self) -> builtins.list[SaveInfo]:
        """Every save's header, oldest first. Reads no action rows, so a damaged log never hides a save."""
        with db_errors(self.url), Session(self._engine) as s:
            return [_info(r) for r in s.execute(select(*_INFO_COLUMNS).order_by(Save.id)).all()]


def safe_game_summary(game: Game) -> dict[str, Any] | None:
    """`game_summary(game)`, or None if building it fails: a missing summary is rebuilt by replay
    when a report needs it, while a failure here must never cost the player a saved action."""
    from pmsim.engine.summary import game_summary

    try:
        return game_summary(game)
    except Exception:
        return None


def _summary_text(summary: dict[str, Any] | None) -> str | None:
    if summary is None:
        return None
    try:
        return canonical_json(finite(summary))
    except (TypeError, ValueError):  # not JSON-able: leave it to be rebuilt by replay
        return None


def _round_row(save_id: int, seq: int, summary: dict[str, Any], state_hash: str) -> dict[str, Any]:
    summary = finite(summary)
    return {
        "save_id": save_id, "round": int(summary["round"]), "seq": seq, "state_hash": state_hash,
        "score": summary.get("score"), "components": canonical_json(summary.get("components") or {}),
        "metrics": canonical_json(summary.get("metrics") or {}),
        "shipped": canonical_json(list(summary.get("shipped") or [])),
    }


def _player(name: str) -> str:
    """A new game's player name: one line of plain text, at most MAX_PLAYER characters."""
    from pmsim.textsafe import check_name

    if not " ".join(str(name).split()):
        raise StorageError("a save needs a player name")
    try:
        return check_name(name, "player name", MAX_PLAYER)
    except ValueError as e:
        raise StorageError(str(e)) from None


def _imported_player(name: str) -> str:
    """The player name of an imported or forked game (checked by the file format, up to 200
    characters): kept, with whitespace collapsed and control characters made visible."""
    from pmsim.textsafe import name as clean

    return clean(name)[:200] or "?"
