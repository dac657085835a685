"""CORS for browser clients (flask-cors), from the origins in ``CORS_ORIGINS``.

Empty by default: no CORS headers at all, so browsers keep the API to its own origin.
With origins configured, preflight requests are answered (authentication lets
``OPTIONS`` through: a preflight never carries credentials) and the headers a client
of this API sends are allowed; the ones it needs to read are exposed.
"""

from __future__ import annotations

from flask import Flask
from flask_cors import CORS

from tfquote.settings import Settings

ALLOWED_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID")
EXPOSED_HEADERS = (
    "Location",
    "Retry-After",
    "X-Request-ID",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
)


def init_app(app: Flask, settings: Settings) -> None:
    if not settings.cors_origins:
        return
    CORS(
        app,
        origins=list(settings.cors_origins),
        methods=["GET", "POST", "DELETE"],
        allow_headers=list(ALLOWED_HEADERS),
        expose_headers=list(EXPOSED_HEADERS),
        # Bearer tokens travel in a header, not in cookies.
        supports_credentials=False,
        max_age=600,
    )
