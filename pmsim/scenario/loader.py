"""Load scenario files safely and explain every problem with a `path:line:col: message` line.

Scenario files are YAML written by instructors, so the loader treats them as untrusted input:

* at most `MAX_BYTES` are read; the text must be UTF-8 (or UTF-16 with a byte-order mark);
* the YAML is parsed into *events* by PyYAML's safe parser (libyaml when available) and the
  loader builds plain Python data itself, so no YAML tag can construct an object: only the core
  tags (str, int, float, bool, null, timestamp, seq, map) are accepted, anything else
  (`!!python/object/apply:...`, `!custom`, ...) is reported as a problem and never executed;
* nesting is limited to `MAX_DEPTH` levels, aliases to `MAX_ALIASES` uses and the document,
  with aliases expanded, to `MAX_NODES` values, which stops a "billion laughs" file while it
  is being parsed, before anything is expanded;
* duplicate keys in a mapping are errors (plain PyYAML silently keeps the last one);
* every node's position is recorded in a `PositionMap` so that pydantic's validation errors and
  the cross-reference checks of `semantic_problems` can name the line and column of the field.

Everything that goes wrong is raised as one `ScenarioError` holding all the problems found;
`python -m pmsim.scenario.loader FILE...` prints them and exits with status 2.

This module is the public entry (reading the file, the whole check, `load_scenario`); the parts
live beside it: `yaml_safe` (the composer, its limits, positions), `errors` (problems and their
messages) and `checks` (the cross-reference checks).
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from .checks import SHARE_TOLERANCE, semantic_problems  # noqa: F401
from .errors import (  # noqa: F401
    NONFINITE_HINT,
    Loc,
    Problem,
    ScenarioError,
    Severity,
    _pydantic_message,
    _show,
    _sort_key,
    _unknown_key_message,
    _walk,
    dotted,
)
from .models import Scenario
from .yaml_safe import (  # noqa: F401
    _FAST_LOADER,
    MAX_ALIASES,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    PositionMap,
    _Composer,
    _too_large,
    parse_yaml,
)

__all__ = [
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "PositionMap",
    "Problem",
    "ScenarioError",
    "check_scenario",
    "check_scenario_text",
    "check_scenario_text_positions",
    "load_scenario",
    "load_scenario_text",
    "main",
    "parse_yaml",
    "read_scenario_text",
    "semantic_problems",
]


def _validation_problems(exc: ValidationError, data: Any, positions: PositionMap, path: str) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        at_key = bool(loc) and loc[-1] == "[key]"
        if at_key:
            loc = loc[:-1]
        walked = _walk(data, loc)
        field = dotted(loc)
        if err["type"] == "missing" and loc:
            line, col = positions.locate(loc[:-1])
            message = f"missing required field '{loc[-1]}'"
        elif err["type"] == "extra_forbidden" and loc:
            line, col = positions.locate(loc, at_key=True)
            message = _unknown_key_message(loc[-1], loc[:-1])
        else:
            line, col = positions.locate(walked, at_key=at_key and walked == loc)
            message = ("invalid key: " if at_key else "") + _pydantic_message(err)
        problems.append(Problem(path, line, col, message, "error", field))
    return problems

# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def check_scenario_text(text: str, path: str = "<string>") -> tuple[Scenario | None, list[Problem]]:
    """Parse and validate `text`; returns the scenario (None if there is any error) and every
    problem found, warnings included. Never raises for a bad scenario."""
    scenario, problems, _ = check_scenario_text_positions(text, path)
    return scenario, problems


def check_scenario_text_positions(
    text: str, path: str = "<string>"
) -> tuple[Scenario | None, list[Problem], PositionMap]:
    """`check_scenario_text`, plus where each field is (for checks that run after it, like the lint)."""
    path = str(path)
    positions = PositionMap()
    try:
        data, positions = parse_yaml(text, path)
        if data is None:
            return None, [Problem(path, 1, 1, "the file is empty: expected a scenario mapping (meta:, rounds:, ...)")], positions
        if not isinstance(data, dict):
            line, col = positions.locate(())
            kind = "a list" if isinstance(data, list) else f"a single value ({_show(data)})"
            return None, [Problem(path, line, col,
                                  f"the top level must be a mapping with keys like 'meta:' and 'rounds:', not {kind}")], positions
        try:
            scenario = Scenario.model_validate(data)
        except ValidationError as exc:
            return None, sorted(_validation_problems(exc, data, positions, path), key=_sort_key), positions
        problems = sorted(semantic_problems(scenario, path, positions), key=_sort_key)
    except ScenarioError as exc:
        return None, exc.problems, positions
    except Exception as exc:  # noqa: BLE001 - a bad file must never surface as a traceback
        return None, [Problem(path, 1, 1, f"internal error while loading the scenario: {type(exc).__name__}: {exc}")], positions
    if any(p.severity == "error" for p in problems):
        return None, problems, positions
    return scenario, problems, positions


def read_scenario_text(path: str | os.PathLike[str]) -> tuple[str | None, list[Problem]]:
    """The text of a scenario file (size-limited, UTF-8 or UTF-16 with a BOM), or the problems."""
    try:
        return _read(path)
    except Exception as exc:  # noqa: BLE001 - never a traceback
        return None, [Problem(str(path), 1, 1, f"cannot read the file: {exc}")]


def _read(path: str | os.PathLike[str]) -> tuple[str | None, list[Problem]]:
    name = os.fspath(path)
    shown = str(name)
    try:
        st = os.stat(name)
        if stat.S_ISDIR(st.st_mode):
            return None, [Problem(shown, 1, 1, "is a directory, not a scenario file")]
        if not stat.S_ISREG(st.st_mode):
            return None, [Problem(shown, 1, 1, "is not a regular file")]
        if st.st_size > MAX_BYTES:
            return None, [_too_large(shown, st.st_size)]
        with open(name, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None, [Problem(shown, 1, 1, "file not found")]
    except PermissionError:
        return None, [Problem(shown, 1, 1, "permission denied")]
    except OSError as exc:
        return None, [Problem(shown, 1, 1, f"cannot read the file: {exc.strerror or exc}")]
    except ValueError as exc:  # e.g. an embedded NUL character in the path
        return None, [Problem(shown, 1, 1, f"cannot read the file: {exc}")]
    if len(raw) > MAX_BYTES:
        return None, [_too_large(shown, None)]
    return _decode(raw, shown)


def _decode(raw: bytes, path: str) -> tuple[str | None, list[Problem]]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), []
        except UnicodeDecodeError:
            return None, [Problem(path, 1, 1, "the file is not valid UTF-16 text")]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        start = exc.start
        line = raw.count(b"\n", 0, start) + 1
        line_start = raw.rfind(b"\n", 0, start) + 1
        col = len(raw[line_start:start].decode("utf-8", "replace")) + 1
        byte = raw[start]
        return None, [Problem(path, line, col,
                              f"the file is not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8")]


def check_scenario(path: str | os.PathLike[str]) -> tuple[Scenario | None, list[Problem]]:
    """Like `check_scenario_text` for a file (read with a size limit)."""
    text, problems = read_scenario_text(path)
    if text is None:
        return None, problems
    return check_scenario_text(text, str(os.fspath(path)))


# Scenarios parsed from text, by the text's sha256: a class report or a saves list replays many
# games of one scenario, and a Scenario is frozen, so they can share one (and the values the
# engine keeps with it). A text that does not load is not kept: its errors name its path.
_PARSED: dict[str, Scenario] = {}
_PARSED_MAX = 16


def load_scenario_text(text: str, path: str = "<string>") -> Scenario:
    """Parse and validate a scenario from `text`; raises `ScenarioError` listing every problem."""
    key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    hit = _PARSED.get(key)
    if hit is not None:
        return hit
    scenario, problems = check_scenario_text(text, path)
    if scenario is None:
        raise ScenarioError(problems)
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.pop(next(iter(_PARSED)))
    _PARSED[key] = scenario
    return scenario


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read (at most 2 MiB), parse and validate a scenario file; raises `ScenarioError`."""
    scenario, problems = check_scenario(path)
    if scenario is None:
        raise ScenarioError(problems)
    return scenario


def main(argv: Sequence[str] | None = None) -> int:
    """Check scenario files: print ``path:line:col: severity: message`` for each problem on
    stderr; return 2 if any file has an error, else 0."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print("usage: python -m pmsim.scenario.loader SCENARIO.yaml...", file=sys.stderr)
        return 2
    status = 0
    for name in args:
        scenario, problems = check_scenario(name)
        for p in problems:
            print(p.format(with_severity=True), file=sys.stderr)
        if scenario is None:
            status = 2
        else:
            print(f"{name}: ok ({scenario.meta.title})")
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
