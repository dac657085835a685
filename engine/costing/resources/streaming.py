"""Streaming and messaging: MSK clusters, Amazon MQ brokers, Kinesis Data Streams, Firehose
delivery streams and Kinesis Data Analytics (Managed Service for Apache Flink) applications.

Quantities follow Infracost's usage keys; brokers and shards are priced from the
configuration. An MSK cluster's broker storage follows an ``aws_appautoscaling_target`` on
``kafka:broker-storage:VolumeSize`` (its capacity usage, else its min_capacity).
"""

from __future__ import annotations

from decimal import Decimal

from engine.costing.context import MILLION, ONE, Context, Price
from engine.costing.registry import UsageKey, priced
from engine.costing.resources.data_common import scaled, scaling_targets
from engine.model import Unresolved

# --- MSK --------------------------------------------------------------------------------------

MSK = ("AmazonMSK", "Managed Streaming for Apache Kafka (MSK)")


@priced(
    "aws_msk_cluster",
    usage=(),
    reads=("number_of_broker_nodes", "broker_node_group_info"),
    notes=(
        "Broker storage is the volume size x brokers (an appautoscaling target on the volume "
        "size replaces it).",
    ),
)
def aws_msk_cluster(ctx: Context) -> None:
    brokers = ctx.number("number_of_broker_nodes")
    if brokers is None:
        brokers = Unresolved("", "number_of_broker_nodes is not set")
    groups = ctx.blocks("broker_node_group_info")
    group = groups[0] if groups else {}
    instance_type = ctx.string("instance_type", within=group, label="instance_type")
    price: Price | str
    if isinstance(instance_type, Unresolved):
        price = f"instance_type is unknown: {instance_type.reason}"
    elif instance_type is None:
        price = "broker_node_group_info.instance_type is not set"
    else:
        price = Price(*MSK, {"instanceType": instance_type, "group": "Broker"})
    shown = instance_type if isinstance(instance_type, str) else "?"
    ctx.add(ctx.component(f"Instance ({shown})", "hours", price, hourly=brokers))
    if shown.startswith("express."):
        return  # Express brokers' storage is billed per GB used, from no configuration
    size = _msk_volume_size(ctx, group)
    target = scaled(
        scaling_targets(ctx, "cluster", "cluster_name"), "kafka:broker-storage:VolumeSize"
    )
    if target is not None:
        size = target.capacity
    total: Decimal | Unresolved
    if isinstance(size, Decimal) and isinstance(brokers, Decimal):
        total = size * brokers
    else:
        total = Unresolved("", "broker volume size or broker count is unknown")
    ctx.add(
        ctx.component(
            "Storage (autoscaling)" if target else "Storage",
            "GB",
            Price(*MSK, {"group": "Storage", "storageFamily": "GP2"}),
            monthly=total,
            usage_based=target is not None,
        )
    )


def _msk_volume_size(ctx: Context, group: dict[str, object]) -> Decimal | Unresolved | None:
    legacy = ctx.number("ebs_volume_size", within=group, label="ebs_volume_size")
    if legacy is not None:
        return legacy
    for storage in ctx.blocks("storage_info", within=group):
        for ebs in ctx.blocks("ebs_storage_info", within=storage):
            size = ctx.number("volume_size", within=ebs, label="ebs_storage_info.volume_size")
            if size is not None:
                return size
    return Decimal(1000)  # MSK's default broker volume


# --- Amazon MQ --------------------------------------------------------------------------------


