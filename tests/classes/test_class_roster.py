"""The class roster: students with PINs printed once and stored as salted hashes; joining checks
the PIN, locks a name after repeated wrong PINs; games played on the class server are marked."""

from __future__ import annotations

import re

import pytest
from class_helpers import SEED, small_text
from click.testing import CliRunner
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from pmsim.cli import cli
from pmsim.storage import classes as classes_mod
from pmsim.storage.classes import JoinRefused, hash_pin, new_pin, normalize_pin, pin_matches
from pmsim.storage.errors import StorageError
from pmsim.storage.models import StudentRow
from pmsim.storage.saves import SaveStore


@pytest.fixture
def store(tmp_path):
    s = SaveStore(f"sqlite:///{tmp_path / 'roster.sqlite3'}")
    yield s
    s.close()


@pytest.fixture
def code(store) -> str:
    return store.create_class("PM 101", small_text(), SEED).code


def test_pins_are_hashed_with_a_salt_and_checked_exactly():
    pin = new_pin()
    assert re.fullmatch(r"\d{4}-\d{4}", pin)
    h1, h2 = hash_pin(pin), hash_pin(pin)
    assert h1 != h2 and pin.replace("-", "") not in h1  # salted; the digits never stored
    assert h1.startswith("scrypt$")
    assert pin_matches(pin, h1) and pin_matches(pin.replace("-", " "), h2)
    other = f"{(int(pin.replace('-', '')) + 1) % 10**8:08d}"
    assert not pin_matches(other, h1)
    assert not pin_matches("", h1) and not pin_matches("abcd-efgh", h1) and not pin_matches(pin, "garbage")
    assert normalize_pin("1234 5678") == "12345678" and normalize_pin("1234567") is None


def test_students_join_with_their_own_pin_only(store, code):
    (ada, ada_pin), (bob, bob_pin) = store.add_students(code, ["Ada", "Bob  Smith"])
    assert bob.name == "Bob Smith"
    with Session(store._engine) as s:
        stored = s.scalars(select(StudentRow.pin_hash)).all()
    assert all(p.replace("-", "") not in h for h in stored for p in (ada_pin, bob_pin))
    assert store.check_student(code.lower(), "  ada ", ada_pin).id == ada.id  # case and spaces forgiven
    with pytest.raises(JoinRefused, match="name or PIN not recognised"):
        store.check_student(code, "Ada", bob_pin)
    with pytest.raises(JoinRefused, match="name or PIN not recognised"):  # same words: no hint the name is unknown
        store.check_student(code, "Nobody", ada_pin)
    with pytest.raises(JoinRefused, match="not the code of the class"):
        store.check_student("PM-0000", "Ada", ada_pin)


def test_repeated_wrong_pins_lock_the_name_and_a_reset_lifts_it(store, code):
    [(ada, pin)] = store.add_students(code, ["Ada"])
    wrong = f"{(int(pin.replace('-', '')) + 7) % 10**8:08d}"
    for _ in range(classes_mod.MAX_WRONG_PINS):
        with pytest.raises(JoinRefused, match="not recognised"):
            store.check_student(code, "Ada", wrong)
    with pytest.raises(JoinRefused, match="too many wrong PINs"):
        store.check_student(code, "Ada", pin)  # even the right PIN, while locked
    [row] = store.roster(code)
    assert row.locked_until is not None
    _, new = store.reset_pin(code, "ADA")
    with pytest.raises(JoinRefused):
        store.check_student(code, "Ada", pin)  # the old PIN no longer works
    assert store.check_student(code, "Ada", new).id == ada.id


def test_a_right_pin_resets_the_count_of_wrong_ones(store, code):
    [(_, pin)] = store.add_students(code, ["Ada"])
    wrong = f"{(int(pin.replace('-', '')) + 1) % 10**8:08d}"
    for _ in range(3):
        for _ in range(classes_mod.MAX_WRONG_PINS - 1):
            with pytest.raises(JoinRefused, match="not recognised"):
                store.check_student(code, "Ada", wrong)
        store.check_student(code, "Ada", pin)


