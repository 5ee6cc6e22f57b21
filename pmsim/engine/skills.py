"""The job's skills: which score component shows which skill, and how a component and a skill rate
(1-5). The debrief's ranking and the end-of-internship review both read these numbers."""

from __future__ import annotations

import math
from typing import Any

from pmsim.scenario.models import COMPONENTS

SKILLS = {
    "customer_impact": "customer-centric thinking",
    "okr": "analytical thinking",
    "stakeholder_trust": "communication",
    "prioritization": "problem solving",
    "research": "analytical thinking",
    "delivery": "project management",
    "accessibility": "customer-centric thinking",
}


# Component value from which a component rates 2, 3, 4 and 5 (below the first: 1). Calibrated on
# the bots of the built-in scenarios: a HiPPO player lands around 1-2, the oracle around 4-5.
BANDS = {
    "customer_impact": (0.45, 0.6, 0.75, 0.88),
    "okr": (0.3, 0.5, 0.7, 0.88),
    "stakeholder_trust": (0.3, 0.45, 0.6, 0.75),
    "prioritization": (0.5, 0.7, 0.85, 0.97),
    "research": (0.1, 0.3, 0.5, 0.7),
    "delivery": (0.55, 0.68, 0.8, 0.9),
    "accessibility": (0.5, 0.58, 0.65, 0.75),
}
SKILL_ORDER = (
    "analytical thinking", "problem solving", "communication", "project management", "customer-centric thinking",
)


def component_rating(component: str, value: float) -> int:
    """1-5: how a component's value rates (BANDS)."""
    return 1 + sum(value >= t - 1e-9 for t in BANDS[component])


def skill_ratings(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each skill's rating (1-5) and the points its components lost, from a scorecard.

    A skill's rating is the weight-averaged rating of its components (SKILLS), rounded half up.
    The debrief's ranking and the end-of-internship review both read these numbers."""
    out = {}
    for skill in SKILL_ORDER:
        comps = [c for c in COMPONENTS if SKILLS[c] == skill]
        w = [card["weights"].get(c, 0.0) for c in comps]
        rates = [component_rating(c, card["components"][c]) for c in comps]
        avg = (sum(a * b for a, b in zip(w, rates, strict=True)) / sum(w)) if sum(w) > 0 else sum(rates) / len(rates)
        out[skill] = {"rating": max(1, min(5, int(math.floor(avg + 0.5 + 1e-9)))),
                      "components": comps,
                      "points_lost": round(sum(card["points_lost"][c] for c in comps), 4)}
    return out


def skill_order(card: dict[str, Any]) -> list[str]:
    """Skills from the one to practise first: lowest rating, then most points lost."""
    sk = skill_ratings(card)
    return sorted(SKILL_ORDER, key=lambda s: (sk[s]["rating"], -sk[s]["points_lost"], SKILL_ORDER.index(s)))
