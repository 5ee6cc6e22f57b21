"""A shared market: one scenario, one seed, N companies competing for the same customers.

Each company is a `CompanyGame`: a `Game` with its own roadmap, research, stakeholders, budget,
OKRs and score, played through the same actions as a solo game. Its `EndRound` commits the
quarter; when every company has committed, the market resolves them all together
(`SharedGame._resolve`): every company delivers, then one `market.step_companies` in which
customers choose among every company's product, the scripted competitors and nothing by the
same logit, then each company's quarter closes (metrics, stakeholders, score) and the next one
begins. A solo game is the one-company case of the same market step (`market.step`).

The customers are one population. The market keeps who is whose (`owner`); each company sees its
own users as "ours" and everyone else's as prospects (its view of the status, rebuilt after each
market step), and shares every fixed attribute, satisfaction and tenure with the others. The
events of the scenario happen once to the market: a segment shift moves the customers' needs
once (company 0 moves them, the others take the new needs).

The joint state, and so `state_hash`, is a pure function of (scenario, seed, company names,
every company's actions in round order); `replay` rebuilds it. A company may look at its
rivals only through `rivals(c)` and `rival_shares(c)`: what they launched, their price and an
estimate of their share (now and each past quarter), never their plans. Its values on the truth
(engine/worth.py: the best roadmap in hindsight, the benefit its ledger counts) take the rivals'
products as given, as the market compared them each quarter (`CompanyGame.rival_scores`): a
rival's launch raises its theme scores there, like a scripted competitor's move.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pmsim.engine import market, setup
from pmsim.engine.actions import Action, EndRound, Research
from pmsim.engine.game import Game
from pmsim.engine.population import NONE, OURS, TRIAL, Population
from pmsim.engine.rng import stream
from pmsim.engine.state import (
    ENGINE_VERSION,
    HISTORY,
    STATIC_POP,
    GameState,
    IllegalAction,
    _digest,
)
from pmsim.engine.statecopy import copy_state
from pmsim.scenario.models import Scenario

__all__ = ["MAX_COMPANIES", "CompanyGame", "SharedGame", "replay_shared"]

MAX_COMPANIES = 60  # owners are int8; a class of 60 teams is already more than a market can hold
SHARE_STEP = 0.01  # rivals' shares are estimated to the nearest percent


class CompanyGame(Game):
    """One company of a shared market. Its EndRound commits the quarter (and returns None)
    until the last company commits: that one resolves the market and gets its round report."""

    market: SharedGame
    index: int
    name: str

    def check(self, action: Action) -> None:
        if not self.state.finished and self.market.committed[self.index] is not None:
            raise IllegalAction("committed", f"{self.name} has ended the quarter: waiting for "
                                f"{self.market.waiting_for()} more compan{'y' if self.market.waiting_for() == 1 else 'ies'}")
        super().check(action)

    def _end_round(self, action: EndRound) -> dict[str, Any] | None:  # type: ignore[override]
        return self.market._commit(self.index, action)

    def apply(self, action: Action) -> dict[str, Any] | None:
        """As Game.apply; a competitive analysis also studies the rival companies: what the market
        sees of each (its launches, list prices, share to the nearest percent), never its plans."""
        out = super().apply(action)
        studied = isinstance(action, Research) and action.method == "competitive_analysis" and out is not None
        rivals = self.market.rivals(self.index) if studied else []
        if rivals:  # (a market of one company is the solo game: nothing to add)
            out["rival_companies"] = rivals  # the stored result: part of the history and the hash
            seen = "; ".join(f"{r['company']} {round(100 * r['share_estimate'])}% share, "
                             f"{len(r['launched'])} launch{'' if len(r['launched']) == 1 else 'es'}"
                             for r in rivals)
            out["summary"] = f"{out['summary']}; rival companies: {seen}"
        return out

    def _shift_needs(self, si: int, ti: int, delta: float) -> None:
        """A segment shift moves the market's customers once: company 0 moves them, the others
        (which begin their rounds after it) take the new needs."""
        if self.index == 0:
            super()._shift_needs(si, ti, delta)
            return
        self._c["need_means"] = self.market.companies[0]._c["need_means"]
        self._hash_cache.pop("static_pop", None)

    def rival_scores(self, u: int) -> np.ndarray | None:
        """(R, S, T) the rival companies' theme scores in quarter u, as the market compared them
        when quarter u resolved (for a quarter not resolved yet, the latest: their moves to come
        are not made; before any, the product they all started with). None without rivals: the
        truth's values (engine/worth.py) then see only the scripted competitors, as solo."""
        m = self.market
        if len(m.companies) == 1:
            return None
        others = [j for j in range(len(m.companies)) if j != self.index]
        if m.products and u >= 1:
            row = m.products[min(u, len(m.products)) - 1]
            return np.stack([row[j] for j in others])
        return np.stack([m.companies[j]._c["g0"] for j in others])

    def rivals_key(self, full: bool = False) -> Any:
        """What `rival_scores` reads, as a key: how many quarters resolved (`full`: their very
        scores, for values kept across games)."""
        if len(self.market.companies) == 1:
            return None
        if not full:
            return len(self.market.products)
        return (self.index, tuple(g.tobytes() for row in self.market.products for g in row))


