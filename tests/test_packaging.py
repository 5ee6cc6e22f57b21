"""`pip install .` outside the checkout still finds the built-in scenarios.

Builds a wheel from a copy of the sources (so nothing is written into the checkout), installs it
with --no-deps into a temporary folder and runs `python -m pmsim scenarios list --json` from
another folder, with the venv's site-packages providing the dependencies only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _pip(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pip", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )


def _build_wheel(src: Path, out: Path) -> Path:
    """Without build isolation first (offline, needs setuptools>=68 here), else with it."""
    attempts = []
    for extra in (["--no-build-isolation"], []):
        res = _pip("wheel", "-q", "--no-deps", *extra, "-w", str(out), str(src), cwd=src)
        wheels = sorted(out.glob("pmsim-*.whl"))
        if res.returncode == 0 and wheels:
            return wheels[0]
        attempts.append(f"pip wheel {' '.join(extra)} -> {res.returncode}\n{res.stderr[-2000:]}")
    pytest.fail("could not build a wheel:\n" + "\n".join(attempts))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("pmsim", "scenarios"):
        shutil.copytree(
            ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, src / name)
    return _build_wheel(src, tmp_path_factory.mktemp("dist"))


def test_wheel_contains_builtin_scenarios(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "pmsim/builtin_scenarios/b2b_saas.yaml" in names
    shipped = {Path(n).name for n in names if n.startswith("pmsim/builtin_scenarios/")}
    assert {p.name for p in (ROOT / "scenarios").glob("*.yaml")} <= shipped
    assert "pmsim/cli.py" in names and "pmsim/__main__.py" in names


def test_installed_wheel_finds_scenarios(wheel, tmp_path):
    target = tmp_path / "site"
    res = _pip(
        "install",
        "-q",
        "--no-deps",
        "--no-index",
        "--target",
        str(target),
        str(wheel),
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # -S: no site processing, so the checkout's editable install (.pth) is not on the path
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(target), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
        ),
    }
    out = subprocess.run(
        [sys.executable, "-S", "-m", "pmsim", "scenarios", "list", "--json"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert "b2b_saas" in [r["id"] for r in rows]
    for r in rows:
        assert Path(r["path"]).is_relative_to(target), r["path"]
