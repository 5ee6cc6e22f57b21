"""The class report: leaderboard, components, distribution, common mistakes, each student's
decisions beside the optimum, and the files that were rejected and why.

Built from game summaries (pmsim.engine.summary), whether they come from the class database or
from replayed exported files; rendered as Markdown, CSV or one self-contained HTML file with SVG
charts.
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass, field
from typing import Any

from pmsim.engine.summary import MISTAKES, mistakes
from pmsim.scenario.models import COMPONENTS
from pmsim.textsafe import md as _safe_md
from pmsim.textsafe import plain

SHORT = {"customer_impact": "impact", "okr": "OKR", "stakeholder_trust": "trust", "prioritization": "prio",
         "research": "research", "delivery": "delivery", "accessibility": "a11y"}
COLOURS = {"customer_impact": "#1b9e77", "okr": "#d95f02", "stakeholder_trust": "#7570b3",
           "prioritization": "#e7298a", "research": "#66a61e", "delivery": "#e6ab02", "accessibility": "#a6761d"}


BOT_PREFIX = "bot:"  # reference games (`pmsim class add-bots`, `simulate --save`): shown apart

# A report's own labels where the engine's "slipped" (delivery under 0.7) is not over-commitment:
# a round with nothing planned counts as nothing delivered.
REPORT_MISTAKES = {
    **MISTAKES,
    "planned_nothing": "planned nothing: no work was committed in any round",
    "idle_rounds": "left the team idle: nothing planned in some rounds",
}


def report_mistakes(summary: dict[str, Any]) -> list[str]:
    """`engine.summary.mistakes`, with "slipped" told apart from an empty plan."""
    out = mistakes(summary)
    if "slipped" in out:
        rounds = summary["rounds"]
        planned = [r for r in rounds if float(r.get("committed_est") or 0.0) > 0]
        committed = sum(float(r["committed_est"]) for r in planned)
        delivered = sum(float(r.get("delivered_est") or 0.0) for r in planned)
        if not planned:
            out[out.index("slipped")] = "planned_nothing"
        elif delivered >= 0.7 * committed:
            out[out.index("slipped")] = "idle_rounds"
    return out


@dataclass
class Entry:
    player: str
    source: str
    summary: dict[str, Any]
    label: str = ""
    titles: dict[str, str] | None = None  # feature id -> title: plans are shown by title
    # True: played on the class server (`pmsim serve --class`), who played is proven; False:
    # played elsewhere (own computer, an imported file); None: not a student's game (a bot)
    verified: bool | None = None

    def plan(self, names: list[str]) -> str:
        return _plan([(self.titles or {}).get(n, n) for n in names])


@dataclass
class Rejected:
    source: str
    reason: str
    player: str | None = None
    verified: bool | None = None  # as Entry.verified (a game in progress on the class server: True)


@dataclass
class ClassReport:
    title: str
    scenario: str
    seed: int | None
    entries: list[Entry]
    rejected: list[Rejected] = field(default_factory=list)
    code: str | None = None
    bots: list[Entry] = field(default_factory=list)  # reference games, not in the leaderboard

    def __post_init__(self) -> None:
        # bots (player bot:<strategy>) are moved out of the students' entries
        self.bots = sorted(self.bots + [e for e in self.entries if e.player.startswith(BOT_PREFIX)],
                           key=lambda e: (-e.summary["score"], e.player, e.source))
        for b in self.bots:
            b.label = b.player
        self.entries = [e for e in self.entries if not e.player.startswith(BOT_PREFIX)]
        # two students with the same name are both kept, told apart by a number
        self.entries.sort(key=lambda e: (-e.summary["score"], e.player, e.source))
        seen: dict[str, int] = {}
        for e in sorted(self.entries, key=lambda e: (e.player, e.source)):
            n = seen.get(e.player, 0) + 1
            seen[e.player] = n
            e.label = e.player if n == 1 else f"{e.player} ({n})"
        dupes = {p for p, n in seen.items() if n > 1}
        for e in self.entries:
            if e.player in dupes and e.label == e.player:
                e.label = f"{e.player} (1)"

    # ------------------------------------------------------------------ numbers
    def scores(self) -> list[float]:
        return [e.summary["score"] for e in self.entries]

    def distribution(self) -> dict[str, float]:
        s = sorted(self.scores())
        if not s:
            return {"n": 0}
        n = len(s)
        mean = sum(s) / n
        sd = (sum((x - mean) ** 2 for x in s) / (n - 1)) ** 0.5 if n > 1 else 0.0
        med = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
        return {"n": n, "mean": round(mean, 2), "sd": round(sd, 2), "min": round(s[0], 2), "median": round(med, 2),
                "max": round(s[-1], 2)}

    def mistake_counts(self) -> list[tuple[str, str, int]]:
        counts = {k: 0 for k in REPORT_MISTAKES}
        for e in self.entries:
            for m in report_mistakes(e.summary):
                counts[m] += 1
        return sorted(((k, REPORT_MISTAKES[k], v) for k, v in counts.items() if v or k in MISTAKES),
                      key=lambda t: -t[2])

    def verified_count(self) -> int:
        return sum(1 for e in self.entries if e.verified)

    def component_means(self) -> dict[str, float]:
        n = len(self.entries) or 1
        return {c: round(sum(e.summary["components"][c] for e in self.entries) / n, 3) for c in COMPONENTS}


# ---------------------------------------------------------------------- markdown
def _plan(names: list[str]) -> str:
    return ", ".join(names) if names else "—"


# Every name, title, path and reason in a report came from a person or a file: through
# pmsim.textsafe, so no control character, escape sequence or bidi override reaches the reader.
def _cell(v: object) -> object:
    """A CSV cell: control characters visible; a leading = + - @ cannot run as a formula."""
    if not isinstance(v, str):
        return v
    v = plain(v)
    return "'" + v if v[:1] in ("=", "+", "-", "@") else v


def _h(s: object) -> str:
    return html.escape(plain(s))


def render_md(rep: ClassReport) -> str:
    d = rep.distribution()
    out = [f"# Class report: {_md(rep.title)}", ""]
    out.append(f"Scenario **{_md(rep.scenario)}**, seed {rep.seed}" + (f", class code `{rep.code}`" if rep.code else "")
               + f". {len(rep.entries)} games counted, {len(rep.rejected)} rejected"
               + (f", {len(rep.bots)} reference bot games apart." if rep.bots else "."))
    out.append("")
    if d["n"]:
        out.append(f"Scores: mean {d['mean']}, sd {d['sd']}, median {d['median']}, min {d['min']}, max {d['max']}.")
        out.append("")
    out += [verified_note(rep), ""]
    out += ["## Leaderboard", "", "| # | student | score | " + " | ".join(SHORT[c] for c in COMPONENTS) + " | verified |",
            "|---|---|---:|" + "---:|" * len(COMPONENTS) + "---|"]
    for i, e in enumerate(rep.entries, 1):
        comps = " | ".join(f"{e.summary['components'][c]:.2f}" for c in COMPONENTS)
        out.append(f"| {i} | {_md(e.label)} | {e.summary['score']:.1f} | {comps} | {_verified(e)} |")
    if rep.bots:
        out += ["", "## Reference games (bots, not ranked)", "",
                "| bot | score | " + " | ".join(SHORT[c] for c in COMPONENTS) + " |",
                "|---|---:|" + "---:|" * len(COMPONENTS)]
        for e in rep.bots:
            comps = " | ".join(f"{e.summary['components'][c]:.2f}" for c in COMPONENTS)
            out.append(f"| {_md(e.label)} | {e.summary['score']:.1f} | {comps} |")
    out += ["", "## Common mistakes", "", "| mistake | students |", "|---|---:|"]
    for _, text, n in rep.mistake_counts():
        out.append(f"| {text} | {n} of {len(rep.entries)} |")
    out += ["", "## Decisions per round, beside the best roadmap in hindsight", ""]
    for e in rep.entries:
        out += [f"### {_md(e.label)} — {e.summary['score']:.1f}", "",
                "| round | shipped | your plan | best on your information | best in hindsight | regret |",
                "|---:|---|---|---|---|---:|"]
        for r in e.summary["rounds"]:
            out.append(f"| {r['round']} | {_md(e.plan(r['shipped']))} | {_md(e.plan(r['plan']))} "
                       f"| {_md(e.plan(r['best_on_beliefs']))} | {_md(e.plan(r['best_in_hindsight']))} | {r['regret']:.1f} |")
        ms = [REPORT_MISTAKES[m] for m in report_mistakes(e.summary)]
        out += ["", "Mistakes: " + ("; ".join(ms) if ms else "none found") + ".", ""]
    if rep.rejected:
        out += ["## Rejected files", "", "| file | student | reason | verified |", "|---|---|---|---|"]
        for r in rep.rejected:
            out.append(f"| {_md(r.source)} | {_md(r.player or '?')} | {_md(r.reason)} | {_verified(r)} |")
        out.append("")
    return "\n".join(out) + "\n"


def _md(s: str) -> str:
    return _safe_md(s)


VERIFIED_MEANING = ("Verified: played on the class server (pmsim serve --class), where the student joined "
                    "with their PIN and never held the seed or the engine. Not verified: played elsewhere "
                    "(pmsim play with the database, or an imported file); its replay is honest, but who "
                    "played it, and with what help, is not proven.")


def verified_note(rep: ClassReport) -> str:
    n = len(rep.entries)
    return f"{rep.verified_count()} of {n} counted games verified. {VERIFIED_MEANING}"


def _verified(e: Entry | Rejected) -> str:
    return "" if e.verified is None else ("yes" if e.verified else "no")


# ---------------------------------------------------------------------- csv
def render_csv(rep: ClassReport) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["rank", "student", "source", "status", "score", *COMPONENTS, "mistakes", "reason", "verified"])
    for i, e in enumerate(rep.entries, 1):
        w.writerow([i, _cell(e.label), _cell(e.source), "counted", f"{e.summary['score']:.4f}",
                    *(f"{e.summary['components'][c]:.4f}" for c in COMPONENTS),
                    ";".join(report_mistakes(e.summary)), "", _verified(e)])
    for e in rep.bots:
        w.writerow(["", e.label, e.source, "reference", f"{e.summary['score']:.4f}",
                    *(f"{e.summary['components'][c]:.4f}" for c in COMPONENTS),
                    ";".join(report_mistakes(e.summary)), ""])
    for r in rep.rejected:
        w.writerow(["", _cell(r.player or ""), _cell(r.source), "rejected", "", *([""] * len(COMPONENTS)), "",
                    _cell(r.reason), _verified(r)])
    return buf.getvalue()


# ---------------------------------------------------------------------- html + svg
def _svg_histogram(scores: list[float], width: int = 520, height: int = 180) -> str:
    bins = [0] * 10
    for s in scores:
        bins[min(int(s // 10), 9)] += 1
    top = max(bins) or 1
    bw = (width - 40) / 10
    parts = [f'<svg class="chart" id="histogram" role="img" aria-label="Histogram of scores" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for i, n in enumerate(bins):
        h = (height - 40) * n / top
        x = 30 + i * bw
        parts.append(f'<rect class="bar" x="{x + 2:.1f}" y="{height - 20 - h:.1f}" width="{bw - 4:.1f}" height="{h:.1f}" '
                     f'fill="#4a6fa5"><title>{i * 10}–{i * 10 + 10}: {n}</title></rect>')
        if n:
            parts.append(f'<text x="{x + bw / 2:.1f}" y="{height - 24 - h:.1f}" text-anchor="middle" '
                         f'font-size="11">{n}</text>')
        parts.append(f'<text x="{x + bw / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="10">{i * 10}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_components(rep: ClassReport, width: int = 720) -> str:
    row = 22
    height = 40 + row * len(rep.entries)
    left = 170
    scale = (width - left - 60) / 100
    parts = [f'<svg class="chart" id="components" role="img" aria-label="Points per component per student" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for i, e in enumerate(rep.entries):
        y = 10 + i * row
        parts.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" font-size="12">{_h(e.label)}</text>')
        x = left
        w = e.summary.get("weights") or {c: 1.0 for c in COMPONENTS}
        total = sum(w.values()) or 1.0
        for c in COMPONENTS:
            pts = 100 * w.get(c, 0.0) * e.summary["components"][c] / total
            parts.append(f'<rect class="seg" x="{x:.1f}" y="{y}" width="{pts * scale:.1f}" height="{row - 6}" '
                         f'fill="{COLOURS[c]}"><title>{c}: {pts:.1f} points</title></rect>')
            x += pts * scale
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 14}" font-size="11">{e.summary["score"]:.1f}</text>')
    ly = height - 14
    lx = left
    for c in COMPONENTS:
        parts.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{COLOURS[c]}"/>'
                     f'<text x="{lx + 13}" y="{ly}" font-size="10">{SHORT[c]}</text>')
        lx += 13 + 7 * len(SHORT[c]) + 10
    parts.append("</svg>")
    return "".join(parts)


CSS = """body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left}
td.n{text-align:right}h1{font-size:1.6em}.muted{color:#666}.chart{display:block;margin:1em 0}
details{margin:.5em 0}"""


def render_html(rep: ClassReport) -> str:
    e = _h
    d = rep.distribution()
    body = [f"<h1>Class report: {e(rep.title)}</h1>",
            f"<p>Scenario <b>{e(rep.scenario)}</b>, seed {rep.seed}" + (f", class code <code>{e(rep.code)}</code>"
                                                                    if rep.code else "")
            + f". {len(rep.entries)} games counted, {len(rep.rejected)} rejected"
            + (f", {len(rep.bots)} reference bot games apart.</p>" if rep.bots else ".</p>")]
    if d["n"]:
        body.append(f"<p>Scores: mean {d['mean']}, sd {d['sd']}, median {d['median']}, min {d['min']}, "
                    f"max {d['max']}.</p>")
    body.append(f'<p class="verified-note">{e(verified_note(rep))}</p>')
    body += ["<h2>Distribution of scores</h2>", _svg_histogram(rep.scores()),
             "<h2>Points by component</h2>", _svg_components(rep),
             "<h2>Leaderboard</h2><table><tr><th>#</th><th>student</th><th>score</th>"
             + "".join(f"<th>{SHORT[c]}</th>" for c in COMPONENTS) + "<th>verified</th></tr>"]
    for i, en in enumerate(rep.entries, 1):
        body.append(f"<tr><td class=n>{i}</td><td>{e(en.label)}</td><td class=n>{en.summary['score']:.1f}</td>"
                    + "".join(f"<td class=n>{en.summary['components'][c]:.2f}</td>" for c in COMPONENTS)
                    + f"<td class=verified>{_verified(en)}</td></tr>")
    body.append("</table>")
    if rep.bots:
        body.append("<h2>Reference games (bots, not ranked)</h2><table><tr><th>bot</th><th>score</th>"
                    + "".join(f"<th>{SHORT[c]}</th>" for c in COMPONENTS) + "</tr>")
        for en in rep.bots:
            body.append(f"<tr><td>{e(en.label)}</td><td class=n>{en.summary['score']:.1f}</td>"
                        + "".join(f"<td class=n>{en.summary['components'][c]:.2f}</td>" for c in COMPONENTS)
                        + "</tr>")
        body.append("</table>")
    body.append("<h2>Common mistakes</h2><table><tr><th>mistake</th><th>students</th></tr>")
    for _, text, n in rep.mistake_counts():
        body.append(f"<tr><td>{e(text)}</td><td class=n>{n} of {len(rep.entries)}</td></tr>")
    body.append("</table><h2>Decisions per round</h2>")
    for en in rep.entries:
        body.append(f"<details><summary>{e(en.label)} — {en.summary['score']:.1f}</summary><table><tr><th>round</th>"
                    "<th>shipped</th><th>plan</th><th>best on their information</th><th>best in hindsight</th>"
                    "<th>regret</th></tr>")
        for r in en.summary["rounds"]:
            body.append(f"<tr><td class=n>{r['round']}</td><td>{e(en.plan(r['shipped']))}</td><td>{e(en.plan(r['plan']))}"
                        f"</td><td>{e(en.plan(r['best_on_beliefs']))}</td><td>{e(en.plan(r['best_in_hindsight']))}</td>"
                        f"<td class=n>{r['regret']:.1f}</td></tr>")
        ms = [REPORT_MISTAKES[m] for m in report_mistakes(en.summary)]
        body.append(f"</table><p>Mistakes: {e('; '.join(ms) if ms else 'none found')}.</p></details>")
    if rep.rejected:
        body.append("<h2>Rejected files</h2><table><tr><th>file</th><th>student</th><th>reason</th>"
                    "<th>verified</th></tr>")
        for r in rep.rejected:
            body.append(f"<tr><td>{e(r.source)}</td><td>{e(r.player or '?')}</td><td>{e(r.reason)}</td>"
                        f"<td class=verified>{_verified(r)}</td></tr>")
        body.append("</table>")
    body.append('<p class="muted">Generated by pmsim. The data is simulated.</p>')
    return ("<!doctype html><html lang=en><head><meta charset=utf-8><title>Class report: " + e(rep.title)
            + "</title><style>" + CSS + "</style></head><body>" + "\n".join(body) + "</body></html>\n")


RENDERERS = {"md": render_md, "csv": render_csv, "html": render_html}
