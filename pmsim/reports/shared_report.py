"""The report of a shared-market class (issue 14): a leaderboard per quarter, market share and
score over time (inline SVG in HTML), each company's launches beside its rivals', and the quarters
a company lost customers while a rival launched.

Built from the replayed market (`shared_market.load`: every stored quarter's hash checked), so it
shows the true market, as an instructor's report should: the shares are each company's customers
over everyone who uses a product, not the estimates the players saw. A lost customer is not traced
to the rival who won them: "lost customers while a rival launched" says the two happened in the
same quarter, no more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pmsim.engine.summary import quarterly
from pmsim.numfmt import pct
from pmsim.reports.charts import svg_line_chart


@dataclass(frozen=True)
class CompanyRow:
    name: str
    scores: list[float]  # after each resolved quarter
    shares: list[float]  # at the start (index 0) and after each resolved quarter
    customers: list[int]  # the same
    launches: list[list[str]]  # feature titles shipped in each resolved quarter


@dataclass(frozen=True)
class SharedReport:
    code: str
    title: str
    scenario: str
    seed: int
    quarters: int  # resolved so far
    of: int  # the scenario's quarters
    companies: list[CompanyRow]

    def leaderboard(self, q: int) -> list[tuple[str, float]]:
        """Quarter q's ranking (1-based quarter): (company, score), best first, ties by name."""
        return sorted(((c.name, c.scores[q - 1]) for c in self.companies), key=lambda x: (-x[1], x[0]))

    def losses_to_launches(self) -> list[tuple[int, str, int, list[tuple[str, list[str]]]]]:
        """(quarter, company, customers lost, [(rival, its launches)]) for each quarter in which a
        company lost customers while at least one rival launched something."""
        out = []
        for q in range(1, self.quarters + 1):
            for c in self.companies:
                lost = c.customers[q - 1] - c.customers[q]
                rivals = [(r.name, r.launches[q - 1]) for r in self.companies if r is not c and r.launches[q - 1]]
                if lost > 0 and rivals:
                    out.append((q, c.name, lost, rivals))
        return out


def build(game: Any, code: str, title: str) -> SharedReport:
    """The report of a replayed `SharedGame`."""
    sc = game.scenario
    titles = {f.id: f.title for f in sc.features}
    rows = []
    for g in game.companies:
        q = quarterly(g)
        rows.append(CompanyRow(
            name=g.name, scores=list(q.scores), shares=list(q.shares), customers=list(q.customers),
            launches=[[titles.get(f, f) for f in shipped] for shipped in q.launches]))
    return SharedReport(code, title, f"{sc.meta.title} ({sc.meta.id})", game.seed, len(game.round_hashes), sc.rounds,
                        rows)


def _md(s: object) -> str:
    """A table cell: a | in a name would end the cell."""
    return str(s).replace("|", "\\|").replace("\n", " ")


def render_md(rep: SharedReport) -> str:
    out = [f"# Shared-market report: {rep.title}", "",
           f"Class {rep.code}, {rep.scenario}, seed {rep.seed}: {len(rep.companies)} companies in one market, "
           f"{rep.quarters} of {rep.of} quarters resolved.", ""]
    if not rep.quarters:
        return "\n".join(out + ["No quarter has resolved yet.", ""])
    names = [_md(c.name) for c in rep.companies]
    out += ["## Leaderboard per quarter", "", "| quarter | " + " | ".join(f"#{i}" for i in range(1, len(names) + 1))
            + " |", "|---" * (len(names) + 1) + "|"]
    for q in range(1, rep.quarters + 1):
        out.append(f"| Q{q} | " + " | ".join(f"{_md(n)} {s:.1f}" for n, s in rep.leaderboard(q)) + " |")
    out += ["", "## Market share", "", "| company | start | " + " | ".join(f"Q{q}" for q in range(1, rep.quarters + 1))
            + " |", "|---" * (rep.quarters + 2) + "|"]
    for c in rep.companies:
        out.append(f"| {_md(c.name)} | " + " | ".join(pct(s, 1) for s in c.shares) + " |")
    out += ["", "## Launches, company beside company", "", "| quarter | " + " | ".join(names) + " |",
            "|---" * (len(names) + 1) + "|"]
    for q in range(1, rep.quarters + 1):
        out.append(f"| Q{q} | " + " | ".join(_md(", ".join(c.launches[q - 1]) or "—") for c in rep.companies) + " |")
    out += ["", "## Customers lost while a rival launched", ""]
    moments = rep.losses_to_launches()
    for q, name, lost, rivals in moments:
        out.append(f"- Q{q}: {name} lost {lost:,} customers while "
                   + "; ".join(f"{r} launched {', '.join(f)}" for r, f in rivals))
    if not moments:
        out.append("None: no company lost customers in a quarter a rival launched.")
    out.append("")
    return "\n".join(out)


