"""The chaos suite, small: the full run is `python -m bench.chaos --jobs 1000`."""

from __future__ import annotations

import pytest

from bench.chaos import ChaosConfig, run

pytestmark = pytest.mark.e2e


def test_small_chaos_run_loses_nothing_and_duplicates_nothing() -> None:
    report = run(
        ChaosConfig(
            jobs=40,
            workers=2,
            concurrency=2,
            fault_rate=0.1,
            kill_interval=1.0,
            redis_restart=True,
            timeout=240,
            seed=7,
            submit_rate=5,
        )
    )
    print(report)
    assert report.redis_restarts == 1
    assert report.kills_pool_child + report.kills_worker_main > 0
    assert report.lost == 0
    assert report.duplicate_effects == 0
    assert report.unexpected_5xx == 0
    assert report.completed == report.accepted == report.submitted, report.failed_jobs
