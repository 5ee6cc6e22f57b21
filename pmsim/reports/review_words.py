"""The words of the end-of-internship review: names, advice, small number formatters, and the
look-ups the paragraph writers share (`_Ctx`, over the engine's numbers: `pmsim.engine.summary`)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from pmsim import numfmt
from pmsim.engine.scoring import SKILL_ORDER, component_rating
from pmsim.engine.summary import Summary
from pmsim.reports.studies import METHOD_WORDS

SKILL_TITLE = {s: s[0].upper() + s[1:] for s in SKILL_ORDER}
# a skill's rating is scoring.skill_ratings: the same numbers the debrief ranks by

RATINGS = {
    "exceeds": "Exceeds expectations",
    "meets": "Meets expectations",
    "developing": "Developing",
    "below": "Below expectations",
}
OFFERS = {"yes": "Yes", "yes_with_plan": "Yes, with a development plan", "no": "No"}

COMPONENT_NAME = {
    "customer_impact": "customer impact", "okr": "OKR attainment", "stakeholder_trust": "stakeholder trust",
    "prioritization": "prioritization", "research": "research", "delivery": "delivery",
    "accessibility": "accessibility",
}
ADVICE = {
    "customer_impact": "Before each commit, ask which segment a feature is for and what the evidence says it is "
                       "worth to them; check must-have needs first, since their absence costs customers every "
                       "quarter, and the customers lost do not come back when it ships.",
    "okr": "Start each quarter from the key result furthest from its target and say which roadmap item moves it.",
    "stakeholder_trust": "Answer every request the quarter it arrives; a reasoned 'not now' with a written why "
                         "costs far less than silence or a promise you cannot keep.",
    "prioritization": "Rank by value per week of effort (RICE, WSJF) on your own evidence, and fill capacity with "
                      "the best ratios rather than the most requested items.",
    "research": "Buy research where it could change the plan: a survey or interviews before a big bet, a spike on "
                "the biggest uncertain estimate, a five-user usability test before you ship.",
    "delivery": "Leave slack for estimate error (10-20% of capacity) and spike large, uncertain items before you "
                "commit to them.",
    "accessibility": "Put features in front of five users before they ship, and treat accessibility as a "
                     "must-have for the customers who rely on assistive technology.",
}
REASON_WORDS = {"capacity": "capacity", "evidence": "evidence", "strategy": "strategy", "timing": "timing"}


# ---------------------------------------------------------------------------- small formatters
# the review's numbers read as everywhere else (pmsim.numfmt)
def _n(x: float, digits: int = 1) -> str:
    """13, 13.5 (one decimal, without a trailing .0)."""
    return numfmt.decimal(x, digits)


_int = numfmt.whole  # 6,345
_pct = numfmt.pct  # 70%
_change = numfmt.change  # +12%, −30%, or "new" when there was nothing before
_signed = numfmt.plus  # +12, −3 (an NPS)


def _join(items: list[str], last: str = "and") -> str:
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def _word(n: int) -> str:
    words = {0: "no", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}
    return words.get(n, str(n))


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{_word(n)} {one if n == 1 else (many or one + 's')}"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def clean_text(text: str, limit: int = 240) -> str:
    """Player-written text as one line, shortened at a word boundary."""
    t = re.sub(r"\s+", " ", str(text)).strip()
    if len(t) > limit:
        t = t[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…"
    return t


def _q(r: int) -> str:
    return f"Q{r}"


def _rating_of(component: str, value: float) -> int:
    return component_rating(component, value)


def _tidy(text: str) -> str:
    """No doubled full stop after a quote that ends a sentence itself: “Ship it.”. -> “Ship it.”"""
    return re.sub(r"([.!?…])”\.", r"\1”", text)


def _round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5 + 1e-9))


def _kr_value(kr: dict[str, Any], key: str = "value") -> str:
    return numfmt.metric_text(kr["metric"], kr[key], pct_digits=0)


def _clamp(x: float) -> int:
    return max(1, min(5, _round_half_up(x)))


class _Ctx:
    """Look-ups shared by the paragraph writers."""

    def __init__(self, facts: Summary, player: str | None) -> None:
        self.facts = facts
        self.sc = facts.scenario
        self.summary = facts.numbers
        self.rounds = list(facts.rounds)
        self.player = player
        self.requests = {q.id: q for q in facts.requests}
        self.answers = list(facts.answers)  # the open round's too
        self.n = len(self.rounds)
        self.segments = {s.id: s.name for s in self.sc.market.segments}

    def title(self, fid: str | None) -> str:
        if fid is None:
            return "an unnamed item"
        try:
            return self.sc.feature(fid).title
        except KeyError:
            return fid

    def titles(self, fids: list[str], limit: int = 3) -> str:
        names = [self.title(f) for f in fids]
        if len(names) > limit:
            return ", ".join(names[:limit]) + f" and {_word(len(names) - limit)} more"
        return _join(names)

    def who(self, sid: str) -> str:
        s = self.facts.stakeholders.get(sid)
        return f"{s.name} ({s.title})" if s else sid

    def request_phrase(self, rid: str) -> str:
        q = self.requests.get(rid)
        if q is None:
            return f"request {rid}"
        what = f" for {self.title(q.feature)}" if q.feature else ""
        return f"the request from {self.who(q.stakeholder)}{what}"


# ---------------------------------------------------------------------------- the five skills
@dataclass
class Skill:
    skill: str
    rating: int
    components: dict[str, float]
    basis: str
    paragraph: str
    good: str  # one line for "strengths"
    bad: str  # one line for "growth areas"


def _component_rating(ctx: _Ctx, comps: list[str]) -> float:
    w = ctx.summary["weights"]
    tot = sum(w.get(c, 0.0) for c in comps)
    if tot <= 0:
        return sum(_rating_of(c, ctx.summary["components"][c]) for c in comps) / len(comps)
    return sum(w.get(c, 0.0) * _rating_of(c, ctx.summary["components"][c]) for c in comps) / tot


def _studies_phrase(results: list[dict[str, Any]]) -> str:
    by: dict[str, list[dict[str, Any]]] = {}
    for x in results:
        by.setdefault(x["method"], []).append(x)
    parts = []
    for m in ("survey", "interviews", "usability_test", "ab_test", "competitive_analysis", "spike"):
        xs = by.get(m)
        if not xs:
            continue
        one, many = METHOD_WORDS[m]
        n = sum(x.get("n", 0) for x in xs)
        extra = {"survey": f" ({_int(n)} respondents)", "interviews": f" ({_int(n)} customers)",
                 "usability_test": f" ({_int(n)} users)", "ab_test": f" ({_int(n)} users)"}.get(m, "")
        parts.append(f"{_count(len(xs), one, many)}{extra}")
    return _join(parts)
