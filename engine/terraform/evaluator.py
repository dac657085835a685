"""Evaluating HCL expressions exactly as Terraform does, with unknowns that keep their reason.

:func:`evaluate` walks the :mod:`engine.terraform.syntax.ast` tree. Names are resolved by a
:class:`Scope`: the module-level names (``var``, ``local``, resources...) come from the planner's
scope, and iteration variables (``for`` expressions, ``dynamic`` iterators, splats,
``templatefile`` variables) from child scopes.

Semantics follow hclsyntax and go-cty: operands and arguments are converted the way cty converts
them, both results of a conditional are unified (only the chosen branch's errors count), ``for``
over a map goes in key order, templates render numbers as Terraform prints them, a template
that is only ``"${x}"`` keeps ``x``'s type, ``try``/``can`` catch evaluation errors. Where
Terraform raises an error, :class:`EvalError` is raised with Terraform's wording; where a value
cannot be known statically the result is an unknown value whose :class:`Unknown` says why.
:class:`Unsupported` marks what this evaluator does not model; ``try`` does not swallow it.

Every evaluation draws on a :class:`Budget`, so a hostile expression (nested ``for`` over huge
ranges) ends with :class:`BudgetExceeded` instead of running for minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from fractions import Fraction
from typing import Any

from engine.terraform import values as v
from engine.terraform.convert import ConversionError, convert, unify
from engine.terraform.functions.base import Function, FunctionError, call
from engine.terraform.syntax import ast
from engine.terraform.values import (
    BOOL,
    DYNAMIC,
    NUMBER,
    STRING,
    ListType,
    MapType,
    Number,
    ObjectType,
    SetType,
    TupleType,
    Unknown,
    Value,
)

#: Longest string a template may build (the function library caps its results the same way).
MAX_STRING = 16 * 1024 * 1024


class EvalError(Exception):
    """An expression Terraform would reject, with its location and Terraform's wording."""

    def __init__(self, summary: str, detail: str = "", node: ast.Node | None = None) -> None:
        where = f"{node.where()}: " if node is not None else ""
        super().__init__(f"{where}{summary}" + (f": {detail}" if detail else ""))
        self.summary = summary
        self.detail = detail
        self.node = node


#: Resource and data source instances whose attributes an evaluation reads (by address), so
#: pricing can follow a reference from one resource to another (ASG -> launch template).
ACCESSED: ContextVar[list[str] | None] = ContextVar("tfquote_accessed", default=None)


def _accessed(value: Value) -> None:
    log = ACCESSED.get()
    if log is not None and isinstance(value, v.OpenObject):
        log.append(value.address)


class Unsupported(Exception):
    """Something Terraform can evaluate but this evaluator does not model."""


class BudgetExceeded(Exception):
    """The evaluation did too much work (a hostile or runaway configuration)."""


#: Evaluation steps every configuration may take, and more per byte of its source. The
#: largest shared example (terraform-aws-lambda build-package, 211 resources) takes 11,832
#: steps; a step costs ~3-5 µs here, so a small hostile configuration (a nested ``for``
#: over ``range(1024)`` three deep) stops within half a second, while a large real one
#: gets room in proportion to its size.
BASE_STEPS = 100_000
STEPS_PER_SOURCE_BYTE = 2


class Budget:
    """Work allowed for one estimate: evaluation steps and wall-clock seconds."""

    __slots__ = ("_tick", "deadline", "max_collection", "steps")

    @classmethod
    def for_source(cls, source_bytes: int, *, seconds: float = 10.0) -> Budget:
        """The budget of a configuration of ``source_bytes`` bytes of Terraform."""
        return cls(steps=BASE_STEPS + STEPS_PER_SOURCE_BYTE * source_bytes, seconds=seconds)

    def __init__(
        self, steps: int = BASE_STEPS, seconds: float = 10.0, max_collection: int = 100_000
    ) -> None:
        self.steps = steps
        self.deadline = time.monotonic() + seconds
        self.max_collection = max_collection
        self._tick = 0

    def spend(self, amount: int = 1) -> None:
        self.steps -= amount
        if self.steps < 0:
            raise BudgetExceeded("the configuration needs too much evaluation work")
        self._tick += amount
        if self._tick >= 4096:
            self._tick = 0
            if time.monotonic() > self.deadline:
                raise BudgetExceeded("the configuration took too long to evaluate")

    def check_size(self, size: int) -> None:
        if size > self.max_collection:
            raise BudgetExceeded(f"a collection of {size} elements exceeds the limit")


