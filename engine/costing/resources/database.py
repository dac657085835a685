"""RDS (instances, Aurora clusters and cluster instances), ElastiCache and DynamoDB."""

from __future__ import annotations

from decimal import Decimal

from engine.costing.components import CostComponent
from engine.costing.context import ONE, Context, Price
from engine.costing.registry import priced
from engine.model import Resource, Unresolved

ENGINES = {
    "postgres": "PostgreSQL",
    "mysql": "MySQL",
    "mariadb": "MariaDB",
    "aurora": "Aurora MySQL",
    "aurora-mysql": "Aurora MySQL",
    "aurora-postgresql": "Aurora PostgreSQL",
    "oracle-se": "Oracle",
    "oracle-se1": "Oracle",
    "oracle-se2": "Oracle",
    "oracle-se2-cdb": "Oracle",
    "oracle-ee": "Oracle",
    "oracle-ee-cdb": "Oracle",
    "sqlserver-ex": "SQL Server",
    "sqlserver-web": "SQL Server",
    "sqlserver-se": "SQL Server",
    "sqlserver-ee": "SQL Server",
}
EDITIONS = {
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


def _licence(engine: str, model: str | None) -> str:
    if model and model.lower() in LICENCES:
        return LICENCES[model.lower()]
    if engine in ("oracle-ee", "oracle-ee-cdb"):
        return "Bring your own license"
    if engine.startswith(("oracle-", "sqlserver-")):
        return "License included"
    return "No license required"


def _engine(ctx: Context, value: str | Unresolved | None) -> tuple[str | None, str]:
    """(Price List databaseEngine or None, the Terraform engine)."""
    if isinstance(value, Unresolved) or value is None:
        return None, ""
    return ENGINES.get(value.lower()), value.lower()


@priced("aws_db_instance")
def aws_db_instance(ctx: Context) -> None:
    engine_value = ctx.string("engine")
    database_engine, engine = _engine(ctx, engine_value)
    instance_class = ctx.string("instance_class")
    multi_az = ctx.boolean("multi_az", False)
    deployment = "Multi-AZ" if multi_az is True else "Single-AZ"
    price: Price | str
    if isinstance(engine_value, Unresolved):
        price = f"engine is unknown: {engine_value.reason}"
    elif engine_value is None:
        price = "engine is not set (a replica or a restored snapshot inherits it)"
    elif database_engine is None:
        price = f"engine {engine!r} is not priced"
    elif isinstance(instance_class, Unresolved):
        price = f"instance_class is unknown: {instance_class.reason}"
    elif instance_class is None:
        price = "instance_class is not set"
    elif isinstance(multi_az, Unresolved):
        price = f"multi_az is unknown: {multi_az.reason}"
    else:
        attributes = {
            "instanceType": instance_class,
            "databaseEngine": database_engine,
            "deploymentOption": deployment,
            "licenseModel": _licence(engine, _text(ctx.string("license_model"))),
        }
        if engine in EDITIONS:
            attributes["databaseEdition"] = EDITIONS[engine]
        usage_type = None
        if database_engine.startswith("Aurora"):
            usage_type = f"InstanceUsage:{instance_class}"
        price = Price("AmazonRDS", "Database Instance", attributes, usage_type=usage_type)
    shown = instance_class if isinstance(instance_class, str) else "?"
    ctx.add(
        ctx.component(
            f"Database instance (on-demand, {deployment}, {shown})", "hours", price, hourly=ONE
        )
    )

    iops = ctx.number("iops")
    storage_type = ctx.string("storage_type") or ("io1" if isinstance(iops, Decimal) else "gp2")
    storage = ctx.number("allocated_storage")
    if storage is None:
        storage = Unresolved("", "allocated_storage is not set")
        ctx.unknown("allocated_storage", storage.reason)
    if deployment == "Multi-AZ" and engine.startswith("sqlserver-"):
        deployment = "Multi-AZ (SQL Server Mirror)"
    _storage(ctx, storage_type, storage, iops, deployment, engine)
    _backup(ctx, database_engine, ctx.number("backup_retention_period", 0))


def _text(value: str | Unresolved | None) -> str | None:
    return value if isinstance(value, str) and not isinstance(value, Unresolved) else None


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
    storage_deployment = deployment
    ctx.add(
        ctx.component(
            name,
            "GB",
            Price(
                "AmazonRDS",
                "Database Storage",
                {
                    "databaseEngine": "Any",
                    "deploymentOption": storage_deployment,
                    "volumeType": volume_type,
                },
            ),
            monthly=storage,
        )
    )
    stem = _USAGE_STEMS.get(deployment, "RDS:")
    iops_price = Price(
        "AmazonRDS",
        "Provisioned IOPS",
        {"databaseEngine": "Any", "deploymentOption": deployment},
        usage_type=None,
    )
    kind = storage_type.lower()
    if kind in ("io1", "io2"):
        quantity = iops if iops is not None else Unresolved("", "iops is not set")
        suffix = "IO2-PIOPS" if kind == "io2" else "PIOPS"
        ctx.add(
            ctx.component(
                "Provisioned IOPS",
                "IOPS",
                _with_usage(iops_price, stem + suffix),
                monthly=quantity,
            )
        )
    elif kind == "gp3":
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
                    _with_usage(iops_price, stem + "GP3-PIOPS"),
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
    elif kind == "standard":
        requests = ctx.usage_number("monthly_standard_io_requests")
        ctx.add(_io_requests(ctx, "RDS I/O Operation", "RDS:StorageIOUsage", requests))


def _io_requests(
    ctx: Context, group: str, usage_type: str, requests: Decimal | None
) -> CostComponent:
    """The usage-based charge for the storage's I/O requests (per million)."""
    return ctx.component(
        "I/O requests",
        "1M requests",
        Price(
            "AmazonRDS",
            "System Operation",
            {"databaseEngine": "Any", "group": group},
            usage_type=usage_type,
        ),
        monthly=requests,
        per=Decimal(1_000_000),
        usage_based=True,
    )


def _with_usage(price: Price, usage_type: str) -> Price:
    return Price(price.service, price.family, price.attributes, usage_type=usage_type)


def _backup(
    ctx: Context, database_engine: str | None, retention: Decimal | Unresolved | None
) -> None:
    extra = ctx.usage_number("additional_backup_storage_gb")
    if extra is None and not (isinstance(retention, Decimal) and retention > 0):
        return
    aurora = bool(database_engine and database_engine.startswith("Aurora"))
    ctx.add(
        ctx.component(
            "Additional backup storage",
            "GB",
            Price(
                "AmazonRDS",
                "Storage Snapshot",
                {"databaseEngine": database_engine if aurora and database_engine else "Any"},
                usage_type="Aurora:BackupUsage" if aurora else "RDS:ChargedBackupUsage",
            ),
            monthly=extra,
            usage_based=True,
        )
    )


def _cluster_of(ctx: Context) -> Resource | None:
    return ctx.referenced("cluster_identifier", "aws_rds_cluster")


def _aurora_io_optimized(ctx: Context, cluster: Resource | None) -> bool | Unresolved:
    if cluster is None:
        return False
    value = ctx.string("storage_type", "", within=cluster.attributes, label="cluster storage_type")
    if isinstance(value, Unresolved):
        return value
    return value == "aurora-iopt1"


@priced("aws_rds_cluster_instance")
def aws_rds_cluster_instance(ctx: Context) -> None:
    cluster = _cluster_of(ctx)
    engine_value = ctx.string("engine")
    if engine_value is None and cluster is not None:
        engine_value = ctx.string("engine", None, within=cluster.attributes, label="cluster engine")
    if engine_value is None:
        engine_value = "aurora-mysql"  # Terraform's default engine ("aurora") is MySQL
    database_engine, _engine_name = _engine(ctx, engine_value)
    instance_class = ctx.string("instance_class")
    io_optimized = _aurora_io_optimized(ctx, cluster)
    shown = instance_class if isinstance(instance_class, str) else "?"
    if instance_class == "db.serverless":
        acus = ctx.usage_number("capacity_units_per_hr")
        ctx.add(
            ctx.component(
                "Aurora Serverless v2",
                "ACU-hours",
                _serverless_v2_price(database_engine, io_optimized, engine_value),
                hourly=acus,
                usage_based=True,
            )
        )
        return
    price: Price | str
    if isinstance(engine_value, Unresolved):
        price = f"engine is unknown: {engine_value.reason}"
    elif database_engine is None or not database_engine.startswith("Aurora"):
        price = f"engine {engine_value!r} is not an Aurora engine"
    elif isinstance(instance_class, Unresolved):
        price = f"instance_class is unknown: {instance_class.reason}"
    elif instance_class is None:
        price = "instance_class is not set"
    elif isinstance(io_optimized, Unresolved):
        price = f"the cluster's storage_type is unknown: {io_optimized.reason}"
    else:
        mode = "IOOptimized" if io_optimized else ""
        price = Price(
            "AmazonRDS",
            "Database Instance",
            {
                "instanceType": instance_class,
                "databaseEngine": database_engine,
                "deploymentOption": "Single-AZ",
            },
            usage_type=f"InstanceUsage{mode}:{instance_class}",
        )
    label = "on-demand, I/O-Optimized" if io_optimized is True else "on-demand"
    ctx.add(ctx.component(f"Database instance ({label}, {shown})", "hours", price, hourly=ONE))


def _serverless_v2_price(
    database_engine: str | None, io_optimized: bool | Unresolved, engine: object
) -> Price | str:
    if database_engine is None or not database_engine.startswith("Aurora"):
        return f"engine {engine!r} is not an Aurora engine"
    if isinstance(io_optimized, Unresolved):
        return f"the cluster's storage_type is unknown: {io_optimized.reason}"
    usage = "Aurora:ServerlessV2IOOptimizedUsage" if io_optimized else "Aurora:ServerlessV2Usage"
    return Price("AmazonRDS", "ServerlessV2", {"databaseEngine": database_engine}, usage_type=usage)


@priced("aws_rds_cluster")
def aws_rds_cluster(ctx: Context) -> None:
    engine_value = ctx.string("engine", "aurora-mysql")
    database_engine, _name = _engine(ctx, engine_value)
    if database_engine is None or not database_engine.startswith("Aurora"):
        ctx.add(
            ctx.component(
                "Cluster storage",
                "GB",
                f"engine {engine_value!r}: only Aurora clusters are priced",
                monthly=ctx.usage_number("storage_gb"),
                usage_based=True,
            )
        )
        return
    io_optimized = ctx.string("storage_type", "") == "aurora-iopt1"
    if str(ctx.string("engine_mode", "provisioned")) == "serverless":
        ctx.add(
            ctx.component(
                "Aurora Serverless v1",
                "ACU-hours",
                Price(
                    "AmazonRDS",
                    "Serverless",
                    {"databaseEngine": database_engine},
                    usage_type="Aurora:ServerlessUsage",
                ),
                hourly=ctx.usage_number("capacity_units_per_hr"),
                usage_based=True,
            )
        )
    volume = "IO Optimized-Aurora" if io_optimized else "General Purpose-Aurora"
    ctx.add(
        ctx.component(
            "Storage",
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
        requests = ctx.usage_number("monthly_io_requests")
        ctx.add(_io_requests(ctx, "Aurora I/O Operation", "Aurora:StorageIOUsage", requests))
    backup = ctx.usage_number("backup_snapshot_size_gb")
    ctx.add(
        ctx.component(
            "Backup storage",
            "GB",
            Price(
                "AmazonRDS",
                "Storage Snapshot",
                {"databaseEngine": database_engine},
                usage_type="Aurora:BackupUsage",
            ),
            monthly=backup,
            usage_based=True,
        )
    )


# --- ElastiCache ----------------------------------------------------------------------------

CACHE_ENGINES = {"redis": "Redis", "memcached": "Memcached", "valkey": "Valkey"}


def _cache_nodes(
    ctx: Context,
    node_type: str | Unresolved | None,
    engine: str | Unresolved | None,
    nodes: Decimal | Unresolved,
) -> None:
    price: Price | str
    if isinstance(node_type, Unresolved):
        price = f"node_type is unknown: {node_type.reason}"
    elif node_type is None:
        price = "node_type is not set"
    elif isinstance(engine, Unresolved):
        price = f"engine is unknown: {engine.reason}"
    elif (engine or "").lower() not in CACHE_ENGINES:
        price = f"engine {engine!r} is not priced"
    else:
        price = Price(
            "AmazonElastiCache",
            "Cache Instance",
            {"instanceType": node_type, "cacheEngine": CACHE_ENGINES[(engine or "").lower()]},
        )
    shown = node_type if isinstance(node_type, str) and node_type else "?"
    ctx.add(ctx.component(f"ElastiCache (on-demand, {shown})", "hours", price, hourly=nodes))


def _cache_backup(ctx: Context, engine: str | Unresolved | None) -> None:
    retention = ctx.number("snapshot_retention_limit", 0)
    size = ctx.usage_number("snapshot_storage_size_gb")
    if str(engine).lower() == "memcached":
        return
    if size is None and not (isinstance(retention, Decimal) and retention > 0):
        return
    ctx.add(
        ctx.component(
            "Backup storage",
            "GB",
            Price("AmazonElastiCache", "Storage Snapshot", {}, usage_type="BackupUsage"),
            monthly=size,
            usage_based=True,
        )
    )


@priced("aws_elasticache_cluster")
def aws_elasticache_cluster(ctx: Context) -> None:
    if ctx.string("replication_group_id"):
        ctx.free("a member of a replication group: its nodes are priced on the group")
        return
    engine = ctx.string("engine")
    nodes = ctx.number("num_cache_nodes", 1)
    ctx_nodes = nodes if nodes is not None else ONE
    _cache_nodes(ctx, ctx.string("node_type"), engine, ctx_nodes)
    _cache_backup(ctx, engine)


@priced("aws_elasticache_replication_group")
def aws_elasticache_replication_group(ctx: Context) -> None:
    engine = ctx.string("engine", "redis")
    clusters = ctx.number("num_cache_clusters")
    if clusters is None:
        clusters = ctx.number("number_cache_clusters")
    nodes: Decimal | Unresolved
    if clusters is not None:
        nodes = clusters
    else:
        groups = ctx.number("num_node_groups", 1)
        replicas = ctx.number("replicas_per_node_group", 0)
        if isinstance(groups, Decimal) and isinstance(replicas, Decimal):
            nodes = groups * (replicas + 1)
        else:
            nodes = Unresolved("", "node group or replica count is unknown")
    _cache_nodes(ctx, ctx.string("node_type"), engine, nodes)
    _cache_backup(ctx, engine)


# --- DynamoDB -------------------------------------------------------------------------------


@priced("aws_dynamodb_table")
def aws_dynamodb_table(ctx: Context) -> None:
    table_class = "Standard"
    if str(ctx.string("table_class", "STANDARD")).upper() == "STANDARD_INFREQUENT_ACCESS":
        table_class = "Standard-IA"
    mode = str(ctx.string("billing_mode", "PROVISIONED")).upper()
    if mode == "PAY_PER_REQUEST":
        for kind, key, short in (
            ("Write", "monthly_write_request_units", "WRU"),
            ("Read", "monthly_read_request_units", "RRU"),
        ):
            ctx.add(
                ctx.component(
                    f"{kind} request unit ({short})",
                    "1M units",
                    Price(
                        "AmazonDynamoDB",
                        "Amazon DynamoDB PayPerRequest Throughput",
                        {"group": f"DDB-{kind}Units", "tableClass": table_class},
                    ),
                    monthly=ctx.usage_number(key),
                    per=Decimal(1_000_000),
                    usage_based=True,
                )
            )
    else:
        for kind, attribute, short in (
            ("Write", "write_capacity", "WCU"),
            ("Read", "read_capacity", "RCU"),
        ):
            capacity = ctx.number(attribute)
            if capacity is None:
                capacity = Unresolved("", f"{attribute} is not set")
                ctx.unknown(attribute, capacity.reason)
            ctx.add(
                ctx.component(
                    f"{kind} capacity unit ({short})",
                    short,
                    Price(
                        "AmazonDynamoDB",
                        "Provisioned IOPS",
                        {"group": f"DDB-{kind}Units", "tableClass": table_class},
                    ),
                    hourly=capacity,
                )
            )
    ctx.add(
        ctx.component(
            "Data storage",
            "GB",
            Price(
                "AmazonDynamoDB",
                "Database Storage",
                {"tableClass": table_class, "volumeType": "Amazon DynamoDB - Indexed DataStore"},
            ),
            monthly=ctx.usage_number("storage_gb"),
            usage_based=True,
        )
    )
    recovery = ctx.blocks("point_in_time_recovery")
    pitr = any(block.get("enabled") is True for block in recovery)
    if pitr or ctx.usage_number("pitr_backup_storage_gb") is not None:
        ctx.add(
            ctx.component(
                "Point-In-Time Recovery (PITR) backup storage",
                "GB",
                Price("AmazonDynamoDB", "Amazon DynamoDB PITR Backup", {}),
                monthly=ctx.usage_number("pitr_backup_storage_gb"),
                usage_based=True,
            )
        )
    if ctx.usage_number("on_demand_backup_storage_gb") is not None:
        ctx.add(
            ctx.component(
                "On-demand backup storage",
                "GB",
                Price("AmazonDynamoDB", "Amazon DynamoDB On-Demand Backup Storage", {}),
                monthly=ctx.usage_number("on_demand_backup_storage_gb"),
                usage_based=True,
            )
        )
    if ctx.boolean("stream_enabled", False) is True:
        ctx.add(
            ctx.component(
                "Streams read request unit (sRRU)",
                "100K sRRU",
                Price("AmazonDynamoDB", "API Request", {"group": "DDB-StreamsReadRequests"}),
                monthly=ctx.usage_number("monthly_streams_read_request_units"),
                per=Decimal(100_000),
                usage_based=True,
            )
        )
    replicas = ctx.blocks("replica")
    if replicas:
        ctx.note("global table replicas are not priced (each replica region bills separately)")
