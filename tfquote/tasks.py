"""Task names and queues: the contract between the gateway and the workers.

The gateway enqueues by name with ``send_task`` and never imports worker code, so the
names live here, on neutral ground, and both sides import them. Renaming one is a
breaking change for messages already queued.
"""

from __future__ import annotations

from typing import Any, Protocol

PROCESS_JOB = "workers.process_job"
SWEEP_FILES = "workers.sweep_files"
RECONCILE = "workers.reconcile"
DELIVER_WEBHOOK = "workers.deliver_webhook"
SWEEP_WEBHOOKS = "workers.sweep_webhooks"

#: The default queue every job goes to.
JOBS_QUEUE = "jobs"
#: Housekeeping (reconciler, file sweeper): its own queue so a backlog of jobs never
#: delays the repairs.
MAINTENANCE_QUEUE = "maintenance"
#: Webhook deliveries: their own queue, so a slow receiver never sits in front of a job
#: (run a dedicated `celery -A workers worker -Q webhooks` to keep them off job workers).
WEBHOOKS_QUEUE = "webhooks"

#: Header carrying the caller's request id into the worker's log lines.
REQUEST_ID_HEADER = "tfquote_request_id"


class TaskSender(Protocol):
    """What publishing needs of a Celery app (kept structural: this module must not
    import Celery)."""

    def send_task(self, name: str, *args: Any, **kwargs: Any) -> Any: ...


def publish_job(
    sender: TaskSender, job_id: str, *, request_id: str | None = None, producer: Any = None
) -> None:
    """Publish a job's task: by name, the job id as the task id (Flower and the celery
    CLI show job ids), the caller's request id in a header. The one place that shapes
    this message, for the gateway, the CLI's retry and the reconciler alike. ``producer``:
    a kombu producer to publish with (the app's pool otherwise)."""
    sender.send_task(
        PROCESS_JOB,
        args=[job_id],
        task_id=job_id,
        queue=JOBS_QUEUE,
        headers={REQUEST_ID_HEADER: request_id} if request_id else None,
        producer=producer,
    )


def publish_webhook(
    sender: TaskSender, job_id: str, event: str, *, countdown: float | None = None
) -> None:
    """Publish one delivery attempt of a job's webhook event (see `tfquote.webhooks`);
    duplicates are harmless, the delivery is idempotent per (job_id, event)."""
    sender.send_task(
        DELIVER_WEBHOOK,
        args=[job_id, event],
        queue=WEBHOOKS_QUEUE,
        countdown=countdown,
    )
