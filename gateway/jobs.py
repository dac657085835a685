"""``/api/v1/jobs``: create (idempotently), read, list and cancel estimation jobs, and
render a finished one's report (``/report``, with the renderers of `tfquote.reports`)."""

from __future__ import annotations

import logging
import re
import shutil
from typing import Any

import redis.exceptions
from flask import Blueprint, Response, g, jsonify, request, url_for
from kombu.exceptions import KombuError
from marshmallow import ValidationError

from gateway.errors import (
    BadRequest,
    Conflict,
    NotFound,
    ServiceUnavailable,
    Unprocessable,
    ValidationFailed,
)
from gateway.jsonbody import parse_json_object
from gateway.schemas import (
    IDEMPOTENCY_KEY,
    JobCreateSchema,
    JobListQuerySchema,
    ReportQuerySchema,
    instance,
)
from gateway.services import services
from gateway.tenancy import current_tenant
from tfquote import options as job_options
from tfquote import reports
from tfquote.jobs import (
    TERMINAL,
    InvalidCursor,
    InvalidTransition,
    Job,
    JobNotFound,
    JobStatus,
    UploadNotFound,
    request_fingerprint,
)
from tfquote.webhooks import publish_pending

bp = Blueprint("jobs", __name__, url_prefix="/api/v1/jobs")
log = logging.getLogger(__name__)
_JOB_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _load(schema: Any, data: dict[str, Any]) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = schema.load(data)
        return loaded
    except ValidationError as exc:
        raise ValidationFailed("request validation failed", details=exc.messages) from None


def _idempotency_key(body_key: str | None) -> str | None:
    header = request.headers.get("Idempotency-Key")
    if header is not None and not IDEMPOTENCY_KEY.match(header):
        raise BadRequest(
            "Idempotency-Key must be 1-255 printable ASCII characters",
            code="invalid_idempotency_key",
        )
    if header is not None and body_key is not None and header != body_key:
        raise BadRequest(
            "Idempotency-Key header and idempotency_key field differ",
            code="invalid_idempotency_key",
        )
    return header if header is not None else body_key


def _job_response(job: Job, status: int) -> tuple[Response, int]:
    response = jsonify(job.to_public())
    response.headers["Location"] = url_for("jobs.get_job", job_id=job.job_id)
    return response, status


def _get_owned(job_id: str) -> Job:
    job = services().jobs.get(job_id, tenant=current_tenant()) if _JOB_ID.match(job_id) else None
    if job is None:
        raise NotFound("job not found")
    return job


def _invalid_option(field: str, message: str) -> BadRequest:
    return BadRequest(
        f"options.{field}: {message}",
        code="invalid_option",
        details={"options": {field: [message]}},
    )


def _check_orchestration_options(options: dict[str, Any], tenant: str) -> None:
    """What the schema cannot know: compare_to names a COMPLETED job of this tenant, and
    the webhook target is one this deployment accepts. (Reads only; computes nothing.)"""
    svc = services()
    compare_to = options.get("compare_to")
    if isinstance(compare_to, str):
        base = svc.jobs.get(compare_to, tenant=tenant)
        if base is None:
            # Another tenant's job is as unknown as a missing one.
            raise _invalid_option("compare_to", f"job {compare_to} not found")
        if base.status is not JobStatus.COMPLETED:
            raise _invalid_option(
                "compare_to", f"job {compare_to} is {base.status.value}, not COMPLETED"
            )
    url = options.get("webhook_url")
    if isinstance(url, str):
        settings = svc.settings
        problem = job_options.webhook_target_problem(
            url,
            allow_http=settings.webhook_allow_http,
            allow_private=settings.webhook_allow_private,
        )
        if problem is not None:
            raise _invalid_option("webhook_url", problem)
        if not settings.webhook_secret_for(tenant):
            raise _invalid_option(
                "webhook_url", "webhooks are not configured here (no WEBHOOK_SECRET)"
            )


