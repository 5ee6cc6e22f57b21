"""The .pmsave.json format and the decision logs: round-trips, and every kind of bad file."""

from __future__ import annotations

import csv
import json

import pytest

from pmsim.storage import exchange
from pmsim.storage.errors import SaveFileError
from pmsim.storage.records import sha256_text


@pytest.fixture
def exported(seeded, tmp_path):
    path = tmp_path / "game.pmsave.json"
    seeded.export(1, path)
    return path


def _rewrite(path, doc, rechain=True):
    if rechain:
        doc["chain_sha256"] = exchange.chain_sha256(doc)
    path.write_text(exchange.dumps(doc), encoding="utf-8")


def test_file_is_pretty_sorted_and_self_contained(exported, seeded, small_text):
    raw = exported.read_text(encoding="utf-8")
    doc = json.loads(raw)
    assert raw == exchange.dumps(doc)  # sorted keys, 2-space indent: diffable
    assert doc["format"] == "pmsim-save" and doc["format_version"] == exchange.FORMAT_VERSION
    assert "\n".join(doc["scenario"]["lines"]) == small_text
    assert doc["scenario"]["sha256"] == sha256_text(small_text)
    assert len(doc["log"]) == seeded.info(1).n_actions
    assert [r["round"] for r in doc["rounds"]] == list(range(1, 9))


def test_import_round_trip_never_overwrites(seeded, exported):
    a = seeded.import_file(exported)
    b = seeded.import_file(exported)
    assert len({1, a, b}) == 3
    for sid in (a, b):
        rec = seeded.load(sid)
        assert rec.origin == "import of game.pmsave.json"
        assert [x.data for x in rec.actions] == [x.data for x in seeded.load(1).actions]
        assert seeded.verify(sid).ok
    assert seeded.verify(exported).ok


def test_export_of_an_in_progress_game_imports_and_continues(seeded, tmp_path):
    from pmsim.engine.bots import play_game
    from pmsim.storage.session import GameSession

    path = tmp_path / "wip.pmsave.json"
    seeded.export(2, path)
    sid = seeded.import_file(path)
    session = GameSession.resume(seeded, sid)
    assert not session.read_only and session.round == 4
    play_game(session, "rice")
    assert seeded.verify(sid).ok


def test_tampered_action_breaks_the_chain(seeded, exported):
    doc = json.loads(exported.read_text())
    doc["log"][3]["action"]["slot"] = "later"
    _rewrite(exported, doc, rechain=False)
    with pytest.raises(SaveFileError, match="hash chain"):
        seeded.import_file(exported)


def test_tampering_with_a_recomputed_chain_fails_replay(seeded, exported):
    doc = json.loads(exported.read_text())
    end = next(i for i, e in enumerate(doc["log"]) if e["round"] == 3 and e["action"]["kind"] == "end_round")
    doc["log"].insert(end, {"seq": 0, "round": 3, "action": {"kind": "research", "method": "competitive_analysis",
                                                              "segment": None, "feature": None, "competitor": None, "n": 0}})
    for i, e in enumerate(doc["log"], start=1):
        e["seq"] = i
    _rewrite(exported, doc)
    with pytest.raises(SaveFileError, match="round 3 differs"):
        seeded.import_file(exported)
    assert [s.id for s in seeded.list()] == [1, 2]


def test_score_edit_is_caught(seeded, exported):
    doc = json.loads(exported.read_text())
    doc["score"] = 99.9
    _rewrite(exported, doc, rechain=False)
    with pytest.raises(SaveFileError, match="hash chain"):
        exchange.read_save(exported)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
        (b"[1, 2, 3]", "not a JSON object"),
        (b'{"hello": "world"}', "not a pmsim save file"),
        (b'{"format": "pmsim-save", "format_version": 7}', "newer pmsim"),
        (b'{"format": "pmsim-save", "format_version": 1}', "invalid save file"),
        (b'{"a": NaN}', "not valid JSON"),
        (b'{"a": ' * 100_000 + b"1" + b"}" * 100_000, "not valid JSON"),
        (b"name,seed\nada,1\n", "not a JSON object"),
    ],
)
def test_foreign_files_are_rejected(seeded, tmp_path, content, message):
    path = tmp_path / "x.pmsave.json"
    path.write_bytes(content)
    with pytest.raises(SaveFileError, match=message) as exc:
        seeded.import_file(path)
    assert str(path) in str(exc.value) and "\n" not in str(exc.value)


