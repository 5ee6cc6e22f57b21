"""Rationale round-trip: written through a storage GameSession on SQLite, exported to .pmsave.json,
imported and replayed, it is in the imported game's log and in its review and portfolio. And the
commands: `pmsim review SAVE` and `pmsim export SAVE --format portfolio|portfolio-html`, with one
clear error line (exit 2) for a damaged or mismatching save."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from learning_helpers import play_with_rationale, small_text

from pmsim.cli import cli
from pmsim.engine import EndRound, Respond
from pmsim.reports.portfolio import md, portfolio_html, portfolio_md
from pmsim.reports.review import internship_review, render_review_text
from pmsim.storage.history import replay_record
from pmsim.storage.saves import SaveStore
from pmsim.storage.session import GameSession

PLAYER = "Ada Lovelace"
R1 = "Activation first: the survey says onboarding is the top need for small teams."
R2 = "Finish SSO & keep the promise to sales <before> anything new."
DECLINE = "Three deals are not a market; interviews before we commit 8 weeks."


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def one_line_error(res, code: int = 2) -> str:
    assert res.exit_code == code, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.output, res.stderr
    return lines[0]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict:
    """A game played through a GameSession on a temp SQLite, exported, imported back as a new save."""
    tmp = tmp_path_factory.mktemp("roundtrip")
    url = f"sqlite:///{tmp}/saves.sqlite3"
    with SaveStore(url) as store:
        session = GameSession.start(store, small_text(), 7, PLAYER)
        play_with_rationale(session, {1: R1, 2: R2}, DECLINE)
        assert session.finished
        path = tmp / "ada.pmsave.json"
        store.export(session.save_id, path)
        new_id = store.import_file(path)
        assert new_id != session.save_id
        rec = store.load(new_id)
    return {"url": url, "file": path, "id": new_id, "rec": rec, "tmp": tmp}


def test_rationale_survives_save_export_import_and_replay(exported):
    rec = exported["rec"]
    doc = json.loads(exported["file"].read_text(encoding="utf-8"))
    logged = [e["action"] for e in doc["log"]]
    assert {"kind": "end_round", "rationale": R1} in logged and {"kind": "end_round", "rationale": R2} in logged
    assert any(a["kind"] == "respond" and a["rationale"] == DECLINE for a in logged)
    res = replay_record(rec)
    assert res.ok, res.problem
    game = res.game
    ends = [a.rationale for a in game.log if isinstance(a, EndRound)]
    assert ends[:2] == [R1, R2] and all(r == "" for r in ends[2:])
    assert [a.rationale for a in game.log if isinstance(a, Respond) and a.rationale] == [DECLINE]
    assert game.state.reports[0]["rationale"] == R1
    assert any(q.rationale == DECLINE for q in game.state.requests)
    # ...and appears in the review and the portfolio
    rv = internship_review(game, rec.player)
    text = " ".join(render_review_text(rv).split())
    assert R1 in text and DECLINE in text
    assert [r["text"] for r in rv["rationales"]] == [R1, DECLINE, R2]
    page = portfolio_html(game, rec.player)
    for r in (R1, R2, DECLINE):
        assert html.escape(r) in page
    assert "&lt;before&gt;" in page and "<before>" not in page
    text_md = portfolio_md(game, rec.player)
    for r in (R1, R2, DECLINE):
        assert md(r) in text_md
    assert PLAYER in text_md and PLAYER in page


def test_review_command_on_an_id_and_on_a_file(exported):
    by_id = invoke("review", str(exported["id"]), "--db", exported["url"])
    assert by_id.exit_code == 0, by_id.output
    assert by_id.stdout.startswith(f"# End-of-internship review: {PLAYER}")
    assert R1 in " ".join(by_id.stdout.split()) and "Return offer:" in by_id.stdout
    by_file = invoke("review", str(exported["file"]))
    assert by_file.exit_code == 0 and by_file.stdout == by_id.stdout
    as_json = invoke("review", str(exported["file"]), "--json")
    data = json.loads(as_json.stdout)
    assert data["player"] == PLAYER and len(data["skills"]) == 5


def test_export_portfolio_formats(exported, tmp_path):
    out_md, out_html = tmp_path / "case.md", tmp_path / "case.html"
    res = invoke("export", str(exported["id"]), "--db", exported["url"], "-o", str(out_md), "--format", "portfolio")
    assert res.exit_code == 0, res.output
    assert "(portfolio)" in res.stdout
    res = invoke("export", str(exported["file"]), "-o", str(out_html), "--format", "portfolio-html")
    assert res.exit_code == 0, res.output
    assert md(R1) in out_md.read_text(encoding="utf-8")
    page = out_html.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and html.escape(R2) in page and "<svg" in page
    # the existing formats are untouched
    out_csv = tmp_path / "log.csv"
    res = invoke("export", str(exported["file"]), "-o", str(out_csv), "--format", "csv")
    assert res.exit_code == 0 and out_csv.read_text(encoding="utf-8").startswith("save,player,scenario,seed,seq")


def _tampered(src: Path, dst: Path) -> Path:
    """A save whose chain is intact but whose round 2 hash no longer matches a replay."""
    from pmsim.storage.exchange import chain_sha256, dumps

    doc = json.loads(src.read_text(encoding="utf-8"))
    doc["rounds"][1]["state_hash"] = "0" * 64
    doc["chain_sha256"] = chain_sha256(doc)
    dst.write_text(dumps(doc), encoding="utf-8")
    return dst


def test_a_mismatching_or_damaged_save_is_one_error_line(exported, tmp_path):
    bad = _tampered(exported["file"], tmp_path / "bad.pmsave.json")
    line = one_line_error(invoke("review", str(bad)))
    assert "round 2 differs" in line
    out = tmp_path / "case.html"
    line = one_line_error(invoke("export", str(bad), "-o", str(out), "--format", "portfolio-html"))
    assert "round 2 differs" in line and not out.exists()
    junk = tmp_path / "junk.pmsave.json"
    junk.write_text("{\"format\": \"pmsim-save\", \"format_version\": 1}", encoding="utf-8")
    assert "invalid save file" in one_line_error(invoke("export", str(junk), "-o", str(out), "--format", "portfolio"))
    assert "no save 999" in one_line_error(invoke("review", "999", "--db", exported["url"]))


def test_a_save_with_no_completed_quarter(tmp_path):
    url = f"sqlite:///{tmp_path}/s.sqlite3"
    with SaveStore(url) as store:
        session = GameSession.start(store, small_text(), 1, "Grace")
        q = next(q for q in session.state.requests if q.status == "open")
        session.apply(Respond(q.id, "defer", "capacity", rationale="next quarter"))
        sid = session.save_id
    line = one_line_error(invoke("review", str(sid), "--db", url))
    assert "no quarter has been completed yet" in line
