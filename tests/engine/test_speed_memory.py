"""A process that simulates markets keeps the memory it frees for reuse (population.keep_freed_memory):
a second population of the same size is drawn into memory already mapped, not page by page anew."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SCRIPT = r"""
import json, resource
from pmsim.engine import population
from pmsim.scenario.builtin import resolve
from pmsim.scenario.loader import load_scenario

sc = load_scenario(resolve("b2b_saas"))
for seed in (1, 2):  # the first ones map the memory (and settle how the heap is laid out)
    population.generate(sc, seed, parallel=False)
faults = []
for seed in (3, 4):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    pop = population.generate(sc, seed, parallel=False)
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    del pop
pages = sum(a.nbytes for a in population.generate(sc, 5, parallel=False).arrays().values()) // 4096
print(json.dumps({"tuned": population.keep_freed_memory(), "faults": faults, "pages": pages}))
"""


def _run(env_malloc: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PMSIM_MALLOC"}
    if env_malloc is not None:
        env["PMSIM_MALLOC"] = env_malloc
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc only")
def test_a_second_population_reuses_the_memory_of_the_first():
    got = _run(None)
    if not got["tuned"]:
        pytest.skip("this C library has no mallopt (not glibc)")
    # a population is ~1,400 pages of arrays (more with its float64 scratch): drawn into reused
    # memory it faults in a small fraction of them
    assert max(got["faults"]) < got["pages"] // 4, got


def test_pmsim_malloc_default_leaves_the_allocator_alone():
    assert _run("default")["tuned"] is False
