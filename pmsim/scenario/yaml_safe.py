"""Read untrusted YAML safely, with the position of every value.

Scenario files are YAML written by instructors. PyYAML's safe parser (libyaml when available)
turns the text into events and `_Composer` builds plain Python data from them itself, so no tag
can construct an object; it enforces the limits below while parsing (before anything is expanded)
and rejects duplicate keys. `PositionMap` remembers the line and column of every key and value so
that later problems can point at them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from .errors import Loc, Problem, ScenarioError, _nonfinite, _show, _Slips

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 200_000
MAX_ALIASES = 1_000


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


class _Composer(_Slips):
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



def _too_large(path: str, size: int | None) -> Problem:
    amount = f"{size:,} bytes" if size is not None else "more than 2 MiB"
    return Problem(path, 1, 1, f"file is too large ({amount}, limit {MAX_BYTES // (1024 * 1024)} MiB)")
