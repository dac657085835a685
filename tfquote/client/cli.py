"""``tfquote``: estimate Terraform from a terminal or a CI job, through the HTTP API only.

::

    tfquote estimate PATH [--region R] [--root-module DIR] [--var-file F]... [--var K=V]...
                          [--workspace W] [--usage-file F] [--usage-preset small|medium|large]
                          [--compare-to JOB_ID | --compare-to-path BASE_PATH]
                          [--budget-total N] [--budget-diff N] [--budget-diff-percent N]
                          [--format table|markdown|html|json] [--out FILE] [--no-wait]
                          [--timeout S]
    tfquote jobs list [--status S] [--limit N] | jobs show JOB_ID | jobs cancel JOB_ID
    tfquote report JOB_ID [--format F] [--out FILE]

``TFQUOTE_URL`` and ``TFQUOTE_TOKEN`` (or ``--url``/``--token``) say where and who.
Reports are rendered here with `tfquote.reports`, the gateway's own renderers.

Exit codes: 0 done (and within budget), 1 budget exceeded, 2 usage error (bad flags, a
path that cannot be read, a request the API refuses), 3 the job FAILED or was cancelled
(its code and message printed), 4 the service is unreachable or the wait timed out.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path
from typing import Any, TextIO

import yaml

from tfquote import reports
from tfquote.client.api import APIError, Client, Unreachable
from tfquote.client.pack import PackError, idempotency_key, pack


class Exit(IntEnum):
    OK = 0
    BUDGET_EXCEEDED = 1
    USAGE = 2
    JOB_FAILED = 3
    UNREACHABLE = 4


class UsageError(Exception):
    pass


class Progress:
    """One self-overwriting status line on stderr, and only on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.width = 0

    def __call__(self, text: str) -> None:
        if not self.enabled:
            return
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def done(self) -> None:
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="tfquote", description="AWS cost estimates of Terraform.")
    top.add_argument(
        "--url", default=os.environ.get("TFQUOTE_URL"), help="the gateway (default: $TFQUOTE_URL)"
    )
    top.add_argument(
        "--token",
        default=os.environ.get("TFQUOTE_TOKEN"),
        help="a bearer token (default: $TFQUOTE_TOKEN)",
    )
    commands = top.add_subparsers(dest="command", required=True)

    est = commands.add_parser("estimate", help="upload PATH, estimate it, print the report")
    est.add_argument("path", type=Path, help="a directory, an archive, a .tf file or a plan JSON")
    est.add_argument("--region", default="us-east-1")
    est.add_argument("--root-module")
    est.add_argument("--var-file", action="append", default=[])
    est.add_argument("--var", action="append", default=[], metavar="K=V")
    est.add_argument("--workspace")
    est.add_argument("--usage-file", type=Path, help="an Infracost usage file (sent inline)")
    est.add_argument("--usage-preset", choices=("small", "medium", "large"))
    base = est.add_mutually_exclusive_group()
    base.add_argument("--compare-to", metavar="JOB_ID", help="diff against this COMPLETED job")
    base.add_argument(
        "--compare-to-path",
        type=Path,
        metavar="BASE_PATH",
        help="estimate BASE_PATH too (the base branch) and diff against it",
    )
    est.add_argument("--budget-total", metavar="N", help="fail (exit 1) above N $/month")
    est.add_argument("--budget-diff", metavar="N", help="fail (exit 1) if it adds over N $/month")
    est.add_argument("--budget-diff-percent", metavar="N", help="fail above N %% more")
    est.add_argument("--webhook-url")
    est.add_argument("--format", choices=reports.FORMATS, default="table")
    est.add_argument("--out", type=Path, help="write the report here instead of stdout")
    est.add_argument("--no-wait", action="store_true", help="print the job id and exit")
    est.add_argument("--timeout", type=float, default=900.0, help="seconds to wait (900)")

    jobs = commands.add_parser("jobs", help="list, show or cancel jobs")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", required=True)
    listing = jobs_commands.add_parser("list")
    listing.add_argument(
        "--status", choices=("PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED")
    )
    listing.add_argument("--limit", type=int, default=20)
    for name in ("show", "cancel"):
        jobs_commands.add_parser(name).add_argument("job_id")

    report = commands.add_parser("report", help="a finished job's report")
    report.add_argument("job_id")
    report.add_argument("--format", choices=reports.FORMATS, default="table")
    report.add_argument("--out", type=Path)
    return top


def _relative_to(value: str, root: Path) -> str:
    """A path flag as the API wants it: relative to the uploaded directory. A path that
    exists from here inside `root` is made relative to it; anything else is kept."""
    candidate = Path(value)
    if root.is_dir() and candidate.exists():
        try:
            return candidate.resolve().relative_to(root.resolve()).as_posix() or "."
        except ValueError:
            pass
    return value


def _variables(pairs: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"--var {pair!r}: expected NAME=VALUE")
        out[name] = value  # a string, read as Terraform reads -var (HCL for complex types)
    return out


