"""Semantic lint for scenario authors, beyond what the loader refuses.

The loader reports what makes a file unplayable (errors). The lint adds what makes a scenario
teach badly: work that can never fit, stakeholders who never speak, key results that even a
perfect player cannot move or that every bot reaches. The key-result check plays a few quick
bot games on a scaled-down market (absolute targets scaled with it): it lives in the engine
(pmsim.engine.okr_check) and the commands pass it in as `okr_check`.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterator

from pmsim.scenario.loader import (
    PositionMap,
    Problem,
    check_scenario_text_positions,
    dotted,
    read_scenario_text,
)
from pmsim.scenario.models import CAPACITY_SLACK, Kano, Scenario

LINT_POPULATION = 8000
SCALED_METRICS = ("customers", "revenue")
PRODUCT_WIDE = ("accessibility", "usability", "tech_debt", "shipped")  # no per-segment value (Game.metrics_from)
FIT_EPS = CAPACITY_SLACK  # the slack the engine plans with (Game.check, Game.fit_now)


def _wk(capacity: float) -> str:
    """Capacity in engineer-weeks as the lint writes it: rounded down to 0.01 (an "at most" never
    reads as more than it is, so "takes 6 wk but ... at most 5.99 wk" and never "... at most 6 wk")."""
    return f"{math.floor(capacity * 100 + 1e-6) / 100:g}"


def _problem(path: str, pos: PositionMap, loc: tuple, message: str, severity: str = "warning") -> Problem:
    line, col = pos.locate(loc)
    return Problem(path, line, col, message, severity, dotted(loc))  # type: ignore[arg-type]


def static_problems(sc: Scenario, path: str, pos: PositionMap) -> list[Problem]:
    out: list[Problem] = []
    best = max(round_capacities(sc))
    for i, f in enumerate(sc.features):
        must = [seg.id for seg in sc.market.segments
                if (f.kano.get(seg.id) or seg.kano.get(f.theme)) == Kano.must_be]
        if best + FIT_EPS < f.effort <= game_capacity(sc, f.available_from) + FIT_EPS:  # larger than the game: _unbuildable
            if must:
                out.append(_problem(path, pos, ("features", i, "effort"),
                                    f"must-be feature {f.id!r} (for {', '.join(must)}) takes {f.effort:g} wk but a "
                                    f"round has at most {_wk(best)} wk: it can never be planned", "error"))
            else:
                out.append(_problem(path, pos, ("features", i, "effort"),
                                    f"{f.id!r} takes {f.effort:g} wk, more than any round's capacity ({_wk(best)} wk):"
                                    " it can only be planned on a lucky estimate"))
    must_total = sum(f.effort for f in sc.features
                     if any((f.kano.get(s.id) or s.kano.get(f.theme)) == Kano.must_be for s in sc.market.segments))
    whole = game_capacity(sc)  # the same bound as every other "the whole game has" of the lint
    if must_total > whole + FIT_EPS:
        out.append(_problem(path, pos, ("team", "capacity"),
                            f"must-be work totals {must_total:g} wk but the whole game has at most "
                            f"{_wk(whole)} wk of capacity", "error"))
    event_asks = {e.stakeholder for e in sc.events if e.request is not None}
    themes_with_features = {f.theme for f in sc.features}
    for i, s in enumerate(sc.stakeholders):
        generated = sc.generated.requests_per_round > 0 and any(t in themes_with_features for t in s.agenda)
        if not s.requests and s.id not in event_asks and not generated:
            out.append(_problem(path, pos, ("stakeholders", i, "id"),
                                f"stakeholder {s.id!r} never asks for anything (no requests, and no agenda theme "
                                "with features for generated requests)"))
    for i, e in enumerate(sc.events):
        if e.request is not None and not sc.stakeholders:
            out.append(_problem(path, pos, ("events", i, "request"), "the scenario has no stakeholders, so nobody "
                                "makes this request: it never arrives; add a stakeholder or drop the request"))
        if e.kind == "outage" and not (e.satisfaction_shock or e.capacity_delta):
            out.append(_problem(path, pos, ("events", i, "kind"), "an outage with no satisfaction_shock or "
                                "capacity_delta changes nothing"))
    if len(sc.okrs) == 0:
        out.append(_problem(path, pos, ("okrs",), "no OKRs: the okr score component will always be 1"))
    for i, o in enumerate(sc.okrs):
        for j, kr in enumerate(o.key_results):
            if kr.segment is not None and kr.metric in PRODUCT_WIDE:
                out.append(_problem(path, pos, ("okrs", i, "key_results", j, "segment"),
                                    f"key result {kr.id!r}: {kr.metric} is measured for the whole product, so its "
                                    f"segment {kr.segment!r} is ignored; drop the segment, or grade a metric "
                                    "measured per segment"))
    out += _unbuildable(sc, path, pos)
    out += _request_ids(sc, path, pos)
    for i, seg in enumerate(sc.market.segments):
        if not any(v > 0 for v in seg.needs.values()):
            out.append(_problem(path, pos, ("market", "segments", i, "needs"),
                                f"segment {seg.id!r} needs nothing (every need is 0): no feature, competitor "
                                "or event can change what it thinks; give at least one theme a need above 0"))
    for loc, text, allowed in _player_texts(sc):
        for name in dict.fromkeys(PLACEHOLDER.findall(text)):
            if name in allowed:
                continue
            fills = f"only {{{allowed[0]}}} is filled in here" if allowed else "nothing is filled in here"
            out.append(_problem(path, pos, loc,
                                f"{{{name}}} is not a placeholder pmsim fills ({fills}): players would see "
                                f"'{{{name}}}' as written; write the words themselves"))
    return out


# A `{word}` in a text players read. pmsim fills only {theme} in pains and delights; anything else in
# braces would be shown literally. A warning, not an error: the game plays correctly and the same,
# only a sentence reads oddly, and an instructor should not lose a class over a typo in flavour text
# (`validate --strict` still fails on it).
PLACEHOLDER = re.compile(r"\{([^{}\s]{1,40})\}")


def _player_texts(sc: Scenario) -> Iterator[tuple[tuple, str, tuple[str, ...]]]:
    """(field path, text, placeholders filled in it) for every scenario text shown to players."""
    yield ("meta", "summary"), sc.meta.summary, ()
    for i, lesson in enumerate(sc.meta.lessons):
        yield ("meta", "lessons", i), lesson, ()
    for i, o in enumerate(sc.okrs):
        yield ("okrs", i, "objective"), o.objective, ()
        for j, kr in enumerate(o.key_results):
            yield ("okrs", i, "key_results", j, "description"), kr.description, ()
    for i, t in enumerate(sc.market.themes):
        for kind in ("pains", "delights"):
            for j, phrase in enumerate(getattr(t, kind)):
                yield ("market", "themes", i, kind, j), phrase, ("theme",)
    for i, seg in enumerate(sc.market.segments):
        for theme, said in seg.persona.quotes.items():
            for kind in ("pains", "delights"):
                for j, phrase in enumerate(getattr(said, kind)):
                    yield ("market", "segments", i, "persona", "quotes", theme, kind, j), phrase, ("theme",)
    for i, c in enumerate(sc.market.competitors):
        for j, m in enumerate(c.moves):
            yield ("market", "competitors", i, "moves", j, "note"), m.note, ()
    for i, f in enumerate(sc.features):
        yield ("features", i, "description"), f.description, ()
    for i, s in enumerate(sc.stakeholders):
        yield ("stakeholders", i, "bias"), s.bias, ()
        for j, r in enumerate(s.requests):
            yield ("stakeholders", i, "requests", j, "text"), r.text, ()
    for i, e in enumerate(sc.events):
        yield ("events", i, "text"), e.text, ()
        if e.request is not None:
            yield ("events", i, "request", "text"), e.request.text, ()


GENERATED_ID = re.compile(r"^g\d+_\d+$")


def _request_ids(sc: Scenario, path: str, pos: PositionMap) -> list[Problem]:
    """Requests that would share an id in a game. The loader refuses two equal ids written out; a
    request without an id gets one in play (`<stakeholder>_<n>`, `e<n>` for an event's), and generated
    requests are named `g<round>_<n>`. Two requests with one id cannot both be answered: the player's
    answer reaches the first, the other stays open and counts as ignored. An error of the lint, not the
    loader, so that a save already played on such a file still loads and replays."""
    out: list[Problem] = []
    seen: dict[str, tuple] = {}
    reqs = [(("stakeholders", i, "requests", j), r, f"{s.id}_{j + 1}")
            for i, s in enumerate(sc.stakeholders) for j, r in enumerate(s.requests)]
    reqs += [(("events", i, "request"), e.request, f"e{i}") for i, e in enumerate(sc.events) if e.request is not None]
    for loc, req, default in reqs:
        rid = req.id or default
        at = loc + ("id",) if req.id else loc
        if rid in seen and req.id is not None and seen[rid][1]:
            continue  # two ids written out: the loader's error already
        if rid in seen:
            out.append(_problem(path, pos, at, f"request id {rid!r}{'' if req.id else ' (its default id)'} is also "
                                f"the id of {dotted(seen[rid][0])}: the two cannot both be answered; give one "
                                "another id", "error"))
        else:
            seen[rid] = (loc, req.id is not None)
        if GENERATED_ID.match(rid) and sc.generated.requests_per_round > 0:
            out.append(_problem(path, pos, at, f"request id {rid!r}{'' if req.id else ' (its default id)'} has the "
                                "form g<round>_<n> that generated requests take: it could clash with one; give it "
                                "another id", "error"))
    return out


def round_capacities(sc: Scenario, from_round: int = 1) -> list[float]:
    """An upper bound on each round's capacity from `from_round` to the end: the round's capacity plus
    every event that adds some (whatever its kind: the effects come from the fields), after the
    starting tech debt (none if a feature can pay debt down: shipping it raises capacity from the
    next round). Velocity luck can beat it by a little; planning cannot."""
    debt = sc.team.tech_debt if all(f.tech_debt >= 0 for f in sc.features) else 0.0
    caps = []
    for r in range(from_round, sc.rounds + 1):
        cap = sc.team.capacity_by_round.get(r, sc.team.capacity)
        cap += sum(e.capacity_delta for e in sc.events if e.round == r and e.capacity_delta > 0)
        caps.append(cap * (1 - debt))
    return caps


def game_capacity(sc: Scenario, from_round: int = 1) -> float:
    """An upper bound on the engineer-weeks a team can deliver from `from_round` to the end (the sum
    of `round_capacities`)."""
    return sum(round_capacities(sc, from_round))


def _must_be_for(sc: Scenario, f) -> list[str]:
    return [seg.id for seg in sc.market.segments if (f.kano.get(seg.id) or seg.kano.get(f.theme)) == Kano.must_be]


def _unbuildable(sc: Scenario, path: str, pos: PositionMap) -> list[Problem]:
    """Features that do not fit the game, all errors but the last kind (capacity is nominal: the
    team's velocity luck could beat it by a little, which no plan can count on):

    * a feature larger than the capacity left once it is available (players would still be asked
      for it, and could plan it on a lucky estimate, but never finish it);
    * a must-be feature that depends, through `depends_on` and transitively, on such a feature
      (its must-be penalty could never be lifted);
    * a feature that fits alone but not with the dependencies it needs (an error if must-be).
    """
    out: list[Problem] = []
    index = {f.id: i for i, f in enumerate(sc.features)}
    whole = game_capacity(sc)

    def reach(fid: str) -> dict[str, list[str]]:
        """Every feature `fid` needs, transitively, with the chain that leads to it."""
        chains: dict[str, list[str]] = {}
        stack = [[fid]]
        while stack:
            chain = stack.pop()
            for dep in sc.features[index[chain[-1]]].depends_on:
                if dep in index and dep not in chains and dep != fid:
                    chains[dep] = chain + [dep]
                    stack.append(chain + [dep])
        return chains

    too_big: set[str] = set()
    for i, f in enumerate(sc.features):
        have = game_capacity(sc, f.available_from)
        if f.effort > have + FIT_EPS:
            too_big.add(f.id)
            rounds = f"rounds {f.available_from}-{sc.rounds}" if f.available_from > 1 else "the whole game"
            out.append(_problem(path, pos, ("features", i, "effort"),
                                f"feature {f.id!r} takes {f.effort:g} wk but {rounds} has at most {_wk(have)} wk "
                                "of capacity: it does not fit the game (only velocity luck could ship it, yet players would be asked "
                                "for it); lower its "
                                "effort, split it, or raise capacity", "error"))
    for i, f in enumerate(sc.features):
        if f.id in too_big:
            continue
        must = _must_be_for(sc, f)
        chains = reach(f.id)
        blocked = [c for d, c in chains.items() if d in too_big]
        if blocked:
            if must:
                chain = min(blocked, key=len)
                through = f" (through {' -> '.join(chain[1:-1])})" if len(chain) > 2 else ""
                out.append(_problem(path, pos, ("features", i, "depends_on"),
                                    f"must-be feature {f.id!r} (for {', '.join(must)}) depends on {chain[-1]!r}"
                                    f"{through}, which does not fit the game: so {f.id!r} cannot ship either and its "
                                    "must-be penalty stays all game; make the dependency buildable or drop it",
                                    "error"))
            continue
        need = f.effort + sum(sc.features[index[d]].effort for d in chains)
        if chains and need > whole + FIT_EPS:
            kind = f"must-be feature {f.id!r} (for {', '.join(must)})" if must else f"feature {f.id!r}"
            out.append(_problem(path, pos, ("features", i, "depends_on"),
                                f"{kind} needs {need:g} wk with its dependencies ({', '.join(chains)}) but the "
                                f"whole game has at most {_wk(whole)} wk of capacity: it does not fit the game",
                                "error" if must else "warning"))
    return out


def scaled(sc: Scenario, population: int = LINT_POPULATION) -> tuple[Scenario, float]:
    """The scenario on a smaller market, and the factor that scales absolute metrics."""
    smallest = min(s.share for s in sc.market.segments) / sum(s.share for s in sc.market.segments)
    population = max(population, int(100 / smallest) + 1)  # every segment keeps some customers
    if sc.market.population <= population:
        return sc, 1.0
    factor = population / sc.market.population
    return sc.model_copy(update={"market": sc.market.model_copy(update={"population": population})}), factor


# A check that plays the scenario (pmsim.engine.okr_check.okr_problems): the layer above the
# engine passes it in, so the scenario layer never runs the engine itself.
OkrCheck = Callable[[Scenario, str, PositionMap], list[Problem]]


def lint_text(text: str, path: str, *, okr_check: OkrCheck | None = None
              ) -> tuple[Scenario | None, Scenario | None, list[Problem]]:
    """(scenario if no error, scenario as loaded even with lint errors, every problem sorted).
    `okr_check` (when given and nothing is an error) adds the problems of a check that plays."""
    sc, problems, pos = check_scenario_text_positions(text, path)
    if sc is None:
        return None, None, problems
    problems = list(problems) + static_problems(sc, path, pos)
    if okr_check and not any(p.severity == "error" for p in problems):
        problems += okr_check(sc, path, pos)
    problems.sort(key=lambda p: (p.line, p.col, p.message))
    return (None if any(p.severity == "error" for p in problems) else sc), sc, problems


def lint_file(path: str | os.PathLike[str], *, okr_check: OkrCheck | None = None
              ) -> tuple[Scenario | None, list[Problem]]:
    """Loader errors, else loader warnings plus lint findings, sorted by position."""
    text, problems = read_scenario_text(path)
    if text is None:
        return None, problems
    sc, _, problems = lint_text(text, str(os.fspath(path)), okr_check=okr_check)
    return sc, problems
