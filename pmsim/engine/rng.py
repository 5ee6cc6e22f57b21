"""Seeded random streams.

Every draw in the engine comes from a generator made here. A stream is identified by the game
seed, a purpose and a tuple of integers (round, item...), so streams are independent of each other
and of the order in which they are requested: buying a survey never changes what the market does.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.random.bit_generator import ISpawnableSeedSequence

# Purposes are numbered once and never renumbered: renumbering would change every game.
STREAMS = {
    "population": 1,
    "market": 2,
    "features": 3,
    "stakeholders": 4,
    "research": 5,
    "events": 6,
    "names": 7,
    "delivery": 8,
    "beliefs": 9,
    "feedback": 10,
    "bots": 11,
}


def seed_sequence(seed: int, purpose: str, *key: int) -> np.random.SeedSequence:
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    return np.random.SeedSequence(entropy=seed, spawn_key=(STREAMS[purpose], *key))


def stream(seed: int, purpose: str, *key: int) -> np.random.Generator:
    """A fresh PCG64 generator for (seed, purpose, key...)."""
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    full = (seed, STREAMS[purpose], *key)
    words = _WORDS.get(full)
    if words is None:
        if len(_WORDS) >= 4096:
            _WORDS.clear()
        real = seed_sequence(seed, purpose, *key)
        words = real.generate_state(4, np.uint64)
        words.flags.writeable = False
        _WORDS[full] = words
        return np.random.Generator(np.random.PCG64(real))
    return np.random.Generator(np.random.PCG64(_Kept(words, seed, purpose, key)))


# The four words PCG64 asks of each stream's SeedSequence, by (seed, purpose number, key...): a
# batch plays every strategy on one market, whose streams (the market's, the stakeholders', a
# round's research...) are asked for again each game, and mixing a SeedSequence's entropy is
# most of the cost of a generator.
_WORDS: dict[tuple[int, ...], np.ndarray] = {}


class _Kept(ISpawnableSeedSequence):
    """A stream's SeedSequence as PCG64 sees it, its state words already made: the very words
    (so the very draws) of `seed_sequence(seed, purpose, *key)`, which is made, for this
    generator alone, only if something asks it for more (other words, a spawn, its entropy)."""

    def __init__(self, words: np.ndarray, seed: int, purpose: str, key: tuple[int, ...]) -> None:
        self._words = words
        self._key = (seed, purpose, *key)
        self._real: np.random.SeedSequence | None = None

    def _seq(self) -> np.random.SeedSequence:
        if self._real is None:
            self._real = seed_sequence(*self._key)
        return self._real

    def generate_state(self, n_words: int, dtype=np.uint32) -> np.ndarray:
        if n_words == 4 and (dtype is np.uint64 or np.dtype(dtype) == np.uint64):
            return self._words.copy()
        return self._seq().generate_state(n_words, dtype)

    def spawn(self, n_children: int) -> list[np.random.SeedSequence]:
        return self._seq().spawn(n_children)

    def __getattr__(self, name: str) -> Any:  # entropy, spawn_key, pool, n_children_spawned...
        if name.startswith("__") or name in ("_real", "_key", "_words"):
            raise AttributeError(name)
        return getattr(self._seq(), name)


def int_seed(seed: int, purpose: str, *key: int) -> int:
    """A 63-bit integer seed, e.g. for Faker's seed_instance."""
    return int(seed_sequence(seed, purpose, *key).generate_state(2, dtype=np.uint32).view(np.uint64)[0] >> np.uint64(1))