def _options(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if args.root_module:
        options["root_module"] = _relative_to(args.root_module, root)
    if args.var_file:
        options["var_files"] = [_relative_to(v, root) for v in args.var_file]
    if args.var:
        options["variables"] = _variables(args.var)
    if args.workspace:
        options["workspace"] = args.workspace
    if args.usage_file:
        try:
            usage = yaml.safe_load(args.usage_file.read_text())
        except (OSError, yaml.YAMLError) as exc:
            raise UsageError(f"--usage-file {args.usage_file}: {exc}") from None
        if not isinstance(usage, dict):
            raise UsageError(f"--usage-file {args.usage_file}: not an Infracost usage document")
        options["usage"] = usage
    if args.usage_preset:
        options["usage_preset"] = args.usage_preset
    return options


def _budget(args: argparse.Namespace) -> dict[str, str]:
    budget = {}
    for flag, key in (
        ("budget_total", "monthly_total_max"),
        ("budget_diff", "monthly_diff_max"),
        ("budget_diff_percent", "diff_percent_max"),
    ):
        value = getattr(args, flag)
        if value is not None:
            budget[key] = value
    return budget


def _submit(
    client: Client, path: Path, region: str, options: dict[str, Any], progress: Progress
) -> dict[str, Any]:
    try:
        packed = pack(path)
    except (PackError, OSError) as exc:
        raise UsageError(str(exc)) from None
    key = idempotency_key(packed, region, options)
    upload = client.upload(
        [(packed.filename, packed.data)], project_name=path.resolve().name, progress=progress
    )
    return client.create_job(upload["upload_id"], region, options, idempotency_key=key)


def _emit(text: str, out: Path | None, stdout: TextIO) -> None:
    if out is None:
        stdout.write(text)
    else:
        out.write_text(text)


def _failed(job: dict[str, Any], stderr: TextIO) -> Exit:
    error = job.get("error") or {}
    code = error.get("code") or job["status"].lower()
    stderr.write(
        f"tfquote: job {job['job_id']} {job['status']}: {code}: {error.get('message', '')}\n"
    )
    return Exit.JOB_FAILED


def _report_url(client: Client, job_id: str) -> str:
    return f"{client.base_url}/api/v1/jobs/{job_id}/report?format=html"


def estimate(args: argparse.Namespace, client: Client, stdout: TextIO, stderr: TextIO) -> Exit:
    progress = Progress(stderr)
    options = _options(args, args.path)
    compare_to = args.compare_to
    if args.compare_to_path is not None:
        # The base branch first, with the same estimation options: its job is the baseline.
        base_options = _options(args, args.compare_to_path)
        base = _submit(client, args.compare_to_path, args.region, base_options, progress)
        base = client.wait(base["job_id"], timeout=args.timeout, progress=progress)
        if base["status"] != "COMPLETED":
            progress.done()
            stderr.write("tfquote: the base estimate did not complete\n")
            return _failed(base, stderr)
        compare_to = base["job_id"]
    if compare_to:
        options["compare_to"] = compare_to
    budget = _budget(args)
    if budget:
        options["budget"] = budget
    if args.webhook_url:
        options["webhook_url"] = args.webhook_url
    job = _submit(client, args.path, args.region, options, progress)
    if args.no_wait:
        progress.done()
        stdout.write(job["job_id"] + "\n")
        return Exit.OK
    job = client.wait(job["job_id"], timeout=args.timeout, progress=progress)
    progress.done()
    if job["status"] != "COMPLETED":
        return _failed(job, stderr)
    _emit(
        reports.render(job, args.format, report_url=_report_url(client, job["job_id"])),
        args.out,
        stdout,
    )
    policy = (job.get("result") or {}).get("policy")
    if isinstance(policy, dict) and policy.get("passed") is False:
        failed = [c["name"] for c in policy.get("checks", []) if not c.get("passed")]
        stderr.write(f"tfquote: budget exceeded: {', '.join(failed)}\n")
        return Exit.BUDGET_EXCEEDED
    return Exit.OK


def _jobs(args: argparse.Namespace, client: Client, stdout: TextIO, stderr: TextIO) -> Exit:
    if args.jobs_command == "list":
        page = client.list_jobs(status=args.status, limit=args.limit)
        for job in page["items"]:
            error = (job.get("error") or {}).get("code") or ""
            stdout.write(f"{job['job_id']}  {job['status']:<9}  {job['created_at']}  {error}\n")
        return Exit.OK
    if args.jobs_command == "show":
        stdout.write(json.dumps(client.get_job(args.job_id), indent=2) + "\n")
        return Exit.OK
    client.cancel_job(args.job_id)
    stdout.write(f"job {args.job_id} cancelled\n")
    return Exit.OK


def _report(args: argparse.Namespace, client: Client, stdout: TextIO, stderr: TextIO) -> Exit:
    job = client.get_job(args.job_id)
    if job["status"] != "COMPLETED":
        return _failed(job, stderr)
    _emit(
        reports.render(job, args.format, report_url=_report_url(client, job["job_id"])),
        args.out,
        stdout,
    )
    return Exit.OK


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse: 2 on a usage error, 0 for --help
        return int(exc.code or 0)
    if not args.url:
        stderr.write("tfquote: no service URL: set TFQUOTE_URL or pass --url\n")
        return Exit.USAGE
    client = Client(args.url, args.token)
    handlers = {"estimate": estimate, "jobs": _jobs, "report": _report}
    try:
        return handlers[args.command](args, client, stdout, stderr)
    except UsageError as exc:
        stderr.write(f"tfquote: {exc}\n")
        return Exit.USAGE
    except APIError as exc:
        stderr.write(f"tfquote: the service refused: {exc.status} {exc.code}: {exc.message}\n")
        return Exit.UNREACHABLE if exc.status >= 500 else Exit.USAGE
    except Unreachable as exc:
        stderr.write(f"tfquote: {exc}\n")
        return Exit.UNREACHABLE


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
