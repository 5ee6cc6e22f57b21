"""The five skills of the end-of-internship review, a paragraph each (DOMAIN.md): what the
player did, quoted from this game, with a one-line strength and growth area."""

from __future__ import annotations

import math
from typing import Any

from pmsim.engine.scoring import BANDS
from pmsim.engine.summary import RoundFacts
from pmsim.reports.review_words import (
    Skill,
    _cap,
    _change,
    _clamp,
    _component_rating,
    _count,
    _Ctx,
    _int,
    _join,
    _kr_value,
    _n,
    _pct,
    _q,
    _rating_of,
    _signed,
    _studies_phrase,
    _word,
    clean_text,
)

SPIKE_HEAVY = 0.4  # a quarter whose spikes took this share of the capacity or more is named


def _analytical(ctx: _Ctx) -> Skill:
    facts, s = ctx.facts, ctx.summary
    comp = s["components"]
    results = [x for x in facts.research if x["round"] <= max(ctx.n, 1)]
    quarters_with = len({x["round"] for x in results})
    spent = sum(x["cost"] for x in results)
    sent: list[str] = []
    good = bad = ""
    if not results:
        sent.append(f"You didn't run a single study in {_count(ctx.n, 'quarter')}: every roadmap rested on the "
                    "team's starting guesses about what customers need and what the work would cost.")
        bad = "No research at all: every plan rested on the team's first guesses."
    else:
        sent.append(f"You ran {_studies_phrase(results)}, spending ${_n(spent)}k on research, with at least one "
                    f"study in {quarters_with} of {ctx.n} quarters.")
    # how much closer to the truth the player's beliefs ended
    closer, est_closer = facts.belief_progress
    if results:
        if closer >= 0.005:
            line = (f"By the end your estimates of what each feature was worth were {_pct(closer)} closer to the truth "
                    "than the team's starting guesses")
        elif closer <= -0.005:
            line = (f"By the end your estimates of what each feature was worth were {_pct(-closer)} further from "
                    "the truth than the team's starting guesses, so the studies did not reach what mattered")
        else:
            line = "Your estimates of what each feature was worth ended about where the team's starting guesses were"
        if est_closer >= 0.005:
            line += f", and your effort estimates {_pct(est_closer)} closer"
        sent.append(line + f" (research score {comp['research']:.2f}).")
        # a quarter spent mostly on spikes: the weeks came out of what the spikes told
        heavy = max(ctx.rounds, key=lambda x: (x.spikes / x.capacity if x.capacity > 0 else 0.0, -x.round), default=None)
        if heavy is not None and heavy.capacity > 0 and heavy.spikes >= SPIKE_HEAVY * heavy.capacity:
            sent.append(f"In {_q(heavy.round)} spikes took {heavy.spikes:.1f} of the team's {heavy.capacity:.1f} "
                        "engineer-weeks: research is scored net of the room it takes, so a spike pays only "
                        "where a plan hinges on the item's size, just before you would build it.")
            if not bad:
                bad = (f"Spikes took {_pct(heavy.spikes / heavy.capacity)} of {_q(heavy.round)}: spike only the "
                       "items a plan hinges on.")
        if comp["research"] >= BANDS["research"][2]:
            good = (f"Your {len(results)} studies left your value estimates {_pct(max(closer, 0))} closer to the "
                    "truth.")
        elif not bad:
            bad = (f"Your {_count(len(results), 'study', 'studies')} removed little of the uncertainty that mattered "
                   f"(research score {comp['research']:.2f}).")
    # the feature the player misjudged most, among those that mattered
    mis = sorted(s["misjudged_features"], key=lambda m: (-abs(m["believed"] - m["true"]), m["feature"]))
    if mis:
        parts = []
        for i, m in enumerate(mis[:2]):
            off = (m["true"] - m["believed"]) / max(abs(m["believed"]), 1e-9)
            parts.append(f"{m['title']} {'was worth ' if i == 0 else ''}{_pct(abs(off))} "
                         f"{'more' if off > 0 else 'less'}{' than you thought' if i == 0 else ''}")
        lead = "Two beliefs were never corrected" if len(parts) == 2 else "One belief was never corrected"
        sent.append(f"{lead}: {_join(parts)}.")
    paid = s["research_that_would_have_paid"]
    if paid:
        p = paid[0]
        rf = next((x for x in ctx.rounds if x.round == p["round"]), None)
        n_st = len(rf.studies) if rf else 0
        studies_note = ("you ran no study that quarter" if n_st == 0
                        else f"you ran {_count(n_st, 'study', 'studies')} that quarter")
        if set(p["best_in_hindsight"]) != set(p["plan"]):
            sent.append(f"Better information would have paid most in {_q(p['round'])}: {studies_note}, and the best "
                        f"roadmap in hindsight ({ctx.titles(p['best_in_hindsight']) or 'nothing new'}) differed from "
                        f"yours ({ctx.titles(p['plan']) or 'nothing new'}).")
            if not bad and n_st == 0:
                bad = f"You ran no study in {_q(p['round'])}, the quarter where better information would have paid most."
    # OKRs
    okrs = facts.okrs
    if okrs:
        greens = sum(o["band"] == "green" for o in okrs)
        parts = [f"“{clean_text(o['objective'], 80)}” {o['grade']:.2f} ({o['band']}"
                 + (", committed)" if o["kind"] == "committed" else ")") for o in okrs]
        if len(okrs) == 1:
            o = okrs[0]
            sent.append(f"Your one objective, “{clean_text(o['objective'], 80)}” ({o['kind']}), ended at "
                        f"{o['grade']:.2f}, {o['band']} (OKR score {comp['okr']:.2f}).")
        else:
            sent.append(f"On the OKRs (score {comp['okr']:.2f}), {_word(greens) if greens else 'none'} of {len(okrs)} objectives ended "
                        f"green: {_join(parts)}.")
        missed = [o for o in okrs if o["kind"] == "committed" and o["grade"] < 0.999]
        if missed:
            o = missed[0]
            worst_kr = min(o["key_results"], key=lambda k: k["grade"])
            sent.append(f"A committed objective is expected at 1.0, so ending “{clean_text(o['objective'], 80)}” at "
                        f"{o['grade']:.2f} is a miss that needs an explanation: its key result "
                        f"“{clean_text(worst_kr['description'] or worst_kr['metric'], 100)}” ended at "
                        f"{_kr_value(worst_kr)} (target {_kr_value(worst_kr, 'target')}).")
            if not bad:
                bad = f"You missed the committed objective “{clean_text(o['objective'], 80)}” ({o['grade']:.2f})."
        elif greens == len(okrs) and not good:
            good = f"Every objective ended green (OKR score {comp['okr']:.2f})."
    rating = _component_rating(ctx, ["okr", "research"])
    return Skill("analytical thinking", _clamp(rating), {"okr": comp["okr"], "research": comp["research"]},
                 "OKR attainment and research value (their scenario weights)", " ".join(sent), good, bad)


