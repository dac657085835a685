"""The few data sources a static estimate can answer, as Infracost answers them.

* ``aws_availability_zones``: the standard zones of the provider's region from a static table
  (``data/aws_zones.json``); Local and Wavelength Zones only with
  ``all_availability_zones = true`` or a ``filter`` that asks for them; ``state``,
  ``exclude_names``, ``exclude_zone_ids`` and ``filter`` (``zone-name``, ``zone-id``,
  ``zone-type``, ``group-name``, ``opt-in-status``, ``region-name``) are applied.
* ``aws_region``: the provider's region (or the one the block names), with its description.
* ``aws_caller_identity``: a placeholder account (``123456789012``) — account ids never change
  a price, and the placeholder keeps names and ARNs readable.
* ``aws_partition``: ``aws`` / ``aws-cn`` / ``aws-us-gov`` by region.

Every other data source is an open object: the arguments its block sets, and every other
attribute unknown ("known only after apply" — Terraform would read it at plan time, which a
static estimate cannot).
"""

from __future__ import annotations

import fnmatch
import functools
import json
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

from engine.terraform import values as v
from engine.terraform.values import Value

PLACEHOLDER_ACCOUNT = "123456789012"


@functools.cache
def zone_table() -> dict[str, Any]:
    data = resources.files("engine.terraform.data").joinpath("aws_zones.json").read_text("utf-8")
    table: dict[str, Any] = json.loads(data)["regions"]
    return table


def _text(value: Value | None) -> str | None:
    if value is None or not value.is_known or value.is_null or value.type is not v.STRING:
        return None
    return str(value.v)


def _strings(value: Value | None) -> list[str] | None:
    """A known list/set of strings, or None when absent or not wholly known."""
    if value is None or value.is_null:
        return []
    if not value.is_wholly_known() or not isinstance(value.v, tuple):
        return None
    return [str(item.v) for item in value.elements() if item.type is v.STRING and not item.is_null]


def _blocks(value: Value | None) -> list[Mapping[str, Value]] | None:
    if value is None or value.is_null:
        return []
    if not value.is_known or not isinstance(value.v, tuple):
        return None
    return [item.v for item in value.elements() if isinstance(item.v, dict)]


_FILTER_FIELDS = {
    "zone-name": "name",
    "zone-id": "zone_id",
    "zone-type": "zone_type",
    "group-name": "group_name",
    "opt-in-status": "opt_in_status",
}


def availability_zones(attributes: Mapping[str, Value], region: str) -> Value | str:
    """The data source's value, or the reason it cannot be known."""
    table = zone_table().get(region)
    if table is None:
        return f"region {region!r} is not in the availability zone table"
    all_zones = attributes.get("all_availability_zones")
    if all_zones is not None and not all_zones.is_known:
        return "all_availability_zones is unknown"
    include_all = bool(all_zones is not None and all_zones.is_known and all_zones.v is True)
    state = _text(attributes.get("state"))
    if attributes.get("state") is not None and not attributes["state"].is_known:
        return "state is unknown"
    exclude_names = _strings(attributes.get("exclude_names"))
    exclude_ids = _strings(attributes.get("exclude_zone_ids"))
    filters = _blocks(attributes.get("filter"))
    if exclude_names is None or exclude_ids is None or filters is None:
        return "a filter argument is unknown"
    zones = list(table["zones"])
    asks_for_extra = False
    for entry in filters:
        name = _text(entry.get("name"))
        wanted = _strings(entry.get("values"))
        if name is None or wanted is None:
            return "a filter block is unknown"
        if name == "region-name":
            if not any(fnmatch.fnmatchcase(region, pattern) for pattern in wanted):
                zones = []
            continue
        if name == "state":
            if "available" not in wanted:
                zones = []
            continue
        field = _FILTER_FIELDS.get(name)
        if field is None:
            return f"filter {name!r} is not modelled"
        if (name == "zone-type" and {"local-zone", "wavelength-zone"} & set(wanted)) or (
            name == "opt-in-status" and {"opted-in", "not-opted-in"} & set(wanted)
        ):
            asks_for_extra = True
        zones = [z for z in zones if any(fnmatch.fnmatchcase(z[field], w) for w in wanted)]
    if not include_all and not asks_for_extra:
        zones = [z for z in zones if z["zone_type"] == "availability-zone"]
    if state not in (None, "available"):
        zones = []
    zones = [z for z in zones if z["name"] not in exclude_names and z["zone_id"] not in exclude_ids]
    names = [z["name"] for z in zones]
    return _object(
        attributes,
        {
            "id": v.string(region),
            "names": v.list_of((v.string(n) for n in names), v.STRING),
            "zone_ids": v.list_of((v.string(z["zone_id"]) for z in zones), v.STRING),
            "group_names": v.set_of((v.string(z["group_name"]) for z in zones), v.STRING),
        },
    )


def region_data(attributes: Mapping[str, Value], region: str) -> Value | str:
    named = attributes.get("region") or attributes.get("name")
    if named is not None and not named.is_known:
        return "the region argument is unknown"
    chosen = _text(named) or region
    description = zone_table().get(chosen, {}).get("description", "")
    return _object(
        attributes,
        {
            "id": v.string(chosen),
            "name": v.string(chosen),
            "region": v.string(chosen),
            "description": v.string(description),
            "endpoint": v.string(f"ec2.{chosen}.{_dns_suffix(chosen)}"),
        },
    )


def caller_identity(attributes: Mapping[str, Value], region: str) -> Value | str:
    partition = _partition(region)
    return _object(
        attributes,
        {
            "id": v.string(PLACEHOLDER_ACCOUNT),
            "account_id": v.string(PLACEHOLDER_ACCOUNT),
            "arn": v.string(f"arn:{partition}:iam::{PLACEHOLDER_ACCOUNT}:user/tfquote-estimate"),
            "user_id": v.string("AIDATFQUOTEESTIMATE"),
        },
    )


def partition_data(attributes: Mapping[str, Value], region: str) -> Value | str:
    partition = _partition(region)
    suffix = _dns_suffix(region)
    return _object(
        attributes,
        {
            "id": v.string(partition),
            "partition": v.string(partition),
            "dns_suffix": v.string(suffix),
            "reverse_dns_prefix": v.string(".".join(reversed(suffix.split(".")))),
        },
    )


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _dns_suffix(region: str) -> str:
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


def _object(attributes: Mapping[str, Value], computed: Mapping[str, Value]) -> Value:
    return v.object_of({**attributes, **computed})


KNOWN: dict[str, Callable[[Mapping[str, Value], str], Value | str]] = {
    "aws_availability_zones": availability_zones,
    "aws_region": region_data,
    "aws_caller_identity": caller_identity,
    "aws_partition": partition_data,
}
