"""Keys, secrets and certificates: KMS keys (customer-managed and external), Secrets Manager
secrets, ACM certificates and private certificate authorities, CloudHSM HSMs."""

from __future__ import annotations

from engine.costing.components import HOURS_PER_MONTH
from engine.costing.context import ONE, TEN_THOUSAND, Context, Price
from engine.costing.registry import UsageKey, free, priced
from engine.model import Unresolved

free(
    "aws_acmpca_certificate_authority_certificate",
    "aws_acmpca_permission",
    "aws_acmpca_policy",
    "aws_cloudhsm_v2_cluster",
    "aws_secretsmanager_secret_version",
    "aws_secretsmanager_secret_rotation",
    "aws_secretsmanager_secret_policy",
    "aws_kms_key_policy",
    "aws_kms_replica_key",
    reason="configuration of a priced resource; costs nothing by itself",
)


def _requests(ctx: Context, name: str, group: str, usage_key: str) -> None:
    ctx.add(
        ctx.component(
            name,
            "10k requests",
            Price("awskms", "API Request", {"group": group}),
            monthly=ctx.usage_number(usage_key),
            per=TEN_THOUSAND,
            usage_based=True,
        )
    )


def _key(ctx: Context) -> None:
    ctx.add(
        ctx.component(
            "Customer master key", "months", Price("awskms", "Encryption Key", {}), monthly=ONE
        )
    )


@priced(
    "aws_kms_key",
    reads=("customer_master_key_spec", "key_spec"),
    usage=(
        UsageKey("monthly_requests", "int", "Monthly API requests to the key.", unit="requests"),
        UsageKey(
            "monthly_ecc_generate_data_key_pair_requests",
            "int",
            "Monthly ECC GenerateDataKeyPair requests.",
            unit="requests",
        ),
        UsageKey(
            "monthly_rsa_generate_data_key_pair_requests",
            "int",
            "Monthly RSA GenerateDataKeyPair requests.",
            unit="requests",
        ),
    ),
    notes=("Infracost documents no usage keys for KMS keys; these three are the engine's own.",),
)
def aws_kms_key(ctx: Context) -> None:
    spec = ctx.string("customer_master_key_spec") or ctx.string("key_spec") or "SYMMETRIC_DEFAULT"
    _key(ctx)
    if spec == "SYMMETRIC_DEFAULT" or str(spec).startswith("HMAC"):
        _requests(ctx, "Requests", "KMS-Requests", "monthly_requests")
        _requests(
            ctx,
            "ECC GenerateDataKeyPair requests",
            "KMS-Requests-GenerateDatakeyPair-ECC",
            "monthly_ecc_generate_data_key_pair_requests",
        )
        _requests(
            ctx,
            "RSA GenerateDataKeyPair requests",
            "KMS-Requests-GenerateDatakeyPair-RSA",
            "monthly_rsa_generate_data_key_pair_requests",
        )
    elif spec == "RSA_2048":
        _requests(
            ctx, "Requests (RSA 2048)", "KMS-Requests-Asymmetric-RSA_2048", "monthly_requests"
        )
    else:
        _requests(ctx, "Requests (asymmetric)", "KMS-Requests-Asymmetric", "monthly_requests")


@priced(
    "aws_kms_external_key",
    usage=(),
    notes=("Imported key material costs the same monthly fee as a customer-managed key.",),
)
def aws_kms_external_key(ctx: Context) -> None:
    _key(ctx)


@priced(
    "aws_secretsmanager_secret",
    usage=(
        UsageKey(
            "monthly_requests", "int", "Monthly API requests to Secrets Manager.", unit="requests"
        ),
    ),
)
def aws_secretsmanager_secret(ctx: Context) -> None:
    ctx.add(
        ctx.component("Secret", "months", Price("AWSSecretsManager", "Secret", {}), monthly=ONE),
        ctx.component(
            "API requests",
            "10k requests",
            Price("AWSSecretsManager", "API Request", {}),
            monthly=ctx.usage_number("monthly_requests"),
            per=TEN_THOUSAND,
            usage_based=True,
        ),
    )


def _usage_mode(ctx: Context, attribute: str = "usage_mode") -> str | Unresolved:
    mode = ctx.string(attribute, "GENERAL_PURPOSE")
    if isinstance(mode, Unresolved):
        return mode
    return "Short-lived" if str(mode).upper() == "SHORT_LIVED_CERTIFICATE" else "General Purpose"


@priced(
    "aws_acm_certificate",
    reads=("certificate_authority_arn",),
    usage=(),
    notes=(
        "Public and imported certificates are free; a private certificate (issued by an "
        "ACM Private CA) is charged once, at the first tier's price, in the month it is issued.",
    ),
)
def aws_acm_certificate(ctx: Context) -> None:
    if ctx.raw("certificate_authority_arn") is None:
        ctx.free("public and imported ACM certificates are free")
        return
    authority = ctx.referenced("certificate_authority_arn", "aws_acmpca_certificate_authority")
    mode: str | Unresolved = "General Purpose"
    if authority is not None:
        found = authority.attributes.get("usage_mode")
        if isinstance(found, str) and found.upper() == "SHORT_LIVED_CERTIFICATE":
            mode = "Short-lived"
    price: Price | str = (
        f"usage mode of the certificate authority is unknown: {mode.reason}"
        if isinstance(mode, Unresolved)
        else Price("AWSCertificateManager", "Certificate Issued", {"usageMode": mode})
    )
    ctx.add(ctx.component("Certificate", "requests", price, monthly=ONE))


@priced(
    "aws_acmpca_certificate_authority",
    reads=("usage_mode",),
    usage=(
        UsageKey(
            "monthly_requests", "int", "Monthly private certificate requests.", unit="certificates"
        ),
    ),
    notes=("Certificates are priced in AWS's monthly tiers (first 1,000, next 9,000, over).",),
)
def aws_acmpca_certificate_authority(ctx: Context) -> None:
    mode = _usage_mode(ctx)
    authority: Price | str
    certificates: Price | str
    if isinstance(mode, Unresolved):
        authority = certificates = f"usage_mode is unknown: {mode.reason}"
    else:
        authority = Price("AWSCertificateManager", "Certificate Authority", {"usageMode": mode})
        certificates = Price("AWSCertificateManager", "Certificate Issued", {"usageMode": mode})
    ctx.add(ctx.component("Private certificate authority", "months", authority, monthly=ONE))
    names = (
        ("Certificates",)
        if mode == "Short-lived"
        else ("Certificates (first 1K)", "Certificates (next 9K)", "Certificates (over 10K)")
    )
    ctx.add(
        *ctx.tiered(
            names,
            "requests",
            certificates,
            monthly=ctx.usage_number("monthly_requests"),
            usage_based=True,
            always_first=False,
        )
    )


@priced(
    "aws_cloudhsm_v2_hsm",
    usage=(
        UsageKey("monthly_hrs", "float", "Monthly number of hours the HSM ran for.", unit="hours"),
    ),
    notes=("An HSM runs all month (730 hours) unless monthly_hrs says otherwise.",),
)
def aws_cloudhsm_v2_hsm(ctx: Context) -> None:
    hours = ctx.usage_number("monthly_hrs")
    ctx.add(
        ctx.component(
            "HSM usage",
            "hours",
            Price("CloudHSM", "Hardware Security Module", {"hsmGeneration": "Current"}),
            monthly=HOURS_PER_MONTH if hours is None else hours,
            usage_based=hours is not None,
        )
    )
