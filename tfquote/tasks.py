"""Task names and queues: the contract between the gateway and the workers.

The gateway enqueues by name with ``send_task`` and never imports worker code, so the
names live here, on neutral ground, and both sides import them. Renaming one is a
breaking change for messages already queued.
"""

from __future__ import annotations

PROCESS_JOB = "workers.process_job"
SWEEP_FILES = "workers.sweep_files"
RECONCILE = "workers.reconcile"

#: The default queue every job goes to.
JOBS_QUEUE = "jobs"
#: Housekeeping (reconciler, file sweeper): its own queue so a backlog of jobs never
#: delays the repairs.
MAINTENANCE_QUEUE = "maintenance"

#: Header carrying the caller's request id into the worker's log lines.
REQUEST_ID_HEADER = "tfquote_request_id"
