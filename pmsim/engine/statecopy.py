"""Deep copies of a game's state, faster than `copy.deepcopy` and the same: a batch copies its
template game once a game, a shared market copies a company's state, and a round report is handed
out as a copy (engine/game.py)."""

from __future__ import annotations

from typing import Any

import numpy as np

from pmsim.engine.population import Population
from pmsim.engine.state import GameState


def copy_state(st: GameState, pop: Population) -> GameState:
    """A deep copy of `st` that holds `pop` as its population: the population (the biggest part)
    is never deep-copied; the caller gives its own copy, or a shared market's view of its customers.
    The copy is `copy.deepcopy`'s (objects met twice stay one object in the copy), made by
    `_deep` without deepcopy's per-object dispatch."""
    own = st.pop
    st.pop = None  # type: ignore[assignment]
    try:
        new = _deep(st, {})
    finally:
        st.pop = own
    new.pop = pop
    return new


def _deep(obj: Any, memo: dict[int, Any]) -> Any:
    """`copy.deepcopy(obj, memo)` for a game state: its plain dicts, lists, arrays and the
    dataclasses of engine/state.py copied here, with deepcopy's memo (so what is shared stays
    shared, cycles included); anything else (tuples, a customer record's lazy dict...) by
    deepcopy itself, with the same memo."""
    t = type(obj)
    if t in _ATOMS:
        return obj
    hit = memo.get(id(obj), memo)
    if hit is not memo:
        return hit
    if t is dict:
        d: dict[Any, Any] = {}
        memo[id(obj)] = d
        for k, v in obj.items():
            if type(k) not in _ATOMS:
                k = _deep(k, memo)
            d[k] = v if type(v) in _ATOMS else _deep(v, memo)
        return d
    if t is list:
        out: list[Any] = []
        memo[id(obj)] = out
        out.extend(v if type(v) in _ATOMS else _deep(v, memo) for v in obj)
        return out
    if t is np.ndarray:
        a = obj.__deepcopy__(memo)
        memo[id(obj)] = a
        return a
    if _state_class(t):
        # what deepcopy does with a dataclass instance (its reduce: a new object, then its
        # __dict__ deep-copied into it), the object in the memo before its fields
        y = t.__new__(t)
        memo[id(obj)] = y
        y.__dict__.update({k: v if type(v) in _ATOMS else _deep(v, memo) for k, v in obj.__dict__.items()})
        return y
    import copy

    return copy.deepcopy(obj, memo)


_STATE_CLASSES: dict[type, bool] = {}


def _state_class(t: type) -> bool:
    """Whether `t` is one of engine/state.py's plain dataclasses (no copy hooks, no slots)."""
    known = _STATE_CLASSES.get(t)
    if known is None:
        import dataclasses

        known = _STATE_CLASSES[t] = (
            t.__module__ == GameState.__module__ and dataclasses.is_dataclass(t) and "__slots__" not in t.__dict__
            and not any(h in c.__dict__ for c in t.__mro__[:-1]
                        for h in ("__deepcopy__", "__reduce__", "__reduce_ex__", "__getstate__", "__setstate__"))
        )
    return known


_ATOMS = frozenset({str, int, float, bool, type(None)})


def copied(obj: Any) -> Any:
    """`copy.deepcopy(obj)` for a round report, faster: its dicts and lists of plain values are
    copied here (each one the same whether or not it appears twice), anything else by deepcopy."""
    t = type(obj)
    if t is dict:
        return {k: v if type(v) in _ATOMS else copied(v) for k, v in obj.items()}
    if t is list:
        return [v if type(v) in _ATOMS else copied(v) for v in obj]
    if t in _ATOMS:
        return obj
    import copy

    return copy.deepcopy(obj)
