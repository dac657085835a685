"""Warnings in every report format: the engine's ``{address, key, message}`` entries (a usage
key it does not know) and the usage files' own, as the web page lists them too."""

from __future__ import annotations

from typing import Any

import pytest

from tfquote.reports import html, markdown, model, table

pytestmark = pytest.mark.unit

JOB: dict[str, Any] = {
    "job_id": "j-1",
    "status": "COMPLETED",
    "result": {
        "region": "us-east-1",
        "estimate": {
            "totalMonthlyCost": "1",
            "projects": [],
            "metadata": {
                "warnings": [
                    {"address": "aws_lambda_function.fn", "key": "monthly_requestz",
                     "message": "unknown usage key for this resource type; ignored"},
                    {"message": "usage file read with a newer version"},
                ],
                "usage": {"projects": [{"warnings": ["usage.yml: unknown keys ignored: x"]}]},
            },
        },
    },
}  # fmt: skip
LINES = [
    "aws_lambda_function.fn: monthly_requestz: unknown usage key for this resource type; ignored",
    "usage file read with a newer version",
    "usage.yml: unknown keys ignored: x",
]


def test_the_report_model_reads_every_kind_of_warning() -> None:
    assert model.build(JOB).warnings == LINES


def test_each_format_shows_the_warnings() -> None:
    report = model.build(JOB)

    text = table.render(report)
    assert "Warnings:" in text and all(f"∙ {line}" in text for line in LINES)
    comment = markdown.render(report)
    assert "<summary>3 warnings</summary>" in comment and "unknown usage key" in comment
    page = html.render(report)
    assert '<ul id="warnings">' in page and "unknown usage key for this resource type" in page


def test_no_warnings_no_section() -> None:
    quiet = {**JOB, "result": {"estimate": {"totalMonthlyCost": "0", "projects": []}}}
    report = model.build(quiet)
    assert report.warnings == []
    assert "Warnings" not in table.render(report) and 'id="warnings"' not in html.render(report)
