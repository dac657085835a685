"""What the planner makes of small configurations: one test per rule of Terraform's semantics.

Each test writes a configuration as Terraform users write it and asserts the resource
instances ``terraform plan`` would create (addresses, regions) and what is listed as unknown.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.model import Resource, Unresolved
from engine.terraform import InvalidOption, plan_upload
from engine.terraform.config import ConfigError
from engine.terraform.planner import PlanResult

pytestmark = pytest.mark.unit


def plan(files: dict[str, str], **options: Any) -> PlanResult:
    options.setdefault("region", "us-east-1")
    projects = plan_upload({k: v.encode() for k, v in files.items()}, **options)
    assert len(projects) == 1
    return projects[0].result


def addresses(result: PlanResult, mode: str = "managed") -> list[str]:
    return [r.address for r in result.resources if r.mode == mode]


def unknowns(result: PlanResult) -> dict[str, str]:
    return {u.address: u.reason for u in result.unknowns}


def resource(result: PlanResult, address: str) -> Resource:
    return next(r for r in result.resources if r.address == address)


# --- count and for_each -----------------------------------------------------------------------


def test_count_and_for_each_expand_to_instance_addresses() -> None:
    result = plan(
        {
            "main.tf": """
resource "aws_instance" "web" {
  count         = 2
  instance_type = "t3.micro"
}
resource "aws_sqs_queue" "q" {
  for_each = { b = "second", a = "first" }
  name     = each.value
}
resource "aws_sns_topic" "t" {
  for_each = toset(["x", "y", "x"])
  name     = each.key
}
resource "aws_s3_bucket" "none" {
  count = 0
}
"""
        }
    )
    assert addresses(result) == [
        "aws_instance.web[0]",
        "aws_instance.web[1]",
        'aws_sns_topic.t["x"]',
        'aws_sns_topic.t["y"]',
        'aws_sqs_queue.q["a"]',
        'aws_sqs_queue.q["b"]',
    ]
    assert resource(result, 'aws_sqs_queue.q["b"]').attributes["name"] == "second"
    assert resource(result, "aws_instance.web[1]").index == 1


def test_for_each_with_known_keys_and_unknown_values_expands() -> None:
    result = plan(
        {
            "main.tf": """
resource "aws_instance" "this" {
  instance_type = "t3.micro"
}
resource "aws_lb_target_group" "tg" {
  for_each = {
    one   = aws_instance.this.id
    two   = aws_instance.this.id
    three = aws_instance.this.id
  }
  name = each.key
  target_id = each.value
}
"""
        }
    )
    assert [a for a in addresses(result) if a.startswith("aws_lb")] == [
        'aws_lb_target_group.tg["one"]',
        'aws_lb_target_group.tg["three"]',
        'aws_lb_target_group.tg["two"]',
    ]
    target = resource(result, 'aws_lb_target_group.tg["one"]').attributes["target_id"]
    assert isinstance(target, Unresolved)
    assert "aws_instance.this.id is known only after apply" in target.reason


def test_unknown_count_is_listed_once_and_creates_nothing() -> None:
    result = plan(
        {
            "main.tf": """
data "aws_subnets" "all" {}
resource "aws_instance" "per_subnet" {
  count         = length(data.aws_subnets.all.ids)
  instance_type = "m5.large"
}
resource "aws_instance" "keyed" {
  for_each      = toset(data.aws_subnets.all.ids)
  instance_type = "m5.large"
}
"""
        }
    )
    assert addresses(result) == []
    reasons = unknowns(result)
    assert "count is unknown" in reasons["aws_instance.per_subnet"]
    assert (
        "data.aws_subnets.all.ids is known only after apply" in reasons["aws_instance.per_subnet"]
    )
    assert "for_each" in reasons["aws_instance.keyed"]
    assert result.unexpanded_resources == 2


def test_for_each_over_a_list_is_refused_as_terraform_refuses_it() -> None:
    result = plan({"main.tf": 'resource "aws_sqs_queue" "q" {\n  for_each = ["a"]\n}\n'})
    assert addresses(result) == []
    assert "toset()" in unknowns(result)["aws_sqs_queue.q"]


def test_huge_count_is_not_expanded_and_ends_quickly() -> None:
    result = plan({"main.tf": 'resource "aws_instance" "x" {\n  count = 200000\n}\n'})
    assert addresses(result) == []
    assert "exceeds the expansion limit" in unknowns(result)["aws_instance.x"]


def test_evaluation_bomb_stops_at_the_budget() -> None:
    result = plan(
        {
            "main.tf": """
