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
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import stat
import sys
import types
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from yaml.constructor import SafeConstructor

from .models import Scenario

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

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 200_000
MAX_ALIASES = 1_000
SHARE_TOLERANCE = 0.01

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


# --------------------------------------------------------------------------------------------
# Positions
# --------------------------------------------------------------------------------------------


class PositionMap(Mapping[Loc, tuple[int, int]]):
    """Maps a key path such as ``("features", 3, "effort")`` to the 1-based (line, col) of its
    value node. `key_position` gives the position of the key itself (for mapping entries)."""

    def __init__(self) -> None:
        self._values: dict[Loc, tuple[int, int]] = {}
        self._keys: dict[Loc, tuple[int, int]] = {}

    def __getitem__(self, path: Loc) -> tuple[int, int]:
        return self._values[tuple(path)]

    def __iter__(self) -> Iterator[Loc]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def key_position(self, path: Loc) -> tuple[int, int] | None:
        return self._keys.get(tuple(path))

    def locate(self, path: Loc, *, at_key: bool = False) -> tuple[int, int]:
        """The position of `path` (its key if `at_key` and it has one), else of its nearest
        ancestor that has a position, else (1, 1)."""
        path = tuple(path)
        if at_key and path in self._keys:
            return self._keys[path]
        while True:
            if path in self._values:
                return self._values[path]
            if not path:
                return (1, 1)
            path = path[:-1]

    def _set(self, path: Loc, pos: tuple[int, int]) -> None:
        self._values[path] = pos

    def _set_key(self, path: Loc, pos: tuple[int, int]) -> None:
        self._keys[path] = pos


