"""Helpers shared by the function families: errors worded as Terraform words them, go-cty's
integer conversion (``gocty.FromCtyValue`` into an ``int``), cty's ``Equals``, unknown results
that keep the reason of the unknown that caused them, and the size caps that keep a hostile
call (``range(1e9)``, ``setproduct`` of large lists) from exhausting the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from engine.terraform import values as v
from engine.terraform.functions.base import Function, FunctionError, Param
from engine.terraform.values import (
    DYNAMIC,
    NUMBER,
    Number,
    SetType,
    Type,
    Unknown,
    Value,
)

#: Largest collection a function may build (range, setproduct, chunklist...). Terraform has
#: no such cap (it would run out of memory); the engine refuses instead.
MAX_ELEMENTS = 100_000
#: Largest string a function may build (format widths, indent, join, replace...).
MAX_STRING = 16 * 1024 * 1024

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1


def arg_error(index: int, name: str, message: str) -> FunctionError:
    """An error blamed on one argument, as HCL reports cty's ``ArgError``."""
    return FunctionError(f'Invalid value for "{name}" parameter: {message}.', index)


def fail(message: str) -> FunctionError:
    """An error of the call as a whole ("Call to function ... failed: <message>")."""
    return FunctionError(message)


# --- declaring functions the way go-cty does ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class P:
    """A parameter as go-cty declares it (``function.Parameter``).

    Arguments are converted to ``type`` by the caller. ``allow_unknown`` lets the
    implementation see an unknown argument (else the result is unknown, without running it);
    ``allow_dynamic`` lets it see an argument whose type is itself unknown (an untyped
    ``null``): else the result is unknown too, as cty makes it. Collections that merely
    *contain* unknowns always reach the implementation, which must handle them, as in cty.
    """

    name: str
    type: Type = DYNAMIC
    allow_null: bool = False
    allow_unknown: bool = False
    allow_dynamic: bool = False


TypeFn = Callable[[list[Value]], Type]
ImplFn = Callable[[list[Value], Type], Value]


def define(
    name: str,
    params: Sequence[P],
    impl: ImplFn,
    *,
    varparam: P | None = None,
    returns: Type = DYNAMIC,
    type_fn: TypeFn | None = None,
) -> Function:
    """A :class:`Function` that checks and short-circuits its arguments as cty's
    ``Function.Call`` does: null and dynamic-type checks in parameter order, then the type
    function (which sees unknown values too and may reject the call), then unknowns, then
    ``impl(args, return_type)``."""
    fixed = tuple(params)

    def spec(index: int) -> P:
        if index < len(fixed):
            return fixed[index]
        assert varparam is not None
        return varparam

    def call(args: list[Value]) -> Value:
        for index, arg in enumerate(args):
            if arg.type is DYNAMIC and not spec(index).allow_dynamic:
                reason = (
                    arg.v.reason
                    if isinstance(arg.v, Unknown)
                    else f"{name}() was given a null value of unknown type"
                )
                return Value(DYNAMIC, Unknown(reason))
        ret = type_fn(args) if type_fn is not None else returns
        for index, arg in enumerate(args):
            if not arg.is_known and not spec(index).allow_unknown:
                return Value(ret, arg.v)
        return impl(args, ret)

    def base_param(p: P) -> Param:
        return Param(p.name, p.type, p.allow_null, allow_unknown=True, allow_partial=True)

    return Function(
        name,
        tuple(base_param(p) for p in fixed),
        call,
        varparam=base_param(varparam) if varparam is not None else None,
        returns=returns,
    )


# --- numbers --------------------------------------------------------------------------------------


def whole_number_error() -> str:
    """gocty's message for a number that does not fit an ``int``."""
    return f"value must be a whole number, between {INT64_MIN} and {INT64_MAX}"


def to_int(value: Value) -> int:
    """A number as ``gocty.FromCtyValue(val, &int)`` reads it, or ValueError with its message."""
    number: Number = value.v
    if not number.is_integer():
        raise ValueError(whole_number_error())
    result = number.as_int()
    if not INT64_MIN <= result <= INT64_MAX:
        raise ValueError(whole_number_error())
    return result


def int_value(number: int) -> Value:
    """``cty.NumberIntVal``."""
    return Value(NUMBER, Number(Fraction(number), max(v.INT_PRECISION, number.bit_length())))


def float_value(number: float) -> Value:
    """``cty.NumberFloatVal``: a float64 result (53-bit precision)."""
    return Value(NUMBER, Number.of(number))


# --- unknowns -------------------------------------------------------------------------------------


def impure(type_: Type, reason: str) -> Value:
    return Value(type_, Unknown(reason))


# --- equality -------------------------------------------------------------------------------------


def equals(a: Value, b: Value) -> bool | None:
    """cty's ``Equals``: None when the answer depends on an unknown value."""
    if not a.is_known or not b.is_known:
        return None
    if a.is_null or b.is_null:
        return a.is_null and b.is_null
    if a.type != b.type and not (a.type is DYNAMIC or b.type is DYNAMIC):
        return False
    x, y = a.v, b.v
    if isinstance(x, tuple):
        if not isinstance(y, tuple) or len(x) != len(y):
            return False
        pending = False
        if isinstance(a.type, SetType):
            # sets: known elements compare as sets; any unknown makes it undecidable
            if any(not item.is_wholly_known() for item in (*x, *y)):
                return None
            return {_key(item) for item in x} == {_key(item) for item in y}
        for item_a, item_b in zip(x, y, strict=True):
            result = equals(item_a, item_b)
            if result is None:
                pending = True
            elif not result:
                return False
        return None if pending else True
    if isinstance(x, dict):
        if not isinstance(y, dict) or x.keys() != y.keys():
            return False
        pending = False
        for key in x:
            result = equals(x[key], y[key])
            if result is None:
                pending = True
            elif not result:
                return False
        return None if pending else True
    if isinstance(x, Number):
        return isinstance(y, Number) and x.value == y.value
    return bool(x == y) and type(x) is type(y)


def _key(value: Value) -> object:
    return hash_key(value)


def hash_key(value: Value) -> object:
    """A hashable key identifying a wholly known value (numbers by exact value)."""
    payload = value.v
    if isinstance(payload, tuple):
        return ("t", tuple(hash_key(item) for item in payload))
    if isinstance(payload, dict):
        return ("d", tuple((k, hash_key(payload[k])) for k in sorted(payload)))
    if isinstance(payload, Number):
        return ("n", payload.value)
    if payload is None:
        return ("null",)
    return (type(payload).__name__, payload)


# --- collections ----------------------------------------------------------------------------------


def check_size(size: int, what: str = "collection") -> None:
    if size > MAX_ELEMENTS:
        raise fail(
            f"the resulting {what} would have {size} elements, "
            f"more than this engine allows ({MAX_ELEMENTS})"
        )


def check_string(size: int) -> None:
    if size > MAX_STRING:
        raise fail(
            f"the resulting string would be {size} characters long, more than this engine allows"
        )


def friendly(type_: Type) -> str:
    """cty's ``FriendlyName`` (what error messages print)."""
    if type_ is DYNAMIC:
        return "dynamic"
    return type_.friendly()


# --- JSON, as go-cty's json.Marshal writes it -----------------------------------------------------


def json_string(text: str) -> str:
    """Go's ``encoding/json`` string encoding (HTML-safe: ``<>&`` as ``\\u003c``...)."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[char])
        elif code < 0x20 or char in "<>&" or code in (0x2028, 0x2029):
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


_JSON_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


class JSONError(Exception):
    """A value cty's JSON marshalling refuses (unknown, infinity)."""


def json_number(number: Number) -> str:
    from engine.terraform.functions._gonum import float_text

    if number.is_infinite():
        raise JSONError("cannot serialize infinity as JSON")
    return float_text(number, "f", -1)


def json_marshal(value: Value) -> str:
    """cty's ``json.Marshal(val, val.Type())``: keys sorted, no spaces."""
    parts: list[str] = []
    _marshal(value, parts)
    return "".join(parts)


def _marshal(value: Value, out: list[str]) -> None:
    payload = value.v
    if payload is None:
        out.append("null")
        return
    if isinstance(payload, Unknown):
        raise JSONError("value is not known")
    if isinstance(payload, str):
        out.append(json_string(payload))
    elif isinstance(payload, bool):
        out.append("true" if payload else "false")
    elif isinstance(payload, Number):
        out.append(json_number(payload))
    elif isinstance(payload, tuple):
        out.append("[")
        for index, item in enumerate(payload):
            if index:
                out.append(",")
            _marshal(item, out)
        out.append("]")
    else:
        out.append("{")
        for index, key in enumerate(sorted(payload)):
            if index:
                out.append(",")
            out.append(json_string(key))
            out.append(":")
            _marshal(payload[key], out)
        out.append("}")
