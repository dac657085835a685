"""Usage-priced application services: Lambda (and its provisioned concurrency), SQS and SNS
(API Gateway: ``apigateway.py``).

Their cost depends on traffic, so without a usage file their components have no quantity
(``usageBased: true``), exactly as in Infracost. Free tiers are not applied.
"""

from __future__ import annotations

import math
from decimal import Decimal

from engine.costing.context import MILLION, Context, Price
from engine.costing.registry import UsageKey, priced
from engine.costing.usage import to_decimal
from engine.model import Unresolved

ONE_MS = Decimal(1)


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


def _function_setting(ctx: Context) -> tuple[Decimal | None, bool | None]:
    """Memory (MB) and arm64-ness of the function a provisioned concurrency config names, when
    its configuration says so statically."""
    function = ctx.referenced("function_name", "aws_lambda_function")
    if function is None:
        return None, None
    memory = to_decimal(function.attributes.get("memory_size"))
    architectures = function.attributes.get("architectures")
    arm = None if not isinstance(architectures, list) else "arm64" in architectures
    return (memory if memory is not None else Decimal(128)), arm


@priced(
    "aws_lambda_provisioned_concurrency_config",
    reads=("provisioned_concurrent_executions", "function_name"),
    usage=(
        UsageKey(
            "monthly_duration_hrs",
            "int",
            "Number of hours in a month that provisioned concurrency will be enabled.",
            unit="hours",
        ),
        UsageKey(
            "request_duration_ms",
            "int",
            "Average duration of each request in milliseconds during the enabled period.",
            unit="ms",
        ),
        UsageKey(
            "monthly_requests",
            "int",
            "Number of requests sent to the function during the enabled period.",
            unit="requests",
        ),
        UsageKey(
            "architecture",
            "string",
            "Architecture of the Lambda function.",
            choices=("x86_64", "arm64"),
        ),
        UsageKey("memory_mb", "int", "Memory size of the Lambda function.", unit="MB"),
    ),
    notes=(
        "Memory and architecture come from the usage file, else from the referenced "
        "aws_lambda_function, else 512 MB x86_64 (Infracost's default).",
        "Requests are billed on the function itself (aws_lambda_function).",
    ),
)
def aws_lambda_provisioned_concurrency_config(ctx: Context) -> None:
    executions = ctx.number("provisioned_concurrent_executions")
    function_memory, function_arm = _function_setting(ctx)
    memory = ctx.usage_number("memory_mb") or function_memory or Decimal(512)
    architecture = ctx.usage_string("architecture")
    arm = architecture.lower() == "arm64" if architecture else bool(function_arm)
    suffix = "-ARM" if arm else ""
    hours = ctx.usage_number("monthly_duration_hrs")
    concurrency: Decimal | Unresolved | None = None
    if isinstance(executions, Unresolved):
        concurrency = executions
    elif hours is not None:
        concurrency = (executions or Decimal(0)) * memory / 1024 * hours * 3600
    ctx.add(
        ctx.component(
            "Provisioned Concurrency",
            "GB-seconds",
            Price(
                "AWSLambda", "Serverless", {"group": f"AWS-Lambda-Provisioned-Concurrency{suffix}"}
            ),
            monthly=concurrency,
            usage_based=True,
        )
    )
    requests = ctx.usage_number("monthly_requests")
    duration_ms = ctx.usage_number("request_duration_ms")
    duration: Decimal | None = None
    if requests is not None:
        # Infracost counts 1 ms per request when no duration is given.
        milliseconds = Decimal(math.ceil(duration_ms)) if duration_ms is not None else ONE_MS
        duration = requests * milliseconds / 1000 * memory / 1024
    ctx.add(
        ctx.component(
            "Duration",
            "GB-seconds",
            Price("AWSLambda", "Serverless", {"group": f"AWS-Lambda-Duration-Provisioned{suffix}"}),
            monthly=duration,
            usage_based=True,
        )
    )


def _chunked(requests: Decimal | None, size_kb: Decimal | None) -> Decimal | None:
    """Requests billed per 64 KB chunk: 1M requests of 128 KB are 2M requests."""
    if requests is None or size_kb is None or size_kb <= 64:
        return requests
    return requests * Decimal(math.ceil(size_kb / 64))


