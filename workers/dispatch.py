"""Publishing a job's task from the worker side (the CLI's retry, the reconciler).

The same message the gateway sends: task ``workers.process_job`` by name, the job id
as the task id, the request id in a header.
"""

from __future__ import annotations

from celery import Celery

from tfquote.tasks import JOBS_QUEUE, PROCESS_JOB, REQUEST_ID_HEADER


def enqueue_job(app: Celery, job_id: str, *, request_id: str | None = None) -> None:
    app.send_task(
        PROCESS_JOB,
        args=[job_id],
        task_id=job_id,
        queue=JOBS_QUEUE,
        headers={REQUEST_ID_HEADER: request_id} if request_id else None,
    )
