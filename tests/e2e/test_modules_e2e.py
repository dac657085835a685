"""A plain checkout that calls registry modules, estimated through the whole system: upload to
the gateway, a job, a celery worker, an engine that fetches the modules from the local
registry over HTTPS (the test CA through ``REQUESTS_CA_BUNDLE``), and the job's result listing
every module fetched with its version, source and whether it came from the cache.

The stack here is its own (engine, worker, gateway on Redis database 5), so the session's
stack, whose engine fetches nothing, never picks these jobs up.
"""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.test_pipeline_e2e import upload, wait_done
from tests.support.module_fixtures import MODULES, ModuleServers, fetching_engine_env
from tfquote import redis_server
from tfquote.devstack import BIN, service_env, start_gunicorn, start_service

pytestmark = pytest.mark.e2e

ORACLE = (
    Path(__file__).resolve().parents[1]
    / "engine/terraform/examples/terraform-aws-sqs/complete.json"
)


@pytest.fixture(scope="module")
def modules_stack(
    module_servers: ModuleServers, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    root = tmp_path_factory.mktemp("modules-stack")
    (root / "data").mkdir()
    redis = redis_url.rsplit("/", 1)[0] + "/5"
    engine_port, gateway_port = redis_server.free_port(), redis_server.free_port()
    common = {
        "REDIS_URL": redis,
        "ENGINE_REDIS_URL": redis,
        "DATA_DIR": str(root / "data"),
        "MAX_ATTEMPTS": "3",
        "ENGINE_URL": f"http://127.0.0.1:{engine_port}",
        "AUTH_ENABLED": "false",
        "ENGINE_POLL_INTERVAL": "0.05",
        "LOG_LEVEL": "INFO",
    }
    engine = start_gunicorn("modules-engine", "engine:create_app()", engine_port,
                            {**common, **fetching_engine_env(module_servers, root / "cache")},
                            root, workers=1, threads=4)  # fmt: skip
    log = root / "modules-worker.log"
    worker = start_service(
        "modules-worker",
        [str(BIN / "celery"), "-A", "workers", "worker", "--loglevel", "INFO",
         "--concurrency", "1", "--pool", "prefork", "-n", "celery@tfquote-modules"],
        service_env(common),
        root,
        lambda: log.exists() and "celery@tfquote-modules ready." in log.read_text(errors="replace"),
        timeout=90,
    )  # fmt: skip
    gateway = start_gunicorn("modules-gateway", "wsgi:app", gateway_port, common, root)
    yield f"http://127.0.0.1:{gateway_port}"
    gateway.stop()
    worker.stop(timeout=20)
    engine.stop()


def _tarball(base: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(base.rglob("*")):
            if path.is_file():
                archive.add(path, arcname=f"sqs/{path.relative_to(base).as_posix()}")
    return buffer.getvalue()


def _job(gateway: str, upload_id: str, key: str) -> dict[str, Any]:
    response = requests.post(
        f"{gateway}/api/v1/jobs",
        json={"upload_id": upload_id, "region": "us-east-1",
              "options": {"root_module": "sqs/examples/complete"}},
        headers={"Idempotency-Key": key},
        timeout=30,
    )  # fmt: skip
    assert response.status_code == 202, response.text
    job = wait_done(gateway, response.json()["job_id"], timeout=120)
    assert job["status"] == "COMPLETED", job["error"]
    return job


def test_a_checkout_with_registry_modules_through_the_whole_system(
    modules_stack: str, module_servers: ModuleServers
) -> None:
    oracle = json.loads(ORACLE.read_text())
    up = upload(modules_stack, [("sqs.tar.gz", _tarball(MODULES / "terraform-aws-sqs"))])
    first = _job(modules_stack, up["upload_id"], "modules-e2e-1")
    result = first["result"]
    managed = {r["address"]: r["region"] for r in result["resources"] if r["mode"] == "managed"}
    assert managed == oracle["resources"]
    [kms] = [m for m in result["modules"] if m["address"] == "module.kms"]
    assert kms["kind"] == "registry"
    assert kms["source"] == "terraform-aws-modules/kms/aws"
    assert (kms["version"], kms["constraint"]) == ("4.2.0", "~> 4.0")
    assert kms["package"] == "registry.terraform.io/terraform-aws-modules/kms/aws"
    assert kms["from_cache"] is False
    assert result["summary"]["modules_not_expanded"] == 0

    second = _job(modules_stack, up["upload_id"], "modules-e2e-2")
    [again] = [m for m in second["result"]["modules"] if m["address"] == "module.kms"]
    assert again["from_cache"] is True
    assert second["result"]["resources"] == result["resources"]
