"""Terraform's collection functions: ``alltrue anytrue chunklist coalesce coalescelist compact
concat contains distinct element flatten index keys length lookup matchkeys merge one range
reverse setintersection setproduct setsubtract setunion slice sort sum transpose values
zipmap``, and ``list``/``map``, which Terraform removed and which fail as they do there.

Each follows its go-cty (or Terraform ``lang/funcs``) implementation, including how it treats
collections that contain unknown values: ``length([x, 1])`` is 2 whatever ``x`` is, ``keys`` of
an object is known from its type, ``concat``/``merge``/``flatten``/``slice``/``values`` carry
unknown elements through, while ``distinct``/``compact``/``sort`` need every element known.
Generated collections are capped (``range`` at 1024 elements as in cty; ``setproduct`` and
``chunklist`` at :data:`~._util.MAX_ELEMENTS`).
"""

from __future__ import annotations

import math
from fractions import Fraction

from engine.terraform import values as v
from engine.terraform.convert import ConversionError, convert, unify
from engine.terraform.functions._util import (
    MAX_ELEMENTS,
    ImplFn,
    P,
    arg_error,
    check_size,
    define,
    equals,
    fail,
    hash_key,
    int_value,
    to_int,
)
from engine.terraform.functions.base import Function
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
    Type,
    Unknown,
    Value,
)

ANY = DYNAMIC


def _unknown(type_: Type, *sources: Value) -> Value:
    for source in sources:
        found = v.first_unknown(source)
        if found is not None:
            return Value(type_, found)
    return Value(type_, Unknown("the result depends on values known only after apply"))


def _list(items: list[Value] | tuple[Value, ...], element: Type) -> Value:
    """``cty.ListVal`` / ``cty.ListValEmpty``: a list whose element type is that of its items."""
    if items:
        first = items[0].type
        return Value(ListType(first if element is DYNAMIC else element), tuple(items))
    return Value(ListType(element), ())


def _set_length(value: Value) -> int | None:
    """Length of a known collection; None for a set with unknown elements that might merge
    with others (a set of one element has length 1 whatever that element is)."""
    if isinstance(value.v, dict):
        return len(value.v)
    elements = value.elements()
    if (
        isinstance(value.type, SetType)
        and len(elements) > 1
        and any(not item.is_wholly_known() for item in elements)
    ):
        return None
    return len(elements)


# --- alltrue / anytrue ----------------------------------------------------------------------------


def _alltrue(args: list[Value], ret: Type) -> Value:
    for item in args[0].elements():
        if not item.is_known:
            return Value(BOOL, item.v)
        if item.is_null or item.v is False:
            return v.FALSE
    return v.TRUE


def _anytrue(args: list[Value], ret: Type) -> Value:
    pending: Unknown | None = None
    for item in args[0].elements():
        if not item.is_known:
            pending = pending or item.v
            continue
        if item.v is True:
            return v.TRUE
    return Value(BOOL, pending) if pending is not None else v.FALSE


# --- chunklist ------------------------------------------------------------------------------------


def _chunklist(args: list[Value], ret: Type) -> Value:
    items, size_value = args
    try:
        size = to_int(size_value)
    except ValueError as exc:
        raise fail(f"invalid size: {exc}") from None
    if size < 0:
        raise fail("the size argument must be positive")
    elements = items.elements()
    if not elements:
        return Value(ListType(items.type), ())
    if size == 0:
        return Value(ListType(items.type), (items,))
    element_type = items.type.element  # type: ignore[attr-defined]
    chunks = [_list(elements[i : i + size], element_type) for i in range(0, len(elements), size)]
    return Value(ListType(chunks[0].type), tuple(chunks))


# --- coalesce / coalescelist ----------------------------------------------------------------------


def _coalesce_type(args: list[Value]) -> Type:
    unified = unify([arg.type for arg in args]) if args else None
    if unified is None:
        raise fail("all arguments must have the same type")
    return unified


def _coalesce(args: list[Value], ret: Type) -> Value:
    for arg in args:
        try:
            converted = convert(arg, ret)
        except ConversionError as exc:
            raise fail(exc.message) from None
        if not converted.is_known:
            return Value(ret, converted.v)
        if converted.is_null:
            continue
        if ret is STRING and converted.v == "":
            continue
        return converted
    raise fail("no non-null, non-empty-string arguments")


