"""Running the differential corpus through our evaluator and comparing with Terraform's answers.

Each case of ``cases/*.json`` is evaluated the way Terraform evaluated it when it was recorded
(``record.py``): an expression case as ``output "result" { value = <expr> }``, a config case
from its files with its ``-var`` values, var files, ``TF_VAR_*`` environment and workspace.
As Terraform does, every variable, local and output of the root module is evaluated, so an
error anywhere fails the case. :func:`run_case` says whether we agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine.terraform import values as v
from engine.terraform.config import ConfigError
from engine.terraform.evaluator import BudgetExceeded, EvalError, Unsupported
from engine.terraform.functions.filesystem import MappingFiles
from engine.terraform.inputs import auto_var_files, read_var_file
from engine.terraform.modules import ModuleLocation, default_resolver
from engine.terraform.planner import PlanInputs, Planner, RootInput

CASES = Path(__file__).resolve().parent / "cases"


def load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in sorted(CASES.glob("*.json")):
        cases.extend(json.loads(path.read_text("utf-8"), parse_float=Decimal))
    return cases


@dataclass
class Outcome:
    case: dict[str, Any]
    agrees: bool
    value_agrees: bool
    got: Any

    @property
    def id(self) -> str:
        return str(self.case["id"])


def _json(value: v.Value) -> Any:
    unknown = value.unknown
    if unknown is not None:
        raise _Unknown(unknown.reason)
    payload = value.v
    if payload is None or isinstance(payload, str | bool):
        return payload
    if isinstance(payload, v.Number):
        if payload.is_infinite():
            return "+Inf" if payload.as_float() > 0 else "-Inf"
        return Decimal(v.format_number(payload))
    if isinstance(payload, tuple):
        return [_json(item) for item in payload]
    return {key: _json(item) for key, item in value.items()}


class _Unknown(Exception):
    pass


def _files(case: dict[str, Any]) -> dict[str, bytes]:
    if "expr" in case:
        return {"main.tf": f'output "result" {{\n  value = {case["expr"]}\n}}\n'.encode()}
    return {name: text.encode() for name, text in case["files"].items()}


def _inputs(case: dict[str, Any], files: dict[str, bytes]) -> dict[str, RootInput]:
    values: dict[str, RootInput] = {}
    for name, text in (case.get("env") or {}).items():
        values[name.removeprefix("TF_VAR_")] = RootInput(text=text, origin="env")
    for path in auto_var_files(list(files), ""):
        for name, value in read_var_file(path, files[path])[0].items():
            values[name] = RootInput(value=value, origin=path)
    for name, text in (case.get("vars") or {}).items():
        values[name] = RootInput(text=text, origin="-var")
    for path in case.get("var_files") or []:
        for name, value in read_var_file(path, files[path])[0].items():
            values[name] = RootInput(value=value, origin=path)
    return values


def evaluate_case(case: dict[str, Any]) -> v.Value:
    """The value of ``output "result"``; raises EvalError/ConfigError where Terraform fails."""
    files = _files(case)
    planner = Planner(
        ModuleLocation(MappingFiles(files), ""),
        default_resolver(),
        PlanInputs(
            region="us-east-1",
            workspace=case.get("workspace") or "default",
            variables=_inputs(case, files),
        ),
        strict=True,
    )
    root = planner.root_module()
    planner.check_root_inputs(root.config)
    for name in root.config.variables:
        root.variable(name)
    for name in root.config.locals:
        root.local(name)
    outputs = {name: root.output(name) for name in root.config.outputs}
    return outputs["result"]


def run_case(case: dict[str, Any]) -> Outcome:
    expected = case["expected"]
    try:
        value = evaluate_case(case)
    except (EvalError, ConfigError, BudgetExceeded, RecursionError, KeyError) as exc:
        agrees = "error" in expected
        return Outcome(case, agrees, agrees, f"error: {exc}")
    except Unsupported as exc:
        return Outcome(case, False, False, f"unsupported: {exc}")
    except Exception as exc:  # a crash is a disagreement, reported with its type
        return Outcome(case, False, False, f"crash: {type(exc).__name__}: {exc}")
    try:
        got = _json(value)
    except _Unknown as exc:
        return Outcome(case, False, False, f"unknown: {exc}")
    if "error" in expected:
        # Terraform evaluates 1/0 to +Inf and fails only when saving it in the state.
        infinite = got in ("+Inf", "-Inf")
        agrees = infinite and expected["error"] == "Failed to save state"
        return Outcome(case, agrees, agrees, got)
    value_agrees = got == expected["value"]
    type_agrees = expected.get("type") is None or v.type_json(value.type) == expected["type"]
    return Outcome(case, value_agrees and type_agrees, value_agrees, got)


def run_all() -> Iterator[Outcome]:
    for case in load_cases():
        yield run_case(case)


if __name__ == "__main__":  # python -m tests.engine.terraform.differential.harness
    import collections
    import sys

    outcomes = list(run_all())
    per: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for outcome in outcomes:
        per[outcome.case["category"]][0] += outcome.agrees
        per[outcome.case["category"]][1] += 1
    for category, (good, total) in sorted(per.items()):
        print(f"{category:14} {good:4}/{total:<4} {100 * good / total:5.1f} %")
    good = sum(o.agrees for o in outcomes)
    print(f"{'all':14} {good:4}/{len(outcomes):<4} {100 * good / len(outcomes):5.1f} %")
    if "-v" in sys.argv:
        for outcome in outcomes:
            if not outcome.agrees:
                print(outcome.id, repr(outcome.case.get("expr") or outcome.case.get("note"))[:100])
                print("   expected", str(outcome.case["expected"])[:150])
                print("   got     ", str(outcome.got)[:150])
