"""Odd and hostile attribute and usage values never break pricing (no internal errors)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from engine.costing import registry
from engine.costing.estimate import ProjectInput, build_estimate
from engine.costing.usage import load_usage, to_decimal
from engine.model import Resource, Unresolved

pytestmark = pytest.mark.unit

VALUES: list[Any] = [
    None, "", "x", "-5", "1e40", "9" * 70, 3, -3, 0, 2.5, True, [], {}, ["a", 1], [{}],
    [{"x": [1]}], {"a": {"b": 1}}, Unresolved("${var.x}", "unknown"), "gp3", "io2",
    "t3.micro", "db.serverless", "FARGATE", "Interface", "aurora-mysql", "redis", "SPOT",
    "PAY_PER_REQUEST",
]  # fmt: skip
KEYS = [
    "instance_type", "type", "size", "iops", "throughput", "engine", "instance_class",
    "allocated_storage", "storage_type", "multi_az", "desired_capacity", "min_size",
    "load_balancer_type", "vpc_endpoint_type", "subnet_ids", "node_type", "num_cache_nodes",
    "billing_mode", "read_capacity", "write_capacity", "launch_type", "desired_count",
    "memory_size", "architectures", "protocol", "fifo_queue", "root_block_device",
    "ebs_block_device", "scaling_config", "metric_query", "period", "ephemeral_storage",
    "capacity_type", "instance_types", "customer_master_key_spec", "throughput_mode",
]  # fmt: skip
USAGE_VALUES: list[Any] = [None, "x", -1, 0, 1e30, "1e40", 5, 2.5, [], {}, {"storage_gb": 10}]
USAGE_KEYS = [
    "monthly_requests", "request_duration_ms", "storage_gb", "standard",
    "monthly_data_processed_gb", "new_connections", "capacity_units_per_hr",
    "monthly_cpu_credit_hrs", "vcpu_count", "operating_system", "request_size_kb",
]  # fmt: skip


@pytest.mark.parametrize("resource_type", sorted(registry.load()))
def test_hostile_values_give_reported_gaps_not_errors(resource_type: str) -> None:
    rng = random.Random(resource_type)
    for _ in range(15):
        attributes = {key: rng.choice(VALUES) for key in rng.sample(KEYS, 12)}
        usage = load_usage(
            {},
            {
                "resource_type_default_usage": {
                    resource_type: {
                        key: rng.choice(USAGE_VALUES) for key in rng.sample(USAGE_KEYS, 5)
                    }
                }
            },
        )
        resource = Resource(
            address=f"{resource_type}.x",
            type=resource_type,
            name="x",
            mode="managed",
            provider="registry.terraform.io/hashicorp/aws",
            attributes=attributes,
        )
        doc = build_estimate([ProjectInput(".", [resource], usage)], "us-east-1", source="hcl")
        for entry in doc["projects"][0]["breakdown"]["resources"]:
            names = [item["name"] for item in entry["costComponents"]]
            assert "Pricing error" not in names, attributes


@pytest.mark.parametrize("value", ["1e40", "9" * 70, float("inf"), "nan", True, [1], {"a": 1}])
def test_absurd_numbers_are_not_numbers(value: object) -> None:
    assert to_decimal(value) is None
