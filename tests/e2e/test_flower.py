"""Flower, started as the Procfile does, shows tasks by their job id with the job id as
the only argument."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.e2e.test_pipeline_e2e import DB_TF, create_job, upload, wait_done
from tfquote import redis_server
from tfquote.devstack import BIN, Service, http_ok, service_env, start_service, wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def flower_url(stack_env: dict[str, str], session_dir: Path, worker: Service) -> Iterator[str]:
    port = redis_server.free_port()
    service = start_service(
        "flower",
        [str(BIN / "celery"), "-A", "workers", "flower", "--address=127.0.0.1", f"--port={port}"],
        service_env({**stack_env, "FLOWER_UNAUTHENTICATED_API": "true"}),
        session_dir,
        http_ok(f"http://127.0.0.1:{port}/healthcheck"),
    )
    yield f"http://127.0.0.1:{port}"
    service.stop()


def _flower_is_capturing(flower_url: str, gateway_url: str) -> None:
    """Flower answers its health check before its event consumer is connected; events sent
    before that are gone for it. Warm up with jobs until Flower reports one by name."""
    for _ in range(10):
        up = upload(gateway_url, [("main.tf", DB_TF)])
        warm = create_job(gateway_url, up["upload_id"]).json()["job_id"]
        wait_done(gateway_url, warm)

        def named(job_id: str = warm) -> bool:
            response = requests.get(f"{flower_url}/api/task/info/{job_id}", timeout=5)
            return response.status_code == 200 and bool(response.json().get("name"))

        if wait_for(named, timeout=3, interval=0.2):
            return
    raise AssertionError("Flower never captured a task's events")


def test_flower_lists_the_task_by_job_id(flower_url: str, gateway_url: str) -> None:
    _flower_is_capturing(flower_url, gateway_url)
    up = upload(gateway_url, [("main.tf", DB_TF)])
    job_id = create_job(gateway_url, up["upload_id"]).json()["job_id"]
    assert wait_done(gateway_url, job_id)["status"] == "COMPLETED"
    info: dict = {}

    def seen() -> bool:
        response = requests.get(f"{flower_url}/api/task/info/{job_id}", timeout=5)
        if response.status_code != 200:
            return False
        info.update(response.json())
        return info.get("state") == "SUCCESS"

    assert wait_for(seen, timeout=20, interval=0.3), info
    assert info["name"] == "workers.process_job"
    assert info["uuid"] == job_id
    assert info["args"] in (f"['{job_id}']", f'["{job_id}"]', [job_id])
    tasks = requests.get(f"{flower_url}/api/tasks", timeout=5).json()
    assert job_id in tasks
