"""Every priced resource type, against hand-computed expectations from the bundled prices.

Prices quoted below are the shipped catalog's us-east-1 prices unless noted (source label in
the comment); the arithmetic is written out so a reviewer can check it by hand.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.engine.estimates import (
    component,
    components,
    estimate,
    monthly,
    priced_ok,
    resource,
)

pytestmark = pytest.mark.unit


# --- EC2 -----------------------------------------------------------------------------------


def test_aws_instance_with_root_and_ebs_block_devices() -> None:
    doc = estimate(
        """
resource "aws_instance" "web" {
  instance_type = "t3.micro"
  monitoring    = true
  root_block_device {
    volume_size = 30
    volume_type = "gp3"
  }
  ebs_block_device {
    device_name = "/dev/sdf"
    volume_size = 100
    volume_type = "io1"
    iops        = 1000
  }
}
"""
    )
    found = components(doc, "aws_instance.web")
    usage = found["Instance usage (Linux/UNIX, on-demand, t3.micro)"]
    priced_ok(usage)
    assert (usage["unit"], usage["hourlyQuantity"], usage["monthlyQuantity"]) == (
        "hours",
        "1",
        "730",
    )
    assert D(usage["price"]) == D("0.0104")  # Karpenter us-east-1, 2026-07-20
    assert monthly(usage) == D("0.0104") * 730
    assert D(usage["hourlyCost"]) == D("0.0104")
    assert usage["priceSource"] == "karpenter-ec2-us-east-1"
    # detailed monitoring: 7 metrics at CloudWatch's first metric tier ($0.30)
    assert monthly(found["EC2 detailed monitoring"]) == 7 * D("0.30")
    assert monthly(found["root_block_device/Storage (general purpose SSD, gp3)"]) == 30 * D("0.08")
    io1 = "ebs_block_device[0]/Storage (provisioned IOPS SSD, io1)"
    assert monthly(found[io1]) == 100 * D("0.125")
    assert monthly(found["ebs_block_device[0]/Provisioned IOPS"]) == 1000 * D("0.065")
    total = (
        D("0.0104") * 730 + 7 * D("0.30") + 30 * D("0.08") + 100 * D("0.125") + 1000 * D("0.065")
    )
    assert D(resource(doc, "aws_instance.web")["monthlyCost"]) == total
    assert D(doc["totalMonthlyCost"]) == total


def test_aws_instance_defaults_and_unpriceable_options() -> None:
    doc = estimate(
        """
resource "aws_instance" "default" {
  instance_type = "m5.large"
}
resource "aws_instance" "dedicated" {
  instance_type = "m5.large"
  tenancy       = "dedicated"
}
resource "aws_instance" "spot" {
  instance_type = "m5.large"
  instance_market_options {
    market_type = "spot"
  }
}
"""
    )
    default = components(doc, "aws_instance.default")
    # m5.large $0.096/h; the root volume is assumed 8 GB gp2 ($0.10/GB-month) and noted
    assert monthly(default["Instance usage (Linux/UNIX, on-demand, m5.large)"]) == D("0.096") * 730
    assert monthly(default["root_block_device/Storage (general purpose SSD, gp2)"]) == 8 * D("0.10")
    assert any(
        "assumed 8 GB gp2" in note
        for note in resource(doc, "aws_instance.default")["metadata"]["notes"]
    )
    dedicated = component(
        doc, "aws_instance.dedicated", "Instance usage (Linux/UNIX, on-demand, m5.large)"
    )
    assert dedicated["priceNotFound"] is True
    assert "dedicated" in dedicated["priceNotFoundReason"]
    assert dedicated["monthlyCost"] is None and dedicated["hourlyQuantity"] == "1"
    spot = component(doc, "aws_instance.spot", "Instance usage (Linux/UNIX, spot, m5.large)")
    assert spot["priceNotFound"] is True and "spot" in spot["priceNotFoundReason"]
    # Only the known parts count: 3 x root volume + 1 x m5.large
    assert D(doc["totalMonthlyCost"]) == D("0.096") * 730 + 3 * 8 * D("0.10")


def test_aws_instance_windows_from_usage_and_cpu_credits() -> None:
    doc = estimate(
        'resource "aws_instance" "w" {\n  instance_type = "t3.small"\n}\n'
        'resource "aws_instance" "l" {\n  instance_type = "t3.small"\n}\n',
        usage={
            "resource_usage": {
                "aws_instance.w": {
                    "operating_system": "windows",
                    "monthly_cpu_credit_hrs": 100,
                    "vcpu_count": 2,
                },
                "aws_instance.l": {"monthly_cpu_credit_hrs": 100, "vcpu_count": 2},
            }
        },
    )
    usage = component(doc, "aws_instance.w", "Instance usage (Windows, on-demand, t3.small)")
    # The catalog has Windows prices for eu-west-1 only: never the Linux price under its name.
    assert usage["priceNotFound"] is True
    assert usage["priceNotFoundReason"] == (
        "no on-demand Windows price for t3.small in us-east-1 in the catalog"
    )
    windows_credits = component(doc, "aws_instance.w", "CPU credits")
    assert windows_credits["priceNotFound"] is True
    assert "Windows CPU credit price for the t3 family" in windows_credits["priceNotFoundReason"]
    credits = component(doc, "aws_instance.l", "CPU credits")
    # curated: $0.05 per vCPU-hour (us-east-1); 100 h x 2 vCPUs
    assert credits["usageBased"] is True
    assert monthly(credits) == 100 * 2 * D("0.05")
    assert credits["priceSource"] == "curated:ec2-cpu-credits-linux-us-east-1"


@pytest.mark.parametrize(
    ("volume", "expected"),
    [
        # (HCL arguments, {component: monthly cost})
        ('type = "gp2"\n size = 100', {"Storage (general purpose SSD, gp2)": 100 * D("0.10")}),
        (
            'type = "gp3"\n size = 200\n iops = 5000\n throughput = 250',
            {
                "Storage (general purpose SSD, gp3)": 200 * D("0.08"),
                # IOPS above the 3,000 included: $0.005 per IOPS-month
                "Provisioned IOPS": (5000 - 3000) * D("0.005"),
                # MiB/s above the 125 included: $40.96 per GiBps-month / 1024 = $0.04
                "Provisioned throughput": (250 - 125) * D("40.96") / 1024,
            },
        ),
        (
            'type = "io1"\n size = 50\n iops = 2000',
            {
                "Storage (provisioned IOPS SSD, io1)": 50 * D("0.125"),
                "Provisioned IOPS": 2000 * D("0.065"),
            },
        ),
        (
            'type = "io2"\n size = 50\n iops = 70000',
            {
                "Storage (provisioned IOPS SSD, io2)": 50 * D("0.125"),
                "Provisioned IOPS (up to 32,000)": 32000 * D("0.065"),
                "Provisioned IOPS (32,001 to 64,000)": 32000 * D("0.0455"),
                "Provisioned IOPS (over 64,000)": 6000 * D("0.03185"),
            },
        ),
        (
            'type = "st1"\n size = 500',
            {"Storage (throughput optimized HDD, st1)": 500 * D("0.045")},
        ),
        ('type = "sc1"\n size = 500', {"Storage (cold HDD, sc1)": 500 * D("0.015")}),
        ('type = "standard"\n size = 10', {"Storage (magnetic)": 10 * D("0.05")}),
        ("size = 10", {"Storage (general purpose SSD, gp2)": 10 * D("0.10")}),  # default gp2
    ],
)
def test_aws_ebs_volume(volume: str, expected: dict[str, D]) -> None:
    doc = estimate(
        f'resource "aws_ebs_volume" "v" {{\n availability_zone = "us-east-1a"\n {volume}\n}}\n'
    )
    found = components(doc, "aws_ebs_volume.v")
    for name, cost in expected.items():
        priced_ok(found[name])
        assert monthly(found[name]) == cost, name
    if "magnetic" in next(iter(expected)):
        io = found["I/O requests"]
        assert io["usageBased"] is True and io["monthlyCost"] is None
        assert D(io["price"]) == D("0.00000005") * 1_000_000  # per 1M requests


def test_aws_ebs_volume_magnetic_io_from_usage() -> None:
    doc = estimate(
        'resource "aws_ebs_volume" "v" {\n availability_zone = "a"\n type = "standard"\n size = 10\n}\n',
        usage={"resource_usage": {"aws_ebs_volume.v": {"monthly_standard_io_requests": 3_000_000}}},
    )
    assert monthly(component(doc, "aws_ebs_volume.v", "I/O requests")) == 3 * D("0.05")


def test_aws_ebs_snapshot_curated_price() -> None:
    doc = estimate(
        """
resource "aws_ebs_volume" "v" {
  availability_zone = "us-east-1a"
  size = 40
}
resource "aws_ebs_snapshot" "s" {
  volume_id = aws_ebs_volume.v.id
}
"""
    )
    snapshot = component(doc, "aws_ebs_snapshot.s", "EBS snapshot storage")
    assert monthly(snapshot) == 40 * D("0.05")  # curated $0.05/GB-month (us-east-1)


def test_aws_eip_public_ipv4_charge() -> None:
    doc = estimate('resource "aws_eip" "ip" {\n  domain = "vpc"\n}\n')
    address = component(doc, "aws_eip.ip", "IP address (idle or attached elsewhere)")
    assert monthly(address) == D("0.005") * 730  # "Hourly charge for ... Public IPv4 Addresses"
    assert address["priceSource"] == "awsweb-vpc"


def test_aws_autoscaling_group_with_launch_template_and_launch_configuration() -> None:
    doc = estimate(
        """
resource "aws_launch_template" "lt" {
  instance_type = "m5.large"
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size = 50
      volume_type = "gp3"
    }
  }
}
resource "aws_autoscaling_group" "lt" {
  desired_capacity = 3
  max_size = 5
  min_size = 1
  launch_template {
    id      = aws_launch_template.lt.id
    version = "$Latest"
  }
}
resource "aws_launch_configuration" "lc" {
  image_id      = "ami-1"
  instance_type = "c5.large"
  root_block_device {
    volume_size = 20
  }
}
resource "aws_autoscaling_group" "lc" {
  min_size             = 2
  max_size             = 4
  launch_configuration = aws_launch_configuration.lc.name
}
"""
    )
    lt = components(doc, "aws_autoscaling_group.lt")
    usage = lt["aws_launch_template.lt/Instance usage (Linux/UNIX, on-demand, m5.large)"]
    assert usage["hourlyQuantity"] == "3"
    assert monthly(usage) == 3 * D("0.096") * 730
    disk = lt["aws_launch_template.lt/block_device_mapping[0]/Storage (general purpose SSD, gp3)"]
    assert monthly(disk) == 3 * 50 * D("0.08")
    lc = components(doc, "aws_autoscaling_group.lc")
    # no desired_capacity: min_size (2); c5.large $0.085/h; launch configurations monitor by default
    assert monthly(
        lc["aws_launch_configuration.lc/Instance usage (Linux/UNIX, on-demand, c5.large)"]
    ) == (2 * D("0.085") * 730)
    assert monthly(lc["aws_launch_configuration.lc/EC2 detailed monitoring"]) == 2 * 7 * D("0.30")
    root = lc["aws_launch_configuration.lc/root_block_device/Storage (general purpose SSD, gp2)"]
    assert monthly(root) == 2 * 20 * D("0.10")
    # The launch template and configuration are free by themselves.
    free = {entry["name"] for entry in doc["projects"][0]["breakdown"]["freeResources"]}
    assert {"aws_launch_template.lt", "aws_launch_configuration.lc"} <= free


def test_aws_autoscaling_group_without_template_is_not_guessed() -> None:
    doc = estimate('resource "aws_autoscaling_group" "g" {\n  min_size = 1\n  max_size = 2\n}\n')
    (_name, item), *_ = components(doc, "aws_autoscaling_group.g").items()
    assert item["priceNotFound"] is True
    assert "launch template or configuration not found" in item["priceNotFoundReason"]


def test_aws_eks_cluster_and_node_group() -> None:
    doc = estimate(
        """
