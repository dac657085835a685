"""Pricing the resources of an estimate: one cost function per AWS resource type.

* :mod:`engine.costing.estimate` builds the Infracost-compatible estimate document;
* :mod:`engine.costing.context` is what a cost function sees (attributes, usage, prices);
* :mod:`engine.costing.registry` lists the priced, free and (by omission) unsupported types;
* :mod:`engine.costing.resources` holds the cost functions, grouped by service;
* :mod:`engine.costing.usage` reads Infracost-style usage files.
"""

from __future__ import annotations

from engine.costing.estimate import build_estimate
from engine.costing.usage import Usage, load_usage

__all__ = ["Usage", "build_estimate", "load_usage"]
