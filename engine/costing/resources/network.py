"""Networking in a region: NAT gateways, load balancers, VPC endpoints, transit gateway
attachments, site-to-site and client VPN, traffic mirroring and Network Firewall.

Each is an hourly charge for existing, plus a usage-based charge per GB processed where AWS
has one (``monthly_data_processed_gb`` in the usage file). DNS is in
:mod:`engine.costing.resources.dns`, edge services (CloudFront, Global Accelerator) in
:mod:`engine.costing.resources.edge`, Direct Connect in
:mod:`engine.costing.resources.directconnect`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.costing.context import ONE, Context, Price
from engine.costing.registry import UsageKey, free, priced
from engine.model import Unresolved

GB_DATA = "monthly_data_processed_gb"


def data_processed(what: str) -> UsageKey:
    """The ``monthly_data_processed_gb`` key, described for ``what``."""
    return UsageKey(GB_DATA, "float", f"Monthly data processed by {what} in GB.", unit="GB")


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


@priced("aws_nat_gateway", usage=(data_processed("the NAT gateway"),))
def aws_nat_gateway(ctx: Context) -> None:
    _hours_and_data(
        ctx,
        "NAT gateway",
        "AmazonEC2",
        "NAT Gateway",
        ("NatGateway-Hours", "NatGateway-Bytes"),
        ctx.usage_number(GB_DATA),
    )


# --- load balancers -------------------------------------------------------------------------


@dataclass(frozen=True)
class _LoadBalancer:
    """One kind of ``aws_lb``: its product family and what one capacity unit covers
    (AWS's ELB pricing page: new connections per second, active connections per minute, GB
    processed, rule evaluations per second; ``None`` where the dimension does not exist)."""

    name: str
    family: str
    new_connections: Decimal
    active_connections: Decimal
    gb: Decimal
    rule_evaluations: Decimal | None


_LOAD_BALANCERS = {
    "application": _LoadBalancer(
        "Application load balancer",
        "Load Balancer-Application",
        Decimal(25),
        Decimal(3000),
        ONE,
        Decimal(1000),
    ),
    "network": _LoadBalancer(
        "Network load balancer",
        "Load Balancer-Network",
        Decimal(800),
        Decimal(100_000),
        ONE,
        None,
    ),
    "gateway": _LoadBalancer(
        "Gateway load balancer",
        "Load Balancer-Gateway",
        Decimal(600),
        Decimal(60_000),
        ONE,
        None,
    ),
}

LB_USAGE = (
    UsageKey(
        "new_connections",
        "int",
        "Number of newly established connections per second on average.",
        unit="connections/s",
    ),
    UsageKey(
        "active_connections",
        "int",
        "Number of active connections per minute on average.",
        unit="connections/min",
    ),
    UsageKey(
        "processed_bytes_gb",
        "float",
        "Monthly GB processed by the load balancer for requests and responses.",
        unit="GB",
    ),
    UsageKey(
        "rule_evaluations",
        "int",
        "The product of the number of rules processed and the request rate (per second); "
        "application load balancers only.",
        unit="evaluations/s",
    ),
)


def _lcu_hours(ctx: Context, kind: _LoadBalancer) -> Decimal | None:
    """The month's LCU-hours: the largest dimension, each usage value divided by what one
    capacity unit covers. A month's ``processed_bytes_gb`` of 1,000 GB is 1,000 LCU-hours (an
    LCU processes 1 GB an hour), never 1,000 LCUs in each of the 730 hours; the other keys
    combine the same way, as Infracost combines them, so that one usage file gives one
    answer in both tools."""
    dimensions = (
        ("new_connections", kind.new_connections),
        ("active_connections", kind.active_connections),
        ("processed_bytes_gb", kind.gb),
        ("rule_evaluations", kind.rule_evaluations),
    )
    values = []
    for key, per_unit in dimensions:
        given = ctx.usage_number(key)
        if given is not None and per_unit is not None:
            values.append(given / per_unit)
    return max(values) if values else None


@priced(
    "aws_lb",
    "aws_alb",
    reads=("load_balancer_type",),
    usage=LB_USAGE,
    notes=(
        "Capacity units: the month's LCU-hours are the largest of new_connections / 25, "
        "active_connections / 3,000, processed_bytes_gb / 1 and rule_evaluations / 1,000 "
        "(application; network 800 / 100,000 / 1 GB; gateway 600 / 60,000 / 1 GB), the way "
        "Infracost combines these usage keys.",
    ),
)
def aws_lb(ctx: Context) -> None:
    kind_name = ctx.string("load_balancer_type", "application")
    if isinstance(kind_name, Unresolved) or kind_name not in _LOAD_BALANCERS:
        reason = (
            f"load_balancer_type is unknown: {kind_name.reason}"
            if isinstance(kind_name, Unresolved)
            else f"load balancer type {kind_name!r} is not priced"
        )
        ctx.add(ctx.component("Load balancer", "hours", reason, hourly=ONE))
        return
    kind = _LOAD_BALANCERS[kind_name]
    ctx.add(
        ctx.component(
            kind.name,
            "hours",
            Price("AWSELB", kind.family, {}, usage_type="LoadBalancerUsage"),
            hourly=ONE,
        ),
        ctx.component(
            "Load balancer capacity units",
            "LCU-hours",
            Price("AWSELB", kind.family, {}, usage_type="LCUUsage"),
            monthly=_lcu_hours(ctx, kind),
            usage_based=True,
        ),
    )


@priced("aws_elb", usage=(data_processed("the Classic Load Balancer"),))
def aws_elb(ctx: Context) -> None:
    _hours_and_data(
        ctx,
        "Classic load balancer",
        "AWSELB",
        "Load Balancer",
        ("LoadBalancerUsage", "DataProcessing-Bytes"),
        ctx.usage_number(GB_DATA),
    )


# --- VPC endpoints ----------------------------------------------------------------------------


@priced(
    "aws_vpc_endpoint",
    reads=("vpc_endpoint_type", "subnet_ids"),
    usage=(data_processed("the VPC endpoint"),),
    notes=(
        "Gateway endpoints (S3, DynamoDB) are free.",
        "Interface endpoints pay one hourly charge per subnet (one network interface each); "
        "without subnet_ids, one interface is assumed.",
    ),
)
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
            "Endpoint (GatewayLoadBalancer)",
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
        # AWS places an interface endpoint in at least one subnet; the subnets may also come
        # from aws_vpc_endpoint_subnet_association resources.
        interfaces = ONE
        ctx.note("subnet_ids not set: one network interface assumed")
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


# --- transit gateway and VPN ------------------------------------------------------------------


def _transit_attachment(ctx: Context, attachment: str | None) -> None:
    """The hourly charge of a transit gateway attachment; ``attachment`` is the catalog's
    ``attachmentType`` (``None``: a VPC attachment)."""
    if attachment is None:
        price = Price("AmazonVPC", "Transit Gateway", {}, usage_type="TransitGateway-Hours")
    else:
        price = Price(
            "AmazonVPC", "Transit Gateway", {"attachmentType": attachment}, units=("Hrs",)
        )
    ctx.add(ctx.component("Transit gateway attachment", "hours", price, hourly=ONE))


def _transit_data(ctx: Context, attachment: str | None) -> None:
    """Data processed by the transit gateway for one attachment (usage-based, GB)."""
    if attachment is None:
        price = Price("AmazonVPC", "Transit Gateway", {}, usage_type="TransitGateway-Bytes")
    else:
        price = Price("AmazonVPC", "Transit Gateway", {"attachmentType": attachment}, units=("GB",))
    ctx.add(
        ctx.component(
            "Data processed", "GB", price, monthly=ctx.usage_number(GB_DATA), usage_based=True
        )
    )


@priced(
    "aws_ec2_transit_gateway_vpc_attachment",
    usage=(data_processed("the transit gateway for this attachment"),),
)
def aws_ec2_transit_gateway_vpc_attachment(ctx: Context) -> None:
    _transit_attachment(ctx, None)
    _transit_data(ctx, None)


@priced(
    "aws_ec2_transit_gateway_peering_attachment",
    usage=(),
    notes=(
        "Priced in the provider's region (the requester's transit gateway); data sent over "
        "a peering attachment is billed as inter-region data transfer (aws_data_transfer).",
    ),
)
def aws_ec2_transit_gateway_peering_attachment(ctx: Context) -> None:
    _transit_attachment(ctx, "Peering")


@priced(
    "aws_vpn_connection",
    reads=("transit_gateway_id",),
    usage=(data_processed("a transit gateway attached to the VPN connection"),),
    notes=(
        "A VPN connection on a transit gateway also pays the transit gateway's attachment "
        "hours and data processing.",
    ),
)
def aws_vpn_connection(ctx: Context) -> None:
    ctx.add(
        ctx.component(
            "VPN connection",
            "hours",
            Price("AmazonVPC", "Cloud Connectivity", {}, usage_type="VPN-Usage-Hours"),
            hourly=ONE,
        )
    )
    gateway = ctx.raw("transit_gateway_id")
    if gateway is None or gateway == "":
        return
    # An unknown ID (``aws_ec2_transit_gateway.tgw.id``) still says that one is attached.
    _transit_attachment(ctx, "VPN")
    _transit_data(ctx, "VPN")


@priced("aws_ec2_client_vpn_endpoint", usage=())
def aws_ec2_client_vpn_endpoint(ctx: Context) -> None:
    ctx.add(
        ctx.component(
            "Connection",
            "hours",
            Price("AmazonVPC", "Client VPN", {"group": "Connection"}),
            hourly=ONE,
        )
    )
    ctx.note("one client connection is priced, as Infracost does; each further one costs as much")


@priced("aws_ec2_client_vpn_network_association", usage=())
def aws_ec2_client_vpn_network_association(ctx: Context) -> None:
    ctx.add(
        ctx.component(
            "Endpoint association",
            "hours",
            Price("AmazonVPC", "Client VPN", {"group": "Endpoint Association"}),
            hourly=ONE,
        )
    )


@priced("aws_ec2_traffic_mirror_session", usage=())
def aws_ec2_traffic_mirror_session(ctx: Context) -> None:
    ctx.add(
        ctx.component(
            "Traffic mirror", "hours", Price("AmazonVPC", "Traffic Mirroring", {}), hourly=ONE
        )
    )


# --- Network Firewall -------------------------------------------------------------------------


@priced(
    "aws_networkfirewall_firewall",
    reads=("subnet_mapping",),
    usage=(data_processed("the Network Firewall"),),
    notes=(
        "One firewall endpoint per subnet_mapping (one per availability zone), standard "
        "inspection; the NAT gateway hours and GB that AWS waives for traffic through the "
        "firewall are not deducted.",
    ),
)
def aws_networkfirewall_firewall(ctx: Context) -> None:
    inspection = {"inspectionType": "Standard"}
    mappings = ctx.blocks_or_unknown("subnet_mapping")
    endpoints: Decimal | Unresolved = (
        mappings if isinstance(mappings, Unresolved) else Decimal(max(len(mappings), 1))
    )
    ctx.add(
        ctx.component(
            "Network Firewall Endpoint",
            "hours",
            Price("AWSNetworkFirewall", "AWS Firewall", inspection, usage_type="Endpoint-Hour"),
            hourly=endpoints,
        ),
        ctx.component(
            "Data Processed",
            "GB",
            Price(
                "AWSNetworkFirewall", "AWS Firewall", inspection, usage_type="Traffic-GB-Processed"
            ),
            monthly=ctx.usage_number(GB_DATA),
            usage_based=True,
        ),
    )


free(
    "aws_ec2_transit_gateway",
    "aws_ec2_transit_gateway_route",
    "aws_ec2_transit_gateway_route_table",
    "aws_ec2_transit_gateway_route_table_association",
    "aws_ec2_transit_gateway_route_table_propagation",
    reason="a transit gateway and its routes cost nothing; its attachments are priced",
)
free(
    "aws_ec2_client_vpn_authorization_rule",
    "aws_ec2_client_vpn_route",
    reason="client VPN configuration; the endpoint and its associations are priced",
)
free(
    "aws_ec2_traffic_mirror_filter",
    "aws_ec2_traffic_mirror_filter_rule",
    "aws_ec2_traffic_mirror_target",
    reason="traffic mirroring configuration; mirror sessions are priced",
)
free(
    "aws_networkfirewall_firewall_policy",
    "aws_networkfirewall_rule_group",
    "aws_networkfirewall_logging_configuration",
    reason="Network Firewall configuration; the firewall's endpoints are priced",
)
