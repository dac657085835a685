"""The request limits every tfquote HTTP service enforces itself: URL length, header
count and header bytes.

Enforced in the application, not left to gunicorn, so that a refusal is JSON with the
error envelope like every other answer (gunicorn's own refusal is an HTML page). For
that, gunicorn's limits (`tfquote.gunicorn_conf`) sit above these: anything these
refuse reaches the application. Works on the WSGI environ; imports neither Flask nor
Werkzeug (the gateway and the engine each raise their own error from it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The request target (path and query), in bytes. Browsers and proxies cope with
#: 8 KB at most; no route of ours needs more than a few hundred bytes.
MAX_URL_BYTES = 4096
#: Header fields per request.
MAX_HEADER_COUNT = 100
#: All header fields together ("Name: value\r\n" each), in bytes: room for a large
#: bearer token (the gateway takes up to 8 KiB) and the usual browser headers.
MAX_HEADER_BYTES = 16 * 1024


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str


def _header_fields(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
    fields = [(name[5:], value) for name, value in environ.items() if name.startswith("HTTP_")]
    fields += [
        (name, environ[name]) for name in ("CONTENT_TYPE", "CONTENT_LENGTH") if name in environ
    ]
    return [(name, str(value)) for name, value in fields]


def check(environ: Mapping[str, Any]) -> Refusal | None:
    """The refusal for a request over one of the limits, or None."""
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not isinstance(target, str):
        query = environ.get("QUERY_STRING") or ""
        target = str(environ.get("PATH_INFO", "")) + (f"?{query}" if query else "")
    if len(target.encode("utf-8", "surrogateescape")) > MAX_URL_BYTES:
        return Refusal(414, "uri_too_long", f"the URL is longer than {MAX_URL_BYTES} bytes")
    fields = _header_fields(environ)
    if len(fields) > MAX_HEADER_COUNT:
        return Refusal(
            431, "headers_too_large", f"the request has more than {MAX_HEADER_COUNT} headers"
        )
    size = sum(
        len(name) + len(value.encode("utf-8", "surrogateescape")) + 4 for name, value in fields
    )
    if size > MAX_HEADER_BYTES:
        return Refusal(
            431, "headers_too_large", f"the request headers exceed {MAX_HEADER_BYTES} bytes"
        )
    return None
