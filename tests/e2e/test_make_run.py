"""`make run` survives what production survives: restart Redis under it, and a job
still completes without anyone touching the terminal (every process that exits is
restarted by the supervisor, with backoff, and the restart is logged)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
import requests

from tfquote.devstack import ROOT, wait_for
from tfquote.redis_server import free_port

pytestmark = pytest.mark.e2e

MAIN_TF = b'resource "aws_instance" "web" {\n  instance_type = "t3.micro"\n}\n'


@dataclass
class Stack:
    proc: subprocess.Popen[bytes]
    log_path: Path
    gateway: str
    redis_port: int

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def make_run(tmp_path: Path) -> Iterator[Stack]:
    ports = {name: free_port() for name in ("REDIS_PORT", "GATEWAY_PORT", "ENGINE_PORT",
                                            "FLOWER_PORT")}  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "ENGINE_REDIS_URL"}}
    env.update({name: str(port) for name, port in ports.items()})
    env.update({"DATA_DIR": str(tmp_path / "data"), "LOG_FORMAT": "text",
                "WORKER_CONCURRENCY": "2", "GATEWAY_WORKERS": "1"})  # fmt: skip
    log_path = tmp_path / "make-run.log"
    with log_path.open("wb") as log:
        # Its own process group: the test stops it as Ctrl-C in a terminal would.
        proc = subprocess.Popen(
            ["make", "--no-print-directory", "run"], cwd=ROOT, env=env, stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    stack = Stack(proc, log_path, f"http://127.0.0.1:{ports['GATEWAY_PORT']}", ports["REDIS_PORT"])
    try:
        yield stack
    finally:
        family = [proc.pid]
        try:
            family += [p.pid for p in psutil.Process(proc.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            pass
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            pass
        for pid in family:  # whatever did not stop in time
            try:
                psutil.Process(pid).kill()
            except psutil.NoSuchProcess:
                pass


def ready(base: str) -> bool:
    try:
        return requests.get(f"{base}/health/ready", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def run_job(base: str, timeout: float) -> dict[str, object]:
    """Upload, create a job and wait for it, retrying through 503s as a client would."""
    deadline = time.monotonic() + timeout
    job_id = None
    while time.monotonic() < deadline:
        try:
            if job_id is None:
                files = {"file": ("main.tf", MAIN_TF)}
                up = requests.post(f"{base}/api/v1/uploads", files=files, timeout=10)
                if up.status_code != 201:
                    raise requests.RequestException(up.text)
                created = requests.post(
                    f"{base}/api/v1/jobs", json={"upload_id": up.json()["upload_id"],
                                                 "region": "us-east-1"},
                    headers={"Idempotency-Key": "make-run-" + up.json()["upload_id"]}, timeout=10,
                )  # fmt: skip
                if created.status_code != 202:
                    raise requests.RequestException(created.text)
                job_id = created.json()["job_id"]
            job = requests.get(f"{base}/api/v1/jobs/{job_id}", timeout=10).json()
            if job.get("status") in {"COMPLETED", "FAILED", "CANCELLED"}:
                return dict(job)
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not finish in {timeout}s")


def test_make_run_survives_a_redis_restart(make_run: Stack) -> None:
    assert wait_for(lambda: ready(make_run.gateway), timeout=120, interval=0.5), make_run.logs()
    assert run_job(make_run.gateway, 60)["status"] == "COMPLETED", make_run.logs()[-4000:]

    # Redis restarts (here: it exits, having saved its data); the supervisor starts it again.
    # (A raw SHUTDOWN: redis-py would retry the command on the lost connection, and
    # shut the restarted server down as well.)
    with socket.create_connection(("127.0.0.1", make_run.redis_port), timeout=5) as sock:
        sock.sendall(b"SHUTDOWN\r\n")
        sock.recv(64)  # the connection closes as the server goes
    restarted = re.compile(r"^\S+ redis +\| exited with code .*; restarting in", re.M)
    assert wait_for(lambda: bool(restarted.search(make_run.logs())), timeout=30), make_run.logs()

    job = run_job(make_run.gateway, 180)
    assert job["status"] == "COMPLETED", (job, make_run.logs()[-6000:])

    # The worker's main process exits (as it can when Redis restarts under it).
    pid = int(re.findall(r"^\S+ worker +\| started with pid (\d+)", make_run.logs(), re.M)[-1])
    os.killpg(pid, signal.SIGKILL)
    job = run_job(make_run.gateway, 180)
    assert job["status"] == "COMPLETED", (job, make_run.logs()[-6000:])
    assert re.search(
        r"^\S+ worker +\| exited with code -9 .*; restarting in", make_run.logs(), re.M
    )
    assert make_run.proc.poll() is None, "make run stopped"
