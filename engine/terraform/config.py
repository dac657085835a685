"""Loading one module directory into its declarations (Terraform's ``configs`` package).

A module is the set of ``.tf`` and ``.tf.json`` files directly inside a directory; override
files (``override.tf``, ``*_override.tf``) are merged last, as Terraform merges them. The result,
:class:`ModuleConfig`, holds the still-unevaluated declarations: variables (with their parsed
type constraints and defaults), locals, outputs, resources and data sources with their
meta-arguments split out, module calls, provider configurations and required providers.

Parsing is cached per file content, in the process (an LRU) and, when configured, on disk
for every engine process (:mod:`engine.terraform.parsecache`), since an upload is usually
estimated many times in CI with the same modules.
"""

from __future__ import annotations

import hashlib
import posixpath
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from engine.terraform import parsecache
from engine.terraform import values as v
from engine.terraform.evaluator import EvalError, Scope, evaluate
from engine.terraform.syntax import ast
from engine.terraform.syntax.jsonsyntax import parse_json_config
from engine.terraform.syntax.parser import HclSyntaxError, parse_config
from engine.terraform.typeexpr import ANY, TypeConstraint, TypeExprError, parse_type
from engine.terraform.values import Value

TF_SUFFIXES = (".tf", ".tf.json")
_RESOURCE_META = frozenset({"count", "for_each", "provider", "depends_on", "lifecycle"})
_MODULE_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


class ConfigError(Exception):
    """A configuration Terraform would refuse to load (syntax errors, invalid declarations)."""


class Files(Protocol):
    """What the loader reads: bundle-relative posix paths."""

    def read(self, path: str) -> bytes | None: ...

    def list(self) -> list[str]: ...


@dataclass
class Variable:
    name: str
    constraint: TypeConstraint
    default: Value | None  # None: required
    nullable: bool = True
    #: -var strings are taken literally for primitive (or no) type constraints, else parsed
    literal_input: bool = True
    #: ``validation`` blocks: (condition, error_message)
    validations: list[tuple[ast.Expr, ast.Expr | None]] = field(default_factory=list)


@dataclass
class ResourceBlock:
    mode: Literal["managed", "data"]
    type: str
    name: str
    body: ast.Body
    count: ast.Expr | None
    for_each: ast.Expr | None
    provider_key: str  # "aws" or "aws.west"
    where: str

    @property
    def address(self) -> str:
        base = f"{self.type}.{self.name}"
        return f"data.{base}" if self.mode == "data" else base


@dataclass
class ModuleCall:
    name: str
    source: str | None
    version: str | None
    count: ast.Expr | None
    for_each: ast.Expr | None
    arguments: dict[str, ast.Attribute]
    providers: dict[str, str] | None  # child key -> parent key; None when not given
    where: str


@dataclass
class ProviderConfig:
    name: str
    alias: str | None
    body: ast.Body

    @property
    def key(self) -> str:
        return f"{self.name}.{self.alias}" if self.alias else self.name


@dataclass
class ModuleConfig:
    directory: str
    variables: dict[str, Variable] = field(default_factory=dict)
    locals: dict[str, ast.Attribute] = field(default_factory=dict)
    outputs: dict[str, ast.Attribute] = field(default_factory=dict)
    #: ``precondition`` conditions of each output
    output_conditions: dict[str, list[ast.Expr]] = field(default_factory=dict)
    resources: list[ResourceBlock] = field(default_factory=list)
    calls: list[ModuleCall] = field(default_factory=list)
    providers: dict[str, ProviderConfig] = field(default_factory=dict)
    required_providers: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def resource(self, address: str) -> ResourceBlock | None:
        for block in self.resources:
            if block.address == address:
                return block
        return None


# --- parsing with a cache --------------------------------------------------------------------

_CACHE_SIZE = 2048
_cache: OrderedDict[tuple[str, str], ast.Body] = OrderedDict()
_cache_lock = threading.Lock()


def parse_file(path: str, data: bytes) -> ast.Body:
    """Parse a configuration file, reusing the parse of identical content (by sha256)."""
    key = (
        (posixpath.basename(path).endswith(".json") and "json") or "hcl",
        hashlib.sha256(data).hexdigest() + path,
    )
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    body = parsecache.load("\0".join(key))
    if body is None:
        try:
            body = (
                parse_json_config(path, data)
                if path.endswith(".json")
                else parse_config(path, data)
            )
        except HclSyntaxError as exc:
            raise ConfigError(str(exc)) from exc
        parsecache.store("\0".join(key), body)
    with _cache_lock:
        _cache[key] = body
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return body


def is_override(path: str) -> bool:
    name = posixpath.basename(path)
    for suffix in TF_SUFFIXES:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem == "override" or stem.endswith("_override")
    return False


def module_files(files: Iterable[str], directory: str) -> list[str]:
    """Configuration files directly inside ``directory``; override files last."""
    paths = [p for p in files if p.endswith(TF_SUFFIXES) and posixpath.dirname(p) == directory]
    return sorted(paths, key=lambda p: (is_override(p), p))


