"""Groups of EC2 instances: autoscaling groups and EKS managed node groups.

A group prices ``count`` instances of one :class:`~.ec2.InstanceSpec` (from its launch
template or configuration) as a sub-resource named after the template, as Infracost does. The
count is the configured capacity (``desired_capacity``, else ``min_size``, else 1; EKS:
``desired_size``), or the usage file's ``instances``. Mixed instances policies split the count
into on-demand and spot instances by ``on_demand_base_capacity`` and
``on_demand_percentage_above_base_capacity`` (the on-demand share rounded up, as AWS does),
after dividing the capacity by the first override's ``weighted_capacity``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from engine.costing.components import PricedResource
from engine.costing.context import ONE, Context
from engine.costing.registry import priced
from engine.costing.resources.ebs import Volume, volume_components
from engine.costing.resources.ec2 import (
    GROUP_USAGE,
    INSTANCE_NOTES,
    InstanceSpec,
    instance_extras,
    instance_usage,
    runs_on_host,
    spec_from_launch_configuration,
    spec_from_launch_template,
    volume_resources,
)
from engine.costing.resources.purchase import ON_DEMAND, SPOT, reserved_purchase
from engine.costing.resources.references import referenced
from engine.model import Unresolved

ZERO = Decimal(0)
HUNDRED = Decimal(100)
EKS_DEFAULT_INSTANCE_TYPE = "t3.medium"
EKS_DEFAULT_DISK_GB = Decimal(20)


def price_group(
    ctx: Context,
    spec: InstanceSpec,
    name: str,
    count: Decimal | Unresolved,
    *,
    on_demand: Decimal | Unresolved | None = None,
) -> PricedResource:
    """``count`` instances of ``spec``; ``on_demand`` of them on-demand (or reserved, as the
    usage file says) and the rest spot. ``on_demand`` defaults to all of them, or none when
    the spec itself asks for spot."""
    group = PricedResource(name=name)
    if on_demand is None:
        on_demand = ZERO if spec.spot else count
    if not runs_on_host(ctx, spec):
        reserved = reserved_purchase(ctx) or ON_DEMAND
        if isinstance(count, Unresolved) or isinstance(on_demand, Unresolved):
            unknown = count if isinstance(count, Unresolved) else on_demand
            group.components.append(
                instance_usage(ctx, spec, count=unknown, purchase=SPOT if spec.spot else reserved)
            )
        else:
            spot = count - on_demand
            if on_demand > 0 or spot == 0:
                group.components.append(
                    instance_usage(ctx, spec, count=on_demand, purchase=reserved)
                )
            if spot > 0:
                group.components.append(instance_usage(ctx, spec, count=spot, purchase=SPOT))
    group.components.extend(instance_extras(ctx, spec, count))
    group.subresources.extend(volume_resources(ctx, spec, count))
    return group


def _instances(ctx: Context, configured: Decimal | Unresolved) -> Decimal | Unresolved:
    """The usage file's ``instances`` wins over the configured capacity."""
    given = ctx.usage_number("instances")
    return given if given is not None else configured


def _capacity(ctx: Context) -> Decimal | Unresolved:
    desired = ctx.number("desired_capacity")
    if desired is not None:
        return desired
    minimum = ctx.number("min_size")
    if isinstance(minimum, Unresolved):
        return minimum
    if not minimum:
        ctx.note(
            "neither desired_capacity nor a non-zero min_size: 1 instance assumed (give "
            "`instances` in the usage file to say how many run)"
        )
        return ONE
    return minimum


@priced(
    "aws_autoscaling_group",
    reads=(
        "desired_capacity",
        "min_size",
        "launch_configuration",
        "launch_template",
        "mixed_instances_policy",
    ),
    usage=GROUP_USAGE,
    notes=(
        *INSTANCE_NOTES,
        "Without desired_capacity and with min_size 0, one instance is assumed (as Infracost).",
        "Mixed instances policies are priced with the first override's instance type.",
    ),
)
def aws_autoscaling_group(ctx: Context) -> None:
    capacity = _capacity(ctx)
    mixed = ctx.blocks("mixed_instances_policy")
    if mixed:
        _mixed_instances(ctx, mixed[0], capacity)
        return
    count = _instances(ctx, capacity)
    configuration = referenced(ctx, "launch_configuration", "aws_launch_configuration")
    if configuration is not None:
        spec = spec_from_launch_configuration(ctx, configuration)
        ctx.subresources.append(price_group(ctx, spec, configuration.address, count))
        return
    template = referenced(ctx, "launch_template", "aws_launch_template")
    if template is not None:
        spec = spec_from_launch_template(ctx, template)
        ctx.subresources.append(price_group(ctx, spec, template.address, count))
        return
    missing = Unresolved(
        "",
        "launch template or configuration not found in the configuration (external or not "
        "referenced)",
    )
    ctx.add(instance_usage(ctx, InstanceSpec(missing), count=count))


