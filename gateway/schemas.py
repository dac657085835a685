"""Request and response schemas (marshmallow). Unknown fields are errors (``RAISE``)."""

from __future__ import annotations

import functools
import re
from typing import Any, TypeVar

from marshmallow import (
    EXCLUDE,
    INCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates,
    validates_schema,
)

from tfquote import options as job_options

# AWS region codes: us-east-1, eu-central-2, ap-southeast-4, us-gov-west-1,
# us-iso-east-1, us-isob-east-1, cn-north-1, il-central-1 ...
AWS_REGION = re.compile(r"^(?:[a-z]{2})(?:-gov|-iso[a-z]?)?-(?:[a-z]+)-\d{1,2}$")

IDEMPOTENCY_KEY = re.compile(r"^[\x20-\x7e]{1,255}$")

JOB_STATUSES = ("PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED")


S = TypeVar("S", bound=Schema)


@functools.cache
def instance(schema: type[S]) -> S:
    """The one instance of ``schema`` the views load with, made on first use. A
    marshmallow schema keeps no state between ``load`` calls (we use no ``context``), so
    threads share it; building one deep-copies its declared fields, ~30 µs a request."""
    return schema()


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


def _path_rule(value: str) -> None:
    problem = job_options.path_problem(value)
    if problem is not None:
        raise ValidationError(problem)


def _suffix_rule(suffixes: tuple[str, ...], what: str) -> Any:
    def check(value: str) -> None:
        if not value.endswith(suffixes):
            raise ValidationError(f"must be a {what} file")

    return check


def _decimal_rule(value: Any) -> None:
    problem = job_options.decimal_problem(value)
    if problem is not None:
        raise ValidationError(problem)


def _webhook_rule(value: str) -> None:
    problem = job_options.webhook_url_problem(value)
    if problem is not None:
        raise ValidationError(problem)


class BudgetSchema(StrictSchema):
    """``options.budget``: limits checked into ``result.policy`` (any subset)."""

    monthly_total_max = fields.Raw(
        validate=_decimal_rule,
        metadata={
            "description": "the estimate's total monthly cost at most this (a decimal string)",
            "example": "1000.00",
            "type": ["string", "number"],
        },
    )
    monthly_diff_max = fields.Raw(
        validate=_decimal_rule,
        metadata={
            "description": "the monthly change against the baseline (plan prior state or "
            "compare_to; without one, the whole estimate) at most this",
            "example": "50.00",
            "type": ["string", "number"],
        },
    )
    diff_percent_max = fields.Raw(
        validate=_decimal_rule,
        metadata={
            "description": "the monthly change as a percentage of the previous total at most "
            "this; an increase from nothing fails",
            "example": 10,
            "type": ["string", "number"],
        },
    )

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("must set at least one limit", "_schema")