def _problem_solving(ctx: _Ctx) -> Skill:
    s = ctx.summary
    comp = s["components"]
    sent: list[str] = []
    good = bad = ""
    rounds = ctx.rounds
    avg = sum(r.plan_share for r in rounds) / len(rounds) if rounds else 0.0
    matched = [r for r in rounds if r.plan_share >= 0.98]
    how_often = (f"in {len(matched)} of {len(rounds)} quarters your picks were as good as the best"
                 if matched else "in no quarter were your picks as good as the best")
    sent.append(f"Judged on what you knew when you committed, your roadmaps captured {_pct(avg)} of the value of "
                f"the best roadmap available to you, and {how_often} on your own evidence "
                f"(prioritization {comp['prioritization']:.2f}).")
    weak = sorted((r for r in rounds if r.plan_share < 0.9 and r.best_on_beliefs), key=lambda r: r.plan_share)
    if weak:
        r = weak[0]
        missed = [f for f in r.best_on_beliefs if f not in r.plan]
        chose = [f for f in r.plan if f not in r.best_on_beliefs]
        line = f"Your weakest call was {_q(r.round)}"
        if chose and missed:
            line += (f": you chose {ctx.titles(chose)} over {ctx.titles(missed)}, which your own numbers rated "
                     f"higher")
        elif missed:
            line += f": you left out {ctx.titles(missed)}, which your own numbers said was worth doing"
        sent.append(line + f"; that plan was worth {_pct(r.plan_share)} of the best one.")
        bad = (f"In {_q(r.round)} your roadmap was worth {_pct(r.plan_share)} of the best plan on your own "
               f"evidence.")
    elif rounds:
        good = (f"Your roadmaps matched the best plan on your own evidence in {len(matched)} of {len(rounds)} "
                f"quarters.")
    # balancing stakeholders: what was asked for, what was built, and who you said no to
    asked = {}
    for q in ctx.facts.requests:
        if q.feature:
            asked.setdefault(q.feature, q)
    built = [f for f in asked if f in ctx.facts.shipped]
    planned = {f for r in rounds for f in r.plan}
    if asked:
        line = (f"Stakeholders asked for {_count(len(asked), 'different feature')}; you shipped {len(built)} of "
                f"them")
        from_requests = [f for f in planned if f in asked]
        if planned:
            line += (f", and {len(from_requests)} of the {len(planned)} features you put on the roadmap had been "
                     "asked for")
        sent.append(line + ".")
        if planned and len(from_requests) / len(planned) >= 0.75 and comp["prioritization"] < 0.7:
            sent.append("Much of the roadmap followed the requests rather than the evidence: the loudest ask is not "
                        "always the most valuable one.")
            bad = bad or "The roadmap followed the loudest requests more than the evidence."
    no = [a for a in ctx.answers if a.response == "decline"]
    if no:
        # the weightiest "no": the most powerful stakeholder's
        a = max(no, key=lambda a: (ctx.facts.stakeholders[ctx.requests[a.request].stakeholder].power
                                   if a.request in ctx.requests else 0.0, -a.round))
        why = f" with the reason “{a.reason}”" if a.reason != "none" else " without giving a reason"
        line = f"Your most senior “no”: in {_q(a.round)} you declined {ctx.request_phrase(a.request)}{why}"
        q = ctx.requests.get(a.request)
        if q and q.feature and q.feature in ctx.facts.shipped:
            fr = ctx.facts.features[q.feature].shipped_round
            line += f", and built it later anyway in {_q(fr)}" if fr and fr > a.round else ""
        if a.rationale:
            line += f", explaining “{clean_text(a.rationale, 160)}”"
        sent.append(line + ".")
    lost = [x for x in s["stakeholders"] if x["lost"] or x["escalated"]]
    if lost:
        x = min(lost, key=lambda x: x["trust"])
        declines = sum(1 for a in no if a.request in ctx.requests
                       and ctx.requests[a.request].stakeholder == x["id"])
        tail = f" after {_count(declines, 'declined request')}" if declines else ""
        esc = " and escalated to leadership" if x["escalated"] else ""
        sent.append(f"Balancing the room is part of the job, and {x['name']} ({x['title']}) ended at trust "
                    f"{x['trust']:.2f}{esc}{tail}.")
    balance = 5 - sum(1 for x in s["stakeholders"] if x["lost"]) - sum(1 for x in s["stakeholders"] if x["escalated"])
    balance = max(balance, 1)
    rating = 0.7 * _rating_of("prioritization", comp["prioritization"]) + 0.3 * balance
    return Skill("problem solving", _clamp(rating), {"prioritization": comp["prioritization"]},
                 "prioritization (70%) and keeping every stakeholder on side (30%)", " ".join(sent), good, bad)


