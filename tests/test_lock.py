"""requirements/ci.lock (what scripts/test.sh and CI install) must agree with pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = ("test", "postgres", "serve")  # the extras scripts/test.sh installs
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _lock(root: Path = ROOT) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) from the lock file."""
    pins: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in (root / "requirements" / "ci.lock").read_text().splitlines():
        m = PIN.match(line)
        if m:
            current = canonicalize_name(m.group(1))
            pins[current] = (m.group(2), [])
        elif current and line.strip().startswith("--hash=sha256:"):
            pins[current][1].append(line.strip())
    return pins


def _declared(root: Path = ROOT) -> list[Requirement]:
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in EXTRAS:
        reqs += project["optional-dependencies"][extra]
    return [Requirement(r) for r in reqs]


def disagreements(root: Path = ROOT) -> list[str]:
    lock = _lock(root)
    wrong = []
    for req in _declared(root):
        name = canonicalize_name(req.name)
        if name not in lock:
            wrong.append(f"{req} is not in the lock")
        elif not req.specifier.contains(lock[name][0], prereleases=True):
            wrong.append(f"{req} but the lock pins {lock[name][0]}")
    return wrong


def test_every_declared_dependency_is_locked_within_its_range():
    wrong = disagreements()
    assert not wrong, "run `bash scripts/lock.sh`: " + "; ".join(wrong)


def test_every_locked_package_has_hashes():
    lock = _lock()
    assert len(lock) > 20
    assert [name for name, (_, hashes) in lock.items() if not hashes] == []


def test_a_changed_range_or_a_new_dependency_is_a_disagreement(tmp_path):
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "ci.lock").write_text((ROOT / "requirements" / "ci.lock").read_text())
    pyproject = (ROOT / "pyproject.toml").read_text()
    pinned = _lock()["textual"][0]
    assert f'"textual=={pinned}"' in pyproject
    changed = pyproject.replace(f'"textual=={pinned}"', '"textual==0.1", "left-pad>=1"')
    (tmp_path / "pyproject.toml").write_text(changed)
    assert disagreements(tmp_path) == [
        f"textual==0.1 but the lock pins {pinned}",
        "left-pad>=1 is not in the lock",
    ]
