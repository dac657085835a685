"""compare_to, budget and webhook_url at job creation, and the report endpoint, in-process
against a real Redis (the recording dispatcher stands in for Celery, so jobs stay PENDING
unless a test moves them)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from gateway import create_app
from gateway.dispatch import RecordingJobDispatcher
from gateway.resource_types import StaticResourceTypes
from tests.gateway.conftest import RESOURCE_TYPES
from tfquote.jobs import JobStore

pytestmark = pytest.mark.integration

TF = b'resource "aws_s3_bucket" "b" {}\n'
ESTIMATE = {"totalMonthlyCost": "10", "projects": [], "metadata": {}}


def make_app(url: str, tmp_path: Path, dispatcher: RecordingJobDispatcher, **extra: str) -> Flask:
    return create_app(
        {
            "REDIS_URL": url,
            "DATA_DIR": str(tmp_path / "data"),
            "AUTH_ENABLED": "false",
            "RATE_LIMIT_READS": "100000/minute",
            "RATE_LIMIT_JOBS": "100000/minute",
            "RATE_LIMIT_UPLOADS": "100000/minute",
            **extra,
        },
        dispatcher=dispatcher,
        resource_types=StaticResourceTypes(RESOURCE_TYPES),
    )


@pytest.fixture
def webhook_client(
    gateway_redis_url: str, tmp_path: Path, dispatcher: RecordingJobDispatcher
) -> FlaskClient:
    return make_app(gateway_redis_url, tmp_path, dispatcher, WEBHOOK_SECRET="s" * 32).test_client()


def upload(client: FlaskClient) -> str:
    response = client.post("/api/v1/uploads", data={"file": (io.BytesIO(TF), "main.tf")},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 201
    return str(response.json["upload_id"])


def create(client: FlaskClient, options: dict[str, Any]) -> Any:
    body = {"upload_id": upload(client), "region": "us-east-1", "options": options}
    return client.post("/api/v1/jobs", json=body)


def completed_job(url: str, tenant: str) -> str:
    store = JobStore(redis.Redis.from_url(url), ttl_seconds=3600)
    job_id = store.create(tenant=tenant, upload_id="0" * 32, region="us-east-1",
                          fingerprint="f").job.job_id  # fmt: skip
    store.claim(job_id, max_attempts=3, owner="w")
    store.complete(job_id, {"estimate": ESTIMATE}, owner="w")
    return job_id


def test_compare_to_must_be_a_completed_job_of_the_same_tenant(
    client: FlaskClient, gateway_redis_url: str
) -> None:
    mine = completed_job(gateway_redis_url, "anonymous")
    assert create(client, {"compare_to": mine}).status_code == 202
    theirs = completed_job(gateway_redis_url, "someone-else")
    refused = create(client, {"compare_to": theirs})
    assert refused.status_code == 400
    assert refused.json["error"]["code"] == "invalid_option"
    assert refused.json["error"]["details"] == {
        "options": {"compare_to": [f"job {theirs} not found"]}
    }
    pending = create(client, {}).json["job_id"]
    not_done = create(client, {"compare_to": pending})
    assert (
        not_done.status_code == 400
        and "PENDING, not COMPLETED" in not_done.json["error"]["message"]
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://[::1]:8443/hook",
        "https://169.254.169.254/latest/meta-data",  # the cloud metadata service
        "https://localhost/hook",
        "https://[::ffff:192.168.0.1]/hook",
        "http://hooks.example.com/plain-http",
    ],
)
def test_webhook_targets_a_deployment_refuses(webhook_client: FlaskClient, url: str) -> None:
    response = create(webhook_client, {"webhook_url": url})
    assert response.status_code == 400, response.json
    assert response.json["error"]["code"] == "invalid_option"
    assert "webhook_url" in response.json["error"]["details"]["options"]


@pytest.mark.parametrize(
    "url", ["not a url", "ftp://x/y", "https://user:pw@x.example/", "https://"]
)
def test_webhook_urls_that_are_not_urls(webhook_client: FlaskClient, url: str) -> None:
    response = create(webhook_client, {"webhook_url": url})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "validation_error"


def test_webhooks_need_a_secret(client: FlaskClient) -> None:
    response = create(client, {"webhook_url": "https://hooks.example.com/x"})
    assert response.status_code == 400
    assert "WEBHOOK_SECRET" in response.json["error"]["message"]


def test_webhook_accepted_and_shown(webhook_client: FlaskClient) -> None:
    response = create(webhook_client, {"webhook_url": "https://hooks.example.com/x"})
    assert response.status_code == 202
    assert response.json["webhook"] == {
        "event": None,
        "attempts": 0,
        "last_status": None,
        "delivered_at": None,
    }


@pytest.mark.parametrize(
    "budget",
    [{"monthly_total_max": "ten"}, {"monthly_diff_max": "-5"}, {"diff_percent_max": True},
     {}, {"monthly_max": "5"}, {"monthly_total_max": "1e9"}],
)  # fmt: skip
def test_budgets_that_are_not_decimals(client: FlaskClient, budget: dict[str, Any]) -> None:
    response = create(client, {"budget": budget})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "validation_error"
    assert "budget" in response.json["error"]["details"]["options"]


def test_budget_is_normalised_and_stored(client: FlaskClient) -> None:
    response = create(client, {"budget": {"monthly_total_max": 1000, "diff_percent_max": "12.5"}})
    assert response.status_code == 202
    assert response.json["options"]["budget"] == {
        "monthly_total_max": "1000",
        "diff_percent_max": "12.5",
    }


def test_report_of_a_pending_job_is_409_and_bad_formats_400(client: FlaskClient) -> None:
    job_id = create(client, {}).json["job_id"]
    response = client.get(f"/api/v1/jobs/{job_id}/report?format=html")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "job_not_completed"
    assert response.json["error"]["details"] == {"status": "PENDING"}
    bad = client.get(f"/api/v1/jobs/{job_id}/report?format=xml")
    assert bad.status_code == 400 and bad.json["error"]["code"] == "validation_error"
    missing = client.get("/api/v1/jobs/00000000-0000-4000-8000-000000000000/report")
    assert missing.status_code == 404


def test_report_formats_of_a_completed_job(client: FlaskClient, gateway_redis_url: str) -> None:
    job_id = completed_job(gateway_redis_url, "anonymous")
    default = client.get(f"/api/v1/jobs/{job_id}/report")
    assert default.status_code == 200 and default.content_type.startswith("text/markdown")
    assert client.get(f"/api/v1/jobs/{job_id}/report?format=json").json == ESTIMATE


def test_cancel_publishes_the_cancelled_event(
    webhook_client: FlaskClient, dispatcher: RecordingJobDispatcher
) -> None:
    job_id = create(webhook_client, {"webhook_url": "https://hooks.example.com/x"}).json["job_id"]
    assert webhook_client.delete(f"/api/v1/jobs/{job_id}").status_code == 204
    assert dispatcher.webhooks == [(job_id, "job.cancelled")]
    plain = create(webhook_client, {}).json["job_id"]
    assert webhook_client.delete(f"/api/v1/jobs/{plain}").status_code == 204
    assert len(dispatcher.webhooks) == 1  # no webhook_url, no event


def test_reused_key_names_the_existing_job(client: FlaskClient) -> None:
    body = {"upload_id": upload(client), "region": "us-east-1"}
    first = client.post("/api/v1/jobs", json=body, headers={"Idempotency-Key": "k1"})
    other = client.post("/api/v1/jobs", json={**body, "region": "eu-west-1"},
                        headers={"Idempotency-Key": "k1"})  # fmt: skip
    assert other.status_code == 422
    assert other.json["error"]["details"] == {"job_id": first.json["job_id"]}
