"""Health probes: ``/health`` and ``/health/live`` (the process answers) and
``/health/ready`` (Redis and the broker answer; 503 naming what failed)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, g, jsonify

from gateway.services import services

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/health")
@bp.get("/health/live")
def live() -> Response:
    return jsonify({"status": "ok"})


@bp.get("/health/ready")
def ready() -> tuple[Response, int]:
    svc = services()
    checks: dict[str, str] = {}
    try:
        svc.redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:  # any failure means "not ready"; the probe must not 500
        checks["redis"] = f"error: {exc.__class__.__name__}"
    try:
        svc.dispatcher.ping()
        checks["broker"] = "ok"
    except Exception as exc:
        checks["broker"] = f"error: {exc.__class__.__name__}"
        log.warning("broker check failed: %s", exc)
    failed = [name for name, state in checks.items() if state != "ok"]
    if not failed:
        return jsonify({"status": "ready", "checks": checks}), 200
    log.warning("not ready", extra={"failed_checks": failed})
    return jsonify(
        {
            "status": "unavailable",
            "checks": checks,
            "error": {
                "code": "service_unavailable",
                "message": f"unavailable: {', '.join(failed)}",
                "request_id": getattr(g, "request_id", None),
            },
        }
    ), 503
