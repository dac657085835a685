"""S3 buckets (storage classes, requests, retrievals, object tags), S3 Storage Class Analysis
and Inventory, and EFS file systems: their cost is almost all usage (stored GB, requests).

S3 storage classes are data: :data:`S3_CLASSES` lists, per usage-file section (``standard``,
``glacier_deep_archive``...), the components Infracost shows and the catalog product each is
priced from. A class is shown when the usage file has its section or a lifecycle rule of the
bucket moves objects into it (as Infracost does); ``standard`` is always shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.costing.components import CostComponent, PricedResource
from engine.costing.context import MILLION, ONE, TEN_THOUSAND, THOUSAND, Context, Price
from engine.costing.registry import UsageKey, priced
from engine.costing.schema import UsageType

BASELINE_MIBPS_PER_GB = Decimal("0.05")
STORAGE_TIERS = ("Storage (first 50TB)", "Storage (next 450TB)", "Storage (over 500TB)")


@dataclass(frozen=True)
class _Line:
    """One S3 component: its name and unit, the usage key giving its quantity, its price."""

    name: str
    unit: str
    key: str
    price: Price | str
    per: Decimal = ONE
    #: tier names, when the price has tiers (storage of the first 50 TB...)
    tiers: tuple[str, ...] = ()


def _storage(volume: str, storage_class: str) -> Price:
    return Price("AmazonS3", "Storage", {"storageClass": storage_class, "volumeType": volume})


def _group(family: str, group: str) -> Price:
    return Price("AmazonS3", family, {"group": group})


def _requests(code: str) -> tuple[_Line, _Line]:
    return (
        _Line(
            "PUT, COPY, POST, LIST requests",
            "1k requests",
            "monthly_tier_1_requests",
            _group("API Request", f"S3-API-{code}Tier1"),
            THOUSAND,
        ),
        _Line(
            "GET, SELECT, and all other requests",
            "1k requests",
            "monthly_tier_2_requests",
            _group("API Request", f"S3-API-{code}Tier2"),
            THOUSAND,
        ),
    )


def _transition(code: str) -> _Line:
    return _Line(
        "Lifecycle transition",
        "1k requests",
        "monthly_lifecycle_transition_requests",
        _group("API Request", f"S3-Transition-{code}"),
        THOUSAND,
    )


def _select(storage_class: str | None, suffix: str = "", prefix: str = "") -> tuple[_Line, _Line]:
    """S3 Select data scanned and returned; ``storage_class=None``: no price in the feeds."""
    scanned, returned = (
        _Line(
            f"Select data {kind}{suffix}",
            "GB",
            f"monthly_{prefix}select_data_{kind}_gb",
            _GLACIER_SELECT
            if storage_class is None
            else Price(
                "AmazonS3",
                "Select",
                {"group": f"S3-Select-{kind.capitalize()}", "storageClass": storage_class},
            ),
        )
        for kind in ("scanned", "returned")
    )
    return scanned, returned


_GLACIER_SELECT = "S3 Glacier Select prices are not in the shared price feeds"
_NOT_IN_FEEDS = "not in the shared S3 price feed"
_GDA_STORAGE = f"Glacier Deep Archive storage price: {_NOT_IN_FEEDS}"


def _early_delete(days: int, storage: Price | str) -> _Line:
    """AWS charges objects deleted before the class's minimum duration the storage price for
    the days left; as Infracost, each GB of ``early_delete_gb`` is charged one month of it."""
    return _Line(f"Early delete (within {days} days)", "GB", "early_delete_gb", storage)


#: (usage section, sub-resource title, lifecycle storage classes moving objects into it, lines)
S3_CLASSES: tuple[tuple[str, str, tuple[str, ...], tuple[_Line, ...]], ...] = (
    (
        "standard",
        "Standard",
        (),
        (
            _Line(
                "Storage",
                "GB",
                "storage_gb",
                _storage("Standard", "General Purpose"),
                tiers=STORAGE_TIERS,
            ),
            *_requests(""),
            *_select("General Purpose"),
        ),
    ),
    (
        "intelligent_tiering",
        "Intelligent tiering",
        ("INTELLIGENT_TIERING",),
        (
            _Line(
                "Storage (frequent access)",
                "GB",
                "frequent_access_storage_gb",
                _storage("IntelligentTieringFAStorage", "Intelligent-Tiering"),
                tiers=(
                    "Storage (frequent access, first 50TB)",
                    "Storage (frequent access, next 450TB)",
                    "Storage (frequent access, over 500TB)",
                ),
            ),
            _Line(
                "Storage (infrequent access)",
                "GB",
                "infrequent_access_storage_gb",
                _storage("IntelligentTieringIAStorage", "Intelligent-Tiering"),
            ),
            _Line(
                "Storage (archive access)",
                "GB",
                "archive_access_storage_gb",
                _storage("IntelligentTieringAAStorage", "Intelligent-Tiering"),
            ),
            _Line(
                "Storage (deep archive access)",
                "GB",
                "deep_archive_access_storage_gb",
                _storage("IntelligentTieringDAAStorage", "Intelligent-Tiering"),
            ),
            _Line(
                "Monitoring and automation",
                "1k objects",
                "monitored_objects",
                _group("Fee", "S3-INT-Monitoring"),
                THOUSAND,
            ),
            *_requests("INT-"),
            _transition("INT"),
            *_select("Intelligent-Tiering"),
            _early_delete(30, _storage("IntelligentTieringFAStorage", "Intelligent-Tiering")),
        ),
    ),
    (
        "standard_infrequent_access",
        "Standard - infrequent access",
        ("STANDARD_IA",),
        (
            _Line(
                "Storage",
                "GB",
                "storage_gb",
                _storage("Standard - Infrequent Access", "Infrequent Access"),
            ),
            *_requests("SIA-"),
            _transition("SIA"),
            _Line(
                "Retrievals", "GB", "monthly_data_retrieval_gb", _group("Fee", "S3-SIA-Retrieval")
            ),
            *_select("Standard - Infrequent Access"),
        ),
    ),
    (
        "one_zone_infrequent_access",
        "One zone - infrequent access",
        ("ONEZONE_IA",),
        (
            _Line(
                "Storage",
                "GB",
                "storage_gb",
                _storage("One Zone - Infrequent Access", "Infrequent Access"),
            ),
            *_requests("ZIA-"),
            _transition("ZIA"),
            _Line(
                "Retrievals", "GB", "monthly_data_retrieval_gb", _group("Fee", "S3-ZIA-Retrieval")
            ),
            *_select("One Zone - Infrequent Access"),
        ),
    ),
    (
        "glacier_flexible_retrieval",
        "Glacier flexible retrieval",
        ("GLACIER",),
        (
            _Line("Storage", "GB", "storage_gb", _storage("Amazon Glacier", "Archive")),
            *_requests("GLACIER-"),
            _transition("GLACIER"),
            _Line(
                "Retrieval requests (standard)",
                "1k requests",
                "monthly_standard_data_retrieval_requests",
                _group("API Request", "S3-GLACIER-Restore-Standard"),
                THOUSAND,
            ),
            _Line(
                "Retrievals (standard)",
                "GB",
                "monthly_standard_data_retrieval_gb",
                _group("Fee", "S3-GLACIER-Retrieval-Standard"),
            ),
            *_select(None, " (standard)", "standard_"),
            _Line(
                "Retrieval requests (expedited)",
                "1k requests",
                "monthly_expedited_data_retrieval_requests",
                _group("API Request", "S3-GLACIER-Restore-Expedited"),
                THOUSAND,
            ),
            _Line(
                "Retrievals (expedited)",
                "GB",
                "monthly_expedited_data_retrieval_gb",
                _group("Fee", "S3-GLACIER-Retrieval-Expedited"),
            ),
            *_select(None, " (expedited)", "expedited_"),
            *_select(None, " (bulk)", "bulk_"),
            _early_delete(90, _storage("Amazon Glacier", "Archive")),
        ),
    ),
    (
        "glacier_deep_archive",
        "Glacier deep archive",
        ("DEEP_ARCHIVE",),
        (
            _Line("Storage", "GB", "storage_gb", _GDA_STORAGE),
            _Line(
                "PUT, COPY, POST, LIST requests",
                "1k requests",
                "monthly_tier_1_requests",
                f"Glacier Deep Archive PUT request price: {_NOT_IN_FEEDS}",
                THOUSAND,
            ),
            _Line(
                "GET, SELECT, and all other requests",
                "1k requests",
                "monthly_tier_2_requests",
                _group("API Request", "S3-API-GDA-Tier2"),
                THOUSAND,
            ),
            _transition("GDA"),
            _Line(
                "Retrieval requests (standard)",
                "1k requests",
                "monthly_standard_data_retrieval_requests",
                f"Glacier Deep Archive retrieval request price: {_NOT_IN_FEEDS}",
                THOUSAND,
            ),
            _Line(
                "Retrievals (standard)",
                "GB",
                "monthly_standard_data_retrieval_gb",
                _group("Fee", "S3-GDA-Retrieval-Standard"),
            ),
            _Line(
                "Retrieval requests (bulk)",
                "1k requests",
                "monthly_bulk_data_retrieval_requests",
                f"Glacier Deep Archive bulk retrieval request price: {_NOT_IN_FEEDS}",
                THOUSAND,
            ),
            _Line(
                "Retrievals (bulk)",
                "GB",
                "monthly_bulk_data_retrieval_gb",
                _group("Fee", "S3-GDA-Retrieval-Bulk"),
            ),
            _early_delete(180, _GDA_STORAGE),
        ),
    ),
)

# Descriptions of the usage keys of the storage-class sections (Infracost's wording).
_KEY_TEXT: dict[str, tuple[UsageType, str, str]] = {
    "storage_gb": ("float", "Total storage in GB.", "GB"),
    "frequent_access_storage_gb": ("float", "Total storage for Frequent Access Tier in GB.", "GB"),
    "infrequent_access_storage_gb": (
        "float",
        "Total storage for Infrequent Access Tier in GB.",
        "GB",
    ),
    "archive_access_storage_gb": ("float", "Total storage for Archive Access Tier in GB.", "GB"),
    "deep_archive_access_storage_gb": (
        "float",
        "Total storage for Deep Archive Access Tier in GB.",
        "GB",
    ),
    "monitored_objects": ("int", "Total objects monitored by the Intelligent Tiering.", "objects"),
    "monthly_tier_1_requests": (
        "int",
        "Monthly PUT, COPY, POST, LIST requests (Tier 1).",
        "requests",
    ),
    "monthly_tier_2_requests": (
        "int",
        "Monthly GET, SELECT, and all other requests (Tier 2).",
        "requests",
    ),
    "monthly_lifecycle_transition_requests": (
        "int",
        "Monthly Lifecycle Transition requests.",
        "requests",
    ),
    "monthly_data_retrieval_gb": ("float", "Monthly data retrievals in GB.", "GB"),
    "early_delete_gb": (
        "float",
        "GB deleted before the class's minimum storage duration (charged an early-delete fee).",
        "GB",
    ),
}


def _key_text(key: str) -> tuple[UsageType, str, str]:
    if key in _KEY_TEXT:
        return _KEY_TEXT[key]
    words = key.removeprefix("monthly_").replace("_gb", "").replace("_", " ")
    if key.endswith("_gb"):
        return "float", f"Monthly {words} in GB.", "GB"
    return "int", f"Monthly {words}.", "requests"


def _section_schema(lines: tuple[_Line, ...]) -> tuple[UsageKey, ...]:
    out = []
    for key in dict.fromkeys(line.key for line in lines):
        kind, text, unit = _key_text(key)
        out.append(UsageKey(key, kind, text, unit=unit))
    return tuple(out)


_S3_USAGE = (
    UsageKey("object_tags", "int", "Total object tags. Only for AWS provider V3.", unit="tags"),
    *(
        UsageKey(section, "object", f"Usages of S3 {title}.", children=_section_schema(lines))
        for section, title, _transitions, lines in S3_CLASSES
    ),
)


def _used(
    ctx: Context,
    name: str,
    unit: str,
    price: Price | str,
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


def _lifecycle_classes(ctx: Context) -> set[str]:
    """Storage classes the bucket's lifecycle rules move objects into (provider v3 inline
    ``lifecycle_rule`` blocks, or an ``aws_s3_bucket_lifecycle_configuration`` is not
    followed: Infracost reads only the inline rules)."""
    found: set[str] = set()
    for rule in ctx.blocks("lifecycle_rule"):
        if rule.get("enabled") is False:
            continue
        for name in ("transition", "noncurrent_version_transition"):
            for block in ctx.blocks(name, within=rule):
                storage_class = block.get("storage_class")
                if isinstance(storage_class, str):
                    found.add(storage_class.upper())
    return found


@priced(
    "aws_s3_bucket",
    reads=("lifecycle_rule.transition.storage_class",),
    usage=_S3_USAGE,
    notes=(
        "Each storage class is shown when the usage file has its section or a lifecycle rule "
        "moves objects into it; Standard is always shown.",
        "early_delete_gb is charged one month of the class's storage price per GB (AWS "
        "charges the storage for the days left), as Infracost does.",
        "The free tier is not applied.",
    ),
)
def aws_s3_bucket(ctx: Context) -> None:
    tags = ctx.usage_number("object_tags")
    if tags is not None:
        ctx.add(
            ctx.component(
                "Object tagging",
                "10k tags",
                _group("Fee", "S3-Tag-Storage"),
                monthly=tags,
                per=TEN_THOUSAND,
                usage_based=True,
            )
        )
    transitions = _lifecycle_classes(ctx)
    for section_key, title, moved_into, lines in S3_CLASSES:
        section = ctx.usage_section(section_key)
        if section_key != "standard" and not section and not transitions & set(moved_into):
            continue
        components: list[CostComponent] = []
        for line in lines:
            if line.tiers:
                components.extend(
                    ctx.tiered(
                        line.tiers,
                        line.unit,
                        line.price,
                        monthly=ctx.usage_number(line.key, section),
                        per=line.per,
                        usage_based=True,
                    )
                )
            else:
                components.append(
                    _used(ctx, line.name, line.unit, line.price, line.key, section, per=line.per)
                )
        ctx.subresources.append(PricedResource(name=title, components=components))


@priced(
    "aws_s3_bucket_analytics_configuration",
    usage=(
        UsageKey(
            "monthly_monitored_objects",
            "int",
            "Monthly number of monitored objects by S3 Analytics Storage Class Analysis.",
            unit="objects",
        ),
    ),
)
def aws_s3_bucket_analytics_configuration(ctx: Context) -> None:
    ctx.add(
        _used(
            ctx,
            "Objects monitored",
            "1M objects",
            _group("Fee", "S3-Analytics-Objects"),
            "monthly_monitored_objects",
            per=MILLION,
        )
    )


@priced(
    "aws_s3_bucket_inventory",
    usage=(
        UsageKey(
            "monthly_listed_objects", "int", "Monthly number of listed objects.", unit="objects"
        ),
    ),
)
def aws_s3_bucket_inventory(ctx: Context) -> None:
    ctx.add(
        _used(
            ctx,
            "Objects listed",
            "1M objects",
            _group("Fee", "S3-Inventory-Objects"),
            "monthly_listed_objects",
            per=MILLION,
        )
    )


@priced(
    "aws_efs_file_system",
    reads=(
        "availability_zone_name",
        "lifecycle_policy.transition_to_ia",
        "throughput_mode",
        "provisioned_throughput_in_mibps",
    ),
    notes=(
        "Provisioned throughput is billed above the baseline the stored data gives "
        "(50 KiB/s per GB of storage_gb), as AWS and Infracost do.",
    ),
    usage=(
        UsageKey("storage_gb", "float", "Total storage for Standard class in GB.", unit="GB"),
        UsageKey(
            "infrequent_access_storage_gb",
            "float",
            "Total storage for Infrequent Access class in GB.",
            unit="GB",
        ),
        UsageKey(
            "monthly_infrequent_access_read_gb",
            "float",
            "Monthly infrequent access read requests in GB.",
            unit="GB",
        ),
        UsageKey(
            "monthly_infrequent_access_write_gb",
            "float",
            "Monthly infrequent access write requests in GB.",
            unit="GB",
        ),
    ),
)
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
        stored = ctx.usage_number("storage_gb")
        if isinstance(throughput, Decimal) and stored is not None:
            # Stored data already gives a baseline of 50 KiB/s per GiB (bursting mode); only
            # the throughput provisioned above it is billed.
            throughput = max(Decimal(0), throughput - stored * BASELINE_MIBPS_PER_GB)
        ctx.add(
            ctx.component(
                "Provisioned throughput",
                "MBps",
                Price("AmazonEFS", "Provisioned Throughput", {}),
                monthly=throughput,
            )
        )
