"""Terraform configuration (``.tf`` / ``.tf.json``) -> :class:`engine.model.Resource` list.

Static reading only: no provider, no state, no network. What it does:

* parses native syntax with python-hcl2 v8 and JSON syntax with :mod:`json`, and normalises
  both into one shape (:func:`normalise_hcl2` is the ONE place that deals with python-hcl2
  keeping quotes around string values, block labels and object keys);
* expands ``count`` / ``for_each`` when their value can be evaluated statically (literals,
  ``var.x`` with defaults or tfvars values, ``local.x``, module arguments, and the small
  expression language in :mod:`engine.hclexpr`); when it cannot, it keeps ONE instance and
  records an ``Unknown`` (address + reason) instead of guessing;
* follows local module calls (``./x``, ``../x`` inside the bundle) recursively, prefixing
  addresses with ``module.NAME.``; remote sources, sources leaving the bundle, cycles and
  nesting deeper than :data:`MAX_MODULE_DEPTH` become unknowns, not errors;
* for pricing, evaluates resource arguments (variables, tfvars, locals, module arguments,
  functions), expands ``dynamic`` blocks over known collections, records each resource's
  provider ``region`` when it is a known value, and the resources each argument refers to.
  What cannot be known stays an :class:`engine.model.Unresolved` string with its reason.

A syntax error in a file that is read raises ``EngineInputError("hcl_parse_error", ...)``.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import hcl2
from hcl2.utils import SerializationOptions, process_escape_sequences
from lark.exceptions import LarkError, UnexpectedInput

from engine.errors import EngineInputError
from engine.hclexpr import (
    PARSER_LOCK,
    Expr,
    Scope,
    UnknownValue,
    evaluate,
    first_unknown,
)
from engine.model import (
    Resource,
    ResourceMode,
    Unknown,
    Unresolved,
    instance_address,
    provider_from_type,
    render_provider,
)

MAX_MODULE_DEPTH = 16
# Per resource block: more instances than this is treated as unknown rather than expanded.
MAX_INSTANCES = 10_000

TF_SUFFIXES = (".tf", ".tf.json")
TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")

# Labels per top-level block type; blocks not listed here are ignored.
_BLOCK_LABELS = {
    "resource": 2,
    "data": 2,
    "module": 1,
    "variable": 1,
    "output": 1,
    "provider": 1,
    "locals": 0,
    "terraform": 0,
}
_RESOURCE_META = frozenset(
    {"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"}
)
_MODULE_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})

_HCL2_OPTIONS = SerializationOptions(with_comments=False, preserve_heredocs=False)
# An unescaped interpolation or directive: "${" / "%{" not preceded by "$" / "%".
_TEMPLATE_RE = re.compile(r"(?<!\$)\$\{|(?<!%)%\{")


# --- normalisation -----------------------------------------------------------------------------


def normalise_hcl2(value: Any) -> Any:
    """Turn python-hcl2 v8 output into plain values + :class:`Expr`.

    python-hcl2 v8 returns string literals *with* their quotes (``'"t3.micro"'``), bare
    expressions wrapped as ``'${var.x}'``, quoted block labels / object keys (``'"web"'``), and
    ``__is_block__`` / comment markers. After this function: literal strings are unquoted and
    unescaped, expressions (including templates with interpolation) are :class:`Expr`, keys are
    unquoted and markers are gone.
    """
    if isinstance(value, dict):
        return {
            _unquote_key(key): normalise_hcl2(item)
            for key, item in value.items()
            if not key.startswith("__")
        }
    if isinstance(value, list):
        return [normalise_hcl2(item) for item in value]
    if isinstance(value, str):
        if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
            inner = value[1:-1]
            if _TEMPLATE_RE.search(inner):
                return Expr(value)  # a quoted template is itself a valid expression
            return _literal(process_escape_sequences(inner))
        if value.startswith("${") and value.endswith("}"):
            return Expr(value[2:-1])
    return value


def _unquote_key(key: str) -> str:
    if len(key) >= 2 and key.startswith('"') and key.endswith('"'):
        return process_escape_sequences(key[1:-1])
    return key


def _literal(text: str) -> str:
    # "$${" and "%%{" are HCL's escapes for a literal "${" / "%{".
    return text.replace("$${", "${").replace("%%{", "%{")


def normalise_json(value: Any) -> Any:
    """Terraform JSON syntax: strings are templates, everything else is literal."""
    if isinstance(value, dict):
        return {key: normalise_json(item) for key, item in value.items() if key != "//"}
    if isinstance(value, list):
        return [normalise_json(item) for item in value]
    if isinstance(value, str) and _TEMPLATE_RE.search(value):
        if value.startswith("${") and value.endswith("}") and value.count("${") == 1:
            return Expr(value[2:-1])
        # A template with literal parts; if quoting breaks it, evaluation yields an unknown.
        return Expr('"' + value + '"')
    if isinstance(value, str):
        return _literal(value)
    return value


def unresolved(value: Any) -> Any:
    """JSON-friendly form of a normalised value (Expr -> its ``${...}`` template text)."""
    if isinstance(value, Expr):
        return value.as_template()
    if isinstance(value, list):
        return [unresolved(item) for item in value]
    if isinstance(value, dict):
        return {key: unresolved(item) for key, item in value.items()}
    return value


# --- files -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    kind: str
    labels: tuple[str, ...]
    body: Mapping[str, Any]
    file: str


def _decode(path: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EngineInputError("hcl_parse_error", f"{path}: file is not valid UTF-8") from exc


def _syntax_message(exc: Exception) -> str:
    if isinstance(exc, UnexpectedInput):
        line = getattr(exc, "line", "?")
        column = getattr(exc, "column", "?")
        token = getattr(exc, "token", None)
        near = f" near {str(token)[:20]!r}" if token is not None and str(token).strip() else ""
        return f"syntax error at line {line}, column {column}{near}"
    if isinstance(exc, LarkError | RecursionError):
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"syntax error: {first[:200]}"
    return f"cannot parse file ({type(exc).__name__})"


def parse_hcl_text(path: str, data: bytes) -> dict[str, Any]:
    """Parse native HCL to the normalised dict form, or raise ``hcl_parse_error``."""
    text = _decode(path, data)
    try:
        # python-hcl2 shares one Lark parser per process; use it from one thread at a time.
        with PARSER_LOCK:
            raw = hcl2.loads(text, serialization_options=_HCL2_OPTIONS)
    except Exception as exc:
        # Lark syntax errors, and anything python-hcl2's transformer trips over on odd input:
        # either way this file cannot be read, which is the user's problem to fix, not a 500.
        raise EngineInputError("hcl_parse_error", f"{path}: {_syntax_message(exc)}") from exc
    result = normalise_hcl2(raw)
    if not isinstance(result, dict):  # pragma: no cover - hcl2 always returns a dict
        raise EngineInputError("hcl_parse_error", f"{path}: unexpected document shape")
    return result


def parse_json_config(path: str, data: bytes) -> dict[str, Any]:
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise EngineInputError("hcl_parse_error", f"{path}: invalid JSON: {message}") from exc
    if not isinstance(document, dict):
        raise EngineInputError("hcl_parse_error", f"{path}: top level must be a JSON object")
    result = normalise_json(document)
    assert isinstance(result, dict)
    return result


def _blocks_from_hcl(path: str, document: Mapping[str, Any]) -> list[Block]:
    """Native syntax: ``{"resource": [{"type": {"name": {...}}}], "locals": [{...}]}``."""
    blocks: list[Block] = []
    for kind, entries in document.items():
        labels = _BLOCK_LABELS.get(kind)
        if labels is None or not isinstance(entries, list):
            continue
        for entry in entries:
            blocks.extend(_unnest(kind, labels, entry, (), path))
    return blocks


def _blocks_from_json(path: str, document: Mapping[str, Any]) -> list[Block]:
    """JSON syntax: ``{"resource": {"type": {"name": {...} | [{...}]}}, "locals": {...}}``."""
    blocks: list[Block] = []
    for kind, entries in document.items():
        labels = _BLOCK_LABELS.get(kind)
        if labels is None:
            continue
        for entry in entries if isinstance(entries, list) else [entries]:
            blocks.extend(_unnest(kind, labels, entry, (), path))
    return blocks


def _unnest(
    kind: str, remaining: int, value: Any, labels: tuple[str, ...], path: str
) -> list[Block]:
    if remaining == 0:
        bodies = value if isinstance(value, list) else [value]
        return [Block(kind, labels, body, path) for body in bodies if isinstance(body, dict)]
    if not isinstance(value, dict):
        return []
    out: list[Block] = []
    for label, inner in value.items():
        out.extend(_unnest(kind, remaining - 1, inner, (*labels, label), path))
    return out


def _is_override(path: str) -> bool:
    name = posixpath.basename(path)
    for suffix in TF_SUFFIXES:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem == "override" or stem.endswith("_override")
    return False


def _is_tf(path: str) -> bool:
    return path.endswith(TF_SUFFIXES)


def terraform_dirs(files: Iterable[str]) -> list[str]:
    """Directories (``""`` for the bundle root) that directly contain configuration files."""
    return sorted({posixpath.dirname(path) for path in files if _is_tf(path)})


# --- module configuration ------------------------------------------------------------------


_NO_DEFAULT = object()


@dataclass
class ModuleConfig:
    """The declarations of one module directory, still unevaluated."""

    directory: str
    variables: dict[str, Any] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    resources: list[Block] = field(default_factory=list)
    module_calls: list[Block] = field(default_factory=list)
    provider_sources: dict[str, str] = field(default_factory=dict)
    # provider configurations by "name" or "name.alias"
    providers: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)


def load_module(files: Mapping[str, bytes], directory: str) -> ModuleConfig:
    """Parse every configuration file directly inside ``directory`` (override files last)."""
    paths = sorted(
        (path for path in files if _is_tf(path) and posixpath.dirname(path) == directory),
        key=lambda path: (_is_override(path), path),
    )
    config = ModuleConfig(directory)
    index: dict[tuple[str, tuple[str, ...]], int] = {}
    for path in paths:
        if path.endswith(".tf.json"):
            blocks = _blocks_from_json(path, parse_json_config(path, files[path]))
        else:
            blocks = _blocks_from_hcl(path, parse_hcl_text(path, files[path]))
        override = _is_override(path)
        for block in blocks:
            _add_block(config, block, index, override=override)
    return config


def _add_block(
    config: ModuleConfig,
    block: Block,
    index: dict[tuple[str, tuple[str, ...]], int],
    *,
    override: bool,
) -> None:
    if block.kind == "locals":
        config.locals.update(block.body)
        return
    if block.kind == "terraform":
        config.provider_sources.update(_required_providers(block.body))
        return
    if block.kind == "variable":
        config.variables[block.labels[0]] = block.body.get("default", _NO_DEFAULT)
        return
    if block.kind == "provider":
        alias = block.body.get("alias")
        name = block.labels[0] + (f".{alias}" if isinstance(alias, str) and alias else "")
        config.providers[name] = block.body
        return
    if block.kind not in ("resource", "data", "module"):
        return
    target = config.module_calls if block.kind == "module" else config.resources
    key = (block.kind, block.labels)
    if key in index:
        position = index[key]
        if override:
            # Terraform override files merge their arguments into the original block.
            merged = {**target[position].body, **block.body}
            target[position] = Block(block.kind, block.labels, merged, target[position].file)
        else:
            config.duplicates.append(_block_address(block))
        return
    if override:
        return  # an override for a block that does not exist is an error in Terraform
    index[key] = len(target)
    target.append(block)


def _block_address(block: Block) -> str:
    if block.kind == "module":
        return f"module.{block.labels[0]}"
    base = ".".join(block.labels)
    return f"data.{base}" if block.kind == "data" else base


def _required_providers(body: Mapping[str, Any]) -> dict[str, str]:
    sources: dict[str, str] = {}
    entries = body.get("required_providers", [])
    for entry in entries if isinstance(entries, list) else [entries]:
        if not isinstance(entry, dict):
            continue
        for name, spec in entry.items():
            if isinstance(spec, dict) and isinstance(spec.get("source"), str):
                sources[name] = spec["source"]
    return sources


# --- variables ---------------------------------------------------------------------------------


def load_tfvars(files: Mapping[str, bytes], root: str) -> dict[str, Any]:
    """Variable values from the root's tfvars files, in Terraform's precedence order.

    ``terraform.tfvars``, then ``terraform.tfvars.json``, then ``*.auto.tfvars(.json)`` in
    lexical order, then any other ``*.tfvars(.json)`` (treated like ``-var-file`` arguments,
    which Terraform applies last). Later files override earlier ones.
    """

    def rank(path: str) -> tuple[int, str]:
        name = posixpath.basename(path)
        if name == "terraform.tfvars":
            return (0, name)
        if name == "terraform.tfvars.json":
            return (1, name)
        if name.endswith((".auto.tfvars", ".auto.tfvars.json")):
            return (2, name)
        return (3, name)

    paths = sorted(
        (
            path
            for path in files
            if path.endswith(TFVARS_SUFFIXES) and posixpath.dirname(path) == root
        ),
        key=rank,
    )
    values: dict[str, Any] = {}
    for path in paths:
        if path.endswith(".json"):
            document = parse_json_config(path, files[path])
        else:
            document = parse_hcl_text(path, files[path])
        for name, value in document.items():
            # tfvars may not reference anything, so an empty scope is right.
            values[name] = evaluate(value, Scope())
    return values


# --- expansion ---------------------------------------------------------------------------------


@dataclass
class HclResult:
    resources: list[Resource] = field(default_factory=list)
    unknowns: list[Unknown] = field(default_factory=list)


@dataclass(frozen=True)
class _Instance:
    index: int | str | None
    scope: Scope


class _Loader:
    def __init__(self, files: Mapping[str, bytes]) -> None:
        self.files = files
        self.dirs = set(terraform_dirs(files))
        self.configs: dict[str, ModuleConfig] = {}
        self.result = HclResult()
        self.seen: set[str] = set()

    def config(self, directory: str) -> ModuleConfig:
        if directory not in self.configs:
            self.configs[directory] = load_module(self.files, directory)
        return self.configs[directory]

    def unknown(self, address: str, reason: str) -> None:
        self.result.unknowns.append(Unknown(address, reason))

    def run_module(
        self,
        directory: str,
        prefix: str,
        inputs: Mapping[str, Any],
        stack: tuple[str, ...],
        regions: Mapping[str, Any] | None = None,
    ) -> None:
        config = self.config(directory)
        variables: dict[str, Any] = {}
        for name, default in config.variables.items():
            if name in inputs:
                variables[name] = inputs[name]
            elif default is _NO_DEFAULT:
                variables[name] = UnknownValue(f"variable var.{name} has no value")
            else:
                variables[name] = evaluate(default, Scope())
        scope = Scope(variables=variables, locals_source=config.locals)
        # Provider regions: inherited from the caller, overridden by this module's own blocks.
        module_regions = dict(regions or {})
        for key, body in config.providers.items():
            module_regions[key] = evaluate(body.get("region"), scope)
        for duplicate in config.duplicates:
            self.unknown(prefix + duplicate, "duplicate declaration ignored")
        for block in config.resources:
            self.expand_resource(config, block, prefix, scope, module_regions)
        for call in config.module_calls:
            self.expand_module_call(config, call, prefix, scope, stack, module_regions)

    def instances(self, body: Mapping[str, Any], scope: Scope, address: str) -> list[_Instance]:
        """Instances of a resource/module block; one un-indexed instance when unresolvable."""
        if "count" in body:
            value = evaluate(body["count"], scope)
            count = _whole_number(value)
            if isinstance(count, str):
                self.unknown(address, f"count {count}")
                return [_Instance(None, scope)]
            return [_Instance(i, scope.child(count_index=i)) for i in range(count)]
        if "for_each" in body:
            value = evaluate(body["for_each"], scope)
            keys = _for_each_items(value)
            if isinstance(keys, str):
                self.unknown(address, f"for_each {keys}")
                return [_Instance(None, scope)]
            return [
                _Instance(key, scope.child(each_key=key, each_value=item, has_each=True))
                for key, item in keys
            ]
        return [_Instance(None, scope)]

    def expand_resource(
        self,
        config: ModuleConfig,
        block: Block,
        prefix: str,
        scope: Scope,
        regions: Mapping[str, Any],
    ) -> None:
        kind_label, name = block.labels
        mode: ResourceMode = "data" if block.kind == "data" else "managed"
        base = prefix + (f"data.{kind_label}.{name}" if mode == "data" else f"{kind_label}.{name}")
        provider = render_provider(
            config.provider_sources.get(
                _provider_local_name(block.body, kind_label),
                _provider_local_name(block.body, kind_label),
            )
        )
        module = prefix[:-1] if prefix else None
        region = regions.get(_provider_key(block.body, kind_label))
        references = _references(block.body)
        for instance in self.instances(block.body, scope, base):
            address = instance_address(base, instance.index)
            if address in self.seen:
                continue
            self.seen.add(address)
            self.result.resources.append(
                Resource(
                    address=address,
                    type=kind_label,
                    name=name,
                    mode=mode,
                    provider=provider,
                    module=module,
                    index=instance.index,
                    attributes=_resolve_body(block.body, instance.scope, _RESOURCE_META),
                    region=region if isinstance(region, str) and region else None,
                    references=references,
                )
            )

    def expand_module_call(
        self,
        config: ModuleConfig,
        call: Block,
        prefix: str,
        scope: Scope,
        stack: tuple[str, ...],
        regions: Mapping[str, Any],
    ) -> None:
        name = call.labels[0]
        address = f"{prefix}module.{name}"
        source = call.body.get("source")
        if not isinstance(source, str):
            self.unknown(address, "module source is not a literal string")
            return
        if not source.startswith(("./", "../")):
            self.unknown(address, f"module source {source!r} is not local; not included")
            return
        target = posixpath.normpath(posixpath.join(config.directory or ".", source))
        if target == ".":
            target = ""
        if target == ".." or target.startswith("../") or target.startswith("/"):
            self.unknown(address, f"module source {source!r} leaves the bundle; not included")
            return
        if target not in self.dirs:
            self.unknown(address, f"module directory {target or '.'!r} is not in the bundle")
            return
        if target in stack:
            self.unknown(address, f"module {source!r} calls itself (cycle); not expanded")
            return
        if len(stack) > MAX_MODULE_DEPTH:
            self.unknown(address, f"modules nested deeper than {MAX_MODULE_DEPTH}; not expanded")
            return
        for instance in self.instances(call.body, scope, address):
            inputs = {
                key: evaluate(value, instance.scope)
                for key, value in call.body.items()
                if key not in _MODULE_META
            }
            child_prefix = instance_address(address, instance.index) + "."
            self.run_module(
                target, child_prefix, inputs, (*stack, target), _child_regions(call, regions)
            )


def _provider_local_name(body: Mapping[str, Any], resource_type: str) -> str:
    provider = body.get("provider")
    if isinstance(provider, Expr):
        provider = provider.source
    if isinstance(provider, str) and provider.strip():
        # `aws.west` -> local name `aws` (the alias does not change the provider type).
        return provider.strip().split(".", 1)[0]
    return provider_from_type(resource_type)


def _provider_key(body: Mapping[str, Any], resource_type: str) -> str:
    """``provider = aws.west`` -> ``aws.west``; no meta-argument -> the implied ``aws``."""
    provider = body.get("provider")
    if isinstance(provider, Expr):
        provider = provider.source
    if isinstance(provider, str) and provider.strip():
        return provider.strip()
    return provider_from_type(resource_type)


def _child_regions(call: Block, regions: Mapping[str, Any]) -> dict[str, Any]:
    """Provider regions a module sees: the caller's, remapped by ``providers = {...}``."""
    child = dict(regions)
    mapping = call.body.get("providers")
    if isinstance(mapping, dict):
        for child_key, parent in mapping.items():
            parent_key = parent.source if isinstance(parent, Expr) else parent
            if isinstance(parent_key, str):
                child[child_key] = regions.get(parent_key.strip())
    return child