def _coalescelist_type(args: list[Value]) -> Type:
    if not args:
        raise fail("at least one argument is required")
    for arg in args:
        if not arg.is_known:
            return DYNAMIC
        if not isinstance(arg.type, ListType | TupleType):
            raise fail("coalescelist arguments must be lists or tuples")
    first = args[0].type
    if all(arg.type == first for arg in args[1:]):
        return first
    return DYNAMIC


def _coalescelist(args: list[Value], ret: Type) -> Value:
    for arg in args:
        if not arg.is_known:
            return Value(ret, arg.v)
        if arg.is_null:
            continue
        if arg.length() > 0:
            return arg
    raise fail("no non-null arguments")


# --- compact / concat / contains / distinct -------------------------------------------------------


def _compact(args: list[Value], ret: Type) -> Value:
    items = args[0]
    if not items.is_wholly_known():
        return _unknown(ListType(STRING), items)
    kept = [item for item in items.elements() if not item.is_null and item.v != ""]
    return Value(ListType(STRING), tuple(kept))


def _concat_type(args: list[Value]) -> Type:
    if not args:
        raise fail("at least one argument is required")
    if isinstance(args[0].type, ListType) and all(isinstance(a.type, ListType) for a in args):
        common = unify([arg.type for arg in args])
        if common is not None:
            return common
    types: list[Type] = []
    for index, arg in enumerate(args):
        type_ = arg.type
        if isinstance(type_, TupleType):
            types.extend(type_.elements)
        elif isinstance(type_, ListType):
            if not arg.is_known:
                return DYNAMIC
            types.extend([type_.element] * arg.length())
        else:
            raise arg_error(
                index, "seqs", f"all arguments must be lists or tuples; got {type_.friendly()}"
            )
    return TupleType(tuple(types))


def _concat(args: list[Value], ret: Type) -> Value:
    if ret is DYNAMIC:
        return _unknown(DYNAMIC, *args)
    items: list[Value] = []
    if isinstance(ret, ListType):
        for index, arg in enumerate(args):
            try:
                converted = convert(arg, ret)
            except ConversionError as exc:
                raise arg_error(index, "seqs", str(exc)) from None
            if not converted.is_known:
                return Value(ret, converted.v)
            items.extend(converted.elements())
        check_size(len(items))
        return _list(items, ret.element)
    for arg in args:
        if not arg.is_known:
            return Value(ret, arg.v)
        items.extend(arg.elements())
    check_size(len(items))
    return v.tuple_of(items)


def _contains(args: list[Value], ret: Type) -> Value:
    collection, value = args
    if not isinstance(collection.type, ListType | TupleType | SetType):
        raise fail("argument must be list, tuple, or set")
    if collection.is_null:
        raise fail("cannot search a nil list or set")
    elements = collection.elements()
    if not elements:
        return v.FALSE
    pending: Unknown | None = None
    for element in elements:
        result = equals(value, element)
        if result is None:
            pending = pending or v.first_unknown(element) or v.first_unknown(value)
            continue
        if result:
            return v.TRUE
    if pending is not None:
        return Value(BOOL, pending)
    return v.FALSE


def _distinct(args: list[Value], ret: Type) -> Value:
    items = args[0]
    if not items.is_wholly_known():
        return _unknown(items.type, items)
    seen: set[object] = set()
    kept: list[Value] = []
    for item in items.elements():
        key = hash_key(item)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return Value(items.type, tuple(kept))


# --- element / index ------------------------------------------------------------------------------


def _go_rem(a: int, b: int) -> int:
    """Go's ``%``: the remainder takes the sign of the dividend."""
    r = abs(a) % b
    return -r if a < 0 else r


def _element_type(args: list[Value]) -> Type:
    collection, index = args
    type_ = collection.type
    if isinstance(type_, ListType):
        return type_.element
    if isinstance(type_, TupleType):
        if not index.is_known:
            return DYNAMIC
        try:
            position = to_int(index)
        except ValueError as exc:
            raise fail(f"invalid index: {exc}") from None
        if not type_.elements:
            raise fail("cannot use element function with an empty list")
        position = _go_rem(position, len(type_.elements))
        if position < 0:
            raise fail(
                f"panic in function implementation: runtime error: index out of range [{position}]"
            )
        return type_.elements[position]
    raise fail(f"cannot read elements from {type_.friendly()}")


def _element(args: list[Value], ret: Type) -> Value:
    collection, index = args
    try:
        position = to_int(index)
    except ValueError as exc:
        raise fail(f"invalid index: {exc}") from None
    if not collection.is_known:
        return Value(ret, collection.v)
    elements = collection.elements()
    if not elements:
        raise fail("cannot use element function with an empty list")
    position = _go_rem(position, len(elements))
    if position < 0:
        position += len(elements)
    return elements[position]


