"""Usage files (infracost-usage.yml, *.usage.yml) and options.usage."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from engine.costing.usage import MAX_USAGE_FILE_BYTES, is_usage_file, load_usage
from tests.engine.estimates import component, estimate, monthly, resource

pytestmark = pytest.mark.unit

LAMBDA = """
resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = "r"
  memory_size   = 1024
}
resource "aws_instance" "web" {
  count         = 2
  instance_type = "t3.micro"
}
"""

USAGE_YML = b"""
version: 0.1
resource_type_default_usage:
  aws_lambda_function:
    monthly_requests: 1000000
    request_duration_ms: 1000
resource_usage:
  aws_lambda_function.api:
    monthly_requests: 2000000
  aws_instance.web[*]:
    operating_system: linux
    monthly_cpu_credit_hrs: 10
    vcpu_count: 2
"""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("infracost-usage.yml", True),
        ("env/infracost-usage.yaml", True),
        ("prod.usage.yml", True),
        ("usage.yml", False),
        ("main.tf", False),
    ],
)
def test_usage_file_names(path: str, expected: bool) -> None:
    assert is_usage_file(path) is expected


def test_bundle_usage_file_is_applied_per_resource_type_and_wildcard() -> None:
    doc = estimate(LAMBDA, files={"infracost-usage.yml": USAGE_YML})
    requests = component(doc, "aws_lambda_function.api", "Requests")
    assert monthly(requests) == 2 * D("0.20")  # the address beats the type default
    # duration from the type default: 2M x 1 s x 1 GB
    assert monthly(component(doc, "aws_lambda_function.api", "Duration (first 6B)")) == (
        2_000_000 * D("0.0000166667")
    )
    for index in (0, 1):
        credits = component(doc, f"aws_instance.web[{index}]", "CPU credits")
        assert monthly(credits) == 10 * 2 * D("0.05")
    usage = doc["metadata"]["usage"]
    assert usage["files"] == ["infracost-usage.yml"]
    assert usage["warnings"] == []


def test_options_usage_overrides_the_bundle_file() -> None:
    doc = estimate(
        LAMBDA,
        files={"infracost-usage.yml": USAGE_YML},
        usage={"resource_usage": {"aws_lambda_function.api": {"monthly_requests": 5_000_000}}},
    )
    assert monthly(component(doc, "aws_lambda_function.api", "Requests")) == 5 * D("0.20")
    assert doc["metadata"]["usage"]["fromOptions"] is True


def test_yaml_aliases_are_refused() -> None:
    bomb = b"""
