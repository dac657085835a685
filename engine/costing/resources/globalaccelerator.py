"""Global Accelerator: the accelerator's fixed hourly fee and the data-transfer premium
(DT-Premium) between pricing geographies, on accelerators and endpoint groups.

AWS charges the premium per GB in the *dominant* direction only (inbound or outbound,
whichever carried more that month), from the geography of the AWS Region serving the traffic
to the geography of the clients' edge location, with one rate table for either direction
(Global Accelerator pricing page). The catalog holds that table under the inbound usage
types, the only ones AWS's feed labels; it is used for the outbound direction too.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.costing.context import ONE, Context, Price
from engine.costing.registry import UsageKey, free, priced
from engine.model import Unresolved

_INBOUND = "monthly_inbound_data_transfer_gb"
_OUTBOUND = "monthly_outbound_data_transfer_gb"


@dataclass(frozen=True)
class _Geography:
    key: str  # in usage keys
    code: str  # the catalog's fromLocation / toLocation
    name: str  # AWS's name for the geography (endpoint-group sub-resources)


_GEOGRAPHIES = (
    _Geography("north_america", "NA", "US, Mexico, Canada"),
    _Geography("europe", "EU", "Europe"),
    _Geography("south_africa", "ZA", "South Africa, Kenya"),
    _Geography("south_america", "SA", "South America"),
    _Geography("south_korea", "KR", "South Korea"),
    _Geography("middle_east", "ME", "Middle East"),
    _Geography("australia", "AU", "Australia, New Zealand"),
    _Geography("asia_pacific", "AP", "Asia Pacific"),
    _Geography("india", "IN", "India, Indonesia, Philippines, Thailand"),
)
_BY_KEY = {geo.key: geo for geo in _GEOGRAPHIES}

# The geography of each AWS Region, as Global Accelerator's price table groups them.
_REGION_GEOGRAPHY = {
    "us-east-1": "NA",
    "us-east-2": "NA",
    "us-west-1": "NA",
    "us-west-2": "NA",
    "ca-central-1": "NA",
    "ca-west-1": "NA",
    "us-gov-east-1": "NA",
    "us-gov-west-1": "NA",
    "eu-central-1": "EU",
    "eu-central-2": "EU",
    "eu-west-1": "EU",
    "eu-west-2": "EU",
    "eu-west-3": "EU",
    "eu-south-1": "EU",
    "eu-south-2": "EU",
    "eu-north-1": "EU",
    "il-central-1": "EU",
    "ap-east-1": "AP",
    "ap-northeast-1": "AP",
    "ap-northeast-2": "AP",
    "ap-northeast-3": "AP",
    "ap-southeast-1": "AP",
    "ap-southeast-2": "AP",
    "ap-southeast-3": "AP",
    "ap-southeast-4": "AP",
    "ap-south-1": "AP",
    "ap-south-2": "AP",
    "me-central-1": "ME",
    "me-south-1": "ME",
    "sa-east-1": "SA",
    "af-south-1": "ZA",
}


def _premium(source: str, destination: str) -> Price:
    return Price(
        "AWSGlobalAccelerator",
        "Data Transfer Premium",
        {"fromLocation": source, "toLocation": destination, "trafficDirection": "In"},
        region="",
    )


def _pair_keys(description: str) -> tuple[UsageKey, ...]:
    return tuple(
        UsageKey(
            f"from_{source.key}_to_{destination.key}",
            "float",
            f"{description} from {source.name} to {destination.name} in GB.",
            unit="GB",
        )
        for source in _GEOGRAPHIES
        for destination in _GEOGRAPHIES
    )


def _dominant(ctx: Context) -> tuple[str, dict[str, Decimal | None]] | None:
    """The dominant direction ("In" or "Out") and its GB per usage key, or ``None``."""
    totals: dict[str, dict[str, Decimal | None]] = {}
    for direction, key in (("In", _INBOUND), ("Out", _OUTBOUND)):
        section = ctx.usage_section(key)
        values = {name: ctx.usage_number(name, within=section) for name in section}
        totals[direction] = {name: value for name, value in values.items() if value is not None}
    inbound, outbound = (
        sum((value for value in totals[d].values() if value is not None), Decimal(0))
        for d in ("In", "Out")
    )
    if not totals["In"] and not totals["Out"]:
        return None
    # AWS's pricing page does not say which direction wins a tie; inbound, as Infracost.
    direction = "Out" if outbound > inbound else "In"
    return direction, totals[direction]


@priced(
    "aws_globalaccelerator_accelerator",
    usage=(
        UsageKey(
            _INBOUND,
            "object",
            "Monthly inbound data transferred, per pair of geographies (from the AWS Region's, "
            "to the clients').",
            unit="GB",
            children=_pair_keys("Monthly inbound data"),
        ),
        UsageKey(
            _OUTBOUND,
            "object",
            "Monthly outbound data transferred, per pair of geographies.",
            unit="GB",
            children=_pair_keys("Monthly outbound data"),
        ),
    ),
    notes=(
        "The data-transfer premium is charged on the dominant direction only.",
        "Data transfer out of AWS itself is billed on the endpoints (aws_data_transfer).",
    ),
)
def aws_globalaccelerator_accelerator(ctx: Context) -> None:
    ctx.add(
        ctx.component(
            "Global Accelerator Fixed Fee",
            "hours",
            Price("AWSGlobalAccelerator", "Accelerator", {}, region=""),
            hourly=ONE,
        )
    )
    dominant = _dominant(ctx)
    if dominant is None:
        return
    direction, values = dominant
    for key, gb in values.items():
        source_key, _, destination_key = key.removeprefix("from_").partition("_to_")
        source, destination = _BY_KEY[source_key], _BY_KEY[destination_key]
        ctx.add(
            ctx.component(
                f"Global Accelerator DT-Premium Usage {direction.upper()} from {source.code} "
                f"to {destination.code}",
                "GB",
                _premium(source.code, destination.code),
                monthly=gb,
                usage_based=True,
            )
        )


# The endpoint group's usage names the clients' geography; "us" is North America.
_ENDPOINT_KEYS = {"us": "north_america"} | {
    geo.key: geo.key for geo in _GEOGRAPHIES if geo.key != "north_america"
}


def _endpoint_keys(description: str) -> tuple[UsageKey, ...]:
    return tuple(
        UsageKey(key, "float", f"{description}: {_BY_KEY[geo].name}, in GB.", unit="GB")
        for key, geo in _ENDPOINT_KEYS.items()
    )


@priced(
    "aws_globalaccelerator_endpoint_group",
    reads=("endpoint_group_region",),
    usage=(
        UsageKey(
            _INBOUND,
            "object",
            "Monthly inbound data transferred, per geography of the clients.",
            unit="GB",
            children=_endpoint_keys("Monthly inbound data"),
        ),
        UsageKey(
            _OUTBOUND,
            "object",
            "Monthly outbound data transferred, per geography of the clients.",
            unit="GB",
            children=_endpoint_keys("Monthly outbound data"),
        ),
        UsageKey(
            "request_duration_ms",
            "int",
            "Average duration of each request in milliseconds (documented by Infracost; it "
            "does not change the price).",
            unit="ms",
        ),
    ),
    notes=("The data-transfer premium is charged on the dominant direction only.",),
)
def aws_globalaccelerator_endpoint_group(ctx: Context) -> None:
    region = ctx.string("endpoint_group_region") or ctx.region
    # Without usage, the premium to North American clients shows what a GB costs.
    direction, values = _dominant(ctx) or ("In", {"us": None})
    name = "Inbound data transfer" if direction == "In" else "Outbound data transfer"
    source = None if isinstance(region, Unresolved) else _REGION_GEOGRAPHY.get(region)
    for key, gb in values.items():
        destination = _BY_KEY[_ENDPOINT_KEYS[key]]
        price: Price | str
        if isinstance(region, Unresolved):
            price = f"endpoint_group_region is unknown: {region.reason}"
        elif source is None:
            price = f"no Global Accelerator pricing geography for region {region}"
        else:
            price = _premium(source, destination.code)
        ctx.subresource(
            destination.name,
            [ctx.component(name, "GB", price, monthly=gb, usage_based=True)],
        )


free(
    "aws_globalaccelerator_listener",
    reason="listener configuration; the accelerator and its traffic are priced",
)
