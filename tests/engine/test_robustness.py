"""Odd and hostile inputs end in an inventory or a specific error code, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.errors import EngineInputError
from engine.inventory import build_inventory

pytestmark = pytest.mark.unit

KNOWN_CODES = {
    "no_terraform",
    "hcl_parse_error",
    "invalid_json",
    "not_a_plan",
    "unsupported_plan_version",
}


def outcome(files: dict[str, bytes]) -> str:
    try:
        inventory = build_inventory(files, "us-east-1")
    except EngineInputError as exc:
        assert exc.code in KNOWN_CODES
        return exc.code
    json.dumps(inventory)
    return "ok"


@pytest.mark.parametrize(
    "document",
    [
        {"format_version": "1.0", "planned_values": {"root_module": {"resources": [1, "x", {}]}}},
        {"format_version": "1.0", "planned_values": {"root_module": {"child_modules": "nope"}}},
        {"format_version": "1.0", "planned_values": {"root_module": []}},
        {"format_version": "1.0", "planned_values": None, "resource_changes": {"a": 1}},
        {"format_version": "1.0", "resource_changes": [{"address": "a.b", "change": "x"}]},
        {
            "format_version": "1.0",
            "planned_values": {
                "root_module": {
                    "resources": [
                        {"address": "a_b.c", "type": "a_b", "name": "c", "index": True},
                        {"address": "a_b.d", "type": "a_b", "name": "d", "values": [1]},
                        {"address": "a_b.c", "type": "a_b", "name": "c"},
                    ]
                }
            },
        },
        [1, 2, 3],
        {"format_version": "1.0", "terraform_version": "1.5.0"},
    ],
)
def test_malformed_plans(document: object) -> None:
    assert outcome({"plan.json": json.dumps(document).encode()}) in KNOWN_CODES | {"ok"}


def test_deeply_nested_json_is_not_a_crash() -> None:
    data = b'{"format_version": "1.0", "planned_values": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert outcome({"plan.json": data}) in KNOWN_CODES | {"ok"}


def test_truncated_corpus_plans(corpus: Path) -> None:
    data = (corpus / "terracost/testdata/aws/asg-plan.json").read_bytes().rstrip()
    for cut in (1, 100, len(data) // 2, len(data) - 1):
        assert outcome({"plan.json": data[:cut]}) == "invalid_json"


@pytest.mark.parametrize(
    "content",
    [
        b'resource "aws_instance" {}\n',
        b'resource "aws_instance" "x" {\n  count = "abc"\n}\n',
        b'resource "aws_instance" "x" {\n  count = -1\n}\n',
        b'resource "aws_instance" "x" {\n  for_each = 5\n}\n',
        b'resource "aws_instance" "x" {\n  for_each = [1, 2]\n}\n',
        b'resource "aws_instance" "x" {\n  count = 1\n  for_each = {}\n}\n',
        b'locals {\n  a = local.b\n  b = local.a\n}\nresource "x_y" "z" {\n  count = local.a\n}\n',
        b'module "m" {\n  source = var.src\n}\n',
        b'variable "v" {\n  default = [for i in range(5) : i]\n}\nresource "x_y" "z" {\n  count = length(var.v)\n}\n',
        b'resource "x_y" "z" {\n  count = length("${"nested"}")\n}\n',
        b'\xef\xbb\xbfresource "x_y" "bom" {}\r\n',
        b"",
    ],
)
def test_odd_hcl(content: bytes) -> None:
    assert outcome({"main.tf": content}) in {"ok", "hcl_parse_error"}


def test_random_bytes_as_tf_file() -> None:
    import random

    rng = random.Random(1234)
    for _ in range(20):
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
        assert outcome({"main.tf": blob}) in {"ok", "hcl_parse_error"}
