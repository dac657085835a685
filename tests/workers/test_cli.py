"""``celery -A workers jobs ...``: the real celery CLI as a subprocess against the test
stack (private redis-server, real celery worker, real gateway), plus the CLI's plain
functions in-process against a real JobStore under a private key prefix."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import redis
import requests

from tfquote.devstack import BIN, ROOT, service_env, wait_for
from tfquote.jobs import Job, JobKeys, JobStatus, JobStore
from workers.cli import (
    ActionResult,
    ExitCode,
    format_table,
    redact_url,
    retry_all_failed,
    retry_job,
)

pytestmark = pytest.mark.e2e

CELERY = BIN / "celery"
CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1

MAIN_TF = b"""
resource "aws_instance" "web" {
  ami           = "ami-123"
  instance_type = "t3.micro"
}
"""


# --- helpers and fixtures ---------------------------------------------------------------


def jobs_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CELERY), "-A", "workers", "jobs", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def as_json(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(proc.stdout)
    return document


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def cli_env(stack_env: dict[str, str]) -> dict[str, str]:
    return service_env(stack_env)


@pytest.fixture
def store(redis_client: redis.Redis) -> JobStore:
    """The stack's own key layout: what the CLI subprocesses and the worker see."""
    return JobStore(redis_client, ttl_seconds=3600)


@pytest.fixture
def private_store(redis_client: redis.Redis) -> JobStore:
    """A key prefix nobody else uses, for walks over "every FAILED job"."""
    return JobStore(redis_client, ttl_seconds=3600, keys=JobKeys(f"tfqtest-{uuid.uuid4().hex}:"))


@pytest.fixture
def tenant() -> str:
    return f"cli-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def upload_id(gateway_url: str) -> str:
    """A real upload (through the gateway) that the real worker estimates successfully."""
    response = requests.post(
        f"{gateway_url}/api/v1/uploads", files=[("file", ("main.tf", MAIN_TF))], timeout=30
    )
    assert response.status_code == 201, response.text
    upload: str = response.json()["upload_id"]
    return upload


def new_job(store: JobStore, tenant: str, upload: str = "no-upload") -> Job:
    """A PENDING job whose task is never published: no worker touches it."""
    return store.create(
        tenant=tenant, upload_id=upload, region="us-east-1", fingerprint=uuid.uuid4().hex
    ).job


def failed_job(store: JobStore, tenant: str, upload: str = "no-upload") -> Job:
    job = new_job(store, tenant, upload)
    assert store.claim(job.job_id, max_attempts=3) is not None
    store.fail(job.job_id, "engine_unavailable", "the engine did not answer")
    failed = store.get(job.job_id)
    assert failed is not None and failed.status is JobStatus.FAILED
    return failed


def status_of(store: JobStore, job_id: str) -> JobStatus | None:
    job = store.get(job_id)
    return None if job is None else job.status


def wait_completed(store: JobStore, *job_ids: str) -> None:
    def done() -> bool:
        return all(status_of(store, j) is JobStatus.COMPLETED for j in job_ids)

    assert wait_for(done, timeout=60, interval=0.1), [store.get(j) for j in job_ids]


# --- list and show ----------------------------------------------------------------------


