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
from typing import Any

from flask import Flask, g, request
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix

from tfquote.settings import Settings

_READ_ENDPOINTS = (
    "uploads.get_upload",
    "jobs.get_job",
    "jobs.list_jobs",
    "jobs.delete_job",
    "resource_types.list_resource_types",
    "limits.get_limits",
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

    def wrap(endpoint: str, decorator: Any) -> None:
        # Decorate the registered view in place: the view modules need no limiter
        # at import time.
        app.view_functions[endpoint] = decorator(app.view_functions[endpoint])

    wrap(
        "uploads.create_upload", limiter.shared_limit(settings.rate_limit_uploads, scope="uploads")
    )
    wrap("jobs.create_job", limiter.shared_limit(settings.rate_limit_jobs, scope="jobs"))
    reads = limiter.shared_limit(settings.rate_limit_reads, scope="reads")
    for endpoint in _READ_ENDPOINTS:
        wrap(endpoint, reads)
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
