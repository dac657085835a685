"""Doing the work of one estimate: bundle -> inventory and cost estimate, kept in the store.

Separated from the HTTP layer so the same code path serves the inline (sync) and the
background (``Prefer: respond-async``) modes, and so tests can swap :func:`compute` (e.g. for
a slow one) with ``monkeypatch.setattr(engine.service, "compute", ...)``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from engine.bundle import read_bundle
from engine.config import EngineSettings
from engine.errors import EngineInputError, StoreUnavailable
from engine.fetch.settings import FetchSettings
from engine.httputil import RequestLogAdapter, request_logger
from engine.isolation import Evaluator, InProcessEvaluator, IsolatedEvaluator
from engine.result import build_result
from engine.store import EstimateStore
from tfquote.retrying import retry_through

log = logging.getLogger(__name__)

INTERNAL_ERROR = {
    "code": "internal_error",
    "message": "internal error while computing the estimate",
}


@dataclass(frozen=True)
class Submission:
    """A validated POST /v1/estimates request."""

    bundle: bytes
    region: str
    options: Mapping[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None
    request_id: str = "-"

    def canonical_options(self) -> str:
        return json.dumps(self.options, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def fingerprint(self) -> str:
        """sha256 over bundle bytes, region and canonical options, unambiguously framed."""
        digest = hashlib.sha256()
        for part in (self.bundle, self.region.encode(), self.canonical_options().encode()):
            # Length-prefix every part so no two different payloads can hash alike by shifting
            # bytes between fields.
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return digest.hexdigest()


@functools.cache
def _evaluator(
    isolated: bool, memory_mb: int, timeout_seconds: float, fetch: FetchSettings
) -> Evaluator:
    if not isolated:
        return InProcessEvaluator(fetch)
    return IsolatedEvaluator(
        memory_bytes=memory_mb * 1024 * 1024, timeout_seconds=timeout_seconds, fetch=fetch
    )


def compute(submission: Submission, settings: EngineSettings) -> dict[str, Any]:
    """The actual work: read the bundle in memory, build the inventory and the estimate.
    The configuration is evaluated in a limited child process (engine.isolation)."""
    files = read_bundle(
        submission.bundle, max_files=settings.max_files, max_bytes=settings.max_bundle_bytes
    )
    return build_result(
        files,
        submission.region,
        options=submission.options,
        catalog_path=settings.catalog_path or None,
        evaluator=_evaluator(
            settings.eval_isolation,
            settings.eval_memory_mb,
            settings.eval_timeout_seconds,
            settings.fetch_settings(),
        ),
    )


class LeaseKeeper:
    """Renews the leases of the estimates this process holds (queued or computing), every
    third of the lease, from one thread started on first use.

    The lease is what lets another engine process take over the estimate of one that
    died; renewing it keeps it short (seconds, not minutes) without a long computation
    or a full executor queue ever looking abandoned.
    """

    def __init__(self, store: EstimateStore, interval: float) -> None:
        self.store = store
        self.interval = interval
        self._held: dict[str, str] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._owner_pid: int | None = None

    def hold(self, estimate_id: str, token: str) -> None:
        with self._lock:
            self._held[estimate_id] = token
            # Per process: a forked gunicorn worker must start its own thread.
            if self._owner_pid != os.getpid():
                self._owner_pid = os.getpid()
                threading.Thread(target=self._run, name="engine-leases", daemon=True).start()

    def release(self, estimate_id: str) -> None:
        with self._lock:
            self._held.pop(estimate_id, None)

    def held(self) -> dict[str, str]:
        with self._lock:
            return dict(self._held)

    def stop(self) -> None:
        self._stopped.set()

    def renew_all(self) -> None:
        for estimate_id, token in self.held().items():
            try:
                if not self.store.renew(estimate_id, token):
                    self.release(estimate_id)  # finished, or taken over meanwhile
            except StoreUnavailable:
                log.warning("cannot renew the lease of estimate %s; retrying", estimate_id)

    def _run(self) -> None:
        while not self._stopped.wait(self.interval):
            self.renew_all()


class EstimateService:
    """Runs claimed estimates inline or on the app's thread pool."""

    def __init__(
        self,
        settings: EngineSettings,
        store: EstimateStore,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.store = store
        self.sleep = sleep
        self.leases = LeaseKeeper(store, settings.lease_seconds / 3)
        self._executor: ThreadPoolExecutor | None = None

    @property
    def executor(self) -> ThreadPoolExecutor:
        # Created on first async request: nothing is started at import or app-creation time,
        # and a gunicorn master that preloads the app never owns threads before forking.
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=self.settings.workers, thread_name_prefix="engine-estimate"
            )
        return self._executor

    def shutdown(self) -> None:
        self.leases.stop()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def run(self, estimate_id: str, token: str, submission: Submission) -> None:
        """Compute and store the outcome; a no-op if this token no longer owns the estimate."""
        self.leases.hold(estimate_id, token)
        try:
            self._run(estimate_id, token, submission)
        finally:
            self.leases.release(estimate_id)

    def _run(self, estimate_id: str, token: str, submission: Submission) -> None:
        log = request_logger(submission.request_id)
        if not self._persist(lambda: self.store.start(estimate_id, token), log):
            log.info("estimate %s: not started (already taken over or finished)", estimate_id)
            return
        error: dict[str, str] | None = None
        result: dict[str, Any] | None = None
        try:
            # Looked up at call time so tests can replace it.
            result = compute(submission, self.settings)
        except EngineInputError as exc:
            error = exc.to_dict()
            log.info("estimate %s failed: %s", estimate_id, exc.code)
        except Exception:
            log.exception("estimate %s: unexpected error", estimate_id)
            error = dict(INTERNAL_ERROR)
        finished = self._persist(
            lambda: self.store.finish(estimate_id, token, result=result, error=error), log
        )
        if not finished:
            log.warning("estimate %s: outcome discarded, ownership was lost", estimate_id)

    def _persist(self, write: Callable[[], bool], log: RequestLogAdapter) -> bool:
        """Make one of the owner's own writes (start, outcome), retried through a store
        outage (`retry_through`) for up to the lease.

        Nobody else may write this estimate while the owner's lease holds (and the
        `LeaseKeeper` keeps renewing it), so giving up at the first Redis error would leave
        it pending or running, with every replay polling it. The writes are idempotent for
        the owner's token, so repeating one whose reply was lost is safe.
        """
        return retry_through(
            write,
            errors=(StoreUnavailable,),
            budget=self.settings.lease_seconds,
            log=log,
            sleep=self.sleep,
        )

    def run_in_background(self, estimate_id: str, token: str, submission: Submission) -> None:
        def task() -> None:
            log = request_logger(submission.request_id)
            try:
                self.run(estimate_id, token, submission)
            except StoreUnavailable:
                # The lease expires and a replay can take the work over.
                log.exception("estimate %s: store unavailable in background run", estimate_id)
            except Exception:  # pragma: no cover - run() already handles compute errors
                log.exception("estimate %s: background run crashed", estimate_id)

        # Held from now on: a queued estimate must not look abandoned either.
        self.leases.hold(estimate_id, token)
        try:
            self.executor.submit(task)
        except RuntimeError:  # executor shut down (process exiting)
            self.leases.release(estimate_id)
            request_logger(submission.request_id).exception("cannot schedule %s", estimate_id)
            if self.store.start(estimate_id, token):
                self.store.finish(estimate_id, token, error=dict(INTERNAL_ERROR))