def _company(scenario: Scenario, state: GameState, cache: dict[str, Any], market_: SharedGame,
             index: int, name: str) -> CompanyGame:
    g = CompanyGame(scenario, state, cache)
    g.market, g.index, g.name = market_, index, name
    return g


class SharedGame:
    """N companies in one market. `apply(c, action)` plays company c's action; the quarter
    resolves when every company has ended it (or `advance()` ends it for those that have not,
    keeping what their Now lists hold)."""

    def __init__(self, scenario: Scenario, seed: int, names: Sequence[str]) -> None:
        names = [str(n) for n in names]
        if not 1 <= len(names) <= MAX_COMPANIES:
            raise ValueError(f"a shared market has 1 to {MAX_COMPANIES} companies, not {len(names)}")
        if len(set(names)) != len(names) or any(not n.strip() for n in names):
            raise ValueError("company names must be non-empty and different")
        self.scenario = scenario
        self.seed = seed
        self.names = names
        self.committed: list[EndRound | None] = [None] * len(names)
        self.round_hashes: list[str] = []  # the joint hash after each resolved quarter
        # every resolved quarter: each company's theme scores (S, T) as the market compared them
        # (derived from the actions, so not hashed: a replay makes them again)
        self.products: list[list[np.ndarray]] = []
        self._closing: list[Any] = []
        self.companies: list[CompanyGame] = []
        first = setup.prepare(scenario, seed, lambda sc, st, c: _company(sc, st, c, self, 0, names[0]))
        self.companies.append(first)
        pop = first.state.pop
        if len(names) == 1:
            self.pop, self.owner = pop, None  # one company: its view is the market (a solo game)
        else:
            self.pop, self.owner = pop, _initial_owners(pop, len(names))
            first.state.pop = _view(pop)
            for c in range(1, len(names)):
                self.companies.append(self._clone(first, c))
        outs = setup.round_zero(self.pop, self.owner, self.companies)
        self._refresh_views()
        for g, counts in zip(self.companies, outs, strict=True):
            setup.open_first_round(g, counts)

    def _clone(self, first: CompanyGame, c: int) -> CompanyGame:
        state = copy_state(first.state, _view(self.pop))
        return _company(self.scenario, state, dict(first._c), self, c, self.names[c])

    # ------------------------------------------------------------------ views
    @property
    def round(self) -> int:
        return self.companies[0].state.round

    @property
    def finished(self) -> bool:
        return self.companies[0].state.finished

    def company(self, name: str) -> CompanyGame:
        for g in self.companies:
            if g.name == name:
                return g
        raise KeyError(name)

    def waiting_for(self) -> int:
        """How many companies have not ended this quarter yet."""
        return sum(1 for x in self.committed if x is None)

    def shares(self) -> list[float]:
        """Each company's market share after the last quarter (customers over adopters)."""
        return [float(g.state.metrics[-1]["market_share"]) for g in self.companies]

    def rivals(self, c: int) -> list[dict[str, Any]]:
        """What company c can see of each rival: the features it launched (and when), its list
        prices and its market share to the nearest percent. Never its plans, research or
        requests: only what the market sees."""
        sc = self.scenario
        prices = {seg.id: seg.price for seg in sc.market.segments}
        out = []
        for j, g in enumerate(self.companies):
            if j == c:
                continue
            st = g.state
            launched = sorted((st.features[f].shipped_round or 0, f, sc.features[g.fidx(f)].title)
                              for f in st.shipped)
            share = float(st.metrics[-1]["market_share"])
            out.append({
                "company": g.name,
                "launched": [{"feature": fid, "title": title, "round": r} for r, fid, title in launched],
                "prices": dict(prices),
                "share_estimate": round(round(share / SHARE_STEP) * SHARE_STEP, 2),
            })
        return out

    def rival_shares(self, c: int) -> list[dict[str, Any]]:
        """Each rival's market share at the end of every quarter (Q0 first), to the nearest
        percent as `rivals` estimates it now; in class order, without company c (whose own
        share its player knows from its metrics, as a sample estimate)."""
        return [{"company": g.name,
                 "shares": [round(round(float(m["market_share"]) / SHARE_STEP) * SHARE_STEP, 2)
                            for m in g.state.metrics]}
                for j, g in enumerate(self.companies) if j != c]

    def observe(self, c: int) -> dict[str, Any]:
        """What company c's player sees: its own game's view (Game.observe), plus its rivals'
        observable moves (`rivals`) and how many companies the quarter still waits for."""
        return {**self.companies[c].observe(), "rivals": self.rivals(c), "rival_shares": self.rival_shares(c),
                "waiting_for": self.waiting_for(), "committed": self.committed[c] is not None}

    def state_hash(self) -> str:
        """SHA-256 of the joint state: the customers (digested once, not once per company), who
        owns whom, and every company's state but its view of the customers (which the status
        and the owners make); the same across processes and machines. Each company's own
        `state_hash()` is a solo game's (with its view), so one company hashes as a solo game."""
        first = self.companies[0]
        arrays = self.pop.arrays()
        if "static_pop" not in first._hash_cache:  # dropped by a segment shift, as for a solo game
            first._hash_cache["static_pop"] = _digest({k: arrays[k] for k in STATIC_POP})
        return _digest({
            "engine_version": ENGINE_VERSION,
            "companies": self.names,
            "states": [_company_digest(g) for g in self.companies],
            "pop_static": first._hash_cache["static_pop"],
            "pop": {k: v for k, v in arrays.items() if k not in STATIC_POP},
            "owner": self.owner,
            "committed": [x is not None for x in self.committed],
        })

    # ------------------------------------------------------------------ play
    def apply(self, c: int, action: Action) -> dict[str, Any] | None:
        """Apply company c's action (see Game.apply); EndRound commits its quarter."""
        return self.companies[c].apply(action)

    def advance(self) -> dict[str, Any] | None:
        """End the quarter for every company that has not (each keeps what its Now holds), so
        the market resolves. Returns the round report of the last company ended."""
        if self.finished:
            raise IllegalAction("game_over", "the game is over: no more quarters")
        report = None
        for c, x in enumerate(self.committed):
            if x is None:
                report = self.companies[c].apply(EndRound(rationale="(ended by the instructor)"))
        return report

    def _commit(self, c: int, action: EndRound) -> dict[str, Any] | None:
        self.committed[c] = action
        if self.waiting_for():
            return None
        reports = self._resolve()
        return reports[c]

    def _resolve(self) -> list[dict[str, Any]]:
        """Every company's quarter, the market once for all of them, then the next round."""
        r = self.round
        closing = [g._close_round() for g in self.companies]
        mis, refs = market.company_inputs(self.pop, self.companies)
        if len(self.companies) > 1:
            self.products.append([m.g_ours.copy() for m in mis])
        outs = market.step_companies(self.pop, self.owner, mis, refs, stream(self.seed, "market", r))
        self._refresh_views()
        actions = list(self.committed)
        self.committed = [None] * len(self.companies)
        reports = [g._after_market(a, cl, counts)
                   for g, a, cl, counts in zip(self.companies, actions, closing, outs, strict=True)]
        self.round_hashes.append(self.state_hash())
        return reports

    def _refresh_views(self) -> None:
        """Each company's view of the customers: its own users as they are, everyone else's
        as prospects (NONE)."""
        if self.owner is None:
            return
        status = self.pop.status
        users = (status == OURS) | (status == TRIAL)
        for c, g in enumerate(self.companies):
            view = g.state.pop.status
            np.copyto(view, status)
            view[users & (self.owner != c)] = NONE


