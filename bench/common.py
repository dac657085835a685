"""What every benchmark shares: statistics, A/B rounds, checks and reports, and the
processes (Redis, gunicorn apps, celery workers) a benchmark starts for itself.

Machines here are shared and noisy, so a benchmark never judges an absolute time: it
runs the project's path (A) and a bare baseline (B) in the same run, interleaved
round by round — A B, then B A, so a slow drift of the machine hits both sides the
same — and compares medians and paired ratios.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

import requests

from tfquote import redis_server
from tfquote.devstack import BIN, Service, http_ok, service_env, start_service

T = TypeVar("T")

#: The server settings benchmarks run with unless told otherwise: the ones
#: docs/performance.md recommends for the Procfile and docker-compose on 2 cores
#: (gunicorn gthread, 2 x cores workers x 4 threads; celery prefork, 2 x cores children).
DEFAULT_GUNICORN_WORKERS = 4
DEFAULT_GUNICORN_THREADS = 4
DEFAULT_CELERY_CONCURRENCY = 4
DEFAULT_CELERY_POOL = "prefork"

#: An HS256 secret for the benchmark's own gateway (>= 32 bytes; never used elsewhere).
BENCH_JWT_SECRET = "tfquote-bench-secret-0123456789abcdef-not-for-production"
BENCH_TENANT = "bench-tenant"


# ---------------------------------------------------------------------------- statistics


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..1) of `values`; 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    pos = q * (len(ordered) - 1)
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (pos - low))


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


def rounded(value: float, digits: int = 3) -> float:
    return round(float(value), digits)


# ------------------------------------------------------------------------ checks/report


@dataclass
class Check:
    """One target: `value` compared with `target` by `op` (">=" or "<=")."""

    name: str
    value: float
    op: str
    target: float
    unit: str = ""
    note: str = ""

    @property
    def passed(self) -> bool:
        if math.isnan(self.value):
            return False
        return self.value >= self.target if self.op == ">=" else self.value <= self.target

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}

    def line(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        verdict = "PASS" if self.passed else "FAIL"
        note = f"  ({self.note})" if self.note else ""
        return (
            f"  {verdict}  {self.name:<56} {self.value:>9.3f}{unit:<3} "
            f"target {self.op} {self.target:g}{unit}{note}"
        )


@dataclass
class BenchReport:
    """What one benchmark returns: its figures (`metrics`), its targets (`checks`)."""

    name: str
    config: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "duration_s": self.duration_s,
            "config": self.config,
            "metrics": self.metrics,
            "checks": [c.to_dict() for c in self.checks],
            "notes": self.notes,
        }

    def render(self) -> str:
        lines = [f"== {self.name} ({self.duration_s:.1f} s)"]
        for key, value in self.metrics.items():
            lines.append(f"  {key}: {_short_json(value)}")
        lines.extend(check.line() for check in self.checks)
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)


def _short_json(value: Any) -> str:
    return json.dumps(value, separators=(", ", ": "))


def print_report(report: BenchReport, *, as_json: bool = False) -> None:
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report.render(), flush=True)


# ---------------------------------------------------------------------------- A/B rounds


def ab_rounds(
    rounds: int, run_a: Callable[[], T], run_b: Callable[[], T], *, between: Callable[[], None]
) -> tuple[list[T], list[T]]:
    """Run A and B `rounds` times each, interleaved A B / B A / A B ..., calling
    `between` before every run (flush state, delete files). Returns (a_results,
    b_results) in round order, so a_results[i] and b_results[i] are a pair."""
    a_results: list[T] = []
    b_results: list[T] = []
    for index in range(rounds):
        order = ("a", "b") if index % 2 == 0 else ("b", "a")
        for side in order:
            between()
            if side == "a":
                a_results.append(run_a())
            else:
                b_results.append(run_b())
    return a_results, b_results


def paired_ratios(a: Sequence[float], b: Sequence[float]) -> list[float]:
    return [x / y if y else float("nan") for x, y in zip(a, b, strict=True)]


# ------------------------------------------------------------------------------ processes


def free_port() -> int:
    return redis_server.free_port()


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def proc_status_kib(pid: int, field_name: str) -> int:
    """A ``VmRSS`` / ``VmHWM`` style field of /proc/<pid>/status, in KiB (0 if gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time used so far by `pids` (from /proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / ticks


def reset_peak_rss(pid: int) -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0: ``echo 5 > clear_refs``)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def folder_files(base: Path) -> dict[str, bytes]:
    """Every file under ``base`` by its POSIX path relative to it (an upload's ``files``)."""
    return {
        path.relative_to(base).as_posix(): path.read_bytes()
        for path in sorted(base.rglob("*"))
        if path.is_file()
    }


@contextmanager
def workdir(prefix: str, keep: bool = False, parent: str | None = None) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield path
    finally:
        if not keep:
            shutil.rmtree(path, ignore_errors=True)


class Stoppable(Protocol):
    def stop(self, timeout: float = 10.0) -> None: ...


S = TypeVar("S", bound=Stoppable)


def start_parallel(starters: Mapping[str, Callable[[], S]]) -> dict[str, S]:
    """Start several services at once (their start-up times overlap)."""
    with ThreadPoolExecutor(max(1, len(starters))) as pool:
        futures = {name: pool.submit(fn) for name, fn in starters.items()}
        started: dict[str, S] = {}
        errors: list[BaseException] = []
        for name, future in futures.items():
            try:
                started[name] = future.result()
            except BaseException as exc:  # stop what did start, then report
                errors.append(exc)
        if errors:
            for service in started.values():
                service.stop()
            raise errors[0]
    return started


@dataclass(frozen=True)
class ServerSettings:
    """The gunicorn settings both sides of a benchmark run under."""

    workers: int = DEFAULT_GUNICORN_WORKERS
    threads: int = DEFAULT_GUNICORN_THREADS
    worker_class: str = "gthread"

    def argv(self) -> list[str]:
        return [
            "--workers", str(self.workers), "--threads", str(self.threads),
            "--worker-class", self.worker_class, "--timeout", "300",
            "--graceful-timeout", "30",
        ]  # fmt: skip

    def describe(self) -> str:
        return f"gunicorn {self.worker_class} workers={self.workers} threads={self.threads}"


@dataclass
class HttpServer:
    """A started gunicorn app: its master process and its base URL."""

    service: Service
    url: str

    @property
    def pid(self) -> int:
        return self.service.proc.pid

    def worker_pids(self) -> list[int]:
        return children(self.pid)

    def stop(self, timeout: float = 10.0) -> None:
        self.service.stop(timeout)


def start_gunicorn(
    name: str,
    app: str,
    env: Mapping[str, str],
    logs: Path,
    server: ServerSettings,
    *,
    extra: Sequence[str] = (),
) -> HttpServer:
    """``app`` under gunicorn with ``server``'s settings (and ``extra`` arguments, such as a
    ``-c`` config), once its ``/health`` answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    service = start_service(
        name,
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", *server.argv(), *extra, app],
        service_env(env),
        logs,
        http_ok(f"{url}/health"),
        timeout=90,
    )
    return HttpServer(service, url)


@contextmanager
def gateway_and_bare(
    work: Path, server: ServerSettings, env_for: Callable[[str], Mapping[str, str]]
) -> Iterator[tuple[RedisProcess, dict[str, HttpServer]]]:
    """A private Redis, then the project's gateway and the bare baseline app (uploads under
    ``work / "bare"``) started at once under the same ``server`` settings, with the
    environment ``env_for`` gives for the Redis URL; the servers are keyed ``gateway`` and
    ``bare``. All are stopped on leaving, the servers first."""
    redis_proc = RedisProcess(work / "redis")
    services: dict[str, HttpServer] = {}
    try:
        env = env_for(redis_proc.url)
        bare_env = {**env, "BARE_UPLOAD_DIR": str(work / "bare")}
        services = start_parallel({
            "gateway": lambda: start_gunicorn("gateway", "wsgi:app", env, work, server),
            "bare": lambda: start_gunicorn(
                "bare", "bench.bare_app:create_app()", bare_env, work, server
            ),
        })  # fmt: skip
        yield redis_proc, services
    finally:
        for service in services.values():
            service.stop()
        redis_proc.stop()


def start_celery_worker(
    name: str,
    app: str,
    env: Mapping[str, str],
    logs: Path,
    *,
    concurrency: int,
    pool: str,
    queues: str | None = None,
) -> Service:
    log_path = logs / f"{name}.log"
    hostname = f"{name}@bench"
    argv = [
        str(BIN / "celery"), "-A", app, "worker", "--loglevel", "INFO",
        "--concurrency", str(concurrency), "--pool", pool, "-n", hostname, "-E",
        "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    if queues:
        argv += ["-Q", queues]

    def ready() -> bool:
        return log_path.exists() and f"{hostname} ready." in log_path.read_text(errors="replace")

    return start_service(name, argv, service_env(env), logs, ready, timeout=120)


class RedisProcess:
    """A private redis-server on a free port (never 6379), without persistence."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] = redis_server.start(self.port, directory)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


