"""Crash safety of a shared market (issue 14): a 6-company class played by 6 OS processes, each a
bot playing through the TUI's service layer (GameService.start_company, the session the game
screen uses). One process is SIGKILLed in the middle of a quarter, inside the transaction that
stores one of its actions (rows written, the market locked, nothing committed); it is started
again, resumes where the database says it is, and the class finishes. Every quarter resolves
exactly once, every company ends every quarter once, and the stored hashes replay. On one
SQLite file and on the real PostgreSQL the tests start."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from storage_texts import scenario_text

from pmsim.storage import shared_market as sm
from pmsim.storage.saves import SaveStore

ROOT = Path(__file__).resolve().parents[2]
COMPANIES = [("Acme", "researcher"), ("Globex", "rice"), ("Initech", "random"), ("Umbrella", "hippo"),
             ("Hooli", "rice"), ("Stark", "random")]
VICTIM = "Globex"  # plans with rice: it always has a Plan to be killed in
KILL_ROUND = 2

PLAYER = r"""
import json, os, signal, sys, time
from pmsim.engine.actions import EndRound
from pmsim.engine.bots import play_round
from pmsim.storage import shared_market as sm
from pmsim.storage.saves import SaveStore
from pmsim.tui.service import GameService

url, code, company, bot, kill_round = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
if kill_round:
    real_apply = sm._apply

    def dying_apply(s, klass, row, game, actions, advanced):
        acted = real_apply(s, klass, row, game, actions, advanced)
        if game.round == kill_round and not isinstance(actions[0][1], EndRound):
            print("killed", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)  # the action's rows flushed, the lock held, not committed
        return acted

    sm._apply = dying_apply
service = GameService(SaveStore(url))
service.start_company(code, company, company)
session = service.session
resumed_at = session.market.round
deadline = time.monotonic() + 120
while not session.market.finished:
    if time.monotonic() > deadline:
        sys.exit("waited too long for the other companies")
    if session.committed:
        if session.poll().report is None:  # still waiting for the others (as the waiting screen polls)
            time.sleep(0.05)
        continue
    play_round(session, bot)  # its actions through the service's session, ended by its EndRound
    service.view()  # what the game screen would show
print(json.dumps({"hash": session.market.state_hash(), "resumed_at": resumed_at}))
service.close()
"""


def _start(url: str, code: str, company: str, bot: str, kill_round: int = 0) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", PLAYER, url, code, company, bot, str(kill_round)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)


def _check_crash(url: str, scenario: str) -> None:
    t0 = time.monotonic()
    with SaveStore(url) as store:
        code = sm.create(store, "Crash", scenario, 11, [c for c, _ in COMPANIES]).code
    procs = {c: _start(url, code, c, bot, KILL_ROUND if c == VICTIM else 0) for c, bot in COMPANIES}
    out, err = procs[VICTIM].communicate(timeout=120)
    assert procs[VICTIM].returncode == -signal.SIGKILL, err[-800:]
    assert out.strip() == "killed"
    with SaveStore(url) as store:
        st = sm.status(store, code)
    assert st.round == KILL_ROUND and not st.finished  # the others wait for Globex's quarter
    procs[VICTIM] = _start(url, code, VICTIM, "rice")  # the player comes back
    results = {}
    for c, p in procs.items():
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, f"{c}: {err[-800:]}"
        results[c] = json.loads(out)
    assert results[VICTIM]["resumed_at"] == KILL_ROUND
    assert len({r["hash"] for r in results.values()}) == 1  # every process ends in the same market

    with SaveStore(url) as store:
        st = sm.status(store, code)
        sm._MARKETS.clear()  # a process that never saw the class: rebuilt by replay, each quarter checked
        replayed = sm.load(store, code)
    rounds = replayed.scenario.rounds
    assert st.finished and [r.round for r in st.rounds] == list(range(1, rounds + 1))
    assert all(r.advanced == 0 for r in st.rounds)
    assert [r.state_hash for r in st.rounds] == replayed.round_hashes
    assert replayed.state_hash() == results[VICTIM]["hash"]
    eng = create_engine(url)
    with eng.connect() as conn:
        seqs = [r[0] for r in conn.execute(text("SELECT seq FROM shared_actions ORDER BY seq"))]
        ends = conn.execute(text("SELECT company, round, COUNT(*) FROM shared_actions WHERE kind = 'end_round' "
                                 "GROUP BY company, round")).all()
        n_rounds = conn.execute(text("SELECT COUNT(*) FROM shared_rounds")).scalar()
    eng.dispose()
    assert seqs == list(range(1, st.n_actions + 1))  # nothing half-stored by the killed transaction
    assert sorted((c, r) for c, r, _ in ends) == [(c, r) for c in range(6) for r in range(1, rounds + 1)]
    assert all(n == 1 for _, _, n in ends) and n_rounds == rounds
    assert time.monotonic() - t0 < 60


@pytest.fixture(scope="module")
def tiny_text() -> str:

    return scenario_text("tutorial", 1200)


def test_a_killed_company_resumes_and_the_class_finishes_sqlite(db_url, tiny_text):
    _check_crash(db_url, tiny_text)


def test_a_killed_company_resumes_and_the_class_finishes_postgres(pg_fresh_url, tiny_text):
    _check_crash(pg_fresh_url, tiny_text)
