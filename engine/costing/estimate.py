"""Resources -> an Infracost-compatible cost estimate (``"version": "0.2"`` JSON).

Shape (Infracost's ``breakdown --format json``, plus a few ``tfquote`` additions noted)::

    {"version": "0.2", "currency": "USD",
     "metadata": {"generator", "hoursPerMonth": 730, "region", "source",
                  "catalog": {"schemaVersion", "sources": [{id, title, url, licence,
                              effectiveDate}], "dates": [...], "error"?},
                  "usage": {"files", "fromOptions", "warnings"...}, "assumptions": [...]},
     "projects": [{"name", "metadata": {"path", "type", "region"},
                   "pastBreakdown": null, "diff": null,
                   "breakdown": {"resources": [<resource>], "freeResources": [...],
                                 "unsupportedResources": [...],      # tfquote addition
                                 "totalHourlyCost", "totalMonthlyCost",
                                 "totalMonthlyUsageCost"},
                   "summary": {...}}],
     "totalHourlyCost", "totalMonthlyCost", "totalMonthlyUsageCost",
     "summary": {"totalDetectedResources", "totalSupportedResources",
                 "totalUnsupportedResources", "totalUsageBasedResources",
                 "totalNoPriceResources", "supportedResourceCounts",
                 "unsupportedResourceCounts", "noPriceResourceCounts"}}

``<resource>`` is ``{"name", "resourceType", "metadata": {"region", "unknowns"?, "notes"?},
"hourlyCost", "monthlyCost", "monthlyUsageCost", "costComponents": [...], "subresources"?}``
and each component ``{"name", "unit", "hourlyQuantity", "monthlyQuantity", "price",
"hourlyCost", "monthlyCost", "usageBased", "priceNotFound"}`` plus, when relevant,
``priceNotFoundReason``, ``quantityUnknownReason``, ``priceSource`` / ``priceEffectiveDate``
and ``priceAmbiguous`` (see :mod:`engine.costing.components`). Money is a decimal string.

Data sources are not billed and are left out (their count is in the metadata). Each managed
resource is *supported* (a cost function priced it), *free* (``noPrice``: known to cost
nothing by itself) or *unsupported* (listed and counted, never dropped).

A plan knows the state before the change: a project given ``past_resources`` (its prior
state) and ``actions`` (each address's plan action) is priced twice, and
:func:`build_estimate_and_diff` fills ``pastBreakdown``, ``diff`` and the ``pastTotal…`` /
``diffTotal…`` fields as ``infracost diff --format json`` does, with
:func:`tfquote.costdiff.apply_diff` — the same code the workers use to compare two jobs.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.costing import registry
from engine.costing.components import CostComponent, PricedResource, money
from engine.costing.context import Context, Estimation, ResourceIndex
from engine.costing.usage import Usage
from engine.model import Resource
from engine.pricing.catalog import Catalog, CatalogError, get_catalog
from tfquote.costdiff import apply_diff

log = logging.getLogger("engine.costing")

ASSUMPTIONS = (
    "Public on-demand list prices in USD; no free tier, reserved, savings-plan or spot discounts.",
    "A month is 730 hours.",
    "Data transfer (internet egress, inter-region, inter-AZ) is priced only where a usage "
    "file declares it (aws_data_transfer entries).",
    "EC2 and launch-template instances are priced as Linux with shared tenancy unless the "
    "usage file says otherwise (operating_system).",
    "Usage-based components have no quantity unless a usage file or options.usage gives one.",
)


def _catalog(path: str | None) -> tuple[Catalog | None, str | None, frozenset[str]]:
    try:
        catalog = get_catalog(path or None)
        # The regions the catalog covers are its main regions; a few feeds (data transfer)
        # price more regions, which does not make the rest of the catalog cover them.
        listed = catalog.meta().get("regions", "")
        regions = frozenset(listed.split(",") if listed else catalog.regions())
    except CatalogError as exc:
        log.error("price catalog unavailable: %s", exc)
        return None, str(exc), frozenset()
    return catalog, None, regions


@dataclass
class ProjectInput:
    """One project to price: its path (root module folder or plan file), resources, usage."""

    path: str
    resources: Sequence[Resource]
    usage: Usage | None = None
    #: The state before the change (a plan's prior state); None when unknown (HCL).
    past_resources: Sequence[Resource] | None = None
    #: Address -> plan action (create, update, replace, delete, no-op).
    actions: Mapping[str, str] | None = None


def build_estimate(
    projects: Sequence[ProjectInput],
    default_region: str,
    *,
    source: str,
    catalog_path: str | None = None,
) -> dict[str, Any]:
    """The Infracost document: one entry of ``projects`` per project, and grand totals."""
    return build_estimate_and_diff(
        projects, default_region, source=source, catalog_path=catalog_path
    )[0]


def build_estimate_and_diff(
    projects: Sequence[ProjectInput],
    default_region: str,
    *,
    source: str,
    catalog_path: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The Infracost document, and the diff summary (``result.diff``) when any project
    knows its past (see the module docstring); None otherwise."""
    functions = registry.load()
    catalog, catalog_error, regions = _catalog(catalog_path)
    sources_used: set[str] = set()
    warnings: list[dict[str, str]] = []
    rendered: list[dict[str, Any]] = []
    usages: list[Usage] = []
    past_projects: list[dict[str, Any]] = []
    actions: dict[str, str] = {}
    data_sources = 0
    for project in projects:
        usage = project.usage or Usage()
        usages.append(usage)
        resources = [*project.resources, *usage_only_resources(usage, project.resources)]
        estimation = Estimation(
            catalog=catalog,
            catalog_error=catalog_error,
            default_region=default_region,
            usage=usage,
            index=ResourceIndex(resources),
            catalog_regions=regions,
        )
        priced, free, unsupported, skipped = _price(resources, functions, estimation)
        data_sources += skipped
        catalog_error = estimation.catalog_error
        sources_used |= estimation.sources_used
        warnings.extend(estimation.warnings)
        rendered.append(_project(project.path, priced, free, unsupported, source, default_region))
        if project.past_resources is not None:
            # The prior state is priced on its own index: its references (a launch template
            # an autoscaling group used) are those of the old configuration.
            past_estimation = Estimation(
                catalog=catalog,
                catalog_error=catalog_error,
                default_region=default_region,
                usage=usage,
                index=ResourceIndex(project.past_resources),
                catalog_regions=regions,
            )
            past = _price(project.past_resources, functions, past_estimation)
            catalog_error = past_estimation.catalog_error
            sources_used |= past_estimation.sources_used
            past_projects.append(
                _project(project.path, past[0], past[1], past[2], source, default_region)
            )
            for address, action in (project.actions or {}).items():
                actions[address] = action
    document = _document(
        rendered,
        usages,
        catalog=catalog,
        catalog_error=catalog_error,
        sources_used=sources_used,
        default_region=default_region,
        source=source,
        data_sources=data_sources,
        warnings=warnings,
    )
    if not past_projects:
        return document, None
    diff = apply_diff(document, past_projects, source=source, actions=actions)
    return document, diff


