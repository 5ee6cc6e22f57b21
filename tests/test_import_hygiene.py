"""The core never sees the screen or the database, and `pmsim --help` stays light.

Checked in a fresh interpreter, as harlequin does: anything imported earlier in the test process
would hide a leak.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def modules_after(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def tops(mods: set[str]) -> set[str]:
    return {m.split(".")[0] for m in mods}


@pytest.mark.parametrize(
    "module",
    [
        "pmsim.engine",
        "pmsim.engine.bots",
        "pmsim.engine.simulate",
        "pmsim.scenario.loader",
        "pmsim.scenario.builtin",
    ],
)
def test_core_imports_neither_textual_nor_sqlalchemy(module):
    loaded = tops(modules_after(f"import {module}"))
    assert "textual" not in loaded
    assert "sqlalchemy" not in loaded


def test_cli_help_is_light():
    code = (
        "import sys\n"
        "from pmsim.cli import main\n"
        "try:\n    main(['--help'])\n"
        "except SystemExit as e:\n    assert not e.code, e.code\n"
    )
    loaded = tops(modules_after(code))
    for heavy in ("numpy", "faker", "textual", "sqlalchemy", "pydantic", "yaml"):
        assert heavy not in loaded, f"`pmsim --help` imports {heavy}"


def test_python_m_pmsim_help():
    out = subprocess.run(
        [sys.executable, "-m", "pmsim", "--help"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0
    assert "simulate" in out.stdout and "scenarios" in out.stdout


@pytest.fixture(scope="module")
def save_file(tmp_path_factory) -> str:
    """A freshly recorded and exported save of the tutorial (the sample saves in saves/ are
    regenerated when the model changes; this one always verifies)."""
    from pmsim.scenario.builtin import resolve
    from pmsim.storage.exchange import export_record
    from pmsim.storage.saves import SaveStore
    from pmsim.storage.session import record_bot_game

    tmp = tmp_path_factory.mktemp("hygiene")
    store = SaveStore(f"sqlite:///{tmp}/games.sqlite3")
    try:
        sid = record_bot_game(store, resolve("tutorial").read_text(encoding="utf-8"), 1, "researcher")
        rec = store.load(sid)
    finally:
        store.close()
    return str(export_record(rec, tmp / "tutorial.pmsave.json"))


@pytest.mark.parametrize("args", [
    ["review", "{save}"],
    ["export", "{save}", "--format", "portfolio", "-o", "{out}", "--force"],
    ["replay", "{save}", "--verify"],
])
def test_a_save_file_is_read_without_the_database_layer(args, tmp_path, save_file):
    """`pmsim review FILE`, `pmsim export FILE --format portfolio` and `pmsim replay FILE --verify`
    never touch a database, so they do not pay SQLAlchemy's start-up (a quarter of a second of the
    0.8 s the issue allows)."""
    argv = [a.replace("{out}", str(tmp_path / "case.md")).replace("{save}", save_file) for a in args]
    code = (
        "import sys\n"
        "from pmsim.cli import main\n"
        f"try:\n    main({argv!r})\n"
        "except SystemExit as e:\n    assert not e.code, e.code\n"
    )
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         stdin=subprocess.DEVNULL)
    loaded = tops(set(json.loads(out.stdout.strip().splitlines()[-1])))
    assert "sqlalchemy" not in loaded
    assert "textual" not in loaded