#: The budget of the evaluation in progress, for scopes made without a parent (templatefile's).
CURRENT_BUDGET: ContextVar[Budget | None] = ContextVar("tfquote_budget", default=None)


class Scope:
    """Names visible to an expression. Subclasses resolve module-level references."""

    __slots__ = ("budget", "functions", "names", "parent")

    def __init__(
        self,
        parent: Scope | None = None,
        names: Mapping[str, Value] | None = None,
        functions: Mapping[str, Function] | None = None,
        budget: Budget | None = None,
    ) -> None:
        self.parent = parent
        self.names: Mapping[str, Value] = names or {}
        self.functions: Mapping[str, Function] = (
            functions if functions is not None else (parent.functions if parent else {})
        )
        self.budget: Budget = budget or (
            parent.budget if parent else (CURRENT_BUDGET.get() or Budget())
        )

    def child(self, names: Mapping[str, Value]) -> Scope:
        return Scope(self, names)

    def reference(self, node: ast.ScopeTraversal) -> tuple[Value, int]:
        """The value ``node`` refers to and how many of its steps that used."""
        scope: Scope | None = self
        while scope is not None:
            if node.name in scope.names:
                return scope.names[node.name], 0
            if type(scope) is not Scope:
                return scope.reference(node)
            scope = scope.parent
        raise EvalError("Unknown variable", f"There is no variable named {node.name!r}.", node)


# --- entry point -----------------------------------------------------------------------------


def evaluate(expr: ast.Expr, scope: Scope) -> Value:
    scope.budget.spend()
    handler = _HANDLERS.get(type(expr))
    if handler is None:  # pragma: no cover - every node type has a handler
        raise Unsupported(f"cannot evaluate {type(expr).__name__}")
    return handler(expr, scope)


def evaluate_safely(expr: ast.Expr, scope: Scope) -> Value:
    """Evaluate, turning errors into an unknown that says what went wrong."""
    try:
        return evaluate(expr, scope)
    except EvalError as exc:
        return v.unknown(f"{exc.summary}{': ' + exc.detail if exc.detail else ''} ({expr.where()})")
    except Unsupported as exc:
        return v.unknown(f"{exc} ({expr.where()})")
    except RecursionError:
        return v.unknown(f"expression nested too deeply ({expr.where()})")


# --- literals, templates -----------------------------------------------------------------------


def _literal(expr: ast.Literal, scope: Scope) -> Value:
    return expr.value


def _template(expr: ast.Template, scope: Scope) -> Value:
    pieces: list[str] = []
    unknown: Unknown | None = None
    for part in expr.parts:
        if isinstance(part, ast.Literal) and part.value.type is STRING and part.value.v is not None:
            pieces.append(part.value.v)
            continue
        value = evaluate(part, scope)
        if not value.is_known:
            unknown = unknown or value.v
            continue
        if value.is_null:
            raise EvalError(
                "Invalid template interpolation value",
                "The expression result is null. Cannot include a null value in a string template.",
                part,
            )
        try:
            text = convert(value, STRING)
        except ConversionError:
            raise EvalError(
                "Invalid template interpolation value",
                f"Cannot include the given value in a string template: string required, but "
                f"have {value.type.friendly()}.",
                part,
            ) from None
        pieces.append(text.v)
    if unknown is not None:
        return Value(STRING, unknown)
    joined = "".join(pieces)
    if len(joined) > MAX_STRING:
        raise BudgetExceeded(f"a string of {len(joined)} characters exceeds the limit")
    return v.string(joined)


def _template_wrap(expr: ast.TemplateWrap, scope: Scope) -> Value:
    return evaluate(expr.wrapped, scope)


