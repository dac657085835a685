"""The client's HTTP behaviour against a real server on loopback: 429 and 503 retried after
their Retry-After, a service that stays busy reported as the API's error, a job that does
not finish in time as `Unreachable` (the CLI's exit code 4)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tfquote.client.api import APIError, Client, Unreachable
from tfquote.redis_server import free_port

pytestmark = pytest.mark.unit


class Script:
    """The answers the server gives, in order (the last one repeats), and what it saw."""

    def __init__(self, answers: list[tuple[int, dict[str, str], dict[str, object]]]) -> None:
        self.answers = answers
        self.paths: list[str] = []


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script([])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            script.paths.append(self.path)
            index = min(len(script.paths), len(script.answers)) - 1
            status, headers, body = script.answers[index]
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in {**headers, "Content-Type": "application/json"}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    finally:
        httpd.shutdown()
        httpd.server_close()


def busy(status: int, retry_after: str | None) -> tuple[int, dict[str, str], dict[str, object]]:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return status, headers, {"error": {"code": "busy", "message": "try later"}}


def test_429_and_503_are_retried_after_their_retry_after(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [
        busy(429, "2"),
        busy(503, "1"),
        busy(503, "soon"),  # not a number: exponential backoff instead (0.5 * 2**2)
        (200, {}, {"job_id": "j", "status": "PENDING"}),
    ]
    slept: list[float] = []

    job = Client(url, "t", sleep=slept.append).get_job("j")

    assert job["job_id"] == "j" and len(script.paths) == 4
    assert slept == [2.0, 1.0, 2.0]


def test_a_service_that_stays_busy_is_the_apis_error(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [busy(503, "0")]

    with pytest.raises(APIError) as raised:
        Client(url, retries=2, sleep=lambda _: None).get_job("j")

    assert raised.value.status == 503 and len(script.paths) == 3


def test_a_job_that_does_not_finish_in_time_is_unreachable(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(200, {}, {"job_id": "j", "status": "RUNNING", "attempts": 1})]

    with pytest.raises(Unreachable, match=r"did not finish within 0\.3s"):
        Client(url).wait("j", timeout=0.3)
    assert len(script.paths) >= 1


def test_a_refused_connection_is_unreachable_after_a_few_tries() -> None:
    slept: list[float] = []
    with pytest.raises(Unreachable):
        Client(f"http://127.0.0.1:{free_port()}", sleep=slept.append).get_job("j")
    assert slept == [0.5, 1.0, 2.0]
