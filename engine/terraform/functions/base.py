"""How a Terraform function is declared and called (go-cty's ``function`` package, in small).

A :class:`Function` lists its parameters with their types; :func:`call` checks the arity,
converts each argument to its parameter's type, refuses nulls where the parameter does not
allow them, and short-circuits unknowns: unless a parameter says it can take unknown values,
an unknown argument makes the result unknown without running the function (the reason of the
first unknown argument becomes the result's reason). Implementations therefore see only the
arguments they declared themselves able to handle, and raise :class:`FunctionError` for
anything else Terraform would refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from engine.terraform import values as v
from engine.terraform.convert import ConversionError, convert
from engine.terraform.values import DYNAMIC, Type, Value


class FunctionError(Exception):
    """A call Terraform would reject; ``argument`` is the index of the argument at fault."""

    def __init__(self, message: str, argument: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.argument = argument


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: Type = DYNAMIC
    allow_null: bool = False
    #: the function can handle an unknown value here (else the result is unknown)
    allow_unknown: bool = False
    #: the function can handle a collection that contains unknowns (else the result is unknown)
    allow_partial: bool = False


Impl = Callable[[list[Value]], Value]


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    params: tuple[Param, ...]
    impl: Impl
    varparam: Param | None = None
    #: the result type when the result is unknown (DYNAMIC when it depends on the arguments)
    returns: Type = DYNAMIC
    description: str = field(default="", compare=False)


def call(function: Function, args: Sequence[Value]) -> Value:
    params = function.params
    if len(args) < len(params):
        missing = params[len(args)].name
        raise FunctionError(
            f"Not enough function arguments: function {function.name!r} expects at least "
            f"{len(params)} argument(s); missing {missing!r}"
        )
    if function.varparam is None and len(args) > len(params):
        raise FunctionError(
            f"Too many function arguments: function {function.name!r} expects only "
            f"{len(params)} argument(s)"
        )
    converted: list[Value] = []
    pending: Value | None = None
    for index, arg in enumerate(args):
        param = params[index] if index < len(params) else function.varparam
        assert param is not None
        if arg.is_null and not param.allow_null:
            raise FunctionError(
                f'Invalid value for "{param.name}" parameter: argument must not be null.', index
            )
        try:
            value = convert(arg, param.type)
        except ConversionError as exc:
            raise FunctionError(
                f'Invalid value for "{param.name}" parameter: {exc}.', index
            ) from None
        converted.append(value)
        if pending is not None:
            continue  # still check every argument: Terraform reports a null after an unknown
        if not value.is_known and not param.allow_unknown:
            pending = Value(function.returns, value.v)
        elif not param.allow_partial and not param.allow_unknown:
            found = v.first_unknown(value)
            if found is not None:
                pending = Value(function.returns, found)
    if pending is not None:
        return pending
    return function.impl(converted)
