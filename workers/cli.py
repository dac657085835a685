"""``celery -A workers jobs ...``: operator commands for tfquote jobs.

A sub-command of the celery CLI, registered through the ``celery.commands`` entry point
(setup.cfg), so it runs with the Celery app given by ``-A``::

    celery -A workers jobs list [--status FAILED] [--tenant T] [--limit N] [--cursor C] [--json]
    celery -A workers jobs show JOB_ID [--json]
    celery -A workers jobs retry JOB_ID [--json]
    celery -A workers jobs retry --all-failed [--tenant T] [--limit N] [--json]
    celery -A workers jobs cancel JOB_ID [--json]

Every state change goes through `tfquote.jobs.JobStore` (one Lua script each), so the
CLI races safely with gateways and workers. A retry is FAILED → PENDING first and
publishes ``workers.process_job`` second (the worker's claim needs PENDING); when the
publish fails the job is put back to FAILED by one atomic PENDING → FAILED transition,
or, if even that is impossible, left PENDING for the reconciler.

Exit codes (`ExitCode`): 0 success, 1 refused (wrong state), 2 usage or configuration
error, 3 not found, 4 Redis or the broker unavailable. With ``--json`` every command
prints exactly one JSON object on stdout; whenever the exit code is not 0 a one-line
message also goes to stderr, never a traceback.

The logic lives in plain functions (`retry_job`, `retry_all_failed`, `cancel_job`,
`job_view`, `format_table`) that take a `JobStore` and a ``publish`` callable; the click
commands only build those collaborators and print.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any, NoReturn, Protocol
from urllib.parse import urlsplit, urlunsplit

import click
import redis
from celery import Celery
from kombu.exceptions import OperationalError as KombuOperationalError

from tfquote.connections import redis_client
from tfquote.jobs import InvalidCursor, InvalidTransition, Job, JobNotFound, JobStatus, JobStore
from tfquote.settings import ConfigError, Settings
from tfquote.tasks import publish_job

Publish = Callable[[str], None]

#: Errors that mean "Redis or the broker cannot be used right now" (exit code 4).
BACKEND_ERRORS: tuple[type[BaseException], ...] = (
    redis.exceptions.RedisError,
    KombuOperationalError,
    ConnectionError,
)

#: Page size for walking the FAILED index in `retry_all_failed`.
BULK_PAGE_SIZE = 100


class ExitCode(IntEnum):
    OK = 0
    REFUSED = 1
    USAGE = 2  # click's own code for usage errors; also used for a bad configuration
    NOT_FOUND = 3
    UNAVAILABLE = 4


class ActionResult(StrEnum):
    RETRIED = "retried"
    CANCELLED = "cancelled"
    REFUSED = "refused"
    NOT_FOUND = "not_found"
    #: The job went FAILED → PENDING but its task could not be published.
    NOT_PUBLISHED = "not_published"

    @property
    def exit_code(self) -> ExitCode:
        return _EXIT_CODES[self]


_EXIT_CODES = {
    ActionResult.RETRIED: ExitCode.OK,
    ActionResult.CANCELLED: ExitCode.OK,
    ActionResult.REFUSED: ExitCode.REFUSED,
    ActionResult.NOT_FOUND: ExitCode.NOT_FOUND,
    ActionResult.NOT_PUBLISHED: ExitCode.UNAVAILABLE,
}


@dataclass(frozen=True)
class Outcome:
    """What an action did to one job. `status` is the job's status afterwards
    (None when the job does not exist)."""

    job_id: str
    status: str | None
    result: ActionResult
    message: str

    @property
    def exit_code(self) -> ExitCode:
        return self.result.exit_code

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "status": self.status,
            "result": self.result.value,
            "message": self.message,
        }


@dataclass
class BulkOutcome:
    """What ``retry --all-failed`` did: one `Outcome` per job it looked at. The walk stops
    at the first job it could not publish, or when Redis fails (`error`): with the
    broker down, carrying on would only move more jobs back and forth."""

    items: list[Outcome] = field(default_factory=list)
    error: str | None = None  # why the walk stopped early, when Redis failed

    def count(self, result: ActionResult) -> int:
        return sum(1 for item in self.items if item.result is result)

    @property
    def retried(self) -> int:
        return self.count(ActionResult.RETRIED)

    @property
    def skipped(self) -> int:
        """Jobs listed as FAILED that were no longer FAILED (or gone) when retried."""
        return self.count(ActionResult.REFUSED) + self.count(ActionResult.NOT_FOUND)

    @property
    def not_published(self) -> int:
        return self.count(ActionResult.NOT_PUBLISHED)

    @property
    def result(self) -> str:
        if self.not_published:
            return ActionResult.NOT_PUBLISHED.value
        return "unavailable" if self.error else ActionResult.RETRIED.value

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.UNAVAILABLE if self.not_published or self.error else ExitCode.OK

    @property
    def message(self) -> str:
        text = f"retried {self.retried}, skipped {self.skipped}"
        if self.not_published:
            failed = next(i for i in self.items if i.result is ActionResult.NOT_PUBLISHED)
            text += f"; stopped: {failed.message}"
        elif self.error:
            text += f"; stopped: {self.error}"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "result": self.result,
            "retried": self.retried,
            "skipped": self.skipped,
            "not_published": self.not_published,
            "items": [item.to_json() for item in self.items],
            "message": self.message,
        }


# --- logic: plain functions over a JobStore ---------------------------------------------


def _not_found(job_id: str) -> Outcome:
    return Outcome(job_id, None, ActionResult.NOT_FOUND, f"job {job_id} not found")


def retry_job(store: JobStore, publish: Publish, job_id: str) -> Outcome:
    """FAILED → PENDING (atomically, `JobStore.retry`), then publish the job's task with
    the job id as task id. If publishing fails, put the job back to FAILED with its
    original error (one atomic PENDING → FAILED transition, so a worker that somehow
    claimed it meanwhile is never overridden); if Redis refuses that too, the job stays
    PENDING for the reconciler. Redis errors before the state change propagate."""
    before = store.get(job_id)
    if before is None:
        return _not_found(job_id)
    if before.status is not JobStatus.FAILED:
        return _refused_retry(job_id, before.status.value)
    try:
        store.retry(job_id)
    except JobNotFound:
        return _not_found(job_id)
    except InvalidTransition as exc:  # changed between the read and the script
        return _refused_retry(job_id, exc.current)
    try:
        publish(job_id)
    except Exception as exc:  # any failure: the message was (most likely) not sent
        return _undo_retry(store, before, exc)
    return Outcome(
        job_id,
        JobStatus.PENDING.value,
        ActionResult.RETRIED,
        f"job {job_id} retried: FAILED -> PENDING, task queued",
    )


def _refused_retry(job_id: str, current: str) -> Outcome:
    return Outcome(
        job_id,
        current,
        ActionResult.REFUSED,
        f"job {job_id} is {current}; only FAILED jobs can be retried",
    )


def _undo_retry(store: JobStore, before: Job, error: BaseException) -> Outcome:
    job_id = before.job_id
    reason = f"could not publish the task for job {job_id} ({_describe(error)})"
    code = before.error["code"] if before.error else "retry_not_published"
    message = before.error["message"] if before.error else reason
    try:
        store.fail(job_id, code, message, allowed_from=(JobStatus.PENDING,))
    except InvalidTransition as exc:
        # A worker got a message after all (or someone cancelled): that state stands.
        return Outcome(
            job_id,
            exc.current,
            ActionResult.NOT_PUBLISHED,
            f"{reason}; the job is now {exc.current} and was left as it is",
        )
    except JobNotFound:
        return Outcome(job_id, None, ActionResult.NOT_PUBLISHED, f"{reason}; the job is gone")
    except BACKEND_ERRORS:
        return Outcome(
            job_id,
            JobStatus.PENDING.value,
            ActionResult.NOT_PUBLISHED,
            f"{reason}; it could not be put back to FAILED either, so it stays PENDING "
            "and the reconciler will pick it up",
        )
    return Outcome(
        job_id,
        JobStatus.FAILED.value,
        ActionResult.NOT_PUBLISHED,
        f"{reason}; it was put back to FAILED, retry it once the broker is back",
    )


def retry_all_failed(
    store: JobStore,
    publish: Publish,
    *,
    limit: int | None = None,
    tenant: str | None = None,
    page_size: int = BULK_PAGE_SIZE,
) -> BulkOutcome:
    """Retry every FAILED job (newest first, at most `limit`). The walk follows the
    index's sequence-number cursor, so jobs leaving FAILED under it (ours or anyone's)
    do not disturb it, and a retried job that fails again is not visited twice."""
    outcome = BulkOutcome()
    cursor: str | None = None
    try:
        while limit is None or len(outcome.items) < limit:
            want = page_size if limit is None else min(page_size, limit - len(outcome.items))
            page = store.list_jobs(
                tenant=tenant, status=JobStatus.FAILED, limit=want, cursor=cursor
            )
            for job in page.items:
                item = retry_job(store, publish, job.job_id)
                outcome.items.append(item)
                if item.result is ActionResult.NOT_PUBLISHED:
                    return outcome
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    except BACKEND_ERRORS as exc:
        outcome.error = f"Redis unavailable: {_describe(exc)}"
    return outcome


def cancel_job(store: JobStore, job_id: str) -> Outcome:
    """PENDING/RUNNING → CANCELLED. A running worker stops at its next stage boundary;
    a queued task finds the job cancelled when it tries to claim it."""
    try:
        store.cancel(job_id)
    except JobNotFound:
        return _not_found(job_id)
    except InvalidTransition as exc:
        return Outcome(
            job_id,
            exc.current,
            ActionResult.REFUSED,
            f"job {job_id} is {exc.current}; only PENDING or RUNNING jobs can be cancelled",
        )
    return Outcome(
        job_id, JobStatus.CANCELLED.value, ActionResult.CANCELLED, f"job {job_id} cancelled"
    )


def job_view(job: Job) -> dict[str, Any]:
    """A job as the CLI shows it: the API's public document plus the tenant."""
    return {**job.to_public(), "tenant": job.tenant}


