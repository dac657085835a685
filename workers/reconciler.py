"""The reconciler: every accepted job reaches a terminal state, even when messages or
workers are lost.

Two repairs, run periodically by Celery beat (``workers.reconcile``):

1. **RUNNING without a heartbeat** — the worker holding the lease died (SIGKILL, OOM,
   host lost) and nothing re-delivered its message yet. The job goes back to PENDING
   and is re-published; the claim's attempt counter still caps the attempts, so a job
   that kills its worker every time ends FAILED with ``max_attempts_exceeded``.
2. **PENDING without a message** — the task was never published (the gateway died
   between writing the job and publishing) or the broker lost it (Redis restarted
   without AOF). A PENDING job older than ``PENDING_STALE_SECONDS`` whose id is in no
   broker queue and no unacked delivery is re-published.

Re-publishing is always safe: the claim admits one live worker per job, and the
engine sees the same ``Idempotency-Key``. Imports neither Flask nor Celery.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import redis

from tfquote.jobs import JobStore

log = logging.getLogger(__name__)

_UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class BrokerView:
    """What job ids the broker currently holds: queued messages and unacked deliveries
    (which include retries waiting for their countdown). Redis transport layout."""

    def __init__(self, client: redis.Redis[bytes], queues: tuple[str, ...]) -> None:
        self.client = client
        self.queues = queues

    def job_ids(self) -> set[str]:
        found: set[bytes] = set()
        for queue in self.queues:
            # kombu keeps one list per priority step: "jobs", "jobs\x06\x163", ...
            for key in self.client.scan_iter(match=f"{queue}*", count=100):
                if self.client.type(key) != b"list":
                    continue
                for message in self.client.lrange(key, 0, -1):
                    found.update(_UUID.findall(message))
        for payload in self.client.hvals("unacked"):
            found.update(_UUID.findall(payload))
        return {v.decode() for v in found}


@dataclass
class ReconcileReport:
    requeued_running: list[str] = field(default_factory=list)
    republished_pending: list[str] = field(default_factory=list)


def reconcile(
    jobs: JobStore,
    broker: BrokerView,
    publish: Callable[[str], None],
    *,
    lease_stale_seconds: float,
    pending_stale_seconds: float,
    now: datetime | None = None,
) -> ReconcileReport:
    report = ReconcileReport()
    for job_id in jobs.stale_running(lease_stale_seconds):
        # Staleness is checked again in the requeue's own script: a holder that woke up
        # and finished, or a worker that took the job over since, is left alone.
        if not jobs.requeue_stale(job_id, lease_stale_seconds):
            continue
        publish(job_id)
        report.requeued_running.append(job_id)

    cutoff = (now or datetime.now(UTC)) - timedelta(seconds=pending_stale_seconds)
    candidates = jobs.pending_before(
        cutoff.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )
    if candidates:
        present = broker.job_ids()
        for job in candidates:
            if job.job_id in present:
                continue  # waiting in the queue, or for its retry countdown
            publish(job.job_id)
            jobs.mark_enqueued(job.job_id)
            report.republished_pending.append(job.job_id)
    if report.requeued_running or report.republished_pending:
        log.warning(
            "reconciled jobs",
            extra={
                "requeued_running": report.requeued_running,
                "republished_pending": report.republished_pending,
            },
        )
    return report
