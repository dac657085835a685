"""The tasks' base class builds the worker's collaborators once per process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import workers.tasks
from tfquote.tasks import PROCESS_JOB, RECONCILE, SWEEP_FILES
from workers import app
from workers.tasks import JobTask

pytestmark = pytest.mark.integration


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, redis_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))


def test_every_task_has_the_base_class() -> None:
    for name in (PROCESS_JOB, RECONCILE, SWEEP_FILES):
        assert isinstance(app.tasks[name], JobTask), name


def test_deps_are_built_once_per_process(env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    task = app.tasks[PROCESS_JOB]
    task._deps = None  # a fresh process
    first = task.deps
    assert task.deps is first
    assert first.jobs.redis.ping()
    # In a forked child (another pid) they are built anew: no shared sockets.
    other_pid = os.getpid() + 1
    monkeypatch.setattr(workers.tasks.os, "getpid", lambda: other_pid)
    assert task.deps is not first