def _index(args: list[Value], ret: Type) -> Value:
    collection, value = args
    if not isinstance(collection.type, ListType | TupleType):
        raise fail("argument must be a list or tuple")
    if not collection.is_known:
        return Value(NUMBER, collection.v)
    elements = collection.elements()
    if not elements:
        raise fail("cannot search an empty list")
    for position, element in enumerate(elements):
        result = equals(element, value)
        if result is None:
            return _unknown(NUMBER, element, value)
        if result:
            return int_value(position)
    raise fail("item not found")


# --- flatten --------------------------------------------------------------------------------------


def _flatten_into(value: Value, out: list[Value]) -> Unknown | None:
    pending: Unknown | None = None
    for item in value.elements():
        if item.type is DYNAMIC and not item.is_known:
            pending = pending or item.v
        if not item.is_null and isinstance(item.type, ListType | SetType | TupleType):
            if not item.is_known:
                pending = pending or item.v
                continue
            if isinstance(item.type, SetType) and _set_length(item) is None:
                pending = pending or v.first_unknown(item)
                continue
            found = _flatten_into(item, out)
            pending = pending or found
        else:
            out.append(item)
        if len(out) > MAX_ELEMENTS:
            check_size(len(out))
    return pending


def _flatten(args: list[Value], ret: Type) -> Value:
    collection = args[0]
    type_ = collection.type
    if collection.is_wholly_known() and not isinstance(type_, ListType | SetType | TupleType):
        raise fail("can only flatten lists, sets and tuples")
    if not isinstance(type_, ListType | SetType | TupleType):
        return _unknown(DYNAMIC, collection)
    if not collection.elements():
        return v.tuple_of(())
    if isinstance(type_, SetType) and _set_length(collection) is None:
        return _unknown(DYNAMIC, collection)
    out: list[Value] = []
    pending = _flatten_into(collection, out)
    if pending is not None:
        return Value(DYNAMIC, pending)
    return v.tuple_of(out)


# --- keys / values / length / lookup --------------------------------------------------------------


def _keys_type(args: list[Value]) -> Type:
    type_ = args[0].type
    if isinstance(type_, MapType):
        return ListType(STRING)
    if isinstance(type_, ObjectType):
        return TupleType((STRING,) * len(type_.attributes))
    raise arg_error(0, "inputMap", "must have map or object type")


def _keys(args: list[Value], ret: Type) -> Value:
    mapping = args[0]
    if isinstance(mapping.type, ObjectType):
        return v.tuple_of(v.string(name) for name in sorted(mapping.type.attributes))
    if not mapping.is_known:
        return Value(ret, mapping.v)
    return Value(ListType(STRING), tuple(v.string(key) for key, _ in mapping.items()))


def _values_type(args: list[Value]) -> Type:
    type_ = args[0].type
    if isinstance(type_, MapType):
        return ListType(type_.element)
    if isinstance(type_, ObjectType):
        return TupleType(tuple(type_.attributes[name] for name in sorted(type_.attributes)))
    raise fail("values() requires a map as the first argument")


def _values(args: list[Value], ret: Type) -> Value:
    items = tuple(item for _, item in args[0].items())
    if isinstance(ret, TupleType):
        return v.tuple_of(items)
    assert isinstance(ret, ListType)
    return _list(items, ret.element)


def _length_type(args: list[Value]) -> Type:
    type_ = args[0].type
    if (
        type_ is STRING
        or type_ is DYNAMIC
        or isinstance(type_, TupleType | ObjectType | ListType | MapType | SetType)
    ):
        return NUMBER
    raise fail("argument must be a string, a collection type, or a structural type")


def _length(args: list[Value], ret: Type) -> Value:
    collection = args[0]
    type_ = collection.type
    if type_ is DYNAMIC:
        return _unknown(NUMBER, collection)
    if isinstance(type_, TupleType):
        return int_value(len(type_.elements))
    if isinstance(type_, ObjectType):
        return int_value(len(type_.attributes))
    if not collection.is_known:
        return Value(NUMBER, collection.v)
    if type_ is STRING:
        return int_value(v.grapheme_length(collection.v))
    length = _set_length(collection)
    if length is None:
        return _unknown(NUMBER, collection)
    return int_value(length)


