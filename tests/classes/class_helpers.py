"""Shared by the class tests (imported as `class_helpers`: a conftest module name is not unique
across test folders). The class scenario, the students and how they play."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = 5

# Five students who finish (two named Ada) and one still playing, with the bot that plays for each.
STUDENTS = [("Ada", "oracle"), ("Grace", "rice"), ("Ada", "hippo"), ("Linus", "random"),
            ("Barbara", "researcher")]
IN_PROGRESS = ("Ken", "rice", 2)  # name, bot, rounds played


def _load_storage_conftest():
    storage = str(ROOT / "tests" / "storage")
    if storage not in sys.path:  # its conftest imports its sibling module storage_texts
        sys.path.append(storage)
    spec = importlib.util.spec_from_file_location("pmsim_tests_storage_conftest",
                                                  ROOT / "tests" / "storage" / "conftest.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while the file runs
    spec.loader.exec_module(mod)
    return mod


storage_conftest = _load_storage_conftest()
on_ci = storage_conftest.on_ci


def small_text(population: int = 4000) -> str:
    """b2b_saas with a small market: the class stores this text, so game, text and hash agree."""
    from pmsim.paths import builtin_scenarios_dir

    text = (builtin_scenarios_dir() / "b2b_saas.yaml").read_text(encoding="utf-8")
    assert text.count("population: 120000") == 1
    return text.replace("population: 120000", f"population: {population}")


@dataclass(frozen=True)
class ClassDB:
    path: Path  # a SQLite file: do not modify (copy it with `class_url`)
    code: str
    save_ids: list[int]  # the five finished students, in STUDENTS order
    in_progress_id: int
    files: dict[str, Path]  # exported games: "good0".."good4", "unfinished"


def play_students(store, code: str, students=STUDENTS, in_progress=IN_PROGRESS) -> tuple[list[int], int | None]:
    from pmsim.engine.bots import play_game, play_round
    from pmsim.storage.session import GameSession

    ids = []
    for name, bot in students:
        s = GameSession.start_class(store, code, name)
        play_game(s, bot)
        ids.append(s.save_id)
    other = None
    if in_progress:
        name, bot, rounds = in_progress
        s = GameSession.start_class(store, code, name)
        for _ in range(rounds):
            play_round(s, bot)
        other = s.save_id
    return ids, other
