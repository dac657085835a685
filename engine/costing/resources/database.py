"""RDS: DB instances (with read replicas), Aurora clusters and cluster instances.

What a replica does not set it inherits from ``replicate_source_db``'s instance (engine,
version, licence, storage), as RDS does. Storage follows RDS's rules: io1/io2 volumes are at
least 100 GB and 1,000 IOPS (the minimums are what AWS bills); gp3 includes 3,000 IOPS and
125 MB/s below 400 GB (200 GB for Oracle), 12,000 and 500 above. Engine versions past their
end of standard support pay RDS extended support per vCPU-hour (:mod:`.rds_support`).
Reserved terms are asked for with Infracost's usage keys; the catalog has no RDS reserved
prices, so they are ``priceNotFound`` saying so.
"""

from __future__ import annotations

from decimal import Decimal

from engine.costing.context import MILLION, ONE, Context, Price
from engine.costing.registry import UsageKey, priced
from engine.costing.resources.data_common import (
    Reserved,
    no_reserved_price,
    reserved_term,
    reserved_usage,
)
from engine.costing.resources.rds_support import (
    CPU_CREDIT_USAGE,
    PERFORMANCE_INSIGHTS_USAGE,
    aurora_engine,
    cpu_credits,
    database_engine,
    extended_support,
    io_requests,
    performance_insights,
)
from engine.model import Resource, Unresolved

ENGINE_EDITIONS = {
    "oracle-se": "Standard",
    "oracle-se1": "Standard One",
    "oracle-se2": "Standard Two",
    "oracle-se2-cdb": "Standard Two",
    "oracle-ee": "Enterprise",
    "oracle-ee-cdb": "Enterprise",
    "sqlserver-ex": "Express",
    "sqlserver-web": "Web",
    "sqlserver-se": "Standard",
    "sqlserver-ee": "Enterprise",
}
# Oracle editions RDS no longer offers (SE and SE One): no price exists for them.
RETIRED_EDITIONS = frozenset({"oracle-se", "oracle-se1"})
LICENCES = {
    "bring-your-own-license": "Bring your own license",
    "license-included": "License included",
}
VOLUME_TYPES = {
    "gp2": ("General Purpose", "Storage (general purpose SSD, gp2)"),
    "gp3": ("General Purpose-GP3", "Storage (general purpose SSD, gp3)"),
    "io1": ("Provisioned IOPS", "Storage (provisioned IOPS SSD, io1)"),
    "io2": ("Provisioned IOPS-IO2", "Storage (provisioned IOPS SSD, io2)"),
    "standard": ("Magnetic", "Storage (magnetic)"),
}
# deploymentOption -> usage type stem, as in the Price List ("RDS:Multi-AZ-GP3-PIOPS").
_USAGE_STEMS = {
    "Single-AZ": "RDS:",
    "Multi-AZ": "RDS:Multi-AZ-",
    "Multi-AZ (SQL Server Mirror)": "RDS:Mirror-",
}
# RDS's smallest provisioned-IOPS volume: 100 GB and 1,000 IOPS (what AWS bills below them).
PIOPS_MIN_GB = Decimal(100)
PIOPS_MIN_IOPS = Decimal(1000)
# What Infracost assumes for an instance that sets no allocated_storage (gp2's minimum size).
DEFAULT_STORAGE_GB = Decimal(20)

INSTANCE_USAGE = (
    UsageKey(
        "additional_backup_storage_gb",
        "float",
        "Backup storage in excess of 100% of the storage size for all databases.",
        unit="GB",
    ),
    UsageKey(
        "monthly_standard_io_requests",
        "int",
        "Monthly I/O requests to magnetic (standard) storage.",
        unit="requests",
    ),
    *PERFORMANCE_INSIGHTS_USAGE,
    *reserved_usage(),
    *CPU_CREDIT_USAGE,
)


def _licence(engine: str, model: str | None) -> str:
    if model and model.lower() in LICENCES:
        return LICENCES[model.lower()]
    if engine in ("oracle-se", "oracle-ee", "oracle-ee-cdb"):
        return "Bring your own license"  # RDS sells these editions only with your licence
    if engine.startswith(("oracle-", "sqlserver-")):
        return "License included"
    return "No license required"


