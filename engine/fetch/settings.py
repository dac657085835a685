"""What a module fetcher is allowed to do: one picklable value, built from the engine's settings.

:class:`FetchSettings` travels with each estimate to the evaluation child (which fetches;
see :mod:`engine.isolation`), so it is a frozen, hashable dataclass rather than the pydantic
settings themselves. ``EngineSettings.fetch_settings()`` builds it; tests and benchmarks build
it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MiB = 1024 * 1024


@dataclass(frozen=True)
class FetchSettings:
    cache_dir: str
    enabled: bool = True
    registries: tuple[str, ...] = ("registry.terraform.io",)
    #: service-discovery overrides, (host, modules.v1 base URL)
    registry_hosts: tuple[tuple[str, str], ...] = ()
    git_hosts: tuple[str, ...] = ("github.com", "gitlab.com", "bitbucket.org")
    git_ssh: bool = False
    #: "false", "true", or addresses / networks (see engine.fetch.net.AddressPolicy)
    allow_private: str = "false"
    cache_max_bytes: int = 1024 * MiB
    max_calls: int = 200
    max_bytes: int = 32 * MiB
    max_files: int = 1000
    fetch_seconds: float = 30.0
    versions_ttl: float = 3600.0
    ca_bundle: str | None = None
    #: (normalised host, token) from TF_TOKEN_<host>; never shown
    tokens: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    #: the engine's Redis, for the fetch lock (None: a lock file per host)
    redis_url: str | None = field(default=None, repr=False)
    redis_prefix: str = "engine:"
    #: keep parsed files on disk too (engine.terraform.parsecache)
    parse_cache: bool = True
