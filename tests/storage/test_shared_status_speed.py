"""`pmsim class status` of a shared market on a SQLite file answers without the database layer
(issue 14: class_status ≤ 0.3 s, most of which SQLAlchemy's import took), and says exactly what
the full path through the SaveStore says; whatever the quick reader cannot answer goes the full
way (PostgreSQL, a loosely typed code, an unknown class, a schema of another pmsim)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, text

from pmsim.cli import cli
from pmsim.engine import EndRound
from pmsim.storage import shared_market as sm
from pmsim.storage.saves import SaveStore
from pmsim.storage.shared_status import quick_status

ROOT = Path(__file__).resolve().parents[2]


def _class(url: str, scenario: str) -> str:
    with SaveStore(url) as store:
        code = sm.create(store, "Speed", scenario, 2, ["Acme", "Globex", "Initech"]).code
        sm.act(store, code, "Acme", EndRound())
        sm.advance(store, code)
        sm.act(store, code, "Globex", EndRound())
    return code


def test_the_quick_reader_says_what_the_store_says(db_url, small_text):
    code = _class(db_url, small_text)
    quick = quick_status(db_url, code.lower())
    with SaveStore(db_url) as store:
        full = sm.status(store, code)
    assert quick == full and quick.round == 2 and [c.committed for c in quick.companies] == [False, True, False]
    assert quick.rounds[0].resolved_at.tzinfo is not None and quick.rounds[0].advanced == 2
    # what it cannot answer, it leaves to the full path
    assert quick_status(db_url, "PM-ZZZZ") is None and quick_status(db_url, code[3:]) is None
    assert quick_status("sqlite:////nonexistent/x.sqlite3", code) is None
    eng = create_engine(db_url)
    with eng.begin() as conn:
        conn.execute(text("UPDATE pmsim_meta SET value = '99' WHERE key = 'schema_version'"))
    eng.dispose()
    assert quick_status(db_url, code) is None


def test_class_status_does_not_import_the_database_layer(db_url, small_text):
    code = _class(db_url, small_text)
    script = ("import sys\nfrom pmsim.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
              "import json\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'numpy')))))")
    out = subprocess.run([sys.executable, "-c", script, "class", "status", code, "--json", "--db", db_url], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr
    *body, mods = out.stdout.strip().splitlines()
    assert json.loads(mods) == []
    status = json.loads("\n".join(body))
    assert status["round"] == 2 and status["waiting_for"] == 2 and status["rounds"][0]["advanced"] == 2
    full = CliRunner().invoke(cli, ["class", "status", " " + code[3:].lower(), "--json", "--db", db_url])  # full path
    assert full.exit_code == 0 and json.loads(full.output) == status


def test_class_status_on_postgres_goes_the_full_way(pg_fresh_url, small_text):
    code = _class(pg_fresh_url, small_text)
    assert quick_status(pg_fresh_url, code) is None
    out = CliRunner().invoke(cli, ["class", "status", code, "--db", pg_fresh_url])
    assert out.exit_code == 0 and "quarter 2, waiting for 2 of 3 companies" in out.output
