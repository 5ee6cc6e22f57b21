"""Checking class games and building class reports (the `pmsim class report` machinery).

From the database: the game summary stored when each game finished, no replay (a finished save
without a usable summary is replayed once and its summary stored). From exported files: each file
is read, replayed and compared with its record in worker processes, and a file that cannot be
counted is kept with its reason. Nothing here raises for a bad game: it becomes a `Rejected` row.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pmsim.reports.classreport import ClassReport
    from pmsim.storage.records import SaveRecord
    from pmsim.storage.saves import SaveStore

MAX_PEEK = 8 * 1024 * 1024  # as read_save's limit


# ---------------------------------------------------------------------------- checking games
@dataclass
class Checked:
    """What checking one game found: a summary to count, or the reason it is rejected."""

    source: str
    player: str | None = None
    summary: dict[str, Any] | None = None
    reason: str | None = None
    scenario_id: str | None = None
    scenario_title: str | None = None
    scenario_sha256: str | None = None
    seed: int | None = None
    save_id: int | None = None
    titles: dict[str, str] | None = None  # feature id -> title, from the replayed game's scenario


def _version_key(version: str) -> tuple[int, ...] | None:
    m = re.fullmatch(r"(\d+(?:\.\d+){0,3})(?:[-+.]?[0-9A-Za-z.+-]*)?", version.strip())
    return tuple(int(p) for p in m.group(1).split(".")) if m else None


def _unprefixed(message: str, source: str) -> str:
    return message[len(source) + 2:] if message.startswith(source + ": ") else message


def summary_problem(summary: Any) -> str | None:
    """Why a stored summary cannot be shown in a report (missing or mistyped fields), or None."""
    from pmsim.engine.summary import mistakes
    from pmsim.scenario.models import COMPONENTS

    try:
        float(summary["score"])
        for c in COMPONENTS:
            float(summary["components"][c])
        for r in summary["rounds"]:
            int(r["round"])
            float(r["regret"])
            for k in ("shipped", "plan", "best_on_beliefs", "best_in_hindsight"):
                if not isinstance(r[k], list):
                    raise TypeError(k)
        mistakes(summary)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
        return f"its game summary is incomplete ({type(e).__name__}: {e})"
    return None


def check_record(rec: SaveRecord) -> Checked:
    """Replay `rec`, compare it with its record, and summarize it if it is a finished, honest game."""
    from pmsim.engine.state import ENGINE_VERSION
    from pmsim.engine.summary import game_summary
    from pmsim.storage.history import replay_record

    out = Checked(rec.source, rec.player, scenario_id=rec.scenario_id, scenario_title=rec.scenario_title,
                  scenario_sha256=rec.scenario_sha256, seed=rec.seed, save_id=rec.id)
    theirs, ours = _version_key(rec.engine_version), _version_key(ENGINE_VERSION)
    if theirs is None:
        out.reason = f"an unknown engine version {rec.engine_version[:40]!r}: not a save this pmsim can check"
        return out
    if ours is not None and theirs > ours:
        out.reason = (f"from a newer pmsim (engine {rec.engine_version[:40]}; this pmsim is {ENGINE_VERSION}): "
                      "upgrade pmsim to count it")
        return out
    if rec.status != "finished":
        out.reason = f"unfinished: saved during round {rec.round}"
        return out
    res = replay_record(rec)
    if res.problem or res.game is None:
        what = _unprefixed(res.problem or "cannot be replayed", rec.source)
        out.reason = f"does not replay to its record, so it was altered or damaged: {what}"
        return out
    if not res.game.finished:
        out.reason = f"unfinished: its actions stop in round {res.game.round}"
        return out
    recorded = [(r.round, r.score) for r in rec.rounds] + [(None, rec.score)]
    replayed = {s["round"]: s["score"] for s in res.summaries}
    final = res.summaries[-1]["score"] if res.summaries else None
    for rnd, score in recorded:
        want = final if rnd is None else replayed.get(rnd)
        if score is not None and want is not None and abs(score - want) > 1e-6:
            where = "its final score" if rnd is None else f"round {rnd}'s score"
            out.reason = f"edited: {where} says {score:.2f} but the game replays to {want:.2f}"
            return out
    try:
        summary = game_summary(res.game)
    except Exception as e:  # an engine bug must not take the report down
        out.reason = f"its summary could not be built ({type(e).__name__}: {e})"
        return out
    out.reason = summary_problem(summary)
    out.summary = None if out.reason else summary
    out.titles = {f.id: f.title for f in res.game.scenario.features}
    return out


def _titles(scenario_text: str) -> dict[str, str] | None:
    """Feature id -> title in the class's scenario (reports show titles)."""
    from pmsim.scenario.loader import check_scenario_text

    sc, _ = check_scenario_text(scenario_text, "<class scenario>")
    return {f.id: f.title for f in sc.features} if sc is not None else None


