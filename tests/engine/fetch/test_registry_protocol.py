"""The registry protocol beyond the public registry's defaults: real service discovery on a
host that is not overridden, a registry other than registry.terraform.io with its token from
TF_TOKEN_<host> (sent to that registry's API only), a zip package, and pre-releases."""

from __future__ import annotations

import pytest

from engine.fetch.settings import FetchSettings
from engine.inventory import Collected, Options, collect
from tests.support.module_fixtures import FetchFactory, ModuleServers

pytestmark = pytest.mark.integration


def estimate(source: str, version: str, settings: FetchSettings) -> Collected:
    main = f'module "m" {{\n  source  = "{source}"\n  version = "{version}"\n}}\n'
    return collect({"main.tf": main.encode()}, "us-east-1", Options(), settings)


def test_service_discovery_of_a_registry_named_in_the_source(
    fetch_settings: FetchFactory, module_servers: ModuleServers
) -> None:
    registry = module_servers.registry
    host = f"127.0.0.2:{registry.port}"
    settings = fetch_settings(registries=(host,), registry_hosts=())
    collected = estimate(f"{host}/acme/tiny/aws", "~> 1.0", settings)
    assert [r.address for r in collected.resources] == ["module.m.aws_sqs_queue.q"]
    module = collected.projects[0].modules[0]
    assert module["package"] == f"{host}/acme/tiny/aws"
    assert registry.count("/.well-known/terraform.json") == 1


def test_a_private_registry_gets_its_token_and_nothing_else_does(
    fetch_settings: FetchFactory, module_servers: ModuleServers
) -> None:
    registry = module_servers.registry
    registry.authorizations.clear()
    settings = fetch_settings(
        registries=("registry.terraform.io", "app.terraform.io"),
        registry_hosts=(
            ("app.terraform.io", registry.modules_url),
            ("registry.terraform.io", registry.modules_url),
        ),
        tokens=(("app.terraform.io", "s3cret-token"),),
    )
    private = estimate("app.terraform.io/acme/tiny/aws", "1.0.0", settings)
    assert [r.address for r in private.resources] == ["module.m.aws_sqs_queue.q"]
    sent = {path for path, header in registry.authorizations if header == "Bearer s3cret-token"}
    assert "/v1/modules/acme/tiny/aws/versions" in sent
    assert "/v1/modules/acme/tiny/aws/1.0.0/download" in sent
    # The package is on the same host as the registry's API: Terraform sends it there too.
    assert "/archives/hostile/plain.tar.gz" in sent
    registry.authorizations.clear()
    estimate("terraform-aws-modules/sqs/aws", "~> 3.0", settings)  # another registry: no token
    assert registry.authorizations == []


def test_a_zip_package(fetch_settings: FetchFactory) -> None:
    collected = estimate("acme/zipped/aws", "2.0.0", fetch_settings())
    assert [r.address for r in collected.resources] == ["module.m.aws_sqs_queue.q"]
    assert collected.projects[0].modules[0]["download"].endswith("/archives/hostile/plain-zip.zip")


def test_a_pre_release_only_when_asked_for_exactly(fetch_settings: FetchFactory) -> None:
    settings = fetch_settings()
    exact = estimate("terraform-aws-modules/vpc/aws", "6.7.0-beta1", settings)
    assert exact.projects[0].modules[0]["version"] == "6.7.0-beta1"
    ranged = estimate("terraform-aws-modules/vpc/aws", ">= 6.0", settings)
    assert ranged.projects[0].modules[0]["version"] == "6.6.0"
