"""The engine's result: the resource inventory plus the cost estimate under ``"estimate"``.

The inventory keys (``region``, ``source``, ``resources``, ``summary``, ``unknowns``...) are
those of :func:`engine.inventory.render_inventory`; the rest of the system depends on them.
``estimate`` is the Infracost-compatible document of :mod:`engine.costing.estimate`, with one
project per root module. A plan adds ``diff``, the summary of its change against its prior
state (:func:`tfquote.costdiff.apply_diff`).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from engine.costing import load_usage
from engine.costing.estimate import ProjectInput, build_estimate_and_diff
from engine.errors import EngineInputError
from engine.inventory import Options, render_inventory
from engine.isolation import Evaluator, InProcessEvaluator


def build_result(
    files: Mapping[str, bytes],
    region: str,
    *,
    options: Mapping[str, Any] | None = None,
    catalog_path: str | None = None,
    evaluator: Evaluator | None = None,
) -> dict[str, Any]:
    """Inventory and estimate of a bundle under the job's ``options``; the configuration is
    evaluated by ``evaluator`` (in this process by default; the service isolates it)."""
    options = options or {}
    evaluator = evaluator or InProcessEvaluator()
    collected = evaluator.collect(files, region, Options.from_mapping(options))
    usage_file = options.get("usage_file")
    if isinstance(usage_file, str) and usage_file not in files:
        raise EngineInputError("invalid_option", f"usage_file {usage_file!r} is not in the upload")
    result = render_inventory(collected, region)
    projects = []
    for project in collected.projects:
        directory = project.path if collected.source == "hcl" else posixpath.dirname(project.path)
        preset = options.get("usage_preset")
        usage = load_usage(
            files,
            options.get("usage"),
            usage_file=usage_file if isinstance(usage_file, str) else None,
            directory=directory,
            preset=preset if isinstance(preset, str) else None,
        )
        projects.append(
            ProjectInput(
                project.path,
                project.resources,
                usage,
                past_resources=project.past_resources,
                actions=project.actions,
            )
        )
    result["estimate"], diff = build_estimate_and_diff(
        projects, region, source=collected.source, catalog_path=catalog_path
    )
    if diff is not None:
        # A plan's diff against its prior state (the workers may replace it with a
        # comparison against options.compare_to).
        result["diff"] = diff
    return result
