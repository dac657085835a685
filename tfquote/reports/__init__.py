"""Human-readable reports of a finished job, shared by the gateway
(``GET /api/v1/jobs/{id}/report``) and the ``tfquote`` client, so both print the same.

Pure: a public job document in, text out. No Flask, no Celery, no I/O (`tests/test_project.py`
keeps it so). `render` picks the format; `tfquote.reports.model` reads the job once for
every format.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tfquote.reports import html, markdown, table
from tfquote.reports.model import build

FORMATS = ("table", "markdown", "html", "json")
CONTENT_TYPES = {
    "table": "text/plain; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}


def render(job: Mapping[str, Any], fmt: str, *, report_url: str | None = None) -> str:
    """The report of a COMPLETED job in `fmt` (one of :data:`FORMATS`); ``json`` is the
    Infracost document as the engine made it (with the diff sections when there is one)."""
    if fmt == "json":
        estimate = (job.get("result") or {}).get("estimate") or {}
        return json.dumps(estimate, indent=2, ensure_ascii=False) + "\n"
    report = build(job)
    if fmt == "table":
        return table.render(report)
    if fmt == "markdown":
        return markdown.render(report, report_url=report_url)
    if fmt == "html":
        return html.render(report)
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


__all__ = ["CONTENT_TYPES", "FORMATS", "render"]
