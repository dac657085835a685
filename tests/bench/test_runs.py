"""``bench.runs``: several runs' reports judged on their median, not on one run."""

from __future__ import annotations

from typing import Any

from bench.runs import render, target_rows


def _document(post_ratio: float, p99: float, cpu: float) -> dict[str, Any]:
    return {
        "reports": [
            {
                "name": "api",
                "metrics": {
                    "POST /jobs project": {"cpu_ms_per_req_median": cpu},
                    "POST /jobs bare": {"cpu_ms_per_req_median": 1.0},
                    "POST /jobs rps ratio per round": [post_ratio, post_ratio + 0.1],
                },
                "checks": [
                    {
                        "name": "POST req/s",
                        "value": post_ratio,
                        "op": ">=",
                        "target": 0.75,
                        "unit": "x",
                    },
                    {"name": "POST p99", "value": p99, "op": "<=", "target": 2.0, "unit": "x"},
                ],
            }
        ]
    }


def test_the_verdict_is_on_the_median_of_the_runs() -> None:
    documents = [_document(0.8, 2.5, 2.0), _document(0.5, 1.5, 3.0), _document(0.9, 2.1, 2.5)]

    post, p99 = target_rows(documents)

    assert post.values == (0.8, 0.5, 0.9) and post.median == 0.8 and post.passed
    # Two of three p99s miss the goal, so the median does even though one run passed.
    assert p99.median == 2.1 and not p99.passed


def test_a_target_missing_from_one_run_is_not_judged() -> None:
    partial = {"reports": [{"name": "api", "metrics": {}, "checks": []}]}

    assert target_rows([_document(0.8, 1.0, 2.0), partial]) == []


def test_the_tables_show_each_run_the_cpu_costs_and_the_rounds() -> None:
    text = render([_document(0.8, 2.5, 2.0), _document(0.5, 1.5, 3.0)], ["a", "b"])

    assert "| api | POST req/s | 0.8 | 0.5 | 0.65 | >= 0.75 | **FAIL** |" in text
    assert "1 of 2 targets met on the median of 2 runs." in text
    assert (
        "| POST, ms of server CPU per request (project / bare) | 2.00 / 1.00 | 3.00 / 1.00 |"
        in text
    )
    assert "| POST req/s ratio | 0.80, 0.90 | 0.50, 0.60 |" in text
