"""Engine error types and the error-code -> HTTP status table.

Kept free of Flask so the parsing modules (bundle, hcl, plan, inventory) can raise these
without importing the web layer. ``engine.httputil`` turns them into the JSON envelope
``{"error": {"code", "message", "request_id"}}``.
"""

from __future__ import annotations

# One table for every code the engine emits, so replays of a stored failure are answered with
# exactly the status the first submission got.
ERROR_STATUS: dict[str, int] = {
    # Request shape problems: nothing was computed.
    "invalid_request": 400,
    "invalid_idempotency_key": 400,
    "invalid_bundle": 400,
    "invalid_option": 400,
    "evaluation_failed": 422,
    "evaluation_timeout": 422,
    # Well-formed request whose Terraform content cannot be estimated.
    "no_terraform": 422,
    "hcl_parse_error": 422,
    "invalid_json": 422,
    "not_a_plan": 422,
    "unsupported_plan_version": 422,
    "idempotency_key_reused": 422,
    # HTTP-level and infrastructure errors.
    "not_found": 404,
    "method_not_allowed": 405,
    "payload_too_large": 413,
    "uri_too_long": 414,
    "headers_too_large": 431,
    "internal_error": 500,
    "fault_injected": 500,
    "store_unavailable": 503,
}


def status_for(code: str) -> int:
    """HTTP status for an error code (unknown codes are server errors)."""
    return ERROR_STATUS.get(code, 500)


class EngineError(Exception):
    """Base class: an error with a stable machine-readable ``code``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        return status_for(self.code)

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class EngineInputError(EngineError):
    """The submitted Terraform cannot be turned into an inventory (4xx, stored for replays)."""


class BundleError(EngineInputError):
    """The uploaded tar.gz is unreadable or breaks a safety rule.

    ``reason`` is a finer-grained tag (``symlink``, ``path_traversal``, ``too_large``...) kept
    for logs and tests; clients only see ``code`` (always ``invalid_bundle``) and ``message``.
    """

    def __init__(self, code: str, message: str, *, reason: str = "") -> None:
        super().__init__(code, message)
        self.reason = reason or code


class ApiError(EngineError):
    """A request-level error raised by the HTTP layer (never stored)."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(code, message)
        self._status = status

    @property
    def status(self) -> int:
        return self._status if self._status is not None else status_for(self.code)


class StoreUnavailable(EngineError):
    """The result store (Redis) cannot be reached."""

    def __init__(self, message: str = "the estimate store is unavailable") -> None:
        super().__init__("store_unavailable", message)