resource "aws_eks_cluster" "c" {
  name     = "c"
  role_arn = "arn"
  vpc_config {
    subnet_ids = ["a", "b"]
  }
}
resource "aws_eks_node_group" "n" {
  cluster_name   = aws_eks_cluster.c.name
  instance_types = ["m5.large"]
  scaling_config {
    desired_size = 2
    max_size     = 3
    min_size     = 1
  }
}
"""
    )
    assert monthly(component(doc, "aws_eks_cluster.c", "EKS cluster")) == D("0.10") * 730
    nodes = components(doc, "aws_eks_node_group.n")
    assert (
        monthly(nodes["Instance usage (Linux/UNIX, on-demand, m5.large)"]) == 2 * D("0.096") * 730
    )
    # EKS's default node disk: 20 GB gp2 per node, shown with the nodes (as in Infracost)
    assert monthly(nodes["Storage (general purpose SSD, gp2)"]) == 2 * 20 * D("0.10")


# --- databases ---------------------------------------------------------------------------------


def test_aws_db_instance_mysql_multi_az_gp3() -> None:
    doc = estimate(
        """
resource "aws_db_instance" "db" {
  engine                  = "mysql"
  instance_class          = "db.t3.micro"
  allocated_storage       = 500
  storage_type            = "gp3"
  iops                    = 15000
  multi_az                = true
  backup_retention_period = 7
}
"""
    )
    found = components(doc, "aws_db_instance.db")
    # "Database Instance MySQL ... db t3.micro ... Multi-AZ" $0.034/h
    assert (
        monthly(found["Database instance (on-demand, Multi-AZ, db.t3.micro)"]) == D("0.034") * 730
    )
    # "Database Storage Multi AZ General Purpose-GP3" $0.23/GB-month
    assert monthly(found["Storage (general purpose SSD, gp3)"]) == 500 * D("0.23")
    # 500 GB >= 400 GB: 12,000 IOPS included; "Provisioned GP3 IOPS Multi AZ" $0.04
    assert monthly(found["Provisioned GP3 IOPS (above 12,000)"]) == (15000 - 12000) * D("0.04")
    backup = found["Additional backup storage"]
    assert backup["usageBased"] is True and D(backup["price"]) == D("0.095")


def test_aws_db_instance_engines_and_storage_types() -> None:
    doc = estimate(
        """
resource "aws_db_instance" "pg" {
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  allocated_storage = 20
}
resource "aws_db_instance" "sqlserver" {
  engine            = "sqlserver-se"
  instance_class    = "db.m5.large"
  allocated_storage = 100
  storage_type      = "io1"
  iops              = 3000
}
resource "aws_db_instance" "oracle" {
  engine            = "oracle-ee"
  instance_class    = "db.m5.large"
  allocated_storage = 100
  storage_type      = "standard"
}
"""
    )
    assert monthly(
        component(
            doc, "aws_db_instance.pg", "Database instance (on-demand, Single-AZ, db.t3.micro)"
        )
    ) == (D("0.018") * 730)
    assert monthly(
        component(doc, "aws_db_instance.pg", "Storage (general purpose SSD, gp2)")
    ) == 20 * D("0.115")
    # SQL Server Standard, licence included: $0.977/h; io1 storage $0.125 + IOPS $0.10
    sqlserver = components(doc, "aws_db_instance.sqlserver")
    assert (
        monthly(sqlserver["Database instance (on-demand, Single-AZ, db.m5.large)"])
        == D("0.977") * 730
    )
    assert monthly(sqlserver["Storage (provisioned IOPS SSD, io1)"]) == 100 * D("0.125")
    assert monthly(sqlserver["Provisioned IOPS"]) == 3000 * D("0.10")
    # Oracle Enterprise is bring-your-own-licence on RDS: $0.171/h; magnetic $0.10/GB
    oracle = components(doc, "aws_db_instance.oracle")
    assert (
        monthly(oracle["Database instance (on-demand, Single-AZ, db.m5.large)"]) == D("0.171") * 730
    )
    assert monthly(oracle["Storage (magnetic)"]) == 100 * D("0.10")
    assert oracle["I/O requests"]["usageBased"] is True


def test_aws_db_instance_outside_the_rds_regions_says_so() -> None:
    doc = estimate(
        'resource "aws_db_instance" "db" {\n engine = "mysql"\n instance_class = "db.t3.micro"\n'
        " allocated_storage = 20\n}\n",
        region="eu-north-1",
    )
    instance = component(
        doc, "aws_db_instance.db", "Database instance (on-demand, Single-AZ, db.t3.micro)"
    )
    assert instance["priceNotFound"] is True
    assert "no price in the catalog" in instance["priceNotFoundReason"]
    assert "eu-north-1" in instance["priceNotFoundReason"]
    assert instance["monthlyCost"] is None
    assert doc["totalMonthlyCost"] == "0"


def test_aurora_cluster_and_cluster_instances() -> None:
    doc = estimate(
        """
