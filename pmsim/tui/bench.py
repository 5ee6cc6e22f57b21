"""TUI benchmarks for `pmsim bench` (importing this module registers them with pmsim.bench).

    first_frame   process start → the title screen drawn in a real pseudo-terminal   ≤ 1.0 s
    key_roadmap   a key on the roadmap table → the updated screen rendered,
                  200,000-customer scenario (a move: engine + autosave + redraw)      ≤ 50 ms
    key_research_method  m on the Research pane → the next method's offers rendered,
                  200,000-customer scenario (no engine work: the pane redraw)        ≤ 50 ms
    end_round_ui  commit → quarter resolved + saved + the round report rendered       ≤ 0.3 s

Each function returns {"name", "median_s", "target_s", "runs", ...}. Timings are wall clock on
this machine; the targets assume 2 cores.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FIRST_FRAME_TARGET = 1.0
KEY_TARGET = 0.05
END_ROUND_TARGET = 0.3
BIG_POPULATION = 200_000


def _scenario_text(population: int | None = None) -> str:
    from pmsim.scenario.builtin import DEFAULT_SCENARIO, resolve

    text = resolve(DEFAULT_SCENARIO).read_text(encoding="utf-8")
    if population is not None:
        text = re.sub(r"(?m)^(\s+population:\s*)\d+", rf"\g<1>{population}", text, count=1)
    return text


# ---------------------------------------------------------------------------- first_frame
def _first_frame_once(db: Path, timeout: float = 20.0) -> float:
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="80", LINES="24")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pmsim.commands.play", "--db", str(db)],
                            stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                            start_new_session=True)
    os.close(slave)
    seen = b""
    try:
        while time.perf_counter() - t0 < timeout:
            r, _, _ = select.select([master], [], [], 0.05)
            if r:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
                if b"New game" in seen and b"Quit" in seen:
                    return time.perf_counter() - t0
        raise RuntimeError(f"no title screen within {timeout} s: {seen[-300:]!r}")
    finally:
        proc.kill()
        proc.wait()
        os.close(master)


def bench_first_frame(runs: int = 5) -> dict[str, Any]:
    """`pmsim play` as a process in a pseudo-terminal, until the title screen's text is drawn."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        cold = _first_frame_once(db)  # creates (and migrates) the database
        times = [_first_frame_once(db) for _ in range(runs)]
    return {"name": "first_frame", "median_s": statistics.median(times), "target_s": FIRST_FRAME_TARGET,
            "runs": runs, "first_run_s": round(cold, 4), "terminal": "80x24 pty"}


