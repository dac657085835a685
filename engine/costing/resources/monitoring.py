"""CloudWatch: log groups, metric and composite alarms, dashboards."""

from __future__ import annotations

from decimal import Decimal

from engine.costing.context import ONE, Context, Price
from engine.costing.registry import priced
from engine.model import Unresolved


@priced("aws_cloudwatch_log_group")
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


@priced("aws_cloudwatch_metric_alarm")
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


@priced("aws_cloudwatch_composite_alarm")
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


@priced("aws_cloudwatch_dashboard")
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
