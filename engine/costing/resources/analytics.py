"""Analytics services: Redshift clusters, OpenSearch/Elasticsearch domains, Glue and MWAA.

* Redshift: node hours and concurrency scaling are in the catalog; managed storage (RA3),
  Spectrum scans, backup storage and reserved nodes are not (the shared feed does not label
  them), so those components are ``priceNotFound`` saying so.
* OpenSearch: instance hours on demand or **reserved** (the catalog has OpenSearch's reserved
  terms: the hourly rate, and the upfront fee spread over the term's months). EBS storage and
  UltraWarm have no price in the feeds.
* Glue: catalog storage and requests, crawler and job hours (DPU-hours), from usage.
* MWAA: the environment's hours, additional workers and schedulers, and its meta database.
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
from engine.model import Unresolved

# --- Redshift ---------------------------------------------------------------------------------

REDSHIFT_MISSING = "the shared Redshift price feed does not label {what}; no price in the catalog"


@priced(
    "aws_redshift_cluster",
    usage=(
        UsageKey("managed_storage_gb", "float", "Redshift managed storage (RA3 nodes).", unit="GB"),
        UsageKey(
            "excess_concurrency_scaling_secs",
            "int",
            "Concurrency scaling beyond the free credits, in node-seconds.",
            unit="node-seconds",
        ),
        UsageKey("spectrum_data_scanned_tb", "float", "Data scanned by Spectrum.", unit="TB"),
        UsageKey("backup_storage_gb", "float", "Backup storage beyond the free.", unit="GB"),
        *reserved_usage(),
    ),
    reads=("node_type", "number_of_nodes", "cluster_type"),
    notes=("Managed storage, Spectrum, backup storage and reserved nodes have no catalog price.",),
)
def aws_redshift_cluster(ctx: Context) -> None:
    node_type = ctx.string("node_type")
    nodes = ctx.number("number_of_nodes", 1)
    if str(ctx.string("cluster_type", "")) == "single-node":
        nodes = ONE
    reserved = reserved_term(ctx)
    price: Price | str
    if isinstance(node_type, Unresolved):
        price = f"node_type is unknown: {node_type.reason}"
    elif node_type is None:
        price = "node_type is not set"
    elif isinstance(reserved, str):
        price = reserved
    elif isinstance(reserved, Reserved):
        price = no_reserved_price("Redshift", node_type, ctx.region, reserved)
    else:
        price = Price("AmazonRedshift", "Compute Instance", {"instanceType": node_type})
    shown = node_type if isinstance(node_type, str) else "?"
    label = "on-demand" if reserved is None else "reserved"
    ctx.add(
        ctx.component(
            f"Cluster usage ({label}, {shown})",
            "hours",
            price,
            hourly=nodes if nodes is not None else ONE,
        )
    )
    if shown.startswith("ra3"):
        ctx.add(
            ctx.component(
                f"Managed storage ({shown})",
                "GB",
                REDSHIFT_MISSING.format(what="managed storage (RMS)"),
                monthly=ctx.usage_number("managed_storage_gb"),
                usage_based=True,
            )
        )
    if shown.startswith(("ra3", "ds2", "dc2")):
        ctx.add(
            ctx.component(
                f"Concurrency scaling ({shown})",
                "node-seconds",
                Price(
                    "AmazonRedshift",
                    "Redshift Concurrency Scaling",
                    {"instanceType": shown, "concurrencyscalingfreeusage": "No"},
                ),
                monthly=ctx.usage_number("excess_concurrency_scaling_secs"),
                usage_based=True,
            )
        )
    for name, unit, key, what in (
        ("Spectrum", "TB", "spectrum_data_scanned_tb", "Spectrum scans"),
        ("Backup storage", "GB", "backup_storage_gb", "backup storage"),
    ):
        ctx.add(
            ctx.component(
                name,
                unit,
                REDSHIFT_MISSING.format(what=what),
                monthly=ctx.usage_number(key),
                usage_based=True,
            )
        )


# --- OpenSearch / Elasticsearch ---------------------------------------------------------------

OPENSEARCH_NOTES = (
    "Instances are priced on demand or, with reserved_instance_term and "
    "reserved_instance_payment_option, at OpenSearch's reserved rates: the hourly rate plus "
    "the upfront fee spread evenly over the term's months.",
    "EBS storage and UltraWarm nodes have no price in the catalog (priceNotFound).",
)
TERM_MONTHS = {"1yr": Decimal(12), "3yr": Decimal(36)}
FEE_PLACES = Decimal("0.0000000001")


def _search_type(instance_type: str) -> str:
    return instance_type.replace(".elasticsearch", ".search")


def _search_instances(
    ctx: Context, name: str, instance_type: str | Unresolved, count: Decimal | Unresolved
) -> None:
    reserved = reserved_term(ctx)
    shown = instance_type if isinstance(instance_type, str) else "?"
    if isinstance(instance_type, Unresolved):
        ctx.add(
            ctx.component(
                f"{name} (on-demand, ?)",
                "hours",
                f"instance_type is unknown: {instance_type.reason}",
                hourly=count,
            )
        )
        return
    attributes = {"instanceType": _search_type(instance_type)}
    if reserved is None:
        ctx.add(
            ctx.component(
                f"{name} (on-demand, {shown})",
                "hours",
                Price(
                    "AmazonES",
                    "Amazon OpenSearch Service Instance",
                    {**attributes, "termType": "OnDemand"},
                    units=("Hrs",),
                ),
                hourly=count,
            )
        )
        return
    if isinstance(reserved, str):
        ctx.add(ctx.component(f"{name} (reserved, {shown})", "hours", reserved, hourly=count))
        return
    term = {
        **attributes,
        "termType": "Reserved",
        "leaseContractLength": reserved.term,
        "purchaseOption": reserved.payment,
    }
    hourly = Price("AmazonES", "Amazon OpenSearch Service Instance", term, units=("Hrs",))
    if ctx.find(hourly)[0] is None:
        reason: Price | str = (
            f"no {reserved.words} reserved price for {shown} in {ctx.region} in the catalog"
        )
        ctx.add(ctx.component(f"{name} (reserved, {shown})", "hours", reason, hourly=count))
        return
    ctx.add(
        ctx.component(f"{name} (reserved {reserved.words}, {shown})", "hours", hourly, hourly=count)
    )
    upfront = Price("AmazonES", "Amazon OpenSearch Service Instance", term, units=("Quantity",))
    if reserved.payment != "No Upfront":
        months = TERM_MONTHS[reserved.term]
        fee = ctx.component(
            f"{name} upfront fee (spread over {months} months, {shown})",
            "instances",
            upfront,
            monthly=count,
        )
        if fee.price is not None:
            # The one-time fee per instance, spread evenly over the term (10 decimals, as the
            # Price List writes prices).
            fee.price = (fee.price / months).quantize(FEE_PLACES)
        ctx.add(fee)


def _search_domain(ctx: Context, default_type: str) -> None:
    config = ctx.blocks("cluster_config")
    block = config[0] if config else {}
    instance_type = ctx.string("instance_type", default_type, within=block, label="instance_type")
    count = ctx.number("instance_count", 1, within=block, label="instance_count")
    count = count if count is not None else ONE
    _search_instances(ctx, "Instance", instance_type or default_type, count)
    ebs = ctx.blocks("ebs_options")
    if ebs and ebs[0].get("ebs_enabled") is True:
        size = ctx.number("volume_size", 10, within=ebs[0], label="ebs_options.volume_size")
        volume_type = ctx.string("volume_type", "gp2", within=ebs[0], label="volume_type")
        total = size * count if isinstance(size, Decimal) and isinstance(count, Decimal) else size
        ctx.add(
            ctx.component(
                f"Storage ({volume_type})",
                "GB",
                "no OpenSearch EBS storage price in the catalog (the feed does not label it)",
                monthly=total,
            )
        )
    if block.get("dedicated_master_enabled") is True:
        master = ctx.string("dedicated_master_type", default_type, within=block, label="master")
        masters = ctx.number("dedicated_master_count", 3, within=block, label="master count")
        _search_instances(
            ctx, "Dedicated master", master or default_type, masters if masters else Decimal(3)
        )
    warm = ctx.string("warm_type", None, within=block, label="warm_type")
    warm_count = ctx.number("warm_count", 0, within=block, label="warm_count")
    if (
        block.get("warm_enabled") is True
        and warm
        and isinstance(warm_count, Decimal)
        and warm_count
    ):
        ctx.add(
            ctx.component(
                f"UltraWarm instance (on-demand, {warm})",
                "hours",
                "no OpenSearch UltraWarm price in the catalog (the feed does not label it)",
                hourly=warm_count,
            )
        )


@priced(
    "aws_opensearch_domain",
    usage=reserved_usage(),
    reads=("cluster_config", "ebs_options"),
    notes=OPENSEARCH_NOTES,
)
def aws_opensearch_domain(ctx: Context) -> None:
    _search_domain(ctx, "m4.large.search")


@priced(
    "aws_elasticsearch_domain",
    usage=reserved_usage(),
    reads=("cluster_config", "ebs_options"),
    notes=OPENSEARCH_NOTES,
)
def aws_elasticsearch_domain(ctx: Context) -> None:
    _search_domain(ctx, "m4.large.elasticsearch")


# --- Glue -------------------------------------------------------------------------------------


def _glue(group: str, operation: str | None = None) -> Price:
    attributes = {"group": group}
    if operation:
        attributes["operation"] = operation
    return Price("AWSGlue", "AWS Glue", attributes)


def _at_least(value: Decimal | None, threshold: Decimal) -> Decimal | None:
    """Infracost's rule for the catalog: amounts below one billing block are not charged."""
    if value is None:
        return None
    return value if value >= threshold else Decimal(0)


