"""The gateway's OpenAPI 3.1 document, generated from the marshmallow schemas (apispec).

`build_spec` assembles it from `gateway.schemas` with apispec's MarshmallowPlugin: every
route of the API with its parameters, request body, headers and every status it can
answer, each error with the one envelope schema. It reads no settings and no app, so the
document is the same for every deployment (``servers`` is left out: clients use the
origin they fetched it from). Nothing is built at import time: `gateway.docs` builds it
once per app, when the app is created.

``docs/openapi.yaml`` is this document, committed; a test fails when it is stale.
Regenerate it with::

    python -m gateway openapi > docs/openapi.yaml
"""

from __future__ import annotations

import json
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

from gateway import schemas
from tfquote.uploads import ALLOWED_SUFFIXES

OPENAPI_VERSION = "3.1.0"
#: Version of the HTTP contract (not of the package): bump it when the document changes.
API_VERSION = "1.2.0"
TITLE = "tfquote gateway API"

_ERROR = {"$ref": "#/components/schemas/ErrorEnvelope"}
_REQUEST_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,128}$"

DESCRIPTION = """\
Upload Terraform (a ZIP or tar.gz, single `.tf` / `.tf.json` / `.tfvars` files, or a
`terraform show -json` plan), create an estimation job, poll it, read the result.

## Errors

Every error, including unknown routes (404), wrong methods (405) and oversized bodies
(413), is JSON with one shape: `{"error": {"code", "message", "request_id"}}`, plus
`details` for `validation_error`. The `code` is stable; the `message` is for people.
An unexpected failure is a `500 internal_error` with the same envelope.

## Authentication

With `AUTH_ENABLED=true` every `/api/v1` route needs `Authorization: Bearer <JWT>`
(`401` otherwise, with `WWW-Authenticate`); the token's subject is the tenant that owns
the uploads and jobs. `/health*`, `/openapi.json`, `/openapi.yaml`, `/docs`, `/redoc`
and the web page (`/`, `/ui/...`: its shell and assets; it asks for a token for the API)
stay open. With `AUTH_ENABLED=false` (local use) every caller is the same tenant.

## Rate limits

Uploads, job creation and reads are limited per tenant (or client address); a breach is
`429 rate_limited` with `Retry-After`. Limited routes send `X-RateLimit-Limit`,
`X-RateLimit-Remaining` and `X-RateLimit-Reset` on every response.

## Idempotency

`POST /api/v1/jobs` with an `Idempotency-Key` header (or the `idempotency_key` body field)
creates the job once: a retry with the same key and body answers `200` with the same job,
the same key with a different body `422 idempotency_key_reused`.

## Request ids

Send `X-Request-ID` (1-128 of `A-Z a-z 0-9 . _ : -`) to correlate logs; otherwise one is
generated. It is echoed on every response and in every error body.
"""


# --- helpers ----------------------------------------------------------------------------


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _headers(*names: str) -> dict[str, Any]:
    return {name: _ref("headers", name) for name in ("X-Request-ID", *names)}


def _json(schema_name: str) -> dict[str, Any]:
    return {"application/json": {"schema": _ref("schemas", schema_name)}}


def _ok(description: str, schema_name: str, *headers: str, **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "headers": _headers(*headers),
        "content": _json(schema_name),
        **extra,
    }


def _error(description: str, *codes: str, headers: tuple[str, ...] = ()) -> dict[str, Any]:
    listed = ", ".join(f"`{code}`" for code in codes)
    example = {
        "error": {
            "code": codes[0],
            "message": description.split(";")[0],
            "request_id": "6f1c0a3e9b2d4f5a8c7e1d2b3a4f5e6d",
        }
    }
    return {
        "description": f"{description} (code: {listed})",
        "headers": _headers(*headers),
        "content": {"application/json": {"schema": _ERROR, "example": example}},
    }


def _with_common(responses: dict[str, Any], *common: str) -> dict[str, Any]:
    merged = dict(responses)
    for status in common:
        merged[status] = _ref("responses", _COMMON_RESPONSES[status])
    return dict(sorted(merged.items()))


_COMMON_RESPONSES = {
    "401": "Unauthorized",
    "404": "NotFound",
    "429": "RateLimited",
    "503": "ServiceUnavailable",
}


# --- components -------------------------------------------------------------------------


