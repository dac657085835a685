"""Type conversion and unification, as go-cty's ``convert`` package does them.

Terraform converts values implicitly everywhere: function arguments, variable values against
their type constraints, operands of arithmetic, the two results of a conditional, the elements
of ``tolist(...)``. The rules are cty's "unsafe" conversions (the ones that can fail at run time,
such as ``"abc"`` to a number), which are the ones Terraform uses:

* primitives: number and bool to string always; string to number when it parses, string to
  bool for ``"true"``/``"1"``/``"false"``/``"0"``;
* tuple to list or set (elements converted, or unified when the element type is ``any``),
  list and set to each other, object to map, map to object, object to object (extra
  attributes dropped, missing ones an error unless ``optional``), tuple to tuple;
* null and unknown values convert to null and unknown of the target type.

:func:`unify` finds the one type a set of types can all convert to (cty's ``UnifyUnsafe``):
``[1, "a"]`` as a list is ``list(string)``; objects with different attributes unify to a map.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.terraform import values as v
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


class ConversionError(Exception):
    """A value that does not fit a type; ``path`` says where (``.tags["Name"]``)."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.message = message
        self.path = path


def without_optional(type_: Type) -> Type:
    """The type with ``optional()`` markers removed at every depth (what values carry)."""
    if isinstance(type_, ObjectType):
        return ObjectType(
            {name: without_optional(t) for name, t in type_.attributes.items()}, open=type_.open
        )
    if isinstance(type_, ListType):
        return ListType(without_optional(type_.element))
    if isinstance(type_, SetType):
        return SetType(without_optional(type_.element))
    if isinstance(type_, MapType):
        return MapType(without_optional(type_.element))
    if isinstance(type_, TupleType):
        return TupleType(tuple(without_optional(t) for t in type_.elements))
    return type_


def _replace_dynamic(in_type: Type, out_type: Type) -> Type:
    """cty's dynamicReplace: the target type, with ``any`` parts filled from the source."""
    if out_type is DYNAMIC:
        return in_type
    if isinstance(out_type, ListType) and isinstance(in_type, ListType):
        return ListType(_replace_dynamic(in_type.element, out_type.element))
    if isinstance(out_type, SetType) and isinstance(in_type, SetType):
        return SetType(_replace_dynamic(in_type.element, out_type.element))
    if isinstance(out_type, MapType) and isinstance(in_type, MapType):
        return MapType(_replace_dynamic(in_type.element, out_type.element))
    return out_type


# --- type-level checks ---------------------------------------------------------------------


def can_convert(in_type: Type, out_type: Type) -> bool:
    """True when a conversion from ``in_type`` to ``out_type`` exists (it may still fail for
    particular values, e.g. ``"abc"`` to a number)."""
    if in_type == out_type or out_type is DYNAMIC or in_type is DYNAMIC:
        return True
    if in_type.is_primitive() and out_type.is_primitive():
        if out_type is STRING:
            return True
        return in_type is STRING
    if isinstance(out_type, ObjectType):
        if isinstance(in_type, ObjectType):
            for name, attr_type in out_type.attributes.items():
                if name in in_type.attributes:
                    if not can_convert(in_type.attributes[name], attr_type):
                        return False
                elif name not in out_type.optional and not in_type.open:
                    return False
            return True
        if isinstance(in_type, MapType):
            return all(can_convert(in_type.element, t) for t in out_type.attributes.values())
        return False
    if isinstance(out_type, TupleType):
        return (
            isinstance(in_type, TupleType)
            and len(in_type.elements) == len(out_type.elements)
            and all(
                can_convert(a, b) for a, b in zip(in_type.elements, out_type.elements, strict=True)
            )
        )
    if isinstance(out_type, ListType | SetType):
        if isinstance(in_type, ListType | SetType):
            return can_convert(in_type.element, out_type.element)
        if isinstance(in_type, TupleType):
            if out_type.element is DYNAMIC:
                return unify(list(in_type.elements)) is not None or not in_type.elements
            return all(can_convert(t, out_type.element) for t in in_type.elements)
        return False
    if isinstance(out_type, MapType):
        if isinstance(in_type, MapType):
            return can_convert(in_type.element, out_type.element)
        if isinstance(in_type, ObjectType):
            if out_type.element is DYNAMIC:
                return (
                    unify(list(in_type.attributes.values())) is not None or not in_type.attributes
                )
            return all(can_convert(t, out_type.element) for t in in_type.attributes.values())
        return False
    return False


def _compare(a: Type, b: Type) -> int:
    """cty's compareTypes: -1 when ``a`` is more general (preferred), 1 when ``b`` is."""
    if a == b:
        return 0
    # cty: DynamicPseudoType has the lowest preference; anything converts to it, and a
    # dynamic value (a literal null) is assumed to converge on its neighbours' type.
    if a is DYNAMIC:
        return 1
    if b is DYNAMIC:
        return -1
    if a.is_primitive() and b.is_primitive():
        if a is STRING:
            return -1
        if b is STRING:
            return 1
        return 0
    if isinstance(a, ListType) and isinstance(b, ListType):
        return _compare(a.element, b.element)
    if isinstance(a, SetType) and isinstance(b, SetType):
        return _compare(a.element, b.element)
    if isinstance(a, MapType) and isinstance(b, MapType):
        return _compare(a.element, b.element)
    return 0


