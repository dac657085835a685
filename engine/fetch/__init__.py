"""Remote Terraform modules: registry and git sources fetched safely, cached once for every
engine process.

The package owns everything between a module call's ``source`` / ``version`` and the files of
the package it names:

* :mod:`.addresses` — module source addresses as Terraform parses them (registry, git,
  GitHub / Bitbucket shorthands, HTTPS archives, ``//subdir``, ``?ref=``, ``?depth=``);
* :mod:`.versions` — version constraints with Terraform's semantics;
* :mod:`.net` — HTTPS with checked addresses (after DNS, at every redirect), bounded time
  and bytes;
* :mod:`.registry` — the module registry protocol (discovery, versions, download);
* :mod:`.git` — git sources through the ``git`` binary, locked down;
* :mod:`.store` and :mod:`.locks` — the shared cache on disk (atomic publication, LRU
  eviction under a size cap) and the one-fetch-per-module lock (Redis);
* :mod:`.resolver` — :class:`Fetcher` (per process) and :class:`RemoteResolver` (per
  estimate), the :class:`~engine.terraform.modules.ModuleResolver` the planner uses;
* :mod:`.settings` — :class:`FetchSettings`, what a fetcher may do.

Where fetching runs: in the evaluation child (:mod:`engine.isolation`), while the planner
walks the configuration — nested module calls are only known once their parent is fetched,
and keeping it there keeps untrusted downloads and archives inside the child's memory and
time limits. The cache directory and the Redis lock work from any process.

Importing the package is cheap (the engine's settings import :mod:`.settings`); the
fetcher itself is :mod:`engine.fetch.resolver`.
"""

from __future__ import annotations
