"""Showing text that came from a person or a file: one place that makes it safe to print.

A player name, a class name, a rationale or anything read from a save file may carry terminal
control sequences (ESC [ 2 J clears the screen, OSC 8 writes links, ESC ] 0 sets the title),
other control characters, or bidi overrides (U+202E turns "evil.exe" into something else).
Printed raw they act on the reader's terminal or reorder what they read. Every such string goes
through one of these functions before it is shown:

* `plain(text)`: terminal output and Markdown/CSV text; control characters, escape sequences and
  bidi controls are made visible (`\\x1b`, `\\u202e`), so nothing acts and nothing is hidden;
* `name(text)`: the same for a one-line name, with whitespace collapsed;
* `markup(text)`: for a Textual/Rich markup string (a notification, a label): `plain` and then
  every `[` escaped, so "[/x]" or "Bob [intern]" is shown as written instead of crashing;
* `md(text)`: a Markdown table cell or heading: `plain`, then Markdown punctuation escaped;
* `check_name(text, what, limit)`: a name a person is about to store: cleaned, or `ValueError`.

Pure: no Textual import (`markup` imports rich's escape on first use).
"""

from __future__ import annotations

import re

MAX_NAME = 100  # player and class names (characters), checked when a name is stored

# C0 controls but tab/newline, DEL, C1 controls (U+0080-U+009F: 0x9B is an 8-bit CSI), the
# bidi embeddings/overrides/isolates and marks, and the Unicode line/paragraph separators.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI + "\u2028\u2029]")
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f" + _BIDI + "\u2028\u2029]")
_MD = re.compile(r"([\\`*_\[\]<>|#~])")


def _visible(m: re.Match[str]) -> str:
    c = m.group(0)
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def plain(text: object, *, multiline: bool = False) -> str:
    """`text` with every control character, escape sequence introducer and bidi control made
    visible as a backslash escape. Tabs and newlines are kept only with `multiline`."""
    s = "" if text is None else str(text)
    return (_UNSAFE if multiline else _UNSAFE_LINE).sub(_visible, s)


def is_clean(text: str) -> bool:
    """True when `plain(text)` would change nothing."""
    return _UNSAFE_LINE.search(text) is None


def name(text: object, limit: int | None = None) -> str:
    """A one-line name to show: whitespace collapsed, unsafe characters visible, cut at `limit`."""
    s = plain(" ".join(("" if text is None else str(text)).split()))
    if limit is not None and len(s) > limit:
        s = s[: max(0, limit - 1)] + "…"
    return s


def markup(text: object) -> str:
    """`plain(text)` escaped for Textual/Rich markup: shown as written, never parsed as tags."""
    from rich.markup import escape

    return escape(plain(text, multiline=True))


def md(text: object) -> str:
    """`plain(text)` for a Markdown table cell or heading: punctuation escaped, one line."""
    s = re.sub(r"[\r\n]+", " ", "" if text is None else str(text))
    return _MD.sub(r"\\\1", plain(s))


def check_name(text: object, what: str = "name", limit: int = MAX_NAME) -> str:
    """A name about to be stored: whitespace collapsed; `ValueError` (one line) if it is empty,
    longer than `limit` characters or holds control characters or bidi controls."""
    s = " ".join(("" if text is None else str(text)).split())
    if not s:
        raise ValueError(f"the {what} is empty")
    if len(s) > limit:
        raise ValueError(f"the {what} is too long ({len(s)} characters; at most {limit})")
    if not is_clean(s):
        raise ValueError(f"the {what} '{plain(s)}' holds control characters: type it as plain text")
    return s
