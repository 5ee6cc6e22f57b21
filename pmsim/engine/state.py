"""The mutable state of one game (what changes), separate from the immutable Scenario."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from pmsim.engine.population import Population

ENGINE_VERSION = "0.7.0"
DEFECT_VALUE = 0.12  # share of a feature's value each defect shipped with it costs
DEFECT_CAP = 0.6


class IllegalAction(Exception):
    """An action the engine refuses. The state is unchanged."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class FeatureState:
    id: str
    estimate: float  # current estimate, engineer-weeks
    estimate_sd: float  # log-sd of the estimate's error
    impact_guess: float  # the design team's guess at the feature's value (noisy)
    impact_sd: float  # log-sd of impact_guess's error (research.IMPACT_GUESS_SD at the start): research narrows it
    remaining: float  # true remaining effort
    status: str = "backlog"  # backlog | in_progress | shipped
    slot: str | None = None  # now | next | later
    shipped_round: int | None = None
    spiked: bool = False
    usability_tested: int = 0
    defects_found: dict[str, int] = field(default_factory=lambda: {"usability": 0, "accessibility": 0})
    started_round: int | None = None
    shipped_defects: int = 0  # defects no usability test caught, shipped with the feature

    def quality(self) -> float:
        """Share of its value a shipped feature delivers: each shipped defect costs DEFECT_VALUE."""
        return 1.0 - min(DEFECT_VALUE * self.shipped_defects, DEFECT_CAP)

    def remaining_estimate(self, effort: float) -> float:
        return self.estimate * (self.remaining / effort) if effort > 0 else 0.0


@dataclass
class StakeholderState:
    id: str
    name: str
    title: str
    role: str
    power: float
    legitimacy: float
    urgency: float
    trust: float
    agenda: list[str]
    last_escalation: int = -99

    @property
    def salience(self) -> float:
        return (self.power + self.legitimacy + self.urgency) / 3.0


@dataclass
class RequestState:
    id: str
    stakeholder: str
    round: int
    text: str
    feature: str | None
    deadline: int | None
    urgency: float
    scripted: bool
    status: str = "open"  # open | accepted | deferred | declined | ignored | delivered | broken | released
    reason: str = ""
    rationale: str = ""
    answered_round: int | None = None
    answer: str = ""  # how the player answered: accept | defer | decline | ignored (kept after delivery)
    original_deadline: int | None = None  # the deadline first asked for, once a renegotiation moved it
    delivered_round: int | None = None  # when its feature shipped (a broken promise can still be delivered late)
    renegotiations: list[dict[str, Any]] = field(default_factory=list)  # each ask and the stakeholder's reply


@dataclass
class Beliefs:
    need_mean: np.ndarray  # (S, T)
    need_var: np.ndarray  # (S, T)
    kano_votes: np.ndarray  # (S, F, 5) int
    comp_mean: np.ndarray  # (K, T)
    comp_sd: np.ndarray  # (K, T)
    known_moves: list[dict[str, Any]] = field(default_factory=list)
    survey_n: np.ndarray | None = None  # (S,) respondents so far
    interview_n: np.ndarray | None = None  # (S,)

    def copy(self) -> Beliefs:
        return Beliefs(
            self.need_mean.copy(), self.need_var.copy(), self.kano_votes.copy(), self.comp_mean.copy(),
            self.comp_sd.copy(), [dict(m) for m in self.known_moves],
            None if self.survey_n is None else self.survey_n.copy(),
            None if self.interview_n is None else self.interview_n.copy(),
        )


@dataclass
class GameState:
    seed: int
    round: int
    finished: bool
    pop: Population
    shipped: list[str]
    usability: float
    accessibility: float
    tech_debt: float
    comp_strength: np.ndarray  # (K, T)
    features: dict[str, FeatureState]
    now: list[str]
    stakeholders: dict[str, StakeholderState]
    requests: list[RequestState]
    beliefs: Beliefs
    capacity: float = 0.0  # capacity available this round on estimates
    spike_used: float = 0.0
    budget: float = 0.0  # research budget left this round
    research_count: int = 0
    actions_this_round: int = 0
    research_results: list[dict[str, Any]] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)
    news: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)  # index 0 = before round 1
    reports: list[dict[str, Any]] = field(default_factory=list)
    ledger: list[dict[str, Any]] = field(default_factory=list)  # scoring inputs per round
    # modifiers that carry across rounds
    budget_factor: float = 1.0
    capacity_penalty_next: float = 0.0
    capacity_event_delta: dict[int, float] = field(default_factory=dict)
    bass_factor: np.ndarray | None = None  # (S,)
    wom: np.ndarray | None = None  # (S,)
    shock: np.ndarray | None = None  # (S,) satisfaction shock for the coming round
    public_moves: list[dict[str, Any]] = field(default_factory=list)  # competitor launches in the news
    launches: list[dict[str, Any]] = field(default_factory=list)  # every launch, as it happened
    pending_news: list[dict[str, Any]] = field(default_factory=list)  # launches the news has not caught up with


