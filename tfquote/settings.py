"""Configuration for every tfquote process: the one place the environment is read.

One mechanism for every service: a settings class is a pydantic model whose fields are
validated from environment variables (each field's alias is its variable's name), built
on `EnvSettings` here. `Settings` below serves the gateway, the workers and the CLI
(they share the job store and its contract); the engine has its own class,
`engine.config.EngineSettings`. Every variable is in the README's configuration table.

Processes call ``from_env()`` once at start-up (app factory, Celery config module) and
pass the result around; nothing else in the code base touches ``os.environ``. An invalid
value raises `ConfigError` naming the variable, so a process refuses to start instead of
failing on its first request. (pydantic-settings reads only the live ``os.environ``;
tests and app factories hand in a mapping, so the models validate one directly.)
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AliasChoices,
    AliasGenerator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
MiB = 1024 * 1024


class ConfigError(ValueError):
    """A configuration value is missing or invalid; the process must not start."""


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _json_object(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ValueError('must be a JSON object such as {"tenant": "secret"}') from None
    return value


def _csv(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


LogLevel = Annotated[
    Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], BeforeValidator(_upper)
]
LogFormat = Annotated[Literal["json", "text"], BeforeValidator(_lower)]
#: A comma-separated list in the environment (``"a, b"`` -> ``("a", "b")``).
CommaList = Annotated[tuple[str, ...], BeforeValidator(_csv)]
Port = Annotated[int, Field(ge=1, le=65535)]

# Never echoed in an error message.
_SECRET_WORDS = ("SECRET", "KEY", "PASSWORD")


class EnvSettings(BaseModel):
    """The shared mechanism: frozen, validated from a mapping of variable names.

    Numbers are finite (no NaN or infinity slips past a bound); unknown variables are
    ignored, so one environment serves every service; an empty variable counts as unset.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="ignore",
        allow_inf_nan=False,
        validate_by_alias=True,
        validate_by_name=True,
        str_strip_whitespace=True,
    )

    log_level: LogLevel = Field("INFO", validation_alias="LOG_LEVEL")
    log_format: LogFormat = Field("json", validation_alias="LOG_FORMAT")

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> Self:
        """Settings from `environ` (default: the process environment), with `overrides`
        given by variable name on top (``{"REDIS_URL": ...}``): app factories and tests
        pass config this way, so derived defaults (the broker following ``REDIS_URL``)
        behave exactly as they do for environment variables."""
        env: Mapping[str, Any] = os.environ if environ is None else environ
        values = {name: value for name, value in env.items() if value != ""}
        values.update({name: value for name, value in (overrides or {}).items() if value != ""})
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise ConfigError(_describe(exc)) from None


def variable_names(cls: type[EnvSettings]) -> list[str]:
    """Every environment variable `cls` reads (for the README's table and its test)."""
    names: list[str] = []
    generator = cls.model_config.get("alias_generator")
    for name, info in cls.model_fields.items():
        alias = info.validation_alias
        if alias is None and isinstance(generator, AliasGenerator) and generator.validation_alias:
            alias = generator.validation_alias(name)
        choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
        names.extend(str(choice) for choice in choices if choice is not None)
    return names


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if not where:  # a rule across variables: its message names them
            problems.append(message)
        elif any(word in where.upper() for word in _SECRET_WORDS):
            problems.append(f"{where}: {message}")
        else:
            problems.append(f"{where}: {message} (got {error['input']!r})")
    return "; ".join(problems)


_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def _alias(name: str) -> str:
    return name.upper()