def _mixed_instances(
    ctx: Context, policy: Mapping[str, Any], capacity: Decimal | Unresolved
) -> None:
    templates = ctx.blocks("launch_template", within=policy)
    overrides = ctx.blocks("override", within=templates[0]) if templates else []
    template = referenced(ctx, "mixed_instances_policy", "aws_launch_template")
    spec = spec_from_launch_template(ctx, template) if template is not None else InstanceSpec(None)
    weight: Decimal | Unresolved | None = ONE
    if overrides:
        first = overrides[0]
        override_type = ctx.string(
            "instance_type", None, within=first, label="override.instance_type"
        )
        if override_type is not None:
            spec.instance_type = override_type
        weight = ctx.number(
            "weighted_capacity", 1, within=first, label="override.weighted_capacity"
        )
        if len(overrides) > 1:
            ctx.note(f"mixed instances: priced as the first override ({spec.instance_type})")
    count: Decimal | Unresolved
    if isinstance(capacity, Unresolved):
        count = capacity
    elif isinstance(weight, Unresolved):
        count = weight
    elif weight:
        # Capacity is counted in weight units: each instance of the override provides ``weight``.
        count = Decimal(math.ceil(capacity / weight))
    else:
        count = ZERO
    count = _instances(ctx, count)
    distributions = ctx.blocks("instances_distribution", within=policy)
    distribution = distributions[0] if distributions else {}
    base = ctx.number("on_demand_base_capacity", 0, within=distribution, label="on_demand_base")
    percent = ctx.number(
        "on_demand_percentage_above_base_capacity", 100, within=distribution, label="on_demand_%"
    )
    on_demand: Decimal | Unresolved
    if isinstance(count, Unresolved):
        on_demand = count
    elif isinstance(base, Unresolved) or isinstance(percent, Unresolved):
        on_demand = Unresolved("", "the on-demand share of the mixed instances policy is unknown")
    else:
        base = base or ZERO
        percent = HUNDRED if percent is None else percent
        above = max(count - base, ZERO) * percent / HUNDRED
        on_demand = min(count, base) + Decimal(math.ceil(above))
    name = template.address if template is not None else "mixed_instances_policy"
    ctx.subresources.append(price_group(ctx, spec, name, count, on_demand=on_demand))


@priced(
    "aws_eks_node_group",
    reads=("scaling_config", "instance_types", "capacity_type", "disk_size", "launch_template"),
    usage=GROUP_USAGE,
    notes=(
        *INSTANCE_NOTES,
        "Without instance_types or a launch template type, EKS's default t3.medium is assumed.",
        "Without a launch template, each node has a disk_size (default 20 GB) gp2 volume.",
    ),
)
def aws_eks_node_group(ctx: Context) -> None:
    scaling = ctx.blocks_or_unknown("scaling_config")
    configured: Decimal | Unresolved
    if isinstance(scaling, Unresolved) or not scaling:
        configured = Unresolved("", "scaling_config is unknown")
        ctx.unknown("scaling_config", configured.reason)
    else:
        desired = ctx.number("desired_size", None, within=scaling[0], label="desired_size")
        configured = desired if desired is not None else Unresolved("", "desired_size is not set")
    count = _instances(ctx, configured)
    template = referenced(ctx, "launch_template", "aws_launch_template")
    spec = spec_from_launch_template(ctx, template) if template is not None else InstanceSpec(None)
    types = ctx.list_of("instance_types")
    if isinstance(types, Unresolved):
        spec.instance_type = types
    elif types:
        spec.instance_type = str(types[0])  # the node group's types override the template's
    if spec.instance_type is None:
        spec.instance_type = EKS_DEFAULT_INSTANCE_TYPE
        ctx.note(f"instance type not set: EKS's default {EKS_DEFAULT_INSTANCE_TYPE} assumed")
    capacity_type = ctx.raw("capacity_type")
    if isinstance(capacity_type, Unresolved):
        ctx.note("capacity_type is not known statically: ON_DEMAND (the default) assumed")
    spec.spot = spec.spot or (isinstance(capacity_type, str) and capacity_type.upper() == "SPOT")
    ami_type = ctx.raw("ami_type")
    if isinstance(ami_type, str) and ami_type.upper().startswith("WINDOWS"):
        spec.operating_system = "windows"
    if template is not None:
        ctx.subresources.append(price_group(ctx, spec, template.address, count))
        return
    # Without a launch template EKS gives each node one gp2 disk; Infracost shows the node
    # group's components (disk included) at the top level.
    flat = price_group(ctx, spec, ctx.resource.address, count)
    ctx.add(*flat.components)
    disk = ctx.number("disk_size", EKS_DEFAULT_DISK_GB)
    ctx.add(*volume_components(ctx, Volume("disk", "gp2", disk), count))
