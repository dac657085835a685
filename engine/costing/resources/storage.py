"""S3 buckets and EFS file systems (their cost is almost all usage: stored GB, requests)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from engine.costing.components import CostComponent, PricedResource
from engine.costing.context import Context, Price
from engine.costing.registry import priced

THOUSAND = Decimal(1000)
STORAGE_TIERS = ("Storage (first 50TB)", "Storage (next 450TB)", "Storage (over 500TB)")


def _s3_storage(volume: str, storage_class: str) -> Price:
    return Price("AmazonS3", "Storage", {"storageClass": storage_class, "volumeType": volume})


def _s3_requests(ctx: Context, section: Mapping[str, Any], code: str) -> list[CostComponent]:
    return [
        ctx.component(
            "PUT, COPY, POST, LIST requests",
            "1k requests",
            Price("AmazonS3", "API Request", {"group": f"S3-API-{code}Tier1"}),
            monthly=ctx.usage_number("monthly_tier_1_requests", section),
            per=THOUSAND,
            usage_based=True,
        ),
        ctx.component(
            "GET, SELECT, and all other requests",
            "1k requests",
            Price("AmazonS3", "API Request", {"group": f"S3-API-{code}Tier2"}),
            monthly=ctx.usage_number("monthly_tier_2_requests", section),
            per=THOUSAND,
            usage_based=True,
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
            ctx.component(
                f"Select data {kind}",
                "GB",
                Price(
                    "AmazonS3",
                    "Select",
                    {"group": f"S3-Select-{kind.capitalize()}", "storageClass": "General Purpose"},
                ),
                monthly=ctx.usage_number(key, standard),
                usage_based=True,
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
                    ctx.component(
                        "Storage",
                        "GB",
                        _s3_storage(volume, "Infrequent Access"),
                        monthly=ctx.usage_number("storage_gb", section),
                        usage_based=True,
                    ),
                    *_s3_requests(ctx, section, f"{code}-"),
                    ctx.component(
                        "Retrievals",
                        "GB",
                        Price("AmazonS3", "Fee", {"group": f"S3-{code}-Retrieval"}),
                        monthly=ctx.usage_number("monthly_retrieval_gb", section),
                        usage_based=True,
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
            ctx.component(
                "Storage (infrequent access)",
                "GB",
                _s3_storage("IntelligentTieringIAStorage", "Intelligent-Tiering"),
                monthly=ctx.usage_number("infrequent_access_storage_gb", section),
                usage_based=True,
            )
        )
        components.append(
            ctx.component(
                "Monitoring and automation",
                "1k objects",
                Price("AmazonS3", "Fee", {"group": "S3-INT-Monitoring"}),
                monthly=ctx.usage_number("monitored_objects", section),
                per=THOUSAND,
                usage_based=True,
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
                    ctx.component(
                        "Storage",
                        "GB",
                        _s3_storage("Amazon Glacier", "Archive"),
                        monthly=ctx.usage_number("storage_gb", section),
                        usage_based=True,
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
        ctx.component(
            f"Storage ({label})",
            "GB",
            Price("AmazonEFS", "Storage", {"storageClass": standard}),
            monthly=ctx.usage_number("storage_gb"),
            usage_based=True,
        )
    )
    policies = ctx.blocks("lifecycle_policy")
    uses_ia = (any("transition_to_ia" in p for p in policies)) or (
        ctx.usage_number("infrequent_access_storage_gb") is not None
    )
    if uses_ia:
        ctx.add(
            ctx.component(
                f"Storage ({label}, infrequent access)",
                "GB",
                Price("AmazonEFS", "Storage", {"storageClass": infrequent}),
                monthly=ctx.usage_number("infrequent_access_storage_gb"),
                usage_based=True,
            )
        )
        for access in ("Read", "Write"):
            ctx.add(
                ctx.component(
                    f"{access} requests (infrequent access)",
                    "GB",
                    Price(
                        "AmazonEFS",
                        "Request",
                        {"accessType": access, "storageClass": "Infrequent Access"},
                    ),
                    monthly=ctx.usage_number(f"monthly_infrequent_access_{access.lower()}_gb"),
                    usage_based=True,
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
