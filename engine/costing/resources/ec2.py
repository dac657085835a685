"""EC2: instances, EBS volumes and snapshots, Elastic IPs, autoscaling groups, EKS node groups.

Instances are priced as Linux, shared tenancy, on-demand (the only EC2 prices in the catalog);
anything else (Windows via the usage file's ``operating_system``, dedicated tenancy, spot) is
reported as ``priceNotFound`` with the reason. Root volumes that the configuration does not
describe are assumed to be 8 GB gp2 (the AMI decides; Infracost assumes the same) and say so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.costing.components import CostComponent, PricedResource
from engine.costing.context import ONE, Context, Price
from engine.costing.registry import priced
from engine.model import Resource, Unresolved

ZERO = Decimal(0)
EC2_LINUX = {"capacitystatus": "Used", "operatingSystem": "Linux", "preInstalledSw": "NA"}
TENANCY = {"default": "Shared", "dedicated": "Dedicated", "host": "Host"}
BURSTABLE_UNLIMITED_BY_DEFAULT = ("t3.", "t3a.", "t4g.")
BURSTABLE = ("t2.", *BURSTABLE_UNLIMITED_BY_DEFAULT)
DEFAULT_ROOT_GB = Decimal(8)

VOLUME_NAMES = {
    "standard": "Storage (magnetic)",
    "gp2": "Storage (general purpose SSD, gp2)",
    "gp3": "Storage (general purpose SSD, gp3)",
    "io1": "Storage (provisioned IOPS SSD, io1)",
    "io2": "Storage (provisioned IOPS SSD, io2)",
    "st1": "Storage (throughput optimized HDD, st1)",
    "sc1": "Storage (cold HDD, sc1)",
}
GP3_FREE_IOPS = Decimal(3000)
GP3_FREE_THROUGHPUT = Decimal(125)
IO2_TIER_NAMES = (
    "Provisioned IOPS (up to 32,000)",
    "Provisioned IOPS (32,001 to 64,000)",
    "Provisioned IOPS (over 64,000)",
)


def instance_price(instance_type: str, tenancy: str = "Shared") -> Price:
    family = "Compute Instance (bare metal)" if ".metal" in instance_type else "Compute Instance"
    return Price(
        "AmazonEC2", family, {**EC2_LINUX, "instanceType": instance_type, "tenancy": tenancy}
    )


# --- instance specifications (instance, launch template, launch configuration) --------------


@dataclass
class Volume:
    name: str
    volume_type: str | Unresolved
    size: Decimal | Unresolved | None
    iops: Decimal | Unresolved | None = None
    throughput: Decimal | Unresolved | None = None


@dataclass
class InstanceSpec:
    instance_type: str | Unresolved | None
    tenancy: str | Unresolved = "Shared"
    spot: bool = False
    monitoring: bool | Unresolved = False
    cpu_credits: str | Unresolved | None = None
    volumes: list[Volume] = field(default_factory=list)


def _tenancy(value: str | Unresolved | None) -> str | Unresolved:
    if isinstance(value, Unresolved):
        return value
    return TENANCY.get(str(value or "default").lower(), str(value))


def _volume(
    ctx: Context,
    name: str,
    block: Mapping[str, Any],
    *,
    type_key: str = "volume_type",
    size_key: str = "volume_size",
    default_type: str = "gp2",
    default_size: Decimal | None = None,
) -> Volume:
    volume_type = ctx.string(type_key, default_type, within=block, label=f"{name}.{type_key}")
    size = ctx.number(size_key, default_size, within=block, label=f"{name}.{size_key}")
    if size is None:
        reason = "volume size not set (it comes from the snapshot or AMI)"
        ctx.unknown(f"{name}.{size_key}", reason)
        size = Unresolved("", reason)
    return Volume(
        name=name,
        volume_type=volume_type if volume_type is not None else default_type,
        size=size,
        iops=ctx.number("iops", None, within=block, label=f"{name}.iops"),
        throughput=ctx.number("throughput", None, within=block, label=f"{name}.throughput"),
    )


def spec_from_instance(ctx: Context) -> InstanceSpec:
    template = ctx.referenced("launch_template", "aws_launch_template")
    base = spec_from_launch_template(ctx, template) if template is not None else None
    instance_type = ctx.string("instance_type")
    if instance_type is None and base is not None:
        instance_type = base.instance_type
    market = ctx.blocks("instance_market_options")
    spot = any(str(block.get("market_type", "")).lower() == "spot" for block in market)
    credits = ctx.blocks("credit_specification")
    cpu_credits: str | Unresolved | None = None
    if credits:
        cpu_credits = ctx.string("cpu_credits", None, within=credits[0], label="cpu_credits")
    if cpu_credits is None and base is not None:
        cpu_credits = base.cpu_credits
    spec = InstanceSpec(
        instance_type=instance_type,
        tenancy=_tenancy(ctx.string("tenancy", "default")),
        spot=spot or (base is not None and base.spot),
        monitoring=ctx.boolean("monitoring", False),
        cpu_credits=cpu_credits,
    )
    root = ctx.blocks("root_block_device")
    if not root:
        ctx.note(
            "root volume not described in the configuration: assumed 8 GB gp2 (the AMI decides)"
        )
        root_block: Mapping[str, Any] = {}
    else:
        root_block = root[0]
    spec.volumes.append(_volume(ctx, "root_block_device", root_block, default_size=DEFAULT_ROOT_GB))
    devices = ctx.blocks("ebs_block_device")
    if devices:
        for position, block in enumerate(devices):
            spec.volumes.append(_volume(ctx, f"ebs_block_device[{position}]", block))
    return spec


def spec_from_launch_template(ctx: Context, template: Resource) -> InstanceSpec:
    attrs = template.attributes
    prefix = template.address
    placement = ctx.blocks("placement", within=attrs, label=f"{prefix}.placement")
    tenancy: str | Unresolved | None = "default"
    if placement:
        tenancy = ctx.string("tenancy", "default", within=placement[0], label=f"{prefix}.tenancy")
    monitoring_blocks = ctx.blocks("monitoring", within=attrs, label=f"{prefix}.monitoring")
    monitoring: bool | Unresolved = False
    if monitoring_blocks:
        monitoring = ctx.boolean("enabled", False, within=monitoring_blocks[0], label=prefix)
    market = ctx.blocks("instance_market_options", within=attrs)
    credits = ctx.blocks("credit_specification", within=attrs)
    spec = InstanceSpec(
        instance_type=ctx.string(
            "instance_type", None, within=attrs, label=f"{prefix}.instance_type"
        ),
        tenancy=_tenancy(tenancy),
        spot=any(str(block.get("market_type", "")).lower() == "spot" for block in market),
        monitoring=monitoring,
        cpu_credits=(
            ctx.string("cpu_credits", None, within=credits[0], label=f"{prefix}.cpu_credits")
            if credits
            else None
        ),
    )
    mappings = ctx.blocks("block_device_mappings", within=attrs, label=f"{prefix}.block_devices")
    if mappings:
        for position, mapping in enumerate(mappings):
            ebs = ctx.blocks("ebs", within=mapping)
            if not ebs:
                continue
            spec.volumes.append(_volume(ctx, f"block_device_mapping[{position}]", ebs[0]))
    return spec


def spec_from_launch_configuration(ctx: Context, configuration: Resource) -> InstanceSpec:
    attrs = configuration.attributes
    prefix = configuration.address
    spec = InstanceSpec(
        instance_type=ctx.string(
            "instance_type", None, within=attrs, label=f"{prefix}.instance_type"
        ),
        tenancy=_tenancy(ctx.string("placement_tenancy", "default", within=attrs, label=prefix)),
        spot=bool(attrs.get("spot_price")),
        # Launch configurations enable detailed monitoring unless told otherwise.
        monitoring=ctx.boolean("enable_monitoring", True, within=attrs, label=prefix),
    )
    root = ctx.blocks("root_block_device", within=attrs)
    root_block = root[0] if root else {}
    if not root_block:
        ctx.note(f"{prefix}: root volume assumed 8 GB gp2 (the AMI decides)")
    spec.volumes.append(_volume(ctx, "root_block_device", root_block, default_size=DEFAULT_ROOT_GB))
    devices = ctx.blocks("ebs_block_device", within=attrs)
    if devices:
        for position, block in enumerate(devices):
            spec.volumes.append(_volume(ctx, f"ebs_block_device[{position}]", block))
    return spec


# --- components ----------------------------------------------------------------------------


def instance_usage(
    ctx: Context,
    instance_type: str | Unresolved | None,
    *,
    tenancy: str | Unresolved = "Shared",
    count: Decimal | Unresolved = ONE,
    spot: bool = False,
) -> CostComponent:
    purchase = "spot" if spot else "on-demand"
    operating_system = (ctx.usage_string("operating_system") or "linux").lower()
    os_label = "Linux/UNIX" if operating_system == "linux" else operating_system.capitalize()
    shown_type = "?"
    if (
        isinstance(instance_type, str)
        and instance_type
        and not isinstance(instance_type, Unresolved)
    ):
        shown_type = instance_type
    name = f"Instance usage ({os_label}, {purchase}, {shown_type})"
    price: Price | str
    if isinstance(instance_type, Unresolved):
        price = f"instance type is unknown: {instance_type.reason}"
    elif instance_type is None or instance_type == "":
        price = "instance type is not set"
    elif isinstance(tenancy, Unresolved):
        price = f"tenancy is unknown: {tenancy.reason}"
    elif operating_system != "linux":
        price = f"the catalog has Linux prices only (operating_system={operating_system})"
    elif spot:
        price = "spot prices are not in the catalog"
    elif tenancy not in ("Shared",) and ".metal" not in instance_type:
        price = f"{tenancy.lower()}-tenancy prices are not in the catalog"
    else:
        price = instance_price(instance_type, tenancy)
    return ctx.component(name, "hours", price, hourly=count)


def monitoring_component(ctx: Context, count: Decimal | Unresolved = ONE) -> CostComponent:
    metrics = count * 7 if isinstance(count, Decimal) else count
    return ctx.component(
        "EC2 detailed monitoring",
        "metrics",
        Price("AmazonCloudWatch", "Metric", {"group": "Metric"}, "CW:MetricMonitorUsage"),
        monthly=metrics,
    )


def cpu_credit_component(ctx: Context, count: Decimal | Unresolved) -> CostComponent:
    hours = ctx.usage_number("monthly_cpu_credit_hrs")
    vcpus = ctx.usage_number("vcpu_count")
    quantity: Decimal | None = None
    if hours is not None and vcpus is not None and isinstance(count, Decimal):
        quantity = hours * vcpus * count
    return ctx.component(
        "CPU credits",
        "vCPU-hours",
        Price("AmazonEC2", "CPU Credits", {"operatingSystem": "Linux"}),
        monthly=quantity,
        usage_based=True,
    )


def volume_components(
    ctx: Context, volume: Volume, count: Decimal | Unresolved = ONE
) -> list[CostComponent]:
    volume_type = volume.volume_type
    if isinstance(volume_type, Unresolved):
        return [
            ctx.component(
                "Storage",
                "GB",
                f"volume type is unknown: {volume_type.reason}",
                monthly=_times(volume.size, count),
            )
        ]
    volume_type = volume_type.lower()
    name = VOLUME_NAMES.get(volume_type)
    if name is None:
        return [
            ctx.component(
                f"Storage ({volume_type})",
                "GB",
                f"unknown EBS volume type {volume_type!r}",
                monthly=_times(volume.size, count),
            )
        ]
    out = [
        ctx.component(
            name,
            "GB",
            Price("AmazonEC2", "Storage", {"volumeApiName": volume_type}),
            monthly=_times(volume.size, count),
        )
    ]
    iops_price = Price(
        "AmazonEC2", "System Operation", {"group": "EBS IOPS", "volumeApiName": volume_type}
    )
    if volume_type == "gp3":
        iops = volume.iops
        if isinstance(iops, Decimal) and iops > GP3_FREE_IOPS:
            extra_iops = _times(iops - GP3_FREE_IOPS, count)
            out.append(ctx.component("Provisioned IOPS", "IOPS", iops_price, monthly=extra_iops))
        elif isinstance(iops, Unresolved):
            out.append(ctx.component("Provisioned IOPS", "IOPS", iops_price, monthly=iops))
        throughput = volume.throughput
        throughput_price = Price(
            "AmazonEC2",
            "Provisioned Throughput",
            {"volumeApiName": "gp3"},
            units=("GiBps-mo",),
        )
        per = Decimal(1) / Decimal(1024)  # the price is per GiBps-month, shown per MiBps
        if isinstance(throughput, Decimal) and throughput > GP3_FREE_THROUGHPUT:
            extra = _times((throughput - GP3_FREE_THROUGHPUT) / 1024, count)
            out.append(
                ctx.component(
                    "Provisioned throughput", "Mbps", throughput_price, monthly=extra, per=per
                )
            )
        elif isinstance(throughput, Unresolved):
            out.append(
                ctx.component(
                    "Provisioned throughput", "Mbps", throughput_price, monthly=throughput, per=per
                )
            )
    elif volume_type == "io1":
        iops = volume.iops if volume.iops is not None else Unresolved("", "iops is not set")
        out.append(
            ctx.component("Provisioned IOPS", "IOPS", iops_price, monthly=_times(iops, count))
        )
    elif volume_type == "io2":
        out.extend(_io2_iops(ctx, volume.iops, count))
    elif volume_type == "standard":
        requests = ctx.usage_number("monthly_standard_io_requests")
        out.append(
            ctx.component(
                "I/O requests",
                "1M requests",
                Price(
                    "AmazonEC2",
                    "System Operation",
                    {"group": "EBS I/O Requests", "volumeApiName": "standard"},
                ),
                monthly=_times(requests, count) if requests is not None else None,
                per=Decimal(1_000_000),
                usage_based=True,
            )
        )
    return out


def _io2_iops(
    ctx: Context, iops: Decimal | Unresolved | None, count: Decimal | Unresolved
) -> list[CostComponent]:
    groups = ("EBS IOPS", "EBS IOPS Tier 2", "EBS IOPS Tier 3")
    if iops is None:
        iops = Unresolved("", "iops is not set")
    if not isinstance(iops, Decimal):
        price = Price("AmazonEC2", "System Operation", {"group": groups[0], "volumeApiName": "io2"})
        return [ctx.component(IO2_TIER_NAMES[0], "IOPS", price, monthly=iops)]
    bounds = _tier_bounds(ctx, "ebs-io2-iops", (Decimal(0), Decimal(32000), Decimal(64000)))
    out = []
    for position, start in enumerate(bounds):
        end = bounds[position + 1] if position + 1 < len(bounds) else None
        amount = (iops if end is None else min(iops, end)) - start
        if amount <= 0 and position > 0:
            break
        price = Price(
            "AmazonEC2", "System Operation", {"group": groups[position], "volumeApiName": "io2"}
        )
        out.append(
            ctx.component(
                IO2_TIER_NAMES[position], "IOPS", price, monthly=_times(max(amount, ZERO), count)
            )
        )
    return out


def _tier_bounds(ctx: Context, name: str, default: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
    catalog = ctx.estimation.catalog
    if catalog is None:
        return default
    try:
        text = catalog.meta().get(f"tiers:{name}")
    except Exception:
        return default
    if not text:
        return default
    return tuple(Decimal(part) for part in text.split(","))


def _times(quantity: Decimal | Unresolved | None, count: Decimal | Unresolved) -> Any:
    if quantity is None or isinstance(quantity, Unresolved):
        return quantity
    if isinstance(count, Unresolved):
        return count
    return quantity * count


def add_instance(
    ctx: Context,
    spec: InstanceSpec,
    *,
    count: Decimal | Unresolved = ONE,
    into: PricedResource | None = None,
) -> None:
    """The components of ``count`` instances of ``spec`` (volumes as sub-resources)."""
    components: list[CostComponent] = [
        instance_usage(ctx, spec.instance_type, tenancy=spec.tenancy, count=count, spot=spec.spot)
    ]
    if spec.monitoring is True:
        components.append(monitoring_component(ctx, count))
    elif isinstance(spec.monitoring, Unresolved):
        components.append(monitoring_component(ctx, spec.monitoring))
    instance_type = spec.instance_type
    if isinstance(instance_type, str) and instance_type.startswith(BURSTABLE):
        credits = spec.cpu_credits
        if credits is None:
            credits = (
                "unlimited" if instance_type.startswith(BURSTABLE_UNLIMITED_BY_DEFAULT) else ""
            )
        if credits == "unlimited":
            if ctx.usage_number("monthly_cpu_credit_hrs") is not None:
                components.append(cpu_credit_component(ctx, count))
            else:
                ctx.note(
                    "unlimited CPU credits: surplus credits are billed per vCPU-hour; give "
                    "monthly_cpu_credit_hrs and vcpu_count in the usage file to price them"
                )
    volumes = [
        PricedResource(name=volume.name, components=volume_components(ctx, volume, count))
        for volume in spec.volumes
    ]
    if into is None:
        ctx.add(*components)
        ctx.subresources.extend(volumes)
    else:
        into.components.extend(components)
        into.subresources.extend(volumes)


# --- resources -------------------------------------------------------------------------------


@priced("aws_instance")
def aws_instance(ctx: Context) -> None:
    add_instance(ctx, spec_from_instance(ctx))


@priced("aws_ebs_volume")
def aws_ebs_volume(ctx: Context) -> None:
    size = ctx.number("size")
    if size is None:
        reason = "size not set (it comes from the snapshot)"
        ctx.unknown("size", reason)
        size = Unresolved("", reason)
    volume = Volume(
        name=ctx.resource.address,
        volume_type=ctx.string("type", "gp2") or "gp2",
        size=size,
        iops=ctx.number("iops"),
        throughput=ctx.number("throughput"),
    )
    ctx.add(*volume_components(ctx, volume))


@priced("aws_ebs_snapshot")
def aws_ebs_snapshot(ctx: Context) -> None:
    size = ctx.number("volume_size")
    if size is None:
        volume = ctx.referenced("volume_id", "aws_ebs_volume")
        if volume is not None:
            size = ctx.number(
                "size", None, within=volume.attributes, label=f"{volume.address}.size"
            )
    if size is None:
        size = Unresolved("", "the snapshot's volume size is not known")
        ctx.unknown("volume_size", size.reason)
    ctx.add(
        ctx.component(
            "EBS snapshot storage",
            "GB",
            Price("AmazonEC2", "Storage Snapshot", {}, usage_type="EBS:SnapshotUsage"),
            monthly=size,
        )
    )
    ctx.note("snapshots are incremental; the full volume size is an upper bound")


@priced("aws_eip")
def aws_eip(ctx: Context) -> None:
    if ctx.string("customer_owned_ipv4_pool"):
        ctx.free("address from a customer-owned IPv4 pool")
        return
    attached = bool(ctx.raw("instance") or ctx.raw("network_interface"))
    state = "InUseAddress" if attached else "IdleAddress"
    ctx.add(
        ctx.component(
            f"IP address ({'in use' if attached else 'idle or attached elsewhere'})",
            "hours",
            Price("AmazonVPC", "VPC Public IPv4 Address", {}, usage_type=f"PublicIPv4:{state}"),
            hourly=ONE,
        )
    )


def _group_size(ctx: Context) -> Decimal | Unresolved:
    desired = ctx.number("desired_capacity")
    if desired is None:
        desired = ctx.number("min_size")
    if desired is None:
        reason = "neither desired_capacity nor min_size is set"
        ctx.unknown("desired_capacity", reason)
        return Unresolved("", reason)
    return desired


@priced("aws_autoscaling_group")
def aws_autoscaling_group(ctx: Context) -> None:
    count = _group_size(ctx)
    mixed = ctx.blocks("mixed_instances_policy")
    if mixed:
        _mixed_instances(ctx, mixed[0], count)
        return
    for attribute, kind, spec_of in (
        ("launch_template", "aws_launch_template", spec_from_launch_template),
        ("launch_configuration", "aws_launch_configuration", spec_from_launch_configuration),
    ):
        launch = ctx.referenced(attribute, kind)
        if launch is not None:
            sub = PricedResource(name=launch.address)
            add_instance(ctx, spec_of(ctx, launch), count=count, into=sub)
            ctx.subresources.append(sub)
            return
    ctx.add(
        instance_usage(
            ctx,
            Unresolved(
                "",
                "launch template or configuration not found in the "
                "configuration (external or not referenced)",
            ),
            count=count,
        )
    )


def _mixed_instances(ctx: Context, policy: Mapping[str, Any], count: Decimal | Unresolved) -> None:
    templates = ctx.blocks("launch_template", within=policy)
    overrides: Sequence[Mapping[str, Any]] = []
    if templates:
        found = ctx.blocks("override", within=templates[0])
        overrides = found
    template = ctx.referenced("mixed_instances_policy", "aws_launch_template")
    spec = (
        spec_from_launch_template(ctx, template)
        if template is not None
        else InstanceSpec(instance_type=None)
    )
    override_types = [
        block.get("instance_type")
        for block in overrides
        if isinstance(block.get("instance_type"), str)
    ]
    if override_types:
        spec.instance_type = override_types[0]
        if len(override_types) > 1:
            ctx.note(f"mixed instances: priced as the first override type ({override_types[0]})")
    distributions = ctx.blocks("instances_distribution", within=policy)
    distribution = distributions[0] if distributions else {}
    base = ctx.number("on_demand_base_capacity", 0, within=distribution) or Decimal(0)
    percent = ctx.number(
        "on_demand_percentage_above_base_capacity", 100, within=distribution
    ) or Decimal(100)
    name = template.address if template is not None else "mixed_instances_policy"
    sub = PricedResource(name=name)
    if isinstance(count, Decimal) and isinstance(base, Decimal) and isinstance(percent, Decimal):
        on_demand = min(count, base) + max(count - base, Decimal(0)) * percent / 100
        spot = count - on_demand
        add_instance(ctx, spec, count=on_demand, into=sub)
        if spot > 0:
            sub.components.append(
                instance_usage(ctx, spec.instance_type, tenancy=spec.tenancy, count=spot, spot=True)
            )
    else:
        add_instance(
            ctx,
            spec,
            count=count
            if isinstance(count, Unresolved)
            else Unresolved("", "on-demand share of the mixed instances policy is unknown"),
            into=sub,
        )
    ctx.subresources.append(sub)


@priced("aws_eks_node_group")
def aws_eks_node_group(ctx: Context) -> None:
    scaling = ctx.blocks_or_unknown("scaling_config")
    count: Decimal | Unresolved
    if isinstance(scaling, Unresolved) or not scaling:
        count = Unresolved("", "scaling_config is unknown")
        ctx.unknown("scaling_config", count.reason)
    else:
        desired = ctx.number("desired_size", None, within=scaling[0], label="desired_size")
        count = desired if desired is not None else Unresolved("", "desired_size is not set")
    template = ctx.referenced("launch_template", "aws_launch_template")
    spec = (
        spec_from_launch_template(ctx, template)
        if template is not None
        else InstanceSpec(instance_type=None)
    )
    types = ctx.list_of("instance_types")
    if isinstance(types, Unresolved):
        spec.instance_type = types
    elif types:
        spec.instance_type = str(types[0])
    elif spec.instance_type is None:
        spec.instance_type = "t3.medium"  # EKS's default for managed node groups
        ctx.note("instance type not set: EKS's default t3.medium assumed")
    capacity = ctx.raw("capacity_type")
    if isinstance(capacity, Unresolved):
        ctx.note("capacity_type is not known statically: ON_DEMAND (the default) assumed")
    spec.spot = isinstance(capacity, str) and capacity.upper() == "SPOT"
    if template is None:
        disk = ctx.number("disk_size", 20)
        spec.volumes = [Volume("disk", "gp2", disk)]
        ctx.note("node disk priced as gp2 (EKS's default for managed node groups)")
    add_instance(ctx, spec, count=count)
