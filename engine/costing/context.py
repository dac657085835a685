"""What a resource's cost function works with: its attributes, usage, region and the catalog.

Attribute helpers (:meth:`Context.number`, :meth:`Context.string`...) return the value, the
default when the attribute is absent or null, or an :class:`engine.model.Unresolved` when it is
unknown before apply (an HCL expression that cannot be evaluated statically, or an attribute a
plan marks "known after apply"). Every unknown that reaches a price or a quantity is recorded
in the resource's ``metadata.unknowns``.

Policy for unknowns (never invented):

* an unknown *price-determining* attribute (instance type, engine...) gives a component with
  ``priceNotFound: true`` and ``priceNotFoundReason`` saying which attribute is unknown;
* an unknown *quantity* (volume size, node count...) gives a component with its price but
  ``null`` quantities and costs, and ``quantityUnknownReason``;
* a usage-based quantity that the usage file does not give is ``null`` (``usageBased: true``),
  exactly as in Infracost.

None of these count towards the totals.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.costing.components import CostComponent, PricedResource
from engine.costing.schema import ResourceType, check_usage
from engine.costing.usage import Usage, to_decimal
from engine.model import Resource, Unresolved
from engine.plan import config_address
from engine.pricing.catalog import Catalog, CatalogError, PriceMatch, PriceQuery

AFTER_APPLY = "(known after apply)"
_ATTRIBUTE_REFERENCE = re.compile(
    r"\$\{((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_]*)\}"
)
ONE = Decimal(1)
# Catalog units in ``per=``: prices per 1K, 10K or 1M requests, events, messages...
THOUSAND = Decimal(1000)
TEN_THOUSAND = Decimal(10_000)
MILLION = Decimal(1_000_000)


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unresolved)


@dataclass(frozen=True)
class Price:
    """A price to look up; ``region=None`` means the resource's region, ``""`` global."""

    service: str
    family: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    usage_type: str | None = None
    units: tuple[str, ...] = ()
    region: str | None = None


class ResourceIndex:
    """All resources of the estimate, to follow references (ASG -> launch template...)."""

    def __init__(self, resources: Sequence[Resource]) -> None:
        self.by_address = {resource.address: resource for resource in resources}
        self.by_config: dict[str, list[Resource]] = {}
        for resource in resources:
            self.by_config.setdefault(config_address(resource.address), []).append(resource)

    def resolve(self, origin: Resource, reference: str) -> list[Resource]:
        """Instances ``reference`` (``aws_launch_template.lt``) names from ``origin``'s module."""
        target = f"{origin.module}.{reference}" if origin.module else reference
        exact = self.by_address.get(target)
        if exact is not None:
            return [exact]
        prefix = target + "["
        found = [r for address, r in self.by_address.items() if address.startswith(prefix)]
        if found:
            return sorted(found, key=lambda resource: resource.address)
        return list(self.by_config.get(config_address(target), []))


@dataclass
class Estimation:
    """State shared by every resource of one estimate."""

    catalog: Catalog | None
    catalog_error: str | None
    default_region: str
    usage: Usage
    index: ResourceIndex
    catalog_regions: frozenset[str] = frozenset()
    sources_used: set[str] = field(default_factory=set)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def warn(self, address: str, key: str, message: str) -> None:
        entry = {"address": address, "key": key, "message": message}
        if entry not in self.warnings:
            self.warnings.append(entry)

    def lookup(self, query: PriceQuery) -> PriceMatch | None:
        if self.catalog is None:
            return None
        try:
            return self.catalog.lookup(query)
        except CatalogError as exc:
            self.catalog_error = str(exc)
            return None


