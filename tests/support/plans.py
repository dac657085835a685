"""Realistic ``terraform show -json`` plan documents built in code, for the diff tests.

`change_plan` is what Terraform 1.9 writes for a change to a running stack: the prior
state (every resource as it is), the planned values (as it will be) and one
``resource_changes`` entry per resource with its actions, ``before`` and ``after``. It
creates, updates, replaces and deletes resources and leaves others alone:

=============================  =========  ========================================
address                        action     what changes
=============================  =========  ========================================
``aws_instance.web``           update     t3.micro -> t3.large (in place)
``aws_instance.worker``        replace    new AMI: m5.large -> m5.xlarge
``aws_nat_gateway.main``       create
``aws_ebs_volume.scratch``     delete     a 100 GB gp2 volume
``aws_db_instance.db``         no-op      db.t3.medium postgres
``aws_s3_bucket.logs``         no-op      free of itself
``aws_vpc.main``               no-op      free
=============================  =========  ========================================
"""

from __future__ import annotations

import json
from typing import Any

PROVIDER = "registry.terraform.io/hashicorp/aws"

INSTANCE_BASE = {
    "ami": "ami-0a1b2c3d4e5f67890",
    "associate_public_ip_address": False,
    "ebs_optimized": False,
    "monitoring": False,
    "tenancy": "default",
    "root_block_device": [
        {"volume_size": 8, "volume_type": "gp3", "iops": 3000, "throughput": 125}
    ],
    "ebs_block_device": [],
    "tags": {"team": "web"},
}


def _instance(instance_type: str, ami: str | None = None) -> dict[str, Any]:
    return {**INSTANCE_BASE, "instance_type": instance_type, "ami": ami or INSTANCE_BASE["ami"]}


DB = {
    "engine": "postgres",
    "engine_version": "16.3",
    "instance_class": "db.t3.medium",
    "allocated_storage": 50,
    "storage_type": "gp3",
    "multi_az": False,
    "identifier": "app-db",
}
VOLUME = {"availability_zone": "us-east-1a", "size": 100, "type": "gp2", "encrypted": True}
NAT = {"allocation_id": "eipalloc-0123", "connectivity_type": "public", "subnet_id": "subnet-1"}
BUCKET = {"bucket": "acme-logs", "force_destroy": False}
VPC = {"cidr_block": "10.0.0.0/16", "enable_dns_support": True}


def _resource(address: str, values: dict[str, Any]) -> dict[str, Any]:
    rtype, name = address.split(".", 1)
    return {
        "address": address,
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider_name": PROVIDER,
        "schema_version": 1,
        "values": values,
        "sensitive_values": {},
    }


def _change(
    address: str, actions: list[str], before: Any, after: Any, **extra: Any
) -> dict[str, Any]:
    rtype, name = address.split(".", 1)
    return {
        "address": address,
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider_name": PROVIDER,
        "change": {
            "actions": actions,
            "before": before,
            "after": after,
            "after_unknown": {"id": True} if after is not None and actions != ["no-op"] else {},
            "before_sensitive": {} if before is not None else False,
            "after_sensitive": {} if after is not None else False,
            **extra,
        },
    }


def change_plan(region: str = "us-east-1") -> dict[str, Any]:
    prior = {
        "aws_instance.web": _instance("t3.micro"),
        "aws_instance.worker": _instance("m5.large"),
        "aws_ebs_volume.scratch": VOLUME,
        "aws_db_instance.db": DB,
        "aws_s3_bucket.logs": BUCKET,
        "aws_vpc.main": VPC,
    }
    planned = {
        "aws_instance.web": _instance("t3.large"),
        "aws_instance.worker": _instance("m5.xlarge", ami="ami-0fedcba987654321"),
        "aws_nat_gateway.main": NAT,
        "aws_db_instance.db": DB,
        "aws_s3_bucket.logs": BUCKET,
        "aws_vpc.main": VPC,
    }
    changes = [
        _change("aws_instance.web", ["update"], prior["aws_instance.web"], planned["aws_instance.web"]),
        _change("aws_instance.worker", ["delete", "create"], prior["aws_instance.worker"],
                planned["aws_instance.worker"], replace_paths=[["ami"]]),
        _change("aws_nat_gateway.main", ["create"], None, planned["aws_nat_gateway.main"]),
        _change("aws_ebs_volume.scratch", ["delete"], prior["aws_ebs_volume.scratch"], None),
        _change("aws_db_instance.db", ["no-op"], DB, DB),
        _change("aws_s3_bucket.logs", ["no-op"], BUCKET, BUCKET),
        _change("aws_vpc.main", ["no-op"], VPC, VPC),
    ]  # fmt: skip
    configuration_resources = [
        {
            "address": address,
            "mode": "managed",
            "type": address.split(".")[0],
            "name": address.split(".")[1],
            "provider_config_key": "aws",
            "expressions": {key: {"constant_value": value} for key, value in values.items()},
            "schema_version": 1,
        }
        for address, values in planned.items()
    ]
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {
            "root_module": {"resources": [_resource(a, v) for a, v in planned.items()]}
        },
        "resource_changes": changes,
        "prior_state": {
            "format_version": "1.0",
            "terraform_version": "1.9.8",
            "values": {"root_module": {"resources": [_resource(a, v) for a, v in prior.items()]}},
        },
        "configuration": {
            "provider_config": {
                "aws": {
                    "name": "aws",
                    "full_name": PROVIDER,
                    "expressions": {"region": {"constant_value": region}},
                }
            },
            "root_module": {"resources": configuration_resources},
        },
        "timestamp": "2026-11-30T09:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def plan_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=2).encode()