def _preference_order(types: Sequence[Type]) -> list[int]:
    count = len(types)
    edges: list[list[int]] = [[] for _ in range(count)]
    for i in range(count - 1):
        for j in range(i + 1, count):
            cmp = _compare(types[i], types[j])
            if cmp < 0:
                edges[i].append(j)
            elif cmp > 0:
                edges[j].append(i)
    degree = [0] * count
    for outs in edges:
        for j in outs:
            degree[j] += 1
    queue = [i for i in range(count) if degree[i] == 0]
    result: list[int] = []
    while queue:
        i = queue.pop(0)
        result.append(i)
        for j in edges[i]:
            degree[j] -= 1
            if degree[j] == 0:
                queue.append(j)
    return result


def unify(types: Sequence[Type]) -> Type | None:
    """The type all of ``types`` convert to, or None (cty's ``UnifyUnsafe``)."""
    if not types:
        return None
    first = types[0]
    if all(t == first for t in types[1:]):
        return first
    objects = [t for t in types if isinstance(t, ObjectType)]
    tuples = [t for t in types if isinstance(t, TupleType)]
    dynamic = sum(1 for t in types if t is DYNAMIC)
    if objects and tuples:
        return None
    if objects and len(objects) + dynamic == len(types):
        return _unify_objects(objects)
    maps = [t for t in types if isinstance(t, MapType)]
    if objects and maps and len(objects) + len(maps) + dynamic == len(types):
        # Maps mixed with objects: one map type over every element and attribute type
        # (Terraform: `true ? tomap({a = 1}) : {b = "x"}` is a map of string).
        element = unify(
            [m.element for m in maps] + [a for o in objects for a in o.attributes.values()]
        )
        return MapType(element) if element is not None else None
    lists = [t for t in types if isinstance(t, ListType)]
    if tuples and lists and len(tuples) + len(lists) + dynamic == len(types):
        element = unify([x.element for x in lists] + [e for t in tuples for e in t.elements])
        return ListType(element) if element is not None else None
    if tuples and len(tuples) + dynamic == len(types):
        return _unify_tuples(tuples)
    for index in _preference_order(types):
        want = types[index]
        if all(t == want or can_convert(t, want) for t in types):
            return want
    return None


def _unify_objects(types: list[ObjectType]) -> Type | None:
    names = set(types[0].attributes)
    if all(set(t.attributes) == names for t in types[1:]):
        attributes: dict[str, Type] = {}
        for name in names:
            unified = unify([t.attributes[name] for t in types])
            if unified is None:
                return None
            attributes[name] = unified
        return ObjectType(attributes)
    element = unify([attr for t in types for attr in t.attributes.values()])
    if element is None:
        return None
    return MapType(element)


def _unify_tuples(types: list[TupleType]) -> Type | None:
    length = len(types[0].elements)
    if all(len(t.elements) == length for t in types[1:]):
        elements: list[Type] = []
        for index in range(length):
            unified = unify([t.elements[index] for t in types])
            if unified is None:
                return None
            elements.append(unified)
        return TupleType(tuple(elements))
    element = unify([e for t in types for e in t.elements])
    if element is None:
        return None
    return ListType(element)


def unify_values(values: Sequence[Value]) -> tuple[Type, list[Value]] | None:
    """Unify the values' types and convert each value to it."""
    unified = unify([value.type for value in values])
    if unified is None:
        return None
    try:
        return unified, [convert(value, unified) for value in values]
    except ConversionError:
        return None


# --- value conversion ----------------------------------------------------------------------


def convert(value: Value, out_type: Type, path: str = "") -> Value:
    """Convert ``value`` to ``out_type`` or raise :class:`ConversionError`."""
    if out_type is DYNAMIC:
        return value
    in_type = value.type
    if in_type == out_type and not _has_optional(out_type):
        return value
    if not value.is_known:
        if not can_convert(in_type, out_type):
            raise ConversionError(_mismatch(in_type, out_type), path)
        target = _replace_dynamic(in_type, without_optional(out_type))
        return Value(target, value.v)
    if value.is_null:
        if not can_convert(in_type, out_type):
            raise ConversionError(_mismatch(in_type, out_type), path)
        return v.null(_replace_dynamic(in_type, without_optional(out_type)))
    if in_type.is_primitive() and out_type.is_primitive():
        return _primitive(value, out_type, path)
    if isinstance(out_type, ObjectType):
        return _to_object(value, out_type, path)
    if isinstance(out_type, TupleType):
        return _to_tuple(value, out_type, path)
    if isinstance(out_type, ListType):
        return _to_list(value, out_type, path)
    if isinstance(out_type, SetType):
        listed = _to_list(value, ListType(out_type.element), path)
        element = listed.type.element  # type: ignore[attr-defined]
        return v.set_of(listed.elements(), element)
    if isinstance(out_type, MapType):
        return _to_map(value, out_type, path)
    raise ConversionError(_mismatch(in_type, out_type), path)


