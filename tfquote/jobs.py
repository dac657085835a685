"""The job store: Redis is the system of record for jobs and idempotency keys.

This module owns the Redis key layout for jobs (see `JobKeys`) and every state change.
The gateway creates, reads, lists and cancels; workers claim, heartbeat and finish;
the CLI retries. Each state change is one Lua script (``tfquote/lua/``), so it is atomic across any
number of gateway and worker processes sharing one Redis::

    PENDING ──claim──▶ RUNNING ──complete──▶ COMPLETED
       ▲                  │  └────fail─────▶ FAILED ──retry (CLI)──▶ PENDING
       └──requeue─────────┘
    PENDING | RUNNING ──cancel──▶ CANCELLED

A terminal state (COMPLETED, FAILED, CANCELLED) is never left by accident: every
transition names the states it may start from, and the script refuses anything else.

Key layout (all under ``tfq:``; single Redis, not Redis Cluster — the scripts build
index keys from the job's tenant and status):

- ``tfq:job:{job_id}`` — hash, the job record; expires ``JOB_TTL_SECONDS`` after it finishes.
- ``tfq:seq`` — counter giving every job a unique, increasing sequence number.
- ``tfq:jobs`` / ``tfq:jobs:{STATUS}`` — sorted sets of all jobs (score = seq), for operators.
- ``tfq:t:{tenant}:jobs`` / ``tfq:t:{tenant}:jobs:{STATUS}`` — the same per tenant, for the API.
- ``tfq:t:{tenant}:idem:{sha256(key)}`` — ``job_id`` + request fingerprint for an
  ``Idempotency-Key``, scoped per tenant.
- ``tfq:webhooks:due`` / ``tfq:webhook:{job_id}:{event}`` — the webhook outbox, written by
  the terminal transition itself (see `tfquote.webhooks`).

Index entries of expired jobs are removed lazily when a listing meets them.
This module imports neither Flask nor Celery.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, cast

import redis

from tfquote import lua

PREFIX = "tfq:"
_SAFE_TENANT = re.compile(r"^[A-Za-z0-9_.@+-]{1,128}$")


class JobStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


TERMINAL = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})
ACTIVE = frozenset({JobStatus.PENDING, JobStatus.RUNNING})

#: The error a job carries when the worker running it stopped (killed, host lost): set
#: by the claim that takes its lease over and by the reconciler's requeue.
WORKER_LOST = "worker_lost"
WORKER_LOST_MESSAGE = "the worker running this job stopped"
#: Where upload records live (`tfquote.uploads`): ``{UPLOAD_PREFIX}{upload_id}``.
UPLOAD_PREFIX = f"{PREFIX}upload:"


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_job_id() -> str:
    return str(uuid.uuid4())


class JobStoreError(Exception):
    """Base class for job store outcomes the callers must handle."""


class JobNotFound(JobStoreError):
    pass


@dataclass(frozen=True)
class UploadLease:
    """An upload a job is about to use: its record's key, the tenant that must own it,
    and how long it must live from now on."""

    key: str
    tenant: str
    ttl_seconds: int


class UploadNotFound(JobStoreError):
    """The job's upload does not exist (any more) or is another tenant's."""


class InvalidTransition(JobStoreError):
    def __init__(self, job_id: str, current: str, wanted: str) -> None:
        super().__init__(f"job {job_id} is {current}; cannot become {wanted}")
        self.job_id = job_id
        self.current = current
        self.wanted = wanted


class InvalidCursor(JobStoreError):
    pass


class JobBusy(JobStoreError):
    """Another live worker holds the job's lease; try again after `retry_after` s."""

    def __init__(self, job_id: str, retry_after: float, holder: str) -> None:
        super().__init__(f"job {job_id} is running on {holder or 'another worker'}")
        self.retry_after = retry_after
        self.holder = holder


@dataclass(frozen=True)
class JobKeys:
    """Names of the Redis keys; the one place that spells them."""

    prefix: str = PREFIX

    def job(self, job_id: str) -> str:
        return f"{self.prefix}job:{job_id}"

    @property
    def seq(self) -> str:
        return f"{self.prefix}seq"

    @staticmethod
    def tenant_segment(tenant: str) -> str:
        """The tenant as it appears inside key names. Tenants come from token claims;
        anything outside a plain alphabet is hashed so it cannot forge a key path."""
        if _SAFE_TENANT.match(tenant):
            return tenant
        return "h-" + hashlib.sha256(tenant.encode("utf-8")).hexdigest()[:40]

    def index(self, tenant: str | None = None, status: str | None = None) -> str:
        base = (
            f"{self.prefix}jobs"
            if tenant is None
            else f"{self.prefix}t:{self.tenant_segment(tenant)}:jobs"
        )
        return base if status is None else f"{base}:{status}"

    def idempotency(self, tenant: str, key: str) -> str:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return f"{self.prefix}t:{self.tenant_segment(tenant)}:idem:{digest}"


