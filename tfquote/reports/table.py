"""The plain-text breakdown, laid out as the Infracost CLI prints it: per project, each
resource with its components in a tree (monthly quantity, unit, monthly cost), "depends
on usage" lines for usage-based components without a quantity, project and overall
totals, the change against the past when there is one, the budget verdict, and what
could not be priced at the end."""

from __future__ import annotations

from tfquote.reports.model import ZERO, Report, quantity, usd

NAME_WIDTH = 62
QTY_WIDTH = 12
UNIT_WIDTH = 14
COST_WIDTH = 14


def _row(name: str, qty: str = "", unit: str = "", cost: str = "") -> str:
    if len(name) > NAME_WIDTH:
        name = name[: NAME_WIDTH - 1] + "…"
    line = f" {name:<{NAME_WIDTH}}{qty:>{QTY_WIDTH}}  {unit:<{UNIT_WIDTH}}{cost:>{COST_WIDTH}}"
    return line.rstrip()


def render(report: Report) -> str:
    out: list[str] = []
    for project in report.projects:
        out += [f"Project: {project.name}", f"Region: {project.region}", ""]
        out.append(_row("Name", "Monthly Qty", "Unit", "Monthly Cost"))
        out.append("")
        for resource in project.resources:
            out.append(_row(resource.name, cost=usd(resource.monthly_cost)))
            for index, component in enumerate(resource.components):
                siblings = [
                    c for c in resource.components[index + 1 :] if c.depth <= component.depth
                ]
                last = not siblings or siblings[0].depth < component.depth
                branch = "└─ " if last else "├─ "
                label = "   " * component.depth + branch + component.label
                if component.is_group:
                    out.append(_row(label))
                elif component.depends_on_usage:
                    out.append(
                        f" {label}  Monthly cost depends on usage: "
                        f"${component.price} per {component.unit}"
                    )
                elif component.price_not_found:
                    out.append(_row(label, cost="not found"))
                else:
                    out.append(
                        _row(
                            label,
                            quantity(component.monthly_quantity),
                            component.unit,
                            usd(component.monthly_cost),
                        )
                    )
            out.append("")
        out.append(_row("Project total", cost=usd(project.total)))
        if project.diff is not None:
            out.append(_row("Change from before", cost=usd(project.diff, sign=True)))
        out += ["", "─" * (NAME_WIDTH + QTY_WIDTH + UNIT_WIDTH + COST_WIDTH + 3), ""]
    out.append(_row("OVERALL TOTAL", cost=usd(report.total)))
    if report.diff_total is not None:
        out.append(_row("Previous total", cost=usd(report.past_total)))
        out.append(_row("Monthly change", cost=usd(report.diff_total, sign=True)))
        out += ["", report.headline, ""]
        for change in report.shown_changes():
            out.append(
                _row(
                    f"{change.symbol} {change.address} ({change.action})",
                    cost=usd(change.diff or ZERO, sign=True),
                )
            )
    total = sum(report.detected.values())
    out += [
        "",
        "─" * 40,
        f"{total} cloud resources were detected:",
        f"∙ {report.detected['priced']} were estimated",
        f"∙ {report.detected['free']} {'is' if report.detected['free'] == 1 else 'are'} free",
        f"∙ {report.detected['unsupported']} are not supported yet",
    ]
    if report.checks:
        verdict = "passed" if report.policy_passed else "FAILED"
        out += ["", f"Budget: {verdict}"]
        for check in report.checks:
            mark = "ok  " if check.passed else "FAIL"
            actual = check.actual if check.actual is not None else "n/a"
            note = f" ({check.message})" if check.message else ""
            out.append(f"  {mark} {check.name}: {actual} (limit {check.limit}){note}")
    if report.unknowns:
        out += ["", "Unknowns:"]
        out += [f"∙ {address}: {reason}" for address, reason in report.unknowns]
    if report.warnings:
        out += ["", "Warnings:"]
        out += [f"∙ {warning}" for warning in report.warnings]
    return "\n".join(out) + "\n"