# ---------------------------------------------------------------------------- in-process helpers
async def _idle(app, until=lambda: True, timeout: float = 30.0) -> None:
    """Yield to the event loop (no sleeping) until the app's jobs are done and `until()` holds."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if app.idle and until():
            return
        await asyncio.sleep(0)
    raise TimeoutError(f"the app did not settle (idle={app.idle}, screen={app.screen!r}, focused={app.focused!r})")


async def _into_game(app, pilot) -> None:
    """Wait for the game to open and close its briefing (enter), as a player would."""
    from pmsim.tui.screens.briefing import BriefingScreen
    from pmsim.tui.screens.game import GameScreen

    await _idle(app, lambda: isinstance(app.screen, GameScreen | BriefingScreen))
    while isinstance(app.screen, BriefingScreen):
        await pilot.press("enter")
        await _idle(app)


def _render(app) -> None:
    """Draw the whole screen the way the driver would (the cost of putting it on the terminal)."""
    app.screen._refresh_layout()
    app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)


def _make_app(store, text: str):
    from pmsim.tui.app import PmsimApp
    from pmsim.tui.service import Catalog, ScenarioEntry

    entry = ScenarioEntry.from_text(text, "<bench>")
    app = PmsimApp(store, catalog=Catalog([entry]), seed=1, player="bench", scenario_id=entry.id, start="play")
    app.animation_level = "none"
    return app


# ---------------------------------------------------------------------------- a game to time
@contextlib.asynccontextmanager
async def _game(population: int | None = None):
    """(app, pilot) in a game of the bench scenario, saving to a throwaway SQLite file."""
    from pmsim.storage.saves import SaveStore

    with tempfile.TemporaryDirectory() as tmp:
        store = SaveStore(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        app = _make_app(store, _scenario_text() if population is None else _scenario_text(population))
        try:
            async with app.run_test(size=(100, 30)) as pilot:
                await _into_game(app, pilot)
                yield app, pilot
        finally:
            store.close()


# ---------------------------------------------------------------------------- key_roadmap
async def _key_roadmap(runs: int) -> dict[str, Any]:
    from textual import events

    async with _game(BIG_POPULATION) as (app, pilot):
        await pilot.press("4", "s", "s", "s", "ctrl+home")  # the roadmap, sorted by RICE
        await _idle(app)
        pane = app.screen.pane("roadmap")
        # the cheapest feature that can start now: n plans it, backspace takes it off again
        fid = min((f for f in app.view.obs["features"] if f["status"] == "backlog"
                   and not f["depends_on"] and f["available_from"] <= app.view.round),
                  key=lambda f: f["remaining_estimate"])["id"]
        await pilot.press(*["down"] * pane.table.index_of(fid))
        await _idle(app)
        moves, sorts = [], []
        for i in range(runs + 1):
            key = "n" if i % 2 == 0 else "backspace"
            before = app.view
            t0 = time.perf_counter()
            app.post_message(events.Key(key, key if len(key) == 1 else None))
            await _idle(app, lambda b=before: app.view is not b)
            _render(app)
            if i:  # the first is a warm-up
                moves.append(time.perf_counter() - t0)
        for i in range(runs + 1):
            sort = (pane.sort_key, pane.sort_desc)
            t0 = time.perf_counter()
            app.post_message(events.Key("s", "s"))
            await _idle(app, lambda s=sort: (pane.sort_key, pane.sort_desc) != s)
            _render(app)
            if i:
                sorts.append(time.perf_counter() - t0)
        population = app.view.obs["metrics"][-1]["customers"]
    return {"name": "key_roadmap", "median_s": statistics.median(moves), "target_s": KEY_TARGET,
            "runs": len(moves), "sort_median_s": round(statistics.median(sorts), 6),
            "population": BIG_POPULATION, "customers": population,
            "what": "plan/unplan a feature by key: engine + autosave (SQLite file) + redraw"}


def bench_key_roadmap(runs: int = 15) -> dict[str, Any]:
    """A key on the roadmap table (plan / unplan) → saved and the screen redrawn, 200k customers."""
    return asyncio.run(_key_roadmap(runs))


# ---------------------------------------------------------------------------- key_research_method
async def _key_research_method(runs: int) -> dict[str, Any]:
    from textual import events

    async with _game(BIG_POPULATION) as (app, pilot):
        await pilot.press("3")
        await _idle(app)
        pane = app.screen.pane("research")
        times = []
        for i in range(runs + 1):
            before = pane.method
            t0 = time.perf_counter()
            app.post_message(events.Key("m", "m"))
            await _idle(app, lambda b=before: pane.method != b)
            _render(app)
            if i:  # the first is a warm-up
                times.append(time.perf_counter() - t0)
        await pilot.pause()
        fills = pane.fills
    return {"name": "key_research_method", "median_s": statistics.median(times), "target_s": KEY_TARGET,
            "runs": len(times), "max_s": round(max(times), 6), "population": BIG_POPULATION,
            "offer_redraws": fills, "what": "m: the next research method's offers, redrawn"}


def bench_key_research_method(runs: int = 15) -> dict[str, Any]:
    """m on the Research pane → the next method and its offers on screen, 200k customers."""
    return asyncio.run(_key_research_method(runs))


# ---------------------------------------------------------------------------- end_round_ui
async def _end_round(rounds: int) -> dict[str, Any]:
    from pmsim.tui.screens.game import GameScreen
    from pmsim.tui.screens.report import RoundReportScreen

    times = []
    async with _game() as (app, pilot):
        n = min(rounds, app.view.rounds - 1)
        for _ in range(n):
            await pilot.press("4", "ctrl+home", "n", "down", "n")
            await _idle(app)
            t0 = time.perf_counter()
            app.game_screen.post_message(GameScreen.RoadmapCommitted(""))
            await _idle(app, lambda: isinstance(app.screen, RoundReportScreen))
            _render(app)
            times.append(time.perf_counter() - t0)
            await pilot.press("enter")
            await _into_game(app, pilot)
        population = app.view.obs["scenario"]["id"]
    return {"name": "end_round_ui", "median_s": statistics.median(times), "target_s": END_ROUND_TARGET,
            "runs": len(times), "max_s": round(max(times), 6), "scenario": population}


def bench_end_round_ui(rounds: int = 7) -> dict[str, Any]:
    """Commit the roadmap → the quarter resolved, saved, and the round report drawn (default scenario)."""
    return asyncio.run(_end_round(rounds))


ALL = {"first_frame": bench_first_frame, "key_roadmap": bench_key_roadmap,
       "key_research_method": bench_key_research_method, "end_round_ui": bench_end_round_ui}


def _register() -> None:
    try:
        from pmsim.bench import benchmark
    except ImportError:  # pragma: no cover - pmsim.bench is the lead's
        return
    benchmark("first_frame", target_s=FIRST_FRAME_TARGET)(bench_first_frame)
    benchmark("key_roadmap", target_s=KEY_TARGET)(bench_key_roadmap)
    benchmark("key_research_method", target_s=KEY_TARGET)(bench_key_research_method)
    benchmark("end_round_ui", target_s=END_ROUND_TARGET)(bench_end_round_ui)


_register()

if __name__ == "__main__":
    import json

    for name in sys.argv[1:] or list(ALL):
        print(json.dumps(ALL[name]()))
