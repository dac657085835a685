"""sweep_files against a real Redis: only expired, old leftovers are removed."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest
import redis

from tfquote.jobs import JobKeys, JobStore
from tfquote.uploads import UploadedFile, UploadStore, new_upload_id
from workers.maintenance import sweep_files

pytestmark = pytest.mark.integration


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_sweep(redis_client: redis.Redis, tmp_path: Path) -> None:
    jobs = JobStore(redis_client, ttl_seconds=60, keys=JobKeys(f"s{uuid.uuid4().hex}:"))
    uploads = UploadStore(redis_client, data_dir=tmp_path, ttl_seconds=60)
    live = new_upload_id()
    uploads.save(upload_id=live, tenant="t", project_name=None,
                 files=[UploadedFile("main.tf", 1, "0" * 64)])  # fmt: skip
    expired, fresh = new_upload_id(), new_upload_id()
    for upload_id in (live, expired, fresh):
        (tmp_path / "uploads" / upload_id).mkdir(parents=True)
    running = jobs.create(tenant="t", upload_id=live, region="us-east-1", fingerprint="f").job
    jobs.claim(running.job_id, max_attempts=3)
    for name in (running.job_id, str(uuid.uuid4())):
        (tmp_path / "jobs" / name).mkdir(parents=True)
    (tmp_path / "incoming" / "dead-request").mkdir(parents=True)
    for path in [*(tmp_path / "uploads").iterdir(), *(tmp_path / "jobs").iterdir(),
                 *(tmp_path / "incoming").iterdir()]:  # fmt: skip
        if path.name != fresh:
            age(path, 7200)

    report = sweep_files(tmp_path, jobs, uploads, grace_seconds=3600)

    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == sorted([live, fresh])
    assert [p.name for p in (tmp_path / "jobs").iterdir()] == [running.job_id]
    assert list((tmp_path / "incoming").iterdir()) == []
    assert (report.uploads, report.workspaces, report.incoming) == (1, 1, 1)
