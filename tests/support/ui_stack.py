"""The stack the web page's browser tests run against: a private Redis database, the engine
behind a gate that can hold estimates (tests/support/gate.py), a celery worker and a
gunicorn gateway with authentication on; and what the tests ask of the API beside the page.

Shared by the Chromium tests (tests/e2e/test_ui_e2e.py) and the Firefox ones
(tests/e2e/test_ui_firefox_e2e.py), each on a Redis database of its own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
import requests

from gateway.auth import mint_token
from tests.support.gate import EngineGate
from tfquote import redis_server
from tfquote.devstack import BIN, service_env, start_gunicorn, start_service
from tfquote.settings import Settings

JWT_SECRET = "ui-e2e-secret-" + "k" * 32


def settings() -> Settings:
    return Settings.from_env(overrides={"AUTH_ENABLED": "true", "JWT_SECRET": JWT_SECRET})


@dataclass
class UIStack:
    url: str
    gate: EngineGate
    alice: str
    bob: str
    redis_url: str

    def api(self, method: str, path: str, *, token: str | None = None, **kwargs: Any) -> Any:
        token = self.alice if token is None else token
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def upload(self, files: list[tuple[str, bytes]], token: str | None = None) -> str:
        answer = self.api(
            "POST", "/api/v1/uploads", token=token, files=[("file", f) for f in files]
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["upload_id"])

    def job(self, job_id: str, token: str | None = None) -> dict[str, Any]:
        answer = self.api("GET", f"/api/v1/jobs/{job_id}", token=token)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def create(self, upload_id: str, options: dict[str, Any] | None = None) -> str:
        body: dict[str, Any] = {"upload_id": upload_id, "region": "us-east-1"}
        if options:
            body["options"] = options
        answer = self.api("POST", "/api/v1/jobs", json=body)
        assert answer.status_code == 202, answer.text
        return str(answer.json()["job_id"])

    def wait(self, job_id: str, statuses: set[str], timeout: float = 90) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if job["status"] in statuses or time.monotonic() > deadline:
                assert job["status"] in statuses, job
                return job
            time.sleep(0.1)

    def completed(
        self, files: list[tuple[str, bytes]], options: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return self.wait(self.create(self.upload(files), options), {"COMPLETED"})

    def job_ids(self, token: str | None = None) -> set[str]:
        answer = self.api("GET", "/api/v1/jobs", token=token, params={"limit": 100})
        return {job["job_id"] for job in answer.json()["items"]}


@contextmanager
def ui_stack(
    redis_url: str, engine_url: str, session_dir: Path, *, db: int, name: str
) -> Iterator[UIStack]:
    """Start the stack on Redis database `db` (flushed first); `name` keeps its logs apart."""
    db_url = redis_url.rsplit("/", 1)[0] + f"/{db}"
    redis.Redis.from_url(db_url).flushdb()
    gate = EngineGate(engine_url).start()
    env = {
        "REDIS_URL": db_url,
        "DATA_DIR": str(session_dir / f"{name}-data"),
        "ENGINE_URL": gate.url,
        "AUTH_ENABLED": "true",
        "JWT_SECRET": JWT_SECRET,
        "RATE_LIMIT_JOBS": "100000/minute",
        "RATE_LIMIT_UPLOADS": "100000/minute",
        "RATE_LIMIT_READS": "100000/minute",
        "MAX_ATTEMPTS": "3",
        "RETRY_BACKOFF_BASE": "0.2",
        "RETRY_BACKOFF_MAX": "1",
        "ENGINE_POLL_INTERVAL": "0.05",
        "LOG_LEVEL": "INFO",
    }
    log = session_dir / f"{name}-worker.log"
    marker = f"celery@tfquote-{name}"
    worker = start_service(
        f"{name}-worker",
        [str(BIN / "celery"), "-A", "workers", "worker", "--loglevel", "INFO",
         "--concurrency", "2", "--pool", "prefork", "-n", marker],
        service_env(env), session_dir,
        lambda: log.exists() and f"{marker} ready." in log.read_text(errors="replace"),
        timeout=90,
    )  # fmt: skip
    port = redis_server.free_port()
    gateway = start_gunicorn(
        f"{name}-gateway", "wsgi:app", port, env, session_dir, workers=1, threads=8
    )
    try:
        yield UIStack(
            url=f"http://127.0.0.1:{port}",
            gate=gate,
            alice=mint_token(settings(), "alice", ttl_seconds=3600),
            bob=mint_token(settings(), "bob", ttl_seconds=3600),
            redis_url=db_url,
        )
    finally:
        gate.release()
        gateway.stop()
        worker.stop(timeout=20)
        gate.close()