def _communication(ctx: _Ctx) -> Skill:
    s = ctx.summary
    comp = s["components"]
    facts = ctx.facts
    sent: list[str] = []
    good = bad = ""
    reqs = [q for q in facts.requests if q.round <= max(ctx.n, 1)]
    req_ids = {q.id for q in reqs}
    responses = {}
    for a in ctx.answers:  # the final answer to each request
        if a.request in req_ids:
            responses[a.request] = a
    counts = {"accept": 0, "defer": 0, "decline": 0}
    for a in responses.values():
        counts[a.response] += 1
    # never answered (a request left unanswered is closed as ignored; if its feature ships later its
    # status becomes "delivered", so the action log, not the status, says who got an answer)
    ignored = [q for q in reqs if q.id not in responses]
    answered = len(responses)
    if reqs:
        parts = [f"{counts[k]} {w}" for k, w in (("accept", "accepted"), ("defer", "deferred"),
                                                  ("decline", "declined")) if counts[k]]
        line = (f"You received {_count(len(reqs), 'request')} and answered {answered}: {_join(parts)}" if answered
                else f"You received {_count(len(reqs), 'request')} and answered none of them")
        if ignored:
            q = max(ignored, key=lambda q: facts.stakeholders[q.stakeholder].power)
            line += (f"; {len(ignored)} went unanswered, among them {ctx.request_phrase(q.id)} in {_q(q.round)}, "
                     "and silence costs more trust than a reasoned no")
            bad = f"You left {_count(len(ignored), 'request')} unanswered."
        sent.append(line + ".")
    else:  # the rating stands on trust nobody could lose: say so, or a 5/5 reads as earned
        sent.append("The scenario had no stakeholders, so there were no requests to answer and no trust to keep."
                    if not s["stakeholders"] else "No stakeholder asked you for anything, so there were no "
                    "requests to answer.")
    nos = [a for a in ctx.answers if a.response in ("decline", "defer")]
    bare = [a for a in nos if a.reason == "none"]
    if nos:
        if not bare:
            sent.append("Every deferral and decline came with a reason.")
        else:
            a = bare[0]
            sent.append(f"{_cap(_count(len(bare), 'decline'))} came with no reason at all (the first: "
                        f"{ctx.request_phrase(a.request)} in {_q(a.round)}); a reasoned no costs less than a bare one.")
            bad = bad or f"You turned down {_count(len(bare), 'request')} without giving a reason."
    # the player's own words
    roadmap_notes = [r for r in ctx.rounds if r.rationale.strip()]
    answer_notes = [a for a in ctx.answers if a.rationale.strip()]
    explainable = len(ctx.rounds) + len([a for a in ctx.answers if a.response != "accept"])
    explained = len(roadmap_notes) + len([a for a in answer_notes if a.response != "accept"])
    if roadmap_notes or answer_notes:
        quotes = []
        if roadmap_notes:
            r = roadmap_notes[0]
            quotes.append(f"in {_q(r.round)} you explained the roadmap as “{clean_text(r.rationale, 200)}”")
        if answer_notes:
            a = answer_notes[0]
            verb = {"accept": "accepted", "defer": "deferred", "decline": "declined"}[a.response]
            quotes.append(f"when you {verb} {ctx.request_phrase(a.request)} in {_q(a.round)} you wrote "
                          f"“{clean_text(a.rationale, 200)}”")
        n_notes = len(roadmap_notes) + len(answer_notes)
        sent.append(f"You wrote your reasoning down {_count(n_notes, 'time')}: {_join(quotes)}.")
        if explainable and explained / explainable >= 0.5:
            good = (f"You explained your decisions in writing ({_count(n_notes, 'rationale')}), e.g. "
                    f"“{clean_text((roadmap_notes[0].rationale if roadmap_notes else answer_notes[0].rationale), 90)}”.")
    else:
        what = "chose a roadmap or turned a request down" if reqs else "chose a roadmap"
        sent.append(f"You never wrote down why you {what}. It doesn't move the simulation, but in a real team "
                    "the note that says why is what keeps a 'no' from sounding arbitrary.")
        bad = bad or ("You never wrote down the reasoning behind a roadmap or a decline." if reqs else
                      "You never wrote down the reasoning behind a roadmap.")
    sh = sorted(s["stakeholders"], key=lambda x: -x["trust"])
    if sh:
        hi, lo = sh[0], sh[-1]
        line = f"Trust ended highest with {hi['name']} ({hi['title']}, {hi['trust']:.2f})"
        if lo is not hi and f"{hi['trust']:.2f}" == f"{lo['trust']:.2f}":  # not "highest 0.00 ... lowest 0.00"
            line = f"Trust ended at {hi['trust']:.2f} with every stakeholder"
            if any(x["escalated"] for x in sh):
                line += f" ({_join([x['name'] for x in sh if x['escalated']])} escalated to leadership)"
        elif lo is not hi:
            line += f" and lowest with {lo['name']} ({lo['title']}, {lo['trust']:.2f})"
            if lo["escalated"]:
                line += ", who escalated to leadership"
        sent.append(line + f"; salience-weighted trust was {comp['stakeholder_trust']:.2f}.")
        if not good and comp["stakeholder_trust"] >= BANDS["stakeholder_trust"][2] and not ignored:
            good = (f"You kept stakeholders on side (trust {comp['stakeholder_trust']:.2f}), answering "
                    f"{answered} of {len(reqs)} requests.")
        if not bad and lo["trust"] < 0.4:
            bad = f"You let trust with {lo['name']} ({lo['title']}) fall to {lo['trust']:.2f}."
    # the rating: trust (70%) and how you answered (30%): answered, reasoned, explained
    q_answered = answered / len(reqs) if reqs else 1.0
    q_reasoned = 1.0 - len(bare) / len(nos) if nos else 1.0
    q_explained = explained / explainable if explainable else 0.0
    quality = 0.5 * q_answered + 0.25 * q_reasoned + 0.25 * q_explained
    rating = 0.7 * _rating_of("stakeholder_trust", comp["stakeholder_trust"]) + 0.3 * (1 + 4 * quality)
    return Skill("communication", _clamp(rating), {"stakeholder_trust": comp["stakeholder_trust"]},
                 "stakeholder trust (70%) and how you answered: every request, with reasons and a written why (30%)",
                 " ".join(sent), good, bad)


