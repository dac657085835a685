"""Networking: NAT gateways, load balancers, VPC endpoints, transit gateway, VPN, Route 53."""

from __future__ import annotations

from decimal import Decimal

from engine.costing.context import ONE, Context, Price
from engine.costing.registry import priced
from engine.model import Unresolved

GB_DATA = "monthly_data_processed_gb"


def _hours_and_data(
    ctx: Context,
    name: str,
    service: str,
    family: str,
    usage_types: tuple[str, str],
    data: Decimal | None,
) -> None:
    """An hourly charge ``name`` and a usage-based "Data processed" charge (GB), two usage
    types of one product family: ``usage_types`` is (hours, bytes)."""
    hours, data_bytes = usage_types
    ctx.add(
        ctx.component(name, "hours", Price(service, family, {}, usage_type=hours), hourly=ONE),
        ctx.component(
            "Data processed",
            "GB",
            Price(service, family, {}, usage_type=data_bytes),
            monthly=data,
            usage_based=True,
        ),
    )


@priced("aws_nat_gateway")
def aws_nat_gateway(ctx: Context) -> None:
    _hours_and_data(
        ctx,
        "NAT gateway",
        "AmazonEC2",
        "NAT Gateway",
        ("NatGateway-Hours", "NatGateway-Bytes"),
        ctx.usage_number(GB_DATA),
    )


# Load balancer capacity units: (new connections/s, active connections/min, GB/h) per LCU,
# and rule evaluations/s for ALBs (AWS's ELB pricing pages).
_LCU_DIMENSIONS = {
    "application": (Decimal(25), Decimal(3000), Decimal(1), Decimal(1000)),
    "network": (Decimal(800), Decimal(100_000), Decimal(1), None),
    "gateway": (Decimal(600), Decimal(60_000), Decimal(1), None),
}
_LB_FAMILIES = {
    "application": ("Application load balancer", "Load Balancer-Application"),
    "network": ("Network load balancer", "Load Balancer-Network"),
    "gateway": ("Gateway load balancer", "Load Balancer-Gateway"),
}


def _lcus(ctx: Context, kind: str) -> Decimal | None:
    new_per, active_per, gb_per, rules_per = _LCU_DIMENSIONS[kind]
    values = []
    for key, per in (
        ("new_connections", new_per),
        ("active_connections", active_per),
        ("processed_bytes_gb", gb_per),
        ("rule_evaluations", rules_per),
    ):
        given = ctx.usage_number(key)
        if given is not None and per is not None:
            values.append(given / per)
    return max(values) if values else None


@priced("aws_lb", "aws_alb")
def aws_lb(ctx: Context) -> None:
    kind = ctx.string("load_balancer_type", "application")
    if isinstance(kind, Unresolved) or kind not in _LB_FAMILIES:
        reason = (
            f"load_balancer_type is unknown: {kind.reason}"
            if isinstance(kind, Unresolved)
            else f"load balancer type {kind!r} is not priced"
        )
        ctx.add(ctx.component("Load balancer", "hours", reason, hourly=ONE))
        return
    name, family = _LB_FAMILIES[kind]
    ctx.add(
        ctx.component(
            name, "hours", Price("AWSELB", family, {}, usage_type="LoadBalancerUsage"), hourly=ONE
        ),
        ctx.component(
            "Load balancer capacity units",
            "LCU",
            Price("AWSELB", family, {}, usage_type="LCUUsage"),
            hourly=_lcus(ctx, kind),
            usage_based=True,
        ),
    )
    ctx.note(
        "capacity units from usage: new_connections (per second), active_connections "
        "(per minute), processed_bytes_gb (per hour), rule_evaluations (per second)"
    )


@priced("aws_elb")
def aws_elb(ctx: Context) -> None:
    _hours_and_data(
        ctx,
        "Classic load balancer",
        "AWSELB",
        "Load Balancer",
        ("LoadBalancerUsage", "DataProcessing-Bytes"),
        ctx.usage_number(GB_DATA),
    )


