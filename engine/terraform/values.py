"""Terraform's values and types (go-cty's model), with unknowns that say why they are unknown.

Everything the evaluator computes is a :class:`Value`: a :class:`Type` plus a payload.

* primitives: ``STRING`` (a Python ``str``, NFC-normalised as cty does), ``NUMBER`` (a
  :class:`Number`: an exact binary fraction with the precision Go's ``big.Float`` would hold),
  ``BOOL``;
* collections: ``ListType`` / ``SetType`` (a tuple of element values; sets kept in cty's order),
  ``MapType`` (a dict, iterated in key order);
* structural: ``TupleType`` (a tuple of values), ``ObjectType`` (a dict of attribute values).
  An *open* object type stands for a resource or data source whose provider would add
  attributes we cannot know: reading an attribute it does not list gives an unknown;
* ``DYNAMIC`` is cty's ``DynamicPseudoType`` ("any type"), used for values whose type is itself
  unknown.

A value is *known*, *null* (payload ``None``) or *unknown* (payload an :class:`Unknown` with the
reason, e.g. ``"aws_instance.web.id is known only after apply"``). Collections can be known
while some of their elements are unknown: a ``for_each`` map whose keys are known but whose
values are not still has known keys. Values are immutable.
"""

from __future__ import annotations

import math
import unicodedata
from abc import abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final

# --- types ---------------------------------------------------------------------------------


class Type:
    """Base of every type. Types are immutable, hashable and compared structurally."""

    __slots__ = ()

    @abstractmethod
    def friendly(self) -> str:
        """The type as Terraform's messages write it (``list of string``). Every concrete
        type defines it; no ABCMeta, which would slow every ``isinstance`` on the hot path."""

    def is_primitive(self) -> bool:
        return False

    def is_collection(self) -> bool:
        return isinstance(self, ListType | SetType | MapType)

    def __repr__(self) -> str:
        return self.friendly()


class _Primitive(Type):
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def friendly(self) -> str:
        return self.name

    def is_primitive(self) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return hash(self.name)

    def __reduce__(self) -> str:
        # Pickled by name (the parse cache on disk stores literals): types are compared by
        # identity, so unpickling must give back the module's own STRING, NUMBER, BOOL.
        return self.name.upper()


class _Dynamic(Type):
    __slots__ = ()

    def friendly(self) -> str:
        return "dynamic"

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return hash("dynamic")

    def __reduce__(self) -> str:
        return "DYNAMIC"  # the singleton, by name (see _Primitive.__reduce__)


STRING: Final = _Primitive("string")
NUMBER: Final = _Primitive("number")
BOOL: Final = _Primitive("bool")
DYNAMIC: Final = _Dynamic()


@dataclass(frozen=True, slots=True, repr=False)
class ListType(Type):
    element: Type

    def friendly(self) -> str:
        return f"list of {self.element.friendly()}"


@dataclass(frozen=True, slots=True, repr=False)
class SetType(Type):
    element: Type

    def friendly(self) -> str:
        return f"set of {self.element.friendly()}"


@dataclass(frozen=True, slots=True, repr=False)
class MapType(Type):
    element: Type

    def friendly(self) -> str:
        return f"map of {self.element.friendly()}"


@dataclass(frozen=True, slots=True, repr=False)
class TupleType(Type):
    elements: tuple[Type, ...]

    def friendly(self) -> str:
        return "tuple"


@dataclass(frozen=True, slots=True, repr=False)
class ObjectType(Type):
    """An object type; ``optional`` names attributes a type constraint marks ``optional()``.

    ``open`` objects stand for resources and data sources: attributes not listed are unknown
    rather than missing (their provider adds them at plan or apply time).
    """

    attributes: Mapping[str, Type]
    optional: frozenset[str] = frozenset()
    open: bool = False

    def friendly(self) -> str:
        return "object"

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.attributes.items(), key=lambda kv: kv[0])), self.optional))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ObjectType)
            and dict(self.attributes) == dict(other.attributes)
            and self.optional == other.optional
        )


EMPTY_OBJECT: Final = ObjectType({})
EMPTY_TUPLE: Final = TupleType(())


def element_type(type_: Type) -> Type:
    if isinstance(type_, ListType | SetType | MapType):
        return type_.element
    return DYNAMIC