@priced(
    "aws_mq_broker",
    usage=(UsageKey("storage_size_gb", "int", "Data storage per broker instance.", unit="GB"),),
    reads=("engine_type", "host_instance_type", "deployment_mode", "storage_type"),
    notes=(
        "A RabbitMQ cluster (CLUSTER_MULTI_AZ) is three nodes: its price is the cluster's and "
        "its storage three times storage_size_gb.",
    ),
)
def aws_mq_broker(ctx: Context) -> None:
    engine_value = ctx.string("engine_type", "ActiveMQ")
    engine = "RabbitMQ" if str(engine_value).lower() == "rabbitmq" else "ActiveMQ"
    instance_type = ctx.string("host_instance_type")
    mode = str(ctx.string("deployment_mode", "SINGLE_INSTANCE")).lower()
    multi_az = mode in ("active_standby_multi_az", "cluster_multi_az")
    storage_type = str(ctx.string("storage_type", "ebs" if engine == "RabbitMQ" else "efs"))
    price: Price | str
    if isinstance(engine_value, Unresolved):
        price = f"engine_type is unknown: {engine_value.reason}"
    elif isinstance(instance_type, Unresolved):
        price = f"host_instance_type is unknown: {instance_type.reason}"
    elif instance_type is None:
        price = "host_instance_type is not set"
    else:
        price = Price(
            "AmazonMQ",
            "Broker Instances",
            {
                "instanceType": instance_type,
                "brokerEngine": engine,
                "deploymentOption": "Multi-AZ" if multi_az else "Single-AZ",
            },
        )
    shown = instance_type if isinstance(instance_type, str) else "?"
    ctx.add(
        ctx.component(f"Instance usage ({engine}, {shown}, {mode})", "hours", price, hourly=ONE)
    )
    size = ctx.usage_number("storage_size_gb")
    nodes = Decimal(3) if engine == "RabbitMQ" and multi_az else ONE
    ctx.add(
        ctx.component(
            f"Storage ({engine}, {storage_type.upper()})",
            "GB",
            Price("AmazonMQ", "Broker Storage", {"storageType": storage_type.upper()}),
            monthly=None if size is None else size * nodes,
            usage_based=True,
        )
    )


# --- Kinesis Data Streams ---------------------------------------------------------------------

KINESIS = ("AmazonKinesis", "Kinesis Streams")
Part = tuple[str, str, dict[str, str]]
# (name, usage key, catalog attributes) of the usage-based components of each mode.
ON_DEMAND_PARTS: tuple[Part, ...] = (
    ("Data ingested", "monthly_on_demand_data_in_gb", {"operation": "OnDemandDataIngested"}),
    ("Data retrieval", "monthly_on_demand_data_out_gb", {"operation": "OnDemandDataRetrieval"}),
    (
        "Enhanced Fan Out (EFO) Data retrieval",
        "monthly_on_demand_efo_data_out_gb",
        {"operation": "OnDemandEFODataRetrieval"},
    ),
    (
        "Extended retention (24H to 7D)",
        "monthly_on_demand_extended_retention_gb",
        {"operation": "OnDemandExtendedRetentionByteHrs"},
    ),
    (
        "Long term retention (7D+)",
        "monthly_on_demand_long_term_retention_gb",
        {"operation": "OnDemandLongTermRetentionByteHrs"},
    ),
)
PROVISIONED_PARTS: tuple[Part, ...] = (
    (
        "Extended retention (24H to 7D)",
        "monthly_provisioned_extended_retention_gb",
        {"group": "Extended Retention"},
    ),
    (
        "Long term retention (7D+)",
        "monthly_provisioned_long_term_retention_gb",
        {"group": "Long Term Retention"},
    ),
    (
        "Extended retention retrieval (7D+)",
        "monthly_provisioned_long_term_retrieval_gb",
        {"group": "Long Term Retrieval"},
    ),
    (
        "Enhanced Fan Out (EFO) Data retrieval",
        "monthly_provisioned_efo_data_out_gb",
        {"group": "Enhanced Fan Out Retrieval"},
    ),
)
KINESIS_USAGE = (
    *(
        UsageKey(key, "float", f"{name} of an on-demand stream, monthly.", unit="GB")
        for name, key, _ in ON_DEMAND_PARTS
    ),
    *(
        UsageKey(key, "float", f"{name} of a provisioned stream, monthly.", unit="GB")
        for name, key, _ in PROVISIONED_PARTS
    ),
    UsageKey(
        "monthly_provisioned_put_units",
        "float",
        "PUT payload units (25 KB each) of a provisioned stream, monthly.",
        unit="units",
    ),
    UsageKey(
        "monthly_provisioned_efo_consumer_hours",
        "float",
        "Enhanced fan-out consumer-shard hours of a provisioned stream, monthly.",
        unit="consumer-shard hours",
    ),
)