def test_adding_is_all_or_nothing(store, code):
    store.add_students(code, ["Ada"])
    with pytest.raises(StorageError, match="'Ada' is already on the roster"):
        store.add_students(code, ["Grace", "ADA"])
    with pytest.raises(StorageError, match="more than once"):
        store.add_students(code, ["Linus", "linus"])
    with pytest.raises(StorageError, match="too long"):
        store.add_students(code, ["x" * 101])
    assert [s.name for s in store.roster(code)] == ["Ada"]


def test_server_games_are_marked_and_survive_removal(store, code):
    [(ada, pin)] = store.add_students(code, ["Ada"])
    klass = store.get_class(code)
    assert store.server_game(ada) is None
    sid = store.start_server_game(ada)
    info = store.info(sid)
    assert (info.class_id, info.player, info.seed) == (klass.id, "Ada", SEED)
    assert store.server_game(ada).save_id == sid
    from pmsim.storage.session import GameSession

    other = GameSession.start_class(store, code, "Ada").save_id  # the same name, not on the server
    assert store.server_save_ids(klass.id) == {sid} and other not in store.server_save_ids(klass.id)
    store.remove_student(code, "ada")
    assert store.roster(code) == [] and store.server_save_ids(klass.id) == {sid}
    store.delete(sid)
    assert store.server_save_ids(klass.id) == set()
    with store._engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_a_class_seed_is_drawn_from_63_bits_by_default(tmp_path):
    from pmsim.storage.classes import GUESSABLE_SEED

    db = f"sqlite:///{tmp_path / 'seeds.sqlite3'}"
    for n in range(3):
        assert run("class", "create", "--scenario", "b2b_saas", "--name", f"c{n}", "--db", db).exit_code == 0
    with SaveStore(db) as store:
        seeds = [k.seed for k in store.list_classes()]
    assert all(GUESSABLE_SEED <= s < 2**63 for s in seeds), seeds  # a million-seed default could be searched


def test_roster_command(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    out = run("class", "create", "--scenario", "b2b_saas", "--seed", "3", "--name", "PM 101", "--db", db).output
    code = re.search(r"PM-[0-9A-Z]{4}", out).group(0)
    r = run("class", "roster", code, "--db", db)
    assert r.exit_code == 0 and "no students" in r.output
    r = run("class", "roster", code, "--add", "Ada", "--add", "Grace Hopper", "--db", db)
    assert r.exit_code == 0, r.output
    pins = dict(re.findall(r"^(Ada|Grace Hopper)\s+(\d{4}-\d{4})$", r.output, re.M))
    assert set(pins) == {"Ada", "Grace Hopper"} and "shown only now" in r.output
    listed = run("class", "roster", code, "--list", "--db", db)
    assert listed.exit_code == 0 and "Grace Hopper" in listed.output and "not started" in listed.output
    assert not re.search(r"\d{4}-\d{4}", listed.output)  # PINs are never listed
    js = run("class", "roster", code, "--json", "--db", db)
    assert [s["name"] for s in __import__("json").loads(js.output)] == ["Ada", "Grace Hopper"]
    assert "pin" not in js.output.lower()
    r = run("class", "roster", code, "--add", "ada", "--db", db)
    assert r.exit_code == 2 and "already on the roster" in r.output and "Traceback" not in r.output
    r = run("class", "roster", code, "--reset", "grace hopper", "--db", db)
    new = re.search(r"^Grace Hopper\s+(\d{4}-\d{4})$", r.output, re.M).group(1)
    with SaveStore(db) as store:
        assert store.check_student(code, "Grace Hopper", new).name == "Grace Hopper"
    r = run("class", "roster", code, "--remove", "Ada", "--db", db)
    assert r.exit_code == 0 and "removed Ada" in r.output
    r = run("class", "roster", code, "--remove", "Ada", "--db", db)
    assert r.exit_code == 2 and r.output.strip().endswith(f"no student 'Ada' on the roster of class {code}")
    r = run("class", "roster", "PM-ZZZZ", "--db", db)
    assert r.exit_code == 2 and "no class PM-ZZZZ" in r.output
    r = run("class", "roster", code, "--add", "x", "--reset", "y", "--db", db)
    assert r.exit_code == 2 and "one of --add, --reset" in r.output