def test_list_pages_newest_first_and_filters(
    cli_env: dict[str, str], store: JobStore, tenant: str
) -> None:
    a = new_job(store, tenant)
    b = failed_job(store, tenant)
    c = new_job(store, tenant)
    other = failed_job(store, tenant + "-other")

    first = jobs_cli(cli_env, "list", "--tenant", tenant, "--limit", "2", "--json")
    assert first.returncode == 0, first.stderr
    page = as_json(first)
    assert [i["job_id"] for i in page["items"]] == [c.job_id, b.job_id]
    assert page["items"][1]["status"] == "FAILED" and page["items"][1]["tenant"] == tenant
    assert page["items"][1]["error"] == {
        "code": "engine_unavailable",
        "message": "the engine did not answer",
    }
    assert page["next_cursor"]

    second = jobs_cli(
        cli_env, "list", "--tenant", tenant, "--cursor", page["next_cursor"], "--json"
    )
    assert second.returncode == 0, second.stderr
    assert [i["job_id"] for i in as_json(second)["items"]] == [a.job_id]
    assert as_json(second)["next_cursor"] is None

    # Across every tenant by default; --status is case-insensitive.
    failed = jobs_cli(cli_env, "list", "--status", "failed", "--limit", "1000", "--json")
    assert failed.returncode == 0, failed.stderr
    ids = [i["job_id"] for i in as_json(failed)["items"]]
    assert other.job_id in ids and b.job_id in ids
    assert ids.index(other.job_id) < ids.index(b.job_id)  # newest first
    assert a.job_id not in ids and c.job_id not in ids

    table = jobs_cli(cli_env, "list", "--tenant", tenant)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == [
        "JOB_ID", "STATUS", "TENANT", "REGION", "ATTEMPTS", "CREATED_AT", "ERROR",
    ]  # fmt: skip
    assert [line.split()[0] for line in lines[1:]] == [c.job_id, b.job_id, a.job_id]
    assert lines[2].split()[1] == "FAILED" and lines[2].split()[-1] == "engine_unavailable"


def test_show_json_text_and_unknown(cli_env: dict[str, str], store: JobStore, tenant: str) -> None:
    job = failed_job(store, tenant)

    shown = jobs_cli(cli_env, "show", job.job_id, "--json")
    assert shown.returncode == 0, shown.stderr
    document = as_json(shown)
    assert document == {**job.to_public(), "tenant": tenant}

    text = jobs_cli(cli_env, "show", job.job_id)
    assert text.returncode == 0, text.stderr
    assert f"job_id: {job.job_id}" in text.stdout
    assert "status: FAILED" in text.stdout
    assert "error: engine_unavailable: the engine did not answer" in text.stdout

    unknown = str(uuid.uuid4())
    missing = jobs_cli(cli_env, "show", unknown, "--json")
    assert missing.returncode == ExitCode.NOT_FOUND == 3
    assert as_json(missing)["error"]["code"] == "not_found"
    assert f"job {unknown} not found" in missing.stderr
    no_traceback(missing)


# --- retry ------------------------------------------------------------------------------


def test_retry_runs_a_failed_job_again_through_the_worker(
    cli_env: dict[str, str], store: JobStore, tenant: str, upload_id: str
) -> None:
    job = failed_job(store, tenant, upload_id)

    retried = jobs_cli(cli_env, "retry", job.job_id, "--json")
    assert retried.returncode == 0, retried.stderr
    assert as_json(retried) == {
        "job_id": job.job_id,
        "status": "PENDING",
        "result": "retried",
        "message": f"job {job.job_id} retried: FAILED -> PENDING, task queued",
    }
    wait_completed(store, job.job_id)
    done = store.get(job.job_id)
    assert done is not None and done.attempts == 1 and done.error is None
    assert done.result is not None and done.result["summary"]["resource_count"] == 1

    # COMPLETED is not FAILED: refused, exit 1, the message names the state.
    again = jobs_cli(cli_env, "retry", job.job_id)
    assert again.returncode == ExitCode.REFUSED == 1
    assert f"job {job.job_id} is COMPLETED; only FAILED jobs can be retried" in again.stderr
    assert status_of(store, job.job_id) is JobStatus.COMPLETED
    no_traceback(again)


def test_retry_refuses_pending_and_unknown_jobs(
    cli_env: dict[str, str], store: JobStore, tenant: str
) -> None:
    pending = new_job(store, tenant)
    refused = jobs_cli(cli_env, "retry", pending.job_id, "--json")
    assert refused.returncode == 1
    assert as_json(refused)["result"] == "refused" and as_json(refused)["status"] == "PENDING"
    assert "is PENDING" in refused.stderr

    unknown = str(uuid.uuid4())
    missing = jobs_cli(cli_env, "retry", unknown, "--json")
    assert missing.returncode == 3
    assert as_json(missing) == {
        "job_id": unknown,
        "status": None,
        "result": "not_found",
        "message": f"job {unknown} not found",
    }


