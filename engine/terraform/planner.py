"""What ``terraform plan`` would create: modules, resources and their instances, evaluated.

The planner evaluates a configuration the way Terraform's graph walk does, but on demand: a
reference (``var.x``, ``local.y``, ``module.vpc.private_subnets``, ``aws_instance.web[0]``,
``data.aws_availability_zones.available.names``) is evaluated when an expression needs it and
memoised, and a reference that leads back to itself is reported as a cycle. Each module call is
expanded into its instances (``count`` / ``for_each``, module outputs included), each resource
block into its instances, and each instance's arguments are evaluated in its own scope
(``count.index``, ``each.key`` / ``each.value``, ``dynamic`` blocks expanded).

Rules that matter for a cost estimate:

* ``count`` / ``for_each`` expand as soon as the count or the *set of keys* is known, even if
  the values are not (each instance gets its key; its unknown attributes stay unknown);
* a block whose count or keys cannot be known is listed once in :attr:`PlanResult.unknowns`
  with the reason and produces no instance at all (nothing is priced for it);
* each resource gets the region of its own provider configuration (``provider = aws.x``,
  ``providers = {...}`` on module calls, provider blocks in modules, implicit inheritance of
  default providers), or None where no configuration sets one (the job's region applies);
* variables are converted to their type constraints with ``optional()`` defaults applied.

Hostile configurations end quickly: instance counts over :data:`MAX_INSTANCES`, module trees
deeper than :data:`MAX_MODULE_DEPTH` or with more than :data:`MAX_MODULE_INSTANCES` instances,
and evaluations over the :class:`~engine.terraform.evaluator.Budget` become listed unknowns.
"""

from __future__ import annotations

import posixpath
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from engine.model import Resource, Unresolved, instance_address, render_provider
from engine.model import Unknown as UnknownItem  # not values.Unknown, an unknown value
from engine.terraform import datasources
from engine.terraform import values as v
from engine.terraform.config import ModuleCall, ModuleConfig, ResourceBlock, load_module
from engine.terraform.convert import ConversionError, convert
from engine.terraform.evaluator import (
    ACCESSED,
    CURRENT_BUDGET,
    Budget,
    BudgetExceeded,
    EvalError,
    Scope,
    Unsupported,
    evaluate,
)
from engine.terraform.functions import Function, filesystem, pure_functions
from engine.terraform.modules import CallSite, ChainResolver, ModuleLocation, Unresolvable
from engine.terraform.syntax import ast
from engine.terraform.syntax.parser import HclSyntaxError, parse_expression
from engine.terraform.values import STRING, Number, Unknown, Value

MAX_INSTANCES = 10_000
MAX_MODULE_DEPTH = 16
MAX_MODULE_INSTANCES = 2_000

InstanceKey = int | str | None


@dataclass(frozen=True)
class RootInput:
    """A value for a root module variable: a value already, or ``-var`` text to be read
    the way Terraform reads it (literally for primitive types, as HCL otherwise)."""

    value: Value | None = None
    text: str | None = None
    origin: str = ""


@dataclass(frozen=True)
class PlanInputs:
    region: str
    workspace: str = "default"
    variables: Mapping[str, RootInput] = field(default_factory=dict)


@dataclass(frozen=True)
class ModuleRecord:
    address: str
    source: str
    directory: str
    kind: str
    detail: tuple[tuple[str, str | bool], ...] = ()


