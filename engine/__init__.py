"""tfquote engine: the reference downstream estimation service (Flask, reached over HTTP).

Independent of the rest of tfquote (it never imports ``gateway``, ``workers`` or Celery). It
turns an uploaded Terraform bundle (HCL or a ``terraform show -json`` plan) into a resource
inventory and an offline AWS cost estimate (``result["estimate"]``, priced from the catalog in
``engine/data/``), with Redis-backed idempotency. Production: ``gunicorn 'engine:create_app()'``.

This module owns only the app factory: nothing is built at import time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import Flask

from engine.config import EngineSettings, MiB

if TYPE_CHECKING:
    from engine.faults import FaultInjector
    from engine.store import EstimateStore

__all__ = ["EngineSettings", "create_app"]


def create_app(
    config: Mapping[str, Any] | None = None,
    *,
    settings: EngineSettings | None = None,
    store: EstimateStore | None = None,
    fault_injector: FaultInjector | None = None,
) -> Flask:
    """Build the engine app.

    `config` overrides the environment by variable name (``{"ENGINE_MAX_FILES": 10}``,
    ``{"REDIS_URL": ...}``); its upper-case keys also go into ``app.config``
    (``TESTING``...). Collaborators, as keyword arguments: `settings` (complete: the
    environment is not read), `store` (an `EstimateStore` instead of Redis),
    `fault_injector` (e.g. with a seeded RNG).
    """
    # Imported here so that importing the package (e.g. for EngineSettings) stays cheap.
    from engine import httputil
    from engine.api import EngineState, bp
    from engine.faults import FaultInjector
    from engine.service import EstimateService
    from engine.store import RedisEstimateStore
    from tfquote.logs import configure_logging

    if settings is None:
        settings = EngineSettings.from_env(overrides=config)
    if store is None:
        store = RedisEstimateStore.from_url(
            settings.redis_url,
            prefix=settings.key_prefix,
            result_ttl_seconds=settings.result_ttl_seconds,
            lease_seconds=settings.lease_seconds,
        )
    if fault_injector is None:
        fault_injector = FaultInjector.from_settings(settings)

    app = Flask("engine")
    # Bounded upload: the bundle limit plus room for multipart framing and form fields.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_bundle_bytes + MiB
    if config:
        app.config.update({k: v for k, v in config.items() if k.isupper() and k.isidentifier()})
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep documented key order

    configure_logging(settings.log_level, settings.log_format, service="engine")
    httputil.install(app)
    app.register_blueprint(bp)
    app.extensions["engine"] = EngineState(
        settings=settings,
        store=store,
        service=EstimateService(settings, store),
        faults=fault_injector,
    )
    return app