def _lookup_type(args: list[Value]) -> Type:
    if len(args) > 3:
        raise fail(f"lookup() takes two or three arguments, got {len(args)}")
    mapping, key = args[0], args[1]
    type_ = mapping.type
    if isinstance(type_, ObjectType):
        if not key.is_known:
            return DYNAMIC
        name = key.v
        if name in type_.attributes:
            return type_.attributes[name]
        if len(args) == 3:
            return args[2].type
        if type_.open:
            return DYNAMIC
        raise arg_error(0, "inputMap", f'the given object has no attribute "{name}"')
    if isinstance(type_, MapType):
        if len(args) == 3:
            try:
                convert(args[2], type_.element)
            except ConversionError:
                raise arg_error(
                    2, "default", "the default value must have the same type as the map elements"
                ) from None
        return type_.element
    raise arg_error(0, "inputMap", "lookup() requires a map as the first argument")


def _lookup(args: list[Value], ret: Type) -> Value:
    mapping, key = args[0], args[1]
    if not mapping.is_known or not key.is_known:
        return _unknown(ret, mapping, key)
    name: str = key.v
    found: Value | None = mapping.v.get(name)
    if found is not None:
        return found
    if isinstance(mapping, v.OpenObject):
        return mapping.computed(name)
    if len(args) == 3:
        try:
            return convert(args[2], ret)
        except ConversionError as exc:
            raise fail(str(exc)) from None
    raise fail(f'lookup failed to find key "{name}"')


# --- matchkeys ------------------------------------------------------------------------------------


def _matchkeys_type(args: list[Value]) -> Type:
    if unify([args[1].type, args[2].type]) is None:
        raise fail("keys and searchset must be of the same type")
    return args[0].type


def _matchkeys(args: list[Value], ret: Type) -> Value:
    values_, keys, searchset = args
    element = ret.element if isinstance(ret, ListType) else DYNAMIC
    if keys.length() != values_.length():
        raise fail("length of keys and values should be equal")
    common = unify([keys.type, searchset.type])
    assert common is not None
    try:
        keys = convert(keys, common)
        searchset = convert(searchset, common)
    except ConversionError as exc:
        raise fail(exc.message) from None
    if not searchset.elements():
        return Value(ListType(element), ())
    if not values_.is_wholly_known() or not keys.is_wholly_known():
        return _unknown(ret, values_, keys)
    out: list[Value] = []
    for position, key in enumerate(keys.elements()):
        for search in searchset.elements():
            result = equals(key, search)
            if result is None:
                return Value(ListType(element), ())
            if result:
                out.append(values_.elements()[position])
                break
    return Value(ListType(element), tuple(out))


# --- merge ----------------------------------------------------------------------------------------


def _merge_type(args: list[Value]) -> Type:
    if not args:
        return v.EMPTY_OBJECT
    attributes: dict[str, Type] = {}
    first: Type | None = None
    matching = True
    known = True
    for index, arg in enumerate(args):
        type_ = arg.type
        if type_ is DYNAMIC:
            return DYNAMIC
        if not isinstance(type_, MapType | ObjectType):
            raise fail(f'arguments must be maps or objects, got "{type_.friendly()}"')
        if isinstance(type_, ObjectType) and not arg.is_null:
            attributes.update(type_.attributes)
        elif isinstance(type_, MapType):
            if arg.is_null:
                pass
            elif arg.is_known:
                for key in arg.v:
                    attributes[key] = type_.element
            else:
                known = False
        if index == 0:
            first = type_
            continue
        if type_ != first:
            matching = False
    if matching:
        assert first is not None
        return first
    if not known:
        return DYNAMIC
    return ObjectType(attributes)


def _merge(args: list[Value], ret: Type) -> Value:
    merged: dict[str, Value] = {}
    for arg in args:
        if arg.is_null:
            continue
        if not arg.is_known:
            return Value(ret, arg.v)
        if isinstance(arg.v, tuple):
            raise fail("panic in function implementation: not a string")
        if not isinstance(arg.v, dict):
            raise fail(
                "panic in function implementation: attempt to iterate on non-collection, "
                "non-tuple type"
            )
        merged.update(arg.v)
    if isinstance(ret, MapType):
        element = ret.element
        if element is DYNAMIC and merged:
            element = next(iter(merged.values())).type
        return Value(MapType(element), merged)
    return v.object_of(merged)


# --- one ------------------------------------------------------------------------------------------


_ONE_ERROR = "must be a list, set, or tuple value with either zero or one elements"


def _one_type(args: list[Value]) -> Type:
    type_ = args[0].type
    if isinstance(type_, ListType | SetType):
        return type_.element
    if isinstance(type_, TupleType):
        if not type_.elements:
            return DYNAMIC
        if len(type_.elements) == 1:
            return type_.elements[0]
    raise arg_error(0, "list", _ONE_ERROR)


