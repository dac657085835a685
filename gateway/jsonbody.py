"""Strict JSON request bodies.

Flask's ``get_json`` accepts ``NaN``/``Infinity`` and recurses without limit, so a deep
enough body becomes a RecursionError and a 500. This parser rejects both up front and
answers 400 / 415 with the JSON error envelope.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Request

from gateway.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from tfquote.options import MAX_OPTIONS_BYTES

#: A job's `options` may be up to MAX_OPTIONS_BYTES; the body has room for them and the
#: rest of the request, so an oversized `options` is the 400 that names it, not a 413.
MAX_JSON_BYTES = MAX_OPTIONS_BYTES + 16 * 1024
MAX_DEPTH = 16


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _depth_exceeds(text: str, limit: int) -> bool:
    """Linear scan for bracket nesting outside strings; cheaper than recursing."""
    depth = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def parse_json_object(request: Request) -> dict[str, Any]:
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("expected Content-Type: application/json")
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        raise PayloadTooLarge(f"JSON bodies are limited to {MAX_JSON_BYTES} bytes")
    raw = request.stream.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        raise PayloadTooLarge(f"JSON bodies are limited to {MAX_JSON_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("request body is not UTF-8", code="invalid_json") from None
    if _depth_exceeds(text, MAX_DEPTH):
        raise BadRequest(f"JSON nesting deeper than {MAX_DEPTH}", code="invalid_json")
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"malformed JSON: {exc}", code="invalid_json") from None
    if not isinstance(value, dict):
        raise BadRequest("the JSON body must be an object", code="invalid_json")
    return value