class Settings(EnvSettings):
    """The gateway's, the workers' and the CLI's settings (variable = field name in
    upper case, but where `Field` names another)."""

    model_config = ConfigDict(alias_generator=AliasGenerator(validation_alias=_alias))

    redis_url: str = DEFAULT_REDIS_URL
    # Follows REDIS_URL unless set (see `_derived_defaults`).
    broker_url: str = Field(DEFAULT_REDIS_URL, validation_alias="CELERY_BROKER_URL")
    data_dir: Path = Path("var/data")
    # Follows ENGINE_PORT unless set.
    engine_url: str = "http://127.0.0.1:8001"
    gateway_port: Port = 8000
    engine_port: Port = 8001
    flower_port: Port = 5555
    max_upload_bytes: int = Field(100 * MiB, ge=1)
    job_ttl_seconds: int = Field(7 * 24 * 3600, ge=60)
    max_attempts: int = Field(5, ge=1)
    auth_enabled: bool = True
    jwt_secret: str | None = Field(None, repr=False)
    # JWT_PUBLIC_KEY, or the contents of JWT_PUBLIC_KEY_FILE.
    jwt_public_key: str | None = Field(None, repr=False)
    jwt_algorithm: Annotated[str | None, BeforeValidator(_upper)] = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    jwt_leeway: int = Field(10, ge=0, le=30, validation_alias="JWT_LEEWAY_SECONDS")
    jwt_tenant_claim: str = Field("sub", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    # Rate limits (flask-limiter syntax), shared by every gateway through Redis.
    rate_limit_uploads: str = "30/minute"
    rate_limit_jobs: str = "120/minute"
    rate_limit_reads: str = "600/minute"
    rate_limit_storage_url: str | None = None
    # Moving window: no double burst at window edges, and measured no dearer here.
    rate_limit_strategy: Literal["fixed-window", "moving-window", "sliding-window-counter"] = (
        "moving-window"
    )
    # How many proxies in front of the gateway may set X-Forwarded-For (0: trust none).
    trust_proxy_count: int = Field(0, ge=0, le=5)
    # Browser origins allowed to call the API (empty: no CORS headers at all).
    cors_origins: CommaList = ()
    # Worker timing. The engine call timeout must fit inside the soft limit, the soft
    # limit inside the hard one, and the broker's visibility timeout must exceed the
    # hard limit plus the longest retry countdown, or Redis re-delivers a task that
    # is still running (a silent second run).
    engine_connect_timeout: float = Field(5.0, ge=0.1)
    engine_read_timeout: float = Field(60.0, ge=0.1)
    engine_poll_interval: float = Field(0.5, ge=0.01)
    engine_prefer_async: bool = True
    task_soft_time_limit: int = Field(240, ge=1)
    task_hard_time_limit: int = Field(300, ge=2)
    retry_backoff_base: float = Field(2.0, ge=0.0)
    retry_backoff_max: float = Field(120.0, ge=0.0)
    redis_socket_timeout: float = Field(5.0, ge=0.1)
    # Leases: a running job's worker refreshes its heartbeat every `heartbeat_interval`;
    # after `lease_stale_seconds` without one, the job may be taken over or requeued.
    heartbeat_interval: float = Field(5.0, ge=0.05)
    lease_stale_seconds: float = Field(30.0, ge=0.5)
    # A PENDING job whose message has not been seen for this long is re-published.
    pending_stale_seconds: float = Field(120.0, ge=1.0)
    reconcile_interval: float = Field(30.0, ge=0.5)
    visibility_timeout_override: int | None = Field(
        None, ge=1, validation_alias="BROKER_VISIBILITY_TIMEOUT"
    )
    # The gateway's address as clients reach it: webhooks carry report links built on it.
    # Follows GATEWAY_PORT unless set.
    public_url: str = "http://127.0.0.1:8000"
    # Completion webhooks (options.webhook_url). The secret signs every delivery; a tenant
    # listed in WEBHOOK_TENANT_SECRETS (a JSON object) gets its own.
    webhook_secret: str | None = Field(None, repr=False)
    webhook_tenant_secrets: Annotated[dict[str, str], BeforeValidator(_json_object)] = Field(
        default_factory=dict, repr=False
    )
    webhook_allow_http: bool = False
    webhook_allow_private: bool = False
    webhook_timeout: float = Field(10.0, gt=0, le=60)
    webhook_retry_base: float = Field(30.0, gt=0)
    webhook_retry_max: float = Field(3600.0, gt=0)
    webhook_max_age_seconds: float = Field(24 * 3600.0, ge=1)
    webhook_sweep_interval: float = Field(30.0, ge=0.5)

    @model_validator(mode="before")
    @classmethod
    def _derived_defaults(cls, data: Any) -> Any:
        """Defaults that follow other variables, resolved on the raw variables."""
        if not isinstance(data, Mapping):
            return data
        values = dict(data)
        if "CELERY_BROKER_URL" not in values and "broker_url" not in values:
            values["CELERY_BROKER_URL"] = (
                values.get("REDIS_URL") or values.get("redis_url") or DEFAULT_REDIS_URL
            )
        if "ENGINE_URL" not in values and "ENGINE_PORT" in values:
            values["ENGINE_URL"] = f"http://127.0.0.1:{values['ENGINE_PORT']}"
        if "PUBLIC_URL" not in values and "GATEWAY_PORT" in values:
            values["PUBLIC_URL"] = f"http://127.0.0.1:{values['GATEWAY_PORT']}"
        key_file = values.get("JWT_PUBLIC_KEY_FILE")
        if key_file and not values.get("JWT_PUBLIC_KEY"):
            try:
                values["JWT_PUBLIC_KEY"] = Path(key_file).read_text()
            except OSError as exc:
                raise ValueError(f"JWT_PUBLIC_KEY_FILE cannot be read: {exc}") from None
        return values

    @field_validator("redis_url", "broker_url")
    @classmethod
    def _redis_scheme(cls, url: str) -> str:
        if not url.startswith(_REDIS_SCHEMES):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return url

    @field_validator("engine_url", "public_url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not re.match(r"^https?://[^\s/]+", url):
            raise ValueError("must be an http(s) URL")
        return url.rstrip("/")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.task_soft_time_limit >= self.task_hard_time_limit:
            raise ValueError("TASK_SOFT_TIME_LIMIT must be below TASK_HARD_TIME_LIMIT")
        if self.visibility_timeout <= self.task_hard_time_limit + self.retry_backoff_max:
            raise ValueError(
                "BROKER_VISIBILITY_TIMEOUT must exceed TASK_HARD_TIME_LIMIT + RETRY_BACKOFF_MAX, "
                "or Redis re-delivers tasks that are still running or waiting to retry"
            )
        if self.heartbeat_interval * 3 > self.lease_stale_seconds:
            raise ValueError("LEASE_STALE_SECONDS must be at least 3 x HEARTBEAT_INTERVAL")
        if self.engine_connect_timeout >= self.task_soft_time_limit:
            raise ValueError("ENGINE_CONNECT_TIMEOUT must be below TASK_SOFT_TIME_LIMIT")
        return self

    @property
    def visibility_timeout(self) -> int:
        """How long Redis keeps an unacked message before handing it out again."""
        if self.visibility_timeout_override is not None:
            return self.visibility_timeout_override
        return int(self.task_hard_time_limit + self.retry_backoff_max + 60)

    def webhook_secret_for(self, tenant: str) -> str | None:
        """The key that signs `tenant`'s webhooks: its own, else the shared one."""
        return self.webhook_tenant_secrets.get(tenant) or self.webhook_secret

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def jobs_dir(self) -> Path:
        return self.data_dir / "jobs"

    @property
    def incoming_dir(self) -> Path:
        return self.data_dir / "incoming"

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
