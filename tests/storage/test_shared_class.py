"""A shared-market class in a real database (issue 14): actions serialized through the
database, each quarter resolved exactly once under the market's lock, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from pmsim.cli import cli
from pmsim.engine import EndRound, IllegalAction, Plan
from pmsim.engine.bots import play_round
from pmsim.engine.shared import SharedGame
from pmsim.scenario.loader import load_scenario_text
from pmsim.storage import shared_market as sm
from pmsim.storage.errors import StorageError
from pmsim.storage.saves import SaveStore

ROOT = Path(__file__).resolve().parents[2]
BOTS = ["researcher", "rice", "random"]
NAMES = ["Acme", "Globex", "Initech"]


@pytest.fixture(scope="module")
def text_small() -> str:
    """The tutorial with 1,500 customers (its text edited, so text, hash and game agree)."""
    text = (ROOT / "scenarios" / "tutorial.yaml").read_text(encoding="utf-8")
    small, n = re.subn(r"(?m)^(\s+population:\s*)\d+", r"\g<1>1500", text, count=1)
    assert n == 1
    return small


@pytest.fixture(scope="module")
def engine_hashes(text_small):
    """The market the bots make without a database: what every stored quarter must hash to."""
    game = SharedGame(load_scenario_text(text_small), 3, NAMES)
    while not game.finished:
        for c, bot in enumerate(BOTS):
            play_round(game.companies[c], bot)
    return game.round_hashes


def _create(url: str, text: str, names=NAMES) -> str:
    with SaveStore(url) as store:
        return sm.create(store, "Shared", text, 3, list(names)).code


def test_bots_play_a_shared_class_through_the_store(db_url, text_small, engine_hashes):
    code = _create(db_url, text_small)
    with SaveStore(db_url) as store:
        sessions = [sm.CompanySession(store, code, n) for n in NAMES]
        while not sessions[0].market.finished:
            for s, bot in zip(sessions, BOTS, strict=True):
                s.refresh()
                play_round(s, bot)
        st = sm.status(store, code)
        assert st.finished and [r.round for r in st.rounds] == list(range(1, len(engine_hashes) + 1))
        assert [r.state_hash for r in st.rounds] == engine_hashes
        assert all(r.advanced == 0 for r in st.rounds)
        sm._MARKETS.clear()  # a process that never saw the class: rebuilt by replay, hashes checked
        assert sm.load(store, code).round_hashes == engine_hashes


def test_an_illegal_action_stores_nothing(store, text_small):
    code = sm.create(store, "Shared", text_small, 3, NAMES).code
    session = sm.CompanySession(store, code, "acme")  # names are matched case-blind
    plan = next(a for a in session.legal_actions() if isinstance(a, Plan))
    sm.act(store, code, "Acme", EndRound())
    with pytest.raises(IllegalAction):
        sm.act(store, code, "Acme", plan)  # Acme has ended the quarter
    st = sm.status(store, code)
    assert st.n_actions == 1 and [c.committed for c in st.companies] == [True, False, False]
    assert sm.act(store, code, "Globex", plan).seq == 2
    with pytest.raises(StorageError, match="has no company 'Umbrella'"):
        sm.act(store, code, "Umbrella", plan)


def test_a_class_from_another_engine_is_refused_unchanged(store, db_url, text_small):
    code = sm.create(store, "Shared", text_small, 3, NAMES).code
    eng = create_engine(db_url)
    with eng.begin() as conn:
        conn.execute(text("UPDATE shared_markets SET engine_version = '9.9.9'"))
    eng.dispose()
    sm._MARKETS.clear()
    with pytest.raises(StorageError, match="engine 9.9.9"):
        sm.act(store, code, "Acme", EndRound())
    with pytest.raises(StorageError, match="engine 9.9.9"):
        sm.advance(store, code)
    assert sm.status(store, code).n_actions == 0


def test_a_tampered_action_is_found_on_replay(store, db_url, text_small):
    code = sm.create(store, "Shared", text_small, 3, NAMES).code
    for n in NAMES:
        sm.act(store, code, n, EndRound())
    eng = create_engine(db_url)
    with eng.begin() as conn:
        conn.execute(text("UPDATE shared_actions SET company = 1 WHERE seq = 1"))
    eng.dispose()
    sm._MARKETS.clear()
    with pytest.raises(StorageError, match="damaged"):
        sm.load(store, code)


@pytest.mark.parametrize("names, message", [(["Solo"], "2 to"), (["A", "a "], "same name")])
def test_bad_company_lists_create_nothing(store, text_small, names, message):
    with pytest.raises(StorageError, match=message):
        sm.create(store, "Shared", text_small, 3, names)
    assert store.list_classes() == []


# ------------------------------------------------------------------ races between processes
RACE = r"""
import json, sys, time
from pmsim.storage.saves import SaveStore
from pmsim.storage import shared_market as sm
from pmsim.engine import EndRound
url, code, what, start = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
store = SaveStore(url)
sm.status(store, code)  # connected and ready: then all start at once
while time.time() < start:
    time.sleep(0.001)
try:
    if what == "advance":
        acted = sm.advance(store, code, 1)
    else:
        acted = sm.act(store, code, what, EndRound())
    print(json.dumps({"resolved": acted.resolved, "seq": acted.seq}))
except sm.AlreadyResolved as e:
    print(json.dumps({"already": str(e)}))
