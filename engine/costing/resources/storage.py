"""S3 buckets and EFS file systems (their cost is almost all usage: stored GB, requests)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from engine.costing.components import CostComponent, PricedResource
from engine.costing.context import ONE, Context, Price
from engine.costing.registry import priced

THOUSAND = Decimal(1000)
STORAGE_TIERS = ("Storage (first 50TB)", "Storage (next 450TB)", "Storage (over 500TB)")


def _used(
    ctx: Context,
    name: str,
    unit: str,
    price: Price,
    key: str,
    section: Mapping[str, Any] | None = None,
    *,
    per: Decimal = ONE,
) -> CostComponent:
    """A usage-based monthly component: its quantity is the usage value ``key`` (of
    ``section``, else of the resource's usage)."""
    return ctx.component(
        name, unit, price, monthly=ctx.usage_number(key, section), per=per, usage_based=True
    )


def _s3_storage(volume: str, storage_class: str) -> Price:
    return Price("AmazonS3", "Storage", {"storageClass": storage_class, "volumeType": volume})


def _s3_requests(ctx: Context, section: Mapping[str, Any], code: str) -> list[CostComponent]:
    return [
        _used(
            ctx,
            "PUT, COPY, POST, LIST requests",
            "1k requests",
            Price("AmazonS3", "API Request", {"group": f"S3-API-{code}Tier1"}),
            "monthly_tier_1_requests",
            section,
            per=THOUSAND,
        ),
        _used(
            ctx,
            "GET, SELECT, and all other requests",
            "1k requests",
            Price("AmazonS3", "API Request", {"group": f"S3-API-{code}Tier2"}),
            "monthly_tier_2_requests",
            section,
            per=THOUSAND,
        ),
    ]


@priced("aws_s3_bucket")
def aws_s3_bucket(ctx: Context) -> None:
    standard = ctx.usage_section("standard")
    components = ctx.tiered(
        STORAGE_TIERS,
        "GB",
        _s3_storage("Standard", "General Purpose"),
        monthly=ctx.usage_number("storage_gb", standard),
        usage_based=True,
    )
    components.extend(_s3_requests(ctx, standard, ""))
    for kind, key in (
        ("scanned", "monthly_select_data_scanned_gb"),
        ("returned", "monthly_select_data_returned_gb"),
    ):
        components.append(
            _used(
                ctx,
                f"Select data {kind}",
                "GB",
                Price(
                    "AmazonS3",
                    "Select",
                    {"group": f"S3-Select-{kind.capitalize()}", "storageClass": "General Purpose"},
                ),
                key,
                standard,
            )
        )
    ctx.subresources.append(PricedResource(name="Standard", components=components))

    for section_key, title, volume, code in (
        (
            "standard_infrequent_access",
            "Standard - infrequent access",
            "Standard - Infrequent Access",
            "SIA",
        ),
        (
            "one_zone_infrequent_access",
            "One zone - infrequent access",
            "One Zone - Infrequent Access",
            "ZIA",
        ),
    ):
        section = ctx.usage_section(section_key)
        if not section:
            continue
        ctx.subresources.append(
            PricedResource(
                name=title,
                components=[
                    _used(
                        ctx,
                        "Storage",
                        "GB",
                        _s3_storage(volume, "Infrequent Access"),
                        "storage_gb",
                        section,
                    ),
                    *_s3_requests(ctx, section, f"{code}-"),
                    _used(
                        ctx,
                        "Retrievals",
                        "GB",
                        Price("AmazonS3", "Fee", {"group": f"S3-{code}-Retrieval"}),
                        "monthly_retrieval_gb",
                        section,
                    ),
                ],
            )
        )
    section = ctx.usage_section("intelligent_tiering")
    if section:
        components = ctx.tiered(
            (
                "Storage (frequent access, first 50TB)",
                "Storage (frequent access, next 450TB)",
                "Storage (frequent access, over 500TB)",
            ),
            "GB",
            _s3_storage("IntelligentTieringFAStorage", "Intelligent-Tiering"),
            monthly=ctx.usage_number("frequent_access_storage_gb", section),
            usage_based=True,
        )
        components.append(
            _used(
                ctx,
                "Storage (infrequent access)",
                "GB",
                _s3_storage("IntelligentTieringIAStorage", "Intelligent-Tiering"),
                "infrequent_access_storage_gb",
                section,
            )
        )
        components.append(
            _used(
                ctx,
                "Monitoring and automation",
                "1k objects",
                Price("AmazonS3", "Fee", {"group": "S3-INT-Monitoring"}),
                "monitored_objects",
                section,
                per=THOUSAND,
            )
        )
        components.extend(_s3_requests(ctx, section, "INT-"))
        ctx.subresources.append(PricedResource(name="Intelligent tiering", components=components))
    section = ctx.usage_section("glacier_flexible_retrieval")
    if section:
        ctx.subresources.append(
            PricedResource(
                name="Glacier flexible retrieval",
                components=[
                    _used(
                        ctx,
                        "Storage",
                        "GB",
                        _s3_storage("Amazon Glacier", "Archive"),
                        "storage_gb",
                        section,
                    )
                ],
            )
        )


@priced("aws_efs_file_system")
def aws_efs_file_system(ctx: Context) -> None:
    one_zone = bool(ctx.string("availability_zone_name"))
    standard = "One Zone-General Purpose" if one_zone else "General Purpose"
    infrequent = "One Zone-Infrequent Access" if one_zone else "Infrequent Access"
    label = "one zone" if one_zone else "standard"
    ctx.add(
        _used(
            ctx,
            f"Storage ({label})",
            "GB",
            Price("AmazonEFS", "Storage", {"storageClass": standard}),
            "storage_gb",
        )
    )
    policies = ctx.blocks("lifecycle_policy")
    uses_ia = (any("transition_to_ia" in p for p in policies)) or (
        ctx.usage_number("infrequent_access_storage_gb") is not None
    )
    if uses_ia:
        ctx.add(
            _used(
                ctx,
                f"Storage ({label}, infrequent access)",
                "GB",
                Price("AmazonEFS", "Storage", {"storageClass": infrequent}),
                "infrequent_access_storage_gb",
            )
        )
        for access in ("Read", "Write"):
            ctx.add(
                _used(
                    ctx,
                    f"{access} requests (infrequent access)",
                    "GB",
                    Price(
                        "AmazonEFS",
                        "Request",
                        {"accessType": access, "storageClass": "Infrequent Access"},
                    ),
                    f"monthly_infrequent_access_{access.lower()}_gb",
                )
            )
    if ctx.string("throughput_mode", "bursting") == "provisioned":
        throughput = ctx.number("provisioned_throughput_in_mibps")
        ctx.add(
            ctx.component(
                "Provisioned throughput",
                "MBps",
                Price("AmazonEFS", "Provisioned Throughput", {}),
                monthly=throughput,
            )
        )
