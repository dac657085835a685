"""A no-op estimation engine for the pipeline benchmark: it speaks just enough of the
engine contract (README, "Engine contract") for a worker to finish a job — it reads
the request body and answers ``200 {"status": "succeeded", "result": ...}`` with a
fixed result at once — so the benchmark measures tfquote, not the estimator.

    python -m bench.noop_engine --port 8011
"""

from __future__ import annotations

import argparse
import json
import socket
import uuid
from collections.abc import Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RESULT = {
    "region": "us-east-1",
    "source": "hcl",
    "resources": [
        {
            "address": "aws_instance.app",
            "type": "aws_instance",
            "name": "app",
            "mode": "managed",
            "provider": "registry.terraform.io/hashicorp/aws",
        }
    ],
    "summary": {"resource_count": 1, "by_type": {"aws_instance": 1}, "by_mode": {"managed": 1}},
    "unknowns": [],
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the worker's requests.Session expects

    def setup(self) -> None:
        super().setup()
        # No Nagle: a response must never wait for the client's delayed ACK (40 ms).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send(self, status: int, document: object) -> None:
        body = json.dumps(document).encode()
        head = (
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.wfile.write(head.encode() + body)  # one write: headers and body together

    def do_GET(self) -> None:
        if self.path == "/health":
            self._send(200, {"status": "ok"})
        else:
            self._send(404, {"error": {"code": "not_found", "message": self.path}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        remaining = length
        while remaining > 0:  # read (and drop) the whole bundle
            chunk = self.rfile.read(min(remaining, 1 << 16))
            if not chunk:
                break
            remaining -= len(chunk)
        if self.path != "/v1/estimates":
            self._send(404, {"error": {"code": "not_found", "message": self.path}})
            return
        estimate_id = self.headers.get("Idempotency-Key") or uuid.uuid4().hex
        self._send(200, {"id": estimate_id, "status": "succeeded", "result": RESULT})

    def log_message(self, format: str, *args: object) -> None:
        pass  # no access log: this is a stand-in, not a service


def serve(port: int, host: str = "127.0.0.1") -> None:
    server = ThreadingHTTPServer((host, port), _Handler)
    server.daemon_threads = True
    try:
        server.serve_forever()
    finally:
        server.server_close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.noop_engine")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    try:
        serve(args.port, args.host)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
