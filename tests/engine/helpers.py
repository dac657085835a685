"""Helpers for the engine tests: tar.gz bundles built in memory, multipart submissions, and
finding the ``../shared`` data."""

from __future__ import annotations

import io
import tarfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

TarSpec = Mapping[str, bytes | tarfile.TarInfo]


def build_tgz(members: TarSpec) -> bytes:
    """tar.gz in memory; a value is either file content or a prepared TarInfo (links...)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, value in members.items():
            if isinstance(value, tarfile.TarInfo):
                archive.addfile(value)
            else:
                info = tarfile.TarInfo(name)
                info.size = len(value)
                info.mode = 0o644
                archive.addfile(info, io.BytesIO(value))
    return buffer.getvalue()


def tree_files(base: Path, prefix: str = "") -> dict[str, bytes]:
    """Every file under ``base`` as {relative posix path: bytes}."""
    return {
        prefix + path.relative_to(base).as_posix(): path.read_bytes()
        for path in sorted(base.rglob("*"))
        if path.is_file()
    }


SIMPLE_TF = b"""
resource "aws_instance" "web" {
  count         = 2
  ami           = "ami-123"
  instance_type = "t3.micro"
}
"""


def post_estimate(
    client: FlaskClient,
    bundle: bytes,
    *,
    region: str = "us-east-1",
    options: str | None = None,
    key: str | None = None,
    asynchronous: bool = False,
    headers: Mapping[str, str] | None = None,
) -> TestResponse:
    data: dict[str, Any] = {"bundle": (io.BytesIO(bundle), "bundle.tar.gz"), "region": region}
    if options is not None:
        data["options"] = options
    all_headers = dict(headers or {})
    if key is not None:
        all_headers["Idempotency-Key"] = key
    if asynchronous:
        all_headers["Prefer"] = "respond-async"
    return client.post(
        "/v1/estimates", data=data, headers=all_headers, content_type="multipart/form-data"
    )


def post_at_once(app: Flask, bundle: bytes, key: str, count: int = 20) -> list[TestResponse]:
    """``count`` submissions of ``bundle`` with the same idempotency ``key``, each from its
    own thread and client, released together; the responses that came back (in 30 s)."""
    barrier = threading.Barrier(count)
    responses: list[TestResponse] = []
    lock = threading.Lock()

    def submit() -> None:
        client = app.test_client()
        barrier.wait()
        response = post_estimate(client, bundle, key=key)
        with lock:
            responses.append(response)

    threads = [threading.Thread(target=submit) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses
