"""tfquote engine: the reference downstream estimation service (Flask, reached over HTTP).

Independent of the rest of tfquote (it never imports ``gateway``, ``workers`` or Celery). It
turns an uploaded Terraform bundle (HCL or a ``terraform show -json`` plan) into a resource
inventory and an offline AWS cost estimate (``result["estimate"]``, priced from the catalog in
``engine/data/``), with Redis-backed idempotency. Production: ``gunicorn 'engine:create_app()'``.

This module owns only the app factory: nothing is built at import time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from engine.config import EngineSettings, MiB, load_settings

__all__ = ["EngineSettings", "create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the engine app.

    ``config`` overrides the environment: engine settings by upper-case field name with or
    without the ``ENGINE_`` prefix (``{"REDIS_URL": ...}``, ``{"MAX_FILES": 10}``), plus:

    * ``ENGINE_SETTINGS``: a complete :class:`EngineSettings` (the environment is not read);
    * ``ESTIMATE_STORE``: an :class:`engine.store.EstimateStore` to use instead of Redis;
    * ``FAULT_INJECTOR``: an :class:`engine.faults.FaultInjector` (e.g. with a seeded RNG);
    * any other key is copied into ``app.config`` (``TESTING``...).
    """
    # Imported here so that importing the package (e.g. for EngineSettings) stays cheap.
    from engine import httputil
    from engine.api import EngineState, bp
    from engine.faults import FaultInjector
    from engine.service import EstimateService
    from engine.store import EstimateStore, RedisEstimateStore
    from tfquote.logs import configure_logging

    overrides = dict(config or {})
    base = overrides.pop("ENGINE_SETTINGS", None)
    settings = (base if isinstance(base, EngineSettings) else load_settings()).with_overrides(
        overrides
    )
    store: EstimateStore | None = overrides.pop("ESTIMATE_STORE", None)
    if store is None:
        store = RedisEstimateStore.from_url(
            settings.redis_url,
            prefix=settings.key_prefix,
            result_ttl_seconds=settings.result_ttl_seconds,
            lease_seconds=settings.lease_seconds,
        )
    injector = overrides.pop("FAULT_INJECTOR", None) or FaultInjector.from_settings(settings)

    app = Flask("engine")
    # Bounded upload: the bundle limit plus room for multipart framing and form fields.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_bundle_bytes + MiB
    app.config.update(
        {key: value for key, value in overrides.items() if key.isupper() and key.isidentifier()}
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep documented key order

    configure_logging(settings.log_level, settings.log_format, service="engine")
    httputil.install(app)
    app.register_blueprint(bp)
    app.extensions["engine"] = EngineState(
        settings=settings,
        store=store,
        service=EstimateService(settings, store),
        faults=injector,
    )
    return app
