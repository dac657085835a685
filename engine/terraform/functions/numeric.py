"""Terraform's numeric functions: ``abs ceil floor log max min parseint pow signum``.

``abs``/``ceil``/``floor``/``max``/``min`` work on the exact value and keep its precision, as
go-cty's big.Float arithmetic does. ``log`` and ``pow`` go through float64 like Go's ``math``
package (``pow`` reproduces Go's ``math.Pow`` algorithm, which is not always correctly rounded),
so their results have 53-bit precision. A NaN result is the error Terraform reports (a panic
in the function, caught by cty).
"""

from __future__ import annotations

import math
import sys
from fractions import Fraction

from engine.terraform import values as v
from engine.terraform.functions._util import (
    arg_error,
    fail,
    float_value,
    int_value,
    to_int,
)
from engine.terraform.functions.base import Function, Param
from engine.terraform.values import DYNAMIC, NUMBER, STRING, Number, Value

_NAN_PANIC = "panic in function implementation: Float.SetFloat64(NaN)"


def _abs(args: list[Value]) -> Value:
    number: Number = args[0].v
    value = number.value
    return Value(NUMBER, Number(-value if value < 0 else value, number.prec))


def _round(args: list[Value], up: bool) -> Value:
    number: Number = args[0].v
    if number.is_infinite():
        return args[0]
    value = number.value
    assert isinstance(value, Fraction)
    result = math.ceil(value) if up else math.floor(value)
    return Value(NUMBER, Number(Fraction(result), number.prec))


def _float_arg(value: Value) -> float:
    """gocty's conversion of a number to float64 (an error when it does not fit)."""
    number: Number = value.v
    if number.is_infinite():
        return float(number.value)
    try:
        result = float(number.value)
    except OverflowError:
        result = math.inf
    if math.isinf(result):
        limit = f"{sys.float_info.max:f}"
        raise fail(f"value must be between -{limit} and {limit}")
    return result


def _float_result(result: float) -> Value:
    if math.isnan(result):
        raise fail(_NAN_PANIC)
    return float_value(result)


def go_log(x: float) -> float:
    if math.isnan(x) or x < 0:
        return math.nan
    if x == 0:
        return -math.inf
    if math.isinf(x):
        return math.inf
    return math.log(x)


def _log(args: list[Value]) -> Value:
    num = _float_arg(args[0])
    base = _float_arg(args[1])
    a, b = go_log(num), go_log(base)
    if math.isnan(a) or math.isnan(b):
        raise fail(_NAN_PANIC)
    if b == 0:
        if a == 0:
            raise fail(_NAN_PANIC)
        result = math.copysign(math.inf, a)
    elif math.isinf(a) and math.isinf(b):
        raise fail(_NAN_PANIC)
    else:
        result = a / b
    return _float_result(result)


def _is_odd_int(x: float) -> bool:
    if abs(x) >= 1 << 53:
        return False
    integral, fractional = math.modf(x)
    return fractional == 0 and int(integral) & 1 == 1


def go_pow(x: float, y: float) -> float:
    """Go's ``math.Pow``, step for step (it rounds differently from C's ``pow``)."""
    if y == 0 or x == 1:
        return 1.0
    if y == 1:
        return x
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if x == 0:
        negative_zero = math.copysign(1.0, x) < 0
        if y < 0:
            return -math.inf if negative_zero and _is_odd_int(y) else math.inf
        return x if negative_zero and _is_odd_int(y) else 0.0
    if math.isinf(y):
        if x == -1:
            return 1.0
        if (abs(x) < 1) == (y > 0):
            return 0.0
        return math.inf
    if math.isinf(x):
        if x < 0:
            return go_pow(1 / x, -y)
        return 0.0 if y < 0 else math.inf
    if y == 0.5:
        return math.sqrt(x) if x >= 0 else math.nan
    if y == -0.5:
        return 1 / math.sqrt(x) if x >= 0 else math.nan

    yf, yi = math.modf(abs(y))
    if yf != 0 and x < 0:
        return math.nan
    if yi >= 1 << 63:
        if x == -1:
            return 1.0
        if (abs(x) < 1) == (y > 0):
            return 0.0
        return math.inf

    a1 = 1.0
    ae = 0
    if yf != 0:
        if yf > 0.5:
            yf -= 1
            yi += 1
        a1 = math.exp(yf * math.log(x))

    x1, xe = math.frexp(x)
    i = int(yi)
    while i != 0:
        if xe < -(1 << 12) or xe > (1 << 12):
            ae += xe
            break
        if i & 1 == 1:
            a1 *= x1
            ae += xe
        x1 *= x1
        xe <<= 1
        if x1 < 0.5:
            x1 += x1
            xe -= 1
        i >>= 1

    if y < 0:
        a1 = 1 / a1
        ae = -ae
    try:
        return math.ldexp(a1, ae)
    except OverflowError:
        return math.copysign(math.inf, a1)


