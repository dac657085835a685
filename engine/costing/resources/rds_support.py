"""RDS pricing rules shared by DB instances and Aurora cluster instances.

* **Extended support**: an engine major version past its end of standard support pays RDS
  extended support per vCPU-hour, at the year 1-2 rate and from the third year at the year 3
  rate. The start dates are AWS's published calendar (:data:`EXTENDED_SUPPORT`); the date that
  decides is today's (:func:`engine.costing.calendar.today`), as Infracost does.
* **Performance Insights** and **CPU credits** (burstable t3/t4g classes): declared with
  Infracost's usage keys, but the shared price feeds hold no price for them (only Aurora's newer
  Database Insights), so their components are ``priceNotFound`` saying so.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.costing import calendar
from engine.costing.components import CostComponent
from engine.costing.context import MILLION, THOUSAND, Context, Price
from engine.costing.registry import UsageKey
from engine.costing.resources.data_common import vcpus
from engine.model import Unresolved

ENGINES = {
    "postgres": "PostgreSQL",
    "mysql": "MySQL",
    "mariadb": "MariaDB",
    "aurora": "Aurora MySQL",
    "aurora-mysql": "Aurora MySQL",
    "aurora-postgresql": "Aurora PostgreSQL",
    "oracle-se": "Oracle",
    "oracle-se1": "Oracle",
    "oracle-se2": "Oracle",
    "oracle-se2-cdb": "Oracle",
    "oracle-ee": "Oracle",
    "oracle-ee-cdb": "Oracle",
    "sqlserver-ex": "SQL Server",
    "sqlserver-web": "SQL Server",
    "sqlserver-se": "SQL Server",
    "sqlserver-ee": "SQL Server",
}

#: (Price List engine, major version) -> (start of year 1, start of year 3 or None), from
#: AWS's RDS and Aurora release calendars.
EXTENDED_SUPPORT: dict[tuple[str, str], tuple[date, date | None]] = {
    ("MySQL", "5.7"): (date(2024, 3, 1), date(2026, 3, 1)),
    ("MySQL", "8.0"): (date(2026, 8, 1), date(2028, 8, 1)),
    ("Aurora MySQL", "5.7"): (date(2024, 12, 1), None),
    ("Aurora MySQL", "8.0"): (date(2027, 5, 1), None),
    ("PostgreSQL", "11"): (date(2024, 4, 1), date(2026, 4, 1)),
    ("PostgreSQL", "12"): (date(2025, 3, 1), date(2027, 3, 1)),
    ("PostgreSQL", "13"): (date(2026, 3, 1), date(2028, 3, 1)),
    ("PostgreSQL", "14"): (date(2027, 3, 1), date(2029, 3, 1)),
    ("PostgreSQL", "15"): (date(2028, 3, 1), date(2030, 3, 1)),
    ("PostgreSQL", "16"): (date(2029, 3, 1), date(2031, 3, 1)),
    ("Aurora PostgreSQL", "11"): (date(2024, 4, 1), date(2026, 4, 1)),
    ("Aurora PostgreSQL", "12"): (date(2025, 3, 1), date(2027, 3, 1)),
    ("Aurora PostgreSQL", "13"): (date(2026, 3, 1), date(2028, 3, 1)),
    ("Aurora PostgreSQL", "14"): (date(2027, 3, 1), date(2029, 3, 1)),
    ("Aurora PostgreSQL", "15"): (date(2028, 3, 1), date(2030, 3, 1)),
}

BURSTABLE_CLASSES = ("db.t3.", "db.t4g.")
NO_PI_PRICE = (
    "no Performance Insights price in the catalog (the shared feeds price only Aurora's "
    "Database Insights)"
)

PERFORMANCE_INSIGHTS_USAGE = (
    UsageKey(
        "monthly_additional_performance_insights_requests",
        "int",
        "Performance Insights API requests above the 1,000,000 free each month.",
        unit="requests",
    ),
)
CPU_CREDIT_USAGE = (
    UsageKey(
        "monthly_cpu_credit_hrs",
        "int",
        "Hours a month a t3/t4g instance bursts above its baseline.",
        unit="hours",
    ),
)


def database_engine(engine: str) -> str | None:
    """The Price List's databaseEngine of a Terraform engine (``postgres`` -> PostgreSQL)."""
    return ENGINES.get(engine)


