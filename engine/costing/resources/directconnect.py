"""Direct Connect: dedicated and hosted connections (port hours, data transfer out to the DX
location) and Direct Connect gateway associations with transit gateways.

Terraform names a DX location by its AWS code (``EqDC2``); AWS's price feed names it in
words ("Equinix DC1 - DC6 & DC10 - DC11"). :data:`DX_LOCATIONS` maps the codes the engine
knows; any other code is ``priceNotFound`` with the reason.
"""

from __future__ import annotations

import re

from engine.costing.context import ONE, Context, Price
from engine.costing.registry import UsageKey, free, priced
from engine.costing.resources.network import GB_DATA, data_processed
from engine.model import Unresolved

# AWS location code -> (the port location and the data-transfer destination, as the 2020
# Direct Connect feed writes them). Only codes whose feed names are unambiguous are listed.
DX_LOCATIONS: dict[str, tuple[str, str]] = {
    "EqDC2": ("Equinix DC1 DC6 DC10 - DC11", "Equinix DC1 - DC6 & DC10 - DC11"),
    "CSVA1": ("CoreSite VA1 VA2", "CoreSite VA1 & VA2"),
    "EqSV5": ("Equinix SV1 SV5", "Equinix SV1 & SV5"),
}

# Regions a usage file may name as the source of data sent to the DX location
# (monthly_outbound_from_region_to_dx_connection_location.<region with underscores>).
_SOURCE_REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "ca-central-1",
    "ca-west-1",
    "sa-east-1",
    "mx-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "il-central-1",
    "me-south-1",
    "me-central-1",
    "af-south-1",
    "ap-east-1",
    "ap-south-1",
    "ap-south-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "cn-north-1",
    "cn-northwest-1",
)
_BANDWIDTH = re.compile(r"(?P<amount>\d+)\s*(?P<scale>[MG])bps", re.IGNORECASE)
_OUTBOUND = "monthly_outbound_from_region_to_dx_connection_location"


@priced(
    "aws_dx_connection",
    reads=("bandwidth", "location"),
    usage=(
        UsageKey(
            _OUTBOUND,
            "object",
            "Monthly outbound data transferred to the DX location, per source region "
            "(us_east_1: GB).",
            unit="GB",
            children=tuple(
                UsageKey(
                    region.replace("-", "_"),
                    "float",
                    f"Monthly outbound data transferred to the DX location from {region} in GB.",
                    unit="GB",
                )
                for region in _SOURCE_REGIONS
            ),
        ),
        UsageKey(
            "monthly_outbound_region_to_dx_location_gb",
            "float",
            "(Deprecated: use monthly_outbound_from_region_to_dx_connection_location) Monthly "
            "outbound data transferred from the connection's region to the DX location in GB.",
            unit="GB",
        ),
        UsageKey(
            "dx_virtual_interface_type",
            "string",
            "Virtual interface type (the 2020 feed prices both alike).",
            choices=("private", "public"),
        ),
        UsageKey(
            "dx_connection_type",
            "string",
            "Connection type, which decides the port's hourly price.",
            choices=("dedicated", "hosted"),
        ),
    ),
    notes=(
        "Prices are AWS's 2020 Direct Connect feed, the latest AWS published in the shared "
        "data; 100G ports and newer locations are missing.",
    ),
)
def aws_dx_connection(ctx: Context) -> None:
    bandwidth = ctx.string("bandwidth")
    code = ctx.string("location")
    hosted = (ctx.usage_string("dx_connection_type") or "dedicated").lower() == "hosted"
    names = None if isinstance(code, Unresolved) or code is None else DX_LOCATIONS.get(code)
    port: Price | str
    match = (
        None
        if isinstance(bandwidth, Unresolved) or bandwidth is None
        else (_BANDWIDTH.fullmatch(bandwidth.strip()))
    )
    if isinstance(code, Unresolved):
        port = f"location is unknown: {code.reason}"
    elif isinstance(bandwidth, Unresolved):
        port = f"bandwidth is unknown: {bandwidth.reason}"
    elif names is None:
        port = f"DX location code {code!r} is not mapped to a location of AWS's price feed"
    elif match is None:
        port = f"bandwidth {bandwidth!r} is not a Direct Connect port speed"
    else:
        port = Price(
            "AWSDirectConnect",
            "Direct Connect",
            {
                "capacity": f"{int(match['amount'])}{match['scale'].upper()}",
                "connectionType": "Hosted" if hosted else "Dedicated",
                "location": names[0],
            },
        )
    ctx.add(ctx.component("DX connection", "hours", port, hourly=ONE))
    per_region = {
        key.replace("_", "-"): value for key, value in sorted(ctx.usage_section(_OUTBOUND).items())
    }
    if not per_region:
        legacy = ctx.usage_number("monthly_outbound_region_to_dx_location_gb")
        if legacy is not None:
            per_region = {ctx.region: legacy}
    for region, value in per_region.items():
        gb = ctx.usage_number(region.replace("-", "_"), within={region.replace("-", "_"): value})
        transfer: Price | str = (
            Price("AWSDirectConnect", "Data Transfer", {"toLocation": names[1]}, region=region)
            if names is not None
            else port
            if isinstance(port, str)
            else "the DX location is unknown"
        )
        ctx.add(
            ctx.component(
                f"Outbound data transfer (from {region}, to {code})",
                "GB",
                transfer,
                monthly=gb,
                usage_based=True,
            )
        )


@priced(
    "aws_dx_gateway_association",
    reads=("associated_gateway_id",),
    usage=(data_processed("the DX gateway association"),),
    notes=(
        "An association with a transit gateway pays the transit gateway's attachment hours "
        "and data processing; one with a virtual private gateway is free.",
    ),
)
def aws_dx_gateway_association(ctx: Context) -> None:
    gateway = ctx.raw("associated_gateway_id")
    if ctx.referenced("associated_gateway_id", "aws_vpn_gateway") is not None or (
        isinstance(gateway, str)
        and not isinstance(gateway, Unresolved)
        and gateway.startswith("vgw-")
    ):
        ctx.free("associations with a virtual private gateway are free")
        return
    attachment = {"attachmentType": "Direct Connect Gateway"}
    ctx.add(
        ctx.component(
            "Data processed",
            "GB",
            Price("AmazonVPC", "Transit Gateway", attachment, units=("GB",)),
            monthly=ctx.usage_number(GB_DATA),
            usage_based=True,
        ),
        ctx.component(
            "Transit gateway attachment",
            "hours",
            Price("AmazonVPC", "Transit Gateway", attachment, units=("Hrs",)),
            hourly=ONE,
        ),
    )


free(
    "aws_dx_gateway",
    "aws_dx_private_virtual_interface",
    "aws_dx_public_virtual_interface",
    "aws_dx_transit_virtual_interface",
    reason="Direct Connect gateways and virtual interfaces have no charge of their own",
)
