"""The portfolio: a case study of one internship that a student could show an employer.

`portfolio_md(game, player)` and `portfolio_html(game, player)` tell the same story: the product and
its market, the research done and what it found (sample sizes, confidence intervals, interview
quotes), the decisions of every quarter with the player's own rationale, the outcomes (charts in
the HTML: customers, revenue, delivery, score components, OKR grades), the OKR results, the
manager's review and the lessons. Both say plainly that everything in them is simulated.

Everything that comes from a save (player name, rationale, the scenario's own texts) is escaped:
HTML-escaped in the HTML page, Markdown-escaped in the Markdown. The page is one self-contained
file: inline CSS and SVG, no scripts, no external resources. Deterministic: no dates, no randomness.
"""

from __future__ import annotations

import html
import math
import re
from typing import TYPE_CHECKING, Any

from pmsim import numfmt
from pmsim.engine.review import (
    SKILL_TITLE,
    clean_text,
    internship_review,
    round_facts,
)
from pmsim.engine.scoring import okr_grades
from pmsim.engine.state import ENGINE_VERSION
from pmsim.engine.text import byline
from pmsim.engine.values import KANO_ORDER, kano_posterior
from pmsim.scenario.models import COMPONENTS

if TYPE_CHECKING:
    from pmsim.engine.game import Game

SIMULATED = ("All companies, people and numbers in this case study are simulated by pmsim, a "
             "product-management training game; none of them describe a real business or person.")
COMPONENT_LABEL = {
    "customer_impact": "Customer impact", "okr": "OKR attainment", "stakeholder_trust": "Stakeholder trust",
    "prioritization": "Prioritization", "research": "Research value", "delivery": "Delivery",
    "accessibility": "Accessibility",
}
METHOD_LABEL = {
    "survey": "Surveys", "interviews": "Customer interviews", "usability_test": "Usability tests",
    "ab_test": "A/B tests", "competitive_analysis": "Competitive analyses", "spike": "Engineering spikes",
}
BAND_WORD = {"green": "green: on track", "yellow": "yellow: partly there", "red": "red: missed"}
RESPONSE_VERB = {"accept": "Accepted", "defer": "Deferred", "decline": "Declined"}
PALETTE = ["#1f5f99", "#c2571a", "#2e7d4f", "#8e3b8e", "#6b6b00", "#9a2f3f"]
BAND_FILL = {"green": "#2e7d4f", "yellow": "#b58900", "red": "#b3261e"}
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


# ---------------------------------------------------------------------------- the case, as data
def _fmt_int(x: float) -> str:
    return f"{float(x):,.0f}"


def _fmt1(x: float) -> str:
    return numfmt.decimal(x, 1)


def _pct(x: float, digits: int = 0) -> str:
    return numfmt.pct(x, digits)


def _signed(x: float) -> str:
    x = round(float(x))
    return f"{'+' if x >= 0 else '−'}{abs(x):.0f}"


def _change(a: float, b: float) -> str:
    if abs(a) < 1e-12:
        return "new"
    d = (b - a) / abs(a)
    return f"{'+' if d >= 0 else '−'}{abs(100 * d):.0f}%"


def _case(game: Game, player: str) -> dict[str, Any]:
    """Everything both renderers show, as plain (unescaped) text and numbers."""
    sc, st = game.scenario, game.state
    themes = {t.id: t.name for t in sc.market.themes}
    segs = {s.id: s.name for s in sc.market.segments}
    titles = {f.id: f.title for f in sc.features}
    review = internship_review(game, player)
    rounds = round_facts(game)
    requests = {q.id: q for q in st.requests}
    m0, m1 = st.metrics[0], st.metrics[-1]

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
                     "end": s.trust} for s in st.stakeholders.values()]

    # research: what was done, what it found
    methods: dict[str, dict[str, Any]] = {}
    for x in st.research_results:
        m = methods.setdefault(x["method"], {"studies": 0, "sample": 0, "cost": 0.0, "weeks": 0.0})
        m["studies"] += 1
        m["sample"] += int(x.get("n") or 0)
        m["cost"] += float(x.get("cost") or 0.0)
        m["weeks"] += float(x.get("weeks") or 0.0)
    findings: dict[str, list[str]] = {}
    for x in st.research_results:
        line = _finding(x, themes, segs, titles, {c.id: c.name for c in sc.market.competitors})
        if line:
            findings.setdefault(x["method"], []).append(line)
    quotes = _quotes(st.research_results, segs, themes)
    kano_found = _kano_findings(game)

    # decisions per quarter
    decisions = []
    for rf in rounds:
        m = st.metrics[rf.round]
        prev = st.metrics[rf.round - 1]
        answers = []
        for a in rf.answers:
            q = requests.get(a.request)
            answers.append({
                "verb": RESPONSE_VERB.get(a.response, a.response),
                "who": f"{st.stakeholders[q.stakeholder].name} ({st.stakeholders[q.stakeholder].title})" if q else "",
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
            "studies": [_study_label(x, segs, titles) for x in rf.studies],
            "rationale": rf.rationale, "answers": answers, "news": rf.news,
            "customers": m["customers"], "customers_delta": m["customers"] - prev["customers"],
            "revenue": m["revenue"], "nps": m["nps"],
            "hindsight": [titles.get(f, f) for f in rf.hindsight], "value_share": rf.value_share,
        })
    okrs = okr_grades(game) if sc.okrs else []
    series = {
        "rounds": list(range(len(st.metrics))),
        "customers": [m["customers"] for m in st.metrics],
        "revenue": [m["revenue"] for m in st.metrics],
        "nps": [m["nps"] for m in st.metrics],
        "segments": [{"name": seg.name, "customers": [m["segments"][si]["customers"] for m in st.metrics]}
                     for si, seg in enumerate(sc.market.segments)],
    }
    return {
        "player": player, "title": sc.meta.title, "summary": sc.meta.summary,
        "scenario_id": sc.meta.id, "scenario_version": sc.meta.version, "seed": st.seed, "quarters": len(rounds),
        "quarters_total": sc.rounds, "finished": st.finished, "capacity": sc.team.capacity,
        "budget": sc.team.research_budget, "segments": segments, "competitors": competitors,
        "stakeholders": stakeholders, "methods": methods, "findings": findings, "quotes": quotes,
        "kano_found": kano_found, "decisions": decisions, "okrs": okrs, "series": series,
        "start": m0, "end": m1, "shipped": [titles.get(f, f) for f in st.shipped], "n_features": len(sc.features),
        "score": review["score"], "components": review_components(game), "review": review,
        "lessons": list(sc.meta.lessons), "accessibility": (sc.market.accessibility, st.accessibility),
        "usability": (sc.market.usability, st.usability),
    }


