"""Record (or check) the expected values of the Terraform differential corpus.

Every case in ``cases/<category>.json`` is evaluated by the real ``terraform``
CLI and its result is stored under the case's ``"expected"`` key:

* ``{"value": <json>, "type": <terraform type json>}`` when the output evaluates;
* ``{"error": "<summary of the first error diagnostic>"}`` when it does not.

Two kinds of case exist (see README.md):

* expression cases (``"expr"``) mean ``output "result" { value = <expr> }`` in an
  otherwise empty root module.  They are evaluated in batches (one output per
  case); a failing batch is narrowed down using the source ranges of the error
  diagnostics (or by bisection) and the failing cases are re-run on their own;
* config cases (``"files"``) are written to a temporary directory and applied
  there, with ``-var`` arguments, ``-var-file`` arguments, ``TF_VAR_*``
  environment variables and a workspace when the case asks for them.

Terraform omits null-valued outputs from its results.  For an expression case
whose output is missing, the recorder evaluates ``[<expr>]`` and reports the
element type of the one-element tuple, so the expected value is
``{"value": null, "type": <type of the null>}``.  A config case cannot be
wrapped that way and records ``{"value": null, "type": null}``.

Numbers are kept exactly as Terraform prints them (arbitrary precision): the
case files are read and written with a loader that keeps the source text of
every JSON number, so ``1/3`` keeps all of its digits.  Consumers that need the
exact value should load the files with ``json.load(f, parse_float=Decimal)``.

Usage::

    python tests/engine/terraform/differential/record.py            # re-record everything
    python tests/engine/terraform/differential/record.py --only strings
    python tests/engine/terraform/differential/record.py --check    # exit 1 on any difference

Only the standard library is used.  The ``terraform`` binary is taken from
``$TERRAFORM`` or ``PATH``; no providers and no network are needed.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CASES_DIR = HERE / "cases"

#: The Terraform version the committed ``expected`` values were recorded with.
RECORDED_WITH = "1.11.4"

CATEGORIES: tuple[str, ...] = (
    "numbers",
    "strings",
    "collections",
    "conditionals",
    "types",
    "functions",
    "variables",
    "locals",
    "errors",
    "json",
)

#: Canonical key order of a case object when it is written back.
KEY_ORDER: tuple[str, ...] = (
    "id",
    "category",
    "expr",
    "files",
    "vars",
    "var_files",
    "env",
    "workspace",
    "note",
    "expected",
)
ALLOWED_KEYS = frozenset(KEY_ORDER)

#: Width under which a JSON value is written on a single line.
INLINE_WIDTH = 100

#: Seconds one terraform invocation may take.
TIMEOUT = 180

Json = Any
Case = dict[str, Json]


# --------------------------------------------------------------------------
# JSON with exact numbers
# --------------------------------------------------------------------------


class RawNumber(str):
    """A JSON number kept as the exact text it had in its source."""


def loads(text: str) -> Json:
    """Parse JSON, keeping every number as a :class:`RawNumber`."""
    return json.loads(text, parse_float=RawNumber, parse_int=RawNumber)


def _dump_compact(value: Json) -> str:
    if isinstance(value, RawNumber):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_dump_compact(v) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{_dump_compact(str(k))}: {_dump_compact(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(value: Json, indent: int = 0) -> str:
    """Serialise JSON readably: short values inline, long ones expanded."""
    compact = _dump_compact(value)
    if len(compact) + indent <= INLINE_WIDTH or not isinstance(value, (list, dict)) or not value:
        return compact
    pad = " " * (indent + 2)
    if isinstance(value, list):
        inner = ",\n".join(pad + dumps(v, indent + 2) for v in value)
        return "[\n" + inner + "\n" + " " * indent + "]"
    inner = ",\n".join(
        f"{pad}{_dump_compact(str(k))}: {dumps(v, indent + 2)}" for k, v in value.items()
    )
    return "{\n" + inner + "\n" + " " * indent + "}"


def canonical(value: Json) -> str:
    """A comparison key for recorded values (exact number text, key order kept)."""
    return _dump_compact(value)


# --------------------------------------------------------------------------
# Case files
# --------------------------------------------------------------------------


def case_file(category: str) -> Path:
    return CASES_DIR / f"{category}.json"


def load_cases(category: str) -> list[Case]:
    path = case_file(category)
    if not path.exists():
        return []
    data = loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise SystemExit(f"{path}: expected a JSON list of cases")
    return data


def assign_ids(category: str, cases: list[Case]) -> bool:
    """Give every case without an id the next free ``<category>-NNN`` id.

    Returns whether any case was changed (an id or a category was added).
    """
    used = [
        int(m.group(1))
        for c in cases
        if (m := re.fullmatch(rf"{re.escape(category)}-(\d+)", str(c.get("id", ""))))
    ]
    nxt = max(used, default=0) + 1
    changed = False
    for case in cases:
        if not case.get("id"):
            case["id"] = f"{category}-{nxt:03d}"
            nxt += 1
            changed = True
        if "category" not in case:
            case["category"] = category
            changed = True
    return changed


def validate(category: str, cases: list[Case], seen: set[str]) -> list[str]:
    problems: list[str] = []
    for case in cases:
        cid = case.get("id", "<no id>")
        if "id" not in case:
            problems.append(f"a {category} case has no id (run without --check to assign one)")
            continue
        if cid in seen:
            problems.append(f"{cid}: duplicate id")
        seen.add(cid)
        if case.get("category") != category:
            problems.append(f"{cid}: category {case.get('category')!r} != file {category!r}")
        extra = set(case) - ALLOWED_KEYS
        if extra:
            problems.append(f"{cid}: unknown keys {sorted(extra)}")
        has_expr, has_files = "expr" in case, "files" in case
        if has_expr == has_files:
            problems.append(f"{cid}: needs exactly one of 'expr' and 'files'")
        if has_expr and not isinstance(case["expr"], str):
            problems.append(f"{cid}: 'expr' must be a string")
        if has_expr and any(k in case for k in ("vars", "var_files", "env", "workspace")):
            problems.append(f"{cid}: vars/var_files/env/workspace need a config case")
        if has_files:
            files = case["files"]
            if not isinstance(files, dict) or not files:
                problems.append(f"{cid}: 'files' must be a non-empty object")
            else:
                for name in files:
                    p = Path(name)
                    if p.is_absolute() or ".." in p.parts:
                        problems.append(f"{cid}: file name {name!r} must be relative")
        for key in case.get("env", {}):
            if not key.startswith("TF_VAR_"):
                problems.append(f"{cid}: env may only set TF_VAR_* ({key})")
    return problems


def ordered(case: Case) -> Case:
    out = {k: case[k] for k in KEY_ORDER if k in case}
    return out


def write_cases(category: str, cases: list[Case]) -> None:
    text = dumps([ordered(c) for c in cases]) + "\n"
    case_file(category).write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------
# Running terraform
# --------------------------------------------------------------------------


def terraform_binary() -> str:
    found = os.environ.get("TERRAFORM") or shutil.which("terraform")
    if not found:
        raise SystemExit("terraform not found (set $TERRAFORM or put it on PATH)")
    return found


def base_env() -> dict[str, str]:
    """A hermetic environment: no user TF_* settings leak into a recording."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "CHECKPOINT_"))}
    env.update(
        TF_CLI_CONFIG_FILE=os.devnull,
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
    )
    return env