locals {
  big = [for i in range(1024) : [for j in range(1024) : [for k in range(1024) : i * j * k]]]
}
resource "aws_instance" "x" {
  count = length(local.big) > 0 ? 1 : 0
}
"""
        },
        budget_seconds=2.0,
    )
    assert addresses(result) == []
    assert any(
        "evaluation" in reason or "collection" in reason or "too" in reason
        for reason in unknowns(result).values()
    )


# --- variables --------------------------------------------------------------------------------


VARIABLES_TF = """
variable "node_groups" {
  type = map(object({
    instance_types = optional(list(string), ["m5.large"])
    capacity_type  = optional(string, "ON_DEMAND")
    scaling = optional(object({
      desired = optional(number, 2)
      max     = optional(number, 3)
    }), {})
  }))
  default = { default = {} }
}
variable "env" {
  type    = string
  default = "dev"
}
variable "replicas" {
  type    = number
  default = 1
}
resource "aws_eks_node_group" "this" {
  for_each       = var.node_groups
  node_group_name = "${each.key}-${var.env}-${terraform.workspace}"
  instance_types = each.value.instance_types
  capacity_type  = each.value.capacity_type
  scaling_config {
    desired_size = each.value.scaling.desired
    max_size     = each.value.scaling.max
  }
}
resource "aws_instance" "replica" {
  count         = var.replicas
  instance_type = "t3.micro"
}
"""


def test_optional_attributes_are_filled_at_every_depth() -> None:
    result = plan({"main.tf": VARIABLES_TF})
    group = resource(result, 'aws_eks_node_group.this["default"]').attributes
    assert group["capacity_type"] == "ON_DEMAND"
    assert group["instance_types"] == ["m5.large"]
    assert group["scaling_config"] == [{"desired_size": 2, "max_size": 3}]
    assert group["node_group_name"] == "default-dev-default"


def test_variable_precedence_is_terraforms() -> None:
    files = {
        "main.tf": VARIABLES_TF,
        "terraform.tfvars": 'env = "tfvars"\nreplicas = 2\n',
        "terraform.tfvars.json": json.dumps({"env": "tfvars-json"}),
        "b.auto.tfvars": 'env = "auto-b"\n',
        "a.auto.tfvars": 'env = "auto-a"\nreplicas = "3"\n',
        "envs/prod.tfvars": 'node_groups = { spot = { capacity_type = "SPOT" } }\n',
    }
    result = plan(files)
    # terraform.tfvars < terraform.tfvars.json < *.auto.tfvars in lexical order
    assert (
        resource(result, 'aws_eks_node_group.this["default"]').attributes["node_group_name"]
        == "default-auto-b-default"
    )
    assert addresses(result).count("aws_instance.replica[2]") == 1  # "3" converted to 3
    result = plan(
        files,
        var_files=["envs/prod.tfvars"],
        variables={"env": "cli", "replicas": 1},
        workspace="staging",
    )
    group = resource(result, 'aws_eks_node_group.this["spot"]').attributes
    assert group["capacity_type"] == "SPOT"
    assert group["instance_types"] == ["m5.large"]
    assert group["node_group_name"] == "spot-cli-staging"
    assert "aws_instance.replica[1]" not in addresses(result)


def test_variables_given_as_hcl_text_for_complex_types() -> None:
    result = plan(
        {"main.tf": VARIABLES_TF},
        variables={"node_groups": "{ a = {}, b = { scaling = { desired = 5 } } }"},
    )
    b = resource(result, 'aws_eks_node_group.this["b"]').attributes
    assert b["scaling_config"] == [{"desired_size": 5, "max_size": 3}]


def test_a_root_variable_without_value_is_reported_not_guessed() -> None:
    result = plan(
        {
            "main.tf": """
variable "instance_type" {}
resource "aws_instance" "x" {
  instance_type = var.instance_type
}
"""
        }
    )
    value = resource(result, "aws_instance.x").attributes["instance_type"]
    assert isinstance(value, Unresolved)
    assert "var.instance_type has no value" in value.reason
    assert unknowns(result)["var.instance_type"] == "no value given and no default"


def test_bad_options_are_invalid_options() -> None:
    files = {"main.tf": b'resource "aws_sqs_queue" "q" {}\n'}
    for options in (
        {"root_module": "nope"},
        {"var_files": ["missing.tfvars"]},
        {"root_module": "../x"},
    ):
        with pytest.raises(InvalidOption):
            plan_upload(files, region="us-east-1", **options)  # type: ignore[arg-type]


# --- modules -----------------------------------------------------------------------------------


MODULE_FILES = {
    "modules/vpc/main.tf": """
