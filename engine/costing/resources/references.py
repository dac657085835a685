"""Following references between resources, in both directions, to the exact instance.

:func:`referenced` answers "which launch template does this group use": when the attribute's
value names one instance (``${aws_launch_configuration.lc[1].id}``) that instance is the
answer, so ``count``-ed resources pair up as Terraform pairs them; only when the value does not
say which (a splat, a conditional) is the first referenced instance taken.
:func:`referencing` answers the reverse ("which task sets name this service").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from engine.costing.context import Context
from engine.model import Resource, Unresolved

# ``${aws_launch_template.lt[1].id}`` or ``${module.m.aws_launch_template.lt[0].id}``: group 1
# the instance address.
_REFERENCE_TEXT = re.compile(
    r"\$\{((?:module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.)*(?:data\.)?[a-z][a-z0-9_]*"
    r"\.[A-Za-z_][A-Za-z0-9_-]*(?:\[[^\]]*\])?)\.[A-Za-z_][A-Za-z0-9_]*\}"
)
_MODULE_PATH = re.compile(r"^(?:module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.)*")


def _unresolved_texts(value: Any) -> Iterator[str]:
    if isinstance(value, Unresolved):
        yield str(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _unresolved_texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _unresolved_texts(item)


def _kind(reference: str) -> str:
    return _MODULE_PATH.sub("", reference).removeprefix("data.").split(".", 1)[0]


def _resolve(ctx: Context, origin: Resource, reference: str) -> list[Resource]:
    """Instances ``reference`` names: relative to ``origin``'s module, or a full address."""
    index = ctx.estimation.index
    exact = index.by_address.get(reference)
    if exact is not None and reference.startswith("module."):
        return [exact]
    return index.resolve(origin, reference)


def referenced(
    ctx: Context, attribute: str, *types: str, origin: Resource | None = None
) -> Resource | None:
    """The resource of one of ``types`` that ``origin``'s (default: the priced resource's)
    top-level ``attribute`` refers to, nested blocks included."""
    origin = origin or ctx.resource
    named = {
        match[1]
        for text in _unresolved_texts(origin.attributes.get(attribute))
        for match in _REFERENCE_TEXT.finditer(text)
        if not types or _kind(match[1]) in types
    }
    if len(named) == 1:
        found = _resolve(ctx, origin, named.pop())
        if len(found) == 1:
            return found[0]
    for reference in origin.references.get(attribute, ()):
        if types and _kind(reference) not in types:
            continue
        found = _resolve(ctx, origin, reference)
        if found:
            return found[0]
    return None


def referencing(
    ctx: Context, resource_type: str, attribute: str, target: Resource | None = None
) -> list[Resource]:
    """Resources of ``resource_type`` whose ``attribute`` refers to ``target`` (default: the
    priced resource)."""
    target = target or ctx.resource
    index = ctx.estimation.index
    out = []
    for candidate in index.by_address.values():
        if candidate.type != resource_type or candidate.mode != "managed":
            continue
        if referenced(ctx, attribute, target.type, origin=candidate) is target:
            out.append(candidate)
    return out
