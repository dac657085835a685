"""``GET /api/v1/resource-types``: what the configured engine prices, and its usage keys.

The gateway computes nothing: it asks the engine (``GET {ENGINE_URL}/v1/resource-types``) and
keeps the answer for a few minutes, so users can see which types are priced and which usage
keys exist before they upload. An engine that cannot be reached is a ``503``.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Protocol

import requests
from flask import Blueprint, Response, jsonify

from gateway.errors import ServiceUnavailable
from gateway.services import services

bp = Blueprint("resource_types", __name__, url_prefix="/api/v1/resource-types")


class ResourceTypeSource(Protocol):
    def fetch(self) -> dict[str, Any]:
        """The engine's document; raises ``ConnectionError`` when it cannot be had."""


class EngineResourceTypes:
    """The engine's document over HTTP, cached for ``ttl`` seconds (it changes on deploys)."""

    def __init__(
        self,
        engine_url: str,
        *,
        ttl: float = 300.0,
        timeout: float = 5.0,
        session: requests.Session | None = None,
    ) -> None:
        self.url = engine_url.rstrip("/") + "/v1/resource-types"
        self.ttl = ttl
        self.timeout = timeout
        self.session = session or requests.Session()
        self._lock = threading.Lock()
        self._cached: tuple[float, dict[str, Any]] | None = None

    def fetch(self) -> dict[str, Any]:
        with self._lock:
            if self._cached is not None and time.monotonic() - self._cached[0] < self.ttl:
                return self._cached[1]
        try:
            response = self.session.get(self.url, timeout=self.timeout)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ConnectionError(f"the engine did not answer: {type(exc).__name__}") from exc
        if not isinstance(document, dict):
            raise ConnectionError("the engine's answer is not a JSON object")
        with self._lock:
            self._cached = (time.monotonic(), document)
        return document


@bp.get("")
def list_resource_types() -> Response:
    try:
        document = services().resource_types.fetch()
    except ConnectionError as exc:
        raise ServiceUnavailable(f"the estimation engine is unavailable ({exc}); retry") from exc
    return jsonify(document)


class StaticResourceTypes:
    """A fixed document, or an outage (``document=None``): for tests of the gateway alone."""

    def __init__(self, document: dict[str, Any] | None) -> None:
        self.document = document

    def fetch(self) -> dict[str, Any]:
        if self.document is None:
            raise ConnectionError("the engine is down (StaticResourceTypes)")
        return self.document