@priced("aws_vpc_endpoint")
def aws_vpc_endpoint(ctx: Context) -> None:
    kind = ctx.string("vpc_endpoint_type", "Gateway")
    if kind == "Gateway":
        ctx.free("gateway endpoints (S3, DynamoDB) are free")
        return
    if isinstance(kind, Unresolved):
        ctx.add(
            ctx.component(
                "Endpoint", "hours", f"endpoint type is unknown: {kind.reason}", hourly=ONE
            )
        )
        return
    data = ctx.usage_number(GB_DATA)
    if kind == "GatewayLoadBalancer":
        _hours_and_data(
            ctx,
            "Endpoint (Gateway Load Balancer)",
            "AmazonVPC",
            "VpcEndpoint",
            ("VpcEndpoint-GWE-Hours", "VpcEndpoint-GWE-Bytes"),
            data,
        )
        return
    if kind != "Interface":
        ctx.add(
            ctx.component(
                f"Endpoint ({kind})", "hours", f"endpoint type {kind!r} is not priced", hourly=ONE
            )
        )
        return
    subnets = ctx.list_of("subnet_ids")
    interfaces: Decimal | Unresolved
    if isinstance(subnets, Unresolved):
        interfaces = subnets
    elif subnets:
        interfaces = Decimal(len(subnets))
    else:
        interfaces = Unresolved("", "subnet_ids not set: the number of interfaces is unknown")
        ctx.unknown("subnet_ids", interfaces.reason)
    ctx.add(
        ctx.component(
            "Endpoint (Interface)",
            "hours",
            Price("AmazonVPC", "VpcEndpoint", {}, usage_type="VpcEndpoint-Hours"),
            hourly=interfaces,
        )
    )
    ctx.add(
        *ctx.tiered(
            (
                "Data processed (first 1PB)",
                "Data processed (next 4PB)",
                "Data processed (over 5PB)",
            ),
            "GB",
            Price("AmazonVPC", "VpcEndpoint", {}, usage_type="VpcEndpoint-Bytes"),
            monthly=data,
            usage_based=True,
        )
    )
    ctx.note("one hourly charge per interface (one per subnet)")


@priced("aws_ec2_transit_gateway_vpc_attachment")
def aws_ec2_transit_gateway_vpc_attachment(ctx: Context) -> None:
    _hours_and_data(
        ctx,
        "Transit gateway attachment",
        "AmazonVPC",
        "Transit Gateway",
        ("TransitGateway-Hours", "TransitGateway-Bytes"),
        ctx.usage_number(GB_DATA),
    )


@priced("aws_vpn_connection")
def aws_vpn_connection(ctx: Context) -> None:
    ctx.add(
        ctx.component(
            "VPN connection",
            "hours",
            Price("AmazonVPC", "Cloud Connectivity", {}, usage_type="VPN-Usage-Hours"),
            hourly=ONE,
        )
    )


# --- Route 53 (global prices) ---------------------------------------------------------------


@priced("aws_route53_zone")
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


_ROUTING = (
    ("latency_routing_policy", "Latency", "Latency based routing queries", "latency_based"),
    ("geolocation_routing_policy", "Geo DNS", "Geo DNS queries", "geo"),
    ("geoproximity_routing_policy", "Geoproximity", "Geoproximity queries", "geoproximity"),
    ("cidr_routing_policy", "IP Based", "IP-based routing queries", "ip_based"),
)


@priced("aws_route53_record")
def aws_route53_record(ctx: Context) -> None:
    alias = ctx.blocks("alias")
    if alias:
        ctx.free("alias records: queries to AWS resources are free")
        return
    routing, label, key = "Standard", "Standard queries", "standard"
    for attribute, kind, name, usage_key in _ROUTING:
        blocks = ctx.blocks(attribute)
        if blocks:
            routing, label, key = kind, name, usage_key
            break
    queries = ctx.usage_number(f"monthly_{key}_queries")
    ctx.add(
        *ctx.tiered(
            (f"{label} (first 1B)", f"{label} (over 1B)"),
            "1M queries",
            Price("AmazonRoute53", "DNS Query", {"routingType": routing}, region=""),
            monthly=queries,
            per=Decimal(1_000_000),
            usage_based=True,
        )
    )


@priced("aws_route53_health_check")
def aws_route53_health_check(ctx: Context) -> None:
    endpoint = "Non-AWS" if ctx.usage_string("endpoint_type") == "non_aws" else "AWS"
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
    ctx.note(f"endpoint assumed {endpoint} (usage endpoint_type: aws or non_aws)")
