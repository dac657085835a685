"""The Lua scripts are files of their own (tfquote/lua/*.lua): each compiles in Redis."""

from __future__ import annotations

from importlib import resources

import pytest
import redis

from tfquote import lua

pytestmark = pytest.mark.integration

SCRIPTS = sorted(
    p.name.removesuffix(".lua")
    for p in resources.files("tfquote.lua").iterdir()
    if p.name.endswith(".lua")
)


def test_the_scripts_are_packaged() -> None:
    assert {"create", "transition", "claim", "heartbeat", "stale", "delete"} <= set(SCRIPTS)


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_compiles(redis_client: redis.Redis, name: str) -> None:
    # SCRIPT LOAD compiles without running: a syntax error is refused here.
    assert redis_client.script_load(lua.source(name))