def review_components(game: Game) -> dict[str, dict[str, float]]:
    card = game.score()
    return {c: {"value": card["components"][c], "weight": card["weights"][c], "lost": card["points_lost"][c]}
            for c in COMPONENTS}


def _study_label(x: dict[str, Any], segs: dict[str, str], titles: dict[str, str]) -> str:
    m = x["method"]
    if m == "survey":
        return f"survey of {x['n']} ({segs.get(x['segment'], x['segment'])})"
    if m == "interviews":
        return f"{x['n']} interviews ({segs.get(x['segment'], x['segment'])})"
    if m == "usability_test":
        return f"usability test, {x['n']} users ({titles.get(x['feature'], x['feature'])})"
    if m == "ab_test":
        return f"A/B test, n = {x['n']:,} ({titles.get(x['feature'], x['feature'])})"
    if m == "spike":
        return f"spike ({titles.get(x['feature'], x['feature'])})"
    return "competitive analysis"


def _finding(x: dict[str, Any], themes: dict[str, str], segs: dict[str, str], titles: dict[str, str],
             comps: dict[str, str]) -> str:
    m = x["method"]
    q = f"Q{x['round']}"
    if m == "survey":
        needs = sorted(x.get("needs", {}).items(), key=lambda kv: (-kv[1]["estimate"], kv[0]))[:3]
        parts = [f"{themes.get(t, t)} {_pct(v['estimate'])} (±{100 * v['ci95']:.1f} pp)" for t, v in needs]
        line = f"{q}, {segs.get(x['segment'], x['segment'])}, n = {x['n']:,}: top needs {', '.join(parts)}"
        if x.get("nps") is not None:
            line += (f"; NPS among the {x['customers_responding']} customers who answered "
                     f"{_signed(x['nps'])} (±{1.96 * x['nps_se']:.0f})")
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
                f"about {_pct(x.get('discovery_share', 0))} of the problems there are).")
    if m == "spike":
        line = (f"{q}, {titles.get(x['feature'], x['feature'])}: estimate {_fmt1(x['old_estimate'])} → "
                f"{_fmt1(x['new_estimate'])} engineer-weeks")
        if x.get("moved_to_next"):
            line += f"; {', '.join(titles.get(f, f) for f in x['moved_to_next'])} moved to Next to fit"
        return line + "."
    if m == "ab_test":
        return (f"{q}, {titles.get(x['feature'], x['feature'])}, n = {x['n']:,}: activation "
                f"{x['lift_pp']:+.1f} pp (95% CI ±{x['ci95_pp']:.1f} pp).")
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


def _kano_findings(game: Game) -> list[str]:
    """What interviews (and A/B tests) suggested about Kano categories, per segment."""
    st, sc = game.state, game.scenario
    votes = st.beliefs.kano_votes
    post = kano_posterior(votes)
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


# ---------------------------------------------------------------------------- markdown
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LEADING = re.compile(r"^([#+\-=>])")
_MD_ORDERED = re.compile(r"^(\d+)([.)])")


def md(text: Any) -> str:
    """Text from a save, safe inside Markdown: one line; characters that could start markup (emphasis,
    links, code, HTML tags, table cells) backslash-escaped, and a leading block marker (#, +, -, 1.)."""
    t = _MD_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", str(text)).strip())
    return _MD_ORDERED.sub(r"\1\\\2", _MD_LEADING.sub(r"\\\1", t))


def _md_list(items: list[str]) -> str:
    return ", ".join(md(i) for i in items) if items else "—"


