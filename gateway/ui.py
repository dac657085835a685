"""The web page for people (issue 15): ``/ui/`` and its views, served as one app shell.

The page is a client of the public HTTP API like any other: plain ES modules and one
stylesheet in ``gateway/static/ui/`` (no build step, nothing from a CDN) that call
``/api/v1`` from the browser, with the caller's bearer token. This module only serves
them, and reads no job and computes nothing:

- ``/`` redirects to ``/ui/``;
- every view URL (``/ui/``, ``/ui/jobs``, ``/ui/jobs/{job_id}``,
  ``/ui/compare/{base_job_id}/{job_id}``) answers the same shell, so a view can be
  reloaded, bookmarked and shared; the page's router picks the view from the path. Any
  other ``/ui/...`` path answers the shell too, with a 404 status, and the page says
  "no such page" (never a blank page or a JSON body in the browser);
- ``/ui/static/...`` are the assets.

Every response here carries a strict Content-Security-Policy: scripts and styles from
this origin only (no inline script, no ``style`` attributes: the page styles through
classes and the CSSOM, which CSP allows), API calls to this origin only, no framing,
and Trusted Types required, so the page cannot put strings into ``innerHTML``. The
shell and the assets stay open when ``AUTH_ENABLED=true`` (they hold no data; the page
asks for a token and the API checks it): `gateway.auth` lets these paths through.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, request, url_for
from flask.sansio.blueprints import BlueprintSetupState
from markupsafe import escape
from werkzeug.wrappers import Response as WerkzeugResponse

STATIC_DIR = Path(__file__).resolve().parent / "static" / "ui"
EXTENSION = "tfquote_ui_shell"

bp = Blueprint("ui", __name__, static_folder=str(STATIC_DIR), static_url_path="/ui/static")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; "
    "require-trusted-types-for 'script'; trusted-types 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # CSP's frame-ancestors for browsers that predate it: the page has delete buttons.
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@bp.record_once
def _load_shell(state: BlueprintSetupState) -> None:
    # Read once per app, when create_app registers the blueprint (not at import time).
    state.app.extensions[EXTENSION] = (STATIC_DIR / "index.html").read_text("utf-8")


def _shell(status: int = 200) -> Response:
    template: str = current_app.extensions[EXTENSION]
    # Paths from url_for, so a gateway mounted under a prefix (SCRIPT_NAME) still works.
    html = template.format(
        static=escape(url_for("ui.static", filename="")),
        ui_base=escape(url_for("ui.new_estimate").rstrip("/")),
        api_base=escape(request.script_root + "/api/v1"),
    )
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.after_request
def _headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    if request.endpoint == "ui.static":
        # Revalidate every time (ETag / Last-Modified): the module URLs carry no version,
        # so a cached copy must never outlive an upgrade of the gateway.
        response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/")
def root() -> WerkzeugResponse:
    return redirect(url_for("ui.new_estimate"), code=302)


@bp.get("/ui/")
def new_estimate() -> Response:
    return _shell()


@bp.get("/ui/jobs")
def jobs() -> Response:
    return _shell()


@bp.get("/ui/jobs/<job_id>")
def job(job_id: str) -> Response:
    return _shell()


@bp.get("/ui/compare/<base_job_id>/<job_id>")
def compare(base_job_id: str, job_id: str) -> Response:
    return _shell()


@bp.get("/ui/<path:rest>")
def unknown(rest: str) -> Response:
    # The page shows "no such page" with links to the views; the status tells robots.
    return _shell(404)
