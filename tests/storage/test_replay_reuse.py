"""Replays of games that start from the same market (a class: one scenario, one seed) build that
market once and copy it: same results, independent games."""

from __future__ import annotations

from storage_texts import play_reference

from pmsim.engine import EndRound, simulate
from pmsim.storage.saves import SaveStore
from pmsim.storage.session import record_bot_game


def test_replays_of_one_market_build_it_once(tmp_path, small_text, monkeypatch):
    store = SaveStore(f"sqlite:///{tmp_path}/s.sqlite3")
    try:
        ids = {s: record_bot_game(store, small_text, 21, s) for s in ("rice", "researcher")}
        built = []
        real = simulate.new_game
        monkeypatch.setattr(simulate, "_TEMPLATE", None)
        monkeypatch.setattr(simulate, "new_game", lambda sc, seed: built.append(seed) or real(sc, seed))
        results = {s: store.verify(sid) for s, sid in ids.items()}
        again = store.verify(ids["rice"])
    finally:
        store.close()
    assert built == [21]  # one market for three replays
    for s, res in results.items():
        assert res.ok, res.problem
        assert res.game.state_hash() == play_reference(small_text, 21, s).final_hash
    assert again.ok and again.game.state_hash() == results["rice"].game.state_hash()
    assert again.game is not results["rice"].game and again.game.state.pop is not results["rice"].game.state.pop


def test_a_replayed_game_plays_on_without_touching_the_next_replay(tmp_path, small_text, monkeypatch):
    store = SaveStore(f"sqlite:///{tmp_path}/s.sqlite3")
    try:
        sid = store.create(small_text, 22, "ada")  # a new save: no action yet
        monkeypatch.setattr(simulate, "_TEMPLATE", None)
        first = store.verify(sid)
        first.game.apply(EndRound())  # the first replay plays on
        second = store.verify(sid)
    finally:
        store.close()
    assert first.game.round == 2 and second.game.round == 1
    assert second.ok
