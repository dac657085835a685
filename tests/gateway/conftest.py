from __future__ import annotations

from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from gateway import create_app
from gateway.dispatch import RecordingJobDispatcher
from gateway.resource_types import StaticResourceTypes

RESOURCE_TYPES = {
    "resource_types": [
        {
            "type": "aws_lambda_function",
            "priced": True,
            "free": False,
            "usage": [
                {"key": "monthly_requests", "type": "int", "description": "Monthly requests."}
            ],
            "notes": [],
        }
    ],
    "usage_presets": ["small", "medium", "large"],
}


@pytest.fixture
def dispatcher() -> RecordingJobDispatcher:
    return RecordingJobDispatcher()


@pytest.fixture
def gateway_redis_url(redis_url: str) -> str:
    """A database of its own, emptied per test: in-process gateway tests all act as the
    same tenant, and must not see each other's jobs."""
    url = redis_url.rsplit("/", 1)[0] + "/1"
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def app(gateway_redis_url: str, tmp_path: Path, dispatcher: RecordingJobDispatcher) -> Flask:
    return create_app(
        {
            "REDIS_URL": gateway_redis_url,
            "DATA_DIR": str(tmp_path / "data"),
            "MAX_UPLOAD_BYTES": 4096,
            # Auth and limits have their own tests; here they would only get in the way.
            "AUTH_ENABLED": "false",
            "RATE_LIMIT_READS": "100000/minute",
            "RATE_LIMIT_JOBS": "100000/minute",
            "RATE_LIMIT_UPLOADS": "100000/minute",
        },
        dispatcher=dispatcher,
        resource_types=StaticResourceTypes(RESOURCE_TYPES),
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
