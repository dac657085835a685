"""A bench-only Celery app with one no-op task: the raw-Celery baseline of the pipeline
benchmark. It takes every setting from ``celery_config`` — the workers' own module, so
broker, acks_late, prefetch, events, serializer and time limits are the same — and only
swaps the queues, so it never consumes tfquote jobs (nor they its tasks).

    celery -A bench.celery_noop worker -Q bench-noop --concurrency 4 --pool prefork -E

The task does the least that lets the benchmark see it finished: it records its own
finish time (one ``HSET``) in the broker's Redis.
"""

from __future__ import annotations

import time
from typing import Any

import redis
from celery import Celery
from kombu.entity import Queue

NOOP_TASK = "bench.noop"
NOOP_QUEUE = "bench-noop"
DONE_KEY = "bench:noop:done"

app = Celery("tfquote-bench-noop")
app.config_from_object("celery_config")
app.conf.update(
    task_default_queue=NOOP_QUEUE,
    task_queues=(Queue(NOOP_QUEUE),),
    task_routes={},
    beat_schedule={},
)

_client: redis.Redis[bytes] | None = None


def _redis() -> redis.Redis[bytes]:
    global _client
    if _client is None:  # one client per pool process (created after the fork)
        _client = redis.Redis.from_url(app.conf.broker_url)
    return _client


@app.task(name=NOOP_TASK, bind=True)  # type: ignore[untyped-decorator]
def noop(self: Any) -> None:
    _redis().hset(DONE_KEY, self.request.id, repr(time.time()))