def type_json(type_: Type) -> Any:
    """The type as ``terraform output -json`` prints it (``["list","string"]``...)."""
    if type_ is DYNAMIC:
        return "dynamic"
    if isinstance(type_, _Primitive):
        return type_.name
    if isinstance(type_, ListType):
        return ["list", type_json(type_.element)]
    if isinstance(type_, SetType):
        return ["set", type_json(type_.element)]
    if isinstance(type_, MapType):
        return ["map", type_json(type_.element)]
    if isinstance(type_, TupleType):
        return ["tuple", [type_json(item) for item in type_.elements]]
    assert isinstance(type_, ObjectType)
    return ["object", {name: type_json(item) for name, item in sorted(type_.attributes.items())}]


def has_dynamic(type_: Type) -> bool:
    """True when the type is or contains ``DYNAMIC`` (its exact shape is not known yet)."""
    if type_ is DYNAMIC:
        return True
    if isinstance(type_, ListType | SetType | MapType):
        return has_dynamic(type_.element)
    if isinstance(type_, TupleType):
        return any(has_dynamic(item) for item in type_.elements)
    if isinstance(type_, ObjectType):
        return any(has_dynamic(item) for item in type_.attributes.values())
    return False


# --- numbers -------------------------------------------------------------------------------

#: Go's big.Float precision for parsed numbers (HCL literals, string conversions).
LITERAL_PRECISION: Final = 512
#: cty.NumberIntVal uses SetInt64, which takes 64 bits.
INT_PRECISION: Final = 64
#: cty.NumberFloatVal (float64 results of math functions).
FLOAT_PRECISION: Final = 53


def _round_to_precision(value: Fraction, prec: int) -> Fraction:
    """Round ``value`` to a binary float with a ``prec``-bit mantissa, ties to even."""
    if value == 0:
        return value
    negative = value < 0
    n, d = abs(value.numerator), value.denominator
    # exponent e such that 2**(prec-1) <= n / d / 2**e < 2**prec
    e = n.bit_length() - d.bit_length() - prec
    while True:
        if e >= 0:
            scaled_n, scaled_d = n, d << e
        else:
            scaled_n, scaled_d = n << -e, d
        q, r = divmod(scaled_n, scaled_d)
        if q >= 1 << prec:
            e += 1
            continue
        if q < 1 << (prec - 1):
            e -= 1
            continue
        break
    twice = 2 * r
    if twice > scaled_d or (twice == scaled_d and q & 1):
        q += 1
    result = Fraction(q) * (Fraction(2) ** e)
    return -result if negative else result


class Number:
    """A number as go-cty holds it: a binary floating-point value of some precision.

    ``value`` is exact (a :class:`Fraction`, or ``±inf`` as a float); ``prec`` is the mantissa
    size in bits that Go's ``big.Float`` would have, which decides how arithmetic rounds and
    how the number is printed (``1/3`` prints 155 digits at 512 bits, 17 at 53).
    """

    __slots__ = ("prec", "value")

    def __init__(self, value: Fraction | float, prec: int = LITERAL_PRECISION) -> None:
        self.value = value
        self.prec = prec

    @classmethod
    def of(cls, value: int | float | Fraction | str, prec: int | None = None) -> Number:
        if isinstance(value, bool):
            raise TypeError("bool is not a number")
        if isinstance(value, int):
            return cls(Fraction(value), prec or max(INT_PRECISION, value.bit_length()))
        if isinstance(value, float):
            if math.isinf(value):
                return cls(value, prec or FLOAT_PRECISION)
            if math.isnan(value):
                raise ValueError("NaN is not a number")
            return cls(Fraction(value), prec or FLOAT_PRECISION)
        if isinstance(value, Fraction):
            p = prec or LITERAL_PRECISION
            return cls(_round_to_precision(value, p), p)
        return parse_number(value)

    def rounded(self, value: Fraction | float, prec: int) -> Number:
        if isinstance(value, float):
            return Number(value, prec)
        return Number(_round_to_precision(value, prec), prec)

    def is_integer(self) -> bool:
        return isinstance(self.value, Fraction) and self.value.denominator == 1

    def is_infinite(self) -> bool:
        return isinstance(self.value, float)

    def as_int(self) -> int:
        if isinstance(self.value, float):
            raise OverflowError("infinity")
        return int(self.value)

    def as_float(self) -> float:
        return float(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Number) and self.value == other.value

    def __reduce__(self) -> tuple[type[Number], tuple[Fraction | float, int]]:
        return (Number, (self.value, self.prec))  # by constructor: fast to unpickle

    def __hash__(self) -> int:
        return hash(self.value)

    def __lt__(self, other: Number) -> bool:
        return self.value < other.value

    def __repr__(self) -> str:
        return format_number(self)


