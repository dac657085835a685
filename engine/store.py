"""The idempotency / result store: one protocol, a Redis implementation and an in-memory one.

Semantics (identical in both implementations, the in-memory one exists for unit tests):

* :meth:`EstimateStore.claim` atomically creates an estimate, or - when the Idempotency-Key
  was seen before - returns the existing one. Every claim with a key increments the
  estimate's ``submissions``. Only the caller that gets ``created=True`` may do the work; it
  receives a fencing ``token`` that :meth:`start` and :meth:`finish` check, so a worker whose
  lease was taken over cannot overwrite the newer outcome.
* :meth:`start` moves ``pending -> running`` and increments ``computed`` (per estimate) and the
  global ``stats:computed``: these count how often the work REALLY ran, which is what
  idempotency tests assert on (must stay 1 for any number of replays).
* The owner keeps its lease alive with :meth:`renew` while the work waits and runs (the
  service does so every third of the lease). A pending/running estimate whose lease expired
  (the engine process holding it died) is handed to the next replay with the same
  fingerprint (``created=True`` again); that is the only way ``computed`` can exceed 1.
* :meth:`finish` stores the outcome (result or error) for ``result_ttl`` seconds; replays are
  answered from it.
* :meth:`start` and :meth:`finish` are idempotent for the token that owns the estimate: a
  call whose reply was lost (Redis went away after running it) can be made again, and
  ``computed`` still counts the work once.

Redis layout (prefix ``engine:`` by default): ``idem:<sha256(key)>`` -> estimate id,
``estimate:<id>`` -> hash, ``stats:computed`` -> counter. Multi-key steps run as Lua scripts,
so the store is correct with any number of gunicorn workers and hosts. Single-node Redis only
(the claim script derives one key from another, which Redis Cluster would not allow).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

import redis
from redis.exceptions import RedisError

from engine.errors import StoreUnavailable

PENDING = "pending"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
FINAL_STATUSES = frozenset({SUCCEEDED, FAILED})

T = TypeVar("T")


def redis_client(url: str) -> redis.Redis[str]:
    """The engine's Redis client, as the store and the module fetch lock use it. Timeouts
    keep a dead Redis from hanging request threads; the client connects lazily."""
    client: redis.Redis[str] = redis.Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=2.0,
        socket_timeout=5.0,
        health_check_interval=30,
    )
    return client


@dataclass(frozen=True)
class EstimateRecord:
    id: str
    status: str
    fingerprint: str
    submissions: int = 0
    computed: int = 0
    result: dict[str, Any] | None = None
    error: dict[str, str] | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    lease_until: float = 0.0

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES

    def abandoned(self, now: float) -> bool:
        """Not finished and nobody renews the lease: the next replay takes the work over."""
        return not self.final and self.lease_until < now

    def meta(self, now: float) -> dict[str, Any]:
        return {
            "submissions": self.submissions,
            "computed": self.computed,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "abandoned": self.abandoned(now),
        }


@dataclass(frozen=True)
class Claim:
    """Outcome of :meth:`EstimateStore.claim`.

    ``created`` means the caller owns the work (new estimate, or a takeover of an abandoned
    one) and must call ``start``/``finish`` with ``token``.
    """

    record: EstimateRecord
    created: bool
    token: str | None = None


class EstimateStore(Protocol):
    def claim(self, idempotency_key: str | None, fingerprint: str) -> Claim: ...

    def get(self, estimate_id: str) -> EstimateRecord | None: ...

    def start(self, estimate_id: str, token: str) -> bool: ...

    def renew(self, estimate_id: str, token: str) -> bool: ...

    def finish(
        self,
        estimate_id: str,
        token: str,
        *,
        result: dict[str, Any] | None = None,
        error: dict[str, str] | None = None,
    ) -> bool: ...

    def wait(self, estimate_id: str, timeout: float) -> EstimateRecord | None: ...

    def stats(self) -> dict[str, int]: ...

    def ping(self) -> bool: ...


def new_estimate_id() -> str:
    return uuid.uuid4().hex


def idempotency_digest(key: str) -> str:
    # Hashing bounds the Redis key length and keeps client-chosen bytes out of key names.
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# --- in-memory -------------------------------------------------------------------------------


class InMemoryEstimateStore:
    """Thread-safe, process-local store with the same semantics (no TTL expiry)."""

    def __init__(
        self, *, lease_seconds: float = 30.0, clock: Callable[[], float] = time.time
    ) -> None:
        self._lease = lease_seconds
        self._clock = clock
        self._cond = threading.Condition()
        self._records: dict[str, EstimateRecord] = {}
        self._owners: dict[str, str] = {}
        self._keys: dict[str, str] = {}
        self._computed = 0

    def claim(self, idempotency_key: str | None, fingerprint: str) -> Claim:
        with self._cond:
            now = self._clock()
            digest = idempotency_digest(idempotency_key) if idempotency_key is not None else None
            existing_id = self._keys.get(digest) if digest else None
            if existing_id is not None and existing_id in self._records:
                record = self._records[existing_id]
                record = replace(record, submissions=record.submissions + 1)
                token = None
                if (
                    record.fingerprint == fingerprint
                    and not record.final
                    and record.lease_until < now
                ):
                    token = uuid.uuid4().hex
                    record = replace(
                        record, status=PENDING, lease_until=now + self._lease, updated_at=now
                    )
                    self._owners[existing_id] = token
                self._records[existing_id] = record
                return Claim(record, created=token is not None, token=token)
            estimate_id = new_estimate_id()
            token = uuid.uuid4().hex
            record = EstimateRecord(
                id=estimate_id,
                status=PENDING,
                fingerprint=fingerprint,
                submissions=1,
                computed=0,
                created_at=now,
                updated_at=now,
                lease_until=now + self._lease,
            )
            self._records[estimate_id] = record
            self._owners[estimate_id] = token
            if digest:
                self._keys[digest] = estimate_id
            return Claim(record, created=True, token=token)

    def get(self, estimate_id: str) -> EstimateRecord | None:
        with self._cond:
            return self._records.get(estimate_id)

    def start(self, estimate_id: str, token: str) -> bool:
        with self._cond:
            record = self._records.get(estimate_id)
            if record is None or self._owners.get(estimate_id) != token:
                return False
            if record.status == RUNNING:
                return True  # started by this token already: a repeated call
            if record.status != PENDING:
                return False
            now = self._clock()
            self._records[estimate_id] = replace(
                record,
                status=RUNNING,
                computed=record.computed + 1,
                updated_at=now,
                lease_until=now + self._lease,
            )
            self._computed += 1
            self._cond.notify_all()
            return True

    def renew(self, estimate_id: str, token: str) -> bool:
        with self._cond:
            record = self._records.get(estimate_id)
            if record is None or self._owners.get(estimate_id) != token or record.final:
                return False
            self._records[estimate_id] = replace(record, lease_until=self._clock() + self._lease)
            return True

    def finish(
        self,
        estimate_id: str,
        token: str,
        *,
        result: dict[str, Any] | None = None,
        error: dict[str, str] | None = None,
    ) -> bool:
        with self._cond:
            record = self._records.get(estimate_id)
            if record is None or self._owners.get(estimate_id) != token:
                return False
            if record.final:
                return True  # finished by this token already: a repeated call
            self._records[estimate_id] = replace(
                record,
                status=FAILED if error is not None else SUCCEEDED,
                result=result if error is None else None,
                error=error,
                updated_at=self._clock(),
            )
            self._cond.notify_all()
            return True

    def wait(self, estimate_id: str, timeout: float) -> EstimateRecord | None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                record = self._records.get(estimate_id)
                remaining = deadline - time.monotonic()
                if record is None or record.final or remaining <= 0:
                    return record
                self._cond.wait(remaining)

    def stats(self) -> dict[str, int]:
        with self._cond:
            return {"computed": self._computed}

    def ping(self) -> bool:
        return True


# --- Redis -----------------------------------------------------------------------------------

# Shared preamble: Redis < 7 needs effect replication before writes that follow TIME.
_NOW = """
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
"""

# KEYS[1] idempotency key ('' = none is passed as a dummy), KEYS[2] new estimate key
# ARGV: new_id, fingerprint, ttl, lease, token, estimate key prefix, has_key ('1'/'0')
_CLAIM = (
    _NOW
    + """
