"""The shared module cache and the parse cache on disk: one download per package however many
fetch it at once, least-recently-used eviction under the size cap, atomic publication,
the version list's TTL, the format version, and parses reused by a process that never
parsed them (and never trusted blindly)."""

from __future__ import annotations

import json
import os
import pickle
import threading
from pathlib import Path

import pytest

from engine.fetch import resolver
from engine.fetch.net import Deadline
from engine.fetch.resolver import Fetcher
from engine.fetch.store import FORMAT, ModuleStore
from engine.inventory import Options, collect
from engine.terraform import config, parsecache
from engine.terraform.syntax import parser
from tests.engine.helpers import tree_files
from tests.support.module_fixtures import FetchFactory, ModuleServers
from tests.support.shared import SHARED

pytestmark = pytest.mark.integration

MODULES = SHARED / "corpus" / "terraform" / "terraform-aws-modules"


def call(source: str, version: str, name: str = "m") -> dict[str, bytes]:
    return {
        "main.tf": f'module "{name}" {{\n  source = "{source}"\n  version = "{version}"\n}}\n'.encode()
    }


def test_concurrent_fetches_of_one_package_download_it_once(
    fetch_settings: FetchFactory, module_servers: ModuleServers
) -> None:
    """Eight threads, each with its own fetcher (as eight processes would have), one cache
    directory: one download; the others wait for it and read it from the cache."""
    registry = module_servers.registry
    settings = fetch_settings()
    registry.delay = 0.5
    barrier = threading.Barrier(8)
    outcomes: list[bool] = []
    lock = threading.Lock()

    def run() -> None:
        fetcher = Fetcher(settings)
        barrier.wait()
        collected = collect(call("terraform-aws-modules/vpc/aws", "~> 6.0"), "us-east-1",
                            Options(), settings)  # fmt: skip
        with lock:
            outcomes.append(collected.projects[0].modules[0]["from_cache"])
        del fetcher

    try:
        threads = [threading.Thread(target=run) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        registry.delay = 0.0
    assert sorted(outcomes) == [False] + [True] * 7
    assert registry.count("/archives/") == 1
    assert registry.count("/versions") == 1


def test_least_recently_used_packages_are_evicted_past_the_cap(
    fetch_settings: FetchFactory, module_servers: ModuleServers, tmp_path: Path
) -> None:
    # vpc 392 kB, sqs 48 kB, kms 55 kB of files (parses off: this is about packages)
    settings = fetch_settings(cache_max_bytes=450_000, parse_cache=False)
    registry = module_servers.registry
    collect(call("terraform-aws-modules/vpc/aws", "~> 6.0"), "us-east-1", Options(), settings)
    collect(call("terraform-aws-modules/sqs/aws", "~> 3.0"), "us-east-1", Options(), settings)
    modules = tmp_path / "module-cache" / "modules"
    assert len(list(modules.iterdir())) == 2
    resolver._fetchers.clear()  # a new process: nothing held in memory
    collect(call("terraform-aws-modules/kms/aws", "~> 4.0"), "us-east-1", Options(), settings)
    kept = sorted(json.loads((p / "entry.json").read_text())["package"] for p in modules.iterdir())
    assert kept == ["registry.terraform.io/terraform-aws-modules/kms/aws",
                    "registry.terraform.io/terraform-aws-modules/sqs/aws"]  # fmt: skip
    again = collect(
        call("terraform-aws-modules/vpc/aws", "~> 6.0"), "us-east-1", Options(), settings
    )
    assert again.projects[0].modules[0]["from_cache"] is False
    assert registry.count("/archives/terraform-aws-modules/vpc/") == 2
    assert not list((tmp_path / "module-cache" / "trash").iterdir())


def test_publication_is_atomic_and_a_second_copy_is_dropped(tmp_path: Path) -> None:
    store = ModuleStore(tmp_path / "cache", 10**9)
    store.ensure()
    for content in (b"first", b"second"):
        with store.staging() as work:
            tree = work / "tree"
            tree.mkdir()
            (tree / "main.tf").write_bytes(content)
            entry = store.publish("k" * 40, tree, {"bytes": 5})
    assert (entry.tree / "main.tf").read_bytes() == b"first"  # the first one stays
    assert not list(store.tmp.iterdir())
    assert store.lookup("x" * 40) is None


def test_parse_files_count_towards_the_cap_and_go_least_recently_used_first(
    tmp_path: Path,
) -> None:
    store = ModuleStore(tmp_path / "cache", 3000)
    store.ensure()
    with store.staging() as work:
        tree = work / "tree"
        tree.mkdir()
        (tree / "main.tf").write_bytes(b"x" * 1000)
        store.publish("p" * 40, tree, {"bytes": 1000})
    os.utime(store.modules / ("p" * 40) / "entry.json", (10, 10))
    for index, stamp in enumerate((20, 30, 40)):
        path = store.parsed / "v1" / f"{index}.pickle"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"y" * 1000)
        os.utime(path, (stamp, stamp))
    assert store.evict() == 1  # 4000 bytes, cap 3000: the oldest (the package) goes
    assert store.lookup("p" * 40) is None
    store.max_bytes = 1500
    assert store.evict() == 2
    assert [p.name for p in (store.parsed / "v1").iterdir()] == ["2.pickle"]


