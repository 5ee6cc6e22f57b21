"""Cross-reference checks on a scenario that passed pydantic validation (`semantic_problems`):
references must exist, ids must be unique, rounds must lie within the scenario, feature
dependencies must not form cycles, segment shares must add up to 1."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from .errors import Loc, Problem, Severity, _show, dotted
from .models import Scenario
from .yaml_safe import PositionMap

SHARE_TOLERANCE = 0.01


# --------------------------------------------------------------------------------------------
# Cross-reference checks
# --------------------------------------------------------------------------------------------


def _known(kind: str, ids: Sequence[str], value: str) -> str:
    import difflib

    message = f"unknown {kind} {_show(value)}"
    close = difflib.get_close_matches(str(value), list(ids), n=1, cutoff=0.6)
    if close:
        message += f", did you mean '{close[0]}'?"
    if not ids:
        return message + f" (there are no {kind}s)"
    ids = list(dict.fromkeys(ids))
    shown = ", ".join(ids[:12]) + (", ..." if len(ids) > 12 else "")
    return message + f" (known {kind}s: {shown})"


class _Checker:
    def __init__(self, sc: Scenario):
        self.sc = sc
        self.found: list[tuple[Loc, str, bool, Severity]] = []
        self.themes = [t.id for t in sc.market.themes]
        self.segments = [s.id for s in sc.market.segments]
        self.competitors = [c.id for c in sc.market.competitors]
        self.features = [f.id for f in sc.features]
        self.stakeholders = [s.id for s in sc.stakeholders]

    def add(self, loc: Loc, message: str, *, at_key: bool = False, severity: Severity = "error") -> None:
        self.found.append((loc, message, at_key, severity))

    def ref(self, loc: Loc, kind: str, ids: Sequence[str], value: str | None, *, at_key: bool = False) -> None:
        if value is not None and value not in ids:
            self.add(loc, _known(kind, ids, value), at_key=at_key)

    def keys(self, loc: Loc, kind: str, ids: Sequence[str], mapping: Mapping[str, Any]) -> None:
        for key in mapping:
            self.ref(loc + (key,), kind, ids, key, at_key=True)

    def round(self, loc: Loc, value: int | None, what: str = "round") -> None:
        if value is not None and value > self.sc.rounds:
            self.add(loc, f"{what} {value} is after the last round (the scenario has {self.sc.rounds} rounds)")

    def unique(self, kind: str, items: Iterable[tuple[Loc, str | None]]) -> None:
        first: dict[str, Loc] = {}
        for loc, value in items:
            if value is None:
                continue
            if value in first:
                self.add(loc, f"duplicate {kind} id {_show(value)} (already used by {dotted(first[value][:-1])})")
            else:
                first[value] = loc

    def request(self, loc: Loc, req: Any) -> None:
        self.ref(loc + ("feature",), "feature", self.features, req.feature)
        self.round(loc + ("round",), req.round)
        self.round(loc + ("deadline",), req.deadline, "deadline")
        if req.deadline is not None and req.deadline < req.round:
            self.add(loc + ("deadline",), f"deadline {req.deadline} is before the request's round {req.round}")

    def run(self) -> None:
        sc, m = self.sc, self.sc.market
        self.unique("theme", ((("market", "themes", i, "id"), t.id) for i, t in enumerate(m.themes)))
        self.unique("segment", ((("market", "segments", i, "id"), s.id) for i, s in enumerate(m.segments)))
        self.unique("competitor", ((("market", "competitors", i, "id"), c.id) for i, c in enumerate(m.competitors)))
        self.unique("feature", ((("features", i, "id"), f.id) for i, f in enumerate(sc.features)))
        self.unique("stakeholder", ((("stakeholders", i, "id"), s.id) for i, s in enumerate(sc.stakeholders)))
        self.unique("objective", ((("okrs", i, "id"), o.id) for i, o in enumerate(sc.okrs)))
        self.unique("key result", (
            (("okrs", i, "key_results", j, "id"), kr.id)
            for i, o in enumerate(sc.okrs) for j, kr in enumerate(o.key_results)
        ))
        requests: list[tuple[Loc, Any]] = [
            (("stakeholders", i, "requests", j), r)
            for i, s in enumerate(sc.stakeholders) for j, r in enumerate(s.requests)
        ]
        requests += [(("events", i, "request"), e.request) for i, e in enumerate(sc.events) if e.request]
        self.unique("request", ((loc + ("id",), r.id) for loc, r in requests))

        for i, seg in enumerate(m.segments):
            loc = ("market", "segments", i)
            self.keys(loc + ("needs",), "theme", self.themes, seg.needs)
            self.keys(loc + ("kano",), "theme", self.themes, seg.kano)
            self.keys(loc + ("initial_competitors",), "competitor", self.competitors, seg.initial_competitors)
            self.keys(loc + ("persona", "quotes"), "theme", self.themes, seg.persona.quotes)
        for i, seg in enumerate(m.segments):
            if seg.share * m.population < 50:
                self.add(("market", "segments", i, "share"),
                         f"segment {_show(seg.id)} gets only {seg.share * m.population:.0f} of {m.population} customers "
                         "(share x population); give it at least 50")
        total = sum(s.share for s in m.segments)
        if abs(total - 1.0) > SHARE_TOLERANCE:
            parts = ", ".join(f"{s.id} {s.share:g}" for s in m.segments)
            self.add(("market", "segments"), f"segment shares must add up to 1 (they add up to {total:g}: {parts})",
                     at_key=True)
        for i, comp in enumerate(m.competitors):
            loc = ("market", "competitors", i)
            self.keys(loc + ("strengths",), "theme", self.themes, comp.strengths)
            for j, move in enumerate(comp.moves):
                self.ref(loc + ("moves", j, "theme"), "theme", self.themes, move.theme)
                self.round(loc + ("moves", j, "round"), move.round)
                self.ref(loc + ("moves", j, "feature"), "feature", self.features, move.feature)
                if move.feature in self.features and move.theme in self.themes:
                    f = sc.features[self.features.index(move.feature)]
                    if f.theme != move.theme:
                        self.add(loc + ("moves", j, "feature"),
                                 f"feature {_show(move.feature)} is in theme {_show(f.theme)}, not in the move's "
                                 f"theme {_show(move.theme)}: name a feature that answers this launch")
        self.keys(("market", "product"), "theme", self.themes, m.product)

        for field in ("capacity_by_round", "research_budget_by_round"):
            for key in getattr(sc.team, field):
                if not 1 <= key <= sc.rounds:
                    self.add(("team", field, key),
                             f"round {key} is outside the scenario's rounds 1..{sc.rounds}", at_key=True)

        for i, f in enumerate(sc.features):
            loc = ("features", i)
            self.ref(loc + ("theme",), "theme", self.themes, f.theme)
            self.keys(loc + ("kano",), "segment", self.segments, f.kano)
            self.round(loc + ("available_from",), f.available_from)
            for j, dep in enumerate(f.depends_on):
                if dep == f.id:
                    self.add(loc + ("depends_on", j), f"feature {_show(f.id)} depends on itself")
                else:
                    self.ref(loc + ("depends_on", j), "feature", self.features, dep)
        self.cycles()

        for i, s in enumerate(sc.stakeholders):
            for j, theme in enumerate(s.agenda):
                self.ref(("stakeholders", i, "agenda", j), "theme", self.themes, theme)
        for loc, req in requests:
            self.request(loc, req)

        for i, o in enumerate(sc.okrs):
            self.ref(("okrs", i, "owner"), "stakeholder", self.stakeholders, o.owner)
            for j, kr in enumerate(o.key_results):
                self.ref(("okrs", i, "key_results", j, "segment"), "segment", self.segments, kr.segment)

        for i, e in enumerate(sc.events):
            loc = ("events", i)
            self.round(loc + ("round",), e.round)
            self.ref(loc + ("competitor",), "competitor", self.competitors, e.competitor)
            self.ref(loc + ("theme",), "theme", self.themes, e.theme)
            self.ref(loc + ("segment",), "segment", self.segments, e.segment)
            self.ref(loc + ("stakeholder",), "stakeholder", self.stakeholders, e.stakeholder)
            if e.request is not None and e.request.round != e.round:
                self.add(loc + ("request", "round"),
                         f"the request arrives with its event: its round must be {e.round} (the event's round)")

    def cycles(self) -> None:
        index: dict[str, int] = {}
        for i, f in enumerate(self.sc.features):
            index.setdefault(f.id, i)
        edges = {
            fid: [d for d in dict.fromkeys(self.sc.features[i].depends_on) if d in index and d != fid]
            for fid, i in index.items()
        }
        state: dict[str, int] = {}  # 1 = on the stack, 2 = done
        reported: set[tuple[str, ...]] = set()
        for start in index:
            if start in state:
                continue
            stack: list[tuple[str, Iterator[str]]] = [(start, iter(edges[start]))]
            state[start] = 1
            while stack:
                node, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    state[node] = 2
                    stack.pop()
                elif state.get(nxt) == 1:
                    names = [n for n, _ in stack]
                    cycle = names[names.index(nxt):]
                    first = min(range(len(cycle)), key=lambda k: index[cycle[k]])
                    cycle = cycle[first:] + cycle[:first]
                    if tuple(cycle) not in reported:
                        reported.add(tuple(cycle))
                        head = self.sc.features[index[cycle[0]]]
                        succ = cycle[1] if len(cycle) > 1 else cycle[0]
                        j = head.depends_on.index(succ)
                        self.add(("features", index[cycle[0]], "depends_on", j),
                                 "dependency cycle: " + " -> ".join(cycle + [cycle[0]]))
                elif nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(edges[nxt])))


def semantic_problems(
    scenario: Scenario, path: str = "<scenario>", positions: PositionMap | None = None
) -> list[Problem]:
    """Cross-reference checks on a scenario that passed pydantic validation: references to
    themes, segments, competitors, features and stakeholders must exist, ids must be unique,
    rounds must lie within the scenario, feature dependencies must not form cycles, segment
    shares must add up to 1. Problems name their field; with `positions` they name its line."""
    checker = _Checker(scenario)
    checker.run()
    positions = positions if positions is not None else PositionMap()
    problems = []
    for loc, message, at_key, severity in checker.found:
        line, col = positions.locate(loc, at_key=at_key)
        problems.append(Problem(str(path), line, col, message, severity, dotted(loc)))
    return problems

