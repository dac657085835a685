"""The gateway's broker transport against a real Redis: jobs and their task-sent events
are published as kombu's own transport publishes them, through one client per channel."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import redis

from gateway import broker
from gateway.dispatch import CeleryJobDispatcher
from tfquote.settings import Settings
from tfquote.tasks import JOBS_QUEUE, PROCESS_JOB

pytestmark = pytest.mark.integration


def _dispatcher(url: str) -> CeleryJobDispatcher:
    return CeleryJobDispatcher(Settings.from_env(environ={"REDIS_URL": url}))


def test_redis_urls_use_the_gateway_transport_and_rediss_keeps_kombus() -> None:
    assert broker.transport_for("redis://127.0.0.1:6380/0") == broker.TRANSPORT
    assert broker.transport_for("rediss://example.com:6380/0") is None
    with _dispatcher("redis://127.0.0.1:1/0").celery.connection_for_write() as conn:
        assert isinstance(conn.transport, broker.Transport)


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
    events = store.pubsub()
    # This database's event channels only ("/3.celeryev/..."): pub/sub is server-wide, and
    # the session's worker (-E, database 0) publishes heartbeats that have no uuid.
    events.psubscribe("/3.celeryev*")
    events.get_message(timeout=1)  # the subscription's confirmation

    dispatcher = _dispatcher(url)
    job_ids = [f"00000000-0000-4000-8000-00000000000{n}" for n in range(3)]
    for job_id in job_ids:
        dispatcher.dispatch(job_id, request_id=f"req-{job_id[-1]}")

    queued = [json.loads(raw) for raw in reversed(store.lrange(JOBS_QUEUE, 0, -1))]
    assert [m["headers"]["id"] for m in queued] == job_ids
    assert {m["headers"]["task"] for m in queued} == {PROCESS_JOB}
    assert [m["headers"]["tfquote_request_id"] for m in queued] == ["req-0", "req-1", "req-2"]
    sent = []
    while (message := events.get_message(timeout=1)) is not None:
        envelope = json.loads(message["data"])
        assert envelope["properties"]["body_encoding"] == "base64"
        sent.append(json.loads(base64.b64decode(envelope["body"])))
    assert [(e["type"], e["uuid"]) for e in sent] == [("task-sent", j) for j in job_ids]
    # Six messages, one Redis client: kombu's own channel would have made six.
    # (plus the asynchronous client kombu keeps for BRPOP, made once per channel).
    assert len([client for client, asynchronous in made if not asynchronous]) == 1


def test_a_job_and_its_event_leave_in_one_pipeline(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = redis_url.rsplit("/", 1)[0] + "/3"
    dispatcher = _dispatcher(url)
    dispatcher.dispatch("00000000-0000-4000-8000-00000000000a", request_id=None)  # declares
    alone: list[str] = []
    piped: list[list[str]] = []
    execute_command = redis.Redis.execute_command
    execute = redis.client.Pipeline.execute

    def command(self: Any, *args: Any, **options: Any) -> Any:
        alone.append(str(args[0]).upper())
        return execute_command(self, *args, **options)

    def pipeline(self: Any, *args: Any, **kwargs: Any) -> Any:
        piped.append([str(c[0][0]).upper() for c in self.command_stack])
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", command)
    monkeypatch.setattr(redis.client.Pipeline, "execute", pipeline)
    dispatcher.dispatch("00000000-0000-4000-8000-00000000000b", request_id="r")
    assert piped == [["LPUSH", "PUBLISH"]]
    assert not {"LPUSH", "PUBLISH"} & set(alone)


def test_a_publish_to_an_unreachable_broker_raises_what_the_gateway_handles() -> None:
    from kombu.exceptions import KombuError

    dispatcher = _dispatcher("redis://127.0.0.1:1/0")
    with pytest.raises((KombuError, OSError, redis.exceptions.RedisError)):
        dispatcher.dispatch("00000000-0000-4000-8000-00000000000c", request_id=None)