def _schema_components(plugin: MarshmallowPlugin) -> dict[str, type[Schema] | dict[str, Any]]:
    """Schemas by component name; request schemas get what their validators check in code."""
    converter = plugin.converter
    assert converter is not None  # set by APISpec(plugins=[plugin])

    job_create = converter.schema2jsonschema(schemas.JobCreateSchema)
    props = job_create["properties"]
    props["region"].update(
        pattern=schemas.AWS_REGION.pattern,
        description="AWS region code",
        examples=["us-east-1"],
    )
    props["idempotency_key"].update(
        minLength=1,
        maxLength=255,
        pattern=schemas.IDEMPOTENCY_KEY.pattern,
        description="same as the Idempotency-Key header (which wins if both are sent, and "
        "they must then be equal)",
        examples=["deploy-42"],
    )
    props["upload_id"]["description"] = "from `POST /api/v1/uploads`"

    return {
        # Leaves first: a nested schema registered earlier is referenced by its name.
        "ErrorBody": schemas.ErrorBodySchema,
        "ErrorEnvelope": schemas.ErrorEnvelopeSchema,
        "UploadedFile": schemas.UploadedFileSchema,
        "Upload": schemas.UploadSchema,
        "JobCreateRequest": job_create,
        "JobError": schemas.JobErrorSchema,
        "WebhookStatus": schemas.WebhookStatusSchema,
        "InventoryResource": schemas.InventoryResourceSchema,
        "InventorySummary": schemas.InventorySummarySchema,
        "InventoryUnknown": schemas.InventoryUnknownSchema,
        "EstimateResult": schemas.EstimateResultSchema,
        "Job": schemas.JobSchema,
        "JobList": schemas.JobListSchema,
        "UsageKey": schemas.UsageKeySchema,
        "ResourceType": schemas.ResourceTypeSchema,
        "ResourceTypeList": schemas.ResourceTypeListSchema,
        "ArchiveLimits": schemas.ArchiveLimitsSchema,
        "OptionLimits": schemas.OptionLimitsSchema,
        "Limits": schemas.LimitsSchema,
        "Health": schemas.HealthSchema,
        "Readiness": schemas.ReadinessSchema,
    }


