"""The server layer answers in JSON too: oversized headers and URLs, against the real
gunicorn of the gateway and of the engine (gunicorn's own refusal is an HTML page)."""

from __future__ import annotations

import json
import socket

import pytest
import requests

from tfquote import httplimits

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["gateway", "engine"])
def base_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_url"))


def assert_refused(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and error["request_id"]
    assert response.headers["X-Request-ID"] == error["request_id"]


def test_a_20_kb_authorization_header(base_url: str) -> None:
    headers = {"Authorization": "Bearer " + "a" * 20_000, "X-Request-ID": "big-token"}
    response = requests.get(f"{base_url}/health", headers=headers, timeout=10)
    assert_refused(response, 431, "headers_too_large")
    assert response.json()["error"]["request_id"] == "big-token"


def test_too_many_headers(base_url: str) -> None:
    headers = {f"X-Filler-{n}": "x" for n in range(httplimits.MAX_HEADER_COUNT + 5)}
    response = requests.get(f"{base_url}/health", headers=headers, timeout=10)
    assert_refused(response, 431, "headers_too_large")


def test_a_url_over_the_limit(base_url: str) -> None:
    response = requests.get(f"{base_url}/health?q={'a' * 6000}", timeout=10)
    assert_refused(response, 414, "uri_too_long")


def test_requests_within_the_limits_are_served(base_url: str) -> None:
    headers = {"Authorization": "Bearer " + "a" * 4000}
    headers.update({f"X-Filler-{n}": "x" for n in range(50)})
    response = requests.get(f"{base_url}/health?q={'a' * 2000}", headers=headers, timeout=10)
    assert response.status_code == 200, response.text[:300]


# Beyond gunicorn's own hard limits (tfquote.gunicorn_conf) gunicorn refuses the request
# before the application sees it; tfquote.gunicorn_errors makes that refusal JSON too.


def test_a_request_line_over_gunicorns_limit(base_url: str) -> None:
    response = requests.get(f"{base_url}/health?q={'a' * 9000}", timeout=10)
    assert_refused(response, 414, "uri_too_long")


def test_one_header_over_gunicorns_limit(base_url: str) -> None:
    response = requests.get(f"{base_url}/health", headers={"X-Big": "a" * 40_000}, timeout=10)
    assert_refused(response, 431, "headers_too_large")


def test_a_request_gunicorn_cannot_parse(base_url: str) -> None:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(b"GET /health HTTP/9.9\r\nHost: x\r\n\r\n")
        raw = b""
        while chunk := conn.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), head
    assert b"Content-Type: application/json" in head
    error = json.loads(body)["error"]
    assert error["code"] == "bad_request" and error["message"] and error["request_id"]