def test_a_cache_of_another_format_is_emptied_and_stale_work_swept(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    (root / "modules" / "old").mkdir(parents=True)
    (root / "tmp" / "work-dead").mkdir(parents=True)
    os.utime(root / "tmp" / "work-dead", (0, 0))
    (root / "FORMAT").write_text("0")
    store = ModuleStore(root, 10**9)
    store.ensure()
    assert (root / "FORMAT").read_text() == FORMAT
    assert not list((root / "modules").iterdir()) and not list((root / "tmp").iterdir())


def test_the_version_list_is_asked_again_after_its_ttl(
    fetch_settings: FetchFactory, module_servers: ModuleServers
) -> None:
    registry = module_servers.registry
    fresh = fetch_settings(versions_ttl=0)
    for _ in range(2):
        collect(call("terraform-aws-modules/sqs/aws", "~> 3.0"), "us-east-1", Options(), fresh)
    assert registry.count("/versions") == 2
    assert registry.count("/archives/") == 1  # the package itself is keyed by version


def test_waiting_for_a_lock_counts_against_the_budget(tmp_path: Path) -> None:
    from engine.fetch.errors import FetchError
    from engine.fetch.locks import FileLocks

    locks = FileLocks(tmp_path / "locks")
    with locks.hold("k", Deadline(5), lambda: False) as owned:
        assert owned
        other = FileLocks(tmp_path / "locks").hold("k", Deadline(0.3), lambda: False)
        with pytest.raises(FetchError) as raised, other:
            pass
    assert raised.value.code == "module_fetch_timeout"


# --- the parse cache on disk ------------------------------------------------------------------------


def test_parses_are_reused_by_a_process_that_never_parsed_them(
    fetch_settings: FetchFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    files = tree_files(MODULES / "terraform-aws-rds-aurora")
    options = Options(root_module="examples/postgresql")
    settings = fetch_settings()
    config._cache.clear()
    first = collect(files, "eu-west-1", options, settings)
    parsed = tmp_path / "module-cache" / "parsed" / parsecache.fingerprint()
    assert len(list(parsed.rglob("*.pickle"))) >= 10

    calls: list[str] = []
    original = parser.parse_config

    def counting(path: str, data: bytes) -> object:
        calls.append(path)
        return original(path, data)

    monkeypatch.setattr(config, "parse_config", counting)
    config._cache.clear()  # what a new evaluation process starts with
    resolver._fetchers.clear()
    second = collect(files, "eu-west-1", options, settings)
    assert calls == []
    assert [r.address for r in second.resources] == [r.address for r in first.resources]
    assert [r.attributes for r in second.resources] == [r.attributes for r in first.resources]


def test_damaged_or_foreign_parse_entries_are_parsed_again(tmp_path: Path) -> None:
    parsecache.configure(tmp_path / "parsed")
    try:
        data = b'resource "aws_sqs_queue" "q" {\n  name = "a"\n}\n'
        config._cache.clear()
        body = config.parse_file("main.tf", data)
        [entry] = list((tmp_path / "parsed").rglob("*.pickle"))
        entry.write_bytes(b"not a pickle")
        config._cache.clear()
        assert config.parse_file("main.tf", data).blocks[0].labels == body.blocks[0].labels

        class Exploit:
            def __reduce__(self) -> tuple[object, tuple[str]]:
                return (os.system, ("touch " + str(tmp_path / "pwned"),))

        entry.write_bytes(pickle.dumps(Exploit()))
        config._cache.clear()
        again = config.parse_file("main.tf", data)
        assert again.blocks[0].labels == ("aws_sqs_queue", "q")
        assert not (tmp_path / "pwned").exists()
    finally:
        parsecache.configure(None)
        config._cache.clear()
