"""What a quarter's plan hinges on: the items whose true size would change it.

A spike is worth its capacity only for such an item (Reinertsen's point about the value of
information: it pays only where it can change a decision). The analyst bot spikes these items,
and the research score counts a spike of any other item as capacity spent on a study that told
nothing a decision needed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from pmsim.engine.values import knapsack

if TYPE_CHECKING:
    from pmsim.engine.protocols import GameLike as Game


def candidates(game: Game) -> list[str]:
    """Backlog items available this round whose dependencies are met (or planned in Now)."""
    st = game.state
    now = list(st.now)
    return [f.id for f in game.scenario.features
            if st.features[f.id].status == "backlog" and f.available_from <= st.round and game.deps_ok(f.id, now)]


def hinges(vals: list[float], weights: list[float], j: int, estimate: float, sd: float, room: float) -> bool:
    """Whether the best set of the items (`vals`, `weights`) under `room` takes item j were it one standard deviation of
    its estimate smaller (two, when the estimate does not fit the room: a 44-week estimate for an
    11-week foundation may be a guess two deviations off) and leaves it were it one larger."""
    low = 2.0 if estimate > room else 1.0
    w = list(weights)
    w[j] = estimate * math.exp(-low * sd)
    if j not in knapsack(vals, w, room):  # left out even when small: nothing to learn
        return False
    w[j] = estimate * math.exp(sd)
    return j not in knapsack(vals, w, room)


def decisive(game: Game, value: np.ndarray, weight_of: Callable[[str], float],
             keep: Callable[[str], bool] | None = None, limit: int | None = None) -> list[str]:
    """Unspiked candidates with a positive value whose true size would change this quarter's best
    plan (of `value`, each item weighing `weight_of`, in the capacity left), most valuable first.
    Only those `keep` keeps are asked, and the first `limit` found returned: the same items as
    filtering and cutting the whole list, without the knapsacks of the others."""
    st = game.state
    fids = candidates(game)
    room = game.capacity_left()
    vals = [float(value[game.fidx(f)]) for f in fids]
    weights = [weight_of(f) for f in fids]
    out = []
    for j in sorted(range(len(fids)), key=lambda j: -vals[j]):
        fs = st.features[fids[j]]
        if fs.spiked or vals[j] <= 0 or (keep is not None and not keep(fids[j])):
            continue
        if hinges(vals, weights, j, fs.estimate, fs.estimate_sd, room):
            out.append(fids[j])
            if limit is not None and len(out) >= limit:
                break
    return out


def spike_informs(game: Game, fid: str, room: float) -> bool:
    """Whether spiking `fid` now can change a plan: this quarter's, in the `room` left before the
    spike, or next quarter's, in a whole quarter's capacity, each the best set on the player's
    believed cost of delay at the current estimates."""
    from pmsim.engine.worth import believed_delay

    fids = candidates(game)
    if fid not in fids:
        return False
    value = believed_delay(game)
    vals = [float(value[game.fidx(f)]) for f in fids]
    j = fids.index(fid)
    if vals[j] <= 0:
        return False
    weights = [game.state.features[f].estimate for f in fids]
    fs = game.state.features[fid]
    quarter = float(game.scenario.team.capacity)
    return any(hinges(vals, weights, j, fs.estimate, fs.estimate_sd, r) for r in (room, quarter))
