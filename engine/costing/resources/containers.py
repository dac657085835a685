"""EKS clusters and ECS services on Fargate (EKS node groups are in :mod:`.ec2`)."""

from __future__ import annotations

from decimal import Decimal

from engine.costing.context import ONE, Context, Price
from engine.costing.registry import priced
from engine.model import Unresolved

FARGATE_FREE_STORAGE_GB = Decimal(20)


@priced("aws_eks_cluster")
def aws_eks_cluster(ctx: Context) -> None:
    ctx.add(
        ctx.component(
            "EKS cluster",
            "hours",
            Price("AmazonEKS", "Compute", {}, usage_type="AmazonEKS-Hours:perCluster"),
            hourly=ONE,
        )
    )
    ctx.note("standard support; extended-support versions cost more and are not detected")


def _launch(ctx: Context) -> str | Unresolved:
    launch_type = ctx.string("launch_type")
    if isinstance(launch_type, Unresolved):
        return launch_type
    if launch_type:
        return launch_type.upper()
    strategies = ctx.blocks("capacity_provider_strategy")
    if isinstance(strategies, Unresolved):
        return strategies
    providers = [str(block.get("capacity_provider", "")).upper() for block in strategies]
    if "FARGATE_SPOT" in providers and "FARGATE" not in providers:
        return "FARGATE_SPOT"
    if "FARGATE" in providers:
        return "FARGATE"
    return "EC2"


@priced("aws_ecs_service")
def aws_ecs_service(ctx: Context) -> None:
    launch = _launch(ctx)
    if launch in ("EC2", "EXTERNAL"):
        ctx.free("EC2/external capacity: the instances are priced where they are defined")
        return
    count = ctx.number("desired_count", 0)
    tasks: Decimal | Unresolved = count if count is not None else Decimal(0)
    definition = ctx.referenced("task_definition", "aws_ecs_task_definition")
    cpu: Decimal | Unresolved
    memory: Decimal | Unresolved
    arch, windows, storage = "x86_64", False, Decimal(0)
    if definition is None:
        missing = "task definition not found in the configuration"
        cpu = memory = Unresolved("", missing)
        ctx.unknown("task_definition", missing)
    else:
        attrs = definition.attributes
        label = definition.address
        cpu_units = ctx.number("cpu", None, within=attrs, label=f"{label}.cpu")
        memory_mb = ctx.number("memory", None, within=attrs, label=f"{label}.memory")
        cpu = (
            cpu_units / 1024
            if isinstance(cpu_units, Decimal)
            else (cpu_units or Unresolved("", "task cpu is not set"))
        )
        memory = (
            memory_mb / 1024
            if isinstance(memory_mb, Decimal)
            else (memory_mb or Unresolved("", "task memory is not set"))
        )
        platforms = ctx.blocks("runtime_platform", within=attrs)
        if platforms:
            arch = "ARM64" if str(platforms[0].get("cpu_architecture")).upper() == "ARM64" else arch
            windows = (
                str(platforms[0].get("operating_system_family") or "").upper().startswith("WINDOWS")
            )
        volumes = ctx.blocks("ephemeral_storage", within=attrs)
        if volumes:
            size = ctx.number("size_in_gib", 20, within=volumes[0])
            if isinstance(size, Decimal) and size > FARGATE_FREE_STORAGE_GB:
                storage = size - FARGATE_FREE_STORAGE_GB
    code = "ARM-" if arch == "ARM64" else ""
    reason: str | None = None
    if isinstance(launch, Unresolved):
        reason = f"launch type is unknown: {launch.reason}"
    elif launch == "FARGATE_SPOT":
        reason = "Fargate Spot prices are not in the catalog"
    elif launch != "FARGATE":
        reason = f"launch type {launch!r} is not priced"
    elif windows:
        reason = "Windows Fargate prices are not priced by the engine"
    attributes = {"cpuArchitecture": arch, "operatingSystem": "Linux"}
    memory_price = reason or Price(
        "AmazonECS", "Compute", attributes, usage_type=f"Fargate-{code}GB-Hours"
    )
    cpu_price = reason or Price(
        "AmazonECS", "Compute", attributes, usage_type=f"Fargate-{code}vCPU-Hours:perCPU"
    )
    ctx.add(
        ctx.component("Per GB per hour", "GB", memory_price, hourly=_times(memory, tasks)),
        ctx.component("Per vCPU per hour", "CPU", cpu_price, hourly=_times(cpu, tasks)),
    )
    if storage > 0:
        ctx.add(
            ctx.component(
                "Ephemeral storage (above 20 GB)",
                "GB",
                reason
                or Price(
                    "AmazonECS", "Compute", {}, usage_type="Fargate-EphemeralStorage-GB-Hours"
                ),
                hourly=_times(storage, tasks),
            )
        )


def _times(value: Decimal | Unresolved, count: Decimal | Unresolved) -> Decimal | Unresolved:
    if isinstance(value, Unresolved):
        return value
    if isinstance(count, Unresolved):
        return count
    return value * count
