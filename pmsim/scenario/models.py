"""The scenario file format: pydantic models.

A scenario is authored by an instructor as YAML and is immutable once loaded. Unknown keys are
forbidden everywhere so that a typo is an error, not a silently ignored setting. Cross-references
(features, segments, stakeholders, themes, metrics) are checked in `loader.semantic_problems`, which
returns problems with the path of the offending field so the loader can name its line.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="lowercase id: a-z, 0-9, _")]
Prob = Annotated[float, Field(ge=0.0, le=1.0)]
Text = Annotated[str, Field(max_length=2000)]


class Strict(BaseModel):
    # allow_inf_nan=False: a number written as the word nan/inf (or "nan" in quotes, which pydantic
    # would turn into a float) is refused with the field's name, never reaching the engine.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Kano(StrEnum):
    must_be = "must_be"
    performance = "performance"
    attractive = "attractive"
    indifferent = "indifferent"
    reverse = "reverse"


class Meta(Strict):
    id: Id
    title: Annotated[str, Field(min_length=1, max_length=120)] = Field(description="shown in the scenario list and when the game starts")
    summary: Text = Field("", description="the briefing the player reads before round 1")
    difficulty: Literal["easy", "medium", "hard"] = Field("medium", description="a label in the scenario list; does not change the simulation")
    authors: list[Annotated[str, Field(max_length=120)]] = Field(default_factory=list, max_length=20, description="credits; not used by the simulation")
    version: Annotated[str, Field(max_length=40)] = Field("1", description="your own version of the scenario (quote it: \"2\")")
    lessons: list[Text] = Field(default_factory=list, max_length=20, description="what the scenario teaches")


# How far a plan may exceed a round's capacity and still fit: capacities are products of floats
# (10 wk x (1 - 0.8 debt) is 1.9999999999999996), and a 2 wk feature fits that round. The engine
# plans with it and the scenario lint compares with it.
CAPACITY_SLACK = 1e-9


class Team(Strict):
    capacity: Annotated[float, Field(gt=0, le=1000, description="engineer-weeks per round")]
    capacity_by_round: dict[int, Annotated[float, Field(ge=0, le=1000)]] = Field(
        default_factory=dict, description="round -> capacity, overriding `capacity` for that round"
    )
    velocity_noise: Annotated[float, Field(ge=0, le=1)] = Field(0.1, description="sd of log(real output / capacity) per round; 0 = delivery exactly as planned")
    research_budget: Annotated[float, Field(ge=0, le=1e7, description="research money per round ($k)")] = 30.0
    research_budget_by_round: dict[int, Annotated[float, Field(ge=0, le=1e7)]] = Field(
        default_factory=dict, description="round -> research money ($k), overriding `research_budget` for that "
        "round (e.g. a discovery budget in round 1)"
    )
    tech_debt: Annotated[float, Field(ge=0, le=0.8, description="share of capacity lost to debt at start")] = 0.0

    def research_budget_in(self, r: int) -> float:
        """Round r's research money before budget factors: its `research_budget_by_round` entry, else
        `research_budget`."""
        return self.research_budget_by_round.get(r, self.research_budget)


class Theme(Strict):
    id: Id
    name: Annotated[str, Field(min_length=1, max_length=60)] = Field(description="the theme's name as players see it")
    pains: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=30, description="complaints interviewees and support tickets quote when the theme is weak ({theme} is filled in)")
    delights: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=30, description="praise interviewees quote when the theme is strong ({theme} is filled in)")


class Adoption(Strict):
    p: Annotated[float, Field(ge=0, le=1, description="Bass innovation coefficient per round")] = 0.02
    q: Annotated[float, Field(ge=0, le=2, description="Bass imitation coefficient per round")] = 0.3


class Churn(Strict):
    alpha: Annotated[float, Field(gt=0, le=1000)] = Field(1.0, description="shifted-beta-geometric churn: alpha / (alpha + beta) is the first round's churn probability")
    beta: Annotated[float, Field(gt=0, le=1000)] = Field(10.0, description="shifted-beta-geometric churn: larger beta means fewer customers leave")


class PersonaQuotes(Strict):
    """What the segment's customers say about one theme, in their own words."""

    pains: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=30,
        description="complaints this segment's interviewees and support tickets quote when the theme is weak, "
        "instead of the theme's own ({theme} is filled in); empty: the theme's")
    delights: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=30,
        description="praise this segment's interviewees quote when the theme is strong, instead of the theme's "
        "own ({theme} is filled in); empty: the theme's")


