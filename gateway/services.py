"""The gateway's collaborators, built once per app in `create_app` and kept on
``app.extensions["tfquote"]`` (Flask's place for extension state)."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from flask import current_app

from gateway.dispatch import JobDispatcher
from tfquote.jobs import JobStore
from tfquote.settings import Settings
from tfquote.uploads import UploadStore


@dataclass
class Services:
    settings: Settings
    redis: redis.Redis
    jobs: JobStore
    uploads: UploadStore
    dispatcher: JobDispatcher


def services() -> Services:
    services: Services = current_app.extensions["tfquote"]
    return services


def redis_client(url: str, *, socket_timeout: float) -> redis.Redis:
    # Short timeouts: while Redis is down a request should fail fast with a 503, and
    # the pool reconnects by itself on the next request once Redis is back.
    return redis.Redis.from_url(
        url,
        socket_timeout=socket_timeout,
        socket_connect_timeout=socket_timeout,
        health_check_interval=15,
        retry_on_timeout=False,
    )
