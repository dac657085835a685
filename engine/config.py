"""Engine settings: the engine's own settings class, on tfquote's one settings mechanism.

`EngineSettings` is validated from the environment like every tfquote service's
(`tfquote.settings.EnvSettings`): each variable is its field's name in upper case with
the ``ENGINE_`` prefix (``ENGINE_MAX_FILES``), except the ones shared with the rest of
tfquote (``LOG_LEVEL``, ``LOG_FORMAT``, ``DATA_DIR``), ``ENGINE_REDIS_URL``, which falls back
to ``REDIS_URL``, and the ones whose names other tools define: the CA bundle
(``REQUESTS_CA_BUNDLE`` / ``SSL_CERT_FILE``) and registry tokens (``TF_TOKEN_<host>``, as
Terraform names them). The module-fetching variables issue 13 names (``MODULE_FETCH``,
``MODULE_REGISTRIES``...) get the ``ENGINE_`` prefix like every other engine variable
(``ENGINE_MODULE_FETCH``): they configure the engine alone. The README's configuration table
lists them all. Everything else receives an instance, so tests never patch ``os.environ``.
"""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    AliasGenerator,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from engine.fetch.addresses import normalise_host
from engine.fetch.settings import FetchSettings
from tfquote.settings import DEFAULT_REDIS_URL, CommaList, ConfigError, EnvSettings, MiB, Port

__all__ = ["DEFAULT_REDIS_URL", "ConfigError", "EngineSettings", "MiB", "load_settings"]

FAULT_KINDS: tuple[str, ...] = ("500", "timeout", "drop")
FAULT_PHASES: tuple[str, ...] = ("before", "after", "any")

Positive = Annotated[float, Field(gt=0)]


def _alias(name: str) -> str:
    return f"ENGINE_{name.upper()}"