class JobOptionsSchema(StrictSchema):
    """``options`` of a job: what Terraform's CLI flags and Infracost's options say."""

    root_module = fields.String(
        validate=_path_rule,
        metadata={
            "description": "folder inside the upload to plan from (default: every root "
            "module found, one project each)",
            "example": "examples/complete",
        },
    )
    var_files = fields.List(
        fields.String(
            validate=[
                _path_rule,
                _suffix_rule(job_options.VAR_FILE_SUFFIXES, ".tfvars or .tfvars.json"),
            ]
        ),
        validate=validate.Length(max=job_options.MAX_VAR_FILES),
        metadata={
            "description": "variable files in the upload, applied in order (like -var-file)",
            "example": ["envs/prod.tfvars"],
        },
    )
    variables = fields.Dict(
        keys=fields.String(
            validate=validate.Regexp(job_options.VARIABLE_NAME, error="not a valid variable name")
        ),
        values=fields.Raw(allow_none=True),
        validate=validate.Length(max=job_options.MAX_VARIABLES),
        metadata={
            "description": "variable values (like -var): any JSON value; a string for a "
            "variable of a complex type is read as an HCL expression, as Terraform reads -var",
            "example": {"instance_count": 3, "tags": {"team": "web"}},
        },
    )
    workspace = fields.String(
        validate=validate.Regexp(
            job_options.WORKSPACE_NAME,
            error="must be 1-90 letters, digits, '-', '_' or '.'",
        ),
        metadata={"description": "value of terraform.workspace", "example": "default"},
    )
    usage_file = fields.String(
        validate=[_path_rule, _suffix_rule(job_options.USAGE_FILE_SUFFIXES, ".yml or .yaml")],
        metadata={
            "description": "an Infracost usage file in the upload (default: "
            "infracost-usage.yml or *.usage.yml in the root module's folder)",
        },
    )
    usage = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        metadata={"description": "an Infracost usage document given inline (wins over files)"},
    )
    usage_preset = fields.String(
        validate=validate.OneOf(job_options.USAGE_PRESETS),
        metadata={
            "description": "fill every usage-based quantity that no usage file gives from "
            "Infracost's usage defaults (small / medium / large: about $5 / $10 / $20 a month "
            "per usage-based cost); components priced from it say `usageSource: preset:<name>`",
        },
    )

    compare_to = fields.String(
        validate=validate.Regexp(job_options.JOB_ID, error="must be a job id"),
        metadata={
            "description": "a COMPLETED job of yours to diff this estimate against, resource "
            "by resource (the base branch's job against the pull request's); checked at "
            "creation (`400 invalid_option`)",
            "format": "uuid",
        },
    )
    budget = fields.Nested(
        BudgetSchema,
        metadata={
            "description": "limits checked into `result.policy`; a failed budget is "
            "not a failed job"
        },
    )
    webhook_url = fields.String(
        validate=_webhook_rule,
        metadata={
            "description": "https URL POSTed a signed event (`X-Tfquote-Signature`) when the "
            "job finishes; http only with WEBHOOK_ALLOW_HTTP=true; private, loopback and "
            "link-local targets are refused unless WEBHOOK_ALLOW_PRIVATE=true",
            "example": "https://hooks.example.com/tfquote",
        },
    )

    @validates_schema
    def _size(self, data: dict[str, Any], **_: Any) -> None:
        if job_options.options_size(data) > job_options.MAX_OPTIONS_BYTES:
            raise ValidationError(
                f"must be at most {job_options.MAX_OPTIONS_BYTES} bytes as JSON", "_schema"
            )


class JobCreateSchema(StrictSchema):
    upload_id = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{32}$"))
    region = fields.String(required=True)
    idempotency_key = fields.String(load_default=None)
    options = fields.Nested(JobOptionsSchema, load_default=None)

    @validates("region")
    def _region(self, value: str, **_: Any) -> None:
        if not AWS_REGION.match(value):
            raise ValidationError("must be an AWS region code such as us-east-1")

    @validates("idempotency_key")
    def _key(self, value: str | None, **_: Any) -> None:
        if value is not None and not IDEMPOTENCY_KEY.match(value):
            raise ValidationError("must be 1-255 printable ASCII characters")


class ReportQuerySchema(StrictSchema):
    format = fields.String(
        load_default="markdown",
        validate=validate.OneOf(("table", "markdown", "html", "json")),
        metadata={
            "description": "table (text), markdown (a PR comment), html (one "
            "self-contained page) or json (the Infracost document)"
        },
    )


class JobListQuerySchema(StrictSchema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    cursor = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    status = fields.String(load_default=None, validate=validate.OneOf(JOB_STATUSES))


class UploadFormSchema(StrictSchema):
    project_name = fields.String(
        load_default=None,
        validate=[
            validate.Length(min=1, max=200),
            validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error="must not contain control characters"),
        ],
    )


class ErrorSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True)
    message = fields.String(required=True)
    request_id = fields.String(allow_none=True)


# --- Response schemas -------------------------------------------------------------------
# What the API answers, for the OpenAPI document (`gateway.openapi`) and its tests. The
# views build their bodies with ``to_public()``; these schemas describe those bodies and
# are never used to load requests. Response objects are closed (``RAISE`` ->
# ``additionalProperties: false``) so a new field is a deliberate change of the contract;
# the estimate result is open, because it is whatever the configured engine returns.

DATE_TIME = {"format": "date-time", "example": "2026-11-26T10:00:00.000Z"}


class ErrorBodySchema(ErrorSchema):
    """The object inside the error envelope."""

    class Meta:
        unknown = RAISE

    code = fields.String(
        required=True, metadata={"description": "stable, machine-readable error code"}
    )
    message = fields.String(
        required=True, metadata={"description": "human-readable explanation; may change"}
    )
    request_id = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "the request id, also sent as the X-Request-ID header"},
    )
    details = fields.Raw(
        metadata={
            "description": "more about the failure: for validation_error, the messages per "
            "field (`{field: [message, ...]}`)",
        }
    )


