"""The tfquote gateway: a thin Flask API that validates, stores and enqueues.

It computes nothing and extracts nothing: uploads are streamed to ``DATA_DIR``, jobs
are written to Redis (the system of record) and published to the workers by task
name. `create_app` builds everything; importing this package builds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from tfquote.settings import Settings


def create_app(
    config: Mapping[str, Any] | None = None,
    *,
    settings: Settings | None = None,
    dispatcher: Any = None,
    resource_types: Any = None,
) -> Flask:
    """Build the gateway app.

    `config` overrides settings by name (``{"REDIS_URL": ..., "DATA_DIR": ...}``);
    `dispatcher` replaces the Celery dispatcher (tests pass a recording fake);
    `resource_types` replaces the engine client of ``/api/v1/resource-types``.
    """
    from gateway import (
        auth,
        cors,
        docs,
        health,
        jobs,
        limits,
        ratelimit,
        requestlog,
        ui,
        uploads,
    )
    from gateway import (
        resource_types as resource_types_api,
    )
    from gateway.dispatch import CeleryJobDispatcher
    from gateway.errors import enforce_request_limits, register_error_handlers
    from gateway.services import Services
    from gateway.streaming import UploadRequest
    from tfquote.connections import redis_client
    from tfquote.jobs import JobStore
    from tfquote.logs import configure_logging
    from tfquote.uploads import UploadStore
    from tfquote.webhooks import WebhookStore

    if settings is None:
        settings = Settings.from_env(overrides=config)
    settings.validate_auth()

    app = Flask(__name__)
    app.request_class = UploadRequest
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # A cheap early stop for oversized bodies; the exact per-upload budget is enforced
    # byte by byte while streaming (multipart framing adds a little on top).
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes + 1024 * 1024
    if config:
        app.config.update({k: v for k, v in config.items() if k.isupper()})

    configure_logging(settings.log_level, settings.log_format, service="gateway")

    client = redis_client(settings.redis_url, timeout=settings.redis_socket_timeout)
    app.extensions["tfquote"] = Services(
        settings=settings,
        redis=client,
        jobs=JobStore(client, ttl_seconds=settings.job_ttl_seconds),
        uploads=UploadStore(
            client, data_dir=settings.data_dir, ttl_seconds=settings.job_ttl_seconds
        ),
        dispatcher=dispatcher or CeleryJobDispatcher(settings),
        resource_types=resource_types
        or resource_types_api.EngineResourceTypes(settings.engine_url),
        webhooks=WebhookStore(client),
    )
    settings.uploads_dir.mkdir(parents=True, exist_ok=True)

    register_error_handlers(app)
    requestlog.init_app(app)
    # Before authentication: an oversized token is refused as too large, not as invalid.
    app.before_request(enforce_request_limits)
    auth.init_app(app, settings)
    cors.init_app(app, settings)
    app.register_blueprint(health.bp)
    app.register_blueprint(uploads.bp)
    app.register_blueprint(jobs.bp)
    app.register_blueprint(resource_types_api.bp)
    app.register_blueprint(limits.bp)
    app.register_blueprint(docs.bp)  # /openapi.json, /docs (Swagger UI), /redoc
    app.register_blueprint(ui.bp)  # / -> /ui/, the web page (static assets, one app shell)
    ratelimit.init_app(app, settings)
    return app
