"""EngineSettings: environment parsing, defaults, overrides and validation."""

from __future__ import annotations

import pytest

from engine.config import DEFAULT_REDIS_URL, ConfigError, EngineSettings, MiB

pytestmark = pytest.mark.unit


def test_defaults() -> None:
    settings = EngineSettings.from_env({})
    assert settings.redis_url == DEFAULT_REDIS_URL
    assert settings.max_bundle_bytes == 50 * MiB
    assert settings.max_files == 1000
    assert settings.sync_wait_seconds == 30
    assert settings.result_ttl_seconds == 7 * 24 * 3600
    assert settings.fault_rate == 0.0
    assert settings.port == 8001


def test_engine_redis_url_beats_redis_url() -> None:
    assert EngineSettings.from_env({"REDIS_URL": "redis://a"}).redis_url == "redis://a"
    env = {"REDIS_URL": "redis://a", "ENGINE_REDIS_URL": "redis://b"}
    assert EngineSettings.from_env(env).redis_url == "redis://b"


def test_environment_values_are_converted() -> None:
    settings = EngineSettings.from_env(
        {
            "ENGINE_MAX_BUNDLE_BYTES": "1024",
            "ENGINE_MAX_FILES": "5",
            "ENGINE_SYNC_WAIT_SECONDS": "2.5",
            "ENGINE_RESULT_TTL_SECONDS": "60",
            "ENGINE_FAULT_RATE": "0.25",
            "ENGINE_FAULT_KINDS": "500, drop",
            "ENGINE_FAULT_TIMEOUT_SECONDS": "1",
            "ENGINE_PORT": "9000",
        }
    )
    assert settings.max_bundle_bytes == 1024
    assert settings.max_files == 5
    assert settings.sync_wait_seconds == 2.5
    assert settings.result_ttl_seconds == 60
    assert settings.fault_rate == 0.25
    assert settings.fault_kinds == ("500", "drop")
    assert settings.fault_timeout_seconds == 1.0
    assert settings.port == 9000


@pytest.mark.parametrize(
    "env",
    [
        {"ENGINE_MAX_FILES": "many"},
        {"ENGINE_MAX_FILES": "0"},
        {"ENGINE_FAULT_RATE": "1.5"},
        {"ENGINE_FAULT_KINDS": "500,explode"},
        {"ENGINE_FAULT_PHASE": "sometimes"},
        {"ENGINE_SYNC_WAIT_SECONDS": "-1"},
        # NaN passes every bound check written as `value <= 0`; it must not pass here.
        {"ENGINE_LEASE_SECONDS": "nan"},
        {"ENGINE_SYNC_WAIT_SECONDS": "NaN"},
        {"ENGINE_FAULT_RATE": "nan"},
        {"ENGINE_LEASE_SECONDS": "inf"},
    ],
)
def test_invalid_values_fail_fast(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as info:
        EngineSettings.from_env(env)
    assert next(iter(env)) in str(info.value)  # the message names the variable


def test_overrides_by_variable_name_and_ignore_others() -> None:
    settings = EngineSettings.from_env(
        {"ENGINE_MAX_FILES": "3"},
        overrides={"REDIS_URL": "redis://x", "ENGINE_MAX_FILES": 7, "TESTING": True,
                   "ENGINE_FAULT_KINDS": "500"},
    )  # fmt: skip
    assert settings.redis_url == "redis://x"
    assert settings.max_files == 7
    assert settings.fault_kinds == ("500",)
