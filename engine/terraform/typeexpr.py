"""Variable type constraints: ``list(object({ name = string, size = optional(number, 8) }))``.

:func:`parse_type` reads a type expression into a :class:`TypeConstraint`: the cty type (with
``optional`` attributes marked on their object types) and the tree of ``optional(type,
default)`` defaults, as Terraform's ``typeexpr`` package builds them. :meth:`TypeConstraint.apply`
is what Terraform does to every variable value: fill in optional-attribute defaults at every
depth (``Defaults.Apply``), then convert to the type (which adds the remaining optional
attributes as null and drops attributes the type does not declare).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from engine.terraform import values as v
from engine.terraform.convert import ConversionError, convert
from engine.terraform.syntax import ast
from engine.terraform.values import (
    BOOL,
    DYNAMIC,
    NUMBER,
    STRING,
    ListType,
    MapType,
    ObjectType,
    SetType,
    TupleType,
    Type,
    Value,
)

_PRIMITIVES: dict[str, Type] = {"string": STRING, "number": NUMBER, "bool": BOOL, "any": DYNAMIC}


class TypeExprError(Exception):
    pass


@dataclass
class Defaults:
    """``optional()`` defaults of one type: default values of its object attributes and the
    defaults of nested types (by attribute name; ``""`` for a collection's element type;
    the index as text for a tuple element)."""

    type: Type
    values: dict[str, Value] = field(default_factory=dict)
    children: dict[str, Defaults] = field(default_factory=dict)

    def empty(self) -> bool:
        return not self.values and not self.children

    def child(self, key: str | int) -> Defaults | None:
        if isinstance(self.type, MapType | SetType | ListType):
            return self.children.get("")
        return self.children.get(str(key))

    def apply(self, value: Value) -> Value:
        """Terraform's ``typeexpr.Defaults.Apply``: defaults for null or missing attributes."""
        if not value.is_known or value.is_null or self.empty():
            return value
        type_ = value.type
        if isinstance(type_, ListType | SetType | TupleType):
            items = []
            for position, element in enumerate(value.elements()):
                defaults = self.child(position)
                items.append(defaults.apply(element) if defaults is not None else element)
            # Rebuilt as a tuple / object: the conversion to the declared type that follows
            # turns it back into a list, set or map with one element type.
            return v.tuple_of(items)
        if isinstance(type_, ObjectType | MapType):
            attributes: dict[str, Value] = {}
            for key, element in value.v.items():
                defaults = self.child(key)
                attributes[key] = defaults.apply(element) if defaults is not None else element
            for key, default in self.values.items():
                current = attributes.get(key)
                if current is None or (current.is_known and current.is_null):
                    nested = self.children.get(key)
                    attributes[key] = nested.apply(default) if nested is not None else default
            return v.object_of(attributes)
        return value


@dataclass
class TypeConstraint:
    type: Type
    defaults: Defaults | None = None

    def apply(self, value: Value) -> Value:
        """Defaults, then conversion; raises :class:`ConversionError`."""
        if self.defaults is not None and value.is_known and not value.is_null:
            value = self.defaults.apply(value)
        return convert(value, self.type)


ANY = TypeConstraint(DYNAMIC)


def parse_type(expr: ast.Expr) -> TypeConstraint:
    type_, defaults = _parse(expr, allow_optional=False)
    return TypeConstraint(
        type_, defaults if defaults is not None and not defaults.empty() else None
    )


def _keyword(expr: ast.Expr) -> str | None:
    if isinstance(expr, ast.ScopeTraversal) and not expr.steps:
        return expr.name
    return None


