"""Registry and git module calls resolved by fetching them: the engine's remote resolver.

:class:`Fetcher` lives as long as the process (an evaluation child keeps it between
estimates): the shared cache, the HTTPS client, the registry and git clients, the fetch lock,
and the packages it has already read. :meth:`Fetcher.resolver` gives each estimate its own
:class:`RemoteResolver` (an :class:`~engine.terraform.modules.ModuleResolver`) with the
estimate's caps: remote module calls, and one fetch budget in seconds for all of them.

A resolved call is **mounted** where ``terraform init`` would have put it: the package's files
appear under ``<root>/.terraform/modules/<key>/`` of the root module's files
(:class:`~engine.terraform.functions.filesystem.MountedFiles`), ``<key>`` being the call path
(``eks.kms``). So ``path.module`` is what Terraform gives, and ``file()``, ``templatefile()``
and local calls inside the package (``./modules/x``, ``../_user_data``) read the package's own
files; a local path that leaves the package is refused, as Terraform refuses it.

A call that cannot be had ends as :class:`~engine.terraform.modules.Unresolvable` with the
reason and a stable code (:data:`engine.fetch.errors.CODES`); the planner lists it in
``unknowns`` and the estimate goes on without it.
"""

from __future__ import annotations

import fnmatch
import logging
import posixpath
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.fetch.addresses import (
    ArchiveSource,
    Download,
    GitSource,
    RegistrySource,
    RemoteSource,
    normalise_host,
    parse_source,
)
from engine.fetch.errors import FetchError
from engine.fetch.git import GitFetcher
from engine.fetch.locks import FileLocks, Locks, RedisLocks
from engine.fetch.net import AddressPolicy, Deadline, HttpClient
from engine.fetch.registry import RegistryClient
from engine.fetch.settings import FetchSettings
from engine.fetch.store import Entry, ModuleStore, cache_key
from engine.fetch.versions import Constraints, VersionError, describe, newest_allowed
from engine.terraform.functions.filesystem import MountedFiles
from engine.terraform.modules import (
    CallSite,
    ModuleLocation,
    Unresolvable,
    has_configuration,
    is_local_source,
)
from tfquote.archives import ArchiveError, ArchiveLimits, extract_archive

log = logging.getLogger("engine.fetch")

#: Packages kept in memory by a process (their files), by total size.
MEMORY_BYTES = 128 * 1024 * 1024
#: How often a process checks the cache's size between fetches (parses are written freely).
MAINTAIN_SECONDS = 60.0


@dataclass(frozen=True)
class Package:
    """A fetched package as a call uses it."""

    kind: str  # "registry" | "git" | "archive"
    key: str
    files: Mapping[str, bytes]
    subdir: str  # inside the package, where the called module is
    detail: tuple[tuple[str, str | bool], ...]