def portfolio_md(game: Game, player: str) -> str:
    """The case study as Markdown."""
    c = _case(game, player)
    rv = c["review"]
    out: list[str] = []
    out += [f"# {md(player)}: product-management internship case study", "",
            f"**{md(c['title'])}** · {c['quarters']} quarters · final score {c['score']:.1f}/100", "",
            f"> **Simulated data.** {SIMULATED} Scenario `{c['scenario_id']}` (version {md(c['scenario_version'])}), "
            f"seed {c['seed']}.", ""]
    out += ["## At a glance", ""]
    out += _glance_lines(c)
    out += ["", "## The product and the market", "", md(c["summary"]), ""]
    out += [f"The team had about {_fmt1(c['capacity'])} engineer-weeks a quarter and ${_fmt1(c['budget'])}k a "
            "quarter for research.", ""]
    out += ["| segment | share of market | price / customer / quarter | customers at start → end | top needs |",
            "|---|---:|---:|---:|---|"]
    for s in c["segments"]:
        out.append(f"| {md(s['name'])} | {_pct(s['share'])} | {numfmt.decimal(s['price'], 2)} | {_fmt_int(s['customers_start'])} → "
                   f"{_fmt_int(s['customers_end'])} | {_md_list(s['top_needs'])} |")
    if c["competitors"]:
        out += ["", "| competitor | price vs ours | strongest at | customers at start → end |", "|---|---:|---|---:|"]
        for k in c["competitors"]:
            out.append(f"| {md(k['name'])} | {k['price_index']:.2f}× | {_md_list(k['strengths'])} | "
                       f"{_fmt_int(k['customers_start'])} → {_fmt_int(k['customers_end'])} |")
    if c["stakeholders"]:
        out += ["", "Stakeholders: " + "; ".join(
            f"{md(s['name'])} ({md(s['title'])}), trust {s['start']:.2f} → {s['end']:.2f}" for s in c["stakeholders"])
            + "."]
    out += ["", "## Research: what I did and what it found", ""]
    if not c["methods"]:
        out += ["No research was run in this internship: every decision rested on the team's first estimates.", ""]
    else:
        out += ["| method | studies | sample | cost |", "|---|---:|---:|---:|"]
        for m, v in c["methods"].items():
            sample = _fmt_int(v["sample"]) if v["sample"] else "—"
            cost = f"${_fmt1(v['cost'])}k" if v["cost"] else f"{_fmt1(v['weeks'])} eng-weeks"
            out.append(f"| {METHOD_LABEL[m]} | {v['studies']} | {sample} | {cost} |")
        for m in c["methods"]:
            lines = c["findings"].get(m, [])
            if not lines:
                continue
            out += ["", f"### {METHOD_LABEL[m]}", "", METHOD_NOTE[m], ""]
            out += [f"- {md(x)}" for x in lines[:MAX_ROWS]]
            if len(lines) > MAX_ROWS:
                out.append(f"- … and {len(lines) - MAX_ROWS} more.")
            if m == "interviews":
                if c["kano_found"]:
                    out += ["", "What the interviews suggested (Kano):", ""]
                    out += [f"- {md(x)}" for x in c["kano_found"]]
                if c["quotes"]:
                    out += ["", "In customers' words:", ""]
                    for q in c["quotes"]:
                        out += [f"> “{md(q['text'])}”  ", f"> — {md(byline(q))} "
                                f"({md(q['segment'])}, {q['round']})", ""]
    out += ["", "## Decisions, quarter by quarter", ""]
    for d in c["decisions"]:
        out += [f"### Q{d['round']}", ""]
        out.append(f"- **Capacity:** {_fmt1(d['capacity'])} engineer-weeks; committed {_fmt1(d['committed'])}"
                   + (f" plus {_fmt1(d['spikes'])} of spikes" if d["spikes"] else "")
                   + f"; delivered {_fmt1(d['delivered'])}.")
        out.append(f"- **New work on the roadmap:** {_md_list(d['new_work'])}.")
        if d["studies"]:
            out.append(f"- **Research:** {_md_list(d['studies'])}.")
        if d["rationale"].strip():
            out.append(f"- **Why (my rationale):** “{md(d['rationale'])}”")
        for a in d["answers"]:
            line = f"- **{a['verb']}** a request from {md(a['who'])}" + (f" for {md(a['what'])}" if a["what"] else "")
            line += f" (reason: {md(a['reason'])})" if a["reason"] else ""
            line += f": “{md(a['rationale'])}”" if a["rationale"].strip() else "."
            out.append(line)
        for n in d["news"]:
            out.append(f"- **News:** {md(n)}")
        res = f"shipped {_md_list(d['shipped'])}"
        if d["carried"]:
            res += f"; carried over {_md_list(d['carried'])}"
        if d["slipped"]:
            res += f"; slipped {_md_list(d['slipped'])}"
        out.append(f"- **Outcome:** {res}. Customers {_fmt_int(d['customers'])} "
                   f"({'+' if d['customers_delta'] >= 0 else '−'}{_fmt_int(abs(d['customers_delta']))}), revenue "
                   f"{_fmt_int(d['revenue'])}, NPS {_signed(d['nps'])}.")
        out.append(f"- **In hindsight:** the best roadmap would have been {_md_list(d['hindsight'])}; mine captured "
                   f"{_pct(d['value_share'])} of its value.")
        out.append("")
    out += ["## Outcomes", "", "| quarter | customers | revenue | NPS | churn | activation |",
            "|---:|---:|---:|---:|---:|---:|"]
    for i, m in enumerate(game.state.metrics):
        out.append(f"| {'start' if i == 0 else f'Q{i}'} | {_fmt_int(m['customers'])} | {_fmt_int(m['revenue'])} | "
                   f"{_signed(m['nps'])} | {_pct(m['churn_rate'], 1)} | {_pct(m['activation_rate'], 1)} |")
    out += ["", f"Accessibility {c['accessibility'][0]:.2f} → {c['accessibility'][1]:.2f}; usability "
            f"{c['usability'][0]:.2f} → {c['usability'][1]:.2f}.", ""]
    if c["okrs"]:
        out += ["## OKR results", ""]
        for o in c["okrs"]:
            out.append(f"- **{md(o['objective'])}** ({o['kind']}): {o['grade']:.2f}, {BAND_WORD[o['band']]}")
            for kr in o["key_results"]:
                out.append(f"  - {md(kr['description'] or kr['metric'])}: {_kr(kr, 'baseline')} → {_kr(kr, 'value')} "
                           f"(target {_kr(kr, 'target')}), grade {kr['grade']:.2f}")
        out.append("")
    out += ["## Score", "", "| component | score (0–1) | weight | points lost |", "|---|---:|---:|---:|"]
    for k, v in c["components"].items():
        out.append(f"| {COMPONENT_LABEL[k]} | {v['value']:.2f} | {_pct(v['weight'])} | {v['lost']:.1f} |")
    out += ["", f"**Total: {c['score']:.1f} / 100.**", ""]
    out += ["## My manager's review", "",
            f"**{rv['rating']['label']}.** Return offer: **{rv['offer']['label']}**.", "", md(rv["summary"]), "",
            md(rv["offer"]["reasoning"]), ""]
    out += [f"- {SKILL_TITLE[s['skill']]}: {s['rating']}/5" for s in rv["skills"]]
    out += ["", "## Lessons", ""]
    out += [f"- **{label}:** {md(text)}" for label, text in _lessons(c)]
    out += ["", "---", "", f"_{SIMULATED} Generated by pmsim (engine {ENGINE_VERSION}) from a replay of the saved "
            "game._", ""]
    return "\n".join(out)


