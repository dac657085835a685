"""docs/engine-openapi.yaml: a valid OpenAPI 3.1 document that the reference engine keeps.

Every route of the engine is documented, and its real answers - 200, 202 and the 4xx it
gives for bad input, plus the 5xx it can give - match the document: the status is listed
for the operation, the body validates against the documented schema, the required headers
are there. The engine runs in process with its in-memory store; schemathesis then sends
generated requests, valid and invalid, to each operation.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate as validate_spec
from schemathesis import checks
from schemathesis.generation import GenerationMode

from engine import create_app
from engine.store import InMemoryEstimateStore
from tests.engine.helpers import SIMPLE_TF, build_tgz, post_estimate
from tests.support.openapi import assert_conforms, documented_operations, served_operations

pytestmark = pytest.mark.unit

DOCUMENT_PATH = Path(__file__).resolve().parents[2] / "docs" / "engine-openapi.yaml"
BUNDLE = build_tgz({"main.tf": SIMPLE_TF})
PLAN = b'{"format_version": "1.2", "planned_values": {"root_module": {}}}'


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DOCUMENT_PATH.read_text())
    return loaded


@pytest.fixture
def small_app(memory_store: InMemoryEstimateStore) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "ENGINE_MAX_BUNDLE_BYTES": 64 * 1024}, store=memory_store)
    yield app
    app.extensions["engine"].service.shutdown()


def test_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate_spec(document)
    assert document["openapi"].startswith("3.1")


def test_every_route_is_documented(document: dict[str, Any], app: Flask) -> None:
    assert served_operations(app) == documented_operations(document)


def test_probes_and_stats(document: dict[str, Any], client: FlaskClient) -> None:
    for path in ("/health", "/health/ready", "/v1/stats"):
        response = client.get(path, headers={"X-Request-ID": "probe-1"})
        assert response.status_code == 200
        assert_conforms(document, "get", path, response)
        assert response.headers["X-Request-ID"] == "probe-1"


def test_ready_503_when_the_store_is_down(document: dict[str, Any]) -> None:
    class DownStore(InMemoryEstimateStore):
        def ping(self) -> bool:
            return False

    app = create_app({"TESTING": True}, store=DownStore())
    try:
        response = app.test_client().get("/health/ready")
    finally:
        app.extensions["engine"].service.shutdown()
    assert response.status_code == 503
    body = assert_conforms(document, "get", "/health/ready", response)
    assert body["error"]["code"] == "store_unavailable"


def test_sync_success_and_replay(document: dict[str, Any], client: FlaskClient) -> None:
    first = post_estimate(client, BUNDLE, key="job-1")
    assert first.status_code == 200
    body = assert_conforms(document, "post", "/v1/estimates", first)
    assert body["status"] == "succeeded"
    assert body["result"]["summary"]["resource_count"] == 2

    replay = post_estimate(client, BUNDLE, key="job-1")
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    assert assert_conforms(document, "post", "/v1/estimates", replay) == body

    read = client.get(first.headers["Location"])
    estimate = assert_conforms(document, "get", "/v1/estimates/{estimate_id}", read)
    assert estimate["status"] == "succeeded" and estimate["meta"]["submissions"] == 2


def test_plan_input(document: dict[str, Any], client: FlaskClient) -> None:
    response = post_estimate(client, build_tgz({"plan.json": PLAN}))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = assert_conforms(document, "post", "/v1/estimates", response)
    assert body["result"]["source"] == "plan"


def test_async_accept_then_poll(document: dict[str, Any], client: FlaskClient) -> None:
    accepted = post_estimate(client, BUNDLE, key="job-async", asynchronous=True)
    assert accepted.status_code == 202
    body = assert_conforms(document, "post", "/v1/estimates", accepted)
    assert accepted.headers["Location"] == f"/v1/estimates/{body['id']}"

    deadline = time.monotonic() + 10
    while True:
        polled = client.get(accepted.headers["Location"])
        estimate = assert_conforms(document, "get", "/v1/estimates/{estimate_id}", polled)
        if estimate["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert estimate["status"] == "succeeded"


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"bundle": b"not a tarball"}, 400, "invalid_bundle"),
        ({"region": "mars-1"}, 400, "invalid_request"),
        ({"options": "[1]"}, 400, "invalid_option"),
        ({"key": "bad\x7fkey"}, 400, "invalid_idempotency_key"),
        ({"bundle": build_tgz({"README.md": b"hello"})}, 422, "no_terraform"),
        ({"bundle": build_tgz({"main.tf": b'resource "x" {'})}, 422, "hcl_parse_error"),
        ({"bundle": build_tgz({"plan.json": b"{not json"})}, 422, "invalid_json"),
    ],
)
def test_rejected_input(
    document: dict[str, Any],
    client: FlaskClient,
    kwargs: dict[str, Any],
    status: int,
    code: str,
) -> None:
    bundle = kwargs.pop("bundle", BUNDLE)
    response = post_estimate(client, bundle, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    body = assert_conforms(document, "post", "/v1/estimates", response)
    assert body["error"]["code"] == code


def test_failed_estimate_is_stored_and_readable(
    document: dict[str, Any], client: FlaskClient
) -> None:
    bad = build_tgz({"main.tf": b'resource "x" {'})
    first = post_estimate(client, bad, key="job-bad")
    assert first.status_code == 422
    replay = post_estimate(client, bad, key="job-bad")
    assert replay.status_code == 422 and replay.headers["Idempotent-Replayed"] == "true"
    assert_conforms(document, "post", "/v1/estimates", replay)
    read = client.get(first.headers["Location"])
    estimate = assert_conforms(document, "get", "/v1/estimates/{estimate_id}", read)
    assert estimate["status"] == "failed" and estimate["error"]["code"] == "hcl_parse_error"


def test_key_reused_with_another_payload(document: dict[str, Any], client: FlaskClient) -> None:
    assert post_estimate(client, BUNDLE, key="job-2").status_code == 200
    reused = post_estimate(client, BUNDLE, key="job-2", region="eu-west-1")
    assert reused.status_code == 422
    body = assert_conforms(document, "post", "/v1/estimates", reused)
    assert body["error"]["code"] == "idempotency_key_reused"


def test_missing_bundle_and_wrong_content_type(
    document: dict[str, Any], client: FlaskClient
) -> None:
    no_bundle = client.post(
        "/v1/estimates", data={"region": "us-east-1"}, content_type="multipart/form-data"
    )
    as_json = client.post("/v1/estimates", json={"region": "us-east-1"})
    for response in (no_bundle, as_json):
        assert response.status_code == 400
        assert_conforms(document, "post", "/v1/estimates", response)


def test_too_large(document: dict[str, Any], small_app: Flask) -> None:
    response = post_estimate(small_app.test_client(), b"\0" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert_conforms(document, "post", "/v1/estimates", response)


def test_unknown_estimate(document: dict[str, Any], client: FlaskClient) -> None:
    for estimate_id in ("0" * 32, "not-an-id"):
        response = client.get(f"/v1/estimates/{estimate_id}")
        assert response.status_code == 404
        assert_conforms(document, "get", "/v1/estimates/{estimate_id}", response)


ENGINE_OPERATIONS = [
    ("/v1/estimates", "POST"),
    ("/v1/estimates/{estimate_id}", "GET"),
    ("/v1/stats", "GET"),
    ("/health", "GET"),
    ("/health/ready", "GET"),
]


@pytest.mark.parametrize(("path", "method"), ENGINE_OPERATIONS)
def test_generated_requests_conform(
    document: dict[str, Any], app: Flask, path: str, method: str
) -> None:
    """Schemathesis, in process: valid and invalid requests generated from the document
    never get a 5xx or an answer the document does not describe."""
    operation = schemathesis.openapi.from_dict(document)[path][method]
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=strategy)
    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(
            app=app,
            checks=[
                checks.not_a_server_error,
                checks.status_code_conformance,
                checks.content_type_conformance,
                checks.response_headers_conformance,
                checks.response_schema_conformance,
                checks.negative_data_rejection,
            ],
        )

    run()