class Persona(Strict):
    """Who the segment's customers are, for the people the game shows (interviews, tickets)."""

    jobs: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(
        default_factory=list, max_length=200,
        description="job titles to give the segment's customers (one each, by customer); empty: any job")
    companies: bool | Annotated[list[Annotated[str, Field(min_length=1, max_length=40)]],
                                Field(min_length=1, max_length=50)] = Field(
        True, description="true: each customer works for a made-up company; false for consumers: no company "
        "shown; a list of company kinds ([agency, studio]): each customer's company is a made-up name of one "
        "of these kinds, e.g. 'Harris Studio'")
    quotes: dict[str, PersonaQuotes] = Field(
        default_factory=dict, max_length=16,
        description="theme (id) -> {pains, delights}: what this segment's customers say about the theme, "
        "quoted in interviews and support tickets instead of the theme's own pains and delights")

    def kinds(self) -> tuple[str, ...]:
        """The company kinds, if `companies` lists them (else empty)."""
        return tuple(self.companies) if isinstance(self.companies, list) else ()


class Segment(Strict):
    id: Id
    name: Annotated[str, Field(min_length=1, max_length=80)] = Field(description="the segment's name as players see it")
    share: Annotated[float, Field(gt=0, le=1)] = Field(description="share of the population in this segment (shares add up to 1)")
    needs: dict[str, Annotated[float, Field(ge=0, le=100)]] = Field(description="theme -> relative importance")
    need_spread: Annotated[float, Field(gt=0, le=1000, description="Dirichlet concentration")] = 20.0
    kano: dict[str, Kano] = Field(default_factory=dict, description="theme -> Kano category (default performance)")
    price: Annotated[float, Field(ge=0, le=1e6, description="revenue per paying customer per round")]
    price_sensitivity: Annotated[float, Field(ge=0, le=10)] = Field(1.0, description="how much price weighs against fulfilment in the segment's choice")
    adoption: Adoption = Field(Adoption(), description="Bass diffusion of newcomers into the market")
    churn: Churn = Field(Churn(), description="how customers leave")
    initial_ours: Prob = Field(0.05, description="share of the segment using our product at the start")
    initial_competitors: dict[str, Prob] = Field(default_factory=dict, description="competitor id -> share of the segment using it at the start")
    switching: Prob = Field(0.03, description="per-round chance that a customer reconsiders their choice")
    assistive_share: Prob = Field(0.05, description="share of customers who rely on assistive technology")
    outside_option: Annotated[float, Field(ge=-5, le=5, description="utility of buying nothing")] = 0.5
    persona: Persona = Field(Persona(), description="who the segment's customers are: job titles, company kinds or none, their own quotes")

    @model_validator(mode="after")
    def _initial_shares(self) -> Segment:
        total = self.initial_ours + sum(self.initial_competitors.values())
        if total > 1.0 + 1e-9:
            raise ValueError(f"initial_ours plus initial_competitors is {total:.2f}; at most 1")
        return self


class CompetitorMove(Strict):
    round: Annotated[int, Field(ge=1, le=40)] = Field(description="the round the move happens in")
    theme: str = Field(description="the theme (id) whose strength changes")
    delta: Annotated[float, Field(ge=-1, le=1)] = Field(description="change to the competitor's strength in the theme (kept 0-1)")
    note: Text = Field("", description="news shown to players when the move happens")
    feature: str | None = Field(None, description="the feature (id, same theme) customers expect from us once "
                                "the move happens (table stakes); default: the theme's highest-value feature")


class Competitor(Strict):
    id: Id
    name: Annotated[str, Field(min_length=1, max_length=80)] = Field(description="the competitor's name as players see it")
    strengths: dict[str, Prob] = Field(description="theme -> the competitor's fulfilment, 0-1")
    price_index: Annotated[float, Field(ge=0, le=10, description="price relative to ours")] = 1.0
    moves: list[CompetitorMove] = Field(default_factory=list, max_length=100, description="scripted changes to the competitor's strengths")


class Market(Strict):
    population: Annotated[int, Field(ge=100, le=5_000_000)] = Field(description="simulated potential customers")
    themes: list[Theme] = Field(min_length=1, max_length=16, description="what customers care about; every feature belongs to one theme")
    segments: list[Segment] = Field(min_length=1, max_length=12, description="groups of customers with their own needs, price and behaviour")
    competitors: list[Competitor] = Field(default_factory=list, max_length=6, description="other products customers can choose")
    product: dict[str, Prob] = Field(default_factory=dict, description="our product's starting fulfilment per theme (missing: 0)")
    accessibility: Prob = Field(0.6, description="our product's accessibility at the start, 0-1")
    usability: Prob = Field(0.6, description="our product's usability at the start, 0-1")


