"""The solo and the shared-market batches read their inputs through one function
(simulate.batch_plan), so they refuse the same bad input with the same words and play the same
game seeds (issue 15: no near-copy of the checks)."""

from __future__ import annotations

import pytest

from pmsim.engine.shared_batch import run_shared_batch
from pmsim.engine.simulate import batch_plan, game_seed, run_batch


@pytest.mark.parametrize("games, jobs, words", [(0, 1, "games must be at least 1"), (1, 0, "jobs must be at least 1")])
def test_both_batches_refuse_a_count_below_one_alike(games, jobs, words):
    for run in (run_batch, run_shared_batch):
        with pytest.raises(ValueError, match=words):
            run("tutorial", ["rice"], games, 1, jobs=jobs)


def test_both_batches_refuse_an_unknown_strategy_alike():
    errors = []
    for run in (run_batch, run_shared_batch):
        with pytest.raises(ValueError) as e:
            run("tutorial", ["rice", "nonsense"], 1, 1)
        errors.append(str(e.value))
    assert errors[0] == errors[1] and "nonsense" in errors[0]


def test_the_plan_loads_the_scenario_and_gives_game_i_its_seed():
    sc, names, seeds = batch_plan("tutorial", "rice,hippo", 3, 7, 2)
    assert sc.meta.id == "tutorial" and names == ["rice", "hippo"]
    assert seeds == [game_seed(7, i) for i in range(3)]