a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
resource_usage: {}
"""
    usage = load_usage({"infracost-usage.yml": bomb})
    assert usage.resource_usage == {}
    assert any("aliases are not allowed" in warning for warning in usage.warnings)


def test_oversized_broken_and_odd_usage_files_are_warnings() -> None:
    usage = load_usage(
        {
            "a.usage.yml": b"x" * (MAX_USAGE_FILE_BYTES + 1),
            "b.usage.yml": b"resource_usage: [unclosed",
            "c.usage.yml": b"- just\n- a list\n",
            "d.usage.yml": b"version: 0.2\nresource_usage:\n  aws_x.y: 5\nextra: 1\n",
            "e.usage.yml": b"\xff\xfe",
        }
    )
    joined = "\n".join(usage.warnings)
    assert "larger than" in joined
    assert "not valid YAML" in joined
    assert "must be a mapping" in joined
    assert "version '0.2'" in joined or "version 0.2" in joined
    assert "unknown keys ignored: extra" in joined
    assert usage.resource_usage == {}


def test_deeply_nested_usage_is_ignored() -> None:
    nested: dict[str, object] = {"v": 1}
    for _ in range(20):
        nested = {"n": nested}
    usage = load_usage({}, {"resource_usage": {"aws_x.y": nested}})
    assert usage.resource_usage == {}
    assert usage.warnings


def test_non_numeric_usage_values_are_noted_not_used() -> None:
    doc = estimate(
        LAMBDA,
        usage={"resource_usage": {"aws_lambda_function.api": {"monthly_requests": "lots"}}},
    )
    requests = component(doc, "aws_lambda_function.api", "Requests")
    assert requests["monthlyQuantity"] is None
    notes = resource(doc, "aws_lambda_function.api")["metadata"]["notes"]
    assert any("monthly_requests" in note for note in notes)


# --- declared usage schemas, presets and where a quantity came from ---------------------------

from engine.costing import registry  # noqa: E402
from engine.costing.schema import UsageKey, check_usage  # noqa: E402
from engine.result import build_result  # noqa: E402

LAMBDA_TF = (
    b'resource "aws_lambda_function" "f" {\n  function_name = "f"\n  memory_size = 1024\n}\n'
)


def _lambda_components(result: dict) -> dict[str, dict]:
    [resource] = result["estimate"]["projects"][0]["breakdown"]["resources"]
    return {c["name"]: c for c in resource["costComponents"]}


def test_schema_check_accepts_declared_keys_and_reports_the_rest() -> None:
    schema = (
        UsageKey("monthly_requests", "int", "Monthly requests."),
        UsageKey("operating_system", "string", "OS.", choices=("linux", "windows")),
        UsageKey(
            "standard", "object", "S3 Standard.", children=(UsageKey("storage_gb", "float", "GB."),)
        ),
    )
    accepted, problems = check_usage(
        schema,
        {
            "monthly_requests": "1_000",
            "montly_requests": 5,
            "operating_system": "beos",
            "standard": {"storage_gb": 3, "storage_tb": 1},
        },
    )
    assert accepted == {"monthly_requests": "1_000", "standard": {"storage_gb": 3}}
    assert [key for key, _ in problems] == [
        "montly_requests",
        "operating_system",
        "standard.storage_tb",
    ]


def test_unknown_or_mistyped_usage_keys_are_warnings_in_the_result() -> None:
    usage = {
        "resource_usage": {
            "aws_lambda_function.f": {"monthly_requests": "lots", "request_duration_msec": 10}
        }
    }
    result = build_result({"main.tf": LAMBDA_TF}, "us-east-1", options={"usage": usage})
    warnings = result["estimate"]["metadata"]["warnings"]
    assert {(w["address"], w["key"]) for w in warnings} == {
        ("aws_lambda_function.f", "monthly_requests"),
        ("aws_lambda_function.f", "request_duration_msec"),
    }
    assert _lambda_components(result)["Requests"]["monthlyQuantity"] is None


def test_a_preset_fills_what_no_usage_file_gives_and_says_so() -> None:
    plain = build_result({"main.tf": LAMBDA_TF}, "us-east-1")
    assert _lambda_components(plain)["Requests"]["monthlyQuantity"] is None
    preset = build_result({"main.tf": LAMBDA_TF}, "us-east-1", options={"usage_preset": "medium"})
    requests = _lambda_components(preset)["Requests"]
    assert requests["monthlyQuantity"] is not None
    assert requests["usageSource"] == "preset:medium"
    assert preset["estimate"]["metadata"]["usage"]["preset"] == "medium"
    assert preset["estimate"]["metadata"]["warnings"] == []
    inline = build_result(
        {"main.tf": LAMBDA_TF},
        "us-east-1",
        options={
            "usage_preset": "medium",
            "usage": {"resource_usage": {"aws_lambda_function.f": {"monthly_requests": 1000000}}},
        },
    )
    requests = _lambda_components(inline)["Requests"]
    assert requests["monthlyQuantity"] == "1"
    assert requests["usageSource"] == "inline+preset:medium"  # duration still from the preset


def test_every_registered_type_is_described() -> None:
    described = {entry["type"]: entry for entry in registry.describe()}
    for name in registry.load():
        assert described[name]["priced"] is True
    assert described["aws_vpc"]["free"] is True


def test_a_preset_filed_under_infracosts_spelling_of_a_type_applies_to_the_provider_type() -> None:
    # Infracost's presets list Kinesis Analytics v1 as aws_kinesis_analytics_application;
    # the AWS provider's type is aws_kinesisanalytics_application.
    main = b"""
resource "aws_kinesisanalytics_application" "app" {
  name = "app"
}
"""
    result = build_result({"main.tf": main}, "us-east-1", options={"usage_preset": "medium"})
    [resource] = result["estimate"]["projects"][0]["breakdown"]["resources"]
    filled = [c for c in resource["costComponents"] if c["usageBased"]]
    assert filled and all(c["monthlyQuantity"] is not None for c in filled), filled
    assert {c["usageSource"] for c in filled} == {"preset:medium"}
