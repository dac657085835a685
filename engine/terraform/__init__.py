"""What Terraform would plan for an uploaded configuration, evaluated statically.

The package owns everything between the uploaded files and the list of resource instances
that pricing works on:

* :mod:`.syntax` — HCL native and JSON syntax into one syntax tree;
* :mod:`.values`, :mod:`.convert`, :mod:`.typeexpr` — Terraform's values, type conversions
  and type constraints (``optional()`` defaults);
* :mod:`.evaluator` and :mod:`.functions` — expressions and the built-in function library;
* :mod:`.config`, :mod:`.modules`, :mod:`.projects`, :mod:`.inputs` — module loading, module
  sources, root module detection, variable values;
* :mod:`.planner` and :mod:`.datasources` — module and resource expansion, providers, the
  data sources a static estimate can answer.

:func:`plan_upload` is the entry point: one :class:`Project` per root module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.terraform.config import ConfigError
from engine.terraform.evaluator import Budget
from engine.terraform.functions.filesystem import MappingFiles, MountedFiles
from engine.terraform.inputs import RootInputs, VarFileError, root_inputs
from engine.terraform.modules import ModuleLocation, ModuleResolver, default_resolver
from engine.terraform.planner import PlanInputs, Planner, PlanResult
from engine.terraform.projects import configuration_dirs, detect_roots

__all__ = [
    "ConfigError",
    "InvalidOption",
    "PlanResult",
    "Project",
    "VarFileError",
    "plan_upload",
]


class InvalidOption(Exception):
    """A job option that names nothing usable in the upload (``root_module``, ``var_files``)."""


@dataclass
class Project:
    path: str  # the root module's folder, "." for the upload's top
    result: PlanResult
    inputs: RootInputs


def _normalise(path: str, option: str) -> str:
    if path.startswith("/") or "\\" in path:
        raise InvalidOption(f"{option} {path!r} must be a relative path inside the upload")
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise InvalidOption(f"{option} {path!r} must not contain '..'")
    return "/".join(parts)


def plan_upload(
    files: Mapping[str, bytes],
    *,
    region: str,
    root_module: str | None = None,
    var_files: Sequence[str] = (),
    variables: Mapping[str, Any] | None = None,
    workspace: str = "default",
    remote: ModuleResolver | None = None,
    budget_seconds: float = 10.0,
) -> list[Project]:
    """Plan every root module of the upload (or only ``root_module``).

    ``remote`` resolves registry and git sources (the engine passes its fetcher's
    resolver); each root module gets its own view of the files, into which fetched
    packages are mounted (``<root>/.terraform/modules/<key>/``)."""
    upload = MappingFiles(files)
    if root_module is not None:
        root = _normalise(root_module, "root_module")
        if root not in configuration_dirs(files):
            raise InvalidOption(
                f"root_module {root_module!r} has no .tf or .tf.json files in the upload"
            )
        roots = [root]
    else:
        roots = detect_roots(upload)
    var_paths = [_normalise(path, "var_files entry") for path in var_files]
    for path, given in zip(var_paths, var_files, strict=True):
        if path not in files:
            raise InvalidOption(f"var file {given!r} is not in the upload")
        if not path.endswith((".tfvars", ".tfvars.json")):
            raise InvalidOption(f"var file {given!r} is not a .tfvars or .tfvars.json file")
    resolver = default_resolver(remote)
    source_bytes = sum(
        len(data) for path, data in files.items() if path.endswith((".tf", ".tf.json"))
    )
    projects: list[Project] = []
    for root in roots:
        inputs = root_inputs(files, root, var_files=var_paths, variables=variables)
        location = ModuleLocation(MountedFiles(files), root)
        planner = Planner(
            location,
            resolver,
            PlanInputs(region=region, workspace=workspace, variables=inputs.values),
            budget=Budget.for_source(source_bytes, seconds=budget_seconds),
        )
        result = planner.plan()
        result.warnings[:0] = inputs.warnings
        projects.append(Project(root or ".", result, inputs))
    return projects