class Defects(Strict):
    usability: Annotated[int, Field(ge=0, le=50)] = Field(0, description="hidden usability defects a usability test can find")
    accessibility: Annotated[int, Field(ge=0, le=50)] = Field(0, description="hidden accessibility defects a usability test can find")


class Feature(Strict):
    id: Id
    title: Annotated[str, Field(min_length=1, max_length=120)] = Field(description="the feature's name as players see it")
    theme: str = Field(description="the theme (id) the feature improves")
    effort: Annotated[float, Field(gt=0, le=1000, description="true effort, engineer-weeks")]
    estimate_noise: Annotated[float, Field(ge=0, le=2, description="sd of log(estimate/effort)")] = 0.3
    value: Annotated[float, Field(ge=-1, le=1, description="fulfilment added to its theme")]
    kano: dict[str, Kano] = Field(default_factory=dict, description="segment -> category override")
    depends_on: list[str] = Field(default_factory=list, max_length=20, description="feature ids that must ship before this one")
    defects: Defects = Field(Defects(), description="hidden defects shipped with the feature unless found first")
    accessibility: Annotated[float, Field(ge=-1, le=1, description="change to product accessibility")] = 0.0
    usability: Annotated[float, Field(ge=-1, le=1, description="change to product usability")] = 0.0
    tech_debt: Annotated[float, Field(ge=-1, le=1, description="change to the team's tech debt")] = 0.0
    available_from: Annotated[int, Field(ge=1, le=40)] = Field(1, description="the first round the feature can be planned")
    description: Text = Field("", description="what the feature is, for players")


class Request(Strict):
    id: Id | None = Field(None, description="a unique id (default: stakeholder id and number)")
    round: Annotated[int, Field(ge=1, le=40)] = Field(description="the round the request arrives in")
    feature: str | None = Field(None, description="the feature (id) asked for, or none for a request with nothing to build")
    text: Text = Field(description="what the stakeholder says, shown as written")
    deadline: Annotated[int | None, Field(ge=1, le=40)] = Field(None, description="the round by which it is promised, if accepted")
    urgency: Prob = Field(0.5, description="how much answering late or not at all costs trust, 0-1")


class Stakeholder(Strict):
    id: Id
    role: Literal["sales", "engineering", "design", "support", "marketing", "leadership", "customer_success"] = Field(description="decides how generated requests are worded and what an escalation does")
    name: Annotated[str, Field(max_length=80)] | None = Field(None, description="the stakeholder's name (default: a generated one)")
    title: Annotated[str, Field(max_length=80)] | None = Field(None, description="the stakeholder's job title (default: from the role)")
    power: Prob = Field(description="salience: how much they can affect the product, 0-1")
    legitimacy: Prob = Field(description="salience: how rightful their claims are, 0-1")
    urgency: Prob = Field(description="salience: how pressing their claims are; also how often they ask, 0-1")
    trust: Prob = Field(0.6, description="starting trust in the player, 0-1")
    agenda: list[str] = Field(default_factory=list, max_length=16, description="themes they push")
    bias: Text = Field("", description="what they believe, shown to players")
    requests: list[Request] = Field(default_factory=list, max_length=100, description="scripted requests")


class KeyResult(Strict):
    id: Id
    metric: Literal[
        "customers", "revenue", "market_share", "nps", "churn_rate", "activation_rate",
        "satisfaction", "accessibility", "usability", "tech_debt", "shipped",
    ] = Field(description="what is measured, at the end of the last round")
    segment: str | None = Field(None, description="the segment (id) measured, or none for the whole market")
    target: float = Field(description="the value to reach; graded from the round-0 baseline (rates are fractions, nps in points)")
    direction: Literal["increase", "decrease"] = Field("increase", description="whether the metric should go up or down")
    description: Text = Field("", description="what the key result means, for players")


class Objective(Strict):
    id: Id
    objective: Text = Field(description="the objective, in words")
    kind: Literal["committed", "aspirational"] = Field("aspirational", description="aspirational: full credit at 70%; committed: full credit only when met")
    owner: str | None = Field(None, description="the stakeholder (id) who owns it")
    key_results: list[KeyResult] = Field(min_length=1, max_length=10, description="how the objective is measured")


