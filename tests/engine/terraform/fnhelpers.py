"""Helpers for the function-library tests: evaluate an expression as Terraform would and
compare with what Terraform 1.11 gave for it (numbers within 1e-12 relative, as the
differential corpus compares them)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import pytest

from engine.terraform import values as v
from engine.terraform.evaluator import EvalError, Scope, evaluate
from engine.terraform.functions import Function, pure_functions
from engine.terraform.syntax.parser import parse_expression
from engine.terraform.values import Value


def ev(
    text: str,
    names: Mapping[str, Value] | None = None,
    functions: Mapping[str, Function] | None = None,
) -> Value:
    scope = Scope(names=names, functions=functions if functions is not None else pure_functions())
    return evaluate(parse_expression(text), scope)


def close(got: Any, want: Any) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    if isinstance(want, int | float) and not isinstance(want, bool):
        if not isinstance(got, int | float | Fraction):
            return False
        x = Fraction(got) if not isinstance(got, float) else Fraction(repr(got))
        y = Fraction(want) if not isinstance(want, float) else Fraction(repr(want))
        return x == y or abs(x - y) <= Fraction(1, 10**12) * max(abs(x), abs(y))
    if isinstance(want, list):
        return (
            isinstance(got, list)
            and len(got) == len(want)
            and all(close(a, b) for a, b in zip(got, want, strict=True))
        )
    if isinstance(want, dict):
        return (
            isinstance(got, dict)
            and got.keys() == want.keys()
            and all(close(got[k], want[k]) for k in want)
        )
    return bool(got == want)


def check_value(expr: str, value: Any, type_: Any) -> None:
    result = ev(expr)
    assert result.is_wholly_known(), result
    assert close(v.to_json(result), value), (v.to_json(result), value)
    assert v.type_json(result.type) == type_


def check_error(expr: str, summary: str, detail: str) -> None:
    with pytest.raises(EvalError) as caught:
        ev(expr)
    assert caught.value.summary == summary, caught.value
    assert detail.replace('"', "'") in caught.value.detail.replace('"', "'"), caught.value.detail


def unknown(type_: v.Type = v.DYNAMIC, reason: str = "u is known only after apply") -> Value:
    return v.unknown(reason, type_)