class ErrorEnvelopeSchema(StrictSchema):
    """Every error response: ``{"error": {"code", "message", "request_id"[, "details"]}}``."""

    error = fields.Nested(ErrorBodySchema, required=True)


class UploadedFileSchema(StrictSchema):
    name = fields.String(
        required=True, metadata={"description": "the sanitized file name", "example": "main.tf"}
    )
    size = fields.Integer(
        required=True, validate=validate.Range(min=1), metadata={"description": "bytes"}
    )
    sha256 = fields.String(
        required=True,
        validate=validate.Regexp(r"^[0-9a-f]{64}$"),
        metadata={"description": "hex SHA-256 of the stored bytes"},
    )


class UploadSchema(StrictSchema):
    upload_id = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{32}$"))
    files = fields.List(
        fields.Nested(UploadedFileSchema), required=True, validate=validate.Length(min=1)
    )
    project_name = fields.String(required=True, allow_none=True)
    created_at = fields.String(required=True, metadata=DATE_TIME)


class JobErrorSchema(StrictSchema):
    code = fields.String(
        required=True,
        metadata={
            "description": "why the job failed: no_terraform, upload_missing, an archive rule "
            "(path_traversal, link_entry, too_large, ...), the engine's own code "
            "(hcl_parse_error, not_a_plan, ...), engine_unavailable, engine_timeout, "
            "max_attempts_exceeded, job_timeout. On a PENDING or RUNNING job being retried: "
            "what ended the previous attempt (engine_unavailable, worker_lost, ...)",
            "example": "hcl_parse_error",
        },
    )
    message = fields.String(required=True)


class OpenSchema(Schema):
    """Documented fields, but others may appear (``additionalProperties: true``)."""

    class Meta:
        unknown = INCLUDE


class InventoryResourceSchema(OpenSchema):
    address = fields.String(metadata={"example": "aws_instance.web[0]"})
    type = fields.String(metadata={"example": "aws_instance"})
    name = fields.String(metadata={"example": "web"})
    mode = fields.String(validate=validate.OneOf(("managed", "data")))
    provider = fields.String(metadata={"example": "aws"})


class InventorySummarySchema(OpenSchema):
    resource_count = fields.Integer(validate=validate.Range(min=0))
    by_type = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_mode = fields.Dict(keys=fields.String(), values=fields.Integer())


class InventoryUnknownSchema(OpenSchema):
    address = fields.String()
    reason = fields.String()


class EstimateResultSchema(OpenSchema):
    """The engine's result, stored as returned. The reference engine returns this
    inventory; another engine plugged in with ``ENGINE_URL`` may return other fields."""

    region = fields.String(metadata={"example": "us-east-1"})
    source = fields.String(validate=validate.OneOf(("plan", "hcl")))
    resources = fields.List(fields.Nested(InventoryResourceSchema))
    summary = fields.Nested(InventorySummarySchema)
    unknowns = fields.List(fields.Nested(InventoryUnknownSchema))
    diff = fields.Dict(
        metadata={
            "description": "the change against the past (a plan's prior state, or the "
            "options.compare_to job): `source`, `base_job_id`, `pastTotalMonthlyCost`, "
            "`totalMonthlyCost`, `diffTotalMonthlyCost`, `diffPercent`, `summary` "
            "(added/removed/changed/replaced/unchanged), `headline`, and `resources` (per "
            "address: action and past/planned/diff hourly, monthly and usage costs)"
        }
    )
    policy = fields.Dict(
        metadata={
            "description": "the options.budget verdict: `{passed, checks: [{name, limit, "
            "actual, passed}]}`"
        }
    )


class WebhookStatusSchema(StrictSchema):
    event = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf(("job.completed", "job.failed", "job.cancelled")),
        metadata={"description": "the latest event (null until the job finishes)"},
    )
    attempts = fields.Integer(required=True, validate=validate.Range(min=0))
    last_status = fields.Integer(
        required=True, allow_none=True, metadata={"description": "the receiver's last HTTP status"}
    )
    delivered_at = fields.String(required=True, allow_none=True, metadata=DATE_TIME)


