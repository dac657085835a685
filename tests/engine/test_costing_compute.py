"""Compute (EC2, groups, EKS, ECS): the rules worth pinning in words, each a fixed bug.

Prices are the shipped catalog's us-east-1 prices (t2.medium $0.0464/h, t3.medium $0.0416/h,
m5.large $0.096/h, gp2 $0.10/GB-month, io1 $0.125/GB-month and $0.065/IOPS-month, CloudWatch
metric $0.30); the golden folders under ``testdata/`` cover the rest.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.engine.estimates import component, components, estimate, monthly, resource

pytestmark = pytest.mark.unit

MIXED = """
resource "aws_launch_template" "lt" {{
  instance_type = "m5.large"
}}
resource "aws_autoscaling_group" "g" {{
  desired_capacity = {desired}
  max_size         = 10
  min_size         = 1
  mixed_instances_policy {{
    launch_template {{
      launch_template_specification {{
        launch_template_id = aws_launch_template.lt.id
      }}
      override {{
        instance_type     = "t2.medium"
        {weight}
      }}
    }}
    instances_distribution {{
      on_demand_base_capacity                  = {base}
      on_demand_percentage_above_base_capacity = {percent}
    }}
  }}
}}
"""
GROUP = "aws_autoscaling_group.g"
LT = "aws_launch_template.lt"


def test_asg_zero_percent_on_demand_above_the_base_is_all_spot() -> None:
    doc = estimate(MIXED.format(desired=4, weight="", base=1, percent=0))
    found = components(doc, GROUP)
    on_demand = found[f"{LT}/Instance usage (Linux/UNIX, on-demand, t2.medium)"]
    assert on_demand["hourlyQuantity"] == "1"  # the base only, not 4
    assert monthly(on_demand) == D("0.0464") * 730
    spot = found[f"{LT}/Instance usage (Linux/UNIX, spot, t2.medium)"]
    assert spot["hourlyQuantity"] == "3"
    assert spot["priceNotFound"] is True
    assert spot["priceNotFoundReason"] == (
        "no spot price for t2.medium in us-east-1 in the catalog"
    )


def test_asg_weighted_capacity_counts_instances_not_capacity_units() -> None:
    # 6 capacity units of an override weighing 2 are 3 instances (Infracost: ceil(6 / 2))
    doc = estimate(MIXED.format(desired=6, weight='weighted_capacity = "2"', base=1, percent=100))
    usage = component(doc, GROUP, f"{LT}/Instance usage (Linux/UNIX, on-demand, t2.medium)")
    assert usage["hourlyQuantity"] == "3"
    assert monthly(usage) == 3 * D("0.0464") * 730


def test_asg_min_size_zero_without_desired_capacity_is_one_instance() -> None:
    doc = estimate(
        """
resource "aws_launch_configuration" "lc" {
  image_id      = "ami"
  instance_type = "t2.medium"
}
resource "aws_autoscaling_group" "g" {
  launch_configuration = aws_launch_configuration.lc.id
  max_size             = 3
  min_size             = 0
}
resource "aws_autoscaling_group" "zero" {
  launch_configuration = aws_launch_configuration.lc.id
  desired_capacity     = 0
  max_size             = 3
  min_size             = 0
}
"""
    )
    # As Infracost: one instance, with a note saying so ($0 would hide the group's cost)
    name = "aws_launch_configuration.lc/Instance usage (Linux/UNIX, on-demand, t2.medium)"
    assert component(doc, GROUP, name)["hourlyQuantity"] == "1"
    assert any("1 instance assumed" in note for note in resource(doc, GROUP)["metadata"]["notes"])
    # an explicit desired_capacity of 0 is 0
    assert component(doc, "aws_autoscaling_group.zero", name)["hourlyQuantity"] == "0"


def test_asg_count_instances_use_the_launch_configuration_they_name() -> None:
    doc = estimate(
        """
locals {
  types = ["t2.micro", "t2.medium"]
}
resource "aws_launch_configuration" "lc" {
  count         = 2
  image_id      = "ami"
  instance_type = local.types[count.index]
}
resource "aws_autoscaling_group" "g" {
  count                = 2
  desired_capacity     = 2
  max_size             = 3
  min_size             = 1
  launch_configuration = aws_launch_configuration.lc.*.id[count.index]
}
"""
    )
    second = components(doc, "aws_autoscaling_group.g[1]")
    assert "aws_launch_configuration.lc[1]/Instance usage (Linux/UNIX, on-demand, t2.medium)" in (
        second
    )
    first = components(doc, "aws_autoscaling_group.g[0]")
    assert "aws_launch_configuration.lc[0]/Instance usage (Linux/UNIX, on-demand, t2.micro)" in (
        first
    )


def test_instance_inherits_the_launch_template_tenancy_monitoring_and_block_devices() -> None:
    doc = estimate(
        """
