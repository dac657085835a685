"""Terraform's abs ceil floor log max min parseint pow signum: results recorded from Terraform 1.11.4 (values and types,
or the error summary and message), plus the edge cases the recordings cannot show."""

from __future__ import annotations

import pytest

from tests.engine.terraform.fnhelpers import check_error, check_value

pytestmark = pytest.mark.unit

# (expression, value, type) as Terraform 1.11.4 evaluated them
VALUES = [
    ("abs(-1/3)", 0.3333333333333333, "number"),
    ("abs(-12.5)", 12.5, "number"),
    ("abs(0)", 0, "number"),
    ("ceil(-0.5)", 0, "number"),
    ("ceil(-1.2)", -1, "number"),
    ("ceil(1.2)", 2, "number"),
    ("ceil(5)", 5, "number"),
    ("floor(-1.2)", -2, "number"),
    ("floor(1.9999)", 1, "number"),
    ("floor(2)", 2, "number"),
    ("log(0.5, 2)", -1, "number"),
    ("log(1, 10)", 0, "number"),
    ("log(10, 10)", 1, "number"),
    ("log(100, 10)", 2, "number"),
    ("log(16, 2)", 4, "number"),
    ("log(2, 0)", 0, "number"),
    ('max("3", 20)', 20, "number"),
    ("max(-1, -2)", -1, "number"),
    ("max(1, 2.5, -3)", 2.5, "number"),
    ("max([4, 9, 2]...)", 9, "number"),
    ("min(1, 2.5, -3)", -3, "number"),
    ("min(5)", 5, "number"),
    ('parseint("+7", 10)', 7, "number"),
    ('parseint("-101", 2)', -5, "number"),
    ('parseint("-zz", 36)', -1295, "number"),
    (
        'parseint("11111111111111111111111111111111111111111111111111111111111111111111", 2)',
        295147905179352825855,
        "number",
    ),
    ('parseint("12", 10)', 12, "number"),
    ('parseint("FF", 16)', 255, "number"),
    ('parseint("Zz", 62)', 3817, "number"),
    ('parseint("ff", 16)', 255, "number"),
    ('parseint("zz", 36)', 1295, "number"),
    ("pow(-2, 3)", -8, "number"),
    ("pow(0, 0)", 1, "number"),
    ("pow(0.5, 3)", 0.125, "number"),
    ("pow(1.0001, 10000)", 2.718145926824356, "number"),
    ("pow(1.1, 100)", 13780.612339822364, "number"),
    ("pow(10, -2)", 0.01, "number"),
    ("pow(10, 20)", 100000000000000000000, "number"),
    ("pow(2, -1)", 0.5, "number"),
    ("pow(2, 0.5)", 1.4142135623730951, "number"),
    ("pow(3, 2)", 9, "number"),
    ("pow(3, 40)", 12157665459056929000, "number"),
    ("pow(4, 0.5)", 2, "number"),
    ("signum(-7)", -1, "number"),
    ("signum(0)", 0, "number"),
    ("signum(3)", 1, "number"),
]

# (expression, error summary, part of Terraform's message)
ERRORS = [
    (
        "log(-1, 10)",
        "Error in function call",
        "panic in function implementation: Float.SetFloat64(NaN)",
    ),
    (
        "log(1, 1)",
        "Error in function call",
        "panic in function implementation: Float.SetFloat64(NaN)",
    ),
    ("max()", "Error in function call", "must pass at least one number"),
    ("min()", "Error in function call", ""),
    (
        'parseint("", 10)',
        "Invalid function argument",
        'Invalid value for "number" parameter: cannot parse "" as a base 10 integer',
    ),
    (
        'parseint("0x10", 16)',
        "Invalid function argument",
        'Invalid value for "number" parameter: cannot parse "0x10" as a base 16 integer',
    ),
    (
        'parseint("1", 2.5)',
        "Invalid function argument",
        'Invalid value for "base" parameter: value must be a whole number, between -922337203685477',
    ),
    (
        'parseint("1", 63)',
        "Invalid function argument",
        'Invalid value for "base" parameter: base must be a whole number between 2 and 62 inclusive',
    ),
    ('parseint("12", 1)', "Invalid function argument", ""),
    ('parseint("9", 8)', "Invalid function argument", ""),
    (
        'parseint("_1", 10)',
        "Invalid function argument",
        'Invalid value for "number" parameter: cannot parse "_1" as a base 10 integer',
    ),
    (
        "parseint(12, 10)",
        "Invalid function argument",
        'Invalid value for "number" parameter: first argument must be a string, not number',
    ),
    (
        "pow(-8, 1/3)",
        "Error in function call",
        "panic in function implementation: Float.SetFloat64(NaN)",
    ),
    (
        "signum(-2.5)",
        "Error in function call",
        "value must be a whole number, between -9223372036854775808 and 9223372036854775807",
    ),
    ("signum(0.5)", "Error in function call", ""),
    (
        "signum(1e30)",
        "Error in function call",
        "value must be a whole number, between -9223372036854775808 and 9223372036854775807",
    ),
]


@pytest.mark.parametrize(("expr", "value", "type_"), VALUES)
def test_value_matches_terraform(expr: str, value: object, type_: object) -> None:
    check_value(expr, value, type_)


@pytest.mark.parametrize(("expr", "summary", "detail"), ERRORS)
def test_error_matches_terraform(expr: str, summary: str, detail: str) -> None:
    check_error(expr, summary, detail)


def test_pow_follows_go_math_pow_not_c_pow() -> None:
    # Go's math.Pow multiplies by repeated squaring: 3**40 is 12157665459056929000 there
    from engine.terraform.functions.numeric import go_pow

    assert go_pow(3.0, 40.0) == 1.2157665459056929e19
    assert go_pow(2.0, 0.5) == 2**0.5
    assert go_pow(0.0, -1.0) == float("inf")


def test_log_and_pow_results_have_float64_precision() -> None:
    from tests.engine.terraform.fnhelpers import ev

    assert ev("pow(2, 0.5)").v.prec == 53
    assert ev("log(8, 2)").v.prec == 53
    # abs/ceil keep the precision of their argument (512 bits for literals)
    assert ev("abs(-1/3)").v.prec == 512


def test_unknown_arguments_give_unknown_numbers() -> None:
    from engine.terraform import values as v
    from tests.engine.terraform.fnhelpers import ev, unknown

    result = ev("max(1, u)", {"u": unknown(v.NUMBER)})
    assert not result.is_known and result.type is v.NUMBER
    assert result.v.reason == "u is known only after apply"
    assert not ev("parseint(u, 10)", {"u": unknown(v.STRING)}).is_known
