"""The HTML class report in a real headless Chromium: the SVG charts are in the DOM it builds,
with all their bars, and the page it paints is not blank.

Skipped (with the reason) when no Chromium is installed, except on CI (CI=true), where it fails:
CI is expected to run scripts/ensure_chromium.sh first.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from class_helpers import on_ci

from pmsim.commands.class_reports import report_from_db
from pmsim.reports.classreport import render_html
from pmsim.scenario.models import COMPONENTS

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--disable-extensions"]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        msg = "Chromium is not installed (run scripts/ensure_chromium.sh)"
        if on_ci():
            pytest.fail(msg)
        pytest.skip(msg)
    return path


def run_chromium(chromium: str, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          timeout=120, stdin=subprocess.DEVNULL, start_new_session=True)


class Charts(HTMLParser):
    """Counts the rects with each class inside each <svg id=...> of the DOM Chromium dumped."""

    def __init__(self) -> None:
        super().__init__()
        self.svg: str | None = None
        self.rects: dict[tuple[str, str], int] = {}
        self.widths: list[float] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "svg":
            self.svg = a.get("id")
        elif tag == "rect" and self.svg:
            key = (self.svg, a.get("class") or "")
            self.rects[key] = self.rects.get(key, 0) + 1
            if key == ("components", "seg"):
                self.widths.append(float(a.get("width") or 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.svg = None


def png_pixels(data: bytes) -> tuple[int, int, set[bytes]]:
    """Width, height and the set of distinct pixels of an 8-bit RGB(A) PNG (no Pillow needed)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w, h, bpp = 8, b"", 0, 0, 3
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    seen: set[bytes] = set()
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):  # undo the PNG filters
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        seen.update(bytes(line[i:i + 3]) for i in range(0, stride, bpp * 7))
        prev = line
    return w, h, seen


@pytest.fixture(scope="module")
def report_file(class_db, tmp_path_factory) -> Path:
    from pmsim.storage.saves import SaveStore

    with SaveStore(f"sqlite:///{class_db.path}") as store:
        page = render_html(report_from_db(store, class_db.code))
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def test_charts_are_in_the_dom_chromium_builds(chromium, report_file, tmp_path):
    res = run_chromium(chromium, tmp_path, "--dump-dom", report_file.as_uri())
    dom = res.stdout.decode("utf-8", "replace")
    assert res.returncode == 0 and "<svg" in dom, res.stderr.decode("utf-8", "replace")[-2000:]
    charts = Charts()
    charts.feed(dom)
    assert charts.rects[("histogram", "bar")] == 10
    assert charts.rects[("components", "seg")] == 5 * len(COMPONENTS)
    assert sum(w > 0 for w in charts.widths) >= 5  # every student has points to draw
    assert re.search(r"<h1>Class report: PM 101</h1>", dom)


def test_the_page_chromium_paints_is_not_blank(chromium, report_file, tmp_path):
    shot = tmp_path / "shot.png"
    res = run_chromium(chromium, tmp_path, f"--screenshot={shot}", "--window-size=1000,900",
                       report_file.as_uri())
    assert res.returncode == 0 and shot.exists(), res.stderr.decode("utf-8", "replace")[-2000:]
    w, h, colours = png_pixels(shot.read_bytes())
    assert (w, h) == (1000, 900)
    chart_colours = {bytes.fromhex(c) for c in ("4a6fa5", "1b9e77", "d95f02", "7570b3")}
    assert len(colours) > 20 and chart_colours & colours  # text and the charts' own colours
