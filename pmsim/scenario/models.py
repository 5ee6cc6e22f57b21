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
    title: Annotated[str, Field(min_length=1, max_length=120)]
    summary: Text = ""
    difficulty: Literal["easy", "medium", "hard"] = "medium"
    authors: list[Annotated[str, Field(max_length=120)]] = Field(default_factory=list, max_length=20)
    version: Annotated[str, Field(max_length=40)] = "1"
    lessons: list[Text] = Field(default_factory=list, max_length=20, description="what the scenario teaches")


class Team(Strict):
    capacity: Annotated[float, Field(gt=0, le=1000, description="engineer-weeks per round")]
    capacity_by_round: dict[int, Annotated[float, Field(ge=0, le=1000)]] = Field(
        default_factory=dict, description="round -> capacity, overriding `capacity` for that round"
    )
    velocity_noise: Annotated[float, Field(ge=0, le=1)] = 0.1
    research_budget: Annotated[float, Field(ge=0, le=1e7, description="research money per round ($k)")] = 30.0
    tech_debt: Annotated[float, Field(ge=0, le=0.8, description="share of capacity lost to debt at start")] = 0.0


class Theme(Strict):
    id: Id
    name: Annotated[str, Field(min_length=1, max_length=60)]
    pains: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=30)
    delights: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=30)


class Adoption(Strict):
    p: Annotated[float, Field(ge=0, le=1, description="Bass innovation coefficient per round")] = 0.02
    q: Annotated[float, Field(ge=0, le=2, description="Bass imitation coefficient per round")] = 0.3


class Churn(Strict):
    alpha: Annotated[float, Field(gt=0, le=1000)] = 1.0
    beta: Annotated[float, Field(gt=0, le=1000)] = 10.0


class Segment(Strict):
    id: Id
    name: Annotated[str, Field(min_length=1, max_length=80)]
    share: Annotated[float, Field(gt=0, le=1)]
    needs: dict[str, Annotated[float, Field(ge=0, le=100)]] = Field(description="theme -> relative importance")
    need_spread: Annotated[float, Field(gt=0, le=1000, description="Dirichlet concentration")] = 20.0
    kano: dict[str, Kano] = Field(default_factory=dict, description="theme -> Kano category (default performance)")
    price: Annotated[float, Field(ge=0, le=1e6, description="revenue per paying customer per round")]
    price_sensitivity: Annotated[float, Field(ge=0, le=10)] = 1.0
    adoption: Adoption = Adoption()
    churn: Churn = Churn()
    initial_ours: Prob = 0.05
    initial_competitors: dict[str, Prob] = Field(default_factory=dict)
    switching: Prob = 0.03
    assistive_share: Prob = Field(0.05, description="share of customers who rely on assistive technology")
    outside_option: Annotated[float, Field(ge=-5, le=5, description="utility of buying nothing")] = 0.5

    @model_validator(mode="after")
    def _initial_shares(self) -> Segment:
        total = self.initial_ours + sum(self.initial_competitors.values())
        if total > 1.0 + 1e-9:
            raise ValueError(f"initial_ours plus initial_competitors is {total:.2f}; at most 1")
        return self


class CompetitorMove(Strict):
    round: Annotated[int, Field(ge=1, le=40)]
    theme: str
    delta: Annotated[float, Field(ge=-1, le=1)]
    note: Text = ""


class Competitor(Strict):
    id: Id
    name: Annotated[str, Field(min_length=1, max_length=80)]
    strengths: dict[str, Prob]
    price_index: Annotated[float, Field(ge=0, le=10, description="price relative to ours")] = 1.0
    moves: list[CompetitorMove] = Field(default_factory=list, max_length=100)


class Market(Strict):
    population: Annotated[int, Field(ge=100, le=5_000_000)]
    themes: list[Theme] = Field(min_length=1, max_length=16)
    segments: list[Segment] = Field(min_length=1, max_length=12)
    competitors: list[Competitor] = Field(default_factory=list, max_length=6)
    product: dict[str, Prob] = Field(default_factory=dict, description="our product's starting fulfilment per theme (missing: 0)")
    accessibility: Prob = 0.6
    usability: Prob = 0.6


class Defects(Strict):
    usability: Annotated[int, Field(ge=0, le=50)] = 0
    accessibility: Annotated[int, Field(ge=0, le=50)] = 0


