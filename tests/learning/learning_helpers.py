"""Shared by the learning-layer tests (imported as `learning_helpers`: a conftest module name is not
unique across test folders): sample saves, small scenarios, games played with a rationale, Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAVES = sorted((ROOT / "saves").glob("*.pmsave.json"))
SKILLS = ("analytical thinking", "problem solving", "communication", "project management",
          "customer-centric thinking")
RATING_RANK = {"below": 0, "developing": 1, "meets": 2, "exceeds": 3}
OFFER_RANK = {"no": 0, "yes_with_plan": 1, "yes": 2}
EVIL = "<script>alert(1)</script>"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--disable-extensions"]


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def small_text(scenario_id: str = "b2b_saas", population: int = 2000) -> str:
    """A built-in scenario's text with a small market (fast), edited so text, hash and game agree."""
    import re

    from pmsim.paths import builtin_scenarios_dir

    text = (builtin_scenarios_dir() / f"{scenario_id}.yaml").read_text(encoding="utf-8")
    new, n = re.subn(r"(?m)^(\s+population:\s*)\d+", rf"\g<1>{population}", text, count=1)
    assert n == 1
    return new


def load_sample(path: Path):
    """(record, game) of a shipped sample save, read and replayed with every round hash checked."""
    from pmsim.storage.exchange import read_save
    from pmsim.storage.history import replay_record

    rec = read_save(path)
    res = replay_record(rec)
    assert res.ok, res.problem
    return rec, res.game


def play_with_rationale(game, rationales: dict[int, str], decline_note: str, rounds: int | None = None,
                        strategy: str = "rice") -> None:
    """Rounds 1-2: decline the first open request with a reason and `decline_note`, commit with the
    round's rationale; then let `strategy` finish the game (or stop after `rounds`). `game` may be a
    storage GameSession (it plays like a Game)."""
    from pmsim.engine import EndRound, Plan, Respond
    from pmsim.engine.bots import play_round

    while not game.finished and (rounds is None or game.round <= rounds):
        r = game.round
        if r in rationales:
            q = next(q for q in game.state.requests if q.status == "open")
            game.apply(Respond(q.id, "decline", "evidence", rationale=decline_note if r == 1 else ""))
            for f in game.scenario.features:
                if game.is_legal(Plan(f.id, "now")):
                    game.apply(Plan(f.id, "now"))
                    break
            game.apply(EndRound(rationale=rationales[r]))
        else:
            play_round(game, strategy)


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def run_chromium(chromium: str, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp / "chromium-profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          timeout=120, stdin=subprocess.DEVNULL, start_new_session=True)
