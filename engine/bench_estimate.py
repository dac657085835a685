"""Benchmark: estimate a 100-resource configuration (target: well under one second).

``python -m engine.bench_estimate [--resources N] [--repeat R]``

Builds an HCL configuration of N priced resources of mixed types (instances with volumes,
volumes, databases, load balancers, NAT gateways, Lambda functions, buckets, queues...), plus a
usage document, and times :func:`engine.result.build_result` (HCL reading, inventory and
estimate) cold (first run: catalog opened, caches empty) and warm. Nothing is asserted: the
numbers are printed, so CI machines of any speed can run it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

from engine.result import build_result

_TEMPLATES = (
    'resource "aws_instance" "app_{i}" {{\n'
    "  instance_type = var.instance_types[{i} % length(var.instance_types)]\n"
    '  root_block_device {{\n    volume_size = 20 + {i}\n    volume_type = "gp3"\n  }}\n'
    '  ebs_block_device {{\n    device_name = "/dev/sdf"\n    volume_size = 100\n'
    '    volume_type = "io1"\n    iops = 1000\n  }}\n'
    "}}\n",
    'resource "aws_ebs_volume" "data_{i}" {{\n  availability_zone = "us-east-1a"\n'
    "  size = {i} + 10\n  type = local.volume_type\n  iops = 4000\n  throughput = 250\n}}\n",
    'resource "aws_db_instance" "db_{i}" {{\n  engine = "postgres"\n'
    '  instance_class = "db.t3.medium"\n  allocated_storage = 50\n  storage_type = "gp3"\n'
    "  multi_az = {i} % 2 == 0\n}}\n",
    'resource "aws_lb" "lb_{i}" {{\n  load_balancer_type = "application"\n}}\n',
    'resource "aws_nat_gateway" "nat_{i}" {{\n  subnet_id = "subnet-{i}"\n}}\n',
    'resource "aws_lambda_function" "fn_{i}" {{\n  function_name = format("fn-%03d", {i})\n'
    '  memory_size = 512\n  role = "arn:aws:iam::1:role/x"\n}}\n',
    'resource "aws_s3_bucket" "bucket_{i}" {{\n  bucket = "b-{i}"\n}}\n',
    'resource "aws_sqs_queue" "queue_{i}" {{\n  name = "q-{i}"\n}}\n',
    'resource "aws_dynamodb_table" "table_{i}" {{\n  name = "t{i}"\n  hash_key = "id"\n'
    "  read_capacity = 5\n  write_capacity = 5\n}}\n",
    'resource "aws_elasticache_cluster" "cache_{i}" {{\n  cluster_id = "c{i}"\n'
    '  engine = "redis"\n  node_type = "cache.t3.small"\n  num_cache_nodes = 1\n}}\n',
)

_HEADER = """
variable "instance_types" {
  default = ["t3.micro", "m5.large", "c5.xlarge"]
}
locals {
  volume_type = "gp3"
}
"""


def configuration(resources: int) -> dict[str, bytes]:
    body = [_HEADER]
    for index in range(resources):
        body.append(_TEMPLATES[index % len(_TEMPLATES)].format(i=index))
    usage = {
        "version": "0.1",
        "resource_type_default_usage": {
            "aws_lambda_function": {"monthly_requests": 1_000_000, "request_duration_ms": 250},
            "aws_s3_bucket": {"standard": {"storage_gb": 100}},
            "aws_sqs_queue": {"monthly_requests": 5_000_000},
        },
    }
    return {
        "main.tf": "".join(body).encode(),
        "infracost-usage.yml": json.dumps(usage).encode(),  # JSON is valid YAML
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine.bench_estimate", description=__doc__)
    parser.add_argument("--resources", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    files = configuration(args.resources)
    timings = []
    result: dict[str, object] = {}
    for _ in range(max(1, args.repeat)):
        started = time.perf_counter()
        result = build_result(files, "us-east-1")
        timings.append(time.perf_counter() - started)
    estimate = result["estimate"]
    assert isinstance(estimate, dict)
    print(
        json.dumps(
            {
                "resources": args.resources,
                "cold_seconds": round(timings[0], 4),
                "warm_seconds": round(min(timings), 4),
                "total_monthly_cost": estimate["totalMonthlyCost"],
                "summary": estimate["summary"],
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
