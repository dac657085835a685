"""Benchmark 5, the engine: how long one estimate takes for
- a 100-resource HCL configuration (generated: mixed AWS types, count, variables,
  locals and functions), and
- a ``terraform show -json`` plan of 2,000 resources, generated from the resource shapes
  of the real plans in ``../shared/corpus/terraform/`` (terracost, checkov) — entries of
  ``planned_values`` (child modules flattened), their ``resource_changes`` and their
  configuration expressions replicated under new addresses — or from built-in shapes
  when the corpus is not beside the repository.

Timed in-process: `engine.inventory.build_inventory` and, when the engine has it,
`engine.result.build_result` (inventory plus the priced estimate). First call ("cold":
caches and the price catalog not warm yet) and the median of the following calls.
There is no bare baseline here: absolute times, target <= 1 s each.

    python -m bench engine [--quick] [--repeat 7]
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

from bench.common import BenchReport, Check, bench_main, median

TIME_TARGET_S = 1.0
ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "terraform"
PLAN_TEMPLATES = (
    "checkov/tests/terraform/runner/resources/plan/tfplan.json",
    "checkov/tests/terraform/runner/resources/plan_nested_child_modules_with_connections/tfplan.json",
    "terracost/examples/terraform-plan.json",
    "terracost/testdata/aws/terraform-plan.json",
    "terracost/testdata/aws/asg-plan.json",
    "terracost/testdata/aws/eks-plan.json",
)


@dataclass
class EngineConfig:
    hcl_resources: int = 100
    plan_resources: int = 2000
    repeat: int = 7

    @classmethod
    def quick(cls) -> EngineConfig:
        return cls(repeat=3)


# ------------------------------------------------------------------------ HCL generation

_HCL_HEADER = """\
variable "environment" {
  default = "prod"
}
variable "instance_types" {
  default = ["t3.micro", "t3.large", "m5.xlarge", "c6i.2xlarge"]
}
variable "replicas" {
  default = 2
}
locals {
  name_prefix = "tfq-${var.environment}"
  volume_type = "gp3"
  common_tags = {
    Environment = var.environment
    Owner       = "platform"
  }
}
provider "aws" {
  region = "us-east-1"
}
"""

_HCL_TEMPLATES = (
    'resource "aws_instance" "app_{i}" {{\n'
    "  count         = var.replicas\n"
    '  ami           = "ami-0abcdef{i:04d}"\n'
    "  instance_type = var.instance_types[{i} % length(var.instance_types)]\n"
    '  tags          = merge(local.common_tags, {{ Name = "${{local.name_prefix}}-app-{i}" }})\n'
    "  root_block_device {{\n    volume_size = 20 + {i}\n    volume_type = local.volume_type\n"
    "  }}\n}}\n",
    'resource "aws_ebs_volume" "data_{i}" {{\n  availability_zone = "us-east-1a"\n'
    "  size              = {i} * 10 + 50\n  type              = local.volume_type\n"
    "  tags              = local.common_tags\n}}\n",
    'resource "aws_db_instance" "db_{i}" {{\n  engine            = "postgres"\n'
    '  instance_class    = "db.t3.medium"\n  allocated_storage = 100\n'
    '  multi_az          = var.environment == "prod"\n'
    '  identifier        = format("%s-db-%03d", local.name_prefix, {i})\n}}\n',
    'resource "aws_lb" "lb_{i}" {{\n  name               = "${{local.name_prefix}}-lb-{i}"\n'
    '  load_balancer_type = "application"\n  internal           = false\n}}\n',
    'resource "aws_nat_gateway" "nat_{i}" {{\n  subnet_id = "subnet-{i:08x}"\n'
    "  tags      = local.common_tags\n}}\n",
    'resource "aws_s3_bucket" "bucket_{i}" {{\n  bucket = lower("${{local.name_prefix}}-B{i}")\n'
    "  tags   = local.common_tags\n}}\n",
    'resource "aws_lambda_function" "fn_{i}" {{\n  function_name = "fn-{i}"\n'
    '  role          = "arn:aws:iam::123456789012:role/lambda"\n  memory_size   = 512\n'
    '  runtime       = "python3.11"\n  handler       = "app.handler"\n}}\n',
    'resource "aws_sqs_queue" "queue_{i}" {{\n  name = "${{local.name_prefix}}-q-{i}"\n}}\n',
    'resource "aws_dynamodb_table" "table_{i}" {{\n  name         = "t{i}"\n'
    '  billing_mode = "PAY_PER_REQUEST"\n  hash_key     = "id"\n'
    '  attribute {{\n    name = "id"\n    type = "S"\n  }}\n}}\n',
    'resource "aws_elasticache_cluster" "cache_{i}" {{\n  cluster_id      = "c{i}"\n'
    '  engine          = "redis"\n  node_type       = "cache.t3.small"\n'
    "  num_cache_nodes = 1\n}}\n",
)


def make_hcl(resources: int) -> dict[str, bytes]:
    blocks = [_HCL_TEMPLATES[i % len(_HCL_TEMPLATES)].format(i=i) for i in range(resources)]
    return {"variables.tf": _HCL_HEADER.encode(), "main.tf": "\n".join(blocks).encode()}


# ----------------------------------------------------------------------- plan generation

_AWS = "registry.terraform.io/hashicorp/aws"
_BUILTIN_SHAPES: tuple[dict[str, Any], ...] = (
    {"type": "aws_instance", "name": "web", "provider_name": _AWS,
     "values": {"ami": "ami-0c55b159cbfafe1f0", "instance_type": "t3.micro", "tenancy": "default",
                "root_block_device": [{"volume_size": 8, "volume_type": "gp2"}]}},
    {"type": "aws_ebs_volume", "name": "data", "provider_name": _AWS,
     "values": {"availability_zone": "us-east-1a", "size": 100, "type": "gp3"}},
    {"type": "aws_db_instance", "name": "db", "provider_name": _AWS,
     "values": {"engine": "mysql", "instance_class": "db.t3.micro", "allocated_storage": 20}},
    {"type": "aws_s3_bucket", "name": "bucket", "provider_name": _AWS,
     "values": {"bucket": "example"}},
    {"type": "aws_lb", "name": "lb", "provider_name": _AWS,
     "values": {"load_balancer_type": "application", "internal": False}},
)  # fmt: skip


def _walk(module: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    for resource in module.get("resources") or []:
        if isinstance(resource, dict) and resource.get("mode", "managed") == "managed":
            yield prefix, resource
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            yield from _walk(child, prefix)


def _config_resources(module: Mapping[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for resource in module.get("resources") or []:
        if isinstance(resource, dict) and isinstance(resource.get("address"), str):
            found[prefix + resource["address"]] = resource
    for name, call in (module.get("module_calls") or {}).items():
        if isinstance(call, dict) and isinstance(call.get("module"), dict):
            found.update(_config_resources(call["module"], f"{prefix}module.{name}."))
    return found


def _config_address(address: str) -> str:
    """``module.a["x"].aws_instance.b[0]`` -> ``module.a.aws_instance.b``."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(address):
        if ch == "[":
            if depth == 0:
                out.append(address[start:i])
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                start = i + 1
    if depth == 0:
        out.append(address[start:])
    return "".join(out)