# --------------------------------------------------------------------------------------------
# Safe YAML parsing
# --------------------------------------------------------------------------------------------

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_SEQ_TAG = _TAG + "seq"
_MAP_TAG = _TAG + "map"
_MERGE_TAG = _TAG + "merge"
_CONSTRUCTORS = {t: SafeConstructor.yaml_constructors[t] for t in _SCALAR_TAGS}


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader that can only construct core scalars (the loader builds collections itself)."""

    yaml_constructors = dict(_CONSTRUCTORS)
    yaml_multi_constructors: dict = {}


if getattr(yaml, "__with_libyaml__", False):

    class _CSafeLoader(yaml.CSafeLoader):  # type: ignore[name-defined,misc]
        yaml_constructors = dict(_CONSTRUCTORS)
        yaml_multi_constructors: dict = {}

    _FAST_LOADER: type | None = _CSafeLoader
else:  # pragma: no cover - depends on how PyYAML was built
    _FAST_LOADER = None

# Set to False (e.g. in tests) to use the pure-Python parser even when libyaml is available.
USE_LIBYAML = True


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


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


_TAG_NAMES = {
    _TAG + "int": "a whole number", _TAG + "float": "a number", _TAG + "bool": "true or false",
    _TAG + "timestamp": "a date", _TAG + "null": "an empty value",
}
_KIND_NAMES = {"scalar": "a plain value", "seq": "a list", "map": "a mapping"}


class _Node:
    __slots__ = ("kind", "value", "line", "col", "size", "height", "merges", "target", "end", "plain")

    def __init__(self, kind: str, value: Any, mark: Any, size: int = 1, height: int = 0):
        self.kind = kind  # "scalar" | "merge" | "seq" | "map" | "alias"
        self.value = value  # scalar value, list of nodes, or list of (key, value) node pairs
        self.line = mark.line + 1
        self.col = mark.column + 1
        self.size = size  # number of values once aliases are expanded
        self.height = height  # nesting levels (0 for a scalar)
        self.merges: list[_Node] = []
        self.target: _Node | None = None  # for aliases
        self.end = (self.line, self.col)  # where a scalar ends (for the flow-mapping comma hint)
        self.plain = False  # an unquoted scalar

    def resolved(self) -> _Node:
        return self.target if self.kind == "alias" and self.target is not None else self


class _Abort(Exception):
    """Stop parsing (the problem has already been recorded)."""


class _Composer:
    """Builds `_Node`s from PyYAML's event stream, enforcing the safety limits."""

    def __init__(self, text: str, path: str):
        self.text = text
        self.path = path
        self.c_parser = bool(USE_LIBYAML and _FAST_LOADER is not None)
        self.loader: Any = None
        self.problems: list[Problem] = []
        self.anchors: dict[str, _Node] = {}
        self.pending: set[str] = set()
        self.total = 0
        self.aliases = 0
        self.nonfinite: list[tuple[int, int, str]] = []  # (line, col, as written): named by field later

    # -- reporting --
    def problem(self, mark: Any, message: str) -> None:
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        self.problems.append(Problem(self.path, line, col, message))

    def fail(self, mark: Any, message: str) -> _Abort:
        self.problem(mark, message)
        return _Abort()

    def count(self, n: int, mark: Any) -> None:
        self.total += n
        if self.total > MAX_NODES:
            raise self.fail(
                mark,
                f"the document is too big: more than {MAX_NODES:,} values once aliases are "
                "expanded (a 'billion laughs' file?)",
            )

    # -- parsing --
    def compose(self) -> _Node | None:
        loader_cls = _FAST_LOADER if self.c_parser else _SafeLoader
        assert loader_cls is not None
        ld = self.loader = loader_cls(self.text)  # the pure-Python reader may raise here
        ld.get_event()  # StreamStart
        if ld.check_event(yaml.StreamEndEvent):
            return None
        ld.get_event()  # DocumentStart
        root = self.node(1)
        ld.get_event()  # DocumentEnd
        if not ld.check_event(yaml.StreamEndEvent):
            raise self.fail(
                ld.peek_event().start_mark,
                "a scenario file must hold a single YAML document (found a second '---')",
            )
        return root

    def node(self, depth: int) -> _Node:
        ld = self.loader
        if ld.check_event(yaml.AliasEvent):
            return self.alias(ld.get_event(), depth)
        event = ld.peek_event()
        if isinstance(event, yaml.ScalarEvent):
            ld.get_event()
            node = self.scalar(event)
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            node = self.collection(event, depth)
        else:  # pragma: no cover - the parser only produces the events above here
            raise self.fail(event.start_mark, f"unexpected YAML event {type(event).__name__}")
        if event.anchor is not None:
            self.anchors[event.anchor] = node
        return node

    def alias(self, event: Any, depth: int) -> _Node:
        name = event.anchor
        if name in self.pending:
            raise self.fail(event.start_mark, f"alias '*{name}' refers to a node that contains it")
        target = self.anchors.get(name)
        if target is None:
            raise self.fail(event.start_mark, f"alias '*{name}' refers to no anchor '&{name}' above it")
        self.aliases += 1
        if self.aliases > MAX_ALIASES:
            raise self.fail(event.start_mark, f"too many aliases (more than {MAX_ALIASES})")
        if depth - 1 + target.height > MAX_DEPTH:
            raise self.fail(
                event.start_mark, f"nesting is too deep once aliases are expanded (limit {MAX_DEPTH} levels)"
            )
        self.count(target.size, event.start_mark)
        node = _Node("alias", None, event.start_mark, target.size, target.height)
        node.target = target
        return node

    def scalar(self, event: Any) -> _Node:
        self.count(1, event.start_mark)
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag == _MERGE_TAG:
            return _Node("merge", event.value, event.start_mark)
        if tag not in _SCALAR_TAGS:
            self.problem(event.start_mark, f"tag '{_show_tag(tag)}' is not allowed")
            return _Node("scalar", None, event.start_mark)
        raw = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = _CONSTRUCTORS[tag](self.loader, raw)
        except Exception:  # noqa: BLE001 - any failure to read a scalar is the file's problem
            what = _TAG_NAMES.get(tag, _show_tag(tag))
            self.problem(event.start_mark, f"cannot read {_show(event.value)} as {what} (put it in quotes if you mean text)")
            value = None
        if isinstance(value, float) and not math.isfinite(value):
            self.nonfinite.append((event.start_mark.line + 1, event.start_mark.column + 1, event.value))
            value = None
        node = _Node("scalar", value, event.start_mark)
        node.end = (event.end_mark.line + 1, event.end_mark.column + 1)
        node.plain = not event.style and bool(event.implicit and event.implicit[0])
        return node

    def collection(self, start: Any, depth: int) -> _Node:
        ld = self.loader
        is_map = isinstance(start, yaml.MappingStartEvent)
        expected = _MAP_TAG if is_map else _SEQ_TAG
        if start.tag not in (None, "!", expected):
            self.problem(start.start_mark, f"tag '{_show_tag(start.tag)}' is not allowed")
        if depth > MAX_DEPTH:
            raise self.fail(start.start_mark, f"nesting is too deep (more than {MAX_DEPTH} levels)")
        self.count(1, start.start_mark)
        if start.anchor is not None:
            self.pending.add(start.anchor)
        ld.get_event()
        node = _Node("map" if is_map else "seq", [], start.start_mark)
        children: list[_Node] = []
        if is_map:
            seen: dict[Any, _Node] = {}
            slip: list[_Node] = []  # flow mapping: [key, value, stray key...] of a value cut at a comma
            previous: tuple[_Node, _Node] | None = None
            while not ld.check_event(yaml.MappingEndEvent):
                key = self.node(depth + 1)
                value = self.node(depth + 1)
                children += (key, value)
                if start.flow_style and start.tag in (None, "!") and self.stray_key(key, value):
                    if not slip and previous is not None:
                        slip = [*previous]
                    slip.append(key)
                    continue
                if slip:
                    self.comma_problem(slip)
                    slip = []
                self.map_entry(node, key, value, seen)
                previous = (key, value)
            if slip:
                self.comma_problem(slip)
        else:
            while not ld.check_event(yaml.SequenceEndEvent):
                child = self.node(depth + 1)
                children.append(child)
                node.value.append(child)
        ld.get_event()
        if start.anchor is not None:
            self.pending.discard(start.anchor)
        node.size = 1 + sum(c.size for c in children)
        node.height = 1 + max((c.height for c in children), default=0)
        return node

    def map_entry(self, node: _Node, key: _Node, value: _Node, seen: dict[Any, _Node]) -> None:
        k = key.resolved()
        if k.kind == "merge":
            sources = value.resolved()
            items = [s.resolved() for s in sources.value] if sources.kind == "seq" else [sources]
            if all(s.kind == "map" for s in items):
                node.merges.append(value)
            else:
                self.problems.append(
                    Problem(self.path, value.line, value.col, "'<<' (merge) needs a mapping or a list of mappings")
                )
            return
        if k.kind != "scalar":
            self.problems.append(
                Problem(self.path, key.line, key.col, f"a key must be a plain value, not {_KIND_NAMES[k.kind]}")
            )
            return
        try:
            first = seen.get(k.value)
        except TypeError:  # pragma: no cover - scalars are hashable
            first = None
        if first is not None:
            self.problems.append(
                Problem(
                    self.path, key.line, key.col,
                    f"duplicate key {_show(k.value)} (first defined at line {first.line})",
                )
            )
            return
        seen[k.value] = key
        node.value.append((key, value))

    # -- the common slips, explained with their fix --
    def index(self, line: int, col: int) -> int:
        """The text index of a 1-based (line, col)."""
        starts = getattr(self, "_starts", None)
        if starts is None:
            starts = self._starts = [0] + [i + 1 for i, ch in enumerate(self.text) if ch == "\n"]
        return starts[min(line, len(starts)) - 1] + col - 1

    def stray_key(self, key: _Node, value: _Node) -> bool:
        """In `{title: A, B}`, 'B' is a key without ':' (an empty value where the key ends)."""
        if key.kind != "scalar" or not key.plain or value.kind != "scalar" or value.value is not None:
            return False
        if (value.line, value.col) != key.end:
            return False
        at = self.index(*key.end)
        return self.text[at:at + 1] != ":"

    def comma_problem(self, slip: list[_Node]) -> None:
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

    # -- errors from PyYAML --
    def syntax_problem(self, exc: yaml.YAMLError) -> Problem:
        if isinstance(exc, yaml.reader.ReaderError):
            index = exc.position
            if self.c_parser:  # libyaml reports a byte offset into the UTF-8 text
                index = len(self.text.encode("utf-8")[:index].decode("utf-8", "ignore"))
            line, col = _line_col(self.text, index)
            ch = exc.character
            code = f"U+{ord(ch):04X}" if isinstance(ch, str) else f"U+{int(ch):04X}"
            return Problem(self.path, line, col, f"the file contains a character YAML does not allow ({code})")
        if isinstance(exc, yaml.MarkedYAMLError):
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            if _is_depth_error(exc):
                # Newer libyaml builds stop deep nesting themselves; say it in our words.
                return Problem(self.path, line, col, f"nesting is too deep (more than {MAX_DEPTH} levels)")
            tab = self.tab_at(line, col)
            if tab is not None:
                return Problem(self.path, line, tab, (
                    "a tab character: YAML indents with spaces only; replace the tab with spaces "
                    "(most editors can insert spaces when you press Tab)"))
            flow_colon = "flow mapping" in str(exc.context) and self.text[
                self.index(line, col):self.index(line, col) + 2] == ": "
            if "mapping values are not allowed" in str(exc.problem) or flow_colon:
                hint = self.colon_hint(line, col)
                if hint:
                    return Problem(self.path, line, col, hint)
            message = f"invalid YAML: {exc.problem or exc.context or 'syntax error'}"
            if exc.context and exc.problem:
                where = ""
                if exc.context_mark is not None and exc.context_mark.line != (mark.line if mark else -1):
                    where = f" started at line {exc.context_mark.line + 1}"
                message += f" ({exc.context}{where})"
            return Problem(self.path, line, col, message)
        return Problem(self.path, 1, 1, f"invalid YAML: {exc}")


