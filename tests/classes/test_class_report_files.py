"""`pmsim class report --files`: every exported file is read, replayed and checked; a file that
cannot be counted is listed with its reason and never crashes the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from class_helpers import SEED, small_text
from click.testing import CliRunner

from pmsim.cli import cli
from pmsim.commands.class_reports import report_from_files
from pmsim.reports.classreport import render_csv, render_html, render_md
from pmsim.storage.exchange import chain_sha256


def _edit(src: Path, dst: Path, change, rechain: bool) -> Path:
    doc = json.loads(src.read_text(encoding="utf-8"))
    change(doc)
    if rechain:  # a careful cheat recomputes the hash chain: the replay must still catch it
        doc["chain_sha256"] = chain_sha256(doc)
    dst.write_text(json.dumps(doc, indent=2, sort_keys=True), encoding="utf-8")
    return dst


def _set_round_score(doc):
    doc["rounds"][2]["score"] = 99.5


def _change_a_decision(doc):
    for entry in doc["log"]:
        if entry["action"]["kind"] == "plan":
            entry["action"]["feature"] = "sso" if entry["action"]["feature"] != "sso" else "comments"
            return
    raise AssertionError("no plan action to change")


@pytest.fixture(scope="module")
def files(class_db, tmp_path_factory) -> dict[str, Path]:
    """The class's files plus one of every kind a report must refuse, and why."""
    from pmsim.engine.bots import play_game
    from pmsim.storage.saves import SaveStore
    from pmsim.storage.session import GameSession

    d = tmp_path_factory.mktemp("files")
    out = {k: v for k, v in class_db.files.items()}
    good = class_db.files["good0"]
    out["tampered"] = _edit(good, d / "tampered.pmsave.json", lambda doc: doc.update(score=99.9), rechain=False)
    out["edited_score"] = _edit(good, d / "edited.pmsave.json", _set_round_score, rechain=True)
    out["edited_decision"] = _edit(good, d / "decision.pmsave.json", _change_a_decision, rechain=True)
    out["newer"] = _edit(good, d / "newer.pmsave.json", lambda doc: doc.update(engine_version="9.0.0"), rechain=True)
    raw = class_db.files["good1"].read_bytes()
    (d / "truncated.pmsave.json").write_bytes(raw[: len(raw) // 2])
    out["truncated"] = d / "truncated.pmsave.json"
    (d / "garbage.pmsave.json").write_bytes(bytes(range(256)) * 8)
    out["garbage"] = d / "garbage.pmsave.json"
    (d / "other.json").write_text('{"hello": "world"}', encoding="utf-8")
    out["not_a_save"] = d / "other.json"
    out["missing"] = d / "no-such-file.pmsave.json"
    with SaveStore(f"sqlite:///{d / 'other.sqlite3'}") as store:
        s = GameSession.start(store, small_text(), 99, "Mallory")
        play_game(s, "hippo")
        out["other_seed"] = store.export(s.save_id, d / "seed99.pmsave.json")
        s = GameSession.start(store, small_text(3000), SEED, "Eve")
        play_game(s, "hippo")
        out["other_version"] = store.export(s.save_id, d / "easier.pmsave.json")
    return out


EXPECTED = {
    "tampered": "hash chain does not match",
    "edited_score": "edited: round 3's score says 99.50",
    "edited_decision": "does not replay to its record",
    "newer": "from a newer pmsim (engine 9.0.0",
    "truncated": "truncated",
    "garbage": "not a pmsim save file",
    "not_a_save": "not a pmsim save file",
    "missing": "no such file",
    "other_seed": "another seed: 99 (the class plays seed 5)",
    "other_version": "another version of scenario b2b_saas",
    "unfinished": "unfinished",
}


def test_each_bad_file_is_rejected_with_its_reason(files):
    names = [f"good{n}" for n in range(5)] + list(EXPECTED)
    paths = [str(files[n]) for n in names] + [str(files["good2"])]  # good2 twice
    rep, notes = report_from_files(paths, jobs=1)
    assert notes == []
    assert sorted(e.source for e in rep.entries) == sorted(str(files[f"good{n}"]) for n in range(5))
    assert len({e.label for e in rep.entries}) == 5 and rep.seed == SEED
    reasons = {r.source: r.reason for r in rep.rejected}
    assert len(rep.rejected) == len(EXPECTED) + 1
    for name, want in EXPECTED.items():
        assert want in reasons[str(files[name])], (name, reasons[str(files[name])])
    assert reasons[paths[-1]].startswith("the same file as")
    players = {r.source: r.player for r in rep.rejected}
    assert players[str(files["other_seed"])] == "Mallory" and players[str(files["unfinished"])] == "Ken"
    for render in (render_md, render_csv, render_html):
        page = render(rep)
        assert "seed99.pmsave.json" in page and "Ada (2)" in page


def test_results_do_not_depend_on_jobs(files):
    paths = [str(p) for p in files.values()]
    one, _ = report_from_files(paths, jobs=1)
    two, _ = report_from_files(paths, jobs=2)
    assert render_md(one) == render_md(two) and render_csv(one) == render_csv(two)


def test_the_class_scenario_and_seed_can_be_given(files, tmp_path):
    scen = tmp_path / "class.yaml"
    scen.write_text(small_text(), encoding="utf-8")
    paths = [str(files[n]) for n in ("good0", "good1", "other_seed")]
    r = CliRunner().invoke(cli, ["class", "report", "--files", *paths, "--scenario", str(scen), "--seed", "99",
                                 "--title", "Make-up session", "--jobs", "1"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("# Class report: Make-up session")
    assert "| 1 | Mallory |" in r.stdout and r.stdout.count("another seed: 5 (the class plays seed 99)") == 2
    # without --scenario/--seed the majority decides; a tie is said, not guessed silently
    r = CliRunner().invoke(cli, ["class", "report", "--files", paths[0], paths[2], "--jobs", "1"])
    assert r.exit_code == 0 and "note: no seed is played by a majority" in r.stderr


def test_cli_over_files(files, tmp_path):
    out = tmp_path / "report.html"
    paths = [str(p) for p in files.values()]
    r = CliRunner().invoke(cli, ["class", "report", "--files", *paths, "--format", "html", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert f"5 game(s) counted, {len(EXPECTED)} not counted" in r.stdout
    assert out.read_text(encoding="utf-8").count('class="seg"') == 5 * 7


def test_nothing_readable_is_exit_2_with_one_line(files):
    paths = [str(files[n]) for n in ("garbage", "missing", "truncated")]
    r = CliRunner().invoke(cli, ["class", "report", "--files", *paths])
    assert r.exit_code == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "none of the 3 file(s)" in r.stderr
    r = CliRunner().invoke(cli, ["class", "report", "--files"])
    assert r.exit_code == 2 and "at least one FILE" in r.stderr
