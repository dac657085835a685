"""Job options (issue 10) at the API: each bad value is a 400 ``validation_error`` naming
the field, nothing is created for it; good options are stored, shown and part of the
idempotency fingerprint. In-process against a real Redis (the recording dispatcher stands
in for Celery)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask.testing import FlaskClient

from gateway.dispatch import RecordingJobDispatcher
from tfquote.options import MAX_OPTIONS_BYTES, MAX_VAR_FILES, MAX_VARIABLES

pytestmark = pytest.mark.integration


def upload(client: FlaskClient) -> str:
    response = client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(b'resource "aws_eip" "ip" {}\n'), "main.tf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    return str(response.json["upload_id"])


def create(client: FlaskClient, options: Any, key: str | None = None) -> Any:
    body = {"upload_id": upload(client), "region": "us-east-1", "options": options}
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/jobs", json=body, headers=headers)


BAD = [
    pytest.param({"root_module": "/etc"}, "root_module", id="absolute-path"),
    pytest.param({"root_module": "envs/../../x"}, "root_module", id="dot-dot"),
    pytest.param({"var_files": ["a/../../b.tfvars"]}, "var_files.0", id="var-file-dot-dot"),
    pytest.param({"var_files": ["prod.txt"]}, "var_files.0", id="not-a-var-file"),
    pytest.param({"var_files": "prod.tfvars"}, "var_files", id="var-files-not-a-list"),
    pytest.param(
        {"var_files": [f"v{i}.tfvars" for i in range(MAX_VAR_FILES + 1)]},
        "var_files",
        id="65-var-files",
    ),
    pytest.param(
        {"variables": {f"v{i}": i for i in range(MAX_VARIABLES + 1)}},
        "variables",
        id="257-variables",
    ),
    pytest.param({"variables": {"1bad": 1}}, "variables.1bad", id="bad-variable-name"),
    pytest.param({"variables": ["a"]}, "variables", id="variables-not-an-object"),
    pytest.param({"workspace": 3}, "workspace", id="workspace-not-a-string"),
    pytest.param({"colour": "blue"}, "colour", id="unknown-option"),
    pytest.param(
        {"usage": {"resource_usage": {"x": {"note": "a" * MAX_OPTIONS_BYTES}}}},
        "_schema",
        id="over-64-kib",
    ),
    pytest.param(["root_module"], "_schema", id="not-an-object"),
]


@pytest.mark.parametrize(("options", "field"), BAD)
def test_bad_options_are_refused_naming_the_field(
    client: FlaskClient, dispatcher: RecordingJobDispatcher, options: Any, field: str
) -> None:
    response = create(client, options)

    assert response.status_code == 400, response.json
    error = response.json["error"]
    assert error["code"] == "validation_error"
    # The field's path in the details, as marshmallow nests it: var_files.0, variables.1bad.
    details = error["details"]["options"]
    for part in field.split("."):
        assert part in details, error
        details = details[part]
    assert dispatcher.dispatched == [] and client.get("/api/v1/jobs").json["items"] == []


def test_options_at_their_limits_are_stored_shown_and_sent(
    client: FlaskClient, dispatcher: RecordingJobDispatcher
) -> None:
    options = {
        "root_module": "envs/prod/",
        "var_files": [f"envs/prod/v{i}.tfvars" for i in range(MAX_VAR_FILES)],
        "variables": {f"v{i}": {"n": i} for i in range(MAX_VARIABLES)},
        "workspace": "staging",
    }
    response = create(client, options)

    assert response.status_code == 202, response.json
    shown = client.get(f"/api/v1/jobs/{response.json['job_id']}").json["options"]
    assert shown == {**options, "root_module": "envs/prod"}  # paths are normalised
    assert len(dispatcher.dispatched) == 1


def test_options_are_part_of_the_idempotency_fingerprint(client: FlaskClient) -> None:
    upload_id = upload(client)

    def post(options: dict[str, Any]) -> Any:
        body = {"upload_id": upload_id, "region": "us-east-1", "options": options}
        return client.post("/api/v1/jobs", json=body, headers={"Idempotency-Key": "ci-run-7"})

    first = post({"workspace": "prod"})
    again = post({"workspace": "prod"})
    other = post({"workspace": "dev"})

    assert first.status_code == 202 and again.json["job_id"] == first.json["job_id"]
    assert other.status_code == 422
    assert other.json["error"]["code"] == "idempotency_key_reused"