variable "subnets" {
  type = list(string)
}
resource "aws_subnet" "this" {
  count      = length(var.subnets)
  cidr_block = var.subnets[count.index]
}
resource "aws_nat_gateway" "this" {
  count     = length(var.subnets) > 0 ? 1 : 0
  subnet_id = aws_subnet.this[0].id
}
output "subnet_ids" {
  value = aws_subnet.this[*].id
}
output "names" {
  value = { for s in var.subnets : s => "subnet-${s}" }
}
""",
    "envs/prod/main.tf": """
module "vpc" {
  source  = "../../modules/vpc"
  subnets = ["10.0.1.0/24", "10.0.2.0/24"]
}
module "per_subnet" {
  source   = "./app"
  count    = length(module.vpc.subnet_ids)
  subnet   = module.vpc.subnet_ids[count.index]
}
module "named" {
  source   = "./app"
  for_each = module.vpc.names
  subnet   = each.value
}
""",
    "envs/prod/app/main.tf": """
variable "subnet" {}
resource "aws_instance" "app" {
  instance_type = "t3.small"
  subnet_id     = var.subnet
}
""",
}


def test_local_modules_anywhere_in_the_upload_and_counts_from_module_outputs() -> None:
    result = plan(MODULE_FILES)
    assert addresses(result) == [
        'module.named["10.0.1.0/24"].aws_instance.app',
        'module.named["10.0.2.0/24"].aws_instance.app',
        "module.per_subnet[0].aws_instance.app",
        "module.per_subnet[1].aws_instance.app",
        "module.vpc.aws_nat_gateway.this[0]",
        "module.vpc.aws_subnet.this[0]",
        "module.vpc.aws_subnet.this[1]",
    ]
    assert [m.address for m in result.modules] == [
        "module.vpc",
        "module.per_subnet[0]",
        "module.per_subnet[1]",
        'module.named["10.0.1.0/24"]',
        'module.named["10.0.2.0/24"]',
    ]


def test_the_root_is_detected_as_the_folder_nobody_calls() -> None:
    projects = plan_upload({k: v.encode() for k, v in MODULE_FILES.items()}, region="us-east-1")
    assert [p.path for p in projects] == ["envs/prod"]


def test_several_roots_are_several_projects_and_examples_count_only_alone() -> None:
    files = {
        "stacks/a/main.tf": b'resource "aws_sqs_queue" "a" {}\n',
        "stacks/b/main.tf": b'resource "aws_sqs_queue" "b" {}\n',
        "examples/demo/main.tf": b'resource "aws_sqs_queue" "demo" {}\n',
        ".terraform/modules/x/main.tf": b'resource "aws_sqs_queue" "hidden" {}\n',
    }
    projects = plan_upload(files, region="us-east-1")
    assert [p.path for p in projects] == ["stacks/a", "stacks/b"]
    only_examples = {k: v for k, v in files.items() if k.startswith("examples/")}
    assert [p.path for p in plan_upload(only_examples, region="us-east-1")] == ["examples/demo"]


def test_module_sources_that_cannot_be_followed_are_listed_with_their_reason() -> None:
    result = plan(
        {
            "main.tf": """
