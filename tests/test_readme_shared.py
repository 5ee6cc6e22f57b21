"""The README's "Run a shared-market class" section works as written: every command in it that
needs no terminal runs, in order, against a fresh database (SQLite here; the section's
PostgreSQL URL is the only thing swapped), with the class code it printed."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from pmsim.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Run a shared-market class")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def test_the_readme_section_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PMSIM_DB_URL", f"sqlite:///{tmp_path / 'class.sqlite3'}")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    commands = [line.strip().split("  #")[0].strip() for line in section().splitlines()
                if line.startswith("    pmsim ")]
    assert any("class create --shared" in c for c in commands) and any("replay --class" in c for c in commands)
    code = None
    ran = []
    for command in commands:
        args = shlex.split(command)[1:]
        if args[0] == "play":
            continue  # needs a terminal: the TUI tests play a company (tests/tui/test_shared_play.py)
        if code is not None:
            args = [a.replace("PM-6E6P", code) for a in args]
        if "--db" in args:  # the archive database of the import example, made in tmp_path
            i = args.index("--db")
            args[i + 1] = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
        out = CliRunner().invoke(cli, args)
        assert out.exit_code == 0, f"{command}: {out.output}"
        if code is None:
            code = re.search(r"PM-[A-Z0-9]{4}", out.output).group(0)
        ran.append(args[0:2])
    assert ["class", "advance"] in ran and ["import", "pm101.pmclass.json"] in ran
