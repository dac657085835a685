"""EBS: volumes (standalone and attached to instances), snapshots and snapshot copies.

:func:`volume_components` prices one volume described by a :class:`Volume`; instances, launch
templates, launch configurations and node groups use it for their block devices (``count``
volumes at once). Sizes that the configuration does not give stay unknown (they come from a
snapshot or an AMI), except an instance's root volume, which :mod:`.ec2` assumes is 8 GB.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.costing.components import CostComponent
from engine.costing.context import MILLION, ONE, THOUSAND, Context, Price
from engine.costing.registry import priced
from engine.costing.resources.references import referenced
from engine.costing.schema import UsageKey
from engine.model import Resource, Unresolved

ZERO = Decimal(0)

VOLUME_NAMES = {
    "standard": "Storage (magnetic)",
    "gp2": "Storage (general purpose SSD, gp2)",
    "gp3": "Storage (general purpose SSD, gp3)",
    "io1": "Storage (provisioned IOPS SSD, io1)",
    "io2": "Storage (provisioned IOPS SSD, io2)",
    "st1": "Storage (throughput optimized HDD, st1)",
    "sc1": "Storage (cold HDD, sc1)",
}
GP3_FREE_IOPS = Decimal(3000)
GP3_FREE_THROUGHPUT = Decimal(125)
IO2_TIER_NAMES = (
    "Provisioned IOPS (up to 32,000)",
    "Provisioned IOPS (32,001 to 64,000)",
    "Provisioned IOPS (over 64,000)",
)
IO2_TIER_GROUPS = ("EBS IOPS", "EBS IOPS Tier 2", "EBS IOPS Tier 3")

# Snapshot usage-based components: (usage key, name, unit, product family, usage type, per).
SNAPSHOT_USAGE = (
    (
        "fast_snapshot_restore_hours",
        "Fast snapshot restore",
        "DSU-hours",
        "Fast Snapshot Restore",
        "EBS:FastSnapshotRestore",
        ONE,
    ),
    (
        "monthly_list_block_requests",
        "ListChangedBlocks & ListSnapshotBlocks API requests",
        "1k requests",
        "EBS direct API Requests",
        "EBS:directAPI.snapshot.List",
        THOUSAND,
    ),
    (
        "monthly_get_block_requests",
        "GetSnapshotBlock API requests",
        "1k SnapshotAPIUnits",
        "EBS direct API Requests",
        "EBS:directAPI.snapshot.Get",
        THOUSAND,
    ),
    (
        "monthly_put_block_requests",
        "PutSnapshotBlock API requests",
        "1k SnapshotAPIUnits",
        "EBS direct API Requests",
        "EBS:directAPI.snapshot.Put",
        THOUSAND,
    ),
)
SNAPSHOT_USAGE_KEYS = (
    UsageKey(
        "monthly_list_block_requests",
        "int",
        "Monthly number of ListChangedBlocks and ListSnapshotBlocks requests.",
        unit="requests",
    ),
    UsageKey(
        "monthly_get_block_requests",
        "int",
        "Monthly number of GetSnapshotBlock requests (block size is 512KiB).",
        unit="requests",
    ),
    UsageKey(
        "monthly_put_block_requests",
        "int",
        "Monthly number of PutSnapshotBlock requests (block size is 512KiB).",
        unit="requests",
    ),
    UsageKey(
        "fast_snapshot_restore_hours",
        "int",
        "Monthly number of DSU-hours for Fast snapshot restore.",
        unit="DSU-hours",
    ),
)


@dataclass
class Volume:
    name: str
    volume_type: str | Unresolved
    size: Decimal | Unresolved | None
    iops: Decimal | Unresolved | None = None
    throughput: Decimal | Unresolved | None = None
    #: the block's device name, to match an instance's devices with its launch template's
    device: str | None = None
    #: the block it was read from (an instance's device overrides its template's key by key)
    block: Mapping[str, Any] = field(default_factory=dict)


def read_volume(
    ctx: Context,
    name: str,
    block: Mapping[str, Any],
    *,
    type_key: str = "volume_type",
    size_key: str = "volume_size",
    default_size: Decimal | None = None,
) -> Volume:
    """A block device (``root_block_device``, ``ebs_block_device``, a mapping's ``ebs``)."""
    volume_type = ctx.string(type_key, "gp2", within=block, label=f"{name}.{type_key}")
    size = ctx.number(size_key, default_size, within=block, label=f"{name}.{size_key}")
    if size is None:
        reason = "volume size not set (it comes from the snapshot or AMI)"
        ctx.unknown(f"{name}.{size_key}", reason)
        size = Unresolved("", reason)
    device = block.get("device_name")
    return Volume(
        name=name,
        volume_type=volume_type if volume_type is not None else "gp2",
        size=size,
        iops=ctx.number("iops", None, within=block, label=f"{name}.iops"),
        throughput=ctx.number("throughput", None, within=block, label=f"{name}.throughput"),
        device=device if isinstance(device, str) and not isinstance(device, Unresolved) else None,
        block=block,
    )


def times(quantity: Any, count: Decimal | Unresolved) -> Any:
    """``quantity * count``, unknown (or absent) when either is."""
    if quantity is None or isinstance(quantity, Unresolved):
        return quantity
    if isinstance(count, Unresolved):
        return count
    return quantity * count


def volume_components(
    ctx: Context, volume: Volume, count: Decimal | Unresolved = ONE
) -> list[CostComponent]:
    """Storage, provisioned IOPS and throughput of ``count`` volumes like ``volume``."""
    volume_type = volume.volume_type
    size = times(volume.size, count)
    if isinstance(volume_type, Unresolved):
        reason = f"volume type is unknown: {volume_type.reason}"
        return [ctx.component("Storage", "GB", reason, monthly=size)]
    volume_type = volume_type.lower()
    name = VOLUME_NAMES.get(volume_type)
    if name is None:
        reason = f"unknown EBS volume type {volume_type!r}"
        return [ctx.component(f"Storage ({volume_type})", "GB", reason, monthly=size)]
    storage = Price("AmazonEC2", "Storage", {"volumeApiName": volume_type})
    out = [ctx.component(name, "GB", storage, monthly=size)]
    iops_price = Price(
        "AmazonEC2", "System Operation", {"group": "EBS IOPS", "volumeApiName": volume_type}
    )
    if volume_type == "gp3":
        out.extend(_gp3_extras(ctx, volume, count, iops_price))
    elif volume_type == "io1":
        iops = volume.iops if volume.iops is not None else Unresolved("", "iops is not set")
        out.append(
            ctx.component("Provisioned IOPS", "IOPS", iops_price, monthly=times(iops, count))
        )
    elif volume_type == "io2":
        out.extend(_io2_iops(ctx, volume.iops, count))
    elif volume_type == "standard":
        requests = ctx.usage_number("monthly_standard_io_requests")
        io_price = Price(
            "AmazonEC2",
            "System Operation",
            {"group": "EBS I/O Requests", "volumeApiName": "standard"},
        )
        out.append(
            ctx.component(
                "I/O requests",
                "1M requests",
                io_price,
                monthly=times(requests, count),
                per=MILLION,
                usage_based=True,
            )
        )
    return out


def _gp3_extras(
    ctx: Context, volume: Volume, count: Decimal | Unresolved, iops_price: Price
) -> list[CostComponent]:
    """IOPS above the 3,000 and throughput above the 125 MiB/s that gp3 includes."""
    out: list[CostComponent] = []
    iops = volume.iops
    if isinstance(iops, Decimal) and iops > GP3_FREE_IOPS:
        extra_iops = times(iops - GP3_FREE_IOPS, count)
        out.append(ctx.component("Provisioned IOPS", "IOPS", iops_price, monthly=extra_iops))
    elif isinstance(iops, Unresolved):
        out.append(ctx.component("Provisioned IOPS", "IOPS", iops_price, monthly=iops))
    throughput = volume.throughput
    throughput_price = Price(
        "AmazonEC2", "Provisioned Throughput", {"volumeApiName": "gp3"}, units=("GiBps-mo",)
    )
    per = ONE / Decimal(1024)  # the price is per GiBps-month, shown per MiBps
    if isinstance(throughput, Decimal) and throughput > GP3_FREE_THROUGHPUT:
        extra = times((throughput - GP3_FREE_THROUGHPUT) / 1024, count)
        out.append(
            ctx.component(
                "Provisioned throughput", "Mbps", throughput_price, monthly=extra, per=per
            )
        )
    elif isinstance(throughput, Unresolved):
        out.append(
            ctx.component(
                "Provisioned throughput", "Mbps", throughput_price, monthly=throughput, per=per
            )
        )
    return out


def _io2_iops(
    ctx: Context, iops: Decimal | Unresolved | None, count: Decimal | Unresolved
) -> list[CostComponent]:
    if iops is None:
        iops = Unresolved("", "iops is not set")
    if not isinstance(iops, Decimal):
        price = Price(
            "AmazonEC2", "System Operation", {"group": IO2_TIER_GROUPS[0], "volumeApiName": "io2"}
        )
        return [ctx.component(IO2_TIER_NAMES[0], "IOPS", price, monthly=iops)]
    bounds = _tier_bounds(ctx, "ebs-io2-iops", (ZERO, Decimal(32000), Decimal(64000)))
    out = []
    for position, start in enumerate(bounds):
        end = bounds[position + 1] if position + 1 < len(bounds) else None
        amount = (iops if end is None else min(iops, end)) - start
        if amount <= 0 and position > 0:
            break
        price = Price(
            "AmazonEC2",
            "System Operation",
            {"group": IO2_TIER_GROUPS[position], "volumeApiName": "io2"},
        )
        out.append(
            ctx.component(
                IO2_TIER_NAMES[position], "IOPS", price, monthly=times(max(amount, ZERO), count)
            )
        )
    return out


def _tier_bounds(ctx: Context, name: str, default: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
    catalog = ctx.estimation.catalog
    if catalog is None:
        return default
    try:
        text = catalog.meta().get(f"tiers:{name}")
    except Exception:
        return default
    if not text:
        return default
    return tuple(Decimal(part) for part in text.split(","))


# --- resources -------------------------------------------------------------------------------


@priced(
    "aws_ebs_volume",
    reads=("type", "size", "iops", "throughput"),
    usage=(
        UsageKey(
            "monthly_standard_io_requests",
            "int",
            "Monthly I/O requests for standard volume (Magnetic storage).",
            unit="requests",
        ),
    ),
    notes=("A volume created from a snapshot without a size has an unknown size.",),
)
def aws_ebs_volume(ctx: Context) -> None:
    size = ctx.number("size")
    if size is None:
        reason = "size not set (it comes from the snapshot)"
        ctx.unknown("size", reason)
        size = Unresolved("", reason)
    volume = Volume(
        name=ctx.resource.address,
        volume_type=ctx.string("type", "gp2") or "gp2",
        size=size,
        iops=ctx.number("iops"),
        throughput=ctx.number("throughput"),
    )
    ctx.add(*volume_components(ctx, volume))


def _volume_size(ctx: Context, volume: Resource) -> Decimal | Unresolved | None:
    return ctx.number("size", None, within=volume.attributes, label=f"{volume.address}.size")


def _snapshot_size(ctx: Context, snapshot: Resource) -> Decimal | Unresolved | None:
    """A snapshot's size: its ``volume_size`` (plans) or the size of the volume it copies."""
    size = ctx.number(
        "volume_size", None, within=snapshot.attributes, label=f"{snapshot.address}.volume_size"
    )
    if size is not None:
        return size
    volume = referenced(ctx, "volume_id", "aws_ebs_volume", origin=snapshot)
    return _volume_size(ctx, volume) if volume is not None else None


def _snapshot_components(ctx: Context, size: Decimal | Unresolved | None) -> None:
    if size is None:
        size = Unresolved("", "the snapshot's volume size is not known")
        ctx.unknown("volume_size", size.reason)
    ctx.add(
        ctx.component(
            "EBS snapshot storage",
            "GB",
            Price("AmazonEC2", "Storage Snapshot", {}, usage_type="EBS:SnapshotUsage"),
            monthly=size,
        )
    )
    ctx.note("snapshots are incremental; the full volume size is an upper bound")


@priced(
    "aws_ebs_snapshot",
    reads=("volume_id", "volume_size"),
    usage=SNAPSHOT_USAGE_KEYS,
    notes=(
        "Priced at the full size of the volume it copies (an upper bound: snapshots are "
        "incremental).",
    ),
)
def aws_ebs_snapshot(ctx: Context) -> None:
    _snapshot_components(ctx, _snapshot_size(ctx, ctx.resource))
    for key, name, unit, family, usage_type, per in SNAPSHOT_USAGE:
        ctx.add(
            ctx.component(
                name,
                unit,
                Price("AmazonEC2", family, {}, usage_type=usage_type),
                monthly=ctx.usage_number(key),
                per=per,
                usage_based=True,
            )
        )


@priced(
    "aws_ebs_snapshot_copy",
    reads=("source_snapshot_id", "volume_size"),
    usage=(),
    notes=(
        "Priced as snapshot storage in the copy's region at the size of the source snapshot's "
        "volume; the cross-region transfer of the copy is not priced.",
    ),
)
def aws_ebs_snapshot_copy(ctx: Context) -> None:
    size = ctx.number("volume_size")
    if size is None:
        source = referenced(ctx, "source_snapshot_id", "aws_ebs_snapshot")
        if source is not None:
            size = _snapshot_size(ctx, source)
    _snapshot_components(ctx, size)
