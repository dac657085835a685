"""Smoke test of the benchmark suite: every benchmark runs end to end with minimal sizes
and produces a report of the expected shape. Nothing here judges a time — the figures
of a run this small mean nothing; `python -m bench` is where they are read."""

from __future__ import annotations

from typing import Any

import pytest

from bench import api, estimate, examples, extract, pipeline, uploads
from bench.common import BenchReport, ServerSettings
from tests.support.shared import require_shared

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

TINY_SERVER = ServerSettings(workers=1, threads=2)
CHECK_KEYS = {"name", "value", "op", "target", "unit", "note", "passed"}


def _assert_shape(report: BenchReport, metric_keys: set[str], checks: int) -> dict[str, Any]:
    data = report.to_dict()
    assert set(data) == {"name", "passed", "duration_s", "config", "metrics", "checks", "notes"}
    assert metric_keys <= set(data["metrics"]), sorted(data["metrics"])
    assert len(data["checks"]) == checks
    for check in data["checks"]:
        assert set(check) == CHECK_KEYS
        assert check["op"] in (">=", "<=")
        assert isinstance(check["passed"], bool)
    assert "PASS" in report.render() or "FAIL" in report.render()
    return data


def test_api_benchmark_reports() -> None:
    config = api.ApiConfig(
        rounds=1, duration=0.3, warmup=0.1, connections=2, read_jobs=3, server=TINY_SERVER
    )
    data = _assert_shape(
        api.run(config),
        {"POST /jobs project", "POST /jobs bare", "GET /jobs/{id} project", "GET /jobs/{id} bare"},
        checks=6,
    )
    for key in ("POST /jobs project", "GET /jobs/{id} bare"):
        assert {"rps_median", "p50_ms_median", "p99_ms_median", "rounds"} <= set(
            data["metrics"][key]
        )
    # Every request answered as it should: the API and the baseline both worked.
    failed = [c for c in data["checks"] if "failed requests" in c["name"]]
    assert [c["value"] for c in failed] == [0, 0]


def test_pipeline_benchmark_reports() -> None:
    config = pipeline.PipelineConfig(
        jobs=4, paced_jobs=2, rate=20.0, rounds=1, concurrency=1, server=TINY_SERVER
    )
    data = _assert_shape(pipeline.run(config), {"project", "raw celery"}, checks=2)
    assert {"drain_per_s_median", "paced_p50_ms_median", "paced_p99_ms_median"} <= set(
        data["metrics"]["project"]
    )
    assert data["checks"][1]["value"] == 0  # every job COMPLETED


def test_uploads_benchmark_reports() -> None:
    config = uploads.UploadConfig(sizes_mb=[1, 2], rounds=1, server=TINY_SERVER)
    data = _assert_shape(
        uploads.run(config), {"1 MB", "2 MB", "gateway peak RSS by size (MB)"}, checks=3
    )
    assert {"project_MBps_median", "bare_MBps_median", "gateway_peak_rss_MB"} <= set(
        data["metrics"]["2 MB"]
    )


def test_extract_benchmark_reports() -> None:
    config = extract.ExtractConfig(rounds=1, many_files=40, big_bytes=1_000_000)
    _assert_shape(extract.run(config), {"archives", "40 small files", "one 1 MB file"}, checks=2)


def test_engine_benchmark_reports() -> None:
    config = estimate.EngineConfig(hcl_resources=10, plan_resources=40, repeat=1)
    report = estimate.run(config)
    # build_inventory for both inputs, plus the priced path when the engine has it.
    data = _assert_shape(report, {"plan"}, checks=4 if estimate._priced() else 2)
    assert any(key.endswith("build_inventory") for key in data["metrics"])
    assert all(c["value"] == c["value"] for c in data["checks"])  # no NaN: nothing crashed


def test_examples_benchmark_reports() -> None:
    require_shared(examples.MODULES)
    config = examples.ExamplesConfig(repeat=1, only="terraform-aws-sqs")
    data = _assert_shape(
        examples.run(config),
        {"examples", "in_process", "api", "api_bare_one_resource_job"},
        checks=5,
    )
    assert data["metrics"]["examples"] == len(data["metrics"]["in_process"]) >= 1
    assert data["checks"][-1]["name"] == "jobs COMPLETED"
    assert data["checks"][-1]["passed"], data["notes"]


def test_modules_benchmark_reports() -> None:
    from bench import modules

    require_shared(modules.MODULES)
    report = modules.run(modules.ModulesConfig(repeat=1))
    data = _assert_shape(
        report,
        {"cold_s", "warm_module_cache_s", "warm_parse_cache_s", "warm_in_process_s",
         "parse_only_cold_s", "warm_parse_cache_over_parse_only"},
        checks=2,
    )  # fmt: skip
    assert data["metrics"]["packages_fetched_cold"] == 3  # eks, kms 4.0.0, vpc
    assert data["metrics"]["registry_requests_warm_module_cache"] == 0