def _template_join(expr: ast.TemplateJoin, scope: Scope) -> Value:
    joined = evaluate(expr.tuple, scope)
    if not joined.is_known:
        return Value(STRING, joined.v)
    pieces: list[str] = []
    for item in joined.elements():
        if not item.is_known:
            return Value(STRING, item.v)
        if item.is_null:
            raise EvalError(
                "Invalid template interpolation value", "null value in a for directive", expr
            )
        pieces.append(convert(item, STRING).v)
    return v.string("".join(pieces))


# --- references and traversals -------------------------------------------------------------------


def _scope_traversal(expr: ast.ScopeTraversal, scope: Scope) -> Value:
    value, used = scope.reference(expr)
    for step in expr.steps[used:]:
        value = apply_step(value, step, expr)
    return value


def _relative_traversal(expr: ast.RelativeTraversal, scope: Scope) -> Value:
    value = evaluate(expr.collection, scope)
    for step in expr.steps:
        value = apply_step(value, step, expr)
    return value


def apply_step(value: Value, step: ast.Step, node: ast.Node) -> Value:
    if isinstance(step, ast.GetAttr):
        return get_attr(value, step.name, node)
    return index(value, step.key, node)


def get_attr(value: Value, name: str, node: ast.Node) -> Value:
    _accessed(value)
    type_ = value.type
    if not value.is_known:
        if isinstance(type_, ObjectType) and name in type_.attributes:
            return Value(type_.attributes[name], value.v)
        return Value(DYNAMIC, value.v)
    if value.is_null:
        raise EvalError(
            "Attempt to get attribute from null value",
            "This value is null, so it does not have any attributes.",
            node,
        )
    if isinstance(type_, ObjectType):
        found: Value | None = value.v.get(name)
        if found is not None:
            return found
        if type_.open:
            return _after_apply(value, name)
        raise EvalError(
            "Unsupported attribute", f"This object does not have an attribute named {name!r}.", node
        )
    if isinstance(type_, MapType):
        found = value.v.get(name)
        if found is None:
            raise EvalError(
                "Missing map element",
                f"This map does not have an element with the key {name!r}.",
                node,
            )
        return found
    if type_ is DYNAMIC:
        return v.unknown(f"attribute {name!r} of a value of unknown type")
    raise EvalError(
        "Unsupported attribute",
        f"Can't access attributes on a {_kind(type_)}.",
        node,
    )


def _after_apply(value: Value, name: str) -> Value:
    """An attribute a resource's provider would compute: unknown, and where it comes from."""
    if isinstance(value, v.OpenObject):
        return value.computed(name)
    return v.unknown(f"attribute {name!r} is known only after apply")


def _kind(type_: v.Type) -> str:
    if type_.is_primitive():
        return f"primitive-typed value ({type_.friendly()})"
    if isinstance(type_, ListType | TupleType):
        return "list or tuple value"
    if isinstance(type_, SetType):
        return "set value"
    return f"value of type {type_.friendly()}"


def index(collection: Value, key: Value, node: ast.Node) -> Value:
    _accessed(collection)
    type_ = collection.type
    if not collection.is_known:
        if isinstance(type_, ListType | SetType | MapType):
            return Value(type_.element, collection.v)
        return Value(DYNAMIC, collection.v)
    if collection.is_null:
        raise EvalError(
            "Attempt to index null value",
            "This value is null, so it does not have any indices.",
            node,
        )
    if not key.is_known:
        element = type_.element if isinstance(type_, ListType | MapType) else DYNAMIC
        return Value(element, key.v)
    if key.is_null:
        raise EvalError("Invalid index", "Can't use a null value as an indexing key.", node)
    if isinstance(type_, ListType | TupleType):
        try:
            number: Number = convert(key, NUMBER).v
        except ConversionError:
            raise EvalError(
                "Invalid index",
                "The given key does not identify an element in this collection value: "
                "a number is required.",
                node,
            ) from None
        items = collection.elements()
        if not number.is_integer() or not 0 <= number.as_int() < len(items):
            raise EvalError(
                "Invalid index",
                "The given key does not identify an element in this collection value.",
                node,
            )
        return items[number.as_int()]
    if isinstance(type_, MapType | ObjectType):
        try:
            name = convert(key, STRING).v
        except ConversionError:
            raise EvalError(
                "Invalid index",
                "The given key does not identify an element in this collection value: "
                "string required.",
                node,
            ) from None
        member: Value | None = collection.v.get(name)
        if member is not None:
            return member
        if isinstance(type_, ObjectType) and type_.open:
            return _after_apply(collection, name)
        raise EvalError(
            "Invalid index",
            "The given key does not identify an element in this collection value.",
            node,
        )
    if isinstance(type_, SetType):
        raise EvalError(
            "Invalid index",
            "Elements of a set are identified only by their value and don't have any separate "
            "index or key to select with, so it's only possible to perform operations across "
            "all elements of the set.",
            node,
        )
    if type_ is DYNAMIC:
        return v.unknown("index into a value of unknown type")
    raise EvalError("Invalid index", "This value does not have any indices.", node)


