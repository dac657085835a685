"""The engine's result: the resource inventory plus the cost estimate under ``"estimate"``.

The inventory keys (``region``, ``source``, ``resources``, ``summary``, ``unknowns``) are
exactly those of :func:`engine.inventory.build_inventory`; the rest of the system depends on
them. ``estimate`` is the Infracost-compatible document of :mod:`engine.costing.estimate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.costing import build_estimate, load_usage
from engine.inventory import collect, render_inventory


def build_result(
    files: Mapping[str, bytes],
    region: str,
    *,
    root: str | None = None,
    usage: Any = None,
    catalog_path: str | None = None,
) -> dict[str, Any]:
    """Inventory and estimate of a bundle; ``usage`` is the ``options.usage`` document."""
    collected = collect(files, root=root)
    result = render_inventory(collected, region)
    result["estimate"] = build_estimate(
        collected.resources,
        region,
        source=collected.source,
        project_path=collected.path,
        usage=load_usage(files, usage),
        catalog_path=catalog_path,
    )
    return result
