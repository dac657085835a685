"""Backup and file storage beyond S3 and EFS: AWS Backup vaults, FSx file systems (Windows,
OpenZFS) and ECR repositories.

FSx is priced ``priceNotFound``: AWS's FSx feed in ``../shared/pricing`` has no readable
labels (MANIFEST.md 6.33), so the catalog has no FSx price.
"""

from __future__ import annotations

from decimal import Decimal

from engine.costing.context import Context, Price
from engine.costing.registry import UsageKey, free, priced
from engine.model import Unresolved

free(
    "aws_backup_plan",
    "aws_backup_selection",
    "aws_backup_vault_notifications",
    "aws_backup_vault_policy",
    "aws_backup_vault_lock_configuration",
    "aws_ecr_lifecycle_policy",
    "aws_ecr_repository_policy",
    reason="configuration only; costs nothing by itself",
)

_NO_FSX = "no FSx price in the catalog: AWS's FSx feed has no readable labels (MANIFEST.md 6.33)"


def _backup(resource: str, **shape: str) -> Price:
    family = "AWS Backup Storage"
    return Price("AWSBackup", family, {"resourceType": resource, **shape})


#: (usage key, component, unit, price): what each AWS Backup usage key is charged at.
_BACKUP_LINES: tuple[tuple[str, str, str, Price | str], ...] = (
    ("monthly_efs_warm_backup_gb", "EFS backup (warm)", "GB", _backup("EFS", storageClass="Warm")),
    ("monthly_efs_cold_backup_gb", "EFS backup (cold)", "GB", _backup("EFS", storageClass="Cold")),
    (
        "monthly_efs_warm_restore_gb",
        "EFS restore (warm)",
        "GB",
        _backup("EFS", restoreFrom="WarmPartial"),
    ),
    (
        "monthly_efs_cold_restore_gb",
        "EFS restore (cold)",
        "GB",
        _backup("EFS", restoreFrom="ColdPartial"),
    ),
    (
        "monthly_efs_item_restore_requests",
        "EFS restore (item-level)",
        "requests",
        _backup("EFS", restoreFrom="Jobs"),
    ),
    (
        "monthly_ebs_snapshot_gb",
        "EBS snapshot",
        "GB",
        Price("AmazonEC2", "Storage Snapshot", {}, usage_type="EBS:SnapshotUsage"),
    ),
    (
        "monthly_rds_snapshot_gb",
        "RDS snapshot",
        "GB",
        Price("AmazonRDS", "Storage Snapshot", {}, usage_type="RDS:ChargedBackupUsage"),
    ),
    (
        "monthly_dynamodb_backup_gb",
        "DynamoDB backup",
        "GB",
        Price("AmazonDynamoDB", "Amazon DynamoDB On-Demand Backup Storage", {}),
    ),
    (
        "monthly_dynamodb_restore_gb",
        "DynamoDB restore",
        "GB",
        Price("AmazonDynamoDB", "Amazon DynamoDB Restore Data Size", {}),
    ),
    (
        "monthly_aurora_snapshot_gb",
        "Aurora snapshot",
        "GB",
        Price(
            "AmazonRDS",
            "Storage Snapshot",
            {"databaseEngine": "Aurora PostgreSQL"},
            usage_type="Aurora:BackupUsage",
        ),
    ),
    ("monthly_fsx_windows_backup_gb", "FSx for Windows backup", "GB", _NO_FSX),
    ("monthly_fsx_lustre_backup_gb", "FSx for Lustre backup", "GB", _NO_FSX),
)


def _backup_key(key: str, unit: str) -> UsageKey:
    what = key.removeprefix("monthly_").removesuffix("_gb").removesuffix("_requests")
    words = what.replace("efs", "EFS").replace("ebs", "EBS").replace("rds", "RDS")
    words = words.replace("dynamodb", "DynamoDB").replace("fsx", "FSx").replace("_", " ")
    if unit == "requests":
        return UsageKey(key, "int", f"Monthly number of {words} requests.", unit="requests")
    return UsageKey(key, "float", f"Monthly number of {words} in GB.", unit="GB")