def _index_expr(expr: ast.IndexExpr, scope: Scope) -> Value:
    collection = evaluate(expr.collection, scope)
    key = evaluate(expr.key, scope)
    return index(collection, key, expr)


def _anon_symbol(expr: ast.AnonSymbol, scope: Scope) -> Value:
    key = _splat_key(expr)
    current: Scope | None = scope
    while current is not None:
        if key in current.names:
            return current.names[key]
        current = current.parent
    raise EvalError("Invalid splat", "splat element used outside its splat expression", expr)


def _splat_key(symbol: ast.AnonSymbol) -> str:
    return f"\x00splat{id(symbol)}"


def _splat(expr: ast.Splat, scope: Scope) -> Value:
    source = evaluate(expr.collection, scope)
    if source.is_known and source.is_null:
        return v.tuple_of(())
    source_type = source.type
    upgraded = False
    if not isinstance(source_type, ListType | SetType | TupleType):
        if source_type is DYNAMIC and not source.is_known:
            return Value(DYNAMIC, source.v)
        source = v.tuple_of((source,))
        upgraded = True
    if not source.is_known:
        return Value(DYNAMIC, source.v)
    key = _splat_key(expr.symbol)
    results = [evaluate(expr.each, scope.child({key: item})) for item in source.elements()]
    scope.budget.spend(len(results))
    if upgraded:
        return v.tuple_of(results)
    if isinstance(source.type, ListType | SetType):
        if not results:
            return Value(ListType(DYNAMIC), ())
        unified = unify([item.type for item in results])
        if unified is not None:
            return Value(ListType(unified), tuple(convert(item, unified) for item in results))
    return v.tuple_of(results)


# --- operators ---------------------------------------------------------------------------------

_NUMERIC = {"+", "-", "*", "/", "%"}
_COMPARE = {"<", ">", "<=", ">="}


def _operand(value: Value, want: v.Type, side: str, node: ast.Node) -> Value:
    if value.is_known and value.is_null:
        raise EvalError(
            "Invalid operand",
            f"Unsuitable value for {side} operand: argument must not be null.",
            node,
        )
    try:
        return convert(value, want)
    except ConversionError as exc:
        raise EvalError(
            "Invalid operand", f"Unsuitable value for {side} operand: {exc.message}.", node
        ) from None


def _binary(expr: ast.BinaryOp, scope: Scope) -> Value:
    op = expr.op
    lhs = evaluate(expr.lhs, scope)
    rhs = evaluate(expr.rhs, scope)
    if op == "==" or op == "!=":
        result = equals(lhs, rhs)
        if not result.is_known or op == "==":
            return result
        return v.boolean(not result.v)
    if op == "&&" or op == "||":
        left = _operand(lhs, BOOL, "left", expr)
        right = _operand(rhs, BOOL, "right", expr)
        # No short-circuit: Terraform 1.11 gives `false && unknown` as unknown.
        if not left.is_known:
            return Value(BOOL, left.v)
        if not right.is_known:
            return Value(BOOL, right.v)
        return v.boolean(left.v and right.v if op == "&&" else left.v or right.v)
    left = _operand(lhs, NUMBER, "left", expr)
    right = _operand(rhs, NUMBER, "right", expr)
    if not left.is_known or not right.is_known:
        unknown = left.v if not left.is_known else right.v
        return Value(BOOL if op in _COMPARE else NUMBER, unknown)
    a: Number = left.v
    b: Number = right.v
    if op in _COMPARE:
        if op == "<":
            return v.boolean(a.value < b.value)
        if op == ">":
            return v.boolean(a.value > b.value)
        if op == "<=":
            return v.boolean(a.value <= b.value)
        return v.boolean(a.value >= b.value)
    return Value(NUMBER, arithmetic(op, a, b, expr))


