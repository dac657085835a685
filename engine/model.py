"""The one resource model shared by the HCL and the plan readers.

Both inputs end up as a list of :class:`Resource`; everything downstream (inventory today,
pricing later) only ever sees this type, so the two parsers cannot drift apart in what they
report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

ResourceMode = Literal["managed", "data"]

DEFAULT_REGISTRY = "registry.terraform.io"
DEFAULT_NAMESPACE = "hashicorp"


@dataclass(frozen=True)
class Resource:
    """One resource *instance* (``count = 3`` gives three of these).

    ``attributes`` are the resolved argument values (HCL) or the planned values (plan); they are
    not part of the inventory output but are kept for pricing.
    """

    address: str
    type: str
    name: str
    mode: ResourceMode
    provider: str
    module: str | None = None
    index: int | str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_inventory_entry(self) -> dict[str, str]:
        return {
            "address": self.address,
            "type": self.type,
            "name": self.name,
            "mode": self.mode,
            "provider": self.provider,
        }


@dataclass(frozen=True)
class Unknown:
    """Something the engine could not determine statically (reported, never guessed)."""

    address: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"address": self.address, "reason": self.reason}


def instance_address(base: str, index: int | str | None) -> str:
    """``aws_instance.web`` + 2 -> ``aws_instance.web[2]``; + "a" -> ``aws_instance.web["a"]``."""
    if index is None:
        return base
    if isinstance(index, int):
        return f"{base}[{index}]"
    # json.dumps quotes and escapes the key the way Terraform renders instance keys.
    return f"{base}[{json.dumps(index, ensure_ascii=False)}]"


def provider_from_type(resource_type: str) -> str:
    """The implied provider local name: ``aws_instance`` -> ``aws``."""
    return resource_type.split("_", 1)[0]


def render_provider(source: str) -> str:
    """Render a provider source address the way Terraform does.

    ``aws`` -> ``registry.terraform.io/hashicorp/aws``; ``hashicorp/aws`` ->
    ``registry.terraform.io/hashicorp/aws``; a full ``host/ns/type`` is kept (host lower-cased,
    as Terraform normalises it).
    """
    parts = [part for part in source.strip().split("/") if part]
    if len(parts) == 1:
        return f"{DEFAULT_REGISTRY}/{DEFAULT_NAMESPACE}/{parts[0].lower()}"
    if len(parts) == 2:
        return f"{DEFAULT_REGISTRY}/{parts[0].lower()}/{parts[1].lower()}"
    return "/".join([parts[0].lower(), *(part.lower() for part in parts[1:])])
