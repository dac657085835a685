"""Route 53: hosted zones, records (queries), health checks (global prices) and Resolver
endpoints (regional)."""

from __future__ import annotations

from decimal import Decimal

from engine.costing.context import MILLION, ONE, Context, Price
from engine.costing.registry import UsageKey, free, priced


@priced("aws_route53_zone", usage=())
def aws_route53_zone(ctx: Context) -> None:
    ctx.add(
        ctx.component(
            "Hosted zone",
            "months",
            Price("AmazonRoute53", "DNS Zone", {}, region=""),
            monthly=ONE,
        )
    )
    ctx.note("priced at the first-25-zones rate; zones beyond 25 per account cost less")


# Usage key -> (component label, catalog routingType), in Infracost's order. Geoproximity
# queries cost as much as Geo DNS ones and are counted in monthly_geo_queries.
_QUERIES = (
    ("monthly_standard_queries", "Standard queries", "Standard"),
    ("monthly_latency_based_queries", "Latency based routing queries", "Latency"),
    ("monthly_geo_queries", "Geo DNS queries", "Geo DNS"),
)


@priced(
    "aws_route53_record",
    reads=("alias",),
    usage=(
        UsageKey(
            "monthly_standard_queries", "int", "Monthly number of Standard queries.", unit="queries"
        ),
        UsageKey(
            "monthly_latency_based_queries",
            "int",
            "Monthly number of Latency Based Routing queries.",
            unit="queries",
        ),
        UsageKey(
            "monthly_geo_queries",
            "int",
            "Monthly number of Geo DNS and Geoproximity queries.",
            unit="queries",
        ),
    ),
    notes=(
        "Alias records to AWS resources are free; an alias to another Route 53 record is "
        "priced as a record.",
        "Each kind of query is priced from its own usage key, whatever the routing policy.",
    ),
)
def aws_route53_record(ctx: Context) -> None:
    if ctx.blocks("alias") and ctx.referenced("alias", "aws_route53_record") is None:
        ctx.free("alias records: queries to AWS resources are free")
        return
    for key, label, routing in _QUERIES:
        ctx.add(
            *ctx.tiered(
                (f"{label} (first 1B)", f"{label} (over 1B)"),
                "1M queries",
                Price("AmazonRoute53", "DNS Query", {"routingType": routing}, region=""),
                monthly=ctx.usage_number(key),
                per=MILLION,
                usage_based=True,
                always_first=False,
            )
        )


@priced(
    "aws_route53_health_check",
    reads=("type", "request_interval", "measure_latency"),
    usage=(
        UsageKey(
            "endpoint_type",
            "string",
            "Type of health check endpoint to query.",
            choices=("aws", "non_aws"),
        ),
    ),
    notes=(
        "Optional features: HTTPS, string matching, 10-second interval and latency "
        "measurement, one charge each.",
        "The 50 free health checks of AWS endpoints are not deducted.",
    ),
)
def aws_route53_health_check(ctx: Context) -> None:
    given = (ctx.usage_string("endpoint_type") or "aws").lower()
    endpoint = "Non-AWS" if given.replace("-", "_") == "non_aws" else "AWS"
    check_type = str(ctx.string("type", "HTTP")).upper()
    features = Decimal(0)
    if check_type.startswith("HTTPS"):
        features += 1
    if check_type.endswith("STR_MATCH"):
        features += 1
    if ctx.number("request_interval", 30) == 10:
        features += 1
    if ctx.boolean("measure_latency", False) is True:
        features += 1
    ctx.add(
        ctx.component(
            "Health check",
            "months",
            Price(
                "AmazonRoute53",
                "DNS Health Check",
                {"endpointType": endpoint, "healthCheckFeature": "Basic"},
                region="",
            ),
            monthly=ONE,
        )
    )
    if features:
        ctx.add(
            ctx.component(
                "Optional features",
                "months",
                Price(
                    "AmazonRoute53",
                    "DNS Health Check",
                    {"endpointType": endpoint, "healthCheckFeature": "Optional"},
                    region="",
                ),
                monthly=features,
            )
        )


@priced(
    "aws_route53_resolver_endpoint",
    reads=("ip_address",),
    usage=(
        UsageKey(
            "monthly_queries",
            "int",
            "Monthly number of DNS queries processed through the endpoints.",
            unit="queries",
        ),
    ),
    notes=("One elastic network interface per ip_address block, each billed per hour.",),
)
def aws_route53_resolver_endpoint(ctx: Context) -> None:
    addresses = ctx.blocks_or_unknown("ip_address")
    interfaces = addresses if not isinstance(addresses, list) else Decimal(len(addresses))
    ctx.add(
        ctx.component(
            "Resolver endpoints",
            "hours",
            Price("AmazonRoute53", "Route 53 Resolver", {"group": "Endpoint ENI"}),
            hourly=interfaces,
        )
    )
    ctx.add(
        *ctx.tiered(
            ("DNS queries (first 1B)", "DNS queries (over 1B)"),
            "1M queries",
            Price("AmazonRoute53", "Route 53 Resolver", {"group": "Queries"}),
            monthly=ctx.usage_number("monthly_queries"),
            per=MILLION,
            usage_based=True,
        )
    )


free(
    "aws_route53_resolver_rule",
    "aws_route53_resolver_rule_association",
    "aws_route53_delegation_set",
    "aws_route53_hosted_zone_dnssec",
    reason="Route 53 configuration; zones, queries and resolver endpoints are priced",
)
