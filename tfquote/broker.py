"""The broker transport of every tfquote process: kombu's Redis transport, publishing
every message of a channel through one Redis client.

kombu's Redis channel builds a new ``redis.Redis`` around its connection pool for each
message it publishes (``Channel.conn_or_acquire``); with redis-py 8 that constructor
copies the whole response-callback table, ~180 µs of CPU. A job creation publishes two
messages (the task and its ``task-sent`` event), a worker three events per task (received,
started, succeeded). A client over a shared pool holds no connection of its own and is
thread-safe, so one per channel does the same work. Nothing else changes: same pool, same
commands, same retries. (Measured in docs/performance.md.) The gateway's dispatcher and
``celery_config`` (workers, beat, the celery CLI) both select it.

Used for ``redis://`` broker URLs only: kombu derives TLS from a ``rediss://`` scheme only
when it picks the transport itself, so those keep kombu's own transport.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis as kombu_redis

#: What ``broker_transport`` names to use this transport.
TRANSPORT = "tfquote.broker:Transport"


class Channel(kombu_redis.Channel):
    _publish_client: Any = None

    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:
            return super()._create_client(asynchronous=True)  # type: ignore[no-untyped-call]
        if self._publish_client is None:
            self._publish_client = super()._create_client()  # type: ignore[no-untyped-call]
        return self._publish_client

    def close(self) -> None:
        self._publish_client = None
        super().close()  # type: ignore[no-untyped-call]


class Transport(kombu_redis.Transport):
    Channel = Channel


def transport_for(broker_url: str) -> str | None:
    """The ``broker_transport`` setting for ``broker_url``: ours for ``redis://``."""
    return TRANSPORT if broker_url.startswith("redis://") else None
