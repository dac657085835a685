"""Application integration and developer services: Step Functions state machines, EventBridge
event buses, Transfer Family servers and CodeBuild projects."""

from __future__ import annotations

import math
from decimal import Decimal

from engine.costing.context import MILLION, THOUSAND, Context, Price
from engine.costing.registry import UsageKey, free, priced
from engine.model import Unresolved

SECONDS_PER_HOUR = Decimal(3600)

free(
    "aws_sfn_activity",
    "aws_sfn_alias",
    "aws_cloudwatch_event_archive",
    "aws_cloudwatch_event_permission",
    "aws_cloudwatch_event_bus_policy",
    "aws_transfer_user",
    "aws_transfer_ssh_key",
    "aws_transfer_access",
    "aws_codebuild_source_credential",
    "aws_codebuild_webhook",
    "aws_codebuild_report_group",
    reason="configuration only; costs nothing by itself",
)

# --- Step Functions ---------------------------------------------------------------------------


@priced(
    "aws_sfn_state_machine",
    reads=("type",),
    usage=(
        UsageKey(
            "monthly_transitions",
            "int",
            "Monthly number of state transitions. Only applicable for Standard Workflows.",
            unit="transitions",
        ),
        UsageKey(
            "monthly_requests",
            "int",
            "Monthly number of workflow requests. Only applicable for Express Workflows.",
            unit="requests",
        ),
        UsageKey(
            "memory_mb",
            "int",
            "Average amount of memory consumed by workflow in MB. Only applicable for Express "
            "Workflows.",
            unit="MB",
        ),
        UsageKey(
            "workflow_duration_ms",
            "int",
            "Average duration of workflow in milliseconds. Only applicable for Express Workflows.",
            unit="ms",
        ),
    ),
    notes=(
        "Standard workflows are priced per state transition, Express workflows per request and "
        "per GB-second (memory rounded up to 64 MB, duration to 100 ms); free tiers are not "
        "applied.",
    ),
)
def aws_sfn_state_machine(ctx: Context) -> None:
    kind = ctx.string("type", "STANDARD")
    if isinstance(kind, Unresolved):
        ctx.add(ctx.component("Transitions", "1K transitions", f"type is unknown: {kind.reason}"))
        return
    if str(kind).upper() != "EXPRESS":
        ctx.add(
            ctx.component(
                "Transitions",
                "1K transitions",
                Price("AmazonStates", "AWS Step Functions", {"workflowType": "Standard"}),
                monthly=ctx.usage_number("monthly_transitions"),
                per=THOUSAND,
                usage_based=True,
            )
        )
        return
    requests = ctx.usage_number("monthly_requests")
    ctx.add(
        ctx.component(
            "Requests",
            "1M requests",
            Price(
                "AmazonStates",
                "AWS Step Functions",
                {"workflowType": "Express", "group": "Requests"},
            ),
            monthly=requests,
            per=MILLION,
            usage_based=True,
        )
    )
    memory = ctx.usage_number("memory_mb")
    duration = ctx.usage_number("workflow_duration_ms")
    gb_seconds: Decimal | None = None
    if requests is not None and memory is not None and duration is not None:
        rounded_memory = Decimal(math.ceil(max(memory, Decimal(64)) / 64) * 64)
        rounded_ms = Decimal(math.ceil(duration / 100) * 100)
        gb_seconds = requests * rounded_ms / 1000 * rounded_memory / 1024
    ctx.add(
        *ctx.tiered(
            ("Duration (first 1K)", "Duration (next 4K)", "Duration (over 5K)"),
            "GB-hours",
            Price(
                "AmazonStates",
                "AWS Step Functions",
                {"workflowType": "Express", "group": "Duration"},
            ),
            monthly=gb_seconds,
            per=SECONDS_PER_HOUR,
            usage_based=True,
        )
    )


# --- EventBridge ------------------------------------------------------------------------------


@priced(
    "aws_cloudwatch_event_bus",
    usage=(
        UsageKey(
            "monthly_custom_events",
            "int",
            "Monthly custom events published. Each 64 KB chunk of payload is billed as 1 event.",
            unit="events",
        ),
        UsageKey(
            "monthly_third_party_events",
            "int",
            "Monthly third-party and cross-account events published. Each 64 KB chunk of "
            "payload is billed as 1 event.",
            unit="events",
        ),
        UsageKey(
            "monthly_archive_processing_gb",
            "int",
            "Monthly archive event processing in GB.",
            unit="GB",
        ),
        UsageKey(
            "archive_storage_gb", "int", "Archive storage used for event replay in GB.", unit="GB"
        ),
        UsageKey(
            "monthly_schema_discovery_events",
            "int",
            "Monthly events ingested for schema discovery. Each 8 KB chunk of payload is billed "
            "as 1 event.",
            unit="events",
        ),
    ),
    notes=("Events published by AWS services are free.",),
)
def aws_cloudwatch_event_bus(ctx: Context) -> None:
    def events(event_type: str) -> Price:
        return Price("AWSEvents", "CloudWatch Events", {"eventType": event_type})

    ctx.add(
        ctx.component(
            "Custom events published",
            "1M events",
            events("Custom"),
            monthly=ctx.usage_number("monthly_custom_events"),
            per=MILLION,
            usage_based=True,
        ),
        ctx.component(
            "Third-party events published",
            "1M events",
            "no third-party (partner) event price in the EventBridge feed: its bare "
            "'CloudWatch Events' label does not say which events it prices",
            monthly=ctx.usage_number("monthly_third_party_events"),
            per=MILLION,
            usage_based=True,
        ),
        ctx.component(
            "Archive processing",
            "GB",
            Price("AWSEvents", "CloudWatch Events", {"group": "Archive Processing"}),
            monthly=ctx.usage_number("monthly_archive_processing_gb"),
            usage_based=True,
        ),
        ctx.component(
            "Archive storage",
            "GB",
            Price("AWSEvents", "CloudWatch Events", {"group": "Archive Storage"}),
            monthly=ctx.usage_number("archive_storage_gb"),
            usage_based=True,
        ),
        ctx.component(
            "Schema discovery",
            "1M events",
            events("Schema Discovery"),
            monthly=ctx.usage_number("monthly_schema_discovery_events"),
            per=MILLION,
            usage_based=True,
        ),
    )


