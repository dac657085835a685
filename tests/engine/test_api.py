"""The HTTP API with the Flask test client and the in-memory store (no services needed)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import create_app
from engine.errors import StoreUnavailable
from engine.store import InMemoryEstimateStore
from tests.engine.helpers import SIMPLE_TF, build_tgz, post_at_once, post_estimate, tree_files

pytestmark = pytest.mark.unit

BUNDLE = build_tgz({"main.tf": SIMPLE_TF})


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "request_id"}
    assert body["error"]["code"] == code
    assert body["error"]["request_id"] == response.headers["X-Request-ID"]
    return dict(body["error"])


# --- health, ids, generic errors -----------------------------------------------------------------


def test_health_and_ready(client: FlaskClient) -> None:
    assert client.get("/health").get_json() == {"status": "ok"}
    assert client.get("/health/ready").status_code == 200
    assert client.get("/v1/stats").get_json() == {"computed": 0}


def test_create_app_builds_nothing_global() -> None:
    first = create_app(store=InMemoryEstimateStore())
    second = create_app(store=InMemoryEstimateStore())
    assert first.extensions["engine"] is not second.extensions["engine"]


def test_valid_request_id_is_echoed(client: FlaskClient) -> None:
    response = client.get("/health", headers={"X-Request-ID": "job-42:attempt.1"})
    assert response.headers["X-Request-ID"] == "job-42:attempt.1"


@pytest.mark.parametrize("bad", ["has space", "x" * 129, "new\nline", "ünï"])
def test_unsafe_request_id_is_replaced(client: FlaskClient, bad: str) -> None:
    try:
        response = client.get("/health", headers={"X-Request-ID": bad})
    except ValueError:  # werkzeug itself refuses header values with newlines
        return
    rid = response.headers["X-Request-ID"]
    assert rid != bad
    assert len(rid) == 32 and int(rid, 16) >= 0


def test_unknown_route_and_method(client: FlaskClient) -> None:
    assert_error(client.get("/nope"), 404, "not_found")
    response = client.delete("/v1/estimates")
    assert assert_error(response, 405, "method_not_allowed")["message"]
    assert "POST" in response.headers["Allow"]


def test_unknown_estimate(client: FlaskClient) -> None:
    assert_error(client.get("/v1/estimates/" + "0" * 32), 404, "not_found")
    assert_error(client.get("/v1/estimates/not-an-id"), 404, "not_found")


def test_payload_too_large() -> None:
    app = create_app({"ENGINE_MAX_BUNDLE_BYTES": 1000}, store=InMemoryEstimateStore())
    big = bytes(1024 * 1024 + 2000)
    assert_error(post_estimate(app.test_client(), big), 413, "payload_too_large")


def test_unexpected_exception_is_internal_error_without_details(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(_: str) -> None:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(app.extensions["engine"].store, "get", explode)
    response = client.get("/v1/estimates/" + "a" * 32)
    error = assert_error(response, 500, "internal_error")
    assert "secret" not in response.get_data(as_text=True)
    assert "Traceback" not in error["message"]


def test_store_outage_is_503(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*_: Any) -> None:
        raise StoreUnavailable()

    monkeypatch.setattr(app.extensions["engine"].store, "claim", down)
    assert_error(post_estimate(client, BUNDLE), 503, "store_unavailable")


# --- request validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "region", ["", "US-EAST-1", "us-east", "useast1", "us-east-1a", "us-gov-west-1x", "eu--1"]
)
def test_bad_region(client: FlaskClient, region: str) -> None:
    assert_error(post_estimate(client, BUNDLE, region=region), 400, "invalid_request")


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-2", "us-gov-west-1", "us-isob-east-1"])
def test_good_regions(client: FlaskClient, region: str) -> None:
    response = post_estimate(client, BUNDLE, region=region)
    assert response.status_code == 200
    assert response.get_json()["result"]["region"] == region


def test_missing_bundle_and_wrong_content_type(client: FlaskClient) -> None:
    response = client.post("/v1/estimates", data={"region": "us-east-1"})
    assert_error(response, 400, "invalid_request")
    response = client.post("/v1/estimates", json={"region": "us-east-1"})
    assert_error(response, 400, "invalid_request")


def test_options_that_are_not_json(client: FlaskClient) -> None:
    assert_error(post_estimate(client, BUNDLE, options="{not json"), 400, "invalid_request")


@pytest.mark.parametrize(
    "options",
    [
        "[1, 2]",
        '"str"',
        '{"root_module": 5}',
        '{"root_module": "/etc"}',
        '{"root_module": "a/../../b"}',
        '{"var_files": ["x.txt"]}',
        '{"variables": {"1bad": 1}}',
        '{"workspace": "../x"}',
        '{"nope": 1}',
    ],
)
def test_bad_options(client: FlaskClient, options: str) -> None:
    assert_error(post_estimate(client, BUNDLE, options=options), 400, "invalid_option")


@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "tab\there"])
def test_bad_idempotency_key(client: FlaskClient, key: str) -> None:
    try:
        response = post_estimate(client, BUNDLE, key=key)
    except ValueError:  # werkzeug refuses to send some header values at all
        return
    assert_error(response, 400, "invalid_idempotency_key")


# --- computing -----------------------------------------------------------------------------------


def test_sync_success(client: FlaskClient) -> None:
    response = post_estimate(client, BUNDLE, options="{}")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"id", "status", "result"}
    assert body["status"] == "succeeded"
    assert body["result"]["summary"]["resource_count"] == 2
    assert response.headers["Location"] == f"/v1/estimates/{body['id']}"
    stored = client.get(response.headers["Location"]).get_json()
    assert stored["status"] == "succeeded"
    assert stored["result"] == body["result"]
    assert stored["meta"]["submissions"] == 1
    assert stored["meta"]["computed"] == 1


def test_root_module_option(client: FlaskClient, corpus: Path) -> None:
    bundle = build_tgz(tree_files(corpus / "terraform-aws-vpc"))
    response = post_estimate(
        client, bundle, options=json.dumps({"root_module": "examples/complete"})
    )
    assert response.status_code == 200
    result = response.get_json()["result"]
    assert result["summary"]["by_type"]["aws_nat_gateway"] == 1
    assert result["summary"]["by_type"]["aws_eip"] == 1


@pytest.mark.parametrize(
    ("files", "status", "code"),
    [
        (None, 400, "invalid_bundle"),
        ({"README.md": b"hello"}, 422, "no_terraform"),
        ({"main.tf": b'resource "a" "b" {'}, 422, "hcl_parse_error"),
        ({"plan.json": b"{oops"}, 422, "invalid_json"),
        ({"plan.json": b'{"format_version": "1.0", "values": {}}'}, 422, "not_a_plan"),
        (
            {"plan.json": b'{"format_version": "9.0", "planned_values": {}}'},
            422,
            "unsupported_plan_version",
        ),
    ],
)
def test_failed_computation_is_stored_and_replayed(
    client: FlaskClient, files: dict[str, bytes] | None, status: int, code: str
) -> None:
    bundle = b"garbage" if files is None else build_tgz(files)
    first = post_estimate(client, bundle, key=f"fail-{code}")
    error = assert_error(first, status, code)
    replay = post_estimate(client, bundle, key=f"fail-{code}")
    assert assert_error(replay, status, code)["message"] == error["message"]
    assert replay.headers["Idempotent-Replayed"] == "true"
    stored = client.get(first.headers["Location"]).get_json()
    assert stored["status"] == "failed"
    assert stored["error"] == {"code": code, "message": error["message"]}
    assert stored["meta"] == {**stored["meta"], "submissions": 2, "computed": 1}


# --- idempotency ---------------------------------------------------------------------------------


def test_replay_returns_first_result_without_recomputing(client: FlaskClient) -> None:
    first = post_estimate(client, BUNDLE, key="job-1")
    second = post_estimate(client, BUNDLE, key="job-1")
    assert first.status_code == second.status_code == 200
    assert second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    meta = client.get(first.headers["Location"]).get_json()["meta"]
    assert (meta["submissions"], meta["computed"]) == (2, 1)
    assert client.get("/v1/stats").get_json() == {"computed": 1}


@pytest.mark.parametrize(
    "change",
    [
        {"region": "eu-west-1"},
        {"options": '{"workspace": "other"}'},
        {"bundle": build_tgz({"main.tf": SIMPLE_TF + b"\n"})},
    ],
    ids=["region", "options", "bundle"],
)
def test_same_key_different_payload_is_rejected(
    client: FlaskClient, change: dict[str, Any]
) -> None:
    assert post_estimate(client, BUNDLE, key="job-2").status_code == 200
    kwargs = {"region": "us-east-1", **change}
    bundle = kwargs.pop("bundle", BUNDLE)
    assert_error(
        post_estimate(client, bundle, key="job-2", **kwargs), 422, "idempotency_key_reused"
    )
    assert client.get("/v1/stats").get_json() == {"computed": 1}


def test_options_are_canonicalised_for_the_fingerprint(client: FlaskClient) -> None:
    first = post_estimate(
        client, BUNDLE, key="job-3", options='{"workspace": "w", "variables": {"a": 1, "b": 2}}'
    )
    second = post_estimate(
        client, BUNDLE, key="job-3", options='{ "variables": {"b": 2,"a":1},"workspace":"w" }'
    )
    assert second.status_code == 200
    assert second.get_json()["id"] == first.get_json()["id"]


def test_without_key_every_post_computes(client: FlaskClient) -> None:
    ids = {post_estimate(client, BUNDLE).get_json()["id"] for _ in range(3)}
    assert len(ids) == 3
    assert client.get("/v1/stats").get_json() == {"computed": 3}


def test_async_then_poll(client: FlaskClient) -> None:
    response = post_estimate(client, BUNDLE, asynchronous=True, key="async-1")
    assert response.status_code == 202
    body = response.get_json()
    assert body == {"id": body["id"], "status": "pending"}
    assert response.headers["Location"] == f"/v1/estimates/{body['id']}"
    deadline = time.monotonic() + 10
    while True:
        polled = client.get(response.headers["Location"]).get_json()
        if polled["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert polled["status"] == "succeeded"
    assert polled["result"]["summary"]["resource_count"] == 2
    # A later replay of the finished async submission gets the result directly.
    replay = post_estimate(client, BUNDLE, asynchronous=True, key="async-1")
    assert replay.status_code == 200
    assert replay.get_json()["result"] == polled["result"]


def test_an_estimate_whose_engine_process_died_is_taken_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two engine processes over one store; the first accepts the estimate and dies
    # before computing it (nothing renews its lease), the second takes it over when the
    # same request comes again.
    store = InMemoryEstimateStore(lease_seconds=1.0)
    dying = create_app({"TESTING": True}, store=store)
    survivor = create_app({"TESTING": True}, store=store)
    monkeypatch.setattr(dying.extensions["engine"].service, "run_in_background", lambda *args: None)
    accepted = post_estimate(dying.test_client(), BUNDLE, asynchronous=True, key="dies")
    assert accepted.status_code == 202
    location = accepted.headers["Location"]
    client = survivor.test_client()
    assert client.get(location).get_json()["meta"]["abandoned"] is False
    time.sleep(1.1)
    assert client.get(location).get_json()["meta"]["abandoned"] is True

    again = post_estimate(client, BUNDLE, asynchronous=True, key="dies")
    assert again.status_code == 202 and again.headers["Location"] == location
    deadline = time.monotonic() + 10
    while (polled := client.get(location).get_json())["status"] != "succeeded":
        assert time.monotonic() < deadline, polled
        time.sleep(0.02)
    assert polled["meta"]["computed"] == 1 and polled["meta"]["abandoned"] is False
    survivor.extensions["engine"].service.shutdown()


def test_concurrent_duplicates_compute_once(
    app: Flask, slow_compute: Callable[[float], None]
) -> None:
    slow_compute(0.3)
    responses = post_at_once(app, BUNDLE, "burst")
    assert len(responses) == 20
    assert {r.status_code for r in responses} == {200}
    assert len({r.get_json()["id"] for r in responses}) == 1
    assert sum(1 for r in responses if "Idempotent-Replayed" in r.headers) == 19
    client = app.test_client()
    meta = client.get(responses[0].headers["Location"]).get_json()["meta"]
    assert (meta["submissions"], meta["computed"]) == (20, 1)
    assert client.get("/v1/stats").get_json() == {"computed": 1}


def test_duplicate_gets_202_when_the_wait_runs_out(slow_compute: Callable[[float], None]) -> None:
    slow_compute(0.5)
    app = create_app({"ENGINE_SYNC_WAIT_SECONDS": 0.05}, store=InMemoryEstimateStore())
    client = app.test_client()
    first = post_estimate(client, BUNDLE, key="slow", asynchronous=True)
    assert first.status_code == 202
    duplicate = post_estimate(client, BUNDLE, key="slow")
    assert duplicate.status_code == 202
    assert duplicate.get_json()["id"] == first.get_json()["id"]
    assert duplicate.get_json()["status"] in ("pending", "running")
    app.extensions["engine"].service.shutdown()
    assert client.get("/v1/stats").get_json() == {"computed": 1}


def test_bundle_never_touches_disk(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import werkzeug.formparser

    def forbidden(*_: Any, **__: Any) -> None:
        raise AssertionError("the upload was spooled to a temporary file")

    # Werkzeug's default stream factory spools uploads to a file beyond 500 KiB.
    monkeypatch.setattr(werkzeug.formparser, "SpooledTemporaryFile", forbidden)
    big = build_tgz({"main.tf": SIMPLE_TF, "noise.bin": os.urandom(700_000)})
    assert len(big) > 600_000
    assert post_estimate(client, big).status_code == 200