resource "aws_rds_cluster" "c" {
  engine       = "aurora-mysql"
  storage_type = "aurora-iopt1"
}
resource "aws_rds_cluster_instance" "i" {
  count              = 2
  cluster_identifier = aws_rds_cluster.c.id
  instance_class     = "db.r5.large"
  engine             = aws_rds_cluster.c.engine
}
resource "aws_rds_cluster" "std" {
  engine = "aurora-postgresql"
}
resource "aws_rds_cluster_instance" "s" {
  cluster_identifier = aws_rds_cluster.std.id
  instance_class     = "db.serverless"
  engine             = "aurora-postgresql"
}
""",
        usage={
            "resource_usage": {
                "aws_rds_cluster.std": {"storage_gb": 100, "monthly_io_requests": 50_000_000},
                "aws_rds_cluster_instance.s": {"capacity_units_per_hr": 4},
            }
        },
    )
    for index in (0, 1):
        item = component(doc, f"aws_rds_cluster_instance.i[{index}]",
                         "Database instance (on-demand, I/O-Optimized, db.r5.large)")  # fmt: skip
        # "... Aurora MySQL ... Aurora IO Optimization Mode db r5.large ..." $0.377/h
        assert monthly(item) == D("0.377") * 730
    cluster = components(doc, "aws_rds_cluster.c")
    assert D(cluster["Storage (I/O-optimized)"]["price"]) == D("0.225")  # I/O-Optimized storage
    assert "I/O requests" not in cluster
    std = components(doc, "aws_rds_cluster.std")
    assert monthly(std["Storage"]) == 100 * D("0.10")
    assert monthly(std["I/O requests"]) == 50 * D("0.0000002") * 1_000_000
    serverless = component(doc, "aws_rds_cluster_instance.s", "Aurora Serverless v2")
    assert monthly(serverless) == 4 * D("0.12") * 730


def test_aws_elasticache_cluster_and_replication_group() -> None:
    doc = estimate(
        """
resource "aws_elasticache_cluster" "redis" {
  cluster_id               = "r"
  engine                   = "redis"
  node_type                = "cache.t3.micro"
  num_cache_nodes          = 1
  snapshot_retention_limit = 5
}
resource "aws_elasticache_cluster" "memcached" {
  cluster_id      = "m"
  engine          = "memcached"
  node_type       = "cache.m5.large"
  num_cache_nodes = 3
}
resource "aws_elasticache_replication_group" "rg" {
  replication_group_id = "rg"
  description          = "x"
  node_type            = "cache.t3.micro"
  num_cache_clusters   = 2
}
resource "aws_elasticache_cluster" "member" {
  cluster_id           = "member"
  replication_group_id = aws_elasticache_replication_group.rg.id
}
""",
        usage={
            "resource_usage": {"aws_elasticache_cluster.redis": {"snapshot_storage_size_gb": 10}}
        },
    )
    assert monthly(
        component(doc, "aws_elasticache_cluster.redis", "ElastiCache (on-demand, cache.t3.micro)")
    ) == (D("0.017") * 730)
    # curated ElastiCache backup storage $0.085/GB-month; 5 snapshots kept, one free
    assert monthly(component(doc, "aws_elasticache_cluster.redis", "Backup storage")) == (
        10 * (5 - 1) * D("0.085")
    )
    assert monthly(
        component(
            doc, "aws_elasticache_cluster.memcached", "ElastiCache (on-demand, cache.m5.large)"
        )
    ) == (3 * D("0.156") * 730)
    assert monthly(
        component(
            doc, "aws_elasticache_replication_group.rg", "ElastiCache (on-demand, cache.t3.micro)"
        )
    ) == (2 * D("0.017") * 730)
    free = {entry["name"] for entry in doc["projects"][0]["breakdown"]["freeResources"]}
    assert "aws_elasticache_cluster.member" in free


def test_aws_dynamodb_table_provisioned_and_on_demand() -> None:
    doc = estimate(
        """
resource "aws_dynamodb_table" "p" {
  name           = "p"
  hash_key       = "id"
  read_capacity  = 10
  write_capacity = 5
  point_in_time_recovery {
    enabled = true
  }
}
resource "aws_dynamodb_table" "od" {
  name         = "od"
  hash_key     = "id"
  billing_mode = "PAY_PER_REQUEST"
}
""",
        usage={
            "resource_usage": {
                "aws_dynamodb_table.p": {"storage_gb": 40, "pitr_backup_storage_gb": 40},
                "aws_dynamodb_table.od": {
                    "monthly_write_request_units": 3_000_000,
                    "monthly_read_request_units": 8_000_000,
                    "storage_gb": 2,
                },
            }
        },
    )
    provisioned = components(doc, "aws_dynamodb_table.p")
    # "Provisioned Write Units" $0.00065 per WCU-hour, "Provisioned Read Units" $0.00013
    assert monthly(provisioned["Write capacity unit (WCU)"]) == 5 * D("0.00065") * 730
    assert monthly(provisioned["Read capacity unit (RCU)"]) == 10 * D("0.00013") * 730
    assert monthly(provisioned["Data storage"]) == 40 * D("0.25")
    assert monthly(provisioned["Point-In-Time Recovery (PITR) backup storage"]) == 40 * D("0.20")
    on_demand = components(doc, "aws_dynamodb_table.od")
    assert monthly(on_demand["Write request unit (WRU)"]) == 3 * D("0.000000625") * 1_000_000
    assert monthly(on_demand["Read request unit (RRU)"]) == 8 * D("0.000000125") * 1_000_000
    assert monthly(on_demand["Data storage"]) == 2 * D("0.25")


# --- networking --------------------------------------------------------------------------------


def test_load_balancer_capacity_units_are_monthly_lcu_hours() -> None:
    """processed_bytes_gb is a monthly figure: 1,000 GB in a month is 1,000 LCU-hours (an LCU
    covers 1 GB per hour), not 1,000 LCUs in every hour of the month. The month's LCU-hours
    are the largest dimension, each usage value divided by what one LCU covers (AWS's LCU:
    25 new connections/s, 3,000 active connections/min, 1 GB, 1,000 rule evaluations/s for an
    ALB; 800, 100,000 and 1 GB for an NLB), as Infracost combines them."""
    doc = estimate(
        """
