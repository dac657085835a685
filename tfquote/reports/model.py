"""What every report shows, read once from a public job document (``GET /api/v1/jobs/{id}``).

The renderers (table, markdown, html) only lay this out; reading the Infracost document,
the diff and the policy happens here, so the three cannot disagree on a number. Works on
any job a client can fetch: a result without ``diff`` or ``policy`` simply has none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tfquote.costdiff import dec, format_money

ZERO = Decimal(0)

# Resource type prefix -> the AWS service people know it as (longest prefix wins).
_SERVICES = {
    "aws_instance": "EC2",
    "aws_ebs": "EBS",
    "aws_eip": "EC2",
    "aws_autoscaling": "EC2",
    "aws_launch": "EC2",
    "aws_eks": "EKS",
    "aws_ecs": "ECS",
    "aws_db": "RDS",
    "aws_rds": "RDS",
    "aws_elasticache": "ElastiCache",
    "aws_dynamodb": "DynamoDB",
    "aws_nat": "VPC",
    "aws_vpc": "VPC",
    "aws_vpn": "VPC",
    "aws_ec2_transit": "Transit Gateway",
    "aws_lb": "ELB",
    "aws_alb": "ELB",
    "aws_elb": "ELB",
    "aws_route53": "Route 53",
    "aws_lambda": "Lambda",
    "aws_sqs": "SQS",
    "aws_sns": "SNS",
    "aws_api_gateway": "API Gateway",
    "aws_apigatewayv2": "API Gateway",
    "aws_s3": "S3",
    "aws_efs": "EFS",
    "aws_cloudwatch": "CloudWatch",
    "aws_kms": "KMS",
    "aws_secretsmanager": "Secrets Manager",
}


def service_of(resource_type: str | None) -> str:
    rtype = resource_type or ""
    for prefix in sorted(_SERVICES, key=len, reverse=True):
        if rtype.startswith(prefix):
            return _SERVICES[prefix]
    return rtype.removeprefix("aws_") or "other"


def usd(amount: Decimal | None, *, sign: bool = False) -> str:
    return "-" if amount is None else format_money(amount, sign=sign)


def quantity(value: Decimal | None) -> str:
    """A monthly quantity as the Infracost CLI prints it: grouped, at most 4 decimals."""
    if value is None:
        return ""
    rounded = value.quantize(Decimal("0.0001")).normalize()
    text = f"{rounded:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class Component:
    label: str
    depth: int
    monthly_quantity: Decimal | None
    unit: str
    price: str
    monthly_cost: Decimal | None
    usage_based: bool
    price_not_found: bool
    reason: str | None = None
    is_group: bool = False  # a subresource heading, no numbers

    @property
    def depends_on_usage(self) -> bool:
        return self.usage_based and self.monthly_cost is None and not self.price_not_found


@dataclass
class Resource:
    name: str
    resource_type: str
    project: str
    monthly_cost: Decimal | None
    components: list[Component] = field(default_factory=list)

    @property
    def service(self) -> str:
        return service_of(self.resource_type)


@dataclass
class Project:
    name: str
    region: str
    resources: list[Resource]
    total: Decimal
    past_total: Decimal | None
    free: int
    unsupported: list[str]

    @property
    def diff(self) -> Decimal | None:
        return None if self.past_total is None else self.total - self.past_total


@dataclass
class Change:
    address: str
    project: str
    resource_type: str
    action: str
    past: Decimal | None
    now: Decimal | None
    diff: Decimal | None

    @property
    def symbol(self) -> str:
        return ACTION_SYMBOLS.get(self.action, "?")


@dataclass
class Check:
    name: str
    limit: str
    actual: str | None
    passed: bool
    message: str | None


@dataclass
class Report:
    job_id: str
    status: str
    region: str
    currency: str
    projects: list[Project]
    total: Decimal
    past_total: Decimal | None
    diff_total: Decimal | None
    diff_percent: str | None
    headline: str
    diff_source: str | None
    base_job_id: str | None
    changes: list[Change]
    counts: dict[str, int]
    checks: list[Check]
    policy_passed: bool | None
    unknowns: list[tuple[str, str]]
    warnings: list[str]  # what the engine could not read as given (usage keys, usage files)
    provenance: list[tuple[str, str, str]]  # title, effective date, url
    assumptions: list[str]
    detected: dict[str, int]

    def shown_changes(self) -> list[Change]:
        """The changes worth a row: every action but a no-op, and a no-op whose cost moved."""
        return [c for c in self.changes if c.action != "no-op" or c.diff]

    def resources(self) -> Iterator[Resource]:
        for project in self.projects:
            yield from project.resources

    def cost_by_service(self) -> list[tuple[str, Decimal]]:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for resource in self.resources():
            totals[resource.service] += resource.monthly_cost or ZERO
        return sorted(((k, v) for k, v in totals.items() if v > 0), key=lambda kv: -kv[1])

    def cost_by_resource(self) -> list[tuple[str, Decimal]]:
        rows = [(r.name, r.monthly_cost or ZERO) for r in self.resources()]
        return sorted((row for row in rows if row[1] > 0), key=lambda kv: -kv[1])


def _components(entry: Mapping[str, Any], depth: int = 0) -> list[Component]:
    out: list[Component] = []
    for item in entry.get("costComponents") or []:
        out.append(
            Component(
                label=str(item.get("name", "")),
                depth=depth,
                monthly_quantity=dec(item.get("monthlyQuantity")),
                unit=str(item.get("unit") or ""),
                price=str(item.get("price") or "0"),
                monthly_cost=dec(item.get("monthlyCost")),
                usage_based=bool(item.get("usageBased")),
                price_not_found=bool(item.get("priceNotFound")),
                reason=item.get("priceNotFoundReason") or item.get("quantityUnknownReason"),
            )
        )
    for sub in entry.get("subresources") or []:
        out.append(
            Component(
                str(sub.get("name", "")), depth, None, "", "0", None, False, False, is_group=True
            )
        )
        out.extend(_components(sub, depth + 1))
    return out


def warnings_of(result: Mapping[str, Any], metadata: Mapping[str, Any]) -> list[str]:
    """Each warning of an estimate as one line: the engine's ``{address, key, message}``
    entries (a usage key it does not know, a value of the wrong type) and the usage files'
    own warnings (per project when there are several)."""
    lines: list[str] = []
    for entry in [*(result.get("warnings") or []), *(metadata.get("warnings") or [])]:
        if isinstance(entry, Mapping):
            where = ": ".join(str(entry[k]) for k in ("address", "key") if entry.get(k))
            message = str(entry.get("message") or entry.get("reason") or "")
            lines.append(f"{where}: {message}" if where else message)
        else:
            lines.append(str(entry))
    usage = metadata.get("usage") or {}
    for part in [usage, *(usage.get("projects") or [])]:
        lines += [str(w) for w in part.get("warnings") or []]
    return lines


def build(job: Mapping[str, Any]) -> Report:
    """The report of a COMPLETED job's public document."""
    result: Mapping[str, Any] = job.get("result") or {}
    estimate: Mapping[str, Any] = result.get("estimate") or {}
    metadata: Mapping[str, Any] = estimate.get("metadata") or {}
    projects: list[Project] = []
    unknowns: list[tuple[str, str]] = []
    detected = {"priced": 0, "free": 0, "unsupported": 0}
    for raw in estimate.get("projects") or []:
        breakdown = raw.get("breakdown") or {}
        resources = [
            Resource(
                name=str(entry.get("name")),
                resource_type=str(entry.get("resourceType") or ""),
                project=str(raw.get("name", "")),
                monthly_cost=dec(entry.get("monthlyCost")),
                components=_components(entry),
            )
            for entry in breakdown.get("resources") or []
        ]
        unsupported = [str(e.get("name")) for e in breakdown.get("unsupportedResources") or []]
        past = raw.get("pastBreakdown")
        projects.append(
            Project(
                name=str(raw.get("name", "")),
                region=str((raw.get("metadata") or {}).get("region") or result.get("region", "")),
                resources=resources,
                total=dec(breakdown.get("totalMonthlyCost")) or ZERO,
                past_total=dec(past.get("totalMonthlyCost")) if isinstance(past, Mapping) else None,
                free=len(breakdown.get("freeResources") or []),
                unsupported=unsupported,
            )
        )
        detected["priced"] += len(resources)
        detected["free"] += projects[-1].free
        detected["unsupported"] += len(unsupported)
        for resource in resources:
            for component in resource.components:
                if component.price_not_found:
                    unknowns.append(
                        (
                            f"{resource.name}: {component.label}",
                            component.reason or "price not found",
                        )
                    )
        for name in unsupported:
            unknowns.append((name, "resource type not supported: not priced"))
    for unknown in result.get("unknowns") or []:
        unknowns.append((str(unknown.get("address")), str(unknown.get("reason"))))

    diff: Mapping[str, Any] = result.get("diff") or {}
    changes = [
        Change(
            address=str(row.get("address")),
            project=str(row.get("project", "")),
            resource_type=str(row.get("resourceType") or ""),
            action=str(row.get("action")),
            past=dec(row.get("pastMonthlyCost")),
            now=dec(row.get("monthlyCost")),
            diff=dec(row.get("diffMonthlyCost")),
        )
        for row in diff.get("resources") or []
    ]
    policy: Mapping[str, Any] = result.get("policy") or {}
    checks = [
        Check(
            str(c.get("name")),
            str(c.get("limit")),
            c.get("actual"),
            bool(c.get("passed")),
            c.get("message"),
        )
        for c in policy.get("checks") or []
    ]
    total = dec(estimate.get("totalMonthlyCost")) or ZERO
    past_total = dec(estimate.get("pastTotalMonthlyCost")) if diff else None
    catalog = metadata.get("catalog") or {}
    provenance = [
        (
            str(s.get("title") or s.get("id")),
            str(s.get("effectiveDate") or ""),
            str(s.get("url") or ""),
        )
        for s in catalog.get("sources") or []
    ]
    headline = str(diff.get("headline") or f"{usd(total)}/month")
    return Report(
        job_id=str(job.get("job_id", "")),
        status=str(job.get("status", "")),
        region=str(result.get("region") or job.get("region") or ""),
        currency=str(estimate.get("currency") or "USD"),
        projects=projects,
        total=total,
        past_total=past_total,
        diff_total=(total - past_total) if past_total is not None else None,
        diff_percent=diff.get("diffPercent") if diff else None,
        headline=headline,
        diff_source=diff.get("source") if diff else None,
        base_job_id=diff.get("base_job_id") if diff else None,
        changes=changes,
        counts=dict(diff.get("summary") or {}),
        checks=checks,
        policy_passed=bool(policy["passed"]) if "passed" in policy else None,
        unknowns=unknowns,
        warnings=warnings_of(result, metadata),
        provenance=provenance,
        assumptions=[str(a) for a in metadata.get("assumptions") or []],
        detected=detected,
    )


ACTION_SYMBOLS = {"create": "+", "delete": "-", "update": "~", "replace": "±", "no-op": " "}
