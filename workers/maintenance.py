"""Housekeeping for ``DATA_DIR``: files whose Redis records have expired are removed.

Redis expires upload and job records by itself (``JOB_TTL_SECONDS``); the files on disk
need a sweep. Run periodically by Celery beat (``workers.sweep_files``). Anything
younger than `grace_seconds` is left alone, so an upload that is being written, or a
workspace whose job is starting, is never touched. Imports neither Flask nor Celery.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from tfquote.jobs import TERMINAL, JobStatus, JobStore
from tfquote.uploads import UploadStore, valid_upload_id

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    uploads: int = 0
    workspaces: int = 0
    incoming: int = 0


def _old(path: Path, now: float, grace: float) -> bool:
    try:
        return now - path.stat().st_mtime > grace
    except FileNotFoundError:
        return False


def sweep_files(
    data_dir: Path, jobs: JobStore, uploads: UploadStore, *, grace_seconds: float = 3600
) -> SweepReport:
    report = SweepReport()
    now = time.time()
    uploads_dir = data_dir / "uploads"
    if uploads_dir.is_dir():
        for entry in uploads_dir.iterdir():
            if not _old(entry, now, grace_seconds):
                continue
            if not valid_upload_id(entry.name) or uploads.get(entry.name) is None:
                shutil.rmtree(entry, ignore_errors=True)
                report.uploads += 1
    jobs_dir = data_dir / "jobs"
    if jobs_dir.is_dir():
        for entry in jobs_dir.iterdir():
            if not _old(entry, now, grace_seconds):
                continue
            job = jobs.get(entry.name)
            # A live attempt removes its own workspace; leftovers are a dead worker's.
            if job is None or job.status in TERMINAL or job.status is JobStatus.PENDING:
                shutil.rmtree(entry, ignore_errors=True)
                report.workspaces += 1
    incoming_dir = data_dir / "incoming"
    if incoming_dir.is_dir():
        for entry in incoming_dir.iterdir():
            if _old(entry, now, grace_seconds):  # a request that died mid-upload
                shutil.rmtree(entry, ignore_errors=True)
                report.incoming += 1
    if report.uploads or report.workspaces or report.incoming:
        log.info("swept expired files", extra=report.__dict__)
    return report
