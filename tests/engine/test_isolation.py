"""Evaluation in a child process: a crash, a memory bomb or a hang ends the estimate with a
clear code, and the engine process carries on."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import pytest

from engine.errors import EngineInputError
from engine.inventory import Options
from engine.isolation import InProcessEvaluator, IsolatedEvaluator

pytestmark = pytest.mark.unit

SIMPLE = {
    "main.tf": b'resource "aws_instance" "web" {\n  count = 2\n  instance_type = "t3.micro"\n}\n'
}


def crash(conn: Any, limits: Any) -> None:
    """A child that dies the way a native crash does, once it has a request."""
    conn.recv()
    os.kill(os.getpid(), signal.SIGSEGV)


def hang(conn: Any, limits: Any) -> None:
    conn.recv()
    time.sleep(60)


def test_the_child_gives_what_the_engine_would() -> None:
    isolated = IsolatedEvaluator(memory_bytes=1024 * 1024 * 1024, timeout_seconds=30)
    here = InProcessEvaluator().collect(SIMPLE, "us-east-1", Options())
    there = isolated.collect(SIMPLE, "us-east-1", Options())
    assert [r.address for r in there.resources] == [r.address for r in here.resources]
    assert there.resources[0].attributes == here.resources[0].attributes


def test_a_child_is_reused_and_keeps_its_parse_cache() -> None:
    isolated = IsolatedEvaluator(memory_bytes=1024 * 1024 * 1024, timeout_seconds=30)
    isolated.collect(SIMPLE, "us-east-1", Options())
    [child] = isolated._idle
    isolated.collect(SIMPLE, "eu-west-1", Options())
    assert isolated._idle == [child] and child.tasks == 2
    isolated.close()


def test_input_errors_cross_the_process_boundary() -> None:
    isolated = IsolatedEvaluator(memory_bytes=1024 * 1024 * 1024, timeout_seconds=30)
    with pytest.raises(EngineInputError) as caught:
        isolated.collect({"main.tf": b"resource {"}, "us-east-1", Options())
    assert caught.value.code == "hcl_parse_error"


def test_a_crash_is_a_failed_evaluation_not_a_dead_engine() -> None:
    isolated = IsolatedEvaluator(memory_bytes=1024 * 1024 * 1024, timeout_seconds=30, target=crash)
    with pytest.raises(EngineInputError) as caught:
        isolated.collect(SIMPLE, "us-east-1", Options())
    assert caught.value.code == "evaluation_failed"
    assert "SIGSEGV" in caught.value.message


def test_a_hang_is_killed_at_the_deadline() -> None:
    isolated = IsolatedEvaluator(memory_bytes=1024 * 1024 * 1024, timeout_seconds=1, target=hang)
    with pytest.raises(EngineInputError) as caught:
        isolated.collect(SIMPLE, "us-east-1", Options())
    assert caught.value.code == "evaluation_timeout"


def hog(conn: Any, limits: Any) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    conn.recv()
    hoard = [bytearray(1024 * 1024) for _ in range(4096)]  # 4 GiB
    conn.send(("ok", len(hoard)))


def test_a_memory_hog_meets_the_address_space_limit() -> None:
    isolated = IsolatedEvaluator(memory_bytes=300 * 1024 * 1024, timeout_seconds=30, target=hog)
    with pytest.raises(EngineInputError) as caught:
        isolated.collect(SIMPLE, "us-east-1", Options())
    assert caught.value.code == "evaluation_failed"


def test_a_string_bomb_ends_as_a_listed_unknown() -> None:
    bomb = b'locals {\n  a = join("", [for i in range(1024) : "' + b"x" * 8000 + b'"])\n'
    previous = "a"
    for name in "bcdefghijklmnop":
        bomb += f'  {name} = "${{local.{previous}}}${{local.{previous}}}"\n'.encode()
        previous = name
    bomb += b'}\nresource "aws_instance" "x" {\n  count = length(local.p) > 0 ? 1 : 0\n}\n'
    collected = InProcessEvaluator().collect({"main.tf": bomb}, "us-east-1", Options())
    assert [r for r in collected.resources if r.mode == "managed"] == []
    [unknown] = collected.unknowns
    assert "exceeds the limit" in unknown.reason
