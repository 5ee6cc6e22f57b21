"""`copy_state` (a batch's copy of a new game, a shared market's company) copies without
`copy.deepcopy`'s per-object dispatch (issue 13), and still gives deepcopy's copy: the same
values and types, nothing mutable shared with the original, and what the original shares (or
loops back to) shared the same way in the copy."""

from __future__ import annotations

import copy
import struct

import numpy as np

from pmsim.engine import EndRound, new_game
from pmsim.engine.bots import play_round
from pmsim.engine.state import GameState, state_hash
from pmsim.engine.statecopy import copy_state

_ATOMS = (str, int, float, bool, type(None))


def _same(o, d, c, pairs: dict[int, int]) -> None:
    """Walk the original `o`, deepcopy's copy `d` and ours `c` side by side."""
    assert type(d) is type(c), (type(d), type(c))
    if type(d) in _ATOMS:
        if type(d) is float:
            assert struct.pack("<d", d) == struct.pack("<d", c)  # bit for bit (-0.0, nan)
        else:
            assert d == c
        return
    assert (d is o) == (c is o), type(o)  # shared with the original only where deepcopy shares
    if id(d) in pairs:  # met before: it must be the same object in our copy too
        assert pairs[id(d)] == id(c), type(d)
        return
    assert id(c) not in pairs.values(), type(c)  # ... and two objects there stay two here
    pairs[id(d)] = id(c)
    if isinstance(d, np.ndarray):
        assert d.dtype == c.dtype and d.shape == c.shape and d.strides == c.strides
        assert d.tobytes() == c.tobytes() and c.flags.writeable == d.flags.writeable
        return
    if isinstance(d, dict):
        assert list(dict.keys(d)) == list(dict.keys(c))
        for k in dict.keys(d):
            _same(dict.__getitem__(o, k), dict.__getitem__(d, k), dict.__getitem__(c, k), pairs)
        return
    if isinstance(d, list | tuple):
        assert len(d) == len(c) == len(o)
        for x, y, z in zip(o, d, c, strict=True):
            _same(x, y, z, pairs)
        return
    if hasattr(d, "__dict__"):
        assert list(vars(d)) == list(vars(c))
        for k in vars(d):
            _same(getattr(o, k), getattr(d, k), getattr(c, k), pairs)
        return
    assert d == c


def _deepcopied(st: GameState) -> GameState:
    own = st.pop
    st.pop = None  # type: ignore[assignment]
    try:
        return copy.deepcopy(st)
    finally:
        st.pop = own


def _check(st: GameState, hashed: bool = True) -> None:
    h = state_hash(st) if hashed else None
    want = _deepcopied(st)
    got = copy_state(st, st.pop)
    assert got.pop is st.pop and want.pop is None
    got.pop = None  # type: ignore[assignment]
    own = st.pop
    st.pop = None  # type: ignore[assignment]
    try:
        _same(st, want, got, {})
    finally:
        st.pop = own
    got.pop = own
    if hashed:
        assert state_hash(got) == h == state_hash(st)


def test_copy_state_is_deepcopy_through_a_game(builtin_small):
    game = new_game(builtin_small, 11)
    _check(game.state)
    while not game.state.finished:
        play_round(game, "researcher" if game.state.round % 2 else "analyst")
        _check(game.state)  # reports, ledger, feedback, news, requests as the game grows


def test_copy_state_keeps_what_is_shared_shared_and_copies_the_rest(saas_small):
    game = new_game(saas_small, 3)
    game.apply(EndRound(rationale="x"))
    st = game.state
    move = {"round": 2, "theme": 0, "tags": [1, 2]}
    st.public_moves.append(move)
    st.launches.append(move)  # one dict in two lists
    st.news.append({"self": st.news})  # a loop back to its own list
    st.metrics.append({"arr": st.wom, "t": (1, [2.5, -0.0], "x"), ("k", 1): float("nan")})
    _check(st, hashed=False)  # (a loop has no hash)
    new = copy_state(st, st.pop)
    assert new.public_moves[-1] is new.launches[-1] and new.launches[-1] is not move
    assert new.news[-1]["self"] is new.news and new.news is not st.news
    assert new.metrics[-1]["arr"] is new.wom and new.wom is not st.wom
    new.public_moves[-1]["tags"].append(3)
    new.features[next(iter(new.features))].defects_found["usability"] = 99
    new.beliefs.need_mean[0, 0] = -5.0
    assert move["tags"] == [1, 2] and new.launches[-1]["tags"] == [1, 2, 3]
    assert all(f.defects_found["usability"] != 99 for f in st.features.values())
    assert st.beliefs.need_mean[0, 0] != -5.0
