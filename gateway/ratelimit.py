"""Rate limits (flask-limiter), counted in Redis so every gateway process shares them.

Three buckets, each configurable in flask-limiter syntax: uploads
(``RATE_LIMIT_UPLOADS``), job creation (``RATE_LIMIT_JOBS``) and reads
(``RATE_LIMIT_READS``; GET and DELETE of uploads and jobs). The key is the verified
tenant, or the client address when auth is off (``X-Forwarded-For`` is believed only
behind ``TRUST_PROXY_COUNT`` proxies, via ProxyFix). A breach is a 429 with the JSON
envelope, ``Retry-After`` and ``X-RateLimit-*`` headers.

When Redis is down the limiter fails open (``swallow_errors``) and logs a warning: the
API calls that need Redis answer 503 anyway, and the probes must keep working.
"""

from __future__ import annotations

import math
import time
from typing import cast

from flask import Blueprint, Flask, g, request
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix

from tfquote.settings import Settings

#: The buckets, by blueprint and method. Limits sit on the blueprints, not on each view:
#: flask-limiter then checks them once, in its ``before_request`` (after authentication,
#: so the key is the tenant), where decorated views cost a second full pass over its
#: limit resolution on every request (~15% of a GET's CPU; see docs/performance.md).
#: Every route a blueprint gains is limited with its method's bucket.
_READS = ["GET", "HEAD", "DELETE"]
_LIMITS: tuple[tuple[str, str, list[str]], ...] = (
    ("uploads", "uploads", ["POST"]),
    ("uploads", "reads", _READS),
    ("jobs", "jobs", ["POST"]),
    ("jobs", "reads", _READS),
    ("resource_types", "reads", _READS),
    ("limits", "reads", _READS),
)


def rate_limit_key() -> str:
    tenant = getattr(g, "tenant", None)
    if tenant:
        return f"tenant:{tenant}"
    return f"addr:{request.remote_addr or 'unknown'}"


def init_app(app: Flask, settings: Settings) -> Limiter:
    if settings.trust_proxy_count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.trust_proxy_count, x_proto=settings.trust_proxy_count
        )
    storage = settings.rate_limit_storage_url or settings.redis_url
    limiter = Limiter(
        key_func=rate_limit_key,
        storage_uri=storage,
        storage_options={
            "socket_timeout": settings.redis_socket_timeout,  # type: ignore[dict-item]
            "socket_connect_timeout": settings.redis_socket_timeout,  # type: ignore[dict-item]
        },
        strategy=settings.rate_limit_strategy,
        # Headers on 429s only (added by `rate_limit_headers`): reading the window on
        # every successful request cost a Redis round trip per call on the hot paths.
        headers_enabled=False,
        swallow_errors=True,
        key_prefix="tfq:ratelimit",
    )
    limiter.init_app(app)

    buckets = {
        "uploads": settings.rate_limit_uploads,
        "jobs": settings.rate_limit_jobs,
        "reads": settings.rate_limit_reads,
    }
    for blueprint, scope, methods in _LIMITS:
        target = cast(Blueprint, app.blueprints[blueprint])  # registered: a flask.Blueprint
        limiter.shared_limit(buckets[scope], scope=scope, methods=methods)(target)
    app.extensions["tfquote_limiter"] = limiter
    return limiter


def rate_limit_headers(app: Flask) -> dict[str, str]:
    """``Retry-After`` and ``X-RateLimit-*`` for the limit this request breached."""
    limiter: Limiter | None = app.extensions.get("tfquote_limiter")
    current = limiter.current_limit if limiter is not None else None
    if current is None:
        return {"Retry-After": "1"}
    reset_at = current.reset_at
    retry_after = max(1, math.ceil(reset_at - time.time()))
    return {
        "Retry-After": str(retry_after),
        "X-RateLimit-Limit": str(current.limit.amount),
        "X-RateLimit-Remaining": str(max(0, current.remaining)),
        "X-RateLimit-Reset": str(reset_at),
    }