@priced(
    "aws_backup_vault",
    usage=tuple(_backup_key(key, unit) for key, _name, unit, _price in _BACKUP_LINES),
    notes=(
        "Backups of each resource kind are charged at that service's backup or snapshot "
        "price; FSx backup prices are not in the catalog.",
    ),
)
def aws_backup_vault(ctx: Context) -> None:
    for key, name, unit, price in _BACKUP_LINES:
        ctx.add(ctx.component(name, unit, price, monthly=ctx.usage_number(key), usage_based=True))


@priced(
    "aws_ecr_repository",
    usage=(UsageKey("storage_gb", "float", "Total size of ECR repository in GB.", unit="GB"),),
    notes=("Data transfer out of the registry is not priced.",),
)
def aws_ecr_repository(ctx: Context) -> None:
    ctx.add(
        ctx.component(
            "Storage",
            "GB",
            Price("AmazonECR", "EC2 Container Registry", {}),
            monthly=ctx.usage_number("storage_gb"),
            usage_based=True,
        )
    )


_BACKUP_STORAGE = UsageKey(
    "backup_storage_gb", "float", "Total storage used for backups in GB.", unit="GB"
)


def _fsx_storage(ctx: Context, storage: Decimal | Unresolved | None, name: str) -> None:
    ctx.add(ctx.component(name, "GB", _NO_FSX, monthly=storage))


@priced(
    "aws_fsx_windows_file_system",
    reads=("throughput_capacity", "storage_capacity", "storage_type", "deployment_type"),
    usage=(_BACKUP_STORAGE,),
    notes=(_NO_FSX,),
)
def aws_fsx_windows_file_system(ctx: Context) -> None:
    storage_type = ctx.string("storage_type", "SSD")
    kind = "HDD" if isinstance(storage_type, str) and storage_type.upper() == "HDD" else "SSD"
    ctx.add(
        ctx.component(
            "Throughput capacity", "MBps", _NO_FSX, monthly=ctx.number("throughput_capacity")
        )
    )
    _fsx_storage(ctx, ctx.number("storage_capacity"), f"{kind} storage")
    ctx.add(
        ctx.component(
            "Backup storage",
            "GB",
            _NO_FSX,
            monthly=ctx.usage_number("backup_storage_gb"),
            usage_based=True,
        )
    )


@priced(
    "aws_fsx_openzfs_file_system",
    reads=(
        "throughput_capacity",
        "storage_capacity",
        "deployment_type",
        "disk_iops_configuration",
    ),
    usage=(_BACKUP_STORAGE,),
    notes=(_NO_FSX,),
)
def aws_fsx_openzfs_file_system(ctx: Context) -> None:
    capacity = ctx.number("storage_capacity")
    ctx.add(
        ctx.component(
            "Throughput capacity", "MBps", _NO_FSX, monthly=ctx.number("throughput_capacity")
        )
    )
    iops = Decimal(0)
    for block in ctx.blocks("disk_iops_configuration"):
        if str(block.get("mode", "")).upper() == "USER_PROVISIONED":
            given = ctx.number("iops", 0, within=block, label="disk_iops_configuration.iops")
            if isinstance(given, Decimal) and isinstance(capacity, Decimal):
                # 3 IOPS per GB of SSD are included.
                iops = max(Decimal(0), given - 3 * capacity)
    ctx.add(ctx.component("Provisioned IOPS", "IOPS", _NO_FSX, monthly=iops))
    _fsx_storage(ctx, capacity, "SSD storage")
    ctx.add(
        ctx.component(
            "Backup storage",
            "GB",
            _NO_FSX,
            monthly=ctx.usage_number("backup_storage_gb"),
            usage_based=True,
        )
    )
