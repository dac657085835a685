"""The reconciler against a real Redis (as job store and as a kombu-style broker)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis

from tfquote.jobs import JobKeys, JobStatus, JobStore
from workers.reconciler import BrokerView, reconcile

pytestmark = pytest.mark.integration


@pytest.fixture
def broker_client(redis_url: str) -> redis.Redis:
    client = redis.Redis.from_url(redis_url.rsplit("/", 1)[0] + "/6")
    client.flushdb()
    return client


@pytest.fixture
def store(redis_client: redis.Redis) -> JobStore:
    return JobStore(redis_client, ttl_seconds=600, keys=JobKeys(f"r{uuid.uuid4().hex}:"))


def new_job(store: JobStore) -> str:
    return store.create(
        tenant="t", upload_id="u" * 32, region="us-east-1", fingerprint="f"
    ).job.job_id


def test_dead_worker_job_is_requeued(store: JobStore, broker_client: redis.Redis) -> None:
    job_id = new_job(store)
    store.claim(job_id, max_attempts=3, owner="dead-worker")
    published: list[str] = []
    view = BrokerView(broker_client, ("jobs",))
    assert reconcile(store, view, published.append, lease_stale_seconds=30,
                     pending_stale_seconds=3600).requeued_running == []  # fmt: skip
    time.sleep(0.3)
    report = reconcile(store, view, published.append, lease_stale_seconds=0.2,
                       pending_stale_seconds=3600)  # fmt: skip
    assert report.requeued_running == [job_id] and published == [job_id]
    job = store.get(job_id)
    assert job is not None and job.status is JobStatus.PENDING
    assert job.error == {"code": "worker_lost", "message": "the worker running this job stopped"}


def test_pending_without_message_is_republished(
    store: JobStore, broker_client: redis.Redis
) -> None:
    lost, queued, unacked = new_job(store), new_job(store), new_job(store)
    broker_client.rpush("jobs", f'{{"headers": {{"id": "{queued}"}}}}'.encode())
    broker_client.hset("unacked", "tag-1", f'[{{"headers": {{"id": "{unacked}"}}}}, "", "jobs"]')
    published: list[str] = []
    later = datetime.now(UTC) + timedelta(seconds=600)
    report = reconcile(store, BrokerView(broker_client, ("jobs",)), published.append,
                       lease_stale_seconds=30, pending_stale_seconds=60, now=later)  # fmt: skip
    assert report.republished_pending == [lost] and published == [lost]
    # Just re-published: not again on the next pass.
    again = reconcile(store, BrokerView(broker_client, ("jobs",)), published.append,
                      lease_stale_seconds=30, pending_stale_seconds=60)  # fmt: skip
    assert again.republished_pending == []


def test_finished_and_fresh_jobs_are_left_alone(
    store: JobStore, broker_client: redis.Redis
) -> None:
    done = new_job(store)
    store.claim(done, max_attempts=3, owner="w")
    store.complete(done, {}, owner="w")
    fresh = new_job(store)
    published: list[str] = []
    report = reconcile(store, BrokerView(broker_client, ("jobs",)), published.append,
                       lease_stale_seconds=30, pending_stale_seconds=60)  # fmt: skip
    assert published == [] and report.republished_pending == []
    assert store.get(fresh) is not None


def test_a_job_taken_over_after_the_staleness_check_is_not_requeued(
    store: JobStore, broker_client: redis.Redis
) -> None:
    """A worker takes the stale job over between the reconciler's look and its requeue:
    the requeue must see the fresh lease and leave that worker's attempt alone."""
    job_id = new_job(store)
    store.claim(job_id, max_attempts=3, owner="dead-worker")
    time.sleep(0.3)

    class TakenOverMeanwhile(JobStore):
        def stale_running(self, stale_after: float, limit: int = 100) -> list[str]:
            found = super().stale_running(stale_after, limit)
            self.claim(job_id, max_attempts=3, owner="new-worker", stale_after=stale_after)
            return found

    racing = TakenOverMeanwhile(store.redis, ttl_seconds=600, keys=store.keys)
    published: list[str] = []
    report = reconcile(racing, BrokerView(broker_client, ("jobs",)), published.append,
                       lease_stale_seconds=0.2, pending_stale_seconds=3600)  # fmt: skip
    assert report.requeued_running == [] and published == []
    job = store.get(job_id)
    assert job is not None and (job.status, job.owner) == (JobStatus.RUNNING, "new-worker")