class Fetcher:
    """Everything a process keeps for fetching modules (see the module docstring)."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        redis_factory: Callable[[], Any] | None = None,
    ) -> None:
        self.settings = settings
        self.store = ModuleStore(Path(settings.cache_dir), settings.cache_max_bytes)
        self.policy = AddressPolicy.parse(settings.allow_private)
        self.http = HttpClient(self.policy, settings.ca_bundle)
        file_locks = FileLocks(self.store.tmp.parent / "locks")
        lock_ttl = settings.fetch_seconds + 60
        self.locks: Locks = file_locks
        if redis_factory is not None:
            self.locks = RedisLocks(
                redis_factory, prefix=settings.redis_prefix, ttl=lock_ttl, fallback=file_locks
            )
        self.registry = RegistryClient(
            self.http,
            self.store,
            self.locks,
            overrides=dict(settings.registry_hosts),
            tokens=dict(settings.tokens),
            ttl=settings.versions_ttl,
        )
        self.git = GitFetcher(
            self.policy,
            self.store,
            allow_ssh=settings.git_ssh,
            ca_bundle=settings.ca_bundle,
            ttl=settings.versions_ttl,
        )
        self._memory: OrderedDict[str, tuple[dict[str, bytes], int]] = OrderedDict()
        self._memory_lock = threading.Lock()
        #: packages downloaded by this process (tests and logs read it)
        self.downloads = 0
        self._maintained = float("-inf")

    def resolver(self) -> RemoteResolver:
        """A resolver for one estimate (its own caps and fetch budget)."""
        return RemoteResolver(self)

    def maintain(self) -> None:
        """Keep the cache under its cap between fetches too: publishing a package evicts,
        but parse-cache files are written by every estimate. At most once a minute."""
        now = time.monotonic()
        if now - self._maintained < MAINTAIN_SECONDS or not self.store.root.is_dir():
            return
        self._maintained = now
        self.store.evict()

    # --- packages --------------------------------------------------------------------------

    def files(self, entry: Entry) -> dict[str, bytes]:
        with self._memory_lock:
            found = self._memory.get(entry.key)
            if found is not None:
                self._memory.move_to_end(entry.key)
                return found[0]
        files = self.store.load_files(entry, self.settings.max_files, self.settings.max_bytes)
        size = sum(len(data) for data in files.values())
        with self._memory_lock:
            self._memory[entry.key] = (files, size)
            while (
                sum(item[1] for item in self._memory.values()) > MEMORY_BYTES
                and len(self._memory) > 1
            ):
                self._memory.popitem(last=False)
        return files

    def cached(
        self,
        key: str,
        deadline: Deadline,
        produce: Callable[[Path], tuple[Path, dict[str, Any]]],
        *,
        max_age: float | None = None,
    ) -> tuple[Entry, bool]:
        """The cache entry for ``key``, fetched with ``produce`` (in a work directory, under
        the lock) when no process has it yet; and whether it came from the cache."""
        self.store.ensure()

        def present() -> Entry | None:
            entry = self.store.lookup(key)
            if entry is None:
                return None
            if (
                max_age is not None
                and time.time() - float(entry.info.get("stored_at", 0)) > max_age
            ):
                return None
            return entry

        entry = present()
        if entry is not None:
            return entry, True
        with self.locks.hold(key, deadline, lambda: present() is not None) as owned:
            if not owned:
                entry = present()
                if entry is not None:
                    return entry, True
            started = time.monotonic()
            with self.store.staging() as work:
                tree, info = produce(work)
                files, total = _measure(tree)
                entry = self.store.publish(key, tree, {**info, "bytes": total, "files": files})
            self.downloads += 1
            log.info(
                "module fetched",
                extra={
                    "package": info.get("package"),
                    "version": info.get("version"),
                    "bytes": total,
                    "seconds": round(time.monotonic() - started, 3),
                },
            )
            return entry, False


_fetchers: dict[FetchSettings, Fetcher] = {}
_fetchers_lock = threading.Lock()


def fetcher_for(settings: FetchSettings) -> Fetcher:
    """The process's fetcher for these settings (kept: its caches outlive an estimate)."""
    with _fetchers_lock:
        found = _fetchers.get(settings)
        if found is None:
            factory: Callable[[], Any] | None = None
            if settings.redis_url:
                from engine.store import redis_client

                url = settings.redis_url
                factory = lambda: redis_client(url)  # noqa: E731
            found = Fetcher(settings, redis_factory=factory)
            _fetchers[settings] = found
        return found


def _measure(tree: Path) -> tuple[int, int]:
    files = 0
    total = 0
    for path in tree.rglob("*"):
        if path.is_file() and not path.is_symlink():
            files += 1
            total += path.stat().st_size
    return files, total


