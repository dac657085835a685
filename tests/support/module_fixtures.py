"""Fixtures for remote modules, for every test directory (registered in tests/conftest.py).

``module_servers`` is a local module registry, git server and silent server over HTTPS with a
test CA (tests/support/module_servers.py), for the session; ``fetch_settings`` makes the
settings of a module fetcher that uses them, with its cache in the test's temp dir;
``fetching_engine_env`` is the environment of an engine process that does the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from engine.fetch.settings import FetchSettings
from engine.terraform import parsecache
from tests.support.module_servers import (
    GitServer,
    RegistryServer,
    SilentServer,
    TestCA,
    git,
    make_repository,
)
from tests.support.shared import SHARED, require_shared

MODULES = SHARED / "corpus" / "terraform" / "terraform-aws-modules"
GIT_MODULE = {
    "main.tf": b"""
variable "size" {
  type    = number
  default = 1
}
resource "aws_sqs_queue" "git" {
  count = var.size
  name  = "from-git-${count.index}"
}
module "nested" {
  source = "./modules/nested"
}
""",
    "modules/nested/main.tf": b"""
resource "aws_sns_topic" "nested" {
  name = file("${path.module}/name.txt")
}
""",
    "modules/nested/name.txt": b"nested-topic",
}


@dataclass
class ModuleServers:
    ca: TestCA
    registry: RegistryServer
    git: GitServer
    silent: SilentServer
    #: the commit tagged v1.0.0 and the head of main (v1.1.0) of the "module" repository
    commits: dict[str, str]


@pytest.fixture(scope="session")
def module_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleServers]:
    require_shared(MODULES.parent / "MANIFEST.txt")
    root = tmp_path_factory.mktemp("module-servers")
    ca = TestCA(root / "ca")
    repositories = root / "git"
    second = {**GIT_MODULE, "extra.tf": b'resource "aws_sqs_queue" "extra" {\n  name = "x"\n}\n'}
    bare = make_repository(repositories, "module", [(GIT_MODULE, ["v1.0.0"]), (second, ["v1.1.0"])])
    make_repository(
        repositories,
        "linked",
        [({"main.tf": b'resource "aws_sqs_queue" "q" {}\n'}, ["v1"])],
        links={"secret.tf": "/etc/passwd"},
    )
    commits = {
        "v1.0.0": git("rev-parse", "v1.0.0^{commit}", cwd=bare),
        "main": git("rev-parse", "main", cwd=bare),
    }
    git_server = GitServer(repositories, ca)
    registry = RegistryServer(MODULES, ca, git_url=lambda: git_server.url("module"))
    silent = SilentServer()
    yield ModuleServers(ca, registry, git_server, silent, commits)
    registry.close()
    git_server.close()
    silent.close()


FetchFactory = Callable[..., FetchSettings]


@pytest.fixture
def fetch_settings(module_servers: ModuleServers, tmp_path: Path) -> Iterator[FetchFactory]:
    """Settings of a fetcher that uses the local servers (overrides as keywords)."""

    def make(**overrides: Any) -> FetchSettings:
        values: dict[str, Any] = {
            "cache_dir": str(tmp_path / "module-cache"),
            "registry_hosts": (("registry.terraform.io", module_servers.registry.modules_url),),
            "git_hosts": ("github.com", "127.0.0.1"),
            "allow_private": "true",
            "ca_bundle": str(module_servers.ca.ca_path),
            "fetch_seconds": 20.0,
        }
        values.update(overrides)
        return FetchSettings(**values)

    module_servers.registry.reset_counts()
    yield make
    parsecache.configure(None)  # collect() turned it on for this test's cache directory


def fetching_engine_env(servers: ModuleServers, cache_dir: Path) -> dict[str, str]:
    """The module settings of an engine process that fetches from the local servers."""
    return {
        "ENGINE_MODULE_FETCH": "true",
        "ENGINE_MODULE_REGISTRY_HOSTS": json.dumps(
            {"registry.terraform.io": servers.registry.modules_url}
        ),
        "ENGINE_MODULE_GIT_HOSTS": "github.com,127.0.0.1",
        "ENGINE_MODULE_ALLOW_PRIVATE": "true",
        "ENGINE_MODULE_CACHE_DIR": str(cache_dir),
        "REQUESTS_CA_BUNDLE": str(servers.ca.ca_path),
    }
