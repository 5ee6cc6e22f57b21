"""Replaying a save: rebuild the game from its scenario, seed and actions, and check every
recorded round hash against the replay. Shared by resume, verify, fork and import."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pmsim.storage.records import ReplayResult, SaveRecord, sha256_text

if TYPE_CHECKING:
    from pmsim.engine import Game

KEY_METRICS = ("customers", "revenue", "nps", "churn_rate", "activation_rate", "satisfaction", "market_share")


def round_summary(game: Game, ended_round: int) -> dict[str, Any]:
    """The summary stored after round `ended_round` closed: state hash, score, what the player saw."""
    report = game.state.reports[-1] if game.state.reports else {}
    card = report.get("score") or {}
    try:
        from pmsim.engine.observe import observed_metrics

        seen = observed_metrics(game, ended_round)
    except (ImportError, IndexError, KeyError):
        seen = report.get("metrics") or {}
    score = card.get("score")
    return {
        "round": ended_round,
        "state_hash": game.state_hash(),
        "finished": bool(game.finished),
        "score": None if score is None else float(score),
        "components": {k: float(v) for k, v in (card.get("components") or {}).items()},
        "metrics": {k: seen[k] for k in KEY_METRICS if k in seen},
        "shipped": [str(f) for f in report.get("shipped", [])],
    }


def version_key(version: str) -> tuple[int, ...] | None:
    """(1, 4, 0) for "1.4.0" (a suffix like "-dev" or "+local" is allowed); None for garbage."""
    import re

    m = re.fullmatch(r"(\d{1,6}(?:\.\d{1,6}){0,3})(?:[-+.][0-9A-Za-z.+-]{0,40})?", str(version).strip())
    return tuple(int(p) for p in m.group(1).split(".")) if m else None


def engine_version_problem(version: str, upgrade_to: str = "import it") -> str | None:
    """Why a save's `engine_version` cannot be accepted by this pmsim, or None: garbage, or a
    newer engine than this one (its games may play by rules this pmsim does not know).
    `upgrade_to`: what upgrading would let the player do ("import it", "play it on")."""
    from pmsim.engine.state import ENGINE_VERSION
    from pmsim.textsafe import plain

    theirs, ours = version_key(version), version_key(ENGINE_VERSION)
    if theirs is None:
        return f"its engine version '{plain(str(version)[:40])}' is not a version number"
    if ours is not None and theirs > ours:
        return (f"it was saved by a newer engine ({plain(version[:40])}; this pmsim has {ENGINE_VERSION}): "
                f"upgrade pmsim to {upgrade_to}")
    return None


def score_differences(rec: SaveRecord, summaries: list[dict[str, Any]]) -> list[str]:
    """Where the scores recorded in `rec` differ from the replayed `summaries` (by more than
    1e-6): ["round 2 (recorded 88.00, replays to 54.12)", "the final score (...)"]."""
    replayed = {s["round"]: s.get("score") for s in summaries}
    out = []
    for r in rec.rounds:
        want = replayed.get(r.round)
        if r.score is not None and want is not None and abs(r.score - want) > 1e-6:
            out.append(f"round {r.round} (recorded {r.score:.2f}, replays to {want:.2f})")
    final = summaries[-1].get("score") if summaries else None
    if rec.score is not None and final is not None and abs(rec.score - final) > 1e-6:
        out.append(f"the final score (recorded {rec.score:.2f}, replays to {final:.2f})")
    return out


def _short(h: str | None) -> str:
    return (h or "none")[:12]


def replay_record(rec: SaveRecord, upto_seq: int | None = None) -> ReplayResult:
    """Replay `rec` (its first `upto_seq` actions if given), checking each recorded round hash.

    Never raises for a bad save: problems are reported in the result, the first one wins.
    A divergence (different state, or an action the engine now refuses) sets `first_mismatch`;
    an unreadable save (bad scenario, damaged action row, gap in the numbering) sets `damaged`.
    """
    from pmsim.engine import ActionFormatError, IllegalAction, action_from_dict
    from pmsim.engine.simulate import fresh_game
    from pmsim.engine.state import ENGINE_VERSION
    from pmsim.scenario.loader import ScenarioError, load_scenario_text

    res = ReplayResult(source=rec.source, game=None)

    def damaged(msg: str) -> ReplayResult:
        res.problem = res.problem or f"{rec.source}: {msg}"
        res.damaged = res.damaged or res.first_mismatch is None
        return res

    if sha256_text(rec.scenario_text) != rec.scenario_sha256:
        return damaged("its scenario text does not match the recorded sha256 (it was altered)")
    try:
        scenario = load_scenario_text(rec.scenario_text, f"<scenario of {rec.source}>")
    except ScenarioError as e:
        first = e.lines()[0] if e.lines() else str(e)
        return damaged(f"its scenario no longer loads in this pmsim: {first}")
    try:
        # a copy of the last new game built for this scenario and seed: a class plays one seed,
        # so its report and the saves list replay many games that start from the same market
        # (the parser hands back the same Scenario for the same text)
        game = fresh_game(scenario, rec.seed)
    except ValueError as e:
        return damaged(str(e))
    res.game = game
    recorded = {r.round: r for r in rec.rounds}
    actions = rec.actions if upto_seq is None else rec.actions[:upto_seq]
    for i, a in enumerate(actions, start=1):
        if a.seq != i:
            return damaged(f"its action log jumps from action {i - 1} to {a.seq} (rows missing)")
        if a.data is None:
            return damaged(f"action {a.seq} (round {a.round}) is damaged: {a.error}")
        try:
            action = action_from_dict(a.data)
        except ActionFormatError as e:
            return damaged(f"action {a.seq} (round {a.round}) is not a valid action: {e}")
        before, was_finished = game.round, game.finished
        try:
            game.apply(action)
        except IllegalAction as e:
            res.first_mismatch = res.first_mismatch or before
            res.problem = res.problem or (
                f"{rec.source}: round {before} differs from the recorded game: action {a.seq} "
                f"({a.kind}) is illegal in this replay ({e.message})"
            )
            return res
        except Exception as e:  # an engine bug must not take the caller down with it
            return damaged(f"replaying action {a.seq} failed: {type(e).__name__}: {e}")
        res.applied = i
        if game.round != before or (game.finished and not was_finished):
            summary = round_summary(game, before)
            res.summaries.append(summary)
            res.rounds_checked += 1
            want = recorded.get(before)
            if want is None:
                res.first_mismatch = res.first_mismatch or before
                res.problem = res.problem or (
                    f"{rec.source}: round {before} has no recorded state hash (the record is incomplete)"
                )
            elif want.state_hash != summary["state_hash"] and res.first_mismatch is None:
                res.first_mismatch = before
                res.problem = (
                    f"{rec.source}: round {before} differs from the recorded game (state "
                    f"{_short(summary['state_hash'])}…, recorded {_short(want.state_hash)}…)"
                )
    if upto_seq is None:
        extra = sorted(r for r in recorded if r > (res.summaries[-1]["round"] if res.summaries else 0))
        if extra and res.first_mismatch is None:
            res.first_mismatch = extra[0]
            res.problem = (
                f"{rec.source}: the record has round {extra[0]} but the replay of its "
                f"{len(actions)} actions never completes it"
            )
    if res.problem and rec.engine_version != ENGINE_VERSION and not res.damaged:
        res.problem += f" (saved by engine {rec.engine_version}, this is {ENGINE_VERSION})"
    return res


def replayed_game(rec: SaveRecord, what: str = "a review") -> Game:
    """The game of `rec`, rebuilt by replay; `SaveNotReplayable` (one line) if it cannot be trusted
    or has no completed quarter to write `what` about."""
    from pmsim.storage.errors import SaveNotReplayable

    res = replay_record(rec)
    if res.game is None or res.problem:
        raise SaveNotReplayable(res.problem or f"{rec.source} cannot be replayed")
    if not res.game.state.ledger:
        raise SaveNotReplayable(f"{rec.source}: no quarter has been completed yet, so there is nothing for {what}")
    return res.game
