"""The whole system as separate processes over real HTTP: gateway (gunicorn), celery
worker (prefork), engine (gunicorn) and a private redis-server."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from gateway.dispatch import CeleryJobDispatcher
from tests.support.shared import SHARED, require_shared
from tfquote.devstack import Service, wait_for
from tfquote.jobs import JobStore
from tfquote.settings import Settings

pytestmark = pytest.mark.e2e

TERMINAL = {"COMPLETED", "FAILED", "CANCELLED"}

MAIN_TF = b"""
variable "web_count" {
  default = 3
}

resource "aws_instance" "web" {
  count         = var.web_count
  ami           = "ami-123"
  instance_type = "t3.micro"
}

resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}

module "db" {
  source = "./modules/db"
}
"""
DB_TF = b"""
resource "aws_db_instance" "main" {
  engine         = "postgres"
  instance_class = "db.t3.micro"
}
"""


def upload(base: str, files: list[tuple[str, bytes]], **form: str) -> dict[str, Any]:
    response = requests.post(
        f"{base}/api/v1/uploads",
        files=[("file", (name, content)) for name, content in files],
        data=form,
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()


def create_job(base: str, upload_id: str, key: str | None = None, region: str = "us-east-1"):
    headers = {"Idempotency-Key": key} if key else {}
    return requests.post(
        f"{base}/api/v1/jobs",
        json={"upload_id": upload_id, "region": region},
        headers=headers,
        timeout=30,
    )


def wait_done(base: str, job_id: str, timeout: float = 60) -> dict[str, Any]:
    state: dict[str, Any] = {}

    def done() -> bool:
        state.update(requests.get(f"{base}/api/v1/jobs/{job_id}", timeout=10).json())
        return state.get("status") in TERMINAL

    assert wait_for(done, timeout=timeout, interval=0.1), state
    return state


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def addresses(job: dict[str, Any]) -> list[str]:
    return [r["address"] for r in job["result"]["resources"]]


def test_zip_upload_completes_with_every_resource(gateway_url: str) -> None:
    archive = zip_of({"main.tf": MAIN_TF, "modules/db/main.tf": DB_TF})
    up = upload(gateway_url, [("infra.zip", archive)], project_name="e2e")
    response = create_job(gateway_url, up["upload_id"])
    assert response.status_code == 202
    job = wait_done(gateway_url, response.json()["job_id"])
    assert job["status"] == "COMPLETED", job
    assert job["attempts"] == 1 and job["error"] is None
    assert job["started_at"] and job["finished_at"]
    assert addresses(job) == [
        "aws_instance.web[0]",
        "aws_instance.web[1]",
        "aws_instance.web[2]",
        "aws_s3_bucket.logs",
        "module.db.aws_db_instance.main",
    ]
    assert job["result"]["summary"]["resource_count"] == 5
    assert job["result"]["summary"]["by_type"]["aws_instance"] == 3
    assert job["result"]["region"] == "us-east-1"


def test_single_tf_files_complete(gateway_url: str) -> None:
    up = upload(gateway_url, [("main.tf", DB_TF), ("extra.tf", b'resource "aws_eip" "ip" {}\n')])
    job = wait_done(gateway_url, create_job(gateway_url, up["upload_id"]).json()["job_id"])
    assert job["status"] == "COMPLETED", job
    assert addresses(job) == ["aws_db_instance.main", "aws_eip.ip"]


def planned_resources(module: dict[str, Any]) -> list[str]:
    found = [r["address"] for r in module.get("resources", [])]
    for child in module.get("child_modules", []):
        found += planned_resources(child)
    return found


def test_plan_json_completes(gateway_url: str) -> None:
    require_shared(SHARED)
    plan_path = SHARED / "corpus/terraform/terracost/testdata/aws/terraform-plan.json"
    plan = plan_path.read_bytes()
    up = upload(gateway_url, [("plan.json", plan)])
    job = wait_done(gateway_url, create_job(gateway_url, up["upload_id"]).json()["job_id"])
    assert job["status"] == "COMPLETED", job
    expected = planned_resources(json.loads(plan)["planned_values"]["root_module"])
    assert sorted(addresses(job)) == sorted(expected)


def test_real_module_zip_completes(gateway_url: str) -> None:
    require_shared(SHARED)
    root = SHARED / "corpus/terraform/terraform-aws-vpc"
    files = {str(p.relative_to(root.parent)): p.read_bytes() for p in root.rglob("*.tf")}
    up = upload(gateway_url, [("vpc.zip", zip_of(files))])
    job = wait_done(gateway_url, create_job(gateway_url, up["upload_id"]).json()["job_id"])
    assert job["status"] == "COMPLETED", job
    assert job["result"]["summary"]["resource_count"] > 0


def test_terraform_free_uploads_are_refused(gateway_url: str) -> None:
    # An archive without Terraform is refused at upload time...
    response = requests.post(
        f"{gateway_url}/api/v1/uploads",
        files=[("file", ("docs.zip", zip_of({"README.tfvars": b"a = 1"})))],
        timeout=30,
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "no_terraform"
    # ...single files are only looked at by the worker, which fails the job.
    up = upload(gateway_url, [("only.tfvars", b"a = 1")])
    job = wait_done(gateway_url, create_job(gateway_url, up["upload_id"]).json()["job_id"])
    assert job["status"] == "FAILED"
    assert job["error"]["code"] == "no_terraform"


def engine_computed(redis_url: str) -> int:
    raw = redis.Redis.from_url(redis_url).get("engine:stats:computed")
    return int(raw or 0)


def received(worker: Service, job_id: str) -> int:
    return len(re.findall(rf"process_job\[{re.escape(job_id)}\] received", worker.logs()))


def test_twenty_concurrent_identical_requests(
    gateway_url: str, worker: Service, redis_url: str
) -> None:
    up = upload(gateway_url, [("main.tf", DB_TF)])
    before = engine_computed(redis_url)
    key = f"race-{time.time_ns()}"
    with ThreadPoolExecutor(20) as pool:
        responses = list(
            pool.map(lambda _: create_job(gateway_url, up["upload_id"], key), range(20))
        )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 19 + [202], statuses
    job_ids = {r.json()["job_id"] for r in responses}
    assert len(job_ids) == 1
    (job_id,) = job_ids
    job = wait_done(gateway_url, job_id)
    assert job["status"] == "COMPLETED"
    # One job, one task, one engine computation.
    assert wait_for(lambda: received(worker, job_id) >= 1, timeout=10)
    time.sleep(0.5)
    assert received(worker, job_id) == 1
    assert engine_computed(redis_url) == before + 1
    # Same key, different body.
    other = create_job(gateway_url, up["upload_id"], key, region="eu-west-1")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_cancel_before_pickup_never_reaches_engine(
    gateway_url: str, worker: Service, redis_url: str, stack_env: dict[str, str]
) -> None:
    """The task message arrives only after the job was cancelled (as when no worker was
    running): the worker must skip it."""
    settings = Settings.from_env(stack_env)
    store = JobStore(redis.Redis.from_url(redis_url), ttl_seconds=600)
    up = upload(gateway_url, [("main.tf", DB_TF)])
    job = store.create(tenant="anonymous", upload_id=up["upload_id"], region="us-east-1",
                       fingerprint="f").job  # fmt: skip
    assert requests.delete(f"{gateway_url}/api/v1/jobs/{job.job_id}", timeout=10).status_code == 204
    before = engine_computed(redis_url)
    CeleryJobDispatcher(settings).dispatch(job.job_id, request_id="late-delivery")
    assert wait_for(lambda: f"process_job[{job.job_id}] succeeded" in worker.logs(), timeout=30)
    assert "'skipped'" in worker.logs().split(f"process_job[{job.job_id}] succeeded", 1)[1][:80]
    assert engine_computed(redis_url) == before
    final = requests.get(f"{gateway_url}/api/v1/jobs/{job.job_id}", timeout=10).json()
    assert final["status"] == "CANCELLED" and final["result"] is None


def test_list_and_delete_over_http(gateway_url: str) -> None:
    up = upload(gateway_url, [("main.tf", DB_TF)])
    job_id = create_job(gateway_url, up["upload_id"]).json()["job_id"]
    wait_done(gateway_url, job_id)
    listing = requests.get(f"{gateway_url}/api/v1/jobs", params={"limit": 100}, timeout=10).json()
    assert job_id in [item["job_id"] for item in listing["items"]]
    assert requests.delete(f"{gateway_url}/api/v1/jobs/{job_id}", timeout=10).status_code == 204
    gone = requests.get(f"{gateway_url}/api/v1/jobs/{job_id}", timeout=10)
    assert gone.status_code == 404
    assert gone.headers["Content-Type"] == "application/json"
    assert gone.json()["error"]["code"] == "not_found"


def test_errors_are_json_over_http(gateway_url: str) -> None:
    for method, path, status in [
        ("GET", "/missing", 404),
        ("DELETE", "/api/v1/uploads", 405),
        ("GET", "/api/v1/jobs/not-a-job", 404),
    ]:
        response = requests.request(method, f"{gateway_url}{path}", timeout=10)
        assert response.status_code == status
        assert response.headers["Content-Type"] == "application/json"
        assert set(response.json()["error"]) == {"code", "message", "request_id"}


def test_ready_over_http(gateway_url: str) -> None:
    response = requests.get(f"{gateway_url}/health/ready", timeout=10)
    assert response.status_code == 200
    assert response.json()["checks"] == {"redis": "ok", "broker": "ok"}


def test_request_id_follows_the_job_through_every_log(
    gateway_url: str, worker: Service, session_dir: Path
) -> None:
    rid = f"trace-{time.time_ns()}"
    up = upload(gateway_url, [("main.tf", DB_TF)])
    response = requests.post(
        f"{gateway_url}/api/v1/jobs",
        json={"upload_id": up["upload_id"], "region": "us-east-1"},
        headers={"X-Request-ID": rid},
        timeout=30,
    )
    assert response.headers["X-Request-ID"] == rid
    job_id = response.json()["job_id"]
    assert wait_done(gateway_url, job_id)["status"] == "COMPLETED"

    def lines(name: str) -> list[dict[str, Any]]:
        out = []
        for line in (session_dir / f"{name}.log").read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        return out

    assert wait_for(lambda: any(r.get("request_id") == rid for r in lines("engine")), timeout=10)
    gateway_lines = [r for r in lines("gateway") if r.get("request_id") == rid]
    assert any(r.get("path") == "/api/v1/jobs" and r.get("status") == 202 for r in gateway_lines)
    worker_lines = [r for r in lines("worker") if r.get("request_id") == rid]
    assert worker_lines and all(r.get("job_id") == job_id for r in worker_lines)
    assert {"job started", "job completed"} <= {r["message"] for r in worker_lines}
    # Cleared after the task: no later line of another job carries it.
    other = [r for r in lines("worker") if r.get("job_id") not in (None, job_id)]
    assert all(r.get("request_id") != rid for r in other)
    for record in worker_lines:
        assert record["timestamp"].endswith("+00:00") and record["level"] and record["logger"]
