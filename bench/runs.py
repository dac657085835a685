"""Several full runs of ``python -m bench --json`` read as one: each target's value per
run, the median of the runs judged against the target, and the figures that explain it
(per-round ratios, server CPU per request or per job, project and bare).

One run on a shared 2-core machine is not a verdict: a target near its line moves
between PASS and FAIL from run to run. The performance document records the median of
three runs, and this module is how those tables are made, so nobody copies figures by hand.

    python -m bench --json run1.json; python -m bench --json run2.json; ...
    python -m bench.runs run1.json run2.json run3.json      # markdown on stdout
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Per-round figures worth showing beside the verdicts: (benchmark, metric key, label).
ROUND_FIGURES: tuple[tuple[str, str, str], ...] = (
    ("api", "POST /jobs rps ratio per round", "POST req/s ratio"),
    ("api", "GET /jobs/{id} rps ratio per round", "GET req/s ratio"),
    ("pipeline", "drain throughput ratio per round", "pipeline drain ratio"),
)

#: Cost per unit of work, project and bare, as (benchmark, project key, bare key, label).
CPU_FIGURES: tuple[tuple[str, str, str, str], ...] = (
    ("api", "POST /jobs project", "POST /jobs bare", "POST, ms of server CPU per request"),
    ("api", "GET /jobs/{id} project", "GET /jobs/{id} bare", "GET, ms of server CPU per request"),
    ("pipeline", "project", "raw celery", "pipeline, ms of CPU per job"),
)


@dataclass(frozen=True)
class TargetRow:
    """One target across runs: its values in run order and the verdict on their median."""

    benchmark: str
    name: str
    op: str
    target: float
    unit: str
    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def passed(self) -> bool:
        return self.median >= self.target if self.op == ">=" else self.median <= self.target


def _reports(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {report["name"]: report for report in document.get("reports", [])}


def target_rows(documents: Sequence[Mapping[str, Any]]) -> list[TargetRow]:
    """Every target found in all the runs, in the first run's order.

    A target missing from one run (that benchmark was not run, or crashed) is left out
    rather than judged on fewer runs than the others.
    """
    runs = [_reports(doc) for doc in documents]
    rows: list[TargetRow] = []
    for name, report in runs[0].items() if runs else ():
        for check in report["checks"]:
            values: list[float] = []
            for run in runs:
                match = [
                    c for c in run.get(name, {}).get("checks", []) if c["name"] == check["name"]
                ]
                if match:
                    values.append(float(match[0]["value"]))
            if len(values) == len(runs):
                rows.append(
                    TargetRow(
                        name,
                        check["name"],
                        check["op"],
                        float(check["target"]),
                        check.get("unit", ""),
                        tuple(values),
                    )
                )
    return rows


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if value else "0"


def render(documents: Sequence[Mapping[str, Any]], labels: Sequence[str]) -> str:
    """The markdown tables: verdicts on the medians, then CPU costs, then per-round ratios."""
    rows = target_rows(documents)
    head = " | ".join(labels)
    out = [
        f"| Benchmark | Target | {head} | Median | Goal | |",
        "|---|---|" + "---|" * len(labels) + "---|---|---|",
    ]
    for row in rows:
        unit = f" {row.unit}" if row.unit and row.unit != "x" else ""
        values = " | ".join(_number(v) for v in row.values)
        verdict = "PASS" if row.passed else "**FAIL**"
        out.append(
            f"| {row.benchmark} | {row.name} | {values} | {_number(row.median)}{unit} "
            f"| {row.op} {row.target:g}{unit} | {verdict} |"
        )
    met = sum(row.passed for row in rows)
    out.append("")
    out.append(f"{met} of {len(rows)} targets met on the median of {len(documents)} runs.")

    cpu_lines = []
    for bench, project_key, bare_key, label in CPU_FIGURES:
        cells = []
        for doc in documents:
            metrics = _reports(doc).get(bench, {}).get("metrics", {})
            project, bare = metrics.get(project_key, {}), metrics.get(bare_key, {})
            key = "cpu_ms_per_req_median" if bench == "api" else "cpu_ms_per_job_median"
            if key in project and key in bare:
                cells.append(f"{project[key]:.2f} / {bare[key]:.2f}")
            else:
                cells.append("-")
        cpu_lines.append(f"| {label} (project / bare) | " + " | ".join(cells) + " |")
    out += ["", f"| Cost | {head} |", "|---|" + "---|" * len(labels), *cpu_lines]

    round_lines = []
    for bench, key, label in ROUND_FIGURES:
        cells = []
        for doc in documents:
            per_round = _reports(doc).get(bench, {}).get("metrics", {}).get(key)
            cells.append(", ".join(f"{v:.2f}" for v in per_round) if per_round else "-")
        round_lines.append(f"| {label} | " + " | ".join(cells) + " |")
    uploads = [_reports(doc).get("uploads", {}).get("metrics", {}) for doc in documents]
    for size in ("1 MB", "100 MB", "500 MB"):
        cells = [
            ", ".join(f"{v:.2f}" for v in m[size]["ratio_per_round"]) if size in m else "-"
            for m in uploads
        ]
        round_lines.append(f"| upload {size}, MB/s ratio | " + " | ".join(cells) + " |")
    out += ["", f"| Per round | {head} |", "|---|" + "---|" * len(labels), *round_lines]
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.runs", description=__doc__)
    parser.add_argument("reports", nargs="+", type=Path, help="files written by --json")
    args = parser.parse_args(argv)
    documents = [json.loads(path.read_text()) for path in args.reports]
    labels = [f"run {i}" for i in range(1, len(documents) + 1)]
    sys.stdout.write(render(documents, labels))
    return 0


if __name__ == "__main__":
    sys.exit(main())
