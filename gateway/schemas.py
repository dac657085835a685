"""Request and response schemas (marshmallow). Unknown fields are errors (``RAISE``)."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates

# AWS region codes: us-east-1, eu-central-2, ap-southeast-4, us-gov-west-1,
# us-iso-east-1, us-isob-east-1, cn-north-1, il-central-1 ...
AWS_REGION = re.compile(r"^(?:[a-z]{2})(?:-gov|-iso[a-z]?)?-(?:[a-z]+)-\d{1,2}$")

IDEMPOTENCY_KEY = re.compile(r"^[\x20-\x7e]{1,255}$")

JOB_STATUSES = ("PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED")


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class JobCreateSchema(StrictSchema):
    upload_id = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{32}$"))
    region = fields.String(required=True)
    idempotency_key = fields.String(load_default=None)

    @validates("region")
    def _region(self, value: str, **_: Any) -> None:
        if not AWS_REGION.match(value):
            raise ValidationError("must be an AWS region code such as us-east-1")

    @validates("idempotency_key")
    def _key(self, value: str | None, **_: Any) -> None:
        if value is not None and not IDEMPOTENCY_KEY.match(value):
            raise ValidationError("must be 1-255 printable ASCII characters")


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
