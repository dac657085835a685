"""Chaos suite: nothing lost, nothing duplicated, while workers and Redis die.

Starts its own stack — Redis (appendonly on), the engine (failing a share of calls:
500s, timeouts, dropped connections), N celery workers, beat (the reconciler) and the
gateway — submits jobs the way a careful client does (same ``Idempotency-Key`` on
every retry), and meanwhile SIGKILLs worker pool children and worker main processes
at random (restarting them), and restarts Redis once. At the end it prints what
happened and whether the promise held:

- every accepted job COMPLETED, none lost;
- no duplicate downstream effect (the engine did each job's work once);
- no 5xx answer except 503 while Redis was down.

    python -m bench.chaos                 # 300 jobs
    python -m bench.chaos --jobs 1000     # the full run
    python -m bench.chaos --jobs 40 --json

Exit status 0 when the run passed, 1 when it did not.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

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

TERMINAL = {"COMPLETED", "FAILED", "CANCELLED"}
TF = b"""
resource "aws_instance" "app" {
  count         = 2
  instance_type = "t3.micro"
}
resource "aws_s3_bucket" "data" {}
"""


@dataclass
class ChaosConfig:
    jobs: int = 300
    workers: int = 2
    concurrency: int = 2
    fault_rate: float = 0.1
    kill_interval: float = 2.0
    redis_restart: bool = True
    submitters: int = 8
    # Submissions are paced so that the chaos (and the Redis restart, at 40% of the
    # submission window) happens while jobs are still arriving.
    submit_rate: float = 20.0
    timeout: float = 600.0
    seed: int | None = None


@dataclass
class ChaosReport:
    submitted: int = 0
    accepted: int = 0
    completed: int = 0
    failed: int = 0
    cancelled: int = 0
    lost: int = 0
    duplicate_effects: int = 0
    engine_computations: int = 0
    latency_p50_s: float = 0.0
    latency_p99_s: float = 0.0
    latency_max_s: float = 0.0
    http_status_counts: dict[str, int] = field(default_factory=dict)
    unexpected_5xx: int = 0
    kills_pool_child: int = 0
    kills_worker_main: int = 0
    # Workers that exited by themselves (Celery can, on a Redis restart) and were
    # restarted, as a supervisor (compose's restart policy) would.
    worker_exits: int = 0
    redis_restarts: int = 0
    failed_codes: dict[str, int] = field(default_factory=dict)
    # What ended each FAILED job (first 20): the evidence when a run does not pass.
    failed_jobs: dict[str, str] = field(default_factory=dict)
    duration_s: float = 0.0

    @property
    def passed(self) -> bool:
        return (
            self.accepted == self.submitted
            and self.completed == self.accepted
            and self.lost == 0
            and self.duplicate_effects == 0
            and self.unexpected_5xx == 0
        )


class Stack:
    """The processes under test, restartable one by one."""

    def __init__(self, config: ChaosConfig, workdir: Path) -> None:
        self.config = config
        self.workdir = workdir
        self.redis_port = redis_server.free_port()
        self.redis_dir = workdir / "redis"
        self.redis_proc: subprocess.Popen[bytes] | None = None
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.engine_port = redis_server.free_port()
        self.gateway_port = redis_server.free_port()
        self.gateway_url = f"http://127.0.0.1:{self.gateway_port}"
        self.services: dict[str, Service] = {}
        self.lock = threading.Lock()
        self.env = {
            "REDIS_URL": self.redis_url,
            "ENGINE_REDIS_URL": self.redis_url,
            "DATA_DIR": str(workdir / "data"),
            "ENGINE_URL": f"http://127.0.0.1:{self.engine_port}",
            "AUTH_ENABLED": "false",
            "RATE_LIMIT_JOBS": "1000000/minute",
            "RATE_LIMIT_UPLOADS": "1000000/minute",
            "RATE_LIMIT_READS": "1000000/minute",
            "LOG_LEVEL": os.environ.get("CHAOS_LOG_LEVEL", "WARNING"),
            # Enough attempts that chaos does not exhaust them; quick leases, retries
            # and repairs so a run takes minutes, not hours.
            "MAX_ATTEMPTS": "12",
            "HEARTBEAT_INTERVAL": "0.3",
            "LEASE_STALE_SECONDS": "2",
            "PENDING_STALE_SECONDS": "4",
            "RECONCILE_INTERVAL": "1",
            "TASK_SOFT_TIME_LIMIT": "9",
            "TASK_HARD_TIME_LIMIT": "12",
            "ENGINE_CONNECT_TIMEOUT": "1",
            "ENGINE_READ_TIMEOUT": "3",
            "RETRY_BACKOFF_BASE": "0.2",
            "RETRY_BACKOFF_MAX": "1",
            "BROKER_VISIBILITY_TIMEOUT": "20",
            "REDIS_SOCKET_TIMEOUT": "2",
        }

    def start_redis(self) -> None:
        self.redis_proc = redis_server.start(self.redis_port, self.redis_dir, appendonly=True)

    def stop_redis(self) -> None:
        if self.redis_proc is not None:
            self.redis_proc.terminate()  # SIGTERM: Redis flushes the AOF and exits
            self.redis_proc.wait(20)

    def start_engine(self) -> None:
        env = {
            **self.env,
            "ENGINE_FAULT_RATE": str(self.config.fault_rate),
            "ENGINE_FAULT_KINDS": "500,timeout,drop",
            "ENGINE_FAULT_TIMEOUT_SECONDS": "5",
        }
        self.services["engine"] = start_gunicorn(
            "engine", "engine:create_app()", self.engine_port, env, self.workdir,
            workers=2, threads=16, extra=("--timeout", "60"),
        )  # fmt: skip

    def worker_argv(self, index: int) -> list[str]:
        return [
            str(BIN / "celery"), "-A", "workers", "worker", "--loglevel", "WARNING",
            "--concurrency", str(self.config.concurrency), "-n", f"chaos{index}@%h",
        ]  # fmt: skip

    def start_worker(self, index: int) -> None:
        service = start_service(
            f"worker{index}", self.worker_argv(index), service_env(self.env), self.workdir,
            lambda: True,
        )  # fmt: skip
        self.services[f"worker{index}"] = service
        # Pool children exist once the worker is up (it logs "ready." only at INFO).
        wait_for(lambda: _children(service.proc.pid) != [], timeout=60, interval=0.1)

    def start_rest(self) -> None:
        self.services["beat"] = start_service(
            "beat",
            [str(BIN / "celery"), "-A", "workers", "beat", "--loglevel", "WARNING",
             "--schedule", str(self.workdir / "beat-schedule")],
            service_env(self.env), self.workdir, lambda: True,
        )  # fmt: skip
        self.services["gateway"] = start_gunicorn(
            "gateway", "wsgi:app", self.gateway_port, self.env, self.workdir,
            workers=2, threads=16, extra=("--timeout", "60"),
        )  # fmt: skip

    def start(self) -> None:
        self.start_redis()
        self.start_engine()
        for index in range(self.config.workers):
            self.start_worker(index)
        self.start_rest()

    def stop(self) -> None:
        for service in self.services.values():
            service.stop(timeout=15)
        self.stop_redis()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


class Chaos(threading.Thread):
    def __init__(self, stack: Stack, rng: random.Random, report: ChaosReport) -> None:
        super().__init__(name="chaos", daemon=True)
        self.stack, self.rng, self.report = stack, rng, report
        self.stop_event = threading.Event()
        self.redis_restart_at: float | None = None
        self.outages: list[tuple[float, float]] = []

    def run(self) -> None:
        config = self.stack.config
        while not self.stop_event.wait(self.rng.uniform(0.5, 1.5) * config.kill_interval):
            if self.redis_restart_at is not None and time.monotonic() >= self.redis_restart_at:
                self.redis_restart_at = None
                self.restart_redis()
                continue
            self.supervise()
            index = self.rng.randrange(config.workers)
            name = f"worker{index}"
            service = self.stack.services[name]
            if self.rng.random() < 0.7:
                children = _children(service.proc.pid)
                if children:
                    os.kill(self.rng.choice(children), signal.SIGKILL)
                    self.report.kills_pool_child += 1
            else:
                service.proc.send_signal(signal.SIGKILL)
                service.proc.wait(10)
                self.report.kills_worker_main += 1
                # Orphaned pool children finish what they hold and exit on their own.
                self.stack.start_worker(index)

    def supervise(self) -> None:
        for index in range(self.stack.config.workers):
            if self.stack.services[f"worker{index}"].proc.poll() is not None:
                self.report.worker_exits += 1
                try:
                    self.stack.start_worker(index)
                except RuntimeError:
                    pass  # it did not come up (yet): the next tick tries again

    def restart_redis(self) -> None:
        began = time.monotonic()
        self.stack.stop_redis()
        time.sleep(1.0)
        self.stack.start_redis()
        # 503s are expected while Redis is down and for the few seconds pools take to
        # notice it is back.
        self.outages.append((began, time.monotonic() + 5.0))
        self.report.redis_restarts += 1

    def during_outage(self, moment: float) -> bool:
        return any(start <= moment <= end for start, end in self.outages)


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run(config: ChaosConfig) -> ChaosReport:
    rng = random.Random(config.seed)
    report = ChaosReport()
    statuses: Counter[str] = Counter()
    answers_503: list[float] = []
    status_lock = threading.Lock()
    workdir = Path(tempfile.mkdtemp(prefix="tfquote-chaos-"))
    stack = Stack(config, workdir)
    run_id = f"{time.time_ns():x}"
    started = time.monotonic()
    stack.start()
    chaos = Chaos(stack, rng, report)
    try:
        session = requests.Session()
        upload = session.post(
            f"{stack.gateway_url}/api/v1/uploads", files={"file": ("main.tf", TF)}, timeout=30
        )
        upload.raise_for_status()
        upload_id = upload.json()["upload_id"]

        submitted_at: dict[int, float] = {}
        job_ids: dict[int, str] = {}

        window_start = time.monotonic()

        def submit(i: int) -> None:
            key = f"chaos-{run_id}-{i}"
            time.sleep(max(0.0, window_start + i / config.submit_rate - time.monotonic()))
            submitted_at[i] = time.monotonic()
            deadline = time.monotonic() + 120
            with requests.Session() as s:
                while time.monotonic() < deadline:
                    try:
                        r = s.post(
                            f"{stack.gateway_url}/api/v1/jobs",
                            json={"upload_id": upload_id, "region": "us-east-1"},
                            headers={"Idempotency-Key": key},
                            timeout=10,
                        )
                    except requests.RequestException:
                        with status_lock:
                            statuses["connection_error"] += 1
                        time.sleep(0.2)
                        continue
                    with status_lock:
                        statuses[str(r.status_code)] += 1
                        if r.status_code == 503:
                            answers_503.append(time.monotonic())
                        elif r.status_code >= 500:
                            report.unexpected_5xx += 1
                    if r.status_code in (200, 202):
                        job_ids[i] = r.json()["job_id"]
                        return
                    time.sleep(0.2)

        report.submitted = config.jobs
        window = config.jobs / config.submit_rate
        chaos.redis_restart_at = (
            time.monotonic() + max(2.0, 0.4 * window) if config.redis_restart else None
        )

        # Observe the store directly (the harness is an observer, not a client), from the
        # first submission on, so latencies are submit-to-done, not submit-to-end-of-run.
        observer = redis.Redis.from_url(stack.redis_url, socket_timeout=2)
        done_at: dict[int, float] = {}
        final: dict[int, str] = {}
        codes: Counter[str] = Counter()
        submitting = threading.Event()
        submitting.set()
        deadline = time.monotonic() + window + config.timeout

        def observe() -> None:
            while time.monotonic() < deadline:
                waiting = [i for i in list(job_ids) if i not in final]
                if not waiting and not submitting.is_set():
                    return
                try:
                    pipe = observer.pipeline(transaction=False)
                    for i in waiting:
                        pipe.hmget(f"tfq:job:{job_ids[i]}", "status", "error_code")
                    rows = pipe.execute() if waiting else []
                except redis.RedisError:
                    time.sleep(0.5)
                    continue
                now = time.monotonic()
                for i, (status, code) in zip(waiting, rows, strict=True):
                    if status is not None and status.decode() in TERMINAL:
                        final[i] = status.decode()
                        done_at[i] = now
                        if code:
                            codes[code.decode()] += 1
                time.sleep(0.1)

        watcher = threading.Thread(target=observe, name="observer", daemon=True)
        watcher.start()
        chaos.start()
        with ThreadPoolExecutor(config.submitters) as pool:
            list(pool.map(submit, range(config.jobs)))
        report.accepted = len(job_ids)
        submitting.clear()
        watcher.join(window + config.timeout + 5)
        chaos.stop_event.set()
        chaos.join(30)

        counts = Counter(final.values())
        report.completed = counts["COMPLETED"]
        report.failed = counts["FAILED"]
        report.cancelled = counts["CANCELLED"]
        report.lost = len(job_ids) - len(final)
        report.failed_codes = dict(codes)
        for job_id in [job_ids[i] for i, status in final.items() if status == "FAILED"][:20]:
            code, message, attempts = observer.hmget(
                f"tfq:job:{job_id}", "error_code", "error_message", "attempts"
            )
            report.failed_jobs[job_id] = (
                f"{(code or b'').decode()} after {(attempts or b'0').decode()} attempts: "
                f"{(message or b'').decode()}"
            )
        latencies = [done_at[i] - submitted_at[i] for i in done_at]
        report.latency_p50_s = round(statistics.median(latencies), 3) if latencies else 0.0
        report.latency_p99_s = round(_percentile(latencies, 0.99), 3)
        report.latency_max_s = round(max(latencies, default=0.0), 3)

        # Every estimate in this private Redis is ours; "computed" counts how often the
        # engine really did the work for one Idempotency-Key.
        for key in observer.scan_iter(match="engine:estimate:*", count=500):
            count = int(observer.hget(key, "computed") or 0)
            report.engine_computations += count
            report.duplicate_effects += max(0, count - 1)
        report.http_status_counts = dict(statuses)
        report.unexpected_5xx += sum(1 for t in answers_503 if not chaos.during_outage(t))
    finally:
        chaos.stop_event.set()
        stack.stop()
        report.duration_s = round(time.monotonic() - started, 1)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.chaos", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--kill-interval", type=float, default=2.0)
    parser.add_argument("--submit-rate", type=float, default=20.0, help="jobs per second")
    parser.add_argument("--no-redis-restart", action="store_true")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    config = ChaosConfig(
        jobs=args.jobs,
        workers=args.workers,
        concurrency=args.concurrency,
        fault_rate=args.fault_rate,
        kill_interval=args.kill_interval,
        submit_rate=args.submit_rate,
        redis_restart=not args.no_redis_restart,
        timeout=args.timeout,
        seed=args.seed,
    )
    report = run(config)
    data: dict[str, Any] = {**asdict(report), "passed": report.passed}
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        width = max(len(k) for k in data)
        for key, value in data.items():
            print(f"{key:<{width}}  {value}")
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