REQUEST_SIZE_KB = UsageKey(
    "request_size_kb",
    "float",
    "Size of each request in KB, billed in 64 KB chunks (1M requests of 128 KB are 2M).",
    unit="KB",
)


@priced(
    "aws_sqs_queue",
    reads=("fifo_queue",),
    usage=(
        UsageKey("monthly_requests", "int", "Monthly requests to SQS.", unit="requests"),
        REQUEST_SIZE_KB,
    ),
    notes=("The free tier (1M requests a month per account) is not applied.",),
)
def aws_sqs_queue(ctx: Context) -> None:
    fifo = ctx.boolean("fifo_queue", False) is True
    requests = _chunked(ctx.usage_number("monthly_requests"), ctx.usage_number("request_size_kb"))
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


# SNS deliveries a topic makes per subscriber kind (Infracost's aws_sns_topic usage): the
# usage key counting the subscribers, the component, its unit, the notifications a month that
# AWS does not charge for (per account; applied per topic, as Infracost does), and the price.
_SNS_TOPIC_DELIVERIES: tuple[tuple[str, str, str, int, str | None], ...] = (
    ("http_subscriptions", "HTTP/HTTPS notifications (over 100k)", "1M", 100_000, "HTTP"),
    ("email_subscriptions", "Email/Email-JSON notifications (over 1k)", "100k", 1_000, "SMTP"),
    (
        "kinesis_subscriptions",
        "Kinesis Firehose notifications",
        "1M",
        0,
        "Amazon Kinesis Data Firehose",
    ),
    ("mobile_push_subscriptions", "Mobile Push notifications", "1M", 0, "APNS"),
    ("macos_subscriptions", "MacOS notifications", "1M", 0, "APNS macOS"),
    ("sms_subscriptions", "SMS notifications (over 100)", "100", 100, None),
)
_PER = {"1M": MILLION, "100k": Decimal(100_000), "100": Decimal(100)}


@priced(
    "aws_sns_topic",
    reads=("fifo_topic",),
    usage=(
        UsageKey("monthly_requests", "int", "Monthly requests to SNS.", unit="requests"),
        UsageKey(
            "request_size_kb",
            "float",
            "Size of requests to SNS, billed in 64 KB chunks.",
            unit="KB",
        ),
        UsageKey("http_subscriptions", "int", "Number of HTTP/HTTPS subscriptions."),
        UsageKey("email_subscriptions", "int", "Number of Email/Email-JSON subscriptions."),
        UsageKey("kinesis_subscriptions", "int", "Number of Kinesis Firehose subscriptions."),
        UsageKey("mobile_push_subscriptions", "int", "Number of Mobile Push subscriptions."),
        UsageKey("macos_subscriptions", "int", "Number of MacOS subscriptions."),
        UsageKey("sms_subscriptions", "int", "Number of SMS subscriptions."),
        UsageKey(
            "sms_notification_price",
            "float",
            "Average price for each SMS notification.",
            unit="USD",
        ),
    ),
    notes=(
        "Each request is delivered to every subscriber given in the usage file; the monthly "
        "free deliveries (1M requests, 100k HTTP, 1k email, 100 SMS) are taken off per topic, "
        "as Infracost does.",
        "SMS delivery prices depend on the destination and are not in the catalog: SMS is "
        "priced from sms_notification_price when given.",
        "FIFO topics are billed per publish request and GB of payload, and per delivery to "
        "each of their subscriptions in the configuration.",
    ),
)
def aws_sns_topic(ctx: Context) -> None:
    if ctx.boolean("fifo_topic", False) is True:
        _sns_fifo_topic(ctx)
        return
    requests = _chunked(
        ctx.usage_number("monthly_requests"), ctx.usage_number("request_size_kb") or Decimal(64)
    )
    api = None if requests is None else max(requests - MILLION, Decimal(0))
    ctx.add(
        ctx.component(
            "API requests (over 1M)",
            "1M requests",
            Price("AmazonSNS", "API Request", {"topicType": "Standard"}),
            monthly=api,
            per=MILLION,
            usage_based=True,
        )
    )
    for key, name, unit, free_tier, endpoint in _SNS_TOPIC_DELIVERIES:
        subscribers = ctx.usage_number(key)
        quantity: Decimal | None = None
        if subscribers is not None and requests is not None:
            quantity = max(subscribers * requests - free_tier, Decimal(0))
        elif subscribers == 0 or requests == 0:
            quantity = Decimal(0)
        price: Price | str
        if endpoint is not None:
            price = Price("AmazonSNS", "Message Delivery", {"endpointType": endpoint})
        else:
            price = "no SNS SMS delivery price in the catalog (it depends on the destination)"
        component = ctx.component(
            name,
            f"{unit} notifications",
            price,
            monthly=quantity,
            per=_PER[unit],
            usage_based=True,
        )
        custom = ctx.usage_number("sms_notification_price") if key == "sms_subscriptions" else None
        if custom is not None:
            # The user's own average price per SMS (it depends on the destination countries).
            component.price = custom * _PER[unit]
            component.price_not_found_reason = None
            component.source = "usage:sms_notification_price"
        ctx.add(component)


