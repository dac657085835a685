"""Benchmark 2, the pipeline: small jobs end to end — created through the gateway
(``POST /api/v1/jobs``), claimed by a tfquote worker that unpacks the upload, packs the
bundle, submits it to a no-op engine (`bench.noop_engine`) and writes COMPLETED —
against raw Celery no-op tasks (`bench.celery_noop`) through the same broker, with the
same worker settings (pool, concurrency, ``celery_config``, events on).

Each side, in interleaved rounds, runs:

- a **drain**: its worker stops consuming (Celery remote control ``cancel_consumer``),
  N jobs / tasks are queued, the worker resumes (``add_consumer``), and throughput is
  the pace from the first to the last one done. This is the worker pipeline's
  capacity; the cost of creating a job through the API is benchmark 1's subject.
- a **paced** run: M jobs / tasks submitted at a steady rate below capacity (jobs
  through the gateway API), reporting submit-to-done p50 / p99 — the latency a client
  sees when the system is not saturated.

    python -m bench pipeline [--quick] [--jobs 300] [--rounds 3] [--rate 40]
                             [--concurrency 4] [--pool prefork]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import redis
from celery import Celery

from bench.celery_noop import DONE_KEY, NOOP_QUEUE, NOOP_TASK
from bench.common import (
    DEFAULT_CELERY_CONCURRENCY,
    DEFAULT_CELERY_POOL,
    BenchReport,
    Check,
    RedisProcess,
    ServerSettings,
    ab_rounds,
    bench_main,
    bench_token,
    children,
    cpu_seconds,
    create_upload,
    free_port,
    gateway_env,
    median,
    paired_ratios,
    percentile,
    server_from_args,
    set_given,
    start_celery_worker,
    start_gunicorn,
    start_parallel,
    workdir,
)
from bench.loadgen import build_request, run_batch
from tfquote.devstack import BIN, http_ok, service_env, start_service
from tfquote.tasks import JOBS_QUEUE

THROUGHPUT_TARGET = 0.5  # project jobs/s >= 0.5 x raw Celery tasks/s
TERMINAL = (b"COMPLETED", b"FAILED", b"CANCELLED")
PROJECT_WORKER = "worker@bench"
NOOP_WORKER = "noop-worker@bench"


@dataclass
class PipelineConfig:
    jobs: int = 300  # per drain run
    paced_jobs: int = 100  # per paced run
    rate: float = 40.0  # jobs per second in paced runs
    rounds: int = 3
    submitters: int = 4  # client connections posting jobs to the gateway
    concurrency: int = DEFAULT_CELERY_CONCURRENCY
    pool: str = DEFAULT_CELERY_POOL
    server: ServerSettings = field(default_factory=ServerSettings)
    timeout: float = 180.0
    keep_workdir: bool = False

    @classmethod
    def quick(cls) -> PipelineConfig:
        return cls(jobs=120, paced_jobs=40, rounds=2)


@dataclass
class PipelineRun:
    """One drain and one paced run of one side."""

    drain_count: int
    drain_s: float
    latencies: list[float]  # paced run, submit-to-done, seconds
    failed: int
    submit_per_s: float = 0.0  # drain run: how fast the jobs were queued
    cpu_ms_per_job: float = 0.0  # drain run: CPU of the worker, Redis and engine per job

    @property
    def throughput(self) -> float:
        return self.drain_count / self.drain_s if self.drain_s > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "drain_per_s": round(self.throughput, 1),
            "drain_s": round(self.drain_s, 3),
            "paced_p50_ms": round(percentile(self.latencies, 0.5) * 1000, 1),
            "paced_p99_ms": round(percentile(self.latencies, 0.99) * 1000, 1),
            "failed": self.failed,
            "cpu_ms_per_job": round(self.cpu_ms_per_job, 3),
            **({"queued_per_s": round(self.submit_per_s, 1)} if self.submit_per_s else {}),
        }


def _drain_seconds(done: dict[str, float]) -> float:
    """Time for len(done) completions at the observed pace: from the first to the last
    one done, scaled by n / (n - 1). Leaves out how long the resume command took to
    reach the worker, the same way for both sides."""
    n = len(done)
    span = max(done.values()) - min(done.values())
    return span * n / (n - 1) if n > 1 else span


def _iso_to_epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class _Pipeline:
    def __init__(
        self,
        config: PipelineConfig,
        redis_url: str,
        gateway_url: str,
        cpu_pids: dict[str, Callable[[], list[int]]],
    ) -> None:
        self.config = config
        # Processes whose CPU a side's drain is charged with (worker pool, Redis, engine):
        # a reading other tenants of the machine disturb less than jobs/s.
        self.cpu_pids = cpu_pids
        self.store = redis.Redis.from_url(redis_url)
        self.gateway_url = gateway_url
        self.token = bench_token()
        self.upload_id = create_upload(gateway_url, self.token)
        self.producer = Celery("bench-producer", set_as_current=False)
        self.producer.conf.update(broker_url=redis_url, task_serializer="json")
        self.runs = iter(range(1_000_000))

    # -- consumers on and off (Celery remote control)
    def pause(self, worker: str, queue: str) -> None:
        self.producer.control.cancel_consumer(queue, destination=[worker], reply=True, timeout=10)
        # A BRPOP already waiting (1 s timeout) may still take one message: let it lapse.
        time.sleep(1.1)

    def resume(self, worker: str, queue: str) -> None:
        self.producer.control.add_consumer(queue, destination=[worker], reply=True, timeout=10)

    # -- project: jobs through the gateway; done = the job record says so
    def submit_jobs(self, count: int, rate: float | None) -> dict[str, float]:
        tag = f"{time.time_ns():x}-{next(self.runs)}"
        host = self.gateway_url.split("//", 1)[1]
        body = json.dumps({"upload_id": self.upload_id, "region": "us-east-1"}).encode()
        batch = [
            build_request(
                "POST",
                host,
                "/api/v1/jobs",
                body=body,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"pipe-{tag}-{i}",
                },
            )
            for i in range(count)
        ]
        answers = run_batch(self.gateway_url, batch, connections=self.config.submitters, rate=rate)
        submitted: dict[str, float] = {}
        for answer in answers:
            if answer.status != 202:
                raise RuntimeError(f"job submission answered {answer.status}: {answer.body!r}")
            submitted[json.loads(answer.body)["job_id"]] = answer.sent_at
        return submitted

    def wait_jobs(self, submitted: dict[str, float]) -> tuple[dict[str, float], int]:
        done: dict[str, float] = {}
        failed = 0
        deadline = time.monotonic() + self.config.timeout
        waiting = list(submitted)
        while waiting and time.monotonic() < deadline:
            pipe = self.store.pipeline(transaction=False)
            for job_id in waiting:
                pipe.hmget(f"tfq:job:{job_id}", "status", "finished_at")
            rows = pipe.execute()
            still = []
            for job_id, (status, finished_at) in zip(waiting, rows, strict=True):
                if status in TERMINAL and finished_at:
                    done[job_id] = _iso_to_epoch(finished_at.decode())
                    failed += status != b"COMPLETED"
                else:
                    still.append(job_id)
            waiting = still
            if waiting:
                time.sleep(0.05)
        if waiting:
            raise RuntimeError(f"{len(waiting)} jobs did not finish in {self.config.timeout}s")
        return done, failed

    # -- raw: send_task straight to the broker; done = the task's own HSET
    def submit_tasks(self, count: int, rate: float | None) -> dict[str, float]:
        submitted: dict[str, float] = {}
        tag = f"{time.time_ns():x}-{next(self.runs)}"
        start = time.perf_counter()
        for i in range(count):
            if rate:
                time.sleep(max(0.0, start + i / rate - time.perf_counter()))
            task_id = f"noop-{tag}-{i}"
            submitted[task_id] = time.time()
            self.producer.send_task(NOOP_TASK, task_id=task_id, queue=NOOP_QUEUE)
        return submitted

    def wait_tasks(self, submitted: dict[str, float]) -> tuple[dict[str, float], int]:
        deadline = time.monotonic() + self.config.timeout
        while time.monotonic() < deadline:
            pipe = self.store.pipeline(transaction=False)
            for task_id in submitted:
                pipe.hget(DONE_KEY, task_id)
            values = pipe.execute()
            if all(v is not None for v in values):
                return {k: float(v) for k, v in zip(submitted, values, strict=True)}, 0
            time.sleep(0.05)
        raise RuntimeError("no-op tasks did not finish in time")

    # -- one side's round: a drain, then a paced run
    def run_project(self) -> PipelineRun:
        self.pause(PROJECT_WORKER, JOBS_QUEUE)
        began = time.time()
        queued = self.submit_jobs(self.config.jobs, None)
        submit_per_s = len(queued) / (time.time() - began)
        cpu_before = cpu_seconds(self.cpu_pids["project"]())
        self.resume(PROJECT_WORKER, JOBS_QUEUE)
        done, failed = self.wait_jobs(queued)
        cpu_ms = (cpu_seconds(self.cpu_pids["project"]()) - cpu_before) * 1000 / len(done)
        drain_s = _drain_seconds(done)
        paced = self.submit_jobs(self.config.paced_jobs, self.config.rate)
        paced_done, paced_failed = self.wait_jobs(paced)
        latencies = [paced_done[k] - paced[k] for k in paced]
        return PipelineRun(
            len(done), drain_s, latencies, failed + paced_failed, submit_per_s, cpu_ms
        )

    def run_raw(self) -> PipelineRun:
        self.store.delete(DONE_KEY)
        self.pause(NOOP_WORKER, NOOP_QUEUE)
        queued = self.submit_tasks(self.config.jobs, None)
        cpu_before = cpu_seconds(self.cpu_pids["raw"]())
        self.resume(NOOP_WORKER, NOOP_QUEUE)
        done, _ = self.wait_tasks(queued)
        cpu_ms = (cpu_seconds(self.cpu_pids["raw"]()) - cpu_before) * 1000 / len(done)
        drain_s = _drain_seconds(done)
        paced = self.submit_tasks(self.config.paced_jobs, self.config.rate)
        paced_done, _ = self.wait_tasks(paced)
        latencies = [paced_done[k] - paced[k] for k in paced]
        return PipelineRun(len(done), drain_s, latencies, 0, cpu_ms_per_job=cpu_ms)

    def settle(self) -> None:
        """Wait until both queues are empty, so one run never overlaps the next."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.store.llen(JOBS_QUEUE) == 0 and self.store.llen(NOOP_QUEUE) == 0:
                break
            time.sleep(0.05)
        time.sleep(0.2)


