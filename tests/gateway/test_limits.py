"""``GET /api/v1/limits`` (gateway/limits.py): the limits the gateway and the workers enforce,
read from the settings and the shared rules, as documented."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from gateway import create_app
from gateway.dispatch import RecordingJobDispatcher
from gateway.openapi import build_spec
from tests.support.openapi import assert_conforms
from tfquote.archives import DEFAULT_LIMITS
from tfquote.options import MAX_VAR_FILES, MAX_VARIABLES

pytestmark = pytest.mark.integration


def test_the_limits_are_the_enforced_ones(client: FlaskClient) -> None:
    response = client.get("/api/v1/limits")
    assert response.status_code == 200
    body = assert_conforms(build_spec(), "get", "/api/v1/limits", response)
    assert body["max_upload_bytes"] == 4096  # the app fixture's MAX_UPLOAD_BYTES
    assert body["archive"] == {
        "max_entries": DEFAULT_LIMITS.max_entries,
        "max_total_bytes": DEFAULT_LIMITS.max_total_bytes,
        "max_depth": DEFAULT_LIMITS.max_depth,
    }
    assert body["options"]["max_var_files"] == MAX_VAR_FILES
    assert body["options"]["max_variables"] == MAX_VARIABLES


def test_an_upload_over_the_advertised_limit_is_refused(client: FlaskClient) -> None:
    limit = client.get("/api/v1/limits").get_json()["max_upload_bytes"]
    body = b"#" * (limit + 1)
    response = client.post("/api/v1/uploads", data={"file": (io.BytesIO(body), "main.tf")})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_the_limits_need_a_token_when_auth_is_on(gateway_redis_url: str, tmp_path: Path) -> None:
    client = create_app(
        {
            "REDIS_URL": gateway_redis_url,
            "DATA_DIR": str(tmp_path / "data"),
            "AUTH_ENABLED": "true",
            "JWT_SECRET": "l" * 40,
        },
        dispatcher=RecordingJobDispatcher(),
    ).test_client()
    response = client.get("/api/v1/limits")
    assert response.status_code == 401
    assert_conforms(build_spec(), "get", "/api/v1/limits", response)
