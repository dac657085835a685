"""Configuration for every tfquote process: the one place the environment is read.

`Settings.from_env()` reads and validates the variables documented in the README's
configuration table. Processes call it once at start-up (app factory, Celery config
module) and pass the result around; nothing else in the code base touches
``os.environ``. Invalid values raise `ConfigError` so a process refuses to start
instead of failing later on its first request.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
_MIB = 1024 * 1024


class ConfigError(ValueError):
    """A configuration value is missing or invalid; the process must not start."""


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _parse_int(name: str, raw: str, *, minimum: int, maximum: int | None = None) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise ConfigError(f"{name} must be {bound}, got {value}")
    return value


def _parse_float(name: str, raw: str, *, minimum: float) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not value >= minimum:  # also rejects NaN
        raise ConfigError(f"{name} must be >= {minimum}, got {raw!r}")
    return value


_URL_SCHEMES = ("redis://", "rediss://", "unix://")
_LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}


@dataclass(frozen=True)
class Settings:
    """Validated settings shared by the gateway, the workers and the CLI."""

    redis_url: str = DEFAULT_REDIS_URL
    broker_url: str = DEFAULT_REDIS_URL
    data_dir: Path = Path("var/data")
    engine_url: str = "http://127.0.0.1:8001"
    gateway_port: int = 8000
    engine_port: int = 8001
    flower_port: int = 5555
    max_upload_bytes: int = 100 * _MIB
    job_ttl_seconds: int = 7 * 24 * 3600
    max_attempts: int = 5
    log_level: str = "INFO"
    log_format: str = "json"
    auth_enabled: bool = True
    jwt_secret: str | None = field(default=None, repr=False)
    jwt_public_key: str | None = field(default=None, repr=False)
    jwt_algorithm: str | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    jwt_leeway: int = 10
    jwt_tenant_claim: str = "sub"
    # Rate limits (flask-limiter syntax), shared by every gateway through Redis.
    rate_limit_uploads: str = "30/minute"
    rate_limit_jobs: str = "120/minute"
    rate_limit_reads: str = "600/minute"
    rate_limit_storage_url: str | None = None
    # Moving window: no double burst at window edges, and measured no dearer here.
    rate_limit_strategy: str = "moving-window"
    # How many proxies in front of the gateway may set X-Forwarded-For (0: trust none).
    trust_proxy_count: int = 0
    # Worker timing. The engine call timeout must fit inside the soft limit, the soft
    # limit inside the hard one, and the broker's visibility timeout must exceed the
    # hard limit plus the longest retry countdown, or Redis re-delivers a task that
    # is still running (a silent second run).
    engine_connect_timeout: float = 5.0
    engine_read_timeout: float = 60.0
    engine_poll_interval: float = 0.5
    engine_prefer_async: bool = True
    task_soft_time_limit: int = 240
    task_hard_time_limit: int = 300
    retry_backoff_base: float = 2.0
    retry_backoff_max: float = 120.0
    redis_socket_timeout: float = 5.0
    # Leases: a running job's worker refreshes its heartbeat every `heartbeat_interval`;
    # after `lease_stale_seconds` without one, the job may be taken over or requeued.
    heartbeat_interval: float = 5.0
    lease_stale_seconds: float = 30.0
    # A PENDING job whose message has not been seen for this long is re-published.
    pending_stale_seconds: float = 120.0
    reconcile_interval: float = 30.0

    visibility_timeout_override: int | None = None

    @property
    def visibility_timeout(self) -> int:
        """How long Redis keeps an unacked message before handing it out again."""
        if self.visibility_timeout_override is not None:
            return self.visibility_timeout_override
        return int(self.task_hard_time_limit + self.retry_backoff_max + 60)

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def jobs_dir(self) -> Path:
        return self.data_dir / "jobs"

    @property
    def incoming_dir(self) -> Path:
        return self.data_dir / "incoming"

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> Settings:
        """Read settings from `environ` (default: the process environment), with
        `overrides` given by variable name on top (``{"REDIS_URL": ...}``): app factories
        and tests pass config this way, so derived defaults (the broker following
        ``REDIS_URL``) behave exactly as they do for environment variables."""
        env: Mapping[str, str] = os.environ if environ is None else environ
        if overrides:
            env = {**env, **{k: str(v) for k, v in overrides.items()}}

        def get(name: str) -> str | None:
            raw = env.get(name)
            return raw if raw not in (None, "") else None

        kwargs: dict[str, Any] = {}
        redis_url = get("REDIS_URL") or DEFAULT_REDIS_URL
        kwargs["redis_url"] = redis_url
        kwargs["broker_url"] = get("CELERY_BROKER_URL") or redis_url
        if (raw := get("DATA_DIR")) is not None:
            kwargs["data_dir"] = Path(raw)
        if (raw := get("ENGINE_URL")) is not None:
            kwargs["engine_url"] = raw.rstrip("/")
        for env_name, attr in (
            ("GATEWAY_PORT", "gateway_port"),
            ("ENGINE_PORT", "engine_port"),
            ("FLOWER_PORT", "flower_port"),
        ):
            if (raw := get(env_name)) is not None:
                kwargs[attr] = _parse_int(env_name, raw, minimum=1, maximum=65535)
        if (raw := get("ENGINE_PORT")) is not None and get("ENGINE_URL") is None:
            kwargs["engine_url"] = f"http://127.0.0.1:{kwargs['engine_port']}"
        int_vars = (
            ("MAX_UPLOAD_BYTES", "max_upload_bytes", 1),
            ("JOB_TTL_SECONDS", "job_ttl_seconds", 60),
            ("MAX_ATTEMPTS", "max_attempts", 1),
            ("TASK_SOFT_TIME_LIMIT", "task_soft_time_limit", 1),
            ("TASK_HARD_TIME_LIMIT", "task_hard_time_limit", 2),
        )
        for env_name, attr, minimum in int_vars:
            if (raw := get(env_name)) is not None:
                kwargs[attr] = _parse_int(env_name, raw, minimum=minimum)
        float_vars = (
            ("ENGINE_CONNECT_TIMEOUT", "engine_connect_timeout", 0.1),
            ("ENGINE_READ_TIMEOUT", "engine_read_timeout", 0.1),
            ("ENGINE_POLL_INTERVAL", "engine_poll_interval", 0.01),
            ("RETRY_BACKOFF_BASE", "retry_backoff_base", 0.0),
            ("RETRY_BACKOFF_MAX", "retry_backoff_max", 0.0),
            ("REDIS_SOCKET_TIMEOUT", "redis_socket_timeout", 0.1),
            ("HEARTBEAT_INTERVAL", "heartbeat_interval", 0.05),
            ("LEASE_STALE_SECONDS", "lease_stale_seconds", 0.5),
            ("PENDING_STALE_SECONDS", "pending_stale_seconds", 1.0),
            ("RECONCILE_INTERVAL", "reconcile_interval", 0.5),
        )
        for env_name, attr, fminimum in float_vars:
            if (raw := get(env_name)) is not None:
                kwargs[attr] = _parse_float(env_name, raw, minimum=fminimum)
        if (raw := get("BROKER_VISIBILITY_TIMEOUT")) is not None:
            kwargs["visibility_timeout_override"] = _parse_int(
                "BROKER_VISIBILITY_TIMEOUT", raw, minimum=1
            )
        if (raw := get("LOG_LEVEL")) is not None:
            kwargs["log_level"] = raw.upper()
        if (raw := get("LOG_FORMAT")) is not None:
            kwargs["log_format"] = raw.lower()
        if (raw := get("ENGINE_PREFER_ASYNC")) is not None:
            kwargs["engine_prefer_async"] = _parse_bool("ENGINE_PREFER_ASYNC", raw)
        if (raw := get("AUTH_ENABLED")) is not None:
            kwargs["auth_enabled"] = _parse_bool("AUTH_ENABLED", raw)
        for env_name, attr in (
            ("JWT_SECRET", "jwt_secret"),
            ("JWT_PUBLIC_KEY", "jwt_public_key"),
            ("JWT_AUDIENCE", "jwt_audience"),
            ("JWT_ISSUER", "jwt_issuer"),
            ("JWT_TENANT_CLAIM", "jwt_tenant_claim"),
            ("RATE_LIMIT_UPLOADS", "rate_limit_uploads"),
            ("RATE_LIMIT_JOBS", "rate_limit_jobs"),
            ("RATE_LIMIT_READS", "rate_limit_reads"),
            ("RATE_LIMIT_STORAGE_URL", "rate_limit_storage_url"),
            ("RATE_LIMIT_STRATEGY", "rate_limit_strategy"),
        ):
            if (raw := get(env_name)) is not None:
                kwargs[attr] = raw
        if (raw := get("JWT_ALGORITHM")) is not None:
            kwargs["jwt_algorithm"] = raw.upper()
        if (raw := get("JWT_PUBLIC_KEY_FILE")) is not None and "jwt_public_key" not in kwargs:
            try:
                kwargs["jwt_public_key"] = Path(raw).read_text()
            except OSError as exc:
                raise ConfigError(f"JWT_PUBLIC_KEY_FILE cannot be read: {exc}") from None
        if (raw := get("JWT_LEEWAY_SECONDS")) is not None:
            kwargs["jwt_leeway"] = _parse_int("JWT_LEEWAY_SECONDS", raw, minimum=0, maximum=30)
        if (raw := get("TRUST_PROXY_COUNT")) is not None:
            kwargs["trust_proxy_count"] = _parse_int("TRUST_PROXY_COUNT", raw, minimum=0, maximum=5)
        settings = cls(**kwargs)
        settings.validate()
        return settings

    def validate(self) -> None:
        for name, url in (("REDIS_URL", self.redis_url), ("CELERY_BROKER_URL", self.broker_url)):
            if not url.startswith(_URL_SCHEMES):
                raise ConfigError(f"{name} must be a redis://, rediss:// or unix:// URL")
        if not re.match(r"^https?://[^\s/]+", self.engine_url):
            raise ConfigError("ENGINE_URL must be an http(s) URL")
        if self.log_level not in _LOG_LEVELS:
            raise ConfigError(f"LOG_LEVEL must be one of {sorted(_LOG_LEVELS)}")
        if self.rate_limit_strategy not in {
            "fixed-window",
            "moving-window",
            "sliding-window-counter",
        }:
            raise ConfigError(
                "RATE_LIMIT_STRATEGY must be fixed-window, moving-window or sliding-window-counter"
            )
        if self.log_format not in {"json", "text"}:
            raise ConfigError("LOG_FORMAT must be json or text")
        if self.task_soft_time_limit >= self.task_hard_time_limit:
            raise ConfigError("TASK_SOFT_TIME_LIMIT must be below TASK_HARD_TIME_LIMIT")
        if self.visibility_timeout <= self.task_hard_time_limit + self.retry_backoff_max:
            raise ConfigError(
                "BROKER_VISIBILITY_TIMEOUT must exceed TASK_HARD_TIME_LIMIT + RETRY_BACKOFF_MAX, "
                "or Redis re-delivers tasks that are still running or waiting to retry"
            )
        if self.heartbeat_interval * 3 > self.lease_stale_seconds:
            raise ConfigError("LEASE_STALE_SECONDS must be at least 3 x HEARTBEAT_INTERVAL")
        if self.engine_connect_timeout >= self.task_soft_time_limit:
            raise ConfigError("ENGINE_CONNECT_TIMEOUT must be below TASK_SOFT_TIME_LIMIT")

    @property
    def jwt_algorithm_effective(self) -> str:
        if self.jwt_algorithm:
            return self.jwt_algorithm
        return "RS256" if self.jwt_public_key else "HS256"

    @property
    def jwt_verification_key(self) -> str:
        key = self.jwt_secret if self.jwt_algorithm_effective == "HS256" else self.jwt_public_key
        if not key:
            raise ConfigError("no JWT verification key configured")
        return key

    def validate_auth(self) -> None:
        """The gateway's extra start-up check (workers and the engine need no keys)."""
        if not self.auth_enabled:
            return
        algorithm = self.jwt_algorithm_effective
        if algorithm not in {"HS256", "RS256", "ES256"}:
            raise ConfigError("JWT_ALGORITHM must be HS256, RS256 or ES256")
        if algorithm == "HS256":
            if not self.jwt_secret:
                raise ConfigError(
                    "AUTH_ENABLED=true needs JWT_SECRET (HS256) or JWT_PUBLIC_KEY[_FILE] "
                    "(RS256/ES256); for local use set AUTH_ENABLED=false"
                )
            if len(self.jwt_secret.encode()) < 32:
                raise ConfigError("JWT_SECRET must be at least 32 bytes")
        elif not self.jwt_public_key or "PUBLIC KEY" not in self.jwt_public_key:
            raise ConfigError(f"{algorithm} needs a PEM public key in JWT_PUBLIC_KEY[_FILE]")
        if not 0 <= self.jwt_leeway <= 30:
            raise ConfigError("JWT_LEEWAY_SECONDS must be between 0 and 30")
        if not re.match(r"^[A-Za-z0-9_.:-]{1,64}$", self.jwt_tenant_claim):
            raise ConfigError("JWT_TENANT_CLAIM is not a valid claim name")
