"""What the replay viewer shows: a save re-simulated, round by round, as plain data.

Built in a worker from storage's `replay_record` (the same replay `pmsim replay --verify` runs),
so the viewer also says whether each round still matches its recorded state hash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pmsim.engine.summary import Summary, summarize
from pmsim.reports.studies import RESPONSE_VERB, describe_study
from pmsim.tui import fmt

if TYPE_CHECKING:
    from pmsim.storage.saves import SaveStore


@dataclass(frozen=True)
class ReplayRound:
    round: int
    decisions: list[str]
    rationale: str
    plan: list[str]
    carried: list[str]
    best_on_beliefs: list[str]
    best_in_hindsight: list[str]
    shipped: list[str]
    slipped: list[str]
    score: float
    score_delta: float
    regret: float
    metrics: dict[str, Any]  # the truth, as the round's report has it
    reactions: list[str]
    news: list[str]
    matches: bool
    surveyed_nps: float | None = None  # the NPS the player's pulse survey read (a sample: the screens showed it)


@dataclass(frozen=True)
class Replay:
    target: str  # what to pass to store.fork: a save id or an exported file's path
    source: str
    save_id: int | None
    player: str
    scenario_title: str
    seed: int
    status: str
    rounds_total: int
    final_score: float | None
    rounds: list[ReplayRound]
    pending: list[str] = field(default_factory=list)  # actions of a round still in progress
    problem: str | None = None

    @property
    def header(self) -> str:
        who = f"save {self.save_id}" if self.save_id is not None else self.source
        score = "" if self.final_score is None else f", score {self.final_score:.1f}"
        return (f"Replay of {who}: {self.player}, {fmt.short_title(self.scenario_title)}, seed {self.seed} "
                f"({self.status.replace('_', ' ')}{score})")


def describe(action: dict[str, Any], facts: Summary) -> str:
    """One line a person reads for a stored action (`facts`: the game's engine.summary)."""
    titles = {f.id: f.title for f in facts.scenario.features}
    seg = {s.id: s.name for s in facts.scenario.market.segments}
    kind = action.get("kind")
    if kind == "plan":
        where = str(action.get("slot", "now")).upper()
        pos = action.get("position")
        at = f" at position {pos + 1}" if isinstance(pos, int) else ""
        return f"Planned {titles.get(action['feature'], action['feature'])} → {where}{at}"
    if kind == "unplan":
        return f"Took {titles.get(action['feature'], action['feature'])} off the roadmap"
    if kind == "respond":
        req = facts.request(action["request"])
        who = facts.stakeholders[req.stakeholder].name if req else "?"
        about = titles.get(req.feature, "") if req and req.feature else ""
        verb = RESPONSE_VERB.get(action["response"], "?")
        reason = action.get("reason", "none")
        text = f"{verb} {who}'s request" + (f" ({about})" if about else "")
        if reason and reason != "none":
            text += f", reason: {reason}"
        if action.get("rationale"):
            text += f' — "{action["rationale"]}"'
        return text
    if kind == "renegotiate":
        req = facts.request(action["request"])
        who = facts.stakeholders[req.stakeholder].name if req else "?"
        about = titles.get(req.feature, "") if req and req.feature else ""
        new = action.get("new_deadline")
        text = f"Asked {who} to {'move' if new is not None else 'drop'} a promise" + (f" ({about})" if about else "")
        text += (f" to Q{new}" if new is not None else "") + f", reason: {action.get('reason', 'none')}"
        return text + (f' — "{action["rationale"]}"' if action.get("rationale") else "")
    if kind == "research":
        return describe_study(action, seg, titles, "sentence")
    if kind == "end_round":
        r = action.get("rationale") or ""
        return "Committed the roadmap" + (f' — "{r}"' if r else "")
    return str(action)


def load_replay(store: SaveStore, target: int | str) -> Replay:
    """Re-simulate `target` (a save id, or an exported file's path) for the viewer."""
    from pmsim.engine.observe import observed_metrics
    from pmsim.storage.errors import SaveDamaged
    from pmsim.storage.history import replay_record

    rec = store.open_target(target)
    res = replay_record(rec)
    game = res.game
    if game is None:
        raise SaveDamaged(res.problem or f"{rec.source} cannot be replayed")
    facts = summarize(game)
    titles = {f.id: f.title for f in facts.scenario.features}

    def names(ids: list[str]) -> list[str]:
        return [titles.get(i, i) for i in ids]

    by_round: dict[int, list[dict[str, Any]]] = {}
    for a in rec.actions[: res.applied]:
        if a.data is not None:
            by_round.setdefault(a.round, []).append(a.data)
    recorded = {r.round: r.state_hash for r in rec.rounds}
    rounds: list[ReplayRound] = []
    prev_score = 0.0
    for rf, summ in zip(facts.rounds, res.summaries, strict=False):
        r = rf.round
        rounds.append(ReplayRound(
            round=r, decisions=[describe(a, facts) for a in by_round.get(r, [])], rationale=rf.rationale,
            plan=names(rf.plan), carried=names(rf.carried), best_on_beliefs=names(rf.best_on_beliefs),
            best_in_hindsight=names(rf.hindsight), shipped=names(rf.shipped), slipped=names(rf.slipped),
            score=rf.score, score_delta=fmt.change(prev_score, rf.score), regret=rf.regret, metrics=rf.metrics,
            reactions=rf.reactions, news=rf.news, matches=recorded.get(r) == summ["state_hash"],
            surveyed_nps=observed_metrics(game, r)["nps"] if r < len(game.state.metrics) else None,
        ))
        prev_score = rf.score
    done = {r.round for r in rounds}
    pending = [describe(a, facts) for rn, acts in by_round.items() if rn not in done for a in acts]
    return Replay(
        target=str(target), source=rec.source, save_id=rec.id, player=rec.player,
        scenario_title=rec.scenario_title, seed=rec.seed, status=rec.status,
        rounds_total=game.scenario.rounds,
        final_score=float(facts.card["score"]) if rounds else None, rounds=rounds, pending=pending,
        problem=res.problem,
    )
