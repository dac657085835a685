"""Where a module call's code comes from: module sources resolved as Terraform resolves them.

A :class:`ModuleResolver` turns a ``module`` block's ``source`` into a :class:`ModuleLocation`
(a directory inside some :class:`~engine.terraform.functions.filesystem.UploadFiles`), or an
:class:`Unresolvable` with the reason. The chain used for an upload:

1. :class:`ManifestResolver` — an upload made after ``terraform init`` carries
   ``.terraform/modules/modules.json``: every module call (registry, git or local) is listed by
   its key (``vpc``, ``eks.eks_managed_node_group``) with the directory Terraform installed it
   in. That is Terraform's own lookup, so registry and git modules resolve offline.
2. :class:`LocalResolver` — ``./x`` and ``../x`` relative to the calling module, anywhere in
   the upload; a path that leaves the upload is refused and says so.
3. a remote resolver for registry and git sources: the engine's fetcher
   (:class:`engine.fetch.RemoteResolver`, which mounts each fetched package into the root's
   files under ``.terraform/modules/<key>/``), or :class:`NoRemoteResolver` when nothing
   fetches; :mod:`engine.terraform` takes any resolver that follows the protocol.

A location inside a fetched package knows its package's directory (``package``): local
sources called from there must stay inside the package, as Terraform requires.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from engine.terraform.functions.filesystem import UploadFiles

LOCAL_PREFIXES = ("./", "../")


@dataclass(frozen=True)
class ModuleLocation:
    files: UploadFiles
    directory: str
    #: how it was found: "local", "manifest", "registry", "git"...
    kind: str = "local"
    #: for remote modules: the resolved version, the source fetched, whether from a cache
    detail: tuple[tuple[str, str | bool], ...] = ()
    #: the directory of the fetched package this module is part of (None: the upload's)
    package: str | None = None

    def nested(self, directory: str) -> ModuleLocation:
        """A local module called from this one: same files, package and version; the facts
        of the fetching call (its constraint, download, from_cache) stay with that call."""
        own = ("from_cache", "constraint", "download")
        detail = tuple((name, value) for name, value in self.detail if name not in own)
        return ModuleLocation(self.files, directory, self.kind, detail, self.package)


@dataclass(frozen=True)
class Unresolvable:
    reason: str
    #: a stable code for the unknown's entry (engine.fetch.errors.CODES for remote sources)
    code: str | None = None


@dataclass(frozen=True)
class CallSite:
    """A module call being resolved: its source and version, where it is called from and
    its key path (call names from the root: ``("eks", "eks_managed_node_group")``)."""

    source: str
    version: str | None
    caller: ModuleLocation
    key_path: tuple[str, ...]
    root: ModuleLocation


class ModuleResolver(Protocol):
    def resolve(self, site: CallSite) -> ModuleLocation | Unresolvable | None:
        """The module's location, a reason it cannot be had, or None to let the next
        resolver of a chain try."""


def is_local_source(source: str) -> bool:
    return source.startswith(LOCAL_PREFIXES) or source in (".", "..")


def has_configuration(files: UploadFiles, directory: str) -> bool:
    prefix = f"{directory}/" if directory else ""
    for path in files.list():
        rest = path[len(prefix) :]
        if path.startswith(prefix) and "/" not in rest and rest.endswith((".tf", ".tf.json")):
            return True
    return False


class LocalResolver:
    """``./x`` / ``../x`` relative to the calling module, staying inside the same files."""

    def resolve(self, site: CallSite) -> ModuleLocation | Unresolvable | None:
        if not is_local_source(site.source):
            return None
        base = site.caller.directory or "."
        target = posixpath.normpath(posixpath.join(base, site.source))
        if target == ".":
            target = ""
        if target == ".." or target.startswith("../") or target.startswith("/"):
            return Unresolvable(
                f"module source {site.source!r} leaves the upload (from "
                f"{site.caller.directory or '.'!r}); upload the folder that contains it"
            )
        package = site.caller.package
        if package is not None and not (target == package or target.startswith(package + "/")):
            return Unresolvable(
                f"module source {site.source!r} leaves its module package (local paths in a "
                "fetched module must stay inside it)"
            )
        if not has_configuration(site.caller.files, target):
            where = "the module package" if package is not None else "the upload"
            return Unresolvable(f"module directory {target or '.'!r} has no .tf files in {where}")
        return site.caller.nested(target)


class ManifestResolver:
    """Terraform's ``.terraform/modules/modules.json`` (uploads made after ``terraform init``).

    With ``fall_through`` (a remote resolver follows), a registry or git module the manifest
    lists but the upload lacks is left to the next resolver, which fetches it."""

    def __init__(self, *, fall_through: bool = False) -> None:
        self.fall_through = fall_through
        self._manifests: dict[tuple[int, str], dict[str, dict[str, str]]] = {}

    def _manifest(self, root: ModuleLocation) -> dict[str, dict[str, str]]:
        key = (id(root.files), root.directory)
        if key not in self._manifests:
            path = posixpath.join(root.directory, ".terraform/modules/modules.json")
            entries: dict[str, dict[str, str]] = {}
            data = root.files.read(path)
            if data is not None:
                try:
                    document = json.loads(data)
                except ValueError:
                    document = {}
                modules = document.get("Modules") if isinstance(document, dict) else None
                for entry in modules if isinstance(modules, list) else []:
                    if isinstance(entry, dict) and isinstance(entry.get("Key"), str):
                        entries[entry["Key"]] = {
                            k: str(val) for k, val in entry.items() if isinstance(val, str)
                        }
            self._manifests[key] = entries
        return self._manifests[key]

    def resolve(self, site: CallSite) -> ModuleLocation | Unresolvable | None:
        entry = self._manifest(site.root).get(".".join(site.key_path))
        if entry is None or "Dir" not in entry:
            return None
        directory = posixpath.normpath(posixpath.join(site.root.directory or ".", entry["Dir"]))
        directory = "" if directory == "." else directory
        if directory == ".." or directory.startswith(("../", "/")):
            return Unresolvable(
                f"modules.json points module {'.'.join(site.key_path)} outside the upload"
            )
        if not has_configuration(site.root.files, directory):
            if is_local_source(site.source) or self.fall_through:
                return None  # a stale manifest; the local path (or a fetch) may still work
            return Unresolvable(
                f"modules.json lists {site.source!r} in {entry['Dir']!r}, which is not in the "
                "upload; include .terraform/modules in the upload"
            )
        detail: list[tuple[str, str | bool]] = [("source", entry.get("Source", site.source))]
        if entry.get("Version"):
            detail.append(("version", entry["Version"]))
        kind = "local" if is_local_source(site.source) else "manifest"
        return ModuleLocation(site.root.files, directory, kind, tuple(detail))


class NoRemoteResolver:
    """Registry and git sources when nothing fetches them: listed with the reason."""

    def resolve(self, site: CallSite) -> ModuleLocation | Unresolvable | None:
        if is_local_source(site.source):
            return None
        version = f" (version {site.version})" if site.version else ""
        return Unresolvable(
            f"module source {site.source!r}{version} is not in the upload and remote module "
            "fetching is off; upload after `terraform init` (with .terraform/modules) to "
            "include it",
            "module_fetch_disabled",
        )


class ChainResolver:
    def __init__(self, resolvers: Sequence[ModuleResolver]) -> None:
        self.resolvers = list(resolvers)

    def resolve(self, site: CallSite) -> ModuleLocation | Unresolvable:
        for resolver in self.resolvers:
            found = resolver.resolve(site)
            if found is not None:
                return found
        return Unresolvable(f"module source {site.source!r} cannot be resolved")


def default_resolver(remote: ModuleResolver | None = None) -> ChainResolver:
    return ChainResolver(
        [
            ManifestResolver(fall_through=remote is not None),
            LocalResolver(),
            remote or NoRemoteResolver(),
        ]
    )
