"""The mentor: comments on the player's plan before a round is committed.

It reads only the player's observation (what `Game.observe()` returns), never the game, so it
cannot know more than the player could: two games that look the same to the player get the same
advice, whatever their hidden truth. It ignores the running score, which is computed on the truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

POWERFUL = 0.7
BUFFER = 0.9  # share of capacity past which a plan has no room for estimates running over
WIDE_ESTIMATE = 0.35  # log-sd past which an estimate is a guess
MUST_BE_P = 0.5


@dataclass(frozen=True)
class Advice:
    rule: str  # over_commitment | must_be_ignored | promise_at_risk | stakeholder_waiting | okr_off_track
    #            | cheap_research
    severity: str  # "warn" or "tip"
    text: str
    subject: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "text": self.text, "subject": self.subject}


def advise(obs: dict[str, Any]) -> list[Advice]:
    """Advice on the plan in `obs` (an observation), most important first."""
    if obs.get("finished"):
        return []
    out: list[Advice] = []
    out += _over_commitment(obs)
    out += _must_be_ignored(obs)
    out += _promises_at_risk(obs)
    out += _stakeholders_waiting(obs)
    out += _okrs_off_track(obs)
    out += _cheap_research(obs)
    return out


def _features(obs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in obs["features"]}


def _over_commitment(obs: dict[str, Any]) -> list[Advice]:
    cap = obs["capacity"]
    total, committed = cap["total"], cap["committed"]
    if total <= 0 or not obs["now"]:
        return []
    feats = _features(obs)
    high = sum(
        feats[f]["estimate_range"][1] * (feats[f]["remaining_estimate"] / max(feats[f]["estimate"], 1e-9))
        for f in obs["now"]
    ) + cap.get("spikes", 0.0)
    if committed >= BUFFER * total and high > total:
        return [Advice(
            "over_commitment", "warn",
            f"Your Now list uses {committed:.1f} of {total:.1f} wk ({committed / total:.0%}). If the estimates run "
            f"high it needs {high:.1f} wk, and what doesn't fit slips (and broken promises cost trust). Leave a "
            "buffer, or run a spike on the least certain item.",
        )]
    return []


def _must_be_ignored(obs: dict[str, Any]) -> list[Advice]:
    out = []
    for f in obs["features"]:
        if f["status"] == "shipped" or f["id"] in obs["now"]:
            continue
        segs = [s for s, k in f["kano"].items()
                if k["category"] == "must_be" and k["p"] >= MUST_BE_P and k["votes"] >= 3]
        if segs:
            out.append(Advice(
                "must_be_ignored", "warn",
                f"Your interviews say {f['title']} is a must-have for {', '.join(segs)}: while it is missing, "
                "those customers are dissatisfied and churn, no other feature makes up for it, and those who "
                "leave do not come back when it ships. It is not in Now.", f["id"],
            ))
    return out


def _promises_at_risk(obs: dict[str, Any]) -> list[Advice]:
    """An accepted request due this quarter whose feature is not in Now will be a broken promise:
    renegotiating it now is cheaper than the miss."""
    people = {s["id"]: s for s in obs["stakeholders"]}
    feats = _features(obs)
    out = []
    for q in obs["requests"]:
        if (q["status"] != "accepted" or q.get("feature") not in feats or q.get("deadline") != obs["round"]
                or q["feature"] in obs["now"] or feats[q["feature"]]["status"] == "shipped"):
            continue
        s = people.get(q["stakeholder"], {"name": "A stakeholder", "title": "?"})
        tried = q.get("renegotiations") and q["renegotiations"][-1]["round"] == obs["round"]
        out.append(Advice(
            "promise_at_risk", "warn",
            f"You promised {s['name']} ({s['title']}) {feats[q['feature']]['title']} by the end of this quarter, "
            "and it is not in Now: as planned, the promise breaks when the round ends. "
            + ("They would not move the date: plan it into Now, or expect the cost of a broken promise."
               if tried else
               "Plan it, or renegotiate now (r in the inbox): a new date with a reason costs far less trust "
               "than a broken promise, and the earlier the news, the less it costs."),
            q["id"],
        ))
    return out


def _stakeholders_waiting(obs: dict[str, Any]) -> list[Advice]:
    people = {s["id"]: s for s in obs["stakeholders"]}
    feats = _features(obs)
    out = []
    for q in obs["requests"]:
        s = people.get(q["stakeholder"])
        if s is not None and q["status"] == "deferred" and q.get("past_due"):
            what = feats[q["feature"]]["title"] if q.get("feature") in feats else "their request"
            out.append(Advice(
                "stakeholder_waiting", "warn",
                f"You deferred {s['name']}'s request about {what}, and it is past its due date (Q{q['deadline']}): "
                "their trust drops every quarter it waits. Decide: accept it (it now counts as late) or "
                "decline it with a reason.", q["id"],
            ))
            continue
        if q["status"] != "open" or s is None or s["power"] < POWERFUL:
            continue
        what = feats[q["feature"]]["title"] if q.get("feature") in feats else "their request"
        out.append(Advice(
            "stakeholder_waiting", "warn",
            f"{s['name']} ({s['title']}) is waiting for an answer about {what}. Silence costs more trust than "
            "a reasoned 'not now': accept, defer with a reason, or decline with a reason before you end the round.",
            q["id"],
        ))
    return out


def _okrs_off_track(obs: dict[str, Any]) -> list[Advice]:
    rounds = obs["scenario"]["rounds"]
    done = obs["round"] - 1  # rounds already played
    if done < 2:
        return []
    out = []
    for o in obs.get("okrs", []):
        pace = done / rounds
        if o["grade"] < 0.6 * pace:
            worst = min(o["key_results"], key=lambda k: k["grade"])
            out.append(Advice(
                "okr_off_track", "warn",
                f"\u201c{o['objective']}\u201d is at {o['grade']:.2f} with {done} of {rounds} rounds gone"
                + (" (a committed OKR: a miss needs an explanation)" if o["kind"] == "committed" else "")
                + f". Furthest behind: {worst['metric']}"
                + (f" in {worst['segment']}" if worst.get("segment") else "")
                + f" at {_metric(worst['metric'], worst['value'])} against a target of "
                  f"{_metric(worst['metric'], worst['target'])}.", o["id"],
            ))
    return out


RATE_METRICS = ("activation_rate", "churn_rate", "market_share", "satisfaction", "accessibility", "usability")


def _metric(metric: str, value: float) -> str:
    """A key result's value as a person reads it: 11,000 customers, 70% activation, NPS +42."""
    from pmsim import numfmt

    if metric in RATE_METRICS:
        return numfmt.pct(value)
    if metric == "nps":
        return numfmt.plus(value)
    return numfmt.value(value)


