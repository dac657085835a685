"""CORS: off unless CORS_ORIGINS names origins; then preflights are answered (before
authentication) and other origins get no CORS headers."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest
from flask.testing import FlaskClient

from gateway import create_app
from gateway.dispatch import RecordingJobDispatcher

pytestmark = pytest.mark.integration

SECRET = "c" * 40
ALLOWED = "https://app.example"


def make_client(redis_url: str, tmp_path: Path, **config: str) -> FlaskClient:
    base = {
        "REDIS_URL": redis_url.rsplit("/", 1)[0] + "/3",
        "DATA_DIR": str(tmp_path / "data"),
        "AUTH_ENABLED": "true",
        "JWT_SECRET": SECRET,
    }
    return create_app({**base, **config}, dispatcher=RecordingJobDispatcher()).test_client()


@pytest.fixture
def client(redis_url: str, tmp_path: Path) -> FlaskClient:
    return make_client(redis_url, tmp_path, CORS_ORIGINS=f"{ALLOWED}, https://other.example")


def preflight(client: FlaskClient, origin: str) -> object:
    return client.options(
        "/api/v1/jobs",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key, "
            "x-request-id",
        },
    )


def test_preflight_from_an_allowed_origin(client: FlaskClient) -> None:
    response = preflight(client, ALLOWED)
    assert response.status_code == 200  # type: ignore[attr-defined]
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "POST" in headers["Access-Control-Allow-Methods"]
    allowed = {h.strip().lower() for h in headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key", "x-request-id"} <= allowed


def test_a_refused_origin_gets_no_cors_headers(client: FlaskClient) -> None:
    response = preflight(client, "https://evil.example")
    assert "Access-Control-Allow-Origin" not in response.headers  # type: ignore[attr-defined]
    plain = client.get("/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in plain.headers


def test_actual_requests_carry_the_headers_errors_included(client: FlaskClient) -> None:
    token = jwt.encode({"sub": "alice", "exp": int(time.time()) + 60}, SECRET, algorithm="HS256")
    ok = client.get("/api/v1/jobs", headers={"Origin": ALLOWED, "Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    assert ok.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "X-Request-ID" in ok.headers["Access-Control-Expose-Headers"]
    # A browser client must be able to read the JSON error too.
    unauthorized = client.get("/api/v1/jobs", headers={"Origin": ALLOWED})
    assert unauthorized.status_code == 401
    assert unauthorized.headers["Access-Control-Allow-Origin"] == ALLOWED


def test_no_origins_no_cors(redis_url: str, tmp_path: Path) -> None:
    client = make_client(redis_url, tmp_path)
    response = preflight(client, ALLOWED)
    assert "Access-Control-Allow-Origin" not in response.headers  # type: ignore[attr-defined]
