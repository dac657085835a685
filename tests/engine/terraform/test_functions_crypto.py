"""Terraform's the hash functions and uuidv5: results recorded from Terraform 1.11.4 (values and types,
or the error summary and message), plus the edge cases the recordings cannot show."""

from __future__ import annotations

import pytest

from tests.engine.terraform.fnhelpers import check_error, check_value

pytestmark = pytest.mark.unit

# (expression, value, type) as Terraform 1.11.4 evaluated them
VALUES = [
    ('base64sha256("")', "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "string"),
    ('base64sha256("hello world")', "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=", "string"),
    (
        'base64sha512("hello world")',
        "MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw==",
        "string",
    ),
    ('md5("")', "d41d8cd98f00b204e9800998ecf8427e", "string"),
    ('md5("hello world")', "5eb63bbbe01eeed093cb22bb8f5acdc3", "string"),
    ('md5("é")', "66ddcd97cfdeabb2f6fb8a999b4bc76f", "string"),
    ('sha1("")', "da39a3ee5e6b4b0d3255bfef95601890afd80709", "string"),
    ('sha1("hello world")', "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed", "string"),
    (
        'sha256("hello world")',
        "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
        "string",
    ),
    ('sha256("é")', "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c", "string"),
    (
        'sha512("")',
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
        "string",
    ),
    (
        'sha512("hello world")',
        "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f",
        "string",
    ),
    (
        'uuidv5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.terraform.io")',
        "a5008fae-b28c-5ba5-96cd-82b4c53552d6",
        "string",
    ),
    (
        'uuidv5("6ba7b8109dad11d180b400c04fd430c8", "x")',
        "05b16a01-46c6-56dd-bd6e-c6dfb4a1427a",
        "string",
    ),
    ('uuidv5("dns", "www.terraform.io")', "a5008fae-b28c-5ba5-96cd-82b4c53552d6", "string"),
    ('uuidv5("oid", "1.2.3")', "42d5e23b-3a02-5135-85c6-52d1102f1f00", "string"),
    (
        'uuidv5("url", "https://www.terraform.io/")',
        "9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5",
        "string",
    ),
    (
        'uuidv5("urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8", "x")',
        "05b16a01-46c6-56dd-bd6e-c6dfb4a1427a",
        "string",
    ),
    (
        'uuidv5("x500", "CN=Test User 1, O=HashiCorp, C=US")',
        "0390afcb-44a0-53e1-adeb-46bf0856930b",
        "string",
    ),
    (
        'uuidv5("{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", "x")',
        "05b16a01-46c6-56dd-bd6e-c6dfb4a1427a",
        "string",
    ),
]

# (expression, error summary, part of Terraform's message)
ERRORS = [
    (
        'uuidv5("6ba7b810-9dad-11d1-80b4-00c04fd430c", "x")',
        "Error in function call",
        "uuidv5() doesn't support namespace 6ba7b810-9dad-11d1-80b4-00c04fd430c (invalid UUID lengt",
    ),
    (
        'uuidv5("6ba7b810x9dad-11d1-80b4-00c04fd430c8", "x")',
        "Error in function call",
        "uuidv5() doesn't support namespace 6ba7b810x9dad-11d1-80b4-00c04fd430c8 (invalid UUID form",
    ),
    (
        'uuidv5("DNS", "x")',
        "Error in function call",
        "uuidv5() doesn't support namespace DNS (invalid UUID length: 3)",
    ),
    (
        'uuidv5("bogus", "x")',
        "Error in function call",
        "uuidv5() doesn't support namespace bogus (invalid UUID length: 5)",
    ),
]


@pytest.mark.parametrize(("expr", "value", "type_"), VALUES)
def test_value_matches_terraform(expr: str, value: object, type_: object) -> None:
    check_value(expr, value, type_)


@pytest.mark.parametrize(("expr", "summary", "detail"), ERRORS)
def test_error_matches_terraform(expr: str, summary: str, detail: str) -> None:
    check_error(expr, summary, detail)


def test_impure_functions_are_unknown_with_a_reason() -> None:
    from tests.engine.terraform.fnhelpers import ev

    for expr in ("uuid()", 'bcrypt("x")', 'bcrypt("x", 10)', 'rsadecrypt("x", "y")'):
        result = ev(expr)
        assert not result.is_known
        assert "uuid" in result.v.reason or "bcrypt" in result.v.reason or "rsa" in result.v.reason
