"""Helpers for the TUI tests: a small copy of a built-in scenario, waiting, reading the screen."""

from __future__ import annotations

import io
import re

from rich.console import Console

from pmsim.scenario.builtin import resolve
from pmsim.storage.saves import SaveStore
from pmsim.tui.app import PmsimApp
from pmsim.tui.service import Catalog, ScenarioEntry

SEED = 7
PLAYER = "Tess"
SMALL_POPULATION = 3000


def small_text(scenario_id: str = "b2b_saas", population: int = SMALL_POPULATION) -> str:
    """A built-in scenario with a small market, so a whole game takes well under a second a round."""
    text = resolve(scenario_id).read_text(encoding="utf-8")
    new, n = re.subn(r"(?m)^(\s+population:\s*)\d+", rf"\g<1>{population}", text, count=1)
    assert n == 1, "the scenario has no market population to shrink"
    return new


def small_catalog() -> Catalog:
    return Catalog([ScenarioEntry.from_text(small_text("b2b_saas"), "b2b_saas (small)"),
                    ScenarioEntry.from_text(small_text("consumer_app"), "consumer_app (small)")])


def make_app(store: SaveStore, catalog: Catalog, **kw) -> PmsimApp:
    kw.setdefault("seed", SEED)
    kw.setdefault("player", PLAYER)
    app = PmsimApp(store, catalog=catalog, **kw)
    app.animation_level = "none"  # tab underlines slide otherwise, and Pilot waits for every slide
    return app


async def settle(pilot) -> None:
    """Wait until every queued service job ran and its messages were handled (never sleeps)."""
    app = pilot.app
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if app.idle:
            await pilot.pause()
            if app.idle:
                return
    raise AssertionError("the app never became idle")


async def press(pilot, *keys: str) -> None:
    """Press keys, then wait until the app has done everything they asked for."""
    await pilot.press(*keys)
    await settle(pilot)


async def past_briefing(pilot) -> None:
    """Read the briefing (shown when a game opens and at every quarter) and close it with enter."""
    from pmsim.tui.screens.briefing import BriefingScreen

    for _ in range(3):
        if not isinstance(pilot.app.screen, BriefingScreen):
            return
        await press(pilot, "enter")
    raise AssertionError("the briefing did not close")


def screen_text(app) -> str:
    """The plain text of what the screen shows now (modal screens over their background)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False)


def run(coro_fn):
    """Run an async test body (no asyncio plugin needed): `def test_x(): run(body)`."""
    import asyncio
    import functools

    @functools.wraps(coro_fn)
    def wrapper(*args, **kwargs):
        return asyncio.run(coro_fn(*args, **kwargs))

    return wrapper