def parse_number(text: str) -> Number:
    """Parse a decimal number as cty.ParseNumberVal does (512-bit precision)."""
    stripped = text.strip()
    if not stripped or stripped != text:
        raise ValueError(f"cannot parse {text!r} as a number")
    lowered = stripped.lower()
    if lowered.startswith(("0x", "-0x", "+0x")) or "_" in stripped:
        raise ValueError(f"cannot parse {text!r} as a number")
    if lowered in ("inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan"):
        raise ValueError(f"cannot parse {text!r} as a number")
    try:
        exact = Fraction(stripped)
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"cannot parse {text!r} as a number") from exc
    return Number(_round_to_precision(exact, LITERAL_PRECISION), LITERAL_PRECISION)


def _decimal_digits(value: Fraction) -> tuple[str, int]:
    """Exact decimal expansion of a dyadic fraction: (digits, exponent) with value =
    0.digits * 10**exponent."""
    n, d = value.numerator, value.denominator
    if d == 1:
        digits = str(n)
        return digits.rstrip("0") or "0", len(digits)
    # d is a power of two: multiply by 5**k to make it a power of ten.
    k = d.bit_length() - 1
    digits = str(n * 5**k)
    exponent = len(digits) - k
    return digits.rstrip("0") or "0", exponent


def _shortest(value: Fraction, prec: int) -> tuple[str, int]:
    """The shortest decimal (digits, exponent; value ~ 0.digits * 10**exponent) that rounds
    back to ``value`` at ``prec`` bits: Go's ``big.Float.Text('f', -1)``."""
    digits, exponent = _decimal_digits(value)
    # The half-ulp interval around value.
    n, d = value.numerator, value.denominator
    e = n.bit_length() - d.bit_length() - prec
    q = (n << -e) // d if e < 0 else n // (d << e)
    if q >= 1 << prec:
        e += 1
    elif q < 1 << (prec - 1):
        e -= 1
    half_ulp = Fraction(2) ** (e - 1)
    mantissa_even = True
    scaled = value / (Fraction(2) ** e)
    if scaled.denominator == 1:
        mantissa_even = scaled.numerator % 2 == 0
    # Go's big.Float uses the symmetric half-ulp interval, even at a power of two (where
    # strconv would take the closer lower neighbour into account).
    low, high = value - half_ulp, value + half_ulp

    def attempt(size: int) -> tuple[bool, str, int]:
        scale = Fraction(10) ** (exponent - size)
        rounded = round(value / scale)  # Fraction.__round__: ties to even
        candidate = rounded * scale
        inside = low < candidate < high or (mantissa_even and candidate in (low, high))
        text = str(rounded)
        # carrying (9.99 -> 10.0) may lengthen the digit string
        return inside, text.rstrip("0") or "0", exponent + (len(text) - size)

    # A longer rounding is never further from the value, so the sizes that fit form a
    # suffix of 1..len(digits): binary-search its start.
    lo, hi = 1, len(digits)
    while lo < hi:
        mid = (lo + hi) // 2
        if attempt(mid)[0]:
            hi = mid
        else:
            lo = mid + 1
    inside, text, exp = attempt(lo)
    return (text, exp) if inside else (digits, exponent)


def format_number(number: Number) -> str:
    """A number as Terraform prints it (``tostring``, templates, JSON output)."""
    value = number.value
    if isinstance(value, float):
        return "+Inf" if value > 0 else "-Inf"
    if value.denominator == 1 and value.numerator.bit_length() <= number.prec:
        return str(value.numerator)
    negative = value < 0
    digits, exponent = _shortest(abs(value), number.prec)
    if exponent <= 0:
        text = "0." + "0" * (-exponent) + digits
    elif exponent >= len(digits):
        text = digits + "0" * (exponent - len(digits))
    else:
        text = digits[:exponent] + "." + digits[exponent:]
    return ("-" if negative else "") + text


# --- values --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unknown:
    """Why a value is unknown: ``"aws_instance.web.id is known only after apply"``.

    ``origin`` optionally names what the value is an attribute of (a resource instance address
    and attribute), so pricing can follow references from one resource to another.
    """

    reason: str
    origin: tuple[str, str] | None = None


