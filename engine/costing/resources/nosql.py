"""ElastiCache (clusters and replication groups) and DynamoDB tables.

Both follow ``aws_appautoscaling_target``: a target that scales a replication group's shards
or replicas, or a table's read or write capacity, replaces the configured number by the
target's ``capacity`` usage (the usage file's entry for the target), else its
``min_capacity``, and the component says "autoscaling" (Infracost's behaviour). A DynamoDB
table's ``replica`` blocks (global tables) are priced per replica region as replicated writes.
"""

from __future__ import annotations

from decimal import Decimal

from engine.costing.context import MILLION, ONE, Context, Price
from engine.costing.registry import UsageKey, priced
from engine.costing.resources.data_common import (
    Reserved,
    ScalingTarget,
    no_reserved_price,
    reserved_term,
    reserved_usage,
    scaled,
    scaling_targets,
)
from engine.model import Unresolved

# --- ElastiCache ------------------------------------------------------------------------------

CACHE_ENGINES = {"redis": "Redis", "memcached": "Memcached", "valkey": "Valkey"}
CACHE_USAGE = (
    UsageKey(
        "snapshot_storage_size_gb",
        "float",
        "Size of one snapshot; kept snapshot_retention_limit times, one is free.",
        unit="GB",
    ),
    *reserved_usage(legacy=True),
)
CACHE_NOTES = (
    "Backup storage is the snapshot size x (snapshot_retention_limit - 1) for Redis and "
    "Valkey: one snapshot is free.",
    "The catalog holds no ElastiCache reserved prices: a reserved term is priceNotFound.",
)


def _cache_nodes(
    ctx: Context,
    node_type: str | Unresolved | None,
    engine: str | Unresolved | None,
    nodes: Decimal | Unresolved,
    autoscaling: bool = False,
) -> None:
    reserved = reserved_term(ctx)
    price: Price | str
    if isinstance(node_type, Unresolved):
        price = f"node_type is unknown: {node_type.reason}"
    elif node_type is None:
        price = "node_type is not set"
    elif isinstance(engine, Unresolved):
        price = f"engine is unknown: {engine.reason}"
    elif (engine or "").lower() not in CACHE_ENGINES:
        price = f"engine {engine!r} is not priced"
    elif isinstance(reserved, str):
        price = reserved
    elif isinstance(reserved, Reserved):
        price = no_reserved_price("ElastiCache", node_type, ctx.region, reserved)
    else:
        price = Price(
            "AmazonElastiCache",
            "Cache Instance",
            {"instanceType": node_type, "cacheEngine": CACHE_ENGINES[(engine or "").lower()]},
        )
    shown = node_type if isinstance(node_type, str) and node_type else "?"
    words = ["on-demand" if reserved is None else "reserved", shown]
    if autoscaling:
        words.append("autoscaling")
    ctx.add(
        ctx.component(
            f"ElastiCache ({', '.join(words)})",
            "hours",
            price,
            hourly=nodes,
            usage_based=autoscaling,
        )
    )


def _cache_backup(ctx: Context, engine: str | Unresolved | None) -> None:
    if str(engine).lower() == "memcached":
        return
    retention = ctx.number("snapshot_retention_limit", 0)
    if not (isinstance(retention, Decimal) and retention > 1):
        return
    size = ctx.usage_number("snapshot_storage_size_gb")
    ctx.add(
        ctx.component(
            "Backup storage",
            "GB",
            Price("AmazonElastiCache", "Storage Snapshot", {}, usage_type="BackupUsage"),
            monthly=None if size is None else size * (retention - 1),
            usage_based=True,
        )
    )


@priced(
    "aws_elasticache_cluster",
    usage=CACHE_USAGE,
    reads=("engine", "node_type", "num_cache_nodes", "snapshot_retention_limit"),
    notes=(
        "A member of a replication group is free: its nodes are priced on the group.",
        *CACHE_NOTES,
    ),
)
def aws_elasticache_cluster(ctx: Context) -> None:
    if ctx.string("replication_group_id"):
        ctx.free("a member of a replication group: its nodes are priced on the group")
        return
    engine = ctx.string("engine")
    nodes = ctx.number("num_cache_nodes", 1)
    _cache_nodes(ctx, ctx.string("node_type"), engine, nodes if nodes is not None else ONE)
    _cache_backup(ctx, engine)


@priced(
    "aws_elasticache_replication_group",
    usage=CACHE_USAGE,
    reads=(
        "engine",
        "node_type",
        "num_cache_clusters",
        "num_node_groups",
        "replicas_per_node_group",
        "cluster_mode",
        "snapshot_retention_limit",
    ),
    notes=(
        "aws_appautoscaling_target on NodeGroups or Replicas sets the shard or replica count "
        "(its capacity usage, else min_capacity).",
        *CACHE_NOTES,
    ),
)
def aws_elasticache_replication_group(ctx: Context) -> None:
    engine = ctx.string("engine", "redis")
    targets = scaling_targets(ctx, "replication-group", "replication_group_id")
    groups_target = scaled(targets, "elasticache:replication-group:NodeGroups")
    replicas_target = scaled(targets, "elasticache:replication-group:Replicas")
    clusters = ctx.number("num_cache_clusters")
    if clusters is None:
        clusters = ctx.number("number_cache_clusters")
    mode = ctx.blocks("cluster_mode")  # provider v3's block form of the two counts below
    groups = ctx.number("num_node_groups")
    if groups is None and mode:
        groups = ctx.number("num_node_groups", within=mode[0], label="cluster_mode.num_node_groups")
    replicas = ctx.number("replicas_per_node_group")
    if replicas is None and mode:
        replicas = ctx.number(
            "replicas_per_node_group", within=mode[0], label="cluster_mode.replicas_per_node_group"
        )
    if groups_target is not None:
        groups = groups_target.capacity
    if replicas_target is not None:
        replicas = replicas_target.capacity
    nodes: Decimal | Unresolved
    if groups is not None:  # cluster mode: shards x (1 primary + replicas)
        per_group = replicas if replicas is not None else Decimal(0)
        if isinstance(groups, Decimal) and isinstance(per_group, Decimal):
            nodes = groups * (per_group + 1)
        else:
            nodes = Unresolved("", "node group or replica count is unknown")
    elif clusters is not None:
        nodes = clusters
    else:
        nodes = ONE  # one primary, no replicas: AWS's default
    autoscaling = groups_target is not None or replicas_target is not None
    _cache_nodes(ctx, ctx.string("node_type"), engine, nodes, autoscaling)
    _cache_backup(ctx, engine)


