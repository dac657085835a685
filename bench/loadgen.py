"""A small pure-Python HTTP/1.1 load generator (no wrk, no third-party client).

Closed loop: `connections` keep-alive connections, each sending its next request as
soon as the previous answer is read, for `duration` seconds. It runs on asyncio with
pre-built request bytes and a minimal response parser, so it costs little CPU: on a
2-core machine the client competes with the server it measures, and it must cost the
same for both sides of a comparison (it does: same code, same requests).

Also: `stream_upload`, which sends a multipart upload of any size from a generator
(the client never holds the body), over `http.client`.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bench.common import percentile

#: Makes the bytes of request number `n` (a full HTTP/1.1 request).
RequestFactory = Callable[[int], bytes]


def build_request(
    method: str,
    host: str,
    path: str,
    *,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class LoadResult:
    """One load run: counts and latencies (seconds) of the requests that finished
    inside the measured window (after the warm-up)."""

    requests: int = 0
    errors: int = 0
    elapsed_s: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    reconnects: int = 0
    first_error: bytes = b""
    answered: int = 0  # every answer, the warm-up's and the window's
    server_cpu_s: float = 0.0  # filled in by the caller: CPU its server used meanwhile

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed_s if self.elapsed_s else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.server_cpu_s / self.answered if self.answered else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p(0.50) * 1000, 2),
            "p99_ms": round(self.p(0.99) * 1000, 2),
            **({"cpu_ms_per_req": round(self.cpu_ms_per_request, 3)} if self.server_cpu_s else {}),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            **({"first_error": self.first_error.decode("latin-1")} if self.first_error else {}),
        }


class _Response:
    __slots__ = ("body", "keep_alive", "status")

    def __init__(self, status: int, body: bytes, keep_alive: bool) -> None:
        self.status, self.body, self.keep_alive = status, body, keep_alive


async def _read_response(reader: asyncio.StreamReader) -> _Response:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, _, header_block = head.partition(b"\r\n")
    parts = status_line.split(b" ", 2)
    status = int(parts[1])
    length: int | None = None
    chunked = False
    keep_alive = parts[0] == b"HTTP/1.1"
    for raw in header_block.split(b"\r\n"):
        name, _, value = raw.partition(b":")
        lname = name.strip().lower()
        if lname == b"content-length":
            length = int(value.strip())
        elif lname == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif lname == b"connection":
            token = value.strip().lower()
            keep_alive = token != b"close" and (keep_alive or token == b"keep-alive")
    if chunked:
        pieces = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";", 1)[0].strip(), 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # (no trailers expected)
                break
            pieces.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(pieces)
    elif length is not None:
        body = await reader.readexactly(length)
    else:
        body = await reader.read()
        keep_alive = False
    return _Response(status, body, keep_alive)


async def _run(
    url: str,
    factory: RequestFactory,
    *,
    connections: int,
    duration: float,
    warmup: float,
    expect: tuple[int, ...],
    first_body: list[bytes] | None,
) -> LoadResult:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    result = LoadResult()
    counter = iter(range(1 << 62))
    loop_start = time.perf_counter()
    window_start = loop_start + warmup
    stop_at = window_start + duration

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while True:
                sent = time.perf_counter()
                if sent >= stop_at:
                    return
                writer.write(factory(next(counter)))
                try:
                    response = await _read_response(reader)
                except (asyncio.IncompleteReadError, ConnectionError, ValueError):
                    result.errors += 1
                    response = None
                done = time.perf_counter()
                if response is not None:
                    result.answered += 1
                if response is not None and window_start <= sent and done <= stop_at:
                    result.requests += 1
                    result.latencies.append(done - sent)
                    result.statuses[response.status] += 1
                    if response.status not in expect:
                        result.errors += 1
                        if first_body is not None and not first_body:
                            first_body.append(response.body[:500])
                if response is None or not response.keep_alive:
                    writer.close()
                    result.reconnects += 1
                    reader, writer = await asyncio.open_connection(host, port)
        finally:
            writer.close()

    await asyncio.gather(*(client() for _ in range(connections)))
    result.elapsed_s = min(time.perf_counter(), stop_at) - window_start
    return result


def run_load(
    url: str,
    factory: RequestFactory,
    *,
    connections: int = 8,
    duration: float = 5.0,
    warmup: float = 0.5,
    expect: tuple[int, ...] = (200, 201, 202),
) -> LoadResult:
    """Drive `url` with requests from `factory` for `warmup + duration` seconds."""
    sample: list[bytes] = []
    result = asyncio.run(
        _run(
            url,
            factory,
            connections=connections,
            duration=duration,
            warmup=warmup,
            expect=expect,
            first_body=sample,
        )
    )
    if sample:
        result.first_error = sample[0]
    return result


@dataclass
class Answer:
    """One request of a batch: when it was sent (``time.time()``), its status and body."""

    index: int
    sent_at: float
    status: int
    body: bytes


async def _batch(
    url: str, batch: Sequence[bytes], connections: int, interval: float
) -> list[Answer]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    answers: list[Answer] = []
    todo = iter(range(len(batch)))
    start = time.perf_counter()

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for index in todo:
                if interval:
                    await asyncio.sleep(max(0.0, start + index * interval - time.perf_counter()))
                sent_at = time.time()
                writer.write(batch[index])
                response = await _read_response(reader)
                answers.append(Answer(index, sent_at, response.status, response.body))
                if not response.keep_alive:
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
        finally:
            writer.close()

    await asyncio.gather(*(client() for _ in range(max(1, min(connections, len(batch))))))
    return sorted(answers, key=lambda a: a.index)


def run_batch(
    url: str, batch: Sequence[bytes], *, connections: int = 4, rate: float | None = None
) -> list[Answer]:
    """Send every request of `batch` once, over `connections` keep-alive connections;
    as fast as they answer, or request i not before i / `rate` seconds."""
    return asyncio.run(_batch(url, batch, connections, 1.0 / rate if rate else 0.0))


# ------------------------------------------------------------------------------ uploads


def _pattern(size: int = 1 << 20) -> bytes:
    """1 MiB of deterministic, incompressible-looking bytes (a cheap xorshift)."""
    out = bytearray(size)
    x = 0x9E3779B97F4A7C15
    mask = (1 << 64) - 1
    for i in range(0, size, 8):
        x ^= (x << 13) & mask
        x ^= x >> 7
        x ^= (x << 17) & mask
        out[i : i + 8] = x.to_bytes(8, "little")
    return bytes(out)


_PATTERN: bytes | None = None


def payload_chunks(size: int, chunk: int = 1 << 20) -> Iterator[bytes]:
    """`size` bytes of file content, yielded from one reused 1 MiB block."""
    global _PATTERN
    if _PATTERN is None:
        _PATTERN = _pattern()
    view = memoryview(_PATTERN)
    remaining = size
    while remaining > 0:
        n = min(remaining, chunk, len(view))
        yield bytes(view[:n]) if n < len(view) else _PATTERN
        remaining -= n


@dataclass
class UploadResult:
    status: int
    seconds: float
    size: int
    body: dict[str, Any]


def stream_upload(
    url: str,
    path: str,
    size: int,
    *,
    filename: str = "big.tf",
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 600.0,
) -> UploadResult:
    """POST a multipart/form-data body with one `file` part of `size` bytes, streamed
    from a generator with an exact Content-Length (no chunked encoding)."""
    boundary = "----tfquotebench7d1f0c2e9b"
    preamble = b""
    for key, value in (fields or {}).items():
        preamble += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        ).encode()
    preamble += (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    epilogue = f"\r\n--{boundary}--\r\n".encode()
    total = len(preamble) + size + len(epilogue)

    def body() -> Iterator[bytes]:
        yield preamble
        yield from payload_chunks(size)
        yield epilogue

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    conn.blocksize = 1 << 20
    try:
        started = time.perf_counter()
        conn.putrequest("POST", path)
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(total))
        for key, value in (headers or {}).items():
            conn.putheader(key, value)
        conn.endheaders()
        for piece in body():
            conn.send(piece)
        response = conn.getresponse()
        raw = response.read()
        seconds = time.perf_counter() - started
    finally:
        conn.close()
    try:
        parsed = json.loads(raw) if raw else {}
    except ValueError:
        parsed = {"raw": raw[:300].decode("latin-1")}
    return UploadResult(response.status, seconds, size, parsed if isinstance(parsed, dict) else {})