def _one(args: list[Value], ret: Type) -> Value:
    collection = args[0]
    if isinstance(collection.type, ListType | SetType):
        length = _set_length(collection)
        if length is None:
            return _unknown(ret, collection)
    else:
        length = len(collection.elements())
    if length == 0:
        return v.null(ret)
    if length == 1:
        return collection.elements()[0]
    raise arg_error(0, "list", _ONE_ERROR)


# --- range ----------------------------------------------------------------------------------------


def _add(a: Number, b: Number) -> Number:
    prec = max(a.prec, b.prec)
    if a.is_infinite() or b.is_infinite():
        total = float(a.value) + float(b.value)
        if math.isnan(total):
            raise fail("can't compute sum of opposing infinities")
        if math.isinf(total):
            return Number(total, prec)
        return Number.of(Fraction(total), prec)
    exact = a.value + b.value
    assert isinstance(exact, Fraction)
    if exact.denominator == 1 and exact.numerator.bit_length() <= prec:
        return Number(exact, prec)
    return Number.of(exact, prec)


def _range(args: list[Value], ret: Type) -> Value:
    numbers = [arg.v for arg in args]
    one = Number(Fraction(1), 64)
    minus_one = Number(Fraction(-1), 64)
    zero = Number(Fraction(0), 64)
    if len(numbers) == 1:
        start, end = zero, numbers[0]
        step = minus_one if end.value < 0 else one
    elif len(numbers) == 2:
        start, end = numbers
        step = minus_one if end.value < start.value else one
    elif len(numbers) == 3:
        start, end, step = numbers
    else:
        raise fail("must have one, two, or three arguments")
    down = step.value < 0
    if down and end.value > start.value:
        raise arg_error(1, "params", "end must be less than start when step is negative")
    if not down and end.value < start.value:
        raise arg_error(1, "params", "end must be greater than start when step is positive")
    out: list[Value] = []
    current = start
    while not ((current.value <= end.value) if down else (current.value >= end.value)):
        if len(out) >= 1024:
            raise fail(
                "more than 1024 values were generated; either decrease the difference between "
                "start and end or use a smaller step"
            )
        out.append(Value(NUMBER, current))
        current = _add(current, step)
    return Value(ListType(NUMBER), tuple(out))


# --- reverse / slice / sort / sum -----------------------------------------------------------------


def _reverse_type(args: list[Value]) -> Type:
    type_ = args[0].type
    if isinstance(type_, TupleType):
        return TupleType(tuple(reversed(type_.elements)))
    if isinstance(type_, ListType | SetType):
        return ListType(type_.element)
    raise arg_error(0, "list", f"can only reverse list or tuple values, not {type_.friendly()}")


def _reverse(args: list[Value], ret: Type) -> Value:
    items = tuple(reversed(args[0].elements()))
    if isinstance(ret, TupleType):
        return v.tuple_of(items)
    assert isinstance(ret, ListType)
    return _list(items, ret.element)


def _slice_indexes(args: list[Value]) -> tuple[int, int, bool]:
    collection, start_value, end_value = args
    length: int | None = None
    if isinstance(collection.type, TupleType):
        length = len(collection.type.elements)
    elif collection.is_known:
        length = _set_length(collection)
    start = end = 0
    start_known = end_known = False
    if start_value.is_known:
        try:
            start = to_int(start_value)
        except ValueError as exc:
            raise arg_error(1, "start_index", f"invalid start index: {exc}") from None
        if start < 0:
            raise arg_error(1, "start_index", "start index must not be less than zero")
        if length is not None and start > length:
            raise arg_error(
                1, "start_index", "start index must not be greater than the length of the list"
            )
        start_known = True
    if end_value.is_known:
        try:
            end = to_int(end_value)
        except ValueError as exc:
            raise arg_error(2, "end_index", f"invalid end index: {exc}") from None
        if end < 0:
            raise arg_error(2, "end_index", "end index must not be less than zero")
        if length is not None and end > length:
            raise arg_error(
                2, "end_index", "end index must not be greater than the length of the list"
            )
        end_known = True
    if start_known and end_known and start > end:
        raise arg_error(1, "start_index", "start index must not be greater than end index")
    return start, end, start_known and end_known