def _pow(args: list[Value]) -> Value:
    return _float_result(go_pow(_float_arg(args[0]), _float_arg(args[1])))


def _extreme(args: list[Value], want_max: bool) -> Value:
    if not args:
        raise fail("must pass at least one number")
    best = args[0]
    for arg in args[1:]:
        if (arg.v.value > best.v.value) if want_max else (arg.v.value < best.v.value):
            best = arg
    return best


def _signum(args: list[Value]) -> Value:
    try:
        number = to_int(args[0])
    except ValueError as exc:
        raise fail(str(exc)) from None
    return int_value((number > 0) - (number < 0))


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def parse_big_int(text: str, base: int) -> int | None:
    """Go's ``big.Int.SetString(text, base)`` for 2 <= base <= 62 (no prefixes, no ``_``)."""
    body = text
    negative = False
    if body[:1] in ("+", "-"):
        negative = body[0] == "-"
        body = body[1:]
    if not body:
        return None
    result = 0
    for char in body:
        if base <= 36:
            digit = _DIGITS.find(char.lower()) if char.isascii() else -1
        else:
            digit = _DIGITS.find(char) if char.isascii() else -1
        if digit < 0 or digit >= base:
            return None
        result = result * base + digit
    return -result if negative else result


def _parseint(args: list[Value]) -> Value:
    text_value, base_value = args
    if text_value.type is not STRING:
        raise arg_error(
            0, "number", f"first argument must be a string, not {text_value.type.friendly()}"
        )
    if not text_value.is_known or not base_value.is_known:
        return v.unknown((text_value.v if not text_value.is_known else base_value.v).reason, NUMBER)
    try:
        base = to_int(base_value)
    except ValueError as exc:
        raise arg_error(1, "base", str(exc)) from None
    if base < 2 or base > 62:
        raise arg_error(1, "base", "base must be a whole number between 2 and 62 inclusive")
    text: str = text_value.v
    if len(text) > 100_000:
        raise arg_error(0, "number", "the string is too long to parse")
    parsed = parse_big_int(text, base)
    if parsed is None:
        quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        raise arg_error(0, "number", f"cannot parse {quoted} as a base {base} integer")
    return Value(NUMBER, Number(Fraction(parsed), max(64, parsed.bit_length())))


def _num(name: str) -> Param:
    return Param(name, NUMBER)


FUNCTIONS: dict[str, Function] = {
    "abs": Function("abs", (_num("num"),), _abs, returns=NUMBER),
    "ceil": Function("ceil", (_num("num"),), lambda a: _round(a, True), returns=NUMBER),
    "floor": Function("floor", (_num("num"),), lambda a: _round(a, False), returns=NUMBER),
    "log": Function("log", (_num("num"), _num("base")), _log, returns=NUMBER),
    "pow": Function("pow", (_num("num"), _num("power")), _pow, returns=NUMBER),
    "max": Function(
        "max", (), lambda a: _extreme(a, True), varparam=_num("numbers"), returns=NUMBER
    ),
    "min": Function(
        "min", (), lambda a: _extreme(a, False), varparam=_num("numbers"), returns=NUMBER
    ),
    "signum": Function("signum", (_num("num"),), _signum, returns=NUMBER),
    "parseint": Function(
        "parseint",
        (
            Param("number", DYNAMIC, allow_unknown=True),
            Param("base", NUMBER, allow_unknown=True),
        ),
        _parseint,
        returns=NUMBER,
    ),
}
