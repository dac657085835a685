"""Amazon Lightsail instances, priced by bundle.

A bundle id (``small_3_0``, ``medium_win_3_0``, ``nano_ipv6_3_0``) names the memory size by its
prefix, Windows by ``_win_`` and IPv6-only networking by ``ipv6``; the catalog's Lightsail
Instance products carry those three attributes (MANIFEST.md 6.22). Bundles are monthly
prices billed per hour.
"""

from __future__ import annotations

from engine.costing.context import ONE, Context, Price
from engine.costing.registry import priced
from engine.model import Unresolved

# Bundle id prefix -> memory (Lightsail's bundle sizes).
BUNDLE_MEMORY = {
    "nano": "0.5GB",
    "micro": "1GB",
    "small": "2GB",
    "medium": "4GB",
    "large": "8GB",
    "xlarge": "16GB",
    "2xlarge": "32GB",
    "4xlarge": "64GB",
}


@priced(
    "aws_lightsail_instance",
    reads=("bundle_id",),
    usage=(),
    notes=("Data transfer above the bundle's allowance is not priced.",),
)
def aws_lightsail_instance(ctx: Context) -> None:
    bundle = ctx.string("bundle_id")
    windows = isinstance(bundle, str) and "_win_" in bundle.lower()
    name = f"Virtual server ({'Windows' if windows else 'Linux/UNIX'})"
    if isinstance(bundle, Unresolved):
        ctx.add(ctx.component(name, "hours", f"bundle is unknown: {bundle.reason}", hourly=ONE))
        return
    if not bundle:
        ctx.add(ctx.component(name, "hours", "bundle_id is not set", hourly=ONE))
        return
    parts = bundle.lower().split("_")
    memory = BUNDLE_MEMORY.get(parts[0])
    if memory is None:
        reason = f"unknown Lightsail bundle {bundle!r}"
        ctx.add(ctx.component(name, "hours", reason, hourly=ONE))
        return
    attributes = {
        "memory": memory,
        "operatingSystem": "Windows" if windows else "Linux",
        "networking": "IPv6-only" if "ipv6" in parts else "Dual-stack",
    }
    ctx.add(
        ctx.component(
            name, "hours", Price("AmazonLightsail", "Lightsail Instance", attributes), hourly=ONE
        )
    )
