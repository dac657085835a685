"""Celery tasks: thin like views. They take ids and delegate to `workers.pipeline`,
`workers.maintenance` and `workers.reconciler`; their collaborators come from the
`JobTask` base class, built once per worker process (Celery's documented pattern for
per-process resources such as connections)."""

from __future__ import annotations

import os
import threading
from typing import Any

from celery import Task, shared_task

from tfquote.logs import job_context
from tfquote.settings import Settings
from tfquote.tasks import (
    DELIVER_WEBHOOK,
    JOBS_QUEUE,
    PROCESS_JOB,
    RECONCILE,
    REQUEST_ID_HEADER,
    SWEEP_FILES,
    SWEEP_WEBHOOKS,
    publish_job,
    publish_webhook,
)
from workers import maintenance, reconciler, webhooks
from workers.deps import build_deps
from workers.pipeline import JobDeps, RetryLater, run_job


class JobTask(Task):  # type: ignore[misc]  # Celery has no type hints
    """Base class of every worker task: `deps`, the process's collaborators.

    Celery instantiates a task once per process, so this is the place for per-process
    resources. They are built on first use, not at import, and again in a forked child
    (keyed by pid): a prefork child must not share its parent's sockets.
    """

    _deps: tuple[int, JobDeps] | None = None
    _lock = threading.Lock()

    @property
    def deps(self) -> JobDeps:
        with self._lock:
            if self._deps is None or self._deps[0] != os.getpid():
                self._deps = (
                    os.getpid(),
                    build_deps(Settings.from_env(), publish_webhook=self._publish_webhook),
                )
            return self._deps[1]

    def _publish_webhook(self, job_id: str, event: str, countdown: float | None) -> None:
        publish_webhook(self.app, job_id, event, countdown=countdown)

    @property
    def webhook_deps(self) -> webhooks.WebhookDeps:
        deps = self.deps
        assert deps.webhooks is not None  # build_deps always makes the store
        return webhooks.WebhookDeps(
            settings=deps.settings,
            jobs=deps.jobs,
            store=deps.webhooks,
            publish=self._publish_webhook,
        )


# max_retries=None: the job store counts attempts (MAX_ATTEMPTS) and ends the job when they
# run out; Celery's own limit (3 unless set here) would stop retrying first and leave the
# job PENDING until the reconciler found it.
@shared_task(bind=True, base=JobTask, name=PROCESS_JOB, max_retries=None)  # type: ignore[untyped-decorator]
def process_job(self: JobTask, job_id: str) -> str:
    # Celery puts custom message headers on the request context (protocol 2).
    request_id: str | None = getattr(self.request, REQUEST_ID_HEADER, None)
    with job_context(job_id, request_id):
        try:
            # The pipeline handles the soft time limit itself, under the job's lease.
            return run_job(job_id, self.deps, request_id=request_id).value
        except RetryLater as retry:
            # Same task id (= job id) and same headers: the retry is the same job.
            raise self.retry(countdown=retry.countdown) from retry


@shared_task(bind=True, base=JobTask, name=SWEEP_FILES, ignore_result=True)  # type: ignore[untyped-decorator]
def sweep_files(self: JobTask) -> dict[str, Any]:
    deps = self.deps
    report = maintenance.sweep_files(deps.settings.data_dir, deps.jobs, deps.uploads)
    return dict(report.__dict__)


@shared_task(bind=True, base=JobTask, name=RECONCILE, ignore_result=True)  # type: ignore[untyped-decorator]
def reconcile(self: JobTask) -> dict[str, Any]:
    deps = self.deps
    if deps.broker_redis is None:  # only hand-built deps (tests) lack it
        raise RuntimeError("the reconciler needs the broker's Redis")
    report = reconciler.reconcile(
        deps.jobs,
        reconciler.BrokerView(deps.broker_redis, (JOBS_QUEUE,)),
        lambda job_id: publish_job(self.app, job_id),
        lease_stale_seconds=deps.settings.lease_stale_seconds,
        pending_stale_seconds=deps.settings.pending_stale_seconds,
    )
    return dict(report.__dict__)


@shared_task(bind=True, base=JobTask, name=DELIVER_WEBHOOK, ignore_result=True)  # type: ignore[untyped-decorator]
def deliver_webhook(self: JobTask, job_id: str, event: str) -> str:
    # One attempt; a failure is scheduled in the outbox, never retried by Celery here.
    with job_context(job_id, None):
        return webhooks.deliver(job_id, event, self.webhook_deps).value


@shared_task(bind=True, base=JobTask, name=SWEEP_WEBHOOKS, ignore_result=True)  # type: ignore[untyped-decorator]
def sweep_webhooks(self: JobTask) -> int:
    deps = self.webhook_deps
    return webhooks.sweep(deps.store, deps.publish)