resource "aws_lb" "alb" {
  name = "a"
}
resource "aws_alb" "legacy" {
  name = "l"
}
resource "aws_lb" "nlb" {
  load_balancer_type = "network"
}
resource "aws_lb" "nlb_idle" {
  load_balancer_type = "network"
}
resource "aws_elb" "classic" {
  listener {
    instance_port     = 80
    instance_protocol = "http"
    lb_port           = 80
    lb_protocol       = "http"
  }
}
""",
        usage={
            "resource_usage": {
                # max(10000/25, 1000/3000, 1000/1, 300/1000) = 1000 LCU-hours (the bytes)
                "aws_lb.alb": {"new_connections": 10000, "active_connections": 1000,
                               "processed_bytes_gb": 1000, "rule_evaluations": 300},
                # max(10000/800, 1000/100000, 1000/1) = 1000 LCU-hours
                "aws_lb.nlb": {"new_connections": 10000, "active_connections": 1000,
                               "processed_bytes_gb": 1000},
                # rule evaluations dominate: 20000/1000 = 20 LCU-hours
                "aws_alb.legacy": {"processed_bytes_gb": 2, "rule_evaluations": 20000},
                "aws_elb.classic": {"monthly_data_processed_gb": 1000},
            }
        },
    )  # fmt: skip
    alb = components(doc, "aws_lb.alb")
    assert monthly(alb["Application load balancer"]) == D("0.0225") * 730
    lcu = alb["Load balancer capacity units"]
    assert (lcu["unit"], lcu["monthlyQuantity"]) == ("LCU-hours", "1000")
    assert monthly(lcu) == 1000 * D("0.008")
    # was $5,856.43 (1,000 LCUs every hour); about $24.43 as Infracost and AWS's LCU say
    assert D(resource(doc, "aws_lb.alb")["monthlyCost"]) == D("16.425") + D("8")
    nlb = components(doc, "aws_lb.nlb")
    assert monthly(nlb["Load balancer capacity units"]) == 1000 * D("0.006")
    assert D(resource(doc, "aws_lb.nlb")["monthlyCost"]) == D("16.425") + D("6")  # was $4,396
    legacy = component(doc, "aws_alb.legacy", "Load balancer capacity units")
    assert monthly(legacy) == 20 * D("0.008")
    idle = component(doc, "aws_lb.nlb_idle", "Load balancer capacity units")
    assert (idle["monthlyCost"], idle["price"]) == (None, "0.006")  # no usage given
    classic = components(doc, "aws_elb.classic")
    assert monthly(classic["Classic load balancer"]) == D("0.025") * 730
    assert monthly(classic["Data processed"]) == 1000 * D("0.008")


# --- serverless and application services --------------------------------------------------------


def test_aws_lambda_function_usage_based() -> None:
    tf = """
resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = "r"
  memory_size   = 1024
  ephemeral_storage {
    size = 1536
  }
}
resource "aws_lambda_function" "arm" {
  function_name = "arm"
  role          = "r"
  architectures = ["arm64"]
}
"""
    without = estimate(tf)
    requests = component(without, "aws_lambda_function.f", "Requests")
    assert requests["usageBased"] is True and requests["monthlyQuantity"] is None
    assert D(requests["price"]) == D("0.0000002") * 1_000_000
    assert without["summary"]["totalUsageBasedResources"] == 2

    doc = estimate(
        tf,
        usage={
            "resource_usage": {
                "aws_lambda_function.f": {
                    "monthly_requests": 10_000_000,
                    "request_duration_ms": 99.2,
                },
                "aws_lambda_function.arm": {
                    "monthly_requests": 1_000_000,
                    "request_duration_ms": 200,
                },
            }
        },
    )
    found = components(doc, "aws_lambda_function.f")
    assert monthly(found["Requests"]) == 10 * D("0.20")
    # 10M requests x 0.1 s (rounded up to the ms: 100 ms) x 1 GB = 1,000,000 GB-seconds
    assert found["Duration (first 6B)"]["monthlyQuantity"] == "1000000"
    assert monthly(found["Duration (first 6B)"]) == 1_000_000 * D("0.0000166667")
    # extra ephemeral storage: (1536 - 512) / 1024 = 1 GB for 1,000,000 seconds
    assert monthly(found["Ephemeral storage"]) == 1_000_000 * D("0.0000000309")
    arm = components(doc, "aws_lambda_function.arm")
    # 1M x 0.2 s x 0.125 GB = 25,000 GB-seconds at the Arm price
    assert monthly(arm["Duration (first 7.5B)"]) == 25_000 * D("0.0000133334")


def test_lambda_duration_tiers() -> None:
    doc = estimate(
        'resource "aws_lambda_function" "f" {\n function_name = "f"\n role = "r"\n memory_size = 1024\n}\n',
        usage={"resource_usage": {"aws_lambda_function.f": {"monthly_requests": 7_000_000_000,
                                                            "request_duration_ms": 1000}}},
    )  # fmt: skip
    found = components(doc, "aws_lambda_function.f")
    # 7B GB-seconds: 6B at tier 1, 1B at tier 2
    assert monthly(found["Duration (first 6B)"]) == 6_000_000_000 * D("0.0000166667")
    assert monthly(found["Duration (next 9B)"]) == 1_000_000_000 * D("0.000015")
    assert "Duration (over 15B)" not in found


def test_aws_s3_bucket_storage_classes() -> None:
    doc = estimate(
        'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n',
        usage={
            "resource_usage": {
                "aws_s3_bucket.b": {
                    "standard": {
                        "storage_gb": 60000,
                        "monthly_tier_1_requests": 200_000,
                        "monthly_tier_2_requests": 3_000_000,
                    },
                    "standard_infrequent_access": {
                        "storage_gb": 1000,
                        "monthly_data_retrieval_gb": 10,
                    },
                    "one_zone_infrequent_access": {"storage_gb": 10, "monthly_retrieval_gb": 5},
                }
            }
        },
    )
    found = components(doc, "aws_s3_bucket.b")
    # 60,000 GB: 51,200 GB at $0.023 (first 50 TB), 8,800 GB at $0.022
    assert monthly(found["Standard/Storage (first 50TB)"]) == 51200 * D("0.023")
    assert monthly(found["Standard/Storage (next 450TB)"]) == 8800 * D("0.022")
    assert monthly(found["Standard/PUT, COPY, POST, LIST requests"]) == 200 * D("0.005")
    assert monthly(found["Standard/GET, SELECT, and all other requests"]) == 3000 * D("0.0004")
    ia = "Standard - infrequent access"
    assert monthly(found[f"{ia}/Storage"]) == 1000 * D("0.0125")
    # Infracost's documented key is monthly_data_retrieval_gb; the engine used to read
    # monthly_retrieval_gb, so a usage file that followed the documentation changed nothing.
    assert monthly(found[f"{ia}/Retrievals"]) == 10 * D("0.01")
    assert found["One zone - infrequent access/Retrievals"]["monthlyQuantity"] is None
    warnings = doc["metadata"]["warnings"]
    assert {
        "address": "aws_s3_bucket.b",
        "key": "one_zone_infrequent_access.monthly_retrieval_gb",
        "message": "unknown usage key for this resource type; ignored",
    } in warnings


def test_sqs_sns_and_subscriptions() -> None:
    doc = estimate(
        """
resource "aws_sqs_queue" "q" {
  name = "q"
}
resource "aws_sqs_queue" "fifo" {
  name       = "q.fifo"
  fifo_queue = true
}
resource "aws_sns_topic" "t" {
  name = "t"
}
resource "aws_sns_topic_subscription" "http" {
  topic_arn = aws_sns_topic.t.arn
  protocol  = "https"
  endpoint  = "https://example.com"
}
resource "aws_sns_topic_subscription" "sqs" {
  topic_arn = aws_sns_topic.t.arn
  protocol  = "sqs"
  endpoint  = aws_sqs_queue.q.arn
}
""",
        usage={
            "resource_type_default_usage": {
                "aws_sqs_queue": {"monthly_requests": 10_000_000},
                "aws_sns_topic": {"monthly_requests": 2_000_000},
                "aws_sns_topic_subscription": {"monthly_requests": 1_000_000},
            },
            # 100 KB messages count as two 64 KB requests each
            "resource_usage": {"aws_sqs_queue.fifo": {"request_size_kb": 100}},
        },
    )
    assert monthly(component(doc, "aws_sqs_queue.q", "Requests")) == 10 * D("0.40")
    assert monthly(component(doc, "aws_sqs_queue.fifo", "Requests")) == 2 * 10 * D("0.50")
    # the first 1M requests a month are free (as Infracost): 2M requests -> 1M charged
    assert monthly(component(doc, "aws_sns_topic.t", "API requests (over 1M)")) == 1 * D("0.50")
    http = component(doc, "aws_sns_topic_subscription.http", "HTTP/HTTPS notifications")
    assert monthly(http) == 1 * D("0.60")
    free = {entry["name"] for entry in doc["projects"][0]["breakdown"]["freeResources"]}
    assert "aws_sns_topic_subscription.sqs" in free


def test_sns_topic_honours_its_subscriber_usage_keys() -> None:
    """The subscriber counts Infracost documents for aws_sns_topic used to change nothing."""
    doc = estimate(
        'resource "aws_sns_topic" "t" {\n  name = "t"\n}\n',
        usage={
            "resource_usage": {
                "aws_sns_topic.t": {
                    "monthly_requests": 500_000,
                    "http_subscriptions": 3,
                    "email_subscriptions": 2,
                    "sms_subscriptions": 1,
                    "sms_notification_price": 0.01,
                }
            }
        },
    )
    found = components(doc, "aws_sns_topic.t")
    # 1.5M HTTP deliveries, the first 100k free: 1.4M at $0.60 per million
    assert monthly(found["HTTP/HTTPS notifications (over 100k)"]) == D("1.4") * D("0.60")
    # 1M emails, the first 1k free: 999k at $2 per 100k
    assert monthly(found["Email/Email-JSON notifications (over 1k)"]) == D("9.99") * 2
    # 500k SMS, the first 100 free, at the user's own price per SMS
    assert monthly(found["SMS notifications (over 100)"]) == 499_900 * D("0.01")
    assert doc["metadata"].get("warnings", []) == []


def test_aws_ecs_service_fargate() -> None:
    doc = estimate(
        """