def _fifo_subscriptions(ctx: Context) -> int:
    """How many aws_sns_topic_subscription resources of the configuration name this topic."""
    count = 0
    for resource in ctx.estimation.index.by_address.values():
        if resource.type != "aws_sns_topic_subscription":
            continue
        for reference in resource.references.get("topic_arn", ()):
            found = ctx.estimation.index.resolve(resource, reference)
            if any(target is ctx.resource for target in found):
                count += 1
                break
    return count


def _sns_fifo_topic(ctx: Context) -> None:
    """FIFO topics: publish requests and payload, and each delivery (to its SQS
    subscriptions in the configuration) and its payload (Infracost's SNSFIFOTopic)."""
    requests = ctx.usage_number("monthly_requests")
    size_kb = ctx.usage_number("request_size_kb")
    payload_gb = None if requests is None or size_kb is None else requests * size_kb / MILLION
    subscriptions = Decimal(_fifo_subscriptions(ctx))
    deliveries = Decimal(0) if not subscriptions else None
    delivered_gb = Decimal(0) if not subscriptions else None
    if subscriptions and requests is not None:
        deliveries = subscriptions * requests
    if subscriptions and payload_gb is not None:
        delivered_gb = subscriptions * payload_gb

    def delivery(group: str) -> Price:
        return Price("AmazonSNS", "Message Delivery", {"group": group})

    ctx.add(
        ctx.component(
            "FIFO Publish API requests",
            "1M requests",
            Price("AmazonSNS", "API Request", {"topicType": "FIFO"}),
            monthly=requests,
            per=MILLION,
            usage_based=True,
        ),
        ctx.component(
            "FIFO Publish API payload",
            "GB",
            Price("AmazonSNS", "API Request", {"group": "FIFO Publish Payload"}),
            monthly=payload_gb,
            usage_based=True,
        ),
    )
    if subscriptions:
        ctx.add(
            ctx.component(
                "FIFO notifications",
                "1M notifications",
                delivery("FIFO Subscription Messages"),
                monthly=deliveries,
                per=MILLION,
                usage_based=True,
            ),
            ctx.component(
                "FIFO notification payload",
                "GB",
                delivery("FIFO Subscription Payload"),
                monthly=delivered_gb,
                usage_based=True,
            ),
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


@priced(
    "aws_sns_topic_subscription",
    reads=("protocol",),
    usage=(
        UsageKey(
            "monthly_requests",
            "int",
            "(Deprecated: use aws_sns_topic.monthly_requests) Monthly requests to SNS.",
            unit="requests",
        ),
        UsageKey(
            "request_size_kb",
            "float",
            "(Deprecated: use aws_sns_topic.request_size_kb) Size of requests, in 64 KB chunks.",
            unit="KB",
        ),
    ),
    notes=("Deliveries to SQS and Lambda are free; the free tiers are not applied.",),
)
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
                monthly=_chunked(
                    ctx.usage_number("monthly_requests"), ctx.usage_number("request_size_kb")
                ),
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
            monthly=_chunked(
                ctx.usage_number("monthly_requests"), ctx.usage_number("request_size_kb")
            ),
            per=per,
            usage_based=True,
        )
    )
