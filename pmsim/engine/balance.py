"""Does a scenario teach? Plays a batch of bot games and says where it fails to, and why.

Good practice (researcher, rice) must beat bad practice (random, hippo) by a clear margin; OKRs
must be neither trivially met nor out of reach; every score component must vary, or it is a
constant that teaches nothing.

`play_batch` plays the games (the same seeds as `pmsim simulate`) and keeps, besides scores and
components, where every key result started and ended. `explain` turns that into:

* ``key_results``: per key result its start (round 0), target, and what each bot reached (mean,
  p10, p90), with flags (`random_beats_rice`, `oracle_misses`, `random_reaches`, `already_met`);
* ``components``: the mean of each score component per bot;
* ``warnings`` and concrete ``advice`` (numbers to change, and to what);
* ``teach``: the behaviour-cost table of `pmsim scenarios teach` (`teach_section`), when asked.

Pure: no terminal, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from pmsim.numfmt import unsigned_zero

if TYPE_CHECKING:
    from pmsim.scenario.models import Scenario

MARGIN = 3.0  # points between good and bad practice
BLOCKS = " ▁▂▃▄▅▆▇█"
BACKLOG_RATIO = (1.05, 1.4)
ASPIRATIONAL_CREDIT = 0.7  # grade at which an aspirational objective gets full credit (engine.scoring)  # backlog / capacity of the built-ins that teach (see the guide)


# ---------------------------------------------------------------------------- the old summary warnings
def warnings(batch: dict[str, Any], margin: float = MARGIN) -> list[str]:
    return [text for _, text in _warnings(batch, margin)]


def _warnings(batch: dict[str, Any], margin: float = MARGIN) -> list[tuple[str, str]]:
    """(kind, text) per warning about the batch as a whole."""
    strat = batch["strategies"]
    mean = {k: v["mean"] for k, v in strat.items()}
    out = []
    for good in ("researcher", "rice"):
        for bad in ("random", "hippo"):
            if good in mean and bad in mean and mean[good] - mean[bad] < margin:
                out.append((f"close:{bad}:{good}", f"bad practice is too close to good: {bad} {mean[bad]:.1f} vs "
                            f"{good} {mean[good]:.1f} (margin under {margin:g} points)"))
    order = ["oracle", "researcher", "rice", "random"]
    present = [s for s in order if s in mean]
    for a, b in zip(present, present[1:], strict=False):
        if mean[a] <= mean[b]:
            out.append((f"order:{a}:{b}", f"{a} ({mean[a]:.1f}) does not beat {b} ({mean[b]:.1f})"))
    okr = {k: v["components"].get("okr") for k, v in strat.items()}
    if okr and all(x is not None and x >= 0.95 for x in okr.values()):
        out.append(("okr_trivial", "OKRs are trivially met: every strategy scores ≥ 0.95 on them"))
    if "oracle" in okr and okr["oracle"] is not None and okr["oracle"] < 0.2:
        out.append(("okr_impossible", f"OKRs look impossible: even the oracle scores {okr['oracle']:.2f} on them"))
    raw = batch.get("raw")
    if raw:
        comps = list(next(iter(raw.values()))[0]["components"])
        for c in comps:
            values = np.array([g["components"][c] for games in raw.values() for g in games])
            if values.size > 1 and float(values.std()) < 0.01:
                out.append((f"flat:{c}", f"component {c!r} never varies (always ≈ {values.mean():.2f}): it teaches nothing"))
    return out


def histogram(scores: list[float], lo: float = 0.0, hi: float = 100.0, bins: int = 20) -> str:
    """A one-line histogram of scores between lo and hi, in block characters."""
    counts, _ = np.histogram(np.clip(scores, lo, hi), bins=bins, range=(lo, hi))
    top = counts.max() or 1
    return "".join(BLOCKS[max(1, int(round(c / top * (len(BLOCKS) - 1))))] if c else "·" for c in counts)


# ---------------------------------------------------------------------------- playing
def _one(sc: Scenario, strategy: str, seed: int) -> tuple[float, dict[str, float], list[tuple[float, float]]]:
    from pmsim.engine.scoring import okr_grades
    from pmsim.engine.simulate import play_one

    game = play_one(sc, strategy, seed)
    card = game.score()
    krs = [(float(k["baseline"]), float(k["value"])) for o in okr_grades(game) for k in o["key_results"]]
    return float(card["score"]), {k: float(v) for k, v in card["components"].items()}, krs


def play_batch(sc: Scenario, strategies: Sequence[str], games: int, seed: int, jobs: int = 1,
               progress: Callable[[int], None] | None = None, until_ci: float | None = None,
               live: Callable[[dict[str, tuple[int, float, float]]], None] | None = None,
               teach: bool = False) -> dict[str, Any]:
    """`run_batch(..., raw=True)`'s result (same seeds, same numbers), plus every key result's
    (start, end) per game under "kr_values": {strategy: [[(start, end) per key result] per game]}.
    The result does not depend on `jobs`. `until_ci` and `live` as in `run_batch`.

    With `teach`, the games of `pmsim scenarios teach` (engine/teach.py's strategies) are played
    too, on the same seeds and in the same worker processes, so each seed's market is built once
    for all of them: under "teach_batch", the `run_batch(..., raw=True)` result they make (as
    many games as the batch has), which `teach_section` reads instead of playing them again.
    `progress`, `live` and `until_ci` follow `strategies` alone."""
    from pmsim.engine.simulate import _r, _Stopper, chunk_size, ci_half, game_seed, summarize
    from pmsim.engine.teach import strategies as teach_strategies

    seeds = [game_seed(seed, i) for i in range(games)]
    extra = [n for n in teach_strategies() if n not in strategies] if teach else []
    names = [*strategies, *extra]
    results: dict[str, list[Any]] = {n: [None] * games for n in names}
    stop = _Stopper(list(strategies), results, until_ci, live)
    if jobs <= 1:
        for i, s in enumerate(seeds):
            for n in names:
                results[n][i] = _one(sc, n, s)
                if progress is not None and n in strategies:
                    progress(1)
            if stop.update():
                break
    else:
        from functools import partial

        from pmsim.engine.simulate import play_chunk, run_chunks

        def take(i: int, out: dict[str, list[Any]]) -> bool:
            for n in names:
                results[n][i:i + len(out[n])] = out[n]
                if progress is not None and n in strategies:
                    progress(len(out[n]))
            return stop.update()  # enough games: the workers stop, the rest is dropped

        # a task plays every strategy on its seeds: fewer seeds when there are more strategies,
        # so the last tasks still finish close together
        size = max(1, min(chunk_size(games, jobs), 16 // len(names)))
        run_chunks(sc, partial(play_chunk, _one), names, seeds, jobs, take, size)
    games = stop.stopped_at or games
    results = {n: results[n][:games] for n in names}
    more: dict[str, Any] = {}
    if until_ci is not None:
        more["until_ci"] = {"target": until_ci, "met": stop.stopped_at is not None,
                            "ci95": {n: _r(ci_half([r[0] for r in results[n]])) for n in strategies}}

    def raw(ns: Sequence[str]) -> dict[str, Any]:
        return {n: [{"score": _r(s), "components": {c: _r(v) for c, v in comp.items()}}
                    for s, comp, _ in results[n]] for n in ns}

    def summaries(ns: Sequence[str]) -> dict[str, Any]:
        return {n: summarize([(s, c) for s, c, _ in results[n]]) for n in ns}

    if teach:
        taught = teach_strategies()
        more["teach_batch"] = {"scenario": sc.meta.id, "games": games, "seed": seed,
                               "strategies": summaries(taught), "raw": raw(taught)}
    return {
        "scenario": sc.meta.id, "games": games, "seed": seed, **more,
        "strategies": summaries(strategies),
        "raw": raw(strategies),
        "kr_values": {n: [krs for _, _, krs in results[n]] for n in strategies},
    }


# ---------------------------------------------------------------------------- explaining
def teach_section(sc: Scenario, batch: dict[str, Any], jobs: int = 1, run: bool = False) -> dict[str, Any] | None:
    """What skipping each of the analyst's behaviours costs (`pmsim scenarios teach`), on
    balance's own games and seed; None unless `run` (it plays nine more strategies).

    Returns {"columns", "rows", "note", "result", "warnings"}: the table `balance` shows, the
    teach result (the `scenarios teach --json` object) and one warning per behaviour the
    scenario does not teach.
    """
    if not run:
        return None
    from pmsim.engine.teach import TABLE_COLUMNS, from_batch, table_rows, teach, warnings

    played = batch.get("teach_batch")  # play_batch(..., teach=True) played them already
    result = from_batch(sc, played) if played else teach(sc, batch["games"], batch["seed"], jobs=jobs)
    return {
        "columns": list(TABLE_COLUMNS),
        "rows": table_rows(result),
        "note": f"the analyst scores {result['baseline']['mean']:.1f}; a behaviour is taught when "
                "skipping it costs ≥ 3 points with d ≥ 0.5",
        "result": result,
        "warnings": warnings(result),
    }


def decimals(*values: float) -> int:
    """Decimals to show numbers of this size with: 0 from 1,000 up, 1 from 10, 2 from 1, else 3."""
    top = max((abs(v) for v in values), default=0.0)
    return 0 if top >= 1000 else 1 if top >= 10 else 2 if top >= 1 else 3


def _num(x: float, digits: int | None = None) -> str:
    """`x` with thousands separators and `digits` decimals (default: by its own size); what rounds
    to zero has no sign ("0.000", never "-0.000")."""
    return unsigned_zero(f"{x:,.{decimals(x) if digits is None else digits}f}")


def _backlog_advice(sc: Scenario) -> str:
    from pmsim.scenario.lint import game_capacity

    cap = game_capacity(sc)
    backlog = sum(f.effort for f in sc.features)
    per_week = sorted(f.value / f.effort for f in sc.features if f.value > 0)
    q1 = float(np.percentile(per_week, 25)) if per_week else 0.0
    if cap <= 0:
        return ("the game has no capacity (every round's capacity is 0): nothing can be built; raise "
                "team.capacity or the rounds of team.capacity_by_round")
    lo, hi = BACKLOG_RATIO[0] * cap - backlog, BACKLOG_RATIO[1] * cap - backlog
    if lo > 0:  # too small: grow it (within the range, or above it, the order of work must matter)
        # many features no bigger than a quarter of one round's work: a few giant ones change little,
        # since everybody builds them last (measured on the template, see the guide)
        per_round = cap / max(sc.rounds, 1)
        small, big = max(1.0, per_round / 12), max(2.0, per_round / 4)
        return (f"the backlog ({backlog:g} wk) is {backlog / cap:.2f} × the game's capacity ({cap:.0f} wk): add "
                f"features worth {max(lo, 1):.0f}–{hi:.0f} wk in all (to {BACKLOG_RATIO[0]:g}–{BACKLOG_RATIO[1]:g} × "
                f"capacity), as many features of {small:.0f}–{big:.0f} wk each (at most a quarter of a round's "
                f"capacity), most of them small for what they cost (value per week under {q1:.3f}, the "
                "lowest quarter of your backlog), so that building at random wastes capacity")
    best = max(per_week) if per_week else 0.0
    return (f"the backlog ({backlog:g} wk) is already {backlog / cap:.2f} × capacity: make value per week differ "
            f"more (now {min(per_week, default=0):.3f}–{best:.3f}): give some big features little value and some "
            "small ones a lot, so that the order of work matters")


def _warning_advice(sc: Scenario, kind: str, batch: dict[str, Any]) -> str:
    if kind.startswith("close:") or kind == "order:rice:random":
        return _backlog_advice(sc)
    if kind == "order:researcher:rice":
        noisy = sum(1 for f in sc.features if f.estimate_noise >= 0.25 and f.effort >= 6)
        return (f"research does not pay: make the truth differ from the default guess: mix Kano categories "
                f"per segment, and give big features (6 wk or more) an estimate_noise of 0.25 or more "
                f"(now {noisy} of them have it)")
    if kind == "order:oracle:researcher":
        noise = sc.team.velocity_noise
        return (f"luck outweighs knowledge: run more --games (now {batch['games']})"
                + (f", or lower team.velocity_noise (now {noise:g}) towards 0.1" if noise > 0.1 else ""))
    if kind in ("okr_trivial", "okr_impossible"):
        return "move the key results' targets as the key result advice says"
    if kind.startswith("flat:"):
        c = kind.split(":", 1)[1]
        if c == "okr" and not sc.okrs:
            return (f"the scenario has no OKRs, so okr is always 1: set scoring.weights.okr to 0 (now "
                    f"{sc.scoring.weights.get(c, 0):g}) or add okrs")
        return f"set scoring.weights.{c} to 0 (now {sc.scoring.weights.get(c, 0):g}), or give {c} something to measure"
    return ""


def _key_results(sc: Scenario, batch: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    rows, warn, advice = [], [], []
    values = batch["kr_values"]
    strategies = list(values)
    j = 0
    for obj in sc.okrs:
        for kr in obj.key_results:
            up = kr.direction == "increase"
            start = float(np.mean([g[j][0] for g in values[strategies[0]]]))  # round 0: the same for every bot
            reached = {}
            for n in strategies:
                ends = np.array([g[j][1] for g in values[n]], dtype=np.float64)
                p10, p90 = np.percentile(ends, [10, 90])
                reached[n] = {"mean": round(float(ends.mean()), 4), "p10": round(float(p10), 4),
                              "p90": round(float(p90), 4)}

            # an aspirational objective gives full credit at 70% of the way from the start
            k = ASPIRATIONAL_CREDIT if obj.kind == "aspirational" else 1.0
            full_at = start + k * (kr.target - start)

            def meets(x: float, target: float = full_at, up: bool = up) -> bool:
                return x >= target if up else x <= target

            def better_eq(a: float, b: float, up: bool = up) -> bool:
                return a >= b if up else a <= b

            mean = {n: reached[n]["mean"] for n in strategies}
            d = decimals(start, kr.target, *mean.values())
            flags = []
            if "random" in mean and "rice" in mean and better_eq(mean["random"], mean["rice"]):
                flags.append("random_beats_rice")
            if "oracle" in mean and not meets(mean["oracle"]):
                flags.append("oracle_misses")
            if meets(start):
                flags.append("already_met")
            elif "random" in mean and meets(mean["random"]):
                flags.append("random_reaches")
            name = f"key result {kr.id!r} ({kr.metric}{', ' + kr.segment if kr.segment else ''})"
            if "random_beats_rice" in flags:
                warn.append(f"{name}: random play reaches {_num(mean['random'], d)}, rice {_num(mean['rice'], d)}: "
                            "building in RICE order does not move it more than building at random")
                advice.append(f"{kr.id}: good play does not move {kr.metric} more than random play: give more value "
                              "to the features that move it (their theme, for the segments it counts), or grade a "
                              "metric the valuable features move")
            if {"oracle_misses", "random_reaches", "already_met"} & set(flags):
                why = ("even the oracle misses it" if "oracle_misses" in flags else
                       "it is met before round 1" if "already_met" in flags else "random play reaches it")
                ref = max(mean.get("random", start), start) if up else min(mean.get("random", start), start)
                top = mean.get("oracle", ref)
                # the value the key-result table prints (its row's full_credit_at), rounded alike
                credit = f" (full credit at {_num(round(full_at, 4), d)})" if k < 1 else ""
                warn.append(f"{name}: target {_num(kr.target, d)}{credit}, start {_num(start, d)}: {why} "
                            f"(random {_num(mean.get('random', start), d)}, oracle {_num(top, d)})")
                rnd = mean.get("random", start)
                if better_eq(start, top):  # graded from the start: every bot gets 0, whatever the target
                    advice.append(f"{kr.id}: even the oracle does not get past the start ({_num(start, d)}; oracle "
                                  f"{_num(top, d)}, random {_num(rnd, d)}), and a key result is graded from its "
                                  f"start, so no target tells good play from random: give the backlog features "
                                  f"that move {kr.metric}{' for ' + kr.segment if kr.segment else ''} enough to "
                                  f"outweigh its decline, or drop this key result")
                elif better_eq(ref, top):
                    advice.append(f"{kr.id}: no target tells good play from random here (start {_num(start, d)}, "
                                  f"random {_num(rnd, d)}, oracle {_num(top, d)}): grade a metric the backlog "
                                  "moves, or drop this key result")
                else:
                    # full credit a quarter to three quarters of the way from random to the oracle
                    lo, hi = sorted(start + (ref + (top - ref) * q - start) / k for q in (0.25, 0.75))
                    verb = "lower" if kr.target > hi else "raise"
                    d = decimals(lo, hi, kr.target, ref, top)
                    aspire = "; aspirational: full credit at 70% of the way" if k < 1 else ""
                    advice.append(f"{verb} {kr.id} target ({kr.metric}) to between {_num(lo, d)} and {_num(hi, d)} "
                                  f"(now {_num(kr.target, d)}; start {_num(start, d)}, random reaches "
                                  f"{_num(rnd, d)}, the oracle {_num(top, d)}{aspire})")
            rows.append({"id": kr.id, "objective": obj.id, "metric": kr.metric, "segment": kr.segment,
                         "direction": kr.direction, "start": round(start, 4), "target": kr.target,
                         "kind": obj.kind, "full_credit_at": round(full_at, 4),
                         "reached": reached, "flags": flags})
            j += 1
    return rows, warn, advice


def explain(sc: Scenario, batch: dict[str, Any], margin: float = MARGIN, jobs: int = 1,
            teach: bool = False) -> dict[str, Any]:
    """The balance report (see the module docstring): batch + key_results, components, warnings,
    advice and (with `teach`) what each behaviour is worth."""
    found = _warnings(batch, margin)
    if not sc.okrs:  # the okr component is 1 by definition: its flat: warning says so, with advice that fits
        found = [(k, t) for k, t in found if k not in ("okr_trivial", "okr_impossible")]
    advice = [a for a in dict.fromkeys(_warning_advice(sc, k, batch) for k, _ in found) if a]
    krs, kr_warn, kr_advice = _key_results(sc, batch)
    taught = teach_section(sc, batch, jobs, run=teach)
    if taught:
        kr_warn = kr_warn + [f"does not teach: {w}" for w in taught["warnings"]]
        if taught["warnings"]:
            kr_advice = kr_advice + ["make a skipped behaviour cost something a mentor would name: interviews "
                                     "find must-bes (give a segment a must_be feature), competitive analysis "
                                     "sees launches coming (add competitor moves), usability tests catch "
                                     "defects (give features defects); see scenarios/README.md"]
    return {
        **{k: v for k, v in batch.items() if k not in ("kr_values", "teach_batch")},
        "key_results": krs,
        "components": {n: dict(s["components"]) for n, s in batch["strategies"].items()},
        "warnings": [t for _, t in found] + kr_warn,
        "advice": advice + kr_advice,
        "teach": taught,
    }
