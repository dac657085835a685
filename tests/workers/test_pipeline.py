"""run_job without Celery: a real Redis job store and a recording fake of our own
`Engine` interface."""

from __future__ import annotations

import io
import tarfile
import uuid
import zipfile
from pathlib import Path
from typing import IO, Any

import pytest
import redis
from celery.exceptions import SoftTimeLimitExceeded

from tfquote.jobs import WORKER_LOST_MESSAGE, JobKeys, JobStatus, JobStore, request_fingerprint
from tfquote.settings import Settings
from tfquote.uploads import UploadedFile, UploadStore, new_upload_id
from workers.errors import PermanentJobError, TransientJobError
from workers.pipeline import Heartbeat, JobDeps, Outcome, RetryLater, run_job

pytestmark = pytest.mark.integration

MAIN_TF = b'resource "aws_instance" "web" {\n  instance_type = "t3.micro"\n}\n'


class RecordingEngine:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.bundles: list[dict[str, bytes]] = []
        self.fail_with: Exception | None = None
        self.on_submit: Any = None

    def submit(self, bundle: Path | IO[bytes], **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        opened = {"name": bundle} if isinstance(bundle, Path) else {"fileobj": bundle}
        with tarfile.open(mode="r:gz", **opened) as tar:  # type: ignore[call-overload]
            self.bundles.append(
                {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]
            )
        if self.on_submit:
            self.on_submit()
        if self.fail_with:
            raise self.fail_with
        return {"resources": sorted(self.bundles[-1])}


@pytest.fixture
def deps(redis_client: redis.Redis, tmp_path: Path) -> JobDeps:
    settings = Settings.from_env({}, overrides={"DATA_DIR": tmp_path, "MAX_ATTEMPTS": 2})
    return JobDeps(
        settings=settings,
        jobs=JobStore(redis_client, ttl_seconds=600, keys=JobKeys(f"p{uuid.uuid4().hex}:")),
        uploads=UploadStore(redis_client, data_dir=tmp_path, ttl_seconds=600),
        engine=RecordingEngine(),
    )


def upload(deps: JobDeps, files: dict[str, bytes]) -> str:
    upload_id = new_upload_id()
    directory = deps.uploads.directory(upload_id)
    directory.mkdir(parents=True)
    records = []
    for name, content in files.items():
        (directory / name).write_bytes(content)
        records.append(UploadedFile(name=name, size=len(content), sha256="0" * 64))
    deps.uploads.save(upload_id=upload_id, tenant="t", project_name=None, files=records)
    return upload_id


def job_for(deps: JobDeps, files: dict[str, bytes], options: dict[str, Any] | None = None) -> str:
    upload_id = upload(deps, files)
    body = {"upload_id": upload_id, "region": "eu-west-1", "options": options or {}}
    outcome = deps.jobs.create(
        tenant="t",
        upload_id=upload_id,
        region="eu-west-1",
        fingerprint=request_fingerprint(body),
        options=options,
    )
    return outcome.job.job_id


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def status(deps: JobDeps, job_id: str):
    job = deps.jobs.get(job_id)
    assert job is not None
    return job


def test_zip_upload_completes(deps: JobDeps) -> None:
    archive = zip_bytes({"repo/main.tf": MAIN_TF, "repo/modules/a/a.tf": MAIN_TF,
                         "repo/README.md": b"docs"})  # fmt: skip
    job_id = job_for(deps, {"infra.zip": archive})
    assert run_job(job_id, deps, request_id="rid") is Outcome.COMPLETED
    job = status(deps, job_id)
    assert job.status is JobStatus.COMPLETED and job.attempts == 1
    # The single top-level folder is stepped into; text files go too (templatefile()...).
    assert job.result == {"resources": ["README.md", "main.tf", "modules/a/a.tf"]}
    call = deps.engine.calls[0]  # type: ignore[attr-defined]
    assert call["idempotency_key"] == job_id and call["region"] == "eu-west-1"
    assert call["request_id"] == "rid"
    assert not (deps.settings.jobs_dir / job_id).exists()


def test_single_files_and_plan(deps: JobDeps) -> None:
    plan = b'{"format_version":"1.2","planned_values":{}}'
    job_id = job_for(deps, {"main.tf": MAIN_TF, "prod.tfvars": b"a = 1", "plan.json": plan,
                            "notes.json": b'{"x": 1}'})  # fmt: skip
    assert run_job(job_id, deps) is Outcome.COMPLETED
    assert status(deps, job_id).result == {
        "resources": ["main.tf", "notes.json", "plan.json", "prod.tfvars"]
    }


def test_files_terraform_may_read_go_to_the_engine_but_not_binaries_or_vcs(deps: JobDeps) -> None:
    archive = zip_bytes(
        {
            "main.tf": MAIN_TF,
            "templates/user_data.sh.tftpl": b"#!/bin/sh\necho ${name}\n",
            "config/queues.yaml": b"names: [a]\n",
            "image.png": b"\x89PNG\r\n\x1a\n\x00\x00binary",
            "big.json": b"[" + b",".join(str(i).encode() for i in range(200_000)) + b"]",
            ".git/config": b"[core]\n",
            ".terraform/providers/registry.terraform.io/x/provider": b"#!/bin/sh\n",
            ".terraform/modules/modules.json": b'{"Modules": []}',
            ".terraform/modules/vpc/main.tf": MAIN_TF,
        }
    )
    job_id = job_for(deps, {"infra.zip": archive})
    assert run_job(job_id, deps) is Outcome.COMPLETED, status(deps, job_id).error
    assert status(deps, job_id).result == {
        "resources": [
            ".terraform/modules/modules.json",
            ".terraform/modules/vpc/main.tf",
            "config/queues.yaml",
            "main.tf",
            "templates/user_data.sh.tftpl",
        ]
    }


def test_options_reach_the_engine_with_paths_relative_to_the_bundle(deps: JobDeps) -> None:
    archive = zip_bytes(
        {"repo/envs/prod/main.tf": MAIN_TF, "repo/envs/prod/prod.tfvars": b"a = 1\n"}
    )
    options = {
        "root_module": "repo/envs/prod",
        "var_files": ["envs/prod/prod.tfvars"],
        "workspace": "w",
    }
    job_id = job_for(deps, {"infra.zip": archive}, options)
    assert run_job(job_id, deps) is Outcome.COMPLETED, status(deps, job_id).error
    assert status(deps, job_id).options == options
    sent = deps.engine.calls[0]["options"]  # type: ignore[attr-defined]
    assert sent == {
        "root_module": "envs/prod",
        "var_files": ["envs/prod/prod.tfvars"],
        "workspace": "w",
    }
    assert sorted(deps.engine.bundles[0]) == ["envs/prod/main.tf", "envs/prod/prod.tfvars"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "options",
    [{"root_module": "envs/nope"}, {"var_files": ["missing.tfvars"]}, {"usage_file": "u.yml"}],
)
def test_an_option_naming_nothing_fails_the_job(deps: JobDeps, options: dict[str, Any]) -> None:
    job_id = job_for(deps, {"main.tf": MAIN_TF}, options)
    assert run_job(job_id, deps) is Outcome.FAILED
    job = status(deps, job_id)
    assert job.error is not None and job.error["code"] == "invalid_option"
    assert str(next(iter(options.values()))).strip("[]'") in job.error["message"]
    assert deps.engine.calls == []  # type: ignore[attr-defined]


def test_no_terraform_fails(deps: JobDeps) -> None:
    job_id = job_for(deps, {"only.tfvars": b"a = 1"})
    assert run_job(job_id, deps) is Outcome.FAILED
    job = status(deps, job_id)
    assert job.status is JobStatus.FAILED and job.error is not None
    assert job.error["code"] == "no_terraform"
    assert deps.engine.calls == []  # type: ignore[attr-defined]


def test_hostile_archive_fails_with_its_code(deps: JobDeps) -> None:
    job_id = job_for(deps, {"evil.zip": zip_bytes({"../../escape.tf": MAIN_TF})})
    assert run_job(job_id, deps) is Outcome.FAILED
    job = status(deps, job_id)
    assert job.error is not None and job.error["code"] == "path_traversal"
    assert not list(deps.settings.data_dir.parent.glob("escape.tf"))
    assert not (deps.settings.jobs_dir / job_id).exists()


def test_transient_error_retries_then_fails(deps: JobDeps) -> None:
    deps.engine.fail_with = TransientJobError("down", code="engine_unavailable")  # type: ignore[attr-defined]
    job_id = job_for(deps, {"main.tf": MAIN_TF})
    with pytest.raises(RetryLater) as info:
        run_job(job_id, deps)
    assert 0 <= info.value.countdown <= deps.settings.retry_backoff_max
    job = status(deps, job_id)
    assert job.status is JobStatus.PENDING and job.attempts == 1
    assert job.error == {"code": "engine_unavailable", "message": "down"}
    assert run_job(job_id, deps) is Outcome.FAILED  # attempt 2 of 2
    job = status(deps, job_id)
    assert job.status is JobStatus.FAILED and job.error["code"] == "engine_unavailable"  # type: ignore[index]
    assert run_job(job_id, deps) is Outcome.SKIPPED  # a stray redelivery does nothing


class BlippingJobStore(JobStore):
    """The real job store whose outcome writes hit a Redis blip `blips` times: before the
    write reaches Redis, or (`landed`) after it ran and only the reply was lost."""

    def __init__(self, *args: Any, blips: int, landed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.blips, self.landed = blips, landed

    def _blip(self, write: Any) -> Any:
        if self.blips > 0:
            self.blips -= 1
            if self.landed:
                write()
            raise redis.ConnectionError("Connection closed by server.")
        return write()

    def complete(self, *args: Any, **kwargs: Any) -> Any:
        return self._blip(lambda: JobStore.complete(self, *args, **kwargs))

    def requeue(self, *args: Any, **kwargs: Any) -> None:
        self._blip(lambda: JobStore.requeue(self, *args, **kwargs))


@pytest.mark.parametrize("landed", [False, True], ids=["write-lost", "reply-lost"])
def test_outcome_writes_ride_out_a_redis_blip(deps: JobDeps, landed: bool) -> None:
    deps.jobs = BlippingJobStore(deps.jobs.redis, ttl_seconds=600, keys=deps.jobs.keys,
                                 blips=2, landed=landed)  # fmt: skip
    job_id = job_for(deps, {"main.tf": MAIN_TF})
    assert run_job(job_id, deps) is Outcome.COMPLETED
    job = status(deps, job_id)
    assert job.status is JobStatus.COMPLETED and job.attempts == 1

    deps.engine.fail_with = TransientJobError("down", code="engine_unavailable")  # type: ignore[attr-defined]
    deps.jobs.blips = 2  # type: ignore[attr-defined]
    retried = job_for(deps, {"main.tf": MAIN_TF})
    with pytest.raises(RetryLater):
        run_job(retried, deps)
    assert status(deps, retried).status is JobStatus.PENDING


def test_permanent_error_fails_at_once(deps: JobDeps) -> None:
    deps.engine.fail_with = PermanentJobError("bad hcl", code="hcl_parse_error")  # type: ignore[attr-defined]
    job_id = job_for(deps, {"main.tf": MAIN_TF})
    assert run_job(job_id, deps) is Outcome.FAILED
    assert status(deps, job_id).error == {"code": "hcl_parse_error", "message": "bad hcl"}


def test_cancelled_before_claim_never_reaches_engine(deps: JobDeps) -> None:
    job_id = job_for(deps, {"main.tf": MAIN_TF})
    deps.jobs.cancel(job_id)
    assert run_job(job_id, deps) is Outcome.SKIPPED
    assert deps.engine.calls == []  # type: ignore[attr-defined]
    assert status(deps, job_id).status is JobStatus.CANCELLED


def test_cancelled_while_running_is_not_completed(deps: JobDeps) -> None:
    job_id = job_for(deps, {"main.tf": MAIN_TF})
    deps.engine.on_submit = lambda: deps.jobs.cancel(job_id)  # type: ignore[attr-defined]
    assert run_job(job_id, deps) is Outcome.CANCELLED
    job = status(deps, job_id)
    assert job.status is JobStatus.CANCELLED and job.result is None


def test_missing_upload_fails(deps: JobDeps) -> None:
    job_id = job_for(deps, {"main.tf": MAIN_TF})
    job = status(deps, job_id)
    deps.uploads.redis.delete(deps.uploads.key(job.upload_id))
    assert run_job(job_id, deps) is Outcome.FAILED
    assert status(deps, job_id).error["code"] == "upload_missing"  # type: ignore[index]


def test_bundle_is_reproducible(tmp_path: Path) -> None:
    from workers.workspace import write_bundle

    src = tmp_path / "src"
    (src / "m").mkdir(parents=True)
    (src / "main.tf").write_bytes(MAIN_TF)
    (src / "m" / "a.tf").write_bytes(MAIN_TF)
    files = [src / "m" / "a.tf", src / "main.tf"]
    with write_bundle(src, files) as bundle:
        first = bundle.read()
    import os
    import time

    later = time.time() + 1000
    for f in files:
        os.utime(f, (later, later))
    with write_bundle(src, list(reversed(files))) as bundle:
        second = bundle.read()
    assert first == second and first[:2] == b"\x1f\x8b"


def test_archives_with_the_same_stem(deps: JobDeps) -> None:
    import tarfile as tarmod

    buffer = io.BytesIO()
    with tarmod.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarmod.TarInfo("b.tf")
        info.size = len(MAIN_TF)
        tar.addfile(info, io.BytesIO(MAIN_TF))
    job_id = job_for(deps, {"a.zip": zip_bytes({"a.tf": MAIN_TF}), "a.tar.gz": buffer.getvalue()})
    assert run_job(job_id, deps) is Outcome.COMPLETED
    assert sorted(status(deps, job_id).result["resources"]) == ["a/a.tf", "a_tar_gz/b.tf"]  # type: ignore[index]


def test_usage_files_travel_with_the_bundle(deps: JobDeps) -> None:
    usage = b"version: 0.1\nresource_usage: {}\n"
    job_id = job_for(deps, {"main.tf": MAIN_TF, "infracost-usage.yml": usage})
    assert run_job(job_id, deps) is Outcome.COMPLETED
    assert status(deps, job_id).result == {"resources": ["infracost-usage.yml", "main.tf"]}
    only_usage = job_for(deps, {"prod.usage.yml": usage})
    assert run_job(only_usage, deps) is Outcome.FAILED
    assert status(deps, only_usage).error["code"] == "no_terraform"  # type: ignore[index]


def test_heartbeat_keeps_the_lease_fresh_and_sees_cancellation(deps: JobDeps) -> None:
    import time

    from workers.pipeline import Heartbeat

    job_id = job_for(deps, {"main.tf": MAIN_TF})
    deps.jobs.claim(job_id, max_attempts=3, owner="me")
    with Heartbeat(deps.jobs, job_id, "me", interval=0.05) as beat:
        time.sleep(0.4)
        assert job_id not in deps.jobs.stale_running(0.2)
        deps.jobs.cancel(job_id)
        time.sleep(0.2)
        assert beat.status == "CANCELLED" and not beat.still_ours()
    other = job_for(deps, {"main.tf": MAIN_TF})
    deps.jobs.claim(other, max_attempts=3, owner="gone")
    time.sleep(0.4)  # nobody beats for it
    assert other in deps.jobs.stale_running(0.2)


def test_soft_time_limit_fails_the_job_as_job_timeout(deps: JobDeps) -> None:
    job_id = job_for(deps, {"main.tf": MAIN_TF})
    deps.engine.fail_with = SoftTimeLimitExceeded()  # type: ignore[attr-defined]
    assert run_job(job_id, deps) is Outcome.FAILED
    job = status(deps, job_id)
    assert job.status is JobStatus.FAILED and job.error["code"] == "job_timeout"  # type: ignore[index]


def test_soft_time_limit_after_a_takeover_leaves_the_new_holder_alone(deps: JobDeps) -> None:
    """The timed-out attempt's lease went to another worker meanwhile: failing the job
    would end that worker's live attempt."""
    job_id = job_for(deps, {"main.tf": MAIN_TF})

    def taken_over() -> None:
        holder = status(deps, job_id).owner
        deps.jobs.claim(job_id, max_attempts=5, owner="elsewhere:1:x", dead_owner=holder)

    deps.engine.on_submit = taken_over  # type: ignore[attr-defined]
    deps.engine.fail_with = SoftTimeLimitExceeded()  # type: ignore[attr-defined]
    assert run_job(job_id, deps) is Outcome.CANCELLED
    job = status(deps, job_id)
    assert (job.status, job.owner, job.error) == (JobStatus.RUNNING, "elsewhere:1:x",
                                                  {"code": "worker_lost", "message": WORKER_LOST_MESSAGE})  # fmt: skip


def test_cancellation_check_does_not_swallow_the_soft_time_limit(deps: JobDeps) -> None:
    """The soft limit may fire while the pipeline asks Redis whether the job was
    cancelled; "can't tell" must not cover it, or the job runs on to the hard limit."""

    class TimingOut(JobStore):
        def is_cancelled(self, job_id: str) -> bool:
            raise SoftTimeLimitExceeded()

    jobs = TimingOut(deps.jobs.redis, ttl_seconds=600, keys=deps.jobs.keys)
    beat = Heartbeat(jobs, "job", "me", interval=5)
    with pytest.raises(SoftTimeLimitExceeded):
        beat.still_ours()


def test_cancelled_and_deleted_during_the_engine_call(deps: JobDeps) -> None:
    job_id = job_for(deps, {"main.tf": MAIN_TF})

    def cancel_and_delete() -> None:
        deps.jobs.cancel(job_id)
        deps.jobs.delete(job_id)

    deps.engine.on_submit = cancel_and_delete  # type: ignore[attr-defined]
    assert run_job(job_id, deps) is Outcome.CANCELLED
    assert deps.jobs.get(job_id) is None


@pytest.mark.parametrize("archived", [False, True])
def test_plain_files_are_read_in_place_and_archives_in_a_workspace_removed_after(
    deps: JobDeps, archived: bool
) -> None:
    files = {"main.tf": MAIN_TF, "vars.auto.tfvars": b'size = "x"\n'}
    job_id = job_for(deps, {"repo.zip": zip_bytes(files)} if archived else files)
    workspace = deps.settings.jobs_dir / job_id
    upload_dir = deps.uploads.directory(status(deps, job_id).upload_id)
    seen: list[bool] = []
    deps.engine.on_submit = lambda: seen.append(workspace.exists())  # type: ignore[attr-defined]
    assert run_job(job_id, deps) is Outcome.COMPLETED
    # The engine got the same files either way; nothing was copied for plain files.
    assert sorted(deps.engine.bundles[0]) == ["main.tf", "vars.auto.tfvars"]  # type: ignore[attr-defined]
    assert seen == [archived]
    assert not workspace.exists()
    assert sorted(p.name for p in upload_dir.iterdir()) == (
        ["repo.zip"] if archived else ["main.tf", "vars.auto.tfvars"]
    )


class RecordingOutbox:
    """A fake of the webhook outbox's fast path: what was asked, and one pending event."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def pending_events(self, job_id: str) -> list[str]:
        self.asked.append(job_id)
        return ["job.completed"]


def test_only_a_job_with_a_webhook_asks_the_outbox(deps: JobDeps) -> None:
    outbox = RecordingOutbox()
    published: list[tuple[str, str]] = []
    deps.webhooks = outbox  # type: ignore[assignment]
    deps.publish_webhook = lambda job_id, event, _: published.append((job_id, event))
    plain = job_for(deps, {"main.tf": MAIN_TF})
    hooked = job_for(deps, {"main.tf": MAIN_TF}, {"webhook_url": "https://hooks.example/x"})

    assert run_job(plain, deps) is Outcome.COMPLETED
    assert run_job(hooked, deps) is Outcome.COMPLETED

    # No round trip to the outbox for a job that cannot have an event in it.
    assert outbox.asked == [hooked] and published == [(hooked, "job.completed")]
