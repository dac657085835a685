"""The gateway's dispatcher against a real Redis: how a job's messages leave."""

from __future__ import annotations

from typing import Any

import pytest
import redis

from gateway.dispatch import CeleryJobDispatcher
from tfquote.settings import Settings

pytestmark = pytest.mark.integration


def _dispatcher(url: str) -> CeleryJobDispatcher:
    return CeleryJobDispatcher(Settings.from_env(environ={"REDIS_URL": url}))


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
