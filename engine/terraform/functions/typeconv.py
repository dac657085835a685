"""Terraform's type conversion functions: ``tobool tolist tomap tonumber toset tostring``, and
``sensitive nonsensitive issensitive ephemeralasnull``.

The ``to*`` functions are Terraform's ``MakeToFunc``: the argument passes through untouched and
is converted with cty's (unsafe) conversion, with Terraform's messages for explicit
conversions. The engine does not track sensitivity or ephemerality (nothing it prices depends
on them): ``sensitive``/``nonsensitive``/``ephemeralasnull`` return their argument and
``issensitive`` is always false.
"""

from __future__ import annotations

from engine.terraform.convert import ConversionError, can_convert, convert
from engine.terraform.functions._util import (
    P,
    arg_error,
    define,
    friendly,
)
from engine.terraform.functions.base import Function
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
from engine.terraform.values import boolean as _bool


def constraint_name(type_: Type) -> str:
    """cty's ``FriendlyNameForConstraint``."""
    if type_ is DYNAMIC:
        return "any type"
    if isinstance(type_, ListType | SetType | MapType):
        kind = (
            "list"
            if isinstance(type_, ListType)
            else "set"
            if isinstance(type_, SetType)
            else "map"
        )
        if type_.element is DYNAMIC:
            return f"{kind} of any single type"
        return f"{kind} of {constraint_name(type_.element)}"
    return friendly(type_)


def _quote(text: str) -> str:
    from engine.terraform.functions.strings import go_quote

    return go_quote(text)


def _to(want: Type) -> Function:
    names: dict[Type, str] = {
        STRING: "tostring",
        NUMBER: "tonumber",
        BOOL: "tobool",
        ListType(DYNAMIC): "tolist",
        SetType(DYNAMIC): "toset",
        MapType(DYNAMIC): "tomap",
    }
    name = names[want]

    def type_fn(args: list[Value]) -> Type:
        got = args[0].type
        if got == want:
            return want
        if not can_convert(got, want):
            if isinstance(got, TupleType) and isinstance(want, TupleType):
                raise arg_error(0, "v", "incompatible tuple type for conversion")
            if isinstance(got, ObjectType) and isinstance(want, ObjectType):
                raise arg_error(0, "v", "incompatible object type for conversion")
            raise arg_error(0, "v", f"cannot convert {friendly(got)} to {constraint_name(want)}")
        return want

    def impl(args: list[Value], ret: Type) -> Value:
        value = args[0]
        try:
            return convert(value, want)
        except ConversionError:
            got = value.type
            if got is STRING and want in (BOOL, NUMBER):
                what = "string" if value.is_null or not value.is_known else _quote(value.v)
                if want is BOOL:
                    raise arg_error(
                        0,
                        "v",
                        f'cannot convert {what} to bool; only the strings "true" or "false" '
                        "are allowed",
                    ) from None
                raise arg_error(
                    0,
                    "v",
                    f"cannot convert {what} to number; given string must be a decimal "
                    "representation of a number",
                ) from None
            raise arg_error(
                0, "v", f"cannot convert {friendly(got)} to {constraint_name(want)}"
            ) from None

    return define(
        name,
        [P("v", DYNAMIC, allow_null=True, allow_dynamic=True)],
        impl,
        type_fn=type_fn,
        returns=want,
    )


def _passthrough(name: str, param: str) -> Function:
    return define(
        name,
        [P(param, DYNAMIC, allow_null=True, allow_unknown=True, allow_dynamic=True)],
        lambda args, ret: args[0],
        type_fn=lambda args: args[0].type,
    )


FUNCTIONS: dict[str, Function] = {
    "tostring": _to(STRING),
    "tonumber": _to(NUMBER),
    "tobool": _to(BOOL),
    "tolist": _to(ListType(DYNAMIC)),
    "toset": _to(SetType(DYNAMIC)),
    "tomap": _to(MapType(DYNAMIC)),
    "sensitive": _passthrough("sensitive", "value"),
    "nonsensitive": _passthrough("nonsensitive", "value"),
    "ephemeralasnull": _passthrough("ephemeralasnull", "value"),
    "issensitive": define(
        "issensitive",
        [P("value", DYNAMIC, allow_null=True, allow_dynamic=True)],
        lambda args, ret: _bool(False),
        returns=BOOL,
    ),
}
