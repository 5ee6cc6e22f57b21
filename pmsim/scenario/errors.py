"""Problems in a scenario file and the messages that explain them.

A `Problem` is one `path:line:col: message` line; a `ScenarioError` carries every problem found.
This module also turns pydantic's validation errors into problems with plain-English messages
(unknown keys with a did-you-mean, wrong types with a quoting hint, choices written with `-`).
The YAML reader is `yaml_safe`, the cross-reference checks are `checks`; `loader` ties them up.
"""

from __future__ import annotations

import datetime as _dt
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from .models import Scenario

Loc = tuple[Any, ...]
Severity = Literal["error", "warning"]


# --------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    """Escape control characters so that one problem is always exactly one line."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


@dataclass(frozen=True)
class Problem:
    """One problem in a scenario file.

    `message` is the human explanation; `field` is the dotted path of the offending field
    (e.g. ``features[3].effort``) or ``""`` when the problem is not about one field. Both are
    shown by `format`: ``path:line:col: features[3].effort: Input should be greater than 0``.
    """

    path: str
    line: int
    col: int
    message: str
    severity: Severity = "error"
    field: str = ""

    def format(self, with_severity: bool = False) -> str:
        head = f"{self.path}:{self.line}:{self.col}: "
        if with_severity:
            head += f"{self.severity}: "
        body = f"{self.field}: {self.message}" if self.field else self.message
        return _one_line(head + body)

    def __str__(self) -> str:
        return self.format()


def _sort_key(p: Problem) -> tuple[int, int, int]:
    return (p.line, p.col, 0 if p.severity == "error" else 1)


class ScenarioError(Exception):
    """A scenario file could not be loaded; `problems` says why, one entry per problem."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = sorted(problems, key=_sort_key)
        super().__init__("\n".join(self.lines()) or "invalid scenario")

    def lines(self) -> list[str]:
        """``path:line:col: message`` for each problem (without the severity)."""
        return [p.format() for p in self.problems]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]



def _show(value: Any) -> str:
    """A short, YAML-ish rendering of a value for messages."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return str(value)


NONFINITE_HINT = "NaN and infinity are not allowed anywhere in a scenario: write a finite number"


def _nonfinite(path: str, line: int, col: int, raw: str, loc: Loc | None = None) -> Problem:
    return Problem(path, line, col, f"{raw} is not a number pmsim can use; {NONFINITE_HINT}", "error",
                   dotted(loc) if loc else "")


# --------------------------------------------------------------------------------------------
# Pydantic errors -> problems
# --------------------------------------------------------------------------------------------


def dotted(loc: Sequence[Any]) -> str:
    """``("features", 3, "effort")`` -> ``"features[3].effort"``."""
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _walk(data: Any, loc: Loc) -> Loc:
    """The longest prefix of `loc` that exists in `data`."""
    here, walked = data, []
    for part in loc:
        if isinstance(here, dict) and _has_key(here, part):
            here = here[part]
        elif isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here):
            here = here[part]
        else:
            break
        walked.append(part)
    return tuple(walked)


def _has_key(d: dict, key: Any) -> bool:
    try:
        return key in d
    except TypeError:
        return False


