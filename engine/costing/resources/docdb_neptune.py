"""Amazon DocumentDB and Amazon Neptune: clusters, cluster instances and cluster snapshots.

Both price instances per hour and storage, I/O and backups from usage, with Infracost's usage
keys (DocumentDB puts storage and I/O on the *instance*, Neptune on the cluster). A cluster
whose ``storage_type`` is ``iopt1`` (I/O-Optimized) pays the higher I/O-Optimized instance
and storage prices and no I/O requests. The catalog has no CPU credit price for either
service: t3/t4g burst credits are ``priceNotFound`` saying so.
"""

from __future__ import annotations

from decimal import Decimal

from engine.costing.context import MILLION, ONE, Context, Price
from engine.costing.registry import UsageKey, priced
from engine.costing.resources.rds_support import BURSTABLE_CLASSES
from engine.model import Resource, Unresolved


def _storage_type(ctx: Context, cluster: Resource | None) -> str | Unresolved:
    """``Standard`` or ``IO-Optimized`` from the cluster's storage_type (``iopt1``)."""
    if cluster is None:
        value = ctx.string("storage_type", "")
    else:
        value = ctx.string("storage_type", "", within=cluster.attributes, label="cluster storage")
    if isinstance(value, Unresolved):
        return value
    return "IO-Optimized" if value == "iopt1" else "Standard"


def _instance(ctx: Context, service: str, storage_type: str | Unresolved) -> None:
    instance_class = ctx.string("instance_class")
    price: Price | str
    if isinstance(instance_class, Unresolved):
        price = f"instance_class is unknown: {instance_class.reason}"
    elif instance_class is None:
        price = "instance_class is not set"
    elif isinstance(storage_type, Unresolved):
        price = f"the cluster's storage_type is unknown: {storage_type.reason}"
    else:
        price = Price(
            service,
            "Database Instance",
            {"instanceType": instance_class, "storageType": storage_type},
        )
    shown = instance_class if isinstance(instance_class, str) else "?"
    label = "on-demand, I/O-Optimized" if storage_type == "IO-Optimized" else "on-demand"
    ctx.add(ctx.component(f"Database instance ({label}, {shown})", "hours", price, hourly=ONE))
    if isinstance(instance_class, str) and instance_class.startswith(BURSTABLE_CLASSES):
        name = "DocumentDB" if service == "AmazonDocDB" else "Neptune"
        ctx.add(
            ctx.component(
                "CPU credits",
                "vCPU-hours",
                f"no {name} CPU credit price in the catalog",
                monthly=ctx.usage_number("monthly_cpu_credit_hrs"),
                usage_based=True,
            )
        )


def _storage(ctx: Context, service: str, storage_type: str | Unresolved, key: str) -> None:
    price: Price | str = (
        f"the cluster's storage_type is unknown: {storage_type.reason}"
        if isinstance(storage_type, Unresolved)
        else Price(service, "Database Storage", {"storageType": storage_type})
    )
    ctx.add(ctx.component("Storage", "GB", price, monthly=ctx.usage_number(key), usage_based=True))


def _io(
    ctx: Context, service: str, storage_type: str | Unresolved, attributes: dict[str, str]
) -> None:
    if storage_type == "IO-Optimized":
        return  # I/O-Optimized clusters pay no I/O requests
    ctx.add(
        ctx.component(
            "I/O requests",
            "1M requests",
            Price(service, "System Operation", attributes, usage_type="StorageIOUsage"),
            monthly=ctx.usage_number("monthly_io_requests"),
            per=MILLION,
            usage_based=True,
        )
    )


def _backup(ctx: Context, service: str) -> None:
    ctx.add(
        ctx.component(
            "Backup storage",
            "GB",
            Price(service, "Storage Snapshot", {}, usage_type="BackupUsage"),
            monthly=ctx.usage_number("backup_storage_gb"),
            usage_based=True,
        )
    )


BACKUP_USAGE = UsageKey(
    "backup_storage_gb",
    "float",
    "Backup storage in excess of 100% of the cluster's storage (which is free).",
    unit="GB",
)
CPU_CREDITS_USAGE = UsageKey(
    "monthly_cpu_credit_hrs",
    "int",
    "Monthly vCPU-hours of burst above a t3/t4g instance's baseline.",
    unit="vCPU-hours",
)


# --- DocumentDB -------------------------------------------------------------------------------


