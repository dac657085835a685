"""Helpers shared by the database, cache, analytics and streaming cost functions.

* **Reserved terms** (``reserved_instance_term`` / ``reserved_instance_payment_option``, the
  usage keys Infracost uses for RDS and ElastiCache, reused for OpenSearch and Redshift): which
  term a usage file asks for, and the ``priceNotFound`` reason naming exactly what the catalog
  lacks (it holds no RDS, ElastiCache or Redshift reserved prices). A reserved term is never
  priced at the on-demand rate under another name.
* **Application Auto Scaling targets** (``aws_appautoscaling_target``) that scale a resource: a
  DynamoDB table's capacity, an ElastiCache replication group's shards and replicas, an MSK
  cluster's broker storage. As in Infracost, the target's ``capacity`` usage key (the usage file
  entry of the *target*) wins, else its ``min_capacity``.
* **vCPUs of an instance class**, from its size (AWS sizes are regular: ``large`` = 2 vCPUs,
  ``xlarge`` = 4, ``Nxlarge`` = 4N), for prices per vCPU-hour (RDS extended support).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from engine.costing.context import Context
from engine.costing.schema import UsageKey
from engine.costing.usage import to_decimal
from engine.model import Resource, Unresolved

# --- reserved terms --------------------------------------------------------------------------

TERMS = {"1_year": "1yr", "3_year": "3yr"}
PAYMENT_OPTIONS = {
    "no_upfront": "No Upfront",
    "partial_upfront": "Partial Upfront",
    "all_upfront": "All Upfront",
}
# ElastiCache's legacy offerings (t2, m3, m4, r3, r4 nodes), as Infracost accepts them.
LEGACY_PAYMENT_OPTIONS = {
    "heavy_utilization": "Heavy Utilization",
    "medium_utilization": "Medium Utilization",
    "light_utilization": "Light Utilization",
}


def reserved_usage(*, legacy: bool = False) -> tuple[UsageKey, UsageKey]:
    """The two usage keys that ask for a reserved term (Infracost's names)."""
    options = tuple(PAYMENT_OPTIONS) + (tuple(LEGACY_PAYMENT_OPTIONS) if legacy else ())
    return (
        UsageKey(
            "reserved_instance_term",
            "string",
            "Term for reserved instances (on-demand when not set).",
            choices=tuple(TERMS),
        ),
        UsageKey(
            "reserved_instance_payment_option",
            "string",
            "Payment option for reserved instances.",
            choices=options,
        ),
    )


@dataclass(frozen=True)
class Reserved:
    """A reserved term asked for by the usage file: ``1yr`` + ``Partial Upfront``."""

    term: str
    payment: str

    @property
    def words(self) -> str:
        """``1-year partial-upfront``, as a reason or a component name says it."""
        return f"{self.term[0]}-year {self.payment.lower().replace(' ', '-')}"


def reserved_term(ctx: Context) -> Reserved | str | None:
    """The reserved term the usage asks for; ``None`` for on-demand; a reason when the term
    is given without a payment option (nothing can be priced then)."""
    term = ctx.usage_string("reserved_instance_term")
    if term is None:
        return None
    option = ctx.usage_string("reserved_instance_payment_option")
    if option is None:
        return "reserved_instance_term is set but reserved_instance_payment_option is not"
    payment = PAYMENT_OPTIONS.get(option.lower()) or LEGACY_PAYMENT_OPTIONS.get(option.lower())
    if payment is None or term.lower() not in TERMS:
        return f"unknown reserved term {term!r} / payment option {option!r}"
    return Reserved(TERMS[term.lower()], payment)


def no_reserved_price(service: str, instance: str, region: str, reserved: Reserved) -> str:
    """The reason for a reserved component of a service whose reserved prices the catalog
    lacks (RDS, ElastiCache, Redshift: none are in the shared price feeds)."""
    return (
        f"no {reserved.words} reserved price for {instance} in {region} in the catalog "
        f"(it holds no {service} reserved prices)"
    )


# --- Application Auto Scaling targets ---------------------------------------------------------


@dataclass(frozen=True)
class ScalingTarget:
    address: str
    dimension: str
    #: the usage file's ``capacity`` for the target, else its ``min_capacity``
    capacity: Decimal | Unresolved
    from_usage: bool


def scaling_targets(ctx: Context, prefix: str, name_attribute: str) -> list[ScalingTarget]:
    """The ``aws_appautoscaling_target`` resources that scale this resource.

    A target whose ``resource_id`` refers to resources (``"table/${aws_dynamodb_table.t.name}"``)
    scales exactly those; a literal ``resource_id`` (``"table/orders"``) scales the resource
    named so (``prefix/<name_attribute>``), as Infracost matches them.
    """
    own_name = ctx.raw(name_attribute)
    literal_id = f"{prefix}/{own_name}" if isinstance(own_name, str) and own_name else None
    index = ctx.estimation.index
    found: list[ScalingTarget] = []
    for target in index.by_address.values():
        if target.type != "aws_appautoscaling_target" or target.mode != "managed":
            continue
        references = target.references.get("resource_id", ())
        if references:
            scaled = [item for ref in references for item in index.resolve(target, ref)]
            if ctx.resource not in scaled:
                continue
        else:
            resource_id = target.attributes.get("resource_id")
            if literal_id is None or isinstance(resource_id, Unresolved):
                continue
            if resource_id != literal_id:
                continue
        found.append(_target(ctx, target))
    return found


def _target(ctx: Context, target: Resource) -> ScalingTarget:
    usage = ctx.estimation.usage.for_resource(target.address, target.type)
    capacity = to_decimal(usage.get("capacity"))
    dimension = target.attributes.get("scalable_dimension")
    dimension_text = dimension if isinstance(dimension, str) else ""
    if capacity is not None and capacity >= 0:
        ctx.note(f"{target.address}: capacity {capacity} from the usage file")
        return ScalingTarget(target.address, dimension_text, capacity, True)
    minimum = target.attributes.get("min_capacity")
    value = to_decimal(minimum) if not isinstance(minimum, Unresolved) else None
    if value is None:
        reason = f"{target.address}: min_capacity is unknown and no capacity usage is given"
        ctx.unknown("aws_appautoscaling_target.min_capacity", reason)
        return ScalingTarget(target.address, dimension_text, Unresolved("", reason), False)
    ctx.note(f"{target.address}: its min_capacity {value} is assumed (give its capacity usage)")
    return ScalingTarget(target.address, dimension_text, value, False)


def scaled(targets: Sequence[ScalingTarget], dimension: str) -> ScalingTarget | None:
    """The (last) target of ``dimension``, as Infracost takes it."""
    chosen = None
    for target in targets:
        if target.dimension == dimension:
            chosen = target
    return chosen


# --- instance sizes ---------------------------------------------------------------------------

# vCPUs by size for the current instance families; t2 differs at the small end.
_VCPUS_BY_SIZE = {"nano": 2, "micro": 2, "small": 2, "medium": 2, "large": 2, "xlarge": 4}
_T2_VCPUS = {"nano": 1, "micro": 1, "small": 1, "medium": 2}
_MULTIPLE_XLARGE = re.compile(r"(\d+)xlarge")


def vcpus(instance_class: str) -> Decimal | None:
    """vCPUs of ``db.r5.2xlarge`` (8), ``cache.m5.large`` (2)...; ``None`` when the size does
    not say (``metal``, ``serverless``)."""
    parts = instance_class.split(".")
    if len(parts) < 2:
        return None
    family, size = parts[-2], parts[-1]
    if family == "t2" and size in _T2_VCPUS:
        return Decimal(_T2_VCPUS[size])
    if size in _VCPUS_BY_SIZE:
        return Decimal(_VCPUS_BY_SIZE[size])
    match = _MULTIPLE_XLARGE.fullmatch(size)
    return Decimal(4 * int(match[1])) if match else None
