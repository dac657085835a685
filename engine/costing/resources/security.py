"""KMS keys and Secrets Manager secrets."""

from __future__ import annotations

from decimal import Decimal

from engine.costing.context import ONE, Context, Price
from engine.costing.registry import priced

TEN_THOUSAND = Decimal(10_000)


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


@priced("aws_kms_key")
def aws_kms_key(ctx: Context) -> None:
    spec = ctx.string("customer_master_key_spec") or ctx.string("key_spec") or "SYMMETRIC_DEFAULT"
    ctx.add(
        ctx.component(
            "Customer master key", "months", Price("awskms", "Encryption Key", {}), monthly=ONE
        )
    )
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


@priced("aws_secretsmanager_secret")
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