@dataclass
class PlanResult:
    resources: list[Resource] = field(default_factory=list)
    unknowns: list[UnknownItem] = field(default_factory=list)
    modules: list[ModuleRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def unexpanded_modules(self) -> int:
        return sum(1 for item in self.unknowns if item.kind == "module")

    @property
    def unexpanded_resources(self) -> int:
        return sum(1 for item in self.unknowns if item.kind == "resource")


class _Cycle(Exception):
    pass


@dataclass
class _Expansion:
    """The instances of a resource block or module call, or why they cannot be known."""

    mode: Literal["single", "count", "for_each"]
    keys: list[InstanceKey] | None
    values: dict[InstanceKey, Value] = field(default_factory=dict)  # each.value per key
    reason: str | None = None


# --- values to pricing attributes ------------------------------------------------------------


def to_attribute(value: Value, text: str | None = None) -> Any:
    """A plain Python value for the pricing layer; unknowns become :class:`Unresolved`."""
    unknown = value.unknown
    if unknown is not None:
        return _unresolved(unknown, text)
    payload = value.v
    if payload is None or isinstance(payload, str | bool):
        return payload
    if isinstance(payload, Number):
        if payload.is_integer():
            return payload.as_int()
        if payload.is_infinite():
            return None
        return Decimal(v.format_number(payload))
    if isinstance(payload, tuple):
        return [to_attribute(item) for item in payload]
    return {key: to_attribute(item) for key, item in value.items()}


def _unresolved(unknown: Unknown, text: str | None) -> Unresolved:
    if unknown.origin is not None:
        address, attribute = unknown.origin
        return Unresolved(f"${{{address}.{attribute}}}", unknown.reason)
    return Unresolved(text or "${unknown}", unknown.reason)


# --- the scope of a module instance ------------------------------------------------------------


class ModuleScope(Scope):
    """Module-level names of one module instance: var, local, module, data, resources, path,
    terraform. Iteration values (count, each) live in child scopes."""

    __slots__ = ("module",)

    def __init__(
        self, module: ModuleInstance, functions: Mapping[str, Function], budget: Budget
    ) -> None:
        super().__init__(None, {}, functions, budget)
        self.module = module

    def reference(self, node: ast.ScopeTraversal) -> tuple[Value, int]:
        module = self.module
        name = node.name
        steps = node.steps
        first = steps[0].name if steps and isinstance(steps[0], ast.GetAttr) else None
        if name == "var":
            if first is None:
                raise EvalError(
                    "Invalid reference", "A reference to var requires a variable name.", node
                )
            return module.variable(first, node), 1
        if name == "local":
            if first is None:
                raise EvalError("Invalid reference", "A reference to local requires a name.", node)
            return module.local(first, node), 1
        if name == "module":
            if first is None:
                raise EvalError(
                    "Invalid reference", "A reference to module requires a call name.", node
                )
            return module.module_reference(first, steps[1:], node)
        if name == "data":
            second = steps[1].name if len(steps) > 1 and isinstance(steps[1], ast.GetAttr) else None
            if first is None or second is None:
                raise EvalError(
                    "Invalid reference", "A data source reference requires a type and a name.", node
                )
            value, used = module.resource_reference(f"data.{first}.{second}", steps[2:], node)
            return value, 2 + used
        if name == "path":
            if first == "module":
                return v.string(module.path_module()), 1
            if first == "root":
                return v.string(module.path_root()), 1
            if first == "cwd":
                return v.string(module.path_cwd()), 1
            raise EvalError(
                'Invalid "path" attribute', f'The "path" object has no attribute {first!r}.', node
            )
        if name == "terraform":
            if first == "workspace":
                return v.string(module.planner.inputs.workspace), 1
            if first == "applying":
                return v.FALSE, 1
            raise EvalError(
                'Invalid "terraform" attribute',
                f'The "terraform" object has no attribute {first!r}.',
                node,
            )
        if name in ("count", "each"):
            meta = "count" if name == "count" else "for_each"
            raise EvalError(
                f'Reference to "{name}" in context without {meta}',
                f'The "{name}" object can be used only in blocks that set {meta}.',
                node,
            )
        if name == "self":
            raise EvalError(
                'Invalid "self" reference',
                'The "self" object is not available in this context. This object can be used '
                "only in resource provisioner, connection, and postcondition blocks.",
                node,
            )
        if first is not None:
            value, used = module.resource_reference(f"{name}.{first}", steps[1:], node)
            return value, 1 + used
        raise EvalError(
            "Invalid reference",
            "A reference to a resource type must be followed by at least one attribute "
            f"access, specifying the resource name ({name}).",
            node,
        )


# --- module instances -----------------------------------------------------------------------------


class ModuleInstance:
    def __init__(
        self,
        planner: Planner,
        location: ModuleLocation,
        config: ModuleConfig,
        *,
        prefix: str,
        parent: ModuleInstance | None,
        call: ModuleCall | None,
        call_scope: Scope | None,
        key_path: tuple[str, ...],
    ) -> None:
        self.planner = planner
        self.location = location
        self.config = config
        self.prefix = prefix  # "" or 'module.a["x"].'
        self.parent = parent
        self.call = call
        self.call_scope = call_scope
        self.key_path = key_path
        self.scope = ModuleScope(self, planner.functions, planner.budget)
        self._memo: dict[tuple[str, str], tuple[Value, list[str]]] = {}
        self._busy: set[tuple[str, str]] = set()
        self._expansions: dict[str, _Expansion] = {}
        self._instances: dict[str, dict[InstanceKey, ResourceInstance]] = {}
        self._children: dict[str, dict[InstanceKey, ModuleInstance] | Unresolvable] = {}
        self._regions: dict[str, str | None] = {}

    @property
    def address(self) -> str:
        return self.prefix[:-1] if self.prefix else ""

    def describe(self, what: str) -> str:
        return f"{self.prefix}{what}"

    # --- memoisation with cycle detection ---------------------------------------------------

    def memo(self, kind: str, name: str, compute: Callable[[], Value]) -> Value:
        key = (kind, name)
        cached = self._memo.get(key)
        if cached is not None:
            current = ACCESSED.get()
            if current is not None:
                current.extend(cached[1])
            return cached[0]
        if key in self._busy:
            raise _Cycle(self.describe(f"{kind}.{name}"))
        self._busy.add(key)
        log: list[str] = []
        outer = ACCESSED.get()
        token = ACCESSED.set(log)
        try:
            value = compute()
        except _Cycle as cycle:
            if self.planner.strict:
                raise EvalError(
                    "Cycle", f"{self.describe(f'{kind}.{name}')} depends on itself ({cycle})"
                ) from None
            value = v.unknown(f"{self.describe(f'{kind}.{name}')} depends on itself ({cycle})")
        finally:
            ACCESSED.reset(token)
            self._busy.discard(key)
        if outer is not None:
            outer.extend(log)
        self._memo[key] = (value, log)
        return value

    # --- paths -------------------------------------------------------------------------------

    def path_module(self) -> str:
        root = self.planner.root_location.directory or "."
        relative = posixpath.relpath(self.location.directory or ".", root)
        return relative

    def path_root(self) -> str:
        return "."

    def path_cwd(self) -> str:
        # Terraform's working directory is the root module's folder on the user's machine; we
        # show its path inside the upload, so basename(path.cwd) is the folder's name.
        return "/" + (self.planner.root_location.directory or "")

    # --- variables, locals, outputs ------------------------------------------------------------

    def variable(self, name: str, node: ast.Node | None = None) -> Value:
        declaration = self.config.variables.get(name)
        if declaration is None:
            raise EvalError(
                "Reference to undeclared input variable",
                f"An input variable with the name {name!r} has not been declared.",
                node,
            )
        return self.memo("var", name, lambda: self._variable(name))

    def _variable(self, name: str) -> Value:
        declaration = self.config.variables[name]
        given: Value | None = None
        where = self.describe(f"var.{name}")
        if self.parent is None:
            given = self.planner.root_variable(declaration)
        elif self.call is not None and name in self.call.arguments:
            assert self.call_scope is not None
            given = self.planner.evaluate(self.call.arguments[name].expr, self.call_scope)
        if given is None or (given.is_known and given.is_null and not declaration.nullable):
            if declaration.default is None:
                if self.planner.strict:
                    raise EvalError("No value for required variable", where)
                if given is not None:
                    return v.unknown(
                        f"{where} is set to null but is not nullable and has no default"
                    )
                reason = "no value given and no default"
                self.planner.note_variable(where, reason)
                return v.unknown(
                    f"{where} has no value (set it with options.variables or a .tfvars file)"
                )
            self._validate(declaration, declaration.default, where)
            return declaration.default
        try:
            value = declaration.constraint.apply(given)
        except ConversionError as exc:
            if self.planner.strict:
                raise EvalError("Invalid value for input variable", str(exc)) from exc
            return v.unknown(f"invalid value for {where}: {exc}")
        self._validate(declaration, value, where)
        return value

    def _validate(self, declaration: Any, value: Value, where: str) -> None:
        """``validation`` blocks: a failed one is a Terraform error; here a warning (the
        estimate does not depend on it), an error only in strict mode."""
        if not declaration.validations:
            return
        scope = self.scope.child({})
        for condition, _message in declaration.validations:
            try:
                result = evaluate(condition, _VariableOverride(scope, declaration.name, value))
            except EvalError:
                if self.planner.strict:
                    raise
                continue
            if result.is_known and result.v is False:
                if self.planner.strict:
                    raise EvalError("Invalid value for variable", f"{where} failed its validation")
                self.planner.warn(f"{where}: the value fails the variable's validation rule")

    def local(self, name: str, node: ast.Node | None = None) -> Value:
        attribute = self.config.locals.get(name)
        if attribute is None:
            raise EvalError(
                "Reference to undeclared local value",
                f"A local value with the name {name!r} has not been declared.",
                node,
            )
        return self.memo("local", name, lambda: self.planner.evaluate(attribute.expr, self.scope))

    def output(self, name: str) -> Value:
        attribute = self.config.outputs.get(name)
        if attribute is None:
            return v.unknown(f"{self.describe('')}output {name!r} is not declared")
        if self.planner.strict:
            self._preconditions(name)
        return self.memo("output", name, lambda: self.planner.evaluate(attribute.expr, self.scope))

    def _preconditions(self, name: str) -> None:
        for condition in self.config.output_conditions.get(name, []):
            if not _has_reference(condition):
                raise EvalError(
                    "Invalid precondition expression",
                    "The condition expression must refer to at least one object from "
                    "elsewhere in the configuration.",
                    condition,
                )
            result = evaluate(condition, self.scope)
            if result.is_known and result.v is False:
                raise EvalError(
                    "Module output value precondition failed", f"output {name}", condition
                )

    def outputs_object(self) -> Value:
        return v.object_of({name: self.output(name) for name in self.config.outputs})

    # --- expansion -------------------------------------------------------------------------

    def expansion(
        self, key: str, count: ast.Expr | None, for_each: ast.Expr | None, where: str
    ) -> _Expansion:
        cached = self._expansions.get(key)
        if cached is not None:
            return cached
        if count is None and for_each is None:
            result = _Expansion("single", [None])
        else:
            marker = ("expand", key)
            if marker in self._busy:
                raise _Cycle(where)
            self._busy.add(marker)
            try:
                if count is not None:
                    result = self._count(count, where)
                else:
                    assert for_each is not None
                    result = self._for_each(for_each, where)
            finally:
                self._busy.discard(marker)
        self._expansions[key] = result
        return result

    def _count(self, expr: ast.Expr, where: str) -> _Expansion:
        value = self.planner.evaluate(expr, self.scope)
        unknown = v.first_unknown(value)
        if unknown is not None:
            return _Expansion("count", None, reason=f"count is unknown: {unknown.reason}")
        if value.is_null:
            return _Expansion("count", None, reason="count is null (Terraform would reject it)")
        try:
            number = convert(value, v.NUMBER).v
        except ConversionError:
            return _Expansion(
                "count", None, reason=f"count is not a number ({value.type.friendly()})"
            )
        if not number.is_integer() or number.value < 0:
            return _Expansion(
                "count",
                None,
                reason=f"count must be a whole non-negative number, not {v.format_number(number)}",
            )
        total = number.as_int()
        if total > MAX_INSTANCES:
            return _Expansion(
                "count",
                None,
                reason=f"count of {total} exceeds the expansion limit of {MAX_INSTANCES}",
            )
        return _Expansion("count", list(range(total)))

    def _for_each(self, expr: ast.Expr, where: str) -> _Expansion:
        value = self.planner.evaluate(expr, self.scope)
        if not value.is_known:
            return _Expansion("for_each", None, reason=f"for_each is unknown: {value.v.reason}")
        if value.is_null:
            return _Expansion(
                "for_each", None, reason="for_each is null (Terraform would reject it)"
            )
        type_ = value.type
        if isinstance(type_, v.MapType | v.ObjectType):
            items: dict[str, Value] = dict(value.items())
            if len(items) > MAX_INSTANCES:
                return _Expansion(
                    "for_each",
                    None,
                    reason=f"for_each of {len(items)} elements exceeds the expansion "
                    f"limit of {MAX_INSTANCES}",
                )
            keyed: dict[InstanceKey, Value] = {key: item for key, item in items.items()}
            return _Expansion("for_each", list(keyed), values=keyed)
        if isinstance(type_, v.SetType):
            found = v.first_unknown(value)
            if found is not None:
                return _Expansion(
                    "for_each", None, reason=f"for_each set is not known: {found.reason}"
                )
            elements = value.elements()
            if elements and type_.element is not STRING:
                return _Expansion(
                    "for_each",
                    None,
                    reason="for_each must be a map or a set of strings, not a set of "
                    f"{type_.element.friendly()}",
                )
            keys: list[InstanceKey] = [str(item.v) for item in elements if not item.is_null]
            if len(keys) > MAX_INSTANCES:
                return _Expansion(
                    "for_each",
                    None,
                    reason=f"for_each of {len(keys)} elements exceeds the expansion "
                    f"limit of {MAX_INSTANCES}",
                )
            return _Expansion("for_each", keys, values={key: v.string(str(key)) for key in keys})
        if isinstance(type_, v.ListType | v.TupleType):
            return _Expansion(
                "for_each",
                None,
                reason="for_each must be a map or a set of strings; convert the list with toset()",
            )
        return _Expansion(
            "for_each",
            None,
            reason=f"for_each must be a map or a set of strings, not {type_.friendly()}",
        )

    def iteration_scope(self, expansion: _Expansion, key: InstanceKey) -> Scope:
        if expansion.mode == "count":
            assert isinstance(key, int)
            return self.scope.child({"count": v.object_of({"index": v.number(key)})})
        if expansion.mode == "for_each":
            return self.scope.child(
                {"each": v.object_of({"key": v.string(str(key)), "value": expansion.values[key]})}
            )
        return self.scope

    # --- resources -----------------------------------------------------------------------------

    def resource_expansion(self, block: ResourceBlock) -> _Expansion:
        return self.expansion(
            block.address, block.count, block.for_each, self.describe(block.address)
        )

    def resource_instances(self, block: ResourceBlock) -> dict[InstanceKey, ResourceInstance]:
        found = self._instances.get(block.address)
        if found is None:
            expansion = self.resource_expansion(block)
            found = {}
            for key in expansion.keys or []:
                found[key] = ResourceInstance(
                    self, block, key, self.iteration_scope(expansion, key)
                )
            self._instances[block.address] = found
        return found

    def resource_reference(
        self, address: str, steps: tuple[ast.Step, ...], node: ast.Node
    ) -> tuple[Value, int]:
        block = self.config.resource(address)
        if block is None:
            kind = "data resource" if address.startswith("data.") else "managed resource"
            raise EvalError(
                "Reference to undeclared resource",
                f"A {kind} {address!r} has not been declared in "
                f"{self.describe('') or 'the root module'}.",
                node,
            )
        try:
            expansion = self.resource_expansion(block)
        except _Cycle as cycle:
            return v.unknown(f"{self.describe(address)} depends on itself ({cycle})"), len(steps)
        if expansion.keys is None:
            return v.unknown(f"{self.describe(address)}: {expansion.reason}"), 0
        instances = self.resource_instances(block)
        if expansion.mode == "single":
            return instances[None].value(), 0
        if steps and isinstance(steps[0], ast.Index):
            key = steps[0].key
            picked = self._pick(instances, expansion, key)
            if picked is not None:
                return picked.value(), 1
        values = [(key, instance.value()) for key, instance in instances.items()]
        if expansion.mode == "count":
            return v.tuple_of(value for _, value in values), 0
        return v.object_of({str(key): value for key, value in values}), 0

    @staticmethod
    def _pick(instances: Mapping[InstanceKey, Any], expansion: _Expansion, key: Value) -> Any:
        if not key.is_known or key.is_null:
            return None
        if expansion.mode == "count" and key.type is v.NUMBER and key.v.is_integer():
            return instances.get(key.v.as_int())
        if expansion.mode == "for_each" and key.type is STRING:
            return instances.get(key.v)
        return None

    # --- module calls -----------------------------------------------------------------------------

    def call_named(self, name: str) -> ModuleCall | None:
        for call in self.config.calls:
            if call.name == name:
                return call
        return None

    def children(self, call: ModuleCall) -> dict[InstanceKey, ModuleInstance] | Unresolvable:
        found = self._children.get(call.name)
        if found is not None:
            return found
        result = self.planner.instantiate(self, call)
        self._children[call.name] = result
        return result

    def module_reference(
        self, name: str, steps: tuple[ast.Step, ...], node: ast.Node
    ) -> tuple[Value, int]:
        call = self.call_named(name)
        if call is None:
            raise EvalError(
                "Reference to undeclared module",
                f"No module call named {name!r} is declared in "
                f"{self.describe('') or 'the root module'}.",
                node,
            )
        where = self.describe(f"module.{name}")
        try:
            expansion = self.expansion(f"module.{name}", call.count, call.for_each, where)
        except _Cycle as cycle:
            return v.unknown(f"{where} depends on itself ({cycle})"), 1 + len(steps)
        if expansion.keys is None:
            return v.unknown(f"{where}: {expansion.reason}"), 1
        children = self.children(call)
        if isinstance(children, Unresolvable):
            return v.unknown(f"{where} is not included: {children.reason}"), 1
        used = 1
        if expansion.mode != "single" and steps and isinstance(steps[0], ast.Index):
            picked = self._pick(children, expansion, steps[0].key)
            if picked is not None:
                return self._outputs(picked, steps[1:], used + 1)
        if expansion.mode == "single":
            return self._outputs(children[None], steps, used)
        objects = [(key, child.outputs_object()) for key, child in children.items()]
        if expansion.mode == "count":
            return v.tuple_of(value for _, value in objects), used
        return v.object_of({str(key): value for key, value in objects}), used

    @staticmethod
    def _outputs(
        child: ModuleInstance, steps: tuple[ast.Step, ...], used: int
    ) -> tuple[Value, int]:
        if steps and isinstance(steps[0], ast.GetAttr) and steps[0].name in child.config.outputs:
            return child.output(steps[0].name), used + 1
        return child.outputs_object(), used

    # --- providers ------------------------------------------------------------------------------

    def provider_region(self, key: str) -> str | None:
        if key in self._regions:
            return self._regions[key]
        region: str | None = None
        provider = self.config.providers.get(key)
        if provider is not None:
            attribute = provider.body.attributes.get("region")
            if attribute is not None:
                value = self.planner.evaluate(attribute.expr, self.scope)
                if value.is_known and value.type is STRING and value.v:
                    region = str(value.v)
                elif not value.is_known:
                    self.planner.warn(
                        f"{self.describe('')}provider {key}: region is unknown ({value.v.reason}); "
                        "the job's region is used"
                    )
        elif self.parent is not None and self.call is not None:
            mapping = self.call.providers
            if mapping is not None:
                parent_key = mapping.get(key)
                region = self.parent.provider_region(parent_key) if parent_key else None
            elif "." not in key:
                region = self.parent.provider_region(key)
        self._regions[key] = region
        return region


class ResourceInstance:
    def __init__(
        self, module: ModuleInstance, block: ResourceBlock, key: InstanceKey, scope: Scope
    ) -> None:
        self.module = module
        self.block = block
        self.key = key
        self.scope = scope
        self.address = instance_address(module.prefix + block.address, key)
        self._values: dict[str, Value] | None = None
        self._references: dict[str, tuple[str, ...]] = {}
        self._object: Value | None = None

    @property
    def region(self) -> str | None:
        return self.module.provider_region(self.block.provider_key)

    def values(self) -> dict[str, Value]:
        """The block's arguments and nested blocks, evaluated (blocks as tuples of objects)."""
        if self._values is None:
            self._values = {}  # guards re-entry while evaluating
            planner = self.module.planner
            values: dict[str, Value] = {}
            for name, attribute in self.block.body.attributes.items():
                log: list[str] = []
                token = ACCESSED.set(log)
                try:
                    values[name] = planner.evaluate(attribute.expr, self.scope)
                finally:
                    ACCESSED.reset(token)
                self._note_references(name, log)
            for name, blocks in self._nested(self.block.body, self.scope).items():
                values[name] = blocks
            self._values = values
        return self._values

    def _note_references(self, name: str, log: list[str]) -> None:
        seen: list[str] = []
        for address in log:
            if address != self.address and address not in seen:
                seen.append(address)
        if seen:
            self._references[name] = tuple(seen)

    def _nested(self, body: ast.Body, scope: Scope) -> dict[str, Value]:
        """Nested blocks by type, ``dynamic`` blocks expanded, each block an object."""
        grouped: dict[str, list[Value]] = {}
        unknown: dict[str, Value] = {}
        for block in body.blocks:
            log: list[str] = []
            token = ACCESSED.set(log)
            try:
                if block.type == "dynamic" and block.labels:
                    label = block.labels[0]
                    expanded = self._dynamic(block, scope)
                    if isinstance(expanded, Value):
                        unknown.setdefault(label, expanded)
                    else:
                        grouped.setdefault(label, []).extend(expanded)
                    name = label
                else:
                    grouped.setdefault(block.type, []).append(self._block_object(block.body, scope))
                    name = block.type
            finally:
                ACCESSED.reset(token)
            self._note_references(name, log)
        out: dict[str, Value] = {name: v.tuple_of(items) for name, items in grouped.items()}
        out.update(unknown)
        return out

    def _block_object(self, body: ast.Body, scope: Scope) -> Value:
        planner = self.module.planner
        attributes = {
            name: planner.evaluate(attribute.expr, scope)
            for name, attribute in body.attributes.items()
        }
        attributes.update(self._nested(body, scope))
        return v.object_of(attributes)

    def _dynamic(self, block: ast.Block, scope: Scope) -> list[Value] | Value:
        planner = self.module.planner
        label = block.labels[0]
        for_each = block.body.attributes.get("for_each")
        if for_each is None:
            return v.unknown(f"dynamic block {label!r} has no for_each")
        collection = planner.evaluate(for_each.expr, scope)
        if not collection.is_known:
            return v.unknown(
                f"dynamic {label!r} blocks: for_each is unknown: {collection.v.reason}"
            )
        if collection.is_null:
            return []
        iterator = label
        iterator_attr = block.body.attributes.get("iterator")
        if iterator_attr is not None and isinstance(iterator_attr.expr, ast.ScopeTraversal):
            iterator = iterator_attr.expr.name
        contents = block.body.blocks_of("content")
        if not contents:
            return []
        type_ = collection.type
        if isinstance(type_, v.MapType | v.ObjectType):
            pairs = [(v.string(k), item) for k, item in collection.items()]
        elif isinstance(type_, v.ListType | v.TupleType):
            pairs = [(v.number(i), item) for i, item in enumerate(collection.elements())]
        elif isinstance(type_, v.SetType):
            pairs = [(item, item) for item in collection.elements()]
        else:
            return v.unknown(f"dynamic {label!r} blocks: for_each is not a collection")
        planner.budget.check_size(len(pairs))
        blocks: list[Value] = []
        for key, item in pairs:
            child = scope.child({iterator: v.object_of({"key": key, "value": item})})
            blocks.append(self._block_object(contents[0].body, child))
        return blocks

    def value(self) -> Value:
        """The instance as other expressions see it: its arguments, provider-computed
        attributes unknown; known data sources answered."""
        if self._object is None:
            self._object = self.module.memo("instance", self.address, self._compute_object)
        return self._object

    def _compute_object(self) -> Value:
        values = self.values()
        if self.block.mode == "data":
            answer = datasources.KNOWN.get(self.block.type)
            if answer is not None:
                region = self.region or self.module.planner.inputs.region
                result = answer(values, region)
                if isinstance(result, Value):
                    return result
                return v.unknown(f"{self.address}: {result}")
        return v.OpenObject(values, self.address)

    def to_resource(self) -> Resource:
        values = self.values()
        attributes: dict[str, Any] = {}
        body = self.block.body
        for name, value in values.items():
            attribute = body.attributes.get(name)
            text = (
                f"${{{attribute.expr.text()}}}"
                if attribute is not None and attribute.expr.text()
                else None
            )
            attributes[name] = to_attribute(value, text)
        module = self.module.address or None
        provider_local = self.block.provider_key.split(".", 1)[0]
        source = self.module.config.required_providers.get(provider_local, provider_local)
        return Resource(
            address=self.address,
            type=self.block.type,
            name=self.block.name,
            mode=self.block.mode,
            provider=render_provider(source),
            module=module,
            index=self.key,
            attributes=attributes,
            region=self.region,
            references=dict(self._references),
        )


class _VariableOverride(Scope):
    """The module scope, with ``var.<name>`` answered by the value being validated."""

    __slots__ = ("name", "value")

    def __init__(self, parent: Scope, name: str, value: Value) -> None:
        super().__init__(parent, {})
        self.name = name
        self.value = value

    def reference(self, node: ast.ScopeTraversal) -> tuple[Value, int]:
        steps = node.steps
        if (
            node.name == "var"
            and steps
            and isinstance(steps[0], ast.GetAttr)
            and steps[0].name == self.name
        ):
            return self.value, 1
        assert self.parent is not None
        return self.parent.reference(node)


def _has_reference(expr: ast.Node) -> bool:
    """Does the expression refer to anything (variables, locals, resources...)?"""
    if isinstance(expr, ast.ScopeTraversal):
        return True
    for name in getattr(expr, "__slots__", ()):
        child = getattr(expr, name, None)
        items = child if isinstance(child, list | tuple) else [child]
        for item in items:
            pair = item if isinstance(item, tuple) else (item,)
            for node in pair:
                if isinstance(node, ast.Node) and node is not expr and _has_reference(node):
                    return True
    return False


class _ConstantScope(Scope):
    """Where ``-var`` values are read: functions work, references do not (as in Terraform)."""

    def __init__(self) -> None:
        super().__init__(None, {}, pure_functions())

    def reference(self, node: ast.ScopeTraversal) -> tuple[Value, int]:
        raise EvalError("Variables not allowed", "Variables may not be used here.", node)


# --- the planner ------------------------------------------------------------------------------


class Planner:
    def __init__(
        self,
        root: ModuleLocation,
        resolver: ChainResolver,
        inputs: PlanInputs,
        *,
        budget: Budget | None = None,
        strict: bool = False,
    ) -> None:
        self.strict = strict  # errors raise (tests against Terraform) instead of unknowns
        self.root_location = root
        self.resolver = resolver
        self.inputs = inputs
        self.budget = budget or Budget()
        self.functions: dict[str, Function] = dict(pure_functions())
        if hasattr(filesystem, "bind"):
            self.functions.update(filesystem.bind(root.files, root.directory, pure_functions()))
        self.result = PlanResult()
        self._configs: dict[tuple[int, str], ModuleConfig] = {}
        self._module_count = 0
        self._noted_variables: set[str] = set()

    # --- helpers -----------------------------------------------------------------------------

    def evaluate(self, expr: ast.Expr, scope: Scope) -> Value:
        """Evaluate for the plan: Terraform errors become unknowns with the message."""
        try:
            return evaluate(expr, scope)
        except EvalError as exc:
            if self.strict:
                raise
            detail = f": {exc.detail}" if exc.detail else ""
            return v.unknown(f"{exc.summary}{detail} ({expr.where()})")
        except Unsupported as exc:
            return v.unknown(f"{exc} ({expr.where()})")
        except RecursionError:
            return v.unknown(f"expression nested too deeply ({expr.where()})")

    def warn(self, message: str) -> None:
        if message not in self.result.warnings:
            self.result.warnings.append(message)

    def unknown(
        self, address: str, reason: str, kind: str = "resource", **call: str | None
    ) -> None:
        self.result.unknowns.append(UnknownItem(address, reason, kind, **call))

    def note_variable(self, address: str, reason: str) -> None:
        if address not in self._noted_variables:
            self._noted_variables.add(address)
            self.unknown(address, reason, "variable")

    def config(self, location: ModuleLocation) -> ModuleConfig:
        key = (id(location.files), location.directory)
        found = self._configs.get(key)
        if found is None:
            found = load_module(location.files, location.directory)
            self._configs[key] = found
        return found

    def root_variable(self, declaration: Any) -> Value | None:
        given = self.inputs.variables.get(declaration.name)
        if given is None:
            return None
        if given.value is not None:
            return given.value
        assert given.text is not None
        if declaration.literal_input:
            return v.string(given.text)
        try:
            expr = parse_expression(given.text, f"<variable {declaration.name}>")
            return evaluate(expr, _ConstantScope())
        except HclSyntaxError as exc:
            if self.strict:
                raise EvalError("Invalid expression", exc.message) from exc
            return v.unknown(
                f"var.{declaration.name}: the value is not a valid expression: {exc.message}"
            )
        except EvalError as exc:
            if self.strict:
                raise
            return v.unknown(f"var.{declaration.name}: {exc.summary}: {exc.detail}")

    # --- instantiation -------------------------------------------------------------------------

    def instantiate(
        self, parent: ModuleInstance, call: ModuleCall
    ) -> dict[InstanceKey, ModuleInstance] | Unresolvable:
        where = parent.describe(f"module.{call.name}")
        if call.source is None:
            return Unresolvable("the module source is not a literal string")
        if len(parent.key_path) + 1 > MAX_MODULE_DEPTH:
            return Unresolvable(f"modules nested deeper than {MAX_MODULE_DEPTH} levels")
        site = CallSite(
            call.source,
            call.version,
            parent.location,
            (*parent.key_path, call.name),
            self.root_location,
        )
        started = time.monotonic()
        location = self.resolver.resolve(site)
        # Fetching a remote module has its own time budget; it is not evaluation work.
        self.budget.deadline += time.monotonic() - started
        if isinstance(location, Unresolvable):
            return location
        ancestor: ModuleInstance | None = parent
        while ancestor is not None:
            if (
                ancestor.location.directory == location.directory
                and ancestor.location.files is location.files
            ):
                return Unresolvable(f"module {call.source!r} calls itself (a cycle)")
            ancestor = ancestor.parent
        try:
            config = self.config(location)
        except Exception as exc:  # ConfigError: a module that Terraform could not load
            return Unresolvable(f"module {call.source!r} cannot be loaded: {exc}")
        expansion = parent.expansion(f"module.{call.name}", call.count, call.for_each, where)
        instances: dict[InstanceKey, ModuleInstance] = {}
        for key in expansion.keys or []:
            self._module_count += 1
            if self._module_count > MAX_MODULE_INSTANCES:
                return Unresolvable(f"more than {MAX_MODULE_INSTANCES} module instances")
            prefix = instance_address(f"{parent.prefix}module.{call.name}", key) + "."
            instances[key] = ModuleInstance(
                self,
                location,
                config,
                prefix=prefix,
                parent=parent,
                call=call,
                call_scope=parent.iteration_scope(expansion, key),
                key_path=(*parent.key_path, call.name),
            )
        return instances

    # --- the walk ------------------------------------------------------------------------------

    def root_module(self) -> ModuleInstance:
        return ModuleInstance(
            self,
            self.root_location,
            self.config(self.root_location),
            prefix="",
            parent=None,
            call=None,
            call_scope=None,
            key_path=(),
        )

    def check_root_inputs(self, config: ModuleConfig) -> None:
        for name, given in self.inputs.variables.items():
            if name in config.variables:
                continue
            if self.strict and given.origin in ("-var", "options.variables"):
                raise EvalError(
                    "Value for undeclared variable",
                    f"A variable named {name!r} was assigned but the root module does "
                    "not declare it.",
                )
            self.warn(
                f"{given.origin or 'input'}: a value is given for undeclared variable "
                f"{name!r}; ignored"
            )

    def plan(self) -> PlanResult:
        token = CURRENT_BUDGET.set(self.budget)
        try:
            return self._plan()
        finally:
            CURRENT_BUDGET.reset(token)

    def _plan(self) -> PlanResult:
        root_config = self.config(self.root_location)
        self.check_root_inputs(root_config)
        root = ModuleInstance(
            self,
            self.root_location,
            root_config,
            prefix="",
            parent=None,
            call=None,
            call_scope=None,
            key_path=(),
        )
        try:
            self._walk(root)
        except BudgetExceeded as exc:
            self.unknown(root.address or ".", f"evaluation stopped: {exc}", "configuration")
        self.result.resources.sort(key=lambda r: r.address)
        return self.result

    def _walk(self, module: ModuleInstance) -> None:
        for problem in module.config.problems:
            self.unknown(
                module.prefix + problem.split(":", 1)[0],
                problem.split(":", 1)[-1].strip(),
                "configuration",
            )
        for block in module.config.resources:
            address = module.describe(block.address)
            try:
                expansion = module.resource_expansion(block)
            except _Cycle as cycle:
                self.unknown(address, f"count/for_each depends on itself ({cycle})")
                continue
            if expansion.keys is None:
                self.unknown(address, expansion.reason or "cannot be expanded")
                continue
            for instance in module.resource_instances(block).values():
                self.result.resources.append(instance.to_resource())
        for call in module.config.calls:
            address = module.describe(f"module.{call.name}")
            try:
                expansion = module.expansion(
                    f"module.{call.name}", call.count, call.for_each, address
                )
            except _Cycle as cycle:
                self.unknown(address, f"count/for_each depends on itself ({cycle})", "module")
                continue
            if expansion.keys is None:
                self.unknown(
                    address, f"{expansion.reason}; nothing in this module is estimated", "module"
                )
                continue
            children = module.children(call)
            if isinstance(children, Unresolvable):
                version = f" (version {call.version})" if call.version else ""
                self.unknown(
                    address,
                    f"source {call.source!r}{version}: {children.reason}",
                    "module",
                    code=children.code,
                    source=call.source,
                    constraint=call.version,
                )
                continue
            for child in children.values():
                self.result.modules.append(
                    ModuleRecord(
                        child.address,
                        call.source or "",
                        child.location.directory,
                        child.location.kind,
                        child.location.detail,
                    )
                )
                self._walk(child)
