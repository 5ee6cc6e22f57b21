"""A whole shared-market class verified by replay and moved as one file (issue 14):
`pmsim replay --class CODE|FILE [--verify]` re-derives every quarter's joint state hash and says
OK or where it diverges (exit 1); `pmsim export --class CODE -o F.pmclass.json` writes the class
with its hash chain; `pmsim import F.pmclass.json` replays and checks it before storing it as a
new class, which plays on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from storage_texts import scenario_text

from pmsim.cli import cli
from pmsim.engine import EndRound
from pmsim.engine.bots import play_round
from pmsim.storage import shared_exchange as sx
from pmsim.storage import shared_market as sm
from pmsim.storage.saves import SaveStore

ROOT = Path(__file__).resolve().parents[2]
COMPANIES = [("Acme", "researcher"), ("Globex", "rice"), ("Initech", "random")]


def _cli(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _play(url: str, scenario: str, quarters: int | None = None) -> str:
    """A class the bots play (all of it, or its first `quarters`)."""
    with SaveStore(url) as store:
        code = sm.create(store, "PM 101", scenario, 5, [c for c, _ in COMPANIES]).code
        sessions = [(sm.CompanySession(store, code, c), bot) for c, bot in COMPANIES]
        while not sessions[0][0].market.finished and (quarters is None or sessions[0][0].market.round <= quarters):
            for s, bot in sessions:
                s.refresh()
                play_round(s, bot)
    return code


def _sql(url: str, statement: str) -> None:
    eng = create_engine(url)
    with eng.begin() as conn:
        conn.execute(text(statement))
    eng.dispose()
    sm._MARKETS.clear()


@pytest.fixture(scope="module")
def tiny():

    return scenario_text("tutorial", 1200)


def test_verify_a_finished_class_and_find_a_changed_quarter(db_url, tiny):
    code = _play(db_url, tiny)
    out = _cli("replay", "--class", code, "--db", db_url)
    assert out.exit_code == 0, out.output
    assert out.output.count("[matches]") == 3 and "OK, 3 quarters verified" in out.output
    ok = _cli("replay", "--class", code.lower(), "--verify", "--db", db_url)
    assert ok.exit_code == 0 and ok.output.strip().splitlines() == [
        f"{code}: OK, 3 quarters verified, every joint state hash matches"]
    _sql(db_url, "UPDATE shared_rounds SET state_hash = '" + "0" * 64 + "' WHERE round = 2")
    bad = _cli("replay", "--class", code, "--verify", "--db", db_url)
    assert bad.exit_code == 1 and f"{code}: quarter 2 diverges: stored 0000000000000000" in bad.output


def test_verify_finds_a_changed_action(db_url, tiny):
    code = _play(db_url, tiny, quarters=1)
    ok = _cli("replay", "--class", code, "--verify", "--db", db_url)
    assert ok.exit_code == 0 and "(quarter 2 is being played)" in ok.output
    _sql(db_url, "UPDATE shared_actions SET company = 2 WHERE seq = 1")  # Acme's first action, now Initech's
    bad = _cli("replay", "--class", code, "--verify", "--db", db_url)
    assert bad.exit_code == 1 and ("does not replay" in bad.output or "diverges" in bad.output), bad.output


def test_a_class_moves_as_one_file_and_plays_on(tmp_path, db_url, tiny):
    code = _play(db_url, tiny, quarters=2)
    path = tmp_path / "pm101.pmclass.json"
    out = _cli("export", "--class", code, "-o", path, "--db", db_url)
    assert out.exit_code == 0 and "3 companies, 2 quarters resolved" in out.output, out.output
    doc = json.loads(path.read_text())
    assert doc["format"] == "pmsim-shared-class" and doc["chain_sha256"] == sx.chain_sha256(doc)
    assert _cli("export", "--class", code, "-o", path, "--db", db_url).exit_code == 2  # exists: --force

    # verified as a file, in another process with another hash seed: the same joint hashes
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    child = subprocess.run([sys.executable, "-m", "pmsim", "replay", "--class", str(path)], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr
    assert [line.split()[2] for line in child.stdout.splitlines() if "[matches]" in line] == \
        [q["state_hash"][:16] for q in doc["rounds"]]

    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    imp = _cli("import", path, "--db", other)
    assert imp.exit_code == 0, imp.output
    new = imp.output.split("shared class ")[1].split()[0]
    with SaveStore(db_url) as a, SaveStore(other) as b:
        sa, sb = sm.status(a, code), sm.status(b, new)
        assert [r.state_hash for r in sa.rounds] == [r.state_hash for r in sb.rounds]
        assert (sb.round, sb.n_actions, sb.finished) == (sa.round, sa.n_actions, False)
        sm._MARKETS.clear()  # a fresh process: the imported class replays from the database and plays on
        for c, _ in COMPANIES:
            sm.act(b, new, c, EndRound())
        assert sm.status(b, new).finished and len(sm.status(b, new).rounds) == 3  # quarter 3 resolved there
    assert _cli("replay", "--class", new, "--verify", "--db", other).exit_code == 0


def test_a_changed_file_imports_nothing(tmp_path, db_url, tiny):
    code = _play(db_url, tiny, quarters=1)
    path = tmp_path / "c.pmclass.json"
    assert _cli("export", "--class", code, "-o", path, "--db", db_url).exit_code == 0
    doc = json.loads(path.read_text())
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"

    doc["rounds"][0]["state_hash"] = "f" * 64  # edited: the chain no longer matches
    path.write_text(json.dumps(doc))
    out = _cli("import", path, "--db", other)
    assert out.exit_code == 2 and "hash chain does not match" in out.output
    doc["chain_sha256"] = sx.chain_sha256(doc)  # forged with a recomputed chain: the replay finds it
    path.write_text(json.dumps(doc))
    out = _cli("import", path, "--db", other)
    assert out.exit_code == 2 and "quarter 1 diverges" in out.output and "nothing was imported" in out.output
    assert len(out.output.strip().splitlines()) == 1
    with SaveStore(other) as store:
        assert store.list_classes() == []
    verify = _cli("replay", "--class", path)
    assert verify.exit_code == 1 and "quarter 1 diverges" in verify.output


def test_bad_requests_are_one_line(tmp_path, db_url, tiny):
    with SaveStore(db_url) as store:
        solo = store.create_class("Solo", tiny, 4).code
    for args in (["replay", "--class", solo, "--verify"], ["export", "--class", solo, "-o", tmp_path / "x.json"]):
        out = _cli(*args, "--db", db_url)
        assert out.exit_code == 2 and "is not a shared market" in out.output and len(out.output.splitlines()) == 1
    out = _cli("replay", "--db", db_url)
    assert out.exit_code == 2 and "either SAVE or --class" in out.output


def test_verify_and_export_on_postgres(tmp_path, pg_fresh_url, tiny):
    code = _play(pg_fresh_url, tiny)
    assert _cli("replay", "--class", code, "--verify", "--db", pg_fresh_url).exit_code == 0
    path = tmp_path / "pg.pmclass.json"
    assert _cli("export", "--class", code, "-o", path, "--db", pg_fresh_url).exit_code == 0
    assert _cli("replay", "--class", path, "--verify").exit_code == 0
