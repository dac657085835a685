"""Rules of the network family worth pinning in words (the numbers are in the golden folders
under ``tests/engine/testdata/``)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from engine.costing.estimate import usage_only_resources
from engine.costing.usage import Usage
from tests.engine.estimates import component, estimate, monthly, resource, resources

pytestmark = pytest.mark.unit

PROVIDER = 'provider "aws" {\n  region = "eu-west-1"\n}\n'


def test_aws_data_transfer_entries_of_a_usage_file_are_resources() -> None:
    usage = Usage()
    usage.add_document(
        {
            "resource_usage": {
                "aws_data_transfer.oregon": {"region": "us-west-2"},
                "aws_data_transfer.default_region": {"monthly_outbound_internet_gb": 1},
                "aws_data_transfer[*]": {"monthly_outbound_internet_gb": 1},
                "aws_lambda_function.f": {"monthly_requests": 1},
            }
        },
        "usage.yml",
    )
    found = {r.address: r for r in usage_only_resources(usage)}
    assert sorted(found) == ["aws_data_transfer.default_region", "aws_data_transfer.oregon"]
    assert found["aws_data_transfer.oregon"].effective_region("eu-west-1") == "us-west-2"
    # without a region key, the job's (or provider's) region
    assert found["aws_data_transfer.default_region"].effective_region("eu-west-1") == "eu-west-1"


def test_aws_data_transfer_is_priced_in_its_entry_region() -> None:
    doc = estimate(
        PROVIDER,
        region="eu-west-1",
        usage={
            "resource_usage": {
                "aws_data_transfer.virginia": {
                    "region": "us-east-1",
                    "monthly_outbound_other_regions_gb": 100,
                },
                "aws_data_transfer.here": {"monthly_outbound_internet_gb": 10},
            }
        },
    )
    assert sorted(resources(doc)) == ["aws_data_transfer.here", "aws_data_transfer.virginia"]
    virginia = resource(doc, "aws_data_transfer.virginia")
    assert virginia["metadata"]["region"] == "us-east-1"
    # us-east-1 to us-west-2 at $0.02/GB (AWSDataTransfer, InterRegion Outbound)
    other = component(doc, "aws_data_transfer.virginia", "Outbound data transfer to other regions")
    assert monthly(other) == 100 * D("0.02")
    assert resource(doc, "aws_data_transfer.here")["metadata"]["region"] == "eu-west-1"
    assert doc["summary"]["supportedResourceCounts"]["aws_data_transfer"] == 2


def test_a_fractional_hcl_number_is_a_number() -> None:
    """HCL evaluates 0.5 to a Decimal; it used to be reported as 'not a number'."""
    doc = estimate(
        """
resource "aws_api_gateway_stage" "s" {
  rest_api_id           = "a"
  stage_name            = "s"
  deployment_id         = "d"
  cache_cluster_enabled = true
  cache_cluster_size    = 0.5
}
"""
    )
    cache = component(doc, "aws_api_gateway_stage.s", "Cache memory (0.5 GB)")
    assert monthly(cache) == D("0.02") * 730
