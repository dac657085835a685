"""The jobs API in-process against a real Redis; the dispatcher is the recording fake
(the end-to-end suite covers the real Celery path)."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kombu.exceptions import OperationalError

from gateway.dispatch import RecordingJobDispatcher

pytestmark = pytest.mark.integration

TF = b'resource "aws_s3_bucket" "b" {}\n'


@pytest.fixture
def upload_id(client: FlaskClient) -> str:
    response = client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(TF), "main.tf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    return str(response.json["upload_id"])


def create(client: FlaskClient, body: dict, key: str | None = None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/api/v1/jobs", json=body, headers=headers)


def test_create_job(client: FlaskClient, upload_id: str, dispatcher: RecordingJobDispatcher):
    response = create(client, {"upload_id": upload_id, "region": "us-east-1"})
    assert response.status_code == 202
    job = response.json
    assert job["status"] == "PENDING" and job["upload_id"] == upload_id
    assert response.headers["Location"] == f"/api/v1/jobs/{job['job_id']}"
    assert dispatcher.dispatched == [(job["job_id"], response.headers["X-Request-ID"])]
    got = client.get(response.headers["Location"])
    assert got.status_code == 200 and got.json == job


def test_no_key_makes_new_job_each_time(client, upload_id, dispatcher) -> None:
    body = {"upload_id": upload_id, "region": "us-east-1"}
    ids = {create(client, body).json["job_id"] for _ in range(3)}
    assert len(ids) == 3 and len(dispatcher.dispatched) == 3


def test_idempotency_replay_and_reuse(client, upload_id, dispatcher) -> None:
    body = {"upload_id": upload_id, "region": "us-east-1"}
    first = create(client, body, key="abc")
    assert first.status_code == 202
    replay = create(client, body, key="abc")
    assert replay.status_code == 200
    assert replay.json["job_id"] == first.json["job_id"]
    assert replay.headers["Location"] == first.headers["Location"]
    reused = create(client, {**body, "region": "eu-west-1"}, key="abc")
    assert reused.status_code == 422
    assert reused.json["error"]["code"] == "idempotency_key_reused"
    # The body field is an alias for the header.
    alias = create(client, {**body, "idempotency_key": "abc"})
    assert alias.status_code == 200 and alias.json["job_id"] == first.json["job_id"]
    assert len(dispatcher.dispatched) == 1


def test_twenty_concurrent_identical_requests(app: Flask, upload_id, dispatcher) -> None:
    body = {"upload_id": upload_id, "region": "us-east-1"}

    def post(_: int):
        with app.test_client() as c:
            r = create(c, body, key="race-1")
            return r.status_code, r.json["job_id"]

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(post, range(20)))
    assert sorted(s for s, _ in results) == [200] * 19 + [202]
    assert len({j for _, j in results}) == 1
    assert len(dispatcher.dispatched) == 1


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        ({"region": "us-east-1"}, {}, 400, "validation_error"),
        ({"upload_id": "0" * 32, "region": "mars-1"}, {}, 400, "validation_error"),
        ({"upload_id": "0" * 32, "region": "us-east-1", "x": 1}, {}, 400, "validation_error"),
        ({"upload_id": "0" * 32, "region": "us-east-1"}, {}, 422, "upload_not_found"),
        ({"upload_id": "0" * 32, "region": "us-east-1"}, {"Idempotency-Key": ""}, 400,
         "invalid_idempotency_key"),
        ({"upload_id": "0" * 32, "region": "us-east-1"}, {"Idempotency-Key": "é"}, 400,
         "invalid_idempotency_key"),
        ({"upload_id": "0" * 32, "region": "us-east-1"}, {"Idempotency-Key": "k" * 256}, 400,
         "invalid_idempotency_key"),
    ],
)  # fmt: skip
def test_invalid_job_requests(client, body, headers, status, code) -> None:
    response = client.post("/api/v1/jobs", json=body, headers=headers)
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        (b"{", "application/json", 400, "invalid_json"),
        (b'{"upload_id": NaN}', "application/json", 400, "invalid_json"),
        (b'{"a": Infinity}', "application/json", 400, "invalid_json"),
        (b"[" * 20000 + b"]" * 20000, "application/json", 400, "invalid_json"),
        (b"{" * 100000, "application/json", 413, "payload_too_large"),
        (b"[1]", "application/json", 400, "invalid_json"),
        (b"upload_id=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ],
)
def test_malformed_bodies(client, data, content_type, status, code) -> None:
    response = client.post("/api/v1/jobs", data=data, content_type=content_type)
    assert response.status_code == status
    assert response.json["error"]["code"] == code


def test_publish_failure_rolls_back(client, upload_id, dispatcher) -> None:
    dispatcher.fail_with = OperationalError("broker down")
    response = create(client, {"upload_id": upload_id, "region": "us-east-1"}, key="pf")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "service_unavailable"
    assert client.get("/api/v1/jobs").json["items"] == []
    dispatcher.fail_with = None
    retried = create(client, {"upload_id": upload_id, "region": "us-east-1"}, key="pf")
    assert retried.status_code == 202


def test_list_jobs_pagination(client, upload_id) -> None:
    made = [create(client, {"upload_id": upload_id, "region": "us-east-1"}).json["job_id"]
            for _ in range(25)]  # fmt: skip
    seen, cursor = [], None
    while True:
        query = {"limit": 10} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/jobs", query_string=query).json
        seen.extend(item["job_id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))
    assert client.get("/api/v1/jobs").json["items"][0]["job_id"] == made[-1]
    assert len(client.get("/api/v1/jobs").json["items"]) == 20


@pytest.mark.parametrize(
    "query",
    [{"limit": 0}, {"limit": 101}, {"limit": "x"}, {"status": "DONE"}, {"cursor": "zz"},
     {"page": 2}],
)  # fmt: skip
def test_list_jobs_bad_query(client, query) -> None:
    response = client.get("/api/v1/jobs", query_string=query)
    assert response.status_code == 400
    assert response.json["error"]["code"] in {"validation_error", "invalid_cursor"}


def test_cancel_then_delete(client, upload_id) -> None:
    job = create(client, {"upload_id": upload_id, "region": "us-east-1"}).json
    url = f"/api/v1/jobs/{job['job_id']}"
    assert client.delete(url).status_code == 204
    assert client.get(url).json["status"] == "CANCELLED"
    assert client.get("/api/v1/jobs", query_string={"status": "CANCELLED"}).json["items"]
    assert client.delete(url).status_code == 204  # finished: now deleted
    gone = client.get(url)
    assert gone.status_code == 404 and gone.json["error"]["code"] == "not_found"
    assert client.delete(url).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/nope", 404, "not_found"),
        ("get", "/api/v1/jobs/00000000-0000-0000-0000-000000000000", 404, "not_found"),
        ("get", "/api/v1/jobs/../../etc", 404, "not_found"),
        ("put", "/api/v1/jobs", 405, "method_not_allowed"),
        ("patch", "/health", 405, "method_not_allowed"),
    ],
)
def test_errors_are_json(client, method, path, status, code) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.json["error"]["code"] == code
    assert response.json["error"]["request_id"] == response.headers["X-Request-ID"]


def test_request_id_is_echoed_only_when_safe(client) -> None:
    assert (
        client.get("/health", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
        == "abc-123"
    )
    replaced = client.get("/health", headers={"X-Request-ID": "bad id\x7f<script>"})
    assert replaced.headers["X-Request-ID"] != "bad id\x7f<script>"
    assert len(replaced.headers["X-Request-ID"]) == 32
