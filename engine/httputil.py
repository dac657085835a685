"""HTTP plumbing shared by every route: request ids, the JSON error envelope, uploads in memory.

* Request id: ``X-Request-ID`` is accepted when it matches ``^[A-Za-z0-9._:-]{1,128}$``
  (anything else could be used for log injection), otherwise a uuid4 hex is generated. It is
  echoed in the response header, included in every error body and attached to log records as
  ``request_id`` (via :func:`request_logger`).
* Limits: URL length and headers are checked here (:mod:`tfquote.httplimits`), so that even
  those refusals (``414 uri_too_long``, ``431 headers_too_large``) are JSON.
* Errors: every error - ours, Werkzeug's 404/405/413/400 and unexpected exceptions - is
  ``{"error": {"code", "message", "request_id"}}``; a 500 never carries traceback text.
* Uploads: Werkzeug spools large multipart files to a temporary file; the engine's contract
  is that bundles never touch the disk, so :class:`EngineRequest` keeps them in memory (the
  size is bounded by ``MAX_CONTENT_LENGTH``).
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import MutableMapping
from typing import IO, Any

from flask import Flask, Request, Response, g, has_request_context, jsonify, request
from werkzeug.exceptions import HTTPException

from engine.errors import ApiError, EngineError
from tfquote import httplimits
from tfquote.logs import log_request, request_id_var, safe_request_id

REQUEST_ID_HEADER = "X-Request-ID"

logger = logging.getLogger("engine")
access_log = logging.getLogger("engine.access")

# Werkzeug's HTTP errors -> our codes (anything else gets a snake_case of its name).
_HTTP_CODES = {
    400: "invalid_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    414: "uri_too_long",
    431: "headers_too_large",
}


class EngineRequest(Request):
    """Flask request whose multipart file parts are buffered in memory, never on disk."""

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return io.BytesIO()


class RequestLogAdapter(logging.LoggerAdapter[logging.Logger]):
    """Adds ``request_id`` to every record (``extra`` given per call is merged in)."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, Any]:
        kwargs["extra"] = {**(self.extra or {}), **(kwargs.get("extra") or {})}
        return msg, kwargs


def request_logger(request_id: str | None = None) -> RequestLogAdapter:
    """A logger for the current (or the given) request id; usable from background threads."""
    rid = request_id if request_id is not None else current_request_id()
    return RequestLogAdapter(logger, {"request_id": rid})


def current_request_id() -> str:
    if not has_request_context():
        return "-"
    rid = g.get("request_id")
    if rid is None:
        rid = g.request_id = safe_request_id(request.headers.get(REQUEST_ID_HEADER))
    return str(rid)


def error_response(code: str, message: str, status: int) -> Response:
    response = jsonify(
        {"error": {"code": code, "message": message, "request_id": current_request_id()}}
    )
    response.status_code = status
    return response


def _handle_engine_error(exc: EngineError) -> Response:
    if exc.status >= 500:
        request_logger().warning("request failed: %s", exc.code)
    return error_response(exc.code, exc.message, exc.status)


def _handle_http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    code = _HTTP_CODES.get(status) or re.sub(r"\W+", "_", (exc.name or "error").lower()).strip("_")
    message = exc.description or exc.name or "error"
    response = error_response(code, message, status)
    allowed = getattr(exc, "valid_methods", None)
    if allowed:  # 405 must say what is allowed
        response.headers["Allow"] = ", ".join(allowed)
    return response


def _handle_unexpected(exc: Exception) -> Response:
    # The traceback goes to the log (with the request id to correlate), never to the client.
    request_logger().exception("unhandled error")
    return error_response("internal_error", "internal server error", 500)


def _assign_request_id() -> None:
    # The context variable puts the id on every log line of this request (tfquote.logs).
    g.request_id_token = request_id_var.set(current_request_id())
    g.started = time.perf_counter()


def _enforce_request_limits() -> None:
    # URL length and headers (tfquote.httplimits), refused with the JSON envelope.
    refusal = httplimits.check(request.environ)
    if refusal is not None:
        raise ApiError(refusal.code, refusal.message, refusal.status)


def _echo_request_id(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = current_request_id()
    started = g.get("started")
    if started is not None:
        log_request(access_log, request.method, request.path, response.status_code, started)
    return response


def _reset_request_id(_exc: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        request_id_var.reset(token)


def install(app: Flask) -> None:
    """Wire request ids, the in-memory request class and JSON error handlers into ``app``."""
    app.request_class = EngineRequest
    app.before_request(_assign_request_id)
    app.before_request(_enforce_request_limits)
    app.after_request(_echo_request_id)
    app.teardown_request(_reset_request_id)
    app.register_error_handler(EngineError, _handle_engine_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)
