"""The architecture of ARCHITECTURE.md holds: the import contracts of pyproject.toml pass, and the
files stay small enough to read (issue 15)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 500
PENDING: set[str] = set()  # files allowed over MAX_LINES for now: none


def _lint_imports() -> str:
    found = Path(sys.executable).with_name("lint-imports")
    return str(found) if found.exists() else (shutil.which("lint-imports") or "")


def test_the_import_contracts_hold():
    exe = _lint_imports()
    if not exe:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    done = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_the_contracts_keep_the_core_pure_and_the_layers_in_order():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contracts = {c["id"]: c for c in config["contracts"]}
    pure = contracts["pure-core"]
    assert set(pure["source_modules"]) == {"pmsim.engine", "pmsim.scenario"}
    assert {"textual", "sqlalchemy", "click"} <= set(pure["forbidden_modules"])
    assert contracts["layers"]["layers"][:7] == [
        "pmsim.cli", "pmsim.commands", "pmsim.tui", "pmsim.storage", "pmsim.reports", "pmsim.engine",
        "pmsim.scenario",
    ]
    assert contracts["acyclic"]["type"] == "acyclic_siblings"


def test_no_source_file_is_over_500_lines():
    long = {}
    for path in sorted((ROOT / "pmsim").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES and rel not in PENDING:
            long[rel] = n
    assert long == {}, f"split these along a seam a reader can see: {long}"


def test_the_contracts_have_no_exceptions_left():
    """Issue 15's debt is paid: no import is let through the layers or the cycle check."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    assert [c["id"] for c in config["contracts"] if c.get("ignore_imports")] == []


def test_the_engine_modules_use_only_what_the_game_protocol_names():
    """delivery, observe, research, scoring, worth and stakeholders take the game as GameLike (they
    never import game.py): every attribute they read is in the protocol, and Game has it."""
    import re

    from pmsim.engine import new_game
    from pmsim.engine.protocols import GameLike
    from pmsim.scenario.loader import load_scenario

    named = set(GameLike.__annotations__) | {n for n in vars(GameLike) if not n.startswith("_")}
    caches = {"_scoring_memo", "_personas_cache", "_hindsight_cache"}  # each module's own memo on the game
    used = {}
    for mod in ("delivery", "observe", "research", "scoring", "stakeholders", "worth"):
        text = (ROOT / "pmsim" / "engine" / f"{mod}.py").read_text()
        assert "pmsim.engine.game" not in text, mod
        for name in set(re.findall(r"\bgame\.([A-Za-z_]+)", text)) - {"py"}:  # not "game.py" in prose
            used.setdefault(name, mod)
    assert {n: m for n, m in used.items() if n not in named | caches} == {}
    g = new_game(load_scenario(ROOT / "scenarios" / "tutorial.yaml"), 1)
    assert [n for n in named if not hasattr(g, n)] == []


def _reports_reaching_past_the_summary(root: Path) -> dict[str, list[str]]:
    """Where a module of `root` (pmsim/reports) reads a game's state: an attribute `.state`, or an
    import of the engine's state or of the numbers behind the summary (engine/review.py)."""
    import ast

    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            what = ""
            if isinstance(node, ast.Attribute) and node.attr == "state":
                what = ".state"
            elif isinstance(node, ast.ImportFrom) and node.module in ("pmsim.engine.state", "pmsim.engine.review"):
                what = f"import {node.module}"
            if what:
                found.setdefault(path.name, []).append(f"{what} (line {node.lineno})")
    return found


def test_reports_read_the_summary_not_the_state():
    """Text for the review, the debrief and the portfolio is built from `engine.summary` (and the
    scenario): no module of pmsim/reports touches a game's `.state`."""
    assert _reports_reaching_past_the_summary(ROOT / "pmsim" / "reports") == {}


def test_the_reports_check_sees_a_state_read(tmp_path):
    (tmp_path / "sneaky.py").write_text("def f(game):\n    return game.state.metrics\n")
    (tmp_path / "also.py").write_text("from pmsim.engine.state import ENGINE_VERSION\n")
    assert _reports_reaching_past_the_summary(tmp_path) == {
        "also.py": ["import pmsim.engine.state (line 1)"], "sneaky.py": [".state (line 2)"]}
