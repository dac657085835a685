"""Test-only fault injection: off by default, and faults before the work are not computed."""

from __future__ import annotations

import http.client
import random
import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from engine import create_app
from engine.config import EngineSettings
from engine.faults import FaultInjector
from engine.store import InMemoryEstimateStore
from tests.engine.helpers import SIMPLE_TF, build_tgz, post_estimate

pytestmark = pytest.mark.unit

BUNDLE = build_tgz({"main.tf": SIMPLE_TF})


def make_app(injector: FaultInjector) -> tuple[Flask, InMemoryEstimateStore]:
    store = InMemoryEstimateStore()
    return create_app(store=store, fault_injector=injector), store


def test_off_by_default() -> None:
    injector = FaultInjector.from_settings(EngineSettings())
    assert not injector.enabled
    assert all(injector.decide() is None for _ in range(1000))


def test_rate_is_respected() -> None:
    injector = FaultInjector(rate=0.3, kinds=("500",), rng=random.Random(7))
    hits = sum(injector.decide() is not None for _ in range(2000))
    assert 450 < hits < 750


def test_500_before_the_work_is_not_computed() -> None:
    injector = FaultInjector(rate=1.0, kinds=("500",))
    app, store = make_app(injector)
    client = app.test_client()
    response = post_estimate(client, BUNDLE, key="k")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "fault_injected"
    assert store.stats() == {"computed": 0}
    # The retry (fault gone) does the work for the first time.
    injector.rate = 0.0
    retry = post_estimate(client, BUNDLE, key="k")
    assert retry.status_code == 200
    assert "Idempotent-Replayed" not in retry.headers
    assert store.stats() == {"computed": 1}


def test_500_after_the_work_is_answered_from_the_store_on_retry() -> None:
    injector = FaultInjector(rate=1.0, kinds=("500",), phase="after")
    app, store = make_app(injector)
    client = app.test_client()
    assert post_estimate(client, BUNDLE, key="k").status_code == 500
    assert store.stats() == {"computed": 1}
    injector.rate = 0.0
    retry = post_estimate(client, BUNDLE, key="k")
    assert retry.status_code == 200
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert store.stats() == {"computed": 1}


def test_timeout_sleeps_then_answers() -> None:
    injector = FaultInjector(rate=1.0, kinds=("timeout",), timeout_seconds=0.2)
    app, store = make_app(injector)
    started = time.monotonic()
    response = post_estimate(app.test_client(), BUNDLE)
    assert time.monotonic() - started >= 0.2
    assert response.status_code == 200
    assert store.stats() == {"computed": 1}


def test_drop_without_a_socket_falls_back_to_500() -> None:
    app, store = make_app(FaultInjector(rate=1.0, kinds=("drop",)))
    response = post_estimate(app.test_client(), BUNDLE)
    assert response.status_code == 500
    assert store.stats() == {"computed": 0}


@pytest.fixture
def dropping_server() -> Iterator[tuple[int, InMemoryEstimateStore]]:
    app, store = make_app(FaultInjector(rate=1.0, kinds=("drop",)))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port, store
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_drop_closes_the_connection_without_an_answer(
    dropping_server: tuple[int, InMemoryEstimateStore],
) -> None:
    port, store = dropping_server
    boundary = "engine-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="region"\r\n\r\nus-east-1\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="bundle"; '
            'filename="b.tgz"\r\nContent-Type: application/gzip\r\n\r\n'
        ).encode()
        + BUNDLE
        + f"\r\n--{boundary}--\r\n".encode()
    )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request(
        "POST",
        "/v1/estimates",
        body=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        connection.getresponse()
    connection.close()
    assert store.stats() == {"computed": 0}
