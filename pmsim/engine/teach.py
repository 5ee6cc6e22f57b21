"""What a scenario teaches: the score cost of skipping each of a careful player's behaviours.

The `analyst` bot plays every game; `analyst-no-X` plays the same games (same seeds) with one
behaviour X switched off. For each behaviour the paired differences d_i = analyst_i − ablated_i
give the cost (their mean: positive means the behaviour helps), its 95% CI (mean ± 1.96·sd/√n),
Cohen's d (mean/sd of the differences) and the score component the cost mostly comes from
(the largest weighted mean paired difference of a component). Pure: no Textual, no SQLAlchemy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from pmsim.engine.bots import BEHAVIOURS
from pmsim.engine.simulate import _r, run_batch
from pmsim.numfmt import table_number

MIN_COST = 3.0  # points: a behaviour that costs less when skipped is not taught
MIN_D = 0.5


def teach(scenario, games: int, seed: int, jobs: int = 1,
          progress: Callable[[int], None] | None = None,
          behaviours: tuple[str, ...] = BEHAVIOURS) -> dict[str, Any]:
    from pmsim.engine.simulate import _load

    scenario = _load(scenario)  # once: the batch and the weights read the same scenario
    batch = run_batch(scenario, strategies(behaviours), games, seed, jobs=jobs, progress=progress, raw=True)
    return from_batch(scenario, batch, behaviours)


def strategies(behaviours: tuple[str, ...] = BEHAVIOURS) -> list[str]:
    """The bots `teach` plays: the analyst, then the analyst without each behaviour."""
    return ["analyst", *[f"analyst-no-{b}" for b in behaviours]]


def from_batch(scenario, batch: dict[str, Any], behaviours: tuple[str, ...] = BEHAVIOURS) -> dict[str, Any]:
    """`teach`'s result from a batch of its `strategies` already played (`run_batch(..., raw=True)`'s
    shape: "scenario", "games", "seed", "strategies" and "raw"), e.g. by `scenarios balance`
    alongside its own bots."""
    games, seed = batch["games"], batch["seed"]
    raw = batch["raw"]
    base = np.array([g["score"] for g in raw["analyst"]])
    weights = _weights(scenario)
    out: dict[str, Any] = {
        "scenario": batch["scenario"], "games": games, "seed": seed,
        "baseline": {"strategy": "analyst", "mean": batch["strategies"]["analyst"]["mean"],
                     "sd": batch["strategies"]["analyst"]["sd"]},
        "behaviours": {},
    }
    comps = list(raw["analyst"][0]["components"])
    for b in behaviours:
        name = f"analyst-no-{b}"
        abl = np.array([g["score"] for g in raw[name]])
        diff = base - abl
        mean = float(diff.mean())
        sd = float(diff.std(ddof=1)) if games > 1 else 0.0
        half = 1.96 * sd / math.sqrt(games) if games > 1 else 0.0
        d = mean / sd if sd > 1e-12 else (0.0 if abs(mean) < 1e-12 else math.copysign(99.0, mean))
        by_comp = {}
        for c in comps:
            cd = np.array([g["components"][c] for g in raw["analyst"]]) - np.array(
                [g["components"][c] for g in raw[name]])
            by_comp[c] = 100.0 * weights.get(c, 0.0) * float(cd.mean())
        top = max(comps, key=lambda c: abs(by_comp[c])) if comps else None
        out["behaviours"][b] = {
            "strategy": name, "mean": batch["strategies"][name]["mean"], "cost": _r(mean),
            "ci95": [_r(mean - half), _r(mean + half)], "d": _r(d), "component": top,
            "components": {c: _r(v) for c, v in by_comp.items()},
            "teaches": bool(mean >= MIN_COST and d >= MIN_D),
        }
    return out


def _weights(sc) -> dict[str, float]:
    from pmsim.scenario.models import COMPONENTS

    w = sc.scoring.weights
    total = sum(w.get(c, 0.0) for c in COMPONENTS) or 1.0
    return {c: w.get(c, 0.0) / total for c in COMPONENTS}


def warnings(result: dict[str, Any]) -> list[str]:
    """One line per behaviour the scenario does not teach (costs too little, or pays to skip)."""
    out = []
    for b, row in result["behaviours"].items():
        if row["cost"] < 0 and row["ci95"][1] < 0:
            out.append(f"skipping {b} raises the score by {-row['cost']:.1f} points "
                       f"(mostly {row['component']}): the model rewards the wrong thing")
        elif not row["teaches"]:
            # as the line prints it (one decimal): a cost of -0.04 is "nothing", not a raise "by 0.0 points"
            shown = round(row["cost"], 1) + 0.0
            d = table_number(row["d"], 2)
            if row["cost"] >= MIN_COST:  # enough on average, too unevenly: many games it costs nothing
                out.append(f"skipping {b} costs {shown:.1f} points on average, but too unevenly to teach it "
                           f"(d = {d}, below {MIN_D:g}: in many games it costs nothing)")
                continue
            cost = (f"costs only {shown:.1f} points" if shown > 0 else "costs nothing measurable" if shown == 0 else
                    f"costs nothing measurable (on average it raises the score by {-shown:.1f} points)")
            out.append(f"skipping {b} {cost} (d = {d}); "
                       f"a behaviour should cost ≥ {MIN_COST:g} points with d ≥ {MIN_D:g}")
    return out


TABLE_COLUMNS = ["skipping", "costs (points)", "95% CI", "d", "mostly in", "taught"]


def table_rows(result: dict[str, Any]) -> list[list[str]]:
    """The behaviour table of `scenarios teach` and `scenarios balance`: one row per behaviour,
    under TABLE_COLUMNS."""
    rows = []
    for b, row in result["behaviours"].items():
        lo, hi = row["ci95"]
        rows.append([b, table_number(row["cost"], sign=True),
                     f"{table_number(lo, sign=True)} … {table_number(hi, sign=True)}", table_number(row["d"], 2),
                     row["component"] or "", "yes" if row["teaches"] else "NO"])
    return rows
