"""Seeded random streams.

Every draw in the engine comes from a generator made here. A stream is identified by the game
seed, a purpose and a tuple of integers (round, item...), so streams are independent of each other
and of the order in which they are requested: buying a survey never changes what the market does.
"""

from __future__ import annotations

import numpy as np

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
    return np.random.Generator(np.random.PCG64(seed_sequence(seed, purpose, *key)))


def int_seed(seed: int, purpose: str, *key: int) -> int:
    """A 63-bit integer seed, e.g. for Faker's seed_instance."""
    return int(seed_sequence(seed, purpose, *key).generate_state(2, dtype=np.uint32).view(np.uint64)[0] >> np.uint64(1))