class JobSchema(StrictSchema):
    job_id = fields.String(required=True, metadata={"format": "uuid"})
    status = fields.String(required=True, validate=validate.OneOf(JOB_STATUSES))
    upload_id = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{32}$"))
    region = fields.String(required=True, metadata={"example": "us-east-1"})
    options = fields.Nested(
        JobOptionsSchema,
        required=True,
        metadata={"description": "the options the job was created with ({} when none)"},
    )
    created_at = fields.String(required=True, metadata=DATE_TIME)
    updated_at = fields.String(required=True, metadata=DATE_TIME)
    started_at = fields.String(required=True, allow_none=True, metadata=DATE_TIME)
    finished_at = fields.String(required=True, allow_none=True, metadata=DATE_TIME)
    attempts = fields.Integer(required=True, validate=validate.Range(min=0))
    error = fields.Nested(
        JobErrorSchema,
        required=True,
        allow_none=True,
        metadata={"description": "set when the job is FAILED"},
    )
    result = fields.Nested(
        EstimateResultSchema,
        required=True,
        allow_none=True,
        metadata={"description": "set when the job is COMPLETED"},
    )
    webhook = fields.Nested(
        WebhookStatusSchema,
        required=True,
        allow_none=True,
        metadata={
            "description": "delivery of the completion webhook (null without options.webhook_url)"
        },
    )


class JobListSchema(StrictSchema):
    items = fields.List(fields.Nested(JobSchema), required=True)
    next_cursor = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "pass as `cursor` for the next page; null on the last page"},
    )


class HealthSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(("ok",)))


class ReadinessSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(("ready", "unavailable")))
    checks = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={
            "description": "per dependency (redis, broker): `ok` or `error: <exception>`",
            "example": {"redis": "ok", "broker": "ok"},
        },
    )
    error = fields.Nested(
        ErrorBodySchema, metadata={"description": "present when status is unavailable"}
    )


class UsageKeySchema(OpenSchema):
    key = fields.String(metadata={"example": "monthly_requests"})
    type = fields.String(
        validate=validate.OneOf(("int", "float", "string", "bool", "object")),
        metadata={"example": "int"},
    )
    description = fields.String()
    unit = fields.String()
    choices = fields.List(fields.String())


class ResourceTypeSchema(OpenSchema):
    type = fields.String(metadata={"example": "aws_lambda_function"})
    priced = fields.Boolean()
    free = fields.Boolean()
    usage = fields.List(fields.Nested(UsageKeySchema))
    notes = fields.List(fields.String())


class ResourceTypeListSchema(OpenSchema):
    """What the engine supports (its answer to ``GET /v1/resource-types``)."""

    resource_types = fields.List(fields.Nested(ResourceTypeSchema))
    usage_presets = fields.List(fields.String(), metadata={"example": ["small", "medium", "large"]})


class ArchiveLimitsSchema(StrictSchema):
    max_entries = fields.Integer(
        required=True, metadata={"description": "members per archive", "example": 1000}
    )
    max_total_bytes = fields.Integer(
        required=True,
        metadata={"description": "bytes of all members, unpacked", "example": 52428800},
    )
    max_depth = fields.Integer(
        required=True, metadata={"description": "path components per member", "example": 16}
    )


class OptionLimitsSchema(StrictSchema):
    max_var_files = fields.Integer(required=True, metadata={"example": 64})
    max_variables = fields.Integer(required=True, metadata={"example": 256})
    max_bytes = fields.Integer(
        required=True, metadata={"description": "`options` as JSON", "example": 65536}
    )


class LimitsSchema(StrictSchema):
    """What this deployment accepts (``GET /api/v1/limits``)."""

    max_upload_bytes = fields.Integer(
        required=True,
        metadata={
            "description": "bytes per upload request (MAX_UPLOAD_BYTES); more is a 413",
            "example": 104857600,
        },
    )
    max_upload_parts = fields.Integer(
        required=True,
        metadata={"description": "multipart parts per upload (files and fields)", "example": 64},
    )
    max_json_body_bytes = fields.Integer(
        required=True, metadata={"description": "bytes of a JSON request body", "example": 81920}
    )
    archive = fields.Nested(
        ArchiveLimitsSchema,
        required=True,
        metadata={"description": "what an uploaded ZIP or tar.gz may hold"},
    )
    options = fields.Nested(OptionLimitsSchema, required=True)