module "outside" {
  source = "../../elsewhere"
}
module "registry" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"
}
module "missing" {
  source = "./nope"
}
module "loop" {
  source = "./"
}
"""
        }
    )
    reasons = unknowns(result)
    assert "leaves the upload" in reasons["module.outside"]
    assert "terraform-aws-modules/vpc/aws" in reasons["module.registry"]
    assert "version ~> 5.0" in reasons["module.registry"]
    assert "no .tf files" in reasons["module.missing"]
    assert "calls itself" in reasons["module.loop"]
    assert result.unexpanded_modules == 4


def test_terraform_init_manifest_resolves_registry_modules_offline() -> None:
    result = plan(
        {
            "main.tf": 'module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "~> 5.0"\n}\n',
            ".terraform/modules/modules.json": json.dumps(
                {
                    "Modules": [
                        {"Key": "", "Source": "", "Dir": "."},
                        {
                            "Key": "vpc",
                            "Source": "registry.terraform.io/terraform-aws-modules/vpc/aws",
                            "Version": "5.1.2",
                            "Dir": ".terraform/modules/vpc",
                        },
                    ]
                }
            ),
            ".terraform/modules/vpc/main.tf": 'resource "aws_vpc" "this" {\n  cidr_block = "10.0.0.0/16"\n}\n',
        }
    )
    assert addresses(result) == ["module.vpc.aws_vpc.this"]
    assert result.modules[0].kind == "manifest"
    assert dict(result.modules[0].detail)["version"] == "5.1.2"


def test_module_nesting_is_limited() -> None:
    files = {
        f"m{i}/main.tf": f'module "next" {{\n  source = "../m{i + 1}"\n}}\n' for i in range(30)
    }
    files["m30/main.tf"] = 'resource "aws_sqs_queue" "deep" {}\n'
    result = plan(files, root_module="m0")
    assert addresses(result) == []
    assert any("deeper than" in reason for reason in unknowns(result).values())


# --- blocks, functions, data sources --------------------------------------------------------


def test_dynamic_blocks_with_and_without_iterator() -> None:
    result = plan(
        {
            "main.tf": """
locals {
  volumes = { data = 100, logs = 20 }
}
resource "aws_instance" "x" {
  instance_type = "t3.micro"
  dynamic "ebs_block_device" {
    for_each = local.volumes
    content {
      device_name = ebs_block_device.key
      volume_size = ebs_block_device.value
    }
  }
  dynamic "network_interface" {
    for_each = [1, 2]
    iterator = nic
    content {
      device_index = nic.key
    }
  }
}
"""
        }
    )
    attributes = resource(result, "aws_instance.x").attributes
    assert attributes["ebs_block_device"] == [
        {"device_name": "data", "volume_size": 100},
        {"device_name": "logs", "volume_size": 20},
    ]
    assert attributes["network_interface"] == [{"device_index": 0}, {"device_index": 1}]


def test_files_of_the_upload_drive_for_each_but_nothing_outside_is_read() -> None:
    result = plan(
        {
            "main.tf": """
locals {
  queues = yamldecode(file("${path.module}/queues.yaml"))
  secret = file("../../../../etc/passwd")
}
resource "aws_sqs_queue" "q" {
  for_each = toset(local.queues.names)
  name     = templatefile("${path.module}/name.tftpl", { q = each.key, ws = terraform.workspace })
  policy   = local.secret
}
""",
            "queues.yaml": "names: [orders, invoices]\n",
            "name.tftpl": '%{ if ws != "default" }${ws}-%{ endif }${q}',
        }
    )
    assert addresses(result) == ['aws_sqs_queue.q["invoices"]', 'aws_sqs_queue.q["orders"]']
    queue = resource(result, 'aws_sqs_queue.q["orders"]').attributes
    assert queue["name"] == "orders"
    assert isinstance(queue["policy"], Unresolved)
    assert "root:" not in str(queue["policy"])


def test_availability_zones_region_and_account_answer_statically() -> None:
    result = plan(
        {
            "main.tf": """
provider "aws" {
  region = "eu-west-1"
}
data "aws_availability_zones" "available" {
  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}
data "aws_region" "current" {}
data "aws_caller_identity" "me" {}
locals {
  azs = slice(data.aws_availability_zones.available.names, 0, 3)
}
resource "aws_subnet" "private" {
  count             = length(local.azs)
  availability_zone = local.azs[count.index]
  tags = { Region = data.aws_region.current.name, Account = data.aws_caller_identity.me.account_id }
}
"""
        }
    )
    subnets = [r for r in result.resources if r.type == "aws_subnet"]
    assert [s.attributes["availability_zone"] for s in subnets] == [
        "eu-west-1a",
        "eu-west-1b",
        "eu-west-1c",
    ]
    assert subnets[0].attributes["tags"] == {"Region": "eu-west-1", "Account": "123456789012"}
    assert {s.region for s in subnets} == {"eu-west-1"}


def test_each_resource_gets_its_own_providers_region() -> None:
    result = plan(
        {
            "main.tf": """
