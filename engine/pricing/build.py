"""Building the shipped catalog from the offline price files in ``../shared/pricing``.

``python -m engine pricing build [--source DIR] [--output FILE]``

Read ``../shared/pricing/MANIFEST.md`` for what each input is. In short:

* ``ec2_ondemand_linux_us-east-1.csv`` (Karpenter, 2026-07-20): EC2 Linux on-demand, us-east-1;
  ``*.metal*`` types are Karpenter's *dedicated*-tenancy prices and are recorded as such;
* ``aws_webpricing_*_2025.csv`` and ``aws_webpricing_lambda_s3_dynamodb_natgateway_vpc_2025.csv``
  (AWS's public website price feeds, 2025): prices keyed by a human-readable *label*, the unit
  only implied by it. Each label that the engine uses is translated below, by an explicit
  rule, into a Price List product (service code, product family, attributes, unit, and a usage
  type where AWS itself distinguishes products by one). Labels without a rule are not shipped;
* ``ebs_pricing.json`` (cloudkeep-io, 2022-02-10): EBS volume prices per region;
* ``aws_pricelist_eu-west-1_2023-02-23.csv`` (terracost's Price List extract, 2023-02-23): kept
  as Price List rows (its ``usagetype`` attribute moves to the ``usage_type`` column);
* ``aws_locations.json``: region code <-> location names;
* ``engine/data/curated_prices.json``: a few hand-curated prices and tier boundaries the files
  lack, each with its source URL and date.

Only the main regions (:data:`MAIN_REGIONS`) and global prices are kept. When two sources price
the same product the lookup prefers the newest effective date (see :mod:`engine.pricing.catalog`).
``aws_pricelist_format_sample_AmazonEC2.csv`` is test data (fake SKUs) and is never shipped.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine.pricing.catalog import DEFAULT_CATALOG_PATH
from engine.pricing.store import Row, Source, attributes_of, decimal_text, write_catalog

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

CURATED_PATH = Path(__file__).resolve().parent.parent / "data" / "curated_prices.json"

LAMNGOCKHUONG = "https://github.com/lamngockhuong/aws-price"
QUINNYPIG = "https://github.com/QuinnyPig/aws-price-watcher"
MIT_A = "MIT (declared in package.json and README; the repository has no LICENSE file)"
MIT_B = "MIT (Copyright (c) 2025 Ian Mckay)"
WEB_NOTE = (
    "AWS public website price feed (b0.p.awsstatic.com meteredUnitMaps), copied by {repo}; "
    "units are implied by the labels; see ../shared/pricing/MANIFEST.md section {section}."
)


def _web(feed: str, date: str, repo: str, section: str, title: str) -> Source:
    licence = MIT_A if repo == LAMNGOCKHUONG else MIT_B
    return Source(
        key=f"awsweb-{feed}",
        title=title,
        url=repo,
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
    )
}

# --- products ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Product:
    """What a source label means, in Price List terms."""

    service: str
    family: str
    attributes: Mapping[str, str]
    unit: str
    usage_type: str = ""
    tier_start: str = "0"
    tier_end: str = ""


Builder = Callable[[re.Match[str]], Product | None]
# A tier's (start, end) from a label's match.
Bounds = Callable[[re.Match[str]], tuple[str, str]]


@dataclass
class Rules:
    """Ordered label rules of one feed: the first matching pattern decides."""

    rules: list[tuple[re.Pattern[str], Builder]] = field(default_factory=list)

    def add(self, pattern: str, builder: Builder) -> None:
        self.rules.append((re.compile(pattern), builder))

    def fixed(self, label: str, product: Product) -> None:
        self.rules.append((re.compile(re.escape(label)), lambda _match: product))

    def translate(self, label: str) -> Product | None:
        for pattern, builder in self.rules:
            match = pattern.fullmatch(label)
            if match is not None:
                return builder(match)
        return None


def ec2_instance_product(instance_type: str, tenancy: str) -> Product:
    family = "Compute Instance (bare metal)" if ".metal" in instance_type else "Compute Instance"
    return Product(
        "AmazonEC2",
        family,
        {
            "capacitystatus": "Used",
            "instanceType": instance_type,
            "operatingSystem": "Linux",
            "preInstalledSw": "NA",
            "tenancy": tenancy,
        },
        "Hrs",
    )


class Tiers:
    """Tier boundaries from ``curated_prices.json`` (``tiers`` section)."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec

    def range(self, name: str, index: int) -> tuple[str, str]:
        bounds = list(self.spec[name]["boundaries"])
        start = bounds[index]
        end = bounds[index + 1] if index + 1 < len(bounds) else ""
        return start, end

    def of_match(self, name: str) -> Bounds:
        """The tier of ``name`` that a label names: its group 1 is the tier's number ("2",
        "3"), or nothing for the first tier."""
        return lambda m: self.range(name, _tier_index(m[1]))


def _tier_index(suffix: str | None) -> int:
    return {None: 0, "": 0, "2": 1, "3": 2}[suffix]


def _tiered(
    bounds: Bounds,
    service: str,
    family: str,
    attributes: Mapping[str, str],
    unit: str,
    usage_type: str,
) -> Builder:
    """A rule for the tiers of one product: ``bounds`` tells the (start, end) of the tier
    that the label names."""

    def build(m: re.Match[str]) -> Product:
        start, end = bounds(m)
        return Product(service, family, attributes, unit, usage_type, start, end)

    return build


def _rules(tiers: Tiers) -> dict[str, Rules]:
    feeds: dict[str, Rules] = {}

    def feed(name: str) -> Rules:
        return feeds.setdefault(name, Rules())

    # EC2 (5.4) ----------------------------------------------------------------------------
    feed("ec2").add(
        r"OnDemand Linux-instancetype-([a-z0-9][a-z0-9.-]*)",
        lambda m: ec2_instance_product(m[1], "Shared"),
    )

    # ELB (5.3) ----------------------------------------------------------------------------
    elb = feed("elb")
    for label, family in (
        ("Application", "Load Balancer-Application"),
        ("Network", "Load Balancer-Network"),
        ("Gateway", "Load Balancer-Gateway"),
    ):
        elb.fixed(
            f"{label} Load Balancer Hours",
            Product("AWSELB", family, {}, "Hrs", "LoadBalancerUsage"),
        )
        elb.fixed(
            f"{label} Load Balancer LCU Hours",
            Product("AWSELB", family, {}, "LCU-Hrs", "LCUUsage"),
        )
    elb.fixed(
        "Classic Load Balancer Hours",
        Product("AWSELB", "Load Balancer", {}, "Hrs", "LoadBalancerUsage"),
    )
    elb.fixed(
        "Classic Load Balancer Data",
        Product("AWSELB", "Load Balancer", {}, "GB", "DataProcessing-Bytes"),
    )

    # NAT gateway and VPC (4) --------------------------------------------------------------
    nat = feed("natgateway")
    nat.fixed(
        "Hourly charge for NAT Gateways",
        Product("AmazonEC2", "NAT Gateway", {}, "Hrs", "NatGateway-Hours"),
    )
    nat.fixed(
        "Charge for per GB data processed by NatGateways",
        Product("AmazonEC2", "NAT Gateway", {}, "GB", "NatGateway-Bytes"),
    )
    vpc = feed("vpc")
    for state, usage in (("In use", "InUseAddress"), ("Idle", "IdleAddress")):
        vpc.fixed(
            f"Hourly charge for {state} Public IPv4 Addresses per Hrs",
            Product("AmazonVPC", "VPC Public IPv4 Address", {}, "Hrs", f"PublicIPv4:{usage}"),
        )
    vpc.fixed(
        "Hourly charge for VPC Endpoints per Hrs",
        Product("AmazonVPC", "VpcEndpoint", {}, "Hrs", "VpcEndpoint-Hours"),
    )
    vpc.add(
        r"Charge for per GB data processed by VPC Endpoints per GB from (\d+) to (\d+|Inf)",
        lambda m: Product(
            "AmazonVPC",
            "VpcEndpoint",
            {},
            "GB",
            "VpcEndpoint-Bytes",
            m[1],
            "" if m[2] == "Inf" else m[2],
        ),
    )
    vpc.fixed(
        "Hourly charge for AWS Gateway Load Balancer VPC Endpoint per Hrs",
        Product("AmazonVPC", "VpcEndpoint", {}, "Hrs", "VpcEndpoint-GWE-Hours"),
    )
    vpc.fixed(
        "Charge for per GB data processed by AWS Gateway Load Balancer VPC Endpoint per GB",
        Product("AmazonVPC", "VpcEndpoint", {}, "GB", "VpcEndpoint-GWE-Bytes"),
    )
    vpc.fixed(
        "Hourly charge for Transit Gateway VPC Attachments per hour",
        Product("AmazonVPC", "Transit Gateway", {}, "Hrs", "TransitGateway-Hours"),
    )
    vpc.fixed(
        "Charge for per GB data processed by AWS Transit Gateways for VPC attachments per "
        "GigaBytes",
        Product("AmazonVPC", "Transit Gateway", {}, "GB", "TransitGateway-Bytes"),
    )
    for label in ("CreateVpnConnection per Hrs", "CreateVpnConnection per hours"):
        vpc.fixed(label, Product("AmazonVPC", "Cloud Connectivity", {}, "Hrs", "VPN-Usage-Hours"))

    # Lambda (4) ---------------------------------------------------------------------------
    lam = feed("lambda")
    for arch, group_suffix, usage_suffix in (("", "", ""), ("-ARM", "-ARM", "-ARM")):
        lam.fixed(
            f"Lambda Requests{arch}",
            Product(
                "AWSLambda",
                "Serverless",
                {"group": f"AWS-Lambda-Requests{group_suffix}"},
                "Requests",
                f"Request{usage_suffix}",
            ),
        )
        tier_name = "lambda-duration-arm" if arch else "lambda-duration-x86"
        lam.add(
            re.escape(f"Lambda Duration{arch}") + r"(?: Tier([23]))?",
            _tiered(
                tiers.of_match(tier_name),
                "AWSLambda",
                "Serverless",
                {"group": f"AWS-Lambda-Duration{arch}"},
                "Lambda-GB-Second",
                f"Lambda-GB-Second{arch}",
            ),
        )
        lam.fixed(
            f"Lambda Storage-Duration{arch}",
            Product(
                "AWSLambda",
                "Serverless",
                {"group": f"AWS-Lambda-Storage-Duration{group_suffix}"},
                "GB-Seconds",
                f"Lambda-Storage-GB-Second{usage_suffix}",
            ),
        )

    # S3 (4) -------------------------------------------------------------------------------
    s3 = feed("s3")
    storage_tiers = {
        "First 50 TB": ("0", "51200"),
        "Next 450 TB": ("51200", "512000"),
        "Over 500 TB": ("512000", ""),
    }

    def s3_tiered(volume_type: str, storage_class: str, usage: str) -> Builder:
        return _tiered(
            lambda m: storage_tiers[m[1]],
            "AmazonS3",
            "Storage",
            {"storageClass": storage_class, "volumeType": volume_type},
            "GB-Mo",
            usage,
        )

    s3.add(
        r"Standard Storage (First 50 TB|Next 450 TB|Over 500 TB) per GB Mo",
        s3_tiered("Standard", "General Purpose", "TimedStorage-ByteHrs"),
    )
    s3.add(
        r"Intelligent Tiering Frequent Access (First 50 TB|Next 450 TB|Over 500 TB) per GB Mo",
        s3_tiered("IntelligentTieringFAStorage", "Intelligent-Tiering", "TimedStorage-INT-FA"),
    )
    for label, volume, storage_class, usage in (
        (
            "Standard Infrequent Access Storage per GB-Mo",
            "Standard - Infrequent Access",
            "Infrequent Access",
            "TimedStorage-SIA-ByteHrs",
        ),
        (
            "One Zone Infrequent Access Storage Inf per GB-Mo",
            "One Zone - Infrequent Access",
            "Infrequent Access",
            "TimedStorage-ZIA-ByteHrs",
        ),
        (
            "Intelligent Tiering Infrequent Access per GB Mo",
            "IntelligentTieringIAStorage",
            "Intelligent-Tiering",
            "TimedStorage-INT-IA",
        ),
        ("Glacier Storage per GB Mo", "Amazon Glacier", "Archive", "TimedStorage-GlacierByteHrs"),
    ):
        s3.fixed(
            label,
            Product(
                "AmazonS3",
                "Storage",
                {"storageClass": storage_class, "volumeType": volume},
                "GB-Mo",
                usage,
            ),
        )
    for suffix, code in (
        ("", ""),
        (" to Standard Infrequent Access", "SIA-"),
        (" to One Zone Infrequent Access", "ZIA-"),
        (" to Intelligent Tiering", "INT-"),
    ):
        s3.fixed(
            f"PUT COPY/POST or LIST requests{suffix} per Requests",
            Product(
                "AmazonS3",
                "API Request",
                {"group": f"S3-API-{code}Tier1"},
                "Requests",
                f"Requests-{code}Tier1",
            ),
        )
        s3.fixed(
            f"GET and all other requests{suffix} per Requests",
            Product(
                "AmazonS3",
                "API Request",
                {"group": f"S3-API-{code}Tier2"},
                "Requests",
                f"Requests-{code}Tier2",
            ),
        )
    for label, code in (
        ("Standard Infrequent Access", "SIA"),
        ("One Zone Infrequent Access", "ZIA"),
    ):
        s3.fixed(
            f"Object Retrieval in {label} per GB",
            Product(
                "AmazonS3", "Fee", {"group": f"S3-{code}-Retrieval"}, "GB", f"Retrieval-{code}"
            ),
        )
    s3.fixed(
        "Per object per month monitoring and automation fee for objects in Intelligent Tiering",
        Product("AmazonS3", "Fee", {"group": "S3-INT-Monitoring"}, "Objects", "Monitoring-INT"),
    )
    for kind in ("Scanned", "Returned"):
        s3.fixed(
            f"Data {kind} by S3 Select in Standard per GB",
            Product(
                "AmazonS3",
                "Select",
                {"group": f"S3-Select-{kind}", "storageClass": "General Purpose"},
                "GB",
                f"Select-{kind}-Bytes",
            ),
        )

    # DynamoDB (4) -------------------------------------------------------------------------
    ddb = feed("dynamodb")
    for suffix, table_class in (("", "Standard"), (" IA", "Standard-IA")):
        for kind, unit_word in (("Read", "Read"), ("Write", "Write")):
            ddb.fixed(
                f"Provisioned {kind} Units{suffix}",
                Product(
                    "AmazonDynamoDB",
                    "Provisioned IOPS",
                    {"group": f"DDB-{kind}Units", "tableClass": table_class},
                    f"{unit_word}CapacityUnit-Hrs",
                    f"{unit_word}CapacityUnit-Hrs",
                ),
            )
            ddb.fixed(
                f"PayPerRequest {kind} Request Units{suffix}",
                Product(
                    "AmazonDynamoDB",
                    "Amazon DynamoDB PayPerRequest Throughput",
                    {"group": f"DDB-{kind}Units", "tableClass": table_class},
                    f"{unit_word}RequestUnits",
                    f"{unit_word}RequestUnits",
                ),
            )
    ddb.fixed(
        "Data Storage Indexed GB-Mo",
        Product(
            "AmazonDynamoDB",
            "Database Storage",
            {"tableClass": "Standard", "volumeType": "Amazon DynamoDB - Indexed DataStore"},
            "GB-Mo",
            "TimedStorage-ByteHrs",
        ),
    )
    ddb.fixed(
        "Data Storage Indexed - IA GB-Mo",
        Product(
            "AmazonDynamoDB",
            "Database Storage",
            {"tableClass": "Standard-IA", "volumeType": "Amazon DynamoDB - Indexed DataStore"},
            "GB-Mo",
            "TimedStorage-IA-ByteHrs",
        ),
    )
    ddb.fixed(
        "PITR Backup Storage GB-Mo",
        Product("AmazonDynamoDB", "Amazon DynamoDB PITR Backup", {}, "GB-Mo", "TimedPITRStorage"),
    )
    ddb.fixed(
        "On-Demand Backup Storage GB-Month",
        Product(
            "AmazonDynamoDB", "Amazon DynamoDB On-Demand Backup Storage", {}, "GB-Mo", "TimedBackup"
        ),
    )
    ddb.fixed(
        "Streams Read Requests",
        Product(
            "AmazonDynamoDB",
            "API Request",
            {"group": "DDB-StreamsReadRequests"},
            "Requests",
            "Streams-Requests",
        ),
    )

    # ElastiCache (5.2) --------------------------------------------------------------------
    feed("elasticache").add(
        r"OnDemand Cache Instance .*? cache ([a-z0-9-]+\.[a-z0-9.-]+) (Redis|Valkey|Memcached)"
        r"(?: datatiering)? (?:Current|Previous) Generation",
        lambda m: Product(
            "AmazonElastiCache",
            "Cache Instance",
            {"cacheEngine": m[2], "instanceType": f"cache.{m[1]}"},
            "Hrs",
            f"NodeUsage:cache.{m[1]}",
        ),
    )

    # KMS (5.10), Secrets Manager (5.11) ---------------------------------------------------
    kms = feed("kms")
    kms.fixed("Encryption Key", Product("awskms", "Encryption Key", {}, "Keys-Mo", "KMS-Keys"))
    for label, group in (
        ("API request - Non Free Tier", "KMS-Requests"),
        ("API Requests GenerateDatakeyPair ECC", "KMS-Requests-GenerateDatakeyPair-ECC"),
        ("API Requests GenerateDatakeyPair RSA", "KMS-Requests-GenerateDatakeyPair-RSA"),
        ("Asymmetric Requests RSA_2048", "KMS-Requests-Asymmetric-RSA_2048"),
        ("Asymmetric Requests except RSA_2048API", "KMS-Requests-Asymmetric"),
    ):
        kms.fixed(label, Product("awskms", "API Request", {"group": group}, "Requests", group))
    secrets = feed("secretsmanager")
    secrets.fixed(
        "Secret",
        Product("AWSSecretsManager", "Secret", {}, "Secrets-Mo", "AWSSecretsManager-Secrets"),
    )
    secrets.fixed(
        "API Request",
        Product("AWSSecretsManager", "API Request", {}, "Requests", "AWSSecretsManager-APIRequest"),
    )

    # SQS (5.8), SNS (5.9) -----------------------------------------------------------------
    sqs = feed("sqs")
    for label, queue_type, usage in (
        ("Standard", "Standard", "Requests-RBP"),
        ("FIFO first-in first-out", "FIFO (first-in, first-out)", "Requests-FIFO-RBP"),
    ):
        sqs.add(
            re.escape(f"{label} per Requests") + r"(?: Tier([23]))?",
            _tiered(
                tiers.of_match("sqs-requests"),
                "AWSQueueService",
                "API Request",
                {"queueType": queue_type},
                "Requests",
                usage,
            ),
        )
    sns = feed("sns")
    sns.fixed(
        "Amazon SNS API Requests",
        Product("AmazonSNS", "API Request", {"topicType": "Standard"}, "Requests", "Requests"),
    )
    sns.fixed(
        "Amazon SNS FIFO API Requests per Requests",
        Product("AmazonSNS", "API Request", {"topicType": "FIFO"}, "Requests", "FIFO-Requests"),
    )
    for label, endpoint in (
        ("HTTP Notifications", "HTTP"),
        ("SNS Email and Email JSON Notifications", "SMTP"),
        ("Amazon SQS Notifications", "SQS"),
        ("AWS Lambda Notifications", "AWS Lambda"),
        ("Amazon Kinesis Data Firehose Messages", "Amazon Kinesis Data Firehose"),
    ):
        sns.fixed(
            label,
            Product(
                "AmazonSNS",
                "Message Delivery",
                {"endpointType": endpoint},
                "Notifications",
                f"DeliveryAttempts-{endpoint.replace(' ', '')}",
            ),
        )

    # Route 53 (5.12), global --------------------------------------------------------------
    r53 = feed("route53")
    r53.fixed(
        "DNS Zone first 25",
        Product("AmazonRoute53", "DNS Zone", {}, "HostedZone-Mo", "HostedZone", "0", "25"),
    )
    r53.fixed(
        "DNS Zone", Product("AmazonRoute53", "DNS Zone", {}, "HostedZone-Mo", "HostedZone", "25")
    )
    for label, routing in (
        ("Standard", "Standard"),
        ("Latency Based Routing", "Latency"),
        ("Geo DNS", "Geo DNS"),
        ("Geoproximity", "Geoproximity"),
        ("IP Based Routing", "IP Based"),
    ):
        code = routing.replace(" ", "")
        r53.fixed(
            f"Query {label} External first 1B",
            Product(
                "AmazonRoute53",
                "DNS Query",
                {"routingType": routing},
                "Queries",
                f"DNS-Queries-{code}",
                "0",
                "1000000000",
            ),
        )
        r53.fixed(
            f"Query {label} External over 1B",
            Product(
                "AmazonRoute53",
                "DNS Query",
                {"routingType": routing},
                "Queries",
                f"DNS-Queries-{code}",
                "1000000000",
            ),
        )
    for label, endpoint, feature in (
        ("Basic Health checks AWS per Mo", "AWS", "Basic"),
        ("Basic Health checks External Non AWS per Mo", "Non-AWS", "Basic"),
        ("Optional Health Check Features AWS per Mo", "AWS", "Optional"),
        ("Optional Health Check Features External Non AWS per Mo", "Non-AWS", "Optional"),
    ):
        r53.fixed(
            label,
            Product(
                "AmazonRoute53",
                "DNS Health Check",
                {"endpointType": endpoint, "healthCheckFeature": feature},
                "HealthCheck-Mo",
                f"Health-Check-{feature}-{endpoint}",
            ),
        )

    # CloudWatch (5.13) --------------------------------------------------------------------
    cw = feed("cloudwatch")
    metric_tiers = {
        "the first 10000": ("0", "10000"),
        "the next 240000": ("10000", "250000"),
        "the next 750000": ("250000", "1000000"),
        "over 1000000": ("1000000", ""),
    }

    cw.add(
        r"Metric for (the first 10000|the next 240000|the next 750000|over 1000000)",
        _tiered(
            lambda m: metric_tiers[m[1]],
            "AmazonCloudWatch",
            "Metric",
            {"group": "Metric"},
            "Metrics",
            "CW:MetricMonitorUsage",
        ),
    )
    for label, usage in (
        ("Alarm Standard", "CW:AlarmMonitorUsage"),
        ("Alarm High Resolution", "CW:HighResAlarmMonitorUsage"),
        ("Alarm Composite", "CW:CompositeAlarmMonitorUsage"),
    ):
        cw.fixed(label, Product("AmazonCloudWatch", "Alarm", {"group": "Alarm"}, "Alarms", usage))
    cw.fixed(
        "Logs Collected Data Ingestion",
        Product(
            "AmazonCloudWatch",
            "Data Payload",
            {"group": "Ingested Logs"},
            "GB",
            "DataProcessing-Bytes",
        ),
    )
    cw.fixed(
        "IA Custom ingested Logs from 0 upto Inf",
        Product(
            "AmazonCloudWatch",
            "Data Payload",
            {"group": "Ingested Logs"},
            "GB",
            "DataProcessingIA-Bytes",
        ),
    )
    cw.fixed(
        "Queried Logs Insights",
        Product(
            "AmazonCloudWatch", "Data Payload", {"group": "Queried Logs"}, "GB", "DataScanned-Bytes"
        ),
    )
    cw.fixed(
        "Stored Data",
        Product("AmazonCloudWatch", "Storage Snapshot", {}, "GB-Mo", "TimedStorage-ByteHrs"),
    )
    cw.fixed(
        "Dashboard Basic Dashboard",
        Product("AmazonCloudWatch", "Dashboard", {}, "Dashboards", "DashboardsUsageHour-Basic"),
    )
    cw.fixed(
        "API Request",
        Product(
            "AmazonCloudWatch", "API Request", {"group": "CW-Requests"}, "Requests", "CW:Requests"
        ),
    )

    # EKS (5.5), ECS/Fargate (5.6) ---------------------------------------------------------
    eks = feed("eks")
    for label in ("Compute per Hours", "Compute per hours"):
        eks.fixed(label, Product("AmazonEKS", "Compute", {}, "Hrs", "AmazonEKS-Hours:perCluster"))
    eks.fixed(
        "Compute ExtendedSupport per Hours",
        Product("AmazonEKS", "Compute", {}, "Hrs", "AmazonEKS-Hours:extendedSupport"),
    )
    eks.fixed(
        "Fargate perCPU per hours",
        Product("AmazonEKS", "Compute", {}, "vCPU-Hours", "Fargate-vCPU-Hours:perCPU"),
    )
    eks.fixed(
        "Fargate perGB per hours",
        Product("AmazonEKS", "Compute", {}, "GB-Hours", "Fargate-GB-Hours"),
    )
    ecs = feed("ecs")
    for prefix, arch, code in (("", "x86_64", ""), ("ARM ", "ARM64", "ARM-")):
        ecs.fixed(
            f"{prefix}perCPU per hour",
            Product(
                "AmazonECS",
                "Compute",
                {"cpuArchitecture": arch, "operatingSystem": "Linux"},
                "vCPU-Hours",
                f"Fargate-{code}vCPU-Hours:perCPU",
            ),
        )
        ecs.fixed(
            f"{prefix}perGB per hour",
            Product(
                "AmazonECS",
                "Compute",
                {"cpuArchitecture": arch, "operatingSystem": "Linux"},
                "GB-Hours",
                f"Fargate-{code}GB-Hours",
            ),
        )
    ecs.fixed(
        "Storage per GB-Hours",
        Product("AmazonECS", "Compute", {}, "GB-Hours", "Fargate-EphemeralStorage-GB-Hours"),
    )

    # EFS (5.7) ----------------------------------------------------------------------------
    efs = feed("efs")
    for label, storage_class, usage in (
        ("General Purpose Storage GB Mo", "General Purpose", "TimedStorage-ByteHrs"),
        ("Infrequent Access Storage GB Mo", "Infrequent Access", "IATimedStorage-ByteHrs"),
        ("One Zone General Purpose Storage GB Mo", "One Zone-General Purpose", "TimedStorage-Z"),
        ("One Zone Infrequent Access Storage GB Mo", "One Zone-Infrequent Access", "IATimedZ"),
        ("Archive Storage GB Mo", "Archive", "ArchiveTimedStorage-ByteHrs"),
    ):
        efs.fixed(
            label,
            Product("AmazonEFS", "Storage", {"storageClass": storage_class}, "GB-Mo", usage),
        )
    efs.fixed(
        "Throughput Provisioned",
        Product("AmazonEFS", "Provisioned Throughput", {}, "MiBps-Mo", "ProvisionedTP-MiBpsHrs"),
    )
    for access in ("Read", "Write"):
        efs.fixed(
            f"Infrequent Access Requests {access} per GB",
            Product(
                "AmazonEFS",
                "Request",
                {"accessType": access, "storageClass": "Infrequent Access"},
                "GB",
                f"IADataAccess-{access}-Bytes",
            ),
        )

    # API Gateway (5.14) -------------------------------------------------------------------
    api = feed("apigateway")
    for label, start, end in (
        ("API Calls Number of up to 333 million", "0", "333000000"),
        ("API Calls Number of Request Next 667 million", "333000000", "1000000000"),
        ("API Calls Number of Request Next 19 billion", "1000000000", "20000000000"),
        ("API Calls Number of Request Over 20 billion", "20000000000", ""),
    ):
        api.fixed(
            label,
            Product(
                "AmazonApiGateway",
                "API Calls",
                {"operation": "ApiGatewayRequest"},
                "Requests",
                "ApiGatewayRequest",
                start,
                end,
            ),
        )
    for label, start, end in (
        ("ApiGatewayHttpApi First 300 million", "0", "300000000"),
        ("ApiGatewayHttpApi more than 300 million", "300000000", ""),
    ):
        api.fixed(
            label,
            Product(
                "AmazonApiGateway",
                "API Calls",
                {"operation": "ApiGatewayHttpApi"},
                "Requests",
                "ApiGatewayHttpRequest",
                start,
                end,
            ),
        )

    # RDS (5.1) ----------------------------------------------------------------------------
    rds = feed("rds")
    rds.add(
        r"Database Instance (Aurora MySQL|Aurora PostgreSQL|SQL Server|PostgreSQL|MySQL|MariaDB"
        r"|Oracle) (.*?)(No license required|License included|Bring your own license) (.*)",
        _rds_instance,
    )
    deployments = {
        "Single AZ": "Single-AZ",
        "Multi AZ": "Multi-AZ",
        "Multi AZ SQL Server Mirror": "Multi-AZ (SQL Server Mirror)",
        "Multi AZ readable standbys": "Multi-AZ (readable standbys)",
    }
    deployment_re = "(Single AZ|Multi AZ SQL Server Mirror|Multi AZ readable standbys|Multi AZ)"
    rds.add(
        r"Database Storage " + deployment_re + r" (General Purpose-GP3|General Purpose-Aurora"
        r"|General Purpose|Magnetic|Provisioned IOPS-IO2|Provisioned IOPS|IO Optimized-Aurora)",
        lambda m: Product(
            "AmazonRDS",
            "Database Storage",
            {"databaseEngine": "Any", "deploymentOption": deployments[m[1]], "volumeType": m[2]},
            "GB-Mo",
        ),
    )
    # The start of the usage type of a deployment's provisioned IOPS and throughput.
    usage_stem = {
        "Single AZ": "RDS:",
        "Multi AZ": "RDS:Multi-AZ-",
        "Multi AZ SQL Server Mirror": "RDS:Mirror-",
        "Multi AZ readable standbys": "RDS:Multi-AZCluster-",
    }
    rds.add(
        r"Provisioned (GP3 |IO2 )?IOPS " + deployment_re,
        lambda m: Product(
            "AmazonRDS",
            "Provisioned IOPS",
            {"databaseEngine": "Any", "deploymentOption": deployments[m[2]]},
            "IOPS-Mo",
            usage_stem[m[2]] + {None: "", "GP3 ": "GP3-", "IO2 ": "IO2-"}[m[1]] + "PIOPS",
        ),
    )
    rds.add(
        r"Provisioned Throughput " + deployment_re,
        lambda m: Product(
            "AmazonRDS",
            "Provisioned Throughput",
            {"databaseEngine": "Any", "deploymentOption": deployments[m[1]]},
            "MBPS-Mo",
            usage_stem[m[1]] + "GP3-Throughput",
        ),
    )
    rds.fixed(
        "Storage Snapshot",
        Product(
            "AmazonRDS",
            "Storage Snapshot",
            {"databaseEngine": "Any"},
            "GB-Mo",
            "RDS:ChargedBackupUsage",
        ),
    )
    rds.add(
        r"Storage Snapshot (Aurora MySQL|Aurora PostgreSQL)",
        lambda m: Product(
            "AmazonRDS", "Storage Snapshot", {"databaseEngine": m[1]}, "GB-Mo", "Aurora:BackupUsage"
        ),
    )
    rds.fixed(
        "System Operation Magnetic",
        Product(
            "AmazonRDS",
            "System Operation",
            {"databaseEngine": "Any", "group": "RDS I/O Operation"},
            "IOs",
            "RDS:StorageIOUsage",
        ),
    )
    rds.fixed(
        "System Operation Aurora I O Operation",
        Product(
            "AmazonRDS",
            "System Operation",
            {"databaseEngine": "Any", "group": "Aurora I/O Operation"},
            "IOs",
            "Aurora:StorageIOUsage",
        ),
    )
    rds.add(
        r"(Aurora MySQL|Aurora PostgreSQL) ServerlessV2( Aurora IO Optimization Mode)?",
        lambda m: Product(
            "AmazonRDS",
            "ServerlessV2",
            {"databaseEngine": m[1]},
            "ACU-Hr",
            "Aurora:ServerlessV2IOOptimizedUsage" if m[2] else "Aurora:ServerlessV2Usage",
        ),
    )
    rds.add(
        r"(Aurora MySQL|Aurora PostgreSQL) Serverless",
        lambda m: Product(
            "AmazonRDS", "Serverless", {"databaseEngine": m[1]}, "ACU-Hr", "Aurora:ServerlessUsage"
        ),
    )
    return feeds


_RDS_TYPE_LABEL = re.compile(r"\| Instance Type: (db\.[a-z0-9][a-z0-9.-]*)$")
_RDS_TYPE_WORDS = re.compile(r"(?:^| )db ([a-z0-9-]+\.[a-z0-9][a-z0-9.-]*)(?: |$)")


def _rds_instance(m: re.Match[str]) -> Product | None:
    engine, edition, licence, rest = m[1], m[2].strip(), m[3], m[4]
    found = _RDS_TYPE_LABEL.search(rest)
    if found is not None:
        instance_type = found[1]
    else:
        words = _RDS_TYPE_WORDS.search(rest)
        if words is None:
            return None
        instance_type = "db." + words[1]
    if "Multi-AZ readable standbys" in rest:
        deployment = "Multi-AZ (readable standbys)"
    elif "Multi-AZ" in rest:
        deployment = "Multi-AZ"
    elif "Single-AZ" in rest:
        deployment = "Single-AZ"
    else:
        return None
    attributes = {
        "databaseEngine": engine,
        "deploymentOption": deployment,
        "instanceType": instance_type,
        "licenseModel": licence,
    }
    if edition:
        attributes["databaseEdition"] = edition
    usage = ""
    if engine.startswith("Aurora"):
        io_optimized = rest.startswith("Aurora IO Optimization Mode")
        usage = f"InstanceUsage{'IOOptimized' if io_optimized else ''}:{instance_type}"
    return Product("AmazonRDS", "Database Instance", attributes, "Hrs", usage)


# Feeds of aws_webpricing_rds_2025.csv that are used (db2 and RDS Custom 'flex' are not
# priced by the engine; rds-proxy is not either). rds-storage is read first so its storage
# labels win over the repeats in the engine feeds (MANIFEST 5.1).
_RDS_FEEDS = (
    "rds-storage",
    "rds-aurora-storage",
    "rds-aurora-ondemand",
    "rds-mysql-ondemand",
    "rds-postgresql-ondemand",
    "rds-mariadb-ondemand",
    "rds-oracle-ondemand",
    "rds-sqlserver-ondemand",
)

# File -> feed names it holds that the builder reads (feed name in the CSV's service column).
WEB_FILES: dict[str, tuple[str, ...]] = {
    "aws_webpricing_ec2_2025.csv": ("ec2",),
    "aws_webpricing_rds_2025.csv": _RDS_FEEDS,
    "aws_webpricing_elasticache_2025.csv": ("elasticache",),
    "aws_webpricing_elb_2025.csv": ("elb",),
    "aws_webpricing_sqs_2025.csv": ("queueservice",),
    "aws_webpricing_secretsmanager_2025.csv": ("secretsmanager",),
    "aws_webpricing_lambda_s3_dynamodb_natgateway_vpc_2025.csv": (
        "lambda",
        "s3",
        "dynamodb",
        "natgateway",
        "vpc",
    ),
    "aws_webpricing_eks_2025.csv": ("eks",),
    "aws_webpricing_ecs_2025.csv": ("ecs",),
    "aws_webpricing_efs_2025.csv": ("efs",),
    "aws_webpricing_sns_2025.csv": ("sns",),
    "aws_webpricing_kms_2025.csv": ("kms",),
    "aws_webpricing_route53_2025.csv": ("route53",),
    "aws_webpricing_cloudwatch_2025.csv": ("cloudwatch",),
    "aws_webpricing_apigateway_2025.csv": ("apigateway",),
}
# Feeds whose global prices (location "Any" or "") are shipped.
_GLOBAL_FEEDS = frozenset({"route53", "cloudwatch"})


def _rule_set_name(feed: str) -> str:
    if feed.startswith("rds-"):
        return "rds"
    return {"queueservice": "sqs"}.get(feed, feed)


# --- reading the inputs --------------------------------------------------------------------------


@dataclass
class BuildResult:
    sources: list[Source]
    rows: list[Row]
    locations: list[tuple[str, str, str]]
    meta: dict[str, str]
    counts: dict[str, int]


def collect(source_dir: Path, regions: Iterable[str] = MAIN_REGIONS) -> BuildResult:
    """Every row the shipped catalog holds, from the files in ``source_dir``."""
    region_set = frozenset(regions)
    curated = json.loads(CURATED_PATH.read_text(encoding="utf-8"))
    rules = _rules(Tiers(curated["tiers"]))
    rows: list[Row] = []
    counts: dict[str, int] = {}
    used_files: list[str] = []

    def add(source: str, new_rows: list[Row]) -> None:
        rows.extend(new_rows)
        counts[source] = counts.get(source, 0) + len(new_rows)

    for name, source, read in (
        ("ec2_ondemand_linux_us-east-1.csv", "karpenter-ec2-us-east-1", _karpenter_rows),
        ("ebs_pricing.json", "cloudkeep-ebs", _ebs_rows),
        ("aws_pricelist_eu-west-1_2023-02-23.csv", "terracost-eu-west-1", _terracost_rows),
    ):
        add(source, list(read(source_dir / name, region_set)))
        used_files.append(name)

    for name, feeds in WEB_FILES.items():
        for source, new_rows in _web_rows(source_dir / name, feeds, rules, region_set).items():
            add(source, new_rows)
        used_files.append(name)

    curated_sources, curated_rows = _curated(curated, region_set)
    for row in curated_rows:
        add(row.source, [row])

    locations = _locations(source_dir / "aws_locations.json")
    used_files.append("aws_locations.json")

    meta = {
        "built_by": "python -m engine pricing build",
        "regions": ",".join(sorted(region_set)),
        "currency": "USD",
    }
    for name, tier in sorted(curated["tiers"].items()):
        meta[f"tiers:{name}"] = ",".join(tier["boundaries"])
    for name in sorted(used_files):
        meta[f"input_sha256:{name}"] = hashlib.sha256((source_dir / name).read_bytes()).hexdigest()
    used_sources = {row.source for row in rows}
    sources = [source for key, source in sorted(SOURCES.items()) if key in used_sources]
    sources.extend(source for source in curated_sources if source.key in used_sources)
    return BuildResult(sources, rows, locations, meta, counts)


def build_catalog(
    source_dir: Path,
    output: Path = DEFAULT_CATALOG_PATH,
    regions: Iterable[str] = MAIN_REGIONS,
) -> BuildResult:
    result = collect(source_dir, regions)
    write_catalog(
        output,
        sources=result.sources,
        rows=result.rows,
        locations=result.locations,
        meta=result.meta,
    )
    return result


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _row(
    product: Product,
    *,
    region: str,
    price: str,
    source: str,
    date: str,
    sku: str = "",
    description: str = "",
    currency: str = "USD",
) -> Row:
    return Row(
        service=product.service,
        family=product.family,
        region=region,
        attributes=attributes_of(product.attributes),
        usage_type=product.usage_type,
        unit=product.unit,
        price=decimal_text(price),
        currency=currency,
        tier_start=decimal_text(product.tier_start),
        tier_end=decimal_text(product.tier_end) if product.tier_end else "",
        sku=sku,
        description=description,
        source=source,
        effective_date=date,
    )


def _karpenter_rows(path: Path, regions: frozenset[str]) -> Iterator[Row]:
    if "us-east-1" not in regions:
        return
    source = SOURCES["karpenter-ec2-us-east-1"]
    for record in _read_csv(path):
        instance_type = record["instance_type"]
        tenancy = "Dedicated" if ".metal" in instance_type else "Shared"
        yield _row(
            ec2_instance_product(instance_type, tenancy),
            region="us-east-1",
            price=record["usd_per_hour"],
            source=source.key,
            date=source.effective_date,
            description=f"{instance_type} (Karpenter InitialOnDemandPricesAWS)",
        )


_EBS_KEYS: dict[str, tuple[str, dict[str, str], str, str]] = {
    # price key -> (family, extra attributes, unit, usage type suffix)
    "pricePerGBMonth": ("Storage", {}, "GB-Mo", "EBS:VolumeUsage"),
    "pricePerIOPSMonth": ("System Operation", {"group": "EBS IOPS"}, "IOPS-Mo", "EBS:VolumeP-IOPS"),
    "pricePerGiBpsMonth": (
        "Provisioned Throughput",
        {"group": "EBS Throughput"},
        "GiBps-mo",
        "EBS:VolumeP-Throughput",
    ),
    "pricePerIOs": ("System Operation", {"group": "EBS I/O Requests"}, "IOs", "EBS:VolumeIOUsage"),
}


def _ebs_rows(path: Path, regions: frozenset[str]) -> Iterator[Row]:
    source = SOURCES["cloudkeep-ebs"]
    for location in json.loads(path.read_text(encoding="utf-8")):
        region = location.get("rzCode")
        if location.get("rzType") != "region" or region not in regions:
            continue
        for volume, prices in sorted(location.get("ebs_prices", {}).items()):
            for key, by_currency in sorted(prices.items()):
                for currency, price in sorted(by_currency.items()):
                    tier = re.fullmatch(r"pricePerTier([123])IOPSMonth", key)
                    if tier is not None:
                        # io2 IOPS tiers are separate products (groups), as in the Price List;
                        # their boundaries are in the catalog meta ("tiers:ebs-io2-iops").
                        index = int(tier[1])
                        product = Product(
                            "AmazonEC2",
                            "System Operation",
                            {
                                "group": "EBS IOPS" if index == 1 else f"EBS IOPS Tier {index}",
                                "volumeApiName": volume,
                            },
                            "IOPS-Mo",
                            f"EBS:VolumeP-IOPS.{volume}" + (f".tier{index}" if index > 1 else ""),
                        )
                    elif key in _EBS_KEYS:
                        family, extra, unit, usage = _EBS_KEYS[key]
                        product = Product(
                            "AmazonEC2",
                            family,
                            {**extra, "volumeApiName": volume},
                            unit,
                            f"{usage}.{volume}",
                        )
                    else:
                        continue
                    yield _row(
                        product,
                        region=region,
                        price=price,
                        source=source.key,
                        date=source.effective_date,
                        description=f"{volume} {key}",
                        currency=currency,
                    )