def arithmetic(op: str, a: Number, b: Number, node: ast.Node | None = None) -> Number:
    prec = max(a.prec, b.prec)
    x, y = a.value, b.value
    if isinstance(x, float) or isinstance(y, float):
        return _infinite_arithmetic(op, x, y, prec, node)
    if op == "+":
        exact: Fraction = x + y
    elif op == "-":
        exact = x - y
    elif op == "*":
        exact = x * y
    elif op == "/":
        if y == 0:
            if x == 0:
                raise EvalError(
                    "Error in function call",
                    "can't divide zero by zero or infinity by infinity",
                    node,
                )
            return Number(float("inf") if x > 0 else float("-inf"), prec)
        exact = x / y
    else:  # "%"
        if y == 0:
            return a  # cty: x % 0 is x
        quotient = x / y
        truncated = int(quotient)  # toward zero, as big.Float.Int does
        exact = x - y * truncated
    return Number.of(exact, prec)


def _infinite_arithmetic(op: str, x: Any, y: Any, prec: int, node: ast.Node | None) -> Number:
    fx, fy = float(x), float(y)
    try:
        if op == "+":
            result = fx + fy
        elif op == "-":
            result = fx - fy
        elif op == "*":
            result = fx * fy
        elif op == "/":
            result = fx / fy if fy != 0 else (float("inf") if fx > 0 else float("-inf"))
        else:
            result = float("nan")
    except ZeroDivisionError:
        result = float("nan")
    if result != result:  # NaN
        raise EvalError("Error in function call", "the result is not a number", node)
    if result in (float("inf"), float("-inf")):
        return Number(result, prec)
    return Number.of(Fraction(result), prec)


def equals(a: Value, b: Value) -> Value:
    """cty's ``Equals``: types must match (except nulls); unknowns make an unknown bool."""
    if not a.is_known or not b.is_known:
        known, other = (a, b) if a.is_known else (b, a)
        if (
            known.is_known
            and not known.is_null
            and other.type is not DYNAMIC
            and known.type != other.type
        ):
            return v.FALSE
        unknown = a.v if not a.is_known else b.v
        return Value(BOOL, unknown)
    if a.is_null or b.is_null:
        return v.boolean(a.is_null and b.is_null)
    if a.type != b.type and not _equal_types_for_compare(a.type, b.type):
        return v.FALSE
    return _deep_equal(a, b)


def _equal_types_for_compare(a: v.Type, b: v.Type) -> bool:
    # Open objects (resources) compare by value only; their type lists just the known parts.
    return isinstance(a, ObjectType) and isinstance(b, ObjectType) and (a.open or b.open)


def _deep_equal(a: Value, b: Value) -> Value:
    if not a.is_known or not b.is_known:
        return Value(BOOL, a.v if not a.is_known else b.v)
    if a.is_null or b.is_null:
        return v.boolean(a.is_null and b.is_null)
    x, y = a.v, b.v
    if isinstance(x, tuple):
        if len(x) != len(y):
            return v.FALSE
        pending: Value | None = None
        for item_a, item_b in zip(x, y, strict=True):
            result = _deep_equal(item_a, item_b)
            if not result.is_known:
                pending = pending or result
            elif result.v is False:
                return v.FALSE
        return pending or v.TRUE
    if isinstance(x, dict):
        if x.keys() != y.keys():
            return v.FALSE
        pending = None
        for key in x:
            result = _deep_equal(x[key], y[key])
            if not result.is_known:
                pending = pending or result
            elif result.v is False:
                return v.FALSE
        return pending or v.TRUE
    if isinstance(x, Number):
        return v.boolean(x.value == y.value)
    return v.boolean(x == y)


