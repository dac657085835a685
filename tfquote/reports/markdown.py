"""The pull-request comment: headline, per-project totals with the change, a collapsible
per-resource table, the budget verdict, unknowns, and where the prices come from.

GitHub refuses comments over 65,536 characters. A long report is cut between sections,
or between the rows of a table (closing the table and its ``<details>`` properly), and
says so in a note with how much was left out: never a table cut in the middle of a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tfquote.reports.model import ZERO, Report, usd

LIMIT = 65_536
# Room kept for the cut note and the closing lines of a cut table.
_RESERVE = 600


@dataclass
class Section:
    """A block of the comment: `head`, then `rows` (which may be cut), then `tail`."""

    head: str
    rows: list[str] = field(default_factory=list)
    tail: str = ""
    what: str = "rows"  # what a row is, for the cut note ("resources")

    def text(self, rows: list[str] | None = None) -> str:
        body = "".join(line + "\n" for line in (self.rows if rows is None else rows))
        return self.head + body + self.tail


def _escape(text: str) -> str:
    # Pipes would end a table cell; angle brackets could open HTML in the comment.
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def sections(report: Report, *, report_url: str | None = None) -> list[Section]:
    out: list[Section] = []
    icon = "💰"
    if report.policy_passed is False:
        icon = "❌"
    head = [f"## {icon} tfquote: {report.headline}", ""]
    if report.past_total is not None:
        pct = f" ({report.diff_percent} %)" if report.diff_percent is not None else ""
        head.append(
            f"Monthly cost **{usd(report.past_total)} → {usd(report.total)}** "
            f"({usd(report.diff_total, sign=True)}{pct})."
        )
        if report.diff_source == "compare_to" and report.base_job_id:
            head.append(f"Compared with job `{report.base_job_id}`.")
        elif report.diff_source == "plan":
            head.append("Compared with the plan's prior state.")
    else:
        head.append(f"Monthly cost **{usd(report.total)}** ({report.currency}).")
    out.append(Section("\n".join(head) + "\n\n"))

    diffing = report.past_total is not None
    columns = "| Project | Region | Previous | New | Diff |\n|---|---|---:|---:|---:|\n"
    if not diffing:
        columns = "| Project | Region | Monthly cost |\n|---|---|---:|\n"
    rows = []
    for project in report.projects:
        if diffing:
            rows.append(
                f"| {_escape(project.name)} | {project.region} | "
                f"{usd(project.past_total)} | {usd(project.total)} | "
                f"{usd(project.diff, sign=True)} |"
            )
        else:
            rows.append(f"| {_escape(project.name)} | {project.region} | {usd(project.total)} |")
    total_row = (
        f"| **Total** | | **{usd(report.past_total)}** | **{usd(report.total)}** | "
        f"**{usd(report.diff_total, sign=True)}** |"
        if diffing
        else f"| **Total** | | **{usd(report.total)}** |"
    )
    out.append(Section(columns, rows, total_row + "\n\n", what="projects"))

    if report.checks:
        verdict = "✅ within budget" if report.policy_passed else "❌ **budget exceeded**"
        lines = [
            f"| {'✅' if c.passed else '❌'} | `{c.name}` | {c.limit} | "
            f"{c.actual if c.actual is not None else 'n/a'} | {_escape(c.message or '')} |"
            for c in report.checks
        ]
        out.append(
            Section(
                f"### Budget: {verdict}\n\n| | Check | Limit | Actual | Note |\n"
                "|---|---|---:|---:|---|\n",
                lines,
                "\n",
                what="checks",
            )
        )

    if diffing and report.changes:
        shown = report.shown_changes()
        lines = [
            f"| {c.symbol} `{_escape(c.address)}` | {c.action} | "
            f"{usd(c.past)} | {usd(c.now)} | {usd(c.diff or ZERO, sign=True)} |"
            for c in sorted(shown, key=lambda c: -abs(c.diff or ZERO))
        ]
        counts = report.counts
        summary = (
            f"{len(shown)} changed resources: {counts.get('added', 0)} added, "
            f"{counts.get('removed', 0)} removed, {counts.get('changed', 0)} changed"
        )
        out.append(
            Section(
                f"<details><summary>{summary}</summary>\n\n"
                "| Resource | Action | Previous | New | Diff |\n|---|---|---:|---:|---:|\n",
                lines,
                "\n</details>\n\n",
                what="changed resources",
            )
        )

    resources = list(report.resources())
    lines = [
        f"| `{_escape(r.name)}` | {_escape(r.resource_type)} | {usd(r.monthly_cost)} |"
        for r in sorted(resources, key=lambda r: -(r.monthly_cost or ZERO))
    ]
    out.append(
        Section(
            f"<details><summary>Cost by resource ({len(resources)} priced)</summary>\n\n"
            "| Resource | Type | Monthly cost |\n|---|---|---:|\n",
            lines,
            "\n</details>\n\n",
            what="priced resources",
        )
    )

    if report.unknowns:
        lines = [
            f"- `{_escape(address)}`: {_escape(reason)}" for address, reason in report.unknowns
        ]
        out.append(
            Section(
                f"<details><summary>{len(report.unknowns)} not priced or not known</summary>\n\n",
                lines,
                "\n</details>\n\n",
                what="unknowns",
            )
        )
    if report.warnings:
        out.append(
            Section(
                f"<details><summary>{len(report.warnings)} warnings</summary>\n\n",
                [f"- {_escape(warning)}" for warning in report.warnings],
                "\n</details>\n\n",
                what="warnings",
            )
        )

    sources = "; ".join(f"{_escape(title)} ({date})" for title, date, _ in report.provenance)
    foot = [f"<sub>Prices: {sources or 'none used'}. Job `{report.job_id}`."]
    if report_url:
        foot.append(f" [Full report]({report_url}).")
    out.append(Section("".join(foot) + " Generated by tfquote.</sub>\n"))
    return out


def render(report: Report, *, report_url: str | None = None, limit: int = LIMIT) -> str:
    parts = sections(report, report_url=report_url)
    whole = "".join(section.text() for section in parts)
    if len(whole) <= limit:
        return whole
    # Too long: keep the last section (provenance) and the note, fill the rest in order.
    footer = parts[-1].text()
    budget = limit - len(footer) - _RESERVE
    out: list[str] = []
    left_out: list[str] = []
    used = 0
    for section in parts[:-1]:
        text = section.text()
        if used + len(text) <= budget:
            out.append(text)
            used += len(text)
            continue
        fixed = len(section.head) + len(section.tail)
        kept: list[str] = []
        if section.rows and used + fixed < budget:
            room = budget - used - fixed
            for row in section.rows:
                if len(row) + 1 > room:
                    break
                kept.append(row)
                room -= len(row) + 1
        if kept:
            out.append(section.text(kept))
            used += len(out[-1])
            left_out.append(
                f"{len(section.rows) - len(kept)} of {len(section.rows)} {section.what}"
            )
        else:
            left_out.append(f"all {len(section.rows)} {section.what}")
    note = (
        f"> ✂️ This report was cut to fit a {limit:,}-character comment: "
        f"{', '.join(left_out)} not shown. The full report is in the job's HTML or table "
        "format.\n\n"
    )
    return "".join(out) + note + footer