class Context:
    """One resource being priced."""

    def __init__(
        self,
        estimation: Estimation,
        resource: Resource,
        region: str,
        declared: ResourceType | None = None,
    ) -> None:
        self.estimation = estimation
        self.resource = resource
        self.region = region
        usage, self.usage_sources = estimation.usage.for_resource_with_sources(
            resource.address, resource.type
        )
        if declared is not None and declared.usage is not None and usage:
            usage, problems = check_usage(declared.usage, usage)
            for key, message in problems:
                source = self.usage_sources.get(key.split(".", 1)[0], "file")
                if source.startswith("preset:"):
                    continue  # a preset covers every type; keys a type does not use are fine
                estimation.warn(resource.address, key, message)
        self.usage = usage
        self._sources_read: set[str] = set()
        self.components: list[CostComponent] = []
        self.subresources: list[PricedResource] = []
        self.unknowns: list[dict[str, str]] = []
        self.notes: list[str] = []
        self.free_reason: str | None = None

    # --- outcome -----------------------------------------------------------------------------

    def free(self, reason: str) -> None:
        """This resource costs nothing by itself (e.g. a gateway VPC endpoint)."""
        self.free_reason = reason

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def unknown(self, attribute: str, reason: str) -> None:
        entry = {"attribute": attribute, "reason": reason}
        if entry not in self.unknowns:
            self.unknowns.append(entry)

    def add(self, *components: CostComponent) -> None:
        self.components.extend(components)

    def subresource(self, name: str, components: Sequence[CostComponent]) -> PricedResource:
        sub = PricedResource(name=name, components=list(components))
        self.subresources.append(sub)
        return sub

    # --- attributes --------------------------------------------------------------------------

    def raw(self, name: str, within: Mapping[str, Any] | None = None) -> Any:
        """The attribute as given; plan attributes known only after apply are ``Unresolved``."""
        if within is not None:
            return within.get(name)
        value = self.resource.attributes.get(name)
        if value is None and name in self.resource.unknown_attributes:
            return Unresolved(AFTER_APPLY, "known only after apply")
        if value is None and name in self.resource.computed_attributes:
            self.note(f"{name}: not set in the configuration; the provider's default is assumed")
        return value

    def _value(self, name: str, within: Mapping[str, Any] | None, label: str | None) -> Any:
        value = self.raw(name, within)
        if isinstance(value, Unresolved):
            value = self._follow(value)
        if isinstance(value, Unresolved):
            self.unknown(label or name, value.reason)
        return value

    def _follow(self, value: Unresolved) -> Any:
        """``${aws_rds_cluster.main.engine}``: the other resource's argument, when it is known
        statically (a literal in the configuration); else the value stays unknown."""
        match = _ATTRIBUTE_REFERENCE.fullmatch(value)
        if match is None:
            return value
        found = self.estimation.index.resolve(self.resource, match[1])
        if len(found) != 1 or found[0] is self.resource:
            return value
        target = found[0].attributes.get(match[2])
        if target is None or isinstance(target, Unresolved | dict | list):
            return value
        return target

    def string(
        self,
        name: str,
        default: str | None = None,
        *,
        within: Mapping[str, Any] | None = None,
        label: str | None = None,
    ) -> str | Unresolved | None:
        value = self._value(name, within, label)
        if isinstance(value, Unresolved):
            return value
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value)
        return default

    def number(
        self,
        name: str,
        default: Decimal | int | None = None,
        *,
        within: Mapping[str, Any] | None = None,
        label: str | None = None,
    ) -> Decimal | Unresolved | None:
        value = self._value(name, within, label)
        if isinstance(value, Unresolved):
            return value
        number = to_decimal(value)
        if number is None:
            if value not in (None, ""):
                self.unknown(label or name, f"not a number: {str(value)[:40]!r}")
                return Unresolved(str(value), f"not a number: {str(value)[:40]!r}")
            return Decimal(default) if default is not None else None
        return number

    def boolean(
        self,
        name: str,
        default: bool = False,
        *,
        within: Mapping[str, Any] | None = None,
        label: str | None = None,
    ) -> bool | Unresolved:
        value = self._value(name, within, label)
        if isinstance(value, Unresolved):
            return value
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return default

    def blocks(
        self, name: str, *, within: Mapping[str, Any] | None = None, label: str | None = None
    ) -> list[dict[str, Any]]:
        """Nested blocks (a list of objects in both plan and HCL form); unknown -> ``[]``.

        An unknown value is recorded in the resource's unknowns; use :meth:`blocks_or_unknown`
        where the difference between "none" and "unknown" changes a quantity.
        """
        value = self.blocks_or_unknown(name, within=within, label=label)
        return [] if isinstance(value, Unresolved) else value

    def blocks_or_unknown(
        self, name: str, *, within: Mapping[str, Any] | None = None, label: str | None = None
    ) -> list[dict[str, Any]] | Unresolved:
        value = self._value(name, within, label)
        if isinstance(value, Unresolved):
            return value
        if isinstance(value, dict):
            return [value]
        if isinstance(value, list):
            return [item for item in value if isinstance(item, dict)]
        return []

    def list_of(
        self, name: str, *, within: Mapping[str, Any] | None = None
    ) -> list[Any] | Unresolved | None:
        value = self._value(name, within, None)
        if isinstance(value, Unresolved) or value is None:
            return value
        return list(value) if isinstance(value, list) else [value]

    # --- usage -------------------------------------------------------------------------------

    def usage_number(self, key: str, within: Mapping[str, Any] | None = None) -> Decimal | None:
        source = self.usage if within is None else within
        value = source.get(key)
        if value is None:
            return None
        self._read_source(key)
        number = to_decimal(value)
        if number is None or number < 0:
            self.note(f"usage value {key}={str(value)[:40]!r} is not a non-negative number")
            return None
        return number

    def usage_string(self, key: str) -> str | None:
        value = self.usage.get(key)
        if isinstance(value, str | int | float):
            self._read_source(key)
            return str(value)
        return None

    def usage_section(self, key: str) -> Mapping[str, Any]:
        value = self.usage.get(key)
        if isinstance(value, Mapping):
            self._read_source(key)
            return value
        return {}

    def _read_source(self, key: str) -> None:
        source = self.usage_sources.get(key)
        if source is not None:
            self._sources_read.add(source)

    def _take_sources(self) -> str | None:
        """Where the usage values read so far came from (``usageSource``): "file",
        "inline", "preset:medium", or several joined with "+"."""
        if not self._sources_read:
            return None
        return "+".join(sorted(self._sources_read))

    # --- references --------------------------------------------------------------------------

    def referenced(self, attribute: str, *types: str) -> Resource | None:
        """The first resource of one of ``types`` that ``attribute`` refers to."""
        for reference in self.resource.references.get(attribute, ()):
            kind = reference.removeprefix("data.").split(".")[0]
            if types and kind not in types:
                continue
            found = self.estimation.index.resolve(self.resource, reference)
            if found:
                return found[0]
        return None

    # --- prices ------------------------------------------------------------------------------

    def query(self, price: Price) -> PriceQuery:
        region = self.region if price.region is None else price.region
        return PriceQuery.of(
            price.service,
            price.family,
            region,
            dict(price.attributes),
            usage_type=price.usage_type,
            units=price.units,
        )

    def find(self, price: Price) -> tuple[PriceMatch | None, str | None]:
        """The match, or ``None`` and why not."""
        if self.estimation.catalog is None:
            return None, f"price catalog unavailable: {self.estimation.catalog_error}"
        query = self.query(price)
        match = self.estimation.lookup(query)
        if match is not None:
            if match.first.currency != "USD":
                return None, f"the catalog price is in {match.first.currency}, not USD"
            self.estimation.sources_used.add(match.source)
            return match, None
        if self.estimation.catalog_error is not None:
            return None, f"price catalog unavailable: {self.estimation.catalog_error}"
        region = query.region
        if region and region not in self.estimation.catalog_regions:
            return None, f"region {region} is not covered by the price catalog"
        return None, f"no price in the catalog for {query.describe()}"

    def component(
        self,
        name: str,
        unit: str,
        price: Price | str,
        *,
        hourly: Decimal | Unresolved | None = None,
        monthly: Decimal | Unresolved | None = None,
        per: Decimal = ONE,
        usage_based: bool = False,
    ) -> CostComponent:
        """A component whose quantity is in catalog units; ``per`` catalog units = 1 ``unit``.

        Give ``hourly`` for per-hour quantities (1 instance) or ``monthly`` for per-month ones
        (50 GB). ``price`` is a :class:`Price` to look up, or the reason it cannot be.
        """
        quantity = hourly if hourly is not None else monthly
        unknown_reason = quantity.reason if isinstance(quantity, Unresolved) else None
        known = quantity if isinstance(quantity, Decimal) else None
        shown = known / per if known is not None and per != ONE else known
        factory: Callable[..., CostComponent] = (
            CostComponent.hourly if hourly is not None else CostComponent.monthly
        )
        component = factory(name, unit, shown, usage_based=usage_based)
        component.quantity_unknown_reason = unknown_reason
        if usage_based and known is not None:
            component.usage_source = self._take_sources()
        if isinstance(price, str):
            component.price_not_found_reason = price
            return component
        match, reason = self.find(price)
        if match is None:
            component.price_not_found_reason = reason
            return component
        component.price = match.price * per
        component.source = match.source
        component.effective_date = match.effective_date
        component.ambiguous = match.ambiguous
        return component

    def tiered(
        self,
        names: Sequence[str],
        unit: str,
        price: Price | str,
        *,
        monthly: Decimal | Unresolved | None,
        per: Decimal = ONE,
        usage_based: bool = False,
        always_first: bool = True,
    ) -> list[CostComponent]:
        """Monthly quantity (catalog units) split over the price's tiers, one component each.

        ``names[i]`` names tier ``i``. With an unknown quantity only the first tier is shown.
        """
        if isinstance(price, str):
            return [
                self.component(
                    names[0], unit, price, monthly=monthly, per=per, usage_based=usage_based
                )
            ]
        match, _reason = self.find(price)
        if match is None or not isinstance(monthly, Decimal):
            # Unknown quantity or no price: one component, priced at the first tier if any.
            return [
                self.component(
                    names[0], unit, price, monthly=monthly, per=per, usage_based=usage_based
                )
            ]
        out: list[CostComponent] = []
        for position, tier in enumerate(match.tiers):
            start = tier.tier_start
            end = tier.tier_end
            if monthly <= start and out:
                break
            amount = max(Decimal(0), (monthly if end is None else min(monthly, end)) - start)
            if amount == 0 and (out or not always_first):
                continue
            component = CostComponent.monthly(
                names[min(position, len(names) - 1)],
                unit,
                amount / per if per != ONE else amount,
                usage_based=usage_based,
            )
            component.price = tier.price * per
            component.source = tier.source
            component.effective_date = tier.effective_date
            component.ambiguous = match.ambiguous
            out.append(component)
        if usage_based:
            taken = self._take_sources()
            for component in out:
                component.usage_source = taken
        return out
