"""What every framework column and metric means, how pmsim computes it, and why it matters.

Text as data, grounded in DOMAIN.md (the published models) and in the engine's own arithmetic
(pmsim/engine/observe.py `feature_table`, `observed_metrics`; pmsim/engine/scoring.py). The `i`
key shows the topic for what is on screen (the roadmap's sorted column, the research method, the
OKRs...); ← → browse the topic's group; the command palette lists every topic as "Explain: ...".
`example(topic, view, feature)` adds this game's own numbers, so the formula is never abstract.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pmsim.engine import stakeholders as sh
from pmsim.tui import fmt


def _pt(x: float) -> str:
    """A trust change (0-1) in the points players read (0-100): 0.04 -> '4', 0.025 -> '2.5'."""
    return fmt.decimal(100 * x)


@dataclass(frozen=True)
class Topic:
    id: str
    group: str
    title: str
    what: str  # what it means
    how: str  # how pmsim computes it
    why: str  # why it matters to a product manager


GROUPS = {
    "roadmap": "The roadmap",
    "dashboard": "Dashboard metrics",
    "okrs": "OKRs",
    "inbox": "Stakeholders",
    "research": "Research methods",
    "score": "Score components",
    "mentor": "The mentor",
}

TOPICS: list[Topic] = [
    # ------------------------------------------------------------------ roadmap columns
    Topic("plan", "roadmap", "Plan: Now, Next, Later",
          "Where an item sits on your roadmap. Only Now is built this quarter, in the order of the list "
          "(NOW 1 first); Next and Later are intentions you can show stakeholders: the team does not build "
          "them. At the start of each quarter the briefing offers your Next items for Now, in order (a "
          "accepts); Later is a parking place. ≥Q3 means it cannot start before quarter 3; ✓ Q2 means it "
          "shipped in quarter 2. The rows keep their order while you plan (s re-sorts).",
          "The team works down the Now list with the quarter's capacity. Work that does not finish carries "
          "over (▶ shows its progress) and keeps its place at the top of next quarter's Now.",
          "A roadmap is a sequence of bets. Putting the riskiest or most valuable item first means that if "
          "the quarter runs short, what slips is the least important work."),
    Topic("backlog", "roadmap", "Feature: the backlog",
          "Every item the team could build: a title, the customer need (theme) it serves, and a description "
          "below the table for the highlighted row.",
          "Nothing here is the truth: every number on this table is computed from your beliefs (what your "
          "research has told you so far), never from the hidden market.",
          "A backlog is always longer than the team's capacity. Your job is to choose, and to say why."),
    Topic("estimate", "roadmap", "Est wk: the estimate",
          "Engineering's estimate of the work left, in engineer-weeks, with an 80% range below the table "
          "(e.g. 3.1–6.2): the true effort falls inside it about 4 times in 5.",
          "Estimates are log-normal: the range is estimate × e^(±1.28·σ), where σ is the item's uncertainty. "
          "An engineering spike (Research → Engineering spike) re-estimates the item with σ cut to a third, "
          "for about 15% of the estimate in capacity (at least 1 week).",
          "Effort is the denominator of every prioritization score. A wide range on a big item is the cheapest "
          "uncertainty to remove, and the one most likely to break a promise."),
    Topic("rice", "roadmap", "RICE: Reach × Impact × Confidence ÷ Effort",
          "Intercom's framework: how many people an item reaches, how much it moves each of them, how sure you "
          "are, per month of effort. Higher is better.",
          "Reach = the customers in each segment × how strongly that segment needs the item's theme (from your "
          "surveys). Impact = the value you believe the item has per customer, on Intercom's scale 3 massive, "
          "2 high, 1 medium, 0.5 low, 0.25 minimal. Confidence = 100% with 8+ interview answers on it and 300+ "
          "people surveyed, 80% with some research, 50% with none. Effort = estimate ÷ 4 (person-months, at "
          "least 0.25).",
          "RICE makes you state your assumptions as numbers you can argue about. Its weakness: Confidence is "
          "coarse, and Reach × Impact can hide a must-be need that a few customers cannot live without."),
    Topic("wsjf", "roadmap", "WSJF: Weighted Shortest Job First",
          "SAFe's rule: do first what costs most to delay, per unit of work. WSJF = Cost of Delay ÷ Job size. "
          "Higher is better.",
          "Cost of Delay = business value + time criticality + risk reduction, each on the relative scale "
          "1, 2, 3, 5, 8, 13, 20. Business value: your believed value of the item relative to the best item. "
          "Time criticality: 8 if a stakeholder's deadline is this quarter or next, 3 for a later deadline, "
          "1 otherwise. Risk reduction: 5 if it pays down tech debt, else 1. Job size: the smallest of "
          "1, 2, 3, 5, 8, 13, 20 that is at least the estimate ÷ 2.",
          "WSJF favours small urgent jobs: shipping them early starts their value sooner. It is the column to "
          "sort by when deadlines and dependencies crowd the quarter."),
    Topic("kano", "roadmap", "Kano: must-be, performance, attractive",
          "How customers in each segment feel about an item (one letter per segment): M must-be (missing it "
          "makes them unhappy, having it earns no thanks), P performance (more is better), A attractive "
          "(a delighter nobody asked for), I indifferent, R reverse (some would rather not have it), "
          "? not known yet.",
          "Each interviewee answers about the items in the two themes they care most about; an answer is right "
          "70% of the time. The column shows the most likely category given the answers and a prior, with its "
          "probability below the table (e.g. must-be 92% of 5).",
          "A missing must-be costs satisfaction and customers whatever else you ship, and RICE will not show it. "
          "Five interviews in a segment are usually enough to spot one (Kano 1984; Berger et al. 1993)."),
    Topic("needs", "roadmap", "Needs: dependencies",
          "Items that must ship before this one can start (e.g. Class spaces needs Share links).",
          "An item whose dependencies have not shipped cannot be built: planning it in Now is refused until "
          "they ship.",
          "Dependencies turn a ranked list into a schedule: a high-value item behind an unshipped one is worth "
          "less this quarter than its score says."),
    Topic("asked_by", "roadmap", "Asked by: who wants it, and by when",
          "The stakeholders with an open, accepted or deferred request for the item, and the earliest deadline "
          "(Q3 = by the end of quarter 3).",
          "A deadline this quarter or next raises the item's time criticality in WSJF to 8. An accepted "
          "request that misses its deadline is a broken promise: the largest trust penalty in the game.",
          "Requests are information about what matters to the business, not orders: accept what you can keep."),
    Topic("capacity", "roadmap", "Capacity: the bar above the backlog",
          "The estimated weeks in Now against the team's capacity this quarter, e.g. 8.5/10.0 wk (85%).",
          "Committed = the estimates of everything in Now (what carried over counts with its remaining "
          "estimate) plus any spike time. The engine refuses a plan over 100%. The rule used everywhere (the "
          "bar, the commit dialog, the mentor, the guide): " + fmt.CAPACITY_RULE + " True effort varies "
          "around the estimate and velocity varies too.",
          "Over-committing is the classic way to break promises: what does not fit slips, and stakeholders "
          "count slips. A little slack buys reliability."),
    # ------------------------------------------------------------------ dashboard metrics
    Topic("customers", "dashboard", "Customers",
          "Paying customers at the end of the quarter (trial users not counted).",
          "Counted exactly from telemetry. Each quarter some customers churn, trials convert or leave, and "
          "newcomers choose between you, the competitors and nothing (Bass diffusion for who enters, a "
          "multinomial logit for what they choose).",
          "The base of revenue and of most key results; it moves slowly, so read it with churn and activation."),
    Topic("revenue", "dashboard", "Revenue / quarter",
          "What the customers pay this quarter, in the scenario's currency units.",
          "Σ over segments of customers × the segment's price. Exact.",
          "Segments pay very different prices: a few customers in a high-price segment can outweigh many in a "
          "cheap one."),
    Topic("nps", "dashboard", "NPS: Net Promoter Score (± its error)",
          "% promoters (answer 9–10 to 'would you recommend us?') − % detractors (0–6), from −100 to +100.",
          "Not measured on everyone: a pulse survey of 60 customers per segment, so each segment's NPS has a "
          "standard error SE = 100 × √(2·p(1−p)/60), with p = (NPS + 100)/200; the ± is the 95% interval, "
          "1.96 × SE: ±8 to ±18 points per segment. The company figure weights segments by customers.",
          "NPS drives word of mouth. A change smaller than its ± may be noise: buy a survey (its NPS has "
          "SE = √((p₊ + p₋ − (p₊ − p₋)²)/n) over the customers who answer) before reacting to a small move."),
    Topic("churn", "dashboard", "Churn",
          "The share of last quarter's paying customers who left this quarter. Lower is better (▼ is good).",
          "Exact, from telemetry. Each customer has their own churn propensity θ ~ Beta(α, β) (the "
          "shifted-beta-geometric model, Fader & Hardie), scaled up by dissatisfaction: unhappy customers "
          "leave more, and a missing must-be makes them unhappy.",
          "Retention compounds: a point of churn each quarter is a lot of customers by the end of a year."),
    Topic("activation", "dashboard", "Activation",
          "The share of last quarter's trial users who became paying customers.",
          "Exact, from telemetry. A trial converts with a probability that rises with how much better your "
          "product fits their needs than the competitors' (a logistic curve).",
          "Activation is where new reach becomes revenue; an A/B test measures a shipped feature's lift on it."),
    Topic("satisfaction", "dashboard", "Satisfaction (± its error)",
          "How satisfied customers are, 0–100%.",
          "From the same pulse survey of 60 customers per segment: SE ≈ 0.25/√60, so about ±6 points per "
          "segment at 95%. Underneath, each customer's satisfaction is a logistic function of your product's "
          "utility for them against the best competitor's.",
          "Satisfaction drives NPS, churn and trial conversion: it is the lever behind the other metrics."),
    Topic("market_share", "dashboard", "Market share (± its error)",
          "Your customers as a share of everyone in the market who uses any product (yours or a competitor's).",
          "An analyst's estimate with a standard error of 3 points per segment (±6 at 95%), weighted by "
          "customers for the company figure.",
          "Share shows whether growth comes from the market growing or from winning against competitors."),
    Topic("score", "dashboard", "Score: how your internship is graded",
          "0–100: seven components (customer impact, OKRs, stakeholder trust, prioritization, research, "
          "delivery, accessibility), each 0–1, weighted by the scenario.",
          "Score = 100 × Σ weight × component ÷ Σ weights. Some components compare your roadmap with the best "
          "one in hindsight, so the score is the one number on screen computed on the truth.",
          "It rewards the skills the role needs, and the debrief shows which of them cost points. Press i on "
          "the round report for each component."),
    # ------------------------------------------------------------------ okrs
    Topic("okr_grading", "okrs", "OKR grades (Google's 0.0–1.0)",
          "Each key result is graded from 0.0 to 1.0 by how far the metric has moved from its starting value "
          "towards the target; an objective's grade is the mean of its key results. Bands: 0.7–1.0 green, "
          "0.4–0.6 yellow, under 0.4 red.",
          "Grade = (value − baseline) ÷ (target − baseline), kept between 0 and 1 (reversed for a metric that "
          "should fall). Aspirational objectives are meant to be hard: 0.7 is the sweet spot and earns full "
          "credit in your score (credit = grade ÷ 0.7). Committed objectives are promises: full credit only "
          "at 1.0, otherwise 0.7 × grade, and a miss needs an explanation.",
          "Always 1.0 on an aspirational OKR means the goal was too easy. Tie each quarter's plan to the key "
          "result furthest from its target."),
    Topic("okr_forecast", "okrs", "OKR forecast",
          "Where a key result's grade ends up if the trend of the last two quarters continues.",
          "A straight line through the last two quarters' values, extended to the last quarter and graded "
          "like the key result itself.",
          "A forecast below its band tells you early which key result needs a feature or research now."),
    # ------------------------------------------------------------------ inbox
    Topic("stakeholders", "inbox", "Stakeholders: trust and power",
          "Each stakeholder's trust in you (0–100%) and their power. The inbox lists their requests, and "
          "their replies when you renegotiate a promise.",
          "Salience (Mitchell, Agle & Wood): power, legitimacy and urgency; salient people count more in your "
          "stakeholder-trust score. Trust moves (u = the request's urgency, p = their power): accepting "
          f"+{_pt(sh.ACCEPT_BONUS)} points (nothing once it is past due); delivering on time "
          f"+{_pt(sh.DELIVERED_BONUS)} × (0.5 + u), half as much for each quarter late; a broken promise "
          f"−{_pt(sh.BROKEN_PENALTY)} × (0.5 + u) × (0.5 + p), and everyone else, who sees it, loses "
          f"{sh.BROKEN_SEEN:.0%} of −{_pt(sh.BROKEN_PENALTY)} × (0.5 + u); a deferral −{_pt(sh.DEFER_PENALTY)} × "
          f"(0.5 + u); a decline with a reason −{_pt(sh.DECLINE_REASONED * 0.5)} to −{_pt(sh.DECLINE_REASONED * 1.5)} "
          f"(more for salient people), without one −{_pt(sh.DECLINE_BARE * 0.5)} to −{_pt(sh.DECLINE_BARE * 1.5)}; "
          f"silence (a request still open when the round ends) −{_pt(sh.IGNORED_PENALTY)} × (0.5 + u). Every "
          "quarter a deferred request or an undelivered promise waits past its due date: "
          f"−{_pt(sh.LATE_DECAY)} × (0.5 + u) × (0.5 + p). Nobody asks for what is shipped, in progress or "
          "already in Now. A powerful stakeholder whose trust falls below 30% escalates: capacity is pulled "
          "or the research budget cut.",
          "A reasoned 'not now' costs less than silence, and much less than a promise you then break; a request "
          "left waiting past its date keeps costing until you decide."),
    Topic("responses", "inbox", "Accept, defer, decline, renegotiate",
          "a accepts (a promise to deliver by the deadline), d defers with a reason (not now, decide later), "
          "x declines with a reason. r renegotiates an accepted promise before its deadline: a later quarter, "
          "or dropping it, with a reason. You can add a short note; it is saved with your game and shown in "
          "the replay and the report.",
          "The reason (capacity, evidence, strategy, timing) softens the trust cost; 'no reason' costs most. "
          "A deferred request can be answered again later; past its due date a yes promises it this quarter "
          f"and counts as late. A renegotiation costs {_pt(sh.RENEGOTIATE_PENALTY)} × (0.5 + u) × (0.5 + p) × "
          "(0.5 + 1 / (1 + quarters of notice)) points when agreed or escalated "
          f"(× {fmt.decimal(sh.WITHDRAW_FACTOR)} to drop it): a new date costs at most about "
          f"{1.5 * sh.RENEGOTIATE_PENALTY / sh.BROKEN_PENALTY:.0%} of a broken promise, dropping it at most about "
          f"{1.5 * sh.WITHDRAW_FACTOR * sh.RENEGOTIATE_PENALTY / sh.BROKEN_PENALTY:.0%}, and less the earlier you "
          "ask. The reply depends on their power and trust: they agree when trust − "
          "power / 2 ≥ 0.10 (0.10 more for each earlier renegotiation of the same request); otherwise a "
          "powerful stakeholder (power ≥ 0.6) who trusts you less than 40% escalates (at most every other "
          "quarter), and everyone else pushes back: the date stands, and it costs 2 × (0.5 + p). One "
          "renegotiation per request per quarter. Your note never changes the simulation.",
          "Stakeholder management is communication: the reason you give is part of the answer, and bad news "
          "told early is cheaper than bad news discovered."),
    # ------------------------------------------------------------------ research
    Topic("survey", "research", "Surveys and confidence intervals",
          "A survey asks a sample of a segment how much each need matters; results come as a share ± a 95% "
          "confidence interval. Many scenarios give the first quarter a larger discovery budget: enough to "
          "interview and survey every segment and study the rivals before your first plan.",
          "Each answer is a customer's true need plus noise; the estimate is the mean, SE = the spread ÷ √n, "
          "and your beliefs combine it with what you knew before (a precision-weighted average). The margin "
          "for a proportion is ±1.96·√(p(1−p)/n): n = 100 → ±9.8 points, 400 → ±4.9, 1000 → ±3.1; a mean of "
          "need weights (what a survey measures) varies less, so its ± is computed from the answers themselves. "
          "Respondents also rate how much each feature would matter, which narrows every feature's impact "
          "estimate (error ∝ 1/√n). Customers in the sample give an NPS with its own ±. Cost: $4k + $0.015k per "
          "respondent. Past 1,000 respondents in a segment a survey tells little new.",
          "Halving the error costs four times the sample: buy the precision the decision needs, not more. "
          "Surveys set Reach in RICE and raise its Confidence."),
    Topic("interviews", "research", "Interviews and Kano categories",
          "Conversations with real (simulated) customers: their own words, and what they cannot do without.",
          "Each interviewee answers the Kano question for the items in their two most important themes "
          "(right 70% of the time); the answers update the Kano column. Cost: $1.5k per interview.",
          "Interviews find must-be needs, which no amount of survey precision reveals. Five per segment are a "
          "good start."),
    Topic("usability_test", "research", "Usability tests",
          "Watching a few users try a feature before it ships, to find problems.",
          "Each problem is found by each user with probability 0.31, so n users find 1 − 0.69ⁿ of them: 5 find "
          "about 85% (Nielsen & Landauer). What is found is fixed before shipping. What is not found ships: each "
          "defect costs 12% of the feature's value to customers (up to 60%) and lowers usability or "
          "accessibility. Watching users also sharpens the impact estimate. Cost: $2k + $0.6k per user.",
          "Cheap, early and effective: a buggy feature delivers only part of what it promised."),
    Topic("ab_test", "research", "A/B tests",
          "Measures a shipped feature's effect on activation by comparing users with and without it.",
          "The lift is measured with a 95% interval of about ±1.96·√(0.5/n) per arm; to detect a lift δ you "
          "need about 16·p(1−p)/δ² users per arm. Cost: $3k + $0.4k per 1,000 per arm.",
          "Turns 'we think it helped' into evidence, after the fact."),
    Topic("competitive_analysis", "research", "Competitive analysis",
          "An analyst's view of competitors' strengths by theme, and their next moves.",
          "Narrows your estimate of each competitor's strengths and reveals launches due this quarter or the "
          "next two, with their size. Customers feel a launch at once; the news reports it a quarter later. "
          "Where a rival is ahead, customers feel the gap (it costs half a point of utility per point behind, "
          "three times that in a launch quarter and the next), and a launch makes its feature (the one the "
          "news names, else the theme's most valuable) table stakes: missing it then costs twice what a missing must-be does (customers now have the "
          "rival's version), and the customers it loses stay lost. Cost: $8k.",
          "Knowing a rival's launch before it lands lets you ship the answer in time."),
    Topic("spike", "research", "Engineering spikes",
          "A short piece of engineering to re-estimate an item.",
          "Costs 10% of the estimate in capacity (at least half a week, no money); the new estimate has a "
          "third of the old uncertainty. If the new estimate no longer fits, the plan moves items to Next. "
          "The capacity is gone either way: a spike pays only through the better plan it allows. Spike the "
          "items your plan hinges on: one that would make the cut if it were as small as it may be, and not "
          "if it were as big.",
          "The cheapest way to protect a promise that rests on a wide estimate; spiking what you would "
          "build (or drop) whatever its size only spends capacity."),
    # ------------------------------------------------------------------ the mentor
    Topic("mentor", "mentor", "The mentor",
          "A senior PM's comments on your plan before you commit it: over-commitment, a must-be need your "
          "interviews found but the roadmap ignores, a powerful stakeholder left waiting, an OKR off track, "
          "a big uncertainty that cheap research would shrink. ⚠ is a warning, ℹ a tip.",
          "It reads only what you can see (your observation), never the hidden market, so its advice can be "
          "wrong exactly where your evidence is. It never changes the game or your save. On by default in the "
          "tutorial, off otherwise (M, or pmsim play --mentor), off in class games.",
          "Internships are valued for feedback from experienced people; the mentor gives it while there is "
          "still time to act."),
    # ------------------------------------------------------------------ score components
    Topic("customer_impact", "score", "Customer impact",
          "The value your shipped work created for customers, against the best roadmap in hindsight.",
          "What your shipped work gave customers, quarter by quarter (on the truth), ÷ what the best roadmap in "
          "hindsight gave them. That roadmap is planned for the whole game on the team's whole capacity: "
          "spikes, idle weeks and capacity lost to escalations cost what they waste. A feature is worth more "
          "the earlier it ships; a missing must-be costs 50% more every quarter it is missing, and the "
          "customers it lost stay lost when it ships; a rival's launch makes its feature expected, and "
          "lacking it costs 100% more each quarter after the launch; closing a gap behind a rival counts; "
          "defects shipped cut a feature's value.",
          "Skill: customer-centric thinking."),
    Topic("okr", "score", "OKR attainment",
          "How well the key results were met.",
          "The mean of each objective's credit: aspirational grade ÷ 0.7 (capped at 1), committed 1.0 only "
          "when fully met, else 0.7 × grade.",
          "Skill: analytical thinking."),
    Topic("stakeholder_trust", "score", "Stakeholder trust",
          "How much the people you work with trust you.",
          "The salience-weighted mean of every stakeholder's trust.",
          "Skill: communication."),
    Topic("prioritization", "score", "Prioritization",
          "Whether your Now lists were the best choices on what you knew.",
          "The value of each quarter's new Now items ÷ the best plan on the team's whole capacity, judged on "
          "your beliefs (or on the truth, if that is kinder). A feature counts by its cost of delay, in the "
          "model's value rather than WSJF's points: what shipping it now rather than next quarter is worth (a quarter of its value, gaps behind rivals "
          "and the launches you know of, and for a missing must-be the customers waiting would lose for "
          "good). "
          "Sorting one column (the quarterly value, RICE or WSJF) does not max it: weigh them.",
          "Skill: problem solving."),
    Topic("research", "score", "Research value",
          "How much better your research let you plan, against what research could have bought.",
          "Each quarter, the true value of the best plan on your beliefs, in the room your spikes left, minus "
          "that of the best plan on the beliefs you started with, in the whole room (work costs its true "
          "effort): a spike pays only if what it tells is worth more than the weeks it takes. Summed, "
          "÷ 0.6 × the same for perfect "
          "knowledge (0.6: the share of perfect information a quarter's budget can buy). Clipped to 0–1, then "
          "reduced by 0.8 × the share of research money spent on studies that told nothing new (a repeat "
          "analysis, surveys past 1,000 a segment, interviews past 30, a spike of an item no plan hinges on), "
          "a spike's engineer-week counting $4k. No research scores 0.",
          "Skill: analytical thinking."),
    Topic("delivery", "score", "Delivery",
          "Whether the team delivered what you committed.",
          "The mean over quarters of the estimate-weeks of committed work that shipped ÷ the estimate-weeks "
          "committed. Progress on work that carries over is not delivery: leave slack for estimates that run "
          "over, and spike the big uncertain ones.",
          "Skill: project management."),
    Topic("accessibility", "score", "Accessibility",
          "How accessible and usable the product is.",
          "The mean of the product's accessibility and usability over the quarters.",
          "Skill: customer-centric thinking."),
]

BY_ID = {t.id: t for t in TOPICS}
COLUMN_TOPIC = {"plan": "plan", "title": "backlog", "est": "estimate", "rice": "rice", "wsjf": "wsjf",
                "kano": "kano", "deps": "needs", "asked": "asked_by"}
METRIC_TOPIC = {"customers": "customers", "revenue": "revenue", "nps": "nps", "churn_rate": "churn",
                "activation_rate": "activation", "satisfaction": "satisfaction", "market_share": "market_share"}


def topic(topic_id: str) -> Topic:
    return BY_ID[topic_id]


def group_of(topic_id: str) -> list[str]:
    """The ids of the topics in `topic_id`'s group, in order (what ← → browse)."""
    g = BY_ID[topic_id].group
    return [t.id for t in TOPICS if t.group == g]


