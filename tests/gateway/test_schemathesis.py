"""Schemathesis against the gateway, in process (WSGI), with a real Redis.

The app serves its own document at ``/openapi.json`` and schemathesis loads it from there
(`schemathesis.openapi.from_wsgi`). For every operation it generates valid and invalid
requests and checks each answer: no 5xx, a documented status code, a body that matches the
documented schema, the documented content type and headers, and invalid input refused.
Then a short stateful run follows the document's links (upload -> job -> read / cancel).

Auth is off and the rate limits are out of reach (both have their own tests), except for
one pass with auth on and a valid token, which also checks that every /api/v1 operation
refuses a request without one. The dispatcher is the recording fake; Redis has a database
of its own (flushed first).

Bounded and reproducible: a few examples per operation, derandomized. For a deeper local
run: ``FUZZ_EXAMPLES=300 FUZZ_RANDOM=1 pytest tests/gateway/test_schemathesis.py``.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.generation import GenerationMode

from gateway import create_app
from gateway.auth import mint_token
from gateway.dispatch import RecordingJobDispatcher
from gateway.openapi import build_spec
from gateway.resource_types import StaticResourceTypes
from tests.gateway.conftest import RESOURCE_TYPES

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

REDIS_DB = 5
SECRET = "s" * 40
TF = b'resource "aws_s3_bucket" "b" {}\n'
UPLOAD_ID = re.compile(r"[0-9a-f]{32}")

# What must hold for every answer. Not run: `positive_data_acceptance` (a schema-valid
# request may still be refused for a documented business reason, e.g. 422
# upload_not_found) and, with auth off, `ignored_auth`.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]
SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "12")),
    deadline=None,
    derandomize=not os.environ.get("FUZZ_RANDOM"),  # the same cases every run
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: keep the run short
    suppress_health_check=list(HealthCheck),
)

# (path, method) of every documented operation, for one test per operation.
OPERATIONS = [
    pytest.param(path, method, id=f"{method.upper()} {path}")
    for path, item in build_spec()["paths"].items()
    for method in item
    if method != "parameters"
]
API_OPERATIONS = [p for p in OPERATIONS if str(p.values[0]).startswith("/api/")]


def _config(url: str, data: Path, **extra: str) -> dict[str, Any]:
    return {
        "REDIS_URL": url,
        "DATA_DIR": str(data),
        "MAX_UPLOAD_BYTES": 64 * 1024,
        "AUTH_ENABLED": "false",
        "RATE_LIMIT_READS": "10000000/minute",
        "RATE_LIMIT_JOBS": "10000000/minute",
        "RATE_LIMIT_UPLOADS": "10000000/minute",
        **extra,
    }


def reseed(app: Flask, headers: dict[str, str] | None = None) -> str:
    """Empty the database and upload one real file, whose id lets generated job requests
    get past 422 upload_not_found. Returns the upload id."""
    app.extensions["tfquote"].redis.flushdb()
    response = app.test_client().post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(TF), "main.tf")},
        content_type="multipart/form-data",
        headers=headers or {},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    upload_id: str = response.get_json()["upload_id"]
    return upload_id


@pytest.fixture(scope="module")
def redis_db(redis_url: str) -> Iterator[str]:
    url = f"{redis_url.rsplit('/', 1)[0]}/{REDIS_DB}"
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture(scope="module")
def fuzzed_app(redis_db: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    app = create_app(
        _config(redis_db, tmp_path_factory.mktemp("fuzz-data")),
        dispatcher=RecordingJobDispatcher(),
        resource_types=StaticResourceTypes(RESOURCE_TYPES),
    )
    reseed(app)
    return app


@pytest.fixture(scope="module")
def gateway_schema(fuzzed_app: Flask) -> Any:
    loaded = schemathesis.openapi.from_wsgi("/openapi.json", fuzzed_app)
    # Auth is off: a request without `Authorization` is expected to pass, so neither send
    # nor (in negative cases) leave out the bearer security parameter.
    loaded.config.generation.update(with_security_parameters=False)
    return loaded


def _with_upload(case: Any, upload_id: str) -> Any:
    """Point a generated job request at the real upload. Only a well-formed id is
    replaced: a negative case whose invalid part is the id must stay invalid."""
    body = case.body
    current = body.get("upload_id") if isinstance(body, dict) else None
    if isinstance(current, str) and UPLOAD_ID.fullmatch(current):
        body["upload_id"] = upload_id
    return case


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_operation_conforms(gateway_schema: Any, path: str, method: str) -> None:
    operation = gateway_schema[path][method.upper()]
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=strategy)
    @SETTINGS
    def run(case: Any) -> None:
        case.call_and_validate(checks=CHECKS)

    run()


def test_job_creation_with_a_real_upload(gateway_schema: Any, fuzzed_app: Flask) -> None:
    """Valid bodies naming a real upload get past 422: 202, idempotent 200 replays, 422
    key reuse, 400 key mismatches - each answer checked against the document."""
    upload_id = reseed(fuzzed_app)
    strategy = (
        gateway_schema["/api/v1/jobs"]["POST"]
        .as_strategy(GenerationMode.POSITIVE)
        .map(lambda case: _with_upload(case, upload_id))
    )
    statuses: set[int] = set()

    @given(case=strategy)
    @SETTINGS
    def run(case: Any) -> None:
        statuses.add(case.call_and_validate(checks=CHECKS).status_code)

    run()
    assert 202 in statuses


def test_stateful_links(gateway_schema: Any, fuzzed_app: Flask) -> None:
    """Follow the document's links (createUpload -> getUpload / createJob, createJob ->
    getJob / deleteJob) and the ones schemathesis infers, with the seeded upload standing
    in for generated upload ids."""
    base = gateway_schema.as_state_machine()

    class GatewayStateMachine(base):  # type: ignore[valid-type, misc]
        upload_id = ""

        def setup(self) -> None:
            # Every scenario starts from the same state, so Hypothesis can replay one.
            self.upload_id = reseed(fuzzed_app)

        def before_call(self, case: Any) -> None:
            if case.operation.path == "/api/v1/jobs" and case.method.upper() == "POST":
                _with_upload(case, self.upload_id)

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            # Not `use_after_free`: DELETE of a PENDING job cancels it (204) and a later
            # GET still answers 200 with status CANCELLED, as documented.
            case.validate_response(
                response,
                checks=[*CHECKS, checks.ensure_resource_availability],
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    GatewayStateMachine.run(settings=settings(SETTINGS, stateful_step_count=6))


@pytest.fixture(scope="module")
def auth_app(redis_db: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    app = create_app(
        _config(redis_db, tmp_path_factory.mktemp("fuzz-auth"), AUTH_ENABLED="true",
                JWT_SECRET=SECRET),
        dispatcher=RecordingJobDispatcher(),
        resource_types=StaticResourceTypes(RESOURCE_TYPES),
    )  # fmt: skip
    return app


@pytest.mark.parametrize(("path", "method"), API_OPERATIONS)
def test_operation_conforms_with_auth(auth_app: Flask, path: str, method: str) -> None:
    """Auth on: generated tokens are refused with a documented 401, a valid token gets
    through, and a request that got through is refused without its token (`ignored_auth`
    sends it again without)."""
    token = mint_token(auth_app.extensions["tfquote"].settings, "fuzzer")
    auth = {"Authorization": f"Bearer {token}"}
    upload_id = reseed(auth_app, auth)
    operation = schemathesis.openapi.from_wsgi("/openapi.json", auth_app)[path][method.upper()]
    cases = operation.as_strategy(GenerationMode.POSITIVE).map(
        lambda case: _with_upload(case, upload_id)
    )

    @given(case=cases, valid_token=st.booleans())
    @settings(SETTINGS, max_examples=max(4, SETTINGS.max_examples // 2))
    def run(case: Any, valid_token: bool) -> None:
        if valid_token:
            case.call_and_validate(headers=auth, checks=[*CHECKS, checks.ignored_auth])
        else:
            response = case.call_and_validate(checks=CHECKS)
            assert response.status_code == 401

    run()
