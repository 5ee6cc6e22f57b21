"""Scenario texts for the storage tests, in a module of its own name: tests import it as
`storage_texts` (an import `from conftest import ...` inside a test gets whichever conftest.py
pytest imported last, such as tests/tui's, when several test folders run together)."""

from __future__ import annotations

import re

SMALL_POPULATION = 2000


def scenario_text(scenario_id: str = "b2b_saas", population: int | None = SMALL_POPULATION) -> str:
    from pmsim.paths import builtin_scenarios_dir

    text = (builtin_scenarios_dir() / f"{scenario_id}.yaml").read_text(encoding="utf-8")
    if population is None:
        return text
    new, n = re.subn(r"(?m)^(\s+population:\s*)\d+", rf"\g<1>{population}", text, count=1)
    assert n == 1, f"no market.population line to shrink in {scenario_id}.yaml"
    return new
