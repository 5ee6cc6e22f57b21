"""The portfolio: a case study of one internship that a student could show an employer.

`portfolio_md(game, player)` and `portfolio_html(game, player)` tell the same story: the product and
its market, the research done and what it found (sample sizes, confidence intervals, interview
quotes), the decisions of every quarter with the player's own rationale, the outcomes (charts in
the HTML: customers, revenue, delivery, score components, OKR grades), the OKR results, the
manager's review and the lessons. Both say plainly that everything in them is simulated.

Everything that comes from a save (player name, rationale, the scenario's own texts) is escaped:
HTML-escaped in the HTML page, Markdown-escaped in the Markdown. The page is one self-contained
file: inline CSS and SVG, no scripts, no external resources. Deterministic: no dates, no randomness.

The case as data is `case.py`, the SVG charts `charts.py`, a study's name `studies.py`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pmsim.engine.summary import summarize
from pmsim.engine.text import byline
from pmsim.numfmt import change, decimal, money, pct, plus, whole
from pmsim.reports.case import (
    BAND_WORD,
    MAX_ROWS,
    METHOD_NOTE,
    SIMULATED,
    case_of,
    kr_text,
    lessons_of,
)
from pmsim.reports.charts import BAND_FILL, PALETTE, e, svg_delivery, svg_hbars, svg_line_chart
from pmsim.reports.review import SKILL_TITLE, clean_text
from pmsim.reports.studies import COMPONENT_LABEL, METHOD_LABEL

if TYPE_CHECKING:
    from pmsim.engine.game import Game


# ---------------------------------------------------------------------------- markdown
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LEADING = re.compile(r"^([#+\-=>])")
_MD_ORDERED = re.compile(r"^(\d+)([.)])")


def md(text: Any) -> str:
    """Text from a save, safe inside Markdown: one line; characters that could start markup (emphasis,
    links, code, HTML tags, table cells) backslash-escaped, and a leading block marker (#, +, -, 1.)."""
    t = _MD_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", str(text)).strip())
    return _MD_ORDERED.sub(r"\1\\\2", _MD_LEADING.sub(r"\\\1", t))


def _md_list(items: list[str]) -> str:
    return ", ".join(md(i) for i in items) if items else "—"


def portfolio_md(game: Game, player: str) -> str:
    """The case study as Markdown."""
    facts = summarize(game)
    c = case_of(facts, player)
    rv = c["review"]
    out: list[str] = []
    out += [f"# {md(player)}: product-management internship case study", "",
            f"**{md(c['title'])}** · {c['quarters']} quarters · final score {c['score']:.1f}/100", "",
            f"> **Simulated data.** {SIMULATED} Scenario `{c['scenario_id']}` (version {md(c['scenario_version'])}), "
            f"seed {c['seed']}.", ""]
    out += ["## At a glance", ""]
    out += _glance_lines(c)
    out += ["", "## The product and the market", "", md(c["summary"]), ""]
    out += [f"The team had about {decimal(c['capacity'], 1)} engineer-weeks a quarter and {money(c['budget'])} a "
            "quarter for research.", ""]
    out += ["| segment | share of market | price / customer / quarter | customers at start → end | top needs |",
            "|---|---:|---:|---:|---|"]
    for s in c["segments"]:
        out.append(f"| {md(s['name'])} | {pct(s['share'])} | {decimal(s['price'], 2)} | {whole(s['customers_start'])} → "
                   f"{whole(s['customers_end'])} | {_md_list(s['top_needs'])} |")
    if c["competitors"]:
        out += ["", "| competitor | price vs ours | strongest at | customers at start → end |", "|---|---:|---|---:|"]
        for k in c["competitors"]:
            out.append(f"| {md(k['name'])} | {k['price_index']:.2f}× | {_md_list(k['strengths'])} | "
                       f"{whole(k['customers_start'])} → {whole(k['customers_end'])} |")
    if c["stakeholders"]:
        out += ["", "Stakeholders: " + "; ".join(
            f"{md(s['name'])} ({md(s['title'])}), trust {s['start']:.2f} → {s['end']:.2f}" for s in c["stakeholders"])
            + "."]
    out += ["", "## Research: what I did and what it found", ""]
    if not c["methods"]:
        out += ["No research was run in this internship: every decision rested on the team's first estimates.", ""]
    else:
        out += ["| method | studies | sample | cost |", "|---|---:|---:|---:|"]
        for m, v in c["methods"].items():
            sample = whole(v["sample"]) if v["sample"] else "—"
            cost = money(v["cost"]) if v["cost"] else f"{decimal(v['weeks'], 1)} eng-weeks"
            out.append(f"| {METHOD_LABEL[m]} | {v['studies']} | {sample} | {cost} |")
        for m in c["methods"]:
            lines = c["findings"].get(m, [])
            if not lines:
                continue
            out += ["", f"### {METHOD_LABEL[m]}", "", METHOD_NOTE[m], ""]
            out += [f"- {md(x)}" for x in lines[:MAX_ROWS]]
            if len(lines) > MAX_ROWS:
                out.append(f"- … and {len(lines) - MAX_ROWS} more.")
            if m == "interviews":
                if c["kano_found"]:
                    out += ["", "What the interviews suggested (Kano):", ""]
                    out += [f"- {md(x)}" for x in c["kano_found"]]
                if c["quotes"]:
                    out += ["", "In customers' words:", ""]
                    for q in c["quotes"]:
                        out += [f"> “{md(q['text'])}”  ", f"> — {md(byline(q))} "
                                f"({md(q['segment'])}, {q['round']})", ""]
    out += ["", "## Decisions, quarter by quarter", ""]
    for d in c["decisions"]:
        out += [f"### Q{d['round']}", ""]
        out.append(f"- **Capacity:** {decimal(d['capacity'], 1)} engineer-weeks; committed {decimal(d['committed'], 1)}"
                   + (f" plus {decimal(d['spikes'], 1)} of spikes" if d["spikes"] else "")
                   + f"; delivered {decimal(d['delivered'], 1)}.")
        out.append(f"- **New work on the roadmap:** {_md_list(d['new_work'])}.")
        if d["studies"]:
            out.append(f"- **Research:** {_md_list(d['studies'])}.")
        if d["rationale"].strip():
            out.append(f"- **Why (my rationale):** “{md(d['rationale'])}”")
        for a in d["answers"]:
            line = f"- **{a['verb']}** a request from {md(a['who'])}" + (f" for {md(a['what'])}" if a["what"] else "")
            line += f" (reason: {md(a['reason'])})" if a["reason"] else ""
            line += f": “{md(a['rationale'])}”" if a["rationale"].strip() else "."
            out.append(line)
        for n in d["news"]:
            out.append(f"- **News:** {md(n)}")
        res = f"shipped {_md_list(d['shipped'])}"
        if d["carried"]:
            res += f"; carried over {_md_list(d['carried'])}"
        if d["slipped"]:
            res += f"; slipped {_md_list(d['slipped'])}"
        out.append(f"- **Outcome:** {res}. Customers {whole(d['customers'])} "
                   f"({plus(d['customers_delta'])}), revenue "
                   f"{money(d['revenue'])}, NPS {plus(d['nps'])}.")
        out.append(f"- **In hindsight:** the best roadmap would have been {_md_list(d['hindsight'])}; mine captured "
                   f"{pct(d['value_share'])} of its value.")
        out.append("")
    out += ["## Outcomes", "", "| quarter | customers | revenue | NPS | churn | activation |",
            "|---:|---:|---:|---:|---:|---:|"]
    for i, m in enumerate(facts.metrics):
        out.append(f"| {'start' if i == 0 else f'Q{i}'} | {whole(m['customers'])} | {money(m['revenue'])} | "
                   f"{plus(m['nps'])} | {pct(m['churn_rate'], 1)} | {pct(m['activation_rate'], 1)} |")
    out += ["", f"Accessibility {c['accessibility'][0]:.2f} → {c['accessibility'][1]:.2f}; usability "
            f"{c['usability'][0]:.2f} → {c['usability'][1]:.2f}.", ""]
    if c["okrs"]:
        out += ["## OKR results", ""]
        for o in c["okrs"]:
            out.append(f"- **{md(o['objective'])}** ({o['kind']}): {o['grade']:.2f}, {BAND_WORD[o['band']]}")
            for kr in o["key_results"]:
                out.append(f"  - {md(kr['description'] or kr['metric'])}: {kr_text(kr, 'baseline')} → {kr_text(kr, 'value')} "
                           f"(target {kr_text(kr, 'target')}), grade {kr['grade']:.2f}")
        out.append("")
    out += ["## Score", "", "| component | score (0–1) | weight | points lost |", "|---|---:|---:|---:|"]
    for k, v in c["components"].items():
        out.append(f"| {COMPONENT_LABEL[k]} | {v['value']:.2f} | {pct(v['weight'])} | {v['lost']:.1f} |")
    out += ["", f"**Total: {c['score']:.1f} / 100.**", ""]
    out += ["## My manager's review", "",
            f"**{rv['rating']['label']}.** Return offer: **{rv['offer']['label']}**.", "", md(rv["summary"]), "",
            md(rv["offer"]["reasoning"]), ""]
    out += [f"- {SKILL_TITLE[s['skill']]}: {s['rating']}/5" for s in rv["skills"]]
    out += ["", "## Lessons", ""]
    out += [f"- **{label}:** {md(text)}" for label, text in lessons_of(c)]
    out += ["", "---", "", f"_{SIMULATED} Generated by pmsim (engine {facts.engine_version}) from a replay of the saved "
            "game._", ""]
    return "\n".join(out)

def _glance_lines(c: dict[str, Any]) -> list[str]:
    rv = c["review"]
    s0, s1 = c["start"], c["end"]
    greens = sum(o["band"] == "green" for o in c["okrs"])
    lines = [
        f"- **Role:** product-management intern for {c['quarters']} quarters"
        + ("" if c["finished"] else f" (of {c['quarters_total']}; the game is still in progress)") + ".",
        f"- **Shipped:** {len(c['shipped'])} of {c['n_features']} roadmap items.",
        f"- **Customers:** {whole(s0['customers'])} → {whole(s1['customers'])} "
        f"({change(s0['customers'], s1['customers'])}); **revenue per quarter:** {money(s0['revenue'])} → "
        f"{money(s1['revenue'])} ({change(s0['revenue'], s1['revenue'])}); **NPS:** {plus(s0['nps'])} → "
        f"{plus(s1['nps'])}.",
    ]
    if c["okrs"]:
        lines.append(f"- **OKRs:** {greens} of {len(c['okrs'])} objectives green.")
    studies = sum(v["studies"] for v in c["methods"].values())
    lines.append(f"- **Research:** {studies} studies.")
    lines.append(f"- **Manager's review:** {rv['rating']['label']}; return offer: {rv['offer']['label'].lower()}.")
    return lines


CSS = """
:root{--ink:#1d1d1f;--muted:#5b5b60;--line:#d9d9de;--accent:#1f5f99;--bg:#fff;--panel:#f6f7f9}
*{box-sizing:border-box}
body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg);
max-width:960px;margin:0 auto;padding:1.5em 1.2em 3em}
h1{font-size:1.8em;line-height:1.2;margin:.2em 0 .1em}h2{font-size:1.3em;margin:1.8em 0 .5em;
border-bottom:2px solid var(--line);padding-bottom:.2em}h3{font-size:1.05em;margin:1.2em 0 .3em}
.sub{color:var(--muted);margin:0 0 1em}
.notice{background:#fff7e0;border:1px solid #e0c26a;border-radius:6px;padding:.6em .9em;margin:1em 0}
.glance{display:grid;grid-template-columns:repeat(3,1fr);gap:.6em;margin:1em 0}
@media (max-width:600px){.glance{grid-template-columns:1fr 1fr}}
td.skill{min-width:9em}td.stars,.nw{white-space:nowrap}
.kpi{background:var(--panel);border-radius:8px;padding:.6em .8em}.kpi b{display:block;font-size:1.35em}
.kpi span{color:var(--muted);font-size:.88em}
table{border-collapse:collapse;margin:.8em 0;width:100%;font-size:.93em}
th,td{border-bottom:1px solid var(--line);padding:.3em .5em;text-align:left;vertical-align:top}
th{background:var(--panel)}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(440px,100%),1fr));gap:1em;margin:1em 0}
.chart{max-width:100%;height:auto;background:var(--panel);border-radius:8px}
.chart .ct{font-size:13px;font-weight:600;fill:var(--ink)}.chart .tick{font-size:11px;fill:var(--muted)}
.chart .lab{font-size:12px;fill:var(--ink)}.chart .grid{stroke:#e3e3e8}.chart .axis{stroke:#888}
.chart .track{fill:#e8e8ec}
blockquote{margin:.6em 0;padding:.3em 1em;border-left:4px solid var(--accent);background:var(--panel)}
blockquote p{margin:.2em 0}blockquote footer{color:var(--muted);font-size:.9em}
.quarter{border:1px solid var(--line);border-radius:8px;padding:.4em 1em .6em;margin:.8em 0}
.quarter ul{margin:.3em 0;padding-left:1.2em}.why{font-style:italic}
.rating{font-size:1.1em}.stars{letter-spacing:2px;color:var(--accent)}
footer.page{margin-top:3em;color:var(--muted);font-size:.9em;border-top:1px solid var(--line);padding-top:.8em}
"""


def _html_list(items: list[str]) -> str:
    return e(", ".join(items)) if items else "—"


def portfolio_html(game: Game, player: str) -> str:
    """The case study as one self-contained HTML page with inline SVG charts."""
    facts = summarize(game)
    c = case_of(facts, player)
    rv = c["review"]
    s0, s1 = c["start"], c["end"]
    b: list[str] = []
    b.append(f"<header><h1>{e(player)}: product-management internship case study</h1>"
             f"<p class=sub>{e(c['title'])} · {c['quarters']} quarters · scenario <code>{e(c['scenario_id'])}</code>, "
             f"seed {c['seed']}</p>"
             f'<p class=notice role="note"><strong>Simulated data.</strong> {e(SIMULATED)}</p></header>')
    greens = sum(o["band"] == "green" for o in c["okrs"])
    kpis = [
        (f"{c['score']:.1f}/100", "final score"),
        (rv["rating"]["label"], f"review · offer: {rv['offer']['label'].lower()}"),
        (f"{whole(s1['customers'])}", f"customers ({change(s0['customers'], s1['customers'])} from "
                                         f"{whole(s0['customers'])})"),
        (f"{money(s1['revenue'])}", f"revenue / quarter ({change(s0['revenue'], s1['revenue'])})"),
        (f"{len(c['shipped'])} of {c['n_features']}", "roadmap items shipped"),
    ]
    if c["okrs"]:
        kpis.append((f"{greens} of {len(c['okrs'])}", "OKRs green"))
    b.append("<section aria-label=\"At a glance\"><div class=glance>" + "".join(
        f"<div class=kpi><b>{e(v)}</b><span>{e(k)}</span></div>" for v, k in kpis) + "</div></section>")

    # product and market
    b.append("<section><h2>The product and the market</h2>"
             f"<p>{e(c['summary'])}</p><p>The team had about {e(decimal(c['capacity'], 1))} engineer-weeks a quarter and "
             f"{e(money(c['budget']))} a quarter for research.</p>")
    b.append("<table><caption class=sub>Customer segments</caption><tr><th>segment</th><th class=n>share of market"
             "</th><th class=n>price / customer / quarter</th><th class=n>customers, start → end</th>"
             "<th>top needs</th></tr>")
    for s in c["segments"]:
        b.append(f"<tr><td>{e(s['name'])}</td><td class=n>{pct(s['share'])}</td><td class=n>{decimal(s['price'], 2)}</td>"
                 f"<td class=n>{whole(s['customers_start'])} → {whole(s['customers_end'])}</td>"
                 f"<td>{_html_list(s['top_needs'])}</td></tr>")
    b.append("</table>")
    if c["competitors"]:
        b.append("<table><caption class=sub>Competitors</caption><tr><th>competitor</th><th class=n>price vs ours"
                 "</th><th>strongest at</th><th class=n>customers, start → end</th></tr>")
        for k in c["competitors"]:
            b.append(f"<tr><td>{e(k['name'])}</td><td class=n>{k['price_index']:.2f}×</td>"
                     f"<td>{_html_list(k['strengths'])}</td><td class=n>{whole(k['customers_start'])} → "
                     f"{whole(k['customers_end'])}</td></tr>")
        b.append("</table>")
    if c["stakeholders"]:
        b.append("<table><caption class=sub>Stakeholders</caption><tr><th>who</th><th class=n>trust at start</th>"
                 "<th class=n>trust at end</th></tr>")
        for s in c["stakeholders"]:
            b.append(f"<tr><td>{e(s['name'])} ({e(s['title'])})</td><td class=n>{s['start']:.2f}</td>"
                     f"<td class=n>{s['end']:.2f}</td></tr>")
        b.append("</table>")
    b.append("</section>")

    # research
    b.append("<section><h2>Research: what I did and what it found</h2>")
    if not c["methods"]:
        b.append("<p>No research was run in this internship: every decision rested on the team's first "
                 "estimates.</p>")
    else:
        b.append("<table><tr><th>method</th><th class=n>studies</th><th class=n>sample</th><th class=n>cost</th></tr>")
        for m, v in c["methods"].items():
            sample = whole(v["sample"]) if v["sample"] else "—"
            cost = money(v["cost"]) if v["cost"] else f"{decimal(v['weeks'], 1)} eng-weeks"
            b.append(f"<tr><td>{METHOD_LABEL[m]}</td><td class=n>{v['studies']}</td><td class=n>{sample}</td>"
                     f"<td class=n>{e(cost)}</td></tr>")
        b.append("</table>")
        for m in c["methods"]:
            lines = c["findings"].get(m, [])
            if not lines:
                continue
            b.append(f"<h3>{METHOD_LABEL[m]}</h3><p class=sub>{e(METHOD_NOTE[m])}</p><ul>" + "".join(f"<li>{e(x)}</li>" for x in lines[:MAX_ROWS])
                     + (f"<li>… and {len(lines) - MAX_ROWS} more.</li>" if len(lines) > MAX_ROWS else "") + "</ul>")
            if m == "interviews":
                if c["kano_found"]:
                    b.append("<p>What the interviews suggested (Kano):</p><ul>"
                             + "".join(f"<li>{e(x)}</li>" for x in c["kano_found"]) + "</ul>")
                if c["quotes"]:
                    b.append("<p>In customers' words:</p>")
                for q in c["quotes"]:
                    b.append(f"<blockquote><p>“{e(q['text'])}”</p><footer>— {e(byline(q))} "
                             f"({e(q['segment'])}, {e(q['round'])})</footer></blockquote>")
    b.append("</section>")

    # decisions
    b.append("<section><h2>Decisions, quarter by quarter</h2>")
    for d in c["decisions"]:
        items = [f"<li><strong>Capacity:</strong> {decimal(d['capacity'], 1)} engineer-weeks; committed "
                 f"{decimal(d['committed'], 1)}" + (f" plus {decimal(d['spikes'], 1)} of spikes" if d["spikes"] else "")
                 + f"; delivered {decimal(d['delivered'], 1)}.</li>",
                 f"<li><strong>New work on the roadmap:</strong> {_html_list(d['new_work'])}.</li>"]
        if d["studies"]:
            items.append(f"<li><strong>Research:</strong> {_html_list(d['studies'])}.</li>")
        if d["rationale"].strip():
            items.append(f"<li><strong>Why (my rationale):</strong> <span class=why>“{e(d['rationale'])}”</span></li>")
        for a in d["answers"]:
            line = f"<li><strong>{e(a['verb'])}</strong> a request from {e(a['who'])}" + (
                f" for {e(a['what'])}" if a["what"] else "")
            line += f" (reason: {e(a['reason'])})" if a["reason"] else ""
            line += (f": <span class=why>“{e(a['rationale'])}”</span>" if a["rationale"].strip() else ".") + "</li>"
            items.append(line)
        for n in d["news"]:
            items.append(f"<li><strong>News:</strong> {e(n)}</li>")
        res = f"shipped {_html_list(d['shipped'])}"
        if d["carried"]:
            res += f"; carried over {_html_list(d['carried'])}"
        if d["slipped"]:
            res += f"; slipped {_html_list(d['slipped'])}"
        delta = d["customers_delta"]
        items.append(f"<li><strong>Outcome:</strong> {res}. Customers {whole(d['customers'])} "
                     f"({plus(delta)}), revenue {money(d['revenue'])}, "
                     f"NPS {plus(d['nps'])}.</li>")
        items.append(f"<li><strong>In hindsight:</strong> the best roadmap would have been "
                     f"{_html_list(d['hindsight'])}; mine captured {pct(d['value_share'])} of its value.</li>")
        b.append(f"<article class=quarter><h3>Q{d['round']}</h3><ul>{''.join(items)}</ul></article>")
    b.append("</section>")

    # outcomes
    ser = c["series"]
    seg_series = [{"name": s["name"], "values": s["customers"]} for s in ser["segments"]]
    b.append("<section><h2>Outcomes</h2><div class=charts>")
    b.append(svg_line_chart("customers-chart", "Paying customers", ser["rounds"],
                            [{"name": "All customers", "values": ser["customers"]}]))
    b.append(svg_line_chart("revenue-chart", "Revenue per quarter", ser["rounds"],
                            [{"name": "Revenue", "values": ser["revenue"]}]))
    if len(seg_series) > 1:
        b.append(svg_line_chart("segments-chart", "Paying customers by segment", ser["rounds"], seg_series))
    b.append(svg_delivery("delivery-chart", c["decisions"]))
    b.append("</div>")
    b.append("<table><tr><th>quarter</th><th class=n>customers</th><th class=n>revenue</th><th class=n>NPS</th>"
             "<th class=n>churn</th><th class=n>activation</th></tr>")
    for i, m in enumerate(facts.metrics):
        b.append(f"<tr><td>{'start' if i == 0 else f'Q{i}'}</td><td class=n>{whole(m['customers'])}</td>"
                 f"<td class=n>{money(m['revenue'])}</td><td class=n>{plus(m['nps'])}</td>"
                 f"<td class=n>{pct(m['churn_rate'], 1)}</td><td class=n>{pct(m['activation_rate'], 1)}</td></tr>")
    b.append(f"</table><p>Accessibility {c['accessibility'][0]:.2f} → {c['accessibility'][1]:.2f}; usability "
             f"{c['usability'][0]:.2f} → {c['usability'][1]:.2f}.</p></section>")

    # OKRs
    if c["okrs"]:
        b.append("<section><h2>OKR results</h2><div class=charts>")
        b.append(svg_hbars("okr-chart", "OKR grades (0–1; 0.7 and up is green)", [
            {"label": clean_text(o["objective"], 24), "value": o["grade"], "fill": BAND_FILL[o["band"]],
             "text": f"{o['grade']:.2f} {o['band']}"} for o in c["okrs"]], width=520, label_w=190, mark=0.7))
        b.append("</div><table><tr><th>objective / key result</th><th class=n>start</th><th class=n>end</th>"
                 "<th class=n>target</th><th class=n>grade</th></tr>")
        for o in c["okrs"]:
            b.append(f"<tr><th colspan=4>{e(o['objective'])} <span class=sub>({e(o['kind'])})</span></th>"
                     f"<th class='n nw'>{o['grade']:.2f} · {e(BAND_WORD[o['band']])}</th></tr>")
            for kr in o["key_results"]:
                b.append(f"<tr><td>{e(kr['description'] or kr['metric'])}</td><td class=n>{kr_text(kr, 'baseline')}</td>"
                         f"<td class=n>{kr_text(kr, 'value')}</td><td class=n>{kr_text(kr, 'target')}</td>"
                         f"<td class=n>{kr['grade']:.2f}</td></tr>")
        b.append("</table></section>")

    # score
    b.append("<section><h2>Score</h2><div class=charts>")
    b.append(svg_hbars("components-chart", f"Score components (0–1); total {c['score']:.1f}/100", [
        {"label": COMPONENT_LABEL[k], "value": v["value"], "fill": PALETTE[0],
         "text": f"{v['value']:.2f} · weight {pct(v['weight'])}"} for k, v in c["components"].items()],
        width=520, label_w=150))
    b.append("</div></section>")

    # review
    b.append("<section><h2>My manager's review</h2>"
             f"<p class=rating><strong>{e(rv['rating']['label'])}</strong>. Return offer: "
             f"<strong>{e(rv['offer']['label'])}</strong>.</p><p>{e(rv['summary'])}</p>"
             f"<p>{e(rv['offer']['reasoning'])}</p>")
    b.append("<table><tr><th>skill</th><th class=n>rating</th><th>what the review says</th></tr>")
    for s in rv["skills"]:
        stars = "●" * s["rating"] + "○" * (5 - s["rating"])
        b.append(f"<tr><td class=skill>{e(SKILL_TITLE[s['skill']])}</td><td class='n stars'><span class=stars aria-hidden=true>"
                 f"{stars}</span> {s['rating']}/5</td><td>{e(s['paragraph'])}</td></tr>")
    b.append("</table></section>")

    # lessons
    b.append("<section><h2>Lessons</h2><ul>" + "".join(f"<li><strong>{e(label)}:</strong> {e(text)}</li>"
                                                          for label, text in lessons_of(c)) + "</ul></section>")
    b.append(f'<footer class=page><p><strong>Simulated data.</strong> {e(SIMULATED)}</p><p>Generated by pmsim '
             f"(engine {e(facts.engine_version)}) from a replay of the saved game: scenario <code>{e(c['scenario_id'])}"
             f"</code> version {e(c['scenario_version'])}, seed {c['seed']}.</p></footer>")
    return ("<!doctype html><html lang=en><head><meta charset=utf-8>"
            '<meta name=viewport content="width=device-width, initial-scale=1">'
            "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:\">"
            f"<title>{e(player)}: PM internship case study, {e(c['title'])} (simulated)</title>"
            f"<style>{CSS}</style></head><body><main>" + "\n".join(b) + "</main></body></html>\n")
