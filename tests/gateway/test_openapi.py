"""The gateway's OpenAPI document, the committed copy, the examples and the docs pages.

- docs/openapi.yaml is exactly what `gateway.openapi.build_spec` makes (regenerate it with
  ``python -m gateway openapi > docs/openapi.yaml``), and it is a valid OpenAPI 3.1 document;
- every route of the app is documented, with the statuses and headers it answers;
- real responses (in process, real Redis) match the document, including those schemathesis
  cannot reach on its own: a COMPLETED job with its result, 401, 429 and 503;
- each JSON example in docs/examples validates against its schema, and upload.sh works
  against a live gateway;
- /docs and /redoc load nothing from any other origin, and stay open when auth is on.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate as validate_spec
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

from gateway import create_app
from gateway.__main__ import main
from gateway.dispatch import RecordingJobDispatcher
from gateway.openapi import build_spec, to_yaml
from tests.support.openapi import (
    assert_conforms,
    documented_operations,
    resolve,
    schema_errors,
    served_operations,
)
from tfquote.jobs import JobStore

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "openapi.yaml"
EXAMPLES = ROOT / "docs" / "examples"
REGENERATE = "python -m gateway openapi > docs/openapi.yaml"
SECRET = "s" * 40
TF = b'resource "aws_s3_bucket" "b" {}\n'
NOWHERE = "redis://127.0.0.1:1/15"  # nothing listens there

# Each JSON example and the component schema it is an instance of.
EXAMPLE_SCHEMAS = {
    "upload-response.json": "Upload",
    "create-job-request.json": "JobCreateRequest",
    "create-job-response.json": "Job",
    "job-completed.json": "Job",
    "job-failed.json": "Job",
    "error.json": "ErrorEnvelope",
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_spec()


def offline_app(tmp_path: Path, **config: str) -> Flask:
    """An app whose Redis is unreachable: enough for the docs, and for 401/503 answers."""
    return create_app(
        {"REDIS_URL": NOWHERE, "DATA_DIR": str(tmp_path / "data"), "AUTH_ENABLED": "false"}
        | config,
        dispatcher=RecordingJobDispatcher(),
    )


# --- the document -----------------------------------------------------------------------


@pytest.mark.unit
def test_committed_document_is_up_to_date(document: dict[str, Any]) -> None:
    fresh = to_yaml(document)
    committed = COMMITTED.read_text() if COMMITTED.exists() else ""
    assert committed == fresh, f"docs/openapi.yaml is stale; regenerate it: {REGENERATE}"


@pytest.mark.unit
def test_document_is_valid_openapi_31(document: dict[str, Any]) -> None:
    validate_spec(document)
    assert document["openapi"] == "3.1.0"
    assert yaml.safe_load(COMMITTED.read_text()) == document


@pytest.mark.unit
def test_build_is_deterministic() -> None:
    assert to_yaml(build_spec()) == to_yaml(build_spec())


@pytest.mark.unit
def test_cli_prints_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi"]) == 0
    assert capsys.readouterr().out == COMMITTED.read_text()
    assert main(["openapi", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == build_spec()


@pytest.mark.unit
def test_every_route_is_documented(document: dict[str, Any], tmp_path: Path) -> None:
    app = offline_app(tmp_path)
    assert served_operations(app, skip=("docs.", "ui.")) == documented_operations(document)


@pytest.mark.unit
def test_operations_document_their_errors_and_security(document: dict[str, Any]) -> None:
    ids = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            ids.append(operation["operationId"])
            responses = operation["responses"]
            if path.startswith("/api/v1/"):
                assert "security" not in operation  # the global bearerAuth applies
                assert {"401", "429", "503"} <= set(responses), (method, path)
                if "{" in path:
                    assert "404" in responses, (method, path)
            else:
                assert operation["security"] == [], (method, path)
                assert "401" not in responses
            for status, response in responses.items():
                response = resolve(document, response)
                assert "X-Request-ID" in response["headers"], (method, path, status)
                if status.startswith(("4", "5")) and path.startswith("/api/"):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}
    assert len(ids) == len(set(ids))
    assert document["security"] == [{"bearerAuth": []}]
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"


@pytest.mark.unit
def test_examples_in_the_document_match_their_schemas(document: dict[str, Any]) -> None:
    checked = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                for media in resolve(document, response).get("content", {}).values():
                    if "example" in media:
                        errors = schema_errors(document, media["schema"], media["example"])
                        assert not errors, (method, path, status, errors)
                        checked += 1
    for name, response in document["components"]["responses"].items():
        media = response["content"]["application/json"]
        assert not schema_errors(document, media["schema"], media["example"]), name
    assert checked > 10


# --- served document and docs pages ----------------------------------------------------


@pytest.mark.unit
def test_served_document_is_the_built_one(document: dict[str, Any], tmp_path: Path) -> None:
    client = offline_app(tmp_path).test_client()
    as_json = client.get("/openapi.json")
    assert as_json.status_code == 200 and as_json.mimetype == "application/json"
    assert as_json.get_json() == document
    as_yaml = client.get("/openapi.yaml")
    assert as_yaml.status_code == 200 and as_yaml.mimetype == "application/yaml"
    assert as_yaml.get_data(as_text=True) == COMMITTED.read_text()
    again = client.get("/openapi.json", headers={"If-None-Match": as_json.headers["ETag"]})
    assert again.status_code == 304


_LOCAL_REF = re.compile(r'(?:src|href)="([^"]*)"')
_EXTERNAL = re.compile(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)


@pytest.mark.unit
@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_nothing_from_elsewhere(page: str, tmp_path: Path) -> None:
    client = offline_app(tmp_path).test_client()
    response = client.get(page)
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert not _EXTERNAL.search(html), html
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "http" not in csp
    refs = _LOCAL_REF.findall(html)
    assert any(ref.endswith(".js") for ref in refs)
    for ref in refs:
        if ref.startswith("data:"):
            continue
        assert ref.startswith("/docs/static/"), ref
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        if ref.endswith(("-init.js", ".css")):
            # Our own code and the stylesheet: no URL of any other origin at all.
            text = asset.get_data(as_text=True)
            assert not re.search(r"https?://(?!www\.w3\.org/)", text), ref
        if ref.endswith(".js"):
            # No web fonts from a CDN, in our code or the vendored bundles.
            assert b"fonts.googleapis" not in asset.data and b"fonts.gstatic" not in asset.data
        asset.close()
    spec_url = re.search(r'data-spec-url="([^"]+)"', html)
    assert spec_url and client.get(spec_url.group(1)).status_code == 200


@pytest.mark.unit
def test_swagger_ui_does_not_call_the_public_validator(tmp_path: Path) -> None:
    init = offline_app(tmp_path).test_client().get("/docs/static/swagger-init.js")
    assert "validatorUrl: null" in init.get_data(as_text=True)


@pytest.mark.unit
def test_static_assets_have_licences() -> None:
    static = ROOT / "gateway" / "static"
    readme = (static / "README.md").read_text()
    for name in ("swagger-ui-dist", "redoc"):
        assert name in readme
    assert (static / "swagger-ui" / "LICENSE").exists()
    assert (static / "redoc" / "LICENSE").exists()


@pytest.mark.unit
def test_docs_stay_open_when_auth_is_on(document: dict[str, Any], tmp_path: Path) -> None:
    client = offline_app(tmp_path, AUTH_ENABLED="true", JWT_SECRET=SECRET).test_client()
    for path in (
        "/openapi.json",
        "/openapi.yaml",
        "/docs",
        "/redoc",
        "/docs/static/swagger-init.js",
        "/docs/static/redoc/redoc.standalone.js",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()
    denied = client.get("/api/v1/jobs")
    assert denied.status_code == 401
    assert assert_conforms(document, "get", "/api/v1/jobs", denied)["error"]["code"] in (
        "unauthorized",
        "invalid_token",
    )
    bad = client.get("/api/v1/jobs/" + "0" * 8, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and "invalid_token" in bad.headers["WWW-Authenticate"]
    assert_conforms(document, "get", "/api/v1/jobs/{job_id}", bad)
    # The docs' own prefix does not open anything else.
    assert client.get("/docsx").status_code == 401


@pytest.mark.unit
def test_redis_down_is_a_documented_503(document: dict[str, Any], tmp_path: Path) -> None:
    client = offline_app(tmp_path, REDIS_SOCKET_TIMEOUT="0.2").test_client()
    for method, path, url in (
        ("get", "/api/v1/jobs", "/api/v1/jobs"),
        ("get", "/api/v1/jobs/{job_id}", "/api/v1/jobs/00000000-0000-4000-8000-000000000000"),
        ("get", "/api/v1/uploads/{upload_id}", "/api/v1/uploads/" + "a" * 32),
    ):
        response = client.open(url, method=method.upper())
        assert response.status_code == 503, url
        body = assert_conforms(document, method, path, response)
        assert body["error"]["code"] == "service_unavailable"
    ready = client.get("/health/ready")
    assert ready.status_code == 503
    assert assert_conforms(document, "get", "/health/ready", ready)["status"] == "unavailable"


# --- real answers, against Redis -------------------------------------------------------


def _upload(client: FlaskClient, *files: tuple[bytes, str], **form: str) -> TestResponse:
    data: dict[str, Any] = {"file": [(io.BytesIO(content), name) for content, name in files]}
    data.update(form)
    return client.post("/api/v1/uploads", data=data, content_type="multipart/form-data")


@pytest.mark.integration
def test_upload_answers_conform(document: dict[str, Any], client: FlaskClient) -> None:
    ok = _upload(client, (TF, "main.tf"), (b"x = 1\n", "prod.tfvars"), project_name="demo")
    assert ok.status_code == 201
    upload = assert_conforms(document, "post", "/api/v1/uploads", ok)
    read = client.get(f"/api/v1/uploads/{upload['upload_id']}")
    assert assert_conforms(document, "get", "/api/v1/uploads/{upload_id}", read) == upload

    rejected = [
        (_upload(client, (TF, "main.py")), 422, "unsupported_file_type"),
        (_upload(client, (b"", "main.tf")), 422, "empty_file"),
        (_upload(client, (TF, "a.tf"), (TF, "A.tf")), 422, "duplicate_filename"),
        (_upload(client, (b"x" * 5000, "big.tf")), 413, "payload_too_large"),
        (_upload(client, (TF, "main.tf"), colour="red"), 400, "validation_error"),
        (client.post("/api/v1/uploads", json={}), 415, "unsupported_media_type"),
        (
            client.post(
                "/api/v1/uploads", data={"project_name": "x"}, content_type="multipart/form-data"
            ),
            400,
            "missing_file",
        ),
        (client.get("/api/v1/uploads/" + "f" * 32), 404, "not_found"),
    ]
    for response, status, code in rejected:
        assert response.status_code == status, response.get_json()
        method = response.request.method.lower()
        path = "/api/v1/uploads" if method == "post" else "/api/v1/uploads/{upload_id}"
        assert assert_conforms(document, method, path, response)["error"]["code"] == code


@pytest.mark.integration
def test_job_answers_conform(document: dict[str, Any], app: Flask, client: FlaskClient) -> None:
    upload_id = _upload(client, (TF, "main.tf")).get_json()["upload_id"]
    body = {"upload_id": upload_id, "region": "us-east-1"}
    jobs_path, job_path = "/api/v1/jobs", "/api/v1/jobs/{job_id}"

    created = client.post(jobs_path, json=body, headers={"Idempotency-Key": "k-1"})
    assert created.status_code == 202
    job = assert_conforms(document, "post", jobs_path, created)
    replay = client.post(jobs_path, json=body, headers={"Idempotency-Key": "k-1"})
    assert replay.status_code == 200
    assert assert_conforms(document, "post", jobs_path, replay)["job_id"] == job["job_id"]

    for response, status, code in [
        (client.post(jobs_path, json={**body, "region": "eu-west-1"},
                     headers={"Idempotency-Key": "k-1"}), 422, "idempotency_key_reused"),
        (client.post(jobs_path, json={**body, "upload_id": "0" * 32}), 422, "upload_not_found"),
        (client.post(jobs_path, json={**body, "region": "moon"}), 400, "validation_error"),
        (client.post(jobs_path, data="{", content_type="application/json"), 400, "invalid_json"),
        (client.post(jobs_path, json=body, headers={"Idempotency-Key": "\x7f"}), 400,
         "invalid_idempotency_key"),
        (client.post(jobs_path, data="x", content_type="text/plain"), 415,
         "unsupported_media_type"),
        (client.post(jobs_path, data=b"{" + b" " * 90000 + b"}",
                     content_type="application/json"), 413, "payload_too_large"),
    ]:  # fmt: skip
        assert response.status_code == status, response.get_json()
        error = assert_conforms(document, "post", jobs_path, response)["error"]
        assert error["code"] == code
    assert "details" in client.post(jobs_path, json={}).get_json()["error"]

    # A job as the worker leaves it: COMPLETED with a result, another FAILED.
    store: JobStore = app.extensions["tfquote"].jobs
    store.claim(job["job_id"], max_attempts=5, owner="w")
    example = json.loads((EXAMPLES / "job-completed.json").read_text())
    store.complete(job["job_id"], example["result"], owner="w")
    completed = assert_conforms(
        document, "get", job_path, client.get(f"{jobs_path}/{job['job_id']}")
    )
    assert completed["status"] == "COMPLETED" and completed["result"] == example["result"]

    failing = client.post(jobs_path, json=body).get_json()
    store.claim(failing["job_id"], max_attempts=5, owner="w")
    store.fail(failing["job_id"], "hcl_parse_error", "main.tf: unexpected end", owner="w")
    failed = assert_conforms(
        document, "get", job_path, client.get(f"{jobs_path}/{failing['job_id']}")
    )
    assert failed["status"] == "FAILED" and failed["error"]["code"] == "hcl_parse_error"

    pending = client.post(jobs_path, json=body).get_json()
    page = client.get(f"{jobs_path}?limit=2")
    listed = assert_conforms(document, "get", jobs_path, page)
    assert len(listed["items"]) == 2 and listed["next_cursor"]
    rest = client.get(f"{jobs_path}?limit=2&cursor={listed['next_cursor']}&status=COMPLETED")
    assert assert_conforms(document, "get", jobs_path, rest)["next_cursor"] is None
    for query, code in (("cursor=%21%21", "invalid_cursor"), ("limit=0", "validation_error"),
                        ("colour=red", "validation_error")):  # fmt: skip
        response = client.get(f"{jobs_path}?{query}")
        assert response.status_code == 400
        assert assert_conforms(document, "get", jobs_path, response)["error"]["code"] == code

    for job_id in (pending["job_id"], job["job_id"]):  # cancel one, delete the other
        deleted = client.delete(f"{jobs_path}/{job_id}")
        assert deleted.status_code == 204
        assert_conforms(document, "delete", job_path, deleted)
    gone = client.get(f"{jobs_path}/{job['job_id']}")
    assert gone.status_code == 404
    assert_conforms(document, "get", job_path, gone)
    assert client.get(f"{jobs_path}/{pending['job_id']}").get_json()["status"] == "CANCELLED"
    missing = client.delete(f"{jobs_path}/not-a-job")
    assert missing.status_code == 404
    assert_conforms(document, "delete", job_path, missing)


@pytest.mark.integration
def test_publish_failure_is_a_documented_503(
    document: dict[str, Any], client: FlaskClient, dispatcher: RecordingJobDispatcher
) -> None:
    upload_id = _upload(client, (TF, "main.tf")).get_json()["upload_id"]
    dispatcher.fail_with = OSError("broker down")
    response = client.post("/api/v1/jobs", json={"upload_id": upload_id, "region": "us-east-1"})
    assert response.status_code == 503
    assert_conforms(document, "post", "/api/v1/jobs", response)
    ready = client.get("/health/ready")
    assert ready.status_code == 503
    assert_conforms(document, "get", "/health/ready", ready)


@pytest.mark.integration
def test_probes_conform(document: dict[str, Any], client: FlaskClient) -> None:
    for path in ("/health", "/health/live", "/health/ready"):
        response = client.get(path, headers={"X-Request-ID": "probe.1"})
        assert response.status_code == 200
        assert_conforms(document, "get", path, response)
        assert response.headers["X-Request-ID"] == "probe.1"


@pytest.mark.integration
def test_rate_limited_is_a_documented_429(
    document: dict[str, Any], gateway_redis_url: str, tmp_path: Path
) -> None:
    app = create_app(
        {
            "REDIS_URL": gateway_redis_url,
            "DATA_DIR": str(tmp_path / "data"),
            "AUTH_ENABLED": "false",
            "RATE_LIMIT_READS": "1/minute",
        },
        dispatcher=RecordingJobDispatcher(),
    )
    client = app.test_client()
    assert client.get("/api/v1/jobs").status_code == 200
    limited = client.get("/api/v1/jobs")
    assert limited.status_code == 429
    body = assert_conforms(document, "get", "/api/v1/jobs", limited)
    assert body["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0


# --- examples ---------------------------------------------------------------------------


@pytest.mark.unit
def test_every_json_example_is_checked() -> None:
    assert {p.name for p in EXAMPLES.glob("*.json")} == set(EXAMPLE_SCHEMAS)


@pytest.mark.unit
@pytest.mark.parametrize(("name", "schema"), sorted(EXAMPLE_SCHEMAS.items()))
def test_example_matches_its_schema(document: dict[str, Any], name: str, schema: str) -> None:
    example = json.loads((EXAMPLES / name).read_text())
    errors = schema_errors(document, {"$ref": f"#/components/schemas/{schema}"}, example)
    assert not errors, f"docs/examples/{name}: {errors}"


@pytest.mark.unit
def test_examples_tell_one_story() -> None:
    def load(name: str) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((EXAMPLES / name).read_text())
        return loaded

    upload, request = load("upload-response.json"), load("create-job-request.json")
    created, completed = load("create-job-response.json"), load("job-completed.json")
    assert request["upload_id"] == upload["upload_id"] == created["upload_id"]
    assert created["job_id"] == completed["job_id"] and created["status"] == "PENDING"
    assert completed["status"] == "COMPLETED" and completed["result"]["resources"]
    assert upload["files"][0]["size"] == len((EXAMPLES / "main.tf").read_bytes())


class _CompletingDispatcher(RecordingJobDispatcher):
    """Stands in for a worker: completes each job as soon as it is published."""

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__()
        self.result = result
        self.store: JobStore | None = None

    def dispatch(self, job_id: str, *, request_id: str | None) -> None:
        super().dispatch(job_id, request_id=request_id)
        assert self.store is not None
        self.store.claim(job_id, max_attempts=5, owner="fake-worker")
        self.store.complete(job_id, self.result, owner="fake-worker")


@pytest.fixture
def live_gateway(gateway_redis_url: str, tmp_path: Path) -> Iterator[tuple[str, Flask]]:
    result = json.loads((EXAMPLES / "job-completed.json").read_text())["result"]
    dispatcher = _CompletingDispatcher(result)
    app = create_app(
        {
            "REDIS_URL": gateway_redis_url,
            "DATA_DIR": str(tmp_path / "data"),
            "AUTH_ENABLED": "true",
            "JWT_SECRET": SECRET,
            "RATE_LIMIT_READS": "100000/minute",
            "RATE_LIMIT_JOBS": "100000/minute",
            "RATE_LIMIT_UPLOADS": "100000/minute",
        },
        dispatcher=dispatcher,
    )
    dispatcher.store = app.extensions["tfquote"].jobs
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(10)


@pytest.mark.integration
def test_upload_script(
    document: dict[str, Any], live_gateway: tuple[str, Flask], tmp_path: Path
) -> None:
    from gateway.auth import mint_token

    url, app = live_gateway
    token = mint_token(app.extensions["tfquote"].settings, "alice")
    env = {
        "PATH": "/usr/bin:/bin",
        "TFQUOTE_URL": url,
        "TFQUOTE_TOKEN": token,
        "REGION": "eu-west-1",
        "PROJECT_NAME": "demo",
        "POLL_SECONDS": "0.1",
        "TIMEOUT_SECONDS": "20",
    }
    script = str(EXAMPLES / "upload.sh")
    done = subprocess.run(
        [script, str(EXAMPLES / "main.tf")], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    job = json.loads(done.stdout)
    assert not schema_errors(document, {"$ref": "#/components/schemas/Job"}, job)
    assert job["status"] == "COMPLETED" and job["region"] == "eu-west-1"

    # Running it again is safe: the same upload gets a new id, but nothing is duplicated
    # for one upload (the Idempotency-Key is derived from it).
    bad = subprocess.run(
        [script, str(ROOT / "README.md")], env=env, capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2 and "unsupported_file_type" in bad.stderr
    unauthorized = subprocess.run(
        [script, str(EXAMPLES / "main.tf")],
        env={**env, "TFQUOTE_TOKEN": "not-a-token"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unauthorized.returncode == 2 and "invalid_token" in unauthorized.stderr


@pytest.mark.unit
def test_the_conformance_check_catches_drift(document: dict[str, Any], tmp_path: Path) -> None:
    client = offline_app(tmp_path).test_client()
    with pytest.raises(AssertionError, match="not documented"):
        assert_conforms(document, "get", "/health", client.put("/health"))
    with pytest.raises(AssertionError, match="does not match"):
        assert_conforms(document, "get", "/api/v1/uploads/{upload_id}", _as_200(client))
    with pytest.raises(AssertionError, match="required header"):
        response = client.get("/health")
        del response.headers["X-Request-ID"]
        assert_conforms(document, "get", "/health", response)


def _as_200(client: FlaskClient) -> TestResponse:
    return client.get("/health")  # {"status": "ok"}: 200, but not an Upload
