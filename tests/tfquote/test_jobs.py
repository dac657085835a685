"""The job store against a real Redis: transitions, idempotency, listing, expiry."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import redis

from tfquote.jobs import (
    InvalidCursor,
    InvalidTransition,
    JobBusy,
    JobKeys,
    JobNotFound,
    JobStatus,
    JobStore,
    request_fingerprint,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def store(redis_client: redis.Redis) -> JobStore:
    # A private key prefix per test keeps tests independent on one shared server.
    return JobStore(redis_client, ttl_seconds=3600, keys=JobKeys(prefix=f"t{uuid.uuid4().hex}:"))


def make(store: JobStore, tenant: str = "acme", key: str | None = None, region: str = "us-east-1"):
    body = {"upload_id": "u" * 32, "region": region}
    return store.create(
        tenant=tenant,
        upload_id=body["upload_id"],
        region=region,
        fingerprint=request_fingerprint(body),
        idempotency_key=key,
    )


def test_create_and_read(store: JobStore) -> None:
    outcome = make(store)
    assert outcome.created
    job = store.get(outcome.job.job_id)
    assert job is not None
    public = job.to_public()
    assert public["status"] == "PENDING"
    assert public["attempts"] == 0
    assert public["error"] is None and public["result"] is None
    assert set(public) == {
        "job_id", "status", "upload_id", "region", "options", "created_at", "updated_at",
        "started_at", "finished_at", "attempts", "error", "result", "webhook",
    }  # fmt: skip
    assert public["webhook"] is None  # no options.webhook_url


def test_other_tenant_cannot_see_job(store: JobStore) -> None:
    job = make(store, tenant="acme").job
    assert store.get(job.job_id, tenant="other") is None
    assert store.get(job.job_id, tenant="acme") is not None


def test_idempotent_replay_and_reuse(store: JobStore) -> None:
    first = make(store, key="k1")
    replay = make(store, key="k1")
    assert not replay.created and replay.fingerprint_matches
    assert replay.job.job_id == first.job.job_id
    reuse = make(store, key="k1", region="eu-west-1")
    assert not reuse.created and not reuse.fingerprint_matches
    # Keys are scoped per tenant.
    other = make(store, tenant="other", key="k1")
    assert other.created and other.job.job_id != first.job.job_id


def test_concurrent_creates_make_one_job(store: JobStore) -> None:
    results = []
    barrier = threading.Barrier(20)

    def go() -> None:
        barrier.wait()
        results.append(make(store, key="race"))

    threads = [threading.Thread(target=go) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.created for r in results) == 1
    assert len({r.job.job_id for r in results}) == 1


def test_lifecycle_and_terminal_states_stick(store: JobStore) -> None:
    job_id = make(store).job.job_id
    claimed = store.claim(job_id, max_attempts=3)
    assert claimed is not None and claimed.status is JobStatus.RUNNING and claimed.attempts == 1
    done = store.complete(job_id, {"answer": 42})
    assert done.status is JobStatus.COMPLETED and done.result == {"answer": 42}
    assert done.finished_at is not None
    with pytest.raises(InvalidTransition):
        store.cancel(job_id)
    with pytest.raises(InvalidTransition):
        store.fail(job_id, "x", "y")
    assert store.claim(job_id, max_attempts=3) is None
    # Finished jobs expire.
    assert 0 < store.redis.ttl(store.keys.job(job_id)) <= 3600


def test_cancelled_job_is_never_claimed_or_completed(store: JobStore) -> None:
    job_id = make(store).job.job_id
    store.cancel(job_id)
    assert store.claim(job_id, max_attempts=3) is None
    assert store.is_cancelled(job_id)
    running = make(store).job.job_id
    store.claim(running, max_attempts=3)
    store.cancel(running)
    with pytest.raises(InvalidTransition):
        store.complete(running, {})
    job = store.get(running)
    assert job is not None and job.status is JobStatus.CANCELLED


def test_attempts_are_bounded(store: JobStore) -> None:
    job_id = make(store).job.job_id
    for _ in range(2):
        assert store.claim(job_id, max_attempts=2) is not None
        store.requeue(job_id, "engine_unavailable", "down")
    assert store.claim(job_id, max_attempts=2) is None
    job = store.get(job_id)
    assert job is not None and job.status is JobStatus.FAILED
    assert job.error == {
        "code": "max_attempts_exceeded",
        "message": "gave up after 2 attempts; the last one ended with engine_unavailable: down",
    }


def test_a_takeover_records_the_lost_worker(store: JobStore) -> None:
    job_id = make(store).job.job_id
    assert store.claim(job_id, max_attempts=2, owner="host:1:a") is not None
    taken = store.claim(job_id, max_attempts=2, owner="host:2:b", dead_owner="host:1:a")
    assert taken is not None and taken.attempts == 2
    assert taken.error is not None and taken.error["code"] == "worker_lost"
    assert store.claim(job_id, max_attempts=2, owner="host:3:c", dead_owner="host:2:b") is None
    job = store.get(job_id)
    assert job is not None and job.error is not None
    assert job.error["message"] == (
        "gave up after 2 attempts; the last one ended with worker_lost: "
        "the worker running this job stopped"
    )


def test_retry_only_from_failed(store: JobStore) -> None:
    job_id = make(store).job.job_id
    with pytest.raises(InvalidTransition):
        store.retry(job_id)
    store.claim(job_id, max_attempts=3)
    store.fail(job_id, "boom", "it broke")
    retried = store.retry(job_id)
    assert retried.status is JobStatus.PENDING and retried.attempts == 0 and retried.error is None
    assert store.redis.ttl(store.keys.job(job_id)) == -1  # active again: no expiry


def test_listing_walks_every_job_once_newest_first(store: JobStore) -> None:
    ids = [make(store).job.job_id for _ in range(25)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = store.list_jobs(tenant="acme", limit=7, cursor=cursor)
        seen.extend(j.job_id for j in page.items)
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == list(reversed(ids))
    assert pages == 4


def test_listing_filters_by_status_and_skips_expired(store: JobStore) -> None:
    ids = [make(store).job.job_id for _ in range(5)]
    store.claim(ids[1], max_attempts=3)
    store.fail(ids[1], "boom", "x")
    store.redis.delete(store.keys.job(ids[3]))  # as if it had expired
    failed = store.list_jobs(tenant="acme", status=JobStatus.FAILED)
    assert [j.job_id for j in failed.items] == [ids[1]]
    everything = store.list_jobs(tenant="acme", limit=100)
    assert [j.job_id for j in everything.items] == [ids[4], ids[2], ids[1], ids[0]]
    assert store.list_jobs(tenant="other").items == []


@pytest.mark.parametrize("cursor", ["nope", "dj", "!!!!", "djE6LTE"])
def test_bad_cursor(store: JobStore, cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        store.list_jobs(tenant="acme", cursor=cursor)


def test_delete_only_finished_jobs(store: JobStore) -> None:
    job_id = make(store, key="del").job.job_id
    with pytest.raises(InvalidTransition):
        store.delete(job_id)
    store.cancel(job_id)
    store.delete(job_id)
    assert store.get(job_id) is None
    with pytest.raises(JobNotFound):
        store.delete(job_id)
    # Deleting a job frees its idempotency key.
    assert make(store, key="del").created


def test_odd_tenants_get_their_own_keys(store: JobStore) -> None:
    odd = "evil:jobs:PENDING\x00"
    job = make(store, tenant=odd, key="k").job
    assert store.get(job.job_id, tenant=odd) is not None
    assert [j.job_id for j in store.list_jobs(tenant=odd).items] == [job.job_id]
    assert store.list_jobs(tenant="evil").items == []
    store.cancel(job.job_id)
    assert [j.job_id for j in store.list_jobs(tenant=odd, status=JobStatus.CANCELLED).items] == [
        job.job_id
    ]
    assert not any(b":PENDING\x00" in k for k in store.redis.keys(f"{store.keys.prefix}*"))


def test_lease_blocks_a_second_claim_until_stale(store: JobStore) -> None:
    job_id = make(store).job.job_id
    assert store.claim(job_id, max_attempts=5, owner="w1", stale_after=30) is not None
    with pytest.raises(JobBusy) as busy:
        store.claim(job_id, max_attempts=5, owner="w2", stale_after=30)
    assert busy.value.holder == "w1" and 0 < busy.value.retry_after <= 30
    # A holder known to be dead is taken over at once...
    taken = store.claim(job_id, max_attempts=5, owner="w2", stale_after=30, dead_owner="w1")
    assert taken is not None and taken.owner == "w2" and taken.attempts == 2
    # ...and the old holder can no longer write its outcome (fencing).
    with pytest.raises(InvalidTransition):
        store.complete(job_id, {"stale": True}, owner="w1")
    assert store.heartbeat(job_id, "w1") == "lost"
    assert store.heartbeat(job_id, "w2") == "RUNNING"
    store.complete(job_id, {"ok": True}, owner="w2")


def test_stale_lease_is_found_and_taken_over(store: JobStore) -> None:
    job_id = make(store).job.job_id
    store.claim(job_id, max_attempts=5, owner="w1", stale_after=30)
    time.sleep(0.3)
    assert job_id in store.stale_running(0.2)
    assert job_id not in store.stale_running(30)
    assert store.claim(job_id, max_attempts=5, owner="w2", stale_after=0.2) is not None
    store.requeue(job_id, "worker_lost", "lost", owner="w2")
    job = store.get(job_id)
    assert job is not None and job.status is JobStatus.PENDING and job.owner is None


def test_pending_before(store: JobStore) -> None:
    job = make(store).job
    assert store.pending_before("1970-01-01T00:00:00Z") == []
    assert [j.job_id for j in store.pending_before("9999-01-01T00:00:00Z")] == [job.job_id]
