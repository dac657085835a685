"""RedisEstimateStore and the API against a REAL redis-server (the session ``redis_url``)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis
from flask import Flask

from engine import create_app
from engine.store import RedisEstimateStore
from tests.engine.helpers import SIMPLE_TF, build_tgz, post_at_once, post_estimate

pytestmark = pytest.mark.integration

BUNDLE = build_tgz({"main.tf": SIMPLE_TF})


@pytest.fixture
def prefix() -> str:
    # A private key namespace per test: no flushing of a Redis other suites may share.
    return f"engine-test:{uuid.uuid4().hex}:"


@pytest.fixture
def store(redis_url: str, prefix: str) -> RedisEstimateStore:
    return RedisEstimateStore.from_url(redis_url, prefix=prefix, result_ttl_seconds=600)


@pytest.fixture
def redis_app(redis_url: str, prefix: str) -> Iterator[Flask]:
    app = create_app(
        {"ENGINE_REDIS_URL": redis_url, "ENGINE_KEY_PREFIX": prefix, "ENGINE_SYNC_WAIT_SECONDS": 20}
    )
    yield app
    app.extensions["engine"].service.shutdown()


# --- the store itself ----------------------------------------------------------------------------


def test_claim_start_finish_replay(store: RedisEstimateStore, redis_url: str, prefix: str) -> None:
    claim = store.claim("key-1", "fp")
    assert claim.created and claim.token
    assert claim.record.status == "pending"
    assert store.start(claim.record.id, claim.token)
    # Repeating a call whose reply was lost is harmless: the work still counts once.
    assert store.start(claim.record.id, claim.token)
    assert store.finish(claim.record.id, claim.token, result={"ok": 1})
    assert store.finish(claim.record.id, claim.token, result={"other": 2})
    assert store.get(claim.record.id).result == {"ok": 1}  # type: ignore[union-attr]

    replay = store.claim("key-1", "fp")
    assert not replay.created and replay.token is None
    assert replay.record.id == claim.record.id
    assert replay.record.result == {"ok": 1}
    assert (replay.record.submissions, replay.record.computed) == (2, 1)
    assert store.stats() == {"computed": 1}

    other = store.claim("key-1", "different")
    assert not other.created
    assert other.record.fingerprint == "fp"

    client = redis.Redis.from_url(redis_url)
    ttl = client.ttl(f"{prefix}estimate:{claim.record.id}")
    assert 0 < ttl <= 600
    assert 0 < client.ttl(client.keys(f"{prefix}idem:*")[0]) <= 600


def test_no_key_always_creates(store: RedisEstimateStore) -> None:
    first, second = store.claim(None, "fp"), store.claim(None, "fp")
    assert first.created and second.created
    assert first.record.id != second.record.id


def test_failed_outcome_is_kept(store: RedisEstimateStore) -> None:
    claim = store.claim("k", "fp")
    assert claim.token is not None
    store.start(claim.record.id, claim.token)
    store.finish(claim.record.id, claim.token, error={"code": "no_terraform", "message": "m"})
    record = store.get(claim.record.id)
    assert record is not None
    assert record.status == "failed"
    assert record.error == {"code": "no_terraform", "message": "m"}
    assert record.result is None


def test_lease_takeover_fences_the_old_worker(redis_url: str, prefix: str) -> None:
    store = RedisEstimateStore.from_url(redis_url, prefix=prefix, lease_seconds=0.2)
    first = store.claim("k", "fp")
    assert first.token is not None
    store.start(first.record.id, first.token)
    assert not store.claim("k", "fp").created  # lease still valid
    time.sleep(0.3)
    takeover = store.claim("k", "fp")  # the first worker is presumed dead
    assert takeover.created and takeover.token
    assert takeover.record.id == first.record.id
    assert not store.finish(first.record.id, first.token, result={"stale": True})
    assert store.start(first.record.id, takeover.token)
    assert store.finish(first.record.id, takeover.token, result={"fresh": True})
    record = store.get(first.record.id)
    assert record is not None
    assert record.result == {"fresh": True}
    assert record.computed == 2


def test_renewing_the_lease_pushes_it_on(redis_url: str, prefix: str) -> None:
    store = RedisEstimateStore.from_url(redis_url, prefix=prefix, lease_seconds=5)
    first = store.claim("renewed", "fp")
    assert first.token is not None
    assert store.start(first.record.id, first.token)
    before = store.get(first.record.id)
    time.sleep(0.05)
    assert store.renew(first.record.id, first.token)
    after = store.get(first.record.id)
    assert before is not None and after is not None
    assert after.lease_until > before.lease_until
    assert not store.claim("renewed", "fp").created
    assert not store.renew(first.record.id, "someone-else")
    assert store.finish(first.record.id, first.token, result={"ok": 1})
    assert not store.renew(first.record.id, first.token)  # finished: nothing to keep
    record = store.get(first.record.id)
    assert record is not None and not record.abandoned(time.time() + 3600)


def test_wait_returns_when_finished(store: RedisEstimateStore) -> None:
    claim = store.claim("k", "fp")
    assert claim.token is not None
    token = claim.token
    store.start(claim.record.id, token)

    def finish_later() -> None:
        time.sleep(0.2)
        store.finish(claim.record.id, token, result={"done": True})

    threading.Thread(target=finish_later).start()
    record = store.wait(claim.record.id, timeout=5)
    assert record is not None and record.status == "succeeded"
    pending = store.claim("other", "fp")
    started = time.monotonic()
    assert store.wait(pending.record.id, timeout=0.2) is not None
    assert time.monotonic() - started >= 0.2


def test_unreachable_redis() -> None:
    store = RedisEstimateStore.from_url("redis://127.0.0.1:1/0")
    assert store.ping() is False
    app = create_app({"ENGINE_REDIS_URL": "redis://127.0.0.1:1/0"})
    client = app.test_client()
    assert client.get("/health").status_code == 200  # liveness does not touch Redis
    ready = client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.get_json()["error"]["code"] == "store_unavailable"
    response = post_estimate(client, BUNDLE, key="k")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "store_unavailable"


# --- the API on Redis ----------------------------------------------------------------------------


def test_api_replay_returns_first_result(redis_app: Flask) -> None:
    client = redis_app.test_client()
    assert client.get("/health/ready").status_code == 200
    first = post_estimate(client, BUNDLE, key="job-1")
    second = post_estimate(client, BUNDLE, key="job-1")
    assert first.status_code == second.status_code == 200
    assert second.get_json() == first.get_json()
    meta = client.get(first.headers["Location"]).get_json()["meta"]
    assert (meta["submissions"], meta["computed"]) == (2, 1)
    assert client.get("/v1/stats").get_json() == {"computed": 1}


def test_api_same_key_different_payload(redis_app: Flask) -> None:
    client = redis_app.test_client()
    assert post_estimate(client, BUNDLE, key="job-2").status_code == 200
    response = post_estimate(client, BUNDLE, key="job-2", region="eu-west-3")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "idempotency_key_reused"


def test_api_20_concurrent_duplicates_compute_once(
    redis_app: Flask, slow_compute: Callable[[float], None]
) -> None:
    slow_compute(0.3)
    responses = post_at_once(redis_app, BUNDLE, "burst")
    assert len(responses) == 20
    assert {r.status_code for r in responses} == {200}
    assert len({r.get_json()["id"] for r in responses}) == 1
    client = redis_app.test_client()
    meta = client.get(responses[0].headers["Location"]).get_json()["meta"]
    assert (meta["submissions"], meta["computed"]) == (20, 1)
    assert client.get("/v1/stats").get_json() == {"computed": 1}


def test_api_async_then_poll(redis_app: Flask) -> None:
    client = redis_app.test_client()
    response = post_estimate(client, BUNDLE, key="async", asynchronous=True)
    assert response.status_code == 202
    assert response.get_json()["status"] == "pending"
    location = response.headers["Location"]
    deadline = time.monotonic() + 10
    while True:
        body = client.get(location).get_json()
        if body["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert body["status"] == "succeeded"
    assert body["result"]["summary"]["resource_count"] == 2
    assert body["meta"]["computed"] == 1
