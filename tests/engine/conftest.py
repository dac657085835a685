"""Fixtures for the engine tests: the shared Terraform corpus and an app with an in-memory store.

Redis comes from the session-wide ``redis_url`` fixture in tests/conftest.py (a private
redis-server on a free port, never 6379). ``slow_compute`` slows the real computation down,
for the tests of concurrent submissions. ``module_servers`` is a local module registry and git
server over HTTPS with a test CA (tests/support/module_servers.py); ``fetch_settings`` makes
the settings of a module fetcher that uses them, with its cache in the test's temp dir.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import engine.service
from engine import create_app
from engine.fetch.settings import FetchSettings
from engine.store import InMemoryEstimateStore
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

# tests/engine/conftest.py -> parents[2] is the repository; CI puts shared/ beside it.
CORPUS = SHARED / "corpus" / "terraform"


@pytest.fixture(scope="session")
def corpus() -> Path:
    require_shared(CORPUS / "MANIFEST.txt")
    return CORPUS


@pytest.fixture
def memory_store() -> InMemoryEstimateStore:
    return InMemoryEstimateStore()


@pytest.fixture
def app(memory_store: InMemoryEstimateStore) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "ENGINE_SYNC_WAIT_SECONDS": 10}, store=memory_store)
    yield app
    app.extensions["engine"].service.shutdown()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def slow_compute(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Make the real computation take at least ``delay`` seconds."""
    original = engine.service.compute

    def install(delay: float) -> None:
        def slow(*args: Any, **kwargs: Any) -> Any:
            time.sleep(delay)
            return original(*args, **kwargs)

        monkeypatch.setattr(engine.service, "compute", slow)

    return install


# --- remote modules ------------------------------------------------------------------------------

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
def module_servers(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ModuleServers]:
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
    registry = RegistryServer(
        corpus / "terraform-aws-modules", ca, git_url=lambda: git_server.url("module")
    )
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