provider "aws" {
  region = "eu-west-1"
}
provider "aws" {
  alias  = "use1"
  region = "us-east-1"
}
resource "aws_sqs_queue" "default" {}
resource "aws_sqs_queue" "aliased" {
  provider = aws.use1
}
resource "aws_sqs_queue" "own_region" {
  region = "ap-south-1"
}
module "inherits" {
  source = "./child"
}
module "mapped" {
  source = "./child"
  providers = {
    aws = aws.use1
  }
}
""",
            "child/main.tf": 'resource "aws_sns_topic" "t" {}\n',
        },
        region="us-west-2",
    )
    regions = {r.address: r.effective_region("us-west-2") for r in result.resources}
    assert regions == {
        "aws_sqs_queue.default": "eu-west-1",
        "aws_sqs_queue.aliased": "us-east-1",
        "aws_sqs_queue.own_region": "ap-south-1",
        "module.inherits.aws_sns_topic.t": "eu-west-1",
        "module.mapped.aws_sns_topic.t": "us-east-1",
    }


def test_a_provider_without_region_uses_the_jobs_region() -> None:
    result = plan({"main.tf": 'resource "aws_sqs_queue" "q" {}\n'}, region="sa-east-1")
    assert resource(result, "aws_sqs_queue.q").effective_region("sa-east-1") == "sa-east-1"


def test_references_name_the_exact_instance_used() -> None:
    result = plan(
        {
            "main.tf": """
resource "aws_launch_configuration" "lc" {
  count         = 2
  instance_type = ["t3.micro", "m5.large"][count.index]
}
resource "aws_autoscaling_group" "asg" {
  count                = 2
  launch_configuration = aws_launch_configuration.lc[count.index].name
}
"""
        }
    )
    second = resource(result, "aws_autoscaling_group.asg[1]")
    assert second.references["launch_configuration"] == ("aws_launch_configuration.lc[1]",)
    assert second.attributes["launch_configuration"] == Unresolved(
        "${aws_launch_configuration.lc[1].name}", "x"
    )


def test_json_syntax_and_override_files() -> None:
    result = plan(
        {
            "main.tf.json": json.dumps(
                {
                    "variable": {"size": {"default": "m5.large"}},
                    "resource": {
                        "aws_instance": {
                            "web": {
                                "count": "${1 + 1}",
                                "instance_type": "${var.size}",
                                "tags": {"Name": "web-${count.index}"},
                            }
                        }
                    },
                }
            ),
            "override.tf": 'resource "aws_instance" "web" {\n  instance_type = "c5.xlarge"\n}\n',
        }
    )
    web = resource(result, "aws_instance.web[1]").attributes
    assert web["instance_type"] == "c5.xlarge"
    assert web["tags"] == {"Name": "web-1"}


@pytest.mark.parametrize(
    "content",
    ['resource "aws_instance" "x" {\n  a = \n}\n', 'resource "x" {', 'locals {\n a = "${"\n}\n'],
)
def test_syntax_errors_name_the_file_and_line(content: str) -> None:
    with pytest.raises(ConfigError, match=r"main\.tf:\d+"):
        plan({"main.tf": content})


def test_strip_markers_and_number_literal_for_expressions_parse() -> None:
    result = plan(
        {
            "main.tf": """
locals {
  name  = "${~ "  web" ~}"
  ones  = [for x in ["a", "b"] : 1]
  lines = <<-EOT
    first
      second
    EOT
}
resource "aws_sqs_queue" "q" {
  name   = "${local.name}-${length(local.ones)}"
  policy = local.lines
}
"""
        }
    )
    queue = resource(result, "aws_sqs_queue.q").attributes
    assert queue["name"] == "  web-2"
    assert queue["policy"] == "first\n  second\n"


def test_a_large_configuration_gets_a_budget_in_proportion_to_its_size() -> None:
    # 700 blocks of 25 instances with a few expressions each: more evaluation work
    # than the base budget allows a small configuration, all of it legitimate.
    blocks = "".join(
        f"""
resource "aws_instance" "i{n}" {{
  for_each      = local.sizes
  instance_type = each.value
  tags          = merge(local.tags, {{ Name = "i{n}-${{each.key}}", Index = "{n}" }})
}}
"""
        for n in range(700)
    )
    main = (
        'locals {\n  sizes = { for i in range(25) : "k${i}" => "t3.micro" }\n'
        '  tags  = { Team = "platform", Env = "prod" }\n}\n' + blocks
    )
    result = plan({"main.tf": main})
    assert len(addresses(result)) == 700 * 25
    assert unknowns(result) == {}