def _json_object(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ValueError(f"not JSON: {exc}") from None
    return value


TOKEN_PREFIX = "TF_TOKEN_"


def token_host(variable: str) -> str | None:
    """The host a ``TF_TOKEN_<host>`` variable is for, decoded as Terraform decodes it
    (``__`` is a hyphen, ``_`` a dot; IDNs in Unicode or punycode)."""
    raw = variable[len(TOKEN_PREFIX) :].replace("__", "-").replace("_", ".")
    return normalise_host(raw)


class EngineSettings(EnvSettings):
    """Validated, immutable engine configuration."""

    model_config = ConfigDict(alias_generator=AliasGenerator(validation_alias=_alias))

    redis_url: str = Field(
        DEFAULT_REDIS_URL,
        min_length=1,
        validation_alias=AliasChoices("ENGINE_REDIS_URL", "REDIS_URL"),
    )
    key_prefix: str = Field("engine:", min_length=1)
    # Decompressed bundle limit.
    max_bundle_bytes: int = Field(50 * MiB, gt=0)
    # Member limit of a bundle.
    max_files: int = Field(1000, gt=0)
    # How long a concurrent duplicate sync request waits for the first one's result.
    sync_wait_seconds: float = Field(30.0, ge=0)
    # Lifetime of estimates and idempotency keys.
    result_ttl_seconds: int = Field(7 * 24 * 3600, gt=0)
    # A pending/running estimate whose lease has not been renewed for this long is
    # presumed lost (its engine process died) and the next replay takes the work over;
    # the process holding it renews it every third of this.
    lease_seconds: Positive = 30.0
    # Threads of the async executor.
    workers: int = Field(4, gt=0)
    # Port of ``python -m engine serve``.
    port: Port = 8001
    # Test-only fault injection: probability, kinds, the ``timeout`` fault's sleep, and
    # whether a fault hits before the work is done or after the result is stored.
    fault_rate: float = Field(0.0, ge=0.0, le=1.0)
    fault_kinds: CommaList = FAULT_KINDS
    fault_timeout_seconds: float = Field(30.0, ge=0)
    fault_phase: Literal["before", "after", "any"] = "before"
    # Empty: the catalog shipped in engine/data/ (engine.pricing.DEFAULT_CATALOG_PATH).
    catalog_path: str = ""
    # Evaluate uploaded configurations in a child process with these limits (its own
    # address space and a deadline), so a crash or runaway input cannot take the engine down.
    eval_isolation: bool = True
    eval_memory_mb: int = Field(2048, ge=256)
    eval_timeout_seconds: Positive = 60.0
    # Shared with the gateway and workers; the module cache lives under it by default.
    data_dir: Path = Field(Path("var/data"), validation_alias="DATA_DIR")
    # Registry and git modules (issue 13), fetched in the evaluation child (engine.fetch).
    module_fetch: bool = True
    module_registries: CommaList = ("registry.terraform.io",)
    module_registry_hosts: Annotated[dict[str, str], BeforeValidator(_json_object)] = Field(
        default_factory=dict
    )
    module_git_hosts: CommaList = ("github.com", "gitlab.com", "bitbucket.org")
    module_git_ssh: bool = False
    module_allow_private: str = "false"
    module_cache_dir: str = ""
    module_cache_max_bytes: int = Field(1024 * MiB, gt=0)
    module_max_calls: int = Field(200, gt=0)
    module_max_bytes: int = Field(32 * MiB, gt=0)
    module_fetch_seconds: Positive = 30.0
    module_versions_ttl: float = Field(3600.0, ge=0)
    # Keep each parsed file on disk too, beside the module cache (engine.terraform.parsecache).
    parse_cache: bool = True
    # CA bundle for module registries and git servers (besides the system trust store's).
    module_ca_bundle: str = Field(
        "", validation_alias=AliasChoices("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")
    )
    # TF_TOKEN_<host> variables, gathered by _gather_tokens (the alias only documents them).
    module_tokens: dict[str, str] = Field(
        default_factory=dict, validation_alias="TF_TOKEN_<host>", repr=False
    )

    @model_validator(mode="before")
    @classmethod
    def _gather_tokens(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        tokens: dict[str, str] = {}
        for name, value in values.items():
            if isinstance(name, str) and name.startswith(TOKEN_PREFIX) and value:
                host = token_host(name)
                if host is None:
                    raise ValueError(f"{name}: not a host name Terraform would read from it")
                tokens[host] = str(value)
        if tokens:
            values = {**values, "module_tokens": tokens}
        return values

    @field_validator("module_registries", "module_git_hosts")
    @classmethod
    def _hosts(cls, hosts: tuple[str, ...]) -> tuple[str, ...]:
        normalised = []
        for host in hosts:
            found = normalise_host(host)
            if found is None:
                raise ValueError(f"{host!r} is not a host name")
            normalised.append(found)
        return tuple(normalised)

    @field_validator("module_registry_hosts")
    @classmethod
    def _overrides(cls, overrides: dict[str, str]) -> dict[str, str]:
        checked: dict[str, str] = {}
        for host, url in overrides.items():
            found = normalise_host(host)
            if found is None:
                raise ValueError(f"{host!r} is not a host name")
            parts = urlsplit(url) if isinstance(url, str) else None
            if parts is None or parts.scheme != "https" or not parts.hostname:
                raise ValueError(f"the modules.v1 URL for {host} must be an https:// URL")
            checked[found] = url if url.endswith("/") else url + "/"
        return checked

    @field_validator("module_allow_private")
    @classmethod
    def _private(cls, value: str) -> str:
        lowered = value.strip().lower()
        if lowered in ("true", "false", "1", "0", "yes", "no", "on", "off"):
            return lowered
        for part in lowered.split(","):
            try:
                ipaddress.ip_network(part.strip(), strict=False)
            except ValueError:
                raise ValueError(
                    "must be true, false, or addresses / networks (10.1.2.3,10.8.0.0/16)"
                ) from None
        return lowered

    @field_validator("module_ca_bundle")
    @classmethod
    def _bundle(cls, path: str) -> str:
        if path and not os.path.isfile(path):
            raise ValueError(f"{path!r} is not a file")
        return path

    @model_validator(mode="after")
    def _module_cache(self) -> Self:
        fetching = self.module_fetch and self.eval_isolation
        if fetching and self.module_fetch_seconds >= self.eval_timeout_seconds:
            raise ValueError(
                "ENGINE_MODULE_FETCH_SECONDS must be below ENGINE_EVAL_TIMEOUT_SECONDS "
                "(modules are fetched inside the evaluation, which ends at its timeout)"
            )
        if self.module_fetch or self.parse_cache:
            directory = self.cache_dir
            if directory.exists() and not directory.is_dir():
                raise ValueError(f"ENGINE_MODULE_CACHE_DIR: {directory} is not a directory")
            existing = directory
            while not existing.exists() and existing != existing.parent:
                existing = existing.parent
            if not os.access(existing, os.W_OK):
                raise ValueError(f"ENGINE_MODULE_CACHE_DIR: {existing} is not writable")
        return self

    @property
    def cache_dir(self) -> Path:
        return (
            Path(self.module_cache_dir) if self.module_cache_dir else self.data_dir / "module-cache"
        )

    def fetch_settings(self) -> FetchSettings:
        """What the evaluation child's module fetcher may do (a picklable value)."""
        return FetchSettings(
            cache_dir=str(self.cache_dir.resolve()),
            enabled=self.module_fetch,
            registries=self.module_registries,
            registry_hosts=tuple(sorted(self.module_registry_hosts.items())),
            git_hosts=self.module_git_hosts,
            git_ssh=self.module_git_ssh,
            allow_private=self.module_allow_private,
            cache_max_bytes=self.module_cache_max_bytes,
            max_calls=self.module_max_calls,
            max_bytes=self.module_max_bytes,
            max_files=self.max_files,
            fetch_seconds=self.module_fetch_seconds,
            versions_ttl=self.module_versions_ttl,
            ca_bundle=self.module_ca_bundle or None,
            tokens=tuple(sorted(self.module_tokens.items())),
            redis_url=self.redis_url,
            redis_prefix=self.key_prefix,
            parse_cache=self.parse_cache,
        )

    @field_validator("fault_kinds")
    @classmethod
    def _known_kinds(cls, kinds: tuple[str, ...]) -> tuple[str, ...]:
        if not kinds or any(kind not in FAULT_KINDS for kind in kinds):
            raise ValueError(f"must be a non-empty subset of {', '.join(FAULT_KINDS)}")
        return kinds

    @field_validator("catalog_path")
    @classmethod
    def _catalog_exists(cls, path: str) -> str:
        if path and not os.path.isfile(path):
            raise ValueError(f"{path!r} is not a file")
        return path


def load_settings() -> EngineSettings:
    """Settings from the real process environment."""
    return EngineSettings.from_env()
