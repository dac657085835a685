"""Which resource types are priced, which are free, and everything else is unsupported.

A cost function takes a :class:`engine.costing.context.Context` and adds components to it (one
function per resource type, in ``engine/costing/resources/*.py``, registered with
:func:`priced` together with its usage schema, the attributes it reads and its notes: a
:class:`~engine.costing.schema.ResourceType`). A type that is neither priced nor known to be
free is *unsupported*: it is listed and counted in the estimate's summary, never dropped
silently.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Sequence
from typing import Any

from engine.costing.schema import CostFunction, ResourceType, UsageKey

__all__ = ["REGISTRY", "CostFunction", "ResourceType", "UsageKey", "describe", "load", "priced"]

REGISTRY: dict[str, ResourceType] = {}


def priced(
    *resource_types: str,
    usage: Sequence[UsageKey] | None = None,
    reads: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> Callable[[CostFunction], CostFunction]:
    """Register the decorated function as the cost function of ``resource_types``, with the
    usage keys it honours, the attributes it reads and notes for users."""

    def register(function: CostFunction) -> CostFunction:
        for resource_type in resource_types:
            if resource_type in REGISTRY:
                raise ValueError(f"{resource_type} has two cost functions")
            REGISTRY[resource_type] = ResourceType(
                resource_type,
                function,
                None if usage is None else tuple(usage),
                tuple(reads),
                tuple(notes),
            )
        return function

    return register


# AWS resource types that cost nothing by themselves (their cost, if any, shows up on the
# resource they configure, e.g. a launch template through its autoscaling group).
FREE_TYPES: frozenset[str] = frozenset(
    {
        "aws_alb_listener",
        "aws_alb_listener_certificate",
        "aws_alb_listener_rule",
        "aws_alb_target_group",
        "aws_alb_target_group_attachment",
        "aws_api_gateway_account",
        "aws_api_gateway_deployment",
        "aws_api_gateway_integration",
        "aws_api_gateway_integration_response",
        "aws_api_gateway_method",
        "aws_api_gateway_method_response",
        "aws_api_gateway_method_settings",
        "aws_api_gateway_resource",
        "aws_apigatewayv2_integration",
        "aws_apigatewayv2_route",
        "aws_apigatewayv2_stage",
        "aws_appautoscaling_policy",
        "aws_appautoscaling_target",
        "aws_autoscaling_attachment",
        "aws_autoscaling_group_tag",
        "aws_autoscaling_lifecycle_hook",
        "aws_autoscaling_notification",
        "aws_autoscaling_policy",
        "aws_autoscaling_schedule",
        "aws_cloudwatch_event_rule",
        "aws_cloudwatch_event_target",
        "aws_cloudwatch_log_metric_filter",
        "aws_cloudwatch_log_resource_policy",
        "aws_cloudwatch_log_stream",
        "aws_cloudwatch_log_subscription_filter",
        "aws_customer_gateway",
        "aws_db_option_group",
        "aws_db_parameter_group",
        "aws_db_subnet_group",
        "aws_default_network_acl",
        "aws_default_route_table",
        "aws_default_security_group",
        "aws_default_subnet",
        "aws_default_vpc",
        "aws_default_vpc_dhcp_options",
        "aws_dynamodb_table_item",
        "aws_ebs_default_kms_key",
        "aws_ebs_encryption_by_default",
        "aws_ecs_capacity_provider",
        "aws_ecs_cluster",
        "aws_ecs_cluster_capacity_providers",
        "aws_ecs_task_definition",
        "aws_efs_access_point",
        "aws_efs_backup_policy",
        "aws_efs_file_system_policy",
        "aws_efs_mount_target",
        "aws_egress_only_internet_gateway",
        "aws_eip_association",
        "aws_eks_access_entry",
        "aws_eks_access_policy_association",
        "aws_eks_addon",
        "aws_eks_identity_provider_config",
        "aws_elasticache_parameter_group",
        "aws_elasticache_subnet_group",
        "aws_elasticache_user",
        "aws_elasticache_user_group",
        "aws_elb_attachment",
        "aws_internet_gateway",
        "aws_internet_gateway_attachment",
        "aws_key_pair",
        "aws_kms_alias",
        "aws_kms_grant",
        "aws_lambda_alias",
        "aws_lambda_event_source_mapping",
        "aws_lambda_function_event_invoke_config",
        "aws_lambda_layer_version",
        "aws_lambda_permission",
        "aws_launch_configuration",
        "aws_launch_template",
        "aws_lb_cookie_stickiness_policy",
        "aws_lb_listener",
        "aws_lb_listener_certificate",
        "aws_lb_listener_rule",
        "aws_lb_target_group",
        "aws_lb_target_group_attachment",
        "aws_load_balancer_policy",
        "aws_main_route_table_association",
        "aws_network_acl",
        "aws_network_acl_association",
        "aws_network_acl_rule",
        "aws_network_interface",
        "aws_network_interface_attachment",
        "aws_network_interface_sg_attachment",
        "aws_placement_group",
        "aws_proxy_protocol_policy",
        "aws_rds_cluster_parameter_group",
        "aws_redshift_subnet_group",
        "aws_docdb_subnet_group",
        "aws_neptune_subnet_group",
        "aws_memorydb_subnet_group",
        "aws_dms_replication_subnet_group",
        "aws_resourcegroups_group",
        "aws_route",
        "aws_route53_zone_association",
        "aws_route_table",
        "aws_route_table_association",
        "aws_s3_account_public_access_block",
        "aws_s3_bucket_accelerate_configuration",
        "aws_s3_bucket_acl",
        "aws_s3_bucket_cors_configuration",
        "aws_s3_bucket_intelligent_tiering_configuration",
        "aws_s3_bucket_lifecycle_configuration",
        "aws_s3_bucket_logging",
        "aws_s3_bucket_notification",
        "aws_s3_bucket_object",
        "aws_s3_bucket_object_lock_configuration",
        "aws_s3_bucket_ownership_controls",
        "aws_s3_bucket_policy",
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_replication_configuration",
        "aws_s3_bucket_request_payment_configuration",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_website_configuration",
        "aws_s3_object",
        "aws_security_group",
        "aws_security_group_rule",
        "aws_service_discovery_private_dns_namespace",
        "aws_sns_topic_policy",
        "aws_sqs_queue_policy",
        "aws_sqs_queue_redrive_allow_policy",
        "aws_sqs_queue_redrive_policy",
        "aws_subnet",
        "aws_volume_attachment",
        "aws_vpc",
        "aws_vpc_dhcp_options",
        "aws_vpc_dhcp_options_association",
        "aws_vpc_endpoint_route_table_association",
        "aws_vpc_endpoint_subnet_association",
        "aws_vpc_ipv4_cidr_block_association",
        "aws_vpc_peering_connection",
        "aws_vpc_peering_connection_accepter",
        "aws_vpc_security_group_egress_rule",
        "aws_vpc_security_group_ingress_rule",
        "aws_vpn_gateway",
        "aws_vpn_gateway_attachment",
        "aws_vpn_gateway_route_propagation",
    }
)
# Whole families of free AWS types (IAM, ...).
FREE_PREFIXES: tuple[str, ...] = ("aws_iam_",)
# Providers whose resources never cost anything on an AWS bill.
FREE_PROVIDERS: frozenset[str] = frozenset(
    {
        "null",
        "random",
        "time",
        "tls",
        "local",
        "template",
        "external",
        "archive",
        "terraform",
        "http",
        "cloudinit",
    }
)


#: Free types declared next to the pricing code of their service (:func:`free`), with why.
DECLARED_FREE: dict[str, str] = {}


def free(*resource_types: str, reason: str) -> None:
    """Declare types that cost nothing by themselves, in the module of their service
    (``free("aws_msk_configuration", reason="configuration only")``)."""
    for resource_type in resource_types:
        if resource_type in DECLARED_FREE or resource_type in REGISTRY:
            raise ValueError(f"{resource_type} is declared twice")
        DECLARED_FREE[resource_type] = reason


def is_free(resource_type: str, provider: str) -> bool:
    provider_name = provider.rsplit("/", 1)[-1].removeprefix("provider.")
    if provider_name in FREE_PROVIDERS:
        return True
    if resource_type.split("_", 1)[0] in FREE_PROVIDERS:
        return True
    return (
        resource_type in FREE_TYPES
        or resource_type in DECLARED_FREE
        or resource_type.startswith(FREE_PREFIXES)
    )


_LOADED = False


def describe() -> list[dict[str, Any]]:
    """Every priced and free type, sorted: what ``GET /v1/resource-types`` answers."""
    entries = [entry.to_json() for entry in load().values()]
    free_types = {name: "costs nothing by itself" for name in FREE_TYPES} | DECLARED_FREE
    entries.extend(
        ResourceType(name, None, free_reason=reason).to_json()
        for name, reason in sorted(free_types.items())
        if name not in REGISTRY
    )
    return sorted(entries, key=lambda entry: str(entry["type"]))


def load() -> dict[str, ResourceType]:
    """Import every ``engine.costing.resources`` module (registering the cost functions)."""
    global _LOADED
    if not _LOADED:
        from engine.costing import resources

        for module in sorted(pkgutil.iter_modules(resources.__path__), key=lambda m: m.name):
            importlib.import_module(f"{resources.__name__}.{module.name}")
        _LOADED = True
    return REGISTRY
