"""Containers: EKS clusters and Fargate profiles, ECS services on Fargate (EKS node groups are
in :mod:`.autoscaling`).

EKS clusters on a Kubernetes version past its end of standard support pay the extended-support
fee on top of the cluster fee (AWS's EKS version calendar below). An ECS service's launch type
follows Infracost's precedence: its ``launch_type``, its capacity provider strategy, then its
cluster's default strategy or capacity providers (``aws_ecs_cluster_capacity_providers``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.costing import calendar
from engine.costing.context import ONE, Context, Price
from engine.costing.registry import free, priced
from engine.costing.resources.ebs import times
from engine.costing.resources.references import referenced, referencing
from engine.model import Resource, Unresolved

# End of standard support per EKS Kubernetes version (AWS's "Amazon EKS Kubernetes release
# calendar"); after it a cluster pays the extended-support fee unless its upgrade policy is
# STANDARD (then EKS upgrades it instead).
EKS_STANDARD_SUPPORT_ENDS = {
    "1.23": datetime.date(2023, 10, 11),
    "1.24": datetime.date(2024, 1, 31),
    "1.25": datetime.date(2024, 5, 1),
    "1.26": datetime.date(2024, 6, 11),
    "1.27": datetime.date(2024, 7, 24),
    "1.28": datetime.date(2024, 11, 26),
    "1.29": datetime.date(2025, 3, 23),
    "1.30": datetime.date(2025, 7, 23),
    "1.31": datetime.date(2025, 11, 26),
    "1.32": datetime.date(2026, 3, 23),
}
FARGATE_FREE_STORAGE_GB = Decimal(20)
CPU_UNITS_PER_VCPU = Decimal(1024)
MB_PER_GB = Decimal(1024)

free(
    "aws_ecs_task_set",
    reason="its tasks are priced on the ECS service it belongs to",
)


def _extended_support(ctx: Context) -> bool:
    version = ctx.string("version")
    if not isinstance(version, str) or not version or isinstance(version, Unresolved):
        return False
    policy = ctx.blocks("upgrade_policy")
    support = ctx.string("support_type", "EXTENDED", within=policy[0]) if policy else "EXTENDED"
    ends = EKS_STANDARD_SUPPORT_ENDS.get(version)
    if ends is None:
        ctx.note(
            f"Kubernetes {version}: not in the engine's EKS calendar; standard support assumed"
        )
        return False
    if ends >= calendar.today():
        return False
    if str(support).upper() == "STANDARD":
        ctx.note(
            f"Kubernetes {version} left standard support on {ends}; the STANDARD upgrade "
            "policy upgrades the cluster instead of paying for extended support"
        )
        return False
    return True


@priced(
    "aws_eks_cluster",
    reads=("version", "upgrade_policy"),
    usage=(),
    notes=(
        "Versions past their end of standard support (EKS calendar) pay the extended-support "
        "fee unless upgrade_policy.support_type is STANDARD.",
    ),
)
def aws_eks_cluster(ctx: Context) -> None:
    ctx.add(
        ctx.component(
            "EKS cluster",
            "hours",
            Price("AmazonEKS", "Compute", {}, usage_type="AmazonEKS-Hours:perCluster"),
            hourly=ONE,
        )
    )
    if _extended_support(ctx):
        ctx.add(
            ctx.component(
                "EKS cluster extended support",
                "hours",
                Price("AmazonEKS", "Compute", {}, usage_type="AmazonEKS-Hours:extendedSupport"),
                hourly=ONE,
            )
        )


@priced(
    "aws_eks_fargate_profile",
    reads=(),
    usage=(),
    notes=(
        "Fargate pods are billed per vCPU and GB while they run; a profile is priced as one "
        "pod of 1 vCPU and 1 GB running all month (Infracost's assumption).",
    ),
)
def aws_eks_fargate_profile(ctx: Context) -> None:
    ctx.add(
        ctx.component(
            "Per GB per hour",
            "GB",
            Price("AmazonEKS", "Compute", {}, usage_type="Fargate-GB-Hours"),
            hourly=ONE,
        ),
        ctx.component(
            "Per vCPU per hour",
            "CPU",
            Price("AmazonEKS", "Compute", {}, usage_type="Fargate-vCPU-Hours:perCPU"),
            hourly=ONE,
        ),
    )


# --- ECS --------------------------------------------------------------------------------------


def _strategy_launch(strategies: Sequence[Mapping[str, Any]]) -> str | None:
    """FARGATE, FARGATE_SPOT or EC2 from capacity provider strategies that place tasks (a base
    or a weight above 0); ``None`` when none does."""
    active = [
        str(block.get("capacity_provider", "")).upper()
        for block in strategies
        if _positive(block.get("base")) or _positive(block.get("weight"))
    ]
    if "FARGATE" in active:
        return "FARGATE"
    if "FARGATE_SPOT" in active:
        return "FARGATE_SPOT"
    return "EC2" if active else None


def _positive(value: Any) -> bool:
    try:
        return Decimal(str(value)) > 0
    except (InvalidOperation, ValueError):
        return False


def _providers_launch(holder: Mapping[str, Any]) -> str | None:
    """A cluster's (or ``aws_ecs_cluster_capacity_providers``') default strategy, else its
    capacity providers list."""
    strategies = holder.get("default_capacity_provider_strategy")
    if isinstance(strategies, list) and strategies:
        return _strategy_launch([item for item in strategies if isinstance(item, Mapping)])
    providers = holder.get("capacity_providers")
    if isinstance(providers, list) and "FARGATE" in [str(item).upper() for item in providers]:
        return "FARGATE"
    return None


def _launch(ctx: Context) -> str | Unresolved:
    launch_type = ctx.string("launch_type")
    if isinstance(launch_type, Unresolved):
        return launch_type
    if launch_type:
        return launch_type.upper()
    strategies = ctx.blocks_or_unknown("capacity_provider_strategy")
    if isinstance(strategies, Unresolved):
        return strategies
    found = _strategy_launch(strategies)
    if found is not None:
        return found
    cluster = referenced(ctx, "cluster", "aws_ecs_cluster")
    if cluster is not None:
        holders = [
            cluster,
            *referencing(ctx, "aws_ecs_cluster_capacity_providers", "cluster_name", cluster),
        ]
        launches = [_providers_launch(holder.attributes) for holder in holders]
        if "FARGATE" in launches:
            return "FARGATE"
        for launch in launches:
            if launch is not None:
                return launch
    return "EC2"


_AMOUNT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(vcpu|gb)?\s*$", re.IGNORECASE)


def _task_size(
    ctx: Context, definition: Resource, key: str, per_unit: Decimal
) -> Decimal | Unresolved:
    """A task definition's ``cpu`` ("512" units or "0.5 vCPU") or ``memory`` ("2048" MB or
    "2 GB"), in vCPUs or GB."""
    label = f"{definition.address}.{key}"
    value = ctx.raw(key, within=definition.attributes)
    if isinstance(value, Unresolved):
        value = ctx.string(key, None, within=definition.attributes, label=label)
    if value is None or isinstance(value, Unresolved):
        reason = value.reason if isinstance(value, Unresolved) else f"task {key} is not set"
        ctx.unknown(label, reason)
        return Unresolved("", reason)
    match = _AMOUNT.match(str(value))
    if match is None:
        reason = f"task {key} is not a size: {str(value)[:40]!r}"
        ctx.unknown(label, reason)
        return Unresolved("", reason)
    amount = Decimal(match[1])
    return amount if match[2] else amount / per_unit


def _task_definition(ctx: Context) -> Resource | None:
    definition = referenced(ctx, "task_definition", "aws_ecs_task_definition")
    if definition is not None:
        return definition
    # A service run through task sets (external deployment controller) has no task
    # definition of its own: its tasks come from the task set's.
    for task_set in referencing(ctx, "aws_ecs_task_set", "service"):
        definition = referenced(ctx, "task_definition", "aws_ecs_task_definition", origin=task_set)
        if definition is not None:
            return definition
    return None


@priced(
    "aws_ecs_service",
    reads=(
        "launch_type",
        "capacity_provider_strategy",
        "cluster",
        "desired_count",
        "task_definition",
    ),
    usage=(),
    notes=(
        "Only Fargate services are priced here; EC2 capacity is priced where its instances are "
        "defined.",
        "Fargate Spot prices are not in the catalog.",
    ),
)
def aws_ecs_service(ctx: Context) -> None:
    launch = _launch(ctx)
    if launch in ("EC2", "EXTERNAL"):
        ctx.free("EC2/external capacity: the instances are priced where they are defined")
        return
    count = ctx.number("desired_count", 0)
    tasks: Decimal | Unresolved = count if count is not None else Decimal(0)
    definition = _task_definition(ctx)
    cpu: Decimal | Unresolved
    memory: Decimal | Unresolved
    arch, windows, storage = "x86_64", False, Decimal(0)
    if definition is None:
        missing = "task definition not found in the configuration"
        cpu = memory = Unresolved("", missing)
        ctx.unknown("task_definition", missing)
    else:
        attrs = definition.attributes
        cpu = _task_size(ctx, definition, "cpu", CPU_UNITS_PER_VCPU)
        memory = _task_size(ctx, definition, "memory", MB_PER_GB)
        platforms = ctx.blocks("runtime_platform", within=attrs)
        if platforms:
            architecture = str(platforms[0].get("cpu_architecture") or "").upper()
            arch = "ARM64" if architecture == "ARM64" else arch
            family = str(platforms[0].get("operating_system_family") or "").upper()
            windows = family.startswith("WINDOWS")
        volumes = ctx.blocks("ephemeral_storage", within=attrs)
        if volumes:
            size = ctx.number("size_in_gib", 20, within=volumes[0])
            if isinstance(size, Decimal) and size > FARGATE_FREE_STORAGE_GB:
                storage = size - FARGATE_FREE_STORAGE_GB
    reason: str | None = None
    if isinstance(launch, Unresolved):
        reason = f"launch type is unknown: {launch.reason}"
    elif launch == "FARGATE_SPOT":
        reason = f"no Fargate Spot price for {ctx.region} in the catalog"
    elif launch != "FARGATE":
        reason = f"launch type {launch!r} is not priced"
    os_name = "Windows" if windows else "Linux"
    code = "ARM-" if arch == "ARM64" else ""
    attributes = {"cpuArchitecture": arch, "operatingSystem": os_name}
    memory_price = reason or _fargate_price(attributes, f"Fargate-{code}GB-Hours", "GB-Hours")
    cpu_price = reason or _fargate_price(
        attributes, f"Fargate-{code}vCPU-Hours:perCPU", "vCPU-Hours"
    )
    ctx.add(
        ctx.component("Per GB per hour", "GB", memory_price, hourly=times(memory, tasks)),
        ctx.component("Per vCPU per hour", "CPU", cpu_price, hourly=times(cpu, tasks)),
    )
    if windows:
        licence = reason or Price(
            "AmazonECS", "Compute", {"group": "OS License Fee", "operatingSystem": "Windows"}
        )
        ctx.add(ctx.component("Windows OS license fee", "CPU", licence, hourly=times(cpu, tasks)))
    if storage > 0:
        ctx.add(
            ctx.component(
                "Ephemeral storage (above 20 GB)",
                "GB",
                reason
                or Price(
                    "AmazonECS", "Compute", {}, usage_type="Fargate-EphemeralStorage-GB-Hours"
                ),
                hourly=times(storage, tasks),
            )
        )


def _fargate_price(attributes: Mapping[str, str], usage_type: str, unit: str) -> Price:
    if attributes.get("operatingSystem") == "Windows":
        # The Windows rows carry no usage type: they are told apart by their unit.
        return Price("AmazonECS", "Compute", dict(attributes), units=(unit,))
    return Price("AmazonECS", "Compute", dict(attributes), usage_type=usage_type)
