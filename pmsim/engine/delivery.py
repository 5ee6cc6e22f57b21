"""Delivery: the team works through the Now list in order with this round's true velocity.

Estimates are what the player plans with; true effort is what the work costs. A feature that does
not finish carries over with its remaining effort; items after it are not started and slip.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from pmsim.engine.rng import stream

if TYPE_CHECKING:
    from pmsim.engine.protocols import GameLike as Game  # the narrow protocol, not game.py

DEFECT_USABILITY = 0.02
DEFECT_ACCESSIBILITY = 0.03


def deliver(game: Game) -> dict[str, Any]:
    st = game.state
    sc = game.scenario
    r = st.round
    rng = stream(st.seed, "delivery", r)
    noise = float(rng.normal(0.0, sc.team.velocity_noise))
    # capacity on estimates, less what spikes used, turned into true engineer-weeks of work
    # rounded so that a last-bit difference in a platform's exp() cannot change what ships
    velocity = round(max(st.capacity - st.spike_used, 0.0) * math.exp(noise), 6)
    left = velocity
    shipped, slipped, carried, blocked = [], [], [], []
    committed_est = 0.0
    delivered_est = 0.0  # estimate-weeks of work done: what shipped plus progress on carry-overs
    shipped_est = 0.0  # estimate-weeks of what shipped: the promise kept
    done_now: set[str] = set()
    carry_used = 0.0  # true effort spent on work already in progress when the round began
    for fid in list(st.now):
        f = st.features[fid]
        spec = sc.features[game.fidx(fid)]
        rem_est = f.remaining_estimate(spec.effort)
        committed_est += rem_est
        deps_ready = all(st.features[d].status == "shipped" or d in done_now for d in spec.depends_on)
        if not deps_ready:
            blocked.append(fid)
            continue
        if left <= 1e-9:
            slipped.append(fid)
            continue
        if f.started_round is None:
            f.started_round = r
        if f.status == "in_progress":
            carry_used += min(f.remaining, left)
        if f.remaining <= left + 1e-9:
            left -= f.remaining
            f.remaining = 0.0
            delivered_est += rem_est
            shipped_est += rem_est
            _ship(game, fid)
            done_now.add(fid)
            shipped.append(fid)
        else:
            delivered_est += rem_est * (left / f.remaining)  # progress made on it counts
            f.remaining = round(f.remaining - left, 6)
            left = 0.0
            f.status = "in_progress"
            carried.append(fid)
    # what was not finished: carry-overs stay in Now, the rest goes back to Next
    st.now = [fid for fid in st.now if fid in carried]
    for fid in slipped + blocked:
        st.features[fid].slot = "next"
    return {
        "shipped": shipped, "slipped": slipped, "carried_over": carried, "blocked": blocked,
        "velocity": round(velocity, 6), "capacity": round(st.capacity, 6),
        "committed_est": round(committed_est, 6), "delivered_est": round(delivered_est, 6),
        "shipped_est": round(shipped_est, 6),
        "unused": round(left, 6), "carry_used": round(carry_used, 6),
    }


def _ship(game: Game, fid: str) -> None:
    st = game.state
    spec = game.scenario.features[game.fidx(fid)]
    f = st.features[fid]
    f.status = "shipped"
    f.slot = None
    f.shipped_round = st.round
    st.shipped.append(fid)
    hidden_u = max(spec.defects.usability - f.defects_found["usability"], 0)
    hidden_a = max(spec.defects.accessibility - f.defects_found["accessibility"], 0)
    f.shipped_defects = hidden_u + hidden_a  # what no usability test caught: customers find it
    st.usability = _clip(st.usability + spec.usability - DEFECT_USABILITY * hidden_u)
    st.accessibility = _clip(st.accessibility + spec.accessibility - DEFECT_ACCESSIBILITY * hidden_a)
    st.tech_debt = min(max(st.tech_debt + spec.tech_debt, 0.0), 0.8)


def _clip(x: float) -> float:
    return round(min(max(x, 0.0), 1.0), 6)