@dataclass
class RemoteResolver:
    """One estimate's view of module fetching (a ModuleResolver)."""

    fetcher: Fetcher
    calls: int = 0
    deadline: Deadline | None = None
    _packages: dict[tuple[str, str | None], Package | FetchError] = field(default_factory=dict)

    @property
    def settings(self) -> FetchSettings:
        return self.fetcher.settings

    def resolve(self, site: CallSite) -> ModuleLocation | Unresolvable | None:
        if is_local_source(site.source):
            return None
        if not self.settings.enabled:
            return Unresolvable(
                "remote module fetching is off (ENGINE_MODULE_FETCH=false); upload after "
                "`terraform init` (with .terraform/modules) to include it",
                "module_fetch_disabled",
            )
        files = site.root.files
        if not isinstance(files, MountedFiles):
            return Unresolvable("remote modules cannot be mounted here", "module_fetch_failed")
        self.calls += 1
        if self.calls > self.settings.max_calls:
            return Unresolvable(
                f"more than {self.settings.max_calls} remote module calls in one estimate "
                "(ENGINE_MODULE_MAX_CALLS)",
                "module_limit",
            )
        memo = (site.source, site.version)
        first = memo not in self._packages
        if first:
            try:
                self._packages[memo] = self._package(site.source, site.version)
            except FetchError as exc:
                self._packages[memo] = exc
            except Exception as exc:  # a disk, git or server failure nothing above expects
                log.exception("fetching module %r failed", site.source)
                self._packages[memo] = FetchError(
                    "module_fetch_failed", f"fetching the module failed: {type(exc).__name__}"
                )
        found = self._packages[memo]
        if isinstance(found, FetchError):
            return Unresolvable(found.message, found.code)
        key = ".".join(site.key_path)
        mount = posixpath.join(site.root.directory, ".terraform/modules", key)
        files.mount(mount, found.files)
        directory = posixpath.join(mount, found.subdir) if found.subdir else mount
        if not has_configuration(files, directory):
            where = f"subdirectory {found.subdir!r}" if found.subdir else "the package root"
            return Unresolvable(
                f"{where} of the fetched package has no .tf files", "module_not_found"
            )
        detail = found.detail
        if not first:
            # A second call of the same package in this estimate reads what the first got.
            detail = tuple(
                (name, True if name == "from_cache" else value) for name, value in detail
            )
        return ModuleLocation(files, directory, found.kind, detail, package=mount)

    # --- one package ---------------------------------------------------------------------------

    def _budget(self) -> Deadline:
        if self.deadline is None:
            self.deadline = Deadline(self.settings.fetch_seconds)
        return self.deadline

    def _package(self, source: str, version: str | None) -> Package:
        remote: RemoteSource = parse_source(source)
        if version is not None and not isinstance(remote, RegistrySource):
            raise FetchError(
                "module_source_refused",
                "a version constraint applies to registry modules only; give git sources "
                "a ?ref= instead",
            )
        if isinstance(remote, RegistrySource):
            return self._registry(remote, version)
        self._allowed_download(remote, from_registry=False)
        return self._direct(remote)

    def _registry(self, source: RegistrySource, version: str | None) -> Package:
        if not _host_allowed(source.host, self.settings.registries):
            raise FetchError(
                "module_source_refused",
                f"the registry {source.host} is not allowed (ENGINE_MODULE_REGISTRIES: "
                f"{', '.join(self.settings.registries) or 'none'})",
            )
        try:
            constraints = Constraints.parse(version) if version is not None else None
        except VersionError as exc:
            raise FetchError("module_source_refused", f"invalid version constraint: {exc}") from exc
        deadline = self._budget()
        available = self.fetcher.registry.versions(source, deadline)
        chosen = newest_allowed(available, constraints)
        if chosen is None:
            wanted = f"matching {version!r}" if version else "(no release version)"
            raise FetchError(
                "module_version_unsatisfied",
                f"no version of {source.package} {wanted}; the registry has {describe(available)}",
            )
        resolved = chosen.original or str(chosen)
        key = cache_key("registry", source.package.lower(), str(chosen))

        def produce(work: Path) -> tuple[Path, dict[str, Any]]:
            download = self.fetcher.registry.location(source, chosen, deadline)
            self._allowed_download(download, from_registry=True)
            headers = (
                self.fetcher.registry.archive_headers(source.host, download.url)
                if isinstance(download, ArchiveSource)
                else {}
            )
            tree, info = self._download(download, work, deadline, headers)
            return tree, {
                **info,
                "package": source.package,
                "version": resolved,
                "subdir": download.subdir,
            }

        entry, from_cache = self.fetcher.cached(key, deadline, produce)
        subdir = _join(str(entry.info.get("subdir", "")), source.subdir)
        files = self.fetcher.files(entry)
        detail: tuple[tuple[str, str | bool], ...] = (
            ("version", resolved),
            ("constraint", version or ""),
            ("package", source.package),
            ("download", str(entry.info.get("download", ""))),
            ("from_cache", from_cache),
        )
        return Package("registry", key, files, _glob_subdir(files, subdir), detail)

    def _direct(self, source: Download) -> Package:
        deadline = self._budget()
        if isinstance(source, GitSource):
            with self.fetcher.store.staging() as work:
                commit = self.fetcher.git.resolve(source, deadline, work)
            key = cache_key("git", source.url, commit)

            def produce_git(work: Path) -> tuple[Path, dict[str, Any]]:
                return self._download(source, work, deadline, {}, commit=commit)

            entry, from_cache = self.fetcher.cached(key, deadline, produce_git)
            files = self.fetcher.files(entry)
            detail: tuple[tuple[str, str | bool], ...] = (
                ("version", str(entry.info.get("commit", commit))),
                ("ref", source.ref or "HEAD"),
                ("package", source.package),
                ("download", source.package),
                ("from_cache", from_cache),
            )
            return Package("git", key, files, _glob_subdir(files, source.subdir), detail)
        key = cache_key("archive", source.url)

        def produce_archive(work: Path) -> tuple[Path, dict[str, Any]]:
            return self._download(source, work, deadline, {})

        entry, from_cache = self.fetcher.cached(
            key, deadline, produce_archive, max_age=self.settings.versions_ttl
        )
        files = self.fetcher.files(entry)
        detail = (
            ("version", ""),
            ("package", source.package),
            ("download", source.package),
            ("from_cache", from_cache),
        )
        return Package("archive", key, files, _glob_subdir(files, source.subdir), detail)

    def _allowed_download(self, download: Download, *, from_registry: bool) -> None:
        if isinstance(download, GitSource):
            if not _host_allowed(download.host, self.settings.git_hosts, download.port):
                raise FetchError(
                    "module_source_refused",
                    f"the git host {download.host} is not allowed (ENGINE_MODULE_GIT_HOSTS: "
                    f"{', '.join(self.settings.git_hosts) or 'none'})",
                )
            if download.scheme == "ssh" and not self.settings.git_ssh:
                raise FetchError(
                    "module_source_refused",
                    f"{download.url}: git over SSH is off (set ENGINE_MODULE_GIT_SSH=true, with "
                    "the engine's own SSH keys, to allow it)",
                )
            return
        if from_registry:
            return  # a registry's package may be anywhere public (S3, codeload...)
        allowed = (*self.settings.registries, *self.settings.git_hosts)
        if not _host_allowed(download.host, allowed, download.port):
            raise FetchError(
                "module_source_refused",
                f"archives are downloaded directly only from allowed hosts ({download.host} "
                "is not in ENGINE_MODULE_REGISTRIES or ENGINE_MODULE_GIT_HOSTS)",
            )

    def _download(
        self,
        download: Download,
        work: Path,
        deadline: Deadline,
        headers: Mapping[str, str],
        *,
        commit: str | None = None,
    ) -> tuple[Path, dict[str, Any]]:
        settings = self.settings
        if isinstance(download, GitSource):
            if commit is None:
                commit = self.fetcher.git.resolve(download, deadline, work)
            tree, full = self.fetcher.git.fetch(
                download,
                commit,
                deadline,
                work,
                max_files=settings.max_files,
                max_bytes=settings.max_bytes,
            )
            return tree, {
                "kind": "git",
                "download": download.package,
                "commit": full,
                "package": download.package,
                "version": full,
            }
        archive = work / "download"
        with archive.open("wb") as sink:
            response = self.fetcher.http.get(
                download.url, deadline, headers=headers, max_bytes=settings.max_bytes, sink=sink
            )
        if response.status == 404:
            raise FetchError("module_not_found", f"{download.package} was not found (404)")
        if response.status != 200:
            raise FetchError(
                "module_fetch_failed", f"{download.package} answered {response.status}"
            )
        tree = work / "tree"
        tree.mkdir()
        limits = ArchiveLimits(max_entries=settings.max_files, max_total_bytes=settings.max_bytes)
        try:
            extract_archive(archive, tree, limits)
        except ArchiveError as exc:
            code = "module_too_large" if exc.code == "too_large" else "module_unsafe_archive"
            raise FetchError(code, f"{download.package}: unsafe archive: {exc}") from exc
        return tree, {"kind": "archive", "download": download.package, "package": download.package}