def run(config: PipelineConfig) -> BenchReport:
    started = time.monotonic()
    report = BenchReport(
        "pipeline",
        config={
            **asdict(config),
            "server": config.server.describe(),
            "worker": f"celery --pool {config.pool} --concurrency {config.concurrency} -E",
        },
    )
    with workdir("tfquote-bench-pipeline-", keep=config.keep_workdir) as work:
        redis_proc = RedisProcess(work / "redis")
        services: dict[str, Any] = {}
        try:
            engine_port = free_port()
            engine_url = f"http://127.0.0.1:{engine_port}"
            env = gateway_env(redis_proc.url, work / "data", engine_url=engine_url)
            services = start_parallel({
                "engine": lambda: start_service(
                    "noop-engine",
                    [str(BIN / "python"), "-m", "bench.noop_engine", "--port", str(engine_port)],
                    service_env(env), work, http_ok(f"{engine_url}/health"),
                ),
                "gateway": lambda: start_gunicorn("gateway", "wsgi:app", env, work, config.server),
                "worker": lambda: start_celery_worker(
                    "worker", "workers", env, work,
                    concurrency=config.concurrency, pool=config.pool,
                ),
                "noop": lambda: start_celery_worker(
                    "noop-worker", "bench.celery_noop", env, work,
                    concurrency=config.concurrency, pool=config.pool, queues=NOOP_QUEUE,
                ),
            })  # fmt: skip

            def tree(pid: int) -> list[int]:
                return [pid, *(p for child in children(pid) for p in tree(child))]

            redis_pid = redis_proc.proc.pid
            cpu_pids = {
                "project": lambda: [
                    *tree(services["worker"].proc.pid),
                    services["engine"].proc.pid,
                    redis_pid,
                ],
                "raw": lambda: [*tree(services["noop"].proc.pid), redis_pid],
            }
            bench = _Pipeline(config, redis_proc.url, services["gateway"].url, cpu_pids)
            # Warm-up: imports, connections and pool processes are hot before measuring.
            bench.wait_jobs(bench.submit_jobs(4, None))
            bench.wait_tasks(bench.submit_tasks(4, None))
            project, raw = ab_rounds(
                config.rounds, bench.run_project, bench.run_raw, between=bench.settle
            )
        finally:
            for service in services.values():
                service.stop(timeout=20)
            redis_proc.stop()
    ratios = paired_ratios([r.throughput for r in project], [r.throughput for r in raw])
    report.metrics["project"] = _figures(project)
    report.metrics["raw celery"] = _figures(raw)
    report.metrics["drain throughput ratio per round"] = [round(x, 3) for x in ratios]
    # CPU per job, raw / project: the ratio the two would reach with the CPUs to
    # themselves (not a target; a steadier reading than jobs/s on a shared machine).
    report.metrics["drain CPU-cost ratio (raw/project per job)"] = round(
        median(paired_ratios([r.cpu_ms_per_job for r in raw], [r.cpu_ms_per_job for r in project])),
        3,
    )
    report.checks.append(
        Check("drain jobs/s vs raw Celery no-op (median of pairs)", median(ratios), ">=",
              THROUGHPUT_TARGET, "x")
    )  # fmt: skip
    report.checks.append(Check("jobs not COMPLETED", sum(r.failed for r in project), "<=", 0))
    report.duration_s = round(time.monotonic() - started, 1)
    return report


