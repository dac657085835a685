"""What a priced resource type declares next to its cost function (Infracost's RegistryItem).

A :class:`ResourceType` names the Terraform type, the attributes its cost function reads, its
**usage schema** (the usage-file keys it honours: :class:`UsageKey`) and notes for users. The
engine uses the schema to check every usage document (an unknown key or a value of the wrong
type is reported as a warning, never silently ignored) and serves the whole registry at
``GET /v1/resource-types`` so users can see what is supported before they upload.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from engine.costing.context import Context

CostFunction = Callable[["Context"], None]
UsageType = Literal["int", "float", "string", "bool", "object"]


@dataclass(frozen=True)
class UsageKey:
    """One usage-file key: ``monthly_requests`` (``int``, "requests", "Monthly requests...").

    ``object`` keys group nested keys (``standard: {storage_gb: ...}`` for S3 storage classes,
    ``ebs_block_device: ...``); their ``children`` are the nested keys.
    """

    key: str
    type: UsageType
    description: str
    unit: str = ""
    choices: tuple[str, ...] = ()
    children: tuple[UsageKey, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "type": self.type, "description": self.description}
        if self.unit:
            out["unit"] = self.unit
        if self.choices:
            out["choices"] = list(self.choices)
        if self.children:
            out["children"] = [child.to_json() for child in self.children]
        return out


@dataclass(frozen=True)
class ResourceType:
    name: str
    price: CostFunction | None
    #: None: not declared yet (every key accepted, nothing checked)
    usage: tuple[UsageKey, ...] | None = ()
    reads: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    #: for free types: why it costs nothing by itself
    free_reason: str | None = None
    _index: dict[str, UsageKey] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({item.key: item for item in self.usage or ()})

    def usage_key(self, key: str) -> UsageKey | None:
        return self._index.get(key)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.name,
            "priced": self.price is not None,
            "free": self.price is None,
            "usage": [item.to_json() for item in self.usage or ()],
            "notes": list(self.notes),
        }
        if self.reads:
            out["reads"] = list(self.reads)
        if self.free_reason:
            out["freeReason"] = self.free_reason
        return out


def _type_problem(item: UsageKey, value: Any) -> str | None:
    if value is None:
        return None
    if item.type == "object":
        return None if isinstance(value, Mapping) else "must be a mapping of usage keys"
    if item.type == "bool":
        if isinstance(value, bool) or str(value).lower() in ("true", "false"):
            return None
        return "must be true or false"
    if item.type == "string":
        if isinstance(value, Mapping | list):
            return "must be a string"
        if item.choices and str(value).lower() not in item.choices:
            return f"must be one of {', '.join(item.choices)}"
        return None
    if isinstance(value, bool | Mapping | list):
        return "must be a number"
    try:
        number = Decimal(str(value).replace("_", ""))
    except InvalidOperation:
        return "must be a number"
    if not number.is_finite() or number < 0:
        return "must be a non-negative number"
    return None


def check_usage(
    schema: tuple[UsageKey, ...], usage: Mapping[str, Any], prefix: str = ""
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The usage values the schema accepts, and (key, message) for each one it does not."""
    index = {item.key: item for item in schema}
    accepted: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for key, value in usage.items():
        item = index.get(key)
        name = f"{prefix}{key}"
        if item is None:
            problems.append((name, "unknown usage key for this resource type; ignored"))
            continue
        problem = _type_problem(item, value)
        if problem is not None:
            problems.append((name, f"{problem} (got {str(value)[:40]!r}); ignored"))
            continue
        if item.type == "object" and item.children and isinstance(value, Mapping):
            nested, nested_problems = check_usage(item.children, value, f"{name}.")
            accepted[key] = nested
            problems.extend(nested_problems)
        else:
            accepted[key] = value
    return accepted, problems
