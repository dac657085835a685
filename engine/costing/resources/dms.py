"""AWS Database Migration Service replication instances.

An instance is priced per hour by class and availability (Single or Multi-AZ), and its gp2
storage beyond what the class includes: 50 GB for t2/t3 classes, 100 GB for the c and r
classes (AWS's DMS pricing page).
"""

from __future__ import annotations

from decimal import Decimal

from engine.costing.context import ONE, Context, Price
from engine.costing.registry import priced
from engine.model import Unresolved

INCLUDED_GB = {
    "t2": Decimal(50),
    "t3": Decimal(50),
    "c4": Decimal(100),
    "c5": Decimal(100),
    "c6i": Decimal(100),
    "r4": Decimal(100),
    "r5": Decimal(100),
    "r6i": Decimal(100),
}
DEFAULT_STORAGE_GB = Decimal(50)  # the provider's default allocated_storage


@priced(
    "aws_dms_replication_instance",
    usage=(),
    reads=("replication_instance_class", "multi_az", "allocated_storage"),
    notes=("Storage included with the class (50 GB for t2/t3, 100 GB for c/r) is free.",),
)
def aws_dms_replication_instance(ctx: Context) -> None:
    instance_class = ctx.string("replication_instance_class")
    multi_az = ctx.boolean("multi_az", False)
    zone = "Multiple" if multi_az is True else "Single"
    price: Price | str
    instance_type = ""
    if isinstance(instance_class, Unresolved):
        price = f"replication_instance_class is unknown: {instance_class.reason}"
    elif instance_class is None:
        price = "replication_instance_class is not set"
    elif isinstance(multi_az, Unresolved):
        price = f"multi_az is unknown: {multi_az.reason}"
    else:
        instance_type = instance_class.removeprefix("dms.")
        price = Price(
            "AWSDatabaseMigrationSvc",
            "Replication Server",
            {"instanceType": instance_type, "availabilityZone": zone},
        )
    ctx.add(ctx.component(f"Instance ({instance_type or '?'})", "hours", price, hourly=ONE))
    storage = ctx.number("allocated_storage", DEFAULT_STORAGE_GB)
    included = INCLUDED_GB.get(instance_type.split(".")[0], Decimal(0))
    charged: Decimal | Unresolved | None = (
        max(Decimal(0), storage - included) if isinstance(storage, Decimal) else storage
    )
    ctx.add(
        ctx.component(
            "Storage (general purpose SSD, gp2)",
            "GB",
            Price("AWSDatabaseMigrationSvc", "Replication Storage", {"availabilityZone": zone}),
            monthly=charged,
        )
    )
