"""How a worker process builds its collaborators (`JobDeps`) from its settings.

`workers.tasks.JobTask` calls `build_deps` once per process, on first use: a prefork
child must not share the parent's Redis sockets or HTTP connections.
"""

from __future__ import annotations

from tfquote.connections import redis_client
from tfquote.jobs import JobStore
from tfquote.settings import Settings
from tfquote.uploads import UploadStore
from tfquote.webhooks import WebhookStore
from workers.engine_client import EngineClient, engine_session
from workers.pipeline import JobDeps
from workers.webhooks import Publish


def build_deps(settings: Settings, *, publish_webhook: Publish | None = None) -> JobDeps:
    client = redis_client(settings.redis_url, timeout=settings.redis_socket_timeout)
    session = engine_session(settings.engine_url)
    return JobDeps(
        # Settings only admit Redis brokers; the reconciler reads its queues directly.
        broker_redis=redis_client(settings.broker_url, timeout=settings.redis_socket_timeout),
        settings=settings,
        jobs=JobStore(client, ttl_seconds=settings.job_ttl_seconds),
        uploads=UploadStore(
            client, data_dir=settings.data_dir, ttl_seconds=settings.job_ttl_seconds
        ),
        engine=EngineClient(
            settings.engine_url,
            session=session,
            connect_timeout=settings.engine_connect_timeout,
            read_timeout=settings.engine_read_timeout,
            poll_interval=settings.engine_poll_interval,
            # Leave the last fifth of the soft limit for storing the outcome.
            poll_timeout=max(1.0, settings.task_soft_time_limit * 0.8),
            prefer_async=settings.engine_prefer_async,
        ),
        webhooks=WebhookStore(client),
        publish_webhook=publish_webhook,
    )
