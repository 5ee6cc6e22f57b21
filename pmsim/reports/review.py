"""The end-of-internship review: what a manager would write after the last quarter.

`internship_review(game)` (a `Game`, or its `engine.summary.Summary`: the review reads only that)
returns a JSON-able dict: an overall rating, a return-offer decision with its reasoning, and a
paragraph per skill the role needs (DOMAIN.md), each rated 1-5. Ratings come from the score
components (scoring.SKILLS) and the player's own decisions (the action log, the requests they
answered, the studies they ran, the rationale they wrote); the prose quotes rounds and numbers
from this game. After the game the truth is fair game, as in the debrief.

Pure and deterministic: no randomness, no clock, no I/O; the same game always gets the same words.
`render_review_text(review)` prints it as Markdown-flavoured plain text.
"""


from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from pmsim.engine.scoring import SKILL_ORDER, SKILLS, skill_order, skill_ratings
from pmsim.engine.summary import MISTAKES, Summary, mistakes, summarize, verdict
from pmsim.numfmt import money
from pmsim.reports.review_skills import (
    _analytical,
    _communication,
    _customer_centric,
    _problem_solving,
    _project_management,
)
from pmsim.reports.review_words import (
    ADVICE,
    COMPONENT_NAME,
    OFFERS,
    RATINGS,
    SKILL_TITLE,
    Skill,
    _cap,
    _change,
    _count,
    _Ctx,
    _int,
    _join,
    _rating_of,
    _tidy,
    clean_text,
)

if TYPE_CHECKING:
    from pmsim.engine.game import Game

__all__ = ["SKILL_TITLE", "clean_text", "internship_review", "render_review_text"]


# ---------------------------------------------------------------------------- the review
def internship_review(game: Game | Summary, player: str | None = None) -> dict[str, Any]:
    """The manager's review of a game with at least one completed round (ValueError otherwise)."""
    facts = game if isinstance(game, Summary) else summarize(game)
    if not facts.rounds:
        raise ValueError("no quarter has been completed yet: there is nothing to review")
    ctx = _Ctx(facts, player)
    s = ctx.summary
    sc = facts.scenario
    skills = [_analytical(ctx), _problem_solving(ctx), _communication(ctx), _project_management(ctx),
              _customer_centric(ctx)]
    card = facts.card
    official = skill_ratings(card)  # the debrief ranks skills by the same numbers
    order = skill_order(card)
    for k in skills:
        k.paragraph, k.good, k.bad = _tidy(k.paragraph), _tidy(k.good), _tidy(k.bad)
        k.rating = official[k.skill]["rating"]
    ratings = {k.skill: k.rating for k in skills}
    score = float(s["score"])
    rating, offer = verdict(score, [k.rating for k in skills])
    finished = facts.finished
    by_rating = sorted(skills, key=lambda k: order[::-1].index(k.skill))
    strengths = [f"{SKILL_TITLE[k.skill]} ({k.rating}/5): {k.good}" for k in by_rating if k.rating >= 4 and k.good]
    if not strengths:
        top = by_rating[0]
        if top.good or any(k.rating != top.rating for k in skills):
            strengths = [f"{SKILL_TITLE[top.skill]} ({top.rating}/5) was your relative strength"
                         + (f": {top.good}" if top.good else ".")]
        else:  # every skill rated alike, none with a good word: no "relative strength" beside "even"
            strengths = [f"None stood out yet: every skill was rated {top.rating}/5."]
    growth_src = sorted(skills, key=lambda k: order.index(k.skill))
    growth = [f"{SKILL_TITLE[k.skill]} ({k.rating}/5): {k.bad}" for k in growth_src if k.rating <= 3 and k.bad][:3]
    if not growth:
        k = growth_src[0]
        growth = [f"{SKILL_TITLE[k.skill]} ({k.rating}/5)" + (f": {k.bad}" if k.bad else
                                                               " is where the next step up lies.")]
    # what to practise: the components that cost most points, skipping those already rated 4 or 5
    lost = sorted(((c, p) for c, p in s["points_lost"].items() if p > 0.05), key=lambda kv: (-kv[1], kv[0]))
    weak_first = [kv for kv in lost if _rating_of(kv[0], s["components"][kv[0]]) <= 3]
    picks = (weak_first + [kv for kv in lost if kv not in weak_first])[:3]
    practise = [f"{_cap(COMPONENT_NAME[c])} ({SKILLS[c]}, −{p:.1f} points): {ADVICE[c]}" for c, p in picks]
    rationales = []
    for r in ctx.rounds:
        if r.rationale.strip():
            rationales.append({"round": r.round, "kind": "roadmap", "about": None, "text": r.rationale})
    for a in ctx.answers:
        if a.rationale.strip():
            rationales.append({"round": a.round, "kind": a.response, "about": a.request, "text": a.rationale})
    rationales.sort(key=lambda x: x["round"])
    review = {
        "player": player,
        "scenario": {"id": sc.meta.id, "title": sc.meta.title},
        "seed": facts.seed,
        "quarters_played": len(ctx.rounds),
        "quarters_total": sc.rounds,
        "final": finished,
        "score": round(score, 1),
        "rating": {"key": rating, "label": RATINGS[rating]},
        "offer": {"decision": offer, "label": OFFERS[offer],
                  "reasoning": _offer_reasoning(ctx, offer, rating, skills)},
        "summary": _summary_paragraph(ctx, skills),
        "skills": [{"skill": k.skill, "rating": k.rating, "components": k.components, "basis": k.basis,
                    "paragraph": k.paragraph} for k in skills],
        "skill_ratings": ratings,
        "strengths": strengths,
        "growth_areas": growth,
        "practise_next": practise,
        "mistakes": [{"key": m, "text": MISTAKES[m]} for m in mistakes(s)],
        "rationales": rationales,
    }
    return review