def render_csv(rep: SharedReport) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["quarter", "company", "rank", "score", "market_share", "customers", "launched"])
    for q in range(1, rep.quarters + 1):
        ranks = {n: i for i, (n, _) in enumerate(rep.leaderboard(q), 1)}
        for c in rep.companies:
            w.writerow([q, c.name, ranks[c.name], f"{c.scores[q - 1]:.2f}", f"{c.shares[q]:.4f}", c.customers[q],
                        "; ".join(c.launches[q - 1])])
    return buf.getvalue()


def render_html(rep: SharedReport) -> str:
    import html

    from pmsim.reports.classreport import CSS

    def e(s: object) -> str:
        return html.escape(str(s), quote=True)

    body = [f"<h1>Shared-market report: {e(rep.title)}</h1>",
            f"<p>Class <code>{e(rep.code)}</code>, {e(rep.scenario)}, seed {rep.seed}: {len(rep.companies)} companies "
            f"in one market, {rep.quarters} of {rep.of} quarters resolved.</p>"]
    if rep.quarters:
        xs = list(range(rep.quarters + 1))
        body += ["<h2>Market share over time</h2>", svg_line_chart(
            "share", "Market share (%), start and after each quarter", xs,
            [{"name": c.name, "values": [round(100 * s, 2) for s in c.shares]} for c in rep.companies], width=720),
            "<h2>Score over time</h2>", svg_line_chart(
            "score", "Score after each quarter", xs[1:],
            [{"name": c.name, "values": c.scores} for c in rep.companies], width=720)]
        body.append("<h2>Leaderboard per quarter</h2><table><tr><th>quarter</th>"
                    + "".join(f"<th>#{i}</th>" for i in range(1, len(rep.companies) + 1)) + "</tr>")
        for q in range(1, rep.quarters + 1):
            body.append(f"<tr><td>Q{q}</td>" + "".join(f"<td>{e(n)} <b>{s:.1f}</b></td>" for n, s in rep.leaderboard(q))
                        + "</tr>")
        body.append("</table><h2>Launches, company beside company</h2><table><tr><th>quarter</th>"
                    + "".join(f"<th>{e(c.name)}</th>" for c in rep.companies) + "</tr>")
        for q in range(1, rep.quarters + 1):
            body.append(f"<tr><td>Q{q}</td>" + "".join(f"<td>{e(', '.join(c.launches[q - 1]) or '—')}</td>"
                                                       for c in rep.companies) + "</tr>")
        body.append("</table><h2>Customers lost while a rival launched</h2><ul>")
        for q, name, lost, rivals in rep.losses_to_launches():
            body.append(f"<li>Q{q}: {e(name)} lost {lost:,} customers while "
                        + "; ".join(f"{e(r)} launched {e(', '.join(f))}" for r, f in rivals) + "</li>")
        body.append("</ul>")
    else:
        body.append("<p>No quarter has resolved yet.</p>")
    body.append('<p class="muted">Generated by pmsim from the replayed market (every quarter\'s hash checked). '
                "The data is simulated.</p>")
    return ("<!doctype html><html lang=en><head><meta charset=utf-8><title>Shared-market report: " + e(rep.title)
            + "</title><style>" + CSS + "</style></head><body>" + "\n".join(body) + "</body></html>\n")


RENDERERS = {"md": render_md, "csv": render_csv, "html": render_html}