def _parse(expr: ast.Expr, *, allow_optional: bool) -> tuple[Type, Defaults | None]:
    keyword = _keyword(expr)
    if keyword is not None:
        if keyword in _PRIMITIVES:
            return _PRIMITIVES[keyword], None
        if keyword in ("list", "set", "map", "object", "tuple"):
            raise TypeExprError(f"the {keyword} type constructor requires one argument")
        raise TypeExprError(f"the keyword {keyword!r} is not a valid type specification")
    if not isinstance(expr, ast.FunctionCall):
        raise TypeExprError(
            "a type specification is either a primitive type keyword or a type constructor call"
        )
    name = expr.name
    if name == "optional":
        raise TypeExprError("optional() is only allowed for the attributes of an object type")
    if name in ("list", "set", "map"):
        if len(expr.args) != 1:
            raise TypeExprError(f"the {name} type constructor requires one argument")
        element, element_defaults = _parse(expr.args[0], allow_optional=False)
        constructors: dict[str, Callable[[Type], Type]] = {
            "list": ListType,
            "set": SetType,
            "map": MapType,
        }
        constructor = constructors[name]
        type_ = constructor(element)
        defaults = Defaults(type_)
        if element_defaults is not None and not element_defaults.empty():
            defaults.children[""] = element_defaults
        return type_, defaults
    if name == "tuple":
        if len(expr.args) != 1 or not isinstance(expr.args[0], ast.TupleCons):
            raise TypeExprError("the tuple type constructor requires a list of element types")
        elements: list[Type] = []
        tuple_defaults = Defaults(DYNAMIC)
        for position, item in enumerate(expr.args[0].items):
            element, element_defaults = _parse(item, allow_optional=False)
            elements.append(element)
            if element_defaults is not None and not element_defaults.empty():
                tuple_defaults.children[str(position)] = element_defaults
        type_ = TupleType(tuple(elements))
        tuple_defaults.type = type_
        return type_, tuple_defaults
    if name == "object":
        if len(expr.args) != 1 or not isinstance(expr.args[0], ast.ObjectCons):
            raise TypeExprError("the object type constructor requires an object of attribute types")
        attributes: dict[str, Type] = {}
        optional: set[str] = set()
        object_defaults = Defaults(DYNAMIC)
        for key_expr, value_expr in expr.args[0].items:
            key = key_expr.wrapped if isinstance(key_expr, ast.ObjectKey) else key_expr
            attribute = _keyword(key)
            if attribute is None and isinstance(key, ast.Template):
                parts = key.parts
                if len(parts) == 1 and isinstance(parts[0], ast.Literal):
                    attribute = parts[0].value.v
            if attribute is None:
                raise TypeExprError("object type attribute names must be identifiers")
            if isinstance(value_expr, ast.FunctionCall) and value_expr.name == "optional":
                if not 1 <= len(value_expr.args) <= 2:
                    raise TypeExprError("optional() takes a type and an optional default value")
                attr_type, attr_defaults = _parse(value_expr.args[0], allow_optional=False)
                optional.add(attribute)
                if len(value_expr.args) == 2:
                    object_defaults.values[attribute] = _default_value(
                        value_expr.args[1], attr_type
                    )
            else:
                attr_type, attr_defaults = _parse(value_expr, allow_optional=False)
            attributes[attribute] = attr_type
            if attr_defaults is not None and not attr_defaults.empty():
                object_defaults.children[attribute] = attr_defaults
        type_ = ObjectType(attributes, frozenset(optional))
        object_defaults.type = type_
        return type_, object_defaults
    raise TypeExprError(f"{name!r} is not a valid type constructor")


def _default_value(expr: ast.Expr, type_: Type) -> Value:
    """An ``optional(type, default)`` default: a constant expression converted to the type."""
    from engine.terraform.evaluator import EvalError, Scope, evaluate
    from engine.terraform.functions import pure_functions

    try:
        value = evaluate(expr, Scope(functions=pure_functions()))
    except EvalError as exc:
        raise TypeExprError(f"invalid default value for optional attribute: {exc}") from exc
    try:
        return convert(value, type_)
    except ConversionError as exc:
        raise TypeExprError(f"invalid default value for optional attribute: {exc}") from exc