# ---------------------------------------------------------------------------- this game's numbers
def example(topic_id: str, view: Any, feature: str | None = None) -> str | None:
    """One line with the current game's numbers for `topic_id` (None when there is nothing to show).
    `view` is a GameView; `feature` the highlighted roadmap item, if any."""
    if view is None:
        return None
    obs = view.obs
    f = None
    if feature is not None:
        try:
            f = view.feature(feature)
        except KeyError:
            f = None
    if topic_id == "rice" and f:
        months = max(f["estimate"] / 4, 0.25)
        return (f"{f['title']}: reach {fmt.count(f['reach'])} × impact {fmt.decimal(f['impact'], 2)} × confidence {f['confidence']:.0%} "
                f"÷ {fmt.decimal(months, 2)} months = {fmt.compact(f['rice'])}")
    if topic_id == "wsjf" and f:
        return (f"{f['title']}: cost of delay {f['cost_of_delay']} ÷ job size {f['job_size']} "
                f"= {f['wsjf']:.2f}")
    if topic_id == "kano" and f:
        parts = []
        for seg, k in f["kano"].items():
            name = view.segment_name(seg)
            parts.append(f"{name}: {fmt.KANO_WORD[k['category']]} ({fmt.kano_evidence(k['p'], k['votes'])})"
                         if k["votes"] else f"{name}: not known (no answers yet)")
        return f"{f['title']}: " + "; ".join(parts)
    if topic_id == "estimate" and f:
        lo, hi = f["estimate_range"]
        return (f"{f['title']}: {f['estimate']:.1f} wk, 80% range {lo:.1f}–{hi:.1f}"
                + (" (spiked)" if f["spiked"] else ""))
    if topic_id == "capacity":
        cap = obs["capacity"]
        share = cap["committed"] / cap["total"] if cap["total"] else 0.0
        return f"Now: {cap['committed']:.1f} of {cap['total']:.1f} wk committed ({share:.0%})"
    metric = next((m for m, t in METRIC_TOPIC.items() if t == topic_id), None)
    if metric is not None:
        cur = obs["metrics"][-1]
        se = cur.get(f"{metric}_se")  # the engine's standard error of an estimate; none: exact
        ci = "" if se is None else (f" ± {1.96 * se:.0f}" if metric == "nps" else f" ± {196 * se:.1f} points")
        return f"Now: {fmt.metric_value(metric, float(cur[metric]))}{ci + ' (95%)' if ci else ', exact'}"
    if topic_id == "score":
        return f"Now: {view.score:.1f} / 100"
    if topic_id in ("okr_grading", "okr_forecast") and obs["okrs"]:
        o = obs["okrs"][0]
        return f"“{o['objective']}” ({o['kind']}): grade {o['grade']:.2f}, {o['band']}, credit {o['credit']:.2f}"
    card = obs["score"]
    if topic_id in card["components"]:
        return (f"Now: {card['components'][topic_id]:.2f} × weight {100 * card['weights'][topic_id]:.0f}%"
                f" ({fmt.lost(card['points_lost'][topic_id])} points)")
    return None
