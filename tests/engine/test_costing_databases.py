"""Rules of the database and cache family pinned in words (issue 11's database bugs).

Each test failed before its fix. Prices are the shipped catalog's us-east-1 prices (the
component's source label in the comment); the arithmetic is written out to be checked by hand.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from engine.costing import calendar
from tests.engine.estimates import component, components, estimate, monthly, priced_ok

pytestmark = pytest.mark.unit


def test_a_read_replica_inherits_engine_and_storage_from_its_source() -> None:
    doc = estimate(
        """
resource "aws_db_instance" "primary" {
  engine            = "postgres"
  instance_class    = "db.t3.medium"
  allocated_storage = 50
  multi_az          = true
}
resource "aws_db_instance" "replica" {
  replicate_source_db = aws_db_instance.primary.identifier
  instance_class      = "db.t3.medium"
}
"""
    )
    replica = components(doc, "aws_db_instance.replica")
    instance = replica["Database instance (on-demand, Single-AZ, db.t3.medium)"]
    priced_ok(instance)
    # "Database Instance PostgreSQL ... db t3.medium ... Single-AZ" $0.072/h: the replica is
    # Single-AZ (multi_az is not inherited), with the source's 50 GB of gp2 at $0.115
    assert monthly(instance) == D("0.072") * 730
    assert monthly(replica["Storage (general purpose SSD, gp2)"]) == 50 * D("0.115")


def test_a_replica_of_an_instance_outside_the_configuration_says_why() -> None:
    doc = estimate(
        'resource "aws_db_instance" "r" {\n  replicate_source_db = "arn:aws:rds:x"\n'
        '  instance_class = "db.t3.micro"\n}\n'
    )
    instance = component(
        doc, "aws_db_instance.r", "Database instance (on-demand, Single-AZ, db.t3.micro)"
    )
    assert "inherits it from its source" in instance["priceNotFoundReason"]


def test_io1_is_billed_at_least_100_gb_and_1000_iops() -> None:
    doc = estimate(
        """
resource "aws_db_instance" "small" {
  engine            = "mysql"
  instance_class    = "db.t3.large"
  storage_type      = "io1"
  allocated_storage = 50
  iops              = 500
}
resource "aws_db_instance" "default_iops" {
  engine            = "mysql"
  instance_class    = "db.t3.large"
  storage_type      = "io1"
  allocated_storage = 200
}
"""
    )
    small = components(doc, "aws_db_instance.small")
    # "Database Storage Single AZ Provisioned IOPS" $0.125/GB, "RDS Provisioned IOPS" $0.10
    assert D(small["Storage (provisioned IOPS SSD, io1)"]["monthlyQuantity"]) == 100
    assert monthly(small["Storage (provisioned IOPS SSD, io1)"]) == 100 * D("0.125")
    assert monthly(small["Provisioned IOPS"]) == 1000 * D("0.10")
    default = components(doc, "aws_db_instance.default_iops")
    assert monthly(default["Storage (provisioned IOPS SSD, io1)"]) == 200 * D("0.125")
    assert monthly(default["Provisioned IOPS"]) == 1000 * D("0.10")


def test_oracle_editions() -> None:
    doc = estimate(
        """
resource "aws_db_instance" "se2" {
  engine = "oracle-se2"
  instance_class = "db.t3.large"
  allocated_storage = 20
}
resource "aws_db_instance" "ee" {
  engine = "oracle-ee"
  instance_class = "db.t3.large"
  allocated_storage = 20
}
resource "aws_db_instance" "se1" {
  engine = "oracle-se1"
  instance_class = "db.t3.large"
  allocated_storage = 20
}
"""
    )
    name = "Database instance (on-demand, Single-AZ, db.t3.large)"
    # "Database Instance Oracle Standard Two License included db t3.large ..." $0.30/h
    assert monthly(component(doc, "aws_db_instance.se2", name)) == D("0.30") * 730
    # Enterprise is bring-your-own-licence only: "... Enterprise Bring your own license ..."
    assert monthly(component(doc, "aws_db_instance.ee", name)) == D("0.136") * 730
    retired = component(doc, "aws_db_instance.se1", name)
    assert "no longer offers this Oracle edition" in retired["priceNotFoundReason"]


@pytest.mark.parametrize(
    ("today", "version", "expected"),
    [
        # "PostgreSQL Year 1 Year 2 11" $0.10 and "PostgreSQL Year 3 11" $0.20 per vCPU-hour
        (date(2025, 1, 1), "11.22", ("Extended support (year 1)", D("0.1"))),
        (date(2026, 6, 1), "11", ("Extended support (year 3)", D("0.2"))),
        # PostgreSQL 13 from March 2026, at the "Any Year 1 Year 2 13" rate $0.085
        (date(2026, 6, 1), "13.4", ("Extended support (year 1)", D("0.085"))),
        (date(2026, 1, 1), "13.4", None),
        (date(2026, 6, 1), "16.1", None),
    ],
)
def test_extended_support_is_priced_per_vcpu_from_the_version_and_date(
    monkeypatch: pytest.MonkeyPatch, today: date, version: str, expected: tuple[str, D] | None
) -> None:
    monkeypatch.setattr(calendar, "today", lambda: today)
    doc = estimate(
        f"""
resource "aws_db_instance" "db" {{
  engine            = "postgres"
  engine_version    = "{version}"
  instance_class    = "db.m5.xlarge"
  allocated_storage = 20
}}
"""
    )
    found = {
        name: item for name, item in components(doc, "aws_db_instance.db").items()
        if name.startswith("Extended support")
    }  # fmt: skip
    if expected is None:
        assert not found
        return
    name, rate = expected
    # db.m5.xlarge has 4 vCPUs
    assert monthly(found[name]) == 4 * rate * 730


def test_rds_and_elasticache_reserved_terms_say_what_is_missing() -> None:
    doc = estimate(
        """