_COLUMNS = ("JOB_ID", "STATUS", "TENANT", "REGION", "ATTEMPTS", "CREATED_AT", "ERROR")


def format_table(jobs: list[Job]) -> str:
    rows = [
        (
            job.job_id,
            job.status.value,
            job.tenant,
            job.region,
            str(job.attempts),
            job.created_at,
            job.error["code"] if job.error else "",
        )
        for job in jobs
    ]
    widths = [max(len(row[i]) for row in [_COLUMNS, *rows]) for i in range(len(_COLUMNS))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [_COLUMNS, *rows]
    )


_SHOWN_FIELDS = (
    "job_id",
    "status",
    "tenant",
    "upload_id",
    "region",
    "attempts",
    "created_at",
    "updated_at",
    "started_at",
    "finished_at",
)


def format_job(job: Job) -> str:
    view = job_view(job)
    lines = [f"{name}: {'' if view[name] is None else view[name]}" for name in _SHOWN_FIELDS]
    if job.error:
        lines.append(f"error: {job.error['code']}: {job.error['message']}")
    if job.result is not None:
        summary = job.result.get("summary")
        shown = summary if summary is not None else job.result
        lines.append("result: " + json.dumps(shown, sort_keys=True))
        if summary is not None:
            lines.append("(the full result: --json)")
    return "\n".join(lines)