resource "aws_launch_template" "lt" {
  instance_type = "m5.large"
  monitoring {
    enabled = true
  }
  placement {
    tenancy = "dedicated"
  }
  block_device_mappings {
    device_name = "xvdc"
    ebs {
      volume_type = "io1"
      volume_size = 10
      iops        = 100
    }
  }
}
resource "aws_instance" "from_template" {
  launch_template {
    id = aws_launch_template.lt.id
  }
}
resource "aws_instance" "override" {
  instance_type = "m5.large"
  tenancy       = "default"
  monitoring    = false
  launch_template {
    id = aws_launch_template.lt.id
  }
  ebs_block_device {
    device_name = "xvdc"
    volume_size = 20
  }
}
"""
    )
    inherited = components(doc, "aws_instance.from_template")
    usage = inherited["Instance usage (Linux/UNIX, on-demand, m5.large)"]
    assert usage["priceNotFoundReason"] == (
        "no on-demand dedicated-tenancy price for m5.large in us-east-1 in the catalog"
    )
    assert monthly(inherited["EC2 detailed monitoring"]) == 7 * D("0.30")
    assert monthly(inherited["ebs_block_device[0]/Storage (provisioned IOPS SSD, io1)"]) == (
        10 * D("0.125")
    )
    assert monthly(inherited["ebs_block_device[0]/Provisioned IOPS"]) == 100 * D("0.065")
    # The instance's own arguments win; its device overrides the template's by device name
    # and keeps what it does not say (type and IOPS).
    own = components(doc, "aws_instance.override")
    assert monthly(own["Instance usage (Linux/UNIX, on-demand, m5.large)"]) == D("0.096") * 730
    assert "EC2 detailed monitoring" not in own
    assert monthly(own["ebs_block_device[0]/Storage (provisioned IOPS SSD, io1)"]) == (
        20 * D("0.125")
    )
    assert monthly(own["ebs_block_device[0]/Provisioned IOPS"]) == 100 * D("0.065")
    assert "ebs_block_device[1]/Storage (provisioned IOPS SSD, io1)" not in own


def test_reserved_usage_keys_are_honoured_and_never_priced_on_demand() -> None:
    doc = estimate(
        'resource "aws_instance" "r" {\n  instance_type = "m5.large"\n}\n'
        'resource "aws_instance" "half" {\n  instance_type = "m5.large"\n}\n',
        usage={
            "resource_usage": {
                "aws_instance.r": {
                    "reserved_instance_type": "standard",
                    "reserved_instance_term": "1_year",
                    "reserved_instance_payment_option": "all_upfront",
                },
                "aws_instance.half": {"reserved_instance_type": "convertible"},
            }
        },
    )
    usage = component(doc, "aws_instance.r", "Instance usage (Linux/UNIX, reserved, m5.large)")
    assert usage["priceNotFound"] is True and usage["monthlyCost"] is None
    assert usage["priceNotFoundReason"] == (
        "no 1-year all-upfront standard reserved price for m5.large in us-east-1 in the catalog"
    )
    half = component(doc, "aws_instance.half", "Instance usage (Linux/UNIX, reserved, m5.large)")
    assert half["priceNotFoundReason"] == (
        "reserved pricing needs reserved_instance_term and reserved_instance_payment_option "
        "in the usage file"
    )


def test_monthly_hrs_usage_sets_the_instance_hours() -> None:
    doc = estimate(
        'resource "aws_instance" "i" {\n  instance_type = "m5.large"\n}\n',
        usage={"resource_usage": {"aws_instance.i": {"monthly_hrs": 100}}},
    )
    usage = component(doc, "aws_instance.i", "Instance usage (Linux/UNIX, on-demand, m5.large)")
    assert usage["monthlyQuantity"] == "100"
    assert monthly(usage) == 100 * D("0.096")


def test_instances_usage_overrides_the_group_size() -> None:
    doc = estimate(
        """
