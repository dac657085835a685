"""One fetch per module across every engine process and host: the fetch lock.

Before downloading a package (or asking a registry for a version list) a process takes the
lock named after the cache key; the others wait, checking every :data:`POLL_SECONDS`
whether the package has appeared in the cache (then they use it) or the lock is free
(then one of them takes it). Waiting counts against the job's fetch budget.

* :class:`RedisLocks` — the engine's Redis (``SET NX PX`` with a random token, released
  only by its holder). The lock expires on its own after ``ttl`` seconds, so a process
  killed while fetching (an evaluation over its time limit) blocks nobody for long; the
  ttl is longer than a whole fetch budget, so a live holder never loses it. When Redis
  cannot be reached the fetch goes ahead without the cross-host lock (on a
  :class:`FileLocks` lock): a duplicate download is wasteful, never wrong, because
  publishing into the cache is atomic.
* :class:`FileLocks` — ``flock`` on a file under the cache directory, for processes of one
  host (the library default, and the fallback above).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

from redis.exceptions import RedisError

from engine.fetch.net import Deadline

log = logging.getLogger("engine.fetch")

POLL_SECONDS = 0.05

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class Locks(Protocol):
    def hold(
        self, name: str, deadline: Deadline, done: Callable[[], bool]
    ) -> contextlib.AbstractContextManager[bool]:
        """Enter with True when this process holds the lock and must do the work, or with
        False when ``done()`` became true meanwhile (someone else did it)."""


class FileLocks:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @contextlib.contextmanager
    def hold(self, name: str, deadline: Deadline, done: Callable[[], bool]) -> Iterator[bool]:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{name}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        try:
            while True:
                if done():
                    yield False
                    return
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    time.sleep(min(POLL_SECONDS, max(deadline.timeout(), 0.0)))
                    continue
                try:
                    yield not done()
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                return
        finally:
            os.close(fd)


class RedisLocks:
    def __init__(
        self,
        client_factory: Callable[[], Any],
        *,
        prefix: str,
        ttl: float,
        fallback: FileLocks,
    ) -> None:
        self._factory = client_factory
        self._client: Any = None
        self.prefix = prefix
        self.ttl_ms = int(ttl * 1000)
        self.fallback = fallback

    @property
    def client(self) -> Any:
        # Made on first use, in the process that uses it (an evaluation child never
        # inherits a connection).
        if self._client is None:
            self._client = self._factory()
        return self._client

    @contextlib.contextmanager
    def hold(self, name: str, deadline: Deadline, done: Callable[[], bool]) -> Iterator[bool]:
        key = f"{self.prefix}modules:lock:{name}"
        token = uuid.uuid4().hex
        while True:
            if done():
                yield False
                return
            try:
                acquired = bool(self.client.set(key, token, nx=True, px=self.ttl_ms))
            except RedisError as exc:
                log.warning("module fetch lock: Redis unavailable (%s); locking on this host", exc)
                with self.fallback.hold(name, deadline, done) as owned:
                    yield owned
                return
            if not acquired:
                time.sleep(min(POLL_SECONDS, max(deadline.timeout(), 0.0)))
                continue
            try:
                yield not done()
            finally:
                try:
                    self.client.eval(_RELEASE, 1, key, token)
                except RedisError:
                    pass  # it expires by itself
            return