_REFERENCE_RE = re.compile(
    r"(?<![\w.\]\)\\\"])(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)"
)
_NOT_RESOURCES = frozenset(
    {"var", "local", "module", "each", "count", "path", "terraform", "self", "data"}
)


def _references(body: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Resources each top-level argument refers to (``aws_launch_template.lt``...)."""
    out: dict[str, tuple[str, ...]] = {}
    for key, value in body.items():
        if key in _RESOURCE_META:
            continue
        found: list[str] = []
        for source in _expression_sources(value):
            for match in _REFERENCE_RE.finditer(source):
                data, kind, name = match.groups()
                if kind in _NOT_RESOURCES or "_" not in kind:
                    continue
                address = f"{'data.' if data else ''}{kind}.{name}"
                if address not in found:
                    found.append(address)
        if found:
            out[key] = tuple(found)
    return out


def _expression_sources(value: Any) -> list[str]:
    if isinstance(value, Expr):
        return [value.source]
    if isinstance(value, list):
        return [source for item in value for source in _expression_sources(item)]
    if isinstance(value, dict):
        return [source for item in value.values() for source in _expression_sources(item)]
    return []


def _whole_number(value: Any) -> int | str:
    """The count, or a reason string when it cannot be used."""
    found = first_unknown(value)
    if found is not None:
        return f"is unknown: {found.reason}"
    if isinstance(value, bool) or value is None:
        return "is not a number"
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return f"is not a number ({value[:40]!r})"
    if not isinstance(value, int | float) or value != int(value) or value < 0:
        return f"is not a whole non-negative number ({value!r})"
    if value > MAX_INSTANCES:
        return f"of {int(value)} exceeds the expansion limit of {MAX_INSTANCES}"
    return int(value)


def _for_each_items(value: Any) -> list[tuple[str, Any]] | str:
    """(key, each.value) pairs in Terraform's (lexical) order, or a reason string."""
    if isinstance(value, UnknownValue):
        return f"is unknown: {value.reason}"
    if isinstance(value, dict):
        items = sorted(value.items())
    elif isinstance(value, list):
        found = first_unknown(value)
        if found is not None:
            return f"is unknown: {found.reason}"
        if not all(isinstance(item, str) for item in value):
            return "must be a map or a set of strings"
        items = [(item, item) for item in sorted(set(value))]
    else:
        return "must be a map or a set of strings"
    if len(items) > MAX_INSTANCES:
        return f"of {len(items)} elements exceeds the expansion limit of {MAX_INSTANCES}"
    return items


def _resolve(value: Any, scope: Scope, iter_vars: Mapping[str, Any] | None = None) -> Any:
    """Evaluate an attribute for pricing; what cannot be known stays ``Unresolved`` text."""
    if isinstance(value, Expr):
        result = evaluate(value, scope, iter_vars)
        found = first_unknown(result)
        if found is not None:
            return Unresolved(unresolved(value), found.reason)
        return result
    if isinstance(value, list):
        return [_resolve(item, scope, iter_vars) for item in value]
    if isinstance(value, dict):
        return _resolve_body(value, scope, frozenset(), iter_vars)
    return value


def _resolve_body(
    body: Mapping[str, Any],
    scope: Scope,
    skip: frozenset[str],
    iter_vars: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A block's arguments, with ``dynamic "x" {...}`` blocks expanded into ``x`` blocks."""
    out: dict[str, Any] = {}
    dynamic: list[Any] = []
    for key, value in body.items():
        if key in skip:
            continue
        if key == "dynamic" and isinstance(value, list):
            dynamic.extend(value)
            continue
        out[key] = _resolve(value, scope, iter_vars)
    for entry in dynamic:
        if not isinstance(entry, dict):
            continue
        for label, spec in entry.items():
            blocks = _expand_dynamic(label, spec, scope, iter_vars)
            existing = out.get(label)
            if isinstance(blocks, Unresolved) or isinstance(existing, Unresolved):
                out[label] = blocks if isinstance(blocks, Unresolved) else existing
            else:
                out[label] = [*(existing if isinstance(existing, list) else []), *blocks]
    return out


def _expand_dynamic(
    label: str, spec: Any, scope: Scope, iter_vars: Mapping[str, Any] | None
) -> list[dict[str, Any]] | Unresolved:
    if not isinstance(spec, dict):
        return Unresolved(f"${{dynamic {label}}}", "malformed dynamic block")
    collection = evaluate(spec.get("for_each"), scope, iter_vars)
    found = first_unknown(collection)
    if found is not None:
        return Unresolved(f"${{dynamic {label}}}", f"dynamic block for_each {found.reason}")
    if isinstance(collection, dict):
        items: list[tuple[Any, Any]] = sorted(collection.items())
    elif isinstance(collection, list):
        items = list(enumerate(collection))
    else:
        return Unresolved(f"${{dynamic {label}}}", "dynamic block for_each is not a collection")
    if len(items) > MAX_INSTANCES:
        return Unresolved(f"${{dynamic {label}}}", "dynamic block expands too far")
    iterator = spec.get("iterator", label)
    if isinstance(iterator, Expr):
        iterator = iterator.source
    content = spec.get("content")
    body = content[0] if isinstance(content, list) and content else content
    if not isinstance(body, dict):
        return []
    blocks = []
    for key, item in items:
        names = {**(iter_vars or {}), str(iterator): {"key": key, "value": item}}
        blocks.append(_resolve_body(body, scope, frozenset(), names))
    return blocks


def choose_root(files: Mapping[str, bytes], root: str | None = None) -> str:
    """The root module directory: ``root`` if given, else the shallowest configuration dir."""
    dirs = terraform_dirs(files)
    if root is not None:
        normalised = posixpath.normpath(root.strip("/")) if root.strip("/") else ""
        normalised = "" if normalised == "." else normalised
        if normalised not in dirs:
            raise EngineInputError(
                "no_terraform", f"root module {root!r} has no .tf or .tf.json files"
            )
        return normalised
    if not dirs:
        raise EngineInputError("no_terraform", "the bundle contains no .tf or .tf.json files")
    # Ties at the same depth go to the lexically first directory, so results are stable.
    return min(dirs, key=lambda path: (0 if path == "" else path.count("/") + 1, path))


def read_hcl(files: Mapping[str, bytes], root: str | None = None) -> HclResult:
    """Resources (expanded instances) and unknowns of the root module and its local modules."""
    root_dir = choose_root(files, root)
    loader = _Loader(files)
    loader.run_module(root_dir, "", load_tfvars(files, root_dir), (root_dir,), {})
    return loader.result