#: Loaded modules kept per process, by directory and parsed files (a repeated estimate of
#: the same module tree skips the declarations' processing too: variable types and
#: defaults were ~40% of a warm estimate of the EKS example).
_MODULE_CACHE_SIZE = 512
_modules: OrderedDict[tuple[str, tuple[tuple[str, ast.Body], ...]], ModuleConfig] = OrderedDict()


def load_module(files: Files, directory: str) -> ModuleConfig:
    """The module in ``directory``. A ModuleConfig is never changed once loaded, so the
    same parsed files in the same directory give the same (shared) one."""
    parsed: list[tuple[str, ast.Body]] = []
    for path in module_files(files.list(), directory):
        data = files.read(path)
        if data is None:
            continue
        body = parse_file(path, data)
        if body.attributes:
            first = next(iter(body.attributes.values()))
            raise ConfigError(
                f"{path}:{first.source.line_of(first.start)}: unexpected argument "
                f"{first.name!r} at the top level of a configuration file"
            )
        parsed.append((path, body))
    # Parsed bodies come from the parse cache, so the same content is the same object.
    key = (directory, tuple(parsed))
    with _cache_lock:
        cached = _modules.get(key)
        if cached is not None:
            _modules.move_to_end(key)
            return cached
    config = ModuleConfig(directory)
    primary: list[ast.Block] = []
    overrides: list[ast.Block] = []
    for path, body in parsed:
        (overrides if is_override(path) else primary).extend(body.blocks)
    for block in _merge_overrides(primary, overrides):
        _add(config, block)
    with _cache_lock:
        _modules[key] = config
        if len(_modules) > _MODULE_CACHE_SIZE:
            _modules.popitem(last=False)
    return config


def _block_key(block: ast.Block) -> tuple[str, tuple[str, ...]] | None:
    if block.type in ("resource", "data", "module", "variable", "output", "provider"):
        labels = block.labels
        if block.type == "provider":
            alias = _literal_string(block.body.attributes.get("alias"))
            labels = (*labels, alias or "")
        return block.type, labels
    return None


def _merge_overrides(primary: list[ast.Block], overrides: list[ast.Block]) -> list[ast.Block]:
    if not overrides:
        return primary
    merged = list(primary)
    index = {key: i for i, block in enumerate(merged) if (key := _block_key(block)) is not None}
    for override in overrides:
        if override.type == "locals":
            merged.append(override)  # later locals win (see _add)
            continue
        key = _block_key(override)
        if key is None or key not in index:
            continue  # Terraform: an override for a missing block is an error; ignore it
        base = merged[index[key]]
        body = ast.Body(dict(base.body.attributes), list(base.body.blocks))
        body.attributes.update(override.body.attributes)
        replaced = {nested.type for nested in override.body.blocks}
        body.blocks = [b for b in body.blocks if b.type not in replaced] + list(
            override.body.blocks
        )
        merged[index[key]] = ast.Block(
            base.type, base.labels, body, base.source, base.start, base.end
        )
    return merged


def _literal_string(attribute: ast.Attribute | None) -> str | None:
    if attribute is None:
        return None
    try:
        value = evaluate(attribute.expr, Scope())
    except EvalError:
        return None
    if value.is_known and value.type is v.STRING:
        return str(value.v)
    return None


def _traversal_text(expr: ast.Expr) -> str | None:
    """``aws.west`` written as a bare reference (provider keys)."""
    if isinstance(expr, ast.ScopeTraversal) and all(isinstance(s, ast.GetAttr) for s in expr.steps):
        return ".".join([expr.name, *(s.name for s in expr.steps)])  # type: ignore[union-attr]
    if isinstance(expr, ast.Template | ast.TemplateWrap):
        try:
            value = evaluate(expr, Scope())
        except EvalError:
            return None
        return str(value.v) if value.is_known and value.type is v.STRING else None
    return None