def _unary(expr: ast.UnaryOp, scope: Scope) -> Value:
    operand = evaluate(expr.operand, scope)
    if expr.op == "!":
        value = _operand(operand, BOOL, "the", expr)
        if not value.is_known:
            return Value(BOOL, value.v)
        return v.boolean(not value.v)
    value = _operand(operand, NUMBER, "the", expr)
    if not value.is_known:
        return Value(NUMBER, value.v)
    number: Number = value.v
    return Value(NUMBER, Number(-number.value, number.prec))


def _parentheses(expr: ast.Parentheses, scope: Scope) -> Value:
    return evaluate(expr.wrapped, scope)


def _conditional(expr: ast.Conditional, scope: Scope) -> Value:
    outcomes: list[Value | EvalError] = []
    for branch in (expr.true_result, expr.false_result):
        try:
            outcomes.append(evaluate(branch, scope))
        except EvalError as exc:
            outcomes.append(exc)
    condition = evaluate(expr.condition, scope)
    if condition.is_known and condition.is_null:
        raise EvalError(
            "Null condition",
            "The condition value is null. Conditions must either be true or false.",
            expr.condition,
        )
    try:
        condition = convert(condition, BOOL)
    except ConversionError as exc:
        raise EvalError(
            "Incorrect condition type",
            f"The condition expression must be of type bool: {exc.message}.",
            expr.condition,
        ) from None
    true_value, false_value = outcomes
    result_type = _conditional_type(true_value, false_value, expr)
    if not condition.is_known:
        for outcome in outcomes:
            if isinstance(outcome, EvalError):
                raise outcome
        return Value(result_type, condition.v)
    chosen = true_value if condition.v else false_value
    if isinstance(chosen, EvalError):
        raise chosen
    try:
        return convert(chosen, result_type)
    except ConversionError as exc:
        raise EvalError(
            "Inconsistent conditional result types",
            f"The {'true' if condition.v else 'false'} result value has the wrong type: "
            f"{exc.message}.",
            expr,
        ) from None


def _conditional_type(
    true_value: Value | EvalError, false_value: Value | EvalError, expr: ast.Conditional
) -> v.Type:
    if isinstance(true_value, EvalError) or isinstance(false_value, EvalError):
        good = false_value if isinstance(true_value, EvalError) else true_value
        return good.type if isinstance(good, Value) else DYNAMIC
    if true_value.type is DYNAMIC and true_value.is_null:
        return false_value.type
    if false_value.type is DYNAMIC and false_value.is_null:
        return true_value.type
    if true_value.type is DYNAMIC or false_value.type is DYNAMIC:
        return DYNAMIC
    unified = unify([true_value.type, false_value.type])
    if unified is None:
        raise EvalError(
            "Inconsistent conditional result types",
            f"The true and false result expressions must have consistent types. The 'true' value "
            f"is {true_value.type.friendly()}, but the 'false' value is "
            f"{false_value.type.friendly()}.",
            expr,
        )
    return unified


# --- constructors -------------------------------------------------------------------------------


def _tuple_cons(expr: ast.TupleCons, scope: Scope) -> Value:
    return v.tuple_of(evaluate(item, scope) for item in expr.items)


def _object_key(key: ast.Expr, scope: Scope) -> Value:
    if isinstance(key, ast.ObjectKey):
        wrapped = key.wrapped
        if not key.force_non_literal:
            if isinstance(wrapped, ast.ScopeTraversal):
                if not wrapped.steps:
                    return v.string(wrapped.name)
                raise EvalError(
                    "Ambiguous attribute key",
                    "If this expression is intended to be a reference, wrap it in parentheses. "
                    "If it's instead intended as a literal name containing periods, wrap it in "
                    "quotes to create a string literal.",
                    wrapped,
                )
            if isinstance(wrapped, ast.Literal) and wrapped.text() in ("true", "false", "null"):
                return v.string(wrapped.text())  # a keyword as a bare attribute name
        return evaluate(wrapped, scope)
    return evaluate(key, scope)