def _host_allowed(host: str, allowed: tuple[str, ...], port: int | None = None) -> bool:
    """``host`` (``name`` or ``name:port``) against an allow-list whose entries are host
    names (any port) or ``name:port``."""
    name, _, given_port = host.partition(":")
    port_text = given_port or (str(port) if port else "")
    for entry in allowed:
        normalised = normalise_host(entry) or entry.lower()
        entry_name, _, entry_port = normalised.partition(":")
        if entry_name == name and (not entry_port or entry_port == port_text):
            return True
    return False


def _join(first: str, second: str) -> str:
    return "/".join(part for part in (first, second) if part)


def _glob_subdir(files: Mapping[str, bytes], subdir: str) -> str:
    """go-getter's subdirectory glob: ``*`` parts must match exactly one directory."""
    if not subdir or not any(char in subdir for char in "*?["):
        return subdir
    directories = {posixpath.dirname(path) for path in files}
    expanded = set(directories)
    for path in directories:
        while path:
            path = posixpath.dirname(path)
            expanded.add(path)
    pattern = subdir.split("/")

    def matches_pattern(path: str) -> bool:
        parts = path.split("/")  # like filepath.Glob, "*" never spans a "/"
        return len(parts) == len(pattern) and all(
            fnmatch.fnmatchcase(part, glob) for part, glob in zip(parts, pattern, strict=True)
        )

    matches = sorted(path for path in expanded if path and matches_pattern(path))
    if len(matches) != 1:
        raise FetchError(
            "module_not_found",
            f"the subdirectory pattern {subdir!r} matches {len(matches)} directories (needs one)",
        )
    return matches[0]