def check_item(item: str | SaveRecord) -> Checked:
    """Worker: an exported file (a path) or a stored save (a SaveRecord). Never raises."""
    from pmsim.storage.errors import StorageError
    from pmsim.storage.exchange import read_save

    if isinstance(item, str):
        try:
            rec = read_save(Path(item))
        except StorageError as e:
            return Checked(item, _claimed_player(item), reason=_cut_short(item) or _unprefixed(str(e), item))
        except Exception as e:  # pragma: no cover - belt and braces: one odd file never stops a report
            return Checked(item, reason=f"cannot be read ({type(e).__name__}: {e})")
    else:
        rec = item
    try:
        return check_record(rec)
    except Exception as e:  # pragma: no cover - e.g. an engine bug met while replaying
        return Checked(rec.source, rec.player, reason=f"cannot be checked ({type(e).__name__}: {e})",
                       save_id=rec.id)


def _claimed_player(path: str) -> str | None:
    """The player a rejected file names, if it can be seen (shown to the instructor, never trusted)."""
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_PEEK)
    except OSError:
        return None
    m = re.search(rb'"player":\s*"((?:[^"\\]|\\.){1,200})"', raw)
    if not m:
        return None
    try:
        name = json.loads(b'"' + m.group(1) + b'"')
    except ValueError:
        return None
    return " ".join(name.split())[:200] or None


def _cut_short(path: str) -> str | None:
    """"truncated" for what starts as a pmsim save but stops before its JSON ends (an export
    always ends with its closing brace), wherever the cut falls (read_save only sees cuts
    between values)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 64))
            tail = f.read()
    except OSError:
        return None
    if b'"pmsim-save"' not in head or tail.rstrip().endswith(b"}"):
        return None
    return f"truncated: the file stops after {size} bytes, before its JSON ends"


def check_many(items: list[Any], jobs: int = 1) -> list[Checked]:
    """`check_item` over `items`, in that order, with up to `jobs` spawned worker processes."""
    jobs = max(1, min(jobs, len(items)))
    if jobs == 1:
        return [check_item(i) for i in items]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from pmsim.engine.simulate import _stop_workers

    ctx = multiprocessing.get_context("spawn")  # as `pmsim simulate`: no forked threads or connections
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_ignore_sigint)
    try:
        out = list(pool.map(check_item, items, chunksize=max(1, len(items) // (jobs * 4))))
    except BaseException:  # Ctrl-C: end the workers now rather than wait for (or hang on) them
        _stop_workers(pool)
        raise
    pool.shutdown(wait=True)
    return out


def _ignore_sigint() -> None:
    """Worker start-up: Ctrl-C reaches the whole process group; the parent alone stops."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


# ---------------------------------------------------------------------------- building reports
def report_from_db(store: SaveStore, code: str, jobs: int = 1) -> ClassReport:
    """The report of class `code` from its stored summaries. A finished save without a usable
    summary is replayed (and the summary stored, so the next report need not replay it)."""
    from pmsim.reports.classreport import ClassReport, Entry, Rejected
    from pmsim.storage.errors import StorageError

    klass, games = store.class_games(code)
    titles = _titles(klass.scenario_text)
    on_server = store.server_save_ids(klass.id)  # played on the class server: verified
    entries: list[Entry] = []
    rejected: list[Rejected] = []
    rebuild = []
    for g in games:
        i = g.info
        src = f"save {i.id}"
        if g.scenario_sha256 != klass.scenario_sha256 or i.seed != klass.seed:
            rejected.append(Rejected(src, "another scenario or seed than the class's", i.player))
        elif i.status != "finished":
            rejected.append(Rejected(src, f"in progress (round {i.round}): not counted until finished", i.player,
                                     verified=i.id in on_server))
        elif g.summary is None or summary_problem(g.summary):
            rebuild.append(i)
        else:
            entries.append(Entry(i.player, src, g.summary, titles=titles, verified=i.id in on_server))
    if rebuild:
        records = []
        for i in rebuild:
            try:
                records.append(store.load(i.id))
            except StorageError as e:
                rejected.append(Rejected(f"save {i.id}", str(e), i.player))
        for c in check_many(records, jobs):
            if c.summary is None:
                rejected.append(Rejected(c.source, c.reason or "cannot be replayed", c.player))
                continue
            entries.append(Entry(c.player or "?", c.source, c.summary, titles=titles, verified=c.save_id in on_server))
            try:
                store.set_summary(c.save_id, c.summary)  # type: ignore[arg-type]
            except StorageError:
                pass  # e.g. a read-only database: the report is right, the next one replays again
    rejected.sort(key=lambda r: int(r.source.split()[-1]))
    return ClassReport(klass.name, f"{klass.scenario_title} ({klass.scenario_id})", klass.seed, entries,
                       rejected, code=klass.code)


