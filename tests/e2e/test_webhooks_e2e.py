"""Completion webhooks through real processes: a stack of its own (gateway, a worker, beat
for the sweeper, an engine that takes 2 s per estimate so there is time to kill workers)
on its own Redis database, with a receiver on loopback that checks every signature."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from tfquote import redis_server
from tfquote.devstack import BIN, Service, service_env, start_gunicorn, start_service, wait_for
from tfquote.jobs import JobStore
from tfquote.tasks import SWEEP_WEBHOOKS
from tfquote.webhooks import verify

pytestmark = pytest.mark.e2e

SECRET = "whsec-test-0123456789abcdef0123456789"
TF = b'resource "aws_eip" "ip" {}\n'
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED"}


class Receiver:
    """An HTTP receiver on loopback. `script` is the statuses to answer in turn (then 200);
    every request is recorded with whether its signature verified."""

    def __init__(self) -> None:
        self.deliveries: list[dict[str, Any]] = []
        self.script: list[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                signed = verify(SECRET, body, self.headers.get("X-Tfquote-Signature", ""))
                with receiver.lock:
                    status = receiver.script.pop(0) if receiver.script else 200
                    receiver.deliveries.append(
                        {
                            "path": self.path,
                            "signed": signed,
                            "event": self.headers.get("X-Tfquote-Event"),
                            "delivery": self.headers.get("X-Tfquote-Delivery"),
                            "body": json.loads(body),
                            "status": status,
                        }
                    )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def accepted(self, job_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                d
                for d in self.deliveries
                if d["body"]["job"]["job_id"] == job_id and 200 <= d["status"] < 300
            ]

    def close(self) -> None:
        self.server.shutdown()


class WebhookStack:
    def __init__(self, redis_url: str, workdir: Path) -> None:
        self.workdir = workdir
        self.redis_url = redis_url
        engine_port = redis_server.free_port()
        self.gateway_port = redis_server.free_port()
        self.gateway_url = f"http://127.0.0.1:{self.gateway_port}"
        self.env = {
            "REDIS_URL": redis_url,
            "ENGINE_REDIS_URL": redis_url,
            "DATA_DIR": str(workdir / "data"),
            "ENGINE_URL": f"http://127.0.0.1:{engine_port}",
            "AUTH_ENABLED": "false",
            "RATE_LIMIT_JOBS": "100000/minute",
            "RATE_LIMIT_UPLOADS": "100000/minute",
            "RATE_LIMIT_READS": "100000/minute",
            "MAX_ATTEMPTS": "3",
            "HEARTBEAT_INTERVAL": "0.2",
            "LEASE_STALE_SECONDS": "1.5",
            "RECONCILE_INTERVAL": "0.5",
            "RETRY_BACKOFF_BASE": "0.1",
            "RETRY_BACKOFF_MAX": "0.5",
            "ENGINE_POLL_INTERVAL": "0.05",
            "PUBLIC_URL": self.gateway_url,
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_ALLOW_HTTP": "true",
            "WEBHOOK_ALLOW_PRIVATE": "true",
            "WEBHOOK_TIMEOUT": "2",
            "WEBHOOK_RETRY_BASE": "0.3",
            "WEBHOOK_RETRY_MAX": "1",
            "WEBHOOK_SWEEP_INTERVAL": "1",
        }
        self.services: list[Service] = []
        self.services.append(start_gunicorn(
            "wh-engine", "engine:create_app()", engine_port,
            {**self.env, "ENGINE_FAULT_RATE": "1.0", "ENGINE_FAULT_KINDS": "timeout",
             "ENGINE_FAULT_TIMEOUT_SECONDS": "2"},
            workdir, extra=("--timeout", "60"),
        ))  # fmt: skip
        self.services.append(start_gunicorn("wh-gateway", "wsgi:app", self.gateway_port,
                                            self.env, workdir))  # fmt: skip
        self.worker = self.start_worker()
        self.services.append(start_service(
            "wh-beat",
            [str(BIN / "celery"), "-A", "workers", "beat", "--schedule",
             str(workdir / "beat-schedule")],
            service_env(self.env), workdir, lambda: True,
        ))  # fmt: skip

    def start_worker(self) -> Service:
        log = self.workdir / "wh-worker.log"
        log.unlink(missing_ok=True)
        return start_service(
            "wh-worker",
            [str(BIN / "celery"), "-A", "workers", "worker", "--loglevel", "INFO",
             "--concurrency", "2", "-n", "wh-worker@%h"],
            service_env(self.env), self.workdir,
            lambda: log.exists() and "ready." in log.read_text(errors="replace"),
            timeout=90,
        )  # fmt: skip

    def job(self, options: dict[str, Any]) -> str:
        up = requests.post(f"{self.gateway_url}/api/v1/uploads",
                           files={"file": ("main.tf", TF)}, timeout=10)  # fmt: skip
        assert up.status_code == 201, up.text
        response = requests.post(
            f"{self.gateway_url}/api/v1/jobs",
            json={"upload_id": up.json()["upload_id"], "region": "us-east-1", "options": options},
            timeout=10,
        )
        assert response.status_code == 202, response.text
        return str(response.json()["job_id"])

    def get(self, job_id: str) -> dict[str, Any]:
        return dict(requests.get(f"{self.gateway_url}/api/v1/jobs/{job_id}", timeout=10).json())

    def wait(self, job_id: str, check: Any, timeout: float = 60) -> dict[str, Any]:
        state: dict[str, Any] = {}

        def done() -> bool:
            state.clear()
            state.update(self.get(job_id))
            return bool(check(state))

        assert wait_for(done, timeout=timeout, interval=0.1), state
        return state

    def stop(self) -> None:
        self.worker.stop()
        for service in reversed(self.services):
            service.stop()


@pytest.fixture(scope="module")
def stack(redis_url: str, session_dir: Path) -> Iterator[WebhookStack]:
    url = redis_url.rsplit("/", 1)[0] + "/8"
    redis.Redis.from_url(url).flushdb()
    workdir = session_dir / "webhooks"
    workdir.mkdir()
    built = WebhookStack(url, workdir)
    yield built
    built.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    built = Receiver()
    yield built
    built.close()


def delivered(state: dict[str, Any]) -> bool:
    return bool(state["status"] in TERMINAL and (state.get("webhook") or {}).get("delivered_at"))


def test_completed_job_is_delivered_once_and_signed(
    stack: WebhookStack, receiver: Receiver
) -> None:
    job_id = stack.job({"webhook_url": receiver.url + "/hooks/tfquote"})
    job = stack.wait(job_id, delivered)
    assert job["status"] == "COMPLETED"
    assert job["webhook"]["attempts"] == 1 and job["webhook"]["last_status"] == 200
    assert job["webhook"]["event"] == "job.completed"
    time.sleep(1.5)  # a duplicate would have arrived by now (sweeper every second)
    [delivery] = receiver.accepted(job_id)
    assert delivery["signed"] and delivery["path"] == "/hooks/tfquote"
    assert (
        delivery["event"] == "job.completed" and delivery["delivery"] == f"{job_id}:job.completed"
    )
    body = delivery["body"]
    assert body["event"] == "job.completed" and "result" not in body["job"]
    assert body["job"]["status"] == "COMPLETED" and body["job"]["job_id"] == job_id
    assert body["report_url"] == f"{stack.gateway_url}/api/v1/jobs/{job_id}/report?format=markdown"
    assert requests.get(body["report_url"], timeout=10).status_code == 200


def test_a_failing_receiver_gets_the_event_again_until_it_accepts(
    stack: WebhookStack, receiver: Receiver
) -> None:
    receiver.script = [503, 500]
    job_id = stack.job({"webhook_url": receiver.url})
    job = stack.wait(job_id, delivered, timeout=60)
    assert job["webhook"]["attempts"] == 3 and job["webhook"]["last_status"] == 200
    with receiver.lock:
        statuses = [
            d["status"] for d in receiver.deliveries if d["body"]["job"]["job_id"] == job_id
        ]
    assert statuses == [503, 500, 200]
    assert len(receiver.accepted(job_id)) == 1


def test_a_hanging_receiver_never_holds_up_jobs(stack: WebhookStack, receiver: Receiver) -> None:
    import socket

    silent = socket.socket()  # accepts connections, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    try:
        hung = [stack.job({"webhook_url": f"http://127.0.0.1:{silent.getsockname()[1]}/"})
                for _ in range(2)]  # fmt: skip
        for job_id in hung:
            assert stack.wait(job_id, lambda s: s["status"] in TERMINAL)["status"] == "COMPLETED"
        started = time.monotonic()
        plain = stack.job({"webhook_url": receiver.url})
        stack.wait(plain, delivered, timeout=30)
        # Two hanging deliveries at 2 s each at most: the next job is not held behind them.
        assert time.monotonic() - started < 15
        retried = stack.get(hung[0])["webhook"]
        assert retried["delivered_at"] is None
    finally:
        silent.close()


def test_cancelled_job_sends_job_cancelled(stack: WebhookStack, receiver: Receiver) -> None:
    job_id = stack.job({"webhook_url": receiver.url})
    assert (
        requests.delete(f"{stack.gateway_url}/api/v1/jobs/{job_id}", timeout=10).status_code == 204
    )
    job = stack.wait(job_id, delivered)
    if job["status"] == "COMPLETED":
        pytest.skip("the worker finished the job before the cancel")
    assert job["status"] == "CANCELLED" and job["webhook"]["event"] == "job.cancelled"
    assert [d["event"] for d in receiver.accepted(job_id)] == ["job.cancelled"]


def test_one_delivery_per_event_across_worker_kills(
    stack: WebhookStack, receiver: Receiver
) -> None:
    """Kill the worker process running each job once (the job runs again elsewhere and
    completes once), and one job every time (it ends FAILED by the claim that runs out of
    attempts): each job's receiver sees its one event exactly once."""
    store = redis.Redis.from_url(stack.redis_url)
    jobs = [stack.job({"webhook_url": receiver.url}) for _ in range(4)]
    poison = jobs[0]
    stop = threading.Event()
    killed: Counter[str] = Counter()

    def assassin() -> None:
        seen: set[str] = set()
        while not stop.is_set():
            for job_id in jobs:
                owner = (store.hget(f"tfq:job:{job_id}", "owner") or b"").decode()
                status = store.hget(f"tfq:job:{job_id}", "status")
                if status != b"RUNNING" or not owner or owner in seen:
                    continue
                if killed[job_id] and job_id != poison:
                    continue
                seen.add(owner)
                try:
                    os.kill(int(owner.split(":")[1]), signal.SIGKILL)
                    killed[job_id] += 1
                except ProcessLookupError:
                    pass
            time.sleep(0.05)

    thread = threading.Thread(target=assassin, daemon=True)
    thread.start()
    try:
        finals = {job_id: stack.wait(job_id, delivered, timeout=120) for job_id in jobs}
    finally:
        stop.set()
        thread.join(5)
    assert finals[poison]["status"] == "FAILED"
    assert finals[poison]["error"]["code"] == "max_attempts_exceeded"
    assert all(finals[j]["status"] == "COMPLETED" for j in jobs[1:]), finals
    assert all(killed[j] >= 1 for j in jobs)
    time.sleep(2)  # room for any duplicate (the sweeper runs every second)
    for job_id in jobs:
        events = [d["event"] for d in receiver.accepted(job_id)]
        assert events == ["job.failed" if job_id == poison else "job.completed"], (job_id, events)
        assert all(d["signed"] for d in receiver.accepted(job_id))


