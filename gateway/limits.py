"""``GET /api/v1/limits``: the sizes this deployment accepts, so a client can refuse what
would be refused before sending it.

A browser that starts sending a 200 MB upload to a gateway whose limit is 100 MiB gets
the ``413`` early, and the gateway closes the connection on the unread rest of the body:
Chromium then reports a network error about one time in five instead of the 413 (measured
while building the web page, issue 15). Knowing the limit, the page refuses the file
itself and nothing is sent. The numbers are read from the settings and the shared rule
modules (the same ones the gateway and the workers enforce); nothing is computed.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from gateway.jsonbody import MAX_JSON_BYTES
from gateway.services import services
from gateway.streaming import UploadRequest
from tfquote import options as job_options
from tfquote.archives import DEFAULT_LIMITS

bp = Blueprint("limits", __name__, url_prefix="/api/v1/limits")


@bp.get("")
def get_limits() -> Response:
    settings = services().settings
    return jsonify(
        {
            "max_upload_bytes": settings.max_upload_bytes,
            "max_upload_parts": UploadRequest.max_form_parts,
            "max_json_body_bytes": MAX_JSON_BYTES,
            "archive": {
                "max_entries": DEFAULT_LIMITS.max_entries,
                "max_total_bytes": DEFAULT_LIMITS.max_total_bytes,
                "max_depth": DEFAULT_LIMITS.max_depth,
            },
            "options": {
                "max_var_files": job_options.MAX_VAR_FILES,
                "max_variables": job_options.MAX_VARIABLES,
                "max_bytes": job_options.MAX_OPTIONS_BYTES,
            },
        }
    )