def plan_shapes(corpus: Path = CORPUS) -> tuple[list[dict[str, Any]], str]:
    """(template resources with their change and configuration, where they came from)."""
    shapes: list[dict[str, Any]] = []
    used: list[str] = []
    for relative in PLAN_TEMPLATES:
        path = corpus / relative
        try:
            document = json.loads(path.read_bytes())
        except (OSError, ValueError):
            continue
        changes = {
            c["address"]: c.get("change", {})
            for c in document.get("resource_changes") or []
            if isinstance(c, dict) and isinstance(c.get("address"), str)
        }
        config = _config_resources((document.get("configuration") or {}).get("root_module") or {})
        root = (document.get("planned_values") or {}).get("root_module") or {}
        before = len(shapes)
        for _prefix, resource in _walk(root):
            address = resource.get("address", "")
            change = changes.get(address, {})
            if change.get("actions") == ["delete"]:
                continue
            shapes.append({
                "type": resource.get("type"),
                "name": resource.get("name"),
                "provider_name": resource.get("provider_name", _AWS),
                "values": resource.get("values") or {},
                "change": change,
                "config": config.get(_config_address(address)),
            })  # fmt: skip
        if len(shapes) > before:
            used.append(relative)
    if not shapes:
        return [dict(shape) for shape in _BUILTIN_SHAPES], "built-in shapes (corpus not found)"
    return shapes, "corpus: " + ", ".join(used)