resource "aws_db_instance" "db" {
  engine            = "mysql"
  instance_class    = "db.r5.large"
  allocated_storage = 20
}
resource "aws_elasticache_cluster" "c" {
  cluster_id      = "c"
  engine          = "redis"
  node_type       = "cache.m5.large"
  num_cache_nodes = 1
}
""",
        usage={
            "resource_type_default_usage": {
                "aws_db_instance": {
                    "reserved_instance_term": "1_year",
                    "reserved_instance_payment_option": "all_upfront",
                },
                "aws_elasticache_cluster": {
                    "reserved_instance_term": "3_year",
                    "reserved_instance_payment_option": "partial_upfront",
                },
            }
        },
    )
    db = component(
        doc, "aws_db_instance.db", "Database instance (reserved, Single-AZ, db.r5.large)"
    )
    assert db["priceNotFoundReason"] == (
        "no 1-year all-upfront reserved price for db.r5.large (MySQL) in us-east-1 in the "
        "catalog (it holds no RDS reserved prices)"
    )
    assert db["monthlyCost"] is None  # never the on-demand price under another name
    cache = component(doc, "aws_elasticache_cluster.c", "ElastiCache (reserved, cache.m5.large)")
    assert (
        "no 3-year partial-upfront reserved price for cache.m5.large"
        in (cache["priceNotFoundReason"])
    )


def test_elasticache_follows_its_appautoscaling_targets() -> None:
    doc = estimate(
        """
resource "aws_elasticache_replication_group" "rg" {
  replication_group_id    = "rg"
  description             = "x"
  node_type               = "cache.m5.large"
  num_node_groups         = 4
  replicas_per_node_group = 3
}
resource "aws_appautoscaling_target" "shards" {
  min_capacity       = 8
  max_capacity       = 13
  resource_id        = "replication-group/${aws_elasticache_replication_group.rg.replication_group_id}"
  scalable_dimension = "elasticache:replication-group:NodeGroups"
  service_namespace  = "elasticache"
}
resource "aws_appautoscaling_target" "replicas" {
  min_capacity       = 5
  max_capacity       = 17
  resource_id        = "replication-group/rg"
  scalable_dimension = "elasticache:replication-group:Replicas"
  service_namespace  = "elasticache"
}
"""
    )
    nodes = component(
        doc, "aws_elasticache_replication_group.rg", "ElastiCache (on-demand, cache.m5.large, autoscaling)"
    )  # fmt: skip
    # 8 shards x (1 primary + 5 replicas) = 48 nodes, not the configured 4 x 4 = 16;
    # "cache m5.large" Redis $0.156/h
    assert D(nodes["hourlyQuantity"]) == 48
    assert monthly(nodes) == 48 * D("0.156") * 730


def test_dynamodb_follows_its_appautoscaling_targets_and_their_usage() -> None:
    doc = estimate(
        """
resource "aws_dynamodb_table" "t" {
  name           = "orders"
  hash_key       = "id"
  read_capacity  = 30
  write_capacity = 20
}
resource "aws_appautoscaling_target" "write" {
  min_capacity       = 6
  max_capacity       = 99
  resource_id        = "table/${aws_dynamodb_table.t.name}"
  scalable_dimension = "dynamodb:table:WriteCapacityUnits"
  service_namespace  = "dynamodb"
}
resource "aws_appautoscaling_target" "read" {
  min_capacity       = 5
  max_capacity       = 100
  resource_id        = "table/orders"
  scalable_dimension = "dynamodb:table:ReadCapacityUnits"
  service_namespace  = "dynamodb"
}
""",
        usage={"resource_usage": {"aws_appautoscaling_target.read": {"capacity": 76}}},
    )
    found = components(doc, "aws_dynamodb_table.t")
    # "Provisioned Write Units" $0.00065 per WCU-hour: the target's min_capacity 6
    assert monthly(found["Write capacity unit (WCU, autoscaling)"]) == 6 * D("0.00065") * 730
    # "Provisioned Read Units" $0.00013: the usage file's capacity for the target, 76
    assert monthly(found["Read capacity unit (RCU, autoscaling)"]) == 76 * D("0.00013") * 730


def test_dynamodb_global_table_replicas_pay_replicated_writes_in_their_region() -> None:
    doc = estimate(
        """
resource "aws_dynamodb_table" "p" {
  name           = "p"
  hash_key       = "id"
  read_capacity  = 30
  write_capacity = 20
  replica {
    region_name = "us-west-1"
  }
}
resource "aws_dynamodb_table" "od" {
  name         = "od"
  hash_key     = "id"
  billing_mode = "PAY_PER_REQUEST"
  replica {
    region_name = "eu-west-1"
  }
}
""",
        usage={"resource_usage": {"aws_dynamodb_table.od": {"monthly_write_request_units": 3e6}}},
    )
    # us-west-1 "Provisioned Replicated Write Units" $0.000725 per rWCU-hour x 20 rWCU
    rwcu = component(
        doc,
        "aws_dynamodb_table.p",
        "Global table (us-west-1)/Replicated write capacity unit (rWCU)",
    )
    assert monthly(rwcu) == 20 * D("0.000725") * 730
    # eu-west-1 replicated write request units $0.7063 per million x 3M
    rwru = component(
        doc,
        "aws_dynamodb_table.od",
        "Global table (eu-west-1)/Replicated write request unit (rWRU)",
    )
    priced_ok(rwru)
    assert D(rwru["monthlyQuantity"]) == 3
