"""The broker transport against a real Redis: jobs and their task-sent events are
published as kombu's own transport publishes them, through one client per channel."""

from __future__ import annotations

import base64
import json
from typing import Any

import kombu.pools
import pytest
import redis

from gateway.dispatch import CeleryJobDispatcher
from tfquote import broker
from tfquote.settings import Settings
from tfquote.tasks import JOBS_QUEUE, PROCESS_JOB

pytestmark = pytest.mark.integration


def _dispatcher(url: str) -> CeleryJobDispatcher:
    return CeleryJobDispatcher(Settings.from_env(environ={"REDIS_URL": url}))


def test_redis_urls_use_our_transport_and_rediss_keeps_kombus() -> None:
    assert broker.transport_for("redis://127.0.0.1:6380/0") == broker.TRANSPORT
    assert broker.transport_for("rediss://example.com:6380/0") is None
    with _dispatcher("redis://127.0.0.1:1/0").celery.connection_for_write() as conn:
        assert isinstance(conn.transport, broker.Transport)
    import celery_config  # the workers', beat's and the celery CLI's settings

    assert celery_config.broker_transport == broker.transport_for(celery_config.broker_url)


def test_jobs_are_queued_and_events_published_through_one_client(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = redis_url.rsplit("/", 1)[0] + "/3"
    store = redis.Redis.from_url(url)
    store.flushdb()
    made: list[Any] = []
    create = broker.kombu_redis.Channel._create_client

    def counting(self: Any, asynchronous: bool = False) -> Any:
        client = create(self, asynchronous)
        made.append((client, asynchronous))
        return client

    monkeypatch.setattr(broker.kombu_redis.Channel, "_create_client", counting)
    # kombu keeps producers (and their channels) in process-wide pools keyed by the broker
    # URL: an earlier test's dispatcher on this database (tests/gateway/test_dispatch.py)
    # would lend this one a channel whose client exists already, and nothing is counted.
    kombu.pools.reset()
    events = store.pubsub()
    events.psubscribe("*celeryev*")
    events.get_message(timeout=1)  # the subscription's confirmation

    dispatcher = _dispatcher(url)
    job_ids = [f"00000000-0000-4000-8000-00000000000{n}" for n in range(3)]
    for job_id in job_ids:
        dispatcher.dispatch(job_id, request_id=f"req-{job_id[-1]}")

    queued = [json.loads(raw) for raw in reversed(store.lrange(JOBS_QUEUE, 0, -1))]
    assert [m["headers"]["id"] for m in queued] == job_ids
    assert {m["headers"]["task"] for m in queued} == {PROCESS_JOB}
    assert [m["headers"]["tfquote_request_id"] for m in queued] == ["req-0", "req-1", "req-2"]
    # Pub/sub spans every database of the server: other tests' workers publish events on
    # it too, so only this test's task-sent events are collected.
    sent = []
    while (message := events.get_message(timeout=1)) is not None:
        envelope = json.loads(message["data"])
        assert envelope["properties"]["body_encoding"] == "base64"
        event = json.loads(base64.b64decode(envelope["body"]))
        if event.get("type") == "task-sent" and event.get("uuid") in job_ids:
            sent.append(event["uuid"])
        if len(sent) == len(job_ids):
            break
    assert sent == job_ids
    # Six messages, one Redis client: kombu's own channel would have made six.
    # (plus the asynchronous client kombu keeps for BRPOP, made once per channel).
    assert len([client for client, asynchronous in made if not asynchronous]) == 1