def _canon(obj: Any) -> Any:
    """Canonical, platform-independent JSON-able form: floats rounded to 1e-9, arrays digested."""
    # the plain types a state is mostly made of first, by exact type (what the checks below do
    # with them, without walking the chain); a container's plain members are done in its own
    # loop (_canon_dict, _canon_list), without a call each
    t = type(obj)
    if t is str or t is int or t is bool or obj is None:
        return obj
    if t is float:
        return round(obj, 9) + 0.0
    if t is dict:
        return _canon_dict(obj)
    if t is list or t is tuple:
        return _canon_list(obj)
    if isinstance(obj, float):
        return round(obj, 9) + 0.0
    if isinstance(obj, np.floating):
        return round(float(obj), 9) + 0.0
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.ndarray):
        a = np.ascontiguousarray(obj)
        if a.dtype.kind == "f" and a.dtype.itemsize == 8:
            a = np.round(a, 9) + 0.0
        a = a.astype(a.dtype.newbyteorder("<"), copy=False)
        # the array's own bytes, read in place (what tobytes() would copy out first)
        data = a if a.ndim and a.flags.c_contiguous else a.tobytes()
        return {"dtype": a.dtype.str, "shape": list(a.shape), "sha256": hashlib.sha256(data).hexdigest()}
    if isinstance(obj, dict):
        return _canon_dict(obj)
    if isinstance(obj, (list, tuple)):
        return _canon_list(obj)
    if hasattr(obj, "__dataclass_fields__") and not isinstance(obj, type):
        # what _canon(asdict(obj)) gives, without asdict's deep copy of every field first
        names = _FIELDS.get(type(obj))
        if names is None:
            names = _FIELDS[type(obj)] = tuple(f.name for f in fields(obj))
        return _canon_dict({n: getattr(obj, n) for n in names})
    return obj


_FIELDS: dict[type, tuple[str, ...]] = {}  # each dataclass's field names, in order


def _canon_dict(obj: dict) -> dict:
    """`{str(k): _canon(v) for k, v in obj.items()}`, plain values done here."""
    out = {}
    for k, v in obj.items():
        if type(k) is not str:
            k = str(k)
        t = type(v)
        if t is str or t is int or t is bool or v is None:
            out[k] = v
        elif t is float:
            out[k] = round(v, 9) + 0.0
        else:
            out[k] = _canon(v)
    return out


def _canon_list(obj: list | tuple) -> list:
    """`[_canon(v) for v in obj]`, plain values done here."""
    out = []
    for v in obj:
        t = type(v)
        if t is str or t is int or t is bool or v is None:
            out.append(v)
        elif t is float:
            out.append(round(v, 9) + 0.0)
        else:
            out.append(_canon(v))
    return out


STATIC_POP = ("segment", "needs", "price_sens", "theta", "assistive", "temper")
HISTORY = ("reports", "metrics", "ledger")


def _digest(obj: Any) -> str:
    blob = json.dumps(_canon(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def state_hash(state: GameState, cache: dict[str, Any] | None = None) -> str:
    """SHA-256 of the whole state in canonical form: equal across processes and machines.

    `cache` (one per game) keeps digests of what cannot change once written: the customers'
    fixed attributes (until a segment shift drops it) and each entry of the round history.
    """
    cache = {} if cache is None else cache
    d = {k: getattr(state, k) for k in state.__dataclass_fields__ if k != "pop" and k not in HISTORY}
    arrays = state.pop.arrays()
    if "static_pop" not in cache:
        cache["static_pop"] = _digest({k: arrays[k] for k in STATIC_POP})
    d["pop_static"] = cache["static_pop"]
    d["pop"] = {k: v for k, v in arrays.items() if k not in STATIC_POP}
    hist = cache.setdefault("history", {})
    for name in HISTORY:
        digests = []
        for i, item in enumerate(getattr(state, name)):
            if (name, i) not in hist:
                hist[(name, i)] = _digest(item)
            digests.append(hist[(name, i)])
        d[name] = digests
    d["engine_version"] = ENGINE_VERSION
    return _digest(d)
