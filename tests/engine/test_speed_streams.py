"""`rng.stream` keeps each stream's PCG64 state words (issue 13: a batch asks the same market's
streams again every game): a stream made again is the very generator a fresh SeedSequence made,
down to its draws, its spawned children and its seed sequence's fields."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from pmsim.engine import rng


def _plain(seed: int, purpose: str, *key: int) -> np.random.Generator:
    """The generator as it was made before the words were kept."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy=seed, spawn_key=(rng.STREAMS[purpose], *key))))


KEYS = [(), (1,), (3, 4), (0, 999), (7, 1000 + 2)]


@pytest.mark.parametrize("purpose", sorted(rng.STREAMS))
def test_a_stream_made_again_draws_what_a_fresh_seed_sequence_draws(purpose):
    rng._WORDS.clear()
    for seed in (0, 5, 2**62 + 3):
        for key in KEYS:
            for _ in range(3):  # made, then kept: the same every time
                got, want = rng.stream(seed, purpose, *key), _plain(seed, purpose, *key)
                assert got.bit_generator.state == want.bit_generator.state
                assert np.array_equal(got.random(4), want.random(4))
                assert np.array_equal(got.integers(0, 2**62, 4), want.integers(0, 2**62, 4))
                assert np.array_equal(got.normal(size=3), want.normal(size=3))
    assert any(k[1] == rng.STREAMS[purpose] for k in rng._WORDS)


def test_a_kept_stream_is_a_whole_generator():
    rng._WORDS.clear()
    rng.stream(11, "market", 2)
    got, want = rng.stream(11, "market", 2), _plain(11, "market", 2)
    assert isinstance(got.bit_generator.seed_seq, rng._Kept)  # made from the kept words
    mine, theirs = got.bit_generator.seed_seq, want.bit_generator.seed_seq
    assert mine.entropy == theirs.entropy and tuple(mine.spawn_key) == tuple(theirs.spawn_key)
    assert np.array_equal(mine.generate_state(3), theirs.generate_state(3))
    assert np.array_equal(mine.generate_state(4, np.uint64), theirs.generate_state(4, np.uint64))
    for n in (2, 1):  # spawning goes on from the children already spawned, as a SeedSequence does
        for a, b in zip(got.spawn(n), want.spawn(n), strict=True):
            assert np.array_equal(a.random(3), b.random(3))
    # two generators of one stream do not share a seed sequence (each spawns its own children)
    again = rng.stream(11, "market", 2)
    assert np.array_equal(again.spawn(1)[0].random(3), _plain(11, "market", 2).spawn(1)[0].random(3))
    got.random(5)
    want.random(5)
    for twin in (copy.deepcopy(got), pickle.loads(pickle.dumps(got))):
        assert twin.bit_generator.state == want.bit_generator.state
        assert np.array_equal(twin.random(3), copy.deepcopy(want).random(3))
    # what is kept cannot be changed by a caller
    words = got.bit_generator.seed_seq.generate_state(4, np.uint64)
    words[:] = 0
    assert np.array_equal(rng.stream(11, "market", 2).random(2), _plain(11, "market", 2).random(2))


def test_bad_streams_are_refused_as_before():
    with pytest.raises(ValueError, match="non-negative"):
        rng.stream(-1, "market")
    with pytest.raises(KeyError):
        rng.stream(1, "nonsense")
    rng._WORDS.clear()
    for _ in range(2):
        with pytest.raises(ValueError, match="non-negative"):
            rng.stream(-1, "market", 3)
