"""One webhook POST against real receivers on loopback: a redirect is never followed (it
could point anywhere, past the address check), and it is not a delivery."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tfquote.settings import Settings
from workers.webhooks import post

pytestmark = pytest.mark.unit


@pytest.fixture
def receivers() -> Iterator[tuple[str, list[str], list[str]]]:
    """A receiver that redirects every POST to a second one; what each of them saw."""
    first: list[str] = []
    second: list[str] = []
    servers: list[ThreadingHTTPServer] = []

    def handler(seen: list[str], redirect_to: str | None) -> type[BaseHTTPRequestHandler]:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                seen.append(self.path)
                self.send_response(307 if redirect_to else 200)
                if redirect_to:
                    self.send_header("Location", redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    target = ThreadingHTTPServer(("127.0.0.1", 0), handler(second, None))
    servers.append(target)
    elsewhere = f"http://127.0.0.1:{target.server_address[1]}/elsewhere"
    servers.append(ThreadingHTTPServer(("127.0.0.1", 0), handler(first, elsewhere)))
    for httpd in servers:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{servers[1].server_address[1]}/hook", first, second
    finally:
        for httpd in servers:
            httpd.shutdown()
            httpd.server_close()


def test_a_redirect_is_not_followed(receivers: tuple[str, list[str], list[str]]) -> None:
    url, first, second = receivers
    settings = Settings.from_env(
        overrides={"WEBHOOK_ALLOW_HTTP": "true", "WEBHOOK_ALLOW_PRIVATE": "true"}
    )

    status = post(
        url, b'{"event": "job.completed"}', {"Content-Type": "application/json"}, settings
    )

    assert status == 307  # reported as the answer (not 2xx: retried later, never delivered)
    assert first == ["/hook"] and second == []
