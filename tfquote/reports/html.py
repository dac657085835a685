"""One self-contained HTML page: inline CSS and SVG, no script, no CDN, nothing fetched.

It shows the totals (and the change), bar charts of the monthly cost by service and by
resource, the per-resource change, the breakdown table with every component, what could
not be priced, the budget verdict and the price sources with their dates. Every value
from the estimate is escaped (resource names come from uploaded Terraform).
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from tfquote.reports.model import ZERO, Report, quantity, usd

CSS = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bar:#2f6feb; --up:#cf222e;
        --down:#1a7f37; --bg:#ffffff; --soft:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg);
       background: var(--bg); margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; overflow-wrap: anywhere; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line);
     padding-bottom: 4px; }
.muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { flex: 1 1 180px; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px;
        background: var(--soft); }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; }
.card .value { font-size: 22px; font-weight: 600; }
.up { color: var(--up); } .down { color: var(--down); }
.pass { color: var(--down); font-weight: 600; } .fail { color: var(--up); font-weight: 600; }
table { border-collapse: collapse; width: 100%; table-layout: auto; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left;
         vertical-align: top; overflow-wrap: anywhere; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.resource td { font-weight: 600; background: #fbfcfd; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
.chart { flex: 1 1 480px; min-width: 0; }
svg { width: 100%; height: auto; display: block; }
svg text { font: 12px -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; fill: var(--fg); }
svg rect.bar { fill: var(--bar); }
code { font-size: 12px; }
"""


def _money_class(amount: Decimal | None) -> str:
    if amount is None or amount == 0:
        return ""
    return "up" if amount > 0 else "down"


def bar_chart(title: str, rows: list[tuple[str, Decimal]], *, top: int = 15) -> str:
    """A horizontal bar chart as inline SVG (viewBox-scaled to its container)."""
    rows = rows[:top]
    width, label_w, value_w, bar_h, gap = 640, 220, 90, 20, 6
    height = max(1, len(rows)) * (bar_h + gap) + 8
    largest = max((value for _, value in rows), default=Decimal(0))
    parts = [
        f'<svg class="chart-svg" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    if not rows:
        parts.append('<text x="0" y="16">nothing priced</text>')
    for index, (label, value) in enumerate(rows):
        y = 4 + index * (bar_h + gap)
        span = width - label_w - value_w
        bar = float(value / largest) * span if largest > 0 else 0.0
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<g class="row" data-label="{escape(label)}" data-value="{value}">'
            f"<title>{escape(label)}: {usd(value)}/month</title>"
            f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end">{escape(short)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y}" width="{max(bar, 1.0):.1f}" '
            f'height="{bar_h}" rx="3"/>'
            f'<text x="{label_w + max(bar, 1.0) + 6:.1f}" y="{y + 14}">'
            f"{escape(usd(value))}</text></g>"
        )
    parts.append("</svg>")
    return f'<div class="chart"><h3>{escape(title)}</h3>{"".join(parts)}</div>'