def _describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def redact_url(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + host))


# --- click commands -----------------------------------------------------------------


@dataclass
class Services:
    settings: Settings
    store: JobStore
    publish: Publish


class ConfigurationError(click.ClickException):
    exit_code = int(ExitCode.USAGE)


def _build_services(ctx: click.Context, *, need_broker: bool = False) -> Services:
    app: Celery = ctx.obj.app
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        raise ConfigurationError(f"configuration error: {exc}") from None
    if need_broker and not app.conf.broker_url:
        raise ConfigurationError(
            "the Celery app has no broker configured; run as `celery -A workers jobs ...`"
        )
    client = redis_client(settings.redis_url, timeout=settings.redis_socket_timeout)
    ctx.call_on_close(client.close)

    def publish(job_id: str) -> None:
        publish_job(app, job_id)

    return Services(settings, JobStore(client, ttl_seconds=settings.job_ttl_seconds), publish)


def _emit_json(document: Mapping[str, Any]) -> None:
    click.echo(json.dumps(document, sort_keys=True))


def _finish(code: ExitCode) -> NoReturn:
    click.get_current_context().exit(int(code))


@contextmanager
def _backend_guard(services: Services, as_json: bool, job_id: str | None = None) -> Iterator[None]:
    """Redis or broker errors → a one-line message on stderr and exit code 4."""
    try:
        yield
    except BACKEND_ERRORS as exc:
        if isinstance(exc, KombuOperationalError):
            what, url = "broker", services.settings.broker_url
        else:
            what, url = "Redis", services.settings.redis_url
        message = f"{what} unavailable ({redact_url(url)}): {_describe(exc)}"
        if as_json:
            if job_id is None:
                _emit_json({"error": {"code": "unavailable", "message": message}})
            else:
                _emit_json(
                    {"job_id": job_id, "status": None, "result": "unavailable", "message": message}
                )
        click.echo(f"Error: {message}", err=True)
        _finish(ExitCode.UNAVAILABLE)


class _Reportable(Protocol):
    @property
    def exit_code(self) -> ExitCode: ...

    @property
    def message(self) -> str: ...

    def to_json(self) -> Mapping[str, Any]: ...


def _report(outcome: _Reportable, as_json: bool) -> NoReturn:
    if as_json:
        _emit_json(outcome.to_json())
    if outcome.exit_code is ExitCode.OK:
        if not as_json:
            click.echo(outcome.message)
    else:
        click.echo(f"Error: {outcome.message}", err=True)
    _finish(outcome.exit_code)


