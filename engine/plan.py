"""``terraform show -json`` plan documents -> :class:`engine.model.Resource` list.

A plan is authoritative (Terraform already evaluated count/for_each/modules), so this reader
only walks ``planned_values.root_module`` and its nested ``child_modules``, dropping resources
whose only change is ``delete``. When a plan has no ``planned_values`` at all, the non-deleted
``resource_changes`` are used instead.

For pricing it also reads, when present: ``configuration.provider_config`` (each resource's
provider region, when a literal), the ``references`` of each resource's configuration
expressions (which launch template an autoscaling group uses...), and
``resource_changes[].change.after_unknown`` (attributes known only after apply).

The state before the change is read too, for the estimate's diff: ``prior_state.values``
(every resource as it is now, deleted ones included) or, in a plan without a prior state,
each change's ``before`` values; a plan with neither (a first apply) has an empty past, so
everything in it is created. Each managed resource's action (create, update, replace,
delete, no-op) comes from ``resource_changes[].change.actions``.

Documents are decoded with ``json.loads(bytes)``, which detects UTF-8 (with or without BOM),
UTF-16 and UTF-32, as real-world plans saved from PowerShell are UTF-16LE with a BOM.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from engine.errors import EngineInputError
from engine.model import Resource, ResourceMode, Unknown, render_provider
from tfquote.costdiff import plan_action

# "0.1" ... "0.2" (Terraform 0.12-0.15) and "1.x" (Terraform 1.x): the major version is the
# compatibility promise of the JSON output format.
_SUPPORTED_VERSION = re.compile(r"^(0\.[1-9]\d*|1\.\d+)$")


@dataclass
class PlanResult:
    resources: list[Resource] = field(default_factory=list)
    unknowns: list[Unknown] = field(default_factory=list)
    format_version: str = ""
    terraform_version: str | None = None
    #: The resources before the change (prior state); see the module docstring.
    past_resources: list[Resource] = field(default_factory=list)
    #: Managed resource address -> plan action.
    actions: dict[str, str] = field(default_factory=dict)


def load_json(path: str, data: bytes) -> Any:
    """Decode JSON from bytes, whatever the UTF encoding; ``invalid_json`` otherwise."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        # json.JSONDecodeError and UnicodeDecodeError are both ValueErrors.
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise EngineInputError("invalid_json", f"{path}: {message}") from exc


def looks_like_plan(document: Any) -> bool:
    """Content sniffing: is this JSON meant to be Terraform machine-readable output?

    Deliberately broad (``terraform_version`` or ``values`` qualify) so that a *state* document
    is routed to :func:`parse_plan` and rejected there with ``not_a_plan`` rather than ignored.
    """
    return (
        isinstance(document, dict)
        and "format_version" in document
        and any(
            key in document
            for key in ("planned_values", "resource_changes", "terraform_version", "values")
        )
    )


def is_plan_candidate_path(path: str) -> bool:
    """``.json`` files that may hold a plan (configuration and tfvars JSON never do)."""
    lowered = path.lower()
    return lowered.endswith(".json") and not lowered.endswith((".tf.json", ".tfvars.json"))


def parse_plan(document: Any, path: str = "plan.json") -> PlanResult:
    """Resources of a decoded plan document, or a specific ``EngineInputError``."""
    if not isinstance(document, dict):
        raise EngineInputError("not_a_plan", f"{path}: top level is not a JSON object")
    has_plan_parts = "planned_values" in document or "resource_changes" in document
    if not has_plan_parts:
        if "values" in document:
            raise EngineInputError(
                "not_a_plan",
                f"{path}: this is a Terraform state (top-level 'values'), not a plan; "
                "use `terraform show -json <planfile>`",
            )
        raise EngineInputError(
            "not_a_plan", f"{path}: no 'planned_values' or 'resource_changes' found"
        )
    version = document.get("format_version")
    if not isinstance(version, str) or not _SUPPORTED_VERSION.match(version):
        raise EngineInputError(
            "unsupported_plan_version",
            f"{path}: unsupported plan format_version {version!r} (supported: 0.1 to 1.x)",
        )
    changes = _changes_by_address(document.get("resource_changes"))
    config = _configuration(document.get("configuration"))
    result = PlanResult(
        format_version=version,
        terraform_version=_str_or_none(document.get("terraform_version")),
    )
    planned = document.get("planned_values")
    if isinstance(planned, dict) and isinstance(planned.get("root_module"), dict):
        raw_resources = list(_walk_module(planned["root_module"], depth=0))
    else:
        raw_resources = [_from_change(change) for change in changes.values()]
    seen: set[str] = set()
    for raw in raw_resources:
        resource = _to_resource(raw)
        if resource is None or resource.address in seen:
            continue
        change = changes.get(resource.address, {}).get("change", {})
        if change.get("actions") == ["delete"]:
            continue  # being destroyed: nothing to price
        seen.add(resource.address)
        key = config_address(resource.address)
        unknown = _unknown_attributes(change.get("after_unknown"))
        # Known after apply but not set in the configuration: the provider computes a default
        # (tenancy, storage_type...). Only what the configuration sets is really unknown.
        configured = config.configured.get(key, frozenset())
        result.resources.append(
            replace(
                resource,
                region=config.regions.get(key, config.default_region),
                references=config.references.get(key, {}),
                unknown_attributes=unknown & configured,
                computed_attributes=unknown - configured,
            )
        )
    result.past_resources = _past_resources(document, changes, config)
    result.actions = {
        address: plan_action(change.get("change", {}).get("actions"))
        for address, change in changes.items()
        if change.get("mode", "managed") == "managed"
    }
    return result


