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
from dataclasses import dataclass, field, fields, replace
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
    auth_enabled: bool = False
    # Worker timing. The engine call timeout must fit inside the soft limit, the soft
    # limit inside the hard one, and the broker's visibility timeout must exceed the
    # hard limit plus the longest retry countdown, or Redis re-delivers a task that
    # is still running (a silent second run).
    engine_connect_timeout: float = 5.0
    engine_read_timeout: float = 60.0
    engine_poll_interval: float = 0.5
    task_soft_time_limit: int = 240
    task_hard_time_limit: int = 300
    retry_backoff_base: float = 2.0
    retry_backoff_max: float = 120.0
    redis_socket_timeout: float = 5.0
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def visibility_timeout(self) -> int:
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
        )
        for env_name, attr, fminimum in float_vars:
            if (raw := get(env_name)) is not None:
                kwargs[attr] = _parse_float(env_name, raw, minimum=fminimum)
        if (raw := get("LOG_LEVEL")) is not None:
            kwargs["log_level"] = raw.upper()
        if (raw := get("LOG_FORMAT")) is not None:
            kwargs["log_format"] = raw.lower()
        if (raw := get("AUTH_ENABLED")) is not None:
            kwargs["auth_enabled"] = _parse_bool("AUTH_ENABLED", raw)
        settings = cls(**kwargs)
        settings.validate()
        return settings

    def with_overrides(self, overrides: Mapping[str, Any]) -> Settings:
        """Return a copy with attribute overrides (used by tests and app factories)."""
        names = {f.name for f in fields(self)}
        known = {k.lower(): v for k, v in overrides.items() if k.lower() in names}
        if "data_dir" in known:
            known["data_dir"] = Path(known["data_dir"])
        settings = replace(self, **known)
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
        if self.log_format not in {"json", "text"}:
            raise ConfigError("LOG_FORMAT must be json or text")
        if self.auth_enabled:
            # JWT authentication lands with the access-control work; until then the
            # only honest setting is "off", and we refuse to pretend otherwise.
            raise ConfigError("AUTH_ENABLED=true is not supported yet; set AUTH_ENABLED=false")
        if self.task_soft_time_limit >= self.task_hard_time_limit:
            raise ConfigError("TASK_SOFT_TIME_LIMIT must be below TASK_HARD_TIME_LIMIT")
        if self.engine_connect_timeout + self.engine_read_timeout >= self.task_soft_time_limit:
            raise ConfigError("engine timeouts must fit inside TASK_SOFT_TIME_LIMIT")