def aurora_engine(engine: str | Unresolved | None) -> str | None:
    if not isinstance(engine, str) or isinstance(engine, Unresolved):
        return None
    database = ENGINES.get(engine.lower())
    return database if database and database.startswith("Aurora") else None


def io_requests(
    ctx: Context, group: str, usage_type: str, requests: Decimal | None
) -> CostComponent:
    """The usage-based charge for storage I/O requests (per million)."""
    return ctx.component(
        "I/O requests",
        "1M requests",
        Price(
            "AmazonRDS",
            "System Operation",
            {"databaseEngine": "Any", "group": group},
            usage_type=usage_type,
        ),
        monthly=requests,
        per=MILLION,
        usage_based=True,
    )


def _major(database: str, version: str) -> str:
    parts = version.strip().lower().split(".")
    if "MySQL" in database:
        return ".".join(parts[:2])  # 5.7.44, 8.0.mysql_aurora.3.04.0 -> 5.7, 8.0
    return parts[0]  # 11.22 -> 11


def extended_support(ctx: Context, engine: str, version: str, instance_class: str) -> None:
    """The extended support component of an engine version past its standard support."""
    database = ENGINES.get(engine)
    if database is None:
        return
    major = _major(database, version)
    dates = EXTENDED_SUPPORT.get((database, major))
    if dates is None:
        return
    year1, year3 = dates
    now = calendar.today()
    if now < year1:
        return
    third = year3 is not None and now >= year3
    year = "Year 3" if third else "Year 1-2"
    price = Price(
        "AmazonRDS",
        "Extended Support",
        {"databaseEngine": database, "engineMajorVersion": major, "pricingYear": year},
    )
    if ctx.find(price)[0] is None:
        # Newer versions have one rate for RDS and Aurora, under the engine "Any".
        generic = Price(price.service, price.family, {**price.attributes, "databaseEngine": "Any"})
        if ctx.find(generic)[0] is not None:
            price = generic
    count = vcpus(instance_class)
    quantity: Decimal | Unresolved = (
        count
        if count is not None
        else Unresolved("", f"the vCPUs of {instance_class} are not known")
    )
    ctx.note(
        f"{database} {major} is in extended support since {year1.isoformat()} "
        f"({year.lower()} rate as of {now.isoformat()})"
    )
    ctx.add(
        ctx.component(
            f"Extended support ({'year 3' if third else 'year 1'})",
            "vCPU-hours",
            price,
            hourly=quantity,
        )
    )


def performance_insights(ctx: Context, instance_class: str) -> None:
    """Performance Insights long-term retention and API requests (no catalog price)."""
    if ctx.boolean("performance_insights_enabled", False) is not True:
        return
    retention = ctx.number("performance_insights_retention_period", 7)
    if isinstance(retention, Decimal) and retention > 7:
        count = vcpus(instance_class)
        ctx.add(
            ctx.component(
                f"Performance Insights Long Term Retention ({instance_class})",
                "vCPU-month",
                NO_PI_PRICE,
                monthly=count if count is not None else Unresolved("", "vCPUs not known"),
            )
        )
    requests = ctx.usage_number("monthly_additional_performance_insights_requests")
    if requests is None or requests > 0:
        ctx.add(
            ctx.component(
                "Performance Insights API",
                "1000 requests",
                NO_PI_PRICE,
                monthly=requests,
                per=THOUSAND,
                usage_based=True,
            )
        )


def cpu_credits(ctx: Context, instance_class: str, database: str | None) -> None:
    """Burst credits of a t3/t4g class, when the usage says how long it bursts."""
    if not instance_class.startswith(BURSTABLE_CLASSES):
        return
    hours = ctx.usage_number("monthly_cpu_credit_hrs")
    if hours is None or hours == 0:
        return
    count = ctx.usage_number("vcpu_count") or vcpus(instance_class)
    quantity = hours * count if count is not None else None
    ctx.add(
        ctx.component(
            "CPU credits",
            "vCPU-hours",
            f"no RDS CPU credit price for {database or 'this engine'} in the catalog",
            monthly=quantity,
            usage_based=True,
        )
    )
