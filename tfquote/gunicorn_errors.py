"""gunicorn's own refusals in the project's JSON error envelope.

gunicorn answers a request it cannot parse or that exceeds its hard limits (a request
line over 8190 bytes, a header over ``limit_request_field_size``, too many headers, a
malformed request line) itself, before any application code runs, with an HTML page
(``gunicorn.util.write_error``). The application's own limits (`tfquote.httplimits`)
catch everything below gunicorn's; this module covers the rest, so that a client of the
gateway or the engine never has to parse HTML.

gunicorn has no hook for its error page; `install` replaces ``gunicorn.util.write_error``
(the one function every worker class calls for these answers) and is called from
``on_starting`` in `tfquote.gunicorn_conf`, in the master before any worker forks. It
imports neither Flask nor Celery.
"""

from __future__ import annotations

import json
import socket
import uuid
from typing import Any

#: The error code of each status gunicorn answers itself; anything else is a bad request.
CODES: dict[int, str] = {
    400: "bad_request",
    403: "forbidden",
    414: "uri_too_long",
    417: "expectation_failed",
    431: "headers_too_large",
    500: "internal_error",
    501: "not_implemented",
}

#: gunicorn's message can quote the client's bytes (a request line); keep it readable.
MAX_MESSAGE = 300


def render(status: int, reason: str, message: str) -> bytes:
    """The whole HTTP response for one of gunicorn's refusals."""
    text = f"{reason}: {message}" if message else reason
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 3] + "..."
    # No request was parsed, so there is no X-Request-ID to echo: make one, as the apps do.
    request_id = uuid.uuid4().hex
    body = json.dumps(
        {
            "error": {
                "code": CODES.get(status, "bad_request"),
                "message": text,
                "request_id": request_id,
            }
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"X-Request-ID: {request_id}\r\n"
        "\r\n"
    )
    return head.encode("latin-1", "replace") + body


def write_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """Drop-in for ``gunicorn.util.write_error`` (same signature, same non-blocking write)."""
    from gunicorn import util

    util.write_nonblock(sock, render(status_int, reason, mesg))


def install(_server: Any = None) -> None:
    """Make every gunicorn worker of this process tree answer its refusals in JSON."""
    from gunicorn import util

    util.write_error = write_error
