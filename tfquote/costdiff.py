"""Cost diffs between two Infracost documents: the past (a plan's prior state, or another
job's estimate) against the planned one.

One algorithm for both sources, so a diff reads the same whoever computed it: the engine
calls :func:`apply_diff` with the breakdown it priced from a plan's prior state and the
plan's actions; the workers call it with the estimate of the ``options.compare_to`` job
(they have both results in Redis; the engine never sees the base job). Pure functions on
JSON-shaped data: no Flask, no Celery, no I/O.

What it writes into the current document, as ``infracost diff --format json`` shapes it:

- per project, ``pastBreakdown`` (the past resources assigned to it, with totals) and
  ``diff`` (``resources`` whose cost or presence changed, each with its cost and its
  components' cost as differences, and the totals' differences);
- at the top, ``pastTotalHourlyCost`` / ``pastTotalMonthlyCost`` /
  ``pastTotalMonthlyUsageCost`` and ``diffTotal…`` beside the existing ``total…``.

And it returns the orchestrator's own summary (kept as ``result.diff``): per resource the
``past``, planned and ``diff`` hourly, monthly and usage-based monthly costs with its
action, ``summary`` counts and a one-line ``headline``.

Resources are matched by address across projects (a resource that moved between root
modules is the same resource); only when an address occurs in more than one project on a
side are they matched by project and address. Each resource belongs to its current
project, or to its past one when it was removed (a removed project is kept, empty).
Unknown costs (``null``) count as zero in differences, as Infracost counts them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

#: Plan actions as Terraform spells them, and the one word each becomes here.
ACTIONS = ("create", "update", "replace", "delete", "no-op")
COST_FIELDS = ("hourlyCost", "monthlyCost", "monthlyUsageCost")
TOTAL_FIELDS = ("totalHourlyCost", "totalMonthlyCost", "totalMonthlyUsageCost")
ZERO = Decimal(0)


def money(value: Decimal | None) -> str | None:
    """A decimal as Infracost writes it: plain digits, no exponent, no trailing zeros."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def dec(value: Any) -> Decimal | None:
    """A money string (or number) as a Decimal; None for null or garbage."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def plan_action(actions: Any) -> str:
    """Terraform's ``change.actions`` list -> one of :data:`ACTIONS`."""
    if not isinstance(actions, list | tuple):
        return "no-op"
    names = [str(action) for action in actions]
    if "delete" in names and "create" in names:
        return "replace"
    for name in ("create", "update", "delete"):
        if name in names:
            return name
    return "no-op"


@dataclass
class _Side:
    project: str
    category: str  # "resources" (priced), "freeResources" or "unsupportedResources"
    entry: Mapping[str, Any]

    def cost(self, field: str) -> Decimal | None:
        return dec(self.entry.get(field)) if self.category == "resources" else None


def _sides(projects: Sequence[Mapping[str, Any]], part: str) -> list[tuple[str, _Side]]:
    out: list[tuple[str, _Side]] = []
    for project in projects:
        name = str(project.get("name", ""))
        breakdown = project.get(part) or {}
        for category in ("resources", "freeResources", "unsupportedResources"):
            for entry in breakdown.get(category) or []:
                if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
                    out.append((entry["name"], _Side(name, category, entry)))
    return out


def _keyed(sides: list[tuple[str, _Side]], by_project: bool) -> dict[str, _Side]:
    return {
        (f"{side.project}\x00{address}" if by_project else address): side for address, side in sides
    }


def _has_duplicates(sides: list[tuple[str, _Side]]) -> bool:
    seen: set[str] = set()
    for address, _ in sides:
        if address in seen:
            return True
        seen.add(address)
    return False


def _sub(current: Decimal | None, past: Decimal | None) -> Decimal | None:
    if current is None and past is None:
        return None
    return (current or ZERO) - (past or ZERO)


