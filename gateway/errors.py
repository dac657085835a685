"""The gateway's error tree and the handlers that turn every error into JSON.

::

    APIError                      status  code
    ├── BadRequest                  400   bad_request (and more specific codes)
    │   └── ValidationFailed        400   validation_error (+ details)
    ├── NotFound                    404   not_found
    ├── Conflict                    409   (specific codes: job_not_completed)
    ├── PayloadTooLarge             413   payload_too_large
    ├── UnsupportedMediaType        415   unsupported_media_type
    ├── URITooLong                  414   uri_too_long
    ├── HeadersTooLarge             431   headers_too_large
    ├── Unprocessable               422   (specific codes: upload_not_found, ...)
    └── ServiceUnavailable          503   service_unavailable

Werkzeug's own HTTP errors (404 for unknown routes, 405, 413, ...) and lost Redis or
broker connections are mapped onto the same envelope, so a client never sees an HTML
page: ``{"error": {"code", "message", "request_id"}}``.
"""

from __future__ import annotations

import logging
from typing import Any

import redis.exceptions
from flask import Flask, Response, current_app, g, jsonify, request
from kombu.exceptions import OperationalError as KombuOperationalError
from werkzeug.exceptions import HTTPException

from gateway.ratelimit import rate_limit_headers
from tfquote import httplimits

log = logging.getLogger(__name__)


class APIError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details
        self.headers: dict[str, str] = {}


class BadRequest(APIError):
    status = 400
    code = "bad_request"


class ValidationFailed(BadRequest):
    code = "validation_error"


class NotFound(APIError):
    status = 404
    code = "not_found"


class Conflict(APIError):
    status = 409
    code = "conflict"


class PayloadTooLarge(APIError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(APIError):
    status = 415
    code = "unsupported_media_type"


class Unprocessable(APIError):
    status = 422
    code = "unprocessable"


class URITooLong(APIError):
    status = 414
    code = "uri_too_long"


class HeadersTooLarge(APIError):
    status = 431
    code = "headers_too_large"


class ServiceUnavailable(APIError):
    status = 503
    code = "service_unavailable"

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.headers["Retry-After"] = "5"


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    409: "conflict",
    411: "length_required",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    422: "unprocessable",
    429: "rate_limited",
    431: "headers_too_large",
    501: "not_implemented",
}


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "code": code,
        "message": message,
        "request_id": getattr(g, "request_id", None),
    }
    if details is not None:
        body["details"] = details
    response = jsonify({"error": body})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def enforce_request_limits() -> None:
    """A ``before_request`` hook: the application's own limits on URL length and
    headers (`tfquote.httplimits`), refused with the JSON envelope. Registered before
    authentication, so an oversized token is a 431, not a 401."""
    refusal = httplimits.check(request.environ)
    if refusal is not None:
        error = URITooLong if refusal.status == 414 else HeadersTooLarge
        raise error(refusal.message)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(APIError)
    def _api_error(error: APIError) -> Response:
        return error_response(
            error.status, error.code, error.message, details=error.details, headers=error.headers
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        response = error_response(
            status,
            _HTTP_CODES.get(status, "http_error"),
            error.description or error.name,
        )
        if status == 429:
            for name, value in rate_limit_headers(current_app._get_current_object()).items():  # type: ignore[attr-defined]
                response.headers[name] = value
        if status == 405 and error.response is None:
            allowed = getattr(error, "valid_methods", None)
            if allowed:
                response.headers["Allow"] = ", ".join(allowed)
        return response

    @app.errorhandler(redis.exceptions.ConnectionError)
    @app.errorhandler(redis.exceptions.TimeoutError)
    @app.errorhandler(redis.exceptions.BusyLoadingError)
    @app.errorhandler(KombuOperationalError)
    def _unavailable(error: Exception) -> Response:
        # Redis or the broker is down. Say so, and let the connection pool reconnect on
        # the next request: nothing here is cached across the outage.
        log.warning("backing service unavailable: %s", error.__class__.__name__)
        return error_response(
            503,
            "service_unavailable",
            "a backing service is unavailable; retry later",
            headers={"Retry-After": "5"},
        )

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error")
        return error_response(500, "internal_error", "internal server error")