# --- DynamoDB ---------------------------------------------------------------------------------

DYNAMODB_USAGE = (
    UsageKey(
        "monthly_write_request_units",
        "int",
        "Monthly write request units (on-demand tables; global table replicas too).",
        unit="WRU",
    ),
    UsageKey("monthly_read_request_units", "int", "Monthly read request units.", unit="RRU"),
    UsageKey("storage_gb", "int", "Total storage of the table.", unit="GB"),
    UsageKey("pitr_backup_storage_gb", "int", "Point-in-time recovery backup storage.", unit="GB"),
    UsageKey("on_demand_backup_storage_gb", "int", "On-demand backup storage.", unit="GB"),
    UsageKey("monthly_data_restored_gb", "int", "Data restored from backups monthly.", unit="GB"),
    UsageKey(
        "monthly_streams_read_request_units",
        "int",
        "Monthly DynamoDB Streams read request units.",
        unit="sRRU",
    ),
)


def _table_class(ctx: Context) -> str:
    value = str(ctx.string("table_class", "STANDARD")).upper()
    return "Standard-IA" if value == "STANDARD_INFREQUENT_ACCESS" else "Standard"


@priced(
    "aws_dynamodb_table",
    usage=DYNAMODB_USAGE,
    reads=(
        "billing_mode",
        "read_capacity",
        "write_capacity",
        "table_class",
        "point_in_time_recovery",
        "stream_enabled",
        "replica",
    ),
    notes=(
        "aws_appautoscaling_target on the table's read or write capacity sets the capacity "
        "(its capacity usage, else min_capacity).",
        "Each replica block (global table) pays replicated writes in its region: the "
        "provisioned write capacity, or monthly_write_request_units on demand.",
        "The free tier is not applied.",
    ),
)
def aws_dynamodb_table(ctx: Context) -> None:
    table_class = _table_class(ctx)
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
                    per=MILLION,
                    usage_based=True,
                )
            )
    else:
        _provisioned_capacity(ctx, table_class, scaling_targets(ctx, "table", "name"))
    _table_storage(ctx, table_class)
    _replicas(ctx, mode, table_class)


def _provisioned_capacity(ctx: Context, table_class: str, targets: list[ScalingTarget]) -> None:
    for kind, attribute, short in (
        ("Write", "write_capacity", "WCU"),
        ("Read", "read_capacity", "RCU"),
    ):
        target = scaled(targets, f"dynamodb:table:{kind}CapacityUnits")
        capacity = target.capacity if target is not None else ctx.number(attribute)
        if capacity is None:
            capacity = Unresolved("", f"{attribute} is not set")
            ctx.unknown(attribute, capacity.reason)
        name = f"{kind} capacity unit ({short}{', autoscaling' if target else ''})"
        ctx.add(
            ctx.component(
                name,
                short,
                Price(
                    "AmazonDynamoDB",
                    "Provisioned IOPS",
                    {"group": f"DDB-{kind}Units", "tableClass": table_class},
                ),
                hourly=capacity,
                usage_based=target is not None,
            )
        )


def _table_storage(ctx: Context, table_class: str) -> None:
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
    for name, family, key in (
        ("On-demand backup storage", "On-Demand Backup Storage", "on_demand_backup_storage_gb"),
        ("Table data restored", "Restore Data Size", "monthly_data_restored_gb"),
    ):
        ctx.add(
            ctx.component(
                name,
                "GB",
                Price("AmazonDynamoDB", f"Amazon DynamoDB {family}", {}),
                monthly=ctx.usage_number(key),
                usage_based=True,
            )
        )
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


def _replicas(ctx: Context, mode: str, table_class: str) -> None:
    for block in ctx.blocks("replica"):
        region = ctx.string("region_name", within=block, label="replica.region_name")
        if isinstance(region, Unresolved) or region is None:
            reason = "the replica's region_name is unknown"
            name = "Global table (?)"
            region = None
        else:
            reason = ""
            name = f"Global table ({region})"
        group = {"group": "DDB-ReplicatedWriteUnits", "tableClass": table_class}
        if mode == "PAY_PER_REQUEST":
            price: Price | str = reason or Price(
                "AmazonDynamoDB",
                "Amazon DynamoDB PayPerRequest Throughput",
                group,
                region=region,
            )
            component = ctx.component(
                "Replicated write request unit (rWRU)",
                "1M units",
                price,
                monthly=ctx.usage_number("monthly_write_request_units"),
                per=MILLION,
                usage_based=True,
            )
        else:
            price = reason or Price("AmazonDynamoDB", "Provisioned IOPS", group, region=region)
            capacity = ctx.number("write_capacity")
            component = ctx.component(
                "Replicated write capacity unit (rWCU)",
                "rWCU",
                price,
                hourly=capacity if capacity is not None else Unresolved("", "no write_capacity"),
            )
        ctx.subresource(name, [component])
