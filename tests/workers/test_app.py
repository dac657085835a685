"""The Celery app's routing against a real Redis broker: a message lands in exactly one
queue, however it is addressed."""

from __future__ import annotations

import uuid

import pytest
import redis

from tfquote.tasks import JOBS_QUEUE, MAINTENANCE_QUEUE, PROCESS_JOB, RECONCILE, publish_job
from workers.app import create_celery_app

pytestmark = pytest.mark.integration


def test_each_message_lands_in_exactly_one_queue(redis_url: str) -> None:
    # A private database: the queue lists are ours alone.
    db_url = redis_url.rsplit("/", 1)[0] + "/7"
    client = redis.Redis.from_url(db_url)
    client.flushdb()
    app = create_celery_app()
    app.conf.broker_url = db_url
    with app.connection_for_write() as conn:
        # What a worker does at start: declare (and bind) the queues it consumes.
        for queue in app.amqp.queues.values():
            queue(conn.default_channel).declare()

    publish_job(app, str(uuid.uuid4()))
    # Addressed through the exchange, as another publisher (or a tool) may do it.
    app.send_task(
        PROCESS_JOB, args=[str(uuid.uuid4())], exchange=JOBS_QUEUE, routing_key=JOBS_QUEUE
    )
    app.send_task(RECONCILE)

    assert client.llen(JOBS_QUEUE) == 2
    assert client.llen(MAINTENANCE_QUEUE) == 1
    client.flushdb()