def _figures(runs: Sequence[PipelineRun]) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "drain_per_s_median": round(median([r.throughput for r in runs]), 1),
        "cpu_ms_per_job_median": round(median([r.cpu_ms_per_job for r in runs]), 3),
        "paced_p50_ms_median": round(median([percentile(r.latencies, 0.5) for r in runs]) * 1e3, 1),
        "paced_p99_ms_median": round(
            median([percentile(r.latencies, 0.99) for r in runs]) * 1e3, 1
        ),
    }
    if any(r.submit_per_s for r in runs):
        figures["queued_through_api_per_s_median"] = round(
            median([r.submit_per_s for r in runs]), 1
        )
    figures["rounds"] = [r.summary() for r in runs]
    return figures


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", type=int, help="jobs (and no-op tasks) per drain run")
    parser.add_argument("--paced-jobs", type=int, help="jobs (and tasks) per paced run")
    parser.add_argument("--rate", type=float, help="submissions per second in paced runs")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--concurrency", type=int, help="celery --concurrency (both workers)")
    parser.add_argument("--pool", help="celery --pool (both workers): prefork, threads, ...")
    parser.add_argument("--workers", type=int, help="gunicorn workers of the gateway")
    parser.add_argument("--threads", type=int, help="gunicorn threads of the gateway")


def config_from_args(args: argparse.Namespace) -> PipelineConfig:
    config = PipelineConfig.quick() if args.quick else PipelineConfig()
    set_given(config, args, ("jobs", "paced_jobs", "rate", "rounds", "concurrency", "pool"))
    config.server = server_from_args(args, config.server)
    config.keep_workdir = bool(getattr(args, "keep", False))
    return config


def main(argv: Sequence[str] | None = None) -> int:
    return bench_main(
        argv, "python -m bench.pipeline", __doc__, add_arguments, config_from_args, run
    )


if __name__ == "__main__":
    raise SystemExit(main())