@priced(
    "aws_glue_catalog_database",
    usage=(
        UsageKey(
            "monthly_objects",
            "float",
            "Objects stored above the free million.",
            unit="objects",
        ),
        UsageKey(
            "monthly_requests",
            "float",
            "Requests above the free million a month.",
            unit="requests",
        ),
    ),
    notes=("Less than one 100,000-object block or one million requests is not charged.",),
)
def aws_glue_catalog_database(ctx: Context) -> None:
    ctx.add(
        ctx.component(
            "Storage",
            "100k objects",
            _glue("Data catalog storage"),
            monthly=_at_least(ctx.usage_number("monthly_objects"), Decimal(100_000)),
            per=Decimal(100_000),
            usage_based=True,
        ),
        ctx.component(
            "Requests",
            "1M requests",
            _glue("Data catalog requests"),
            monthly=_at_least(ctx.usage_number("monthly_requests"), MILLION),
            per=MILLION,
            usage_based=True,
        ),
    )


@priced(
    "aws_glue_crawler",
    usage=(UsageKey("monthly_hours", "float", "Hours the crawler runs a month.", unit="hours"),),
)
def aws_glue_crawler(ctx: Context) -> None:
    ctx.add(
        ctx.component(
            "Duration",
            "hours",
            _glue("Data catalog crawler run", "CrawlerRun"),
            monthly=ctx.usage_number("monthly_hours"),
            usage_based=True,
        )
    )


