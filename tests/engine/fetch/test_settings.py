"""The module-fetching variables: ENGINE_MODULE_* (defaults, conversions, validation at start),
TF_TOKEN_<host> read as Terraform reads it, the CA bundle, and the picklable FetchSettings
an evaluation child receives."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from engine.config import ConfigError, EngineSettings, MiB

pytestmark = pytest.mark.unit


def test_defaults(tmp_path: Path) -> None:
    settings = EngineSettings.from_env({"DATA_DIR": str(tmp_path)})
    assert settings.module_fetch is True
    assert settings.module_registries == ("registry.terraform.io",)
    assert settings.module_registry_hosts == {}
    assert settings.module_git_hosts == ("github.com", "gitlab.com", "bitbucket.org")
    assert settings.module_git_ssh is False
    assert settings.module_allow_private == "false"
    assert settings.cache_dir == tmp_path / "module-cache"
    assert settings.module_cache_max_bytes == 1024 * MiB
    assert (settings.module_max_calls, settings.module_max_bytes) == (200, 32 * MiB)
    assert settings.module_fetch_seconds == 30
    assert settings.module_versions_ttl == 3600
    assert settings.parse_cache is True
    fetch = settings.fetch_settings()
    assert fetch.cache_dir == str((tmp_path / "module-cache").resolve())
    assert fetch.max_files == settings.max_files
    assert pickle.loads(pickle.dumps(fetch)) == fetch  # it travels to the evaluation child


def test_values_and_tokens(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    settings = EngineSettings.from_env(
        {
            "ENGINE_MODULE_REGISTRIES": "registry.terraform.io, App.Terraform.IO, mirror.internal:8443",
            "ENGINE_MODULE_REGISTRY_HOSTS": '{"registry.terraform.io": "https://mirror.internal:8443/v1/modules"}',
            "ENGINE_MODULE_ALLOW_PRIVATE": "10.1.2.3, 10.8.0.0/16",
            "ENGINE_MODULE_CACHE_DIR": str(tmp_path / "cache"),
            "REQUESTS_CA_BUNDLE": str(bundle),
            "TF_TOKEN_app_terraform_io": "secret-1",
            "TF_TOKEN_my__registry_example_com": "secret-2",
        }
    )
    assert settings.module_registries == (
        "registry.terraform.io", "app.terraform.io", "mirror.internal:8443",
    )  # fmt: skip
    assert settings.module_registry_hosts == {
        "registry.terraform.io": "https://mirror.internal:8443/v1/modules/"
    }
    assert settings.module_tokens == {
        "app.terraform.io": "secret-1",
        "my-registry.example.com": "secret-2",
    }
    assert settings.cache_dir == tmp_path / "cache"
    assert settings.module_ca_bundle == str(bundle)
    fetch = settings.fetch_settings()
    assert fetch.ca_bundle == str(bundle)
    assert "secret" not in repr(settings) and "secret" not in repr(fetch)


def test_ssl_cert_file_is_the_other_name_of_the_bundle(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("x")
    assert EngineSettings.from_env({"SSL_CERT_FILE": str(bundle)}).module_ca_bundle == str(bundle)


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"ENGINE_MODULE_FETCH": "perhaps"}, "ENGINE_MODULE_FETCH"),
        ({"ENGINE_MODULE_REGISTRY_HOSTS": "{not json"}, "ENGINE_MODULE_REGISTRY_HOSTS"),
        ({"ENGINE_MODULE_REGISTRY_HOSTS": '{"a.example": "http://mirror/v1/"}'}, "https://"),
        ({"ENGINE_MODULE_REGISTRY_HOSTS": '{"bad host!": "https://m/v1/"}'}, "not a host name"),
        ({"ENGINE_MODULE_REGISTRIES": "registry.terraform.io,not a host"}, "ENGINE_MODULE_REGISTRIES"),
        ({"ENGINE_MODULE_GIT_HOSTS": "git hub"}, "ENGINE_MODULE_GIT_HOSTS"),
        ({"ENGINE_MODULE_ALLOW_PRIVATE": "sometimes"}, "ENGINE_MODULE_ALLOW_PRIVATE"),
        ({"ENGINE_MODULE_MAX_CALLS": "0"}, "ENGINE_MODULE_MAX_CALLS"),
        ({"ENGINE_MODULE_MAX_BYTES": "-1"}, "ENGINE_MODULE_MAX_BYTES"),
        ({"ENGINE_MODULE_CACHE_MAX_BYTES": "lots"}, "ENGINE_MODULE_CACHE_MAX_BYTES"),
        ({"ENGINE_MODULE_VERSIONS_TTL": "-5"}, "ENGINE_MODULE_VERSIONS_TTL"),
        ({"ENGINE_MODULE_FETCH_SECONDS": "nan"}, "ENGINE_MODULE_FETCH_SECONDS"),
        ({"ENGINE_MODULE_FETCH_SECONDS": "60", "ENGINE_EVAL_TIMEOUT_SECONDS": "60"},
         "ENGINE_MODULE_FETCH_SECONDS must be below ENGINE_EVAL_TIMEOUT_SECONDS"),
        ({"REQUESTS_CA_BUNDLE": "/nonexistent/ca.pem"}, "is not a file"),
        ({"TF_TOKEN_": "x"}, "TF_TOKEN_"),
    ],
)  # fmt: skip
def test_invalid_values_stop_the_engine_naming_the_variable(
    env: dict[str, str], words: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        EngineSettings.from_env(env)
    assert words in str(raised.value)


def test_a_cache_directory_that_cannot_be_one(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="is not a directory"):
        EngineSettings.from_env({"ENGINE_MODULE_CACHE_DIR": str(blocker)})
    # With fetching and the parse cache off, the directory is never used, so not checked.
    EngineSettings.from_env(
        {"ENGINE_MODULE_CACHE_DIR": str(blocker), "ENGINE_MODULE_FETCH": "false",
         "ENGINE_PARSE_CACHE": "false"}
    )  # fmt: skip
