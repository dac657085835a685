"""Redis connections, made one way for every tfquote process.

Short timeouts: while Redis is down a request or a task should fail fast (a 503, a
retry) rather than hang, and the connection pool reconnects by itself on the next
command once Redis is back. Imports neither Flask nor Celery.
"""

from __future__ import annotations

import redis


def redis_client(url: str, *, timeout: float) -> redis.Redis[bytes]:
    return redis.Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=15,
        retry_on_timeout=False,
    )
