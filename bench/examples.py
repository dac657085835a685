"""Benchmark 6, the shared examples: how long each terraform-aws-modules example takes to
estimate, with its modules, in-process and through the whole system.

Every ``examples/<name>`` folder of ``../shared/corpus/terraform/terraform-aws-modules/`` (98
of them; they call their module with ``source = "../../"`` and other local paths) is estimated
as a user would upload it: the whole repository, with ``options.root_module`` naming the
example.

* **in-process** — :func:`engine.result.build_result`: cold (first estimate of the repository:
  nothing parsed yet) and warm (median of the next ``repeat``), plus one run through the
  isolated child process the engine really uses (:mod:`engine.isolation`; the child is kept
  between estimates, as in the engine, so the first example of a repository parses it). The bare
  baseline in the same run is parsing the same files and nothing else; the ratio says what
  evaluation and pricing cost on top of reading the configuration.
* **through the API** — a real stack (redis, engine, one worker, gateway: the processes of
  ``make run``): upload the repository once, then one job per example; the time is the job's
  own ``finished_at - created_at`` and the client's submit-to-COMPLETED. The bare baseline is
  a one-resource job through the same stack.

Target: every example under 1 s, in-process (warm) and through the API.

    python -m bench examples [--quick] [--repeat 5] [--only vpc]
"""

from __future__ import annotations

import argparse
import io
import tarfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import requests

from bench.common import (
    BenchReport,
    Check,
    RedisProcess,
    ServerSettings,
    Stoppable,
    bench_main,
    bench_token,
    folder_files,
    gateway_env,
    median,
    start_celery_worker,
    start_gunicorn,
    start_parallel,
    workdir,
)

TIME_TARGET_S = 1.0
ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT.parent / "shared" / "corpus" / "terraform" / "terraform-aws-modules"


@dataclass
class ExamplesConfig:
    repeat: int = 5
    only: str = ""
    api: bool = True
    keep_workdir: bool = False

    @classmethod
    def quick(cls) -> ExamplesConfig:
        return cls(repeat=2)


def discover(only: str = "") -> list[tuple[str, str]]:
    """(repository folder name, example name) of every shared example."""
    found: list[tuple[str, str]] = []
    for repo in sorted(MODULES.iterdir()):
        examples = repo / "examples"
        if not examples.is_dir() or (only and only not in repo.name):
            continue
        found.extend((repo.name, example.name) for example in sorted(examples.iterdir()))
    return found


def _parse_only(files: dict[str, bytes]) -> None:
    from engine.terraform.syntax.jsonsyntax import parse_json_config
    from engine.terraform.syntax.parser import parse_config

    for path, data in files.items():
        if path.endswith(".tf"):
            parse_config(path, data)
        elif path.endswith(".tf.json"):
            parse_json_config(path, data)


