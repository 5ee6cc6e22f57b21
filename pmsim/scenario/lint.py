"""Semantic lint for scenario authors, beyond what the loader refuses.

The loader reports what makes a file unplayable (errors). The lint adds what makes a scenario
teach badly: work that can never fit, stakeholders who never speak, key results that even a
perfect player cannot move or that every bot reaches. The key-result check plays a few quick
bot games on a scaled-down market (absolute targets scaled with it).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from pmsim.scenario.loader import PositionMap, Problem, check_scenario, dotted, parse_yaml
from pmsim.scenario.models import Kano, Scenario

LINT_POPULATION = 8000
SCALED_METRICS = ("customers", "revenue")


def _problem(path: str, pos: PositionMap, loc: tuple, message: str, severity: str = "warning") -> Problem:
    line, col = pos.locate(loc)
    return Problem(path, line, col, message, severity, dotted(loc))  # type: ignore[arg-type]


def static_problems(sc: Scenario, path: str, pos: PositionMap) -> list[Problem]:
    out: list[Problem] = []
    caps = [sc.team.capacity_by_round.get(r, sc.team.capacity) for r in range(1, sc.rounds + 1)]
    best = max(caps) * (1 - sc.team.tech_debt)
    for i, f in enumerate(sc.features):
        must = [seg.id for seg in sc.market.segments
                if (f.kano.get(seg.id) or seg.kano.get(f.theme)) == Kano.must_be]
        if f.effort > best:
            if must:
                out.append(_problem(path, pos, ("features", i, "effort"),
                                    f"must-be feature {f.id!r} (for {', '.join(must)}) takes {f.effort:g} wk but a "
                                    f"round has at most {best:.1f} wk: it can never be planned", "error"))
            else:
                out.append(_problem(path, pos, ("features", i, "effort"),
                                    f"{f.id!r} takes {f.effort:g} wk, more than any round's capacity ({best:.1f} wk):"
                                    " it can only be planned on a lucky estimate"))
    must_total = sum(f.effort for f in sc.features
                     if any((f.kano.get(s.id) or s.kano.get(f.theme)) == Kano.must_be for s in sc.market.segments))
    if must_total > sum(caps) * (1 - sc.team.tech_debt):
        out.append(_problem(path, pos, ("team", "capacity"),
                            f"must-be work totals {must_total:g} wk but the whole game has "
                            f"{sum(caps) * (1 - sc.team.tech_debt):.0f} wk of capacity", "error"))
    event_asks = {e.stakeholder for e in sc.events if e.request is not None}
    themes_with_features = {f.theme for f in sc.features}
    for i, s in enumerate(sc.stakeholders):
        generated = sc.generated.requests_per_round > 0 and any(t in themes_with_features for t in s.agenda)
        if not s.requests and s.id not in event_asks and not generated:
            out.append(_problem(path, pos, ("stakeholders", i, "id"),
                                f"stakeholder {s.id!r} never asks for anything (no requests, and no agenda theme "
                                "with features for generated requests)"))
    for i, e in enumerate(sc.events):
        if e.kind == "outage" and not (e.satisfaction_shock or e.capacity_delta):
            out.append(_problem(path, pos, ("events", i, "kind"), "an outage with no satisfaction_shock or "
                                "capacity_delta changes nothing"))
    if len(sc.okrs) == 0:
        out.append(_problem(path, pos, ("okrs",), "no OKRs: the okr score component will always be 1"))
    return out


def scaled(sc: Scenario, population: int = LINT_POPULATION) -> tuple[Scenario, float]:
    """The scenario on a smaller market, and the factor that scales absolute metrics."""
    smallest = min(s.share for s in sc.market.segments) / sum(s.share for s in sc.market.segments)
    population = max(population, int(100 / smallest) + 1)  # every segment keeps some customers
    if sc.market.population <= population:
        return sc, 1.0
    factor = population / sc.market.population
    return sc.model_copy(update={"market": sc.market.model_copy(update={"population": population})}), factor


def okr_problems(sc: Scenario, path: str, pos: PositionMap, seeds: Sequence[int] = (0, 1)) -> list[Problem]:
    """Play oracle, random and hippo; flag key results the oracle can't move or everyone reaches."""
    from pmsim.engine import new_game
    from pmsim.engine.bots import play_game
    from pmsim.engine.scoring import metric_value

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


def lint_file(path: str | os.PathLike[str], *, okr_check: bool = True) -> tuple[Scenario | None, list[Problem]]:
    """Loader errors, else loader warnings plus lint findings, sorted by position."""
    sc, problems = check_scenario(path)
    if sc is None:
        return None, problems
    name = os.fspath(path)
    with open(name, encoding="utf-8-sig") as fh:
        _, pos = parse_yaml(fh.read(), str(name))
    problems = list(problems) + static_problems(sc, str(name), pos)
    if okr_check and not any(p.severity == "error" for p in problems):
        problems += okr_problems(sc, str(name), pos)
    problems.sort(key=lambda p: (p.line, p.col, p.message))
    return (None if any(p.severity == "error" for p in problems) else sc), problems