def _summary_paragraph(ctx: _Ctx, skills: list[Skill]) -> str:
    s, facts, sc = ctx.summary, ctx.facts, ctx.sc
    m0, m1 = facts.metrics[0], facts.metrics[-1]
    quarters = _count(ctx.n, "quarter")
    lead = (f"Over {quarters} you shipped {len(facts.shipped)} of "
            f"{len(sc.features)} features, ")
    if not facts.finished:
        lead = (f"This is an interim review after {quarters} of {sc.rounds}. So far you "
                f"have shipped {len(facts.shipped)} of {len(sc.features)} features, ")
    lead += (f"took paying customers from {_int(m0['customers'])} to {_int(m1['customers'])} "
             f"({_change(m0['customers'], m1['customers'])}) and quarterly revenue from {money(m0['revenue'])} to "
             f"{money(m1['revenue'])} ({_change(m0['revenue'], m1['revenue'])}).")
    lost = sorted(s["points_lost"].items(), key=lambda kv: (-kv[1], kv[0]))
    lost = [(c, p) for c, p in lost if p >= 0.5][:2]
    line = f" Your score was {s['score']:.1f} out of 100"
    if lost:
        line += "; the most points were lost on " + _join([f"{COMPONENT_NAME[c]} ({p:.1f})" for c, p in lost])
    top = max(skills, key=lambda k: (k.rating, -SKILL_ORDER.index(k.skill)))
    bottom = min(skills, key=lambda k: (k.rating, SKILL_ORDER.index(k.skill)))
    if top.rating > bottom.rating:
        line += (f". Your strongest skill was {top.skill} ({top.rating}/5) and the one to work on is "
                 f"{bottom.skill} ({bottom.rating}/5).")
    else:
        line += f". Your skills were even, all at {top.rating}/5."
    return lead + line


