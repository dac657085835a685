"""Health probes, and how the gateway behaves while Redis is down and after it returns."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from gateway import create_app
from tfquote import redis_server

pytestmark = pytest.mark.integration


class RedisProcess:
    def __init__(self, directory: Path) -> None:
        self.port = redis_server.free_port()
        self.directory = directory
        self.proc = redis_server.start(self.port, directory)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)

    def restart(self) -> None:
        self.proc = redis_server.start(self.port, self.directory)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    server = RedisProcess(tmp_path / "redis")
    yield server
    server.stop()


@pytest.fixture
def outage_app(own_redis: RedisProcess, tmp_path: Path) -> Flask:
    url = f"redis://127.0.0.1:{own_redis.port}/0"
    # The real Celery dispatcher: /health/ready must see the broker go away too.
    return create_app(
        {"REDIS_URL": url, "CELERY_BROKER_URL": url, "DATA_DIR": str(tmp_path / "data"),
         "REDIS_SOCKET_TIMEOUT": 1.0, "AUTH_ENABLED": "false"},
    )  # fmt: skip


def test_live_and_health(outage_app: Flask) -> None:
    client = outage_app.test_client()
    assert client.get("/health").json == {"status": "ok"}
    assert client.get("/health/live").status_code == 200


def test_ready_follows_redis(outage_app: Flask, own_redis: RedisProcess) -> None:
    client = outage_app.test_client()
    ok = client.get("/health/ready")
    assert ok.status_code == 200 and ok.json["checks"] == {"redis": "ok", "broker": "ok"}

    own_redis.stop()
    down = client.get("/health/ready")
    assert down.status_code == 503
    assert down.json["checks"]["redis"].startswith("error")
    assert down.json["checks"]["broker"].startswith("error")
    assert down.json["error"]["code"] == "service_unavailable"
    # API calls that need Redis answer 503 with the JSON envelope, not 500.
    for response in (
        client.get("/api/v1/jobs"),
        client.get("/api/v1/uploads/" + "0" * 32),
        client.post("/api/v1/uploads", data={"file": (io.BytesIO(b"x"), "main.tf")},
                    content_type="multipart/form-data"),
    ):  # fmt: skip
        assert response.status_code == 503, response.json
        assert response.json["error"]["code"] == "service_unavailable"
    # Nothing was left behind by the failed upload.
    data = outage_app.extensions["tfquote"].settings.data_dir
    assert [p for p in data.rglob("*") if p.is_file()] == []

    own_redis.restart()
    assert client.get("/health/ready").status_code == 200
    assert client.get("/api/v1/jobs").status_code == 200