def _is_depth_error(exc: yaml.MarkedYAMLError) -> bool:
    """True for a parser's own nesting limit (libyaml >= 0.2.6: "exceeded maximum nesting depth")."""
    words = f"{exc.problem or ''} {exc.context or ''}".lower()
    return "nesting depth" in words or "too deep" in words


def _line_col(text: str, index: int) -> tuple[int, int]:
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def _build(node: _Node, path: Loc, pos: PositionMap) -> Any:
    pos._set(path, (node.line, node.col))
    return _build_content(node.resolved(), path, pos)


def _build_content(node: _Node, path: Loc, pos: PositionMap) -> Any:
    if node.kind in ("scalar", "merge"):
        return node.value
    if node.kind == "seq":
        return [_build(child, path + (i,), pos) for i, child in enumerate(node.value)]
    result: dict[Any, Any] = {}
    # Merged mappings first (earlier ones win over later ones), then the explicit keys win.
    for merge in reversed(node.merges):
        source = merge.resolved()
        items = [s.resolved() for s in source.value] if source.kind == "seq" else [source]
        for item in reversed(items):
            result.update(_build_content(item, path, pos))
    pos._set(path, (node.line, node.col))
    for key, value in node.value:
        k = key.resolved().value
        pos._set_key(path + (k,), (key.line, key.col))
        result[k] = _build(value, path + (k,), pos)
    return result


