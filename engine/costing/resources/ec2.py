"""EC2 instances and what describes them (launch templates and configurations), Dedicated
Hosts and Elastic IPs.

An instance is described by an :class:`InstanceSpec`, read from an ``aws_instance`` (merged
with its launch template, as EC2 does), a launch template or a launch configuration; groups of
instances (:mod:`.autoscaling`, :mod:`.beanstalk`) price ``count`` instances of one spec.

The purchase option and platform come from the configuration (spot market options, tenancy)
and from the usage file (``operating_system``, ``reserved_instance_*``), as in Infracost. Each
combination is looked up in the catalog as it is; where the catalog has no price for it (it has
Linux shared-tenancy on-demand prices everywhere, Windows only in eu-west-1, and no reserved or
spot EC2 prices) the component is ``priceNotFound`` naming exactly what is missing — never the
on-demand Linux price under another name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.costing.components import CostComponent, PricedResource
from engine.costing.context import ONE, Context, Price
from engine.costing.registry import priced
from engine.costing.resources.ebs import Volume, read_volume, times, volume_components
from engine.costing.resources.purchase import (
    ON_DEMAND,
    RESERVED_CLASSES,
    RESERVED_PAYMENTS,
    RESERVED_TERMS,
    SPOT,
    Purchase,
    not_found,
    reserved_purchase,
)
from engine.costing.resources.references import referenced
from engine.costing.schema import UsageKey
from engine.model import Resource, Unresolved

DEFAULT_ROOT_GB = Decimal(8)
DETAILED_MONITORING_METRICS = 7

# Terraform tenancy -> the Price List's.
TENANCY = {"default": "Shared", "dedicated": "Dedicated", "host": "Host"}
# usage ``operating_system`` -> (component label, Price List operatingSystem).
OPERATING_SYSTEMS = {
    "linux": ("Linux/UNIX", "Linux"),
    "windows": ("Windows", "Windows"),
    "rhel": ("RHEL", "RHEL"),
    "suse": ("SUSE", "SUSE"),
}
# Burstable families (the instance type's prefix) and those unlimited by default (AWS: T3,
# T3a and T4g launch in unlimited mode; T2 in standard mode).
BURSTABLE_FAMILIES = ("t2", "t3", "t3a", "t4g")
UNLIMITED_BY_DEFAULT = ("t3", "t3a", "t4g")
# CPU credits: RHEL and SUSE surplus credits cost what Linux ones do; Windows has its own.
CREDIT_OS = {"linux": "Linux", "rhel": "Linux", "suse": "Linux", "windows": "Windows"}

#: The reserved term and payment option of instances and Dedicated Hosts.
RESERVED_TERM_USAGE: tuple[UsageKey, ...] = (
    UsageKey(
        "reserved_instance_term",
        "string",
        "Term for Reserved Instances, can be: 1_year, 3_year.",
        choices=tuple(RESERVED_TERMS),
    ),
    UsageKey(
        "reserved_instance_payment_option",
        "string",
        "Payment option for Reserved Instances, can be: no_upfront, partial_upfront, all_upfront.",
        choices=tuple(RESERVED_PAYMENTS),
    ),
)
INSTANCE_USAGE: tuple[UsageKey, ...] = (
    UsageKey(
        "operating_system",
        "string",
        "Override the operating system of the instance, can be: linux, windows, suse, rhel.",
        choices=tuple(OPERATING_SYSTEMS),
    ),
    UsageKey(
        "reserved_instance_type",
        "string",
        "Offering class for Reserved Instances, can be: convertible, standard.",
        choices=RESERVED_CLASSES,
    ),
    *RESERVED_TERM_USAGE,
    UsageKey(
        "monthly_cpu_credit_hrs",
        "int",
        "Number of hours in the month where the instance is expected to burst. Only applicable "
        "with t2, t3 & t4 Instance types. T2 requires credit_specification to be unlimited.",
        unit="hours",
    ),
    UsageKey(
        "vcpu_count",
        "int",
        "Number of the vCPUs for the instance type. Only applicable with t2, t3 & t4 Instance "
        "types. T2 requires credit_specification to be unlimited.",
        unit="vCPUs",
    ),
    UsageKey("monthly_hrs", "float", "Monthly number of hours the instance ran for.", unit="hours"),
)
GROUP_USAGE: tuple[UsageKey, ...] = (
    UsageKey(
        "instances",
        "int",
        "Number of instances in the group (overrides the configured capacity).",
        unit="instances",
    ),
    *INSTANCE_USAGE,
)
INSTANCE_NOTES = (
    "Linux unless the usage file says otherwise (operating_system); marketplace AMI fees are "
    "not priced.",
    "Reserved, spot, Windows/RHEL/SUSE and dedicated prices are used only where the catalog has "
    "them; otherwise the instance usage is priceNotFound with what is missing.",
    "EC2 detailed monitoring is priced as 7 metrics at CloudWatch's first tier.",
    "A root volume the configuration does not describe is assumed to be 8 GB gp2.",
)


# --- instance specifications -----------------------------------------------------------------


@dataclass
class InstanceSpec:
    instance_type: str | Unresolved | None
    tenancy: str | Unresolved = "Shared"
    spot: bool = False
    monitoring: bool | Unresolved = False
    cpu_credits: str | Unresolved | None = None
    ebs_optimized: bool | Unresolved = False
    inference_accelerator: str | None = None
    volumes: list[Volume] = field(default_factory=list)
    #: the Dedicated Host the instance is placed on (it is billed there, not per instance)
    host: str | None = None
    #: the platform the configuration implies (an EKS Windows AMI type); the usage file's
    #: ``operating_system`` wins
    operating_system: str | None = None


def _tenancy(value: str | Unresolved | None) -> str | Unresolved:
    if isinstance(value, Unresolved):
        return value
    return TENANCY.get(str(value or "default").lower(), str(value))


def _market_is_spot(blocks: list[dict[str, Any]]) -> bool:
    return any(str(block.get("market_type", "")).lower() == "spot" for block in blocks)


def _first_string(
    ctx: Context, block_name: str, key: str, attrs: Mapping[str, Any] | None, label: str
) -> str | Unresolved | None:
    blocks = ctx.blocks(block_name, within=attrs, label=f"{label}{block_name}")
    if not blocks:
        return None
    return ctx.string(key, None, within=blocks[0], label=f"{label}{block_name}.{key}")


def spec_from_launch_template(ctx: Context, template: Resource) -> InstanceSpec:
    attrs = template.attributes
    prefix = f"{template.address}."
    tenancy = _first_string(ctx, "placement", "tenancy", attrs, prefix)
    monitoring: bool | Unresolved = False
    monitoring_blocks = ctx.blocks("monitoring", within=attrs, label=f"{prefix}monitoring")
    if monitoring_blocks:
        monitoring = ctx.boolean(
            "enabled", False, within=monitoring_blocks[0], label=f"{prefix}monitoring.enabled"
        )
    accelerator = _first_string(ctx, "elastic_inference_accelerator", "type", attrs, prefix)
    spec = InstanceSpec(
        instance_type=ctx.string(
            "instance_type", None, within=attrs, label=f"{prefix}instance_type"
        ),
        tenancy=_tenancy(tenancy),
        spot=_market_is_spot(ctx.blocks("instance_market_options", within=attrs)),
        monitoring=monitoring,
        cpu_credits=_first_string(ctx, "credit_specification", "cpu_credits", attrs, prefix),
        ebs_optimized=ctx.boolean(
            "ebs_optimized", False, within=attrs, label=f"{prefix}ebs_optimized"
        ),
        inference_accelerator=accelerator if isinstance(accelerator, str) else None,
    )
    mappings = ctx.blocks("block_device_mappings", within=attrs, label=f"{prefix}block_devices")
    for position, mapping in enumerate(mappings):
        ebs = ctx.blocks("ebs", within=mapping)
        if ebs:
            volume = read_volume(ctx, f"block_device_mapping[{position}]", ebs[0])
            device = mapping.get("device_name")
            volume.device = device if isinstance(device, str) else None
            spec.volumes.append(volume)
    return spec


def spec_from_launch_configuration(ctx: Context, configuration: Resource) -> InstanceSpec:
    attrs = configuration.attributes
    prefix = configuration.address
    spec = InstanceSpec(
        instance_type=ctx.string(
            "instance_type", None, within=attrs, label=f"{prefix}.instance_type"
        ),
        tenancy=_tenancy(
            ctx.string("placement_tenancy", "default", within=attrs, label=f"{prefix}.tenancy")
        ),
        spot=bool(attrs.get("spot_price")),
        # Launch configurations enable detailed monitoring unless told otherwise.
        monitoring=ctx.boolean("enable_monitoring", True, within=attrs, label=prefix),
        cpu_credits=_first_string(ctx, "credit_specification", "cpu_credits", attrs, prefix),
        ebs_optimized=ctx.boolean("ebs_optimized", False, within=attrs, label=prefix),
    )
    root = ctx.blocks("root_block_device", within=attrs)
    if not root:
        ctx.note(f"{prefix}: root volume assumed 8 GB gp2 (the AMI decides)")
    spec.volumes.append(
        read_volume(ctx, "root_block_device", root[0] if root else {}, default_size=DEFAULT_ROOT_GB)
    )
    for position, block in enumerate(ctx.blocks("ebs_block_device", within=attrs)):
        spec.volumes.append(read_volume(ctx, f"ebs_block_device[{position}]", block))
    return spec


def spec_from_instance(ctx: Context) -> InstanceSpec:
    """An ``aws_instance``: its own arguments, else its launch template's (as EC2 launches it).

    Block devices are merged by device name: the instance's ``ebs_block_device`` overrides the
    template's mapping of the same device, and the template's other mappings are added.
    """
    template = referenced(ctx, "launch_template", "aws_launch_template")
    base = spec_from_launch_template(ctx, template) if template is not None else InstanceSpec(None)
    instance_type = ctx.string("instance_type")
    credits = _first_string(ctx, "credit_specification", "cpu_credits", None, "")
    accelerator = _first_string(ctx, "elastic_inference_accelerator", "type", None, "")
    spec = InstanceSpec(
        instance_type=instance_type if instance_type is not None else base.instance_type,
        tenancy=_tenancy(ctx.string("tenancy")) if ctx.raw("tenancy") else base.tenancy,
        spot=_market_is_spot(ctx.blocks("instance_market_options")) or base.spot,
        monitoring=ctx.boolean("monitoring", False)
        if ctx.raw("monitoring") is not None
        else base.monitoring,
        cpu_credits=credits if credits is not None else base.cpu_credits,
        ebs_optimized=ctx.boolean("ebs_optimized", False)
        if ctx.raw("ebs_optimized") is not None
        else base.ebs_optimized,
        inference_accelerator=accelerator
        if isinstance(accelerator, str)
        else base.inference_accelerator,
    )
    host_ref = referenced(ctx, "host_id", "aws_ec2_host")
    if host_ref is not None:
        spec.host = host_ref.address
    elif isinstance(ctx.raw("host_id"), str) and ctx.raw("host_id"):
        spec.host = str(ctx.raw("host_id"))
    root = ctx.blocks("root_block_device")
    if not root:
        ctx.note(
            "root volume not described in the configuration: assumed 8 GB gp2 (the AMI decides)"
        )
    spec.volumes.append(
        read_volume(ctx, "root_block_device", root[0] if root else {}, default_size=DEFAULT_ROOT_GB)
    )
    inherited = {volume.device: volume for volume in base.volumes if volume.device}
    unnamed = [volume for volume in base.volumes if not volume.device]
    own = ctx.blocks("ebs_block_device")
    for position, block in enumerate(own):
        name = f"ebs_block_device[{position}]"
        device = block.get("device_name")
        template_volume = inherited.pop(device, None) if isinstance(device, str) else None
        if template_volume is not None:
            # The instance's arguments win; what it leaves out comes from the template.
            given = {key: value for key, value in block.items() if value is not None}
            block = {**template_volume.block, **given}
        spec.volumes.append(read_volume(ctx, name, block))
    for offset, volume in enumerate([*inherited.values(), *unnamed]):
        volume.name = f"ebs_block_device[{len(own) + offset}]"
        spec.volumes.append(volume)
    return spec


def operating_system(ctx: Context, spec: InstanceSpec | None = None) -> str:
    given = ctx.usage_string("operating_system")
    if given is not None:
        return given.lower()
    return (spec.operating_system if spec is not None else None) or "linux"


def instance_price(
    instance_type: str, tenancy: str, os_name: str, purchase: Purchase = ON_DEMAND
) -> Price:
    family = "Compute Instance (bare metal)" if ".metal" in instance_type else "Compute Instance"
    attributes = {
        "capacitystatus": "Used",
        "instanceType": instance_type,
        "operatingSystem": os_name,
        "preInstalledSw": "NA",
        "tenancy": tenancy,
        **purchase.attributes(),
    }
    if os_name != "Linux":
        attributes["licenseModel"] = "No License required"  # licence included (not BYOL)
    units = ("Hrs",) if purchase.kind == "reserved" else ()
    return Price("AmazonEC2", family, attributes, units=units)


def instance_usage(
    ctx: Context,
    spec: InstanceSpec,
    *,
    count: Decimal | Unresolved = ONE,
    purchase: Purchase = ON_DEMAND,
) -> CostComponent:
    """``Instance usage (Linux/UNIX, on-demand, m5.large)`` for ``count`` instances."""
    os_key = operating_system(ctx, spec)
    os_label, os_name = OPERATING_SYSTEMS.get(os_key, OPERATING_SYSTEMS["linux"])
    instance_type = spec.instance_type
    shown = instance_type if isinstance(instance_type, str) and instance_type else "?"
    if isinstance(instance_type, Unresolved):
        shown = "?"
    name = f"Instance usage ({os_label}, {purchase.kind}, {shown})"
    hours = ctx.usage_number("monthly_hrs")
    quantity: dict[str, Any] = (
        {"monthly": times(hours, count)} if hours is not None else {"hourly": count}
    )
    tenancy = spec.tenancy
    if isinstance(instance_type, Unresolved):
        return ctx.component(
            name, "hours", f"instance type is unknown: {instance_type.reason}", **quantity
        )
    if not instance_type:
        return ctx.component(name, "hours", "instance type is not set", **quantity)
    if isinstance(tenancy, Unresolved):
        return ctx.component(name, "hours", f"tenancy is unknown: {tenancy.reason}", **quantity)
    if purchase.problem is not None:
        return ctx.component(name, "hours", purchase.problem, **quantity)
    price = instance_price(instance_type, tenancy, os_name, purchase)
    descriptor = [purchase.describe()]
    if os_name != "Linux":
        descriptor.append(os_label)
    if tenancy != "Shared":
        descriptor.append(f"{tenancy.lower()}-tenancy")
    reason = not_found(ctx, price, f"{' '.join(descriptor)} price for {instance_type}")
    return ctx.component(name, "hours", reason or price, **quantity)


def monitoring_component(ctx: Context, count: Decimal | Unresolved = ONE) -> CostComponent:
    return ctx.component(
        "EC2 detailed monitoring",
        "metrics",
        Price("AmazonCloudWatch", "Metric", {"group": "Metric"}, "CW:MetricMonitorUsage"),
        monthly=times(Decimal(DETAILED_MONITORING_METRICS), count),
    )


def burstable_family(instance_type: str | Unresolved | None) -> str | None:
    if not isinstance(instance_type, str) or isinstance(instance_type, Unresolved):
        return None
    family = instance_type.split(".", 1)[0]
    return family if family in BURSTABLE_FAMILIES else None


def cpu_credit_component(
    ctx: Context, spec: InstanceSpec, family: str, count: Decimal | Unresolved = ONE
) -> CostComponent:
    """Surplus CPU credits of unlimited burstable instances: hours x vCPUs x instances."""
    hours = ctx.usage_number("monthly_cpu_credit_hrs")
    vcpus = ctx.usage_number("vcpu_count")
    quantity: Decimal | Unresolved | None = None
    if hours is not None:
        quantity = (
            times(hours * vcpus, count)
            if vcpus is not None
            else Unresolved("", "vcpu_count is not given in the usage file")
        )
    credit_os = CREDIT_OS.get(operating_system(ctx, spec), "Linux")
    price = Price(
        "AmazonEC2",
        "CPU Credits",
        {"operatingSystem": credit_os},
        usage_type=f"CPUCredits:{family}",
    )
    reason = not_found(ctx, price, f"{credit_os} CPU credit price for the {family} family")
    return ctx.component(
        "CPU credits",
        "vCPU-hours",
        reason or price,
        monthly=quantity,
        usage_based=True,
    )


def instance_extras(
    ctx: Context, spec: InstanceSpec, count: Decimal | Unresolved = ONE
) -> list[CostComponent]:
    """What ``count`` instances cost besides their hours and volumes."""
    out: list[CostComponent] = []
    if spec.monitoring is True:
        out.append(monitoring_component(ctx, count))
    elif isinstance(spec.monitoring, Unresolved):
        out.append(monitoring_component(ctx, spec.monitoring))
    if spec.inference_accelerator:
        accelerator = spec.inference_accelerator
        out.append(
            ctx.component(
                f"Inference accelerator ({accelerator})",
                "hours",
                f"no Elastic Inference price for {accelerator} in {ctx.region} in the catalog",
                hourly=count,
            )
        )
    family = burstable_family(spec.instance_type)
    if family is not None:
        credits = spec.cpu_credits
        if credits is None:
            credits = "unlimited" if family in UNLIMITED_BY_DEFAULT else "standard"
        if credits == "unlimited":
            out.append(cpu_credit_component(ctx, spec, family, count))
    if spec.ebs_optimized is True and _pays_for_ebs_optimization(spec.instance_type):
        out.append(
            ctx.component(
                "EBS-optimized usage",
                "hours",
                f"no EBS-optimized hourly price for {spec.instance_type} in {ctx.region} in "
                "the catalog",
                hourly=count,
            )
        )
    return out


#: Families for which EBS optimization is an option with an hourly fee (AWS, "Amazon
#: EBS-optimized instances": supported but not enabled by default); every other type that
#: supports it has it included.
EBS_OPTIMIZED_FEE_FAMILIES = frozenset({"c1", "c3", "g2", "i2", "m1", "m2", "m3", "r3"})


def _pays_for_ebs_optimization(instance_type: str | Unresolved | None) -> bool:
    return (
        isinstance(instance_type, str) and instance_type.split(".")[0] in EBS_OPTIMIZED_FEE_FAMILIES
    )


def volume_resources(
    ctx: Context, spec: InstanceSpec, count: Decimal | Unresolved = ONE
) -> list[PricedResource]:
    return [
        PricedResource(name=volume.name, components=volume_components(ctx, volume, count))
        for volume in spec.volumes
    ]


def runs_on_host(ctx: Context, spec: InstanceSpec) -> bool:
    """Instances on a Dedicated Host are billed through the host (``aws_ec2_host``)."""
    if spec.host is not None:
        ctx.note(f"runs on the Dedicated Host {spec.host}: its hours are billed to the host")
        return True
    if spec.tenancy == "Host":
        ctx.note(
            "host tenancy: the instance runs on a Dedicated Host, billed as aws_ec2_host; only "
            "its volumes are priced here"
        )
        return True
    return False


# --- resources -------------------------------------------------------------------------------


@priced(
    "aws_instance",
    reads=(
        "instance_type",
        "tenancy",
        "host_id",
        "launch_template",
        "instance_market_options",
        "credit_specification",
        "monitoring",
        "ebs_optimized",
        "root_block_device",
        "ebs_block_device",
    ),
    usage=INSTANCE_USAGE,
    notes=INSTANCE_NOTES,
)
def aws_instance(ctx: Context) -> None:
    spec = spec_from_instance(ctx)
    if not runs_on_host(ctx, spec):
        ctx.add(
            instance_usage(ctx, spec, purchase=SPOT if spec.spot else _reserved_or_on_demand(ctx))
        )
    ctx.add(*instance_extras(ctx, spec))
    ctx.subresources.extend(volume_resources(ctx, spec))


def _reserved_or_on_demand(ctx: Context) -> Purchase:
    return reserved_purchase(ctx) or ON_DEMAND


@priced(
    "aws_ec2_host",
    reads=("instance_type", "instance_family"),
    usage=RESERVED_TERM_USAGE,
    notes=("The instances placed on the host are billed through the host's hours.",),
)
def aws_ec2_host(ctx: Context) -> None:
    family = _host_family(ctx)
    purchase = reserved_purchase(ctx, needs_class=False) or ON_DEMAND
    shown = family if isinstance(family, str) and not isinstance(family, Unresolved) else "?"
    price: Price | str
    if isinstance(family, Unresolved):
        price = f"host family is unknown: {family.reason}"
    elif not family:
        price = "neither instance_type nor instance_family is set"
    elif purchase.problem is not None:
        price = purchase.problem
    else:
        reserved = purchase.kind == "reserved"
        price = Price(
            "AmazonEC2",
            "Dedicated Host",
            {"instanceType": family, "tenancy": "Host", **purchase.attributes()},
            usage_type=("ReservedHostUsage:" if reserved else "HostUsage:") + family,
            units=("Hrs",) if reserved else (),
        )
        what = f"{purchase.describe()} price for the {family} Dedicated Host"
        price = not_found(ctx, price, what) or price
    ctx.add(
        ctx.component(
            f"EC2 Dedicated Host ({purchase.kind}, {shown or '?'})", "hours", price, hourly=ONE
        )
    )


def _host_family(ctx: Context) -> str | Unresolved | None:
    """The host's instance family: ``instance_type``'s (``c5.18xlarge`` -> ``c5``), else
    ``instance_family``."""
    instance_type = ctx.string("instance_type")
    if isinstance(instance_type, Unresolved):
        return instance_type
    if instance_type:
        return instance_type.split(".", 1)[0]
    return ctx.string("instance_family")


@priced(
    "aws_eip",
    reads=("instance", "network_interface", "customer_owned_ipv4_pool"),
    usage=(),
    notes=("Every public IPv4 address is billed per hour since February 2024, in use or not.",),
)
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
