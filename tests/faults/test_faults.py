"""Fault tests: poison jobs, time limits, cancellation with no worker running, graceful
shutdown of workers and gateway. Each test runs real processes against a private
Redis and an engine that takes 3 s to answer (so there is time to break things)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from tfquote import redis_server
from tfquote.devstack import (
    BIN,
    Service,
    service_env,
    start_gunicorn,
    start_service,
    wait_for,
)

pytestmark = pytest.mark.e2e

TF = b'resource "aws_eip" "ip" {}\n'
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED"}


class FaultStack:
    def __init__(self, redis_url: str, workdir: Path) -> None:
        self.workdir = workdir
        self.redis_url = redis_url
        self.engine_port = redis_server.free_port()
        self.gateway_port = redis_server.free_port()
        self.gateway_url = f"http://127.0.0.1:{self.gateway_port}"
        self.env = {
            "REDIS_URL": redis_url,
            "ENGINE_REDIS_URL": redis_url,
            "DATA_DIR": str(workdir / "data"),
            "ENGINE_URL": f"http://127.0.0.1:{self.engine_port}",
            "AUTH_ENABLED": "false",
            "RATE_LIMIT_JOBS": "100000/minute",
            "RATE_LIMIT_UPLOADS": "100000/minute",
            "RATE_LIMIT_READS": "100000/minute",
            "MAX_ATTEMPTS": "3",
            "HEARTBEAT_INTERVAL": "0.2",
            "LEASE_STALE_SECONDS": "1.5",
            "PENDING_STALE_SECONDS": "3",
            "RECONCILE_INTERVAL": "0.5",
            "RETRY_BACKOFF_BASE": "0.1",
            "RETRY_BACKOFF_MAX": "0.5",
            "ENGINE_READ_TIMEOUT": "20",
            "TASK_SOFT_TIME_LIMIT": "15",
            "TASK_HARD_TIME_LIMIT": "20",
            "BROKER_VISIBILITY_TIMEOUT": "30",
        }
        self.services: dict[str, Service] = {}
        self._workers = 0

    def start_engine(self) -> None:
        env = {
            **self.env,
            # Every estimate takes 3 s (the "timeout" fault sleeps, then answers).
            "ENGINE_FAULT_RATE": "1.0",
            "ENGINE_FAULT_KINDS": "timeout",
            "ENGINE_FAULT_TIMEOUT_SECONDS": "3",
        }
        self.services["engine"] = start_gunicorn(
            "fault-engine", "engine:create_app()", self.engine_port, env, self.workdir,
            extra=("--timeout", "60"),
        )  # fmt: skip

    def start_gateway(self) -> Service:
        service = start_gunicorn(
            "fault-gateway", "wsgi:app", self.gateway_port, self.env, self.workdir, threads=4,
            extra=("--graceful-timeout", "30"),
        )  # fmt: skip
        self.services["gateway"] = service
        return service

    def start_worker(self, **overrides: str) -> Service:
        self._workers += 1
        name = f"fault-worker{self._workers}"
        log = self.workdir / f"{name}.log"
        service = start_service(
            name,
            [str(BIN / "celery"), "-A", "workers", "worker", "--loglevel", "INFO",
             "--concurrency", "1", "-n", f"{name}@%h"],
            service_env({**self.env, **overrides}), self.workdir,
            lambda: log.exists() and f"{name}@" in log.read_text() and "ready." in log.read_text(),
        )  # fmt: skip
        return service

    def start_beat(self) -> Service:
        return start_service(
            "fault-beat",
            [str(BIN / "celery"), "-A", "workers", "beat", "--schedule",
             str(self.workdir / "beat-schedule")],
            service_env(self.env), self.workdir, lambda: True,
        )  # fmt: skip

    def upload(self) -> str:
        r = requests.post(f"{self.gateway_url}/api/v1/uploads", files={"file": ("main.tf", TF)},
                          timeout=10)  # fmt: skip
        assert r.status_code == 201, r.text
        return str(r.json()["upload_id"])

    def create_job(self, upload_id: str) -> str:
        r = requests.post(f"{self.gateway_url}/api/v1/jobs",
                          json={"upload_id": upload_id, "region": "us-east-1"}, timeout=10)  # fmt: skip
        assert r.status_code == 202, r.text
        return str(r.json()["job_id"])

    def job(self, job_id: str) -> dict[str, Any]:
        return dict(requests.get(f"{self.gateway_url}/api/v1/jobs/{job_id}", timeout=10).json())

    def wait_status(self, job_id: str, statuses: set[str], timeout: float = 60) -> dict[str, Any]:
        state: dict[str, Any] = {}

        def reached() -> bool:
            state.update(self.job(job_id))
            return state["status"] in statuses

        assert wait_for(reached, timeout=timeout, interval=0.1), state
        return state

    def engine_computed(self) -> int:
        return int(redis.Redis.from_url(self.redis_url).get("engine:stats:computed") or 0)


@pytest.fixture(scope="module")
def stack(redis_url: str, session_dir: Path) -> Iterator[FaultStack]:
    url = redis_url.rsplit("/", 1)[0] + "/7"
    redis.Redis.from_url(url).flushdb()
    workdir = session_dir / "faults"
    workdir.mkdir()
    fault_stack = FaultStack(url, workdir)
    fault_stack.start_engine()
    fault_stack.start_gateway()
    yield fault_stack
    for service in fault_stack.services.values():
        service.stop()


def broker_holds(redis_url: str, job_id: str) -> bool:
    client = redis.Redis.from_url(redis_url)
    in_queue = any(job_id.encode() in m for m in client.lrange("jobs", 0, -1))
    in_unacked = any(job_id.encode() in v for v in client.hvals("unacked"))
    return in_queue or in_unacked


def test_cancelled_while_no_worker_runs_is_never_submitted(stack: FaultStack) -> None:
    upload_id = stack.upload()
    before = stack.engine_computed()
    job_id = stack.create_job(upload_id)  # published; no worker is running
    assert (
        requests.delete(f"{stack.gateway_url}/api/v1/jobs/{job_id}", timeout=10).status_code == 204
    )
    worker = stack.start_worker()
    try:
        assert wait_for(lambda: not broker_holds(stack.redis_url, job_id), timeout=20)
        assert stack.job(job_id)["status"] == "CANCELLED"
        assert stack.engine_computed() == before
    finally:
        worker.stop()


def test_poison_job_ends_failed_and_leaves_queue_empty(stack: FaultStack) -> None:
    """A job that kills its worker process every time it runs."""
    worker = stack.start_worker()
    beat = stack.start_beat()
    store = redis.Redis.from_url(stack.redis_url)
    stop = threading.Event()
    killed: list[int] = []

    try:
        job_id = stack.create_job(stack.upload())

        def assassin() -> None:
            seen: set[str] = set()
            while not stop.is_set():
                owner = store.hget(f"tfq:job:{job_id}", "owner")
                status = store.hget(f"tfq:job:{job_id}", "status")
                if owner and status == b"RUNNING" and owner.decode() not in seen:
                    seen.add(owner.decode())
                    pid = int(owner.decode().split(":")[1])
                    try:
                        os.kill(pid, signal.SIGKILL)
                        killed.append(pid)
                    except ProcessLookupError:
                        pass
                time.sleep(0.05)

        thread = threading.Thread(target=assassin, daemon=True)
        thread.start()
        final = stack.wait_status(job_id, TERMINAL, timeout=90)
        stop.set()
        thread.join(5)
        assert final["status"] == "FAILED", final
        assert final["error"]["code"] == "max_attempts_exceeded"
        assert len(killed) == 3  # MAX_ATTEMPTS
        assert wait_for(lambda: not broker_holds(stack.redis_url, job_id), timeout=30)
    finally:
        stop.set()
        beat.stop()
        worker.stop()


def test_soft_time_limit_fails_job_and_cleans_up(stack: FaultStack) -> None:
    worker = stack.start_worker(
        TASK_SOFT_TIME_LIMIT="1", TASK_HARD_TIME_LIMIT="10", ENGINE_CONNECT_TIMEOUT="0.5"
    )
    try:
        job_id = stack.create_job(stack.upload())
        final = stack.wait_status(job_id, TERMINAL, timeout=30)
        assert final["status"] == "FAILED" and final["error"]["code"] == "job_timeout", final
        assert not (stack.workdir / "data" / "jobs" / job_id).exists()
        assert worker.proc.poll() is None  # the worker is still serving
    finally:
        worker.stop()


def test_sigterm_lets_the_running_job_finish(stack: FaultStack) -> None:
    worker = stack.start_worker()
    job_id = stack.create_job(stack.upload())
    stack.wait_status(job_id, {"RUNNING"}, timeout=20)
    worker.proc.send_signal(signal.SIGTERM)  # warm shutdown
    final = stack.wait_status(job_id, TERMINAL, timeout=30)
    assert final["status"] == "COMPLETED", final
    assert worker.proc.wait(30) == 0


def test_sigterm_to_gateway_finishes_inflight_upload(stack: FaultStack) -> None:
    gateway = stack.services["gateway"]
    sent = threading.Event()

    def body() -> Iterator[bytes]:
        boundary = b"----tfquote"
        yield (
            b"--"
            + boundary
            + b'\r\nContent-Disposition: form-data; name="file"; filename="main.tf"\r\n\r\n'
        )
        sent.set()
        time.sleep(1.0)  # the SIGTERM lands here
        yield TF + b"\r\n--" + boundary + b"--\r\n"

    result: dict[str, Any] = {}

    def upload() -> None:
        r = requests.post(
            f"{stack.gateway_url}/api/v1/uploads",
            data=body(),
            headers={"Content-Type": "multipart/form-data; boundary=----tfquote"},
            timeout=30,
        )
        result["status"] = r.status_code

    thread = threading.Thread(target=upload)
    thread.start()
    assert sent.wait(10)
    time.sleep(0.2)
    gateway.proc.send_signal(signal.SIGTERM)
    thread.join(30)
    assert result.get("status") == 201
    assert gateway.proc.wait(30) == 0
    stack.start_gateway()  # for any test after this one