def render(report: Report) -> str:
    e = escape
    cards = [("Monthly cost", usd(report.total), "")]
    if report.past_total is not None:
        pct = f" ({report.diff_percent} %)" if report.diff_percent is not None else ""
        cards.append(("Previous", usd(report.past_total), ""))
        cards.append(
            ("Change", usd(report.diff_total, sign=True) + pct, _money_class(report.diff_total))
        )
    if report.policy_passed is not None:
        cards.append(
            (
                "Budget",
                "passed" if report.policy_passed else "exceeded",
                "pass" if report.policy_passed else "fail",
            )
        )
    body = [
        f"<h1>{e(report.headline)}</h1>",
        f'<p class="muted">Job <code>{e(report.job_id)}</code> · region {e(report.region)} · '
        f"{e(report.currency)} · 730 hours a month</p>",
        '<div class="cards">'
        + "".join(
            f'<div class="card"><div class="label">{e(label)}</div>'
            f'<div class="value {cls}">{e(value)}</div></div>'
            for label, value, cls in cards
        )
        + "</div>",
        '<h2>Where the money goes</h2><div class="charts">',
        bar_chart("By service", report.cost_by_service()),
        bar_chart("By resource", report.cost_by_resource()),
        "</div>",
    ]
    if report.past_total is not None:
        body.append(f"<h2>Change ({e(report.diff_source or '')})</h2>")
        body.append(
            '<table id="diff"><thead><tr><th>Resource</th><th>Action</th>'
            '<th class="num">Previous</th><th class="num">New</th>'
            '<th class="num">Diff</th></tr></thead><tbody>'
        )
        for c in report.shown_changes():
            body.append(
                f"<tr><td>{e(c.symbol)} <code>{e(c.address)}</code></td>"
                f'<td>{e(c.action)}</td><td class="num">{usd(c.past)}</td>'
                f'<td class="num">{usd(c.now)}</td>'
                f'<td class="num {_money_class(c.diff)}">{usd(c.diff or ZERO, sign=True)}</td></tr>'
            )
        body.append("</tbody></table>")
    if report.checks:
        body.append(
            '<h2>Budget</h2><table id="budget"><thead><tr><th>Check</th>'
            '<th class="num">Limit</th><th class="num">Actual</th><th>Verdict</th>'
            "</tr></thead><tbody>"
        )
        for check in report.checks:
            verdict = "passed" if check.passed else "failed"
            note = f" — {e(check.message)}" if check.message else ""
            body.append(
                f'<tr><td><code>{e(check.name)}</code></td><td class="num">{e(check.limit)}</td>'
                f'<td class="num">{e(check.actual or "n/a")}</td>'
                f'<td class="{"pass" if check.passed else "fail"}">{verdict}{note}</td></tr>'
            )
        body.append("</tbody></table>")
    body.append(
        '<h2>Breakdown</h2><table id="breakdown"><thead><tr><th>Name</th>'
        '<th class="num">Monthly qty</th><th>Unit</th><th class="num">Monthly cost</th>'
        "</tr></thead><tbody>"
    )
    for project in report.projects:
        if len(report.projects) > 1:
            body.append(
                f'<tr><th colspan="4">Project {e(project.name)} ({e(project.region)})</th></tr>'
            )
        for resource in project.resources:
            body.append(
                f'<tr class="resource"><td><code>{e(resource.name)}</code></td><td></td>'
                f'<td></td><td class="num">{usd(resource.monthly_cost)}</td></tr>'
            )
            for part in resource.components:
                pad = 16 + 16 * part.depth
                if part.is_group:
                    cells = "<td></td><td></td><td></td>"
                elif part.depends_on_usage:
                    cells = (
                        f'<td colspan="3" class="muted">depends on usage: '
                        f"${e(part.price)} per {e(part.unit)}</td>"
                    )
                elif part.price_not_found:
                    cells = '<td></td><td></td><td class="num muted">not found</td>'
                else:
                    cells = (
                        f'<td class="num">{e(quantity(part.monthly_quantity))}</td>'
                        f'<td>{e(part.unit)}</td><td class="num">{usd(part.monthly_cost)}</td>'
                    )
                body.append(
                    f'<tr><td style="padding-left:{pad}px">{e(part.label)}</td>{cells}</tr>'
                )
        body.append(
            f"<tr><td><strong>Total {e(project.name)}</strong></td><td></td><td></td>"
            f'<td class="num"><strong>{usd(project.total)}</strong></td></tr>'
        )
    body.append("</tbody></table>")
    if report.unknowns:
        body.append(f'<h2>Not priced or not known ({len(report.unknowns)})</h2><ul id="unknowns">')
        body += [f"<li><code>{e(a)}</code>: {e(r)}</li>" for a, r in report.unknowns]
        body.append("</ul>")
    if report.warnings:
        body.append(f'<h2>Warnings ({len(report.warnings)})</h2><ul id="warnings">')
        body += [f"<li>{e(warning)}</li>" for warning in report.warnings]
        body.append("</ul>")
    body.append('<h2>Price sources</h2><ul id="sources">')
    body += [
        f"<li>{e(title)} — {e(date)}"
        + (f' <span class="muted">{e(url)}</span>' if url else "")
        + "</li>"
        for title, date, url in report.provenance
    ]
    body.append("</ul>")
    if report.assumptions:
        body.append('<h2>Assumptions</h2><ul class="muted">')
        body += [f"<li>{e(a)}</li>" for a in report.assumptions]
        body.append("</ul>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # No script and no fetches: a page that can be opened from a CI artifact offline.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>tfquote: {e(report.headline)}</title><style>{CSS}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )
