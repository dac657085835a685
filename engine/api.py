"""HTTP API of the estimation engine (a Flask blueprint).

Contract
========

``POST /v1/estimates`` (``multipart/form-data``)
    Parts: ``bundle`` (file: a tar.gz of the job's Terraform files, relative paths),
    ``region`` (required; AWS region code matching ``^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\\d$``)
    and ``options`` (optional JSON object string; ``{"root_module": "dir"}`` selects the root
    module directory of an HCL bundle, default: the shallowest directory with ``.tf`` files;
    ``{"usage": {...}}`` is an Infracost-style usage document, see :mod:`engine.costing.usage`,
    applied after any ``infracost-usage.yml`` / ``*.usage.yml`` in the bundle).

    Headers:

    * ``Idempotency-Key`` (optional, printable ASCII, 1-255 chars, else
      ``400 invalid_idempotency_key``). The first submission claims the key and records a
      fingerprint (sha256 of bundle bytes + region + canonical options JSON). A replay with the
      same fingerprint is answered with the FIRST outcome (success or stored error) without
      recomputing, with header ``Idempotent-Replayed: true``; a different fingerprint gives
      ``422 idempotency_key_reused``. A duplicate arriving while the first is still computing
      waits up to ``ENGINE_SYNC_WAIT_SECONDS`` (sync mode) or gets ``202`` (async mode, or when
      the wait runs out). Without the header every POST computes anew.
    * ``Prefer: respond-async`` -> ``202 {"id", "status": "pending"}`` with
      ``Location: /v1/estimates/{id}``; the work runs on the app's thread pool. Otherwise the
      work runs inline -> ``200 {"id", "status": "succeeded", "result": <result>}``, where
      ``<result>`` is the inventory plus its cost estimate under ``"estimate"``
      (:mod:`engine.result`).

    Input errors: ``400`` (``invalid_request``, ``invalid_idempotency_key``,
    ``invalid_bundle``) or ``422`` (``no_terraform``, ``hcl_parse_error``, ``invalid_json``,
    ``not_a_plan``, ``unsupported_plan_version``, ``idempotency_key_reused``). Failed
    computations are stored too, so replays get the same error, and the answer names the stored
    estimate in ``Location``: a failed estimate is final, whether polled or answered at once.
    ``413 payload_too_large`` when the upload exceeds ``ENGINE_MAX_BUNDLE_BYTES`` (+1 MiB of
    multipart framing); ``414 uri_too_long`` / ``431 headers_too_large`` past the limits of
    :mod:`tfquote.httplimits`.

``GET /v1/estimates/{id}``
    ``200 {"id", "status": "pending"|"running"|"succeeded"|"failed", "result"?,
    "error"?: {"code", "message"}, "meta": {"submissions", "computed", "created_at",
    "updated_at"}}``; ``404 not_found`` for unknown ids.

``GET /v1/stats``
    ``200 {"computed": int}``: how many times the work really ran (all estimates).

``GET /health``
    ``200 {"status": "ok"}`` - liveness, touches nothing.

``GET /health/ready``
    ``200 {"status": "ok"}`` when Redis answers, else ``503 store_unavailable``.

Every error body is ``{"error": {"code", "message", "request_id"}}`` (see
:mod:`engine.httputil`); ``X-Request-ID`` is echoed on every response. The inventory shape is
documented in :mod:`engine.inventory`.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from engine import faults as fault_mod
from engine.config import EngineSettings
from engine.errors import ApiError, status_for
from engine.faults import FaultInjector
from engine.httputil import current_request_id, error_response, request_logger
from engine.service import EstimateService, Submission
from engine.store import SUCCEEDED, EstimateRecord, EstimateStore
from tfquote import options as job_options

bp = Blueprint("engine_api", __name__)

REGION_RE = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d")
IDEMPOTENCY_KEY_RE = re.compile(r"[\x20-\x7e]{1,255}")
ESTIMATE_ID_RE = re.compile(r"[0-9a-f]{32}")


@dataclass
class EngineState:
    """Everything the routes need, owned by the app (``app.extensions["engine"]``)."""

    settings: EngineSettings
    store: EstimateStore
    service: EstimateService
    faults: FaultInjector


def _state() -> EngineState:
    state: EngineState = current_app.extensions["engine"]
    return state


# --- health and stats ----------------------------------------------------------------------------


@bp.get("/health")
def health() -> Response:
    return jsonify({"status": "ok"})


@bp.get("/health/ready")
def ready() -> Response:
    if not _state().store.ping():
        return error_response("store_unavailable", "the estimate store is not reachable", 503)
    return jsonify({"status": "ok"})


@bp.get("/v1/stats")
def stats() -> Response:
    return jsonify({"computed": int(_state().store.stats().get("computed", 0))})


# --- what is supported ---------------------------------------------------------------------------


@bp.get("/v1/resource-types")
def resource_types() -> Response:
    """Every priced and free resource type, with its usage schema and notes."""
    from engine.costing import registry
    from engine.costing.usage import PRESETS

    response = jsonify({"resource_types": registry.describe(), "usage_presets": list(PRESETS)})
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# --- estimates -----------------------------------------------------------------------------------


@bp.get("/v1/estimates/<estimate_id>")
def get_estimate(estimate_id: str) -> Response:
    record = _state().store.get(estimate_id) if ESTIMATE_ID_RE.fullmatch(estimate_id) else None
    if record is None:
        raise ApiError("not_found", f"estimate {estimate_id[:64]!r} not found")
    body: dict[str, Any] = {"id": record.id, "status": record.status}
    if record.result is not None:
        body["result"] = record.result
    if record.error is not None:
        body["error"] = {"code": record.error.get("code"), "message": record.error.get("message")}
    body["meta"] = record.meta(time.time())
    return jsonify(body)


@bp.post("/v1/estimates")
def create_estimate() -> Response:
    state = _state()
    submission = _parse_submission()
    prefer_async = _prefers_async()

    fault = state.faults.decide()
    if fault is not None and fault[1] == fault_mod.BEFORE:
        # Nothing has been claimed yet: the work is neither done nor counted.
        early = _apply_fault(state, fault[0], None)
        if early is not None:
            return early

    response = _submit(state, submission, prefer_async)

    if fault is not None and fault[1] == fault_mod.AFTER:
        # The outcome is stored: a retry must be answered from the store, not recomputed.
        late = _apply_fault(state, fault[0], response)
        if late is not None:
            return late
    return response


def _submit(state: EngineState, submission: Submission, prefer_async: bool) -> Response:
    log = request_logger()
    fingerprint = submission.fingerprint()
    claim = state.store.claim(submission.idempotency_key, fingerprint)
    record = claim.record

    if claim.created:
        assert claim.token is not None
        if prefer_async:
            state.service.run_in_background(record.id, claim.token, submission)
            log.info("estimate %s accepted (async)", record.id)
            return _accepted(record)
        state.service.run(record.id, claim.token, submission)
        final = state.store.get(record.id) or record
        return _outcome(final, replayed=False)

    if record.fingerprint != fingerprint:
        raise ApiError(
            "idempotency_key_reused",
            "this Idempotency-Key was used with a different payload (bundle, region or options)",
        )
    log.info("estimate %s replayed (status %s)", record.id, record.status)
    if not record.final and not prefer_async:
        record = state.store.wait(record.id, state.settings.sync_wait_seconds) or record
    return _outcome(record, replayed=True)


def _outcome(record: EstimateRecord, *, replayed: bool) -> Response:
    """The HTTP answer for a record: 200 result, stored error, or 202 while not final."""
    if not record.final:
        response = _accepted(record)
    elif record.status == SUCCEEDED:
        response = jsonify({"id": record.id, "status": record.status, "result": record.result})
    else:
        error = record.error or {}
        code = str(error.get("code", "internal_error"))
        response = error_response(code, str(error.get("message", "")), status_for(code))
    response.headers["Location"] = f"/v1/estimates/{record.id}"
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _accepted(record: EstimateRecord) -> Response:
    response = jsonify({"id": record.id, "status": record.status})
    response.status_code = 202
    response.headers["Location"] = f"/v1/estimates/{record.id}"
    return response


def _parse_submission() -> Submission:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not IDEMPOTENCY_KEY_RE.fullmatch(key):
        raise ApiError(
            "invalid_idempotency_key", "Idempotency-Key must be 1-255 printable ASCII characters"
        )
    if request.mimetype != "multipart/form-data":
        raise ApiError("invalid_request", "expected a multipart/form-data body")
    upload = request.files.get("bundle")
    if upload is None:
        raise ApiError("invalid_request", "the multipart file part 'bundle' is required")
    region = request.form.get("region", "")
    if not REGION_RE.fullmatch(region):
        raise ApiError(
            "invalid_request", "form field 'region' must be an AWS region code like 'us-east-1'"
        )
    options = _parse_options(request.form.get("options"))
    return Submission(
        bundle=upload.read(),
        region=region,
        options=options,
        idempotency_key=key,
        request_id=current_request_id(),
    )


def _parse_options(raw: str | None) -> dict[str, Any]:
    if raw is None or raw.strip() == "":
        return {}
    try:
        options = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ApiError("invalid_request", "form field 'options' is not valid JSON") from exc
    try:
        return job_options.validate(options)
    except job_options.OptionError as exc:
        field = "options" if exc.field == "options" else f"options.{exc.field}"
        raise ApiError("invalid_option", f"{field} {exc.message}") from exc


def _prefers_async() -> bool:
    # Prefer: respond-async[, wait=10] - preferences are comma separated, parameters follow ';'.
    for header in request.headers.getlist("Prefer"):
        for preference in header.split(","):
            if preference.split(";", 1)[0].strip().lower() == "respond-async":
                return True
    return False


def _apply_fault(state: EngineState, kind: str, response: Response | None) -> Response | None:
    """Carry out an injected fault; returns the response to send, or None to carry on."""
    log = request_logger()
    log.warning("injecting fault %s", kind)
    if kind == "timeout":
        state.faults.stall()
        return response  # then answer normally (None before the work: go on and do it)
    if kind == "drop" and fault_mod.drop_connection(request.environ):
        # The socket is gone; whatever is returned cannot reach the client.
        return Response(status=500)
    return error_response("fault_injected", f"injected fault ({kind})", 500)
