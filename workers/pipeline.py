"""One job, start to finish, as plain functions: claim, unpack, check, submit, store.

`run_job` is what ``workers.process_job`` delegates to. It takes its collaborators as
arguments (`JobDeps`), so tests drive it without Celery. Cancellation lives in Redis
and is checked at every stage boundary; a cancelled job is never submitted after the
check and never written COMPLETED (that transition requires RUNNING).

The engine estimates; what the orchestrator adds to its result is done here, before the
result is stored (`finish_result`): the diff against ``options.compare_to`` (both results
are in Redis, so the engine never needs the base job) and the budget's verdict
(``policy``). Once a job is terminal, its webhook is published (`workers.webhooks`).
"""

from __future__ import annotations

import logging
import os
import random
import shutil
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Protocol

import redis
from billiard.exceptions import SoftTimeLimitExceeded

from tfquote import budget as budgets
from tfquote import options as job_options
from tfquote.archives import ArchiveLimits
from tfquote.costdiff import apply_diff
from tfquote.jobs import InvalidTransition, Job, JobBusy, JobNotFound, JobStatus, JobStore
from tfquote.retrying import retry_through
from tfquote.settings import Settings
from tfquote.uploads import Upload, UploadStore
from tfquote.webhooks import WebhookStore
from workers.errors import JobCancelled, PermanentJobError, TransientJobError
from workers.webhooks import Publish, notify
from workers.workspace import bundle_options, prepare_upload, write_bundle

log = logging.getLogger(__name__)