@priced(
    "aws_docdb_cluster",
    usage=(BACKUP_USAGE,),
    reads=("backup_retention_period",),
    notes=("Backups are charged only beyond one day of retention (backup_retention_period > 1).",),
)
def aws_docdb_cluster(ctx: Context) -> None:
    retention = ctx.number("backup_retention_period", 1)
    if isinstance(retention, Decimal) and retention > 1:
        _backup(ctx, "AmazonDocDB")
        return
    if ctx.usage_number("backup_storage_gb") is not None:
        ctx.note("backup_storage_gb is not priced: one day of backups (the retention) is free")
    ctx.add(
        ctx.component(
            "Backup storage",
            "GB",
            Price("AmazonDocDB", "Storage Snapshot", {}, usage_type="BackupUsage"),
            monthly=None,
            usage_based=True,
        )
    )


@priced(
    "aws_docdb_cluster_instance",
    usage=(
        UsageKey("data_storage_gb", "float", "Storage of the cluster.", unit="GB"),
        UsageKey(
            "monthly_io_requests", "int", "Monthly I/O requests of the cluster.", unit="requests"
        ),
        CPU_CREDITS_USAGE,
    ),
    reads=("instance_class", "cluster_identifier"),
    notes=(
        "Storage and I/O are priced on the instance, from its usage, as Infracost does.",
        "The catalog has no DocumentDB CPU credit price.",
    ),
)
def aws_docdb_cluster_instance(ctx: Context) -> None:
    cluster = ctx.referenced("cluster_identifier", "aws_docdb_cluster")
    storage_type = _storage_type(ctx, cluster)
    _instance(ctx, "AmazonDocDB", storage_type)
    _storage(ctx, "AmazonDocDB", storage_type, "data_storage_gb")
    _io(ctx, "AmazonDocDB", storage_type, {"group": "Storage IO"})


@priced(
    "aws_docdb_cluster_snapshot",
    usage=(BACKUP_USAGE,),
    notes=("A manual snapshot's storage is priced from the usage file.",),
)
def aws_docdb_cluster_snapshot(ctx: Context) -> None:
    _backup(ctx, "AmazonDocDB")


# --- Neptune ----------------------------------------------------------------------------------


@priced(
    "aws_neptune_cluster",
    usage=(
        UsageKey("storage_gb", "float", "Storage of the cluster.", unit="GB"),
        UsageKey("monthly_io_requests", "int", "Monthly I/O requests.", unit="requests"),
        UsageKey("backup_storage_gb", "float", "Backup storage.", unit="GB"),
    ),
    reads=("storage_type", "backup_retention_period"),
    notes=("Backups are charged only beyond one day of retention (backup_retention_period > 1).",),
)
def aws_neptune_cluster(ctx: Context) -> None:
    storage_type = _storage_type(ctx, None)
    _storage(ctx, "AmazonNeptune", storage_type, "storage_gb")
    _io(ctx, "AmazonNeptune", storage_type, {})
    retention = ctx.number("backup_retention_period", 1)
    if isinstance(retention, Decimal) and retention > 1:
        _backup(ctx, "AmazonNeptune")


@priced(
    "aws_neptune_cluster_instance",
    usage=(CPU_CREDITS_USAGE,),
    reads=("instance_class", "cluster_identifier"),
    notes=(
        "Serverless instances (db.serverless) are billed per NCU-hour; no usage key gives "
        "their capacity, so they are not priced.",
        "The catalog has no Neptune CPU credit price.",
    ),
)
def aws_neptune_cluster_instance(ctx: Context) -> None:
    cluster = ctx.referenced("cluster_identifier", "aws_neptune_cluster")
    if ctx.string("instance_class") == "db.serverless":
        ctx.add(
            ctx.component(
                "Serverless capacity",
                "NCU-hours",
                "Neptune serverless capacity depends on load; no usage key gives it",
                hourly=None,
                usage_based=True,
            )
        )
        return
    _instance(ctx, "AmazonNeptune", _storage_type(ctx, cluster))


@priced(
    "aws_neptune_cluster_snapshot",
    usage=(UsageKey("backup_storage_gb", "float", "Storage of the snapshot.", unit="GB"),),
    reads=("db_cluster_identifier",),
    notes=(
        "Free when the cluster keeps at most one day of backups (backup_retention_period < 2), "
        "as Infracost assumes.",
    ),
)
def aws_neptune_cluster_snapshot(ctx: Context) -> None:
    cluster = ctx.referenced("db_cluster_identifier", "aws_neptune_cluster")
    if cluster is not None:
        retention = ctx.number(
            "backup_retention_period", within=cluster.attributes, label="cluster retention"
        )
        if isinstance(retention, Decimal) and retention < 2:
            ctx.free("the cluster keeps at most one day of backups, which is free")
            return
    _backup(ctx, "AmazonNeptune")
