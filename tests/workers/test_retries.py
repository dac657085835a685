"""A real worker retries a job as many times as MAX_ATTEMPTS allows, and no fewer: Celery's
own retry limit (3 by default) must not end the retries first."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
import redis

from tfquote.devstack import BIN, Service, service_env, start_service, wait_for
from tfquote.jobs import JobStatus, JobStore
from tfquote.settings import Settings
from tfquote.tasks import publish_job
from tfquote.uploads import UploadedFile, UploadStore, new_upload_id
from workers.app import create_celery_app

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

ATTEMPTS = 6


@pytest.fixture(scope="module")
def stack(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    # A database of its own (broker and store), so the session's worker never sees it, and
    # an engine that is never there: every attempt ends with a transient error.
    work = tmp_path_factory.mktemp("retries")
    env = {
        "REDIS_URL": redis_url.rsplit("/", 1)[0] + "/7",
        "DATA_DIR": str(work / "data"),
        "ENGINE_URL": "http://127.0.0.1:9",
        "ENGINE_CONNECT_TIMEOUT": "0.5",
        "MAX_ATTEMPTS": str(ATTEMPTS),
        "RETRY_BACKOFF_BASE": "0.05",
        "RETRY_BACKOFF_MAX": "0.1",
        "LOG_LEVEL": "INFO",
    }
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    log = work / "worker.log"
    marker = "celery@tfquote-retries"
    worker: Service = start_service(
        "worker",
        [str(BIN / "celery"), "-A", "workers", "worker", "--loglevel", "INFO",
         "--concurrency", "1", "--pool", "prefork", "-n", marker],
        service_env(env),
        work,
        lambda: log.exists() and f"{marker} ready." in log.read_text(errors="replace"),
        timeout=90,
    )  # fmt: skip
    yield env
    worker.stop(timeout=20)


def test_a_job_gets_every_attempt_it_is_allowed(stack: dict[str, str]) -> None:
    settings = Settings.from_env(environ=stack)
    client = redis.Redis.from_url(settings.redis_url)
    uploads = UploadStore(client, data_dir=settings.data_dir, ttl_seconds=3600)
    jobs = JobStore(client, ttl_seconds=3600)
    upload_id = new_upload_id()
    body = b'resource "aws_eip" "ip" {}\n'
    uploads.directory(upload_id).mkdir(parents=True)
    (uploads.directory(upload_id) / "main.tf").write_bytes(body)
    uploads.save(
        upload_id=upload_id,
        tenant="t",
        project_name=None,
        files=[
            UploadedFile(name="main.tf", size=len(body), sha256=hashlib.sha256(body).hexdigest())
        ],
    )
    job = jobs.create(tenant="t", upload_id=upload_id, region="us-east-1", fingerprint="f").job
    app = create_celery_app()
    app.conf.broker_url = settings.broker_url
    publish_job(app, job.job_id)

    def ended() -> bool:
        current = jobs.get(job.job_id)
        return current is not None and current.status is JobStatus.FAILED

    assert wait_for(ended, timeout=60), jobs.get(job.job_id)
    failed = jobs.get(job.job_id)
    assert failed is not None
    assert failed.attempts == ATTEMPTS
    assert failed.error is not None and failed.error["code"] == "engine_unavailable"
