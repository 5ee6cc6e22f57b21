"""The class API of SaveStore and GameSession: codes, lookups, class saves, stored summaries."""

from __future__ import annotations

import json
import re

import pytest
from class_helpers import SEED, STUDENTS, small_text

from pmsim.storage.classes import CODE_ALPHABET, normalize_class_code
from pmsim.storage.errors import ClassNotFound, StorageError
from pmsim.storage.records import FINISHED, IN_PROGRESS
from pmsim.storage.saves import SaveStore
from pmsim.storage.session import GameSession

CODE_RE = re.compile(r"^PM-[0-9A-HJKMNP-TV-Z]{4}$")


@pytest.fixture
def store(tmp_path):
    s = SaveStore(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    yield s
    s.close()


def test_codes_are_short_and_unambiguous(store):
    assert not set("ILOU") & set(CODE_ALPHABET)
    codes = {store.create_class(f"class {n}", small_text(), n).code for n in range(30)}
    assert len(codes) == 30
    assert all(CODE_RE.match(c) for c in codes)


@pytest.mark.parametrize("typed, stored", [
    ("PM-7QK4", "PM-7QK4"), ("pm-7qk4", "PM-7QK4"), (" PM 7QK4 ", "PM-7QK4"), ("7qk4", "PM-7QK4"),
    ("pm7qk4", "PM-7QK4"), ("PM-7OKI", "PM-70K1"), ("pm_1l0o", "PM-1100"),
    ("PM-7QK", None), ("PM-7QK45", None), ("PM-7QU4", None), ("", None), ("DROP TABLE", None),
])
def test_codes_are_read_forgivingly(typed, stored):
    assert normalize_class_code(typed) == stored


def test_create_and_get_a_class(store):
    text = small_text()
    klass = store.create_class("  PM 101,\n spring ", text, SEED)
    assert klass.name == "PM 101, spring" and klass.seed == SEED and klass.scenario_id == "b2b_saas"
    assert klass.scenario_text == text and klass.created_at is not None
    got = store.get_class(klass.code.lower().replace("-", ""))
    assert got.id == klass.id and got.scenario_text == text and (got.n_saves, got.n_finished) == (0, 0)
    assert [c.code for c in store.list_classes()] == [klass.code]


def test_unknown_codes_fail_with_one_line_naming_nothing_else(store):
    real = store.create_class("secret class", small_text(), 1).code
    other = "PM-2222" if real != "PM-2222" else "PM-3333"
    with pytest.raises(ClassNotFound) as e:
        store.get_class(other)
    msg = str(e.value)
    assert other in msg and "--db" in msg and real not in msg and "secret" not in msg and "\n" not in msg
    with pytest.raises(ClassNotFound, match="not a class code"):
        store.get_class("hello world")
    with pytest.raises(ClassNotFound):
        GameSession.start_class(store, other, "Ada")


def test_bad_class_input(store):
    with pytest.raises(StorageError, match="name"):
        store.create_class("   ", small_text(), 1)
    with pytest.raises(StorageError, match="seed"):
        store.create_class("x", small_text(), -1)
    with pytest.raises(StorageError, match="scenario does not load"):
        store.create_class("x", "meta: [", 1)
    klass = store.create_class("x", small_text(), 1)
    with pytest.raises(StorageError, match="player name"):
        GameSession.start_class(store, klass.code, "  ")
    with pytest.raises(StorageError, match="another scenario text or seed"):
        store.create(small_text(), 2, "Ada", class_id=klass.id)
    with pytest.raises(StorageError, match="another scenario text or seed"):
        store.create(small_text(3000), 1, "Ada", class_id=klass.id)
    with pytest.raises(ClassNotFound):
        store.create(small_text(), 1, "Ada", class_id=9999)


def test_a_code_already_taken_is_drawn_again(store, monkeypatch):
    from pmsim.storage import classes

    first = store.create_class("a", small_text(), 1).code
    draws = iter([first, first, "PM-ABCD" if first != "PM-ABCD" else "PM-ABCE"])
    monkeypatch.setattr(classes, "new_class_code", lambda: next(draws))
    assert store.create_class("b", small_text(), 1).code.startswith("PM-ABC")


def test_students_of_a_class(class_db, class_store):
    from pmsim.engine.summary import game_summary

    klass = class_store.get_class(class_db.code)
    assert (klass.n_saves, klass.n_finished) == (6, 5)
    saves = class_store.class_saves(class_db.code)
    assert [s.id for s in saves] == [*class_db.save_ids, class_db.in_progress_id]
    assert [s.player for s in saves] == [n for n, _ in STUDENTS] + ["Ken"]  # both Adas are kept
    assert all(s.class_id == klass.id and s.seed == SEED for s in saves)
    assert [s.status for s in saves] == [FINISHED] * 5 + [IN_PROGRESS]
    _, games = class_store.class_games(class_db.code)
    for g in games[:5]:  # the summary stored when the game finished is the replayed game's
        game, read_only, _ = class_store.resume(g.info.id)
        assert not read_only
        assert g.summary == json.loads(json.dumps(game_summary(game)))
        assert g.summary["score"] == pytest.approx(g.info.score)
    assert games[5].summary is None and games[5].problem is None
    assert class_store.info(class_db.save_ids[0]).class_id == klass.id
    assert [s.id for s in class_store.list()] == [*class_db.save_ids, class_db.in_progress_id]


def test_start_class_gives_the_session_its_class(store):
    klass = store.create_class("x", small_text(), 9)
    s = GameSession.start_class(store, klass.code, "Ada")
    assert s.class_info.code == klass.code and s.game.state.seed == 9 and s.round == 1
    assert store.info(s.save_id).class_id == klass.id


def test_imported_and_forked_finished_games_get_a_summary(class_db, class_store, tmp_path):
    _, games = class_store.class_games(class_db.code)
    new_id = class_store.import_file(class_db.files["good0"])
    fork_id = class_store.fork(class_db.save_ids[1], 8)
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from pmsim.storage.models import Save

    with Session(class_store._engine) as s:
        stored = dict(s.execute(select(Save.id, Save.summary).where(Save.id.in_([new_id, fork_id]))).all())
    assert json.loads(stored[new_id]) == games[0].summary
    assert json.loads(stored[fork_id]) == games[1].summary


def test_a_failing_summary_never_costs_the_action(store, monkeypatch):
    from pmsim.engine.bots import play_game
    from pmsim.engine.summary import game_summary
    klass = store.create_class("x", small_text(), 2)
    s = GameSession.start_class(store, klass.code, "Ada")

    def broken(game):
        raise RuntimeError("engine bug")

    monkeypatch.setattr("pmsim.engine.summary.game_summary", broken)
    play_game(s, "hippo")
    assert store.info(s.save_id).status == FINISHED
    _, games = store.class_games(klass.code)
    assert games[0].summary is None
    monkeypatch.setattr("pmsim.engine.summary.game_summary", game_summary)
    store.set_summary(s.save_id, game_summary(s.game))
    assert store.class_games(klass.code)[1][0].summary["score"] == pytest.approx(s.game.score()["score"])
