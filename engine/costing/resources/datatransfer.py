"""``aws_data_transfer``: data transfer out of a region, a usage-only type (as in Infracost).

No Terraform resource exists for it: an entry ``aws_data_transfer.<name>`` in a usage file's
``resource_usage`` (with a ``region`` key) becomes a resource of the estimate
(:func:`engine.costing.estimate.usage_only_resources`), priced here from AWS's data-transfer
feed: to the internet (tiered), to the other US East region, and to another region.
"""

from __future__ import annotations

from decimal import Decimal

from engine.costing.context import Context, Price
from engine.costing.registry import UsageKey, priced

TYPE = "aws_data_transfer"

# The destination Infracost prices "to other regions" at: a neighbouring region of the same
# continent where there is one (the inter-region rate depends on the pair).
_OTHER_REGION = {
    "us-east-1": "us-west-2",
    "us-west-1": "us-west-2",
    "cn-north-1": "cn-northwest-1",
    "cn-northwest-1": "cn-north-1",
}
_DEFAULT_OTHER_REGION = "us-west-1"

_INTERNET_TIERS = (
    "Outbound data transfer to Internet (first 10TB)",
    "Outbound data transfer to Internet (next 40TB)",
    "Outbound data transfer to Internet (next 100TB)",
    "Outbound data transfer to Internet (over 150TB)",
)


def _gb(description: str, key: str) -> UsageKey:
    return UsageKey(key, "float", description, unit="GB")


@priced(
    TYPE,
    usage=(
        UsageKey("region", "string", "Region the data transfer is originating from."),
        _gb(
            "Monthly data transferred between availability zones in the region; counted "
            "twice (AWS charges both the sending and the receiving side).",
            "monthly_intra_region_gb",
        ),
        _gb(
            "Monthly data transferred between US East regions (us-east-1 and us-east-2).",
            "monthly_outbound_us_east_to_us_east_gb",
        ),
        _gb("Monthly data transferred to other AWS regions.", "monthly_outbound_other_regions_gb"),
        _gb("Monthly data transferred to the Internet.", "monthly_outbound_internet_gb"),
    ),
    notes=(
        "A usage-only type: each aws_data_transfer.<name> entry of a usage file is priced as "
        "one resource, in the entry's region.",
        "Transfer to other regions is priced at the rate to us-west-2 (from us-east-1 and "
        "us-west-1) or to us-west-1 (from elsewhere), as Infracost does.",
        "The free 100 GB a month to the internet is not deducted.",
    ),
)
def aws_data_transfer(ctx: Context) -> None:
    intra = ctx.usage_number("monthly_intra_region_gb")
    if intra is not None:
        ctx.add(
            ctx.component(
                "Intra-region data transfer",
                "GB",
                "AWS's data-transfer feed in ../shared/pricing has no intra-region (cross-AZ) "
                "price",
                monthly=intra * 2,
                usage_based=True,
            )
        )
    internet = ctx.usage_number("monthly_outbound_internet_gb")
    if internet is not None:
        ctx.add(
            *ctx.tiered(
                _INTERNET_TIERS,
                "GB",
                Price("AWSDataTransfer", "Data Transfer", {"transferType": "AWS Outbound"}),
                monthly=internet,
                usage_based=True,
            )
        )
    us_east = ctx.usage_number("monthly_outbound_us_east_to_us_east_gb")
    if us_east is not None:
        _to_region(
            ctx,
            "Outbound data transfer to US East regions",
            "us-east-2" if ctx.region == "us-east-1" else "us-east-1",
            us_east,
        )
    other = ctx.usage_number("monthly_outbound_other_regions_gb")
    if other is not None:
        _to_region(
            ctx,
            "Outbound data transfer to other regions",
            _OTHER_REGION.get(ctx.region, _DEFAULT_OTHER_REGION),
            other,
        )


def _to_region(ctx: Context, name: str, destination: str, gb: Decimal) -> None:
    catalog = ctx.estimation.catalog
    location = catalog.location_of(destination) if catalog is not None else None
    price: Price | str = (
        Price(
            "AWSDataTransfer",
            "Data Transfer",
            {"toLocation": location, "transferType": "InterRegion Outbound"},
        )
        if location is not None
        else f"the price catalog does not know region {destination}"
    )
    ctx.add(ctx.component(name, "GB", price, monthly=gb, usage_based=True))
