"""Hostile module sources and servers: each ends as a listed unknown with a stable code, the
estimate completes with the rest, and nothing is written outside the module cache.

Real servers throughout: the local registry (on 127.0.0.2, over HTTPS with the test CA)
serves archives with a traversal entry, a bomb and a symlink, download locations that
redirect to 127.0.0.1 and to the cloud metadata address, a location on ``localhost`` (refused
once resolved), a plain-HTTP location; a server that accepts connections and never answers;
a versions endpoint that never answers; constraints nothing satisfies; sources with shell
metacharacters; 500 module calls.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from engine.fetch.settings import FetchSettings
from engine.inventory import Collected, Options, collect
from tests.support.module_fixtures import FetchFactory, ModuleServers

pytestmark = pytest.mark.integration

CACHE_PARTS = {"FORMAT", "modules", "meta", "tmp", "trash", "parsed", "locks"}


def estimate(source: str, settings: FetchSettings, version: str | None = "1.0.0") -> Collected:
    version_line = f'  version = "{version}"\n' if version else ""
    main = f"""
resource "aws_sqs_queue" "kept" {{
  name = "still-estimated"
}}
module "bad" {{
  source = "{source}"
{version_line}}}
"""
    return collect({"main.tf": main.encode()}, "us-east-1", Options(), settings)


def only_unknown(collected: Collected) -> tuple[str | None, str]:
    assert [r.address for r in collected.resources] == ["aws_sqs_queue.kept"]
    [unknown] = [u for u in collected.unknowns if u.kind == "module"]
    assert unknown.address == "module.bad"
    return unknown.code, unknown.reason


def assert_nothing_outside_the_cache(tmp_path: Path) -> None:
    assert {p.name for p in tmp_path.iterdir()} <= {"module-cache"}
    cache = tmp_path / "module-cache"
    if cache.exists():
        assert {p.name for p in cache.iterdir()} <= CACHE_PARTS
        assert not list(cache.glob("tmp/*"))  # work directories are removed
    for directory in (tmp_path, *list(tmp_path.parents)[:3]):
        assert not list(directory.glob("escaped.tf"))
    assert not list(cache.rglob("escaped.tf"))
    assert not [p for p in cache.rglob("*") if p.is_symlink()]


@pytest.mark.parametrize(
    ("case", "code", "words"),
    [
        ("traversal", "module_unsafe_archive", "path_traversal"),
        ("bomb", "module_unsafe_archive", "compression_ratio"),
        ("symlink", "module_unsafe_archive", "link_entry"),
        ("http", "module_source_refused", "only HTTPS"),
    ],
)
def test_unsafe_archives_and_locations(
    fetch_settings: FetchFactory, tmp_path: Path, case: str, code: str, words: str
) -> None:
    found, reason = only_unknown(estimate(f"hostile/{case}/aws", fetch_settings()))
    assert found == code and words in reason, reason
    assert "source 'hostile/" in reason and "(version 1.0.0)" in reason
    assert_nothing_outside_the_cache(tmp_path)


@pytest.mark.parametrize(
    ("case", "allow", "words"),
    [
        ("redirect-loopback", "127.0.0.2", "127.0.0.1 is a loopback address"),
        ("direct-localhost", "127.0.0.2", "localhost resolves to"),
        ("redirect-metadata", "true", "169.254.169.254 is a cloud metadata address"),
        ("redirect-metadata", "127.0.0.2", "169.254.169.254 is a cloud metadata address"),
    ],
)
def test_private_addresses_are_refused_after_resolution_and_at_every_redirect(
    fetch_settings: FetchFactory, tmp_path: Path, case: str, allow: str, words: str
) -> None:
    settings = fetch_settings(allow_private=allow)
    found, reason = only_unknown(estimate(f"hostile/{case}/aws", settings))
    assert found == "module_address_refused" and words in reason, reason
    assert_nothing_outside_the_cache(tmp_path)


def test_a_registry_on_a_private_address_is_refused_unless_allowed(
    fetch_settings: FetchFactory, module_servers: ModuleServers
) -> None:
    found, reason = only_unknown(
        estimate("terraform-aws-modules/sqs/aws", fetch_settings(allow_private="false"), "~> 3.0")
    )
    assert found == "module_address_refused"
    assert "127.0.0.2 is a loopback address" in reason
    assert module_servers.registry.count("/versions") == 0  # never connected


def test_a_registry_that_never_answers_ends_with_the_budget(
    fetch_settings: FetchFactory, module_servers: ModuleServers, tmp_path: Path
) -> None:
    silent = f"https://127.0.0.2:{module_servers.silent.port}/v1/modules/"
    settings = fetch_settings(
        registries=("registry.terraform.io", "stuck.example"),
        registry_hosts=(("stuck.example", silent),),
        fetch_seconds=1.5,
    )
    started = time.monotonic()
    found, reason = only_unknown(estimate("stuck.example/acme/net/aws", settings))
    assert time.monotonic() - started < 10
    assert found == "module_fetch_timeout", reason
    # A versions endpoint that accepts the request and never answers ends the same way.
    started = time.monotonic()
    found, reason = only_unknown(estimate("hostile/slow/aws", fetch_settings(fetch_seconds=1.5)))
    assert time.monotonic() - started < 10
    assert found == "module_fetch_timeout", reason
    assert_nothing_outside_the_cache(tmp_path)


@pytest.mark.parametrize(
    ("source", "version", "code", "words"),
    [
        ("terraform-aws-modules/vpc/aws", "~> 9.0", "module_version_unsatisfied",
         "no version of registry.terraform.io/terraform-aws-modules/vpc/aws matching '~> 9.0'; "
         "the registry has 6.7.0-beta1, 6.6.0, 5.21.0"),
        ("terraform-aws-modules/vpc/aws", ">= 6.7.0-beta1", "module_version_unsatisfied", "6.6.0"),
        ("terraform-aws-modules/vpc/aws", "latest", "module_source_refused",
         "invalid version constraint"),
        ("terraform-aws-modules/nothing/aws", "1.0.0", "module_not_found",
         "has no module terraform-aws-modules/nothing/aws"),
        ("private.example/acme/net/aws", "1.0.0", "module_source_refused",
         "the registry private.example is not allowed"),
        ("terraform-aws-modules/vpc/aws; touch /tmp/tfquote-pwned", "1.0.0",
         "module_source_refused", "characters no module address uses"),
        ("$(touch /tmp/tfquote-pwned)/vpc/aws", None, "module_source_refused",
         "characters no module address uses"),
        ("https://example.com/m.zip|sh", None, "module_source_refused", "characters"),
    ],
)  # fmt: skip
def test_sources_and_versions_that_cannot_be_had(
    fetch_settings: FetchFactory,
    tmp_path: Path,
    source: str,
    version: str | None,
    code: str,
    words: str,
) -> None:
    found, reason = only_unknown(estimate(source, fetch_settings(), version))
    assert found == code and words in reason, reason
    assert not Path("/tmp/tfquote-pwned").exists()


def test_fetching_switched_off_lists_every_remote_call(fetch_settings: FetchFactory) -> None:
    found, reason = only_unknown(
        estimate("terraform-aws-modules/vpc/aws", fetch_settings(enabled=False), "~> 6.0")
    )
    assert found == "module_fetch_disabled" and "ENGINE_MODULE_FETCH=false" in reason


def test_five_hundred_module_calls(
    fetch_settings: FetchFactory, module_servers: ModuleServers, tmp_path: Path
) -> None:
    calls = "".join(
        f'module "m{i}" {{\n  source  = "acme/tiny/aws"\n  version = "1.0.0"\n}}\n'
        for i in range(500)
    )
    started = time.monotonic()
    collected = collect({"main.tf": calls.encode()}, "us-east-1", Options(), fetch_settings())
    assert time.monotonic() - started < 60
    assert len(collected.resources) == 200  # ENGINE_MODULE_MAX_CALLS (default 200)
    limited = [u for u in collected.unknowns if u.code == "module_limit"]
    assert len(limited) == 300
    assert "more than 200 remote module calls" in limited[0].reason
    assert module_servers.registry.count("/archives/") == 1  # one package, mounted 200 times
    assert_nothing_outside_the_cache(tmp_path)


def test_a_cache_that_cannot_be_written_is_an_unknown_not_a_crash(
    fetch_settings: FetchFactory, tmp_path: Path
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    settings = fetch_settings(cache_dir=str(blocker / "cache"), parse_cache=False)
    found, reason = only_unknown(estimate("acme/tiny/aws", settings))
    assert found == "module_fetch_failed" and "NotADirectoryError" in reason