def _kr(kr: dict[str, Any], key: str) -> str:
    v = float(kr[key])
    if kr["metric"] in ("churn_rate", "activation_rate", "market_share", "satisfaction"):
        return _pct(v, 1)
    if kr["metric"] in ("accessibility", "usability", "tech_debt"):
        return f"{v:.2f}"
    if kr["metric"] == "nps":
        return _signed(v)
    return _fmt_int(v)


def _glance_lines(c: dict[str, Any]) -> list[str]:
    rv = c["review"]
    s0, s1 = c["start"], c["end"]
    greens = sum(o["band"] == "green" for o in c["okrs"])
    lines = [
        f"- **Role:** product-management intern for {c['quarters']} quarters"
        + ("" if c["finished"] else f" (of {c['quarters_total']}; the game is still in progress)") + ".",
        f"- **Shipped:** {len(c['shipped'])} of {c['n_features']} roadmap items.",
        f"- **Customers:** {_fmt_int(s0['customers'])} → {_fmt_int(s1['customers'])} "
        f"({_change(s0['customers'], s1['customers'])}); **revenue per quarter:** {_fmt_int(s0['revenue'])} → "
        f"{_fmt_int(s1['revenue'])} ({_change(s0['revenue'], s1['revenue'])}); **NPS:** {_signed(s0['nps'])} → "
        f"{_signed(s1['nps'])}.",
    ]
    if c["okrs"]:
        lines.append(f"- **OKRs:** {greens} of {len(c['okrs'])} objectives green.")
    studies = sum(v["studies"] for v in c["methods"].values())
    lines.append(f"- **Research:** {studies} studies.")
    lines.append(f"- **Manager's review:** {rv['rating']['label']}; return offer: {rv['offer']['label'].lower()}.")
    return lines