def make_plan(resources: int, corpus: Path = CORPUS) -> tuple[bytes, str]:
    shapes, origin = plan_shapes(corpus)
    planned: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    config_resources: list[dict[str, Any]] = []
    for i in range(resources):
        shape = shapes[i % len(shapes)]
        name = f"{shape['name']}_{i}"
        address = f"{shape['type']}.{name}"
        values = copy.deepcopy(shape["values"])
        planned.append({
            "address": address, "mode": "managed", "type": shape["type"], "name": name,
            "provider_name": shape["provider_name"], "schema_version": 0, "values": values,
        })  # fmt: skip
        change = copy.deepcopy(shape.get("change") or {})
        change["actions"] = ["create"]
        change.setdefault("before", None)
        change.setdefault("after", values)
        change.setdefault("after_unknown", {})
        changes.append({
            "address": address, "mode": "managed", "type": shape["type"], "name": name,
            "provider_name": shape["provider_name"], "change": change,
        })  # fmt: skip
        config = shape.get("config")
        if config:
            entry = copy.deepcopy(config)
            entry.update({"address": address, "name": name, "provider_config_key": "aws"})
            config_resources.append(entry)
    document = {
        "format_version": "1.2",
        "terraform_version": "1.5.7",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                "aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}}
            },
            "root_module": {"resources": config_resources},
        },
    }
    return json.dumps(document).encode(), origin


# ---------------------------------------------------------------------------------- run


def _time_calls(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float], Any]:
    started = time.perf_counter()
    result = fn()
    cold = time.perf_counter() - started
    warm = []
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - started)
    return cold, warm, result


def _priced() -> Callable[..., Any] | None:
    """`engine.result.build_result` when the engine has it (pricing is being added)."""
    try:
        module = importlib.import_module("engine.result")
    except ImportError:
        return None
    fn = getattr(module, "build_result", None)
    return fn if callable(fn) else None


def _call(fn: Callable[..., Any], files: Mapping[str, bytes]) -> Any:
    return fn(files, "us-east-1")


def run(config: EngineConfig) -> BenchReport:
    from engine.inventory import build_inventory

    started = time.monotonic()
    report = BenchReport("engine", config=asdict(config))
    hcl = make_hcl(config.hcl_resources)
    plan_bytes, origin = make_plan(config.plan_resources)
    inputs = {
        f"HCL, {config.hcl_resources} resource blocks": hcl,
        f"plan JSON, {config.plan_resources} resources": {"plan.json": plan_bytes},
    }
    report.metrics["plan"] = {"bytes": len(plan_bytes), "shapes_from": origin}
    priced = _priced()
    paths: list[tuple[str, Callable[[Mapping[str, bytes]], Any]]] = [
        ("build_inventory", partial(_call, build_inventory)),
    ]
    if priced is not None:
        paths.append(("build_result (priced)", partial(_call, priced)))
    else:
        report.notes.append("engine.result.build_result not available: priced path not timed")
    for label, files in inputs.items():
        for path_name, fn in paths:
            key = f"{label}: {path_name}"
            try:
                cold, warm, result = _time_calls(partial(fn, files), config.repeat)
            except Exception as exc:  # the engine is another team's moving target
                report.notes.append(f"{key} failed: {type(exc).__name__}: {exc}")
                report.checks.append(Check(f"{key} (failed)", float("nan"), "<=", TIME_TARGET_S))
                continue
            count = (result.get("summary") or {}).get("resource_count")
            figures: dict[str, Any] = {
                "cold_s": round(cold, 3),
                "median_s": round(median(warm), 3),
                "runs_s": [round(x, 3) for x in warm],
                "resource_count": count,
            }
            estimate = result.get("estimate") if isinstance(result, dict) else None
            if isinstance(estimate, dict):
                figures["estimate_keys"] = sorted(estimate)[:8]
            report.metrics[key] = figures
            report.checks.append(
                Check(f"{key} median", median(warm), "<=", TIME_TARGET_S, "s",
                      note=f"cold {cold:.3f} s, {count} resources")
            )  # fmt: skip
    report.duration_s = round(time.monotonic() - started, 1)
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, help="timed calls after the first")


def config_from_args(args: argparse.Namespace) -> EngineConfig:
    config = EngineConfig.quick() if args.quick else EngineConfig()
    if getattr(args, "repeat", None):
        config.repeat = args.repeat
    return config


def main(argv: Sequence[str] | None = None) -> int:
    return bench_main(
        argv, "python -m bench.estimate", __doc__, add_arguments, config_from_args, run, keep=False
    )


if __name__ == "__main__":
    raise SystemExit(main())
