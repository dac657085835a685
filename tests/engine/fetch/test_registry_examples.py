"""Every shared example that calls registry modules, estimated with its modules fetched from a
real (local) module registry over HTTPS.

The registry serves the terraform-aws-modules packages of ``../shared`` under the versions
MANIFEST.txt maps the examples' constraints to; the engine reaches it through the service
discovery override (``registry.terraform.io`` -> the local server), so the examples keep their
usual ``terraform-aws-modules/vpc/aws`` sources. For each example:

* every registry call the registry serves is expanded at the version Terraform would pick,
  and every one it does not serve (acm, iam, sns...: not in the corpus) is listed in
  ``unknowns`` with its source, constraint and ``module_not_found``;
* the plan equals the plan of the same upload made after ``terraform init`` (the same
  packages under ``.terraform/modules`` with a ``modules.json``): mounting a fetched package
  behaves exactly like Terraform's own module directory.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from engine.fetch.settings import FetchSettings
from engine.inventory import Options, collect
from engine.result import build_result
from engine.terraform import plan_upload
from tests.engine.conftest import CORPUS
from tests.engine.helpers import tree_files
from tests.support.module_fixtures import FetchFactory, ModuleServers
from tests.support.module_servers import folder_files, manifest_rows
from tests.support.shared import require_shared

pytestmark = pytest.mark.integration

MODULES = CORPUS / "terraform-aws-modules"
_SECTION = re.compile(r"^# \[(terraform-aws-[\w-]+)\] commit")
_EXAMPLE = re.compile(r"^#   examples/([\w-]+): .*registry: (.+)$")


def registry_examples() -> list[Any]:
    """(repository, example) of every example whose MANIFEST notes list registry sources."""
    manifest = CORPUS / "MANIFEST.txt"
    if not manifest.exists():
        return [pytest.param("missing", "missing", id="missing")]  # require_shared decides
    found: list[Any] = []
    repo = ""
    for line in manifest.read_text().splitlines():
        section = _SECTION.match(line)
        if section:
            repo = section[1]
        example = _EXAMPLE.match(line)
        if example and repo and not example[2].startswith("none"):
            found.append(pytest.param(repo, example[1], id=f"{repo}/{example[1]}"))
    return found


@functools.cache
def repository(repo: str) -> dict[str, bytes]:
    return tree_files(MODULES / repo)


@functools.cache
def tags() -> dict[tuple[str, str], str]:
    return {
        (row.source, row.constraint): row.version for row in manifest_rows(CORPUS / "MANIFEST.txt")
    }


def call_key(address: str) -> str:
    """module.eks.module.kms["x"] -> eks.kms (the key terraform init uses)."""
    return ".".join(re.findall(r"module\.([\w-]+)", address))


def after_init(
    files: dict[str, bytes], root: str, modules: list[dict[str, Any]], served: dict[str, str]
) -> dict[str, bytes]:
    """The upload as it would be after `terraform init`: each fetched package under
    .terraform/modules/<key>/, listed in modules.json."""
    upload = dict(files)
    entries = []
    seen: set[str] = set()
    for module in modules:
        if "from_cache" not in module or call_key(module["address"]) in seen:
            continue
        key = call_key(module["address"])
        seen.add(key)
        package = module["source"].split("//", 1)[0]
        repo = served[package]
        prefix = f"terraform-aws-kms-{module['version']}/" if "/kms/" in package else ""
        for path, data in folder_files(MODULES / repo).items():
            upload[f"{root}/.terraform/modules/{key}/{prefix}{path}"] = data
        directory = module["directory"].removeprefix(f"{root}/")
        entries.append({"Key": key, "Source": module["source"], "Version": module["version"],
                        "Dir": directory})  # fmt: skip
    upload[f"{root}/.terraform/modules/modules.json"] = json.dumps({"Modules": entries}).encode()
    return upload


@pytest.mark.parametrize(("repo", "example"), registry_examples())
def test_registry_example_is_estimated_with_its_modules(
    repo: str,
    example: str,
    fetch_settings: FetchFactory,
    module_servers: ModuleServers,
) -> None:
    require_shared(CORPUS / "MANIFEST.txt")
    registry = module_servers.registry
    files = repository(repo)
    root = f"examples/{example}"
    collected = collect(files, "us-east-1", Options(root_module=root), fetch_settings())
    [project] = collected.projects

    # the calls that fetched (their local modules have the package and version, no cache fact)
    fetched = [m for m in project.modules if "from_cache" in m]
    for module in fetched:
        key = (module["source"], module["constraint"] or "(no version)")
        assert module["version"] == tags()[key], module
        assert module["directory"].startswith(
            f"{root}/.terraform/modules/{call_key(module['address'])}"
        )
        assert module["package"].startswith("registry.terraform.io/")
    for unknown in project.unknowns:
        if unknown.kind == "module" and unknown.code is not None:
            assert unknown.code == "module_not_found", unknown
            assert unknown.source is not None
            assert unknown.source.split("//")[0] not in registry.repos, unknown
            assert f"source {unknown.source!r}" in unknown.reason

    reference = plan_upload(after_init(files, root, fetched, registry.repos), region="us-east-1",
                            root_module=root)  # fmt: skip
    [planned] = reference
    assert [r.address for r in project.resources] == [r.address for r in planned.result.resources]
    assert [r.region for r in project.resources] == [r.region for r in planned.result.resources]


def test_modules_metadata_says_version_source_and_cache(
    fetch_settings: FetchFactory, module_servers: ModuleServers, corpus: Path
) -> None:
    registry = module_servers.registry
    settings = fetch_settings()
    files = repository("terraform-aws-rds-aurora")
    options = {"root_module": "examples/postgresql"}
    first = build_result(files, "eu-west-1", options=options, evaluator=_evaluator(settings))
    modules = {m["address"]: m for m in first["modules"] if m["kind"] == "registry"}
    assert modules["module.vpc"] | {"download": ""} == {
        "address": "module.vpc",
        "source": "terraform-aws-modules/vpc/aws",
        "kind": "registry",
        "directory": "examples/postgresql/.terraform/modules/vpc",
        "version": "6.6.0",
        "constraint": "~> 6.0",
        "package": "registry.terraform.io/terraform-aws-modules/vpc/aws",
        "download": "",
        "from_cache": False,
        "project": "examples/postgresql",
    }
    assert modules["module.vpc"]["download"].endswith(
        "/archives/terraform-aws-modules/vpc/aws/6.6.0.tar.gz"
    )
    assert modules["module.kms"]["version"] == "4.2.0"
    assert modules["module.kms"]["directory"].endswith(
        ".terraform/modules/kms/terraform-aws-kms-4.2.0"
    )
    assert first["summary"]["modules_not_expanded"] == 0
    assert registry.count("/archives/") == 2 and registry.count("/versions") == 2

    # Again, in a process that never saw them (the cache on disk answers, within the TTL).
    again = build_result(
        files, "eu-west-1", options=options, evaluator=_evaluator(settings, fresh=True)
    )
    cached = {m["address"]: m for m in again["modules"] if m["kind"] == "registry"}
    assert cached["module.vpc"]["from_cache"] is True and cached["module.kms"]["from_cache"] is True
    assert registry.count("/archives/") == 2 and registry.count("/versions") == 2
    assert again["resources"] == first["resources"]
    assert again["estimate"]["totalMonthlyCost"] == first["estimate"]["totalMonthlyCost"]


def test_nested_registry_and_local_modules_of_a_fetched_module(
    fetch_settings: FetchFactory, module_servers: ModuleServers, corpus: Path
) -> None:
    """eks (fetched) calls kms 4.0.0 from the registry (mounted at .terraform/modules/<key>.kms)
    and its own ./modules/eks-managed-node-group, which calls ../_user_data, which reads
    ${path.module}/../../templates/*.tpl: all inside the fetched package."""
    collected = collect(
        repository("terraform-aws-eks"),
        "us-east-1",
        Options(root_module="examples/eks-managed-node-group"),
        fetch_settings(),
    )
    [project] = collected.projects
    modules = {m["address"]: m for m in project.modules}
    kms = modules["module.eks_al2023.module.kms"]
    assert (kms["kind"], kms["version"], kms["constraint"]) == ("registry", "4.0.0", "4.0.0")
    assert kms["directory"].endswith(".terraform/modules/eks_al2023.kms/terraform-aws-kms-4.0.0")
    groups = [a for a in modules if a.endswith(".module.user_data")]
    assert groups and all(modules[a]["kind"] == "registry" for a in groups)
    assert modules[groups[0]]["version"] == "21.19.0"  # a local module of the package...
    assert "from_cache" not in modules[groups[0]]  # ...that was not fetched by itself
    user_data = [r for r in project.resources if r.type == "aws_launch_template"]
    assert user_data
    assert not [u for u in project.unknowns if u.kind == "module" and u.code is not None]


def _evaluator(settings: FetchSettings, *, fresh: bool = False) -> Any:
    from engine.fetch import resolver
    from engine.isolation import InProcessEvaluator
    from engine.terraform import config

    if fresh:  # what a new evaluation process starts with
        resolver._fetchers.clear()
        config._cache.clear()
    return InProcessEvaluator(settings)
