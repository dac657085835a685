"""Usage-priced application services: Lambda, SQS and SNS (API Gateway: ``apigateway.py``).

Their cost depends on traffic, so without a usage file their components have no quantity
(``usageBased: true``), exactly as in Infracost. Free tiers are not applied.
"""

from __future__ import annotations

import math
from decimal import Decimal

from engine.costing.context import Context, Price
from engine.costing.registry import UsageKey, priced
from engine.model import Unresolved

MILLION = Decimal(1_000_000)


@priced(
    "aws_lambda_function",
    reads=("memory_size", "architectures", "ephemeral_storage.size"),
    usage=(
        UsageKey(
            "monthly_requests", "int", "Monthly requests to the Lambda function.", unit="requests"
        ),
        UsageKey(
            "request_duration_ms",
            "int",
            "Average duration of each request in milliseconds.",
            unit="ms",
        ),
    ),
    notes=("The free tier is not applied.", "Durations are rounded up to the next millisecond."),
)
def aws_lambda_function(ctx: Context) -> None:
    memory = ctx.number("memory_size", 128)
    architectures = ctx.list_of("architectures")
    arm = isinstance(architectures, list) and "arm64" in architectures
    suffix = "-ARM" if arm else ""
    requests = ctx.usage_number("monthly_requests")
    duration_ms = ctx.usage_number("request_duration_ms")
    ctx.add(
        ctx.component(
            "Requests",
            "1M requests",
            Price(
                "AWSLambda",
                "Serverless",
                {"group": f"AWS-Lambda-Requests{suffix}"},
                usage_type=f"Request{suffix}",
            ),
            monthly=requests,
            per=MILLION,
            usage_based=True,
        )
    )
    seconds: Decimal | None = None
    if requests is not None and duration_ms is not None:
        seconds = requests * Decimal(math.ceil(duration_ms)) / 1000
    gb_seconds: Decimal | Unresolved | None = None
    if seconds is not None:
        gb_seconds = memory if isinstance(memory, Unresolved) else seconds * (memory or 128) / 1024
    names = (
        ("Duration (first 7.5B)", "Duration (next 11.25B)", "Duration (over 18.75B)")
        if arm
        else ("Duration (first 6B)", "Duration (next 9B)", "Duration (over 15B)")
    )
    ctx.add(
        *ctx.tiered(
            names,
            "GB-seconds",
            Price(
                "AWSLambda",
                "Serverless",
                {"group": f"AWS-Lambda-Duration{suffix}"},
                usage_type=f"Lambda-GB-Second{suffix}",
            ),
            monthly=gb_seconds,
            usage_based=True,
        )
    )
    storage_blocks = ctx.blocks("ephemeral_storage")
    size = Decimal(512)
    if isinstance(storage_blocks, list) and storage_blocks:
        found = ctx.number("size", 512, within=storage_blocks[0], label="ephemeral_storage.size")
        if isinstance(found, Decimal):
            size = found
    if size > 512:
        extra_gb_seconds = None if seconds is None else seconds * (size - 512) / 1024
        ctx.add(
            ctx.component(
                "Ephemeral storage",
                "GB-seconds",
                Price(
                    "AWSLambda",
                    "Serverless",
                    {"group": f"AWS-Lambda-Storage-Duration{suffix}"},
                ),
                monthly=extra_gb_seconds,
                usage_based=True,
            )
        )
    ctx.note("usage: monthly_requests, request_duration_ms; free tier not applied")


@priced("aws_sqs_queue")
def aws_sqs_queue(ctx: Context) -> None:
    fifo = ctx.boolean("fifo_queue", False) is True
    requests = ctx.usage_number("monthly_requests")
    size_kb = ctx.usage_number("request_size_kb")
    if requests is not None and size_kb is not None and size_kb > 64:
        requests = requests * Decimal(math.ceil(size_kb / 64))  # billed per 64 KB chunk
    queue_type = "FIFO (first-in, first-out)" if fifo else "Standard"
    ctx.add(
        *ctx.tiered(
            ("Requests", "Requests (over 100B)", "Requests (over 200B)"),
            "1M requests",
            Price("AWSQueueService", "API Request", {"queueType": queue_type}),
            monthly=requests,
            per=MILLION,
            usage_based=True,
        )
    )


@priced("aws_sns_topic")
def aws_sns_topic(ctx: Context) -> None:
    fifo = ctx.boolean("fifo_topic", False) is True
    ctx.add(
        ctx.component(
            "API requests",
            "1M requests",
            Price("AmazonSNS", "API Request", {"topicType": "FIFO" if fifo else "Standard"}),
            monthly=ctx.usage_number("monthly_requests"),
            per=MILLION,
            usage_based=True,
        )
    )


_SNS_ENDPOINTS = {
    "http": ("HTTP", "HTTP/HTTPS notifications", "1M notifications", MILLION),
    "https": ("HTTP", "HTTP/HTTPS notifications", "1M notifications", MILLION),
    "email": ("SMTP", "Email/Email-JSON notifications", "100K notifications", Decimal(100_000)),
    "email-json": (
        "SMTP",
        "Email/Email-JSON notifications",
        "100K notifications",
        Decimal(100_000),
    ),
    "firehose": (
        "Amazon Kinesis Data Firehose",
        "Firehose deliveries",
        "1M notifications",
        MILLION,
    ),
}


@priced("aws_sns_topic_subscription")
def aws_sns_topic_subscription(ctx: Context) -> None:
    protocol = ctx.string("protocol", "")
    if isinstance(protocol, Unresolved):
        ctx.add(
            ctx.component(
                "Notifications",
                "1M notifications",
                f"protocol is unknown: {protocol.reason}",
                monthly=None,
            )
        )
        return
    protocol = (protocol or "").lower()
    if protocol in ("sqs", "lambda"):
        ctx.free(f"deliveries to {protocol} are free")
        return
    if protocol not in _SNS_ENDPOINTS:
        ctx.add(
            ctx.component(
                f"{protocol or 'unknown'} notifications",
                "1M notifications",
                f"{protocol or 'this'} protocol's delivery prices are not in the catalog",
                monthly=ctx.usage_number("monthly_requests"),
                usage_based=True,
            )
        )
        return
    endpoint, name, unit, per = _SNS_ENDPOINTS[protocol]
    ctx.add(
        ctx.component(
            name,
            unit,
            Price("AmazonSNS", "Message Delivery", {"endpointType": endpoint}),
            monthly=ctx.usage_number("monthly_requests"),
            per=per,
            usage_based=True,
        )
    )