def test_retry_all_failed_with_limit(
    cli_env: dict[str, str], store: JobStore, tenant: str, upload_id: str
) -> None:
    oldest, middle, newest = (failed_job(store, tenant, upload_id) for _ in range(3))
    pending = new_job(store, tenant)

    first = jobs_cli(cli_env, "retry", "--all-failed", "--tenant", tenant, "--limit", "2", "--json")
    assert first.returncode == 0, first.stderr
    summary = as_json(first)
    assert (summary["retried"], summary["skipped"], summary["not_published"]) == (2, 0, 0)
    assert [i["job_id"] for i in summary["items"]] == [newest.job_id, middle.job_id]
    assert status_of(store, oldest.job_id) is JobStatus.FAILED

    rest = jobs_cli(cli_env, "retry", "--all-failed", "--tenant", tenant)
    assert rest.returncode == 0, rest.stderr
    assert rest.stdout.strip() == "retried 1, skipped 0"

    wait_completed(store, oldest.job_id, middle.job_id, newest.job_id)
    assert status_of(store, pending.job_id) is JobStatus.PENDING


def test_retry_when_the_broker_is_down_puts_the_job_back_to_failed(
    cli_env: dict[str, str], store: JobStore, tenant: str
) -> None:
    job = failed_job(store, tenant)
    env = {**cli_env, "CELERY_BROKER_URL": CLOSED}  # Redis (job store) up, broker down

    proc = jobs_cli(env, "retry", job.job_id, "--json")
    assert proc.returncode == ExitCode.UNAVAILABLE == 4
    document = as_json(proc)
    assert document["result"] == "not_published" and document["status"] == "FAILED"
    assert "put back to FAILED" in proc.stderr
    no_traceback(proc)
    after = store.get(job.job_id)
    assert after is not None and after.status is JobStatus.FAILED
    assert after.error == job.error  # the original reason is kept


# --- cancel -----------------------------------------------------------------------------


def test_cancel_pending_then_refuse_terminal(
    cli_env: dict[str, str], store: JobStore, tenant: str
) -> None:
    job = new_job(store, tenant)

    cancelled = jobs_cli(cli_env, "cancel", job.job_id, "--json")
    assert cancelled.returncode == 0, cancelled.stderr
    assert as_json(cancelled)["result"] == "cancelled"
    assert as_json(cancelled)["status"] == "CANCELLED"
    assert status_of(store, job.job_id) is JobStatus.CANCELLED

    again = jobs_cli(cli_env, "cancel", job.job_id)
    assert again.returncode == 1
    assert f"job {job.job_id} is CANCELLED; only PENDING or RUNNING" in again.stderr
    no_traceback(again)


# --- errors -----------------------------------------------------------------------------


def test_redis_down_exits_4_without_traceback(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "REDIS_URL": "redis://:hunter2@127.0.0.1:1/0"}

    listed = jobs_cli(env, "list")
    assert listed.returncode == 4
    assert listed.stderr.startswith("Error: Redis unavailable (redis://:***@127.0.0.1:1/0)")
    assert "hunter2" not in listed.stderr
    no_traceback(listed)

    retried = jobs_cli(env, "retry", str(uuid.uuid4()), "--json")
    assert retried.returncode == 4
    assert as_json(retried)["result"] == "unavailable"
    no_traceback(retried)


def test_usage_errors_exit_2(cli_env: dict[str, str]) -> None:
    neither = jobs_cli(cli_env, "retry")
    assert neither.returncode == 2
    assert "give either JOB_ID or --all-failed" in neither.stderr


# --- the plain functions, in-process ----------------------------------------------------


class Recorder:
    def __init__(self, hook: Callable[[str], None] | None = None) -> None:
        self.published: list[str] = []
        self.hook = hook

    def __call__(self, job_id: str) -> None:
        if self.hook is not None:
            self.hook(job_id)
        self.published.append(job_id)


def broker_down(job_id: str) -> None:
    raise ConnectionRefusedError(111, "Connection refused")