def _slice_type(args: list[Value]) -> Type:
    type_ = args[0].type
    if isinstance(type_, SetType):
        raise arg_error(
            0,
            "list",
            "cannot slice a set, because its elements do not have indices; explicitly convert "
            "to a list if the ordering of the result is not important",
        )
    if not isinstance(type_, ListType | TupleType):
        raise arg_error(0, "list", "must be a list or tuple value")
    start, end, known = _slice_indexes(args)
    if isinstance(type_, ListType):
        return type_
    if not known:
        return DYNAMIC
    return TupleType(type_.elements[start:end])


def _slice(args: list[Value], ret: Type) -> Value:
    if ret is DYNAMIC:
        return _unknown(DYNAMIC, *args)
    start, end, _ = _slice_indexes(args)
    items = args[0].elements()[start:end]
    if isinstance(ret, TupleType):
        return v.tuple_of(items)
    assert isinstance(ret, ListType)
    return _list(items, ret.element)


def _sort(args: list[Value], ret: Type) -> Value:
    items = args[0]
    if not items.is_known:
        return Value(ListType(STRING), items.v)
    if not items.is_wholly_known():
        # the order is unknown, but not the length
        found = v.first_unknown(items)
        return Value(ListType(STRING), tuple(Value(STRING, found) for _ in items.elements()))
    strings: list[str] = []
    for position, item in enumerate(items.elements()):
        if item.is_null:
            raise fail(f"given list element {position} is null; a null string cannot be sorted")
        strings.append(item.v)
    strings.sort(key=lambda s: s.encode("utf-8", "surrogatepass"))
    return Value(ListType(STRING), tuple(v.string(s) for s in strings))


_SUM_TYPES = "argument must be list, set, or tuple of number values"


def _sum(args: list[Value], ret: Type) -> Value:
    collection = args[0]
    type_ = collection.type
    if not isinstance(type_, ListType | SetType | TupleType | MapType | ObjectType):
        raise arg_error(0, "list", "cannot sum noniterable")
    if collection.length() == 0:
        raise arg_error(0, "list", "cannot sum an empty list")
    if not isinstance(type_, ListType | SetType | TupleType):
        raise arg_error(
            0, "list", f"argument must be list, set, or tuple. Received {type_.friendly()}"
        )
    if not collection.is_wholly_known():
        return _unknown(NUMBER, collection)
    total: Number | None = None
    for item in collection.elements():
        if item.is_null:
            raise arg_error(0, "list", _SUM_TYPES)
        try:
            number: Number = convert(item, NUMBER).v
        except ConversionError:
            raise arg_error(0, "list", _SUM_TYPES) from None
        total = number if total is None else _add(total, number)
    assert total is not None
    return Value(NUMBER, total)


# --- sets -----------------------------------------------------------------------------------------


def _set_type(args: list[Value]) -> Type:
    elements: list[Type] = []
    for arg in args:
        element = arg.type.element if isinstance(arg.type, SetType) else DYNAMIC
        if arg.is_known and not arg.elements() and element is DYNAMIC:
            continue
        elements.append(element)
    if not elements:
        return SetType(DYNAMIC)
    common = unify(elements)
    if common is None:
        raise fail("given sets must all have compatible element types")
    return SetType(common)


def _set_operation(op: str) -> ImplFn:
    allow_unknowns = op == "union"

    def impl(args: list[Value], ret: Type) -> Value:
        assert isinstance(ret, SetType)
        converted: list[Value] = []
        names = ("a", "b") if op == "subtract" else ("first_set", "other_sets")
        for index, arg in enumerate(args):
            try:
                value = convert(arg, ret)
            except ConversionError as exc:
                raise arg_error(index, names[min(index, 1)], str(exc)) from None
            if not allow_unknowns and not value.is_wholly_known():
                return _unknown(ret, value)
            converted.append(value)
        result: list[Value] = list(converted[0].elements())
        for other in converted[1:]:
            other_keys = {hash_key(item) for item in other.elements() if item.is_wholly_known()}
            if op == "union":
                result.extend(other.elements())
            elif op == "intersection":
                result = [item for item in result if hash_key(item) in other_keys]
            else:
                result = [item for item in result if hash_key(item) not in other_keys]
        element = ret.element
        if element is DYNAMIC and result:
            element = result[0].type
        return v.set_of(result, element)

    return impl