def parse_yaml(text: str, path: str) -> tuple[object, PositionMap]:
    """Parse YAML `text` safely into plain Python data and the position of every node.

    Raises `ScenarioError` for invalid YAML, disallowed tags, duplicate keys, too deep
    nesting, too many values after alias expansion, or text longer than `MAX_BYTES`.
    An empty document gives ``None``.
    """
    path = str(path)
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise ScenarioError([_too_large(path, size)])
    composer = _Composer(text, path)
    try:
        root = composer.compose()
    except _Abort:
        raise ScenarioError(composer.problems) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([*composer.problems, composer.syntax_problem(exc)]) from None
    except RecursionError:  # pragma: no cover - the depth limit should prevent this
        raise ScenarioError([Problem(path, 1, 1, "nesting is too deep")]) from None
    if composer.problems:
        raise ScenarioError(composer.problems + [_nonfinite(path, *n) for n in composer.nonfinite])
    positions = PositionMap()
    if root is None:
        return None, positions
    data = _build(root, (), positions)
    if composer.nonfinite:
        where = {at: loc for loc, at in positions.items()}
        raise ScenarioError([_nonfinite(path, line, col, raw, where.get((line, col)))
                             for line, col, raw in composer.nonfinite])
    return data, positions


NONFINITE_HINT = "NaN and infinity are not allowed anywhere in a scenario: write a finite number"


