"""API Gateway: REST APIs (requests), their stages (cache), and HTTP and WebSocket APIs.

Requests and messages are usage-based (``usageBased: true``, no quantity without a usage
file), as in Infracost. Free tiers are not applied.
"""

from __future__ import annotations

import math
from decimal import Decimal

from engine.costing.context import MILLION, ONE, Context, Price
from engine.costing.registry import UsageKey, free, priced
from engine.model import Unresolved

# AWS meters HTTP API requests in 512 KB steps and WebSocket messages in 32 KB steps.
HTTP_REQUEST_STEP_KB = Decimal(512)
WEBSOCKET_MESSAGE_STEP_KB = Decimal(32)
# The cache API Gateway creates when a stage enables caching without a size.
DEFAULT_CACHE_GB = Decimal("0.5")


@priced(
    "aws_api_gateway_rest_api",
    usage=(
        UsageKey(
            "monthly_requests",
            "int",
            "Monthly requests to the Rest API Gateway.",
            unit="requests",
        ),
    ),
)
def aws_api_gateway_rest_api(ctx: Context) -> None:
    ctx.add(
        *ctx.tiered(
            (
                "Requests (first 333M)",
                "Requests (next 667M)",
                "Requests (next 19B)",
                "Requests (over 20B)",
            ),
            "1M requests",
            Price("AmazonApiGateway", "API Calls", {"operation": "ApiGatewayRequest"}),
            monthly=ctx.usage_number("monthly_requests"),
            per=MILLION,
            usage_based=True,
        )
    )


@priced(
    "aws_api_gateway_stage",
    reads=("cache_cluster_enabled", "cache_cluster_size"),
    usage=(),
    notes=("A stage costs nothing unless its cache cluster is enabled.",),
)
def aws_api_gateway_stage(ctx: Context) -> None:
    enabled = ctx.boolean("cache_cluster_enabled", False)
    if enabled is False:
        ctx.free("no cache cluster: a stage costs nothing by itself")
        return
    size = ctx.number("cache_cluster_size")
    if isinstance(enabled, Unresolved) or isinstance(size, Unresolved):
        unknown = enabled if isinstance(enabled, Unresolved) else size
        assert isinstance(unknown, Unresolved)
        ctx.add(
            ctx.component(
                "Cache memory", "hours", f"the cache is unknown: {unknown.reason}", hourly=ONE
            )
        )
        return
    if size is None:
        size = DEFAULT_CACHE_GB
        ctx.note("cache_cluster_size not set: AWS's default cache of 0.5 GB is assumed")
    gb = format(size.normalize(), "f")
    ctx.add(
        ctx.component(
            f"Cache memory ({gb} GB)",
            "hours",
            Price("AmazonApiGateway", "Amazon API Gateway Cache", {"cacheMemorySizeGb": gb}),
            hourly=ONE,
        )
    )


def _metered(count: Decimal | None, size_kb: Decimal | None, step_kb: Decimal) -> Decimal | None:
    """Requests or messages as AWS meters them: each one counts once per started step of
    ``step_kb`` (a 600 KB HTTP request counts as two)."""
    if count is None or size_kb is None or size_kb <= step_kb:
        return count
    return count * math.ceil(size_kb / step_kb)


@priced(
    "aws_apigatewayv2_api",
    reads=("protocol_type",),
    usage=(
        UsageKey(
            "monthly_requests",
            "int",
            "Monthly requests to the HTTP API Gateway.",
            unit="requests",
        ),
        UsageKey(
            "request_size_kb",
            "int",
            "Average request size sent to the HTTP API Gateway in KB; requests are metered "
            "in 512 KB increments.",
            unit="KB",
        ),
        UsageKey(
            "monthly_messages",
            "int",
            "Monthly number of messages sent to the WebSocket API Gateway.",
            unit="messages",
        ),
        UsageKey(
            "message_size_kb",
            "int",
            "Average size of the messages sent to the WebSocket API Gateway in KB; messages "
            "are metered in 32 KB increments.",
            unit="KB",
        ),
        UsageKey(
            "monthly_connection_mins",
            "int",
            "Monthly total connection minutes to WebSockets.",
            unit="minutes",
        ),
    ),
    notes=("HTTP APIs are priced per request, WebSocket APIs per message and connection minute.",),
)
def aws_apigatewayv2_api(ctx: Context) -> None:
    protocol = ctx.string("protocol_type", "HTTP")
    if isinstance(protocol, Unresolved):
        ctx.add(
            ctx.component(
                "Requests",
                "1M requests",
                f"protocol_type is unknown: {protocol.reason}",
                monthly=None,
                usage_based=True,
            )
        )
        return
    if (protocol or "HTTP").upper() == "WEBSOCKET":
        messages = _metered(
            ctx.usage_number("monthly_messages"),
            ctx.usage_number("message_size_kb"),
            WEBSOCKET_MESSAGE_STEP_KB,
        )
        ctx.add(
            *ctx.tiered(
                ("Messages (first 1B)", "Messages (over 1B)"),
                "1M messages",
                Price("AmazonApiGateway", "WebSocket", {"group": "Messages"}),
                monthly=messages,
                per=MILLION,
                usage_based=True,
            ),
            ctx.component(
                "Connection duration",
                "1M minutes",
                Price("AmazonApiGateway", "WebSocket", {"group": "Connection Minutes"}),
                monthly=ctx.usage_number("monthly_connection_mins"),
                per=MILLION,
                usage_based=True,
            ),
        )
        return
    requests = _metered(
        ctx.usage_number("monthly_requests"),
        ctx.usage_number("request_size_kb"),
        HTTP_REQUEST_STEP_KB,
    )
    ctx.add(
        *ctx.tiered(
            ("Requests (first 300M)", "Requests (over 300M)"),
            "1M requests",
            Price("AmazonApiGateway", "API Calls", {"operation": "ApiGatewayHttpApi"}),
            monthly=requests,
            per=MILLION,
            usage_based=True,
        )
    )


free(
    "aws_api_gateway_api_key",
    "aws_api_gateway_authorizer",
    "aws_api_gateway_base_path_mapping",
    "aws_api_gateway_domain_name",
    "aws_api_gateway_gateway_response",
    "aws_api_gateway_model",
    "aws_api_gateway_request_validator",
    "aws_api_gateway_rest_api_policy",
    "aws_api_gateway_usage_plan",
    "aws_api_gateway_usage_plan_key",
    "aws_api_gateway_vpc_link",
    "aws_apigatewayv2_api_mapping",
    "aws_apigatewayv2_authorizer",
    "aws_apigatewayv2_deployment",
    "aws_apigatewayv2_domain_name",
    "aws_apigatewayv2_integration_response",
    "aws_apigatewayv2_model",
    "aws_apigatewayv2_route_response",
    "aws_apigatewayv2_vpc_link",
    reason="API configuration; requests, messages and stage caches are priced",
)
