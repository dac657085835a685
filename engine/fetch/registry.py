"""Terraform's module registry protocol, as Terraform CLI speaks it.

1. **Service discovery**: ``GET https://<host>/.well-known/terraform.json`` gives the base
   URL of the ``modules.v1`` service (absolute, or relative to the discovery document), unless
   the engine's configuration overrides it for that host (``ENGINE_MODULE_REGISTRY_HOSTS``,
   like a CLI configuration ``host`` block): that is how air-gapped installs point the public
   registry at an internal mirror, and how the tests point it at their local registry.
2. ``GET <base><namespace>/<name>/<provider>/versions`` lists the published versions; the
   constraint picks one (:mod:`engine.fetch.versions`).
3. ``GET <base><namespace>/<name>/<provider>/<version>/download`` answers with the package's
   location: the ``X-Terraform-Get`` header (usually with ``204 No Content``) or a JSON body
   ``{"location": …}``. A relative location is relative to the download URL. The location is a
   go-getter address (an archive URL or a git source, with its own ``//subdir``).

The registry's token is sent as ``Authorization: Bearer`` to the registry's API, and to the
package location only when it is on the same host; tokens come from ``TF_TOKEN_<host>`` in the
engine's environment, never from an upload. Discovery answers and version lists are kept in
the shared cache for ``ENGINE_MODULE_VERSIONS_TTL`` seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin, urlsplit

from engine.fetch.addresses import (
    Download,
    RegistrySource,
    parse_getter,
    resolve_location,
)
from engine.fetch.errors import FetchError
from engine.fetch.locks import Locks
from engine.fetch.net import Deadline, HttpClient
from engine.fetch.store import ModuleStore, cache_key
from engine.fetch.versions import MAX_VERSION_LENGTH, Version, VersionError

MAX_API_BYTES = 4 * 1024 * 1024
MAX_VERSIONS = 10_000


@dataclass
class RegistryClient:
    http: HttpClient
    store: ModuleStore
    locks: Locks
    #: service-discovery overrides: host -> modules.v1 base URL
    overrides: Mapping[str, str] = field(default_factory=dict)
    #: TF_TOKEN_<host> values, by normalised host
    tokens: Mapping[str, str] = field(default_factory=dict)
    ttl: float = 3600.0
    _bases: dict[str, str] = field(default_factory=dict)

    def _headers(self, host: str, url: str) -> dict[str, str]:
        token = self.tokens.get(host)
        if token is None:
            return {}
        base = self._bases.get(host)
        # Only to the registry's own API host: a package hosted elsewhere gets no token.
        if base is not None and urlsplit(url).netloc != urlsplit(base).netloc:
            return {}
        return {"Authorization": f"Bearer {token}"}

    def base_url(self, host: str, deadline: Deadline) -> str:
        """The ``modules.v1`` base URL of ``host`` (always ending with ``/``)."""
        if host in self._bases:
            return self._bases[host]
        override = self.overrides.get(host)
        base = override if override is not None else self._discover(host, deadline)
        if not base.endswith("/"):
            base += "/"
        self._bases[host] = base
        return base

    def _discover(self, host: str, deadline: Deadline) -> str:
        name = f"discovery:{host}"
        cached = self.store.meta_get(name, self.ttl)
        if isinstance(cached, str):
            return cached
        url = f"https://{host}/.well-known/terraform.json"
        response = self.http.get(url, deadline, max_bytes=MAX_API_BYTES)
        if response.status == 404:
            raise FetchError("module_not_found", f"{host} does not provide a module registry")
        if response.status != 200:
            raise FetchError(
                "module_fetch_failed", f"service discovery at {host} answered {response.status}"
            )
        document = response.json()
        service = document.get("modules.v1") if isinstance(document, dict) else None
        if not isinstance(service, str) or not service:
            raise FetchError("module_not_found", f"{host} does not provide a module registry")
        base = urljoin(response.url, service)
        if urlsplit(base).scheme != "https":
            raise FetchError(
                "module_address_refused", f"the module registry of {host} is not served over HTTPS"
            )
        self.store.meta_put(name, base)
        return base

    def versions(self, source: RegistrySource, deadline: Deadline) -> list[str]:
        """The versions the registry publishes for the module (cached for the TTL)."""
        base = self.base_url(source.host, deadline)
        url = f"{base}{source.path}/versions"
        name = f"versions:{url}"
        cached = self.store.meta_get(name, self.ttl)
        if isinstance(cached, list):
            return [str(item) for item in cached]
        # One process asks; the others wait for its answer in the cache.
        with self.locks.hold(
            cache_key("versions", url),
            deadline,
            lambda: self.store.meta_get(name, self.ttl) is not None,
        ) as owned:
            if not owned:
                cached = self.store.meta_get(name, self.ttl)
                return [str(item) for item in cached or []]
            found = self._fetch_versions(source, url, deadline)
            self.store.meta_put(name, found)
            return found

    def _fetch_versions(self, source: RegistrySource, url: str, deadline: Deadline) -> list[str]:
        response = self.http.get(
            url, deadline, headers=self._headers(source.host, url), max_bytes=MAX_API_BYTES
        )
        if response.status == 404:
            raise FetchError(
                "module_not_found", f"the registry {source.host} has no module {source.path}"
            )
        if response.status in (401, 403):
            raise FetchError(
                "module_fetch_failed",
                f"the registry {source.host} refused access ({response.status}); give the "
                f"engine a token for it (TF_TOKEN_{source.host.replace('.', '_')})",
            )
        if response.status != 200:
            raise FetchError(
                "module_fetch_failed",
                f"the registry {source.host} answered {response.status} for {source.path}",
            )
        document = response.json()
        found: list[str] = []
        modules = document.get("modules") if isinstance(document, dict) else None
        for module in modules if isinstance(modules, list) else []:
            items = module.get("versions") if isinstance(module, dict) else None
            for item in items if isinstance(items, list) else []:
                version = item.get("version") if isinstance(item, dict) else None
                if isinstance(version, str) and len(version) <= MAX_VERSION_LENGTH:
                    found.append(version)
                if len(found) > MAX_VERSIONS:
                    raise FetchError(
                        "module_fetch_failed", f"{source.package} lists too many versions"
                    )
        return found

    def location(self, source: RegistrySource, version: Version, deadline: Deadline) -> Download:
        """Where the package of ``version`` is: a parsed go-getter address, with the
        call's own ``//subdir`` appended to the location's."""
        base = self.base_url(source.host, deadline)
        try:
            checked = Version.parse(version.original or str(version))
        except VersionError as exc:
            raise FetchError("module_fetch_failed", str(exc)) from exc
        url = f"{base}{source.path}/{checked.original or checked}/download"
        response = self.http.get(
            url, deadline, headers=self._headers(source.host, url), max_bytes=MAX_API_BYTES
        )
        if response.status == 404:
            raise FetchError(
                "module_not_found", f"the registry has no package for {source.package} {version}"
            )
        if response.status not in (200, 204):
            raise FetchError(
                "module_fetch_failed",
                f"the registry answered {response.status} for the download of {source.package}",
            )
        location = response.headers.get("x-terraform-get")
        if not location and response.status == 200 and response.body:
            document = response.json()
            if isinstance(document, dict) and isinstance(document.get("location"), str):
                location = document["location"]
        if not location:
            raise FetchError(
                "module_fetch_failed",
                f"the registry gave no download location for {source.package} {version}",
            )
        absolute = resolve_location(location, response.url)
        download = parse_getter(absolute, what="registry download location")
        if source.subdir:
            joined = f"{download.subdir}/{source.subdir}" if download.subdir else source.subdir
            download = replace(download, subdir=joined)
        return download

    def archive_headers(self, host: str, url: str) -> dict[str, str]:
        """The registry's token for a package URL on the registry's own API host."""
        return self._headers(host, url)
