"""Engine settings: the engine's own settings class, on tfquote's one settings mechanism.

`EngineSettings` is validated from the environment like every tfquote service's
(`tfquote.settings.EnvSettings`): each variable is its field's name in upper case with
the ``ENGINE_`` prefix (``ENGINE_MAX_FILES``), except the ones shared with the rest of
tfquote (``LOG_LEVEL``, ``LOG_FORMAT``) and ``ENGINE_REDIS_URL``, which falls back to
``REDIS_URL``. The README's configuration table lists them all. Everything else receives
an instance, so tests never patch ``os.environ``.
"""

from __future__ import annotations

import os
from typing import Annotated, Literal

from pydantic import AliasChoices, AliasGenerator, ConfigDict, Field, field_validator

from tfquote.settings import DEFAULT_REDIS_URL, CommaList, ConfigError, EnvSettings, MiB, Port

__all__ = ["DEFAULT_REDIS_URL", "ConfigError", "EngineSettings", "MiB", "load_settings"]

FAULT_KINDS: tuple[str, ...] = ("500", "timeout", "drop")
FAULT_PHASES: tuple[str, ...] = ("before", "after", "any")

Positive = Annotated[float, Field(gt=0)]


def _alias(name: str) -> str:
    return f"ENGINE_{name.upper()}"


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