def _majority(values: list[Any]) -> tuple[Any, bool]:
    """The most common value (the first seen wins a tie) and whether it was a tie."""
    counts = Counter(values)
    best = max(counts.values())
    top = [v for v in dict.fromkeys(values) if counts[v] == best]
    return top[0], len(top) > 1


def report_from_files(paths: list[str], *, scenario_text: str | None = None, seed: int | None = None,
                      title: str | None = None, jobs: int = 1) -> tuple[ClassReport, list[str]]:
    """The report over exported files, and notes for the instructor (e.g. no clear majority).

    The class's scenario and seed are `scenario_text`/`seed` if given, else those of most of the
    files that could be read. Raises `ValueError` when not a single file is a readable save."""
    from pmsim.reports.classreport import ClassReport, Entry, Rejected
    from pmsim.storage.records import sha256_text

    seen: dict[str, str] = {}
    todo: list[str] = []
    dupes: dict[int, str] = {}
    for n, p in enumerate(paths):
        key = os.path.realpath(p)
        if key in seen:
            dupes[n] = seen[key]
        else:
            seen[key] = p
            todo.append(p)
    checked = dict(zip(todo, check_many(todo, jobs), strict=True))
    readable = [c for c in checked.values() if c.scenario_sha256 is not None]
    if not readable:
        first = next(iter(checked.values()), None)
        raise ValueError(f"none of the {len(paths)} file(s) is a readable pmsim save"
                         + (f" ({first.source}: {first.reason})" if first else ""))
    notes = []
    if scenario_text is not None:
        ref_sha = sha256_text(scenario_text)
        from pmsim.storage.rows import _load_scenario

        sc = _load_scenario(scenario_text)
        ref_id, ref_title = sc.meta.id, sc.meta.title
    else:
        ref_sha, tie = _majority([c.scenario_sha256 for c in readable])
        ref = next(c for c in readable if c.scenario_sha256 == ref_sha)
        ref_id, ref_title = ref.scenario_id, ref.scenario_title
        if tie:
            notes.append(f"no scenario is played by a majority of the files: counting {ref_id} as in "
                         f"{ref.source}; pass --scenario and --seed to choose")
    if seed is None:
        seed, tie = _majority([c.seed for c in readable if c.scenario_sha256 == ref_sha] or [readable[0].seed])
        if tie:
            notes.append(f"no seed is played by a majority of the files: counting seed {seed}; pass --seed to choose")
    entries, rejected = [], []
    for n, p in enumerate(paths):
        if n in dupes:
            rejected.append(Rejected(p, f"the same file as {dupes[n]} (given twice): counted once",
                                     checked[dupes[n]].player))
            continue
        c = checked[p]
        reason = c.reason
        if c.scenario_sha256 is not None and not (reason or "").startswith("from a newer pmsim"):
            if c.scenario_sha256 != ref_sha:
                reason = (f"another version of scenario {ref_id} (its text differs from the class's)"
                          if c.scenario_id == ref_id else f"another scenario: {c.scenario_id} (the class plays {ref_id})")
            elif c.seed != seed:
                reason = f"another seed: {c.seed} (the class plays seed {seed})"
        if reason or c.summary is None:
            rejected.append(Rejected(p, reason or "cannot be counted", c.player))
        else:
            # a file proves its game replays, never who played it: never verified
            entries.append(Entry(c.player or "?", p, c.summary, titles=c.titles, verified=False))
    rep = ClassReport(title or f"{ref_title}, {len(paths)} files", f"{ref_title} ({ref_id})", seed, entries, rejected)
    return rep, notes