resource "aws_launch_configuration" "lc" {
  image_id      = "ami"
  instance_type = "t2.medium"
}
resource "aws_autoscaling_group" "g" {
  launch_configuration = aws_launch_configuration.lc.id
  desired_capacity     = 2
  max_size             = 10
  min_size             = 1
}
resource "aws_eks_node_group" "n" {
  cluster_name  = "c"
  node_role_arn = "arn"
  subnet_ids    = ["s"]
  scaling_config {
    desired_size = 1
    max_size     = 1
    min_size     = 1
  }
}
""",
        usage={
            "resource_usage": {
                "aws_autoscaling_group.g": {"instances": 6},
                "aws_eks_node_group.n": {"instances": 6},
            }
        },
    )
    group = components(doc, GROUP)
    lc = "aws_launch_configuration.lc"
    assert monthly(group[f"{lc}/Instance usage (Linux/UNIX, on-demand, t2.medium)"]) == (
        6 * D("0.0464") * 730
    )
    assert monthly(group[f"{lc}/EC2 detailed monitoring"]) == 6 * 7 * D("0.30")
    assert monthly(group[f"{lc}/root_block_device/Storage (general purpose SSD, gp2)"]) == (
        6 * 8 * D("0.10")
    )
    nodes = components(doc, "aws_eks_node_group.n")
    assert monthly(nodes["Instance usage (Linux/UNIX, on-demand, t3.medium)"]) == (
        6 * D("0.0416") * 730
    )
    assert monthly(nodes["Storage (general purpose SSD, gp2)"]) == 6 * 20 * D("0.10")


def test_cpu_credits_are_priced_per_instance_family_and_instance() -> None:
    doc = estimate(
        """
resource "aws_instance" "graviton" {
  instance_type = "t4g.medium"
}
resource "aws_launch_configuration" "lc" {
  image_id      = "ami"
  instance_type = "t3.medium"
}
resource "aws_autoscaling_group" "g" {
  launch_configuration = aws_launch_configuration.lc.id
  desired_capacity     = 2
  max_size             = 3
  min_size             = 1
}
""",
        usage={
            "resource_usage": {
                "aws_instance.graviton": {"monthly_cpu_credit_hrs": 100, "vcpu_count": 2},
                "aws_autoscaling_group.g": {"monthly_cpu_credit_hrs": 200, "vcpu_count": 2},
            }
        },
    )
    # The catalog's only credit price is the t3 family's: a t4g is not priced with it.
    graviton = component(doc, "aws_instance.graviton", "CPU credits")
    assert graviton["priceNotFoundReason"] == (
        "no Linux CPU credit price for the t4g family in us-east-1 in the catalog"
    )
    assert graviton["monthlyQuantity"] == "200"
    # 200 hours x 2 vCPUs x 2 instances at $0.05
    credits = component(doc, GROUP, "aws_launch_configuration.lc/CPU credits")
    assert monthly(credits) == 800 * D("0.05")


def test_module_groups_find_their_launch_template() -> None:
    doc = estimate(
        'module "asg" {\n  source = "./asg"\n}\n',
        files={
            "asg/main.tf": b"""
resource "aws_launch_template" "this" {
  count         = 1
  instance_type = "t2.medium"
}
resource "aws_autoscaling_group" "this" {
  count            = 1
  desired_capacity = 1
  max_size         = 2
  min_size         = 0
  launch_template {
    id = aws_launch_template.this[0].id
  }
}
"""
        },
    )
    address = "module.asg.aws_autoscaling_group.this[0]"
    name = (
        "module.asg.aws_launch_template.this[0]/Instance usage (Linux/UNIX, on-demand, t2.medium)"
    )
    assert monthly(component(doc, address, name)) == D("0.0464") * 730


def test_beanstalk_usage_sections_reach_what_the_environment_creates() -> None:
    doc = estimate(
        """
resource "aws_elastic_beanstalk_environment" "e" {
  name        = "e"
  application = "app"
  setting {
    namespace = "aws:ec2:instances"
    name      = "InstanceTypes"
    value     = "m5.large"
  }
  setting {
    namespace = "aws:rds:dbinstance"
    name      = "DBInstanceClass"
    value     = "db.t3.medium"
  }
}
""",
        usage={
            "resource_usage": {
                "aws_elastic_beanstalk_environment.e": {
                    "db": {"additional_backup_storage_gb": 1000},
                    "ec2": {"instances": 3, "bogus": 1},
                }
            }
        },
    )
    found = components(doc, "aws_elastic_beanstalk_environment.e")
    usage = found["aws_launch_configuration/Instance usage (Linux/UNIX, on-demand, m5.large)"]
    assert monthly(usage) == 3 * D("0.096") * 730
    # The db section is the database's own usage: its function prices it.
    backup = [
        item
        for name, item in found.items()
        if name.startswith("aws_db_instance/") and item.get("usageSource") == "inline"
    ]
    assert [item["monthlyQuantity"] for item in backup] == ["1000"]
    # A nested key that the created type does not know is reported with its path.
    assert {
        "address": "aws_elastic_beanstalk_environment.e",
        "key": "ec2.bogus",
        "message": "unknown usage key for this resource type; ignored",
    } in doc["metadata"]["warnings"]
