"""POST/GET /api/v1/uploads against a real Redis, files streamed to a temp DATA_DIR."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

pytestmark = pytest.mark.integration

TF = b'resource "aws_instance" "web" {\n  ami = "ami-1"\n  instance_type = "t3.micro"\n}\n'


def data_dir(app: Flask) -> Path:
    return app.extensions["tfquote"].settings.data_dir


def leftovers(app: Flask) -> list[Path]:
    root = data_dir(app)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_upload_single_file(client: FlaskClient, app: Flask) -> None:
    response = client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(TF), "main.tf"), "project_name": "demo"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["project_name"] == "demo"
    assert body["files"] == [
        {"name": "main.tf", "size": len(TF), "sha256": hashlib.sha256(TF).hexdigest()}
    ]
    stored = data_dir(app) / "uploads" / body["upload_id"] / "main.tf"
    assert stored.read_bytes() == TF
    again = client.get(f"/api/v1/uploads/{body['upload_id']}")
    assert again.status_code == 200 and again.json == body
    # The per-request incoming area is gone.
    assert not any((data_dir(app) / "incoming").iterdir())


def test_upload_several_files(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/uploads",
        data={"file": [(io.BytesIO(TF), "main.tf"), (io.BytesIO(b"x = 1\n"), "prod.tfvars")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    assert [f["name"] for f in response.json["files"]] == ["main.tf", "prod.tfvars"]


def test_filename_is_sanitised(client: FlaskClient, app: Flask) -> None:
    response = client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(TF), "../../etc/evil\x01.tf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    (entry,) = response.json["files"]
    assert entry["name"] == "evil.tf"
    assert all(str(p).startswith(str(data_dir(app))) for p in leftovers(app))


@pytest.mark.parametrize(
    ("files", "status", "code"),
    [
        ([(b"MZ...", "tool.exe")], 422, "unsupported_file_type"),
        ([(b"", "main.tf")], 422, "empty_file"),
        ([(TF, "main.tf"), (TF, "MAIN.tf")], 422, "duplicate_filename"),
        ([(TF, "")], 400, "missing_filename"),
        ([(b"x" * 5000, "big.tf")], 413, "payload_too_large"),
    ],
)
def test_rejected_uploads_leave_nothing(
    client: FlaskClient, app: Flask, files: list[tuple[bytes, str]], status: int, code: str
) -> None:
    response = client.post(
        "/api/v1/uploads",
        data={"file": [(io.BytesIO(content), name) for content, name in files]},
        content_type="multipart/form-data",
    )
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code
    assert response.json["error"]["request_id"]
    assert leftovers(app) == []


def test_no_file_part(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/uploads", data={"project_name": "x"}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "missing_file"


def test_missing_boundary(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/uploads", data=b"--x\r\n", headers={"Content-Type": "multipart/form-data"}
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "missing_boundary"


def test_wrong_content_type(client: FlaskClient) -> None:
    response = client.post("/api/v1/uploads", json={"file": "x"})
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"


def test_unknown_form_field(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(TF), "main.tf"), "colour": "blue"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "validation_error"
    assert "colour" in response.json["error"]["details"]


def test_unknown_upload_is_404(client: FlaskClient) -> None:
    for upload_id in ("0" * 32, "not-an-id"):
        response = client.get(f"/api/v1/uploads/{upload_id}")
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize("name", ["infracost-usage.yml", "prod.usage.yaml"])
def test_usage_files_are_accepted(client: FlaskClient, name: str) -> None:
    response = client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(b"version: 0.1\n"), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json


def test_other_yaml_is_refused(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(b"a: 1\n"), "values.yml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