@priced(
    "aws_kinesis_stream",
    usage=KINESIS_USAGE,
    reads=("stream_mode_details", "shard_count"),
    notes=(
        "A provisioned stream's extended retention is priced as Infracost does: the usage "
        "quantity at the extended-retention shard-hour rate.",
    ),
)
def aws_kinesis_stream(ctx: Context) -> None:
    details = ctx.blocks("stream_mode_details")
    mode = "PROVISIONED"
    if details:
        mode = str(ctx.string("stream_mode", "PROVISIONED", within=details[0])).upper()
    if mode == "ON_DEMAND":
        ctx.add(
            ctx.component(
                "ON_DEMAND", "hours", Price(*KINESIS, {"operation": "OnDemandStreamHr"}), hourly=ONE
            )
        )
        parts = ON_DEMAND_PARTS
    else:
        shards = ctx.number("shard_count")
        if shards is None:
            shards = Unresolved("", "shard_count is not set")
        ctx.add(
            ctx.component(
                "PROVISIONED",
                "hours",
                Price(*KINESIS, {"operation": "shardHourStorage"}),
                hourly=shards,
            ),
            ctx.component(
                "Put request unit",
                "1M units",
                Price(*KINESIS, {"operation": "PutRequest"}),
                monthly=ctx.usage_number("monthly_provisioned_put_units"),
                per=MILLION,
                usage_based=True,
            ),
        )
        parts = PROVISIONED_PARTS
    for name, key, attributes in parts:
        ctx.add(
            ctx.component(
                name,
                "GB",
                Price(*KINESIS, attributes),
                monthly=ctx.usage_number(key),
                usage_based=True,
            )
        )
    if mode != "ON_DEMAND":
        ctx.add(
            ctx.component(
                "Enhanced Fan Out (EFO)",
                "consumer-shard hours",
                Price(*KINESIS, {"group": "Enhanced Fan Out"}),
                monthly=ctx.usage_number("monthly_provisioned_efo_consumer_hours"),
                usage_based=True,
            )
        )


# --- Firehose ---------------------------------------------------------------------------------

FIREHOSE = ("AmazonKinesisFirehose", "Kinesis Firehose")


@priced(
    "aws_kinesis_firehose_delivery_stream",
    usage=(UsageKey("monthly_data_ingested_gb", "float", "Data ingested monthly.", unit="GB"),),
    reads=(
        "kinesis_source_configuration",
        "extended_s3_configuration",
        "elasticsearch_configuration",
        "opensearch_configuration",
    ),
    notes=(
        "Ingestion is tiered (first 500 TB, next 1.5 PB, next 3 PB); a stream reading a "
        "Kinesis data stream pays that source's rate.",
    ),
)
def aws_kinesis_firehose_delivery_stream(ctx: Context) -> None:
    ingested = ctx.usage_number("monthly_data_ingested_gb")
    source = "Kinesis Data Streams" if ctx.blocks("kinesis_source_configuration") else "Direct PUT"
    ctx.add(
        *ctx.tiered(
            (
                "Data ingested (first 500TB)",
                "Data ingested (next 1.5PB)",
                "Data ingested (next 3PB)",
            ),
            "GB",
            Price(*FIREHOSE, {"group": "Event-by-Event Processing", "source": source}),
            monthly=ingested,
            usage_based=True,
            always_first=False,
        )
    )
    if _format_conversion(ctx):
        ctx.add(
            ctx.component(
                "Format conversion",
                "GB",
                Price(*FIREHOSE, {"operation": "DataFormatConversion"}),
                monthly=ingested,
                usage_based=True,
            )
        )
    for destination in ("elasticsearch_configuration", "opensearch_configuration"):
        for block in ctx.blocks(destination):
            for vpc in ctx.blocks("vpc_config", within=block):
                subnets = ctx.list_of("subnet_ids", within=vpc)
                zones: Decimal | Unresolved = (
                    Decimal(len(subnets))
                    if isinstance(subnets, list)
                    else Unresolved("", "the VPC's subnets are unknown")
                )
                ctx.add(
                    ctx.component(
                        "VPC data",
                        "GB",
                        Price(*FIREHOSE, {"operation": "VpcBandwidth"}),
                        monthly=ingested,
                        usage_based=True,
                    ),
                    ctx.component(
                        "VPC AZ delivery",
                        "hours",
                        Price(*FIREHOSE, {"operation": "RunVpcInstance"}),
                        hourly=zones,
                    ),
                )