def _has_optional(type_: Type) -> bool:
    if isinstance(type_, ObjectType):
        return bool(type_.optional) or any(_has_optional(t) for t in type_.attributes.values())
    if isinstance(type_, ListType | SetType | MapType):
        return _has_optional(type_.element)
    if isinstance(type_, TupleType):
        return any(_has_optional(t) for t in type_.elements)
    return False


def _primitive(value: Value, out_type: Type, path: str) -> Value:
    if value.type is out_type:
        return value
    if out_type is STRING:
        if value.type is NUMBER:
            return v.string(v.format_number(value.v))
        return v.string("true" if value.v else "false")
    if value.type is STRING and out_type is NUMBER:
        try:
            return Value(NUMBER, v.parse_number(value.v))
        except ValueError:
            raise ConversionError("a number is required", path) from None
    if value.type is STRING and out_type is BOOL:
        text = value.v
        if text in ("true", "1"):
            return v.TRUE
        if text in ("false", "0"):
            return v.FALSE
        if text.lower() in ("true", "false"):
            raise ConversionError(
                f'a bool is required; to convert from string, use lowercase "{text.lower()}"',
                path,
            )
        raise ConversionError("a bool is required", path)
    raise ConversionError(_mismatch(value.type, out_type), path)


def _element_values(value: Value, path: str) -> tuple[Value, ...]:
    if isinstance(value.type, ListType | SetType | TupleType):
        return value.elements()
    raise ConversionError(_mismatch(value.type, ListType(DYNAMIC)), path)


def _to_list(value: Value, out_type: ListType, path: str) -> Value:
    if not isinstance(value.type, ListType | SetType | TupleType):
        raise ConversionError(_mismatch(value.type, out_type), path)
    items = _element_values(value, path)
    element = out_type.element
    if element is DYNAMIC:
        if isinstance(value.type, ListType | SetType):
            return Value(ListType(value.type.element), items)
        if not items:
            return Value(ListType(DYNAMIC), ())
        unified = unify([item.type for item in items])
        if unified is None:
            raise ConversionError("all list elements must have the same type", path)
        element = unified
    converted = tuple(
        convert(item, element, f"{path}[{index}]") for index, item in enumerate(items)
    )
    return Value(ListType(without_optional(element)), converted)


def _to_tuple(value: Value, out_type: TupleType, path: str) -> Value:
    if not isinstance(value.type, TupleType):
        raise ConversionError(_mismatch(value.type, out_type), path)
    items = value.elements()
    if len(items) != len(out_type.elements):
        raise ConversionError(f"tuple required with {len(out_type.elements)} elements", path)
    return v.tuple_of(
        convert(item, t, f"{path}[{i}]")
        for i, (item, t) in enumerate(zip(items, out_type.elements, strict=True))
    )


def _to_map(value: Value, out_type: MapType, path: str) -> Value:
    if not isinstance(value.type, MapType | ObjectType):
        raise ConversionError(_mismatch(value.type, out_type), path)
    items = dict(value.v)
    element = out_type.element
    if element is DYNAMIC:
        if isinstance(value.type, MapType):
            return value
        if not items:
            return Value(MapType(DYNAMIC), {})
        unified = unify([item.type for item in items.values()])
        if unified is None:
            raise ConversionError("all map elements must have the same type", path)
        element = unified
    converted = {key: convert(item, element, f'{path}["{key}"]') for key, item in items.items()}
    return Value(MapType(without_optional(element)), converted)


def _to_object(value: Value, out_type: ObjectType, path: str) -> Value:
    if not isinstance(value.type, ObjectType | MapType):
        raise ConversionError(_mismatch(value.type, out_type), path)
    items: dict[str, Value] = value.v
    if isinstance(value.type, MapType):
        for key in items:
            if key not in out_type.attributes:
                raise ConversionError(f'unsupported attribute "{key}"', path)
    out: dict[str, Value] = {}
    for name, attr_type in out_type.attributes.items():
        if name in items:
            out[name] = convert(items[name], attr_type, f"{path}.{name}")
        elif isinstance(value, v.OpenObject):
            out[name] = convert(value.computed(name), attr_type)
        elif name in out_type.optional:
            out[name] = v.null(without_optional(attr_type))
        else:
            raise ConversionError(f'attribute "{name}" is required', path)
    return v.object_of(out)


def _mismatch(in_type: Type, out_type: Type) -> str:
    if out_type.is_primitive():
        return f"{out_type.friendly()} required"
    if isinstance(out_type, ObjectType):
        return "object required"
    if isinstance(out_type, TupleType):
        return "tuple required"
    if isinstance(out_type, ListType):
        return "list of " + out_type.element.friendly() + " required"
    if isinstance(out_type, SetType):
        return "set of " + out_type.element.friendly() + " required"
    if isinstance(out_type, MapType):
        return "map of " + out_type.element.friendly() + " required"
    return f"{out_type.friendly()} required"