def test_truncated_file(seeded, exported):
    raw = exported.read_bytes()
    exported.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(SaveFileError, match="truncated"):
        seeded.import_file(exported)


def test_oversized_file_is_not_read(seeded, tmp_path):
    path = tmp_path / "big.pmsave.json"
    with open(path, "wb") as f:
        f.truncate(exchange.MAX_BYTES + 1)  # sparse: cheap to make
    with pytest.raises(SaveFileError, match="too large"):
        seeded.import_file(path)


def test_missing_file_and_directory(seeded, tmp_path):
    with pytest.raises(SaveFileError, match="no such file"):
        seeded.import_file(tmp_path / "nope.pmsave.json")
    with pytest.raises(SaveFileError, match="not a regular file"):
        seeded.import_file(tmp_path)


def test_wrong_field_type_is_named(seeded, exported):
    doc = json.loads(exported.read_text())
    doc["log"][2]["seq"] = "three"
    _rewrite(exported, doc)
    with pytest.raises(SaveFileError, match=r"log\[2\]\.seq"):
        seeded.import_file(exported)


def test_broken_scenario_inside_a_file(seeded, exported):
    doc = json.loads(exported.read_text())
    doc["scenario"]["lines"] = ["meta: {id: x}", "rounds: 0"]
    doc["scenario"]["sha256"] = sha256_text("\n".join(doc["scenario"]["lines"]))
    _rewrite(exported, doc)
    with pytest.raises(SaveFileError, match="scenario no longer loads"):
        seeded.import_file(exported)


def test_csv_decision_log(seeded, tmp_path):
    from sqlalchemy import text

    with seeded._engine.begin() as conn:  # a rationale that would be a formula in a spreadsheet
        conn.execute(text("""UPDATE actions SET payload = '{"kind":"end_round","rationale":"=HYPERLINK(1)"}'
                             WHERE save_id = 1 AND seq = (SELECT seq FROM rounds WHERE save_id = 1 AND round = 8)"""))
    path = seeded.export(1, tmp_path / "log.csv", "csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rec = seeded.load(1)
    assert len(rows) == rec.n_actions
    assert rows[0]["player"] == "bot:rice" and rows[0]["seq"] == "1"
    ends = [r for r in rows if r["kind"] == "end_round"]
    assert len(ends) == 8 and all(len(r["state_hash"]) == 64 for r in ends)
    assert ends[-1]["rationale"] == "'=HYPERLINK(1)"
    assert {"feature", "response", "method", "round_score"} <= set(rows[0])


def test_jsonl_decision_log(seeded, tmp_path):
    path = seeded.export(1, tmp_path / "log.jsonl", "jsonl")
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert sum(1 for r in rows if r["round_end"]) == 8
    assert all(r["scenario"] == "b2b_saas" and "kind" not in r["action"] for r in rows)


def test_export_from_a_file_and_bad_destination(seeded, exported, tmp_path):
    out = seeded.export(exported, tmp_path / "again.pmsave.json")
    assert exchange.read_save(out).actions == exchange.read_save(exported).actions
    from pmsim.storage.errors import StorageError

    with pytest.raises(StorageError, match="does not exist"):
        seeded.export(1, tmp_path / "no" / "dir.pmsave.json")
    with pytest.raises(StorageError, match="format"):
        seeded.export(1, tmp_path / "x.xml", "xml")


def test_damaged_save_cannot_be_exported(seeded, tmp_path):
    from sqlalchemy import text

    from pmsim.storage.errors import SaveDamaged

    with seeded._engine.begin() as conn:
        conn.execute(text("UPDATE actions SET payload = 'garbage' WHERE save_id = 2 AND seq = 1"))
    with pytest.raises(SaveDamaged, match="save 2: action 1"):
        seeded.export(2, tmp_path / "x.pmsave.json")
