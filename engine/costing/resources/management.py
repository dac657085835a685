"""Management and governance: CloudTrail trails, AWS Config (recorder, rules, organization
rules), CloudFormation stacks and stack sets, Systems Manager parameters and activations, and
Directory Service directories."""

from __future__ import annotations

from decimal import Decimal

from engine.costing.components import HOURS_PER_MONTH
from engine.costing.context import TEN_THOUSAND, Context, Price
from engine.costing.registry import UsageKey, free, priced
from engine.model import Unresolved

HUNDRED_THOUSAND = Decimal(100_000)

free(
    "aws_config_configuration_recorder_status",
    "aws_config_delivery_channel",
    "aws_config_configuration_aggregator",
    "aws_config_aggregate_authorization",
    "aws_cloudformation_stack_set_instance",
    "aws_cloudformation_type",
    "aws_ssm_association",
    "aws_ssm_document",
    "aws_ssm_maintenance_window",
    "aws_ssm_maintenance_window_target",
    "aws_ssm_maintenance_window_task",
    "aws_ssm_patch_baseline",
    "aws_ssm_patch_group",
    "aws_ssm_resource_data_sync",
    "aws_directory_service_conditional_forwarder",
    "aws_directory_service_log_subscription",
    reason="configuration only; costs nothing by itself",
)

# --- CloudTrail -------------------------------------------------------------------------------

_CLOUDTRAIL_EVENTS = (
    (
        "Management events (additional copies)",
        "Management Tools - AWS CloudTrail Paid Events Recorded",
        "monthly_additional_management_events",
    ),
    (
        "Data events",
        "Management Tools - AWS CloudTrail Data Events Recorded",
        "monthly_data_events",
    ),
    (
        "Insight events",
        "Management Tools - AWS CloudTrail Insights Events",
        "monthly_insight_events",
    ),
)


@priced(
    "aws_cloudtrail",
    reads=("include_global_service_events", "event_selector", "insight_selector"),
    usage=(
        UsageKey(
            "monthly_additional_management_events",
            "float",
            "Monthly additional copies of read and write management events (the first copy "
            "per region is free).",
            unit="events",
        ),
        UsageKey(
            "monthly_data_events",
            "float",
            "Monthly data events delivered to S3, Lambda or DynamoDB.",
            unit="events",
        ),
        UsageKey(
            "monthly_insight_events", "float", "Monthly CloudTrail Insight events.", unit="events"
        ),
    ),
    notes=(
        "The first copy of management events is free: only additional copies are charged.",
        "Insight events are shown when the trail has an insight_selector or the usage file "
        "gives them.",
    ),
)
def aws_cloudtrail(ctx: Context) -> None:
    management = ctx.boolean("include_global_service_events", True) is not False
    for selector in ctx.blocks("event_selector"):
        if selector.get("include_management_events") is False:
            management = False
    insights = bool(ctx.blocks("insight_selector"))
    for name, family, key in _CLOUDTRAIL_EVENTS:
        quantity = ctx.usage_number(key)
        if quantity is None and (
            (key == "monthly_additional_management_events" and not management)
            or (key == "monthly_insight_events" and not insights)
        ):
            continue
        ctx.add(
            ctx.component(
                name,
                "100k events",
                Price("AWSCloudTrail", family, {}),
                monthly=quantity,
                per=HUNDRED_THOUSAND,
                usage_based=True,
            )
        )


# --- AWS Config -------------------------------------------------------------------------------

_RULE_TIERS = (
    "Rule evaluations (first 100K)",
    "Rule evaluations (next 400K)",
    "Rule evaluations (over 500K)",
)
_RULE_USAGE = (
    UsageKey(
        "monthly_rule_evaluations", "int", "Monthly config rule evaluations.", unit="evaluations"
    ),
)


@priced(
    "aws_config_config_rule",
    "aws_config_organization_custom_rule",
    "aws_config_organization_managed_rule",
    usage=_RULE_USAGE,
    notes=(
        "Evaluation tiers are per account and region; each rule is priced as if it were alone.",
    ),
)
def aws_config_rule(ctx: Context) -> None:
    ctx.add(
        *ctx.tiered(
            _RULE_TIERS,
            "evaluations",
            Price(
                "AWSConfig", "Management Tools - AWS Config Rules", {"evaluationMode": "Detective"}
            ),
            monthly=ctx.usage_number("monthly_rule_evaluations"),
            usage_based=True,
            always_first=False,
        )
    )