# DPUs of one worker of each Glue worker type.
WORKER_DPUS = {
    "standard": Decimal(1),
    "g.025x": Decimal("0.25"),
    "g.1x": Decimal(1),
    "g.2x": Decimal(2),
    "g.4x": Decimal(4),
    "g.8x": Decimal(8),
    "z.2x": Decimal(2),
}


def _job_dpus(ctx: Context) -> Decimal | Unresolved:
    workers = ctx.number("number_of_workers")
    if workers is not None:
        worker_type = ctx.string("worker_type", "G.1X")
        if isinstance(workers, Unresolved) or isinstance(worker_type, Unresolved):
            return Unresolved("", "number_of_workers or worker_type is unknown")
        per_worker = WORKER_DPUS.get(str(worker_type).lower())
        if per_worker is None:
            return Unresolved("", f"worker type {worker_type!r} is not known")
        return workers * per_worker
    capacity = ctx.number("max_capacity")
    if capacity is not None:
        return capacity
    commands = ctx.blocks("command")
    command = str(commands[0].get("name", "glueetl")) if commands else "glueetl"
    # AWS's defaults when neither workers nor max_capacity are given.
    default = Decimal("0.0625") if command == "pythonshell" else Decimal(10)
    ctx.note(f"max_capacity is not set: AWS's default of {default} DPUs for {command} is assumed")
    return default


