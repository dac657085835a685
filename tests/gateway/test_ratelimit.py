"""Which bucket each API route counts against, in-process against a real Redis."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask

from gateway import create_app
from gateway.dispatch import RecordingJobDispatcher
from gateway.ratelimit import _LIMITS
from gateway.resource_types import StaticResourceTypes
from tests.gateway.conftest import RESOURCE_TYPES

pytestmark = pytest.mark.integration


def _app(redis_url: str, tmp_path: Path, **limits: str) -> Flask:
    return create_app(
        {
            "REDIS_URL": redis_url,
            "DATA_DIR": str(tmp_path / "data"),
            "AUTH_ENABLED": "false",
            "RATE_LIMIT_READS": "100000/minute",
            "RATE_LIMIT_JOBS": "100000/minute",
            "RATE_LIMIT_UPLOADS": "100000/minute",
            **limits,
        },
        dispatcher=RecordingJobDispatcher(),
        resource_types=StaticResourceTypes(RESOURCE_TYPES),
    )


@pytest.mark.unit
def test_every_api_route_has_a_bucket(tmp_path: Path) -> None:
    app = _app("redis://127.0.0.1:1/0", tmp_path)
    limited = {(blueprint, method) for blueprint, _, methods in _LIMITS for method in methods}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        blueprint = rule.endpoint.rsplit(".", 1)[0]
        for method in rule.methods or ():
            if method != "OPTIONS":
                assert (blueprint, method) in limited, (rule.rule, method)


def test_reads_share_one_bucket_and_writes_have_their_own(
    gateway_redis_url: str, tmp_path: Path
) -> None:
    client = _app(
        gateway_redis_url,
        tmp_path,
        RATE_LIMIT_READS="4/minute",
        RATE_LIMIT_UPLOADS="1/minute",
        RATE_LIMIT_JOBS="1/minute",
    ).test_client()
    upload = client.post(
        "/api/v1/uploads", data={"file": (io.BytesIO(b'resource "aws_eip" "a" {}\n'), "main.tf")}
    )
    assert upload.status_code == 201
    upload_id = upload.json["upload_id"]
    job = client.post("/api/v1/jobs", json={"upload_id": upload_id, "region": "us-east-1"})
    assert job.status_code == 202
    job_id = job.json["job_id"]

    reads = [
        client.get(f"/api/v1/jobs/{job_id}"),
        client.get("/api/v1/jobs"),
        client.get(f"/api/v1/uploads/{upload_id}"),
        client.get("/api/v1/resource-types"),
    ]
    assert [r.status_code for r in reads] == [200] * 4
    for refused in (
        client.delete(f"/api/v1/jobs/{job_id}"),
        client.head(f"/api/v1/jobs/{job_id}"),
        client.post("/api/v1/jobs", json={"upload_id": upload_id, "region": "us-east-1"}),
        client.post("/api/v1/uploads", data={"file": (io.BytesIO(b"x"), "main.tf")}),
    ):
        assert refused.status_code == 429, refused.request.method
        assert refused.request.method == "HEAD" or refused.json["error"]["code"] == "rate_limited"
    # Probes and documentation are never limited.
    assert client.get("/health").status_code == 200
    assert client.get("/openapi.json").status_code == 200