class _Inherited:
    """Attributes of a DB instance, falling back to its replication source's."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.source: Resource | None = ctx.referenced("replicate_source_db", "aws_db_instance")
        self.is_replica = ctx.raw("replicate_source_db") not in (None, "")

    def string(self, name: str) -> str | Unresolved | None:
        value = self.ctx.string(name)
        if value is None and self.source is not None:
            value = self.ctx.string(name, within=self.source.attributes, label=f"source {name}")
        return value

    def number(self, name: str) -> Decimal | Unresolved | None:
        value = self.ctx.number(name)
        if value is None and self.source is not None:
            value = self.ctx.number(name, within=self.source.attributes, label=f"source {name}")
        return value


@priced(
    "aws_db_instance",
    usage=INSTANCE_USAGE,
    reads=(
        "engine",
        "engine_version",
        "instance_class",
        "multi_az",
        "license_model",
        "allocated_storage",
        "storage_type",
        "iops",
        "storage_throughput",
        "backup_retention_period",
        "replicate_source_db",
        "performance_insights_enabled",
        "performance_insights_retention_period",
    ),
    notes=(
        "A read replica inherits what it does not set (engine, version, licence, storage) "
        "from the replicate_source_db instance.",
        "io1/io2 storage is billed at least 100 GB and 1,000 IOPS, RDS's minimums.",
        "An instance without allocated_storage is priced at 20 GB, as Infracost assumes.",
        "Extended support is priced from the engine version and today's date.",
        "The catalog holds no RDS reserved, CPU credit or Performance Insights prices.",
    ),
)
def aws_db_instance(ctx: Context) -> None:
    attrs = _Inherited(ctx)
    engine_value = attrs.string("engine")
    engine = engine_value.lower() if isinstance(engine_value, str) else ""
    database = database_engine(engine)
    instance_class = attrs.string("instance_class")
    multi_az = ctx.boolean("multi_az", False)
    deployment = "Multi-AZ" if multi_az is True else "Single-AZ"
    reserved = reserved_term(ctx)
    price: Price | str
    if isinstance(engine_value, Unresolved):
        price = f"engine is unknown: {engine_value.reason}"
    elif engine_value is None and attrs.is_replica:
        price = "engine is not set: a replica inherits it from its source, which is not here"
    elif engine_value is None:
        price = "engine is not set"
    elif database is None:
        price = f"engine {engine!r} is not priced"
    elif engine in RETIRED_EDITIONS:
        price = f"{engine}: RDS no longer offers this Oracle edition; the catalog has no price"
    elif isinstance(instance_class, Unresolved):
        price = f"instance_class is unknown: {instance_class.reason}"
    elif instance_class is None:
        price = "instance_class is not set"
    elif isinstance(multi_az, Unresolved):
        price = f"multi_az is unknown: {multi_az.reason}"
    elif isinstance(reserved, str):
        price = reserved
    elif isinstance(reserved, Reserved):
        price = no_reserved_price("RDS", f"{instance_class} ({database})", ctx.region, reserved)
    else:
        price = _instance_price(engine, database, instance_class, deployment, attrs)
    shown = instance_class if isinstance(instance_class, str) else "?"
    label = "on-demand" if reserved is None else "reserved"
    ctx.add(
        ctx.component(
            f"Database instance ({label}, {deployment}, {shown})", "hours", price, hourly=ONE
        )
    )
    _instance_storage(ctx, attrs, deployment, engine)
    _backup(ctx, database, ctx.number("backup_retention_period", 0))
    performance_insights(ctx, shown)
    cpu_credits(ctx, shown, database)
    version = attrs.string("engine_version")
    if isinstance(version, str) and isinstance(instance_class, str):
        extended_support(ctx, engine, version, instance_class)


def _instance_price(
    engine: str, database: str, instance_class: str, deployment: str, attrs: _Inherited
) -> Price:
    attributes = {
        "instanceType": instance_class,
        "databaseEngine": database,
        "deploymentOption": deployment,
        "licenseModel": _licence(engine, _text(attrs.string("license_model"))),
    }
    if engine in ENGINE_EDITIONS:
        attributes["databaseEdition"] = ENGINE_EDITIONS[engine]
    usage_type = f"InstanceUsage:{instance_class}" if database.startswith("Aurora") else None
    return Price("AmazonRDS", "Database Instance", attributes, usage_type=usage_type)


def _text(value: str | Unresolved | None) -> str | None:
    return value if isinstance(value, str) and not isinstance(value, Unresolved) else None


def _instance_storage(ctx: Context, attrs: _Inherited, deployment: str, engine: str) -> None:
    iops = attrs.number("iops")
    storage_type = attrs.string("storage_type") or ("io1" if isinstance(iops, Decimal) else "gp2")
    storage = attrs.number("allocated_storage")
    if storage is None:
        ctx.note("allocated_storage is not set; 20 GB is assumed, as Infracost does")
        storage = DEFAULT_STORAGE_GB
    if isinstance(storage_type, str) and storage_type.lower() in ("io1", "io2"):
        if isinstance(storage, Decimal) and storage < PIOPS_MIN_GB:
            ctx.note(f"{storage_type} storage is at least {PIOPS_MIN_GB} GB on RDS")
            storage = PIOPS_MIN_GB
        if iops is None or (isinstance(iops, Decimal) and iops < PIOPS_MIN_IOPS):
            ctx.note(f"{storage_type} storage has at least {PIOPS_MIN_IOPS:,} IOPS on RDS")
            iops = PIOPS_MIN_IOPS
    if deployment == "Multi-AZ" and engine.startswith("sqlserver-"):
        deployment = "Multi-AZ (SQL Server Mirror)"
    _storage(ctx, storage_type, storage, iops, deployment, engine)


def _storage(
    ctx: Context,
    storage_type: str | Unresolved,
    storage: Decimal | Unresolved,
    iops: Decimal | Unresolved | None,
    deployment: str,
    engine: str,
) -> None:
    if isinstance(storage_type, Unresolved):
        ctx.add(
            ctx.component(
                "Storage", "GB", f"storage_type is unknown: {storage_type.reason}", monthly=storage
            )
        )
        return
    volume = VOLUME_TYPES.get(storage_type.lower())
    if volume is None:
        ctx.add(
            ctx.component(
                f"Storage ({storage_type})",
                "GB",
                f"storage type {storage_type!r} is not priced",
                monthly=storage,
            )
        )
        return
    volume_type, name = volume
    ctx.add(
        ctx.component(
            name,
            "GB",
            Price(
                "AmazonRDS",
                "Database Storage",
                {
                    "databaseEngine": "Any",
                    "deploymentOption": deployment,
                    "volumeType": volume_type,
                },
            ),
            monthly=storage,
        )
    )
    stem = _USAGE_STEMS.get(deployment, "RDS:")
    kind = storage_type.lower()
    if kind in ("io1", "io2"):
        quantity = iops if iops is not None else Unresolved("", "iops is not set")
        suffix = "IO2-PIOPS" if kind == "io2" else "PIOPS"
        ctx.add(
            ctx.component(
                "Provisioned IOPS", "IOPS", _iops_price(deployment, stem + suffix), monthly=quantity
            )
        )
    elif kind == "gp3":
        _gp3_extras(ctx, storage, iops, deployment, engine, stem)
    elif kind == "standard":
        requests = ctx.usage_number("monthly_standard_io_requests")
        ctx.add(io_requests(ctx, "RDS I/O Operation", "RDS:StorageIOUsage", requests))


def _iops_price(deployment: str, usage_type: str) -> Price:
    return Price(
        "AmazonRDS",
        "Provisioned IOPS",
        {"databaseEngine": "Any", "deploymentOption": deployment},
        usage_type=usage_type,
    )


def _gp3_extras(
    ctx: Context,
    storage: Decimal | Unresolved,
    iops: Decimal | Unresolved | None,
    deployment: str,
    engine: str,
    stem: str,
) -> None:
    large = isinstance(storage, Decimal) and (
        storage >= (200 if engine.startswith("oracle-") else 400)
    )
    if engine.startswith("sqlserver-"):
        large = False
    baseline = Decimal(12000) if large else Decimal(3000)
    if isinstance(iops, Decimal) and iops > baseline:
        ctx.add(
            ctx.component(
                f"Provisioned GP3 IOPS (above {baseline:,})",
                "IOPS",
                _iops_price(deployment, stem + "GP3-PIOPS"),
                monthly=iops - baseline,
            )
        )
    throughput = ctx.number("storage_throughput")
    throughput_baseline = Decimal(500) if large else Decimal(125)
    if isinstance(throughput, Decimal) and throughput > throughput_baseline:
        ctx.add(
            ctx.component(
                f"Provisioned GP3 throughput (above {throughput_baseline} MBps)",
                "MBps",
                Price(
                    "AmazonRDS",
                    "Provisioned Throughput",
                    {"databaseEngine": "Any", "deploymentOption": deployment},
                    usage_type=stem + "GP3-Throughput",
                ),
                monthly=throughput - throughput_baseline,
            )
        )


def _backup(ctx: Context, database: str | None, retention: Decimal | Unresolved | None) -> None:
    extra = ctx.usage_number("additional_backup_storage_gb")
    if extra is None and not (isinstance(retention, Decimal) and retention > 0):
        return
    aurora = bool(database and database.startswith("Aurora"))
    ctx.add(
        ctx.component(
            "Additional backup storage",
            "GB",
            Price(
                "AmazonRDS",
                "Storage Snapshot",
                {"databaseEngine": database if aurora and database else "Any"},
                usage_type="Aurora:BackupUsage" if aurora else "RDS:ChargedBackupUsage",
            ),
            monthly=extra,
            usage_based=True,
        )
    )


# --- Aurora -----------------------------------------------------------------------------------


def _cluster_of(ctx: Context) -> Resource | None:
    return ctx.referenced("cluster_identifier", "aws_rds_cluster")


def _aurora_io_optimized(ctx: Context, cluster: Resource | None) -> bool | Unresolved:
    if cluster is None:
        return False
    value = ctx.string("storage_type", "", within=cluster.attributes, label="cluster storage_type")
    if isinstance(value, Unresolved):
        return value
    return value == "aurora-iopt1"


@priced(
    "aws_rds_cluster_instance",
    usage=(
        UsageKey(
            "capacity_units_per_hr",
            "float",
            "Aurora capacity units per hour (Serverless v2, instance class db.serverless).",
            unit="ACU",
        ),
        UsageKey(
            "vcpu_count",
            "int",
            "vCPUs of the instance class (deprecated: derived from the class).",
            unit="vCPU",
        ),
        *PERFORMANCE_INSIGHTS_USAGE,
        *reserved_usage(),
        *CPU_CREDIT_USAGE,
    ),
    reads=("cluster_identifier", "engine", "engine_version", "instance_class"),
    notes=(
        "Engine and version default to the cluster's; I/O-Optimized follows the cluster's "
        "storage_type.",
        "The catalog holds no Aurora reserved or CPU credit prices.",
    ),
)
def aws_rds_cluster_instance(ctx: Context) -> None:
    cluster = _cluster_of(ctx)
    engine_value = ctx.string("engine")
    if engine_value is None and cluster is not None:
        engine_value = ctx.string("engine", None, within=cluster.attributes, label="cluster engine")
    if engine_value is None:
        engine_value = "aurora-mysql"  # Terraform's default engine ("aurora") is MySQL
    database = database_engine(engine_value.lower()) if isinstance(engine_value, str) else None
    instance_class = ctx.string("instance_class")
    io_optimized = _aurora_io_optimized(ctx, cluster)
    shown = instance_class if isinstance(instance_class, str) else "?"
    if instance_class == "db.serverless":
        acus = ctx.usage_number("capacity_units_per_hr")
        ctx.add(
            ctx.component(
                "Aurora Serverless v2",
                "ACU-hours",
                _serverless_v2_price(database, io_optimized, engine_value),
                hourly=acus,
                usage_based=True,
            )
        )
        return
    reserved = reserved_term(ctx)
    price: Price | str
    if isinstance(engine_value, Unresolved):
        price = f"engine is unknown: {engine_value.reason}"
    elif database is None or not database.startswith("Aurora"):
        price = f"engine {engine_value!r} is not an Aurora engine"
    elif isinstance(instance_class, Unresolved):
        price = f"instance_class is unknown: {instance_class.reason}"
    elif instance_class is None:
        price = "instance_class is not set"
    elif isinstance(io_optimized, Unresolved):
        price = f"the cluster's storage_type is unknown: {io_optimized.reason}"
    elif isinstance(reserved, str):
        price = reserved
    elif isinstance(reserved, Reserved):
        price = no_reserved_price("RDS", f"{instance_class} ({database})", ctx.region, reserved)
    else:
        mode = "IOOptimized" if io_optimized else ""
        price = Price(
            "AmazonRDS",
            "Database Instance",
            {"instanceType": instance_class, "databaseEngine": database},
            usage_type=f"InstanceUsage{mode}:{instance_class}",
        )
    label = "on-demand" if reserved is None else "reserved"
    if io_optimized is True:
        label += ", I/O-Optimized"
    ctx.add(ctx.component(f"Database instance ({label}, {shown})", "hours", price, hourly=ONE))
    performance_insights(ctx, shown)
    cpu_credits(ctx, shown, database)
    version = ctx.string("engine_version")
    if version is None and cluster is not None:
        version = ctx.string("engine_version", within=cluster.attributes, label="cluster version")
    if isinstance(version, str) and isinstance(engine_value, str) and isinstance(shown, str):
        extended_support(ctx, engine_value.lower(), version, shown)


def _serverless_v2_price(
    database: str | None, io_optimized: bool | Unresolved, engine: object
) -> Price | str:
    if database is None or not database.startswith("Aurora"):
        return f"engine {engine!r} is not an Aurora engine"
    if isinstance(io_optimized, Unresolved):
        return f"the cluster's storage_type is unknown: {io_optimized.reason}"
    usage = "Aurora:ServerlessV2IOOptimizedUsage" if io_optimized else "Aurora:ServerlessV2Usage"
    return Price("AmazonRDS", "ServerlessV2", {"databaseEngine": database}, usage_type=usage)


CLUSTER_USAGE = (
    UsageKey(
        "capacity_units_per_hr",
        "float",
        "Aurora capacity units per hour (Serverless v1, engine_mode serverless).",
        unit="ACU",
    ),
    UsageKey("storage_gb", "float", "Storage of the cluster.", unit="GB"),
    UsageKey("write_requests_per_sec", "int", "Average writes per second.", unit="requests/s"),
    UsageKey("read_requests_per_sec", "int", "Average reads per second.", unit="requests/s"),
    UsageKey(
        "monthly_io_requests",
        "int",
        "Monthly I/O requests (instead of the per-second reads and writes).",
        unit="requests",
    ),
    UsageKey(
        "backup_snapshot_size_gb",
        "float",
        "Size of one backup snapshot; kept backup_retention_period times, one is free.",
        unit="GB",
    ),
    UsageKey(
        "average_statements_per_hr",
        "int",
        "Statements per hour when backtrack is enabled (Aurora MySQL).",
        unit="statements",
    ),
    UsageKey("change_records_per_statement", "float", "Change records per statement."),
    UsageKey("backtrack_window_hrs", "int", "Backtrack window.", unit="hours"),
    UsageKey(
        "snapshot_export_size_gb", "float", "Snapshot data exported to S3 monthly.", unit="GB"
    ),
)


@priced(
    "aws_rds_cluster",
    usage=CLUSTER_USAGE,
    reads=("engine", "engine_mode", "storage_type", "backup_retention_period"),
    notes=(
        "I/O requests are (reads + writes per second) x 730 x 3,600, unless "
        "monthly_io_requests is given; I/O-Optimized clusters pay none.",
        "Backup storage is the snapshot size x (backup_retention_period - 1): one is free.",
        "Only Aurora clusters are priced here; Multi-AZ DB clusters are not yet.",
    ),
)
def aws_rds_cluster(ctx: Context) -> None:
    engine_value = ctx.string("engine", "aurora-mysql")
    database = aurora_engine(engine_value)
    if database is None:
        ctx.add(
            ctx.component(
                "Storage",
                "GB",
                f"engine {engine_value!r}: only Aurora clusters are priced",
                monthly=ctx.usage_number("storage_gb"),
                usage_based=True,
            )
        )
        return
    io_optimized = ctx.string("storage_type", "") == "aurora-iopt1"
    serverless = str(ctx.string("engine_mode", "provisioned")) == "serverless"
    if serverless:
        ctx.add(
            ctx.component(
                "Aurora serverless",
                "ACU-hours",
                Price(
                    "AmazonRDS",
                    "Serverless",
                    {"databaseEngine": database},
                    usage_type="Aurora:ServerlessUsage",
                ),
                hourly=ctx.usage_number("capacity_units_per_hr"),
                usage_based=True,
            )
        )
    volume = "IO Optimized-Aurora" if io_optimized else "General Purpose-Aurora"
    ctx.add(
        ctx.component(
            "Storage (I/O-optimized)" if io_optimized else "Storage",
            "GB",
            Price(
                "AmazonRDS",
                "Database Storage",
                {"databaseEngine": "Any", "deploymentOption": "Single-AZ", "volumeType": volume},
            ),
            monthly=ctx.usage_number("storage_gb"),
            usage_based=True,
        )
    )
    if not io_optimized:
        ctx.add(io_requests(ctx, "Aurora I/O Operation", "Aurora:StorageIOUsage", _cluster_io(ctx)))
    _cluster_backup(ctx, database)
    if not serverless and database == "Aurora MySQL":
        ctx.add(
            ctx.component(
                "Backtrack",
                "1M change-records",
                Price(
                    "AmazonRDS",
                    "System Operation",
                    {"group": "Aurora Backtrack"},
                    usage_type="Aurora:BacktrackUsage",
                ),
                monthly=_backtrack(ctx),
                per=MILLION,
                usage_based=True,
            )
        )
    ctx.add(
        ctx.component(
            "Snapshot export",
            "GB",
            Price(
                "AmazonRDS",
                "System Operation",
                {"databaseEngine": database, "group": "RDS Snapshot Export"},
                usage_type="Aurora:SnapshotExportToS3",
            ),
            monthly=ctx.usage_number("snapshot_export_size_gb"),
            usage_based=True,
        )
    )


def _cluster_io(ctx: Context) -> Decimal | None:
    writes = ctx.usage_number("write_requests_per_sec")
    reads = ctx.usage_number("read_requests_per_sec")
    if writes is not None and reads is not None:
        return (writes + reads) * 730 * 3600
    return ctx.usage_number("monthly_io_requests")


def _cluster_backup(ctx: Context, database: str) -> None:
    retention = ctx.number("backup_retention_period", 1)
    if not (isinstance(retention, Decimal) and retention > 1):
        return
    size = ctx.usage_number("backup_snapshot_size_gb")
    ctx.add(
        ctx.component(
            "Backup storage",
            "GB",
            Price(
                "AmazonRDS",
                "Storage Snapshot",
                {"databaseEngine": database},
                usage_type="Aurora:BackupUsage",
            ),
            monthly=None if size is None else size * (retention - 1),
            usage_based=True,
        )
    )


def _backtrack(ctx: Context) -> Decimal | None:
    statements = ctx.usage_number("average_statements_per_hr")
    records = ctx.usage_number("change_records_per_statement")
    window = ctx.usage_number("backtrack_window_hrs")
    if statements is None or records is None or window is None:
        return None
    return statements * 730 * records * window
