"""Celery tasks: thin like views. They take ids and delegate to `workers.pipeline`."""

from __future__ import annotations

from celery import Task, shared_task

from tfquote.logs import job_context
from tfquote.tasks import (
    JOBS_QUEUE,
    PROCESS_JOB,
    RECONCILE,
    REQUEST_ID_HEADER,
    SWEEP_FILES,
    publish_job,
)
from workers import maintenance, reconciler
from workers.deps import get_deps
from workers.pipeline import RetryLater, run_job


@shared_task(bind=True, name=PROCESS_JOB)
def process_job(self: Task, job_id: str) -> str:
    # Celery puts custom message headers on the request context (protocol 2).
    request_id: str | None = getattr(self.request, REQUEST_ID_HEADER, None)
    with job_context(job_id, request_id):
        deps = get_deps()
        try:
            # The pipeline handles the soft time limit itself, under the job's lease.
            return run_job(job_id, deps, request_id=request_id).value
        except RetryLater as retry:
            # Same task id (= job id) and same headers: the retry is the same job.
            raise self.retry(countdown=retry.countdown, max_retries=None) from retry


@shared_task(name=SWEEP_FILES, ignore_result=True)
def sweep_files() -> dict[str, int]:
    deps = get_deps()
    report = maintenance.sweep_files(deps.settings.data_dir, deps.jobs, deps.uploads)
    return report.__dict__


@shared_task(bind=True, name=RECONCILE, ignore_result=True)
def reconcile(self: Task) -> dict[str, list[str]]:
    deps = get_deps()
    if deps.broker_redis is None:  # only hand-built deps (tests) lack it
        raise RuntimeError("the reconciler needs the broker's Redis")
    report = reconciler.reconcile(
        deps.jobs,
        reconciler.BrokerView(deps.broker_redis, (JOBS_QUEUE,)),
        lambda job_id: publish_job(self.app, job_id),
        lease_stale_seconds=deps.settings.lease_stale_seconds,
        pending_stale_seconds=deps.settings.pending_stale_seconds,
    )
    return report.__dict__
