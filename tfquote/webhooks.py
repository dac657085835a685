"""Completion webhooks: the event contract, its signature, and the outbox in Redis.

A job created with ``options.webhook_url`` gets one POST per terminal event
(``job.completed``, ``job.failed``, ``job.cancelled``)::

    POST <webhook_url>
    Content-Type: application/json
    X-Tfquote-Event: job.completed
    X-Tfquote-Delivery: <job_id>:<event>          (the same on every attempt: dedupe on it)
    X-Tfquote-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">

    {"event": "job.completed", "job": {<the public job, without "result">},
     "report_url": "<PUBLIC_URL>/api/v1/jobs/<job_id>/report?format=markdown"}

**The outbox.** The transition that makes a job terminal (``tfquote/lua/transition.lua``)
registers the event in the same script: ``tfq:webhook:{job_id}:{event}`` (a hash: state,
attempts, first_ms, last_status, last_error, delivered_at) and ``tfq:webhooks:due`` (a
sorted set of ``job_id|event`` by the time the next attempt is due). Whoever made the
transition publishes the delivery task at once; the periodic sweeper publishes whatever
is due and was not (the publisher died, a retry's countdown was too long to hand to the
broker). So an event is never lost with a process, and is delivered at most once
successfully: the delivery holds a per-event lock while it runs and records the outcome
before it lets go; a delivered event is never due again.

Imports neither Flask nor Celery; the HTTP delivery is the workers' (`workers.webhooks`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import redis

from tfquote.jobs import PREFIX, JobStatus, utcnow

EVENTS = {
    JobStatus.COMPLETED: "job.completed",
    JobStatus.FAILED: "job.failed",
    JobStatus.CANCELLED: "job.cancelled",
}
SIGNATURE_HEADER = "X-Tfquote-Signature"
EVENT_HEADER = "X-Tfquote-Event"
DELIVERY_HEADER = "X-Tfquote-Delivery"


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``X-Tfquote-Signature`` value: ``t=<unix>,v1=<hex hmac-sha256 of "t.body">``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(
    secret: str, body: bytes, header: str, *, tolerance: float = 300, now: float | None = None
) -> bool:
    """Whether `header` signs `body` with `secret`, within `tolerance` seconds (what a
    receiver does; the tests' receiver uses it, and so can yours)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).rsplit("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def report_url(public_url: str, job_id: str) -> str:
    return f"{public_url.rstrip('/')}/api/v1/jobs/{job_id}/report?format=markdown"


def payload(event: str, public_job: Mapping[str, Any], public_url: str) -> bytes:
    """The body of a delivery: the event, the public job without its (large) result, and
    where to read the report."""
    job = {key: value for key, value in public_job.items() if key != "result"}
    body = {"event": event, "job": job, "report_url": report_url(public_url, str(job["job_id"]))}
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


def backoff(attempt: int, base: float, cap: float) -> float:
    """Seconds before attempt ``attempt + 1``: exponential, capped, with jitter so a
    receiver that comes back is not hit by every delivery at once."""
    delay = min(cap, base * (2 ** max(attempt - 1, 0)))
    return random.uniform(delay / 2, delay)


@dataclass(frozen=True)
class Delivery:
    """The outbox record of one (job, event)."""

    job_id: str
    event: str
    state: str  # pending | delivered | gave_up
    attempts: int
    first_ms: int
    due_ms: int | None


def _decode(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


_RECORD_SCRIPT = """
-- KEYS: record, due set, job; ARGV: member, state, attempts, last_status, last_error,
--       delivered_at (used when state is 'delivered'; any other state keeps the record's),
--       next_due_ms ('' = not due again), event
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local delivered_at = ARGV[6]
if ARGV[2] ~= 'delivered' then
  delivered_at = redis.call('HGET', KEYS[1], 'delivered_at') or ''
end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'attempts', ARGV[3], 'last_status', ARGV[4],
           'last_error', ARGV[5], 'delivered_at', delivered_at)
if ARGV[7] == '' then
  redis.call('ZREM', KEYS[2], ARGV[1])
else
  redis.call('ZADD', KEYS[2], ARGV[7], ARGV[1])
end
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('HSET', KEYS[3], 'webhook_event', ARGV[8], 'webhook_attempts', ARGV[3],
             'webhook_last_status', ARGV[4], 'webhook_delivered_at', delivered_at)
end
return 1
"""


class WebhookStore:
    """The outbox (see the module docstring). One per process; thread-safe."""

    def __init__(self, client: redis.Redis[bytes], *, prefix: str = PREFIX) -> None:
        self.redis = client
        self.prefix = prefix
        self._record = client.register_script(_RECORD_SCRIPT)

    @property
    def due_key(self) -> str:
        return f"{self.prefix}webhooks:due"

    def record_key(self, job_id: str, event: str) -> str:
        return f"{self.prefix}webhook:{job_id}:{event}"

    def lock_key(self, job_id: str, event: str) -> str:
        return f"{self.record_key(job_id, event)}:lock"

    def get(self, job_id: str, event: str) -> Delivery | None:
        pipe = self.redis.pipeline(transaction=False)
        pipe.hgetall(self.record_key(job_id, event))
        pipe.zscore(self.due_key, f"{job_id}|{event}")
        raw, score = pipe.execute()
        if not raw:
            return None
        fields = {_decode(k): _decode(v) for k, v in raw.items()}
        return Delivery(
            job_id=job_id,
            event=event,
            state=fields.get("state", "pending"),
            attempts=int(fields.get("attempts") or 0),
            first_ms=int(fields.get("first_ms") or 0),
            due_ms=int(score) if score is not None else None,
        )

    def pending_events(self, job_id: str) -> list[str]:
        """The events of `job_id` waiting in the outbox (for the publisher's fast path)."""
        pipe = self.redis.pipeline(transaction=False)
        for event in EVENTS.values():
            pipe.zscore(self.due_key, f"{job_id}|{event}")
        return [
            event
            for event, score in zip(EVENTS.values(), pipe.execute(), strict=True)
            if score is not None
        ]

    def due(self, *, older_than_ms: int = 0, limit: int = 500) -> list[tuple[str, str]]:
        """(job_id, event) pairs due at least `older_than_ms` ago (the sweeper's grace:
        a fresh event is its publisher's to send)."""
        cutoff = self.now_ms() - older_than_ms
        members = self.redis.zrangebyscore(self.due_key, "-inf", cutoff, start=0, num=limit)
        out = []
        for member in members:
            job_id, _, event = _decode(member).partition("|")
            out.append((job_id, event))
        return out

    def now_ms(self) -> int:
        # Redis's clock, as the transition script's: hosts with skewed clocks still agree.
        seconds, micros = self.redis.time()
        return int(seconds) * 1000 + int(micros) // 1000

    def acquire(self, job_id: str, event: str, owner: str, ttl_seconds: float) -> bool:
        """The per-event lock: one delivery attempt at a time, whatever the duplicates."""
        return bool(
            self.redis.set(
                self.lock_key(job_id, event), owner, nx=True, px=max(1, int(ttl_seconds * 1000))
            )
        )

    def release(self, job_id: str, event: str, owner: str) -> None:
        key = self.lock_key(job_id, event)
        # Only our own lock: one that expired and was taken by another attempt stays.
        if _decode(self.redis.get(key) or b"") == owner:
            self.redis.delete(key)

    def record(
        self,
        job_id: str,
        event: str,
        *,
        state: str,
        attempts: int,
        last_status: int | None,
        last_error: str = "",
        next_due_ms: int | None = None,
    ) -> bool:
        """Store an attempt's outcome on the record and on the job; `next_due_ms` None
        takes the event out of the outbox (delivered, or given up). One round trip: any
        state but ``delivered`` keeps the record's ``delivered_at``, read by the script."""
        delivered_at = utcnow() if state == "delivered" else ""
        return bool(
            self._record(
                keys=[
                    self.record_key(job_id, event),
                    self.due_key,
                    f"{self.prefix}job:{job_id}",
                ],
                args=[
                    f"{job_id}|{event}",
                    state,
                    attempts,
                    "" if last_status is None else str(last_status),
                    last_error[:500],
                    delivered_at,
                    "" if next_due_ms is None else str(next_due_ms),
                    event,
                ],
            )
        )

    def drop(self, job_id: str, event: str) -> None:
        self.redis.zrem(self.due_key, f"{job_id}|{event}")


def publish_pending(store: WebhookStore, job_id: str, publish: Callable[[str, str], None]) -> None:
    """The fast path of whoever made a job terminal (the worker, or the gateway's cancel):
    publish the job's events waiting in the outbox now. Whatever this misses (a failed
    publish) stays due, and the sweeper publishes it. Only a job with a ``webhook_url``
    (``Job.webhook`` set) can have events: callers skip the round trip for the others."""
    for event in store.pending_events(job_id):
        publish(job_id, event)
