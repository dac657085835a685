"""gunicorn's own refusals rendered in the JSON envelope (the real server: tests/e2e)."""

from __future__ import annotations

import json

from tfquote.gunicorn_errors import MAX_MESSAGE, render


def test_a_refusal_is_a_complete_json_response() -> None:
    raw = render(431, "Request Header Fields Too Large", "Error parsing headers: 'x'")

    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 431 Request Header Fields Too Large"
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert headers["Content-Type"] == "application/json"
    assert int(headers["Content-Length"]) == len(body)
    error = json.loads(body)["error"]
    assert error["code"] == "headers_too_large"
    assert error["request_id"] == headers["X-Request-ID"]


def test_an_unlisted_status_is_a_bad_request_and_long_messages_are_cut() -> None:
    raw = render(400, "Bad Request", "Invalid Request Line '" + "é" * 5000 + "'")

    error = json.loads(raw.partition(b"\r\n\r\n")[2])["error"]
    assert error["code"] == "bad_request"
    assert len(error["message"]) == MAX_MESSAGE and error["message"].endswith("...")
