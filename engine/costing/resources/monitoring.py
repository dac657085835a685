"""CloudWatch (log groups, metric and composite alarms, dashboards) and Amazon Managed Grafana
workspaces."""

from __future__ import annotations

from decimal import Decimal

from engine.costing.context import ONE, Context, Price
from engine.costing.registry import UsageKey, priced
from engine.model import Unresolved


@priced(
    "aws_cloudwatch_log_group",
    reads=("log_group_class",),
    usage=(
        UsageKey("storage_gb", "float", "Total data stored by CloudWatch logs in GB.", unit="GB"),
        UsageKey(
            "monthly_data_ingested_gb",
            "float",
            "Monthly data ingested by CloudWatch logs in GB.",
            unit="GB",
        ),
        UsageKey(
            "monthly_data_scanned_gb",
            "float",
            "Monthly data scanned by CloudWatch logs insights in GB.",
            unit="GB",
        ),
    ),
)
def aws_cloudwatch_log_group(ctx: Context) -> None:
    infrequent = str(ctx.string("log_group_class", "STANDARD")).upper() == "INFREQUENT_ACCESS"
    ingestion = "DataProcessingIA-Bytes" if infrequent else "DataProcessing-Bytes"
    ctx.add(
        ctx.component(
            "Data ingested" + (" (infrequent access)" if infrequent else ""),
            "GB",
            Price(
                "AmazonCloudWatch", "Data Payload", {"group": "Ingested Logs"}, usage_type=ingestion
            ),
            monthly=ctx.usage_number("monthly_data_ingested_gb"),
            usage_based=True,
        ),
        ctx.component(
            "Archival Storage",
            "GB",
            Price("AmazonCloudWatch", "Storage Snapshot", {}, usage_type="TimedStorage-ByteHrs"),
            monthly=ctx.usage_number("storage_gb"),
            usage_based=True,
        ),
        ctx.component(
            "Insights queries data scanned",
            "GB",
            Price(
                "AmazonCloudWatch",
                "Data Payload",
                {"group": "Queried Logs"},
                usage_type="DataScanned-Bytes",
            ),
            monthly=ctx.usage_number("monthly_data_scanned_gb"),
            usage_based=True,
        ),
    )


def _alarm_metrics(ctx: Context) -> Decimal | Unresolved:
    queries = ctx.blocks_or_unknown("metric_query")
    if isinstance(queries, Unresolved):
        return queries
    if not queries:
        return ONE
    metrics = sum(1 for query in queries if query.get("metric"))
    if any("ANOMALY_DETECTION_BAND" in str(query.get("expression") or "") for query in queries):
        metrics += 2  # an anomaly detection alarm is billed as three metrics
    return Decimal(max(metrics, 1))


@priced(
    "aws_cloudwatch_metric_alarm",
    reads=("period", "metric_query"),
    usage=(),
    notes=("An anomaly detection alarm is billed as three metrics.",),
)
def aws_cloudwatch_metric_alarm(ctx: Context) -> None:
    period = ctx.number("period")
    queries = ctx.blocks("metric_query")
    if period is None:
        for query in queries:
            for metric in query.get("metric") or []:
                if isinstance(metric, dict) and metric.get("period") is not None:
                    period = ctx.number("period", None, within=metric, label="metric.period")
    high_resolution = isinstance(period, Decimal) and period < 60
    usage = "CW:HighResAlarmMonitorUsage" if high_resolution else "CW:AlarmMonitorUsage"
    ctx.add(
        ctx.component(
            "High resolution" if high_resolution else "Standard resolution",
            "alarm metrics",
            Price("AmazonCloudWatch", "Alarm", {"group": "Alarm"}, usage_type=usage),
            monthly=_alarm_metrics(ctx),
        )
    )


@priced("aws_cloudwatch_composite_alarm", usage=())
def aws_cloudwatch_composite_alarm(ctx: Context) -> None:
    ctx.add(
        ctx.component(
            "Composite alarm",
            "alarms",
            Price(
                "AmazonCloudWatch",
                "Alarm",
                {"group": "Alarm"},
                usage_type="CW:CompositeAlarmMonitorUsage",
            ),
            monthly=ONE,
        )
    )


@priced(
    "aws_cloudwatch_dashboard",
    usage=(),
    notes=("The first 3 dashboards of an account are free; not applied.",),
)
def aws_cloudwatch_dashboard(ctx: Context) -> None:
    ctx.add(
        ctx.component(
            "Dashboard",
            "months",
            Price("AmazonCloudWatch", "Dashboard", {}, region=""),
            monthly=ONE,
        )
    )
    ctx.note("the first 3 dashboards of an account are free; not applied")


@priced(
    "aws_grafana_workspace",
    reads=("license_type",),
    usage=(
        UsageKey(
            "editors_administrator_licenses",
            "int",
            "Number of editor/administrator licenses.",
            unit="users",
        ),
        UsageKey("viewer_licenses", "int", "Number of viewer licenses.", unit="users"),
    ),
    notes=(
        "Without a usage file one editor/administrator (the workspace's creator) is assumed, "
        "as Infracost does.",
        "Enterprise plugins (license_type ENTERPRISE) are charged for every licensed user.",
    ),
)
def aws_grafana_workspace(ctx: Context) -> None:
    editors = ctx.usage_number("editors_administrator_licenses")
    viewers = ctx.usage_number("viewer_licenses")
    ctx.add(
        ctx.component(
            "Editor/administrator licenses",
            "users",
            Price("AmazonGrafana", "User Fees", {"userType": "Editor"}),
            monthly=ONE if editors is None else editors,
            usage_based=editors is not None,
        ),
        ctx.component(
            "Viewer licenses",
            "users",
            Price("AmazonGrafana", "User Fees", {"userType": "Viewer"}),
            monthly=viewers,
            usage_based=True,
        ),
    )
    license_type = ctx.string("license_type", "")
    if isinstance(license_type, str) and license_type.upper() == "ENTERPRISE":
        users = (ONE if editors is None else editors) + (viewers or Decimal(0))
        ctx.add(
            ctx.component(
                "Enterprise plugins licenses",
                "users",
                Price("AmazonGrafana", "User Fees", {"userType": "Enterprise Plugins"}),
                monthly=users,
            )
        )
