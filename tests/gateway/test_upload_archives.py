"""Archives are checked at upload time (directory only) and rejected with a specific
code; the generated attack suite and the public hostile corpus go through the API."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway import create_app
from gateway.dispatch import RecordingJobDispatcher
from tests.support.archive_attacks import ATTACKS, Attack
from tests.support.shared import SHARED, require_shared
from tfquote.archives import ArchiveLimits

pytestmark = pytest.mark.integration

HOSTILE = SHARED / "corpus" / "hostile"


@pytest.fixture
def app(gateway_redis_url: str, tmp_path: Path, dispatcher: RecordingJobDispatcher) -> Flask:
    """Room for the bigger attack archives (the default test app allows 4 KiB)."""
    return create_app(
        {
            "REDIS_URL": gateway_redis_url,
            "DATA_DIR": str(tmp_path / "data"),
            "MAX_UPLOAD_BYTES": 64 * 1024 * 1024,
            "AUTH_ENABLED": "false",
            "RATE_LIMIT_UPLOADS": "100000/minute",
        },
        dispatcher=dispatcher,
    )


def post(client: FlaskClient, name: str, content: bytes):
    return client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def files_under(app: Flask, sub: str) -> list[Path]:
    root = app.extensions["tfquote"].settings.data_dir / sub
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_benign_zip_is_accepted(client: FlaskClient) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("main.tf", 'resource "aws_eip" "a" {}\n')
    assert post(client, "infra.zip", buffer.getvalue()).status_code == 201


def test_large_upload_streams_through(client: FlaskClient, app: Flask) -> None:
    import hashlib

    content = b"# padding\n" * 300_000 + b'resource "aws_eip" "a" {}\n'  # ~3 MB
    response = post(client, "big.tf", content)
    assert response.status_code == 201, response.json
    assert response.json["files"][0]["sha256"] == hashlib.sha256(content).hexdigest()
    assert response.json["files"][0]["size"] == len(content)


def test_not_an_archive(client: FlaskClient) -> None:
    response = post(client, "infra.zip", b"this is not a zip")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "unsupported_format"


DEFAULT_LIMIT_ATTACKS = [a for a in ATTACKS if a.limits == ArchiveLimits()]


@pytest.mark.parametrize("attack", DEFAULT_LIMIT_ATTACKS, ids=lambda a: a.id)
def test_generated_attacks_through_the_api(
    client: FlaskClient, app: Flask, attack: Attack, tmp_path: Path
) -> None:
    path, code = attack.build(tmp_path)
    name = "upload.tar.gz" if attack.fmt == "tar.gz" else "upload.zip"
    response = post(client, name, path.read_bytes())
    if attack.inspect_sees:
        assert response.status_code == 422, (attack.id, response.json)
        # An empty file is refused before it is looked at as an archive.
        assert response.json["error"]["code"] in {code, "empty_file"}
        assert files_under(app, "uploads") == []
    else:
        # Only entry contents show it (bad CRC, ...): accepted here, and the worker's
        # extraction fails the job with the code (tests/workers).
        assert response.status_code == 201, (attack.id, response.json)
    assert files_under(app, "incoming") == []


def test_hostile_corpus_through_the_api(client: FlaskClient, app: Flask) -> None:
    require_shared(HOSTILE)
    outcomes: dict[str, int] = {}
    for path in sorted(p for p in HOSTILE.rglob("*") if p.is_file() and p.name != "MANIFEST.txt"
                       and not p.name.endswith(".md")):  # fmt: skip
        name = "upload.tar.gz" if path.name.endswith((".tgz", ".tar.gz", ".gz")) else "upload.zip"
        response = post(client, name, path.read_bytes())
        assert response.status_code < 500, (path, response.json)
        assert response.mimetype == "application/json"
        key = (
            str(response.status_code)
            if response.status_code == 201
            else response.json["error"]["code"]
        )
        outcomes[key] = outcomes.get(key, 0) + 1
    assert sum(outcomes.values()) >= 100
    assert files_under(app, "incoming") == []
    print("hostile corpus through the API:", dict(sorted(outcomes.items())))
