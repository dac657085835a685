"""Remote modules through the engine's HTTP API: a real engine (gunicorn, two processes of four
threads, evaluation in isolated child processes), a real Redis (the fetch lock), the local
registry over HTTPS trusted through ``REQUESTS_CA_BUNDLE``.

* eight estimates calling the same module at once: one download, counted at the registry;
* a shared example estimated with its registry modules, and its result's ``modules`` saying
  which version was fetched, from where, and whether from the cache;
* a hostile package: a listed unknown, and the engine goes on serving.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.engine.helpers import build_tgz, tree_files
from tests.support.module_fixtures import ModuleServers, fetching_engine_env
from tests.support.openapi import schema_errors
from tests.support.shared import SHARED
from tfquote import redis_server
from tfquote.devstack import start_gunicorn

pytestmark = pytest.mark.e2e

MODULES = SHARED / "corpus" / "terraform" / "terraform-aws-modules"
ORACLES = Path(__file__).resolve().parents[1] / "terraform" / "examples"
DOCUMENT = yaml.safe_load(
    (Path(__file__).resolve().parents[3] / "docs" / "engine-openapi.yaml").read_text()
)


@pytest.fixture(scope="module")
def fetching_engine(
    module_servers: ModuleServers,
    redis_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    root = tmp_path_factory.mktemp("fetching-engine")
    port = redis_server.free_port()
    env = {
        "REDIS_URL": redis_url,
        "ENGINE_REDIS_URL": redis_url,
        "ENGINE_KEY_PREFIX": "modules-api:",
        "LOG_LEVEL": "WARNING",
        **fetching_engine_env(module_servers, root / "cache"),
    }
    service = start_gunicorn("engine-modules", "engine:create_app()", port, env, root,
                             workers=2, threads=4)  # fmt: skip
    yield f"http://127.0.0.1:{port}"
    service.stop()


def post(engine: str, files: dict[str, bytes], options: dict[str, Any] | None = None,
         region: str = "us-east-1") -> dict[str, Any]:  # fmt: skip
    response = requests.post(
        f"{engine}/v1/estimates",
        files={"bundle": ("bundle.tar.gz", io.BytesIO(build_tgz(files)), "application/gzip")},
        data={"region": region, "options": json.dumps(options or {})},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "succeeded", body
    result: dict[str, Any] = body["result"]
    # As docs/engine-openapi.yaml documents it (module entries and unknowns included).
    assert schema_errors(DOCUMENT, {"$ref": "#/components/schemas/Inventory"}, result) == []
    return result


def test_eight_estimates_of_the_same_module_at_once_download_it_once(
    fetching_engine: str, module_servers: ModuleServers
) -> None:
    registry = module_servers.registry
    registry.reset_counts()
    registry.delay = 1.0  # the download is slow: the others must wait for it, not race it
    main = (
        b'module "alb" {\n  source  = "terraform-aws-modules/alb/aws"\n  version = "~> 10.0"\n}\n'
    )
    barrier = threading.Barrier(8)
    results: list[dict[str, Any]] = []
    lock = threading.Lock()

    def submit(index: int) -> None:
        files = {"main.tf": main, "variables.tf": f"# job {index}\n".encode()}
        barrier.wait()
        result = post(fetching_engine, files)
        with lock:
            results.append(result)

    try:
        threads = [threading.Thread(target=submit, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(180)
    finally:
        registry.delay = 0.0
    assert len(results) == 8
    assert registry.count("/archives/terraform-aws-modules/alb/") == 1
    assert registry.count("/terraform-aws-modules/alb/aws/versions") == 1
    fetched = [m for r in results for m in r["modules"] if m["address"] == "module.alb"]
    assert sorted(m["from_cache"] for m in fetched) == [False] + [True] * 7
    assert {m["version"] for m in fetched} == {"10.5.0"}
    assert all(r["summary"]["modules_not_expanded"] == 0 for r in results)


REGISTRY_ORACLES = sorted(
    path for path in ORACLES.glob("*/*.json") if '"registry"' in path.read_text("utf-8")
)


@pytest.mark.parametrize(
    "oracle_path", REGISTRY_ORACLES, ids=[f"{p.parent.name}/{p.stem}" for p in REGISTRY_ORACLES]
)
def test_shared_examples_with_registry_modules_through_the_api(
    fetching_engine: str, module_servers: ModuleServers, oracle_path: Path
) -> None:
    """Each example with a hand-written oracle of what Terraform creates (its registry
    modules fetched from the local registry at the versions MANIFEST.txt gives): exactly
    those resources, in their regions, every call expanded at its version."""
    oracle = json.loads(oracle_path.read_text("utf-8"))
    repo, _, example = oracle["example"].partition("/examples/")
    files = tree_files(MODULES / repo)
    result = post(fetching_engine, files, {"root_module": f"examples/{example}"})
    managed = {r["address"]: r["region"] for r in result["resources"] if r["mode"] == "managed"}
    assert managed == oracle["resources"]
    assert result["summary"]["modules_not_expanded"] == 0
    fetched = {
        f"{m['source']} {m['constraint']}": m["version"]
        for m in result["modules"]
        if m.get("kind") == "registry"
    }
    assert fetched == oracle["registry"]


def test_a_fetched_module_is_described_and_priced(
    fetching_engine: str, module_servers: ModuleServers
) -> None:
    oracle = json.loads((ORACLES / "terraform-aws-sqs" / "complete.json").read_text())
    files = tree_files(MODULES / "terraform-aws-sqs")
    result = post(fetching_engine, files, {"root_module": "examples/complete"})
    managed = {r["address"]: r["region"] for r in result["resources"] if r["mode"] == "managed"}
    assert managed == oracle["resources"]
    kms = next(m for m in result["modules"] if m["address"] == "module.kms")
    assert (kms["kind"], kms["version"], kms["constraint"]) == ("registry", "4.2.0", "~> 4.0")
    assert kms["package"] == "registry.terraform.io/terraform-aws-modules/kms/aws"
    assert isinstance(kms["from_cache"], bool)
    assert result["summary"]["modules_not_expanded"] == 0
    [project] = result["estimate"]["projects"]
    priced = {r["name"]: r for r in project["breakdown"]["resources"]}
    key = priced["module.kms.aws_kms_key.this[0]"]  # a resource of the fetched module, priced
    assert float(key["monthlyCost"]) > 0


def test_a_hostile_package_is_an_unknown_and_the_engine_goes_on(fetching_engine: str) -> None:
    main = b"""
resource "aws_sqs_queue" "kept" {}
module "bad" {
  source  = "hostile/traversal/aws"
  version = "1.0.0"
}
"""
    result = post(fetching_engine, {"main.tf": main})
    [unknown] = [u for u in result["unknowns"] if u["kind"] == "module"]
    assert unknown["code"] == "module_unsafe_archive"
    assert (unknown["source"], unknown["constraint"]) == ("hostile/traversal/aws", "1.0.0")
    assert result["summary"]["modules_not_expanded"] == 1
    assert [r["address"] for r in result["resources"]] == ["aws_sqs_queue.kept"]
    assert requests.get(f"{fetching_engine}/health", timeout=5).status_code == 200
    again = post(fetching_engine, {"main.tf": b'resource "aws_sqs_queue" "q" {}\n'})
    assert again["summary"]["resource_count"] == 1