class Event(Strict):
    round: Annotated[int, Field(ge=1, le=40)] = Field(description="the round the event happens in (at its start)")
    kind: Literal[
        "competitor_launch", "outage", "budget_cut", "leadership_pivot", "segment_shift",
        "capacity_change", "press", "market_growth",
    ] = Field(description="what happened; decides which fields are required")
    text: Text = Field(description="the news item shown to players")
    probability: Prob = Field(1.0, description="chance that the event happens, drawn from the game seed")
    competitor: str | None = Field(None, description="for competitor_launch: the competitor (id)")
    theme: str | None = Field(None, description="for competitor_launch and segment_shift: the theme (id)")
    delta: Annotated[float, Field(ge=-1, le=1)] = Field(0.0, description="competitor_launch: strength change; segment_shift: need change")
    segment: str | None = Field(None, description="the segment (id) hit by satisfaction_shock, growth or segment_shift (none: all)")
    capacity_delta: Annotated[float, Field(ge=-1000, le=1000)] = Field(0.0, description="engineer-weeks added to (negative: taken from) this round's capacity")
    budget_factor: Annotated[float, Field(ge=0, le=10)] = Field(1.0, description="multiplies the research budget for the rest of the game")
    satisfaction_shock: Annotated[float, Field(ge=-1, le=1)] = Field(0.0, description="added to our users' satisfaction this round")
    growth: Annotated[float, Field(ge=-0.9, le=10)] = Field(0.0, description="multiplies the segment's Bass p by 1 + growth for the rest of the game")
    request: Request | None = Field(None, description="a request that arrives with the event")
    stakeholder: str | None = Field(None, description="who makes the event's request (id)")

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Event:
        need = {
            "competitor_launch": ("competitor", "theme"),
            "segment_shift": ("segment", "theme"),
            "leadership_pivot": ("stakeholder",) if self.request is not None else (),
        }.get(self.kind, ())
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.kind} event needs {' and '.join(missing)}")
        return self


COMPONENTS = (
    "customer_impact", "okr", "stakeholder_trust", "prioritization",
    "research", "delivery", "accessibility",
)


class Scoring(Strict):
    version: Annotated[str, Field(max_length=20)] = Field("1", description="your label for this scoring set-up, recorded in every scorecard")
    revenue_weight: Annotated[float, Field(ge=0, le=1, description=(
        "how much a segment's price weighs in feature value: 0 = every customer counts the same, "
        "1 = customers count by the revenue they bring"))] = 0.5
    weights: dict[Literal[COMPONENTS], Annotated[float, Field(ge=0, le=100)]] = Field(default_factory=lambda: {
        "customer_impact": 0.25, "okr": 0.2, "stakeholder_trust": 0.15, "prioritization": 0.15,
        "research": 0.1, "delivery": 0.1, "accessibility": 0.05,
    }, description="component -> weight (any scale; a component left out gets 0)")

    @model_validator(mode="after")
    def _positive_total(self) -> Scoring:
        if sum(self.weights.values()) <= 0:
            raise ValueError("scoring weights must not all be zero")
        return self


class Generated(Strict):
    requests_per_round: Annotated[int, Field(ge=0, le=20)] = Field(1, description="stakeholder requests made up each round from their agendas")
    feedback_per_round: Annotated[int, Field(ge=0, le=20)] = Field(3, description="support tickets from unhappy customers each round")
    personas: Annotated[int, Field(ge=0, le=50)] = Field(6, description="customers per segment the team knows by name")


class Scenario(Strict):
    meta: Meta = Field(description="who the scenario is for and what it teaches")
    rounds: Annotated[int, Field(ge=1, le=40)] = Field(description="number of rounds (quarters) in the game")
    team: Team = Field(description="the engineering team")
    market: Market = Field(description="the customers and the competition")
    features: list[Feature] = Field(min_length=1, max_length=200, description="the backlog")
    stakeholders: list[Stakeholder] = Field(default_factory=list, max_length=30, description="the people who ask for things")
    okrs: list[Objective] = Field(default_factory=list, max_length=10, description="objectives and key results the player is graded on")
    events: list[Event] = Field(default_factory=list, max_length=200, description="scripted events")
    scoring: Scoring = Field(Scoring(), description="how the final score is weighted")
    generated: Generated = Field(Generated(), description="how much content pmsim makes up each round")

    # ---- convenient, derived look-ups (not part of the file) ----
    def segment_weights(self) -> list[float]:
        """Business weight of a customer per segment: half per head, half per revenue (by default)."""
        segs = self.market.segments
        tot = sum(s.share for s in segs)
        avg = sum(s.share * s.price for s in segs) / tot if tot else 0.0
        rw = self.scoring.revenue_weight
        return [(1 - rw) + rw * (s.price / avg if avg > 0 else 1.0) for s in segs]

    def theme_ids(self) -> list[str]:
        return [t.id for t in self.market.themes]

    def segment_ids(self) -> list[str]:
        return [s.id for s in self.market.segments]

    def feature(self, fid: str) -> Feature:
        for f in self.features:
            if f.id == fid:
                return f
        raise KeyError(fid)
