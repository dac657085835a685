"""Cost components and priced resources, and their Infracost-compatible JSON form.

Money and quantities are :class:`decimal.Decimal` from the catalog to the JSON (decimal strings),
never floats. A month is :data:`HOURS_PER_MONTH` (730) hours, as in Infracost.

A component has one *primary* quantity, hourly (``Instance usage``: 1 per hour) or monthly
(``Storage``: 50 GB); the other is derived (``monthly = hourly * 730``). Its costs are
``price * quantity``. When the quantity is unknown (usage not given, or an attribute unknown
before apply) the quantities and costs are ``null``; when no price is found the component says
``priceNotFound: true`` with ``priceNotFoundReason`` and its costs are ``null``. Neither is
counted in the totals (they are not zero, they are unknown).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Any

HOURS_PER_MONTH = Decimal(730)
# Derived values (hourly from monthly) are rounded to this many significant digits.
_PRECISION = 28


def money(value: Decimal | None) -> str | None:
    """A decimal as Infracost writes it: plain digits, no exponent, no trailing zeros."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _divide(value: Decimal, by: Decimal) -> Decimal:
    with localcontext() as context:
        context.prec = _PRECISION
        return value / by


@dataclass
class CostComponent:
    name: str
    unit: str
    price: Decimal | None = None
    hourly_quantity: Decimal | None = None
    monthly_quantity: Decimal | None = None
    usage_based: bool = False
    price_not_found_reason: str | None = None
    quantity_unknown_reason: str | None = None
    source: str | None = None
    effective_date: str | None = None
    ambiguous: bool = False
    #: where a usage-based quantity came from: "file", "inline", "preset:medium"
    usage_source: str | None = None
    _primary: str = field(default="monthly", repr=False)

    @classmethod
    def hourly(cls, name: str, unit: str, quantity: Decimal | None, **kwargs: Any) -> CostComponent:
        component = cls(name, unit, **kwargs)
        component._primary = "hourly"
        if quantity is not None:
            component.hourly_quantity = quantity
            component.monthly_quantity = quantity * HOURS_PER_MONTH
        return component

    @classmethod
    def monthly(
        cls, name: str, unit: str, quantity: Decimal | None, **kwargs: Any
    ) -> CostComponent:
        component = cls(name, unit, **kwargs)
        component._primary = "monthly"
        if quantity is not None:
            component.monthly_quantity = quantity
            component.hourly_quantity = _divide(quantity, HOURS_PER_MONTH)
        return component

    @property
    def price_not_found(self) -> bool:
        return self.price_not_found_reason is not None

    @property
    def monthly_cost(self) -> Decimal | None:
        if self.price is None or self.price_not_found or self.monthly_quantity is None:
            return None
        if self._primary == "hourly" and self.hourly_quantity is not None:
            return self.price * self.hourly_quantity * HOURS_PER_MONTH
        return self.price * self.monthly_quantity

    @property
    def hourly_cost(self) -> Decimal | None:
        if self.price is None or self.price_not_found or self.hourly_quantity is None:
            return None
        if self._primary == "hourly":
            return self.price * self.hourly_quantity
        monthly = self.monthly_cost
        return None if monthly is None else _divide(monthly, HOURS_PER_MONTH)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "unit": self.unit,
            "hourlyQuantity": money(self.hourly_quantity),
            "monthlyQuantity": money(self.monthly_quantity),
            "price": money(self.price) if self.price is not None else "0",
            "hourlyCost": money(self.hourly_cost),
            "monthlyCost": money(self.monthly_cost),
            "usageBased": self.usage_based,
            "priceNotFound": self.price_not_found,
        }
        if self.price_not_found_reason is not None:
            out["priceNotFoundReason"] = self.price_not_found_reason
        if self.quantity_unknown_reason is not None:
            out["quantityUnknownReason"] = self.quantity_unknown_reason
        if self.source is not None:
            out["priceSource"] = self.source
            out["priceEffectiveDate"] = self.effective_date
        if self.ambiguous:
            out["priceAmbiguous"] = True
        if self.usage_source is not None:
            out["usageSource"] = self.usage_source
        return out


def _total(values: list[Decimal | None]) -> Decimal | None:
    known = [value for value in values if value is not None]
    return sum(known, Decimal(0)) if known else None


@dataclass
class PricedResource:
    """A resource (or a sub-resource such as ``root_block_device``) with its components."""

    name: str
    resource_type: str | None = None
    components: list[CostComponent] = field(default_factory=list)
    subresources: list[PricedResource] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    def all_components(self) -> list[CostComponent]:
        out = list(self.components)
        for sub in self.subresources:
            out.extend(sub.all_components())
        return out

    @property
    def monthly_cost(self) -> Decimal | None:
        return _total([component.monthly_cost for component in self.all_components()])

    @property
    def hourly_cost(self) -> Decimal | None:
        return _total([component.hourly_cost for component in self.all_components()])

    @property
    def monthly_usage_cost(self) -> Decimal | None:
        return _total(
            [component.monthly_cost for component in self.all_components() if component.usage_based]
        )

    @property
    def usage_based(self) -> bool:
        return any(component.usage_based for component in self.all_components())

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.resource_type is not None:
            out["resourceType"] = self.resource_type
        out["metadata"] = self.metadata
        out["hourlyCost"] = money(self.hourly_cost)
        out["monthlyCost"] = money(self.monthly_cost)
        out["monthlyUsageCost"] = money(self.monthly_usage_cost)
        out["costComponents"] = [component.to_json() for component in self.components]
        if self.subresources:
            out["subresources"] = [sub.to_json() for sub in self.subresources]
        return out
