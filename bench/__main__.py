"""``python -m bench`` (= ``make bench``): every benchmark against its bare baseline.

    python -m bench                    # all six, ~6-9 minutes on 2 cores
    python -m bench --quick            # a reduced run, ~1-2 minutes
    python -m bench api uploads        # some of them
    python -m bench --json report.json # also write the full report

Benchmarks: ``api`` (job API vs a bare Flask+Redis+Celery app), ``pipeline`` (jobs end
to end vs raw Celery no-op tasks), ``uploads`` (streamed multipart uploads vs Werkzeug's
defaults, and the gateway's RSS), ``extract`` (safe extraction vs ``extractall``),
``engine`` (estimate times), ``examples`` (every shared terraform-aws-modules example,
in-process and through the API), ``modules`` (an example with registry modules: cold, warm
module cache, warm parse cache). Each prints its figures and, per target, PASS or FAIL; the
exit status is 1 when any target fails. See docs/performance.md.

(The chaos suite is separate: ``python -m bench.chaos``.)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench import api, estimate, examples, extract, modules, pipeline, uploads
from bench.common import BenchReport, Check, cpu_count, print_report

BENCHMARKS: dict[str, Callable[[argparse.Namespace], BenchReport]] = {
    "api": lambda args: api.run(api.config_from_args(args)),
    "pipeline": lambda args: pipeline.run(pipeline.config_from_args(args)),
    "uploads": lambda args: uploads.run(uploads.config_from_args(args)),
    "extract": lambda args: extract.run(extract.config_from_args(args)),
    "engine": lambda args: estimate.run(estimate.config_from_args(args)),
    "examples": lambda args: examples.run(examples.config_from_args(args)),
    "modules": lambda args: modules.run(modules.config_from_args(args)),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    parser.add_argument(
        "benchmarks", nargs="*", metavar="NAME", help=f"any of {', '.join(BENCHMARKS)} (all)"
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller sizes")
    parser.add_argument("--json", metavar="PATH", help="write every report as JSON to PATH")
    parser.add_argument("--keep", action="store_true", help="keep work dirs and process logs")
    parser.add_argument("--rounds", type=int, help="A/B rounds (every benchmark)")
    servers = parser.add_argument_group("server settings (both sides of a comparison)")
    servers.add_argument("--workers", type=int, help="gunicorn --workers (default 4)")
    servers.add_argument("--threads", type=int, help="gunicorn --threads (default 4)")
    servers.add_argument("--worker-class", help="gunicorn --worker-class (default gthread)")
    servers.add_argument("--concurrency", type=int, help="celery --concurrency (default 4)")
    servers.add_argument("--pool", help="celery --pool (default prefork)")
    sizes = parser.add_argument_group("sizes")
    sizes.add_argument("--duration", type=float, help="api: seconds measured per run")
    sizes.add_argument("--connections", type=int, help="api: client connections (default 8)")
    sizes.add_argument("--jobs", type=int, help="pipeline: jobs per drain run")
    sizes.add_argument("--paced-jobs", type=int, help="pipeline: jobs per paced run")
    sizes.add_argument("--rate", type=float, help="pipeline: jobs/s in paced runs")
    sizes.add_argument("--sizes", help="uploads: sizes in MB, e.g. 1,100,500")
    sizes.add_argument("--extract-dir", help="extract: where archives and output go")
    sizes.add_argument("--repeat", type=int, help="engine, examples: timed calls per input")
    sizes.add_argument("--only", default="", help="examples: repositories whose name has this")
    sizes.add_argument("--no-api", action="store_true", help="examples: in-process only")
    sizes.add_argument("--example", help="modules: <repository>/<example> with registry modules")
    sizes.add_argument("--profile", action="store_true", help="modules: cProfile summaries")
    return parser


def _summary(reports: Sequence[BenchReport], elapsed: float) -> str:
    lines = ["", f"== summary ({elapsed:.0f} s)"]
    for report in reports:
        for check in report.checks:
            lines.append(f"{report.name:<9}" + check.line().lstrip())
    failed = sum(not c.passed for r in reports for c in r.checks)
    total = sum(len(r.checks) for r in reports)
    lines.append(f"{total - failed}/{total} targets met")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    names = args.benchmarks or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; pick from {', '.join(BENCHMARKS)}")
        return 2
    started = time.monotonic()
    print(
        f"tfquote bench: {', '.join(names)}{' (quick)' if args.quick else ''} | "
        f"{cpu_count()} CPUs, load {os.getloadavg()[0]:.2f} | "
        f"Python {platform.python_version()} | {time.strftime('%Y-%m-%d %H:%M:%S')}",
        flush=True,
    )
    reports: list[BenchReport] = []
    for name in names:
        try:
            report = BENCHMARKS[name](args)
        except Exception as exc:  # one broken benchmark must not hide the others
            report = BenchReport(name)
            report.notes.append(f"benchmark crashed: {type(exc).__name__}: {exc}")
            report.checks.append(Check("benchmark ran", 0.0, ">=", 1.0))
        reports.append(report)
        print_report(report)
    elapsed = time.monotonic() - started
    print(_summary(reports, elapsed), flush=True)
    if args.json:
        document = {
            "quick": args.quick,
            "elapsed_s": round(elapsed, 1),
            "cpus": cpu_count(),
            "python": platform.python_version(),
            "reports": [r.to_dict() for r in reports],
        }
        Path(args.json).write_text(json.dumps(document, indent=2) + "\n")
    return 0 if all(r.passed for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
