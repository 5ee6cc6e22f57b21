"""The portfolio page's charts: self-contained inline SVG (no scripts), each with a title for
screen readers and every value written out, so nothing rests on colour alone."""

from __future__ import annotations

import html
import math
from typing import Any

from pmsim.numfmt import decimal, whole

PALETTE = ["#1f5f99", "#c2571a", "#2e7d4f", "#8e3b8e", "#6b6b00", "#9a2f3f"]
BAND_FILL = {"green": "#2e7d4f", "yellow": "#b58900", "red": "#b3261e"}


def e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _nice_ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    t = start
    while t <= hi + step * 0.5:
        ticks.append(round(t, 10))
        t += step
    return ticks


def _tick_label(v: float) -> str:
    a = abs(v)
    if a >= 1_000_000:
        return f"{decimal(v / 1_000_000, 2)}M"
    if a >= 1000:
        return f"{decimal(v / 1000, 2)}k"
    return decimal(v, 3)


def svg_line_chart(chart_id: str, title: str, xs: list[int], series: list[dict[str, Any]], width: int = 440,
                   height: int = 240, zero: bool = True) -> str:
    """A line chart: one <path class="line"> and its points per series, axes, ticks and a legend."""
    left, right, top, bottom = 54, 12, 28, 40
    legend_h = 16 * ((len(series) + 1) // 2) if len(series) > 1 else 0
    height += legend_h
    vals = [v for s in series for v in s["values"]]
    lo = min(vals + ([0.0] if zero else []))
    hi = max(vals) if vals else 1.0
    ticks = _nice_ticks(lo, hi)
    lo, hi = ticks[0], ticks[-1]
    pw, ph = width - left - right, height - top - bottom - legend_h
    x0 = min(xs) if xs else 0
    x1 = max(xs) if xs else 1

    def px(x: float) -> float:
        return left + (x - x0) / max(x1 - x0, 1) * pw

    def py(y: float) -> float:
        return top + ph - (y - lo) / max(hi - lo, 1e-12) * ph

    parts = [f'<svg class="chart" id="{e(chart_id)}" role="img" aria-labelledby="{e(chart_id)}-t" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{e(chart_id)}-t">{e(title)}</title>',
             f'<text x="{left}" y="16" class="ct">{e(title)}</text>']
    for t in ticks:
        y = py(t)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{e(_tick_label(t))}</text>')
    for x in xs:
        parts.append(f'<text x="{px(x):.1f}" y="{top + ph + 16}" text-anchor="middle" class="tick">'
                     f'{"start" if x == 0 else f"Q{x}"}</text>')
    parts.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + ph}" class="axis"/>'
                 f'<line x1="{left}" x2="{width - right}" y1="{top + ph}" y2="{top + ph}" class="axis"/>')
    for si, s in enumerate(series):
        col = PALETTE[si % len(PALETTE)]
        dash = ' stroke-dasharray="5 3"' if si % 2 else ""
        pts = " ".join(f"{'M' if i == 0 else 'L'}{px(x):.1f},{py(v):.1f}" for i, (x, v) in enumerate(
            zip(xs, s["values"], strict=True)))
        parts.append(f'<path class="line" d="{pts}" fill="none" stroke="{col}" stroke-width="2.2"{dash}>'
                     f'<title>{e(s["name"])}</title></path>')
        for x, v in zip(xs, s["values"], strict=True):
            parts.append(f'<circle class="pt" cx="{px(x):.1f}" cy="{py(v):.1f}" r="3" fill="{col}">'
                         f'<title>{e(s["name"])}, {"start" if x == 0 else f"Q{x}"}: {e(whole(v))}</title></circle>')
    if len(series) > 1:
        for si, s in enumerate(series):
            lx = left + (si % 2) * (pw / 2)
            ly = top + ph + 34 + 16 * (si // 2)
            col = PALETTE[si % len(PALETTE)]
            dash = ' stroke-dasharray="5 3"' if si % 2 else ""
            parts.append(f'<line x1="{lx:.1f}" x2="{lx + 18:.1f}" y1="{ly - 4}" y2="{ly - 4}" stroke="{col}" '
                         f'stroke-width="2.2"{dash}/><text x="{lx + 22:.1f}" y="{ly}" class="tick">{e(s["name"])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def svg_hbars(chart_id: str, title: str, rows: list[dict[str, Any]], width: int = 440, label_w: int = 150,
              row_h: int = 24, mark: float | None = None) -> str:
    """Horizontal bars 0..1: rows of {label, value, text, fill}; the value is written beside each bar
    (so nothing rests on colour alone); `mark` draws a dashed reference line (e.g. 0.7 for OKRs)."""
    top = 34
    height = top + row_h * len(rows) + 10
    pw = width - label_w - 120
    parts = [f'<svg class="chart" id="{e(chart_id)}" role="img" aria-labelledby="{e(chart_id)}-t" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{e(chart_id)}-t">{e(title)}</title>',
             f'<text x="10" y="18" class="ct">{e(title)}</text>']
    for i, r in enumerate(rows):
        y = top + i * row_h
        w = max(min(float(r["value"]), 1.0), 0.0) * pw
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" class="lab">{e(r["label"])}</text>'
                     f'<rect class="track" x="{label_w}" y="{y + 3}" width="{pw}" height="{row_h - 8}"/>'
                     f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
                     f'fill="{r.get("fill", PALETTE[0])}"><title>{e(r["label"])}: {e(r["text"])}</title></rect>'
                     f'<text x="{label_w + pw + 6}" y="{y + 15}" class="lab">{e(r["text"])}</text>')
    if mark is not None:
        mx = label_w + mark * pw
        parts.append(f'<line class="mark" x1="{mx:.1f}" x2="{mx:.1f}" y1="{top - 2}" y2="{height - 8}" stroke="#333" '
                     f'stroke-dasharray="4 3"/><text x="{mx:.1f}" y="{top - 5}" text-anchor="middle" '
                     f'class="tick">{decimal(mark, 3)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def svg_delivery(chart_id: str, decisions: list[dict[str, Any]], width: int = 440, height: int = 240) -> str:
    """Per quarter: capacity (outline), committed and delivered (bars), in engineer-weeks."""
    left, right, top, bottom = 44, 10, 28, 56
    n = max(len(decisions), 1)
    hi = max([d["capacity"] for d in decisions] + [d["committed"] + d["spikes"] for d in decisions] + [1.0])
    ticks = _nice_ticks(0.0, hi)
    hi = ticks[-1]
    pw, ph = width - left - right, height - top - bottom
    gw = pw / n

    def py(v: float) -> float:
        return top + ph - v / hi * ph

    title = "Engineer-weeks per quarter"
    parts = [f'<svg class="chart" id="{e(chart_id)}" role="img" aria-labelledby="{e(chart_id)}-t" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{e(chart_id)}-t">{e(title)}</title>', f'<text x="{left}" y="16" class="ct">{e(title)}</text>']
    for t in ticks:
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{py(t):.1f}" y2="{py(t):.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{py(t) + 4:.1f}" text-anchor="end" class="tick">{decimal(t, 3)}</text>')
    for i, d in enumerate(decisions):
        x = left + i * gw
        bw = gw * 0.32
        parts.append(f'<rect class="cap" x="{x + gw * 0.12:.1f}" y="{py(d["capacity"]):.1f}" width="{gw * 0.76:.1f}" '
                     f'height="{ph - (py(d["capacity"]) - top):.1f}" fill="none" stroke="#555" stroke-dasharray="3 2">'
                     f'<title>Q{d["round"]} capacity {decimal(d["capacity"], 1)} wk</title></rect>')
        for j, (key, col, label) in enumerate((("committed", "#1f5f99", "committed"),
                                               ("delivered", "#2e7d4f", "delivered"))):
            v = d[key]
            parts.append(f'<rect class="bar" x="{x + gw * 0.16 + j * bw * 1.05:.1f}" y="{py(v):.1f}" width="{bw:.1f}" '
                         f'height="{ph - (py(v) - top):.1f}" fill="{col}"><title>Q{d["round"]} {label} '
                         f'{decimal(v, 1)} wk</title></rect>')
        parts.append(f'<text x="{x + gw / 2:.1f}" y="{top + ph + 16}" text-anchor="middle" class="tick">'
                     f'Q{d["round"]}</text>')
    ly = height - 14
    parts.append(f'<rect x="{left}" y="{ly - 10}" width="12" height="12" fill="#1f5f99"/>'
                 f'<text x="{left + 16}" y="{ly}" class="tick">committed</text>'
                 f'<rect x="{left + 100}" y="{ly - 10}" width="12" height="12" fill="#2e7d4f"/>'
                 f'<text x="{left + 116}" y="{ly}" class="tick">delivered (shipped)</text>'
                 f'<rect x="{left + 250}" y="{ly - 10}" width="12" height="12" fill="none" stroke="#555" '
                 f'stroke-dasharray="3 2"/><text x="{left + 266}" y="{ly}" class="tick">capacity</text>')
    parts.append("</svg>")
    return "".join(parts)