@priced(
    "aws_config_configuration_recorder",
    reads=("recording_mode.recording_frequency",),
    usage=(
        UsageKey("monthly_config_items", "int", "Monthly config item records.", unit="records"),
        UsageKey(
            "monthly_custom_config_items",
            "int",
            "Monthly custom config item records.",
            unit="records",
        ),
    ),
)
def aws_config_configuration_recorder(ctx: Context) -> None:
    frequency = "Continuous"
    for mode in ctx.blocks("recording_mode"):
        if str(mode.get("recording_frequency", "")).upper() == "DAILY":
            frequency = "Daily"
    ctx.add(
        ctx.component(
            "Config items" + (" (daily recording)" if frequency == "Daily" else ""),
            "records",
            Price(
                "AWSConfig",
                "Management Tools - AWS Config",
                {"group": "Configuration Item", "recordingFrequency": frequency},
            ),
            monthly=ctx.usage_number("monthly_config_items"),
            usage_based=True,
        ),
        ctx.component(
            "Custom config items",
            "records",
            Price(
                "AWSConfig", "Management Tools - AWS Config", {"group": "Custom Configuration Item"}
            ),
            monthly=ctx.usage_number("monthly_custom_config_items"),
            usage_based=True,
        ),
    )


# --- CloudFormation ---------------------------------------------------------------------------

_FREE_NAMESPACES = ("aws::", "alexa::", "custom::")
# No feed has these two rates: curated from AWS's pricing page (engine/data/curated_prices.json).
_HANDLER_OPERATIONS = Price(
    "AWSCloudFormation", "Third-party Extension", {}, usage_type="HandlerOperations"
)
_HANDLER_DURATION = Price(
    "AWSCloudFormation", "Third-party Extension", {}, usage_type="HandlerDuration"
)


@priced(
    "aws_cloudformation_stack",
    "aws_cloudformation_stack_set",
    reads=("template_body",),
    usage=(
        UsageKey(
            "monthly_handler_operations",
            "int",
            "Monthly number of non-free handler operations (resources outside of the AWS::*, "
            "Alexa::*, and Custom::* namespaces).",
            unit="operations",
        ),
        UsageKey(
            "monthly_duration_secs",
            "int",
            "Monthly duration of non-free handler operations that go above 30 seconds, in seconds.",
            unit="seconds",
        ),
    ),
    notes=(
        "Stacks of AWS::, Alexa:: and Custom:: resources are free (as Infracost, a template "
        "that names any of them is taken as free).",
    ),
)
def aws_cloudformation_stack(ctx: Context) -> None:
    body = ctx.string("template_body", "")
    if isinstance(body, str) and any(space in body.lower() for space in _FREE_NAMESPACES):
        ctx.free("AWS::, Alexa:: and Custom:: resources are managed for free")
        return
    ctx.add(
        ctx.component(
            "Handler operations",
            "operations",
            _HANDLER_OPERATIONS,
            monthly=ctx.usage_number("monthly_handler_operations"),
            usage_based=True,
        ),
        ctx.component(
            "Durations above 30s",
            "seconds",
            _HANDLER_DURATION,
            monthly=ctx.usage_number("monthly_duration_secs"),
            usage_based=True,
        ),
    )


# --- Systems Manager --------------------------------------------------------------------------


@priced(
    "aws_ssm_parameter",
    reads=("tier",),
    usage=(
        UsageKey(
            "api_throughput_limit",
            "string",
            "SSM Parameter Throughput limit, can be: standard, advanced, higher.",
            choices=("standard", "advanced", "higher"),
        ),
        UsageKey("monthly_api_interactions", "int", "Monthly API interactions.", unit="requests"),
        UsageKey(
            "parameter_storage_hrs",
            "int",
            "Number of hours in the month parameters will be stored for.",
            unit="hours",
        ),
    ),
    notes=(
        "Standard parameters with standard throughput are free.",
        "An advanced parameter is stored all month (730 hours) unless parameter_storage_hrs "
        "says otherwise.",
    ),
)
def aws_ssm_parameter(ctx: Context) -> None:
    tier = ctx.string("tier", "Standard")
    if isinstance(tier, Unresolved):
        ctx.add(ctx.component("Parameter storage", "hours", f"tier is unknown: {tier.reason}"))
        return
    advanced = str(tier).lower() != "standard"
    if advanced:
        hours = ctx.usage_number("parameter_storage_hrs")
        ctx.add(
            ctx.component(
                "Parameter storage (advanced)",
                "hours",
                Price("AWSSystemsManager", "Parameter Store", {"parameterTier": "Advanced"}),
                monthly=HOURS_PER_MONTH if hours is None else hours,
                usage_based=hours is not None,
            )
        )
    throughput = (ctx.usage_string("api_throughput_limit") or str(tier)).lower()
    if throughput != "standard":
        higher = throughput == "higher"
        ctx.add(
            ctx.component(
                f"API interactions ({'higher' if higher else 'advanced'})",
                "10k interactions",
                Price(
                    "AWSSystemsManager",
                    "Parameter Store API",
                    {"throughput": "Higher" if higher else "Standard"},
                ),
                monthly=ctx.usage_number("monthly_api_interactions"),
                per=TEN_THOUSAND,
                usage_based=True,
            )
        )
    if not ctx.components:
        ctx.free("standard parameters with standard throughput are free")


