"""Interview quotes and support tickets name their customers lazily (issue 13): the name,
company and job are made when the record is first read, and are then exactly the eager ones,
in the eager dict's order, whichever way the record is read."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from pmsim.engine import new_game, text
from pmsim.engine.bots import play_game
from pmsim.engine.observe import observe


def _records(game) -> list[text.CustomerRecord]:
    st = game.state
    quotes = [q for r in st.research_results for q in r.get("quotes", [])]
    return quotes + list(st.feedback)


def _eager(rec: text.CustomerRecord) -> dict:
    """What research made before names were lazy: the customer's names in the record's places."""
    seed, persona, ci = rec._who
    who = text.customer(seed, persona, ci)
    return {k: who[k] if v is text.UNMADE else v for k, v in dict.items(rec)}


@pytest.fixture(scope="module")
def played(saas_small):
    game = play_game(new_game(saas_small, 3), "analyst")  # interviews every segment; tickets each round
    assert [q for r in game.state.research_results for q in r.get("quotes", [])] and game.state.feedback
    return game


def test_a_bot_game_names_nobody_and_reading_names_them_as_before(played):
    game = played.copy()
    recs = _records(game)
    assert recs and not any(r.named for r in recs)  # no bot read a name
    eager = [_eager(r) for r in recs]
    for rec, want in zip(recs, eager, strict=True):
        assert list(rec.items()) == list(want.items())  # the same entries in the same order
        assert rec.named
        assert all(isinstance(rec[k], str) and rec[k] for k in ("name", "job") if k in rec)


@pytest.mark.parametrize("read", [
    lambda r: r["name"], lambda r: r.get("company"), lambda r: list(r.values()), lambda r: list(r),
    lambda r: dict(r), lambda r: {**r}, lambda r: repr(r), lambda r: json.dumps(r), lambda r: r.copy(),
    lambda r: pickle.loads(pickle.dumps(r)), lambda r: copy.copy(r), lambda r: r | {},
])
def test_every_way_of_reading_gives_the_eager_record(played, read):
    rec = _records(played.copy())[0]
    want = _eager(rec)
    got = read(rec)
    plain = read(want)
    assert got == plain and type(got) is type(plain)
    if isinstance(got, dict):
        assert list(got.items()) == list(plain.items())
    assert rec == want and want == rec and not (rec != want) and [rec] == [want]


def test_a_deep_copy_stays_unnamed_and_names_the_same(played):
    rec = _records(played.copy())[0]
    twin = copy.deepcopy(rec)
    assert isinstance(twin, text.CustomerRecord) and not twin.named and not rec.named
    assert twin == rec and list(twin.items()) == list(rec.items())
    assert copy.deepcopy(rec) == rec and type(copy.deepcopy(rec)) is dict  # a read record copies as a dict


def test_the_hash_and_what_the_player_sees_do_not_depend_on_when_names_are_made(played):
    unread, read = played.copy(), played.copy()
    for rec in _records(read):
        rec["name"]
    assert unread.state_hash() == read.state_hash()
    obs = observe(played.copy())
    quotes = [q for r in obs["research"] for q in r.get("quotes", [])]
    assert quotes and all(isinstance(q["name"], str) for q in quotes)
    assert all(isinstance(t["name"], str) and isinstance(t["company"], str) for t in obs["feedback"])


def test_a_record_changed_before_it_is_read_keeps_the_change(played):
    rec = copy.deepcopy(_records(played.copy())[0])
    want = _eager(rec)
    rec["name"] = "Ada Lee"
    assert rec["name"] == "Ada Lee" and rec["job"] == want["job"] and rec["company"] == want["company"]


def test_a_record_rebuilt_by_its_type_is_a_plain_record(played):
    rec = _records(played.copy())[0]
    want = _eager(rec)
    again = type(rec)(rec.items())  # as dataclasses.asdict and other generic copiers rebuild a dict
    assert again == want and again.named and list(again.items()) == list(want.items())


def test_a_request_names_a_company_only_when_its_template_does(monkeypatch):
    """Faker's company names cost about a millisecond a game and most request templates name none:
    a name is made only for a template with {company} (each name has its own seed, so the texts,
    and the sample saves' hashes, are the same)."""
    calls: list[tuple] = []
    real = text.company
    monkeypatch.setattr(text, "company", lambda seed, *key: calls.append(key) or real(seed, *key))
    made = [text.request_text(7, r, i, role, "SSO", "Security", 3, "Acme")
            for role in text.REQUEST_TEMPLATES for r in range(1, 4) for i in range(6)]
    assert 0 < len(calls) < len(made)  # before, every request made one
    shown = [t for t in made if any(real(7, *key) in t for key in calls)]
    assert len(shown) == len(calls)  # each name made is in its request's text