def _nonfinite(path: str, line: int, col: int, raw: str, loc: Loc | None = None) -> Problem:
    return Problem(path, line, col, f"{raw} is not a number pmsim can use; {NONFINITE_HINT}", "error",
                   dotted(loc) if loc else "")


def _too_large(path: str, size: int | None) -> Problem:
    amount = f"{size:,} bytes" if size is not None else "more than 2 MiB"
    return Problem(path, 1, 1, f"file is too large ({amount}, limit {MAX_BYTES // (1024 * 1024)} MiB)")


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
# Cross-reference checks
# --------------------------------------------------------------------------------------------


def _known(kind: str, ids: Sequence[str], value: str) -> str:
    import difflib

    message = f"unknown {kind} {_show(value)}"
    close = difflib.get_close_matches(str(value), list(ids), n=1, cutoff=0.6)
    if close:
        message += f", did you mean '{close[0]}'?"
    if not ids:
        return message + f" (there are no {kind}s)"
    ids = list(dict.fromkeys(ids))
    shown = ", ".join(ids[:12]) + (", ..." if len(ids) > 12 else "")
    return message + f" (known {kind}s: {shown})"


class _Checker:
    def __init__(self, sc: Scenario):
        self.sc = sc
        self.found: list[tuple[Loc, str, bool, Severity]] = []
        self.themes = [t.id for t in sc.market.themes]
        self.segments = [s.id for s in sc.market.segments]
        self.competitors = [c.id for c in sc.market.competitors]
        self.features = [f.id for f in sc.features]
        self.stakeholders = [s.id for s in sc.stakeholders]

    def add(self, loc: Loc, message: str, *, at_key: bool = False, severity: Severity = "error") -> None:
        self.found.append((loc, message, at_key, severity))

    def ref(self, loc: Loc, kind: str, ids: Sequence[str], value: str | None, *, at_key: bool = False) -> None:
        if value is not None and value not in ids:
            self.add(loc, _known(kind, ids, value), at_key=at_key)

    def keys(self, loc: Loc, kind: str, ids: Sequence[str], mapping: Mapping[str, Any]) -> None:
        for key in mapping:
            self.ref(loc + (key,), kind, ids, key, at_key=True)

    def round(self, loc: Loc, value: int | None, what: str = "round") -> None:
        if value is not None and value > self.sc.rounds:
            self.add(loc, f"{what} {value} is after the last round (the scenario has {self.sc.rounds} rounds)")

    def unique(self, kind: str, items: Iterable[tuple[Loc, str | None]]) -> None:
        first: dict[str, Loc] = {}
        for loc, value in items:
            if value is None:
                continue
            if value in first:
                self.add(loc, f"duplicate {kind} id {_show(value)} (already used by {dotted(first[value][:-1])})")
            else:
                first[value] = loc

    def request(self, loc: Loc, req: Any) -> None:
        self.ref(loc + ("feature",), "feature", self.features, req.feature)
        self.round(loc + ("round",), req.round)
        self.round(loc + ("deadline",), req.deadline, "deadline")
        if req.deadline is not None and req.deadline < req.round:
            self.add(loc + ("deadline",), f"deadline {req.deadline} is before the request's round {req.round}")

    def run(self) -> None:
        sc, m = self.sc, self.sc.market
        self.unique("theme", ((("market", "themes", i, "id"), t.id) for i, t in enumerate(m.themes)))
        self.unique("segment", ((("market", "segments", i, "id"), s.id) for i, s in enumerate(m.segments)))
        self.unique("competitor", ((("market", "competitors", i, "id"), c.id) for i, c in enumerate(m.competitors)))
        self.unique("feature", ((("features", i, "id"), f.id) for i, f in enumerate(sc.features)))
        self.unique("stakeholder", ((("stakeholders", i, "id"), s.id) for i, s in enumerate(sc.stakeholders)))
        self.unique("objective", ((("okrs", i, "id"), o.id) for i, o in enumerate(sc.okrs)))
        self.unique("key result", (
            (("okrs", i, "key_results", j, "id"), kr.id)
            for i, o in enumerate(sc.okrs) for j, kr in enumerate(o.key_results)
        ))
        requests: list[tuple[Loc, Any]] = [
            (("stakeholders", i, "requests", j), r)
            for i, s in enumerate(sc.stakeholders) for j, r in enumerate(s.requests)
        ]
        requests += [(("events", i, "request"), e.request) for i, e in enumerate(sc.events) if e.request]
        self.unique("request", ((loc + ("id",), r.id) for loc, r in requests))

        for i, seg in enumerate(m.segments):
            loc = ("market", "segments", i)
            self.keys(loc + ("needs",), "theme", self.themes, seg.needs)
            self.keys(loc + ("kano",), "theme", self.themes, seg.kano)
            self.keys(loc + ("initial_competitors",), "competitor", self.competitors, seg.initial_competitors)
        for i, seg in enumerate(m.segments):
            if seg.share * m.population < 50:
                self.add(("market", "segments", i, "share"),
                         f"segment {_show(seg.id)} gets only {seg.share * m.population:.0f} of {m.population} customers "
                         "(share x population); give it at least 50")
        total = sum(s.share for s in m.segments)
        if abs(total - 1.0) > SHARE_TOLERANCE:
            parts = ", ".join(f"{s.id} {s.share:g}" for s in m.segments)
            self.add(("market", "segments"), f"segment shares must add up to 1 (they add up to {total:g}: {parts})",
                     at_key=True)
        for i, comp in enumerate(m.competitors):
            loc = ("market", "competitors", i)
            self.keys(loc + ("strengths",), "theme", self.themes, comp.strengths)
            for j, move in enumerate(comp.moves):
                self.ref(loc + ("moves", j, "theme"), "theme", self.themes, move.theme)
                self.round(loc + ("moves", j, "round"), move.round)
                self.ref(loc + ("moves", j, "feature"), "feature", self.features, move.feature)
                if move.feature in self.features and move.theme in self.themes:
                    f = sc.features[self.features.index(move.feature)]
                    if f.theme != move.theme:
                        self.add(loc + ("moves", j, "feature"),
                                 f"feature {_show(move.feature)} is in theme {_show(f.theme)}, not in the move's "
                                 f"theme {_show(move.theme)}: name a feature that answers this launch")
        self.keys(("market", "product"), "theme", self.themes, m.product)

        for key in sc.team.capacity_by_round:
            if not 1 <= key <= sc.rounds:
                self.add(("team", "capacity_by_round", key),
                         f"round {key} is outside the scenario's rounds 1..{sc.rounds}", at_key=True)

        for i, f in enumerate(sc.features):
            loc = ("features", i)
            self.ref(loc + ("theme",), "theme", self.themes, f.theme)
            self.keys(loc + ("kano",), "segment", self.segments, f.kano)
            self.round(loc + ("available_from",), f.available_from)
            for j, dep in enumerate(f.depends_on):
                if dep == f.id:
                    self.add(loc + ("depends_on", j), f"feature {_show(f.id)} depends on itself")
                else:
                    self.ref(loc + ("depends_on", j), "feature", self.features, dep)
        self.cycles()

        for i, s in enumerate(sc.stakeholders):
            for j, theme in enumerate(s.agenda):
                self.ref(("stakeholders", i, "agenda", j), "theme", self.themes, theme)
        for loc, req in requests:
            self.request(loc, req)

        for i, o in enumerate(sc.okrs):
            self.ref(("okrs", i, "owner"), "stakeholder", self.stakeholders, o.owner)
            for j, kr in enumerate(o.key_results):
                self.ref(("okrs", i, "key_results", j, "segment"), "segment", self.segments, kr.segment)

        for i, e in enumerate(sc.events):
            loc = ("events", i)
            self.round(loc + ("round",), e.round)
            self.ref(loc + ("competitor",), "competitor", self.competitors, e.competitor)
            self.ref(loc + ("theme",), "theme", self.themes, e.theme)
            self.ref(loc + ("segment",), "segment", self.segments, e.segment)
            self.ref(loc + ("stakeholder",), "stakeholder", self.stakeholders, e.stakeholder)
            if e.request is not None and e.request.round != e.round:
                self.add(loc + ("request", "round"),
                         f"the request arrives with its event: its round must be {e.round} (the event's round)")

    def cycles(self) -> None:
        index: dict[str, int] = {}
        for i, f in enumerate(self.sc.features):
            index.setdefault(f.id, i)
        edges = {
            fid: [d for d in dict.fromkeys(self.sc.features[i].depends_on) if d in index and d != fid]
            for fid, i in index.items()
        }
        state: dict[str, int] = {}  # 1 = on the stack, 2 = done
        reported: set[tuple[str, ...]] = set()
        for start in index:
            if start in state:
                continue
            stack: list[tuple[str, Iterator[str]]] = [(start, iter(edges[start]))]
            state[start] = 1
            while stack:
                node, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    state[node] = 2
                    stack.pop()
                elif state.get(nxt) == 1:
                    names = [n for n, _ in stack]
                    cycle = names[names.index(nxt):]
                    first = min(range(len(cycle)), key=lambda k: index[cycle[k]])
                    cycle = cycle[first:] + cycle[:first]
                    if tuple(cycle) not in reported:
                        reported.add(tuple(cycle))
                        head = self.sc.features[index[cycle[0]]]
                        succ = cycle[1] if len(cycle) > 1 else cycle[0]
                        j = head.depends_on.index(succ)
                        self.add(("features", index[cycle[0]], "depends_on", j),
                                 "dependency cycle: " + " -> ".join(cycle + [cycle[0]]))
                elif nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(edges[nxt])))


def semantic_problems(
    scenario: Scenario, path: str = "<scenario>", positions: PositionMap | None = None
) -> list[Problem]:
    """Cross-reference checks on a scenario that passed pydantic validation: references to
    themes, segments, competitors, features and stakeholders must exist, ids must be unique,
    rounds must lie within the scenario, feature dependencies must not form cycles, segment
    shares must add up to 1. Problems name their field; with `positions` they name its line."""
    checker = _Checker(scenario)
    checker.run()
    positions = positions if positions is not None else PositionMap()
    problems = []
    for loc, message, at_key, severity in checker.found:
        line, col = positions.locate(loc, at_key=at_key)
        problems.append(Problem(str(path), line, col, message, severity, dotted(loc)))
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


def load_scenario_text(text: str, path: str = "<string>") -> Scenario:
    """Parse and validate a scenario from `text`; raises `ScenarioError` listing every problem."""
    scenario, problems = check_scenario_text(text, path)
    if scenario is None:
        raise ScenarioError(problems)
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
