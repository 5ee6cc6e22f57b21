"""The state hash's faster canonical form (issue 13) is the plain one, byte for byte."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict, namedtuple
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from pmsim.engine import new_game, state
from pmsim.engine.bots import play_game
from pmsim.scenario.builtin import resolve
from pmsim.scenario.loader import load_scenario


def _canon_ref(obj: Any) -> Any:  # the canonical form as it was
    if isinstance(obj, float):
        return round(obj, 9) + 0.0
    if isinstance(obj, np.floating):
        return round(float(obj), 9) + 0.0
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.ndarray):
        a = np.ascontiguousarray(obj)
        if a.dtype.kind == "f" and a.dtype.itemsize == 8:
            a = np.round(a, 9) + 0.0
        a = a.astype(a.dtype.newbyteorder("<"), copy=False)
        return {"dtype": a.dtype.str, "shape": list(a.shape), "sha256": hashlib.sha256(a.tobytes()).hexdigest()}
    if isinstance(obj, dict):
        return {str(k): _canon_ref(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_canon_ref(v) for v in obj]
    if hasattr(obj, "__dataclass_fields__"):
        return _canon_ref(asdict(obj))
    return obj


def _json(x: Any) -> str:
    return json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


Pair = namedtuple("Pair", "a b")


@dataclass
class _Inner:
    x: float = -0.0
    arr: np.ndarray = field(default_factory=lambda: np.array([0.1, -0.0, 1e-12]))


@dataclass
class _Outer:
    inner: _Inner = field(default_factory=_Inner)
    items: list = field(default_factory=lambda: [1, 2.5, True, None, "s", (3, 4.0), Pair(1, 2.0)])
    table: dict = field(default_factory=lambda: {1: np.float64(0.1 + 0.2), "k": np.int64(7), 2.5: [np.float32(0.3)]})
    od: OrderedDict = field(default_factory=lambda: OrderedDict(b=1.0000000004, a=_Inner()))


def test_the_canonical_form_of_every_kind_of_value_is_the_plain_one():
    for value in [_Outer(), [_Outer(), {"x": _Outer()}], 0.1 + 0.2, -0.0, np.float32(1.1), True, 3, "a",
                  None, (1, [2.0, {3: 4.0}]), Pair(np.int8(1), 2.0), np.arange(6).reshape(2, 3),
                  # arrays hashed in place, or copied out where they cannot be read in place
                  np.array(5.0), np.float32(2.5) * np.ones((3, 4), np.float32), np.arange(10.0)[::3],
                  np.arange(12, dtype=np.int16).reshape(3, 4).T, np.array([True, False]),
                  np.arange(3, dtype=">i4"), np.zeros((2, 0), np.int8), {"pop": np.arange(7, dtype=np.int8)}]:
        assert _json(state._canon(value)) == _json(_canon_ref(value))


def test_the_canonical_form_of_played_states_is_the_plain_one():
    for sid, strategy in [("b2b_saas", "analyst"), ("consumer_app", "researcher"), ("tutorial", "random")]:
        sc = load_scenario(resolve(sid))
        sc = sc.model_copy(update={"market": sc.market.model_copy(update={"population": 3000})})
        game = play_game(new_game(sc, 3), strategy)
        st = game.state
        for name in st.__dataclass_fields__:
            if name == "pop":
                continue
            value = getattr(st, name)
            assert _json(state._canon(value)) == _json(_canon_ref(value)), name
