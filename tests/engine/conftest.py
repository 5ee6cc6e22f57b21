from __future__ import annotations

from pathlib import Path

import pytest

from pmsim.scenario.loader import load_scenario
from pmsim.scenario.models import Scenario

ROOT = Path(__file__).resolve().parents[2]
BUILTIN = sorted((ROOT / "scenarios").glob("*.yaml"))


def small(sc: Scenario, population: int = 3000) -> Scenario:
    """The same scenario with fewer customers, for fast tests of the rules."""
    return sc.model_copy(update={"market": sc.market.model_copy(update={"population": population})})


@pytest.fixture(scope="session")
def saas() -> Scenario:
    return load_scenario(ROOT / "scenarios" / "b2b_saas.yaml")


@pytest.fixture(scope="session")
def saas_small(saas) -> Scenario:
    return small(saas)


@pytest.fixture(scope="session", params=[p.stem for p in BUILTIN])
def builtin(request) -> Scenario:
    return load_scenario(ROOT / "scenarios" / f"{request.param}.yaml")


@pytest.fixture(scope="session")
def builtin_small(builtin) -> Scenario:
    return small(builtin, 2000)
