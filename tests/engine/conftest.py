"""Fixtures for the engine tests: the shared Terraform corpus and an app with an in-memory store.

Redis comes from the session-wide ``redis_url`` fixture in tests/conftest.py (a private
redis-server on a free port, never 6379). ``slow_compute`` slows the real computation down,
for the tests of concurrent submissions. The remote-module fixtures (``module_servers``,
``fetch_settings``) are in tests/support/module_fixtures.py, for every test directory.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import engine.service
from engine import create_app
from engine.store import InMemoryEstimateStore
from tests.support.shared import SHARED, require_shared

# tests/engine/conftest.py -> parents[2] is the repository; CI puts shared/ beside it.
CORPUS = SHARED / "corpus" / "terraform"


@pytest.fixture(scope="session")
def corpus() -> Path:
    require_shared(CORPUS / "MANIFEST.txt")
    return CORPUS


@pytest.fixture
def memory_store() -> InMemoryEstimateStore:
    return InMemoryEstimateStore()


@pytest.fixture
def app(memory_store: InMemoryEstimateStore) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "ENGINE_SYNC_WAIT_SECONDS": 10}, store=memory_store)
    yield app
    app.extensions["engine"].service.shutdown()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def slow_compute(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Make the real computation take at least ``delay`` seconds."""
    original = engine.service.compute

    def install(delay: float) -> None:
        def slow(*args: Any, **kwargs: Any) -> Any:
            time.sleep(delay)
            return original(*args, **kwargs)

        monkeypatch.setattr(engine.service, "compute", slow)

    return install