def _company_digest(game: Game) -> str:
    """A company's state digested as state.state_hash does, without its population."""
    st = game.state
    d = {k: getattr(st, k) for k in st.__dataclass_fields__ if k != "pop" and k not in HISTORY}
    hist = game._hash_cache.setdefault("history", {})
    for name in HISTORY:
        for i, item in enumerate(getattr(st, name)):
            if (name, i) not in hist:
                hist[(name, i)] = _digest(item)
        d[name] = [hist[(name, i)] for i in range(len(getattr(st, name)))]
    return _digest(d)


def _view(pop: Population) -> Population:
    """A company's population: the market's customers (the very arrays) with its own status."""
    return Population(segment=pop.segment, needs=pop.needs, price_sens=pop.price_sens, theta=pop.theta,
                      assistive=pop.assistive, temper=pop.temper, status=pop.status.copy(), sat=pop.sat,
                      tenure=pop.tenure, bounds=pop.bounds)


def _initial_owners(pop: Population, n: int) -> np.ndarray:
    """(N,) int8 the company each customer of the incumbent product starts with: the users of
    each segment dealt out in turn (customers are drawn alike, so every company inherits an
    equal share of the same market); -1 for everyone else."""
    owner = np.full(pop.size, -1, np.int8)
    for a, b in pop.bounds:
        users = a + np.flatnonzero((pop.status[a:b] == OURS) | (pop.status[a:b] == TRIAL))
        owner[users] = np.arange(users.size) % n
    return owner


def replay_shared(scenario: Scenario, seed: int, names: Sequence[str],
                  logs: Sequence[Sequence[Action]]) -> SharedGame:
    """The shared game that `names` played with these actions (each company's, in its order):
    quarter after quarter, each company's actions up to its EndRound."""
    if len(logs) != len(names):
        raise ValueError("one action log per company")
    game = SharedGame(scenario, seed, names)
    pos = [0] * len(names)
    while not game.finished and any(p < len(log) for p, log in zip(pos, logs, strict=True)):
        r = game.round
        for c, log in enumerate(logs):
            while pos[c] < len(log) and game.committed[c] is None and game.round == r:
                action = log[pos[c]]
                pos[c] += 1
                game.apply(c, action)
                if isinstance(action, EndRound):
                    break
        if game.round == r and not game.finished:
            raise ValueError(f"the logs stop before quarter {r} ends for every company")
    return game
