"""Budgets (``options.budget``) checked against an estimate: the job's ``policy``.

A failed budget is a verdict, not a failed job: the job completes with ``policy.passed``
false, and the ``tfquote`` client turns that into exit code 1. Pure functions: the worker
calls :func:`evaluate` once the estimate (and its diff) is known.

========================  ==========================================================
``monthly_total_max``     the estimate's ``totalMonthlyCost`` at most this
``monthly_diff_max``      ``diffTotalMonthlyCost`` at most this (without a baseline —
                          no plan prior state, no ``compare_to`` — everything is new,
                          so the diff is the total)
``diff_percent_max``      the diff as a percentage of the past total at most this; with
                          no past cost an increase has no percentage and fails
========================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from tfquote.costdiff import dec, money, percent

ZERO = Decimal(0)


def _check(
    name: str, limit: str, actual: Decimal | None, message: str | None = None
) -> dict[str, Any]:
    passed = actual is not None and actual <= Decimal(limit)
    check: dict[str, Any] = {
        "name": name,
        "limit": limit,
        "actual": money(actual),
        "passed": passed,
    }
    if message:
        check["message"] = message
    return check


def evaluate(budget: Mapping[str, str], estimate: Mapping[str, Any]) -> dict[str, Any]:
    """``{"passed": bool, "checks": [{"name", "limit", "actual", "passed"[, "message"]}]}``."""
    total = dec(estimate.get("totalMonthlyCost")) or ZERO
    has_past = estimate.get("pastTotalMonthlyCost") is not None
    past = (dec(estimate.get("pastTotalMonthlyCost")) or ZERO) if has_past else ZERO
    diff = (dec(estimate.get("diffTotalMonthlyCost")) or ZERO) if has_past else total
    baseline = None if has_past else "no baseline: the whole estimate counts as new"
    checks: list[dict[str, Any]] = []
    if "monthly_total_max" in budget:
        checks.append(_check("monthly_total_max", budget["monthly_total_max"], total))
    if "monthly_diff_max" in budget:
        checks.append(_check("monthly_diff_max", budget["monthly_diff_max"], diff, baseline))
    if "diff_percent_max" in budget:
        pct = percent(diff, past)
        checks.append(
            _check(
                "diff_percent_max",
                budget["diff_percent_max"],
                None if pct is None else Decimal(pct),
                "no past cost: an increase has no percentage" if pct is None else baseline,
            )
        )
    return {"passed": all(check["passed"] for check in checks), "checks": checks}
