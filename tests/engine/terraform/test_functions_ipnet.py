"""Terraform's cidrhost cidrnetmask cidrsubnet cidrsubnets: results recorded from Terraform 1.11.4 (values and types,
or the error summary and message), plus the edge cases the recordings cannot show."""

from __future__ import annotations

import pytest

from tests.engine.terraform.fnhelpers import check_error, check_value

pytestmark = pytest.mark.unit

# (expression, value, type) as Terraform 1.11.4 evaluated them
VALUES = [
    ('cidrhost("010.1.2.3/8", 1)', "10.0.0.1", "string"),
    ('cidrhost("10.0.0.0/08", 1)', "10.0.0.1", "string"),
    ('cidrhost("10.0.0.0/30", -4)', "10.0.0.0", "string"),
    ('cidrhost("10.0.0.0/32", 0)', "10.0.0.0", "string"),
    ('cidrhost("10.12.112.0/20", -1)', "10.12.127.255", "string"),
    ('cidrhost("10.12.112.0/20", 16)', "10.12.112.16", "string"),
    ('cidrhost("10.12.112.0/20", 268)', "10.12.113.12", "string"),
    ('cidrhost("2001:db8::/32", 65536)', "2001:db8::1:0", "string"),
    ('cidrhost("::/0", 1)', "::1", "string"),
    ('cidrhost("::ffff:10.0.0.0/120", 1)', "0:1::ffff:a00:0", "string"),
    ('cidrhost("fd00::/64", -1)', "fd00::ffff:ffff:ffff:ffff", "string"),
    ('cidrhost("fd00:fd12:3456:7890:00a2::/72", 34)', "fd00:fd12:3456:7890::22", "string"),
    ('cidrnetmask("10.0.0.0/0")', "0.0.0.0", "string"),
    ('cidrnetmask("10.0.0.0/32")', "255.255.255.255", "string"),
    ('cidrnetmask("172.16.0.0/12")', "255.240.0.0", "string"),
    ('cidrsubnet("0.0.0.0/0", 1, 1)', "128.0.0.0/1", "string"),
    ('cidrsubnet("10.0.0.0/16", 8, -1)', "0.0.1.0/24", "string"),
    ('cidrsubnet("10.0.0.0/8", -1, 0)', "10.0.0.0/7", "string"),
    ('cidrsubnet("10.0.5.7/16", 8, 1)', "10.0.1.0/24", "string"),
    ('cidrsubnet("10.1.2.0/24", 0, 0)', "10.1.2.0/24", "string"),
    ('cidrsubnet("10.1.2.0/24", 4, 15)', "10.1.2.240/28", "string"),
    ('cidrsubnet("172.16.0.0/12", 4, 2)', "172.18.0.0/16", "string"),
    ('cidrsubnet("2001:db8::/32", 16, 65535)', "2001:db8:ffff::/48", "string"),
    ('cidrsubnet("fd00::/56", 72, 0)', "fd00::/128", "string"),
    ('cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)', "fd00:fd12:3456:7800:a200::/72", "string"),
    ('cidrsubnets("10.0.0.0/16")', [], ["list", "string"]),
    (
        'cidrsubnets("10.0.0.0/8", 8, 16, 8)',
        ["10.0.0.0/16", "10.1.0.0/24", "10.2.0.0/16"],
        ["list", "string"],
    ),
    (
        'cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)',
        ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"],
        ["list", "string"],
    ),
    (
        'cidrsubnets("255.255.255.0/24", 1, 1)',
        ["255.255.255.0/25", "255.255.255.128/25"],
        ["list", "string"],
    ),
    (
        'cidrsubnets("fd00:fd12:3456:7890::/56", 16, 16, 16, 32)',
        [
            "fd00:fd12:3456:7800::/72",
            "fd00:fd12:3456:7800:100::/72",
            "fd00:fd12:3456:7800:200::/72",
            "fd00:fd12:3456:7800:300::/88",
        ],
        ["list", "string"],
    ),
]

# (expression, error summary, part of Terraform's message)
ERRORS = [
    (
        'cidrhost("10.0.0.0", 1)',
        "Error in function call",
        "invalid CIDR expression: invalid CIDR address: 10.0.0.0",
    ),
    (
        'cidrhost("10.0.0.0/30", -5)',
        "Error in function call",
        "prefix of 30 does not accommodate a host numbered -1",
    ),
    ('cidrhost("10.0.0.0/30", 10)', "Error in function call", ""),
    (
        'cidrhost("10.0.0.0/33", 1)',
        "Error in function call",
        "invalid CIDR expression: invalid CIDR address: 10.0.0.0/33",
    ),
    ('cidrhost("10.0.0.0/8", 1.5)', "Error in function call", "value must be a whole number"),
    (
        'cidrhost("10.0.0.0/8", 16777216)',
        "Error in function call",
        "prefix of 8 does not accommodate a host numbered 16777216",
    ),
    (
        'cidrhost("10.0.0.0/8", 1e30)',
        "Error in function call",
        "prefix of 8 does not accommodate a host numbered 1000000000000000000000000000000",
    ),
    (
        'cidrhost("fe80::1%eth0/64", 1)',
        "Error in function call",
        "invalid CIDR expression: invalid CIDR address: fe80::1%eth0/64",
    ),
    ('cidrnetmask("fd00::/64")', "Error in function call", ""),
    (
        'cidrnetmask("not")',
        "Error in function call",
        "invalid CIDR expression: invalid CIDR address: not",
    ),
    ('cidrsubnet("10.0.0.0/16", 20, 0)', "Error in function call", ""),
    (
        'cidrsubnet("10.0.0.0/16", 70, 0)',
        "Error in function call",
        "insufficient address space to extend prefix of 16 by 70",
    ),
    ('cidrsubnet("10.0.0.0/16", 8, 256)', "Error in function call", ""),
    ('cidrsubnet("10.0.0.0/8", 8, 1.5)', "Error in function call", "value must be a whole number"),
    (
        'cidrsubnets("0.0.0.0/0", 1, 1)',
        "Invalid function argument",
        'Invalid value for "newbits" parameter: not enough remaining address space for a subnet wit',
    ),
    (
        'cidrsubnets("10.0.0.0/16", 0)',
        "Invalid function argument",
        'Invalid value for "newbits" parameter: must extend prefix by at least one bit',
    ),
    (
        'cidrsubnets("10.0.0.0/16", 33)',
        "Invalid function argument",
        'Invalid value for "newbits" parameter: may not extend prefix by more than 32 bits',
    ),
    ('cidrsubnets("10.0.0.0/24", 1, 1, 1)', "Invalid function argument", ""),
    (
        'cidrsubnets("10.0.0.0/24", 2, 2, 2, 2, 2)',
        "Invalid function argument",
        'Invalid value for "newbits" parameter: not enough remaining address space for a subnet wit',
    ),
    (
        'cidrsubnets("10.0.0.0/30", 4)',
        "Invalid function argument",
        'Invalid value for "newbits" parameter: would extend prefix to 34 bits, which is too long f',
    ),
    (
        'cidrsubnets("fd00::/120", 16)',
        "Invalid function argument",
        'Invalid value for "newbits" parameter: would extend prefix to 136 bits, which is too long ',
    ),
]


@pytest.mark.parametrize(("expr", "value", "type_"), VALUES)
def test_value_matches_terraform(expr: str, value: object, type_: object) -> None:
    check_value(expr, value, type_)


@pytest.mark.parametrize(("expr", "summary", "detail"), ERRORS)
def test_error_matches_terraform(expr: str, summary: str, detail: str) -> None:
    check_error(expr, summary, detail)
