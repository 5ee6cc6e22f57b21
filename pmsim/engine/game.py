"""A game: an immutable Scenario plus a GameState, and the rules that move it.

`new_game(scenario, seed)` builds the state; `Game.apply(action)` validates an action completely
before changing anything, so an illegal action raises `IllegalAction` and leaves the state as it
was. `EndRound` resolves the quarter: delivery, market, stakeholders, scoring.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pmsim.engine import delivery, market, research, scoring, setup, stakeholders
from pmsim.engine.actions import (
    Action,
    EndRound,
    Plan,
    Renegotiate,
    Research,
    Respond,
    Unplan,
)
from pmsim.engine.rng import stream
from pmsim.engine.rules import Rules
from pmsim.engine.state import (
    ENGINE_VERSION,
    GameState,
    IllegalAction,
    state_hash,
)
from pmsim.engine.statecopy import copied, copy_state
from pmsim.engine.values import KANO_ORDER, table_stakes, true_values
from pmsim.scenario.models import CAPACITY_SLACK, Scenario

__all__ = ["Game", "new_game", "replay", "IllegalAction", "ENGINE_VERSION"]


class Game(Rules):
    """One playthrough. Not thread-safe; copy() for hypotheticals."""

    def __init__(self, scenario: Scenario, state: GameState, cache: dict[str, Any]) -> None:
        self.scenario = scenario
        self.state = state
        self._c = cache  # derived, read-only look-ups (never hashed)
        self.log: list[Action] = []  # every action applied, in order: the game's history
        self._hash_cache: dict[str, Any] = {}  # digests of what never changes (see state_hash)

    # ------------------------------------------------------------------ look-ups
    @property
    def themes(self) -> list[str]:
        return self._c["themes"]

    @property
    def feature_ids(self) -> list[str]:
        return self._c["feature_ids"]

    def fidx(self, fid: str) -> int:
        return self._c["fidx"][fid]

    def sizes(self) -> np.ndarray:
        return self._c["sizes"]

    def true_values(self) -> np.ndarray:
        """(F,) each feature's true quarterly value; kept until the customers' needs change."""
        need = self._c["need_means"]
        cached = getattr(self, "_true_values_cache", None)
        if cached is None or cached[0] is not need:
            cached = self._true_values_cache = (need, true_values(self.scenario, self.sizes(), need, self._c["kano"]))
        return cached[1].copy()

    def true_kano(self) -> np.ndarray:
        return self._c["kano"]

    def true_need_means(self) -> np.ndarray:
        return self._c["need_means"]

    def state_hash(self) -> str:
        return state_hash(self.state, self._hash_cache)

    @property
    def round(self) -> int:
        return self.state.round

    @property
    def finished(self) -> bool:
        return self.state.finished

    def copy(self) -> Game:
        g = Game(self.scenario, copy_state(self.state, self.state.pop.copy()), dict(self._c))
        g.log = list(self.log)
        g._hash_cache = {k: dict(v) if isinstance(v, dict) else v for k, v in self._hash_cache.items()}
        return g

    # ------------------------------------------------------------------ capacity
    def committed_estimate(self) -> float:
        st = self.state
        total = 0.0
        for fid in st.now:
            f = st.features[fid]
            total += f.remaining_estimate(self.scenario.features[self.fidx(fid)].effort)
        return total + st.spike_used

    def capacity_left(self) -> float:
        return self.state.capacity - self.committed_estimate()

    def fit_now(self) -> list[str]:
        """Move the last new items of Now to Next until the plan fits capacity again (after a
        re-estimate). Work in progress stays: only carried-over work may exceed capacity."""
        st = self.state
        moved = []
        for fid in reversed(list(st.now)):
            if self.committed_estimate() <= st.capacity + CAPACITY_SLACK:
                break
            if st.features[fid].status != "in_progress":
                st.now.remove(fid)
                st.features[fid].slot = "next"
                moved.append(fid)
        return moved

    # ------------------------------------------------------------------ apply
    def apply(self, action: Action) -> dict[str, Any] | None:
        """Apply a legal action. Returns a research result or a round report, else None."""
        self.check(action)
        self.log.append(action)
        st = self.state
        st.actions_this_round += 1
        if isinstance(action, Plan):
            f = st.features[action.feature]
            if action.feature in st.now:
                st.now.remove(action.feature)
            if action.slot == "now":
                pos = len(st.now) if action.position is None else min(action.position, len(st.now))
                st.now.insert(pos, action.feature)
            f.slot = action.slot
            return None
        if isinstance(action, Unplan):
            f = st.features[action.feature]
            if action.feature in st.now:
                st.now.remove(action.feature)
                # dependants later in Now lose their footing: move them to Next
                for other in list(st.now):
                    if st.features[other].status != "in_progress" and not self.deps_ok(other, st.now[: st.now.index(other)]):
                        st.now.remove(other)
                        st.features[other].slot = "next"
            f.slot = None
            return None
        if isinstance(action, Respond):
            stakeholders.respond(self, self._request(action.request), action)
            return None
        if isinstance(action, Renegotiate):
            stakeholders.renegotiate(self, self._request(action.request), action)
            return None  # the reply is on the request (observe) and in the round report
        if isinstance(action, Research):
            return research.run(self, action)
        if isinstance(action, EndRound):
            return self._end_round(action)
        raise AssertionError(action)

    # ------------------------------------------------------------------ rounds
    def _begin_round(self) -> None:
        st = self.state
        r = st.round
        sc = self.scenario
        st.actions_this_round = 0
        st.research_count = 0
        st.spike_used = 0.0
        st.news = []
        # last quarter's launches reach the news (customers felt them at once; you hear now,
        # unless a competitive analysis told you before)
        for m in st.pending_news:
            st.news.append({"kind": "competitor", "text": m["text"]})
            self._public_move(m["competitor"], m["theme"], m["delta"], m["round"], m.get("feature"))
        st.pending_news = []
        # scripted events (each with its own draw, so one event never shifts another)
        for ei, ev in enumerate(sc.events):
            if ev.round != r:
                continue
            if ev.probability < 1.0 and stream(st.seed, "events", r, ei).random() >= ev.probability:
                continue
            self._apply_event(ev, ei)
        for ki, comp in enumerate(sc.market.competitors):
            for mv in comp.moves:
                if mv.round == r:
                    ti = self.themes.index(mv.theme)
                    self._launch(ki, ti, mv.delta, mv.note or f"{comp.name} improved {mv.theme}", mv.feature)
        base = sc.team.capacity_by_round.get(r, sc.team.capacity)
        cap = (base + st.capacity_event_delta.get(r, 0.0)) * (1.0 - st.tech_debt) - st.capacity_penalty_next
        st.capacity = round(max(cap, 0.0), 6)
        st.capacity_penalty_next = 0.0
        st.budget = round(sc.team.research_budget_in(r) * st.budget_factor, 6)
        stakeholders.new_requests(self)
        research.feedback(self)

    def _apply_event(self, ev, ei: int) -> None:
        st = self.state
        sc = self.scenario
        if ev.kind == "competitor_launch" and ev.competitor and ev.theme:
            ki = [c.id for c in sc.market.competitors].index(ev.competitor)
            self._launch(ki, self.themes.index(ev.theme), ev.delta, ev.text)
        else:
            st.news.append({"kind": ev.kind, "text": ev.text})
        if ev.capacity_delta:
            st.capacity_event_delta[st.round] = st.capacity_event_delta.get(st.round, 0.0) + ev.capacity_delta
        if ev.budget_factor != 1.0:
            st.budget_factor *= ev.budget_factor
        if ev.satisfaction_shock:
            sis = range(len(sc.market.segments)) if ev.segment is None else [sc.segment_ids().index(ev.segment)]
            for si in sis:
                st.shock[si] += ev.satisfaction_shock
        if ev.growth:
            sis = range(len(sc.market.segments)) if ev.segment is None else [sc.segment_ids().index(ev.segment)]
            for si in sis:
                st.bass_factor[si] *= 1.0 + ev.growth
        if ev.kind == "segment_shift" and ev.segment and ev.theme and ev.delta:
            self._shift_needs(sc.segment_ids().index(ev.segment), self.themes.index(ev.theme), ev.delta)
        if ev.request is not None:
            stakeholders.add_scripted(self, ev.request, ev.stakeholder, f"e{ei}")

    def _launch(self, ki: int, ti: int, delta: float, text: str, feature: str | None = None) -> None:
        """A competitor launches now: customers feel it this quarter; the news follows next quarter."""
        st = self.state
        st.comp_strength[ki, ti] = float(np.clip(st.comp_strength[ki, ti] + delta, 0.0, 1.0))
        st.launches.append({"competitor": ki, "theme": ti, "delta": delta, "round": st.round, "feature": feature})
        st.pending_news.append({"competitor": ki, "theme": ti, "delta": delta, "round": st.round, "feature": feature,
                                "text": f"Last quarter: {text}" if text else "A competitor launched."})

    def _public_move(self, ki: int, ti: int, delta: float, launched: int, feature: str | None = None) -> None:
        """A launch in the news: everyone's belief about that competitor moves with it, unless a
        competitive analysis since the launch already measured it."""
        b = self.state.beliefs
        measured = any(x["method"] == "competitive_analysis" and x["round"] >= launched
                       and x["competitor"] in (None, self.scenario.market.competitors[ki].id)
                       for x in self.state.research_results)
        if not measured:
            b.comp_mean[ki, ti] = round(float(np.clip(b.comp_mean[ki, ti] + delta, 0.0, 1.0)), 6)
        self.state.public_moves.append({"competitor": ki, "theme": ti, "delta": delta, "round": launched,
                                        "feature": feature})

    def _shift_needs(self, si: int, ti: int, delta: float) -> None:
        from pmsim.engine import detmath

        pop = self.state.pop
        a, b = pop.bounds[si]
        w = pop.needs[:, a:b].astype(np.float64)
        w[ti] = np.maximum(w[ti] + delta, 0.0)
        w /= np.maximum(w.sum(axis=0, keepdims=True), 1e-12)
        x = detmath.quantize(w, 1.0 / 1024.0, np.float64)  # multiples of 1/1024 in [0, 1]: float32's
        pop.needs[:, a:b] = x
        # only this segment changed: its row of population.true_need_means made again (the same sum
        # of the same values), the others kept; a new array, so what was kept by the old is dropped
        means = self._c["need_means"].copy()
        if b > a:
            means[si] = x.sum(axis=1) / (b - a)
        self._c["need_means"] = means
        self._hash_cache.pop("static_pop", None)

    def market_inputs(self) -> market.MarketInputs:
        st = self.state
        sc = self.scenario
        segs = sc.market.segments
        return market.MarketInputs(
            g_ours=self.theme_scores(),
            g_comp=st.comp_strength.copy(),
            fresh=self.fresh_gaps(),
            price_index=np.array([c.price_index for c in sc.market.competitors]),
            usability=st.usability,
            accessibility=st.accessibility,
            shock=st.shock.copy(),
            bass_p=np.array([s.adoption.p for s in segs]) * st.bass_factor,
            bass_q=np.array([s.adoption.q for s in segs]),
            switching=np.array([s.switching for s in segs]),
            outside=np.array([s.outside_option for s in segs]),
            wom=st.wom.copy(),
            prices=np.array([s.price for s in segs]),
        )

    def fresh_gaps(self, r: int | None = None) -> np.ndarray:
        """(T,) how much more a gap behind a rival is felt in round r: a launch this quarter or
        last is what customers compare you with (1 + market.FRESH), else 1."""
        r = self.state.round if r is None else r
        out = np.ones(len(self.themes))
        for m in self.state.launches:
            if r - 1 <= m["round"] <= r:
                out[m["theme"]] = 1.0 + market.FRESH
        return out

    def theme_scores(self) -> np.ndarray:
        """(S, T) our product's theme scores per segment, given what has shipped.

        Kept until the round, what has shipped (and its defects), the launches or the customers'
        needs change: it is read many times a round."""
        st = self.state
        key = (st.round, tuple(st.shipped), tuple(st.features[f].shipped_defects for f in st.shipped),
               len(st.launches))
        cached = getattr(self, "_theme_cache", None)
        if cached is None or cached[0] != key or cached[1] is not self._c["need_means"] or cached[2] is not st:
            cached = self._theme_cache = (key, self._c["need_means"], st, self._theme_scores())
        return cached[3].copy()

    def _theme_scores(self) -> np.ndarray:
        sc = self.scenario
        shipped = set(self.state.shipped)
        features = self.state.features
        r = self.state.round
        tix, contribution = self._contributions()
        # each segment's row as Python floats: the same float64 additions, in the same order, as
        # adding into the (S, T) array element by element did
        base = [float(x) for x in np.array([sc.market.product.get(t, 0.0) for t in self.themes])]
        rows = [list(base) for _ in sc.market.segments]
        for fi, f in enumerate(sc.features):
            ti = tix[fi]
            if f.id not in shipped:
                for row, on in zip(rows, contribution(fi, False, r), strict=True):
                    row[ti] += on
                continue
            # a feature shipped with defects delivers only part of what it promised
            q = features[f.id].quality()
            if q < 1.0:
                for row, on, off in zip(rows, contribution(fi, True, r), contribution(fi, False, r), strict=True):
                    row[ti] += q * on + (1.0 - q) * off
            else:
                for row, on in zip(rows, contribution(fi, True, r), strict=True):
                    row[ti] += on
        g = np.array(rows, dtype=np.float64).reshape(len(rows), len(base))
        # what rivals' launches made expected and we still lack
        for fi, mask, u in self.stakes_now():
            f = sc.features[fi]
            if f.id not in shipped:
                ti = self.themes.index(f.theme)
                g[mask, ti] -= market.STAKE_PENALTY * f.value * market.stake_factor(r - u)
        return g

    def _contributions(self):
        """(each feature's theme index, `contribution(fi, shipped, r)`: market.kano_contribution of
        feature fi for each segment's true Kano category), each list made once, on this object."""
        kano = self._c["kano"]
        kept = getattr(self, "_contribution_cache", None)
        if kept is None or kept[0] is not kano:
            tix = [self.themes.index(f.theme) for f in self.scenario.features]
            cats = [[KANO_ORDER[k] for k in col] for col in kano.T.tolist()]
            kept = self._contribution_cache = (kano, tix, cats, {})
        return kept[1], self._contribution

    def _contribution(self, fi: int, shipped: bool, r: int) -> list[float]:
        _, _, cats, made = self._contribution_cache
        hit = made.get((fi, shipped, r))
        if hit is None:
            value = self.scenario.features[fi].value
            hit = made[(fi, shipped, r)] = [market.kano_contribution(c, value, shipped, r) for c in cats[fi]]
        return hit

    def stakes_now(self) -> list[tuple[int, np.ndarray, int]]:
        """Table stakes set by the launches that have happened (see values.table_stakes)."""
        launches = [(m["theme"], m["round"], m.get("feature")) for m in self.state.launches]
        return table_stakes(self.scenario, self._c["need_means"], launches, self._c["kano"])

    def _end_round(self, action: EndRound) -> dict[str, Any]:
        st = self.state
        closing = self._close_round()
        mis, refs = market.company_inputs(st.pop, [self])  # the one-company market (engine/shared.py: N)
        counts = market.step(st.pop, mis[0], refs[0], stream(st.seed, "market", st.round))
        return self._after_market(action, closing, counts)

    def _close_round(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The quarter's work before the market moves: unanswered requests close, the plan is
        kept for scoring, the team delivers. Returns (plan snapshot, delivery result)."""
        stakeholders.close_unanswered(self)
        plan_snapshot = scoring.snapshot_plan(self)
        return plan_snapshot, delivery.deliver(self)

    def _after_market(self, action: EndRound, closing: tuple[dict[str, Any], dict[str, Any]],
                      counts: dict[str, np.ndarray]) -> dict[str, Any]:
        """The quarter after the market moved (`counts`: this company's): metrics, stakeholders,
        score, the report; then the next round begins."""
        plan_snapshot, result = closing
        st = self.state
        r = st.round
        st.shock[:] = 0.0
        metrics = self.metrics_from(counts)
        st.metrics.append(metrics)
        nps = np.array([m["nps"] for m in metrics["segments"]])
        st.wom = np.clip(1.0 + nps / 100.0, 0.5, 1.5)
        reactions = stakeholders.settle(self, result)
        ledger = scoring.ledger_entry(self, plan_snapshot, result)
        st.ledger.append(ledger)
        card = scoring.scorecard(self)
        report = {
            "round": r,
            "shipped": result["shipped"],
            "slipped": result["slipped"],
            "carried_over": result["carried_over"],
            "blocked": result["blocked"],
            "velocity": result["velocity"],
            "capacity": result["capacity"],
            "committed_weeks": round(result["committed_est"], 4),
            "delivered_weeks": round(result["shipped_est"], 4),
            "metrics": metrics,
            "reactions": reactions,
            "news": list(st.news),
            "score": card,
            "rationale": action.rationale,
        }
        st.reports.append(report)
        if r >= self.scenario.rounds:
            st.finished = True
        else:
            st.round = r + 1
            self._begin_round()
        return copied(report)  # the caller may keep or change it; the state's copy stays put

    def metrics_from(self, counts: dict[str, np.ndarray]) -> dict[str, Any]:
        sc = self.scenario
        st = self.state
        segs = []
        tot_c = tot_rev = tot_prom = tot_det = tot_before = tot_churn = 0
        tot_trials = tot_conv = 0
        tot_adopt = 0
        sat_sum = 0.0
        for si, seg in enumerate(sc.market.segments):
            c = int(counts["customers"][si])
            before = int(counts["customers_before"][si])
            prom, det = int(counts["promoters"][si]), int(counts["detractors"][si])
            adopters = int(counts["adopters"][si])
            trials_before = int(counts["trials_before"][si])
            segs.append({
                "id": seg.id,
                "customers": c,
                "trials": int(counts["trials"][si]),
                "new_trials": int(counts["new_trials"][si]),
                "churned": int(counts["churned"][si]),
                "churn_rate": _ratio(int(counts["churned"][si]), before),
                "activation_rate": _ratio(int(counts["converted"][si]), trials_before),
                "revenue": round(c * seg.price, 6),
                "nps": round(100.0 * (prom - det) / c, 6) if c else 0.0,
                "satisfaction": round(float(counts["sat_sum"][si]) / c, 6) if c else 0.0,
                "market_share": _ratio(c, adopters),
                "competitors": [int(x) for x in counts["comp_customers"][si][: len(sc.market.competitors)]],
            })
            tot_c += c
            tot_rev += c * seg.price
            tot_prom += prom
            tot_det += det
            tot_before += before
            tot_churn += int(counts["churned"][si])
            tot_trials += trials_before
            tot_conv += int(counts["converted"][si])
            tot_adopt += adopters
            sat_sum += float(counts["sat_sum"][si])
        return {
            "round": st.round,
            "customers": tot_c,
            "revenue": round(tot_rev, 6),
            "nps": round(100.0 * (tot_prom - tot_det) / tot_c, 6) if tot_c else 0.0,
            "churn_rate": _ratio(tot_churn, tot_before),
            "activation_rate": _ratio(tot_conv, tot_trials),
            "satisfaction": round(sat_sum / tot_c, 6) if tot_c else 0.0,
            "market_share": _ratio(tot_c, tot_adopt),
            "accessibility": round(st.accessibility, 6),
            "usability": round(st.usability, 6),
            "tech_debt": round(st.tech_debt, 6),
            "shipped": len(st.shipped),
            "segments": segs,
        }

    # ------------------------------------------------------------------ views
    def observe(self):
        from pmsim.engine.observe import observe

        return observe(self)

    def legal_actions(self) -> list[Action]:
        from pmsim.engine.observe import legal_actions

        return legal_actions(self)

    def score(self) -> dict[str, Any]:
        return scoring.scorecard(self)

    def debrief(self) -> dict[str, Any]:
        return scoring.debrief(self)


def _ratio(a: int, b: int) -> float:
    return round(a / b, 6) if b else 0.0


def new_game(scenario: Scenario, seed: int) -> Game:
    """The initial state of a game of `scenario` with `seed`, at the start of round 1 (engine/setup.py)."""
    return setup.build(scenario, seed, Game)


def replay(scenario: Scenario, seed: int, actions: list[Action]) -> Game:
    game = new_game(scenario, seed)
    for a in actions:
        game.apply(a)
    return game