def _format_conversion(ctx: Context) -> bool:
    for config in ctx.blocks("extended_s3_configuration"):
        for conversion in ctx.blocks("data_format_conversion_configuration", within=config):
            if conversion.get("enabled", True) is not False:
                return True
    return False


# --- Kinesis Data Analytics / Managed Service for Apache Flink -------------------------------

ANALYTICS = ("AmazonKinesisAnalytics", "Kinesis Analytics")
KPU_USAGE = UsageKey(
    "kinesis_processing_units", "float", "Kinesis processing units in use.", unit="KPU"
)
BACKUP_USAGE = UsageKey(
    "durable_application_backup_gb", "float", "Durable application backups.", unit="GB"
)


def _processing(ctx: Context, name: str, runtime: str, kpus: Decimal | None) -> None:
    ctx.add(
        ctx.component(
            name,
            "KPU",
            Price(*ANALYTICS, {"group": "Processing", "runtime": runtime}),
            hourly=kpus,
            usage_based=name == "Processing (stream)",
        )
    )


def _backup(ctx: Context) -> None:
    ctx.add(
        ctx.component(
            "Backup",
            "GB",
            Price(*ANALYTICS, {"group": "Durable Application Backup"}),
            monthly=ctx.usage_number("durable_application_backup_gb"),
            usage_based=True,
        )
    )


@priced("aws_kinesisanalytics_application", usage=(KPU_USAGE,))
def aws_kinesisanalytics_application(ctx: Context) -> None:
    _processing(ctx, "Processing (stream)", "SQL", ctx.usage_number("kinesis_processing_units"))


@priced(
    "aws_kinesisanalyticsv2_application",
    usage=(KPU_USAGE, BACKUP_USAGE),
    reads=("runtime_environment",),
    notes=(
        "Flink applications also pay one orchestration KPU and 50 GB of running storage per KPU.",
    ),
)
def aws_kinesisanalyticsv2_application(ctx: Context) -> None:
    runtime = str(ctx.string("runtime_environment", "")).upper()
    kpus = ctx.usage_number("kinesis_processing_units")
    flink = runtime.startswith("FLINK")
    _processing(ctx, "Processing (stream)", "Java" if flink else "SQL", kpus)
    if not flink:
        return
    _processing(ctx, "Processing (orchestration)", "Java", ONE)
    ctx.add(
        ctx.component(
            "Running storage",
            "GB",
            Price(*ANALYTICS, {"group": "Running Application Storage", "runtime": "Java"}),
            monthly=None if kpus is None else kpus * 50,
            usage_based=True,
        )
    )
    _backup(ctx)


@priced("aws_kinesisanalyticsv2_application_snapshot", usage=(BACKUP_USAGE,))
def aws_kinesisanalyticsv2_application_snapshot(ctx: Context) -> None:
    _backup(ctx)