def _past_resources(
    document: Mapping[str, Any], changes: Mapping[str, dict[str, Any]], config: _Configuration
) -> list[Resource]:
    """The resources as they were before the change, sorted by address."""
    prior = document.get("prior_state")
    values = prior.get("values") if isinstance(prior, dict) else None
    if isinstance(values, dict) and isinstance(values.get("root_module"), dict):
        raw_resources = list(_walk_module(values["root_module"], depth=0))
    else:
        # No prior state: each change's "before" is the resource as it was (null: new).
        raw_resources = []
        for change in changes.values():
            before = change.get("change", {}).get("before")
            if isinstance(before, dict):
                raw = _from_change(change)
                raw["values"] = before
                raw_resources.append(raw)
    past: dict[str, Resource] = {}
    for raw in raw_resources:
        resource = _to_resource(raw)
        if resource is None or resource.address in past:
            continue
        key = config_address(resource.address)
        past[resource.address] = replace(
            resource,
            region=config.regions.get(key, config.default_region),
            references=config.references.get(key, {}),
        )
    return [past[address] for address in sorted(past)]


@dataclass
class _Configuration:
    regions: dict[str, str] = field(default_factory=dict)
    references: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    configured: dict[str, frozenset[str]] = field(default_factory=dict)
    default_region: str | None = None


def _configuration(raw: Any) -> _Configuration:
    """Provider regions and expression references per configuration address."""
    out = _Configuration()
    if not isinstance(raw, dict):
        return out
    provider_regions: dict[str, str] = {}
    providers = raw.get("provider_config")
    if isinstance(providers, dict):
        for key, spec in providers.items():
            region = (
                _constant(spec.get("expressions", {}).get("region"))
                if isinstance(spec, dict)
                else None
            )
            if isinstance(key, str) and isinstance(region, str) and region:
                provider_regions[key] = region
    out.default_region = provider_regions.get("aws")
    root = raw.get("root_module")
    if isinstance(root, dict):
        _walk_configuration(root, "", provider_regions, out, depth=0)
    return out


def _walk_configuration(
    module: Mapping[str, Any],
    prefix: str,
    provider_regions: Mapping[str, str],
    out: _Configuration,
    depth: int,
) -> None:
    if depth > 64:
        return
    for resource in module.get("resources") or []:
        if not isinstance(resource, dict) or not isinstance(resource.get("address"), str):
            continue
        address = prefix + resource["address"]
        key = resource.get("provider_config_key")
        if isinstance(key, str):
            # "ec2:aws" is module ec2's (inherited) "aws" configuration.
            region = provider_regions.get(key) or provider_regions.get(key.rsplit(":", 1)[-1])
            if region:
                out.regions[address] = region
        expressions = resource.get("expressions")
        if isinstance(expressions, dict):
            out.configured[address] = frozenset(str(name) for name in expressions)
            refs = {
                name: tuple(dict.fromkeys(_resource_refs(value)))
                for name, value in expressions.items()
            }
            out.references[address] = {name: found for name, found in refs.items() if found}
    for name, call in (module.get("module_calls") or {}).items():
        if isinstance(call, dict) and isinstance(call.get("module"), dict):
            _walk_configuration(
                call["module"], f"{prefix}module.{name}.", provider_regions, out, depth + 1
            )