def _component_key(components: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Components by name; a repeated name by its occurrence (``name#2``)."""
    out: dict[str, Mapping[str, Any]] = {}
    for component in components:
        name = str(component.get("name", ""))
        key, n = name, 1
        while key in out:
            n += 1
            key = f"{name}#{n}"
        out[key] = component
    return out


def _diff_component(
    current: Mapping[str, Any] | None, past: Mapping[str, Any] | None
) -> dict[str, Any]:
    base = current or past or {}
    out: dict[str, Any] = {"name": base.get("name"), "unit": base.get("unit")}
    for field in ("hourlyQuantity", "monthlyQuantity"):
        out[field] = money(_sub(dec((current or {}).get(field)), dec((past or {}).get(field))))
    out["price"] = base.get("price", "0")
    for field in ("hourlyCost", "monthlyCost"):
        out[field] = money(_sub(dec((current or {}).get(field)), dec((past or {}).get(field))))
    out["usageBased"] = bool(base.get("usageBased", False))
    out["priceNotFound"] = bool(base.get("priceNotFound", False))
    return out


def _diff_entry(
    name: str,
    current: Mapping[str, Any] | None,
    past: Mapping[str, Any] | None,
    metadata: Mapping[str, Any],
) -> dict[str, Any]:
    """A resource's Infracost ``diff`` entry: every cost a difference, recursively."""
    base = current or past or {}
    out: dict[str, Any] = {"name": name}
    if base.get("resourceType") is not None:
        out["resourceType"] = base["resourceType"]
    out["metadata"] = dict(metadata)
    for field in COST_FIELDS:
        out[field] = money(_sub(dec((current or {}).get(field)), dec((past or {}).get(field))))
    now = _component_key((current or {}).get("costComponents") or [])
    before = _component_key((past or {}).get("costComponents") or [])
    out["costComponents"] = [
        _diff_component(now.get(key), before.get(key)) for key in dict.fromkeys([*now, *before])
    ]
    now_subs = _component_key((current or {}).get("subresources") or [])
    before_subs = _component_key((past or {}).get("subresources") or [])
    subs = [
        _diff_entry(
            str((now_subs.get(key) or before_subs.get(key) or {}).get("name", key)),
            now_subs.get(key),
            before_subs.get(key),
            {},
        )
        for key in dict.fromkeys([*now_subs, *before_subs])
    ]
    if subs:
        out["subresources"] = subs
    return out


def _changed(current: _Side, past: _Side) -> bool:
    """Whether two versions of a resource cost differently (compare_to has no plan
    actions: a resource is "update" when its price or its components changed)."""
    if current.category != past.category:
        return True
    if any(current.cost(field) != past.cost(field) for field in COST_FIELDS):
        return True

    def shape(entry: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        return [
            (c.get("name"), c.get("monthlyQuantity"), c.get("price"))
            for c in entry.get("costComponents") or []
        ]

    return shape(current.entry) != shape(past.entry)


def _totals(resources: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    resources = list(resources)
    for field, total in zip(COST_FIELDS, TOTAL_FIELDS, strict=True):
        amounts = [dec(resource.get(field)) for resource in resources]
        out[total] = money(sum((a for a in amounts if a is not None), ZERO)) or "0"
    return out


def _empty_breakdown() -> dict[str, Any]:
    return {
        "resources": [],
        "freeResources": [],
        "unsupportedResources": [],
        **{field: "0" for field in TOTAL_FIELDS},
    }


def apply_diff(
    document: dict[str, Any],
    past_projects: Sequence[Mapping[str, Any]],
    *,
    source: str,
    actions: Mapping[str, str] | None = None,
    base_job_id: str | None = None,
    past_part: str = "breakdown",
) -> dict[str, Any]:
    """Fill `document`'s past and diff sections from `past_projects` (each a project whose
    `past_part` holds the past breakdown) and return the summary kept as ``result.diff``.

    `actions` maps an address to its plan action (:func:`plan_action`); without it (two
    jobs compared) the action is told from presence and cost.
    """
    projects: list[dict[str, Any]] = document.setdefault("projects", [])
    now_sides = _sides(projects, "breakdown")
    past_sides = _sides(past_projects, past_part)
    by_project = _has_duplicates(now_sides) or _has_duplicates(past_sides)
    now = _keyed(now_sides, by_project)
    before = _keyed(past_sides, by_project)

    # Projects only the past knows (all their resources removed) are kept, empty.
    names = [str(project.get("name", "")) for project in projects]
    for old in past_projects:
        name = str(old.get("name", ""))
        if name not in names and any(side.project == name for side in before.values()):
            projects.append(
                {
                    "name": name,
                    "metadata": dict(old.get("metadata") or {"path": name}),
                    "pastBreakdown": None,
                    "breakdown": _empty_breakdown(),
                    "diff": None,
                    "summary": {},
                }
            )
            names.append(name)

    per_project_past: dict[str, dict[str, list[Mapping[str, Any]]]] = {
        name: {"resources": [], "freeResources": [], "unsupportedResources": []} for name in names
    }
    per_project_diff: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    rows: list[dict[str, Any]] = []
    counts = dict.fromkeys(ACTIONS, 0)
    for key in dict.fromkeys([*now, *before]):
        current, past = now.get(key), before.get(key)
        side = current or past
        assert side is not None
        address = str(side.entry["name"])
        if actions is not None and address in actions:
            action = actions[address]
            if current is None and action != "delete":
                action = "delete"  # gone from the planned values whatever the plan says
        elif current is None:
            action = "delete"
        elif past is None:
            action = "create"
        else:
            action = "update" if _changed(current, past) else "no-op"
        counts[action] += 1
        owner = side.project
        if past is not None:
            per_project_past.setdefault(
                owner, {"resources": [], "freeResources": [], "unsupportedResources": []}
            )
            per_project_past[owner][past.category].append(past.entry)
        row: dict[str, Any] = {
            "address": address,
            "project": owner,
            "resourceType": side.entry.get("resourceType"),
            "action": action,
        }
        for field in COST_FIELDS:
            before_cost = past.cost(field) if past else None
            now_cost = current.cost(field) if current else None
            suffix = field[0].upper() + field[1:]
            row[f"past{suffix}"] = money(before_cost)
            row[field] = money(now_cost)
            row[f"diff{suffix}"] = money(_sub(now_cost, before_cost))
        rows.append(row)
        if action != "no-op" or (dec(row["diffMonthlyCost"]) or ZERO) != 0:
            per_project_diff.setdefault(owner, []).append(
                _diff_entry(
                    address,
                    current.entry if current and current.category == "resources" else None,
                    past.entry if past and past.category == "resources" else None,
                    {**dict(side.entry.get("metadata") or {}), "action": action},
                )
            )

    for project in projects:
        name = str(project.get("name", ""))
        past_parts = per_project_past.get(name, {})
        past_breakdown: dict[str, Any] = {
            "resources": list(past_parts.get("resources", [])),
            "freeResources": list(past_parts.get("freeResources", [])),
            "unsupportedResources": list(past_parts.get("unsupportedResources", [])),
        }
        past_breakdown.update(_totals(past_breakdown["resources"]))
        project["pastBreakdown"] = past_breakdown
        breakdown = project.get("breakdown") or _empty_breakdown()
        diff_resources = per_project_diff.get(name, [])
        project["diff"] = {
            "resources": diff_resources,
            **{
                field: money(_sub(dec(breakdown.get(field)), dec(past_breakdown.get(field)))) or "0"
                for field in TOTAL_FIELDS
            },
        }

    past_totals = {
        field: sum((dec(p["pastBreakdown"].get(field)) or ZERO for p in projects), ZERO)
        for field in TOTAL_FIELDS
    }
    now_totals = {
        field: sum((dec((p.get("breakdown") or {}).get(field)) or ZERO for p in projects), ZERO)
        for field in TOTAL_FIELDS
    }
    for field in TOTAL_FIELDS:
        suffix = field[0].upper() + field[1:]
        document[f"past{suffix}"] = money(past_totals[field]) or "0"
        document[f"diff{suffix}"] = money(now_totals[field] - past_totals[field]) or "0"

    past_monthly = past_totals["totalMonthlyCost"]
    diff_monthly = now_totals["totalMonthlyCost"] - past_monthly
    summary = {
        "added": counts["create"],
        "removed": counts["delete"],
        "changed": counts["update"] + counts["replace"],
        "replaced": counts["replace"],
        "unchanged": counts["no-op"],
    }
    return {
        "source": source,
        "base_job_id": base_job_id,
        "pastTotalMonthlyCost": money(past_monthly) or "0",
        "totalMonthlyCost": money(now_totals["totalMonthlyCost"]) or "0",
        "diffTotalMonthlyCost": money(diff_monthly) or "0",
        "diffPercent": percent(diff_monthly, past_monthly),
        "summary": summary,
        "headline": headline(diff_monthly, past_monthly, summary),
        "resources": sorted(rows, key=lambda row: (row["project"], row["address"])),
    }


def percent(diff: Decimal, past: Decimal) -> str | None:
    """``diff`` as a percentage of ``past`` (two decimals); None when there was no cost."""
    if past == 0:
        return "0" if diff == 0 else None
    return money((diff * 100 / past).quantize(Decimal("0.01")))


def format_money(amount: Decimal, *, sign: bool = False) -> str:
    """``1234.5`` -> ``$1,234.50``; with `sign`, ``+$1,234.50`` / ``-$3.00``."""
    rounded = amount.quantize(Decimal("0.01"))
    text = f"${abs(rounded):,.2f}"
    if rounded < 0:
        return "-" + text
    return ("+" + text) if sign else text


def headline(diff: Decimal, past: Decimal, summary: Mapping[str, int]) -> str:
    """``+$123.45/month (+12 %), 3 resources added, 1 removed``."""
    pct = percent(diff, past)
    if pct is None:
        ratio = "new cost"
    else:
        value = Decimal(pct).quantize(Decimal(1))
        ratio = f"{'+' if value > 0 else ''}{value} %"
    added = summary.get("added", 0)
    parts = [
        f"{format_money(diff, sign=True)}/month ({ratio})",
        f"{added} resource{'' if added == 1 else 's'} added",
        f"{summary.get('removed', 0)} removed",
    ]
    if summary.get("changed"):
        parts.append(f"{summary['changed']} changed")
    return ", ".join(parts)