@dataclass(frozen=True)
class Job:
    """A job record as stored; `to_public()` is what the API and CLI show."""

    job_id: str
    status: JobStatus
    tenant: str
    upload_id: str
    region: str
    created_at: str
    updated_at: str
    started_at: str | None
    finished_at: str | None
    attempts: int
    error: dict[str, str] | None
    result: dict[str, Any] | None
    seq: int
    request_id: str | None
    heartbeat_at: str | None
    enqueued_at: str | None = None
    owner: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    #: Delivery of the completion webhook: None without ``options.webhook_url``.
    webhook: dict[str, Any] | None = None

    @classmethod
    def from_hash(cls, raw: Mapping[str, str]) -> Job:
        error = None
        if raw.get("error_code"):
            error = {"code": raw["error_code"], "message": raw.get("error_message", "")}
        result = json.loads(raw["result"]) if raw.get("result") else None
        return cls(
            job_id=raw["job_id"],
            status=JobStatus(raw["status"]),
            tenant=raw.get("tenant", ""),
            upload_id=raw.get("upload_id", ""),
            region=raw.get("region", ""),
            created_at=raw.get("created_at", ""),
            updated_at=raw.get("updated_at", ""),
            started_at=raw.get("started_at") or None,
            finished_at=raw.get("finished_at") or None,
            attempts=int(raw.get("attempts", "0")),
            error=error,
            result=result,
            seq=int(raw.get("seq", "0")),
            request_id=raw.get("request_id") or None,
            heartbeat_at=raw.get("heartbeat_at") or None,
            enqueued_at=raw.get("enqueued_at") or None,
            owner=raw.get("owner") or None,
            options=json.loads(raw["options"]) if raw.get("options") else {},
            webhook=_webhook_of(raw),
        )

    def to_public(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "status": self.status.value,
            "upload_id": self.upload_id,
            "region": self.region,
            "options": self.options,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "attempts": self.attempts,
            "error": self.error,
            "result": self.result,
            "webhook": self.webhook,
        }


def _webhook_of(raw: Mapping[str, str]) -> dict[str, Any] | None:
    """``{"event", "attempts", "last_status", "delivered_at"}`` of the job's latest event
    (the delivery task keeps these fields on the job record)."""
    if not raw.get("webhook_url"):
        return None
    status = raw.get("webhook_last_status") or ""
    return {
        "event": raw.get("webhook_event") or None,
        "attempts": int(raw.get("webhook_attempts") or 0),
        "last_status": int(status) if status.isdigit() else None,
        "delivered_at": raw.get("webhook_delivered_at") or None,
    }


@dataclass(frozen=True)
class CreateOutcome:
    job: Job
    created: bool  # False: an earlier request with the same idempotency key made it
    fingerprint_matches: bool


@dataclass(frozen=True)
class Page:
    items: list[Job]
    next_cursor: str | None