def test_retry_all_failed_walks_every_page_and_counts_skips(private_store: JobStore) -> None:
    failed = [failed_job(private_store, "t1"), failed_job(private_store, "t2")]
    failed += [failed_job(private_store, "t1") for _ in range(3)]
    new_job(private_store, "t1")
    newest_first = [j.job_id for j in reversed(failed)]

    # On the first publish, another operator retries a job of the page already listed.
    def someone_else_retries(job_id: str) -> None:
        if not publish.published:
            private_store.retry(newest_first[1])

    publish = Recorder(someone_else_retries)
    outcome = retry_all_failed(private_store, publish, page_size=2)
    assert [i.job_id for i in outcome.items] == newest_first
    assert (outcome.retried, outcome.skipped, outcome.exit_code) == (4, 1, ExitCode.OK)
    assert outcome.items[1].result is ActionResult.REFUSED
    assert publish.published == [j for j in newest_first if j != newest_first[1]]
    assert all(status_of(private_store, j) is JobStatus.PENDING for j in newest_first)
    assert outcome.message == "retried 4, skipped 1"


def test_retry_all_failed_limit_and_stop_on_publish_failure(private_store: JobStore) -> None:
    jobs = [failed_job(private_store, "t") for _ in range(3)]

    limited = retry_all_failed(private_store, Recorder(), limit=1)
    assert [i.job_id for i in limited.items] == [jobs[2].job_id]

    stopped = retry_all_failed(private_store, broker_down)
    assert [i.result for i in stopped.items] == [ActionResult.NOT_PUBLISHED]
    assert stopped.exit_code is ExitCode.UNAVAILABLE
    assert status_of(private_store, jobs[1].job_id) is JobStatus.FAILED
    assert status_of(private_store, jobs[0].job_id) is JobStatus.FAILED  # never touched


def test_retry_all_failed_reports_what_it_did_when_redis_fails(private_store: JobStore) -> None:
    jobs = [failed_job(private_store, "t") for _ in range(3)]

    class RedisGoneOnSecondPage(JobStore):
        pages = 0

        def list_jobs(self, **kwargs: Any) -> Any:
            self.pages += 1
            if self.pages > 1:
                raise redis.exceptions.ConnectionError("Connection reset by peer")
            return super().list_jobs(**kwargs)

    store = RedisGoneOnSecondPage(private_store.redis, ttl_seconds=3600, keys=private_store.keys)
    outcome = retry_all_failed(store, Recorder(), page_size=2)
    assert [i.job_id for i in outcome.items] == [jobs[2].job_id, jobs[1].job_id]
    assert outcome.exit_code is ExitCode.UNAVAILABLE
    assert outcome.to_json()["result"] == "unavailable"
    assert outcome.message == (
        "retried 2, skipped 0; stopped: Redis unavailable: ConnectionError: Connection reset by peer"
    )


def test_retry_publish_failure_never_overrides_a_worker(private_store: JobStore) -> None:
    job = failed_job(private_store, "t")

    def delivered_after_all(job_id: str) -> None:
        private_store.claim(job_id, max_attempts=3)  # a worker got the message anyway
        raise TimeoutError("no reply from the broker")

    outcome = retry_job(private_store, delivered_after_all, job.job_id)
    assert outcome.result is ActionResult.NOT_PUBLISHED and outcome.status == "RUNNING"
    assert "left as it is" in outcome.message
    assert status_of(private_store, job.job_id) is JobStatus.RUNNING


def test_retry_publish_failure_with_redis_gone_leaves_pending(private_store: JobStore) -> None:
    job = failed_job(private_store, "t")

    class RedisGoneOnFail(JobStore):
        def fail(self, *args: Any, **kwargs: Any) -> None:
            raise redis.exceptions.ConnectionError("Connection refused")

    store = RedisGoneOnFail(private_store.redis, ttl_seconds=3600, keys=private_store.keys)
    outcome = retry_job(store, broker_down, job.job_id)
    assert outcome.result is ActionResult.NOT_PUBLISHED and outcome.status == "PENDING"
    assert "the reconciler will pick it up" in outcome.message
    assert status_of(private_store, job.job_id) is JobStatus.PENDING


def test_format_helpers() -> None:
    assert redact_url("redis://:pw@host:6380/1") == "redis://:***@host:6380/1"
    assert redact_url("redis://user:pw@host/0") == "redis://user:***@host/0"
    assert redact_url("redis://host:6379/0") == "redis://host:6379/0"
    assert format_table([]).split() == [
        "JOB_ID", "STATUS", "TENANT", "REGION", "ATTEMPTS", "CREATED_AT", "ERROR",
    ]  # fmt: skip
