"""How the gateway hands a job to the workers: the `JobDispatcher` interface.

`CeleryJobDispatcher` publishes ``workers.process_job`` by name with ``send_task``, so
the gateway never imports worker code. The Celery task id is the job id: Flower and
the celery CLI then show job ids. `RecordingJobDispatcher` is the in-memory fake for
unit tests.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol

from celery import Celery

from tfquote.broker import transport_for
from tfquote.settings import Settings
from tfquote.tasks import JOBS_QUEUE, publish_job, publish_webhook


class JobDispatcher(Protocol):
    def dispatch(self, job_id: str, *, request_id: str | None) -> None:
        """Publish the job's task. Raises when the broker does not take it."""

    def dispatch_webhook(self, job_id: str, event: str) -> None:
        """Publish a webhook delivery of a job the gateway ended (a cancellation)."""

    def ping(self) -> None:
        """Raise when the broker cannot be reached."""


class CeleryJobDispatcher:
    def __init__(self, settings: Settings) -> None:
        self.celery = Celery("tfquote-gateway", set_as_current=False)
        self.celery.conf.update(
            broker_url=settings.broker_url,
            # One Redis client per channel for publishing (see tfquote.broker).
            broker_transport=transport_for(settings.broker_url),
            task_serializer="json",
            accept_content=["json"],
            task_default_queue=JOBS_QUEUE,
            broker_connection_timeout=settings.redis_socket_timeout,
            broker_transport_options={
                "visibility_timeout": settings.visibility_timeout,
                "socket_timeout": settings.redis_socket_timeout,
                "socket_connect_timeout": settings.redis_socket_timeout,
            },
            # Fail a publish within seconds so the caller gets a 503 rather than a hang.
            task_publish_retry_policy={
                "max_retries": 2,
                "interval_start": 0,
                "interval_step": 0.2,
                "interval_max": 0.5,
            },
            task_send_sent_event=True,
        )

    def dispatch(self, job_id: str, *, request_id: str | None) -> None:
        # The task and its task-sent event (same producer) leave in one Redis pipeline:
        # one round trip instead of two. A failed flush raises like a failed publish.
        with self.celery.producer_or_acquire() as producer, producer.batch():
            publish_job(self.celery, job_id, request_id=request_id, producer=producer)

    def dispatch_webhook(self, job_id: str, event: str) -> None:
        publish_webhook(self.celery, job_id, event)

    def ping(self) -> None:
        with self.celery.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
            client = getattr(conn.default_channel, "client", None)
            if client is not None:
                client.ping()


@dataclass
class RecordingJobDispatcher:
    """Records dispatches in memory; `fail_with` makes the next dispatch raise."""

    dispatched: list[tuple[str, str | None]] = field(default_factory=list)
    webhooks: list[tuple[str, str]] = field(default_factory=list)
    fail_with: Exception | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def dispatch(self, job_id: str, *, request_id: str | None) -> None:
        with self._lock:
            if self.fail_with is not None:
                raise self.fail_with
            self.dispatched.append((job_id, request_id))

    def dispatch_webhook(self, job_id: str, event: str) -> None:
        with self._lock:
            if self.fail_with is not None:
                raise self.fail_with
            self.webhooks.append((job_id, event))

    def ping(self) -> None:
        if self.fail_with is not None:
            raise self.fail_with
