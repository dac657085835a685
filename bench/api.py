"""Benchmark 1, the job API: ``POST /api/v1/jobs`` and ``GET /api/v1/jobs/{id}`` through
the real gateway (auth on with an HS256 token, rate limits on but set far above the
load, JSON access logs at INFO) against `bench.bare_app` — one ``SET NX`` + ``HSET`` and
one ``send_task`` for a POST, one ``HGETALL`` for a GET — both under the same gunicorn
settings, the same Redis and broker, driven by the same load generator.

No worker runs: task messages pile up in the broker and Redis is flushed between runs.

    python -m bench api [--quick] [--rounds 5] [--duration 5] [--connections 8]
                        [--workers 4] [--threads 4]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import redis
import requests

from bench.common import (
    BenchReport,
    Check,
    HttpServer,
    ServerSettings,
    ab_rounds,
    bench_main,
    bench_token,
    cpu_seconds,
    create_upload,
    gateway_and_bare,
    gateway_env,
    median,
    paired_ratios,
    server_from_args,
    set_given,
    workdir,
)
from bench.loadgen import LoadResult, RequestFactory, build_request, run_load

RPS_TARGET = 0.75  # project req/s >= 0.75 x bare
P99_TARGET = 2.0  # project p99 <= 2 x bare


@dataclass
class ApiConfig:
    rounds: int = 5
    duration: float = 5.0
    warmup: float = 0.5
    connections: int = 8
    read_jobs: int = 100  # jobs created (untimed) before each GET run
    server: ServerSettings = field(default_factory=ServerSettings)
    keep_workdir: bool = False

    @classmethod
    def quick(cls) -> ApiConfig:
        return cls(rounds=3, duration=2.0, warmup=0.3, read_jobs=50)


class Side:
    """One side of the comparison: where to send requests and how to shape them
    (:mod:`bench.profile_api` shapes its requests with it too)."""

    def __init__(self, name: str, url: str, prefix: str, token: str) -> None:
        self.name, self.url, self.prefix = name, url, prefix
        self.host = url.split("//", 1)[1]
        self.headers = {"Authorization": f"Bearer {token}"}
        self.upload_id = ""
        self.job_ids: list[str] = []

    def post_factory(self, run_tag: str) -> RequestFactory:
        body = json.dumps({"upload_id": self.upload_id, "region": "us-east-1"}).encode()
        headers = {**self.headers, "Content-Type": "application/json"}

        def make(n: int) -> bytes:
            return build_request(
                "POST",
                self.host,
                self.prefix,
                body=body,
                headers={**headers, "Idempotency-Key": f"bench-{run_tag}-{n}"},
            )

        return make

    def get_factory(self) -> RequestFactory:
        ids = list(self.job_ids)
        prebuilt = [
            build_request("GET", self.host, f"{self.prefix}/{job_id}", headers=self.headers)
            for job_id in ids
        ]

        def make(n: int) -> bytes:
            return prebuilt[n % len(prebuilt)]

        return make

    def create_jobs(self, count: int) -> None:
        self.job_ids = []
        with requests.Session() as session:
            for _ in range(count):
                r = session.post(
                    f"{self.url}{self.prefix}",
                    json={"upload_id": self.upload_id, "region": "us-east-1"},
                    headers=self.headers,
                    timeout=10,
                )
                r.raise_for_status()
                self.job_ids.append(r.json()["job_id"])


def _round_figures(results: Sequence[LoadResult]) -> dict[str, Any]:
    return {
        "rps_median": round(median([r.rps for r in results]), 1),
        "p50_ms_median": round(median([r.p(0.5) for r in results]) * 1000, 2),
        "p99_ms_median": round(median([r.p(0.99) for r in results]) * 1000, 2),
        "cpu_ms_per_req_median": round(median([r.cpu_ms_per_request for r in results]), 3),
        "rounds": [r.summary() for r in results],
    }


def _compare(
    report: BenchReport, label: str, project: Sequence[LoadResult], bare: Sequence[LoadResult]
) -> None:
    ratios = paired_ratios([r.rps for r in project], [r.rps for r in bare])
    p99_project = median([r.p(0.99) for r in project])
    p99_bare = median([r.p(0.99) for r in bare])
    report.metrics[f"{label} project"] = _round_figures(project)
    report.metrics[f"{label} bare"] = _round_figures(bare)
    report.metrics[f"{label} rps ratio per round"] = [round(x, 3) for x in ratios]
    # Server CPU (gunicorn workers + Redis) per request, bare / project: the req/s ratio
    # the two would reach with the CPUs to themselves. Not a target; a steadier reading.
    cpu_ratios = paired_ratios(
        [r.cpu_ms_per_request for r in bare], [r.cpu_ms_per_request for r in project]
    )
    report.metrics[f"{label} CPU-cost ratio (bare/project per request)"] = round(
        median(cpu_ratios), 3
    )
    report.checks.append(
        Check(f"{label} req/s vs bare (median of pairs)", median(ratios), ">=", RPS_TARGET, "x")
    )
    report.checks.append(
        Check(
            f"{label} p99 vs bare (median p99s)",
            p99_project / p99_bare if p99_bare else float("nan"),
            "<=",
            P99_TARGET,
            "x",
            note=f"{p99_project * 1000:.1f} ms vs {p99_bare * 1000:.1f} ms",
        )
    )
    errors = sum(r.errors for r in project) + sum(r.errors for r in bare)
    report.checks.append(Check(f"{label} failed requests (both sides)", errors, "<=", 0))


def run(config: ApiConfig) -> BenchReport:
    started = time.monotonic()
    report = BenchReport("api", config={**asdict(config), "server": config.server.describe()})
    with (
        workdir("tfquote-bench-api-", keep=config.keep_workdir) as work,
        gateway_and_bare(
            work, config.server, lambda redis_url: gateway_env(redis_url, work / "data")
        ) as (redis_proc, services),
    ):
        _measure(config, report, redis_proc.url, redis_proc.proc.pid, services)
    report.duration_s = round(time.monotonic() - started, 1)
    return report


def _measure(
    config: ApiConfig,
    report: BenchReport,
    redis_url: str,
    redis_pid: int,
    services: dict[str, HttpServer],
) -> None:
    token = bench_token()
    project = Side("gateway", services["gateway"].url, "/api/v1/jobs", token)
    bare = Side("bare", services["bare"].url, "/jobs", token)
    store = redis.Redis.from_url(redis_url)
    runs = iter(range(1_000_000))

    def reset() -> None:
        # Fresh state for every run: no queued messages, no rate-limit windows, no jobs.
        store.flushdb()
        project.upload_id = create_upload(project.url, token)
        bare.upload_id = project.upload_id

    def load(side: Side, factory: RequestFactory) -> LoadResult:
        # CPU used by the side's gunicorn workers and by Redis, per request: a figure
        # that other tenants of a noisy machine disturb much less than req/s.
        pids = [*services[side.name].worker_pids(), redis_pid]
        before = cpu_seconds(pids)
        result = run_load(
            side.url,
            factory,
            connections=config.connections,
            duration=config.duration,
            warmup=config.warmup,
        )
        result.server_cpu_s = cpu_seconds(pids) - before
        return result

    def post(side: Side) -> LoadResult:
        return load(side, side.post_factory(f"{time.time_ns():x}-{next(runs)}"))

    def get(side: Side) -> LoadResult:
        side.create_jobs(config.read_jobs)
        return load(side, side.get_factory())

    post_p, post_b = ab_rounds(
        config.rounds, lambda: post(project), lambda: post(bare), between=reset
    )
    _compare(report, "POST /jobs", post_p, post_b)
    get_p, get_b = ab_rounds(config.rounds, lambda: get(project), lambda: get(bare), between=reset)
    _compare(report, "GET /jobs/{id}", get_p, get_b)
    store.flushdb()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--duration", type=float, help="seconds measured per run")
    parser.add_argument("--connections", type=int, help="keep-alive client connections")
    parser.add_argument("--workers", type=int, help="gunicorn workers (both sides)")
    parser.add_argument("--threads", type=int, help="gunicorn threads per worker (both sides)")
    parser.add_argument("--worker-class", help="gunicorn worker class (both sides)")


def config_from_args(args: argparse.Namespace) -> ApiConfig:
    config = ApiConfig.quick() if args.quick else ApiConfig()
    set_given(config, args, ("rounds", "duration", "connections"))
    config.server = server_from_args(args, config.server, worker_class=True)
    config.keep_workdir = bool(getattr(args, "keep", False))
    return config


def main(argv: Sequence[str] | None = None) -> int:
    return bench_main(argv, "python -m bench.api", __doc__, add_arguments, config_from_args, run)


if __name__ == "__main__":
    raise SystemExit(main())