def _lessons(c: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) pairs: the review's growth areas and practice items, then the scenario's lessons."""
    rv = c["review"]
    out = [("Feedback from my review", g) for g in rv["growth_areas"]]
    out += [("What I am practising next", g) for g in rv["practise_next"][:2]]
    out += [("What this market teaches", x) for x in c["lessons"]]
    return out


# ---------------------------------------------------------------------------- html + svg
def e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _nice_ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    t = start
    while t <= hi + step * 0.5:
        ticks.append(round(t, 10))
        t += step
    return ticks


def _tick_label(v: float) -> str:
    a = abs(v)
    if a >= 1_000_000:
        return f"{numfmt.decimal(v / 1_000_000, 2)}M"
    if a >= 1000:
        return f"{numfmt.decimal(v / 1000, 2)}k"
    return numfmt.decimal(v, 3)


def svg_line_chart(chart_id: str, title: str, xs: list[int], series: list[dict[str, Any]], width: int = 440,
                   height: int = 240, zero: bool = True) -> str:
    """A line chart: one <path class="line"> and its points per series, axes, ticks and a legend."""
    left, right, top, bottom = 54, 12, 28, 40
    legend_h = 16 * ((len(series) + 1) // 2) if len(series) > 1 else 0
    height += legend_h
    vals = [v for s in series for v in s["values"]]
    lo = min(vals + ([0.0] if zero else []))
    hi = max(vals) if vals else 1.0
    ticks = _nice_ticks(lo, hi)
    lo, hi = ticks[0], ticks[-1]
    pw, ph = width - left - right, height - top - bottom - legend_h
    x0 = min(xs) if xs else 0
    x1 = max(xs) if xs else 1

    def px(x: float) -> float:
        return left + (x - x0) / max(x1 - x0, 1) * pw

    def py(y: float) -> float:
        return top + ph - (y - lo) / max(hi - lo, 1e-12) * ph

    parts = [f'<svg class="chart" id="{e(chart_id)}" role="img" aria-labelledby="{e(chart_id)}-t" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{e(chart_id)}-t">{e(title)}</title>',
             f'<text x="{left}" y="16" class="ct">{e(title)}</text>']
    for t in ticks:
        y = py(t)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{e(_tick_label(t))}</text>')
    for x in xs:
        parts.append(f'<text x="{px(x):.1f}" y="{top + ph + 16}" text-anchor="middle" class="tick">'
                     f'{"start" if x == 0 else f"Q{x}"}</text>')
    parts.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + ph}" class="axis"/>'
                 f'<line x1="{left}" x2="{width - right}" y1="{top + ph}" y2="{top + ph}" class="axis"/>')
    for si, s in enumerate(series):
        col = PALETTE[si % len(PALETTE)]
        dash = ' stroke-dasharray="5 3"' if si % 2 else ""
        pts = " ".join(f"{'M' if i == 0 else 'L'}{px(x):.1f},{py(v):.1f}" for i, (x, v) in enumerate(
            zip(xs, s["values"], strict=True)))
        parts.append(f'<path class="line" d="{pts}" fill="none" stroke="{col}" stroke-width="2.2"{dash}>'
                     f'<title>{e(s["name"])}</title></path>')
        for x, v in zip(xs, s["values"], strict=True):
            parts.append(f'<circle class="pt" cx="{px(x):.1f}" cy="{py(v):.1f}" r="3" fill="{col}">'
                         f'<title>{e(s["name"])}, {"start" if x == 0 else f"Q{x}"}: {e(_fmt_int(v))}</title></circle>')
    if len(series) > 1:
        for si, s in enumerate(series):
            lx = left + (si % 2) * (pw / 2)
            ly = top + ph + 34 + 16 * (si // 2)
            col = PALETTE[si % len(PALETTE)]
            dash = ' stroke-dasharray="5 3"' if si % 2 else ""
            parts.append(f'<line x1="{lx:.1f}" x2="{lx + 18:.1f}" y1="{ly - 4}" y2="{ly - 4}" stroke="{col}" '
                         f'stroke-width="2.2"{dash}/><text x="{lx + 22:.1f}" y="{ly}" class="tick">{e(s["name"])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def svg_hbars(chart_id: str, title: str, rows: list[dict[str, Any]], width: int = 440, label_w: int = 150,
              row_h: int = 24, mark: float | None = None) -> str:
    """Horizontal bars 0..1: rows of {label, value, text, fill}; the value is written beside each bar
    (so nothing rests on colour alone); `mark` draws a dashed reference line (e.g. 0.7 for OKRs)."""
    top = 34
    height = top + row_h * len(rows) + 10
    pw = width - label_w - 120
    parts = [f'<svg class="chart" id="{e(chart_id)}" role="img" aria-labelledby="{e(chart_id)}-t" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{e(chart_id)}-t">{e(title)}</title>',
             f'<text x="10" y="18" class="ct">{e(title)}</text>']
    for i, r in enumerate(rows):
        y = top + i * row_h
        w = max(min(float(r["value"]), 1.0), 0.0) * pw
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" class="lab">{e(r["label"])}</text>'
                     f'<rect class="track" x="{label_w}" y="{y + 3}" width="{pw}" height="{row_h - 8}"/>'
                     f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
                     f'fill="{r.get("fill", PALETTE[0])}"><title>{e(r["label"])}: {e(r["text"])}</title></rect>'
                     f'<text x="{label_w + pw + 6}" y="{y + 15}" class="lab">{e(r["text"])}</text>')
    if mark is not None:
        mx = label_w + mark * pw
        parts.append(f'<line class="mark" x1="{mx:.1f}" x2="{mx:.1f}" y1="{top - 2}" y2="{height - 8}" stroke="#333" '
                     f'stroke-dasharray="4 3"/><text x="{mx:.1f}" y="{top - 5}" text-anchor="middle" '
                     f'class="tick">{numfmt.decimal(mark, 3)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def svg_delivery(chart_id: str, decisions: list[dict[str, Any]], width: int = 440, height: int = 240) -> str:
    """Per quarter: capacity (outline), committed and delivered (bars), in engineer-weeks."""
    left, right, top, bottom = 44, 10, 28, 56
    n = max(len(decisions), 1)
    hi = max([d["capacity"] for d in decisions] + [d["committed"] + d["spikes"] for d in decisions] + [1.0])
    ticks = _nice_ticks(0.0, hi)
    hi = ticks[-1]
    pw, ph = width - left - right, height - top - bottom
    gw = pw / n

    def py(v: float) -> float:
        return top + ph - v / hi * ph

    title = "Engineer-weeks per quarter"
    parts = [f'<svg class="chart" id="{e(chart_id)}" role="img" aria-labelledby="{e(chart_id)}-t" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{e(chart_id)}-t">{e(title)}</title>', f'<text x="{left}" y="16" class="ct">{e(title)}</text>']
    for t in ticks:
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{py(t):.1f}" y2="{py(t):.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{py(t) + 4:.1f}" text-anchor="end" class="tick">{numfmt.decimal(t, 3)}</text>')
    for i, d in enumerate(decisions):
        x = left + i * gw
        bw = gw * 0.32
        parts.append(f'<rect class="cap" x="{x + gw * 0.12:.1f}" y="{py(d["capacity"]):.1f}" width="{gw * 0.76:.1f}" '
                     f'height="{ph - (py(d["capacity"]) - top):.1f}" fill="none" stroke="#555" stroke-dasharray="3 2">'
                     f'<title>Q{d["round"]} capacity {_fmt1(d["capacity"])} wk</title></rect>')
        for j, (key, col, label) in enumerate((("committed", "#1f5f99", "committed"),
                                               ("delivered", "#2e7d4f", "delivered"))):
            v = d[key]
            parts.append(f'<rect class="bar" x="{x + gw * 0.16 + j * bw * 1.05:.1f}" y="{py(v):.1f}" width="{bw:.1f}" '
                         f'height="{ph - (py(v) - top):.1f}" fill="{col}"><title>Q{d["round"]} {label} '
                         f'{_fmt1(v)} wk</title></rect>')
        parts.append(f'<text x="{x + gw / 2:.1f}" y="{top + ph + 16}" text-anchor="middle" class="tick">'
                     f'Q{d["round"]}</text>')
    ly = height - 14
    parts.append(f'<rect x="{left}" y="{ly - 10}" width="12" height="12" fill="#1f5f99"/>'
                 f'<text x="{left + 16}" y="{ly}" class="tick">committed</text>'
                 f'<rect x="{left + 100}" y="{ly - 10}" width="12" height="12" fill="#2e7d4f"/>'
                 f'<text x="{left + 116}" y="{ly}" class="tick">delivered (shipped)</text>'
                 f'<rect x="{left + 250}" y="{ly - 10}" width="12" height="12" fill="none" stroke="#555" '
                 f'stroke-dasharray="3 2"/><text x="{left + 266}" y="{ly}" class="tick">capacity</text>')
    parts.append("</svg>")
    return "".join(parts)


CSS = """
:root{--ink:#1d1d1f;--muted:#5b5b60;--line:#d9d9de;--accent:#1f5f99;--bg:#fff;--panel:#f6f7f9}
*{box-sizing:border-box}
body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg);
max-width:960px;margin:0 auto;padding:1.5em 1.2em 3em}
h1{font-size:1.8em;line-height:1.2;margin:.2em 0 .1em}h2{font-size:1.3em;margin:1.8em 0 .5em;
border-bottom:2px solid var(--line);padding-bottom:.2em}h3{font-size:1.05em;margin:1.2em 0 .3em}
.sub{color:var(--muted);margin:0 0 1em}
.notice{background:#fff7e0;border:1px solid #e0c26a;border-radius:6px;padding:.6em .9em;margin:1em 0}
.glance{display:grid;grid-template-columns:repeat(3,1fr);gap:.6em;margin:1em 0}
@media (max-width:600px){.glance{grid-template-columns:1fr 1fr}}
td.skill{min-width:9em}td.stars,.nw{white-space:nowrap}
.kpi{background:var(--panel);border-radius:8px;padding:.6em .8em}.kpi b{display:block;font-size:1.35em}
.kpi span{color:var(--muted);font-size:.88em}
table{border-collapse:collapse;margin:.8em 0;width:100%;font-size:.93em}
th,td{border-bottom:1px solid var(--line);padding:.3em .5em;text-align:left;vertical-align:top}
th{background:var(--panel)}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(440px,100%),1fr));gap:1em;margin:1em 0}
.chart{max-width:100%;height:auto;background:var(--panel);border-radius:8px}
.chart .ct{font-size:13px;font-weight:600;fill:var(--ink)}.chart .tick{font-size:11px;fill:var(--muted)}
.chart .lab{font-size:12px;fill:var(--ink)}.chart .grid{stroke:#e3e3e8}.chart .axis{stroke:#888}
.chart .track{fill:#e8e8ec}
blockquote{margin:.6em 0;padding:.3em 1em;border-left:4px solid var(--accent);background:var(--panel)}
blockquote p{margin:.2em 0}blockquote footer{color:var(--muted);font-size:.9em}
.quarter{border:1px solid var(--line);border-radius:8px;padding:.4em 1em .6em;margin:.8em 0}
.quarter ul{margin:.3em 0;padding-left:1.2em}.why{font-style:italic}
.rating{font-size:1.1em}.stars{letter-spacing:2px;color:var(--accent)}
footer.page{margin-top:3em;color:var(--muted);font-size:.9em;border-top:1px solid var(--line);padding-top:.8em}
"""


def _html_list(items: list[str]) -> str:
    return e(", ".join(items)) if items else "—"


def portfolio_html(game: Game, player: str) -> str:
    """The case study as one self-contained HTML page with inline SVG charts."""
    c = _case(game, player)
    rv = c["review"]
    s0, s1 = c["start"], c["end"]
    b: list[str] = []
    b.append(f"<header><h1>{e(player)}: product-management internship case study</h1>"
             f"<p class=sub>{e(c['title'])} · {c['quarters']} quarters · scenario <code>{e(c['scenario_id'])}</code>, "
             f"seed {c['seed']}</p>"
             f'<p class=notice role="note"><strong>Simulated data.</strong> {e(SIMULATED)}</p></header>')
    greens = sum(o["band"] == "green" for o in c["okrs"])
    kpis = [
        (f"{c['score']:.1f}/100", "final score"),
        (rv["rating"]["label"], f"review · offer: {rv['offer']['label'].lower()}"),
        (f"{_fmt_int(s1['customers'])}", f"customers ({_change(s0['customers'], s1['customers'])} from "
                                         f"{_fmt_int(s0['customers'])})"),
        (f"{_fmt_int(s1['revenue'])}", f"revenue / quarter ({_change(s0['revenue'], s1['revenue'])})"),
        (f"{len(c['shipped'])} of {c['n_features']}", "roadmap items shipped"),
    ]
    if c["okrs"]:
        kpis.append((f"{greens} of {len(c['okrs'])}", "OKRs green"))
    b.append("<section aria-label=\"At a glance\"><div class=glance>" + "".join(
        f"<div class=kpi><b>{e(v)}</b><span>{e(k)}</span></div>" for v, k in kpis) + "</div></section>")

    # product and market
    b.append("<section><h2>The product and the market</h2>"
             f"<p>{e(c['summary'])}</p><p>The team had about {e(_fmt1(c['capacity']))} engineer-weeks a quarter and "
             f"${e(_fmt1(c['budget']))}k a quarter for research.</p>")
    b.append("<table><caption class=sub>Customer segments</caption><tr><th>segment</th><th class=n>share of market"
             "</th><th class=n>price / customer / quarter</th><th class=n>customers, start → end</th>"
             "<th>top needs</th></tr>")
    for s in c["segments"]:
        b.append(f"<tr><td>{e(s['name'])}</td><td class=n>{_pct(s['share'])}</td><td class=n>{numfmt.decimal(s['price'], 2)}</td>"
                 f"<td class=n>{_fmt_int(s['customers_start'])} → {_fmt_int(s['customers_end'])}</td>"
                 f"<td>{_html_list(s['top_needs'])}</td></tr>")
    b.append("</table>")
    if c["competitors"]:
        b.append("<table><caption class=sub>Competitors</caption><tr><th>competitor</th><th class=n>price vs ours"
                 "</th><th>strongest at</th><th class=n>customers, start → end</th></tr>")
        for k in c["competitors"]:
            b.append(f"<tr><td>{e(k['name'])}</td><td class=n>{k['price_index']:.2f}×</td>"
                     f"<td>{_html_list(k['strengths'])}</td><td class=n>{_fmt_int(k['customers_start'])} → "
                     f"{_fmt_int(k['customers_end'])}</td></tr>")
        b.append("</table>")
    if c["stakeholders"]:
        b.append("<table><caption class=sub>Stakeholders</caption><tr><th>who</th><th class=n>trust at start</th>"
                 "<th class=n>trust at end</th></tr>")
        for s in c["stakeholders"]:
            b.append(f"<tr><td>{e(s['name'])} ({e(s['title'])})</td><td class=n>{s['start']:.2f}</td>"
                     f"<td class=n>{s['end']:.2f}</td></tr>")
        b.append("</table>")
    b.append("</section>")

    # research
    b.append("<section><h2>Research: what I did and what it found</h2>")
    if not c["methods"]:
        b.append("<p>No research was run in this internship: every decision rested on the team's first "
                 "estimates.</p>")
    else:
        b.append("<table><tr><th>method</th><th class=n>studies</th><th class=n>sample</th><th class=n>cost</th></tr>")
        for m, v in c["methods"].items():
            sample = _fmt_int(v["sample"]) if v["sample"] else "—"
            cost = f"${_fmt1(v['cost'])}k" if v["cost"] else f"{_fmt1(v['weeks'])} eng-weeks"
            b.append(f"<tr><td>{METHOD_LABEL[m]}</td><td class=n>{v['studies']}</td><td class=n>{sample}</td>"
                     f"<td class=n>{e(cost)}</td></tr>")
        b.append("</table>")
        for m in c["methods"]:
            lines = c["findings"].get(m, [])
            if not lines:
                continue
            b.append(f"<h3>{METHOD_LABEL[m]}</h3><p class=sub>{e(METHOD_NOTE[m])}</p><ul>" + "".join(f"<li>{e(x)}</li>" for x in lines[:MAX_ROWS])
                     + (f"<li>… and {len(lines) - MAX_ROWS} more.</li>" if len(lines) > MAX_ROWS else "") + "</ul>")
            if m == "interviews":
                if c["kano_found"]:
                    b.append("<p>What the interviews suggested (Kano):</p><ul>"
                             + "".join(f"<li>{e(x)}</li>" for x in c["kano_found"]) + "</ul>")
                if c["quotes"]:
                    b.append("<p>In customers' words:</p>")
                for q in c["quotes"]:
                    b.append(f"<blockquote><p>“{e(q['text'])}”</p><footer>— {e(byline(q))} "
                             f"({e(q['segment'])}, {e(q['round'])})</footer></blockquote>")
    b.append("</section>")

    # decisions
    b.append("<section><h2>Decisions, quarter by quarter</h2>")
    for d in c["decisions"]:
        items = [f"<li><strong>Capacity:</strong> {_fmt1(d['capacity'])} engineer-weeks; committed "
                 f"{_fmt1(d['committed'])}" + (f" plus {_fmt1(d['spikes'])} of spikes" if d["spikes"] else "")
                 + f"; delivered {_fmt1(d['delivered'])}.</li>",
                 f"<li><strong>New work on the roadmap:</strong> {_html_list(d['new_work'])}.</li>"]
        if d["studies"]:
            items.append(f"<li><strong>Research:</strong> {_html_list(d['studies'])}.</li>")
        if d["rationale"].strip():
            items.append(f"<li><strong>Why (my rationale):</strong> <span class=why>“{e(d['rationale'])}”</span></li>")
        for a in d["answers"]:
            line = f"<li><strong>{e(a['verb'])}</strong> a request from {e(a['who'])}" + (
                f" for {e(a['what'])}" if a["what"] else "")
            line += f" (reason: {e(a['reason'])})" if a["reason"] else ""
            line += (f": <span class=why>“{e(a['rationale'])}”</span>" if a["rationale"].strip() else ".") + "</li>"
            items.append(line)
        for n in d["news"]:
            items.append(f"<li><strong>News:</strong> {e(n)}</li>")
        res = f"shipped {_html_list(d['shipped'])}"
        if d["carried"]:
            res += f"; carried over {_html_list(d['carried'])}"
        if d["slipped"]:
            res += f"; slipped {_html_list(d['slipped'])}"
        delta = d["customers_delta"]
        items.append(f"<li><strong>Outcome:</strong> {res}. Customers {_fmt_int(d['customers'])} "
                     f"({'+' if delta >= 0 else '−'}{_fmt_int(abs(delta))}), revenue {_fmt_int(d['revenue'])}, "
                     f"NPS {_signed(d['nps'])}.</li>")
        items.append(f"<li><strong>In hindsight:</strong> the best roadmap would have been "
                     f"{_html_list(d['hindsight'])}; mine captured {_pct(d['value_share'])} of its value.</li>")
        b.append(f"<article class=quarter><h3>Q{d['round']}</h3><ul>{''.join(items)}</ul></article>")
    b.append("</section>")

    # outcomes
    ser = c["series"]
    seg_series = [{"name": s["name"], "values": s["customers"]} for s in ser["segments"]]
    b.append("<section><h2>Outcomes</h2><div class=charts>")
    b.append(svg_line_chart("customers-chart", "Paying customers", ser["rounds"],
                            [{"name": "All customers", "values": ser["customers"]}]))
    b.append(svg_line_chart("revenue-chart", "Revenue per quarter", ser["rounds"],
                            [{"name": "Revenue", "values": ser["revenue"]}]))
    if len(seg_series) > 1:
        b.append(svg_line_chart("segments-chart", "Paying customers by segment", ser["rounds"], seg_series))
    b.append(svg_delivery("delivery-chart", c["decisions"]))
    b.append("</div>")
    b.append("<table><tr><th>quarter</th><th class=n>customers</th><th class=n>revenue</th><th class=n>NPS</th>"
             "<th class=n>churn</th><th class=n>activation</th></tr>")
    for i, m in enumerate(game.state.metrics):
        b.append(f"<tr><td>{'start' if i == 0 else f'Q{i}'}</td><td class=n>{_fmt_int(m['customers'])}</td>"
                 f"<td class=n>{_fmt_int(m['revenue'])}</td><td class=n>{_signed(m['nps'])}</td>"
                 f"<td class=n>{_pct(m['churn_rate'], 1)}</td><td class=n>{_pct(m['activation_rate'], 1)}</td></tr>")
    b.append(f"</table><p>Accessibility {c['accessibility'][0]:.2f} → {c['accessibility'][1]:.2f}; usability "
             f"{c['usability'][0]:.2f} → {c['usability'][1]:.2f}.</p></section>")

    # OKRs
    if c["okrs"]:
        b.append("<section><h2>OKR results</h2><div class=charts>")
        b.append(svg_hbars("okr-chart", "OKR grades (0–1; 0.7 and up is green)", [
            {"label": clean_text(o["objective"], 24), "value": o["grade"], "fill": BAND_FILL[o["band"]],
             "text": f"{o['grade']:.2f} {o['band']}"} for o in c["okrs"]], width=520, label_w=190, mark=0.7))
        b.append("</div><table><tr><th>objective / key result</th><th class=n>start</th><th class=n>end</th>"
                 "<th class=n>target</th><th class=n>grade</th></tr>")
        for o in c["okrs"]:
            b.append(f"<tr><th colspan=4>{e(o['objective'])} <span class=sub>({e(o['kind'])})</span></th>"
                     f"<th class='n nw'>{o['grade']:.2f} · {e(BAND_WORD[o['band']])}</th></tr>")
            for kr in o["key_results"]:
                b.append(f"<tr><td>{e(kr['description'] or kr['metric'])}</td><td class=n>{_kr(kr, 'baseline')}</td>"
                         f"<td class=n>{_kr(kr, 'value')}</td><td class=n>{_kr(kr, 'target')}</td>"
                         f"<td class=n>{kr['grade']:.2f}</td></tr>")
        b.append("</table></section>")

    # score
    b.append("<section><h2>Score</h2><div class=charts>")
    b.append(svg_hbars("components-chart", f"Score components (0–1); total {c['score']:.1f}/100", [
        {"label": COMPONENT_LABEL[k], "value": v["value"], "fill": PALETTE[0],
         "text": f"{v['value']:.2f} · weight {_pct(v['weight'])}"} for k, v in c["components"].items()],
        width=520, label_w=150))
    b.append("</div></section>")

    # review
    b.append("<section><h2>My manager's review</h2>"
             f"<p class=rating><strong>{e(rv['rating']['label'])}</strong>. Return offer: "
             f"<strong>{e(rv['offer']['label'])}</strong>.</p><p>{e(rv['summary'])}</p>"
             f"<p>{e(rv['offer']['reasoning'])}</p>")
    b.append("<table><tr><th>skill</th><th class=n>rating</th><th>what the review says</th></tr>")
    for s in rv["skills"]:
        stars = "●" * s["rating"] + "○" * (5 - s["rating"])
        b.append(f"<tr><td class=skill>{e(SKILL_TITLE[s['skill']])}</td><td class='n stars'><span class=stars aria-hidden=true>"
                 f"{stars}</span> {s['rating']}/5</td><td>{e(s['paragraph'])}</td></tr>")
    b.append("</table></section>")

    # lessons
    b.append("<section><h2>Lessons</h2><ul>" + "".join(f"<li><strong>{e(label)}:</strong> {e(text)}</li>"
                                                          for label, text in _lessons(c)) + "</ul></section>")
    b.append(f'<footer class=page><p><strong>Simulated data.</strong> {e(SIMULATED)}</p><p>Generated by pmsim '
             f"(engine {e(ENGINE_VERSION)}) from a replay of the saved game: scenario <code>{e(c['scenario_id'])}"
             f"</code> version {e(c['scenario_version'])}, seed {c['seed']}.</p></footer>")
    return ("<!doctype html><html lang=en><head><meta charset=utf-8>"
            '<meta name=viewport content="width=device-width, initial-scale=1">'
            "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:\">"
            f"<title>{e(player)}: PM internship case study, {e(c['title'])} (simulated)</title>"
            f"<style>{CSS}</style></head><body><main>" + "\n".join(b) + "</main></body></html>\n")