def _project_management(ctx: _Ctx) -> Skill:
    s = ctx.summary
    comp = s["components"]
    sent: list[str] = []
    good = bad = ""
    rounds = ctx.rounds
    sent.append(f"On average the team delivered {_pct(comp['delivery'])} of what you committed each quarter "
                f"(delivery {comp['delivery']:.2f}).")

    def what_happened(r: RoundFacts) -> str:
        bits = []
        if r.carried:
            bits.append(f"{ctx.titles(r.carried)} carried over")
        if r.slipped:
            bits.append(f"{ctx.titles(r.slipped)} slipped")
        if r.blocked:
            bits.append(f"{ctx.titles(r.blocked)} waited on a dependency")
        return _join(bits)

    worst = min((r for r in rounds if r.committed > 0), key=lambda r: r.delivery_share, default=None)
    if worst is not None and worst.delivery_share < 0.9:
        spikes = f" (plus {_n(worst.spikes)} wk of spikes)" if worst.spikes else ""
        line = (f"In {_q(worst.round)} you committed {_n(worst.committed)} wk{spikes} against {_n(worst.capacity)} wk "
                f"of capacity and delivered {_n(worst.delivered)} wk of finished work")
        wh = what_happened(worst)
        sent.append(line + (f": {wh}." if wh else "."))
        bad = (f"In {_q(worst.round)} you committed {_n(worst.committed)} wk and the team finished "
               f"{_n(worst.delivered)} wk of it.")
    best = max((r for r in rounds if r.committed > 0), key=lambda r: (r.delivery_share, -r.round), default=None)
    if best is not None and best.delivery_share >= 0.9 and best is not worst:
        sent.append(f"{_q(best.round)} went to plan: {_n(best.committed)} wk committed, {_n(best.delivered)} "
                    "delivered.")
        clean = sum(1 for r in rounds if r.committed > 0 and r.delivery_share >= 0.9)
        if comp["delivery"] >= BANDS["delivery"][2]:
            good = f"{clean} of {len(rounds)} quarters delivered at least 90% of what you committed."
    # the estimate that was most wrong, and whether it was spiked before it was committed
    sc, facts = ctx.sc, ctx.facts
    est0 = facts.first_estimates
    started = [(i, f) for i, f in enumerate(sc.features) if facts.features[f.id].started_round is not None]
    if started:
        i, f = max(started, key=lambda t: abs(math.log(est0[t[0]] / t[1].effort)))
        err = f.effort / est0[i]
        if err >= 1.3 or err <= 0.75:
            fs = facts.features[f.id]
            spike = next((x for x in facts.research if x["method"] == "spike" and x["feature"] == f.id), None)
            line = (f"The estimate that misled most was {f.title}: first estimated at {_n(est0[i])} wk, it took "
                    f"{_n(f.effort)}")
            if spike and (fs.started_round is None or spike["round"] <= fs.started_round):
                line += (f"; your spike in {_q(spike['round'])} moved the estimate to {_n(spike['new_estimate'])} wk "
                         "before work started")
            elif err >= 1.3:
                line += "; a spike before committing would have shown it"
            sent.append(line + ".")
    over = [r for r in rounds if r.capacity > 0 and (r.committed + r.spikes) >= 0.97 * r.capacity
            and r.delivery_share < 0.7]
    if len(over) >= 2:
        sent.append(f"In {_join([_q(r.round) for r in over])} you filled capacity to the brim and delivered under 70%: "
                    "a buffer for estimate error would have turned slips into shipped work.")
    broken = [q for q in facts.requests if q.status == "broken"]
    if broken:
        q = broken[0]
        sent.append(f"Deadlines matter as much as scope: you accepted {ctx.request_phrase(q.id)} by "
                    f"{_q(q.deadline or q.round)} and missed it"
                    + (f" ({_count(len(broken) - 1, 'other promise')} went the same way)." if len(broken) > 1 else "."))
        bad = bad or f"You missed the deadline on {_count(len(broken), 'accepted request')}."
    rating = _rating_of("delivery", comp["delivery"]) - min(0.5 * len(broken), 1.5)
    return Skill("project management", _clamp(rating), {"delivery": comp["delivery"]},
                 "delivery against commitments, less half a point per broken promise", " ".join(sent), good, bad)


