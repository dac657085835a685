"""Structured logging shared by the gateway, the workers and the engine.

Owns the log record shape: one JSON object per line (python-json-logger) with an
ISO 8601 UTC timestamp, level, logger, message and the correlation fields carried in
context variables (`request_id`, `job_id`, `tenant`). Context variables rather than
thread locals because they follow the work: a Flask request, a Celery task, an engine
background thread each set and clear their own. ``LOG_FORMAT=text`` gives a readable
line for local development.
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
job_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("job_id", default=None)
tenant_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("tenant", default=None)

# A request id travels in HTTP headers and log lines; anything outside this pattern
# is replaced rather than echoed, so a caller cannot inject header or log content.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def new_request_id() -> str:
    return uuid.uuid4().hex


def safe_request_id(candidate: str | None) -> str:
    """Return `candidate` when it is a safe request id, otherwise a fresh one."""
    if candidate and _SAFE_REQUEST_ID.match(candidate):
        return candidate
    return new_request_id()


class ContextFilter(logging.Filter):
    """Copies the correlation context variables onto every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in (("request_id", request_id_var), ("job_id", job_id_var)):
            if getattr(record, name, None) is None:
                setattr(record, name, var.get())
        if getattr(record, "tenant", None) is None:
            record.tenant = tenant_var.get()
        return True


class _UtcJsonFormatter(JsonFormatter):
    def add_fields(
        self, log_record: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_record, record, message_dict)
        log_record["timestamp"] = datetime.fromtimestamp(record.created, UTC).isoformat(
            timespec="milliseconds"
        )
        log_record["level"] = record.levelname
        log_record["logger"] = record.name
        # Drop correlation fields that are unknown for this record instead of
        # printing nulls on every line.
        for key in ("request_id", "job_id", "tenant"):
            if log_record.get(key) is None:
                log_record.pop(key, None)


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        base = super().format(record)
        ids = [
            f"{key}={value}"
            for key in ("request_id", "job_id")
            if (value := getattr(record, key, None))
        ]
        return f"{base} [{' '.join(ids)}]" if ids else base


def build_handler(fmt: str = "json", stream: Any = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "text":
        handler.setFormatter(_TextFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    else:
        handler.setFormatter(_UtcJsonFormatter("%(message)s"))
    handler.addFilter(ContextFilter())
    return handler


def configure_logging(level: str = "INFO", fmt: str = "json", service: str | None = None) -> None:
    """Install the tfquote handler on the root logger (idempotent)."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_tfquote", False):
            root.removeHandler(existing)
    handler = build_handler(fmt)
    handler._tfquote = True  # type: ignore[attr-defined]
    if service:
        handler.addFilter(_ServiceFilter(service))
    root.addHandler(handler)
    root.setLevel(level)


class _ServiceFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        return True


@contextmanager
def job_context(job_id: str, request_id: str | None) -> Iterator[None]:
    """Bind a job's correlation ids for the duration of its work, then clear them."""
    job_token = job_id_var.set(job_id)
    request_token = request_id_var.set(request_id)
    try:
        yield
    finally:
        request_id_var.reset(request_token)
        job_id_var.reset(job_token)


def log_request(
    logger: logging.Logger, method: str, path: str, status: int, started: float
) -> None:
    """The access-log line every HTTP service writes per request (probes excepted:
    they would drown the log)."""
    if path.startswith("/health"):
        return
    logger.info(
        "request",
        extra={
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )
