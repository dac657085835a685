"""Where every price in the shipped catalog comes from: the sources and the input files.

This module owns provenance. :data:`SOURCES` is every source a catalog row can name (origin
repository, licence, data date, and the MANIFEST section that documents it); :data:`INPUTS`
says which file of ``../shared/pricing`` is read by which reader, which rule set translates its
labels and which source its rows carry. Adding a feed means adding its :class:`Source` here, its
:class:`Input` entry, and a rule file in ``engine/pricing/rules/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from engine.pricing.store import Source

# The regions shipped (besides global prices): the main commercial regions. Keeping all 36
# would roughly double the catalog for regions hardly anyone quotes in.
MAIN_REGIONS: tuple[str, ...] = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-east-1",
    "me-south-1",
)

LAMNGOCKHUONG = "https://github.com/lamngockhuong/aws-price"
V0RTS = "https://github.com/v0rts/aws-price-watcher"
V0RTS_COMMIT = "c4a0470f63402104fb3793bb114a39e488eb04ec"  # 2025-12-06 (MANIFEST.md 6.0)
QUINNYPIG = "https://github.com/QuinnyPig/aws-price-watcher"
MIT_A = "MIT (declared in package.json and README; the repository has no LICENSE file)"
MIT_B = "MIT (Copyright (c) 2025 Ian Mckay)"
WEB_NOTE = (
    "AWS public website price feed (b0.p.awsstatic.com meteredUnitMaps), copied by {repo}; "
    "units are implied by the labels; see ../shared/pricing/MANIFEST.md section {section}."
)


def _web(feed: str, date: str, repo: str, section: str, title: str) -> Source:
    # v0rts/aws-price-watcher is a fork of QuinnyPig's: same LICENSE, same copyright holder.
    licence = MIT_A if repo == LAMNGOCKHUONG else MIT_B
    # The third batch names the snapshot it was taken from; older sources name the repository.
    url = f"{repo}/tree/{V0RTS_COMMIT}" if repo == V0RTS else repo
    return Source(
        key=f"awsweb-{feed}",
        title=title,
        url=url,
        licence=licence,
        effective_date=date,
        notes=WEB_NOTE.format(repo=repo.removeprefix("https://github.com/"), section=section),
    )


SOURCES: dict[str, Source] = {
    source.key: source
    for source in (
        Source(
            key="karpenter-ec2-us-east-1",
            title="EC2 Linux on-demand prices, us-east-1 (Karpenter generated pricing table)",
            url="https://github.com/aws/karpenter-provider-aws/blob/"
            "1d927085dd81a9df9301e613f371dac5b4d16bfe/pkg/providers/pricing/"
            "zz_generated.pricing_aws.go",
            licence="Apache-2.0",
            effective_date="2026-07-20",
            notes="Linux, no pre-installed software, shared tenancy; *.metal* types are "
            "dedicated-tenancy prices (MANIFEST.md section 1).",
        ),
        Source(
            key="cloudkeep-ebs",
            title="EBS volume prices per region (cloudkeep-io/ebs-pricing docs/ebs_pricing.json)",
            url="https://github.com/cloudkeep-io/ebs-pricing",
            licence="MIT (Copyright (c) 2021 cloudkeep-io)",
            effective_date="2022-02-10",
            notes="Last updated 2022-02-10T05:01:17Z; later EBS price changes are missing "
            "(MANIFEST.md section 2).",
        ),
        Source(
            key="terracost-eu-west-1",
            title="AWS Price List extract for eu-west-1 (terracost mysql/testdata dump)",
            url="https://github.com/cycloidio/terracost",
            licence="MIT (Copyright (c) 2020 Cycloid)",
            effective_date="2023-02-23",
            notes="On-demand rows of the 2023-02-23 dump; predates the Feb 2024 public IPv4 "
            "charge (MANIFEST.md section 3a).",
        ),
        _web("ec2", "2025-06-18", QUINNYPIG, "5.4", "EC2 Linux on-demand (AWS web feed)"),
        _web("rds", "2025-06-17", QUINNYPIG, "5.1", "RDS and Aurora (AWS web feeds)"),
        _web("elasticache", "2025-03-14", QUINNYPIG, "5.2", "ElastiCache (AWS web feed)"),
        _web("elb", "2025-06-05", QUINNYPIG, "5.3", "Elastic Load Balancing (AWS web feed)"),
        _web("sqs", "2025-06-05", QUINNYPIG, "5.8", "SQS (AWS web feed)"),
        _web("secretsmanager", "2025-06-05", QUINNYPIG, "5.11", "Secrets Manager (web feed)"),
        _web("lambda", "2025-10-30", LAMNGOCKHUONG, "4", "Lambda (AWS web feed)"),
        _web("s3", "2025-10-22", LAMNGOCKHUONG, "4", "S3 (AWS web feed)"),
        _web("dynamodb", "2025-08-28", LAMNGOCKHUONG, "4", "DynamoDB (AWS web feed)"),
        _web("natgateway", "2025-10-28", LAMNGOCKHUONG, "4", "NAT gateway (AWS web feed)"),
        _web("vpc", "2025-11-04", LAMNGOCKHUONG, "4", "VPC: public IPv4, endpoints (web feed)"),
        _web("eks", "2025-10-28", LAMNGOCKHUONG, "5.5", "EKS (AWS web feed)"),
        _web("ecs", "2025-10-27", LAMNGOCKHUONG, "5.6", "ECS / Fargate (AWS web feed)"),
        _web("efs", "2025-09-25", LAMNGOCKHUONG, "5.7", "EFS (AWS web feed)"),
        _web("sns", "2025-08-28", LAMNGOCKHUONG, "5.9", "SNS (AWS web feed)"),
        _web("kms", "2025-08-28", LAMNGOCKHUONG, "5.10", "KMS (AWS web feed)"),
        _web("route53", "2025-08-28", LAMNGOCKHUONG, "5.12", "Route 53 (AWS web feed)"),
        _web("cloudwatch", "2025-09-23", LAMNGOCKHUONG, "5.13", "CloudWatch (AWS web feed)"),
        _web("apigateway", "2025-10-20", LAMNGOCKHUONG, "5.14", "API Gateway (AWS web feed)"),
        _web("cloudfront", "2025-07-01", LAMNGOCKHUONG, "5.15", "CloudFront (AWS web feed)"),
        # Third batch (MANIFEST.md 6.x, added 2026-12-01). The date is the feed's
        # publication date, or for processed copies (es, backup, datatransfer, codebuild) the
        # last refresh of the raw file they were made from; rows carry the publication date
        # of their own rate where the feed has one.
        _web("opensearch", "2025-12-03", V0RTS, "6.1, 6.2", "OpenSearch Service (web feed)"),
        _web("msk", "2025-11-20", V0RTS, "6.3", "Amazon MSK (AWS web feed)"),
        _web("redshift", "2025-10-27", V0RTS, "6.4", "Amazon Redshift (AWS web feed)"),
        _web("neptune", "2025-10-09", LAMNGOCKHUONG, "6.5", "Amazon Neptune (AWS web feed)"),
        _web("docdb", "2025-11-25", V0RTS, "6.6", "Amazon DocumentDB (AWS web feed)"),
        _web("kinesis", "2025-11-18", V0RTS, "6.7", "Kinesis Data Streams (AWS web feed)"),
        _web("kinesisfirehose", "2025-08-28", V0RTS, "6.7", "Amazon Data Firehose (web feed)"),
        _web("kinesisanalytics", "2025-07-09", V0RTS, "6.7", "Managed Apache Flink (web feed)"),
        _web("ecr", "2025-11-21", V0RTS, "6.8", "Amazon ECR (AWS web feed)"),
        _web("mq", "2025-11-18", V0RTS, "6.9", "Amazon MQ (AWS web feed)"),
        _web("backup", "2025-11-18", V0RTS, "6.10", "AWS Backup (AWS web feed)"),
        _web("waf", "2025-10-03", V0RTS, "6.11", "AWS WAF (AWS web feed)"),
        _web("config", "2025-09-11", V0RTS, "6.12", "AWS Config (AWS web feed)"),
        _web("cloudtrail", "2025-11-20", V0RTS, "6.13", "AWS CloudTrail (AWS web feed)"),
        _web("glue", "2025-12-01", V0RTS, "6.14", "AWS Glue (AWS web feed)"),
        _web("stepfunctions", "2025-08-28", V0RTS, "6.15", "AWS Step Functions (web feed)"),
        _web("codebuild", "2025-09-12", V0RTS, "6.16", "AWS CodeBuild (AWS web feed)"),
        _web("dms", "2025-11-17", V0RTS, "6.17", "AWS DMS (AWS web feed)"),
        _web("directoryservice", "2025-11-20", V0RTS, "6.18", "Directory Service (web feed)"),
        _web("directconnect", "2020-09-25", V0RTS, "6.19", "Direct Connect (web feed, 2020)"),
        _web("globalaccelerator", "2024-08-26", V0RTS, "6.20", "Global Accelerator (2024)"),
        _web("transfer", "2025-09-16", V0RTS, "6.21", "AWS Transfer Family (web feed)"),
        _web("lightsail", "2025-10-31", V0RTS, "6.22", "Amazon Lightsail (AWS web feed)"),
        _web("datatransfer", "2025-12-02", V0RTS, "6.23", "Data transfer (AWS web feed)"),
        _web("acmpca", "2025-08-28", V0RTS, "6.24", "AWS Private CA (AWS web feed)"),
        _web("eventbridge", "2025-09-11", V0RTS, "6.25", "Amazon EventBridge (web feed)"),
        _web("ssm", "2025-08-28", V0RTS, "6.26", "AWS Systems Manager (web feed)"),
        _web("cloudhsm", "2025-06-26", V0RTS, "6.27", "AWS CloudHSM (AWS web feed)"),
        _web("networkfirewall", "2025-11-14", V0RTS, "6.28", "Network Firewall (web feed)"),
        _web("mwaa", "2025-11-17", V0RTS, "6.29", "Amazon MWAA (AWS web feed)"),
        _web("grafana", "2024-08-26", V0RTS, "6.30", "Managed Grafana (web feed, 2024)"),
        Source(
            key="terracost-eu-west-1-windows",
            title="AWS Price List extract for eu-west-1: EC2 Windows and Dedicated Hosts "
            "(terracost mysql/testdata dump)",
            url="https://github.com/cycloidio/terracost",
            licence="MIT (Copyright (c) 2020 Cycloid)",
            effective_date="2023-02-23",
            notes="On-demand Windows (with and without SQL Server, licence included and BYOL) "
            "and Dedicated Host rows of the 2023-02-23 dump; eu-west-1 only "
            "(MANIFEST.md section 6.32).",
        ),
    )
}


@dataclass(frozen=True)
class Feed:
    """One feed of a web-pricing file: the value of its ``service`` column, the rule set that
    translates its labels and the source its rows name."""

    name: str
    rule_set: str
    source: str
    # Locations without a region code whose prices ship besides the main regions': global
    # prices are under "Any" or ""; "*" also takes pricing geographies ("EU", "AP", ...).
    global_locations: frozenset[str] = frozenset()
    # Ship the feed's prices for every region it has, not only the main regions.
    every_region: bool = False

    def ships(self, region: str, location: str, regions: frozenset[str]) -> bool:
        if region:
            return self.every_region or region in regions
        return location in self.global_locations or "*" in self.global_locations


GLOBAL = frozenset({"Any", ""})
ANY_LOCATION = frozenset({"*"})


def _feed(
    name: str,
    rule_set: str = "",
    *,
    locations: frozenset[str] = frozenset(),
    every_region: bool = False,
) -> Feed:
    rule_set = rule_set or name
    return Feed(name, rule_set, f"awsweb-{rule_set}", locations, every_region)


ReaderKind = Literal["karpenter", "ebs", "pricelist", "web"]


@dataclass(frozen=True)
class Input:
    """One file of ``../shared/pricing`` and how it is read."""

    name: str
    reader: ReaderKind
    # The source of every row (karpenter, ebs, pricelist); web files name one per feed.
    source: str = ""
    # The rule set of a label-based file that is not a web feed (karpenter, ebs).
    rule_set: str = ""
    feeds: tuple[Feed, ...] = ()
    # Labels of this feed win over the same (region, label) in the file's later feeds.
    precedence_feed: str = ""


# Feeds of aws_webpricing_rds_2025.csv that are used (db2 and RDS Custom 'flex' are not
# priced by the engine; rds-proxy is not either). rds-storage is read first so its storage
# labels win over the repeats in the engine feeds (MANIFEST 5.1).
_RDS_FEEDS = tuple(
    _feed(name, "rds")
    for name in (
        "rds-storage",
        "rds-aurora-storage",
        "rds-aurora-ondemand",
        "rds-mysql-ondemand",
        "rds-postgresql-ondemand",
        "rds-mariadb-ondemand",
        "rds-oracle-ondemand",
        "rds-sqlserver-ondemand",
    )
)

INPUTS: tuple[Input, ...] = (
    Input(
        "ec2_ondemand_linux_us-east-1.csv",
        "karpenter",
        source="karpenter-ec2-us-east-1",
        rule_set="karpenter",
    ),
    Input("ebs_pricing.json", "ebs", source="cloudkeep-ebs", rule_set="ebs"),
    Input("aws_pricelist_eu-west-1_2023-02-23.csv", "pricelist", source="terracost-eu-west-1"),
    Input("aws_webpricing_ec2_2025.csv", "web", feeds=(_feed("ec2"),)),
    Input("aws_webpricing_rds_2025.csv", "web", feeds=_RDS_FEEDS, precedence_feed="rds-storage"),
    Input("aws_webpricing_elasticache_2025.csv", "web", feeds=(_feed("elasticache"),)),
    Input("aws_webpricing_elb_2025.csv", "web", feeds=(_feed("elb"),)),
    Input("aws_webpricing_sqs_2025.csv", "web", feeds=(_feed("queueservice", "sqs"),)),
    Input("aws_webpricing_secretsmanager_2025.csv", "web", feeds=(_feed("secretsmanager"),)),
    Input(
        "aws_webpricing_lambda_s3_dynamodb_natgateway_vpc_2025.csv",
        "web",
        feeds=tuple(_feed(name) for name in ("lambda", "s3", "dynamodb", "natgateway", "vpc")),
    ),
    Input("aws_webpricing_eks_2025.csv", "web", feeds=(_feed("eks"),)),
    Input("aws_webpricing_ecs_2025.csv", "web", feeds=(_feed("ecs"),)),
    Input("aws_webpricing_efs_2025.csv", "web", feeds=(_feed("efs"),)),
    Input("aws_webpricing_sns_2025.csv", "web", feeds=(_feed("sns"),)),
    Input("aws_webpricing_kms_2025.csv", "web", feeds=(_feed("kms"),)),
    Input("aws_webpricing_route53_2025.csv", "web", feeds=(_feed("route53", locations=GLOBAL),)),
    Input(
        "aws_webpricing_cloudwatch_2025.csv",
        "web",
        feeds=(_feed("cloudwatch", locations=GLOBAL),),
    ),
    Input("aws_webpricing_apigateway_2025.csv", "web", feeds=(_feed("apigateway"),)),
    # CloudFront prices are global: edge-location geographies are named in the labels of the
    # location-less rows (the rows under "United States", "EU"... repeat them unnamed).
    Input(
        "aws_webpricing_cloudfront_2025.csv", "web", feeds=(_feed("cloudfront", locations=GLOBAL),)
    ),
    # --- third batch (MANIFEST.md 6.x) ---
    Input("aws_webpricing_opensearch_2025.csv", "web", feeds=(_feed("es", "opensearch"),)),
    Input("aws_webpricing_opensearch_reserved_2025.csv", "web", feeds=(_feed("es", "opensearch"),)),
    Input("aws_webpricing_msk_2025.csv", "web", feeds=(_feed("msk"),)),
    Input("aws_webpricing_redshift_2025.csv", "web", feeds=(_feed("redshift"),)),
    Input("aws_webpricing_neptune_2025.csv", "web", feeds=(_feed("neptune"),)),
    Input("aws_webpricing_docdb_2025.csv", "web", feeds=(_feed("docdb"),)),
    Input(
        "aws_webpricing_kinesis_2025.csv",
        "web",
        feeds=tuple(_feed(name) for name in ("kinesis", "kinesisfirehose", "kinesisanalytics")),
    ),
    Input("aws_webpricing_ecr_2025.csv", "web", feeds=(_feed("ecr"),)),
    Input("aws_webpricing_mq_2025.csv", "web", feeds=(_feed("mq"),)),
    Input("aws_webpricing_backup_2025.csv", "web", feeds=(_feed("backup"),)),
    Input("aws_webpricing_waf_2025.csv", "web", feeds=(_feed("waf"),)),
    Input("aws_webpricing_config_2025.csv", "web", feeds=(_feed("config"),)),
    Input("aws_webpricing_cloudtrail_2025.csv", "web", feeds=(_feed("cloudtrail"),)),
    Input("aws_webpricing_glue_2025.csv", "web", feeds=(_feed("glue"),)),
    Input(
        "aws_webpricing_stepfunctions_2025.csv", "web", feeds=(_feed("states", "stepfunctions"),)
    ),
    Input("aws_webpricing_codebuild_2025.csv", "web", feeds=(_feed("codebuild"),)),
    Input("aws_webpricing_dms_2025.csv", "web", feeds=(_feed("databasemigrationsvc", "dms"),)),
    Input("aws_webpricing_directoryservice_2025.csv", "web", feeds=(_feed("directoryservice"),)),
    Input("aws_webpricing_directconnect_2020.csv", "web", feeds=(_feed("directconnect"),)),
    # Global Accelerator's data-transfer premium is priced between pricing geographies only.
    Input(
        "aws_webpricing_globalaccelerator_2024.csv",
        "web",
        feeds=(_feed("globalaccelerator", locations=ANY_LOCATION),),
    ),
    Input("aws_webpricing_transfer_2025.csv", "web", feeds=(_feed("transfer"),)),
    Input("aws_webpricing_lightsail_2025.csv", "web", feeds=(_feed("lightsail"),)),
    # Data transfer is quoted per source region by usage files (aws_data_transfer entries
    # name their region), so every region of this small feed ships, GovCloud included.
    Input(
        "aws_webpricing_datatransfer_2025.csv",
        "web",
        feeds=(_feed("datatransfer", every_region=True),),
    ),
    Input("aws_webpricing_acm_pca_2025.csv", "web", feeds=(_feed("certificatemanager", "acmpca"),)),
    Input("aws_webpricing_eventbridge_2025.csv", "web", feeds=(_feed("events", "eventbridge"),)),
    Input("aws_webpricing_ssm_2025.csv", "web", feeds=(_feed("systemsmanager", "ssm"),)),
    Input("aws_webpricing_cloudhsm_2025.csv", "web", feeds=(_feed("cloudhsm"),)),
    Input("aws_webpricing_networkfirewall_2025.csv", "web", feeds=(_feed("networkfirewall"),)),
    Input("aws_webpricing_mwaa_2025.csv", "web", feeds=(_feed("mwaa"),)),
    Input("aws_webpricing_grafana_2024.csv", "web", feeds=(_feed("grafana"),)),
    Input(
        "aws_pricelist_eu-west-1_2023-02-23_ec2_windows_dedicatedhost.csv",
        "pricelist",
        source="terracost-eu-west-1-windows",
    ),
)

LOCATIONS_FILE = "aws_locations.json"
