"""pmsim.textsafe: the one sanitizer for text from people and files."""

from __future__ import annotations

import pytest
from textual.content import Content

from pmsim import textsafe


@pytest.mark.parametrize(("raw", "shown"), [
    ("Ada", "Ada"),
    ("Eve\x1b[2J", "Eve\\x1b[2J"),
    ("a\x9bb", "a\\x9bb"),  # an 8-bit CSI
    ("gnp\u202eexe", "gnp\\u202eexe"),
    ("x\u2066y\u2069", "x\\u2066y\\u2069"),
    ("bell\x07", "bell\\x07"),
    ("del\x7f", "del\\x7f"),
    ("Zoë 🎉", "Zoë 🎉"),
])
def test_plain_makes_every_control_visible(raw, shown):
    assert textsafe.plain(raw) == shown
    assert textsafe.is_clean(textsafe.plain(raw))


def test_plain_keeps_newlines_only_when_asked():
    assert textsafe.plain("a\nb\tc") == "a\\x0ab\\x09c"
    assert textsafe.plain("a\nb\tc", multiline=True) == "a\nb\tc"


@pytest.mark.parametrize("raw", ["[/x]", "Bob [intern]", "[bold]x[/bold]", "[link=http://e.vil]hi[/link]",
                                 "back\\slash [b]"])
def test_markup_is_shown_as_written(raw):
    assert Content.from_markup(textsafe.markup(raw)).plain == raw


def test_md_escapes_table_and_markup_characters():
    assert textsafe.md("a|b <script> *x* [l](u)\nz") == r"a\|b \<script\> \*x\* \[l\](u) z"


def test_check_name():
    assert textsafe.check_name("  Ada   Lovelace ") == "Ada Lovelace"
    with pytest.raises(ValueError, match="too long"):
        textsafe.check_name("x" * (textsafe.MAX_NAME + 1))
    with pytest.raises(ValueError, match="control characters"):
        textsafe.check_name("a\u202eb")
    with pytest.raises(ValueError, match="empty"):
        textsafe.check_name(" \t ")


def test_name_cuts_long_names():
    assert textsafe.name("abcdef", 4) == "abc…"
