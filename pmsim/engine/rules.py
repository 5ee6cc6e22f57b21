"""What is legal now: `Rules.check(action)` raises `IllegalAction` for an action that cannot be
applied, before anything changes. A part of `pmsim.engine.game.Game` (its base class), kept in
its own file so that game.py reads as what an action does.
"""

from __future__ import annotations

from pmsim.engine import research, stakeholders
from pmsim.engine.actions import (
    MAX_RATIONALE,
    REASONS,
    RESPONSES,
    SLOTS,
    Action,
    EndRound,
    Plan,
    Renegotiate,
    Research,
    Respond,
    Unplan,
)
from pmsim.engine.state import IllegalAction
from pmsim.scenario.models import CAPACITY_SLACK


class Rules:
    """The legality checks of a `Game` (which provides `state`, `scenario`, `fidx`,
    `committed_estimate` and `capacity_left`)."""

    def check(self, action: Action) -> None:
        """Raise IllegalAction if `action` cannot be applied now."""
        st = self.state
        if st.finished:
            raise IllegalAction("game_over", "the game is over: no more actions")
        if isinstance(action, Plan):
            self._check_plan(action)
        elif isinstance(action, Unplan):
            f = st.features.get(action.feature)
            if f is None:
                raise IllegalAction("unknown_feature", f"no feature {action.feature!r}")
            if f.slot is None:
                raise IllegalAction("not_planned", f"{action.feature!r} is not on the roadmap")
            if f.status == "in_progress":
                raise IllegalAction("in_progress", f"{action.feature!r} is in progress and carries over")
        elif isinstance(action, Respond):
            req = self._request(action.request)
            if req.status not in ("open", "deferred") or req.round > st.round:
                raise IllegalAction("already_answered", f"request {action.request!r} is {req.status}")
            if action.response not in RESPONSES:
                raise IllegalAction("bad_response", f"response must be one of {', '.join(RESPONSES)}")
            if action.reason not in REASONS:
                raise IllegalAction("bad_reason", f"reason must be one of {', '.join(REASONS)}")
            if action.response == "defer" and action.reason == "none":
                raise IllegalAction("reason_required", "a deferral needs a reason")
            if req.status == "deferred" and action.response == "defer":
                raise IllegalAction("already_deferred", f"request {action.request!r} is already deferred")
            if len(action.rationale) > MAX_RATIONALE:
                raise IllegalAction("rationale_too_long", f"a rationale is at most {MAX_RATIONALE} characters")
            if action.response == "accept" and req.feature and st.features[req.feature].status == "shipped":
                raise IllegalAction("shipped", f"{req.feature!r} has already shipped: there is nothing to promise")
        elif isinstance(action, Renegotiate):
            stakeholders.check_renegotiate(self, self._request(action.request), action)
        elif isinstance(action, Research):
            research.check(self, action)
        elif isinstance(action, EndRound):
            if len(action.rationale) > MAX_RATIONALE:
                raise IllegalAction("rationale_too_long", f"a rationale is at most {MAX_RATIONALE} characters")
        else:
            raise IllegalAction("unknown_action", f"not an action: {action!r}")

    def is_legal(self, action: Action) -> bool:
        try:
            self.check(action)
        except IllegalAction:
            return False
        return True

    def _request(self, rid: str):
        for r in self.state.requests:
            if r.id == rid:
                return r
        raise IllegalAction("unknown_request", f"no request {rid!r}")

    def deps_ok(self, fid: str, before: list[str] | None = None) -> bool:
        """All dependencies shipped, in progress, or earlier in the `now` list."""
        st = self.state
        earlier = set(before if before is not None else [])
        for dep in self.scenario.features[self.fidx(fid)].depends_on:
            d = st.features[dep]
            if d.status == "shipped" or d.status == "in_progress" or dep in earlier:
                continue
            return False
        return True

    def _check_plan(self, a: Plan) -> None:
        st = self.state
        f = st.features.get(a.feature)
        if f is None:
            raise IllegalAction("unknown_feature", f"no feature {a.feature!r}")
        spec = self.scenario.features[self.fidx(a.feature)]
        if a.slot not in SLOTS:
            raise IllegalAction("bad_slot", f"slot must be one of {', '.join(SLOTS)}")
        if f.status == "shipped":
            raise IllegalAction("shipped", f"{spec.title} has already shipped")
        if f.status == "in_progress" and a.slot != "now":
            raise IllegalAction("in_progress", f"{spec.title} is in progress and stays in Now")
        if spec.available_from > st.round and a.slot == "now":
            raise IllegalAction("not_available", f"{spec.title} can't start before round {spec.available_from}")
        if a.position is not None and a.position < 0:
            raise IllegalAction("bad_position", "position must be 0 or more")
        if a.slot == "now":
            now = [x for x in st.now if x != a.feature]
            pos = len(now) if a.position is None else min(a.position, len(now))
            if f.status != "in_progress" and not self.deps_ok(a.feature, now[:pos]):
                missing = [d for d in spec.depends_on if st.features[d].status != "shipped"]
                raise IllegalAction(
                    "dependency", f"{spec.title} depends on {', '.join(missing)}: ship or plan them first"
                )
            if f.slot != "now":
                need = f.remaining_estimate(spec.effort)
                if self.committed_estimate() + need > st.capacity + CAPACITY_SLACK:
                    raise IllegalAction(
                        "over_capacity",
                        f"{spec.title} (est. {need:.1f} wk) does not fit: {self.capacity_left():.1f} wk left",
                    )
            else:
                # moving within Now must keep every later item's dependencies before it
                trial = now[:pos] + [a.feature] + now[pos:]
                self._check_order(trial)

    def _check_order(self, order: list[str]) -> None:
        for i, fid in enumerate(order):
            if self.state.features[fid].status != "in_progress" and not self.deps_ok(fid, order[:i]):
                raise IllegalAction("dependency", f"{fid} would come before a feature it depends on")