class Value:
    """A typed value: known, null (``v is None``) or unknown (``v`` an :class:`Unknown`)."""

    __slots__ = ("type", "v")

    def __init__(self, type_: Type, v: Any) -> None:
        self.type = type_
        self.v = v

    def __reduce__(self) -> tuple[type[Value], tuple[Type, Any]]:
        # By constructor, not slot state: parsed literals come back from the parse cache on
        # disk several times faster.
        return (Value, (self.type, self.v))

    # --- state ---------------------------------------------------------------------------

    @property
    def is_null(self) -> bool:
        return self.v is None

    @property
    def is_known(self) -> bool:
        return not isinstance(self.v, Unknown)

    @property
    def unknown(self) -> Unknown | None:
        return self.v if isinstance(self.v, Unknown) else None

    def is_wholly_known(self) -> bool:
        """Known all the way down (no unknown element at any depth)."""
        return first_unknown(self) is None

    # --- collection access ---------------------------------------------------------------

    def elements(self) -> tuple[Value, ...]:
        """Elements of a known list, set or tuple."""
        assert isinstance(self.v, tuple)
        return self.v

    def items(self) -> Iterator[tuple[str, Value]]:
        """Key/value pairs of a known map or object, in key order."""
        assert isinstance(self.v, dict)
        for key in sorted(self.v):
            yield key, self.v[key]

    def length(self) -> int:
        if isinstance(self.v, tuple | dict):
            return len(self.v)
        if isinstance(self.v, str):
            return grapheme_length(self.v)
        raise TypeError("value has no length")

    def __repr__(self) -> str:
        if isinstance(self.v, Unknown):
            return f"<unknown {self.type.friendly()}: {self.v.reason}>"
        if self.v is None:
            return f"<null {self.type.friendly()}>"
        return f"<{self.type.friendly()} {to_python(self)!r}>"

    def __eq__(self, other: object) -> bool:
        """Structural equality of wholly known values (for tests and sets, not HCL ``==``)."""
        if not isinstance(other, Value):
            return NotImplemented
        return self.type == other.type and _payload_equal(self.v, other.v)

    def __hash__(self) -> int:
        return hash(_hash_key(self))