"""


def _race(url: str, code: str, whats: list[str]) -> list[dict]:
    import subprocess
    import sys


    start = time.time() + 4.0  # every child has imported pmsim and opened the database by then
    procs = [subprocess.Popen([sys.executable, "-c", RACE, url, code, w, str(start)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for w in whats]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        outs.append(json.loads(out))
    return outs


def _check_advance_race(url: str, text_small: str) -> None:
    code = _create(url, text_small)
    with SaveStore(url) as store:
        sm.act(store, code, "Acme", EndRound())
    outs = _race(url, code, ["advance"] * 4)
    assert sum(1 for o in outs if o.get("resolved") == 1) == 1
    assert sum(1 for o in outs if "already" in o) == 3
    with SaveStore(url) as store:
        st = sm.status(store, code)
    assert st.round == 2 and [r.round for r in st.rounds] == [1] and st.rounds[0].advanced == 2
    assert st.n_actions == 3  # Acme's EndRound and the two the advance made


def _check_commit_race(url: str, text_small: str) -> None:
    code = _create(url, text_small)
    with SaveStore(url) as store:
        sm.act(store, code, "Acme", EndRound())
    outs = _race(url, code, ["Globex", "Initech"])
    assert sorted(o["seq"] for o in outs) == [2, 3]
    assert [o["resolved"] for o in sorted(outs, key=lambda o: o["seq"])] == [None, 1]
    with SaveStore(url) as store:
        st = sm.status(store, code)
        sm._MARKETS.clear()
        replayed = sm.load(store, code)
    assert st.round == 2 and len(st.rounds) == 1 and st.rounds[0].advanced == 0
    assert replayed.round_hashes == [st.rounds[0].state_hash]


def test_racing_advances_resolve_the_quarter_once_sqlite(db_url, text_small):
    _check_advance_race(db_url, text_small)


def test_racing_last_commits_resolve_the_quarter_once_sqlite(db_url, text_small):
    _check_commit_race(db_url, text_small)


def test_racing_advances_resolve_the_quarter_once_postgres(pg_fresh_url, text_small):
    _check_advance_race(pg_fresh_url, text_small)


def test_racing_last_commits_resolve_the_quarter_once_postgres(pg_fresh_url, text_small):
    _check_commit_race(pg_fresh_url, text_small)


PLAYER = r"""
import sys
from pmsim.storage.saves import SaveStore
from pmsim.storage import shared_market as sm
url, code, company, bot = sys.argv[1:5]
with SaveStore(url) as store:
    s = sm.play_company(store, code, company, bot, timeout_s=float(sys.argv[5]) if len(sys.argv) > 5 else 300)
    print(s.market.state_hash())
"""


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_each_company_in_its_own_process(backend, request, text_small, engine_hashes):
    url = request.getfixturevalue("db_url" if backend == "sqlite" else "pg_fresh_url")
    code = _create(url, text_small)
    import subprocess
    import sys


    procs = [subprocess.Popen([sys.executable, "-c", PLAYER, url, code, n, b, "40"], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for n, b in zip(NAMES, BOTS, strict=True)]
    results = [p.communicate(timeout=400) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-600:] for _, err in results]
    finals = [out.strip() for out, _ in results]
    with SaveStore(url) as store:
        st = sm.status(store, code)
    assert st.finished and [r.state_hash for r in st.rounds] == engine_hashes
    assert len(set(finals)) == 1


# ------------------------------------------------------------------ the commands
def _cli(*args):
    return CliRunner().invoke(cli, list(args))


def test_create_status_and_advance_commands(db_url):
    out = _cli("class", "create", "--shared", "--companies", "3", "--scenario", "tutorial", "--seed", "5",
               "--name", "PM 101", "--db", db_url)
    assert out.exit_code == 0, out.output
    code = out.output.split("class ")[1].split(":")[0]
    assert "Company 1, Company 2, Company 3" in out.output
    st = _cli("class", "status", code, "--db", db_url)
    assert st.exit_code == 0 and "waiting for 3 of 3 companies" in st.output
    adv = _cli("class", "advance", code, "--db", db_url)
    assert adv.exit_code == 0 and "quarter 1 resolved (ended for 3 companies); quarter 2 begins" in adv.output
    again = _cli("class", "advance", code, "--round", "1", "--db", db_url)
    assert again.exit_code == 0 and "quarter 1 has already resolved" in again.output
    js = json.loads(_cli("class", "status", code, "--json", "--db", db_url).output)
    assert js["round"] == 2 and js["rounds"][0]["advanced"] == 3 and js["waiting_for"] == 3


@pytest.mark.parametrize("args, message", [
    (["class", "create", "--companies", "3", "--scenario", "tutorial", "--name", "X"], "need --shared"),
    (["class", "create", "--shared", "--scenario", "tutorial", "--name", "X"], "needs --companies"),
    (["class", "create", "--shared", "--companies", "3", "--company", "A", "--scenario", "tutorial", "--name", "X"],
     "--companies 3 but 1 --company"),
    (["class", "create", "--shared", "--company", "A", "--company", "a", "--scenario", "tutorial", "--name", "X"],
     "same name"),
    (["class", "status", "PM-ZZZZ"], "no class PM-ZZZZ"),
    (["class", "advance", "nonsense"], "not a class code"),
])
def test_bad_input_is_one_line_and_exit_2(db_url, args, message):
    out = _cli(*args, "--db", db_url)
    assert out.exit_code == 2, out.output
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_status_of_a_class_that_is_not_shared(db_url):
    made = _cli("class", "create", "--scenario", "tutorial", "--seed", "5", "--name", "Solo", "--db", db_url)
    code = made.output.split("class ")[1].split(":")[0]
    out = _cli("class", "status", code, "--db", db_url)
    assert out.exit_code == 2 and "is not a shared market" in out.output
