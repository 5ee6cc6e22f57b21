"""A parallel batch hands out small tasks (issue 13): the workers finish close together."""

from __future__ import annotations

from pmsim.engine.simulate import chunk_size


def test_tasks_are_small_and_many_enough_to_share_out():
    for seeds, jobs in [(40, 2), (100, 2), (200, 2), (100, 8), (1000, 4)]:
        size = chunk_size(seeds, jobs)
        assert 1 <= size <= 4
        assert -(-seeds // size) >= min(seeds, 8 * jobs)  # at least eight tasks per worker
    assert chunk_size(3, 8) == 1 and chunk_size(1, 1) == 1