resource "aws_ecs_task_definition" "t" {
  family                   = "t"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "512"
  memory                   = "2048"
  container_definitions    = "[]"
  ephemeral_storage {
    size_in_gib = 30
  }
}
resource "aws_ecs_service" "s" {
  name            = "s"
  launch_type     = "FARGATE"
  desired_count   = 3
  task_definition = aws_ecs_task_definition.t.arn
}
resource "aws_ecs_service" "ec2" {
  name            = "e"
  launch_type     = "EC2"
  desired_count   = 3
  task_definition = aws_ecs_task_definition.t.arn
}
"""
    )
    found = components(doc, "aws_ecs_service.s")
    # 3 tasks x 0.5 vCPU x $0.04048 and 3 x 2 GB x $0.004445 per hour
    assert found["Per vCPU per hour"]["hourlyQuantity"] == "1.5"
    assert monthly(found["Per vCPU per hour"]) == D("1.5") * D("0.04048") * 730
    assert monthly(found["Per GB per hour"]) == 6 * D("0.004445") * 730
    # 10 GB above the 20 GB included, per task: $0.000111 per GB-hour
    assert monthly(found["Ephemeral storage (above 20 GB)"]) == 30 * D("0.000111") * 730
    free = {entry["name"] for entry in doc["projects"][0]["breakdown"]["freeResources"]}
    assert {"aws_ecs_service.ec2", "aws_ecs_task_definition.t"} <= free


def test_aws_efs_file_system() -> None:
    doc = estimate(
        """
resource "aws_efs_file_system" "fs" {
  throughput_mode                 = "provisioned"
  provisioned_throughput_in_mibps = 10
  lifecycle_policy {
    transition_to_ia = "AFTER_30_DAYS"
  }
}
resource "aws_efs_file_system" "one_zone" {
  availability_zone_name = "us-east-1a"
}
""",
        usage={"resource_type_default_usage": {"aws_efs_file_system": {
            "storage_gb": 100, "infrequent_access_storage_gb": 400,
            "monthly_infrequent_access_read_gb": 50}}},
    )  # fmt: skip
    found = components(doc, "aws_efs_file_system.fs")
    assert monthly(found["Storage (standard)"]) == 100 * D("0.30")
    assert monthly(found["Storage (standard, infrequent access)"]) == 400 * D("0.025")
    assert monthly(found["Read requests (infrequent access)"]) == 50 * D("0.01")
    # 100 GB stored give a 5 MiB/s baseline (50 KiB/s per GB): only 10 - 5 MiB/s is billed
    assert monthly(found["Provisioned throughput"]) == 5 * D("6.00")
    assert monthly(component(doc, "aws_efs_file_system.one_zone", "Storage (one zone)")) == 100 * D(
        "0.16"
    )


# --- monitoring and security --------------------------------------------------------------------


def test_cloudwatch_log_group_alarms_and_dashboard() -> None:
    doc = estimate(
        """
resource "aws_cloudwatch_log_group" "l" {
  name = "l"
}
resource "aws_cloudwatch_metric_alarm" "standard" {
  alarm_name          = "a"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 1
  metric_name         = "CPUUtilization"
  namespace           = "AWS/EC2"
  period              = 300
  statistic           = "Average"
  threshold           = 80
}
resource "aws_cloudwatch_metric_alarm" "high_res" {
  alarm_name          = "h"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 1
  metric_name         = "CPUUtilization"
  namespace           = "AWS/EC2"
  period              = 10
  statistic           = "Average"
  threshold           = 80
}
resource "aws_cloudwatch_dashboard" "d" {
  dashboard_name = "d"
  dashboard_body = "{}"
}
""",
        usage={"resource_usage": {"aws_cloudwatch_log_group.l": {
            "monthly_data_ingested_gb": 100, "storage_gb": 1000, "monthly_data_scanned_gb": 200}}},
    )  # fmt: skip
    logs = components(doc, "aws_cloudwatch_log_group.l")
    assert monthly(logs["Data ingested"]) == 100 * D("0.50")
    assert monthly(logs["Archival Storage"]) == 1000 * D("0.03")
    assert monthly(logs["Insights queries data scanned"]) == 200 * D("0.005")
    assert monthly(
        component(doc, "aws_cloudwatch_metric_alarm.standard", "Standard resolution")
    ) == D("0.10")
    assert monthly(component(doc, "aws_cloudwatch_metric_alarm.high_res", "High resolution")) == D(
        "0.30"
    )
    assert monthly(component(doc, "aws_cloudwatch_dashboard.d", "Dashboard")) == D("3.00")


def test_kms_key_and_secrets_manager_secret() -> None:
    doc = estimate(
        """
resource "aws_kms_key" "k" {
  description = "k"
}
resource "aws_kms_key" "rsa" {
  customer_master_key_spec = "RSA_2048"
  key_usage                = "SIGN_VERIFY"
}
resource "aws_secretsmanager_secret" "s" {
  name = "s"
}
""",
        usage={"resource_usage": {
            "aws_kms_key.k": {"monthly_requests": 1_000_000},
            "aws_secretsmanager_secret.s": {"monthly_requests": 50_000},
        }},
    )  # fmt: skip
    key = components(doc, "aws_kms_key.k")
    assert monthly(key["Customer master key"]) == D("1.00")
    assert monthly(key["Requests"]) == 100 * D("0.03")  # 1M requests = 100 x 10k at $0.03
    assert "Requests (RSA 2048)" in components(doc, "aws_kms_key.rsa")
    secret = components(doc, "aws_secretsmanager_secret.s")
    assert monthly(secret["Secret"]) == D("0.40")
    assert monthly(secret["API requests"]) == 5 * D("0.05")


# --- regions, unknowns, classification ------------------------------------------------------------


def test_provider_region_and_resource_region_are_used() -> None:
    doc = estimate(
        """
