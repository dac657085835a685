"""Terraform's formatdate timeadd timecmp: results recorded from Terraform 1.11.4 (values and types,
or the error summary and message), plus the edge cases the recordings cannot show."""

from __future__ import annotations

import pytest

from tests.engine.terraform.fnhelpers import check_error, check_value

pytestmark = pytest.mark.unit

# (expression, value, type) as Terraform 1.11.4 evaluated them
VALUES = [
    ('formatdate("", "2018-01-02T23:12:01Z")', "", "string"),
    ("formatdate(\"'a''b' ''\", \"2018-01-02T23:12:01Z\")", "a'b '", "string"),
    (
        'formatdate("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z")',
        "02 Jan 2018 23:12 UTC",
        "string",
    ),
    (
        'formatdate("EEEE DD/MM/YY hh:mm:ss", "2000-02-29T12:00:00-11:00")',
        "Tuesday 29/02/00 12:00:00",
        "string",
    ),
    (
        'formatdate("EEEE, MMMM D, YYYY", "2018-01-02T23:12:01-08:00")',
        "Tuesday, January 2, 2018",
        "string",
    ),
    ('formatdate("HH H aa EEE MMM", "2018-01-02T00:12:01Z")', "12 12 am Tue Jan", "string"),
    ('formatdate("YY M D h m s", "2024-03-04T05:06:07Z")', "24 3 4 5 6 7", "string"),
    (
        'formatdate("YYYY-MM-DD\'T\'hh:mm:ssZ", "2018-01-02T23:12:01+05:30")',
        "2018-01-02T23:12:01+05:30",
        "string",
    ),
    (
        'formatdate("Z ZZZ ZZZZ ZZZZZ", "2018-01-02T23:12:01+05:30")',
        "+05:30 +0530 +0530 +05:30",
        "string",
    ),
    ('formatdate("Z ZZZ", "2018-01-02T23:12:01-00:00")', "Z UTC", "string"),
    ('formatdate("h:mm AA", "2018-01-02T23:12:01Z")', "23:12 PM", "string"),
    ('formatdate("é YYYY", "2018-01-02T23:12:01Z")', "é 2018", "string"),
    ('timeadd("1999-12-31T23:59:59Z", "1s")', "2000-01-01T00:00:00Z", "string"),
    ('timeadd("2017-11-22T00:00:00+00:00", "1s")', "2017-11-22T00:00:01Z", "string"),
    ('timeadd("2017-11-22T00:00:00+01:00", "-25h")', "2017-11-20T23:00:00+01:00", "string"),
    ('timeadd("2017-11-22T00:00:00+02:00", "1.5h")', "2017-11-22T01:30:00+02:00", "string"),
    ('timeadd("2017-11-22T00:00:00-00:00", "1s")', "2017-11-22T00:00:01Z", "string"),
    ('timeadd("2017-11-22T00:00:00.123456789123Z", "1s")', "2017-11-22T00:00:01Z", "string"),
    ('timeadd("2017-11-22T00:00:00.5Z", "0")', "2017-11-22T00:00:00Z", "string"),
    ('timeadd("2017-11-22T00:00:00.9Z", "0.2s")', "2017-11-22T00:00:01Z", "string"),
    ('timeadd("2017-11-22T00:00:00Z", "+5m")', "2017-11-22T00:05:00Z", "string"),
    ('timeadd("2017-11-22T00:00:00Z", "-1h30m")', "2017-11-21T22:30:00Z", "string"),
    ('timeadd("2017-11-22T00:00:00Z", ".5s")', "2017-11-22T00:00:00Z", "string"),
    ('timeadd("2017-11-22T00:00:00Z", "1.h")', "2017-11-22T01:00:00Z", "string"),
    ('timeadd("2017-11-22T00:00:00Z", "10m")', "2017-11-22T00:10:00Z", "string"),
    ('timeadd("2017-11-22T00:00:00Z", "1h1h")', "2017-11-22T02:00:00Z", "string"),
    ('timeadd("2017-11-22T00:00:00Z", "1h30m45s500ms")', "2017-11-22T01:30:45Z", "string"),
    ('timeadd("2017-11-22T00:00:00Z", "1µs")', "2017-11-22T00:00:00Z", "string"),
    ('timeadd("2024-02-28T12:00:00Z", "24h")', "2024-02-29T12:00:00Z", "string"),
    ('timeadd("2024-02-29T00:00:00Z", "8760h")', "2025-02-28T00:00:00Z", "string"),
    ('timecmp("2017-11-22T00:00:00.5Z", "2017-11-22T00:00:00Z")', 1, "number"),
    ('timecmp("2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z")', 0, "number"),
    ('timecmp("2017-11-22T00:00:00Z", "2017-11-22T00:00:01Z")', -1, "number"),
    ('timecmp("2017-11-22T00:00:01Z", "2017-11-22T00:00:00Z")', 1, "number"),
    ('timecmp("2017-11-22T01:00:00+01:00", "2017-11-22T00:00:00Z")', 0, "number"),
]

