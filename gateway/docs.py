"""The API's own documentation: ``/openapi.json``, ``/openapi.yaml``, ``/docs`` (Swagger UI)
and ``/redoc`` (ReDoc).

The OpenAPI document is built once per app, when `create_app` registers this blueprint
(see `gateway.openapi`). Both viewers are served from assets packaged in
``gateway/static/`` (see its README for versions and licences): the pages load nothing
from any other origin, and their Content-Security-Policy forbids it, so they work on a
machine with no internet.

The documentation stays open when authentication is on: the auth hook is told to let
this blueprint's endpoints through (`_exempt_from_auth`). Rate limits do not apply to it.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request, url_for
from flask.sansio.blueprints import BlueprintSetupState
from markupsafe import escape

from gateway.errors import NotFound
from gateway.openapi import build_spec, to_json, to_yaml

bp = Blueprint("docs", __name__, static_folder="static", static_url_path="/docs/static")

EXTENSION = "tfquote_openapi"

# No other origin for anything; inline styles only because both viewers set them from
# script (styled-components, React). ReDoc runs its search index in a blob: worker.
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
_CSP_REDOC = _CSP.replace("script-src 'self'", "script-src 'self'; worker-src blob:")

_SWAGGER_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Swagger UI</title>
<link rel="stylesheet" href="{static}swagger-ui/swagger-ui.css">
<link rel="icon" type="image/png" href="{static}swagger-ui/favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="{static}swagger-ui/favicon-16x16.png" sizes="16x16">
</head>
<body>
<div id="swagger-ui" data-spec-url="{spec_url}"></div>
<script src="{static}swagger-ui/swagger-ui-bundle.js"></script>
<script src="{static}swagger-init.js"></script>
</body>
</html>
"""

_REDOC_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - ReDoc</title>
<link rel="icon" href="data:,">
<style>body {{ margin: 0; padding: 0; }}</style>
</head>
<body>
<div id="redoc" data-spec-url="{spec_url}"></div>
<script src="{static}redoc/redoc.standalone.js"></script>
<script src="{static}redoc-init.js"></script>
</body>
</html>
"""


@dataclass
class OpenAPIDocument:
    """The app's OpenAPI document and its serialized forms (YAML made on first use)."""

    document: dict[str, Any]
    json_bytes: bytes
    etag: str
    _yaml: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls) -> OpenAPIDocument:
        document = build_spec()
        data = to_json(document).encode("utf-8")
        return cls(document=document, json_bytes=data, etag=hashlib.sha256(data).hexdigest())

    def yaml(self) -> str:
        with self._lock:
            if self._yaml is None:
                self._yaml = to_yaml(self.document)
            return self._yaml


def openapi_document(app: Flask | None = None) -> OpenAPIDocument:
    document: OpenAPIDocument = (app or current_app).extensions[EXTENSION]
    return document


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    state.app.extensions[EXTENSION] = OpenAPIDocument.build()


def _document_response(body: bytes | str, mimetype: str, etag: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.make_conditional(request)  # 304 for a matching If-None-Match
    return response


@bp.get("/openapi.json")
def openapi_json() -> Response:
    doc = openapi_document()
    return _document_response(doc.json_bytes, "application/json", doc.etag)


@bp.get("/openapi.yaml")
def openapi_yaml() -> Response:
    doc = openapi_document()
    try:
        text = doc.yaml()
    except ImportError:  # PyYAML is optional at run time; the JSON form always works
        raise NotFound("the YAML form needs PyYAML; use /openapi.json") from None
    return _document_response(text, "application/yaml", doc.etag + "-yaml")


def _page(template: str, csp: str) -> Response:
    static = url_for("docs.static", filename="")
    html = template.format(
        title=escape(openapi_document().document["info"]["title"]),
        static=escape(static),
        spec_url=escape(url_for("docs.openapi_json")),
    )
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/docs")
def swagger_ui() -> Response:
    return _page(_SWAGGER_PAGE, _CSP)


@bp.get("/redoc")
def redoc() -> Response:
    return _page(_REDOC_PAGE, _CSP_REDOC)
