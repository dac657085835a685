"""AWS WAF web ACLs, Classic (``aws_waf_web_acl``) and v2 (``aws_wafv2_web_acl``).

AWS's WAF feed does not tell Classic from v2; both are charged the same published rates
(a web ACL and each rule per month, requests per million), so both use the one set of
products (``engine/pricing/rules/waf.yaml``).
"""

from __future__ import annotations

from decimal import Decimal

from engine.costing.context import MILLION, ONE, Context, Price
from engine.costing.registry import UsageKey, free, priced

free(
    "aws_waf_ipset",
    "aws_waf_rule",
    "aws_waf_rule_group",
    "aws_waf_rate_based_rule",
    "aws_waf_byte_match_set",
    "aws_waf_regex_match_set",
    "aws_waf_regex_pattern_set",
    "aws_waf_geo_match_set",
    "aws_waf_size_constraint_set",
    "aws_waf_sql_injection_match_set",
    "aws_waf_xss_match_set",
    "aws_wafv2_ip_set",
    "aws_wafv2_regex_pattern_set",
    "aws_wafv2_rule_group",
    "aws_wafv2_web_acl_association",
    "aws_wafv2_web_acl_logging_configuration",
    reason="charged as rules of the web ACL that uses it; costs nothing by itself",
)

_RULE_GROUP_RULES = UsageKey(
    "rule_group_rules", "int", "Total number of Rule Group rules used by the Web ACL.", unit="rules"
)
_REQUESTS = UsageKey(
    "monthly_requests", "int", "Monthly number of web requests received.", unit="requests"
)
_NOTES = (
    "Seller fees for Managed Rule Groups from AWS Marketplace are not included.",
    "Rules inside rule groups are counted from rule_group_rules (and "
    "managed_rule_group_rules for v2), as Infracost does.",
)


def _waf(ctx: Context, rules: Decimal, groups: Decimal, managed: Decimal | None) -> None:
    def product(group: str) -> Price:
        return Price("awswaf", "Web Application Firewall", {"group": group})

    ctx.add(ctx.component("Web ACL usage", "months", product("Web ACL"), monthly=ONE))
    if rules > 0:
        ctx.add(ctx.component("Rules", "rules", product("Rule"), monthly=rules))
    if groups > 0:
        ctx.add(ctx.component("Rule groups", "groups", product("Rule"), monthly=groups))
    if managed is not None and managed > 0:
        ctx.add(ctx.component("Managed rule groups", "groups", product("Rule"), monthly=managed))
    ctx.add(
        ctx.component(
            "Requests",
            "1M requests",
            Price("awswaf", "Web Application Firewall", {"group": "Request", "wcuTier": "1500"}),
            monthly=ctx.usage_number("monthly_requests"),
            per=MILLION,
            usage_based=True,
        )
    )


@priced(
    "aws_waf_web_acl",
    reads=("rules.type",),
    usage=(_RULE_GROUP_RULES, _REQUESTS),
    notes=_NOTES,
)
def aws_waf_web_acl(ctx: Context) -> None:
    kinds = [str(rule.get("type") or "REGULAR").upper() for rule in ctx.blocks("rules")]
    rules = Decimal(sum(1 for kind in kinds if kind != "GROUP"))
    groups = Decimal(sum(1 for kind in kinds if kind == "GROUP"))
    _waf(ctx, rules + (ctx.usage_number("rule_group_rules") or 0), groups, None)


@priced(
    "aws_wafv2_web_acl",
    reads=("rule.statement",),
    usage=(
        _RULE_GROUP_RULES,
        UsageKey(
            "managed_rule_group_rules",
            "int",
            "Total number of Managed Rule Group rules used by the Web ACL.",
            unit="rules",
        ),
        _REQUESTS,
    ),
    notes=_NOTES,
)
def aws_wafv2_web_acl(ctx: Context) -> None:
    rules = groups = managed = Decimal(0)
    for rule in ctx.blocks("rule"):
        statements = ctx.blocks("statement", within=rule)
        statement = statements[0] if statements else {}
        if statement.get("rule_group_reference_statement"):
            groups += 1
        elif statement.get("managed_rule_group_statement"):
            managed += 1
        else:
            rules += 1
    extra = (ctx.usage_number("rule_group_rules") or 0) + (
        ctx.usage_number("managed_rule_group_rules") or 0
    )
    _waf(ctx, rules + extra, groups, managed)
