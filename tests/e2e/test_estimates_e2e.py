"""Estimates through the whole system (upload -> job with options -> result), for the rules
of Terraform's semantics the engine follows: a repository uploaded whole with a root module
chosen, var files and variables, workspaces, provider aliases, modules whose count comes from
other modules' outputs, optional() attributes, dynamic blocks, data sources, .tf.json."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.test_pipeline_e2e import upload, wait_done
from tests.support.shared import SHARED, require_shared

pytestmark = pytest.mark.e2e

ORACLES = Path(__file__).resolve().parents[1] / "engine" / "terraform" / "examples"

STACK = {
    "envs/prod/main.tf": """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
provider "aws" {
  region = var.region
}
provider "aws" {
  alias  = "dr"
  region = "us-west-2"
}
variable "region" {
  type    = string
  default = "eu-west-1"
}
variable "node_groups" {
  type = map(object({
    instance_type = optional(string, "m5.large")
    size          = optional(number, 2)
  }))
  default = {}
}
variable "replicas" {
  type    = number
  default = 1
}
data "aws_availability_zones" "zones" {}
module "network" {
  source = "../../modules/network"
  azs    = slice(data.aws_availability_zones.zones.names, 0, 2)
}
module "app" {
  source    = "../../modules/app"
  for_each  = var.node_groups
  name      = "${terraform.workspace}-${each.key}"
  type      = each.value.instance_type
  instances = each.value.size
  subnets   = module.network.subnet_ids
}
module "backup" {
  source    = "../../modules/app"
  count     = var.replicas
  providers = { aws = aws.dr }
  name      = "dr-${count.index}"
  type      = "t3.small"
  instances = 1
  subnets   = ["subnet-dr"]
}
""",
    "envs/prod/prod.tfvars": 'node_groups = { api = {}, batch = { instance_type = "c5.xlarge", size = 3 } }\n',
    "modules/network/main.tf": """
variable "azs" {
  type = list(string)
}
resource "aws_subnet" "private" {
  count             = length(var.azs)
  availability_zone = var.azs[count.index]
  cidr_block        = cidrsubnet("10.0.0.0/16", 8, count.index)
}
resource "aws_nat_gateway" "this" {
  count     = length(var.azs)
  subnet_id = aws_subnet.private[count.index].id
}
output "subnet_ids" {
  value = aws_subnet.private[*].id
}
""",
    "modules/app/main.tf.json": json.dumps(
        {
            "variable": {
                "name": {},
                "type": {},
                "instances": {},
                "subnets": {"type": "list(string)"},
            },
            "resource": {
                "aws_instance": {
                    "node": {
                        "count": "${var.instances}",
                        "instance_type": "${var.type}",
                        "subnet_id": "${var.subnets[count.index % length(var.subnets)]}",
                        "tags": {"Name": "${var.name}-${count.index}"},
                        "dynamic": {
                            "ebs_block_device": {
                                "for_each": '${toset(["data", "logs"])}',
                                "content": {
                                    "device_name": "${ebs_block_device.key}",
                                    "volume_size": 50,
                                    "volume_type": "gp3",
                                },
                            }
                        },
                    }
                }
            },
        }
    ),
}


def _tarball(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"platform/{path}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _job(gateway_url: str, upload_id: str, options: dict[str, Any], key: str) -> dict[str, Any]:
    response = requests.post(
        f"{gateway_url}/api/v1/jobs",
        json={"upload_id": upload_id, "region": "us-east-1", "options": options},
        headers={"Idempotency-Key": key},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    job = wait_done(gateway_url, response.json()["job_id"], timeout=120)
    assert job["status"] == "COMPLETED", job["error"]
    assert job["options"] == options
    return job


def _resources(job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["address"]: r for r in job["result"]["resources"] if r["mode"] == "managed"}


def test_a_stack_with_options_through_the_whole_system(gateway_url: str) -> None:
    up = upload(gateway_url, [("platform.tar.gz", _tarball(STACK))])
    options = {
        "root_module": "platform/envs/prod",
        "var_files": ["envs/prod/prod.tfvars"],
        "variables": {"replicas": 2},
        "workspace": "staging",
    }
    job = _job(gateway_url, up["upload_id"], options, "e2e-options-1")
    resources = _resources(job)
    assert sorted(resources) == sorted(
        [
            'module.app["api"].aws_instance.node[0]',
            'module.app["api"].aws_instance.node[1]',
            'module.app["batch"].aws_instance.node[0]',
            'module.app["batch"].aws_instance.node[1]',
            'module.app["batch"].aws_instance.node[2]',
            "module.backup[0].aws_instance.node[0]",
            "module.backup[1].aws_instance.node[0]",
            "module.network.aws_nat_gateway.this[0]",
            "module.network.aws_nat_gateway.this[1]",
            "module.network.aws_subnet.private[0]",
            "module.network.aws_subnet.private[1]",
        ]
    )
    assert resources["module.network.aws_subnet.private[0]"]["region"] == "eu-west-1"
    assert resources["module.backup[1].aws_instance.node[0]"]["region"] == "us-west-2"
    assert job["result"]["region"] == "us-east-1"
    priced = {
        r["name"]: r for r in job["result"]["estimate"]["projects"][0]["breakdown"]["resources"]
    }
    batch = priced['module.app["batch"].aws_instance.node[2]']
    names = [c["name"] for c in batch["costComponents"]]
    assert any("c5.xlarge" in name for name in names), names
    assert len(batch["subresources"]) == 3  # root volume and the two dynamic ebs_block_device
    assert batch["metadata"]["region"] == "eu-west-1"


def test_an_option_naming_nothing_fails_the_job_with_invalid_option(gateway_url: str) -> None:
    up = upload(gateway_url, [("platform.tar.gz", _tarball(STACK))])
    response = requests.post(
        f"{gateway_url}/api/v1/jobs",
        json={
            "upload_id": up["upload_id"],
            "region": "us-east-1",
            "options": {"root_module": "envs/nope"},
        },
        timeout=30,
    )
    job = wait_done(gateway_url, response.json()["job_id"], timeout=60)
    assert job["status"] == "FAILED"
    assert job["error"]["code"] == "invalid_option"
    assert "envs/nope" in job["error"]["message"]


def test_bad_options_are_refused_at_creation(gateway_url: str) -> None:
    up = upload(gateway_url, [("main.tf", b'resource "aws_sqs_queue" "q" {}\n')])
    for options in (
        {"root_module": "/etc"},
        {"var_files": ["../x.tfvars"]},
        {"nope": 1},
        {"workspace": 5},
    ):
        response = requests.post(
            f"{gateway_url}/api/v1/jobs",
            json={"upload_id": up["upload_id"], "region": "us-east-1", "options": options},
            timeout=30,
        )
        assert response.status_code == 400, options
        assert response.json()["error"]["code"] == "validation_error"


def test_a_shared_example_uploaded_as_its_repository(gateway_url: str) -> None:
    repo = require_shared(SHARED / "corpus/terraform/terraform-aws-modules/terraform-aws-vpc")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(repo, arcname="terraform-aws-vpc")
    up = upload(gateway_url, [("vpc.tar.gz", buffer.getvalue())])
    job = _job(gateway_url, up["upload_id"], {"root_module": "examples/simple"}, "e2e-vpc-simple")
    oracle = json.loads(ORACLES.joinpath("terraform-aws-vpc/simple.json").read_text("utf-8"))
    assert sorted(_resources(job)) == sorted(oracle["resources"])