provider "aws" {
  region = "eu-west-1"
}
provider "aws" {
  alias  = "tokyo"
  region = "ap-northeast-1"
}
resource "aws_nat_gateway" "ireland" {
  subnet_id = "s"
}
resource "aws_nat_gateway" "tokyo" {
  provider  = aws.tokyo
  subnet_id = "s"
}
"""
    )
    ireland = resource(doc, "aws_nat_gateway.ireland")
    assert ireland["metadata"]["region"] == "eu-west-1"
    # eu-west-1 NAT hours: $0.048 (2025 web feed, newer than the 2023 Price List row)
    assert monthly(component(doc, "aws_nat_gateway.ireland", "NAT gateway")) == D("0.048") * 730
    assert resource(doc, "aws_nat_gateway.tokyo")["metadata"]["region"] == "ap-northeast-1"
    assert doc["metadata"]["region"] == "us-east-1"  # the submitted default


def test_region_outside_the_catalog() -> None:
    doc = estimate(
        'resource "aws_nat_gateway" "n" {\n  subnet_id = "s"\n}\n', region="mx-central-1"
    )
    item = component(doc, "aws_nat_gateway.n", "NAT gateway")
    assert item["priceNotFound"] is True
    assert item["priceNotFoundReason"] == "region mx-central-1 is not covered by the price catalog"


def test_unknown_values_are_reported_never_invented() -> None:
    doc = estimate(
        """
variable "instance_type" {}
variable "size" {
  type = number
}
resource "aws_instance" "web" {
  instance_type = var.instance_type
}
resource "aws_ebs_volume" "v" {
  availability_zone = "a"
  size              = var.size
}
"""
    )
    usage = component(doc, "aws_instance.web", "Instance usage (Linux/UNIX, on-demand, ?)")
    assert usage["priceNotFound"] is True
    assert "instance type is unknown" in usage["priceNotFoundReason"]
    assert "var.instance_type has no value" in usage["priceNotFoundReason"]
    unknowns = resource(doc, "aws_instance.web")["metadata"]["unknowns"]
    assert {
        "attribute": "instance_type",
        "reason": "var.instance_type has no value (set it with options.variables or a .tfvars file)",
    } in unknowns
    storage = component(doc, "aws_ebs_volume.v", "Storage (general purpose SSD, gp2)")
    assert storage["priceNotFound"] is False and D(storage["price"]) == D("0.10")
    assert storage["monthlyQuantity"] is None and storage["monthlyCost"] is None
    assert "var.size" in storage["quantityUnknownReason"]


def test_free_unsupported_and_summary() -> None:
    doc = estimate(
        """
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = "{}"
}
resource "aws_sagemaker_notebook_instance" "n" {}
resource "null_resource" "x" {}
resource "google_compute_instance" "g" {}
resource "aws_nat_gateway" "n" {
  subnet_id = "s"
}
resource "aws_s3_bucket" "b" {}
data "aws_ami" "a" {}
"""
    )
    assert doc["version"] == "0.2" and doc["currency"] == "USD"
    assert doc["summary"] == {
        "totalDetectedResources": 7,
        "totalSupportedResources": 2,
        "totalUnsupportedResources": 2,
        "totalUsageBasedResources": 2,
        "totalNoPriceResources": 3,
        "supportedResourceCounts": {"aws_nat_gateway": 1, "aws_s3_bucket": 1},
        "unsupportedResourceCounts": {
            "aws_sagemaker_notebook_instance": 1,
            "google_compute_instance": 1,
        },
        "noPriceResourceCounts": {"aws_iam_role": 1, "aws_vpc": 1, "null_resource": 1},
    }
    project = doc["projects"][0]
    assert project["summary"] == doc["summary"]
    assert [entry["name"] for entry in project["breakdown"]["unsupportedResources"]] == [
        "aws_sagemaker_notebook_instance.n",
        "google_compute_instance.g",
    ]
    assert doc["metadata"]["dataSourcesSkipped"] == 1
    # Money is always a decimal string; totals add up.
    assert doc["totalMonthlyCost"] == project["breakdown"]["totalMonthlyCost"]
    assert D(doc["totalMonthlyCost"]) == D("0.045") * 730
    assert D(doc["totalHourlyCost"]) == D("0.045")
    assert doc["totalMonthlyUsageCost"] == "0"


def test_metadata_lists_the_catalog_sources_and_dates_used() -> None:
    # m5.large: not burstable, so no (usage-based) CPU credit price is looked up
    doc = estimate('resource "aws_instance" "w" {\n  instance_type = "m5.large"\n}\n')
    catalog = doc["metadata"]["catalog"]
    ids = [source["id"] for source in catalog["sources"]]
    assert ids == ["cloudkeep-ebs", "karpenter-ec2-us-east-1"]
    assert catalog["dates"] == ["2022-02-10", "2026-07-20"]
    for source in catalog["sources"]:
        assert source["url"].startswith("https://") and source["licence"]
    assert doc["metadata"]["hoursPerMonth"] == 730


@pytest.mark.parametrize(
    ("resource_type", "provider"),
    [("terraform_data", "terraform.io/builtin/terraform"), ("terraform_data", ""),
     ("random_id", "registry.terraform.io/hashicorp/random")],
)  # fmt: skip
def test_builtin_and_utility_resources_are_free(resource_type: str, provider: str) -> None:
    from engine.costing.registry import is_free

    assert is_free(resource_type, provider)