def _object_cons(expr: ast.ObjectCons, scope: Scope) -> Value:
    attributes: dict[str, Value] = {}
    unknown: Unknown | None = None
    for key_expr, value_expr in expr.items:
        key = _object_key(key_expr, scope)
        value = evaluate(value_expr, scope)
        if not key.is_known:
            unknown = unknown or key.v
            continue
        if key.is_null:
            raise EvalError("Null value as key", "Can't use a null value as a key.", key_expr)
        try:
            name = convert(key, STRING).v
        except ConversionError as exc:
            raise EvalError(
                "Incorrect key type", f"Can't use this value as a key: {exc.message}.", key_expr
            ) from None
        attributes[name] = value
    if unknown is not None:
        return Value(DYNAMIC, unknown)
    return v.object_of(attributes)


def _for(expr: ast.ForExpr, scope: Scope) -> Value:
    collection = evaluate(expr.collection, scope)
    is_object = expr.key_expr is not None
    if not collection.is_known:
        return Value(DYNAMIC, collection.v)
    if collection.is_null:
        raise EvalError(
            "Iteration over null value",
            "A null value cannot be used as the collection in a 'for' expression.",
            expr.collection,
        )
    type_ = collection.type
    if isinstance(type_, ListType | TupleType):
        pairs = [(v.number(i), item) for i, item in enumerate(collection.elements())]
    elif isinstance(type_, SetType):
        pairs = [(item, item) for item in collection.elements()]
    elif isinstance(type_, MapType | ObjectType):
        pairs = [(v.string(k), item) for k, item in collection.items()]
    elif type_ is DYNAMIC:
        return v.unknown("iteration over a value of unknown type")
    else:
        raise EvalError(
            "Iteration over non-iterable value",
            f"A value of type {type_.friendly()} cannot be used as the collection in a "
            "'for' expression.",
            expr.collection,
        )
    scope.budget.check_size(len(pairs))
    scope.budget.spend(len(pairs))
    results: list[Value] = []
    groups: dict[str, list[Value]] = {}
    objects: dict[str, Value] = {}
    order: list[str] = []
    pending: Unknown | None = None
    for key, item in pairs:
        names = {expr.value_var: item}
        if expr.key_var is not None:
            names[expr.key_var] = key
        child = scope.child(names)
        if expr.condition is not None:
            condition = evaluate(expr.condition, child)
            if not condition.is_known:
                pending = pending or condition.v
                continue
            if condition.is_null:
                raise EvalError(
                    "Condition is null",
                    "The value of the 'if' clause must not be null.",
                    expr.condition,
                )
            try:
                keep = convert(condition, BOOL).v
            except ConversionError as exc:
                raise EvalError(
                    "Invalid 'for' condition",
                    f"The 'if' clause value is invalid: {exc.message}.",
                    expr.condition,
                ) from None
            if not keep:
                continue
        if is_object:
            assert expr.key_expr is not None
            result_key = evaluate(expr.key_expr, child)
            value = evaluate(expr.value_expr, child)
            if not result_key.is_known:
                pending = pending or result_key.v
                continue
            if result_key.is_null:
                raise EvalError(
                    "Invalid object key",
                    "Key expression in 'for' expression must not produce a null value.",
                    expr.key_expr,
                )
            try:
                name = convert(result_key, STRING).v
            except ConversionError as exc:
                raise EvalError(
                    "Invalid object key",
                    f"The key expression produced an invalid result: {exc.message}.",
                    expr.key_expr,
                ) from None
            if expr.group:
                if name not in groups:
                    groups[name] = []
                    order.append(name)
                groups[name].append(value)
            else:
                if name in objects:
                    raise EvalError(
                        "Duplicate object key",
                        f"Two different items produced the key {name!r} in this 'for' expression. "
                        "If duplicates are expected, use the ellipsis (...) after the value "
                        "expression to enable grouping by key.",
                        expr.key_expr,
                    )
                objects[name] = value
        else:
            results.append(evaluate(expr.value_expr, child))
    if pending is not None:
        return Value(DYNAMIC, pending)
    if is_object:
        if expr.group:
            return v.object_of({name: v.tuple_of(groups[name]) for name in order})
        return v.object_of(objects)
    return v.tuple_of(results)


