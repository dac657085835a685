"""Benchmark 7, remote modules: a shared example that calls registry modules, estimated cold
(fetch + parse), with a warm module cache (no fetch), and with a warm parse cache.

The example (default: terraform-aws-eks ``examples/eks-managed-node-group``: eks twice, each
with kms nested, and vpc; 5 packages, ~230 files) is uploaded as a plain checkout; its
modules come from a local module registry over HTTPS (the tests' server, a test CA,
``../shared`` packages under MANIFEST.txt's tags). Estimates run in-process
(:class:`~engine.isolation.InProcessEvaluator` with the engine's fetch settings); "a new
process" is simulated by dropping what a process keeps in memory (its fetcher and the
in-process parse LRU), so each phase reads only what the shared cache directory holds:

* **cold** — empty cache directory: discovery, versions, downloads, extraction, parsing,
  evaluation, pricing;
* **warm module cache** — the packages on disk, no parse cache: no request to the registry
  but the version lists' TTL check, every file parsed;
* **warm parse cache** — packages and parses on disk: nothing fetched, nothing parsed;
* **warm in-process** — the same process again (the evaluation child kept between
  estimates).

The baseline is **cold parse-only**: parsing every configuration file of the upload and of
the fetched packages, nothing else. Target (issue 13): the warm repeat — a new process with
the warm parse cache — costs at most a quarter of it. ``--profile`` prints where the time of
the warm-module-cache and warm-parse-cache estimates goes (cProfile, cumulative).

    python -m bench modules [--quick] [--repeat 5] [--profile]
    python -m bench modules --example terraform-aws-eks/eks-managed-node-group
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import pstats
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

from bench.common import (
    BenchReport,
    Check,
    bench_main,
    folder_files,
    median,
    paired_ratios,
    workdir,
)

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT.parent / "shared" / "corpus" / "terraform" / "terraform-aws-modules"
TARGET_RATIO = 0.25


@dataclass
class ModulesConfig:
    example: str = "terraform-aws-eks/eks-managed-node-group"
    repeat: int = 5
    profile: bool = False

    @classmethod
    def quick(cls) -> ModulesConfig:
        return cls(repeat=2)


def _forget_process() -> None:
    """What a new evaluation process starts without: its fetcher, the parse and module LRUs."""
    from engine.fetch import resolver
    from engine.terraform import config, parsecache

    resolver._fetchers.clear()
    config._cache.clear()
    config._modules.clear()
    parsecache.configure(None)


def _into(target: dict[str, Any], run: Callable[..., dict[str, Any]], *args: Any) -> None:
    target.update(run(*args))


def _parse_all(parse: Callable[[str, bytes], Any], files: dict[str, bytes]) -> None:
    for path, data in files.items():
        parse(path, data)


def _timed(run: Callable[[], Any]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _profile(run: Callable[[], Any], limit: int = 18) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(limit)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    return "\n".join(line.replace(str(ROOT) + "/", "") for line in lines[-(limit + 1) :])


def run(config: ModulesConfig) -> BenchReport:
    started = time.monotonic()
    report = BenchReport("modules", config=asdict(config))
    repo_name, _, example = config.example.partition("/")
    repo = MODULES / repo_name
    if not (repo / "examples" / example).is_dir():
        report.notes.append(f"{repo}/examples/{example} not found: nothing to measure")
        report.checks.append(Check("shared example present", float("nan"), ">=", 1))
        return report

    from engine.fetch.settings import FetchSettings
    from engine.isolation import InProcessEvaluator
    from engine.result import build_result
    from engine.terraform.config import parse_file
    from tests.support.module_servers import RegistryServer, TestCA

    files = folder_files(repo)
    options = {"root_module": f"examples/{example}"}
    with workdir("bench-modules-") as work:
        ca = TestCA(work / "ca")
        registry = RegistryServer(MODULES, ca)
        try:

            def settings(round_: int) -> FetchSettings:
                return FetchSettings(
                    cache_dir=str(work / f"cache-{round_}"),
                    registry_hosts=(("registry.terraform.io", registry.modules_url),),
                    allow_private="true",
                    ca_bundle=str(ca.ca_path),
                )

            def estimate(fetch: FetchSettings) -> dict[str, Any]:
                return build_result(files, "us-east-1", options=options,
                                    evaluator=InProcessEvaluator(fetch))  # fmt: skip

            rows: dict[str, list[float]] = {
                "cold_s": [], "warm_module_cache_s": [], "warm_parse_cache_s": [],
                "warm_in_process_s": [], "parse_only_cold_s": [],
            }  # fmt: skip
            result: dict[str, Any] = {}
            parsed: dict[str, bytes] = {}  # every file the estimate parsed: the parse-only baseline
            for round_ in range(max(1, config.repeat)):
                fetch = settings(round_)
                _forget_process()
                before = registry.count("/archives/")
                with _recording(parsed) as recorded:
                    rows["cold_s"].append(_timed(partial(_into, result, estimate, fetch)))
                parsed.update(recorded)
                downloads = registry.count("/archives/") - before
                # the packages on disk, parses not: a process after an engine upgrade
                _forget_process()
                shutil.rmtree(Path(fetch.cache_dir) / "parsed", ignore_errors=True)
                before = registry.count("/")
                rows["warm_module_cache_s"].append(_timed(partial(estimate, fetch)))
                requests_warm = registry.count("/") - before
                _forget_process()
                rows["warm_parse_cache_s"].append(_timed(partial(estimate, fetch)))
                rows["warm_in_process_s"].append(_timed(partial(estimate, fetch)))
                _forget_process()
                rows["parse_only_cold_s"].append(_timed(partial(_parse_all, parse_file, parsed)))
            _forget_process()
            medians = {name: round(median(values), 4) for name, values in rows.items()}
            report.metrics.update(medians)
            report.metrics["rounds"] = {
                name: [round(v, 3) for v in values] for name, values in rows.items()
            }
            fetched = [m for m in result.get("modules", []) if "from_cache" in m]
            report.metrics["packages_fetched_cold"] = downloads
            report.metrics["registry_requests_warm_module_cache"] = requests_warm
            report.metrics["module_calls_fetched"] = len(fetched)
            report.metrics["configuration_files_parsed"] = len(parsed)
            report.metrics["resources"] = len(result.get("resources", []))
            # Paired per round (the same moment of a noisy machine), then the median.
            ratio = median(paired_ratios(rows["warm_parse_cache_s"], rows["parse_only_cold_s"]))
            report.metrics["warm_parse_cache_over_parse_only"] = round(ratio, 3)
            report.metrics["warm_in_process_over_parse_only"] = round(
                median(paired_ratios(rows["warm_in_process_s"], rows["parse_only_cold_s"])), 3
            )
            report.metrics["warm_module_cache_over_cold"] = round(
                median(paired_ratios(rows["warm_module_cache_s"], rows["cold_s"])), 3
            )
            report.checks.append(
                Check(
                    "warm repeat (new process, warm parse cache) / cold parse-only",
                    ratio,
                    "<=",
                    TARGET_RATIO,
                )
            )
            report.checks.append(
                Check("downloads with a warm module cache", float(requests_warm), "<=", 0)
            )
            if config.profile:
                fetch = settings(0)
                _forget_process()
                shutil.rmtree(Path(fetch.cache_dir) / "parsed", ignore_errors=True)
                report.notes.append(
                    "profile, warm module cache (parsing):\n" + _profile(lambda: estimate(fetch))
                )
                _forget_process()
                report.notes.append(
                    "profile, warm parse cache:\n" + _profile(lambda: estimate(fetch))
                )
                _forget_process()
        finally:
            registry.close()
    report.duration_s = time.monotonic() - started
    return report


@contextlib.contextmanager
def _recording(seen: dict[str, bytes]) -> Iterator[dict[str, bytes]]:
    """Record the (path, content) of every file parsed meanwhile (the parse-only baseline
    parses exactly those: the upload's and the fetched packages' files the plan loaded)."""
    from engine.terraform import config

    recorded: dict[str, bytes] = {}
    original = config.parse_file

    def recording(path: str, data: bytes) -> Any:
        recorded[path] = data
        return original(path, data)

    config.parse_file = recording
    try:
        yield recorded
    finally:
        config.parse_file = original


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int)
    parser.add_argument(
        "--example", help="<repository>/<example>, e.g. terraform-aws-eks/karpenter"
    )
    parser.add_argument("--profile", action="store_true", help="print cProfile summaries")


def config_from_args(args: argparse.Namespace) -> ModulesConfig:
    config = ModulesConfig.quick() if args.quick else ModulesConfig()
    if getattr(args, "repeat", None):
        config.repeat = args.repeat
    if getattr(args, "example", None):
        config.example = args.example
    config.profile = bool(getattr(args, "profile", False))
    return config


def main(argv: Sequence[str] | None = None) -> int:
    return bench_main(
        argv, "python -m bench.modules", __doc__, add_arguments, config_from_args, run, keep=False
    )


if __name__ == "__main__":
    raise SystemExit(main())