local new_id, fp, ttl, lease, token, prefix, has_key =
  ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], ARGV[6], ARGV[7]
if has_key == '1' then
  local existing = redis.call('GET', KEYS[1])
  if existing then
    local ekey = prefix .. existing
    if redis.call('EXISTS', ekey) == 1 then
      redis.call('HINCRBY', ekey, 'submissions', 1)
      local status = redis.call('HGET', ekey, 'status')
      local stored_fp = redis.call('HGET', ekey, 'fingerprint')
      local lease_until = tonumber(redis.call('HGET', ekey, 'lease_until') or '0')
      if stored_fp == fp and (status == 'pending' or status == 'running') and lease_until < now then
        redis.call('HSET', ekey, 'status', 'pending', 'owner', token,
                   'lease_until', tostring(now + lease), 'updated_at', tostring(now))
        return {existing, 1}
      end
      return {existing, 0}
    end
    -- The key outlived its estimate (eviction): fall through and start afresh.
  end
  redis.call('SET', KEYS[1], new_id, 'EX', ttl)
end
redis.call('HSET', KEYS[2], 'id', new_id, 'status', 'pending', 'fingerprint', fp,
           'submissions', 1, 'computed', 0, 'owner', token,
           'created_at', tostring(now), 'updated_at', tostring(now),
           'lease_until', tostring(now + lease))
