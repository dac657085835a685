"""Uploads: their metadata in Redis and their files under ``DATA_DIR/uploads``.

Owns the upload key layout (``tfq:upload:{upload_id}``, a hash that expires after
``JOB_TTL_SECONDS``) and the on-disk layout (``DATA_DIR/uploads/{upload_id}/{name}``).
The gateway writes uploads; workers read them. Filenames are sanitised here, once,
before they touch disk or logs. Imports neither Flask nor Celery.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import redis

from tfquote.jobs import UPLOAD_PREFIX, UploadLease, utcnow

# Longest suffix first: ".tf.json" must win over ".json".
ALLOWED_SUFFIXES = (
    ".tfvars.json",
    ".tf.json",
    ".tar.gz",
    ".tfvars",
    ".json",
    ".zip",
    ".tgz",
    ".tf",
)
ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz")
#: Infracost-style usage files (usage-based quantities for the estimate).
USAGE_FILE_NAMES = ("infracost-usage.yml", "infracost-usage.yaml")
USAGE_SUFFIXES = (".usage.yml", ".usage.yaml")
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._+@=-]")


def allowed_suffix(name: str) -> str | None:
    lowered = name.lower()
    if lowered in USAGE_FILE_NAMES:
        return lowered[lowered.index(".") :]
    for suffix in USAGE_SUFFIXES:
        if lowered.endswith(suffix) and len(lowered) > len(suffix):
            return suffix
    for suffix in ALLOWED_SUFFIXES:
        if lowered.endswith(suffix) and len(lowered) > len(suffix):
            return suffix
    return None


def is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def sanitize_filename(raw: str | None) -> str:
    """Reduce a client-supplied filename to a safe single path component.

    Drops directory parts (both separators), NUL and control characters, folds
    Unicode to NFKC and replaces anything outside a conservative set. Returns ""
    when nothing usable is left; callers reject that.
    """
    if not raw:
        return ""
    name = unicodedata.normalize("NFKC", raw)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = _UNSAFE.sub("_", name).lstrip(".")
    return name[:200]


def new_upload_id() -> str:
    return uuid.uuid4().hex


def valid_upload_id(upload_id: str) -> bool:
    return bool(_UPLOAD_ID.match(upload_id))


@dataclass(frozen=True)
class UploadedFile:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Upload:
    upload_id: str
    tenant: str
    project_name: str | None
    created_at: str
    files: tuple[UploadedFile, ...]

    def to_public(self) -> dict[str, Any]:
        return {
            "upload_id": self.upload_id,
            "files": [asdict(f) for f in self.files],
            "project_name": self.project_name,
            "created_at": self.created_at,
        }


class UploadStore:
    def __init__(self, client: redis.Redis[bytes], *, data_dir: Path, ttl_seconds: int) -> None:
        self.redis = client
        self.data_dir = data_dir
        self.ttl_seconds = ttl_seconds

    @staticmethod
    def key(upload_id: str) -> str:
        return f"{UPLOAD_PREFIX}{upload_id}"

    def directory(self, upload_id: str) -> Path:
        if not valid_upload_id(upload_id):
            raise ValueError("invalid upload id")
        return self.data_dir / "uploads" / upload_id

    def save(
        self,
        *,
        upload_id: str,
        tenant: str,
        project_name: str | None,
        files: Sequence[UploadedFile],
    ) -> Upload:
        upload = Upload(
            upload_id=upload_id,
            tenant=tenant,
            project_name=project_name,
            created_at=utcnow(),
            files=tuple(files),
        )
        mapping: dict[str | bytes, str] = {
            "upload_id": upload_id,
            "tenant": tenant,
            "project_name": project_name or "",
            "created_at": upload.created_at,
            "files": json.dumps([asdict(f) for f in files]),
        }
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(self.key(upload_id), mapping=mapping)
        pipe.expire(self.key(upload_id), self.ttl_seconds)
        pipe.execute()
        return upload

    def get(self, upload_id: str, *, tenant: str | None = None) -> Upload | None:
        if not valid_upload_id(upload_id):
            return None
        upload = self.from_record(self.redis.hgetall(self.key(upload_id)))
        if upload is None or (tenant is not None and upload.tenant != tenant):
            return None
        return upload

    @staticmethod
    def from_record(raw: Mapping[bytes, bytes] | Mapping[str, str]) -> Upload | None:
        """The upload of a record as stored (``HGETALL``); None for an empty one."""
        if not raw:
            return None
        data = {
            (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in raw.items()
        }
        return Upload(
            upload_id=data["upload_id"],
            tenant=data.get("tenant", ""),
            project_name=data.get("project_name") or None,
            created_at=data.get("created_at", ""),
            files=tuple(UploadedFile(**f) for f in json.loads(data.get("files", "[]"))),
        )

    def lease(self, upload_id: str, *, tenant: str) -> UploadLease | None:
        """What `JobStore.create` needs to claim the upload in the round trip that creates
        the job: it must be ``tenant``'s (another tenant's guess of an id must not keep an
        upload alive), and then it is kept as long as a new upload would be, so it outlives
        the job. None when ``upload_id`` cannot name an upload."""
        if not valid_upload_id(upload_id):
            return None
        return UploadLease(self.key(upload_id), tenant, self.ttl_seconds)