@priced(
    "aws_ssm_activation",
    reads=("registration_limit",),
    usage=(
        UsageKey(
            "instance_tier",
            "string",
            "Instance tier being used, can be: standard, advanced.",
            choices=("standard", "advanced"),
        ),
        UsageKey("instances", "int", "Number of instances being managed.", unit="instances"),
    ),
    notes=(
        "Standard-tier on-premises instances are free; more than 1,000 registrations need the "
        "advanced tier.",
    ),
)
def aws_ssm_activation(ctx: Context) -> None:
    tier = ctx.usage_string("instance_tier")
    if tier is None:
        limit = ctx.number("registration_limit")
        tier = "advanced" if isinstance(limit, Decimal) and limit > 1000 else "standard"
    if tier.lower() != "advanced":
        ctx.free("standard-tier on-premises managed instances are free")
        return
    ctx.add(
        ctx.component(
            "On-prem managed instances (advanced)",
            "hours",
            Price("AWSSystemsManager", "Managed Instance", {"instanceTier": "Advanced"}),
            hourly=ctx.usage_number("instances"),
            usage_based=True,
        )
    )


# --- Directory Service ------------------------------------------------------------------------

_DIRECTORY_TYPES = {"SimpleAD": "Simple AD", "ADConnector": "AD Connector", "MicrosoftAD": None}


@priced(
    "aws_directory_service_directory",
    reads=("type", "edition", "size"),
    usage=(
        UsageKey(
            "additional_domain_controllers",
            "float",
            "The number of domain controllers provisioned in addition to the minimum 2 "
            "(Microsoft AD).",
            unit="controllers",
        ),
        UsageKey(
            "shared_accounts",
            "float",
            "Number of accounts that Microsoft AD directory is shared with.",
            unit="accounts",
        ),
    ),
    notes=(
        "Microsoft AD is billed per domain controller-hour, two per directory; Simple AD and "
        "AD Connector per directory-hour (their two controllers are included in AWS's price, "
        "where Infracost bills two).",
    ),
)
def aws_directory_service_directory(ctx: Context) -> None:
    kind = ctx.string("type", "SimpleAD")
    if isinstance(kind, Unresolved) or kind not in _DIRECTORY_TYPES:
        reason = (
            f"type is unknown: {kind.reason}"
            if isinstance(kind, Unresolved)
            else f"unknown directory type {kind!r}"
        )
        ctx.add(ctx.component("Directory service", "hours", reason, hourly=Decimal(1)))
        return
    additional = ctx.usage_number("additional_domain_controllers")
    if kind != "MicrosoftAD":
        label = _DIRECTORY_TYPES[kind]
        size = ctx.string("size", "Large")
        price: Price | str
        if isinstance(size, Unresolved):
            price = f"size is unknown: {size.reason}"
        else:
            size = "Small" if str(size).lower() == "small" else "Large"
            shape = {"directorySize": size}
            # AWS prices small Simple AD and small AD Connector as one product.
            shape["directoryType"] = "Simple AD or AD Connector" if size == "Small" else str(label)
            price = Price("AWSDirectoryService", "AWS Directory Service", shape)
        ctx.add(
            ctx.component(
                f"Directory service ({label}, {size})", "directories", price, hourly=Decimal(1)
            )
        )
        if additional:
            ctx.note(f"additional_domain_controllers applies to Microsoft AD only, not {label}")
        if ctx.usage_number("shared_accounts"):
            ctx.note(f"shared_accounts applies to Microsoft AD only, not {label}")
        return
    edition = ctx.string("edition", "Enterprise")
    if isinstance(edition, Unresolved):
        reason = f"edition is unknown: {edition.reason}"
        ctx.add(ctx.component("Directory service (Microsoft AD)", "controllers", reason))
        return
    edition = "Standard" if str(edition).lower() == "standard" else "Enterprise"

    def microsoft(group: str) -> Price:
        shape = {"directoryType": "Microsoft AD", "edition": edition, "group": group}
        return Price("AWSDirectoryService", "AWS Directory Service", shape)

    ctx.add(
        ctx.component(
            f"Directory service (Microsoft AD, {edition})",
            "controllers",
            microsoft("Domain Controller"),
            hourly=Decimal(2),
        )
    )
    if additional is not None:
        ctx.add(
            ctx.component(
                "Additional domain controllers",
                "controllers",
                microsoft("Domain Controller"),
                hourly=additional,
                usage_based=True,
            )
        )
    shared = ctx.usage_number("shared_accounts")
    if shared is not None:
        ctx.add(
            ctx.component(
                "Directory sharing",
                "accounts",
                microsoft("Shared Account"),
                hourly=shared,
                usage_based=True,
            )
        )