@priced(
    "aws_glue_job",
    usage=(UsageKey("monthly_hours", "float", "Hours the job runs a month.", unit="hours"),),
    reads=("number_of_workers", "worker_type", "max_capacity", "command", "execution_class"),
    notes=("Flex jobs (execution_class FLEX) are priced at the Flex rate.",),
)
def aws_glue_job(ctx: Context) -> None:
    dpus = _job_dpus(ctx)
    flex = str(ctx.string("execution_class", "STANDARD")).upper() == "FLEX"
    price = _glue("ETL Job run Flex" if flex else "ETL Job run", "JobRun")
    hours = ctx.usage_number("monthly_hours")
    if isinstance(dpus, Unresolved):
        ctx.add(ctx.component("Duration", "hours", price, monthly=dpus, usage_based=True))
        return
    shown = format(dpus.normalize(), "f")
    ctx.add(
        ctx.component(
            "Duration",
            f"hours ({shown} DPUs)",
            price,
            monthly=None if hours is None else hours * dpus,
            per=dpus if dpus > 0 else ONE,
            usage_based=True,
        )
    )


# --- MWAA -------------------------------------------------------------------------------------

MWAA_SIZES = {
    "mw1.micro": "Micro",
    "mw1.small": "Small",
    "mw1.medium": "Medium",
    "mw1.large": "Large",
    "mw1.xlarge": "XLarge",
    "mw1.2xlarge": "2XLarge",
}


@priced(
    "aws_mwaa_environment",
    usage=(
        UsageKey("additional_workers", "float", "Average additional workers.", unit="workers"),
        UsageKey(
            "additional_schedulers", "float", "Average additional schedulers.", unit="schedulers"
        ),
        UsageKey("meta_database_gb", "float", "Storage of the meta database.", unit="GB"),
    ),
    reads=("environment_class",),
)
def aws_mwaa_environment(ctx: Context) -> None:
    environment_class = ctx.string("environment_class", "mw1.small")
    size: str | None = None
    reason = ""
    if isinstance(environment_class, Unresolved):
        reason = f"environment_class is unknown: {environment_class.reason}"
    else:
        size = MWAA_SIZES.get(str(environment_class).lower())
        reason = "" if size else f"environment class {environment_class!r} is not priced"
    for kind, quantity, usage_based in (
        ("Environment", ONE, False),
        ("Worker", ctx.usage_number("additional_workers"), True),
        ("Scheduler", ctx.usage_number("additional_schedulers"), True),
    ):
        price: Price | str = reason or Price(
            "AmazonMWAA", "Managed Workflows for Apache Airflow", {"size": str(size), "type": kind}
        )
        ctx.add(
            ctx.component(
                f"{kind} ({size or '?'})", "hours", price, hourly=quantity, usage_based=usage_based
            )
        )
    ctx.add(
        ctx.component(
            "Meta database",
            "GB",
            Price(
                "AmazonMWAA",
                "Managed Workflows for Apache Airflow",
                {"type": "Meta Database"},
                usage_type="Airflow-StandardDatabaseStorage",
            ),
            monthly=ctx.usage_number("meta_database_gb"),
            usage_based=True,
        )
    )
