"""One job, start to finish, as plain functions: claim, unpack, check, submit, store.

`run_job` is what ``workers.process_job`` delegates to. It takes its collaborators as
arguments (`JobDeps`), so tests drive it without Celery. Cancellation lives in Redis
and is checked at every stage boundary; a cancelled job is never submitted after the
check and never written COMPLETED (that transition requires RUNNING).
"""

from __future__ import annotations

import logging
import random
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from tfquote.archives import ArchiveLimits
from tfquote.jobs import InvalidTransition, JobNotFound, JobStore
from tfquote.settings import Settings
from tfquote.uploads import UploadStore
from workers.errors import JobCancelled, PermanentJobError, TransientJobError
from workers.workspace import unpack_upload, write_bundle

log = logging.getLogger(__name__)


class Engine(Protocol):
    def submit(
        self,
        bundle: Path,
        *,
        region: str,
        idempotency_key: str,
        options: Mapping[str, Any] | None = None,
        request_id: str | None = None,
        should_continue: Callable[[], bool] = ...,
    ) -> dict[str, Any]: ...


@dataclass
class JobDeps:
    settings: Settings
    jobs: JobStore
    uploads: UploadStore
    engine: Engine
    limits: ArchiveLimits = field(default_factory=ArchiveLimits)


class Outcome(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # not ours to run: cancelled, finished or gone before we claimed it


class RetryLater(Exception):
    """The job was put back to PENDING; re-deliver it after `countdown` seconds."""

    def __init__(self, countdown: float, error: TransientJobError) -> None:
        super().__init__(f"retry in {countdown:.1f}s: {error.code}")
        self.countdown = countdown
        self.error = error


def backoff(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff with full jitter (AWS architecture blog's recommendation)."""
    return random.uniform(0, min(cap, base * (2 ** max(attempt - 1, 0))))


def _finish_failed(deps: JobDeps, job_id: str, code: str, message: str) -> None:
    try:
        deps.jobs.fail(job_id, code, message)
    except (InvalidTransition, JobNotFound):
        pass  # cancelled or deleted meanwhile; the terminal state stands


def run_job(job_id: str, deps: JobDeps, *, request_id: str | None = None) -> Outcome:
    settings = deps.settings
    job = deps.jobs.claim(job_id, max_attempts=settings.max_attempts)
    if job is None:
        log.info("job not claimable; skipping")
        return Outcome.SKIPPED
    log.info("job started", extra={"attempt": job.attempts})

    def check_cancelled() -> None:
        if deps.jobs.is_cancelled(job_id):
            raise JobCancelled("job was cancelled")

    workspace = settings.jobs_dir / job_id
    try:
        shutil.rmtree(workspace, ignore_errors=True)  # a dead attempt's leftovers
        upload = deps.uploads.get(job.upload_id)
        if upload is None:
            raise PermanentJobError(
                "the job's upload has expired or was deleted", code="upload_missing"
            )
        check_cancelled()
        files = unpack_upload(
            upload, deps.uploads.directory(upload.upload_id), workspace / "src", deps.limits
        )
        bundle = write_bundle(workspace / "src", files, workspace / "bundle.tar.gz")
        check_cancelled()
        result = deps.engine.submit(
            bundle,
            region=job.region,
            idempotency_key=job_id,
            request_id=request_id,
            should_continue=lambda: not deps.jobs.is_cancelled(job_id),
        )
        deps.jobs.complete(job_id, result)
        log.info("job completed")
        return Outcome.COMPLETED
    except (JobCancelled, InvalidTransition):
        log.info("job cancelled; stopping at stage boundary")
        return Outcome.CANCELLED
    except PermanentJobError as exc:
        log.warning("job failed", extra={"error_code": exc.code})
        _finish_failed(deps, job_id, exc.code, exc.message)
        return Outcome.FAILED
    except TransientJobError as exc:
        if job.attempts >= settings.max_attempts:
            log.warning("job failed after retries", extra={"error_code": exc.code})
            _finish_failed(deps, job_id, exc.code, exc.message)
            return Outcome.FAILED
        try:
            deps.jobs.requeue(job_id, exc.code, exc.message)
        except (InvalidTransition, JobNotFound):
            return Outcome.CANCELLED
        countdown = backoff(job.attempts, settings.retry_backoff_base, settings.retry_backoff_max)
        log.info(
            "transient failure; retrying",
            extra={"error_code": exc.code, "countdown": round(countdown, 2)},
        )
        raise RetryLater(countdown, exc) from exc
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