JSON_OPTION = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object instead of text."
)


@click.group(name="jobs")
@click.pass_context
def jobs(ctx: click.Context, /, **_: Any) -> None:
    """Inspect, retry and cancel tfquote jobs (Redis is the system of record).

    \b
    Exit codes: 0 success, 1 refused (wrong state), 2 usage or configuration error,
    3 job not found, 4 Redis or the broker unavailable.
    """
    if ctx.obj is None or getattr(ctx.obj, "app", None) is None:
        raise click.UsageError("run as a celery sub-command: celery -A workers jobs ...")


def _parse_status(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> JobStatus | None:
    if value is None:
        return None
    try:
        return JobStatus(value.upper())
    except ValueError:
        choices = ", ".join(s.value for s in JobStatus)
        raise click.BadParameter(f"{value!r} is not one of {choices}") from None


@jobs.command(name="list")
@click.option(
    "--status",
    callback=_parse_status,
    metavar="[" + "|".join(s.value for s in JobStatus) + "]",
    help="Only jobs in this state (any case).",
)
@click.option("--tenant", help="Only this tenant's jobs (default: every tenant).")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--cursor", help="The next_cursor of the previous page.")
@JSON_OPTION
@click.pass_context
def list_command(
    ctx: click.Context,
    status: JobStatus | None,
    tenant: str | None,
    limit: int,
    cursor: str | None,
    as_json: bool,
) -> None:
    """List jobs, newest first."""
    services = _build_services(ctx)
    with _backend_guard(services, as_json):
        try:
            page = services.store.list_jobs(
                tenant=tenant,
                status=status,
                limit=limit,
                cursor=cursor,
            )
        except InvalidCursor:
            raise click.BadParameter(
                "not a cursor printed by `jobs list`", param_hint="--cursor"
            ) from None
    if as_json:
        _emit_json({"items": [job_view(j) for j in page.items], "next_cursor": page.next_cursor})
        return
    click.echo(format_table(page.items) if page.items else "no jobs")
    if page.next_cursor:
        click.echo(f"more: --cursor {page.next_cursor}")


@jobs.command(name="show")
@click.argument("job_id")
@JSON_OPTION
@click.pass_context
def show_command(ctx: click.Context, job_id: str, as_json: bool) -> None:
    """Show one job."""
    services = _build_services(ctx)
    with _backend_guard(services, as_json):
        job = services.store.get(job_id)
    if job is None:
        message = f"job {job_id} not found"
        if as_json:
            _emit_json({"job_id": job_id, "error": {"code": "not_found", "message": message}})
        click.echo(f"Error: {message}", err=True)
        _finish(ExitCode.NOT_FOUND)
    if as_json:
        _emit_json(job_view(job))
    else:
        click.echo(format_job(job))


@jobs.command(name="retry")
@click.argument("job_id", required=False)
@click.option("--all-failed", is_flag=True, help="Retry every FAILED job.")
@click.option("--limit", type=click.IntRange(min=1), help="With --all-failed: at most N jobs.")
@click.option("--tenant", help="With --all-failed: only this tenant's jobs.")
@JSON_OPTION
@click.pass_context
def retry_command(
    ctx: click.Context,
    job_id: str | None,
    all_failed: bool,
    limit: int | None,
    tenant: str | None,
    as_json: bool,
) -> None:
    """Retry a FAILED job (FAILED -> PENDING, then queue its task again)."""
    if (job_id is None) == (not all_failed):
        raise click.UsageError("give either JOB_ID or --all-failed")
    if not all_failed and (limit is not None or tenant is not None):
        raise click.UsageError("--limit and --tenant go with --all-failed")
    services = _build_services(ctx, need_broker=True)
    if job_id is not None:
        with _backend_guard(services, as_json, job_id):
            outcome = retry_job(services.store, services.publish, job_id)
        _report(outcome, as_json)
    with _backend_guard(services, as_json):
        bulk = retry_all_failed(services.store, services.publish, limit=limit, tenant=tenant)
    _report(bulk, as_json)


@jobs.command(name="cancel")
@click.argument("job_id")
@JSON_OPTION
@click.pass_context
def cancel_command(ctx: click.Context, job_id: str, as_json: bool) -> None:
    """Cancel a PENDING or RUNNING job."""
    services = _build_services(ctx)
    with _backend_guard(services, as_json, job_id):
        outcome = cancel_job(services.store, job_id)
    _report(outcome, as_json)


__all__ = [
    "ActionResult",
    "BulkOutcome",
    "ExitCode",
    "Outcome",
    "cancel_job",
    "format_job",
    "format_table",
    "job_view",
    "jobs",
    "retry_all_failed",
    "retry_job",
]
