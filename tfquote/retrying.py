"""Riding out a short store outage: one retry loop for every writer that owns a lease.

The engine (an estimate's outcome) and the workers (a job's outcome) both hold a lease
while they write; nobody else may write in their place until it runs out, so giving up
at the first Redis error leaves the record stuck until then. Both retry for at most
the lease: past it another process takes the work over and a fenced write would be
refused anyway. Imports neither Flask nor Celery.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def retry_through(
    call: Callable[[], T],
    *,
    errors: tuple[type[BaseException], ...],
    budget: float,
    log: logging.Logger | logging.LoggerAdapter[Any],
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """`call()`, repeated after any of `errors` with backoff from 0.05 s doubling up to
    1 s, for at most `budget` seconds; then the last error is raised. Only for calls
    that are safe to repeat (idempotent or fenced)."""
    deadline = time.monotonic() + budget
    delay = 0.05
    while True:
        try:
            return call()
        except errors:
            if time.monotonic() + delay > deadline:
                raise
            log.warning("store unavailable; retrying in %.2fs", delay)
            sleep(delay)
            delay = min(delay * 2, 1.0)
