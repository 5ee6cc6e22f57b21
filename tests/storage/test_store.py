"""The save service on SQLite: round-trips, autosave, resume with hash checks, fork, damage."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from storage_texts import BOT, play_reference

from pmsim.engine import EndRound, IllegalAction, Plan
from pmsim.engine.bots import play_game, play_round
from pmsim.storage.errors import (
    ReadOnlySave,
    SaveConflict,
    SaveNotFound,
    StorageError,
)
from pmsim.storage.records import FINISHED, IN_PROGRESS, sha256_text
from pmsim.storage.saves import SaveStore
from pmsim.storage.session import GameSession, record_bot_game


def _sql(store: SaveStore, sql: str, **params) -> None:
    with store._engine.begin() as conn:
        conn.execute(text(sql), params)


def test_create_and_load_round_trip(store, small_text):
    sid = store.create(small_text, 7, "  Ada   Lovelace ")
    rec = store.load(sid)
    assert rec.id == sid and rec.player == "Ada Lovelace" and rec.seed == 7
    assert rec.scenario_id == "b2b_saas" and rec.scenario_text == small_text
    assert rec.scenario_sha256 == sha256_text(small_text)
    assert rec.status == IN_PROGRESS and rec.round == 1 and rec.n_actions == 0
    assert rec.actions == [] and rec.rounds == [] and rec.source == f"save {sid}"
    assert rec.created_at is not None and rec.created_at.tzinfo is not None


def test_bot_game_autosaves_every_action(store, reference):
    sid = record_bot_game(store, reference.text, reference.seed, BOT)
    rec = store.load(sid)
    assert rec.player == f"bot:{BOT}" and rec.status == FINISHED
    assert [a.data for a in rec.actions] == reference.actions
    assert [a.seq for a in rec.actions] == list(range(1, len(reference.actions) + 1))
    assert {r.round: r.state_hash for r in rec.rounds} == reference.round_hashes
    last = rec.rounds[-1]
    assert rec.score == last.score and 0 <= last.score <= 100
    assert set(last.components) and {"customers", "nps"} <= set(last.metrics)
    assert all(rec.actions[r.seq - 1].kind == "end_round" for r in rec.rounds)


def test_resume_replays_to_the_same_state(seeded, reference):
    game, read_only, problem = seeded.resume(1)
    assert (read_only, problem) == (False, None)
    assert game.finished and game.state_hash() == reference.final_hash
    assert [a.to_dict() for a in game.log] == reference.actions


def test_resume_in_progress_and_continue(seeded, small_text):
    session = GameSession.resume(seeded, 2)
    assert not session.read_only and session.round == 4
    play_game(session, BOT)
    ref = play_reference(small_text, 12)
    assert session.state_hash() == ref.final_hash
    info = seeded.info(2)
    assert info.status == FINISHED and info.n_actions == len(ref.actions)
    assert seeded.verify(2).ok


def test_mismatching_round_hash_opens_read_only(seeded):
    _sql(seeded, "UPDATE rounds SET state_hash = :h WHERE save_id = 2 AND round = 2", h="0" * 64)
    game, read_only, problem = seeded.resume(2)
    assert read_only and "round 2 differs" in problem and "save 2" in problem
    res = seeded.verify(2)
    assert res.first_mismatch == 2 and not res.damaged
    session = GameSession.resume(seeded, 2)
    n = seeded.info(2).n_actions
    with pytest.raises(ReadOnlySave):
        session.apply(EndRound())
    assert seeded.info(2).n_actions == n  # nothing written


def test_first_differing_round_is_reported(seeded):
    for r in (5, 3, 7):
        _sql(seeded, "UPDATE rounds SET state_hash = :h WHERE save_id = 1 AND round = :r", h="f" * 64, r=r)
    assert seeded.verify(1).first_mismatch == 3


def test_damaged_action_row_is_named_and_others_still_load(seeded, reference):
    _sql(seeded, "UPDATE actions SET payload = '{not json' WHERE save_id = 2 AND seq = 5")
    assert [s.id for s in seeded.list()] == [1, 2]
    game, read_only, problem = seeded.resume(2)
    assert read_only and "save 2" in problem and "action 5" in problem
    assert len(game.log) == 4
    res = seeded.verify(2)
    assert res.damaged and not res.ok
    assert seeded.resume(1)[0].state_hash() == reference.final_hash


def test_unknown_action_kind_is_damage(seeded):
    _sql(seeded, """UPDATE actions SET payload = '{"kind": "launch_rocket"}' WHERE save_id = 2 AND seq = 2""")
    res = seeded.verify(2)
    assert res.damaged and "action 2" in res.problem and "launch_rocket" in res.problem


def test_missing_action_row_is_damage(seeded):
    _sql(seeded, "DELETE FROM actions WHERE save_id = 2 AND seq = 3")
    res = seeded.verify(2)
    assert res.damaged and "jumps" in res.problem


def test_illegal_action_is_not_stored(store, small_text):
    session = GameSession.start(store, small_text, 1, "ada")
    with pytest.raises(IllegalAction):
        session.apply(Plan("no_such_feature", "now"))
    assert store.info(session.save_id).n_actions == 0 and session.log == []


def test_failed_commit_rolls_the_game_back(store, small_text, monkeypatch):
    session = GameSession.start(store, small_text, 1, "ada")
    play_round(session, BOT)
    before = session.state_hash()
    n = len(session.log)

    def down(*a, **k):
        raise StorageError("database went away")

    monkeypatch.setattr(store, "append_action", down)
    with pytest.raises(StorageError):
        session.apply(EndRound())
    assert session.state_hash() == before and len(session.log) == n
    monkeypatch.undo()
    session.apply(EndRound())
    assert store.info(session.save_id).n_actions == n + 1 and store.verify(session.save_id).ok


def test_two_sessions_on_one_save_conflict(seeded):
    a = GameSession.resume(seeded, 2)
    b = GameSession.resume(seeded, 2)
    a.apply(EndRound())
    with pytest.raises(SaveConflict, match="save 2"):
        b.apply(EndRound())
    assert seeded.verify(2).ok


def test_append_rules(store, small_text):
    sid = store.create(small_text, 1, "ada")
    with pytest.raises(SaveConflict):
        store.append_action(sid, 2, {"kind": "end_round", "rationale": ""})
    with pytest.raises(SaveNotFound):
        store.append_action(999, 1, {"kind": "end_round", "rationale": ""})
    with pytest.raises(ValueError):
        store.append_action(sid, 1, {"kind": "end_round"}, "a" * 64, None)


def test_finished_save_takes_no_more_actions(seeded):
    with pytest.raises(ReadOnlySave):
        seeded.append_action(1, seeded.info(1).n_actions + 1, {"kind": "end_round", "rationale": ""})


def test_delete_cascades_and_ids_are_never_reused(seeded, small_text):
    seeded.delete(2)
    assert [s.id for s in seeded.list()] == [1]
    with seeded._engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM actions WHERE save_id = 2")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM rounds WHERE save_id = 2")).scalar() == 0
    with pytest.raises(SaveNotFound):
        seeded.delete(2)
    with pytest.raises(SaveNotFound):
        seeded.load(2)
    assert seeded.create(small_text, 1, "ada") == 3


def test_fork_keeps_the_first_rounds(seeded, reference):
    new = seeded.fork(1, 3)
    info = seeded.info(new)
    assert info.parent_id == 1 and info.forked_round == 3 and info.round == 4 and info.status == IN_PROGRESS
    rec = seeded.load(new)
    assert [r.round for r in rec.rounds] == [1, 2, 3]
    assert rec.actions[-1].kind == "end_round"
    assert [a.data for a in rec.actions] == reference.actions[: len(rec.actions)]
    session = GameSession.resume(seeded, new)
    assert not session.read_only and session.round == 4
    session.apply(EndRound("a different quarter"))
    assert seeded.verify(new).ok and seeded.verify(1).ok  # the original is untouched


def test_fork_bounds_and_round_zero(seeded):
    with pytest.raises(StorageError, match="from 0 to 8"):
        seeded.fork(1, 9)
    new = seeded.fork(1, 0)
    assert seeded.info(new).n_actions == 0 and seeded.info(new).round == 1


def test_fork_refuses_a_differing_prefix(seeded):
    _sql(seeded, "UPDATE rounds SET state_hash = :h WHERE save_id = 1 AND round = 2", h="0" * 64)
    with pytest.raises(StorageError, match="round 2 differs"):
        seeded.fork(1, 4)
    assert seeded.load(seeded.fork(1, 1)).rounds[0].round == 1


def test_bad_inputs_to_create(store, small_text):
    with pytest.raises(StorageError, match="seed"):
        store.create(small_text, -1, "ada")
    with pytest.raises(StorageError, match="player"):
        store.create(small_text, 1, "   ")
    with pytest.raises(StorageError, match="scenario does not load"):
        store.create("meta: [", 1, "ada")


def test_in_memory_database(small_text):
    with SaveStore("sqlite://") as s:
        sid = record_bot_game(s, small_text, 3, BOT)
        assert s.verify(sid).ok and s.list()[0].status == FINISHED


def test_one_store_shared_by_threads(store, small_text):
    import threading

    ids = [store.create(small_text, i, f"p{i}") for i in range(8)]
    errors = []

    def writer(sid: int) -> None:
        try:
            for seq in range(1, 41):
                store.append_action(sid, seq, {"kind": "end_round", "rationale": str(seq)}, round_n=1)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(sid,)) for sid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for sid in ids:
        rec = store.load(sid)
        assert [a.data["rationale"] for a in rec.actions] == [str(i) for i in range(1, 41)]
