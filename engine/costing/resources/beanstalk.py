"""Elastic Beanstalk environments, priced as what they create (AWS publishes no Beanstalk
price of its own: MANIFEST.md 6.31).

An environment's ``setting`` blocks describe its instances (``InstanceTypes``, ``MinSize``,
root volume, spot), its load balancer (``LoadBalancerType``; none for single-instance or
worker environments), an optional RDS database (``DBInstanceClass``...) and log streaming to
CloudWatch (``StreamLogs``). Each becomes a sub-resource priced by the cost function of the
type it creates (``aws_lb``, ``aws_elb``, ``aws_db_instance``, ``aws_cloudwatch_log_group``),
with the matching section of the environment's usage (``lb``, ``elb``, ``db``,
``cloudwatch``, ``ec2``), as in Infracost.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from engine.costing.components import PricedResource
from engine.costing.context import ONE, Context
from engine.costing.registry import REGISTRY, free, priced

# The types an environment creates must be registered before its usage schema is built.
from engine.costing.resources import database, monitoring, network  # noqa: F401
from engine.costing.resources.autoscaling import price_group
from engine.costing.resources.ebs import Volume
from engine.costing.resources.ec2 import GROUP_USAGE, InstanceSpec
from engine.costing.schema import UsageKey
from engine.costing.usage import to_decimal
from engine.model import Resource, Unresolved

ROOT_VOLUME_GB = Decimal(8)
DB_DEFAULT_STORAGE_GB = 20  # GB; RDS gp2 minimum, and Infracost's default
# Beanstalk's defaults for spot fleets (aws:ec2:instances): on-demand instances above the base,
# in percent, for load-balanced and single-instance environments.
SPOT_ON_DEMAND_ABOVE_BASE = {"LoadBalanced": Decimal(70), "SingleInstance": Decimal(0)}
# usage section -> (the type it creates, its sub-resource name, as Infracost names it).
NESTED = {
    "lb": ("aws_lb", "aws_loadbalancer"),
    "elb": ("aws_elb", "aws_elb"),
    "db": ("aws_db_instance", "aws_db_instance"),
    "cloudwatch": ("aws_cloudwatch_log_group", "aws_cloudwatch_log_group"),
}

free(
    "aws_elastic_beanstalk_application",
    "aws_elastic_beanstalk_application_version",
    "aws_elastic_beanstalk_configuration_template",
    reason="Elastic Beanstalk itself is free; its environments are priced by what they create",
)


def _section(key: str, description: str) -> UsageKey:
    """The usage section ``key``: the usage keys of the type the environment creates."""
    entry = REGISTRY.get(NESTED[key][0])
    children = (entry.usage or ()) if entry is not None else ()
    return UsageKey(key, "object", description, children=children)


USAGE = (
    UsageKey(
        "ec2",
        "object",
        "Usage of the environment's instances (as for aws_autoscaling_group).",
        children=GROUP_USAGE,
    ),
    _section("lb", "Usage of the environment's application or network load balancer."),
    _section("elb", "Usage of the environment's classic load balancer."),
    _section("db", "Usage of the environment's RDS database."),
    _section("cloudwatch", "Usage of the environment's streamed logs."),
)


def _settings(ctx: Context) -> dict[str, Any]:
    """``setting`` blocks by name (the last one wins, as in Beanstalk)."""
    out: dict[str, Any] = {}
    for block in ctx.blocks("setting"):
        name = block.get("name")
        if isinstance(name, str) and not isinstance(name, Unresolved):
            out[name] = block.get("value")
    return out


def _number(value: Any, default: Decimal) -> Decimal | Unresolved:
    if isinstance(value, Unresolved):
        return value
    number = to_decimal(value)
    return default if number is None else number


def _true(value: Any) -> bool:
    return str(value).lower() == "true"


def _nested(ctx: Context, key: str, attributes: Mapping[str, Any]) -> Context:
    """A context pricing the ``key`` resource the environment creates, with its usage."""
    resource_type = NESTED[key][0] if key in NESTED else "aws_launch_configuration"
    origin = ctx.resource
    resource = Resource(
        address=origin.address,
        type=resource_type,
        name=origin.name,
        mode="managed",
        provider=origin.provider,
        module=origin.module,
        index=origin.index,
        attributes=dict(attributes),
        region=origin.region,
    )
    nested = Context(ctx.estimation, resource, ctx.region)
    nested.usage = dict(ctx.usage_section(key))
    source = ctx.usage_sources.get(key)
    nested.usage_sources = {name: source for name in nested.usage} if source else {}
    return nested


def _graft(ctx: Context, nested: Context, name: str) -> PricedResource:
    for note in nested.notes:
        ctx.note(f"{name}: {note}")
    for unknown in nested.unknowns:
        ctx.unknown(f"{name}.{unknown['attribute']}", unknown["reason"])
    sub = PricedResource(name=name, components=nested.components, subresources=nested.subresources)
    ctx.subresources.append(sub)
    return sub


def _price_created(ctx: Context, key: str, attributes: Mapping[str, Any]) -> None:
    resource_type, name = NESTED[key]
    nested = _nested(ctx, key, attributes)
    function = REGISTRY[resource_type].price
    if function is not None:
        function(nested)
    _graft(ctx, nested, name)


def _instances(ctx: Context, settings: Mapping[str, Any], single: bool) -> None:
    types = settings.get("InstanceTypes") or settings.get("InstanceType")
    instance_type: str | Unresolved | None = None
    if isinstance(types, Unresolved):
        instance_type = types
    elif types:
        instance_type = str(types).split(",")[0].strip()
    spec = InstanceSpec(instance_type)
    spec.monitoring = str(settings.get("MonitoringInterval", "")).lower() == "1 minute"
    volume_type = settings.get("RootVolumeType") or "gp2"
    spec.volumes.append(
        Volume(
            "aws_ebs_volume",
            volume_type if isinstance(volume_type, str) else "gp2",
            _number(settings.get("RootVolumeSize"), ROOT_VOLUME_GB),
            iops=to_decimal(settings.get("RootVolumeIOPS")),
            throughput=to_decimal(settings.get("RootVolumeThroughput")),
        )
    )
    nested = _nested(ctx, "ec2", {})
    count = ONE if single else _number(settings.get("MinSize"), ONE)
    given = nested.usage_number("instances")
    count = given if given is not None else count
    on_demand: Decimal | Unresolved | None = None
    if _true(settings.get("EnableSpot")) and isinstance(count, Decimal):
        base = _number(settings.get("SpotFleetOnDemandBase"), Decimal(0))
        default_percent = SPOT_ON_DEMAND_ABOVE_BASE["SingleInstance" if single else "LoadBalanced"]
        percent = _number(settings.get("SpotFleetOnDemandAboveBasePercentage"), default_percent)
        if isinstance(base, Decimal) and isinstance(percent, Decimal):
            above = max(count - base, Decimal(0)) * percent / 100
            on_demand = min(count, base) + Decimal(math.ceil(above))
    group = price_group(nested, spec, "aws_launch_configuration", count, on_demand=on_demand)
    for note in nested.notes:
        ctx.note(f"instances: {note}")
    for unknown in nested.unknowns:
        ctx.unknown(f"instances.{unknown['attribute']}", unknown["reason"])
    ctx.subresources.append(group)


@priced(
    "aws_elastic_beanstalk_environment",
    reads=("setting", "tier"),
    usage=USAGE,
    notes=(
        "Priced as what the environment creates: MinSize instances (with their root volume), "
        "its load balancer, its RDS database and its log streaming.",
        "Instance type: the first of InstanceTypes, else InstanceType.",
    ),
)
def aws_elastic_beanstalk_environment(ctx: Context) -> None:
    settings = _settings(ctx)
    single = str(settings.get("EnvironmentType", "LoadBalanced")) == "SingleInstance"
    worker = str(ctx.string("tier", "WebServer")).lower() == "worker"
    _instances(ctx, settings, single)
    if "DBInstanceClass" in settings:
        _price_created(
            ctx,
            "db",
            {
                "instance_class": settings["DBInstanceClass"],
                "engine": settings.get("DBEngine", "mysql"),
                "multi_az": _true(settings.get("MultiAZDatabase")),
                "allocated_storage": settings.get("DBAllocatedStorage", DB_DEFAULT_STORAGE_GB),
            },
        )
    if _true(settings.get("StreamLogs")):
        _price_created(ctx, "cloudwatch", {})
    if single or worker:
        ctx.note("no load balancer: single-instance or worker environment")
        return
    kind = str(settings.get("LoadBalancerType", "application")).lower()
    if kind == "classic":
        _price_created(ctx, "elb", {})
    else:
        _price_created(ctx, "lb", {"load_balancer_type": kind})