# (expression, error summary, part of Terraform's message)
ERRORS = [
    (
        'formatdate("\'abc", "2018-01-02T23:12:01Z")',
        "Invalid function argument",
        'Invalid value for "format" parameter: unterminated literal \'',
    ),
    (
        'formatdate("AAA", "2018-01-02T23:12:01Z")',
        "Invalid function argument",
        'Invalid value for "format" parameter: invalid date format verb "AAA": must be "AA"',
    ),
    (
        'formatdate("YYY", "2018-01-02T23:12:01Z")',
        "Invalid function argument",
        'Invalid value for "format" parameter: invalid date format verb "YYY": year must either be ',
    ),
    (
        'formatdate("YYYY", "")',
        "Invalid function argument",
        'Invalid value for "time" parameter: not a valid RFC3339 timestamp: end of string before ye',
    ),
    (
        'formatdate("YYYY", "2020-01-01")',
        "Invalid function argument",
        'Invalid value for "time" parameter: not a valid RFC3339 timestamp: missing required time i',
    ),
    ('formatdate("YYYY", "not a date")', "Invalid function argument", ""),
    (
        'formatdate("ZZ", "2018-01-02T23:12:01Z")',
        "Invalid function argument",
        'Invalid value for "format" parameter: invalid date format verb "ZZ": timezone must be Z, Z',
    ),
    (
        'formatdate("x q", "2018-01-02T23:12:01Z")',
        "Invalid function argument",
        'Invalid value for "format" parameter: invalid date format verb "x"',
    ),
    (
        'timeadd("17-11-22T00:00:00Z", "1s")',
        "Error in function call",
        'not a valid RFC3339 timestamp: cannot use "17-11-22T00:00:00Z" as year',
    ),
    (
        'timeadd("2017-02-30T00:00:00Z", "1s")',
        "Error in function call",
        "not a valid RFC3339 timestamp: day out of range",
    ),
    (
        'timeadd("2017-11-22 00:00:00Z", "1s")',
        "Error in function call",
        "not a valid RFC3339 timestamp: missing required time introducer 'T'",
    ),
    (
        'timeadd("2017-11-22T00:00:00", "1s")',
        "Error in function call",
        "not a valid RFC3339 timestamp: end of string before UTC offset",
    ),
    (
        'timeadd("2017-11-22T00:00:00+0100", "1s")',
        "Error in function call",
        'not a valid RFC3339 timestamp: cannot use "+0100" as UTC offset',
    ),
    ('timeadd("2017-11-22T00:00:00Z", "")', "Error in function call", 'time: invalid duration ""'),
    (
        'timeadd("2017-11-22T00:00:00Z", "-")',
        "Error in function call",
        'time: invalid duration "-"',
    ),
    (
        'timeadd("2017-11-22T00:00:00Z", "1.5.5h")',
        "Error in function call",
        'time: missing unit in duration "1.5.5h"',
    ),
    (
        'timeadd("2017-11-22T00:00:00Z", "1d")',
        "Error in function call",
        'time: unknown unit "d" in duration "1d"',
    ),
    (
        'timeadd("2017-11-22T00:00:00Z", "5")',
        "Error in function call",
        'time: missing unit in duration "5"',
    ),
    (
        'timeadd("2017-11-22T00:00:00Z", "99999999999h")',
        "Error in function call",
        'time: invalid duration "99999999999h"',
    ),
    (
        'timeadd("2017-11-22T00:00:60Z", "1s")',
        "Error in function call",
        'not a valid RFC3339 timestamp: cannot use "Z" as second',
    ),
    (
        'timeadd("2017-11-22T00:00Z", "1s")',
        "Error in function call",
        'not a valid RFC3339 timestamp: found "Z" where ":" is expected',
    ),
    (
        'timeadd("2017-11-22T0:00:00Z", "1s")',
        "Error in function call",
        "not a valid RFC3339 timestamp: hour must have exactly two digits",
    ),
    (
        'timeadd("2017-11-22T24:00:00Z", "1s")',
        "Error in function call",
        "not a valid RFC3339 timestamp: hour must be between 0 and 23 inclusive",
    ),
    (
        'timeadd("2017-11-22t00:00:00z", "1s")',
        "Error in function call",
        "not a valid RFC3339 timestamp: missing required time introducer 'T'",
    ),
    (
        'timeadd("2017-13-22T00:00:00Z", "1s")',
        "Error in function call",
        'not a valid RFC3339 timestamp: cannot use "-22T00:00:00Z" as month',
    ),
    (
        'timeadd("2020-01-01", "1h")',
        "Error in function call",
        "not a valid RFC3339 timestamp: missing required time introducer 'T'",
    ),
    (
        'timecmp("2017-11-22T00:00:00Z", "bad")',
        "Invalid function argument",
        'Invalid value for "timestamp_b" parameter: not a valid RFC3339 timestamp: cannot use "bad"',
    ),
    (
        'timecmp("bad", "2017-11-22T00:00:00Z")',
        "Invalid function argument",
        'Invalid value for "timestamp_a" parameter: not a valid RFC3339 timestamp: cannot use "bad"',
    ),
]


@pytest.mark.parametrize(("expr", "value", "type_"), VALUES)
def test_value_matches_terraform(expr: str, value: object, type_: object) -> None:
    check_value(expr, value, type_)


@pytest.mark.parametrize(("expr", "summary", "detail"), ERRORS)
def test_error_matches_terraform(expr: str, summary: str, detail: str) -> None:
    check_error(expr, summary, detail)


def test_clock_functions_are_unknown() -> None:
    from tests.engine.terraform.fnhelpers import ev

    assert "known only after apply" in ev("timestamp()").v.reason
    assert not ev("plantimestamp()").is_known
    assert not ev('timeadd(timestamp(), "1h")').is_known


def test_dates_far_from_the_epoch() -> None:
    from tests.engine.terraform.fnhelpers import ev

    assert ev('timeadd("0001-01-01T00:00:00Z", "-1s")').v == "0000-12-31T23:59:59Z"
    assert ev('formatdate("EEEE", "9999-12-31T23:59:59Z")').v == "Friday"