def _upload_form(plugin: MarshmallowPlugin) -> dict[str, Any]:
    assert plugin.converter is not None
    form: dict[str, Any] = plugin.converter.schema2jsonschema(schemas.UploadFormSchema)
    form["properties"] = {
        "file": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "format": "binary"},
            "description": "one or more files, each with a filename ending in "
            + ", ".join(f"`{s}`" for s in ALLOWED_SUFFIXES)
            + "; names are sanitized and must be unique (case-insensitively)",
        },
        **form["properties"],
    }
    form["properties"]["project_name"] = {
        **_not_null(form["properties"]["project_name"]),
        "description": "a label for the upload",
        "examples": ["demo"],
    }
    form["required"] = ["file"]
    return form


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A form field or query parameter is a string or absent, never JSON null."""
    cleaned = {k: v for k, v in schema.items() if not (k == "default" and v is None)}
    if isinstance(cleaned.get("type"), list):
        types = [t for t in cleaned["type"] if t != "null"]
        cleaned["type"] = types[0] if len(types) == 1 else types
    if "enum" in cleaned:
        cleaned["enum"] = [v for v in cleaned["enum"] if v is not None]
    return cleaned


def _report_query(plugin: MarshmallowPlugin) -> list[dict[str, Any]]:
    assert plugin.converter is not None
    parameters: list[dict[str, Any]] = plugin.converter.schema2parameters(
        schemas.ReportQuerySchema, location="query"
    )
    return [{**p, "schema": _not_null(p["schema"])} for p in parameters]


def _list_query(plugin: MarshmallowPlugin) -> list[dict[str, Any]]:
    assert plugin.converter is not None
    parameters: list[dict[str, Any]] = plugin.converter.schema2parameters(
        schemas.JobListQuerySchema, location="query"
    )
    descriptions = {
        "limit": "page size",
        "cursor": "`next_cursor` of the previous page",
        "status": "only jobs in this state",
    }
    return [
        {**p, "schema": _not_null(p["schema"]), "description": descriptions[p["name"]]}
        for p in parameters
    ]


_HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "the request id: the caller's X-Request-ID when it is safe, else a "
        "generated one",
        "required": True,
        "schema": {"type": "string", "pattern": _REQUEST_ID_PATTERN},
    },
    "Location": {
        "description": "where to read the job",
        "required": True,
        "schema": {"type": "string", "format": "uri-reference"},
    },
    "Retry-After": {
        "description": "seconds to wait before retrying",
        "schema": {"type": "integer", "minimum": 0},
    },
    "X-RateLimit-Limit": {
        "description": "requests allowed in the window",
        "schema": {"type": "integer", "minimum": 0},
    },
    "X-RateLimit-Remaining": {
        "description": "requests left in the window",
        "schema": {"type": "integer", "minimum": 0},
    },
    "X-RateLimit-Reset": {
        "description": "when the window resets (Unix time, seconds)",
        "schema": {"type": "integer", "minimum": 0},
    },
    "WWW-Authenticate": {
        "description": 'the Bearer challenge, e.g. `Bearer error="invalid_token"`',
        "required": True,
        "schema": {"type": "string"},
    },
}

_PARAMETERS: dict[str, dict[str, Any]] = {
    "XRequestId": {
        "name": "X-Request-ID",
        "in": "header",
        "required": False,
        "description": "your correlation id; echoed back. Any value is accepted, but one "
        "that is not 1-128 characters of `A-Z a-z 0-9 . _ : -` is replaced by a generated id",
        "schema": {"type": "string"},
    },
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "makes retries safe: the first request with a key creates the job; "
        "the same key and body again answers 200 with that job; the same key with a "
        "different body is 422 idempotency_key_reused. Scoped per tenant",
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255,
            "pattern": schemas.IDEMPOTENCY_KEY.pattern,
        },
        "example": "deploy-42",
    },
    "JobId": {
        "name": "job_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "format": "uuid"},
        "description": "the job id (also the Celery task id)",
    },
    "UploadId": {
        "name": "upload_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
    },
}

_RESPONSES: dict[str, dict[str, Any]] = {
    "Unauthorized": _error(
        "missing, malformed, expired or otherwise invalid bearer token (only with "
        "AUTH_ENABLED=true)",
        "unauthorized",
        "invalid_token",
        headers=("WWW-Authenticate",),
    ),
    "NotFound": _error("no such resource, or it belongs to another tenant", "not_found"),
    "RateLimited": _error(
        "rate limit exceeded; retry after Retry-After seconds",
        "rate_limited",
        headers=("Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"),
    ),
    "ServiceUnavailable": _error(
        "Redis or the job queue is unreachable; retry (the gateway recovers by itself)",
        "service_unavailable",
        headers=("Retry-After",),
    ),
}


# --- operations -------------------------------------------------------------------------

_API = ("401", "429", "503")  # every /api/v1 route can answer these


def _paths(
    upload_form: dict[str, Any],
    query: list[dict[str, Any]],
    report_query: list[dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    job_links = {
        "GetJob": {
            "operationId": "getJob",
            "parameters": {"job_id": "$response.body#/job_id"},
            "description": "read the job (poll until COMPLETED or FAILED)",
        },
        "CancelJob": {
            "operationId": "deleteJob",
            "parameters": {"job_id": "$response.body#/job_id"},
            "description": "cancel the job, or delete it once finished",
        },
    }
    return {
        "/api/v1/uploads": {
            "post": {
                "operationId": "createUpload",
                "tags": ["uploads"],
                "summary": "Upload Terraform files",
                "description": "Stream one or more files to the gateway's data directory "
                "(hashed while written). The upload is kept for JOB_TTL_SECONDS and while a "
                "job uses it.",
                "requestBody": {
                    "required": True,
                    "content": {"multipart/form-data": {"schema": upload_form}},
                },
                "responses": _with_common(
                    {
                        "201": _ok(
                            "the upload",
                            "Upload",
                            links={
                                "GetUpload": {
                                    "operationId": "getUpload",
                                    "parameters": {"upload_id": "$response.body#/upload_id"},
                                },
                                "CreateJob": {
                                    "operationId": "createJob",
                                    "requestBody": {
                                        "upload_id": "$response.body#/upload_id",
                                        "region": "us-east-1",
                                    },
                                },
                            },
                        ),
                        "400": _error(
                            "the multipart body is malformed or a field is invalid",
                            "validation_error",
                            "missing_file",
                            "missing_filename",
                            "missing_boundary",
                            "malformed_multipart",
                        ),
                        "413": _error(
                            "the upload is larger than MAX_UPLOAD_BYTES", "payload_too_large"
                        ),
                        "415": _error(
                            "the body is not multipart/form-data", "unsupported_media_type"
                        ),
                        "422": _error(
                            "a file is not acceptable",
                            "unsupported_file_type",
                            "empty_file",
                            "duplicate_filename",
                        ),
                    },
                    *_API,
                ),
            }
        },
        "/api/v1/uploads/{upload_id}": {
            "parameters": ["UploadId"],
            "get": {
                "operationId": "getUpload",
                "tags": ["uploads"],
                "summary": "Read an upload",
                "responses": _with_common({"200": _ok("the upload", "Upload")}, "404", *_API),
            },
        },
        "/api/v1/jobs": {
            "post": {
                "operationId": "createJob",
                "tags": ["jobs"],
                "summary": "Create an estimation job",
                "description": "Create a job for an upload and queue it. Send an "
                "Idempotency-Key to make retries safe; without one every request makes a "
                "new job.",
                "parameters": ["IdempotencyKey"],
                "requestBody": {
                    "required": True,
                    "content": _json("JobCreateRequest"),
                },
                "responses": _with_common(
                    {
                        "200": _ok(
                            "an earlier request with this Idempotency-Key and the same body "
                            "made this job",
                            "Job",
                            "Location",
                            links=job_links,
                        ),
                        "202": _ok(
                            "the job was created and queued",
                            "Job",
                            "Location",
                            links=job_links,
                        ),
                        "400": _error(
                            "the body or the Idempotency-Key is invalid; or an option names "
                            "what cannot be used: a compare_to job that is unknown, of "
                            "another tenant or not COMPLETED, a webhook_url this deployment "
                            "refuses (http, a private address)",
                            "validation_error",
                            "invalid_json",
                            "invalid_idempotency_key",
                            "invalid_option",
                        ),
                        "413": _error("the JSON body is over 80 KiB", "payload_too_large"),
                        "415": _error("the body is not application/json", "unsupported_media_type"),
                        "422": _error(
                            "the upload does not exist (for this tenant), or the "
                            "Idempotency-Key was used with a different body",
                            "upload_not_found",
                            "idempotency_key_reused",
                        ),
                    },
                    *_API,
                ),
            },
            "get": {
                "operationId": "listJobs",
                "tags": ["jobs"],
                "summary": "List jobs, newest first",
                "parameters": query,
                "responses": _with_common(
                    {
                        "200": _ok("a page of jobs", "JobList"),
                        "400": _error(
                            "a query parameter is unknown or invalid",
                            "validation_error",
                            "invalid_cursor",
                        ),
                    },
                    *_API,
                ),
            },
        },
        "/api/v1/jobs/{job_id}": {
            "parameters": ["JobId"],
            "get": {
                "operationId": "getJob",
                "tags": ["jobs"],
                "summary": "Read a job",
                "responses": _with_common({"200": _ok("the job", "Job")}, "404", *_API),
            },
            "delete": {
                "operationId": "deleteJob",
                "tags": ["jobs"],
                "summary": "Cancel or delete a job",
                "description": "A PENDING or RUNNING job becomes CANCELLED (it is never "
                "submitted downstream afterwards). A finished job is deleted with its files; "
                "a later GET answers 404.",
                "responses": _with_common(
                    {"204": {"description": "cancelled or deleted", "headers": _headers()}},
                    "404",
                    *_API,
                ),
            },
        },
        "/api/v1/jobs/{job_id}/report": {
            "parameters": ["JobId"],
            "get": {
                "operationId": "getJobReport",
                "tags": ["jobs"],
                "summary": "A finished job's report, for people",
                "description": "`table`: the breakdown as Infracost's CLI prints it (plain "
                "text). `markdown` (the default): a pull-request comment, under 65,536 "
                "characters (cut between sections or table rows, with a note). `html`: one "
                "self-contained page (inline CSS and SVG, no script). `json`: the Infracost "
                "document. Every format shows the diff and the budget verdict when the job has "
                "them.",
                "parameters": report_query,
                "responses": _with_common(
                    {
                        "200": {
                            "description": "the report",
                            "headers": _headers(),
                            "content": {
                                "text/plain": {"schema": {"type": "string"}},
                                "text/markdown": {"schema": {"type": "string"}},
                                "text/html": {"schema": {"type": "string"}},
                                "application/json": {"schema": {"type": "object"}},
                            },
                        },
                        "400": _error("`format` is not one of the four", "validation_error"),
                        "409": _error(
                            "the job is not COMPLETED; `details.status` says what it is",
                            "job_not_completed",
                        ),
                    },
                    "404",
                    *_API,
                ),
            },
        },
        "/api/v1/resource-types": {
            "get": {
                "operationId": "listResourceTypes",
                "tags": ["jobs"],
                "summary": "Resource types the engine prices, with their usage keys",
                "description": "Every priced and free resource type of the configured engine: "
                "its usage schema (the usage-file keys it honours, with type, unit and "
                "description) and notes. Asked of the engine and cached for a few minutes.",
                "responses": _with_common(
                    {"200": _ok("the supported resource types", "ResourceTypeList")}, *_API
                ),
            }
        },
        "/api/v1/limits": {
            "get": {
                "operationId": "getLimits",
                "tags": ["uploads"],
                "summary": "What this deployment accepts: upload size, archive and option limits",
                "description": "Check a file against `max_upload_bytes` before sending it: a "
                "client that sends an oversized body may see the connection closed under it "
                "instead of the 413.",
                "responses": _with_common({"200": _ok("the limits", "Limits")}, *_API),
            }
        },
        "/health": {"get": _liveness("health")},
        "/health/live": {"get": _liveness("healthLive")},
        "/health/ready": {
            "get": {
                "operationId": "healthReady",
                "tags": ["health"],
                "summary": "Readiness: Redis and the broker answer",
                "security": [],
                "responses": {
                    "200": _ok("ready", "Readiness"),
                    "503": _ok("not ready; `checks` and `error` say what failed", "Readiness"),
                },
            }
        },
    }


def _liveness(operation_id: str) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "tags": ["health"],
        "summary": "Liveness: the process answers",
        "security": [],
        "responses": {"200": _ok("alive", "Health")},
    }


# --- the document -----------------------------------------------------------------------


def build_spec() -> dict[str, Any]:
    """A fresh OpenAPI document (a plain dict, JSON-ready, keys in document order)."""
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title=TITLE,
        version=API_VERSION,
        openapi_version=OPENAPI_VERSION,
        plugins=[plugin],
        info={
            "description": DESCRIPTION,
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        tags=[
            {"name": "uploads", "description": "Terraform uploads"},
            {"name": "jobs", "description": "estimation jobs"},
            {"name": "health", "description": "probes (never authenticated)"},
        ],
        security=[{"bearerAuth": []}],
    )
    spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "a JWT whose `sub` (or JWT_TENANT_CLAIM) names the tenant; "
            "required only when the gateway runs with AUTH_ENABLED=true",
        },
    )
    for name, schema in _schema_components(plugin).items():
        if isinstance(schema, dict):
            spec.components.schema(name, component=schema)
        else:
            spec.components.schema(name, schema=schema)
    for name, header in _HEADERS.items():
        spec.components.header(name, header)
    for name, parameter in _PARAMETERS.items():
        location = parameter["in"]
        spec.components.parameter(name, location, {k: v for k, v in parameter.items() if k != "in"})
    for name, response in _RESPONSES.items():
        spec.components.response(name, response)

    for path, item in _paths(
        _upload_form(plugin), _list_query(plugin), _report_query(plugin)
    ).items():
        shared = item.pop("parameters", None)
        operations = {method: dict(op) for method, op in item.items()}
        for operation in operations.values():
            operation["parameters"] = [
                *operation.get("parameters", []),
                "XRequestId",  # a component id: apispec turns it into a $ref
            ]
        spec.path(path=path, operations=operations, parameters=shared)
    # A JSON round trip: plain types only, and nothing of apispec's left in the result.
    document: dict[str, Any] = json.loads(json.dumps(spec.to_dict()))
    return _in_reading_order(document)


_TOP_ORDER = ("openapi", "info", "tags", "security", "paths", "components")
_OPERATION_ORDER = (
    "operationId",
    "tags",
    "summary",
    "description",
    "security",
    "parameters",
    "requestBody",
    "responses",
)


def _reorder(mapping: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    first = {key: mapping[key] for key in order if key in mapping}
    return {**first, **{k: v for k, v in mapping.items() if k not in first}}


def _in_reading_order(document: dict[str, Any]) -> dict[str, Any]:
    """Keys the way people read the document: path parameters before the operations,
    an operation's id and summary before its responses."""
    for path, item in document["paths"].items():
        ordered = _reorder(item, ("parameters",))
        for method, operation in ordered.items():
            if method != "parameters":
                ordered[method] = _reorder(operation, _OPERATION_ORDER)
        document["paths"][path] = ordered
    document["info"] = _reorder(document["info"], ("title", "version"))
    return _reorder(document, _TOP_ORDER)


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def to_yaml(document: dict[str, Any]) -> str:
    """The document as YAML (needs PyYAML), in document order, stable across runs."""
    import yaml

    class _Dumper(yaml.SafeDumper):  # type: ignore[misc]  # PyYAML has no type hints here
        pass

    def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        # Multi-line text (the API description) as a literal block, as it was written.
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Dumper.add_representer(str, _str)
    return str(
        yaml.dump(
            document,
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=False,
            width=100,
        )
    )
