"""Terraform's the to* conversion functions: results recorded from Terraform 1.11.4 (values and types,
or the error summary and message), plus the edge cases the recordings cannot show."""

from __future__ import annotations

import pytest

from tests.engine.terraform.fnhelpers import check_error, check_value

pytestmark = pytest.mark.unit

# (expression, value, type) as Terraform 1.11.4 evaluated them
VALUES = [
    ('tolist([1, "a"])', ["1", "a"], ["list", "string"]),
    ('tolist([[1], ["a"]])', [["1"], ["a"]], ["list", ["tuple", ["string"]]]),
    ("tolist([])", [], ["list", "dynamic"]),
    ("tolist(toset([3, 1, 2]))", [1, 2, 3], ["list", "number"]),
    ('tomap({a = 1, b = "x"})', {"a": "1", "b": "x"}, ["map", "string"]),
    ("tomap({})", {}, ["map", "dynamic"]),
    ('tonumber("-0")', 0, "number"),
    ('tonumber("1e3")', 1000, "number"),
    ('toset([1, "1"])', ["1"], ["set", "string"]),
    ("toset([])", [], ["set", "dynamic"]),
    ("tostring(null)", None, "string"),
    ("tostring(true)", "true", "string"),
]

# (expression, error summary, part of Terraform's message)
ERRORS = [
    (
        'tobool("TRUE")',
        "Invalid function argument",
        'Invalid value for "v" parameter: cannot convert "TRUE" to bool; only the strings "true" or',
    ),
    (
        'tolist("a")',
        "Invalid function argument",
        'Invalid value for "v" parameter: cannot convert string to list of any single type',
    ),
    (
        "tomap([{}])",
        "Invalid function argument",
        'Invalid value for "v" parameter: cannot convert tuple to map of any single type',
    ),
    (
        'tonumber(" 1")',
        "Invalid function argument",
        'Invalid value for "v" parameter: cannot convert " 1" to number; given string must be a dec',
    ),
]


@pytest.mark.parametrize(("expr", "value", "type_"), VALUES)
def test_value_matches_terraform(expr: str, value: object, type_: object) -> None:
    check_value(expr, value, type_)


@pytest.mark.parametrize(("expr", "summary", "detail"), ERRORS)
def test_error_matches_terraform(expr: str, summary: str, detail: str) -> None:
    check_error(expr, summary, detail)


def test_sensitivity_functions_pass_values_through() -> None:
    from engine.terraform import values as v
    from tests.engine.terraform.fnhelpers import ev, unknown

    assert ev('sensitive("x")').v == "x"
    assert ev('nonsensitive("x")').v == "x"
    assert ev('issensitive(sensitive("x"))').v is False
    assert ev('ephemeralasnull("x")').v == "x"
    assert not ev("issensitive(u)", {"u": unknown(v.STRING)}).is_known
    assert not ev("tolist(u)", {"u": unknown()}).is_known
