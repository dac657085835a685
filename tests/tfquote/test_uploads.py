"""The upload store against a real Redis."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import redis

from tfquote.uploads import UploadedFile, UploadStore, new_upload_id

pytestmark = pytest.mark.integration


@pytest.fixture
def uploads(redis_client: redis.Redis, tmp_path: Path) -> UploadStore:
    return UploadStore(redis_client, data_dir=tmp_path, ttl_seconds=600)


def saved(uploads: UploadStore, tenant: str) -> str:
    upload_id = new_upload_id()
    files = [UploadedFile(name="main.tf", size=1, sha256="0" * 64)]
    uploads.save(upload_id=upload_id, tenant=tenant, project_name=None, files=files)
    return upload_id


def _store(uploads: UploadStore) -> Any:
    from tfquote.jobs import JobKeys, JobStore

    return JobStore(uploads.redis, ttl_seconds=3600, keys=JobKeys(prefix=f"t{uuid.uuid4().hex}:"))


def _create_with(store: Any, uploads: UploadStore, upload_id: str, tenant: str) -> Any:
    lease = uploads.lease(upload_id, tenant=tenant)
    assert lease is not None
    return store.create(
        tenant=tenant,
        upload_id=upload_id,
        region="us-east-1",
        fingerprint="f",
        idempotency_key="k1",
        upload=lease,
    )


def test_creating_a_job_extends_its_owners_upload(uploads: UploadStore) -> None:
    upload_id = saved(uploads, "alice")
    uploads.redis.expire(uploads.key(upload_id), 100)
    outcome = _create_with(_store(uploads), uploads, upload_id, "alice")
    assert outcome.created and outcome.job.upload_id == upload_id
    assert uploads.redis.ttl(uploads.key(upload_id)) > 100


@pytest.mark.parametrize("whose", ["another tenant's", "a missing"])
def test_a_job_on_someone_elses_or_a_missing_upload_is_not_created(
    uploads: UploadStore, whose: str
) -> None:
    from tfquote.jobs import UploadNotFound

    upload_id = saved(uploads, "alice") if whose == "another tenant's" else new_upload_id()
    uploads.redis.expire(uploads.key(upload_id), 100)
    store = _store(uploads)
    with pytest.raises(UploadNotFound):
        _create_with(store, uploads, upload_id, "mallory")
    assert uploads.redis.ttl(uploads.key(upload_id)) <= 100
    # Nothing was written: no job, no index entry, no idempotency key, no sequence.
    assert list(uploads.redis.scan_iter(f"{store.keys.prefix}*")) == []


def test_invalid_upload_ids_have_no_lease(uploads: UploadStore) -> None:
    assert uploads.lease("../../etc", tenant="alice") is None