def _customer_centric(ctx: _Ctx) -> Skill:
    s = ctx.summary
    comp = s["components"]
    facts, sc = ctx.facts, ctx.sc
    sent: list[str] = []
    good = bad = ""
    rounds = ctx.rounds
    line = (f"Your roadmaps delivered {_pct(comp['customer_impact'])} of the customer value the best roadmap in "
            f"hindsight could have (customer impact {comp['customer_impact']:.2f})")
    if len(rounds) > 1:
        hi = max(rounds, key=lambda r: (r.value_share, -r.round))
        lo = min(rounds, key=lambda r: (r.value_share, r.round))
        line += f"; your best quarter was {_q(hi.round)} ({_pct(hi.value_share)}), your weakest {_q(lo.round)} ({_pct(lo.value_share)})"
    sent.append(line + ".")
    m0, m1 = facts.metrics[0], facts.metrics[-1]
    sent.append(f"Paying customers went from {_int(m0['customers'])} to {_int(m1['customers'])} "
                f"({_change(m0['customers'], m1['customers'])}), NPS from {_signed(m0['nps'])} to {_signed(m1['nps'])} "
                f"and quarterly churn from {_pct(m0['churn_rate'])} to {_pct(m1['churn_rate'])}.")
    # must-be needs
    unmet: dict[str, list[dict[str, Any]]] = {}
    for u in s["unmet_must_be"]:
        unmet.setdefault(u["feature"], []).append(u)
    if unmet:
        fid, us = max(unmet.items(), key=lambda kv: max(u["value_lost"] for u in kv[1]))
        segs = _join([ctx.segments.get(u["segment"], u["segment"]) for u in us])
        churn = sum(u["segment_churned"] for u in us)
        sent.append(f"You left {ctx.title(fid)}, a must-have for {segs}, unbuilt all game, and "
                    f"{_int(churn)} of those customers churned along the way"
                    + (f" ({_count(len(unmet) - 1, 'other must-have')} went unbuilt too)." if len(unmet) > 1 else "."))
        bad = f"You never built {ctx.title(fid)}, a must-have for {segs}."
    kano = facts.true_kano
    shipped_musts = []
    for fi, f in enumerate(sc.features):
        if any(kano[si, fi] == 0 for si in range(len(sc.market.segments))) and f.id in facts.shipped:
            shipped_musts.append((facts.features[f.id].shipped_round or 0, f))
    if shipped_musts:
        shipped_musts.sort(key=lambda t: (t[0], t[1].id))
        r, f = shipped_musts[0]
        segs = _join([sc.market.segments[si].name for si in range(len(sc.market.segments))
                      if kano[si, sc.features.index(f)] == 0])
        sent.append(f"You shipped {f.title}, a must-have for {segs}, in {_q(r)}"
                    + (f", and {_count(len(shipped_musts) - 1, 'more must-have')} after it." if len(shipped_musts) > 1
                       else "."))
        if not unmet:
            good = f"Every must-have need was met; {f.title} shipped in {_q(r)}."
    # talking to customers
    interviews = [x for x in facts.research if x["method"] == "interviews"]
    surveys = [x for x in facts.research if x["method"] == "survey"]
    heard = {x["segment"] for x in interviews + surveys}
    missing = [seg.name for seg in sc.market.segments if seg.id not in heard]
    if interviews:
        n = sum(x["n"] for x in interviews)
        line = f"You interviewed {_int(n)} customers"
        line += (f" and heard from all {len(sc.market.segments)} segments" if not missing
                 else f" but never asked {_join(missing, 'or')}")
        sent.append(line + ".")
    elif surveys:
        sent.append("You surveyed customers but never sat down with one: interviews are where must-have needs "
                    "and the words customers use come out.")
    else:
        sent.append("You never asked a customer anything: no survey, no interview.")
        bad = bad or "You never asked a customer anything."
    # accessibility and usability
    hidden = 0
    for fid in facts.shipped:
        spec = sc.feature(fid)
        fs = facts.features[fid]
        hidden += max(spec.defects.usability - fs.defects_found["usability"], 0)
        hidden += max(spec.defects.accessibility - fs.defects_found["accessibility"], 0)
    found = sum(facts.features[f].defects_found["usability"] + facts.features[f].defects_found["accessibility"]
                for f in facts.features)
    tests = [x for x in facts.research if x["method"] == "usability_test"]
    line = (f"Accessibility moved from {sc.market.accessibility:.2f} to {facts.accessibility:.2f} and usability from "
            f"{sc.market.usability:.2f} to {facts.usability:.2f} (accessibility score {comp['accessibility']:.2f})")
    if tests:
        line += (f"; your {_count(len(tests), 'usability test')} caught {_count(found, 'problem')} before launch")
        if hidden:
            line += f", while {_count(hidden, 'problem')} shipped unseen"
    elif hidden:
        line += f"; with no usability testing, {_count(hidden, 'known-in-hindsight problem')} shipped unseen"
    sent.append(line + ".")
    rating = _component_rating(ctx, ["customer_impact", "accessibility"])
    if unmet:
        rating -= 0.5
    if not interviews and not surveys:
        rating -= 0.5
    if not good and comp["customer_impact"] >= BANDS["customer_impact"][2]:
        good = f"Your roadmaps delivered {_pct(comp['customer_impact'])} of the best-in-hindsight customer value."
    if not bad and comp["customer_impact"] < BANDS["customer_impact"][1]:
        bad = f"Your roadmaps delivered only {_pct(comp['customer_impact'])} of the customer value available."
    return Skill("customer-centric thinking", _clamp(rating),
                 {"customer_impact": comp["customer_impact"], "accessibility": comp["accessibility"]},
                 "customer impact and accessibility (their scenario weights), less half a point for a must-have "
                 "left unbuilt and for never asking a customer", " ".join(sent), good, bad)
