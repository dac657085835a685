"""Two gateway processes share one Redis and so one set of rate-limit counters."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
import requests

from tfquote import redis_server
from tfquote.devstack import start_gunicorn

pytestmark = pytest.mark.e2e

SECRET = "r" * 48


def token(sub: str) -> str:
    return jwt.encode({"sub": sub, "exp": int(time.time()) + 600}, SECRET, algorithm="HS256")


@pytest.fixture(scope="module")
def two_gateways(redis_url: str, session_dir: Path) -> Iterator[list[str]]:
    env = {
        "REDIS_URL": redis_url.rsplit("/", 1)[0] + "/4",
        "DATA_DIR": str(session_dir / "ratelimit-data"),
        "AUTH_ENABLED": "true",
        "JWT_SECRET": SECRET,
        "RATE_LIMIT_READS": "6/minute",
    }
    urls, services = [], []
    for name in ("gateway-a", "gateway-b"):
        port = redis_server.free_port()
        services.append(start_gunicorn(name, "wsgi:app", port, env, session_dir, threads=1))
        urls.append(f"http://127.0.0.1:{port}")
    yield urls
    for service in services:
        service.stop()


def test_limit_is_shared_between_processes(two_gateways: list[str]) -> None:
    a, b = two_gateways
    alice = {"Authorization": f"Bearer {token('alice-' + str(time.time_ns()))}"}
    statuses = [
        requests.get(f"{url}/api/v1/jobs", headers=alice, timeout=10).status_code
        for url in (a, b, a, b, a, b)
    ]
    assert statuses == [200] * 6
    limited = requests.get(f"{a}/api/v1/jobs", headers=alice, timeout=10)
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.headers["X-RateLimit-Limit"] == "6"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert requests.get(f"{b}/api/v1/jobs", headers=alice, timeout=10).status_code == 429
    # Another tenant has its own budget; health probes are never limited.
    bob = {"Authorization": f"Bearer {token('bob-' + str(time.time_ns()))}"}
    assert requests.get(f"{b}/api/v1/jobs", headers=bob, timeout=10).status_code == 200
    assert requests.get(f"{a}/health/ready", timeout=10).status_code == 200