_TFQUOTE_VARIABLES = (
    "AUTH_ENABLED", "BROKER_VISIBILITY_TIMEOUT", "CELERY_BROKER_URL", "DATA_DIR",
    "ENGINE_CONNECT_TIMEOUT", "ENGINE_POLL_INTERVAL", "ENGINE_PREFER_ASYNC",
    "ENGINE_READ_TIMEOUT", "ENGINE_URL", "HEARTBEAT_INTERVAL", "JOB_TTL_SECONDS",
    "JWT_ALGORITHM", "JWT_AUDIENCE", "JWT_ISSUER", "JWT_LEEWAY_SECONDS", "JWT_PUBLIC_KEY",
    "JWT_PUBLIC_KEY_FILE", "JWT_SECRET", "JWT_TENANT_CLAIM", "LEASE_STALE_SECONDS",
    "LOG_FORMAT", "LOG_LEVEL", "MAX_ATTEMPTS", "MAX_UPLOAD_BYTES", "PENDING_STALE_SECONDS",
    "RATE_LIMIT_JOBS", "RATE_LIMIT_READS", "RATE_LIMIT_STORAGE_URL", "RATE_LIMIT_UPLOADS",
    "RECONCILE_INTERVAL", "REDIS_SOCKET_TIMEOUT", "REDIS_URL", "RETRY_BACKOFF_BASE",
    "RETRY_BACKOFF_MAX", "TASK_HARD_TIME_LIMIT", "TASK_SOFT_TIME_LIMIT", "TRUST_PROXY_COUNT",
    "ENGINE_FAULT_RATE", "ENGINE_FAULT_KINDS",
)  # fmt: skip


