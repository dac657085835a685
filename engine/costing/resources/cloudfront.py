"""CloudFront: distributions (data transfer, requests, origin shield, invalidations, dedicated
IP certificates) and CloudFront Functions.

CloudFront prices are global and differ by the edge geography that serves the traffic; the
usage file gives each usage figure per geography (``us``, ``europe``...), and each geography
with usage becomes a sub-resource, as in Infracost. Origin Shield is priced in the region of
the shield.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.costing.context import MILLION, ONE, TEN_THOUSAND, Context, Price
from engine.costing.registry import UsageKey, free, priced
from engine.model import Unresolved


@dataclass(frozen=True)
class _Geography:
    key: str  # the usage file's key
    name: str  # the sub-resource's name (AWS's grouping of countries)
    location: str  # the catalog's fromLocation


_GEOGRAPHIES = (
    _Geography("us", "US, Mexico, Canada", "United States"),
    _Geography("europe", "Europe, Israel", "EU"),
    # AWS prices South Africa, Kenya and the Middle East alike; the catalog's "South Africa".
    _Geography("south_africa", "South Africa, Kenya, Middle East", "South Africa"),
    _Geography("south_america", "South America", "South America"),
    _Geography("japan", "Japan", "Japan"),
    _Geography("australia", "Australia, New Zealand", "Australia"),
    _Geography("asia_pacific", "Hong Kong, Philippines, Asia Pacific", "Asia Pacific"),
    _Geography("india", "India", "India"),
)

# The usage key of the Origin Shield region (monthly_shield_requests.<key>).
_SHIELD_KEYS = {
    "us-east-1": "us",
    "us-east-2": "us",
    "us-west-1": "us",
    "us-west-2": "us",
    "eu-central-1": "europe",
    "eu-west-1": "europe",
    "eu-west-2": "europe",
    "eu-west-3": "europe",
    "eu-south-1": "europe",
    "eu-north-1": "europe",
    "il-central-1": "europe",
    "ap-northeast-1": "japan",
    "ap-northeast-2": "south_korea",
    "ap-southeast-1": "singapore",
    "ap-southeast-2": "australia",
    "ap-southeast-3": "indonesia",
    "ap-southeast-4": "australia",
    "ap-south-1": "india",
    "ap-south-2": "india",
    "sa-east-1": "south_america",
}

_DATA_OUT_TIERS = (
    "Data transfer out to internet (first 10TB)",
    "Data transfer out to internet (next 40TB)",
    "Data transfer out to internet (next 100TB)",
    "Data transfer out to internet (next 350TB)",
    "Data transfer out to internet (next 524TB)",
    "Data transfer out to internet (next 4PB)",
    "Data transfer out to internet (over 5PB)",
)


def _per_geography(key: str, what: str, unit: str, type_: str = "float") -> UsageKey:
    children = tuple(
        UsageKey(geo.key, "float" if type_ == "float" else "int", f"{what}: {geo.name}.", unit=unit)
        for geo in _GEOGRAPHIES
    )
    return UsageKey(key, "object", f"{what}, per edge geography.", unit=unit, children=children)


_SHIELD_USAGE = UsageKey(
    "monthly_shield_requests",
    "object",
    "Monthly number of Origin Shield requests, per shield geography.",
    unit="requests",
    children=tuple(
        UsageKey(key, "int", f"Origin Shield requests in {key.replace('_', ' ')}.", unit="requests")
        for key in (
            "us",
            "europe",
            "south_america",
            "japan",
            "australia",
            "singapore",
            "south_korea",
            "indonesia",
            "india",
        )
    ),
)

CLOUDFRONT_USAGE = (
    _per_geography(
        "monthly_data_transfer_to_internet_gb",
        "Monthly regional data transfer out to the internet in GB",
        "GB",
    ),
    _per_geography(
        "monthly_data_transfer_to_origin_gb",
        "Monthly regional data transfer out to the origin in GB",
        "GB",
    ),
    _per_geography("monthly_http_requests", "Monthly number of HTTP requests", "requests", "int"),
    _per_geography("monthly_https_requests", "Monthly number of HTTPS requests", "requests", "int"),
    _SHIELD_USAGE,
    UsageKey(
        "monthly_invalidation_requests",
        "int",
        "Monthly number of invalidation requests (paths).",
        unit="paths",
    ),
    UsageKey(
        "monthly_encryption_requests",
        "int",
        "Monthly number of field level encryption requests.",
        unit="requests",
    ),
    UsageKey("monthly_log_lines", "int", "Monthly number of real-time log lines.", unit="lines"),
    UsageKey(
        "custom_ssl_certificates",
        "int",
        "Number of dedicated IP custom SSL certificates (default 1 with ssl_support_method vip).",
        unit="certificates",
    ),
)


def _first(ctx: Context, name: str, within: dict[str, Any] | None = None) -> dict[str, Any]:
    blocks = ctx.blocks(name, within=within)
    return blocks[0] if blocks else {}


def _geography(ctx: Context, geo: _Geography) -> list[Any] | None:
    """The components of one edge geography, or ``None`` when the usage gives it nothing."""
    sections = {
        key: ctx.usage_section(key)
        for key in (
            "monthly_data_transfer_to_internet_gb",
            "monthly_data_transfer_to_origin_gb",
            "monthly_http_requests",
            "monthly_https_requests",
        )
    }
    values = {key: ctx.usage_number(geo.key, within=section) for key, section in sections.items()}
    return [
        *ctx.tiered(
            _DATA_OUT_TIERS,
            "GB",
            Price(
                "AmazonCloudFront",
                "Data Transfer",
                {"fromLocation": geo.location, "transferType": "CloudFront Outbound"},
                region="",
            ),
            monthly=values["monthly_data_transfer_to_internet_gb"],
            usage_based=True,
        ),
        ctx.component(
            "Data transfer out to origin",
            "GB",
            Price(
                "AmazonCloudFront",
                "Data Transfer",
                {"fromLocation": geo.location, "transferType": "CloudFront to Origin"},
                region="",
            ),
            monthly=values["monthly_data_transfer_to_origin_gb"],
            usage_based=True,
        ),
        *(
            ctx.component(
                f"{protocol} requests",
                "10k requests",
                Price(
                    "AmazonCloudFront",
                    "Request",
                    {"fromLocation": geo.location, "requestType": protocol},
                    region="",
                ),
                monthly=values[f"monthly_{protocol.lower()}_requests"],
                per=TEN_THOUSAND,
                usage_based=True,
            )
            for protocol in ("HTTP", "HTTPS")
        ),
    ]


def _has_usage(ctx: Context, geo: _Geography) -> bool:
    return any(
        geo.key in ctx.usage_section(key)
        for key in (
            "monthly_data_transfer_to_internet_gb",
            "monthly_data_transfer_to_origin_gb",
            "monthly_http_requests",
            "monthly_https_requests",
        )
    )


def _origin_shield(ctx: Context) -> None:
    shields = [
        _first(ctx, "origin_shield", within=origin)
        for origin in ctx.blocks("origin")
        if ctx.boolean("enabled", False, within=_first(ctx, "origin_shield", within=origin)) is True
    ]
    if not shields:
        return
    region = ctx.string("origin_shield_region", within=shields[0]) or ctx.region
    if isinstance(region, Unresolved):
        ctx.add(
            ctx.component(
                "Origin shield HTTP requests",
                "10k requests",
                f"origin_shield_region is unknown: {region.reason}",
                monthly=None,
                usage_based=True,
            )
        )
        return
    catalog = ctx.estimation.catalog
    location = (catalog.location_of(region) if catalog is not None else None) or region
    key = _SHIELD_KEYS.get(region)
    requests = (
        ctx.usage_number(key, within=ctx.usage_section("monthly_shield_requests"))
        if key is not None
        else None
    )
    ctx.add(
        ctx.component(
            f"Origin shield HTTP requests ({location.split('(')[0].strip()} {region})",
            "10k requests",
            Price("AmazonCloudFront", "Request", {"requestType": "Origin Shield"}, region=region),
            monthly=requests,
            per=TEN_THOUSAND,
            usage_based=True,
        )
    )


@priced(
    "aws_cloudfront_distribution",
    reads=(
        "origin.origin_shield",
        "logging_config.bucket",
        "default_cache_behavior.field_level_encryption_id",
        "viewer_certificate.ssl_support_method",
    ),
    usage=CLOUDFRONT_USAGE,
    notes=(
        "Each edge geography given in the usage file is a sub-resource; without usage, the "
        "US, Mexico, Canada prices are shown.",
        "The free tier and the CloudFront security savings bundle are not applied.",
    ),
)
def aws_cloudfront_distribution(ctx: Context) -> None:
    behaviour = _first(ctx, "default_cache_behavior")
    if ctx.string("field_level_encryption_id", within=behaviour):
        ctx.add(
            ctx.component(
                "Field level encryption requests",
                "10k requests",
                "the price catalog has no CloudFront field-level encryption price (AWS's feed "
                "lists it only under edge geographies the catalog does not ship)",
                monthly=ctx.usage_number("monthly_encryption_requests"),
                per=TEN_THOUSAND,
                usage_based=True,
            )
        )
    if ctx.string("bucket", within=_first(ctx, "logging_config")):
        ctx.add(
            ctx.component(
                "Real-time log requests",
                "1M lines",
                "AWS's CloudFront feed in ../shared/pricing has no real-time log price",
                monthly=ctx.usage_number("monthly_log_lines"),
                per=MILLION,
                usage_based=True,
            )
        )
    certificate = _first(ctx, "viewer_certificate")
    if ctx.string("ssl_support_method", within=certificate) == "vip":
        certificates = ctx.usage_number("custom_ssl_certificates")
        ctx.add(
            ctx.component(
                "Dedicated IP custom SSLs",
                "certificates",
                Price("AmazonCloudFront", "SSL Certificate", {}, region=""),
                monthly=ONE if certificates is None else certificates,
                usage_based=True,
            )
        )
    _origin_shield(ctx)
    ctx.add(
        *ctx.tiered(
            ("Invalidation requests (first 1k)", "Invalidation requests (over 1k)"),
            "paths",
            Price("AmazonCloudFront", "Invalidations", {}, region=""),
            monthly=ctx.usage_number("monthly_invalidation_requests"),
            usage_based=True,
        )
    )
    with_usage = [geo for geo in _GEOGRAPHIES if _has_usage(ctx, geo)] or [_GEOGRAPHIES[0]]
    for geo in with_usage:
        components = _geography(ctx, geo)
        if components is not None:
            ctx.subresource(geo.name, components)


@priced(
    "aws_cloudfront_function",
    usage=(
        UsageKey(
            "monthly_requests",
            "int",
            "Monthly number of function invocations.",
            unit="invocations",
        ),
    ),
)
def aws_cloudfront_function(ctx: Context) -> None:
    ctx.add(
        ctx.component(
            "Total number of invocations",
            "1M invocations",
            # Not in AWS's CloudFront feed: curated from its pricing page, one global rate.
            Price(
                "AmazonCloudFront",
                "Request",
                {},
                usage_type="Executions-CloudFrontFunctions",
                region="",
            ),
            monthly=ctx.usage_number("monthly_requests"),
            per=MILLION,
            usage_based=True,
        )
    )


free(
    "aws_cloudfront_origin_access_identity",
    "aws_cloudfront_origin_access_control",
    "aws_cloudfront_cache_policy",
    "aws_cloudfront_origin_request_policy",
    "aws_cloudfront_response_headers_policy",
    "aws_cloudfront_public_key",
    "aws_cloudfront_key_group",
    "aws_cloudfront_field_level_encryption_config",
    "aws_cloudfront_field_level_encryption_profile",
    reason="CloudFront configuration; its use is priced on the distribution",
)