redis.call('EXPIRE', KEYS[2], ttl)
return {new_id, 1}
"""
)

# KEYS[1] estimate key, KEYS[2] global computed counter; ARGV: token, lease
_START = (
    _NOW
    + """
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
local status = redis.call('HGET', KEYS[1], 'status')
-- Already started by this token: a repeated call (its first reply was lost).
if status == 'running' then return 1 end
if status ~= 'pending' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'running', 'updated_at', tostring(now),
           'lease_until', tostring(now + tonumber(ARGV[2])))
redis.call('HINCRBY', KEYS[1], 'computed', 1)
redis.call('INCR', KEYS[2])
return 1
"""
)

# KEYS[1] estimate key; ARGV: token, lease
_RENEW = (
    _NOW
    + """
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'pending' and status ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'lease_until', tostring(now + tonumber(ARGV[2])))
return 1
"""
)

# KEYS[1] estimate key; ARGV: token, status, result json, error json, ttl
_FINISH = (
    _NOW
    + """
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
local status = redis.call('HGET', KEYS[1], 'status')
-- Already finished by this token: a repeated call (its first reply was lost).
if status == 'succeeded' or status == 'failed' then return 1 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'result', ARGV[3], 'error', ARGV[4],
           'updated_at', tostring(now))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
return 1
"""
)


class RedisEstimateStore:
    """:class:`EstimateStore` on Redis (redis-py), safe across processes and hosts."""

    def __init__(
        self,
        client: redis.Redis[str],
        *,
        prefix: str = "engine:",
        result_ttl_seconds: int = 7 * 24 * 3600,
        lease_seconds: float = 30.0,
        poll_interval: float = 0.05,
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self._ttl = int(result_ttl_seconds)
        self._lease = float(lease_seconds)
        self._poll = poll_interval
        self._claim = client.register_script(_CLAIM)
        self._start = client.register_script(_START)
        self._renew = client.register_script(_RENEW)
        self._finish = client.register_script(_FINISH)

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> RedisEstimateStore:
        return cls(redis_client(url), **kwargs)

    def _estimate_key(self, estimate_id: str) -> str:
        return f"{self._prefix}estimate:{estimate_id}"

    def _call(self, func: Callable[[], T]) -> T:
        try:
            return func()
        except RedisError as exc:
            raise StoreUnavailable(f"estimate store error: {type(exc).__name__}") from exc

    def claim(self, idempotency_key: str | None, fingerprint: str) -> Claim:
        estimate_id = new_estimate_id()
        token = uuid.uuid4().hex
        has_key = idempotency_key is not None
        idem_key = (
            f"{self._prefix}idem:{idempotency_digest(idempotency_key)}"
            if idempotency_key is not None
            else f"{self._prefix}idem:-"
        )
        raw = self._call(
            lambda: self._claim(
                keys=[idem_key, self._estimate_key(estimate_id)],
                args=[
                    estimate_id,
                    fingerprint,
                    self._ttl,
                    self._lease,
                    token,
                    f"{self._prefix}estimate:",
                    "1" if has_key else "0",
                ],
            )
        )
        claimed_id, created = str(raw[0]), int(raw[1]) == 1
        record = self.get(claimed_id)
        if record is None:  # pragma: no cover - expired between the two calls
            raise StoreUnavailable("estimate vanished right after being claimed")
        return Claim(record, created=created, token=token if created else None)

    def get(self, estimate_id: str) -> EstimateRecord | None:
        data = self._call(lambda: self._redis.hgetall(self._estimate_key(estimate_id)))
        if not data:
            return None
        return _record_from_hash(estimate_id, data)

    def start(self, estimate_id: str, token: str) -> bool:
        keys = [self._estimate_key(estimate_id), f"{self._prefix}stats:computed"]
        return bool(self._call(lambda: self._start(keys=keys, args=[token, self._lease])))

    def renew(self, estimate_id: str, token: str) -> bool:
        keys = [self._estimate_key(estimate_id)]
        return bool(self._call(lambda: self._renew(keys=keys, args=[token, self._lease])))

    def finish(
        self,
        estimate_id: str,
        token: str,
        *,
        result: dict[str, Any] | None = None,
        error: dict[str, str] | None = None,
    ) -> bool:
        status = "failed" if error is not None else "succeeded"
        args = [
            token,
            status,
            json.dumps(result, separators=(",", ":")) if error is None else "",
            json.dumps(error, separators=(",", ":")) if error is not None else "",
            self._ttl,
        ]
        keys = [self._estimate_key(estimate_id)]
        return bool(self._call(lambda: self._finish(keys=keys, args=args)))

    def wait(self, estimate_id: str, timeout: float) -> EstimateRecord | None:
        # Polling keeps the store stateless (no pub/sub connection per waiter); the interval
        # grows so that long waits cost few round trips.
        deadline = time.monotonic() + timeout
        interval = min(self._poll, 0.01)
        while True:
            record = self.get(estimate_id)
            remaining = deadline - time.monotonic()
            if record is None or record.final or remaining <= 0:
                return record
            time.sleep(min(interval, remaining))
            interval = min(interval * 2, self._poll * 4)

    def stats(self) -> dict[str, int]:
        raw = self._call(lambda: self._redis.get(f"{self._prefix}stats:computed"))
        return {"computed": int(raw or 0)}

    def ping(self) -> bool:
        try:
            return bool(self._redis.ping())
        except RedisError:
            return False


def _record_from_hash(estimate_id: str, data: Mapping[str, str]) -> EstimateRecord:
    def number(name: str) -> float:
        try:
            return float(data.get(name) or 0)
        except ValueError:
            return 0.0

    result = json.loads(data["result"]) if data.get("result") else None
    error = json.loads(data["error"]) if data.get("error") else None
    return EstimateRecord(
        id=estimate_id,
        status=data.get("status", PENDING),
        fingerprint=data.get("fingerprint", ""),
        submissions=int(number("submissions")),
        computed=int(number("computed")),
        result=result,
        error=error,
        created_at=number("created_at"),
        updated_at=number("updated_at"),
        lease_until=number("lease_until"),
    )