def gateway_env(
    redis_url: str, data_dir: Path, *, engine_url: str = "http://127.0.0.1:9", **extra: str
) -> dict[str, str]:
    """The gateway/worker environment of a benchmark: auth ON (HS256), rate limits far
    above anything a benchmark reaches, JSON logs at INFO."""
    # Hermetic: whatever tfquote settings the calling shell exports are blanked (an empty
    # value means "unset" to tfquote.settings), then the benchmark's own are applied.
    env = dict.fromkeys(_TFQUOTE_VARIABLES, "")
    env |= {
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "ENGINE_REDIS_URL": redis_url,
        "DATA_DIR": str(data_dir),
        "ENGINE_URL": engine_url,
        "AUTH_ENABLED": "true",
        "JWT_SECRET": BENCH_JWT_SECRET,
        "RATE_LIMIT_JOBS": "100000000/minute",
        "RATE_LIMIT_UPLOADS": "100000000/minute",
        "RATE_LIMIT_READS": "100000000/minute",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "TMPDIR": str(data_dir / "tmp"),
    }
    (data_dir / "tmp").mkdir(parents=True, exist_ok=True)
    env.update(extra)
    return env


def bench_token(sub: str = BENCH_TENANT, ttl_seconds: int = 24 * 3600) -> str:
    from gateway.auth import mint_token
    from tfquote.settings import Settings

    settings = Settings.from_env(environ={"AUTH_ENABLED": "true", "JWT_SECRET": BENCH_JWT_SECRET})
    return mint_token(settings, sub, ttl_seconds=ttl_seconds)


def create_upload(gateway_url: str, token: str, name: str = "main.tf", data: bytes = b"") -> str:
    """Upload one small Terraform file through the API; returns its upload id."""
    body = data or b'resource "aws_instance" "app" {\n  instance_type = "t3.micro"\n}\n'
    response = requests.post(
        f"{gateway_url}/api/v1/uploads",
        files={"file": (name, body)},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    response.raise_for_status()
    upload_id: str = response.json()["upload_id"]
    return upload_id


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def now() -> float:
    return time.perf_counter()


# ---------------------------------------------------------------------------- command line

#: The help of a benchmark's ``--keep`` option.
KEEP_HELP = "keep the work dir and logs"


def set_given(config: Any, args: argparse.Namespace, names: Sequence[str]) -> None:
    """Copy onto ``config`` each of the attributes ``names`` that ``args`` gives (not None)."""
    for name in names:
        value = getattr(args, name, None)
        if value is not None:
            setattr(config, name, value)


def server_from_args(
    args: argparse.Namespace, server: ServerSettings, *, worker_class: bool = False
) -> ServerSettings:
    """``server`` with the ``--workers`` and ``--threads`` that ``args`` gives; the worker
    class from ``--worker-class`` (else ``server``'s) only with ``worker_class``, else the
    default one."""
    settings = ServerSettings(
        workers=getattr(args, "workers", None) or server.workers,
        threads=getattr(args, "threads", None) or server.threads,
    )
    if worker_class:
        settings = replace(
            settings, worker_class=getattr(args, "worker_class", None) or server.worker_class
        )
    return settings


def bench_main(
    argv: Sequence[str] | None,
    prog: str,
    description: str | None,
    add_arguments: Callable[[argparse.ArgumentParser], None],
    config_from_args: Callable[[argparse.Namespace], T],
    run: Callable[[T], BenchReport],
    *,
    keep: bool = True,
    keep_help: str | None = KEEP_HELP,
    rounds: bool = False,
) -> int:
    """The ``main`` of one benchmark: ``--quick``, ``--json``, ``--keep`` (with ``keep``),
    ``--rounds`` (with ``rounds``) and the benchmark's own options; runs it, prints the
    report and answers 0 if it passed, else 1."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    if keep:
        parser.add_argument("--keep", action="store_true", help=keep_help)
    if rounds:
        parser.add_argument("--rounds", type=int)
    add_arguments(parser)
    args = parser.parse_args(argv)
    report = run(config_from_args(args))
    print_report(report, as_json=args.json)
    return 0 if report.passed else 1
