"""Bad input to a shared-market class (issue 14): joining a finished class, a company the class
does not have (its companies are fixed when it is created, so a class is full with them), a
company name taken twice, advancing a class that is not a shared one, a class from a newer
engine, --company where it does not belong. Each is one line on stderr, exit code 2, and the
database is as it was."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from pmsim.cli import cli
from pmsim.engine import EndRound
from pmsim.storage import shared_market as sm
from pmsim.storage.saves import SaveStore

NAMES = ["Acme", "Globex"]


def _cli(*args: str):
    return CliRunner().invoke(cli, list(args))


def _dump(url: str) -> str:
    """Every row of the shared-market tables, and of classes and saves: what must not change."""
    eng = create_engine(url)
    out = {}
    with eng.connect() as conn:
        for table in ("classes", "saves", "shared_markets", "shared_companies", "shared_actions", "shared_rounds"):
            out[table] = [list(map(str, r)) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]
    eng.dispose()
    return json.dumps(out, sort_keys=True)


@pytest.fixture
def shared(db_url, small_text):
    with SaveStore(db_url) as store:
        code = sm.create(store, "Shared", small_text, 4, NAMES).code
        sm.act(store, code, "Acme", EndRound())
        solo = store.create_class("Solo", small_text, 4).code
    return db_url, code, solo


def _refused(url: str, args: list[str], message: str) -> None:
    before = _dump(url)
    out = _cli(*args, "--db", url)
    assert out.exit_code == 2, out.output
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], out.output
    assert "Traceback" not in out.output
    assert _dump(url) == before


def test_a_company_the_class_does_not_have(shared):
    url, code, _ = shared
    _refused(url, ["play", "--class", code, "--company", "Umbrella"],
             "has no company 'Umbrella': its companies are Acme, Globex")


def test_a_shared_class_needs_a_company_and_a_solo_one_refuses_it(shared):
    url, code, solo = shared
    _refused(url, ["play", "--class", code, "--player", "Ada"], "choose your company with --company NAME")
    _refused(url, ["play", "--class", solo, "--company", "Acme"], "is not a shared market: leave out --company")
    _refused(url, ["play", "--company", "Acme"], "--company NAME needs --class CODE")


def test_a_finished_class_cannot_be_joined(shared):
    url, code, _ = shared
    with SaveStore(url) as store:
        while not sm.status(store, code).finished:
            sm.advance(store, code)
    _refused(url, ["play", "--class", code, "--company", "Globex"], "is finished")
    # and advancing it again does nothing (not an error: the quarter has resolved)
    before = _dump(url)
    out = _cli("class", "advance", code, "--db", url)
    assert out.exit_code == 0 and "already resolved" in out.output and _dump(url) == before


def test_a_company_name_taken_twice(shared):
    _refused(shared[0], ["class", "create", "--shared", "--company", "Acme", "--company", " ACME ", "--scenario",
                      "tutorial", "--name", "X"], "same name")


def test_advancing_a_class_that_is_not_shared(shared):
    url, _, solo = shared
    _refused(url, ["class", "advance", solo], "is not a shared market")


def test_a_class_from_a_newer_engine(shared):
    url, code, _ = shared
    eng = create_engine(url)
    with eng.begin() as conn:
        conn.execute(text("UPDATE shared_markets SET engine_version = '99.0.0'"))
    eng.dispose()
    sm._MARKETS.clear()  # as a fresh process would
    _refused(url, ["play", "--class", code, "--company", "Globex"], "engine 99.0.0")
    _refused(url, ["class", "advance", code], "engine 99.0.0")


def test_companies_named_in_a_file(shared, tmp_path):
    """`class create --shared --companies-file PATH`: one name a line, blank lines and # comments
    skipped; an empty or missing file, or a file with --company too, is one line and changes nothing."""
    url, _, _ = shared
    names = tmp_path / "teams.txt"
    names.write_text("# section B\nAcme\n\n  Globex  \nInitech\n", encoding="utf-8")
    out = _cli("class", "create", "--shared", "--companies-file", str(names), "--scenario", "tutorial",
               "--name", "From a file", "--db", url)
    assert out.exit_code == 0, out.output
    assert "Companies: Acme, Globex, Initech" in out.output
    empty = tmp_path / "empty.txt"
    empty.write_text("# nobody yet\n\n", encoding="utf-8")
    base = ["class", "create", "--shared", "--scenario", "tutorial", "--name", "X"]
    _refused(url, [*base, "--companies-file", str(empty)], "names no company")
    _refused(url, [*base, "--companies-file", str(tmp_path / "missing.txt")], "cannot read --companies-file")
    _refused(url, [*base, "--companies-file", str(names), "--company", "Acme"], "not both")
    twice = tmp_path / "twice.txt"
    twice.write_text("Acme\nAcme\n", encoding="utf-8")
    out = _cli(*base, "--companies-file", str(twice), "--db", url)
    assert out.exit_code == 2 and len(out.output.strip().splitlines()) == 1, out.output