def _unwrap(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The pydantic model class describing the mapping at `loc` in a scenario, if any."""
    tp: Any = Scenario
    for part in loc:
        tp = _unwrap(tp)
        origin = get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if not isinstance(part, str) or part not in tp.model_fields:
                return None
            tp = tp.model_fields[part].annotation
        elif origin is list and isinstance(part, int):
            tp = get_args(tp)[0]
        elif origin is dict:
            tp = get_args(tp)[1]
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _unknown_key_message(key: Any, parent: Loc) -> str:
    import difflib

    message = f"unknown key {_show(key)}"
    model = _model_at(parent)
    if model is None:
        return message
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    if close:
        message += f", did you mean '{close[0]}'?"
    return message + f" (allowed: {', '.join(allowed)})"


def _pydantic_message(err: Mapping[str, Any]) -> str:
    kind, msg, value = err["type"], err["msg"], err.get("input")
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    if kind == "finite_number":
        return f"{_show(value)} is not a finite number; {NONFINITE_HINT}"
    if kind.endswith(("_type", "_parsing")) or kind in ("enum", "literal_error"):
        found = _show(value)
        hint = _choice_hint(value, err.get("ctx", {}).get("expected", "")) if kind in ("enum", "literal_error") else ""
        if kind == "string_type" and isinstance(value, int | float | bool | _dt.date):
            hint = "; put it in quotes if you mean text"
        elif kind == "string_type" and isinstance(value, dict) and len(value) == 1:
            (k, v), = value.items()
            if isinstance(k, str) and (v is None or isinstance(v, str | int | float)):
                text = f"{k}: {'' if v is None else v}".rstrip()
                quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
                hint = f"; a ': ' made the text a mapping: quote it: {quoted}"
        msg += f" (found {found}{hint})"
    return msg


def _choice_hint(value: Any, expected: str) -> str:
    """'must-be' for 'must_be': the choice meant, and how to write it."""
    import difflib
    import re

    if not isinstance(value, str):
        return ""
    choices = re.findall(r"'([^']*)'", expected)
    norm = re.sub(r"[\s\-]+", "_", value.strip().lower())
    if norm in choices:
        return f"; write {norm!r}, with _ not -" if norm != value else ""
    close = difflib.get_close_matches(norm, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


class _Slips:
    """The common slips in hand-written YAML, explained with their fix. Mixed into
    `yaml_safe._Composer`, whose `text`, `path` and `problems` it reads and appends to."""

    text: str
    path: str
    problems: list[Problem]

    def index(self, line: int, col: int) -> int:
        """The text index of a 1-based (line, col)."""
        starts = getattr(self, "_starts", None)
        if starts is None:
            starts = self._starts = [0] + [i + 1 for i, ch in enumerate(self.text) if ch == "\n"]
        return starts[min(line, len(starts)) - 1] + col - 1

    def stray_key(self, key: Any, value: Any) -> bool:
        """In `{title: A, B}`, 'B' is a key without ':' (an empty value where the key ends)."""
        if key.kind != "scalar" or not key.plain or value.kind != "scalar" or value.value is not None:
            return False
        if (value.line, value.col) != key.end:
            return False
        at = self.index(*key.end)
        return self.text[at:at + 1] != ":"

    def comma_problem(self, slip: list[Any]) -> None:
        """`slip` is [key, value, stray key, ...] or, with no entry before, [stray key, ...]."""
        if len(slip) >= 3 and slip[1].kind == "scalar" and slip[1].plain:
            key, value, last = slip[0], slip[1], slip[-1]
            full = self.text[self.index(value.line, value.col):self.index(*last.end)]
            quoted = '"' + full.replace("\\", "\\\\").replace('"', '\\"') + '"'
            self.problems.append(Problem(self.path, value.line, value.col, (
                f"a comma inside {{...}} ends a value: {key.value} is cut at {_show(value.value)} and "
                f"{_show(slip[2].value)} becomes a key; quote the {key.value}: {quoted}")))
            return
        for k in slip[2:] if len(slip) >= 3 else slip:
            self.problems.append(Problem(self.path, k.line, k.col, (
                f"{_show(k.value)} has no ':' after it: inside {{...}} write 'key: value' pairs "
                "separated by commas, and quote a value that has a comma")))

    def colon_hint(self, line: int, col: int) -> str:
        """`title: Sales: the hard way` -> 'quote the title: title: "Sales: the hard way"'."""
        lines = self.text.splitlines()
        if not 1 <= line <= len(lines):
            return ""
        text = lines[line - 1]
        at = col - 1
        sep = text.rfind(": ", 0, at)
        if sep < 0:
            return ""
        head = text[:sep]
        cut = max(head.rfind(c) for c in "{,-") + 1
        key = head[cut:].strip()
        before = self.text[:self.index(line, 1) + sep]
        opened = before.count("{") > before.count("}")  # inside a flow mapping, maybe opened lines above
        rest = text[sep + 2:]
        if opened:
            ends = [i for i in (rest.find(","), rest.find("}")) if i >= 0]
            value = rest[:min(ends)] if ends else rest
        else:
            value = rest.split(" #", 1)[0]
        value = value.strip()
        if not key or not value or value[0] in "\"'[{":
            return ""
        quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"a ':' followed by a space inside a value needs quotes; quote the {key}: {key}: {quoted}"

    def tab_at(self, line: int, col: int) -> int | None:
        """The column of a tab at (line, col), or in the indentation of that line."""
        lines = self.text.splitlines()
        if not 1 <= line <= len(lines):
            return None
        text = lines[line - 1]
        if text[col - 1:col] == "\t":
            return col
        indent = text[:len(text) - len(text.lstrip(" \t"))]
        return indent.index("\t") + 1 if "\t" in indent else None