#: Types that exist only in usage files (Infracost's "usage-only" resources): each
#: ``resource_usage`` entry ``<type>.<name>`` is a resource of the estimate.
USAGE_ONLY_TYPES = ("aws_data_transfer",)
_AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"


def usage_only_resources(usage: Usage, existing: Sequence[Resource] = ()) -> list[Resource]:
    """The resources a usage file declares (``aws_data_transfer.us_east``), in file order.

    Each is priced in the region its entry names (``region: eu-west-1``), else the job's.
    Wildcard entries (``[*]``) and addresses the configuration already has are left out.
    """
    taken = {resource.address for resource in existing}
    out: list[Resource] = []
    for address, values in usage.resource_usage.items():
        resource_type, dot, name = address.partition(".")
        if resource_type not in USAGE_ONLY_TYPES or not dot or not name:
            continue
        if "[*]" in address or address in taken:
            continue
        region = values.get("region")
        attributes = {"region": region} if isinstance(region, str) and region else {}
        out.append(
            Resource(
                address=address,
                type=resource_type,
                name=name,
                mode="managed",
                provider=_AWS_PROVIDER,
                attributes=attributes,
            )
        )
    return out


def _price(
    resources: Sequence[Resource],
    functions: Mapping[str, registry.ResourceType],
    estimation: Estimation,
) -> tuple[list[PricedResource], list[dict[str, Any]], list[dict[str, Any]], int]:
    priced: list[PricedResource] = []
    free: list[dict[str, Any]] = []
    unsupported: list[dict[str, Any]] = []
    data_sources = 0
    for resource in resources:
        if resource.mode != "managed":
            data_sources += 1
            continue
        region = resource.effective_region(estimation.default_region)
        declared = functions.get(resource.type)
        function = declared.price if declared is not None else None
        if function is None:
            entry = {
                "name": resource.address,
                "resourceType": resource.type,
                "metadata": {"region": region},
            }
            if registry.is_free(resource.type, resource.provider):
                free.append(entry)
            else:
                unsupported.append(entry)
            continue
        context = Context(estimation, resource, region, declared)
        try:
            function(context)
        except Exception:  # a bug in one cost function must not lose the whole estimate
            log.exception("pricing %s failed", resource.address)
            context.components = [
                CostComponent.monthly(
                    "Pricing error",
                    "",
                    None,
                    price_not_found_reason="internal error while pricing this resource",
                )
            ]
            context.subresources = []
        metadata: dict[str, Any] = {"region": region}
        if context.unknowns:
            metadata["unknowns"] = context.unknowns
        if context.notes:
            metadata["notes"] = context.notes
        if context.free_reason is not None and not context.components:
            free.append(
                {
                    "name": resource.address,
                    "resourceType": resource.type,
                    "metadata": {**metadata, "reason": context.free_reason},
                }
            )
            continue
        priced.append(
            PricedResource(
                name=resource.address,
                resource_type=resource.type,
                components=context.components,
                subresources=context.subresources,
                metadata=metadata,
            )
        )
    return priced, free, unsupported, data_sources


