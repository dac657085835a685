"""A small client of the public HTTP API (``requests`` only, nothing internal).

Retries what the API says to retry: ``429`` and ``503`` after their ``Retry-After``, and a
connection that cannot be made, a few times with backoff. Errors come back as
`APIError` (the API's ``{"error": {"code", "message"}}``) or `Unreachable`.
"""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import requests

TERMINAL = ("COMPLETED", "FAILED", "CANCELLED")
Progress = Callable[[str], None]


class APIError(Exception):
    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details


class Unreachable(Exception):
    """The service could not be reached, or did not answer in time."""


class _ProgressReader(io.RawIOBase):
    """A request body that reports how much of it was sent."""

    def __init__(self, data: bytes, progress: Progress | None) -> None:
        self.data, self.sent, self.progress = data, 0, progress

    def __len__(self) -> int:
        return len(self.data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = len(self.data) - self.sent
        chunk = self.data[self.sent : self.sent + min(size, 256 * 1024)]
        self.sent += len(chunk)
        if self.progress and chunk:
            self.progress(f"uploading {self.sent:,} / {len(self.data):,} bytes")
        return chunk


def _multipart(files: list[tuple[str, bytes]], fields: Mapping[str, str]) -> tuple[bytes, str]:
    boundary = "tfquote-" + uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for filename, data in files:
        safe = filename.replace('"', "_").replace("\r", "_").replace("\n", "_")
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{safe}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


class Client:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 60.0,
        retries: int = 5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.session.headers["User-Agent"] = "tfquote-cli/1"
        self.timeout = timeout
        self.retries = retries
        self.sleep = sleep

    def request(
        self, method: str, path: str, *, body: Callable[[], Any] | None = None, **kwargs: Any
    ) -> requests.Response:
        """One call, retried on 429/503 (after Retry-After) and unreachable connections.
        `body` rebuilds the request body for each try (a stream is read once)."""
        for attempt in range(self.retries + 1):
            if body is not None:
                kwargs["data"] = body()
            try:
                response = self.session.request(
                    method, self.base_url + path, timeout=(10, self.timeout), **kwargs
                )
            except requests.RequestException as exc:
                # A refused connection is retried briefly (a gateway restarting); a service
                # that stays away is exit code 4 within seconds, not minutes.
                if attempt >= min(self.retries, 3):
                    raise Unreachable(f"{self.base_url}: {type(exc).__name__}: {exc}") from exc
                self.sleep(min(30.0, 0.5 * 2**attempt))
                continue
            if response.status_code in (429, 503) and attempt < self.retries:
                self.sleep(_retry_after(response, attempt))
                continue
            if response.status_code >= 400:
                raise _api_error(response)
            return response
        raise Unreachable(f"{self.base_url}: gave up")  # pragma: no cover - loop returns

    def upload(
        self,
        files: list[tuple[str, bytes]],
        *,
        project_name: str | None = None,
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        data, content_type = _multipart(
            files, {"project_name": project_name} if project_name else {}
        )
        response = self.request(
            "POST",
            "/api/v1/uploads",
            body=lambda: _ProgressReader(data, progress),
            headers={"Content-Type": content_type},
        )
        result: dict[str, Any] = response.json()
        return result

    def create_job(
        self,
        upload_id: str,
        region: str,
        options: Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        payload = {"upload_id": upload_id, "region": region, "options": dict(options)}
        try:
            response = self.request("POST", "/api/v1/jobs", json=payload, headers=headers)
        except APIError as exc:
            # The same content and options were estimated before, from another upload of
            # the same files (a re-run): that job is the one asked for.
            if exc.code == "idempotency_key_reused" and isinstance(exc.details, dict):
                existing = exc.details.get("job_id")
                if isinstance(existing, str):
                    return self.get_job(existing)
            raise
        job: dict[str, Any] = response.json()
        return job

    def get_job(self, job_id: str) -> dict[str, Any]:
        job: dict[str, Any] = self.request("GET", f"/api/v1/jobs/{job_id}").json()
        return job

    def list_jobs(self, *, status: str | None = None, limit: int = 20) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if status:
            params["status"] = status
        page: dict[str, Any] = self.request("GET", "/api/v1/jobs", params=params).json()
        return page

    def cancel_job(self, job_id: str) -> None:
        self.request("DELETE", f"/api/v1/jobs/{job_id}")

    def wait(
        self, job_id: str, *, timeout: float, progress: Progress | None = None
    ) -> dict[str, Any]:
        """Poll until the job is terminal; `Unreachable` after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        interval = 0.2
        while True:
            job = self.get_job(job_id)
            if progress:
                progress(f"job {job_id[:8]} {job['status']} (attempt {job.get('attempts', 0)})")
            if job["status"] in TERMINAL:
                return job
            if time.monotonic() + interval > deadline:
                raise Unreachable(f"job {job_id} did not finish within {timeout:g}s")
            self.sleep(interval)
            interval = min(interval * 1.5, 3.0)


def _retry_after(response: requests.Response, attempt: int) -> float:
    try:
        wait = float(response.headers.get("Retry-After") or "")
    except ValueError:
        return float(min(30.0, 0.5 * 2**attempt))
    return float(min(60.0, max(0.0, wait)))


def _api_error(response: requests.Response) -> APIError:
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    return APIError(
        response.status_code,
        str(error.get("code") or f"http_{response.status_code}"),
        str(error.get("message") or response.text[:200]),
        error.get("details"),
    )