# --- Transfer Family --------------------------------------------------------------------------


@priced(
    "aws_transfer_server",
    reads=("protocols",),
    usage=(
        UsageKey(
            "monthly_data_downloaded_gb",
            "float",
            "Monthly data downloaded over enabled protocols in GB.",
            unit="GB",
        ),
        UsageKey(
            "monthly_data_uploaded_gb",
            "float",
            "Monthly data uploaded over enabled protocols in GB.",
            unit="GB",
        ),
    ),
    notes=("Each enabled protocol is billed per hour; SFTP is the default protocol.",),
)
def aws_transfer_server(ctx: Context) -> None:
    listed = ctx.list_of("protocols")
    if isinstance(listed, Unresolved):
        ctx.add(
            ctx.component(
                "Protocols enabled",
                "hours",
                f"protocols are unknown: {listed.reason}",
                hourly=Decimal(1),
            )
        )
        protocols = ["SFTP"]
    else:
        protocols = sorted({str(p).upper() for p in listed or []}) or ["SFTP"]
        for protocol in protocols:
            ctx.add(
                ctx.component(
                    f"{protocol} protocol enabled",
                    "hours",
                    Price(
                        "AWSTransfer",
                        "AWS Transfer Family",
                        {"group": "Endpoint", "protocol": protocol},
                    ),
                    hourly=Decimal(1),
                )
            )
    # Data prices are the same for every protocol; AS2 servers move messages, not GB.
    data_protocol = next((p for p in protocols if p != "AS2"), "SFTP")
    for name, direction, key in (
        ("Data downloaded", "Download", "monthly_data_downloaded_gb"),
        ("Data uploaded", "Upload", "monthly_data_uploaded_gb"),
    ):
        ctx.add(
            ctx.component(
                name,
                "GB",
                Price(
                    "AWSTransfer",
                    "AWS Transfer Family",
                    {"group": "Data", "direction": direction, "protocol": data_protocol},
                ),
                monthly=ctx.usage_number(key),
                usage_based=True,
            )
        )


# --- CodeBuild --------------------------------------------------------------------------------

# Terraform environment types -> (operating system, label, compute type family).
_CODEBUILD_ENVIRONMENTS = {
    "LINUX_CONTAINER": ("Linux", "Linux", "general1"),
    "LINUX_GPU_CONTAINER": ("Linux", "Linux", "gpu1"),
    "ARM_CONTAINER": ("Linux", "Linux", "arm1"),
    "WINDOWS_CONTAINER": ("Windows", "Windows", "general1"),
    "WINDOWS_SERVER_2019_CONTAINER": ("Windows", "Windows", "general1"),
    "WINDOWS_SERVER_2022_CONTAINER": ("Windows", "Windows", "general1"),
}


@priced(
    "aws_codebuild_project",
    reads=("environment.compute_type", "environment.type"),
    usage=(
        UsageKey(
            "monthly_build_mins",
            "int",
            "Monthly total duration of builds in minutes. Each build is rounded up to the "
            "nearest minute.",
            unit="minutes",
        ),
    ),
    notes=("On-demand EC2 compute, per build minute; the free tier is not applied.",),
)
def aws_codebuild_project(ctx: Context) -> None:
    environments = ctx.blocks("environment")
    environment = environments[0] if environments else {}
    compute = ctx.string("compute_type", within=environment, label="environment.compute_type")
    kind = ctx.string("type", "LINUX_CONTAINER", within=environment, label="environment.type")
    minutes = ctx.usage_number("monthly_build_mins")
    if isinstance(compute, Unresolved) or isinstance(kind, Unresolved):
        unknown = compute if isinstance(compute, Unresolved) else kind
        assert isinstance(unknown, Unresolved)
        ctx.add(
            ctx.component(
                "Build minutes",
                "minutes",
                f"compute type is unknown: {unknown.reason}",
                monthly=minutes,
                usage_based=True,
            )
        )
        return
    compute = str(compute or "BUILD_GENERAL1_SMALL").upper()
    system, label, family = _CODEBUILD_ENVIRONMENTS.get(str(kind).upper(), ("Linux", "Linux", ""))
    size = compute.removeprefix("BUILD_").split("_", 1)[-1].lower()
    compute_type = f"{family or 'general1'}.{size}"
    price: Price | str
    if str(kind).upper() not in _CODEBUILD_ENVIRONMENTS or not compute.startswith("BUILD_"):
        price = f"environment {kind} with compute type {compute} is not priced by the engine"
    else:
        price = Price(
            "CodeBuild",
            "Compute",
            {
                "computeMode": "EC2",
                "computeType": compute_type,
                "operatingSystem": system,
                "termType": "OnDemand",
            },
        )
    ctx.add(
        ctx.component(
            f"{label} ({compute_type})", "minutes", price, monthly=minutes, usage_based=True
        )
    )