def _setproduct_type(args: list[Value]) -> Type:
    if len(args) < 2:
        raise fail("at least two arguments are required")
    lists = 0
    elements: list[Type] = []
    for index, arg in enumerate(args):
        type_ = arg.type
        if isinstance(type_, SetType):
            elements.append(type_.element)
        elif isinstance(type_, ListType):
            elements.append(type_.element)
            lists += 1
        elif isinstance(type_, TupleType):
            if not type_.elements:
                elements.append(DYNAMIC)
                lists += 1
                continue
            common = unify(list(type_.elements))
            if common is None:
                raise arg_error(index, "sets", "all elements must be of the same type")
            elements.append(common)
            lists += 1
        else:
            raise arg_error(index, "sets", "a set or a list is required")
    product = TupleType(tuple(elements))
    return ListType(product) if lists == len(args) else SetType(product)


def _setproduct(args: list[Value], ret: Type) -> Value:
    assert isinstance(ret, ListType | SetType)
    element = ret.element
    assert isinstance(element, TupleType)
    total = 1
    for arg in args:
        if not arg.is_known or (isinstance(arg.type, SetType) and _set_length(arg) is None):
            return _unknown(ret, arg)
        total *= len(arg.elements())
    if total == 0:
        return Value(type(ret)(element), ())
    check_size(total, "product")
    columns: list[list[Value]] = []
    for position, arg in enumerate(args):
        column: list[Value] = []
        want = element.elements[position]
        for item in arg.elements():
            column.append(item if item.type == want else convert(item, want))
        columns.append(column)
    rows: list[tuple[Value, ...]] = [()]
    for column in columns:
        rows = [(*row, item) for row in rows for item in column]
    products = [v.tuple_of(row) for row in rows]
    if isinstance(ret, ListType):
        return Value(ListType(element), tuple(products))
    return v.set_of(products, element)


# --- transpose / zipmap ---------------------------------------------------------------------------


def _transpose(args: list[Value], ret: Type) -> Value:
    mapping = args[0]
    if not mapping.is_wholly_known():
        return _unknown(ret, mapping)
    grouped: dict[str, list[str]] = {}
    for key, items in mapping.items():
        if items.is_null:
            raise fail("panic in function implementation: value is null")
        for item in items.elements():
            if item.is_null:
                raise fail("panic in function implementation: value is null")
            grouped.setdefault(item.v, []).append(key)
    return Value(
        MapType(ListType(STRING)),
        {
            key: Value(ListType(STRING), tuple(v.string(s) for s in sorted(names)))
            for key, names in grouped.items()
        },
    )


def _zipmap_type(args: list[Value]) -> Type:
    keys, values_ = args
    type_ = values_.type
    if isinstance(type_, ListType):
        return MapType(type_.element)
    if isinstance(type_, TupleType):
        if not keys.is_wholly_known():
            return DYNAMIC
        raw = keys.elements()
        if len(raw) != len(type_.elements):
            raise fail(
                f"number of keys ({len(raw)}) does not match number of values "
                f"({len(type_.elements)})"
            )
        attributes: dict[str, Type] = {}
        for position, key in enumerate(raw):
            if key.is_null:
                raise fail(f"keys list has null value at index {position}")
            attributes[key.v] = type_.elements[position]
        return ObjectType(attributes)
    raise fail("values argument must be a list or tuple value")


def _zipmap(args: list[Value], ret: Type) -> Value:
    keys, values_ = args
    if not keys.is_wholly_known():
        return _unknown(ret, keys)
    raw = keys.elements()
    items = values_.elements()
    if len(raw) != len(items):
        raise fail(f"number of keys ({len(raw)}) does not match number of values ({len(items)})")
    out: dict[str, Value] = {}
    for key, item in zip(raw, items, strict=True):
        if key.is_null:
            raise fail("panic in function implementation: value is null")
        out[key.v] = item
    if isinstance(ret, MapType):
        return Value(ret, out)
    return v.object_of(out)


# --- removed functions ----------------------------------------------------------------------------


def _removed(name: str, replacement: str) -> Function:
    message = (
        f'the "{name}" function was deprecated in Terraform v0.12 and is no longer available; '
        f"use {replacement} syntax to write a literal {name}"
    )

    def type_fn(args: list[Value]) -> Type:
        raise fail(message)

    def impl(args: list[Value], ret: Type) -> Value:  # pragma: no cover - type_fn always fails
        raise fail(message)

    return define(
        name,
        [],
        impl,
        varparam=P("vals", ANY, allow_null=True, allow_unknown=True, allow_dynamic=True),
        type_fn=type_fn,
    )


# --- table ----------------------------------------------------------------------------------------

_SET = SetType(DYNAMIC)