class Feature(Strict):
    id: Id
    title: Annotated[str, Field(min_length=1, max_length=120)]
    theme: str
    effort: Annotated[float, Field(gt=0, le=1000, description="true effort, engineer-weeks")]
    estimate_noise: Annotated[float, Field(ge=0, le=2, description="sd of log(estimate/effort)")] = 0.3
    value: Annotated[float, Field(ge=-1, le=1, description="fulfilment added to its theme")]
    kano: dict[str, Kano] = Field(default_factory=dict, description="segment -> category override")
    depends_on: list[str] = Field(default_factory=list, max_length=20)
    defects: Defects = Defects()
    accessibility: Annotated[float, Field(ge=-1, le=1, description="change to product accessibility")] = 0.0
    usability: Annotated[float, Field(ge=-1, le=1, description="change to product usability")] = 0.0
    tech_debt: Annotated[float, Field(ge=-1, le=1, description="change to the team's tech debt")] = 0.0
    available_from: Annotated[int, Field(ge=1, le=40)] = 1
    description: Text = ""


class Request(Strict):
    id: Id | None = None
    round: Annotated[int, Field(ge=1, le=40)]
    feature: str | None = None
    text: Text
    deadline: Annotated[int | None, Field(ge=1, le=40)] = None
    urgency: Prob = 0.5


class Stakeholder(Strict):
    id: Id
    role: Literal["sales", "engineering", "design", "support", "marketing", "leadership", "customer_success"]
    name: Annotated[str, Field(max_length=80)] | None = None
    title: Annotated[str, Field(max_length=80)] | None = None
    power: Prob
    legitimacy: Prob
    urgency: Prob
    trust: Prob = 0.6
    agenda: list[str] = Field(default_factory=list, max_length=16, description="themes they push")
    bias: Text = ""
    requests: list[Request] = Field(default_factory=list, max_length=100)


class KeyResult(Strict):
    id: Id
    metric: Literal[
        "customers", "revenue", "market_share", "nps", "churn_rate", "activation_rate",
        "satisfaction", "accessibility", "usability", "tech_debt", "shipped",
    ]
    segment: str | None = None
    target: float
    direction: Literal["increase", "decrease"] = "increase"
    description: Text = ""


class Objective(Strict):
    id: Id
    objective: Text
    kind: Literal["committed", "aspirational"] = "aspirational"
    owner: str | None = None
    key_results: list[KeyResult] = Field(min_length=1, max_length=10)


class Event(Strict):
    round: Annotated[int, Field(ge=1, le=40)]
    kind: Literal[
        "competitor_launch", "outage", "budget_cut", "leadership_pivot", "segment_shift",
        "capacity_change", "press", "market_growth",
    ]
    text: Text
    probability: Prob = 1.0
    competitor: str | None = None
    theme: str | None = None
    delta: Annotated[float, Field(ge=-1, le=1)] = 0.0
    segment: str | None = None
    capacity_delta: Annotated[float, Field(ge=-1000, le=1000)] = 0.0
    budget_factor: Annotated[float, Field(ge=0, le=10)] = 1.0
    satisfaction_shock: Annotated[float, Field(ge=-1, le=1)] = 0.0
    growth: Annotated[float, Field(ge=-0.9, le=10)] = 0.0
    request: Request | None = None
    stakeholder: str | None = None

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
    version: Annotated[str, Field(max_length=20)] = "1"
    revenue_weight: Annotated[float, Field(ge=0, le=1, description=(
        "how much a segment's price weighs in feature value: 0 = every customer counts the same, "
        "1 = customers count by the revenue they bring"))] = 0.5
    weights: dict[Literal[COMPONENTS], Annotated[float, Field(ge=0, le=100)]] = Field(default_factory=lambda: {
        "customer_impact": 0.25, "okr": 0.2, "stakeholder_trust": 0.15, "prioritization": 0.15,
        "research": 0.1, "delivery": 0.1, "accessibility": 0.05,
    })

    @model_validator(mode="after")
    def _positive_total(self) -> Scoring:
        if sum(self.weights.values()) <= 0:
            raise ValueError("scoring weights must not all be zero")
        return self


class Generated(Strict):
    requests_per_round: Annotated[int, Field(ge=0, le=20)] = 1
    feedback_per_round: Annotated[int, Field(ge=0, le=20)] = 3
    personas: Annotated[int, Field(ge=0, le=50)] = 6


class Scenario(Strict):
    meta: Meta
    rounds: Annotated[int, Field(ge=1, le=40)]
    team: Team
    market: Market
    features: list[Feature] = Field(min_length=1, max_length=200)
    stakeholders: list[Stakeholder] = Field(default_factory=list, max_length=30)
    okrs: list[Objective] = Field(default_factory=list, max_length=10)
    events: list[Event] = Field(default_factory=list, max_length=200)
    scoring: Scoring = Scoring()
    generated: Generated = Generated()

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
