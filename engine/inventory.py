"""Bundle files -> the inventory document (the engine's result).

Chooses the input: a plan JSON anywhere in the bundle is authoritative (Terraform already
evaluated everything); otherwise the HCL configuration is read statically. The returned shape
is the public result contract::

    {"region": str, "source": "plan" | "hcl",
     "resources": [{"address", "type", "name", "mode", "provider"}],   # sorted by address
     "summary": {"resource_count": int, "by_type": {type: n}, "by_mode": {"managed": n, "data": n}},
     "unknowns": [{"address", "reason"}]}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.errors import EngineInputError
from engine.hcl import choose_root, read_hcl, terraform_dirs
from engine.model import Resource, Unknown
from engine.plan import is_plan_candidate_path, load_json, looks_like_plan, parse_plan

Source = Literal["plan", "hcl"]


@dataclass
class Collected:
    """Resources before rendering; pricing will consume this (attributes included)."""

    source: Source
    resources: list[Resource] = field(default_factory=list)
    unknowns: list[Unknown] = field(default_factory=list)
    # The plan file used, or the root module directory ("." for the bundle root).
    path: str = "."


def collect(files: Mapping[str, bytes], *, root: str | None = None) -> Collected:
    """Pick plan or HCL and return the resources, sorted by address."""
    plans: list[tuple[str, Any]] = []
    invalid: EngineInputError | None = None
    for path in sorted(files):
        if not is_plan_candidate_path(path):
            continue
        try:
            document = load_json(path, files[path])
        except EngineInputError as exc:
            invalid = invalid or exc
            continue
        if looks_like_plan(document):
            plans.append((path, document))

    if plans:
        path, document = plans[0]
        result = parse_plan(document, path)
        unknowns = list(result.unknowns)
        # More than one plan is ambiguous: say which one was used instead of merging them.
        unknowns.extend(
            Unknown(other, f"additional plan file ignored; {path} was used")
            for other, _ in plans[1:]
        )
        return Collected("plan", _sorted(result.resources), unknowns, path)

    if terraform_dirs(files):
        hcl = read_hcl(files, root)
        return Collected(
            "hcl", _sorted(hcl.resources), hcl.unknowns, choose_root(files, root) or "."
        )

    if invalid is not None:
        # No configuration at all, and the JSON that could have been a plan is broken.
        raise invalid
    raise EngineInputError(
        "no_terraform", "the bundle contains no .tf, .tf.json or Terraform plan JSON files"
    )


def build_inventory(
    files: Mapping[str, bytes], region: str, *, root: str | None = None
) -> dict[str, Any]:
    """The inventory document for a bundle (see the module docstring for its shape)."""
    return render_inventory(collect(files, root=root), region)


def render_inventory(collected: Collected, region: str) -> dict[str, Any]:
    """The inventory document of already collected resources."""
    by_type = Counter(resource.type for resource in collected.resources)
    by_mode = Counter(resource.mode for resource in collected.resources)
    return {
        "region": region,
        "source": collected.source,
        "resources": [resource.to_inventory_entry() for resource in collected.resources],
        "summary": {
            "resource_count": len(collected.resources),
            "by_type": dict(sorted(by_type.items())),
            "by_mode": {"managed": by_mode.get("managed", 0), "data": by_mode.get("data", 0)},
        },
        "unknowns": [unknown.to_dict() for unknown in collected.unknowns],
    }


def _sorted(resources: list[Resource]) -> list[Resource]:
    return sorted(resources, key=lambda resource: resource.address)
