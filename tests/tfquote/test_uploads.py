"""The upload store against a real Redis."""

from __future__ import annotations

from pathlib import Path

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


def test_claim_for_job_extends_the_owners_upload(uploads: UploadStore) -> None:
    upload_id = saved(uploads, "alice")
    uploads.redis.expire(uploads.key(upload_id), 100)
    assert uploads.claim_for_job(upload_id, tenant="alice")
    assert uploads.redis.ttl(uploads.key(upload_id)) > 100


def test_another_tenants_guess_does_not_keep_an_upload_alive(uploads: UploadStore) -> None:
    upload_id = saved(uploads, "alice")
    uploads.redis.expire(uploads.key(upload_id), 100)
    assert not uploads.claim_for_job(upload_id, tenant="mallory")
    assert uploads.redis.ttl(uploads.key(upload_id)) <= 100


def test_claiming_a_missing_upload_creates_nothing(uploads: UploadStore) -> None:
    upload_id = new_upload_id()
    assert not uploads.claim_for_job(upload_id, tenant="alice")
    assert not uploads.redis.exists(uploads.key(upload_id))
