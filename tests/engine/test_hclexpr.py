"""The static expression evaluator: known values are computed, anything else is an unknown."""

from __future__ import annotations

from typing import Any

import pytest

from engine.hclexpr import Expr, Scope, UnknownValue, evaluate

pytestmark = pytest.mark.unit

SCOPE_VARS = {"n": 3, "names": ["b", "a"], "m": {"k": 1}, "flag": True, "empty": []}


def ev(source: str, **locals_: Any) -> Any:
    scope = Scope(
        variables=SCOPE_VARS,
        locals_source={key: Expr(value) for key, value in locals_.items()},
    )
    return evaluate(Expr(source), scope)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("var.n", 3),
        ("var.n * 2 + 1", 7),
        ("var.n / 2", 1.5),
        ("var.flag && !false ? 1 : 0", 1),
        ("length(var.names)", 2),
        ("max(length(var.empty), 2)", 2),
        ("toset(var.names)", ["a", "b"]),
        ("[for x in var.names : upper(x)]", ["B", "A"]),
        ("{for k, v in var.m : k => v + 1}", {"k": 2}),
        ('"n-${var.n}"', "n-3"),
        ("var.m.k", 1),
        ('var.m["k"]', 1),
        ("var.names[1]", "a"),
        ('lookup(var.m, "x", 9)', 9),
        ("try(var.m.missing, 5)", 5),
        ('concat(var.names, ["c"])', ["b", "a", "c"]),
        ("range(3)", [0, 1, 2]),
        ("keys({b = 1, a = 2})", ["a", "b"]),
        ("var.n == 3 && var.n != 4", True),
    ],
)
def test_known_values(source: str, expected: Any) -> None:
    assert ev(source) == expected


def test_locals_chain_and_self_reference() -> None:
    assert ev("local.b", a="var.n + 1", b="local.a * 2") == 8
    assert isinstance(ev("local.loop", loop="local.loop"), UnknownValue)


@pytest.mark.parametrize(
    "source",
    [
        "data.aws_availability_zones.available.names",
        "aws_vpc.this[0].id",
        "module.vpc.vpc_id",
        "path.cwd",
        "var.undeclared",
        "count.index",
        "each.key",
        "timestamp()",
        "var.n / 0",
        "range(100000000)",
        "length(data.x.y)",
    ],
)
def test_unknowable_values_are_unknown(source: str) -> None:
    assert isinstance(ev(source), UnknownValue)


def test_unknowns_propagate_only_as_far_as_needed() -> None:
    assert ev("length([data.x.y, 1])") == 2
    assert ev("false && data.x.y") is False
    assert ev("true || data.x.y") is True
    assert ev("data.x.y ? 1 : 1") == 1
    reason = ev("data.aws_availability_zones.available.names")
    assert reason.reason == "depends on data.aws_availability_zones.available"


def test_unparseable_expression_is_unknown_not_an_exception() -> None:
    assert isinstance(evaluate(Expr("((("), Scope()), UnknownValue)
