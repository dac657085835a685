"""Settings: one validated mechanism for every service (here: the gateway's and the
workers' `Settings`; the engine's class has tests/engine/test_config.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfquote.settings import DEFAULT_REDIS_URL, ConfigError, Settings

pytestmark = pytest.mark.unit


def test_defaults_and_derived_values() -> None:
    settings = Settings.from_env({})
    assert (settings.redis_url, settings.broker_url) == (DEFAULT_REDIS_URL, DEFAULT_REDIS_URL)
    assert settings.engine_url == "http://127.0.0.1:8001"
    assert settings.cors_origins == ()
    assert settings.visibility_timeout == 300 + 120 + 60
    derived = Settings.from_env({"REDIS_URL": "redis://r:1/0", "ENGINE_PORT": "9001"})
    assert derived.broker_url == "redis://r:1/0"
    assert derived.engine_url == "http://127.0.0.1:9001"


def test_values_are_converted() -> None:
    settings = Settings.from_env(
        {"MAX_ATTEMPTS": "7", "AUTH_ENABLED": "no", "LOG_LEVEL": "debug", "DATA_DIR": "/d",
         "CORS_ORIGINS": "https://a.example, https://b.example", "ENGINE_URL": "http://e:1/",
         "JWT_LEEWAY_SECONDS": "3", "BROKER_VISIBILITY_TIMEOUT": "900", "EMPTY": ""}
    )  # fmt: skip
    assert settings.max_attempts == 7 and settings.auth_enabled is False
    assert settings.log_level == "DEBUG" and settings.data_dir == Path("/d")
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert settings.engine_url == "http://e:1" and settings.jwt_leeway == 3
    assert settings.visibility_timeout == 900


def test_an_empty_variable_counts_as_unset() -> None:
    assert Settings.from_env({"MAX_ATTEMPTS": "", "REDIS_URL": ""}).max_attempts == 5


def test_overrides_win_over_the_environment() -> None:
    settings = Settings.from_env({"MAX_ATTEMPTS": "7"}, overrides={"MAX_ATTEMPTS": 2})
    assert settings.max_attempts == 2


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"MAX_ATTEMPTS": "many"}, "MAX_ATTEMPTS"),
        ({"MAX_ATTEMPTS": "0"}, "MAX_ATTEMPTS"),
        ({"HEARTBEAT_INTERVAL": "nan"}, "HEARTBEAT_INTERVAL"),
        ({"ENGINE_READ_TIMEOUT": "inf"}, "ENGINE_READ_TIMEOUT"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL"),
        ({"ENGINE_URL": "ftp://x"}, "ENGINE_URL"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({"RATE_LIMIT_STRATEGY": "sometimes"}, "RATE_LIMIT_STRATEGY"),
        ({"GATEWAY_PORT": "70000"}, "GATEWAY_PORT"),
        ({"TRUST_PROXY_COUNT": "9"}, "TRUST_PROXY_COUNT"),
        ({"TASK_SOFT_TIME_LIMIT": "300"}, "TASK_SOFT_TIME_LIMIT"),
        ({"HEARTBEAT_INTERVAL": "20"}, "LEASE_STALE_SECONDS"),
        ({"BROKER_VISIBILITY_TIMEOUT": "100"}, "BROKER_VISIBILITY_TIMEOUT"),
        ({"JWT_PUBLIC_KEY_FILE": "/nonexistent/key.pem"}, "JWT_PUBLIC_KEY_FILE"),
    ],
)
def test_invalid_values_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(env)


def test_secrets_are_not_echoed() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"JWT_SECRET": "hunter2", "AUTH_ENABLED": "yes"}).validate_auth()
    assert "hunter2" not in str(info.value)
    settings = Settings.from_env({"JWT_SECRET": "s" * 40})
    assert "s" * 40 not in repr(settings)