def _sum(values: list[Decimal | None]) -> str:
    return money(sum((value for value in values if value is not None), Decimal(0))) or "0"


def _summary(
    priced: list[PricedResource], free: list[dict[str, Any]], unsupported: list[dict[str, Any]]
) -> dict[str, Any]:
    supported_counts = Counter(resource.resource_type for resource in priced)
    unsupported_counts = Counter(entry["resourceType"] for entry in unsupported)
    free_counts = Counter(entry["resourceType"] for entry in free)
    return {
        "totalDetectedResources": len(priced) + len(free) + len(unsupported),
        "totalSupportedResources": len(priced),
        "totalUnsupportedResources": len(unsupported),
        "totalUsageBasedResources": sum(1 for resource in priced if resource.usage_based),
        "totalNoPriceResources": len(free),
        "supportedResourceCounts": dict(sorted(supported_counts.items())),
        "unsupportedResourceCounts": dict(sorted(unsupported_counts.items())),
        "noPriceResourceCounts": dict(sorted(free_counts.items())),
    }


def _project(
    path: str,
    priced: list[PricedResource],
    free: list[dict[str, Any]],
    unsupported: list[dict[str, Any]],
    source: str,
    default_region: str,
) -> dict[str, Any]:
    return {
        "name": path,
        "metadata": {
            "path": path,
            "type": "terraform_plan_json" if source == "plan" else "terraform_dir",
            "region": default_region,
        },
        "pastBreakdown": None,
        "breakdown": {
            "resources": [resource.to_json() for resource in priced],
            "freeResources": free,
            "unsupportedResources": unsupported,
            "totalHourlyCost": _sum([resource.hourly_cost for resource in priced]),
            "totalMonthlyCost": _sum([resource.monthly_cost for resource in priced]),
            "totalMonthlyUsageCost": _sum([resource.monthly_usage_cost for resource in priced]),
        },
        "diff": None,
        "summary": _summary(priced, free, unsupported),
    }


def _merge_summaries(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {}
    for summary in summaries:
        for key, value in summary.items():
            if isinstance(value, dict):
                counts = total.setdefault(key, Counter())
                counts.update(value)
            else:
                total[key] = total.get(key, 0) + value
    return {
        key: dict(sorted(value.items())) if isinstance(value, Counter) else value
        for key, value in total.items()
    }


def _document(
    projects: list[dict[str, Any]],
    usages: list[Usage],
    *,
    catalog: Catalog | None,
    catalog_error: str | None,
    sources_used: set[str],
    default_region: str,
    source: str,
    data_sources: int,
    warnings: list[dict[str, str]],
) -> dict[str, Any]:
    catalog_meta: dict[str, Any] = {"sources": [], "dates": []}
    if catalog is not None and catalog_error is None:
        sources = catalog.sources()
        used = [sources[key] for key in sorted(sources_used) if key in sources]
        catalog_meta = {
            "schemaVersion": catalog.meta().get("schema_version"),
            "sources": [info.to_dict() for info in used],
            "dates": sorted({info.effective_date for info in used}),
        }
    else:
        catalog_meta["error"] = catalog_error
    breakdowns = [project["breakdown"] for project in projects]
    usage_meta = (
        usages[0].to_metadata()
        if len(usages) == 1
        else {"projects": [usage.to_metadata() for usage in usages]}
    )
    return {
        "version": "0.2",
        "currency": "USD",
        "metadata": {
            "generator": "tfquote-engine",
            "hoursPerMonth": 730,
            "region": default_region,
            "source": source,
            "dataSourcesSkipped": data_sources,
            "catalog": catalog_meta,
            "usage": usage_meta,
            "warnings": warnings,
            "assumptions": list(ASSUMPTIONS),
        },
        "projects": projects,
        "totalHourlyCost": _total(b["totalHourlyCost"] for b in breakdowns),
        "totalMonthlyCost": _total(b["totalMonthlyCost"] for b in breakdowns),
        "totalMonthlyUsageCost": _total(b["totalMonthlyUsageCost"] for b in breakdowns),
        "summary": _merge_summaries([project["summary"] for project in projects]),
    }


def _total(amounts: Iterable[str]) -> str:
    return money(sum((Decimal(amount) for amount in amounts), Decimal(0))) or "0"