def _add(config: ModuleConfig, block: ast.Block) -> None:
    kind = block.type
    where = block.where()
    if kind == "locals":
        for name, attribute in block.body.attributes.items():
            if name in config.locals:
                raise ConfigError(f"{where}: Duplicate local value definition: local.{name}")
            config.locals[name] = attribute
        return
    if kind == "variable" and len(block.labels) == 1:
        if block.labels[0] in config.variables:
            raise ConfigError(f"{where}: Duplicate variable declaration: var.{block.labels[0]}")
        config.variables[block.labels[0]] = _variable(block)
        return
    if kind == "output" and len(block.labels) == 1:
        name = block.labels[0]
        if name in config.outputs:
            raise ConfigError(f"{where}: Duplicate output definition: output.{name}")
        value = block.body.attributes.get("value")
        if value is not None:
            config.outputs[name] = value
            config.output_conditions[name] = [
                condition.expr
                for nested in block.body.blocks_of("precondition")
                if (condition := nested.body.attributes.get("condition")) is not None
            ]
        return
    if kind == "provider" and len(block.labels) == 1:
        alias = _literal_string(block.body.attributes.get("alias"))
        provider = ProviderConfig(block.labels[0], alias, block.body)
        if provider.key in config.providers:
            raise ConfigError(f"{where}: Duplicate provider configuration: {provider.key}")
        config.providers[provider.key] = provider
        return
    if kind == "terraform":
        for nested in block.body.blocks_of("required_providers"):
            for name, attribute in nested.body.attributes.items():
                source = _required_source(attribute)
                if source:
                    config.required_providers[name] = source
        return
    if kind in ("resource", "data") and len(block.labels) == 2:
        resource_type, name = block.labels
        body = ast.Body(
            {k: a for k, a in block.body.attributes.items() if k not in _RESOURCE_META},
            [
                b
                for b in block.body.blocks
                if b.type not in ("lifecycle", "provisioner", "connection")
            ],
        )
        provider_attr = block.body.attributes.get("provider")
        provider_key = _traversal_text(provider_attr.expr) if provider_attr else None
        resource = ResourceBlock(
            "data" if kind == "data" else "managed",
            resource_type,
            name,
            body,
            _meta(block, "count"),
            _meta(block, "for_each"),
            provider_key or resource_type.split("_", 1)[0],
            where,
        )
        if config.resource(resource.address) is not None:
            config.problems.append(f"{resource.address}: duplicate declaration ignored ({where})")
            return
        config.resources.append(resource)
        return
    if kind == "module" and len(block.labels) == 1:
        if any(call.name == block.labels[0] for call in config.calls):
            raise ConfigError(f"{where}: Duplicate module call: module.{block.labels[0]}")
        attributes = block.body.attributes
        providers: dict[str, str] | None = None
        if "providers" in attributes:
            providers = {}
            expr = attributes["providers"].expr
            if isinstance(expr, ast.ObjectCons):
                for key_expr, value_expr in expr.items:
                    key = key_expr.wrapped if isinstance(key_expr, ast.ObjectKey) else key_expr
                    child, parent = _traversal_text(key), _traversal_text(value_expr)
                    if child and parent:
                        providers[child] = parent
        config.calls.append(
            ModuleCall(
                block.labels[0],
                _literal_string(attributes.get("source")),
                _literal_string(attributes.get("version")),
                _meta(block, "count"),
                _meta(block, "for_each"),
                {k: a for k, a in attributes.items() if k not in _MODULE_META},
                providers,
                where,
            )
        )


def _meta(block: ast.Block, name: str) -> ast.Expr | None:
    attribute = block.body.attributes.get(name)
    return attribute.expr if attribute is not None else None


def _required_source(attribute: ast.Attribute) -> str | None:
    expr = attribute.expr
    if isinstance(expr, ast.ObjectCons):
        for key_expr, value_expr in expr.items:
            key = key_expr.wrapped if isinstance(key_expr, ast.ObjectKey) else key_expr
            name = _traversal_text(key)
            if name == "source":
                return _traversal_text(value_expr)
        return None
    return _traversal_text(expr)  # legacy form: aws = "~> 5.0" (a version, no source)


def _variable(block: ast.Block) -> Variable:
    attributes = block.body.attributes
    name = block.labels[0]
    constraint = ANY
    literal_input = True
    type_attr = attributes.get("type")
    if type_attr is not None:
        try:
            constraint = parse_type(type_attr.expr)
        except TypeExprError as exc:
            raise ConfigError(
                f"{block.where()}: invalid type for variable {name!r}: {exc}"
            ) from exc
        literal_input = constraint.type.is_primitive()
    nullable = True
    nullable_attr = attributes.get("nullable")
    if nullable_attr is not None:
        try:
            flag = evaluate(nullable_attr.expr, Scope())
        except EvalError as exc:
            raise ConfigError(f"{block.where()}: {exc}") from exc
        nullable = not (flag.is_known and flag.v is False)
    default: Value | None = None
    default_attr = attributes.get("default")
    if default_attr is not None:
        from engine.terraform.functions import pure_functions

        try:
            raw = evaluate(default_attr.expr, Scope(functions=pure_functions()))
        except EvalError as exc:
            raise ConfigError(
                f"{block.where()}: invalid default for variable {name!r}: {exc}"
            ) from exc
        if not raw.is_null:
            try:
                raw = constraint.apply(raw)
            except Exception as exc:  # ConversionError
                raise ConfigError(
                    f"{block.where()}: invalid default value for variable {name!r}: {exc}"
                ) from exc
        else:
            raw = v.null(constraint.type)
        default = raw
    validations = [
        (
            condition.expr,
            (message.expr if (message := nested.body.attributes.get("error_message")) else None),
        )
        for nested in block.body.blocks_of("validation")
        if (condition := nested.body.attributes.get("condition")) is not None
    ]
    return Variable(name, constraint, default, nullable, literal_input, validations)