@bp.post("")
def create_job() -> tuple[Response, int]:
    data = _load(instance(JobCreateSchema), parse_json_object(request))
    key = _idempotency_key(data.pop("idempotency_key"))
    svc = services()
    tenant = current_tenant()
    try:
        options = job_options.validate(data.pop("options", None))
    except job_options.OptionError as exc:
        raise ValidationFailed(
            "request validation failed", details={"options": {exc.field: [exc.message]}}
        ) from None
    _check_orchestration_options(options, tenant)
    if options:
        # Part of the fingerprint only when given, so a request without options keeps the
        # fingerprint it had before options existed (idempotency keys survive an upgrade).
        data["options"] = options
    upload = svc.uploads.lease(data["upload_id"], tenant=tenant)
    try:
        if upload is None:
            raise UploadNotFound(data["upload_id"])
        # One round trip: the upload's claim, the idempotency check and the record.
        outcome = svc.jobs.create(
            tenant=tenant,
            upload_id=data["upload_id"],
            region=data["region"],
            options=options,
            fingerprint=request_fingerprint(data),
            idempotency_key=key,
            request_id=g.request_id,
            upload=upload,
        )
    except UploadNotFound:
        raise Unprocessable(
            "upload_id does not name an upload of yours", code="upload_not_found"
        ) from None
    if not outcome.created:
        if not outcome.fingerprint_matches:
            # The caller's own job: naming it lets a client that derives keys from content
            # (the tfquote CLI, re-run on a fresh upload of the same files) find it.
            raise Unprocessable(
                "this Idempotency-Key was used for a different request",
                code="idempotency_key_reused",
                details={"job_id": outcome.job.job_id},
            )
        return _job_response(outcome.job, 200)

    job = outcome.job
    try:
        svc.dispatcher.dispatch(job.job_id, request_id=g.request_id)
    except (KombuError, OSError, redis.exceptions.RedisError) as exc:
        # The broker did not take the task. Roll the job back so nothing is stranded
        # in PENDING; the caller retries (with the same key: a fresh job is made).
        log.warning("publish failed; job rolled back", extra={"job_id": job.job_id})
        try:
            svc.jobs.rollback_create(job.job_id)
        except redis.exceptions.RedisError:
            log.error("rollback failed; job left PENDING", extra={"job_id": job.job_id})
        raise ServiceUnavailable("the job queue is unavailable; retry later") from exc
    log.info("job accepted", extra={"job_id": job.job_id, "upload_id": job.upload_id})
    return _job_response(job, 202)


@bp.get("/<job_id>")
def get_job(job_id: str) -> Response:
    return jsonify(_get_owned(job_id).to_public())


@bp.get("/<job_id>/report")
def job_report(job_id: str) -> Response:
    query = _load(instance(ReportQuerySchema), request.args.to_dict())
    job = _get_owned(job_id)
    if job.status is not JobStatus.COMPLETED:
        raise Conflict(
            f"job is {job.status.value}; a report needs a COMPLETED job",
            code="job_not_completed",
            details={"status": job.status.value},
        )
    fmt = query["format"]
    url = url_for("jobs.job_report", job_id=job.job_id, format="html", _external=True)
    body = reports.render(job.to_public(), fmt, report_url=url)
    return Response(body, status=200, content_type=reports.CONTENT_TYPES[fmt])


@bp.get("")
def list_jobs() -> Response:
    query = _load(instance(JobListQuerySchema), request.args.to_dict())
    status = JobStatus(query["status"]) if query["status"] else None
    try:
        page = services().jobs.list_jobs(
            tenant=current_tenant(), status=status, limit=query["limit"], cursor=query["cursor"]
        )
    except InvalidCursor:
        raise BadRequest("cursor is not valid", code="invalid_cursor") from None
    return jsonify({"items": [j.to_public() for j in page.items], "next_cursor": page.next_cursor})


def _publish_webhooks(job: Job) -> None:
    """The cancellation's webhook, at once; should the publish fail, the sweeper sends it
    (the cancel itself registered the event in the outbox), so the caller never sees it.
    A job without ``options.webhook_url`` has no event: no outbox round trip for it."""
    if job.webhook is None:
        return
    svc = services()
    try:
        publish_pending(svc.webhooks, job.job_id, svc.dispatcher.dispatch_webhook)
    except (KombuError, OSError, redis.exceptions.RedisError):
        log.warning(
            "webhook publish failed; the sweeper will send it", extra={"job_id": job.job_id}
        )


@bp.delete("/<job_id>")
def delete_job(job_id: str) -> tuple[str, int]:
    job = _get_owned(job_id)
    svc = services()
    if job.status not in TERMINAL:
        try:
            svc.jobs.cancel(job.job_id)
            log.info("job cancelled", extra={"job_id": job.job_id})
            _publish_webhooks(job)
            return "", 204
        except InvalidTransition:
            pass  # it finished meanwhile: delete it like any finished job
    try:
        svc.jobs.delete(job.job_id)
    except JobNotFound:
        raise NotFound("job not found") from None
    except InvalidTransition:  # pragma: no cover - a terminal job cannot leave it
        raise BadRequest("job changed state; retry", code="conflict") from None
    shutil.rmtree(svc.settings.jobs_dir / job.job_id, ignore_errors=True)
    log.info("job deleted", extra={"job_id": job.job_id})
    return "", 204
