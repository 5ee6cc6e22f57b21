"""The portfolio's case, as data: everything both renderers (`portfolio_md`, `portfolio_html`) show,
read from a replayed game as plain (unescaped) text and numbers, plus the labels and notes they share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pmsim.engine.summary import Summary, summarize
from pmsim.engine.values import KANO_ORDER
from pmsim.numfmt import decimal, metric_text, pct, plus, signed
from pmsim.reports.review import internship_review
from pmsim.reports.studies import RESPONSE_VERB, describe_study
from pmsim.scenario.models import COMPONENTS

if TYPE_CHECKING:
    from pmsim.engine.game import Game

SIMULATED = ("All companies, people and numbers in this case study are simulated by pmsim, a "
             "product-management training game; none of them describe a real business or person.")
BAND_WORD = {"green": "green: on track", "yellow": "yellow: partly there", "red": "red: missed"}
MAX_ROWS = 8  # per research method, in the findings
METHOD_NOTE = {
    "survey": "Each need's share of what respondents care about, with its 95% confidence interval.",
    "interviews": "Interviews reveal which needs are must-haves, delighters or indifferent (Kano), and the words "
                  "customers use.",
    "usability_test": "With n users a test finds about 1 − 0.69ⁿ of the problems there are (Nielsen & Landauer): "
                      "84% at five users.",
    "spike": "A spike spends a little engineering time to firm up an estimate before committing to the work.",
    "competitive_analysis": "Competitors' strengths and their moves over the next two quarters.",
    "ab_test": "Change in activation from shipping the feature, with its 95% confidence interval.",
}


def case_of(game: Game | Summary, player: str) -> dict[str, Any]:
    """Everything both renderers show, as plain (unescaped) text and numbers."""
    facts = game if isinstance(game, Summary) else summarize(game)
    sc = facts.scenario
    themes = {t.id: t.name for t in sc.market.themes}
    segs = {s.id: s.name for s in sc.market.segments}
    titles = {f.id: f.title for f in sc.features}
    review = internship_review(facts, player)
    rounds = facts.rounds
    requests = {q.id: q for q in facts.requests}
    m0, m1 = facts.metrics[0], facts.metrics[-1]

    segments = []
    for si, seg in enumerate(sc.market.segments):
        top = sorted(seg.needs.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        segments.append({
            "name": seg.name, "share": seg.share, "price": seg.price,
            "customers_start": m0["segments"][si]["customers"], "customers_end": m1["segments"][si]["customers"],
            "top_needs": [themes.get(t, t) for t, _ in top],
        })
    competitors = []
    for ki, c in enumerate(sc.market.competitors):
        c0 = sum(s["competitors"][ki] for s in m0["segments"])
        c1 = sum(s["competitors"][ki] for s in m1["segments"])
        strong = sorted(c.strengths.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
        competitors.append({"name": c.name, "price_index": c.price_index, "customers_start": c0,
                            "customers_end": c1, "strengths": [themes.get(t, t) for t, _ in strong]})
    stakeholders = [{"name": s.name, "title": s.title, "start": next(x.trust for x in sc.stakeholders if x.id == s.id),
                     "end": s.trust} for s in facts.stakeholders.values()]

    # research: what was done, what it found
    methods: dict[str, dict[str, Any]] = {}
    for x in facts.research:
        m = methods.setdefault(x["method"], {"studies": 0, "sample": 0, "cost": 0.0, "weeks": 0.0})
        m["studies"] += 1
        m["sample"] += int(x.get("n") or 0)
        m["cost"] += float(x.get("cost") or 0.0)
        m["weeks"] += float(x.get("weeks") or 0.0)
    findings: dict[str, list[str]] = {}
    for x in facts.research:
        line = _finding(x, themes, segs, titles, {c.id: c.name for c in sc.market.competitors})
        if line:
            findings.setdefault(x["method"], []).append(line)
    quotes = _quotes(facts.research, segs, themes)
    kano_found = _kano_findings(facts)

    # decisions per quarter
    decisions = []
    for rf in rounds:
        m = facts.metrics[rf.round]
        prev = facts.metrics[rf.round - 1]
        answers = []
        for a in rf.answers:
            q = requests.get(a.request)
            answers.append({
                "verb": RESPONSE_VERB.get(a.response, a.response),
                "who": f"{facts.stakeholders[q.stakeholder].name} ({facts.stakeholders[q.stakeholder].title})" if q else "",
                "what": titles.get(q.feature, q.feature) if q and q.feature else "",
                "ask": q.text if q else a.request,
                "reason": a.reason if a.reason != "none" else "",
                "rationale": a.rationale,
            })
        decisions.append({
            "round": rf.round, "capacity": rf.capacity, "committed": rf.committed, "delivered": rf.delivered,
            "spikes": rf.spikes, "new_work": [titles.get(f, f) for f in rf.plan],
            "shipped": [titles.get(f, f) for f in rf.shipped], "carried": [titles.get(f, f) for f in rf.carried],
            "slipped": [titles.get(f, f) for f in rf.slipped + rf.blocked],
            "studies": [describe_study(x, segs, titles) for x in rf.studies],
            "rationale": rf.rationale, "answers": answers, "news": rf.news,
            "customers": m["customers"], "customers_delta": m["customers"] - prev["customers"],
            "revenue": m["revenue"], "nps": m["nps"],
            "hindsight": [titles.get(f, f) for f in rf.hindsight], "value_share": rf.value_share,
        })
    okrs = facts.okrs
    series = {
        "rounds": list(range(len(facts.metrics))),
        "customers": [m["customers"] for m in facts.metrics],
        "revenue": [m["revenue"] for m in facts.metrics],
        "nps": [m["nps"] for m in facts.metrics],
        "segments": [{"name": seg.name, "customers": [m["segments"][si]["customers"] for m in facts.metrics]}
                     for si, seg in enumerate(sc.market.segments)],
    }
    return {
        "player": player, "title": sc.meta.title, "summary": sc.meta.summary,
        "scenario_id": sc.meta.id, "scenario_version": sc.meta.version, "seed": facts.seed, "quarters": len(rounds),
        "quarters_total": sc.rounds, "finished": facts.finished, "capacity": sc.team.capacity,
        "budget": sc.team.research_budget, "segments": segments, "competitors": competitors,
        "stakeholders": stakeholders, "methods": methods, "findings": findings, "quotes": quotes,
        "kano_found": kano_found, "decisions": decisions, "okrs": okrs, "series": series,
        "start": m0, "end": m1, "shipped": [titles.get(f, f) for f in facts.shipped], "n_features": len(sc.features),
        "score": review["score"], "components": review_components(facts), "review": review,
        "lessons": list(sc.meta.lessons), "accessibility": (sc.market.accessibility, facts.accessibility),
        "usability": (sc.market.usability, facts.usability),
    }


def review_components(facts: Summary) -> dict[str, dict[str, float]]:
    card = facts.card
    return {c: {"value": card["components"][c], "weight": card["weights"][c], "lost": card["points_lost"][c]}
            for c in COMPONENTS}

def _finding(x: dict[str, Any], themes: dict[str, str], segs: dict[str, str], titles: dict[str, str],
             comps: dict[str, str]) -> str:
    m = x["method"]
    q = f"Q{x['round']}"
    if m == "survey":
        needs = sorted(x.get("needs", {}).items(), key=lambda kv: (-kv[1]["estimate"], kv[0]))[:3]
        # a share of what people care about is never below 0: a survey's noisy mean of a need nobody
        # has can be (-0.002), which read "-0%"
        parts = [f"{themes.get(t, t)} {pct(max(v['estimate'], 0.0))} (±{100 * v['ci95']:.1f} pp)" for t, v in needs]
        line = f"{q}, {segs.get(x['segment'], x['segment'])}, n = {x['n']:,}: top needs {', '.join(parts)}"
        if x.get("nps") is not None:
            line += (f"; NPS among the {x['customers_responding']} customers who answered "
                     f"{plus(x['nps'])} (±{1.96 * x['nps_se']:.0f})")
        return line + "."
    if m == "interviews":
        n_cust = sum(1 for z in x.get("quotes", []) if z.get("is_customer"))
        who = ("none of them customers yet" if n_cust == 0 else "one of them a current customer" if n_cust == 1
               else f"{n_cust} of them current customers")
        counts: dict[str, int] = {}
        for z in x.get("quotes", []):
            counts[z["theme"]] = counts.get(z["theme"], 0) + 1
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
        talk = " and ".join(f"{themes.get(t, t)} ({c} of {x['n']})" for t, c in top)
        return (f"{q}, {segs.get(x['segment'], x['segment'])}: {x['n']} interviews ({who}); "
                f"most talked about {talk}.")
    if m == "usability_test":
        f = x.get("found", {})
        u, a = f.get("usability", 0), f.get("accessibility", 0)
        found = ("no problems found" if u + a == 0 else
                 f"{u} usability and {a} accessibility problem{'s' if u + a > 1 else ''} found")
        return (f"{q}, {titles.get(x['feature'], x['feature'])}, {x['n']} users: {found} (a test this size finds "
                f"about {pct(x.get('discovery_share', 0))} of the problems there are).")
    if m == "spike":
        line = (f"{q}, {titles.get(x['feature'], x['feature'])}: estimate {decimal(x['old_estimate'], 1)} → "
                f"{decimal(x['new_estimate'], 1)} engineer-weeks")
        if x.get("moved_to_next"):
            line += f"; {', '.join(titles.get(f, f) for f in x['moved_to_next'])} moved to Next to fit"
        return line + "."
    if m == "ab_test":
        return (f"{q}, {titles.get(x['feature'], x['feature'])}, n = {x['n']:,}: activation "
                f"{signed(x['lift_pp'], 1)} pp (95% CI ±{x['ci95_pp']:.1f} pp).")
    if m == "competitive_analysis":
        moves = x.get("moves", [])
        if not moves:
            return f"{q}: no competitor moves coming in the next two quarters."
        parts = [f"{comps.get(mv['competitor'], mv['competitor'])} in Q{mv['round']}"
                 + (f" ({mv['note']})" if mv.get("note") else "") for mv in moves[:3]]
        return f"{q}: spotted {len(moves)} upcoming move(s): {'; '.join(parts)}."
    return ""


def _quotes(results: list[dict[str, Any]], segs: dict[str, str], themes: dict[str, str],
            limit: int = 4) -> list[dict[str, str]]:
    """A few interview quotes: different words, different segments first."""
    out: list[dict[str, str]] = []
    seen_text: set[str] = set()
    seen_seg: set[str] = set()
    interviews = [x for x in results if x["method"] == "interviews"]
    for pass_ in (0, 1):
        for x in interviews:
            if pass_ == 0 and x["segment"] in seen_seg:
                continue
            for z in x.get("quotes", []):
                if z["text"] in seen_text:
                    continue
                out.append({"text": z["text"], "name": z["name"], "job": z["job"], "company": z["company"],
                            "segment": segs.get(x["segment"], x["segment"]), "round": f"Q{x['round']}",
                            "theme": themes.get(z["theme"], z["theme"])})
                seen_text.add(z["text"])
                seen_seg.add(x["segment"])
                break
            if len(out) >= limit:
                return out
    return out


def _kano_findings(facts: Summary) -> list[str]:
    """What interviews (and A/B tests) suggested about Kano categories, per segment."""
    sc, votes, post = facts.scenario, facts.kano_votes, facts.kano_posterior
    out = []
    words = {"must_be": "a must-have", "attractive": "a delighter", "reverse": "unwelcome",
             "indifferent": "not something they care about"}
    for si, seg in enumerate(sc.market.segments):
        found = []
        for fi, f in enumerate(sc.features):
            n = int(votes[si, fi].sum())
            if n < 3:
                continue
            k = int(post[si, fi].argmax())
            cat = KANO_ORDER[k].value
            if cat in words and post[si, fi, k] >= 0.6:
                found.append((-float(post[si, fi, k]), f.title, cat, n))
        found.sort()
        if found:
            parts = [f"{t} {words[c]} ({-p:.0%} likely, {n} votes)" for p, t, c, n in found[:3]]
            out.append(f"{seg.name}: {'; '.join(parts)}.")
    return out


def kr_text(kr: dict[str, Any], key: str) -> str:
    """A key result's baseline, value or target (`key`) in its unit."""
    return metric_text(kr["metric"], kr[key])

def lessons_of(c: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) pairs: the review's growth areas and practice items, then the scenario's lessons."""
    rv = c["review"]
    out = [("Feedback from my review", g) for g in rv["growth_areas"]]
    out += [("What I am practising next", g) for g in rv["practise_next"][:2]]
    out += [("What this market teaches", x) for x in c["lessons"]]
    return out