def _payload_equal(a: Any, b: Any) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(x == y for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(a[k] == b[k] for k in a)
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return isinstance(a, Unknown) and isinstance(b, Unknown)
    return bool(a == b) and type(a) is type(b)


def _hash_key(value: Value) -> Any:
    v = value.v
    if isinstance(v, tuple):
        return ("t", tuple(_hash_key(item) for item in v))
    if isinstance(v, dict):
        return ("d", tuple((k, _hash_key(v[k])) for k in sorted(v)))
    if isinstance(v, Unknown):
        return ("u",)
    return (type(v).__name__, v)


class OpenObject(Value):
    """A resource or data source instance: the attributes its configuration sets, plus
    ``address``; any other attribute is computed by its provider and is unknown here."""

    __slots__ = ("address",)

    def __init__(self, attributes: Mapping[str, Value], address: str) -> None:
        attrs = dict(attributes)
        super().__init__(ObjectType({k: item.type for k, item in attrs.items()}, open=True), attrs)
        self.address = address

    def computed(self, name: str) -> Value:
        return unknown(
            f"{self.address}.{name} is known only after apply", origin=(self.address, name)
        )


# --- constructors ----------------------------------------------------------------------------

NULL: Final = Value(DYNAMIC, None)
TRUE: Final = Value(BOOL, True)
FALSE: Final = Value(BOOL, False)


def string(text: str) -> Value:
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return Value(STRING, text)


def number(value: int | float | Fraction | str | Number) -> Value:
    return Value(NUMBER, value if isinstance(value, Number) else Number.of(value))


def boolean(flag: bool) -> Value:
    return TRUE if flag else FALSE


def null(type_: Type = DYNAMIC) -> Value:
    return NULL if type_ is DYNAMIC else Value(type_, None)


def unknown(reason: str, type_: Type = DYNAMIC, origin: tuple[str, str] | None = None) -> Value:
    return Value(type_, Unknown(reason, origin))


def tuple_of(items: Iterable[Value]) -> Value:
    elements = tuple(items)
    return Value(TupleType(tuple(item.type for item in elements)), elements)


def object_of(attributes: Mapping[str, Value], *, open_: bool = False) -> Value:
    attrs = dict(attributes)
    return Value(ObjectType({k: v.type for k, v in attrs.items()}, open=open_), attrs)


def list_of(items: Iterable[Value], element: Type) -> Value:
    return Value(ListType(element), tuple(items))


def map_of(items: Mapping[str, Value], element: Type) -> Value:
    return Value(MapType(element), dict(items))


def set_of(items: Iterable[Value], element: Type) -> Value:
    """A set value: duplicates removed, ordered as cty orders set elements."""
    return Value(SetType(element), sort_set(dedupe(items)))


def dedupe(items: Iterable[Value]) -> list[Value]:
    seen: set[Any] = set()
    out: list[Value] = []
    for item in items:
        if not item.is_known:
            out.append(item)  # unknown set elements are never merged
            continue
        key = _hash_key(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def sort_set(items: list[Value]) -> tuple[Value, ...]:
    """cty's set order: strings lexically, numbers numerically, false before true;
    other element types in a stable order of their canonical text; unknowns last."""
    known = [item for item in items if item.is_known and item.v is not None]
    rest = [item for item in items if not (item.is_known and item.v is not None)]
    if known and all(isinstance(item.v, str) for item in known):
        known.sort(key=lambda item: item.v)
    elif known and all(isinstance(item.v, Number) for item in known):
        known.sort(key=lambda item: item.v.value)
    elif known and all(isinstance(item.v, bool) for item in known):
        known.sort(key=lambda item: item.v)
    else:
        known.sort(key=lambda item: repr(_hash_key(item)))
    return tuple(known + rest)


# --- inspection ------------------------------------------------------------------------------


def first_unknown(value: Value) -> Unknown | None:
    """The first unknown in ``value`` (itself or an element at any depth)."""
    v = value.v
    if isinstance(v, Unknown):
        return v
    if isinstance(v, tuple):
        for item in v:
            found = first_unknown(item)
            if found is not None:
                return found
    elif isinstance(v, dict):
        for key in sorted(v):
            found = first_unknown(v[key])
            if found is not None:
                return found
    return None


def to_python(value: Value) -> Any:
    """A plain Python rendering (numbers as int or str of the decimal); unknowns as the
    :class:`Unknown` itself. For debugging and tests."""
    v = value.v
    if isinstance(v, Unknown) or v is None or isinstance(v, str | bool):
        return v
    if isinstance(v, Number):
        return v.as_int() if v.is_integer() else format_number(v)
    if isinstance(v, tuple):
        return [to_python(item) for item in v]
    return {key: to_python(item) for key, item in value.items()}


def to_json(value: Value) -> Any:
    """The value as ``terraform output -json`` prints it; unknowns become ``None``."""
    v = value.v
    if isinstance(v, Unknown) or v is None:
        return None
    if isinstance(v, str | bool):
        return v
    if isinstance(v, Number):
        if v.is_integer():
            return v.as_int()
        text = format_number(v)
        return float(text) if len(text) <= 17 else Fraction(text)
    if isinstance(v, tuple):
        return [to_json(item) for item in v]
    return {key: to_json(item) for key, item in value.items()}


def from_python(data: Any) -> Value:
    """A JSON-like Python value as Terraform reads JSON: objects, tuples, numbers..."""
    if isinstance(data, Value):
        return data
    if data is None:
        return NULL
    if isinstance(data, bool):
        return boolean(data)
    if isinstance(data, int | float | Fraction):
        return number(data if not isinstance(data, float) else Fraction(repr(data)))
    if isinstance(data, str):
        return string(data)
    if isinstance(data, list | tuple):
        return tuple_of(from_python(item) for item in data)
    if isinstance(data, dict):
        return object_of({str(k): from_python(v) for k, v in data.items()})
    raise TypeError(f"cannot convert {type(data).__name__} to a Terraform value")


# --- strings -------------------------------------------------------------------------------


def _is_extender(char: str) -> bool:
    if unicodedata.combining(char):
        return True
    category = unicodedata.category(char)
    if category in ("Mn", "Me", "Mc"):
        return True
    code = ord(char)
    return (
        code == 0x200D  # zero-width joiner
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag characters
    )


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def graphemes(text: str) -> list[str]:
    """Split into user-perceived characters, as cty's string functions count them.

    An approximation of Unicode extended grapheme clusters good for real text: a base
    character with its combining marks, ZWJ sequences, regional-indicator pairs and CRLF.
    """
    if text.isascii() and "\r\n" not in text:
        return list(text)
    clusters: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        j = i + 1
        if (char == "\r" and j < len(text) and text[j] == "\n") or (
            0x1F1E6 <= ord(char) <= 0x1F1FF and j < len(text) and 0x1F1E6 <= ord(text[j]) <= 0x1F1FF
        ):
            j += 1
        else:
            while j < len(text):
                if _is_extender(text[j]):
                    joiner = text[j] == "\u200d"
                    j += 1
                    if joiner and j < len(text):
                        j += 1
                    continue
                break
        clusters.append(text[i:j])
        i = j
    return clusters


def grapheme_length(text: str) -> int:
    if text.isascii() and "\r\n" not in text:
        return len(text)
    return len(graphemes(text))