@dataclass
class ApplyResult:
    """What one ``terraform apply -json`` reported."""

    outputs: dict[str, dict[str, Json]] = field(default_factory=dict)
    errors: list[dict[str, Json]] = field(default_factory=list)
    #: Set when terraform did not run properly (timeout, crash, no diagnostics).
    harness_problem: str | None = None


def _run(
    argv: list[str], workdir: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str] | str:
    try:
        return subprocess.run(
            argv, cwd=workdir, env=env, capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired:
        return f"{' '.join(argv[:2])} timed out after {TIMEOUT}s"


def run_apply(
    tf: str,
    workdir: Path,
    args: Iterable[str] = (),
    env: dict[str, str] | None = None,
    workspace: str | None = None,
) -> ApplyResult:
    """Apply the configuration in ``workdir`` and collect outputs and errors."""
    full_env = base_env()
    full_env.update(env or {})
    if workspace:
        ws = _run([tf, "workspace", "new", "-no-color", workspace], workdir, full_env)
        if isinstance(ws, str):
            return ApplyResult(harness_problem=ws)
        if ws.returncode != 0:
            return ApplyResult(harness_problem=f"workspace new failed: {ws.stderr.strip()}")
    proc = _run(
        [tf, "apply", "-auto-approve", "-input=false", "-no-color", "-json", *args],
        workdir,
        full_env,
    )
    if isinstance(proc, str):
        return ApplyResult(harness_problem=proc)
    result = ApplyResult()
    for line in proc.stdout.splitlines():
        try:
            event = loads(line)
        except ValueError:
            continue
        if not isinstance(event, dict):
            continue
        if event.get("type") == "diagnostic":
            diag = event.get("diagnostic", {})
            if diag.get("severity") == "error":
                diag["summary"] = normalise_summary(str(diag.get("summary", "")))
                result.errors.append(diag)
        elif event.get("type") == "outputs":
            # The last "outputs" event is the post-apply one; entries with a
            # "type" carry the final value.  Null outputs are left out.
            result.outputs = {
                name: o for name, o in event.get("outputs", {}).items() if "type" in o
            }
    if proc.returncode != 0 and not result.errors:
        result.harness_problem = (
            f"terraform exited {proc.returncode} without diagnostics: {proc.stderr.strip()[:500]}"
        )
    return result


def normalise_summary(summary: str) -> str:
    """Make an error summary deterministic.

    Terraform lists the nodes of a dependency cycle ("Cycle: local.b (expand),
    local.a (expand)") in an order that varies from run to run; they are sorted.
    """
    if summary.startswith("Cycle: "):
        nodes = sorted(n.strip() for n in summary[len("Cycle: ") :].split(","))
        return "Cycle: " + ", ".join(nodes)
    return summary


@dataclass
class Outcome:
    expected: dict[str, Json] | None = None
    problem: str | None = None  # a harness problem: the case cannot be recorded


def expected_from_output(output: dict[str, Json]) -> Outcome:
    if output.get("sensitive"):
        return Outcome(problem="output is sensitive; sensitive cases are not allowed")
    return Outcome({"value": output.get("value"), "type": output["type"]})


def first_error(result: ApplyResult) -> Outcome:
    return Outcome({"error": str(result.errors[0].get("summary", ""))})


# --------------------------------------------------------------------------
# Expression cases: batched
# --------------------------------------------------------------------------


def render_outputs(cases: list[Case], wrap: bool) -> tuple[str, list[str], list[tuple[int, int]]]:
    """One output block per case: the text, the output names, each block's line span.

    A batch of one case is exactly the case's definition: ``output "result"``.
    """
    names = ["result"] if len(cases) == 1 else [f"c{i}" for i in range(len(cases))]
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    line = 1
    for name, case in zip(names, cases, strict=True):
        expr = case["expr"]
        value = f"[\n{expr}\n]" if wrap else expr
        block = f'output "{name}" {{\n  value = {value}\n}}\n'
        n_lines = block.count("\n")
        spans.append((line, line + n_lines - 1))
        parts.append(block)
        line += n_lines
    return "".join(parts), names, spans


@dataclass
class Batch:
    """Expression cases evaluated together, one output each.

    ``wrap`` evaluates ``[<expr>]`` instead, to learn the type of a null result.
    """

    cases: list[Case]
    wrap: bool = False


@dataclass
class BatchResult:
    batch: Batch
    result: ApplyResult
    names: list[str]
    spans: list[tuple[int, int]]


def run_batch(tf: str, tmp_root: Path, batch: Batch) -> BatchResult:
    text, names, spans = render_outputs(batch.cases, batch.wrap)
    workdir = Path(tempfile.mkdtemp(dir=tmp_root))
    try:
        (workdir / "main.tf").write_text(text, encoding="utf-8")
        return BatchResult(batch, run_apply(tf, workdir), names, spans)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def blamed_cases(result: ApplyResult, spans: list[tuple[int, int]]) -> set[int]:
    """Indexes of the cases whose output block contains an error's source range."""
    blamed: set[int] = set()
    for diag in result.errors:
        rng = diag.get("range") or {}
        if rng.get("filename") != "main.tf":
            continue
        line = int(rng.get("start", {}).get("line", 0))
        for i, (lo, hi) in enumerate(spans):
            if lo <= line <= hi:
                blamed.add(i)
    return blamed


def settle_batch(done: BatchResult, outcomes: dict[str, Outcome]) -> list[Batch]:
    """Store what a finished batch settled; return the batches still to run.

    A failing batch is split: the cases its diagnostics point at are re-run on
    their own, the rest together; without usable ranges it is bisected.
    """
    batch, result = done.batch, done.result
    cases = batch.cases
    if result.harness_problem and len(cases) == 1:
        outcomes[cases[0]["id"]] = Outcome(problem=result.harness_problem)
        return []
    if not result.errors and not result.harness_problem:
        nulls: list[Case] = []
        for name, case in zip(done.names, cases, strict=True):
            out = result.outputs.get(name)
            if out is None and not batch.wrap:
                nulls.append(case)
            elif out is None:
                outcomes[case["id"]] = Outcome(problem="wrapped output is missing")
            elif batch.wrap:
                outcomes[case["id"]] = unwrap_null(expected_from_output(out))
            else:
                outcomes[case["id"]] = expected_from_output(out)
        return [Batch(nulls, wrap=True)] if nulls else []
    if len(cases) == 1:
        if batch.wrap:
            outcomes[cases[0]["id"]] = Outcome(problem="the wrapped expression failed")
        else:
            outcomes[cases[0]["id"]] = first_error(result)
        return []
    blamed = blamed_cases(result, done.spans)
    if blamed:
        rest = [c for i, c in enumerate(cases) if i not in blamed]
        follow = [Batch([cases[i]], batch.wrap) for i in sorted(blamed)]
        return follow + ([Batch(rest, batch.wrap)] if rest else [])
    mid = len(cases) // 2
    return [Batch(cases[:mid], batch.wrap), Batch(cases[mid:], batch.wrap)]


def unwrap_null(outcome: Outcome) -> Outcome:
    """From the outcome of ``[<expr>]`` for a null ``<expr>``, the null's type."""
    if outcome.expected is None:
        return outcome
    ty = outcome.expected["type"]
    if not (isinstance(ty, list) and ty[0] == "tuple" and len(ty[1]) == 1):
        return Outcome(problem=f"unexpected wrapped type {ty!r}")
    return Outcome({"value": None, "type": ty[1][0]})


# --------------------------------------------------------------------------
# Config cases: one directory each
# --------------------------------------------------------------------------


def record_config(tf: str, tmp_root: Path, case: Case) -> Outcome:
    workdir = Path(tempfile.mkdtemp(dir=tmp_root))
    try:
        for name, content in case["files"].items():
            path = workdir / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        args: list[str] = []
        for name, hcl in case.get("vars", {}).items():
            args.append(f"-var={name}={hcl}")
        for name in case.get("var_files", []):
            args.append(f"-var-file={name}")
        result = run_apply(tf, workdir, args, env=case.get("env"), workspace=case.get("workspace"))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if result.harness_problem:
        return Outcome(problem=result.harness_problem)
    if result.errors:
        return first_error(result)
    out = result.outputs.get("result")
    if out is None:
        return Outcome({"value": None, "type": None})
    return expected_from_output(out)


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------


def terraform_version(tf: str) -> str:
    proc = subprocess.run([tf, "version", "-json"], env=base_env(), capture_output=True, text=True)
    try:
        return str(json.loads(proc.stdout)["terraform_version"])
    except (ValueError, KeyError):
        return "unknown"


def evaluate_all(tf: str, cases: list[Case], jobs: int, batch: bool = True) -> dict[str, Outcome]:
    """Evaluate every case with ``jobs`` terraform processes at a time.

    Expression cases start as ``jobs`` large batches (or one per case when
    ``batch`` is false); config cases are queued behind them.
    """
    exprs = [c for c in cases if "expr" in c]
    configs = [c for c in cases if "files" in c]
    size = max(1, -(-len(exprs) // jobs)) if batch else 1
    batches = [Batch(exprs[i : i + size]) for i in range(0, len(exprs), size)]
    outcomes: dict[str, Outcome] = {}
    with (
        tempfile.TemporaryDirectory(prefix="tf-differential-") as tmp,
        cf.ThreadPoolExecutor(jobs) as pool,
    ):
        tmp_root = Path(tmp)
        pending: dict[cf.Future[Any], str | None] = {}
        for b in batches:
            pending[pool.submit(run_batch, tf, tmp_root, b)] = None
        for c in configs:
            pending[pool.submit(record_config, tf, tmp_root, c)] = c["id"]
        while pending:
            finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in finished:
                config_id = pending.pop(fut)
                if config_id is not None:
                    outcomes[config_id] = fut.result()
                    continue
                for follow in settle_batch(fut.result(), outcomes):
                    pending[pool.submit(run_batch, tf, tmp_root, follow)] = None
    return outcomes


def describe(expected: Json) -> str:
    return "<missing>" if expected is None else canonical(expected)


def iter_categories(only: list[str] | None) -> Iterator[str]:
    for name in only or CATEGORIES:
        if name not in CATEGORIES:
            raise SystemExit(f"unknown category {name!r}; choose from {', '.join(CATEGORIES)}")
        yield name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", action="append", metavar="CATEGORY", help="limit to a category (repeatable)"
    )
    parser.add_argument(
        "--check", action="store_true", help="compare with the recorded values; write nothing"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(4, 2 * (os.cpu_count() or 1)),
        help="parallel terraform processes",
    )
    parser.add_argument(
        "--id", action="append", dest="ids", metavar="ID", help="limit to a case id (repeatable)"
    )
    parser.add_argument(
        "--no-batch", action="store_true", help="run every expression case on its own (slow)"
    )
    ns = parser.parse_args(argv)

    tf = terraform_binary()
    version = terraform_version(tf)
    if version != RECORDED_WITH:
        print(
            f"warning: terraform {version}; the corpus was recorded with {RECORDED_WITH}",
            file=sys.stderr,
        )

    started = time.monotonic()
    by_category: dict[str, list[Case]] = {}
    problems: list[str] = []
    seen: set[str] = set()
    renumbered: dict[str, bool] = {}
    for category in iter_categories(ns.only):
        cases = load_cases(category)
        renumbered[category] = False if ns.check else assign_ids(category, cases)
        problems += validate(category, cases, seen)
        by_category[category] = cases
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2

    selected = [
        c for cases in by_category.values() for c in cases if not ns.ids or c["id"] in ns.ids
    ]
    outcomes = evaluate_all(tf, selected, max(1, ns.jobs), batch=not ns.no_batch)

    differences = 0
    harness_problems = 0
    for category, cases in by_category.items():
        changed = False
        for case in cases:
            outcome = outcomes.get(case["id"])
            if outcome is None:
                continue
            if outcome.problem:
                harness_problems += 1
                print(f"{case['id']}: cannot record: {outcome.problem}", file=sys.stderr)
                continue
            old, new = case.get("expected"), outcome.expected
            if old is not None and canonical(old) == canonical(new):
                continue
            differences += 1
            changed = True
            verb = "differs" if ns.check else "updated"
            print(
                f"{case['id']}: {verb}\n  recorded: {describe(old)}\n  terraform: {describe(new)}"
            )
            case["expected"] = new
        if not ns.check and (changed or renumbered[category]):
            write_cases(category, cases)

    elapsed = time.monotonic() - started
    n_err = sum(1 for o in outcomes.values() if o.expected and "error" in o.expected)
    print(
        f"{len(outcomes)} cases ({n_err} errors) evaluated with terraform {version} "
        f"in {elapsed:.1f}s; {differences} {'differences' if ns.check else 'updated'}"
        + (f"; {harness_problems} could not be recorded" if harness_problems else ""),
        file=sys.stderr,
    )
    if harness_problems:
        return 1
    return 1 if ns.check and differences else 0


if __name__ == "__main__":
    sys.exit(main())