# --- function calls ------------------------------------------------------------------------------


def _call(expr: ast.FunctionCall, scope: Scope) -> Value:
    name = expr.name
    if name in ("try", "can"):
        return _try_or_can(expr, scope)
    if "::" in name:
        return v.unknown(f"provider-defined function {name}() is not evaluated")
    function = scope.functions.get(name)
    if function is None:
        raise EvalError("Call to unknown function", f"There is no function named {name!r}.", expr)
    if name == "templatestring" and expr.args:
        from engine.terraform.functions.strings import templatestring_expression_error

        problem = templatestring_expression_error(expr.args[0])
        if problem is not None:
            raise EvalError(
                "Invalid function argument",
                f'Invalid value for "template" parameter: {problem}.',
                expr.args[0],
            )
    args = [evaluate(arg, scope) for arg in expr.args]
    if expr.expand_final and args:
        last = args.pop()
        if not last.is_known:
            return Value(function.returns, last.v)
        if last.is_null:
            raise EvalError(
                "Invalid expanding argument value",
                "The expanding argument (indicated by ...) must not be null.",
                expr.args[-1],
            )
        if not isinstance(last.type, ListType | SetType | TupleType):
            raise EvalError(
                "Invalid expanding argument value",
                "The expanding argument (indicated by ...) must be of a tuple, list, or set type.",
                expr.args[-1],
            )
        args.extend(last.elements())
    try:
        return call(function, args)
    except FunctionError as exc:
        node: ast.Node = expr
        if exc.argument is not None and exc.argument < len(expr.args):
            node = expr.args[exc.argument]
        if exc.argument is not None:
            raise EvalError("Invalid function argument", exc.message, node) from None
        for summary in ("Not enough function arguments", "Too many function arguments"):
            if exc.message.startswith(summary):
                raise EvalError(summary, exc.message[len(summary) :].lstrip(": "), node) from None
        detail = exc.message if exc.message.endswith(".") else exc.message + "."
        raise EvalError(
            "Error in function call", f'Call to function "{name}" failed: {detail}', node
        ) from None
    except (OverflowError, MemoryError, ValueError) as exc:
        raise EvalError(
            "Error in function call", f"Call to function {name!r} failed: {exc}", expr
        ) from None


def _try_or_can(expr: ast.FunctionCall, scope: Scope) -> Value:
    if expr.name == "can":
        if len(expr.args) != 1:
            raise EvalError("Invalid function argument", "can() takes exactly one argument", expr)
        try:
            value = evaluate(expr.args[0], scope)
        except EvalError:
            return v.FALSE
        found = v.first_unknown(value)
        if found is not None:
            return Value(BOOL, found)
        return v.TRUE
    if not expr.args:
        raise EvalError("Invalid function argument", "at least one argument is required", expr)
    last_error: EvalError | None = None
    for arg in expr.args:
        try:
            value = evaluate(arg, scope)
        except EvalError as exc:
            last_error = exc
            continue
        found = v.first_unknown(value)
        if found is not None:
            return Value(DYNAMIC, found)
        return value
    raise EvalError(
        "Error in function call",
        'Call to function "try" failed: no expression succeeded'
        + (f": {last_error.summary}: {last_error.detail}" if last_error else ""),
        expr,
    )


_HANDLERS: dict[type, Callable[[Any, Scope], Value]] = {
    ast.Literal: _literal,
    ast.Template: _template,
    ast.TemplateWrap: _template_wrap,
    ast.TemplateJoin: _template_join,
    ast.ScopeTraversal: _scope_traversal,
    ast.RelativeTraversal: _relative_traversal,
    ast.IndexExpr: _index_expr,
    ast.AnonSymbol: _anon_symbol,
    ast.Splat: _splat,
    ast.BinaryOp: _binary,
    ast.UnaryOp: _unary,
    ast.Parentheses: _parentheses,
    ast.Conditional: _conditional,
    ast.TupleCons: _tuple_cons,
    ast.ObjectCons: _object_cons,
    ast.ObjectKey: lambda expr, scope: _object_key(expr, scope),
    ast.ForExpr: _for,
    ast.FunctionCall: _call,
}