FUNCTIONS: dict[str, Function] = {
    "alltrue": define("alltrue", [P("list", ListType(BOOL))], _alltrue, returns=BOOL),
    "anytrue": define("anytrue", [P("list", ListType(BOOL))], _anytrue, returns=BOOL),
    "chunklist": define(
        "chunklist",
        [P("list", ListType(ANY)), P("size", NUMBER)],
        _chunklist,
        type_fn=lambda a: ListType(a[0].type),
    ),
    "coalesce": define(
        "coalesce",
        [],
        _coalesce,
        varparam=P("vals", ANY, allow_null=True, allow_unknown=True, allow_dynamic=True),
        type_fn=_coalesce_type,
    ),
    "coalescelist": define(
        "coalescelist",
        [],
        _coalescelist,
        varparam=P("vals", ANY, allow_null=True, allow_unknown=True, allow_dynamic=True),
        type_fn=_coalescelist_type,
    ),
    "compact": define("compact", [P("list", ListType(STRING))], _compact, returns=ListType(STRING)),
    "concat": define("concat", [], _concat, varparam=P("seqs"), type_fn=_concat_type),
    "contains": define("contains", [P("list"), P("value")], _contains, returns=BOOL),
    "distinct": define(
        "distinct", [P("list", ListType(ANY))], _distinct, type_fn=lambda a: a[0].type
    ),
    "element": define("element", [P("list"), P("index", NUMBER)], _element, type_fn=_element_type),
    "flatten": define("flatten", [P("list")], _flatten),
    "index": define("index", [P("list"), P("value")], _index, returns=NUMBER),
    "keys": define("keys", [P("inputMap", allow_unknown=True)], _keys, type_fn=_keys_type),
    "length": define(
        "length",
        [P("value", allow_unknown=True, allow_dynamic=True)],
        _length,
        type_fn=_length_type,
        returns=NUMBER,
    ),
    "lookup": define(
        "lookup",
        [P("inputMap", allow_unknown=True), P("key", STRING, allow_unknown=True)],
        _lookup,
        varparam=P("default", ANY, allow_null=True, allow_unknown=True, allow_dynamic=True),
        type_fn=_lookup_type,
    ),
    "matchkeys": define(
        "matchkeys",
        [P("values", ListType(ANY)), P("keys", ListType(ANY)), P("searchset", ListType(ANY))],
        _matchkeys,
        type_fn=_matchkeys_type,
    ),
    "merge": define(
        "merge",
        [],
        _merge,
        varparam=P("maps", ANY, allow_null=True, allow_dynamic=True),
        type_fn=_merge_type,
    ),
    "one": define("one", [P("list")], _one, type_fn=_one_type),
    "range": define("range", [], _range, varparam=P("params", NUMBER), returns=ListType(NUMBER)),
    "reverse": define("reverse", [P("list")], _reverse, type_fn=_reverse_type),
    "setintersection": define(
        "setintersection",
        [P("first_set", _SET, allow_dynamic=True)],
        _set_operation("intersection"),
        varparam=P("other_sets", _SET, allow_dynamic=True),
        type_fn=_set_type,
    ),
    "setunion": define(
        "setunion",
        [P("first_set", _SET, allow_dynamic=True)],
        _set_operation("union"),
        varparam=P("other_sets", _SET, allow_dynamic=True),
        type_fn=_set_type,
    ),
    "setsubtract": define(
        "setsubtract",
        [P("a", _SET, allow_dynamic=True), P("b", _SET, allow_dynamic=True)],
        _set_operation("subtract"),
        type_fn=_set_type,
    ),
    "setproduct": define(
        "setproduct",
        [],
        _setproduct,
        varparam=P("sets", ANY, allow_unknown=True),
        type_fn=_setproduct_type,
    ),
    "slice": define(
        "slice",
        [P("list"), P("start_index", NUMBER), P("end_index", NUMBER)],
        _slice,
        type_fn=_slice_type,
    ),
    "sort": define(
        "sort", [P("list", ListType(STRING), allow_unknown=True)], _sort, returns=ListType(STRING)
    ),
    "sum": define("sum", [P("list")], _sum, returns=NUMBER),
    "transpose": define(
        "transpose",
        [P("values", MapType(ListType(STRING)))],
        _transpose,
        returns=MapType(ListType(STRING)),
    ),
    "values": define("values", [P("mapping")], _values, type_fn=_values_type),
    "zipmap": define(
        "zipmap", [P("keys", ListType(STRING)), P("values")], _zipmap, type_fn=_zipmap_type
    ),
    "list": _removed("list", "tolist([ ... ])"),
    "map": _removed("map", "tomap({ ... })"),
}
