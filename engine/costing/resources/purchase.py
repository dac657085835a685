"""Purchase options (on-demand, spot, reserved) and how a missing price is explained.

:func:`reserved_purchase` reads Infracost's ``reserved_instance_*`` usage keys; a
:class:`Purchase` knows the Price List attributes that select its price (reserved rows as the
catalog stores OpenSearch's, spot as ``marketoption`` ``Spot``), so a row added to the catalog
later is found without a code change. :func:`not_found` words the ``priceNotFound`` reason
when the catalog has no price for the combination asked: it names the combination, never
falls back to another price.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.costing.context import Context, Price
from engine.costing.resources.data_common import PAYMENT_OPTIONS, TERMS

# Reserved terms: usage value -> (Price List leaseContractLength, label in reasons), from the
# vocabulary data_common keeps for the data services ("1_year" -> "1yr", "1-year").
RESERVED_TERMS = {key: (term, f"{term[0]}-year") for key, term in TERMS.items()}
RESERVED_PAYMENTS = {
    key: (option, option.lower().replace(" ", "-")) for key, option in PAYMENT_OPTIONS.items()
}
RESERVED_CLASSES = ("standard", "convertible")


@dataclass(frozen=True)
class Purchase:
    """How the instance hours are bought: ``on-demand``, ``spot`` or ``reserved``."""

    kind: str = "on-demand"
    term: str | None = None
    payment: str | None = None
    offering: str | None = None
    #: why a reserved purchase cannot be priced as given (a usage key is missing)
    problem: str | None = None

    def describe(self) -> str:
        """``1-year all-upfront standard reserved`` (for reasons)."""
        if self.kind != "reserved":
            return self.kind
        term = RESERVED_TERMS[self.term][1] if self.term else ""
        payment = RESERVED_PAYMENTS[self.payment][1] if self.payment else ""
        return " ".join(part for part in (term, payment, self.offering or "", "reserved") if part)

    def attributes(self) -> dict[str, str]:
        """The Price List attributes that select this purchase option's price."""
        if self.kind == "spot":
            return {"marketoption": "Spot"}
        if self.kind != "reserved" or self.term is None or self.payment is None:
            return {}
        out = {
            "termType": "Reserved",
            "leaseContractLength": RESERVED_TERMS[self.term][0],
            "purchaseOption": RESERVED_PAYMENTS[self.payment][0],
        }
        if self.offering:
            out["offeringClass"] = self.offering
        return out


ON_DEMAND = Purchase()
SPOT = Purchase("spot")


def reserved_purchase(ctx: Context, *, needs_class: bool = True) -> Purchase | None:
    """The reservation the usage file asks for, or ``None`` (on-demand).

    Instances are reserved when ``reserved_instance_type`` is given (Infracost's rule),
    Dedicated Hosts when ``reserved_instance_term`` is. A reservation missing one of its keys
    is not priced (rather than priced on-demand under the name "reserved").
    """
    offering = ctx.usage_string("reserved_instance_type")
    term = ctx.usage_string("reserved_instance_term")
    payment = ctx.usage_string("reserved_instance_payment_option")
    trigger = offering if needs_class else term
    if trigger is None:
        if term is not None or payment is not None:
            ctx.note(
                "reserved_instance_term/payment_option given without reserved_instance_type: "
                "priced on-demand"
                if needs_class
                else "reserved_instance_payment_option given without reserved_instance_term: "
                "priced on-demand"
            )
        return None
    missing = [
        key
        for key, value in (
            ("reserved_instance_term", term),
            ("reserved_instance_payment_option", payment),
        )
        if value is None
    ]
    return Purchase(
        "reserved",
        term=term.lower() if term else None,
        payment=payment.lower() if payment else None,
        offering=offering.lower() if offering and needs_class else None,
        problem=f"reserved pricing needs {' and '.join(missing)} in the usage file"
        if missing
        else None,
    )


def not_found(ctx: Context, price: Price, what: str) -> str | None:
    """``None`` if ``price`` is in the catalog; else why not: ``no <what> in <region> in the
    catalog`` (``what``: "1-year all-upfront standard reserved price for m5.large"), or why the
    region has no prices at all."""
    match, reason = ctx.find(price)
    if match is not None:
        return None
    estimation = ctx.estimation
    if estimation.catalog is None or ctx.region not in estimation.catalog_regions:
        if ctx.region.startswith("cn-"):
            return (
                f"{reason} (AWS prices China regions in CNY; this estimate reports USD only "
                "and the catalog has no USD price there)"
            )
        return reason
    return f"no {what} in {ctx.region} in the catalog"
