"""The server layer answers in JSON too: oversized headers and URLs, against the real
gunicorn of the gateway and of the engine (gunicorn's own refusal is an HTML page)."""

from __future__ import annotations

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
