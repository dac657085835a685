"""``/api/v1/uploads``: stream Terraform files to disk and record them in Redis."""

from __future__ import annotations

import logging
import os
import shutil

from flask import Blueprint, Response, jsonify, request
from marshmallow import ValidationError
from werkzeug.datastructures import FileStorage

from gateway.errors import (
    BadRequest,
    NotFound,
    Unprocessable,
    UnsupportedMediaType,
    ValidationFailed,
)
from gateway.schemas import UploadFormSchema, instance
from gateway.services import services
from gateway.streaming import HashingSink, UploadRequest
from gateway.tenancy import current_tenant
from tfquote.archives import ArchiveError, inspect_archive
from tfquote.uploads import (
    ALLOWED_SUFFIXES,
    UploadedFile,
    allowed_suffix,
    is_archive,
    new_upload_id,
    sanitize_filename,
)

bp = Blueprint("uploads", __name__, url_prefix="/api/v1/uploads")
log = logging.getLogger(__name__)


def _parse_multipart() -> tuple[list[FileStorage], dict[str, str]]:
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("expected Content-Type: multipart/form-data")
    if not request.mimetype_params.get("boundary"):
        raise BadRequest("multipart body without a boundary", code="missing_boundary")
    try:
        files = request.files
        form = request.form
    except ValueError as exc:
        raise BadRequest(f"malformed multipart body: {exc}", code="malformed_multipart") from None
    unexpected = [name for name in files if name != "file"]
    if unexpected:
        raise ValidationFailed(
            "unknown file field", details={name: ["Unknown field."] for name in unexpected}
        )
    parts = files.getlist("file")
    if not parts:
        raise BadRequest("no 'file' part in the upload", code="missing_file")
    return parts, {key: form[key] for key in form}


@bp.post("")
def create_upload() -> tuple[Response, int]:
    parts, form = _parse_multipart()
    try:
        fields = instance(UploadFormSchema).load(form)
    except ValidationError as exc:
        raise ValidationFailed("invalid upload form", details=exc.messages) from None

    req: UploadRequest = request  # type: ignore[assignment]
    sinks: dict[int, HashingSink] = {id(s): s for s in getattr(req, "sinks", [])}
    accepted: list[tuple[HashingSink, str]] = []
    seen: set[str] = set()
    for part in parts:
        sink = sinks.get(id(part.stream))
        if sink is None:  # pragma: no cover - every file part comes from our factory
            raise BadRequest("file part was not streamed", code="malformed_multipart")
        name = sanitize_filename(part.filename)
        if not name:
            raise BadRequest("every file part needs a filename", code="missing_filename")
        if allowed_suffix(name) is None:
            raise Unprocessable(
                f"{name}: unsupported file type; allowed: {', '.join(ALLOWED_SUFFIXES)}",
                code="unsupported_file_type",
            )
        if name.lower() in seen:
            raise Unprocessable(f"{name}: uploaded twice", code="duplicate_filename")
        seen.add(name.lower())
        if sink.size == 0:
            raise Unprocessable(f"{name}: file is empty", code="empty_file")
        if is_archive(name):
            sink.close()
            # Directory only: no entry is decompressed or written here. The worker
            # applies the same rules again while extracting, counting real bytes.
            try:
                inspect_archive(sink.path)
            except ArchiveError as exc:
                raise Unprocessable(f"{name}: {exc.message}", code=exc.code) from None
        accepted.append((sink, name))

    svc = services()
    upload_id = new_upload_id()
    target = svc.uploads.directory(upload_id)
    target.mkdir(parents=True)
    try:
        records = []
        for sink, name in accepted:
            sink.close()
            os.replace(sink.path, target / name)
            records.append(UploadedFile(name=name, size=sink.size, sha256=sink.sha256))
        upload = svc.uploads.save(
            upload_id=upload_id,
            tenant=current_tenant(),
            project_name=fields.get("project_name"),
            files=records,
        )
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # leave nothing behind
        raise
    log.info(
        "upload stored",
        extra={
            "upload_id": upload_id,
            "files": len(records),
            "bytes": sum(r.size for r in records),
        },
    )
    return jsonify(upload.to_public()), 201


@bp.get("/<upload_id>")
def get_upload(upload_id: str) -> Response:
    upload = services().uploads.get(upload_id, tenant=current_tenant())
    if upload is None:
        raise NotFound("upload not found")
    return jsonify(upload.to_public())
