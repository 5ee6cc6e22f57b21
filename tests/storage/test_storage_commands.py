"""The click commands: output, exit codes (0 ok, 1 differs, 2 cannot), one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from pmsim.commands.files import export, import_
from pmsim.commands.replay import fork, replay
from pmsim.commands.saves import saves
from pmsim.storage.saves import SaveStore


def run(cmd, *args):
    return CliRunner().invoke(cmd, list(args), catch_exceptions=False)


def one_line_error(res, code=2):
    assert res.exit_code == code, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.output, res.stderr
    return lines[0]


def test_list_table_and_json(seeded_url):
    res = run(saves, "list", "--db", seeded_url)
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["ID", "PLAYER", "SCENARIO", "SEED", "ROUND", "STATUS", "SCORE", "UPDATED"]
    assert lines[1].split()[:6] == ["1", "bot:rice", "b2b_saas", "11", "8", "finished"]
    rows = json.loads(run(saves, "list", "--json", "--db", seeded_url).stdout)
    assert [set(r) for r in rows] == [{"id", "player", "scenario", "seed", "round", "status", "score"}] * 2
    assert rows[1] == {"id": 2, "player": "ada", "scenario": "b2b_saas", "seed": 12, "round": 4,
                       "status": "in_progress", "score": rows[1]["score"]}
    assert isinstance(rows[1]["score"], float)


def test_list_empty_and_default_location(tmp_path, monkeypatch):
    res = run(saves, "list")
    assert res.exit_code == 0 and res.stdout.startswith("no saves in ")
    path = run(saves, "path").stdout.strip()
    assert path.endswith("pmsim.sqlite3") and path.startswith(str(tmp_path.parent.parent))
    monkeypatch.setenv("PMSIM_DB_URL", f"sqlite:///{tmp_path}/env.db")
    assert run(saves, "path").stdout.strip() == f"{tmp_path}/env.db"
    assert run(saves, "path", "--db", f"{tmp_path}/cli.db").stdout.strip() == f"{tmp_path}/cli.db"
    monkeypatch.setenv("PMSIM_DB_URL", "postgresql://ada:secret@db.example/pmsim")
    out = run(saves, "path").stdout.strip()
    assert "secret" not in out and out.startswith("postgresql+psycopg://ada:***@db.example")


def test_delete(seeded_url):
    res = run(saves, "delete", "2", "--db", seeded_url)
    assert res.exit_code == 0 and "deleted save 2" in res.stdout
    assert "no save 2" in one_line_error(run(saves, "delete", "2", "--db", seeded_url))


def test_replay_summary_and_verify(seeded_url):
    res = run(replay, "1", "--db", seeded_url)
    assert res.exit_code == 0, res.output
    assert res.stdout.count("[matches]") == 8 and "Round  1  score" in res.stdout
    assert "8 round(s) verified" in res.stdout
    res = run(replay, "1", "--verify", "--db", seeded_url)
    assert res.exit_code == 0 and "Round" not in res.stdout


def test_replay_verify_reports_first_differing_round(seeded_url):
    with SaveStore(seeded_url) as s, s._engine.begin() as conn:
        conn.execute(text("UPDATE rounds SET state_hash = :h WHERE save_id = 1 AND round IN (4, 6)"), {"h": "0" * 64})
    line = one_line_error(run(replay, "1", "--verify", "--db", seeded_url), code=1)
    assert line.startswith("save 1: round 4 differs")
    res = run(replay, "1", "--db", seeded_url)
    assert res.exit_code == 1 and res.stdout.count("[DIFFERS]") == 2


def test_replay_of_damaged_save_and_missing_save(seeded_url):
    with SaveStore(seeded_url) as s, s._engine.begin() as conn:
        conn.execute(text("UPDATE actions SET payload = 'x' WHERE save_id = 2 AND seq = 4"))
    line = one_line_error(run(replay, "2", "--verify", "--db", seeded_url))
    assert "save 2" in line and "action 4" in line
    assert "no save 9" in one_line_error(run(replay, "9", "--verify", "--db", seeded_url))
    assert run(replay, "1", "--verify", "--db", seeded_url).exit_code == 0  # the others still verify


def test_export_import_and_replay_a_file(seeded_url, tmp_path):
    out = tmp_path / "g.pmsave.json"
    res = run(export, "1", "-o", str(out), "--db", seeded_url)
    assert res.exit_code == 0 and out.is_file()
    res = run(replay, str(out), "--verify", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/x")
    assert res.exit_code == 0, res.output  # a file needs no database
    res = run(import_, str(out), "--db", seeded_url)
    assert res.exit_code == 0 and res.stdout.strip().endswith("as save 3")
    for fmt in ("csv", "jsonl"):
        assert run(export, "1", "-o", str(tmp_path / f"log.{fmt}"), "--format", fmt, "--db", seeded_url).exit_code == 0


@pytest.mark.parametrize("content", [b"garbage", b'{"format": "pmsim-save", "format_version": 1', b"{}"])
def test_import_rejections_are_one_line_exit_2(seeded_url, tmp_path, content):
    bad = tmp_path / "bad.pmsave.json"
    bad.write_bytes(content)
    line = one_line_error(run(import_, str(bad), "--db", seeded_url))
    assert str(bad) in line
    assert len(SaveStore(seeded_url).list()) == 2


def test_fork_command(seeded_url, tmp_path):
    res = run(fork, "1", "--round", "2", "--db", seeded_url)
    assert res.exit_code == 0 and res.stdout.strip() == "forked 1 at round 2 as save 3"
    assert "from 0 to 8" in one_line_error(run(fork, "1", "--round", "12", "--db", seeded_url))
    out = tmp_path / "g.pmsave.json"
    run(export, "1", "-o", str(out), "--db", seeded_url)
    res = run(fork, str(out), "--round", "5", "--db", seeded_url)
    assert res.exit_code == 0 and "as save 4" in res.stdout
    info = SaveStore(seeded_url).info(4)
    assert info.forked_round == 5 and info.parent_id is None and str(out) in info.origin


def test_bad_url_is_one_line(tmp_path):
    assert "not a database URL" in one_line_error(run(saves, "list", "--db", "://x"))
    assert "unsupported database URL foo://" in one_line_error(run(saves, "list", "--db", "foo://bar"))
    assert "folder does not exist" in one_line_error(run(saves, "list", "--db", f"sqlite:///{tmp_path}/no/such/dir/x.db"))