def _terracost_rows(path: Path, regions: frozenset[str]) -> Iterator[Row]:
    source = SOURCES["terracost-eu-west-1"]
    records = [
        record for record in _read_csv(path) if record["region"] in regions or not record["region"]
    ]
    starts: dict[str, list[Decimal]] = {}
    for record in records:
        starts.setdefault(record["sku"] + "|" + record["unit"], []).append(
            Decimal(record["price_tier_start"] or "0")
        )
    for record in records:
        attributes = json.loads(record["attributes_json"])
        usage_type = str(attributes.pop("usagetype", ""))
        start = Decimal(record["price_tier_start"] or "0")
        later = sorted(s for s in starts[record["sku"] + "|" + record["unit"]] if s > start)
        yield Row(
            service=record["service"],
            family=record["product_family"],
            region=record["region"],
            attributes=attributes_of(attributes),
            usage_type=usage_type,
            unit=record["unit"],
            price=decimal_text(record["usd_price"]),
            currency="USD",
            tier_start=decimal_text(start),
            tier_end=decimal_text(later[0]) if later else "",
            sku=record["sku"],
            description=record["description"],
            source=source.key,
            effective_date=source.effective_date,
        )


def _web_rows(
    path: Path,
    feeds: tuple[str, ...],
    rules: Mapping[str, Rules],
    regions: frozenset[str],
) -> dict[str, list[Row]]:
    order = {feed: index for index, feed in enumerate(feeds)}
    records = [record for record in _read_csv(path) if record["service"] in order]
    records.sort(key=lambda record: order[record["service"]])  # stable: file order within
    out: dict[str, list[Row]] = {}
    seen: set[tuple[object, ...]] = set()
    rds_storage_labels: set[tuple[str, str]] = set()
    for record in records:
        feed = record["service"]
        rule_set = _rule_set_name(feed)
        region = record["region_code"]
        is_global = region == "" and record["location"] in ("Any", "")
        if not (region in regions or (is_global and rule_set in _GLOBAL_FEEDS)):
            continue
        label = record["price_name"]
        if feed == "rds-storage":
            rds_storage_labels.add((region, label))
        elif feed.startswith("rds-") and (region, label) in rds_storage_labels:
            continue  # the storage feed's price wins over the engine feeds' repeats
        product = rules[rule_set].translate(label)
        if product is None:
            continue
        source = SOURCES[f"awsweb-{rule_set}"]
        date = (record["source_publication_date"] or "")[:10] or source.effective_date
        row = _row(
            product,
            region=region,
            price=record["usd_price"],
            source=source.key,
            date=date,
            sku=record["sku"],
            description=label,
        )
        # One rate under several labels (or two SKUs with the same price) is one row; two
        # different prices for the same thing are both kept, and the lookup flags them.
        identity = (*row.sort_key()[:7], row.price)
        if identity in seen:
            continue
        seen.add(identity)
        out.setdefault(source.key, []).append(row)
    return out


def _curated(spec: Mapping[str, Any], regions: frozenset[str]) -> tuple[list[Source], list[Row]]:
    sources: list[Source] = []
    rows: list[Row] = []
    for entry in spec["rows"]:
        source = Source(
            key=f"curated:{entry['id']}",
            title=entry["source_title"],
            url=entry["source_url"],
            licence=entry["licence"],
            effective_date=entry["effective_date"],
            notes="Hand-curated in engine/data/curated_prices.json; " + entry["description"],
        )
        sources.append(source)
        product = Product(
            entry["service_code"],
            entry["product_family"],
            entry["attributes"],
            entry["unit"],
            entry["usage_type"],
        )
        for region in entry["regions"]:
            if region not in regions:
                continue
            rows.append(
                _row(
                    product,
                    region=region,
                    price=entry["price_per_unit"],
                    source=source.key,
                    date=entry["effective_date"],
                    description=entry["description"],
                    currency=entry["currency"],
                )
            )
    return sources, rows


def _locations(path: Path) -> list[tuple[str, str, str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return sorted(
        (str(item["code"]), str(item["name"]), str(item["type"]))
        for item in data.values()
        if isinstance(item, dict) and item.get("code")
    )
