"""``GET /api/v1/resource-types``: the engine's registry, passed through; 503 without it."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from gateway import create_app
from gateway.resource_types import StaticResourceTypes
from tests.gateway.conftest import RESOURCE_TYPES

pytestmark = pytest.mark.integration


def test_lists_what_the_engine_prices(client: FlaskClient) -> None:
    response = client.get("/api/v1/resource-types")
    assert response.status_code == 200
    assert response.get_json() == RESOURCE_TYPES


def test_an_unreachable_engine_is_a_503_with_retry_after(
    gateway_redis_url: str, tmp_path: Path
) -> None:
    app = create_app(
        {"REDIS_URL": gateway_redis_url, "DATA_DIR": str(tmp_path), "AUTH_ENABLED": "false"},
        resource_types=StaticResourceTypes(None),
    )
    response = app.test_client().get("/api/v1/resource-types")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "service_unavailable"
    assert response.headers["Retry-After"]