def in_process(config: ExamplesConfig, examples: list[tuple[str, str]]) -> dict[str, Any]:
    from engine.inventory import Options
    from engine.isolation import InProcessEvaluator, IsolatedEvaluator
    from engine.result import build_result
    from engine.terraform import config as tf_config

    isolated = IsolatedEvaluator(memory_bytes=2048 * 1024 * 1024, timeout_seconds=60, max_idle=1)
    in_proc = InProcessEvaluator()
    # The engine starts its forkserver once per process: not part of any estimate.
    isolated.collect({"main.tf": b'resource "aws_sqs_queue" "q" {}\n'}, "us-east-1", Options())
    rows: dict[str, Any] = {}
    files_by_repo: dict[str, dict[str, bytes]] = {}
    for repo, example in examples:
        files = files_by_repo.setdefault(repo, folder_files(MODULES / repo))
        options = {"root_module": f"examples/{example}"}
        tf_config._cache.clear()  # cold: nothing parsed (or loaded) yet
        tf_config._modules.clear()
        started = time.perf_counter()
        result = build_result(files, "us-east-1", options=options, evaluator=in_proc)
        cold = time.perf_counter() - started
        warm = []
        for _ in range(config.repeat):
            started = time.perf_counter()
            build_result(files, "us-east-1", options=options, evaluator=in_proc)
            warm.append(time.perf_counter() - started)
        started = time.perf_counter()
        build_result(files, "us-east-1", options=options, evaluator=isolated)
        child = time.perf_counter() - started
        tf_config._cache.clear()
        tf_config._modules.clear()
        started = time.perf_counter()
        _parse_only({k: v for k, v in files.items() if k.endswith((".tf", ".tf.json"))})
        parse = time.perf_counter() - started
        rows[f"{repo}/{example}"] = {
            "resources": result["summary"]["resource_count"],
            "cold_s": round(cold, 4),
            "warm_s": round(median(warm), 4),
            "isolated_s": round(child, 4),
            "parse_only_s": round(parse, 4),
        }
    return rows


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path, data in files.items():
            info = tarfile.TarInfo(f"repo/{path}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _job_seconds(job: dict[str, Any]) -> float:
    from datetime import datetime

    def parse(text: str) -> float:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

    return parse(job["finished_at"]) - parse(job["created_at"])


def through_api(config: ExamplesConfig, examples: list[tuple[str, str]]) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    with workdir("tfquote-bench-examples-", keep=config.keep_workdir) as work:
        redis_proc = RedisProcess(work / "redis")
        services: dict[str, Any] = {}
        try:
            # Registry modules are benchmark 7's subject (bench/modules.py, against a local
            # registry); here they stay unknowns, as before, and nothing reaches the internet.
            base_env = gateway_env(
                redis_proc.url, work / "data", MAX_UPLOAD_BYTES="104857600",
                ENGINE_MODULE_FETCH="false",
            )  # fmt: skip
            server = ServerSettings(workers=1, threads=4)
            services["engine"] = start_gunicorn(
                "engine", "engine:create_app()", base_env, work, server
            )
            env = base_env | {"ENGINE_URL": services["engine"].url}
            starters: dict[str, Callable[[], Stoppable]] = {
                "gateway": lambda: start_gunicorn("gateway", "wsgi:app", env, work, server),
                "worker": lambda: start_celery_worker(
                    "worker", "workers", env, work, concurrency=1, pool="prefork"
                ),
            }
            services |= start_parallel(starters)
            gateway = services["gateway"].url
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {bench_token()}"
            uploads: dict[str, str] = {}

            def estimate(
                upload_id: str, options: dict[str, Any]
            ) -> tuple[float, float, dict[str, Any]]:
                started = time.perf_counter()
                response = session.post(
                    f"{gateway}/api/v1/jobs",
                    json={"upload_id": upload_id, "region": "us-east-1", "options": options},
                    timeout=30,
                )
                response.raise_for_status()
                job_id = response.json()["job_id"]
                while True:
                    job = session.get(f"{gateway}/api/v1/jobs/{job_id}", timeout=30).json()
                    if job["status"] in ("COMPLETED", "FAILED", "CANCELLED"):
                        break
                    time.sleep(0.02)
                return time.perf_counter() - started, _job_seconds(job), job

            def upload(name: str, data: bytes) -> str:
                response = session.post(
                    f"{gateway}/api/v1/uploads", files={"file": (name, data)}, timeout=60
                )
                response.raise_for_status()
                upload_id: str = response.json()["upload_id"]
                return upload_id

            bare_upload = upload("main.tf", b'resource "aws_sqs_queue" "q" {}\n')
            estimate(bare_upload, {})  # warm-up: connections, imports, the catalog
            bare = [estimate(bare_upload, {})[:2] for _ in range(3)]
            rows["_bare_one_resource_job"] = {
                "client_s": round(median([b[0] for b in bare]), 4),
                "server_s": round(median([b[1] for b in bare]), 4),
            }
            for repo, example in examples:
                if repo not in uploads:
                    uploads[repo] = upload(f"{repo}.tar.gz", _tarball(folder_files(MODULES / repo)))
                client, server_s, job = estimate(
                    uploads[repo], {"root_module": f"examples/{example}"}
                )
                rows[f"{repo}/{example}"] = {
                    "status": job["status"],
                    "client_s": round(client, 4),
                    "server_s": round(server_s, 4),
                }
        finally:
            for service in services.values():
                service.stop(timeout=20)
            redis_proc.stop()
    return rows


def run(config: ExamplesConfig) -> BenchReport:
    started = time.monotonic()
    report = BenchReport("examples", config=asdict(config))
    if not MODULES.is_dir():
        report.notes.append(f"{MODULES} not found: nothing to measure")
        report.checks.append(Check("shared examples present", float("nan"), ">=", 1))
        return report
    examples = discover(config.only)
    local = in_process(config, examples)
    worst_warm: dict[str, Any] = max(local.values(), key=lambda row: row["warm_s"])
    worst_cold = max(local.values(), key=lambda row: row["cold_s"])
    ratios = [row["warm_s"] / row["parse_only_s"] for row in local.values() if row["parse_only_s"]]
    report.metrics["examples"] = len(examples)
    report.metrics["in_process"] = local
    report.metrics["in_process_warm_median_s"] = round(
        median([r["warm_s"] for r in local.values()]), 4
    )
    report.metrics["in_process_warm_over_parse_only_median"] = round(median(ratios), 2)
    report.checks.append(
        Check("slowest example, in-process warm", worst_warm["warm_s"], "<=", TIME_TARGET_S, "s")
    )
    report.checks.append(
        Check("slowest example, in-process cold", worst_cold["cold_s"], "<=", TIME_TARGET_S, "s")
    )
    report.checks.append(
        Check(
            "slowest example, isolated child process",
            max(row["isolated_s"] for row in local.values()),
            "<=",
            TIME_TARGET_S,
            "s",
        )
    )
    if config.api:
        api = through_api(config, examples)
        bare = api.pop("_bare_one_resource_job")
        report.metrics["api_bare_one_resource_job"] = bare
        report.metrics["api"] = api
        failed = [name for name, row in api.items() if row["status"] != "COMPLETED"]
        if failed:
            report.notes.append(f"jobs not COMPLETED: {failed}")
        slowest = max(row["server_s"] for row in api.values())
        report.metrics["api_server_median_s"] = round(
            median([r["server_s"] for r in api.values()]), 4
        )
        report.metrics["api_server_median_over_bare"] = round(
            report.metrics["api_server_median_s"] / bare["server_s"], 2
        )
        report.checks.append(
            Check("slowest example, through the API (job time)", slowest, "<=", TIME_TARGET_S, "s")
        )
        report.checks.append(
            Check("jobs COMPLETED", float(len(api) - len(failed)), ">=", float(len(api)))
        )
    report.duration_s = time.monotonic() - started
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int)
    parser.add_argument("--only", default="", help="only repositories whose name contains this")
    parser.add_argument("--no-api", action="store_true", help="in-process only")


def config_from_args(args: argparse.Namespace) -> ExamplesConfig:
    config = ExamplesConfig.quick() if args.quick else ExamplesConfig()
    if getattr(args, "repeat", None):
        config.repeat = args.repeat
    config.only = getattr(args, "only", "") or ""
    config.api = not getattr(args, "no_api", False)
    config.keep_workdir = bool(getattr(args, "keep", False))
    return config


def main(argv: Sequence[str] | None = None) -> int:
    return bench_main(
        argv, "python -m bench.examples", __doc__, add_arguments, config_from_args, run
    )


if __name__ == "__main__":
    raise SystemExit(main())
