"""Root module variable values, in Terraform's order of precedence.

Later sources win, variable by variable (as Terraform merges them):

1. the variable's ``default``;
2. ``terraform.tfvars``, then ``terraform.tfvars.json`` in the root module's folder;
3. ``*.auto.tfvars`` / ``*.auto.tfvars.json`` in the root module's folder, in lexical order;
4. the job's ``var_files``, in the order given (like ``-var-file``);
5. the job's ``variables`` (like ``-var``): a JSON value is used as it is; a string is read as
   Terraform reads ``-var`` text — literally for a primitive (or missing) type constraint,
   as an HCL expression for complex types.

A ``.tfvars`` file may hold only constant values (Terraform evaluates it without variables or
functions); a value that is not constant is reported and skipped.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from engine.terraform import values as v
from engine.terraform.evaluator import EvalError, Scope, evaluate
from engine.terraform.planner import RootInput
from engine.terraform.syntax.parser import HclSyntaxError, parse_config


class VarFileError(Exception):
    """A var file that cannot be read (syntax error); the job fails with the message."""


@dataclass
class RootInputs:
    values: dict[str, RootInput] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # the var files applied, in order
    warnings: list[str] = field(default_factory=list)


def auto_var_files(paths: Sequence[str], root: str) -> list[str]:
    """The var files Terraform loads by itself from the root module's folder, in order."""
    in_root = [p for p in paths if posixpath.dirname(p) == root]
    names = {posixpath.basename(p): p for p in in_root}
    ordered: list[str] = []
    for name in ("terraform.tfvars", "terraform.tfvars.json"):
        if name in names:
            ordered.append(names[name])
    auto = sorted(
        (
            p
            for p in in_root
            if posixpath.basename(p).endswith((".auto.tfvars", ".auto.tfvars.json"))
        ),
        key=posixpath.basename,
    )
    return ordered + auto


def read_var_file(path: str, data: bytes) -> tuple[dict[str, v.Value], list[str]]:
    """The values of one var file, and warnings for values that are not constants."""
    warnings: list[str] = []
    if path.endswith(".json"):
        try:
            document = json.loads(data, parse_float=Fraction)
        except ValueError as exc:
            raise VarFileError(f"{path}: invalid JSON: {str(exc)[:200]}") from exc
        if not isinstance(document, dict):
            raise VarFileError(f"{path}: the top level must be a JSON object")
        return {str(k): v.from_python(item) for k, item in document.items()}, warnings
    try:
        body = parse_config(path, data)
    except HclSyntaxError as exc:
        raise VarFileError(str(exc)) from exc
    values: dict[str, v.Value] = {}
    for name, attribute in body.attributes.items():
        try:
            values[name] = evaluate(attribute.expr, Scope())
        except EvalError as exc:
            warnings.append(f"{path}: {name}: not a constant value ({exc.summary}); ignored")
    if body.blocks:
        warnings.append(f"{path}: blocks are not allowed in a variable file; ignored")
    return values, warnings


def root_inputs(
    files: Mapping[str, bytes],
    root: str,
    *,
    var_files: Sequence[str] = (),
    variables: Mapping[str, Any] | None = None,
) -> RootInputs:
    result = RootInputs()
    for path in [*auto_var_files(list(files), root), *var_files]:
        data = files.get(path)
        if data is None:
            raise VarFileError(f"var file {path!r} is not in the upload")
        values, warnings = read_var_file(path, data)
        result.files.append(path)
        result.warnings.extend(warnings)
        for name, value in values.items():
            result.values[name] = RootInput(value=value, origin=path)
    for name, raw in (variables or {}).items():
        if isinstance(raw, str):
            result.values[name] = RootInput(text=raw, origin="options.variables")
        else:
            result.values[name] = RootInput(value=v.from_python(raw), origin="options.variables")
    return result