def test_the_sweeper_sends_what_a_dead_publisher_never_did(
    stack: WebhookStack, receiver: Receiver
) -> None:
    """A worker that died between completing a job and publishing its webhook: the terminal
    transition registered the event, and the sweeper (beat) publishes it."""
    client = redis.Redis.from_url(stack.redis_url)
    jobs = JobStore(client, ttl_seconds=3600)
    outcome = jobs.create(tenant="anonymous", upload_id="0" * 32, region="us-east-1",
                          fingerprint="x", options={"webhook_url": receiver.url})  # fmt: skip
    job_id = outcome.job.job_id
    # Claimed and completed straight in the store, never through a task: nobody publishes.
    claimed = jobs.claim(job_id, max_attempts=3, owner="ghost:1:x")
    assert claimed is not None
    jobs.complete(
        job_id, {"estimate": {"totalMonthlyCost": "0", "projects": []}}, owner="ghost:1:x"
    )
    assert client.zscore("tfq:webhooks:due", f"{job_id}|job.completed") is not None
    job = stack.wait(job_id, delivered, timeout=30)
    assert job["webhook"]["attempts"] == 1
    assert [d["event"] for d in receiver.accepted(job_id)] == ["job.completed"]
    # Sending the sweep by hand changes nothing once delivered.
    from celery import Celery

    app = Celery(broker=stack.redis_url)
    app.send_task(SWEEP_WEBHOOKS, queue="webhooks")
    time.sleep(1.5)
    assert len(receiver.accepted(job_id)) == 1
    assert client.zscore("tfq:webhooks:due", f"{job_id}|job.completed") is None
