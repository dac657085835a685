"""What the worker adds to the engine's result (compare_to diff, budget policy), against a
real Redis: a base job that vanished after the job was accepted fails it with
``compare_to_unavailable``."""

from __future__ import annotations

import pytest
import redis

from tfquote.jobs import JobStore
from workers.errors import PermanentJobError
from workers.pipeline import finish_result

pytestmark = pytest.mark.integration


def estimate(total: str) -> dict:
    resource = {"name": "aws_instance.a", "resourceType": "aws_instance", "metadata": {},
                "hourlyCost": None, "monthlyCost": total, "monthlyUsageCost": None,
                "costComponents": []}  # fmt: skip
    return {"totalMonthlyCost": total, "projects": [{"name": ".", "breakdown": {
        "resources": [resource], "freeResources": [], "unsupportedResources": [],
        "totalMonthlyCost": total, "totalHourlyCost": "0", "totalMonthlyUsageCost": "0"}}]}  # fmt: skip


@pytest.fixture
def store(redis_url: str) -> JobStore:
    client = redis.Redis.from_url(redis_url.rsplit("/", 1)[0] + "/9")
    client.flushdb()
    return JobStore(client, ttl_seconds=3600)


def job_with(store: JobStore, tenant: str, options: dict) -> str:
    return store.create(tenant=tenant, upload_id="0" * 32, region="us-east-1",
                        fingerprint="f", options=options).job.job_id  # fmt: skip


def test_compare_to_and_budget(store: JobStore) -> None:
    base = job_with(store, "t", {})
    store.claim(base, max_attempts=1, owner="w")
    store.complete(base, {"estimate": estimate("10")}, owner="w")
    job_id = job_with(store, "t", {"compare_to": base, "budget": {"monthly_diff_max": "5"}})
    job = store.get(job_id)
    assert job is not None
    result = finish_result(job, {"estimate": estimate("25")}, store)
    assert result["diff"]["base_job_id"] == base and result["diff"]["diffTotalMonthlyCost"] == "15"
    assert result["policy"]["passed"] is False
    assert result["policy"]["checks"][0]["actual"] == "15"


def test_a_vanished_base_fails_the_job(store: JobStore) -> None:
    base = job_with(store, "t", {})
    store.claim(base, max_attempts=1, owner="w")
    store.complete(base, {"estimate": estimate("10")}, owner="w")
    job = store.get(job_with(store, "t", {"compare_to": base}))
    other_tenant = store.get(job_with(store, "u", {"compare_to": base}))
    assert job is not None and other_tenant is not None
    # Another tenant's job is never a base, even while it exists.
    with pytest.raises(PermanentJobError) as failure:
        finish_result(other_tenant, {"estimate": estimate("25")}, store)
    assert failure.value.code == "compare_to_unavailable"
    store.delete(base)
    with pytest.raises(PermanentJobError) as failure:
        finish_result(job, {"estimate": estimate("25")}, store)
    assert failure.value.code == "compare_to_unavailable"
