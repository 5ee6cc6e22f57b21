"""The key-result check of `pmsim scenarios validate --play`: a few quick bot games.

Plays oracle, random and hippo on a scaled-down market (absolute targets scaled with it) and flags
key results the oracle can't move or that every bot reaches. The scenario lint (below the
engine) takes it as its `okr_check`.
"""

from __future__ import annotations

from collections.abc import Sequence

from pmsim.engine import new_game
from pmsim.engine.bots import play_game
from pmsim.engine.scoring import metric_value
from pmsim.scenario.lint import SCALED_METRICS, _problem, scaled
from pmsim.scenario.loader import PositionMap, Problem
from pmsim.scenario.models import Scenario


def okr_problems(sc: Scenario, path: str, pos: PositionMap, seeds: Sequence[int] = (0, 1)) -> list[Problem]:
    """Play oracle, random and hippo; flag key results the oracle can't move or everyone reaches."""
    if not sc.okrs:
        return []
    small, factor = scaled(sc)
    grades: dict[str, dict[tuple[int, int], list[float]]] = {}
    for strategy in ("oracle", "random", "hippo"):
        for seed in seeds:
            g = play_game(new_game(small, seed), strategy)
            base, cur = g.state.metrics[0], g.state.metrics[-1]
            for i, obj in enumerate(sc.okrs):
                for j, kr in enumerate(obj.key_results):
                    k = factor if kr.metric in SCALED_METRICS else 1.0
                    b = metric_value(base, kr.metric, kr.segment)
                    v = metric_value(cur, kr.metric, kr.segment)
                    target = kr.target * k
                    span = (target - b) if kr.direction == "increase" else (b - target)
                    prog = (v - b) if kr.direction == "increase" else (b - v)
                    grade = 1.0 if span <= 0 else max(0.0, min(prog / span, 1.0))
                    grades.setdefault(strategy, {}).setdefault((i, j), []).append(grade)
    out = []
    for i, obj in enumerate(sc.okrs):
        for j, kr in enumerate(obj.key_results):
            o = sum(grades["oracle"][(i, j)]) / len(seeds)
            everyone = all(min(grades[s][(i, j)]) >= 0.999 for s in grades)
            loc = ("okrs", i, "key_results", j, "target")
            if o < 0.1:
                out.append(_problem(path, pos, loc, f"key result {kr.id!r}: even the oracle bot reaches only "
                                    f"{o:.2f} of it: the target looks out of reach"))
            elif everyone:
                out.append(_problem(path, pos, loc, f"key result {kr.id!r}: every bot reaches it, even random "
                                    "play: it does not tell good practice from bad"))
    return out
