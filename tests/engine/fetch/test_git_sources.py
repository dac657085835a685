"""Git module sources fetched from a real git server (``git http-backend`` over HTTPS with the
test CA) serving a repository made in the test: tags, branches, commits (full and
abbreviated), ``//subdir``, ``?depth=``, a registry whose package is a git repository, the
allow-list, SSH refused, and a repository with a symbolic link refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.fetch.settings import FetchSettings
from engine.inventory import Collected, Options, collect
from tests.support.module_fixtures import FetchFactory, ModuleServers

pytestmark = pytest.mark.integration


def estimate(source: str, settings: FetchSettings, extra: str = "") -> Collected:
    main = f'module "app" {{\n  source = "{source}"\n{extra}}}\n'.encode()
    return collect({"main.tf": main}, "us-east-1", Options(), settings)


def addresses(collected: Collected) -> list[str]:
    return [r.address for r in collected.resources]


def module_unknown(collected: Collected) -> tuple[str | None, str]:
    [unknown] = [u for u in collected.unknowns if u.kind == "module"]
    return unknown.code, unknown.reason


def test_a_tag_is_fetched_with_its_local_modules_and_files(
    module_servers: ModuleServers, fetch_settings: FetchFactory
) -> None:
    url = module_servers.git.url("module")
    collected = estimate(f"git::{url}?ref=v1.0.0", fetch_settings())
    assert addresses(collected) == [
        "module.app.aws_sqs_queue.git[0]",
        "module.app.module.nested.aws_sns_topic.nested",
    ]
    topic = collected.resources[1]
    assert topic.attributes["name"] == "nested-topic"  # file("${path.module}/name.txt")
    [project] = collected.projects
    app = project.modules[0]
    assert app == {
        "address": "module.app",
        "source": f"git::{url}?ref=v1.0.0",
        "kind": "git",
        "directory": ".terraform/modules/app",
        "version": module_servers.commits["v1.0.0"],
        "ref": "v1.0.0",
        "package": f"git::{url}?ref=v1.0.0",
        "download": f"git::{url}?ref=v1.0.0",
        "from_cache": False,
    }
    assert project.modules[1]["address"] == "module.app.module.nested"
    assert project.modules[1]["directory"] == ".terraform/modules/app/modules/nested"


@pytest.mark.parametrize("ref", ["main", "COMMIT", "SHORT", None])
def test_branches_commits_and_the_default_branch(
    module_servers: ModuleServers, fetch_settings: FetchFactory, ref: str | None
) -> None:
    head = module_servers.commits["main"]
    given = {"COMMIT": head, "SHORT": head[:10]}.get(ref or "", ref)
    query = f"?ref={given}" if given else ""
    collected = estimate(f"git::{module_servers.git.url('module')}{query}", fetch_settings())
    assert "module.app.aws_sqs_queue.extra" in addresses(collected)  # only on main (v1.1.0)
    assert collected.projects[0].modules[0]["version"] == head


def test_subdirectory_and_depth(
    module_servers: ModuleServers, fetch_settings: FetchFactory
) -> None:
    url = module_servers.git.url("module")
    collected = estimate(f"git::{url}//modules/nested?ref=v1.1.0&depth=2", fetch_settings())
    assert addresses(collected) == ["module.app.aws_sns_topic.nested"]
    assert collected.resources[0].attributes["name"] == "nested-topic"
    assert collected.projects[0].modules[0]["directory"] == ".terraform/modules/app/modules/nested"


def test_a_registry_package_that_is_a_git_repository(
    module_servers: ModuleServers, fetch_settings: FetchFactory
) -> None:
    collected = estimate("acme/fromgit/aws", fetch_settings(), '  version = "1.0.0"\n  size = 2\n')
    assert addresses(collected)[:2] == [
        "module.app.aws_sqs_queue.git[0]",
        "module.app.aws_sqs_queue.git[1]",
    ]
    app = collected.projects[0].modules[0]
    assert (app["kind"], app["version"]) == ("registry", "1.0.0")
    assert app["download"].startswith("git::https://127.0.0.1:")


def test_the_second_estimate_asks_git_nothing(
    module_servers: ModuleServers, fetch_settings: FetchFactory
) -> None:
    settings = fetch_settings()
    source = f"git::{module_servers.git.url('module')}?ref=v1.0.0"
    estimate(source, settings)
    before = sum(module_servers.git.requests.values())
    again = estimate(source, settings)
    assert sum(module_servers.git.requests.values()) == before  # ref and package both cached
    assert again.projects[0].modules[0]["from_cache"] is True


@pytest.mark.parametrize(
    ("source", "code", "words"),
    [
        ("git::https://127.0.0.1:{port}/module.git?ref=v9.9.9", "module_not_found", "has no ref"),
        ("git::https://127.0.0.1:{port}/missing.git", "module_not_found", "not found"),
        ("git::https://127.0.0.1:{port}/linked.git?ref=v1", "module_unsafe_archive", "symbolic link"),
        ("git::ssh://git@github.com/acme/infra.git", "module_source_refused", "SSH is off"),
        ("git@github.com:acme/infra.git", "module_source_refused", "SSH is off"),
        ("git::https://gitlab.example/acme/infra.git", "module_source_refused", "git host gitlab.example is not allowed"),
        ("git::https://127.0.0.1:{port}/module.git?ref=$(touch /tmp/tfquote-pwned)", "module_source_refused", "characters"),
    ],
)  # fmt: skip
def test_git_sources_that_cannot_be_had(
    module_servers: ModuleServers,
    fetch_settings: FetchFactory,
    source: str,
    code: str,
    words: str,
) -> None:
    collected = estimate(source.format(port=module_servers.git.port), fetch_settings())
    found, reason = module_unknown(collected)
    assert found == code and words in reason, reason
    assert addresses(collected) == []
    assert not Path("/tmp/tfquote-pwned").exists()


def test_a_version_on_a_git_source_is_refused(
    module_servers: ModuleServers, fetch_settings: FetchFactory
) -> None:
    url = module_servers.git.url("module")
    collected = estimate(f"git::{url}?ref=v1.0.0", fetch_settings(), '  version = "1.0.0"\n')
    assert module_unknown(collected)[0] == "module_source_refused"