def _constant(expression: Any) -> Any:
    return expression.get("constant_value") if isinstance(expression, dict) else None


_REF_SKIP = frozenset({"var", "local", "module", "each", "count", "path", "terraform", "self"})


def _resource_refs(expression: Any, depth: int = 0) -> Iterator[str]:
    """``aws_launch_template.lt`` for every resource reference inside an expression tree."""
    if depth > 32:
        return
    if isinstance(expression, dict):
        references = expression.get("references")
        if isinstance(references, list):
            for reference in references:
                if not isinstance(reference, str):
                    continue
                parts = reference.split(".")
                if parts[0] == "data" and len(parts) >= 3:
                    yield ".".join(parts[:3]).split("[")[0]
                elif len(parts) >= 2 and parts[0] not in _REF_SKIP:
                    yield f"{parts[0]}.{parts[1].split('[')[0]}"
        for key, value in expression.items():
            if key != "references":
                yield from _resource_refs(value, depth + 1)
    elif isinstance(expression, list):
        for item in expression:
            yield from _resource_refs(item, depth + 1)


def _unknown_attributes(after_unknown: Any) -> frozenset[str]:
    if not isinstance(after_unknown, dict):
        return frozenset()
    return frozenset(str(key) for key, value in after_unknown.items() if value is True)


_INDEX_RE = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]')


def config_address(address: str) -> str:
    """``module.a["x"].aws_instance.web[0]`` -> ``module.a.aws_instance.web``."""
    return _INDEX_RE.sub("", address)


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _changes_by_address(raw: Any) -> dict[str, dict[str, Any]]:
    changes: dict[str, dict[str, Any]] = {}
    if not isinstance(raw, list):
        return changes
    for change in raw:
        if isinstance(change, dict) and isinstance(change.get("address"), str):
            if not isinstance(change.get("change"), dict):
                change = {**change, "change": {}}
            changes[change["address"]] = change
    return changes


def _walk_module(module: Mapping[str, Any], depth: int) -> Iterator[dict[str, Any]]:
    # Terraform caps nesting far below this; the guard only stops hostile documents.
    if depth > 64:
        return
    for resource in module.get("resources") or []:
        if isinstance(resource, dict):
            yield {**resource, "_module": module.get("address")}
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            yield from _walk_module(child, depth + 1)


def _from_change(change: Mapping[str, Any]) -> dict[str, Any]:
    after = change.get("change", {}).get("after")
    return {
        "address": change.get("address"),
        "mode": change.get("mode"),
        "type": change.get("type"),
        "name": change.get("name"),
        "index": change.get("index"),
        "provider_name": change.get("provider_name"),
        "values": after if isinstance(after, dict) else {},
        "_module": change.get("module_address"),
    }


def _to_resource(raw: Mapping[str, Any]) -> Resource | None:
    address, rtype, name = raw.get("address"), raw.get("type"), raw.get("name")
    if not (isinstance(address, str) and isinstance(rtype, str) and isinstance(name, str)):
        return None
    mode: ResourceMode = "data" if raw.get("mode") == "data" else "managed"
    provider_name = raw.get("provider_name")
    provider = render_provider(
        provider_name if isinstance(provider_name, str) and provider_name else rtype.split("_")[0]
    )
    index = raw.get("index")
    if not isinstance(index, int | str) or isinstance(index, bool):
        index = None
    module = raw.get("_module")
    if not isinstance(module, str) or not module:
        module = _module_from_address(address)
    values = raw.get("values")
    return Resource(
        address=address,
        type=rtype,
        name=name,
        mode=mode,
        provider=provider,
        module=module,
        index=index,
        attributes=values if isinstance(values, dict) else {},
    )


def _module_from_address(address: str) -> str | None:
    """``module.a.module.b.aws_x.y[0]`` -> ``module.a.module.b`` (None at the root)."""
    parts: list[str] = []
    rest = address
    while rest.startswith("module."):
        name_end = _module_segment_end(rest)
        parts.append(rest[:name_end])
        rest = rest[name_end + 1 :]
    return ".".join(parts) or None


def _module_segment_end(text: str) -> int:
    # "module.NAME" optionally followed by an instance key like [0] or ["a.b"].
    position = len("module.")
    while position < len(text) and text[position] not in ".[":
        position += 1
    if position < len(text) and text[position] == "[":
        in_quote = False
        while position < len(text):
            char = text[position]
            if char == '"':
                in_quote = not in_quote
            elif char == "]" and not in_quote:
                position += 1
                break
            position += 1
    return position