class Engine(Protocol):
    def submit(
        self,
        bundle: Path | IO[bytes],
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
    broker_redis: redis.Redis[bytes] | None = None  # the broker's Redis, for the reconciler
    limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    webhooks: WebhookStore | None = None
    publish_webhook: Publish | None = None


class Outcome(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # not ours to run: cancelled, finished or gone before we claimed it


class RetryLater(Exception):
    """The job was put back to PENDING; re-deliver it after `countdown` seconds."""

    def __init__(self, countdown: float, error: TransientJobError | None) -> None:
        super().__init__(f"retry in {countdown:.1f}s: {error.code if error else 'busy'}")
        self.countdown = countdown
        self.error = error


def backoff(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff with full jitter (AWS architecture blog's recommendation)."""
    return random.uniform(0, min(cap, base * (2 ** max(attempt - 1, 0))))


def _persist(deps: JobDeps, job_id: str, write: Callable[[], object], done: JobStatus) -> None:
    """One of the attempt's outcome writes (complete, requeue, fail), retried through a
    Redis blip (`retry_through`) for up to half the lease.

    Giving up at the first error would leave the job RUNNING until its lease goes stale
    and the reconciler runs it again, at the cost of an attempt. The writes are fenced on
    the lease, so repeating one is safe; a repeat refused because the first one did land
    (only its reply was lost) finds the job already `done`.
    """
    calls = 0

    def counted() -> object:
        nonlocal calls
        calls += 1
        return write()

    try:
        retry_through(
            counted,
            errors=(redis.ConnectionError, redis.TimeoutError),
            budget=deps.settings.lease_stale_seconds / 2,
            log=log,
        )
    except InvalidTransition:
        job = deps.jobs.get(job_id) if calls > 1 else None
        if job is None or job.status is not done:
            raise


def _notify(deps: JobDeps, job: Job) -> None:
    """Publish the job's webhook event now. A job created without ``options.webhook_url``
    has none (the transition registers events only for jobs with one), so asking the outbox
    would be a Redis round trip per job for nothing."""
    if job.webhook is not None:
        notify(deps.webhooks, deps.publish_webhook, job.job_id)


def _finish_failed(deps: JobDeps, job: Job, code: str, message: str, owner: str) -> Outcome:
    job_id = job.job_id
    try:
        _persist(
            deps,
            job_id,
            lambda: deps.jobs.fail(job_id, code, message, owner=owner),
            JobStatus.FAILED,
        )
    except (InvalidTransition, JobNotFound):
        # Cancelled, deleted or taken over meanwhile: that outcome stands, and the write
        # (fenced on our lease) must not end another worker's live attempt.
        return Outcome.CANCELLED
    _notify(deps, job)
    return Outcome.FAILED


def finish_result(job: Job, result: dict[str, Any], jobs: JobStore) -> dict[str, Any]:
    """The engine's result plus what the orchestrator adds: the diff against
    ``options.compare_to`` and the budget's ``policy``. Raises `PermanentJobError`
    (``compare_to_unavailable``) when the base job is gone or no longer COMPLETED: the
    gateway checked it at creation, but it may have been deleted or expired since."""
    estimate = result.get("estimate")
    compare_to = job.options.get("compare_to")
    if isinstance(compare_to, str):
        base = jobs.get(compare_to, tenant=job.tenant)
        base_estimate = (base.result or {}).get("estimate") if base is not None else None
        if base is None or base.status is not JobStatus.COMPLETED or not base_estimate:
            raise PermanentJobError(
                f"compare_to job {compare_to} is no longer available (deleted, expired or "
                "not COMPLETED)",
                code="compare_to_unavailable",
            )
        if not isinstance(estimate, dict):
            raise PermanentJobError(
                "the engine returned no estimate to compare", code="compare_to_unavailable"
            )
        result["diff"] = apply_diff(
            estimate,
            base_estimate.get("projects") or [],
            source="compare_to",
            base_job_id=compare_to,
        )
    budget = job.options.get("budget")
    if isinstance(budget, dict):
        if not isinstance(estimate, dict):
            raise PermanentJobError(
                "the engine returned no estimate to check the budget against",
                code="budget_unavailable",
            )
        result["policy"] = budgets.evaluate(budget, estimate)
    return result


_HOST = socket.gethostname()


def new_owner() -> str:
    """A lease holder's name: host and pid (so a dead holder on this host is recognised
    at once) plus a nonce (so a reused pid is not mistaken for the old holder)."""
    return f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def dead_local_owner(holder: str) -> str | None:
    """`holder` when it names a process on this host that no longer exists."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != _HOST or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    if pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return holder
    except PermissionError:
        return None
    return None


class _Beater:
    """One thread per worker process that refreshes every running job's lease.

    A thread per job cost measurable time on short jobs (starting and joining it); a
    prefork pool process runs one job at a time, a threads pool several, and this serves
    both.
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.beats: set[Heartbeat] = set()
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        self.thread.start()

    def add(self, beat: Heartbeat) -> None:
        with self.lock:
            self.beats.add(beat)
            if beat.interval < self.interval:  # beat at the pace the tightest job needs
                self.interval = beat.interval
                self.wake.set()

    def discard(self, beat: Heartbeat) -> None:
        with self.lock:
            self.beats.discard(beat)

    def _run(self) -> None:
        while True:
            if self.wake.wait(self.interval):
                self.wake.clear()
                continue
            with self.lock:
                beats = list(self.beats)
            for beat in beats:
                beat.beat()


_beaters: dict[int, _Beater] = {}
_beaters_lock = threading.Lock()


def _beater(interval: float) -> _Beater:
    # Keyed by pid: a forked pool process must start its own thread.
    with _beaters_lock:
        beater = _beaters.get(os.getpid())
        if beater is None:
            beater = _beaters[os.getpid()] = _Beater(interval)
        return beater


class Heartbeat:
    """Keeps the job's lease fresh while the job runs (via the process's heartbeat
    thread), and notices when the job was cancelled or the lease lost meanwhile."""

    def __init__(self, jobs: JobStore, job_id: str, owner: str, interval: float) -> None:
        self.jobs, self.job_id, self.owner, self.interval = jobs, job_id, owner, interval
        self.status = "RUNNING"

    def beat(self) -> None:
        if self.status != "RUNNING":
            return
        try:
            self.status = self.jobs.heartbeat(self.job_id, self.owner)
        except Exception:  # Redis blip: the next beat tries again (this thread must live on)
            log.warning("heartbeat failed", exc_info=True)

    def __enter__(self) -> Heartbeat:
        _beater(self.interval).add(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _beater(self.interval).discard(self)

    def still_ours(self) -> bool:
        if self.status != "RUNNING":
            return False
        try:
            return not self.jobs.is_cancelled(self.job_id)
        except redis.RedisError:
            # Can't tell now; the write at the end is fenced anyway. Only Redis errors:
            # a broader catch would swallow the soft time limit (an Exception too).
            return True

    def check(self) -> None:
        if not self.still_ours():
            raise JobCancelled(f"job is no longer ours to run ({self.status})")


def run_job(job_id: str, deps: JobDeps, *, request_id: str | None = None) -> Outcome:
    settings = deps.settings
    owner = new_owner()
    try:
        claimed = deps.jobs.claim_with_upload(
            job_id,
            max_attempts=settings.max_attempts,
            owner=owner,
            stale_after=settings.lease_stale_seconds,
        )
    except JobBusy as busy:
        dead = dead_local_owner(busy.holder)
        if dead is None:
            # A live worker has it (a duplicate delivery): look again once its lease
            # would have gone stale, in case that worker dies.
            raise RetryLater(busy.retry_after + 1, None) from busy
        log.warning("taking over from a dead worker", extra={"dead_owner": dead})
        claimed = deps.jobs.claim_with_upload(
            job_id,
            max_attempts=settings.max_attempts,
            owner=owner,
            stale_after=settings.lease_stale_seconds,
            dead_owner=dead,
        )
    if claimed is None:
        log.info("job not claimable; skipping")
        # The claim may have ended it (max_attempts_exceeded): its webhook is due now.
        notify(deps.webhooks, deps.publish_webhook, job_id)
        return Outcome.SKIPPED
    job, upload_record = claimed
    log.info("job started", extra={"attempt": job.attempts})
    with Heartbeat(deps.jobs, job_id, owner, settings.heartbeat_interval) as beat:
        return _run_claimed(
            job, UploadStore.from_record(upload_record), deps, beat, owner, request_id
        )


def _run_claimed(
    job: Job,
    upload: Upload | None,
    deps: JobDeps,
    beat: Heartbeat,
    owner: str,
    request_id: str | None,
) -> Outcome:
    settings = deps.settings
    job_id = job.job_id
    check_cancelled = beat.check
    workspace = settings.jobs_dir / job_id
    try:
        shutil.rmtree(workspace, ignore_errors=True)  # a dead attempt's leftovers
        if upload is None:  # read by the claim
            raise PermanentJobError(
                "the job's upload has expired or was deleted", code="upload_missing"
            )
        src, files = prepare_upload(
            upload, deps.uploads.directory(upload.upload_id), workspace, deps.limits
        )
        options = bundle_options(job_options.engine_options(job.options), src, files)
        with write_bundle(src, files) as bundle:
            check_cancelled()
            result = deps.engine.submit(
                bundle,
                region=job.region,
                idempotency_key=job_id,
                options=options,
                request_id=request_id,
                should_continue=beat.still_ours,
            )
        result = finish_result(job, result, deps.jobs)
        _persist(
            deps,
            job_id,
            lambda: deps.jobs.complete(job_id, result, owner=owner, read_back=False),
            JobStatus.COMPLETED,
        )
        log.info("job completed")
        _notify(deps, job)
        return Outcome.COMPLETED
    except (JobCancelled, InvalidTransition, JobNotFound):
        # JobNotFound: cancelled and then deleted while the engine worked.
        log.info("job cancelled; stopping at stage boundary")
        return Outcome.CANCELLED
    except SoftTimeLimitExceeded:
        # Handled here, where the lease owner is known: the write is fenced on it, so a
        # worker that took the job over meanwhile keeps its attempt.
        log.warning("job timed out", extra={"error_code": "job_timeout"})
        return _finish_failed(deps, job, "job_timeout", "the job exceeded its time limit", owner)
    except PermanentJobError as exc:
        log.warning("job failed", extra={"error_code": exc.code})
        return _finish_failed(deps, job, exc.code, exc.message, owner)
    except TransientJobError as exc:
        if job.attempts >= settings.max_attempts:
            log.warning("job failed after retries", extra={"error_code": exc.code})
            return _finish_failed(deps, job, exc.code, exc.message, owner)
        try:
            code, message = exc.code, exc.message
            _persist(
                deps,
                job_id,
                lambda: deps.jobs.requeue(job_id, code, message, owner=owner),
                JobStatus.PENDING,
            )
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