def _offer_reasoning(ctx: _Ctx, offer: str, rating: str, skills: list[Skill]) -> str:
    best = sorted(skills, key=lambda k: (-k.rating, SKILL_ORDER.index(k.skill)))
    worst = sorted(skills, key=lambda k: (k.rating, SKILL_ORDER.index(k.skill)))
    strong = [k for k in best if k.rating >= 4]
    weak = [k for k in worst if k.rating <= 2]
    if offer == "yes":
        if strong:
            out = f"Yes, I'd hire you back. {_cap(_join([k.skill for k in strong[:3]]))} stood out."
            g = next((k.good for k in strong if k.good), "")
            out += f" {g}" if g else ""
        else:
            out = "Yes, I'd hire you back: solid, even work across all five skills."
        w = worst[0]
        if w.rating <= 3 and w.bad:
            out += (f" {_cap(w.skill)} ({w.rating}/5) is the area to grow. {w.bad} That is something we would "
                    "work on together in the role, not a reason to hesitate.")
        return out
    if offer == "yes_with_plan":
        base = _join([k.skill for k in best if k.rating >= 3][:3]) or "the basics"
        gaps = weak or worst[:1]
        gap_lines = " ".join(f"{_cap(k.skill)} ({k.rating}/5): {k.bad}" for k in gaps[:2] if k.bad)
        return (f"Yes, with a development plan. The foundations are there in {base}, but "
                f"{_join([k.skill for k in gaps[:2]])} fell short of what the role needs. {gap_lines} "
                "The offer comes with a plan for your first quarter built around the practice items below, "
                "and a check-in at its end.").replace("  ", " ").strip()
    gaps = weak or worst[:2]
    gap_lines = " ".join(f"{_cap(k.skill)} ({k.rating}/5): {k.bad}" for k in gaps[:3] if k.bad)
    verdict = "below what the role needs" if rating == "below" else "not yet where the role needs it"
    return (f"Not this time. Your overall performance was {verdict}, with {_count(len(gaps), 'core skill')} "
            f"rated 2 or lower. {gap_lines} None of this is fixed: another internship cycle that works on "
            "the practice items below would change the answer.").replace("  ", " ").strip()


# ---------------------------------------------------------------------------- plain text
def _wrap(text: str, indent: str = "", width: int = 92) -> str:
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent or "",
                         break_long_words=False, break_on_hyphens=False)


def _bullet(text: str, width: int = 92) -> str:
    return textwrap.fill(text, width=width, initial_indent="- ", subsequent_indent="  ",
                         break_long_words=False, break_on_hyphens=False)


def render_review_text(review: dict[str, Any]) -> str:
    """The review as Markdown-flavoured plain text (readable in a terminal, renderable as Markdown)."""
    who = clean_text(review.get("player") or "", 80)
    head = "End-of-internship review" if review["final"] else "Interim review"
    out = [f"# {head}" + (f": {who}" if who else ""), ""]
    out.append(f"{review['scenario']['title']} · {review['quarters_played']} of {review['quarters_total']} quarters · "
               f"seed {review['seed']} · score {review['score']:.1f}/100")
    out.append("")
    out.append(f"**Overall rating: {review['rating']['label']}**  ")
    out.append(f"**Return offer: {review['offer']['label']}**")
    out.append("")
    out.append(_wrap(review["summary"]))
    out.append("")
    out.append("## The return offer")
    out.append("")
    out.append(_wrap(review["offer"]["reasoning"]))
    out.append("")
    out.append("## Skills")
    for k in review["skills"]:
        out.append("")
        out.append(f"### {SKILL_TITLE[k['skill']]}: {k['rating']}/5 {'●' * k['rating']}{'○' * (5 - k['rating'])}")
        out.append("")
        out.append(_wrap(k["paragraph"]))
    for title, key in (("Strengths", "strengths"), ("Growth areas", "growth_areas"),
                       ("What to practise next", "practise_next")):
        if review[key]:
            out += ["", f"## {title}", ""]
            out += [_bullet(x) for x in review[key]]
    out.append("")
    out.append(_wrap("_How the ratings are made: each skill is rated 1–5 from the score components pmsim uses "
                     "for it and from your own decisions (requests answered, reasons given, promises kept, studies "
                     "run). All companies, people and numbers are simulated by pmsim._"))
    return "\n".join(out) + "\n"
