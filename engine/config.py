"""Engine settings: the ONLY place that reads the process environment.

Everything else receives an :class:`EngineSettings` instance, so tests (and ``create_app``
overrides) never have to patch ``os.environ``. Values are validated here, at start-up, so a
typo in a deployment fails fast instead of surfacing as a confusing error on the first request.

Environment variables
---------------------
``ENGINE_REDIS_URL``              Redis for the idempotency/result store (falls back to
                                  ``REDIS_URL``, then ``redis://127.0.0.1:6379/0``).
``ENGINE_KEY_PREFIX``             Redis key prefix (default ``engine:``).
``ENGINE_MAX_BUNDLE_BYTES``       decompressed bundle limit (default 50 MiB).
``ENGINE_MAX_FILES``              member limit of a bundle (default 1000).
``ENGINE_SYNC_WAIT_SECONDS``      how long a concurrent duplicate sync request waits for the
                                  first one's result (default 30).
``ENGINE_RESULT_TTL_SECONDS``     lifetime of estimates and idempotency keys (default 7 days).
``ENGINE_LEASE_SECONDS``          a pending/running estimate whose lease has not been renewed
                                  for this long is presumed lost (its engine process died) and
                                  the next replay takes the work over; the process holding it
                                  renews it every third of this (default 30).
``ENGINE_WORKERS``                threads of the async executor (default 4).
``ENGINE_PORT``                   port of ``python -m engine serve`` (default 8001).
``ENGINE_FAULT_RATE``             test-only fault injection probability, 0.0-1.0 (default 0).
``ENGINE_FAULT_KINDS``            comma list of ``500``, ``timeout``, ``drop`` (default all).
``ENGINE_FAULT_TIMEOUT_SECONDS``  sleep of the ``timeout`` fault (default 30).
``ENGINE_FAULT_PHASE``            ``before`` (default), ``after`` or ``any``: whether a fault
                                  hits before the work is done or after the result is stored.
``ENGINE_CATALOG_PATH``           the price catalog (SQLite) to use instead of the one shipped
                                  in ``engine/data/`` (built by ``python -m engine pricing``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
FAULT_KINDS: tuple[str, ...] = ("500", "timeout", "drop")
FAULT_PHASES: tuple[str, ...] = ("before", "after", "any")

MiB = 1024 * 1024


@dataclass(frozen=True)
class EngineSettings:
    """Validated, immutable engine configuration."""

    redis_url: str = DEFAULT_REDIS_URL
    key_prefix: str = "engine:"
    max_bundle_bytes: int = 50 * MiB
    max_files: int = 1000
    sync_wait_seconds: float = 30.0
    result_ttl_seconds: int = 7 * 24 * 3600
    lease_seconds: float = 30.0
    workers: int = 4
    port: int = 8001
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = field(default=FAULT_KINDS)
    fault_timeout_seconds: float = 30.0
    fault_phase: str = "before"
    # Empty: the catalog shipped in engine/data/ (engine.pricing.DEFAULT_CATALOG_PATH).
    catalog_path: str = ""
    # Shared with the rest of tfquote (same variable names): LOG_LEVEL, LOG_FORMAT.
    log_level: str = "INFO"
    log_format: str = "json"

    def __post_init__(self) -> None:
        # Validation lives here so that both from_env() and with_overrides() get it.
        if not self.redis_url:
            raise ValueError("redis_url must not be empty")
        if not self.key_prefix:
            raise ValueError("key_prefix must not be empty")
        _positive("max_bundle_bytes", self.max_bundle_bytes)
        _positive("max_files", self.max_files)
        _positive("result_ttl_seconds", self.result_ttl_seconds)
        _positive("lease_seconds", self.lease_seconds)
        _positive("workers", self.workers)
        if self.sync_wait_seconds < 0:
            raise ValueError("sync_wait_seconds must be >= 0")
        if not 0 < self.port < 65536:
            raise ValueError("port must be between 1 and 65535")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be between 0.0 and 1.0")
        unknown = [kind for kind in self.fault_kinds if kind not in FAULT_KINDS]
        if unknown or not self.fault_kinds:
            raise ValueError(f"fault_kinds must be a non-empty subset of {', '.join(FAULT_KINDS)}")
        if self.fault_timeout_seconds < 0:
            raise ValueError("fault_timeout_seconds must be >= 0")
        if self.fault_phase not in FAULT_PHASES:
            raise ValueError(f"fault_phase must be one of {', '.join(FAULT_PHASES)}")
        if self.log_level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("log_level must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        if self.log_format not in ("json", "text"):
            raise ValueError("log_format must be json or text")
        if self.catalog_path and not os.path.isfile(self.catalog_path):
            raise ValueError(f"catalog_path {self.catalog_path!r} is not a file")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> EngineSettings:
        """Build settings from an environment mapping (normally ``os.environ``)."""
        values: dict[str, Any] = {}
        redis_url = environ.get("ENGINE_REDIS_URL") or environ.get("REDIS_URL")
        if redis_url:
            values["redis_url"] = redis_url
        if environ.get("LOG_LEVEL"):
            values["log_level"] = environ["LOG_LEVEL"].strip().upper()
        if environ.get("LOG_FORMAT"):
            values["log_format"] = environ["LOG_FORMAT"].strip().lower()
        for name, spec in _ENV_FIELDS.items():
            raw = environ.get(f"ENGINE_{name.upper()}")
            if raw is None or raw.strip() == "":
                continue
            values[name] = _convert(name, spec, raw)
        return cls(**values)

    def with_overrides(self, overrides: Mapping[str, Any]) -> EngineSettings:
        """Return a copy with overrides applied.

        Keys are the field names in upper case, with or without the ``ENGINE_`` prefix
        (``{"REDIS_URL": ...}``, ``{"ENGINE_MAX_FILES": 10}``); unrelated keys are ignored so
        the same mapping can also carry plain Flask config.
        """
        names = {f.name for f in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for key, value in overrides.items():
            name = key.lower().removeprefix("engine_")
            if name not in names:
                continue
            spec = _ENV_FIELDS.get(name, str)
            changes[name] = _convert(name, spec, value) if isinstance(value, str) else value
        if "fault_kinds" in changes and not isinstance(changes["fault_kinds"], tuple):
            changes["fault_kinds"] = tuple(changes["fault_kinds"])
        return dataclasses.replace(self, **changes)


# Field name -> converter for values that arrive as strings (environment, string overrides).
_ENV_FIELDS: dict[str, Any] = {
    "key_prefix": str,
    "max_bundle_bytes": int,
    "max_files": int,
    "sync_wait_seconds": float,
    "result_ttl_seconds": int,
    "lease_seconds": float,
    "workers": int,
    "port": int,
    "fault_rate": float,
    "fault_kinds": "csv",
    "fault_timeout_seconds": float,
    "fault_phase": str,
    "catalog_path": str,
}


def _convert(name: str, spec: Any, raw: str) -> Any:
    if name == "redis_url":
        return raw
    if spec == "csv":
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    try:
        return spec(raw.strip())
    except ValueError as exc:
        raise ValueError(f"ENGINE_{name.upper()}: invalid value {raw!r}") from exc


def _positive(name: str, value: float) -> None:
    if value <= 0:
        raise ValueError(f"{name} must be > 0")


def load_settings() -> EngineSettings:
    """Settings from the real process environment (the only ``os.environ`` read)."""
    return EngineSettings.from_env(os.environ)