def _decode(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _job_from_reply(raw: Mapping[Any, Any] | list[Any]) -> Job:
    """A job from HGETALL's reply: a mapping from redis-py, a flat list from a script."""
    if isinstance(raw, Mapping):
        return Job.from_hash({_decode(k): _decode(v) for k, v in raw.items()})
    flat = [_decode(v) for v in raw]
    return Job.from_hash(dict(zip(flat[::2], flat[1::2], strict=True)))


def _encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{seq}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
        version, _, seq = text.partition(":")
        if version != "v1":
            raise ValueError(version)
        value = int(seq)
        if value < 0:
            raise ValueError(seq)
        return value
    except (ValueError, UnicodeError, binascii.Error):
        raise InvalidCursor("cursor is not valid") from None


def request_fingerprint(body: Mapping[str, Any]) -> str:
    """A stable digest of a job request, to tell a replay from a reused key."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


class JobStore:
    """Job records in Redis. Safe to share between threads; one per process."""

    def __init__(
        self, client: redis.Redis[bytes], *, ttl_seconds: int, keys: JobKeys | None = None
    ) -> None:
        self.redis = client
        self.ttl_seconds = ttl_seconds
        self.keys = keys or JobKeys()
        self._create = client.register_script(lua.source("create"))
        self._transition = client.register_script(lua.source("transition"))
        self._delete = client.register_script(lua.source("delete"))
        self._claim = client.register_script(lua.source("claim"))
        self._heartbeat = client.register_script(lua.source("heartbeat"))
        self._stale = client.register_script(lua.source("stale"))
        self._requeue_stale = client.register_script(lua.source("requeue_stale"))

    # --- creation and reads ----------------------------------------------------------

    def create(
        self,
        *,
        tenant: str,
        upload_id: str,
        region: str,
        fingerprint: str,
        idempotency_key: str | None = None,
        request_id: str | None = None,
        job_id: str | None = None,
        options: Mapping[str, Any] | None = None,
        upload: UploadLease | None = None,
    ) -> CreateOutcome:
        """Create the job, or find the one ``idempotency_key`` already made; with
        ``upload``, first claim the upload (owned by its tenant, kept alive for the job)
        or raise `UploadNotFound` — all in one round trip."""
        job_id = job_id or new_job_id()
        now = utcnow()
        idem_key = self.keys.idempotency(tenant, idempotency_key) if idempotency_key else ""
        fields = {
            "job_id": job_id,
            "status": JobStatus.PENDING.value,
            "tenant": tenant,
            "tseg": self.keys.tenant_segment(tenant),
            "upload_id": upload_id,
            "region": region,
            "options": json.dumps(dict(options or {}), sort_keys=True, separators=(",", ":")),
            # Its own field: the terminal transition's script reads it (webhook outbox).
            "webhook_url": str((options or {}).get("webhook_url") or ""),
            "created_at": now,
            "updated_at": now,
            "attempts": "0",
            "fingerprint": fingerprint,
            "idem_key": idem_key,
            "request_id": request_id or "",
            # Published right after this write; a reconciler pass re-publishes a PENDING
            # job whose message is gone (e.g. the gateway died before publishing).
            "enqueued_at": now,
        }
        flat: list[str] = []
        for name, value in fields.items():
            flat.extend((name, value))
        raw = self._create(
            keys=[self.keys.job(job_id), idem_key, self.keys.seq, upload.key if upload else ""],
            args=[
                job_id,
                fingerprint,
                self.ttl_seconds,
                self.keys.prefix,
                self.keys.tenant_segment(tenant),
                upload.tenant if upload else "",
                upload.ttl_seconds if upload else 0,
                *flat,
            ],
        )
        if _decode(raw[0]) == "no_upload":
            raise UploadNotFound(upload_id)
        outcome, _stored_id, stored_fp = (_decode(v) for v in raw[:3])
        job = _job_from_reply(raw[3])
        return CreateOutcome(
            job=job, created=outcome == "created", fingerprint_matches=stored_fp == fingerprint
        )

    def get(self, job_id: str, *, tenant: str | None = None) -> Job | None:
        raw = self.redis.hgetall(self.keys.job(job_id))
        if not raw:
            return None
        job = _job_from_reply(raw)
        if tenant is not None and job.tenant != tenant:
            return None  # another tenant's job does not exist for this caller
        return job

    def list_jobs(
        self,
        *,
        tenant: str | None,
        status: JobStatus | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page:
        """Newest first. The cursor is the last seen sequence number, so walking it visits
        every job that existed when the walk started exactly once, even while jobs are
        created, change status or expire."""
        index = self.keys.index(tenant, status.value if status else None)
        upper: str = f"({_decode_cursor(cursor)}" if cursor else "+inf"
        found: list[Job] = []
        while len(found) <= limit:
            batch = self.redis.zrevrangebyscore(
                index, upper, "-inf", start=0, num=limit + 1 - len(found), withscores=True
            )
            if not batch:
                break
            pipe = self.redis.pipeline(transaction=False)
            for member, _score in batch:
                pipe.hgetall(self.keys.job(_decode(member)))
            stale: list[str] = []
            for (member, _score), raw in zip(batch, pipe.execute(), strict=True):
                if raw:
                    found.append(_job_from_reply(raw))
                else:
                    stale.append(_decode(member))
            if stale:
                self.redis.zrem(index, *stale)
            upper = f"({int(batch[-1][1])}"
        items = found[:limit]
        next_cursor = _encode_cursor(items[-1].seq) if len(found) > limit else None
        return Page(items=items, next_cursor=next_cursor)

    # --- transitions -----------------------------------------------------------------

    def _run_transition(
        self,
        job_id: str,
        to: JobStatus,
        allowed_from: Iterable[JobStatus],
        fields: Mapping[str, str] | None = None,
        *,
        owner: str | None = None,
    ) -> list[str]:
        # Terminal records expire with their idempotency key; active ones never do.
        ttl = self.ttl_seconds if to in TERMINAL else 0
        flat: list[str] = []
        for name, value in (fields or {}).items():
            flat.extend((name, value))
        raw = self._transition(
            keys=[self.keys.job(job_id)],
            args=[
                to.value,
                ",".join(s.value for s in allowed_from),
                utcnow(),
                ttl,
                self.keys.prefix,
                owner or "",
                *flat,
            ],
        )
        result = [_decode(v) for v in raw]
        if result[0] == "missing":
            raise JobNotFound(job_id)
        if result[0] == "conflict":
            raise InvalidTransition(job_id, result[1], to.value)
        return result

    def claim(
        self,
        job_id: str,
        *,
        max_attempts: int,
        owner: str = "",
        stale_after: float = 30.0,
        dead_owner: str | None = None,
    ) -> Job | None:
        """`claim_with_upload` without the upload record."""
        claimed = self.claim_with_upload(
            job_id,
            max_attempts=max_attempts,
            owner=owner,
            stale_after=stale_after,
            dead_owner=dead_owner,
            upload_prefix="",
        )
        return claimed[0] if claimed else None

    def claim_with_upload(
        self,
        job_id: str,
        *,
        max_attempts: int,
        owner: str = "",
        stale_after: float = 30.0,
        dead_owner: str | None = None,
        upload_prefix: str = UPLOAD_PREFIX,
    ) -> tuple[Job, dict[str, str]] | None:
        """Take the job's lease: PENDING → RUNNING, attempts + 1; with the job, the job's
        upload record (``{}`` when it is gone, or when `upload_prefix` is empty) in the same
        round trip: the worker reads it right after claiming.

        A RUNNING job is taken over only when its holder stopped heartbeating for
        `stale_after` seconds, or is `dead_owner` (a holder the caller knows is dead);
        otherwise `JobBusy` is raised, so a duplicate delivery never runs a job twice
        at once. Returns None when the job must not run (cancelled, finished, gone);
        fails it with ``max_attempts_exceeded`` when attempts run out — which is how a
        job that kills its worker every time ends.
        """
        raw = self._claim(
            keys=[self.keys.job(job_id)],
            args=[
                utcnow(),
                int(stale_after * 1000),
                owner,
                max_attempts,
                self.keys.prefix,
                dead_owner or "",
                WORKER_LOST,
                WORKER_LOST_MESSAGE,
                upload_prefix,
            ],
        )
        # Every answer but 'ok' is a flat list of strings ('ok' carries two hashes).
        result = [_decode(v) for v in raw] if _decode(raw[0]) != "ok" else ["ok"]
        if result[0] in ("missing", "conflict"):
            return None
        if result[0] == "busy":
            raise JobBusy(job_id, max(float(result[1]) / 1000, 0.5), result[2])
        if result[0] == "exhausted":
            message = f"gave up after {max_attempts} attempts"
            if result[3]:  # what ended the last attempt, read by the script
                message += f"; the last one ended with {result[3]}: {result[4]}"
            try:
                self.fail(job_id, "max_attempts_exceeded", message, allowed_from=ACTIVE)
            except (JobNotFound, InvalidTransition):
                pass
            return None
        # The script hands back the claimed record: no second round trip to read it.
        upload = raw[4]
        return _job_from_reply(raw[3]), {
            _decode(upload[i]): _decode(upload[i + 1]) for i in range(0, len(upload), 2)
        }

    def heartbeat(self, job_id: str, owner: str) -> str:
        """Refresh the lease. Returns the job's status, ``lost`` when another worker
        holds the lease, ``missing`` when the job is gone."""
        return _decode(self._heartbeat(keys=[self.keys.job(job_id)], args=[owner, utcnow()]))

    def stale_running(self, stale_after: float, limit: int = 100) -> list[str]:
        raw = self._stale(
            keys=[self.keys.index(None, JobStatus.RUNNING.value)],
            args=[int(stale_after * 1000), f"{self.keys.prefix}job:", limit],
        )
        return [_decode(v) for v in raw]

    def requeue_stale(self, job_id: str, stale_after: float) -> bool:
        """RUNNING → PENDING with ``worker_lost`` when the lease holder has not
        heartbeated for `stale_after` seconds, checked in the same script: a worker that
        took the job over in between keeps it. True when the job was requeued."""
        raw = self._requeue_stale(
            keys=[self.keys.job(job_id)],
            args=[
                int(stale_after * 1000),
                utcnow(),
                self.keys.prefix,
                WORKER_LOST,
                WORKER_LOST_MESSAGE,
            ],
        )
        return _decode(raw[0]) == "ok"

    def pending_before(self, cutoff_iso: str, limit: int = 100) -> list[Job]:
        """PENDING jobs last enqueued before `cutoff_iso` (candidates for a lost message)."""
        members = self.redis.zrange(self.keys.index(None, JobStatus.PENDING.value), 0, -1)
        pipe = self.redis.pipeline(transaction=False)
        for member in members:
            pipe.hgetall(self.keys.job(_decode(member)))
        found: list[Job] = []
        for raw in pipe.execute() if members else []:
            if not raw:
                continue
            job = _job_from_reply(raw)
            if job.status is JobStatus.PENDING and (job.enqueued_at or job.updated_at) < cutoff_iso:
                found.append(job)
                if len(found) >= limit:
                    break
        return found

    def mark_enqueued(self, job_id: str) -> None:
        self.redis.hset(self.keys.job(job_id), "enqueued_at", utcnow())

    def complete(
        self,
        job_id: str,
        result: Mapping[str, Any],
        *,
        owner: str | None = None,
        read_back: bool = True,
    ) -> Job | None:
        """RUNNING → COMPLETED with the result; returns the record unless `read_back`
        is off (the worker does not need it)."""
        self._run_transition(
            job_id,
            JobStatus.COMPLETED,
            {JobStatus.RUNNING},
            owner=owner,
            fields={
                "result": json.dumps(result, separators=(",", ":")),
                "finished_at": utcnow(),
                "error_code": "",
                "error_message": "",
            },
        )
        return self.get(job_id) if read_back else None

    def fail(
        self,
        job_id: str,
        code: str,
        message: str,
        *,
        allowed_from: Iterable[JobStatus] = (JobStatus.RUNNING,),
        owner: str | None = None,
    ) -> None:
        self._run_transition(
            job_id,
            JobStatus.FAILED,
            allowed_from,
            {"error_code": code, "error_message": message[:2000], "finished_at": utcnow()},
            owner=owner,
        )

    def requeue(self, job_id: str, code: str, message: str, *, owner: str | None = None) -> None:
        """RUNNING → PENDING after a transient failure or a lost worker; the error stays
        visible until the next attempt finishes."""
        self._run_transition(
            job_id,
            JobStatus.PENDING,
            {JobStatus.RUNNING},
            {
                "error_code": code,
                "error_message": message[:2000],
                "owner": "",
                "enqueued_at": utcnow(),
            },
            owner=owner,
        )

    def cancel(self, job_id: str) -> None:
        self._run_transition(job_id, JobStatus.CANCELLED, ACTIVE, {"finished_at": utcnow()})

    def is_cancelled(self, job_id: str) -> bool:
        status = self.redis.hget(self.keys.job(job_id), "status")
        return status is None or _decode(status) == JobStatus.CANCELLED.value

    def retry(self, job_id: str) -> Job:
        """FAILED → PENDING for an operator's retry: attempts start again."""
        self._run_transition(
            job_id,
            JobStatus.PENDING,
            {JobStatus.FAILED},
            {
                "attempts": "0",
                "error_code": "",
                "error_message": "",
                "finished_at": "",
                "started_at": "",
                "owner": "",
                "enqueued_at": utcnow(),
            },
        )
        return cast(Job, self.get(job_id))

    def rollback_create(self, job_id: str) -> bool:
        """Remove a PENDING job whose task could not be published. True when removed."""
        result = self._delete(
            keys=[self.keys.job(job_id)], args=[self.keys.prefix, JobStatus.PENDING.value]
        )
        return _decode(result[0]) == "ok"

    def delete(self, job_id: str) -> None:
        """Delete a finished job's record (its files are the caller's to remove)."""
        result = [
            _decode(v)
            for v in self._delete(
                keys=[self.keys.job(job_id)],
                args=[self.keys.prefix, ",".join(s.value for s in TERMINAL)],
            )
        ]
        if result[0] == "missing":
            raise JobNotFound(job_id)
        if result[0] == "conflict":
            raise InvalidTransition(job_id, result[1], "deleted")
