"""How a job's work can fail, and what the worker does about it.

::

    JobError                 code       what happens
    ├── PermanentJobError    (varies)   job → FAILED with that code; never retried
    ├── TransientJobError    (varies)   job → PENDING, retried with backoff until
    │                                   MAX_ATTEMPTS, then FAILED with the same code
    └── JobCancelled         cancelled  stop at the stage boundary; write nothing

Codes are stable: clients and operators match on them.
"""

from __future__ import annotations


class JobError(Exception):
    code = "job_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class PermanentJobError(JobError):
    code = "job_failed"


class TransientJobError(JobError):
    code = "transient_error"


class JobCancelled(JobError):
    code = "cancelled"
