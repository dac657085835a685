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
    not part of the inventory output but are kept for pricing. An HCL value that cannot be known
    statically is an :class:`Unresolved` string (its ``${...}`` text, with the reason).

    Pricing context, also not part of the inventory output:

    * ``region``: the AWS region of the resource's provider configuration when Terraform states
      it literally (``provider "aws" { region = "eu-west-1" }``), else ``None``;
    * ``references``: per top-level attribute, the resources it refers to, as addresses relative
      to the resource's module (``{"launch_template": ("aws_launch_template.lt",)}``);
    * ``unknown_attributes``: top-level attributes that the configuration sets but a plan
      marks as known only after apply;
    * ``computed_attributes``: attributes known only after apply that the configuration does
      not set, i.e. provider-computed defaults (``tenancy``, ``storage_type``...).
    """

    address: str
    type: str
    name: str
    mode: ResourceMode
    provider: str
    module: str | None = None
    index: int | str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    region: str | None = field(default=None, compare=False)
    references: Mapping[str, tuple[str, ...]] = field(
        default_factory=dict, compare=False, hash=False
    )
    unknown_attributes: frozenset[str] = field(default=frozenset(), compare=False)
    computed_attributes: frozenset[str] = field(default=frozenset(), compare=False)

    def effective_region(self, default: str) -> str:
        """The per-resource ``region`` argument (AWS provider 6), else the provider
        configuration's region, else ``default`` (the job's region)."""
        own = self.attributes.get("region")
        if isinstance(own, str) and own and not isinstance(own, Unresolved):
            return own
        return self.region or default

    def to_inventory_entry(self) -> dict[str, str]:
        return {
            "address": self.address,
            "type": self.type,
            "name": self.name,
            "mode": self.mode,
            "provider": self.provider,
        }


class Unresolved(str):
    """An attribute value that is unknown before apply: its ``${...}`` text, plus the reason.

    A ``str`` subclass so that code which only displays attributes keeps working.
    """

    reason: str

    def __new__(cls, text: str, reason: str) -> Unresolved:
        value = super().__new__(cls, text)
        value.reason = reason
        return value

    def __reduce__(self) -> tuple[Any, ...]:
        return (Unresolved, (str(self), self.reason))


@dataclass(frozen=True)
class Unknown:
    """Something the engine could not determine statically (reported, never guessed).

    ``kind`` says what was not expanded: a ``resource`` block (its count or keys), a
    ``module`` call (its source, count or keys), a root ``variable`` without a value, or the
    ``configuration`` as a whole (a duplicate declaration, an evaluation limit...).
    A module call that could not be had also says its ``source``, its version
    ``constraint`` (when it has one) and a stable ``code`` (engine.fetch.errors.CODES).
    """

    address: str
    reason: str
    kind: str = "resource"
    code: str | None = None
    source: str | None = None
    constraint: str | None = None

    def to_dict(self) -> dict[str, str]:
        entry = {"address": self.address, "reason": self.reason, "kind": self.kind}
        for name in ("code", "source", "constraint"):
            value = getattr(self, name)
            if value is not None:
                entry[name] = value
        return entry


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
