"""`pmsim class create/list/report CODE`: the report from the class database, with no replay."""

from __future__ import annotations

import csv
import io
import json

import pytest
from class_helpers import SEED, STUDENTS, small_text
from click.testing import CliRunner
from sqlalchemy import text

from pmsim.cli import cli as main
from pmsim.commands.class_reports import report_from_db
from pmsim.engine.summary import MISTAKES, mistakes
from pmsim.reports.classreport import render_csv, render_html, render_md
from pmsim.scenario.models import COMPONENTS


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_report_lists_every_student_apart_and_sorted(class_db, class_store, monkeypatch):
    import pmsim.storage.history

    def no_replay(*a, **k):
        raise AssertionError("a report from stored summaries must not replay")

    monkeypatch.setattr(pmsim.storage.history, "replay_record", no_replay)
    rep = report_from_db(class_store, class_db.code)
    assert rep.code == class_db.code and rep.seed == SEED and rep.title == "PM 101"
    assert len(rep.entries) == 5
    labels = [e.label for e in rep.entries]
    assert len(set(labels)) == 5 and {"Ada (1)", "Ada (2)"} <= set(labels)
    assert sorted(e.player for e in rep.entries) == sorted(n for n, _ in STUDENTS)
    scores = [e.summary["score"] for e in rep.entries]
    assert scores == sorted(scores, reverse=True)
    assert [(r.source, r.player) for r in rep.rejected] == [(f"save {class_db.in_progress_id}", "Ken")]
    assert "in progress" in rep.rejected[0].reason

    md = render_md(rep)
    for e in rep.entries:
        assert f"| {e.label} | {e.summary['score']:.1f} |" in md
        assert f"### {e.label} — {e.summary['score']:.1f}" in md
    section = md.split(f"### {rep.entries[0].label}")[1].split("###")[0]
    assert sum(1 for line in section.splitlines() if line.startswith("| ") and line[2].isdigit()) == 8  # 8 rounds
    counts = {k: sum(k in mistakes(e.summary) for e in rep.entries) for k in MISTAKES}
    for key, n in counts.items():
        assert f"| {MISTAKES[key]} | {n} of 5 |" in md
    assert "in progress" in md and "Ken" in md

    rows = list(csv.DictReader(io.StringIO(render_csv(rep))))
    counted = [r for r in rows if r["status"] == "counted"]
    assert [r["student"] for r in counted] == labels and [int(r["rank"]) for r in counted] == [1, 2, 3, 4, 5]
    assert [r["student"] for r in rows if r["status"] == "rejected"] == ["Ken"]
    assert all(set(COMPONENTS) <= set(r) for r in counted)

    page = render_html(rep)
    assert page.count('class="seg"') == 5 * len(COMPONENTS) and page.count('class="bar"') == 10
    for e in rep.entries:
        assert e.label in page


def test_a_finished_save_without_summary_is_replayed_once(class_db, class_store):
    before = {e.source: e.summary for e in report_from_db(class_store, class_db.code).entries}
    sid, other = class_db.save_ids[0], class_db.save_ids[1]
    with class_store._w.begin() as conn:  # as if played before summaries were stored / damaged
        conn.execute(text("UPDATE saves SET summary = NULL WHERE id = :i"), {"i": sid})
        conn.execute(text("UPDATE saves SET summary = '{\"score\": 1' WHERE id = :i"), {"i": other})
    rep = report_from_db(class_store, class_db.code)
    assert {e.source: e.summary for e in rep.entries} == before
    _, games = class_store.class_games(class_db.code)
    assert games[0].summary == before[f"save {sid}"]  # stored back: the next report needs no replay
    assert games[1].summary == before[f"save {other}"]


def test_a_finished_save_that_does_not_replay_is_rejected(class_db, class_store):
    sid = class_db.save_ids[2]
    with class_store._w.begin() as conn:
        conn.execute(text("UPDATE saves SET summary = NULL WHERE id = :i"), {"i": sid})
        conn.execute(text("UPDATE rounds SET state_hash = :h WHERE save_id = :i AND round = 3"),
                     {"h": "0" * 64, "i": sid})
    rep = report_from_db(class_store, class_db.code)
    assert len(rep.entries) == 4
    reasons = {r.source: r.reason for r in rep.rejected}
    assert "round 3 differs" in reasons[f"save {sid}"]


def test_cli_create_list_and_report(tmp_path, class_db, class_url):
    scen = tmp_path / "small.yaml"
    scen.write_text(small_text(), encoding="utf-8")
    r = run("class", "create", "--scenario", str(scen), "--seed", "3", "--name", "PM 102", "--db", class_url)
    assert r.exit_code == 0, r.output
    code = r.output.split("Created class ")[1].split(":")[0]
    assert f'pmsim play --class {code} --player "YOUR NAME" --db' in r.output
    r = run("class", "list", "--db", class_url)
    assert r.exit_code == 0 and class_db.code in r.output and code in r.output
    listed = json.loads(run("class", "list", "--db", class_url, "--json").output)
    assert [(c["code"], c["games"], c["finished"]) for c in listed] == [(class_db.code, 6, 5), (code, 0, 0)]

    r = CliRunner().invoke(main, ["class", "report", class_db.code.lower(), "--db", class_url])
    assert r.exit_code == 0 and r.stdout.startswith("# Class report: PM 101")
    assert "5 game(s) counted, 1 not counted" in r.stderr
    for fmt in ("md", "csv", "html"):
        out = tmp_path / f"report.{fmt}"
        r = run("class", "report", class_db.code, "--format", fmt, "-o", str(out), "--db", class_url)
        assert r.exit_code == 0 and f"wrote {out} ({fmt})" in r.output
        assert "Ada (2)" in out.read_text(encoding="utf-8")
    r = run("class", "report", code, "--db", class_url)  # a class nobody played yet
    assert r.exit_code == 0 and "0 games counted, 0 rejected" in r.stdout


def test_cli_errors_are_one_line_exit_2(class_url, tmp_path):
    for args in (["class", "report", "PM-ZZZZ"], ["class", "report", "nonsense!"]):
        r = CliRunner().invoke(main, [*args, "--db", class_url])
        assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    r = CliRunner().invoke(main, ["class", "report", "--db", class_url])
    assert r.exit_code == 2 and "CODE" in r.stderr
    r = CliRunner().invoke(main, ["class", "report", "PM-ZZZZ", "--seed", "3", "--db", class_url])
    assert r.exit_code == 2 and "--files" in r.stderr
    r = CliRunner().invoke(main, ["class", "create", "--scenario", "nope", "--name", "x", "--db", class_url])
    assert r.exit_code == 2 and "Traceback" not in r.stderr
    bad = tmp_path / "garbage.sqlite3"
    bad.write_bytes(b"not a database at all" * 100)
    r = CliRunner().invoke(main, ["class", "list", "--db", f"sqlite:///{bad}"])
    assert r.exit_code == 2 and "not a SQLite database" in r.stderr


@pytest.mark.parametrize("fmt", ["md", "csv", "html"])
def test_report_of_an_empty_class_renders(class_store, fmt):
    from pmsim.reports.classreport import RENDERERS

    klass = class_store.create_class("empty", small_text(), 1)
    rep = report_from_db(class_store, klass.code)
    assert rep.entries == [] and rep.rejected == []
    assert RENDERERS[fmt](rep)
