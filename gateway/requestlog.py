"""Request ids and the access log.

Every request gets an id — the caller's ``X-Request-ID`` when it is safe, else a new
one — which is echoed in the response, put on every log line of the request and
handed to the worker with the job.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from tfquote.logs import log_request, request_id_var, safe_request_id, tenant_var

log = logging.getLogger("gateway.access")


def init_app(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        g.request_id = safe_request_id(request.headers.get("X-Request-ID"))
        g.request_token = request_id_var.set(g.request_id)
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = getattr(g, "request_id", "")
        started = getattr(g, "started", None)
        if started is not None:
            log_request(log, request.method, request.path, response.status_code, started)
        return response

    @app.teardown_request
    def _teardown(_exc: BaseException | None) -> None:
        cleanup = getattr(request, "cleanup_incoming", None)
        if cleanup is not None:
            cleanup()
        tenant_token = g.pop("tenant_token", None)
        if tenant_token is not None:
            tenant_var.reset(tenant_token)
        token = g.pop("request_token", None)
        if token is not None:
            request_id_var.reset(token)