def _cheap_research(obs: dict[str, Any]) -> list[Advice]:
    out = []
    budget = obs["budget"]["left"]
    feats = _features(obs)
    candidates = [feats[f] for f in obs["now"]] or sorted(
        (f for f in obs["features"] if f["status"] == "backlog"), key=lambda f: -f["value"])[:3]
    for f in candidates:
        lo, hi = f["estimate_range"]
        if f["status"] == "backlog" and not f["spiked"] and f["estimate"] > 0 and (hi / max(lo, 1e-9)) > 2.2:
            out.append(Advice(
                "cheap_research", "tip",
                f"{f['title']} is estimated at {f['estimate']:.1f} wk but could be anywhere from {lo:.1f} to "
                f"{hi:.1f}. A spike costs about {max(1.0, 0.15 * f['estimate']):.1f} wk and narrows it a lot.",
                f["id"],
            ))
            break
    unheard = [s for s, n in zip(_segments(obs), obs["beliefs"]["interview_n"], strict=False) if n == 0]
    if unheard and budget >= 7.5 and obs["round"] <= max(2, obs["scenario"]["rounds"] // 2):
        out.append(Advice(
            "cheap_research", "tip",
            f"You have not interviewed anyone in {', '.join(unheard)}. Five interviews cost $7.5k and tell "
            "you which features they cannot do without (Kano) — before you build.",
        ))
    return out


def _segments(obs: dict[str, Any]) -> list[str]:
    return list(obs["beliefs"]["needs"])
