"""A gate in front of the engine: a real HTTP forwarder that can hold estimate requests.

Tests that need a job to stay RUNNING (to cancel it, or to watch a status change) point a
worker's ``ENGINE_URL`` at the gate: with the gate open every request goes through to the
real engine at once; after `hold`, ``POST /v1/estimates`` waits in the gate until
`release`, so the job sits RUNNING with its worker in the engine call, for as long as the
test needs and no longer (no sleeps, no timing guesses). Everything else (polls, health)
always goes through.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
    "content-encoding",
    "host",
}


class EngineGate:
    def __init__(self, target: str, *, hold_timeout: float = 120.0) -> None:
        self.target = target.rstrip("/")
        self.hold_timeout = hold_timeout
        self._open = threading.Event()
        self._open.set()
        self._lock = threading.Lock()
        self.waiting = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start the gate first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def start(self) -> EngineGate:
        gate = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if self.command == "POST" and self.path.startswith("/v1/estimates"):
                    with gate._lock:
                        gate.waiting += 1
                    try:
                        gate._open.wait(gate.hold_timeout)
                    finally:
                        with gate._lock:
                            gate.waiting -= 1
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                try:
                    answer = requests.request(
                        self.command,
                        gate.target + self.path,
                        data=body,
                        headers=headers,
                        timeout=120,
                        allow_redirects=False,
                    )
                except requests.RequestException:
                    self.send_error(502)
                    return
                self.send_response(answer.status_code)
                for name, value in answer.headers.items():
                    if name.lower() not in _HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = _forward
            do_POST = _forward
            do_DELETE = _forward

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
