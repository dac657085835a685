"""Benchmark 3, uploads: multipart uploads of 1 MB, 100 MB and 500 MB through
``POST /api/v1/uploads`` (streamed to disk, sha256 computed on the way, recorded in
Redis) against `bench.bare_app`'s ``POST /uploads`` (Werkzeug's defaults:
``request.files["file"].save(path)``, no hashing), both under the same gunicorn
settings, interleaved round by round. The client streams each body from a generator
with an exact Content-Length, so it never holds the file.

Also the peak RSS of the gateway's worker processes for each size (VmHWM, reset before
each size through ``/proc/<pid>/clear_refs``, and VmRSS sampled every 10 ms as a
fallback): streaming means it stays flat whatever the size.

Uploaded files are deleted after every upload. When the temp dir's disk cannot hold
three copies of the largest upload, the largest size is scaled down (and the report
says so); ``--sizes`` picks sizes explicitly.

    python -m bench uploads [--quick] [--sizes 1,100,500] [--rounds 5]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

from bench.common import (
    BenchReport,
    Check,
    HttpServer,
    ServerSettings,
    ab_rounds,
    bench_main,
    bench_token,
    gateway_and_bare,
    gateway_env,
    median,
    paired_ratios,
    proc_status_kib,
    reset_peak_rss,
    server_from_args,
    workdir,
)
from bench.loadgen import UploadResult, payload_chunks, stream_upload

MB = 1_000_000
THROUGHPUT_TARGET = 1.0  # project MB/s >= 1.0 x bare, every size
RSS_SPREAD_TARGET_MB = 20.0


@dataclass
class UploadConfig:
    sizes_mb: list[int] = field(default_factory=lambda: [1, 100, 500])
    rounds: int = 5
    server: ServerSettings = field(default_factory=ServerSettings)
    keep_workdir: bool = False

    @classmethod
    def quick(cls) -> UploadConfig:
        return cls(sizes_mb=[1, 20, 100], rounds=2)


class _RssSampler(threading.Thread):
    """Samples VmRSS of some pids every `interval` seconds; keeps the peak."""

    def __init__(self, pids: Sequence[int], interval: float = 0.01) -> None:
        super().__init__(name="rss-sampler", daemon=True)
        self.pids, self.interval = list(pids), interval
        self.peak_kib = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            for pid in self.pids:
                self.peak_kib = max(self.peak_kib, proc_status_kib(pid, "VmRSS"))

    def stop(self) -> int:
        self._stop_event.set()
        self.join(5)
        return self.peak_kib


def _expected_sha256(size: int) -> str:
    digest = hashlib.sha256()
    for chunk in payload_chunks(size):
        digest.update(chunk)
    return digest.hexdigest()


def _scale_sizes(sizes_mb: list[int], work: Path) -> tuple[list[int], str | None]:
    """Fit the sizes to the free disk: the bare side spools and then copies (2 copies),
    plus a margin of one more."""
    free_mb = shutil.disk_usage(work).free // MB
    limit = max(1, free_mb // 3 - 64)
    if max(sizes_mb) <= limit:
        return sizes_mb, None
    scaled = sorted({min(s, limit) for s in sizes_mb})
    return scaled, (
        f"only {free_mb} MB free under {work}: sizes scaled from {sizes_mb} MB to {scaled} MB"
    )


def _clear(directory: Path) -> None:
    if directory.exists():
        for child in directory.iterdir():
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)


def run(config: UploadConfig) -> BenchReport:
    started = time.monotonic()
    report = BenchReport("uploads", config={**asdict(config), "server": config.server.describe()})
    with workdir("tfquote-bench-uploads-", keep=config.keep_workdir) as work:
        sizes, note = _scale_sizes(list(config.sizes_mb), work)
        if note:
            report.notes.append(note)
        report.config["sizes_mb"] = sizes
        data = work / "data"

        def env_for(redis_url: str) -> dict[str, str]:
            max_upload = max(sizes) * MB + 16 * 1024 * 1024
            return gateway_env(redis_url, data, MAX_UPLOAD_BYTES=str(max_upload))

        with gateway_and_bare(work, config.server, env_for) as (_redis_proc, services):
            _measure(config, report, services, sizes, data, work / "bare")
    report.duration_s = round(time.monotonic() - started, 1)
    return report


def _measure(
    config: UploadConfig,
    report: BenchReport,
    services: dict[str, HttpServer],
    sizes: list[int],
    data: Path,
    bare_dir: Path,
) -> None:
    gateway, bare = services["gateway"], services["bare"]
    headers = {"Authorization": f"Bearer {bench_token()}"}
    uploads_dir = data / "uploads"

    def upload_project(size: int, expected: str) -> UploadResult:
        result = stream_upload(
            gateway.url, "/api/v1/uploads", size, headers=headers, fields={"project_name": "b"}
        )
        files = result.body.get("files") or [{}]
        if result.status != 201 or files[0].get("size") != size:
            raise RuntimeError(f"gateway upload failed: {result.status} {result.body}")
        if files[0].get("sha256") != expected:
            raise RuntimeError("gateway upload: sha256 differs from the bytes sent")
        return result

    def upload_bare(size: int) -> UploadResult:
        result = stream_upload(bare.url, "/uploads", size, headers=headers)
        if result.status != 201 or result.body.get("size") != size:
            raise RuntimeError(f"bare upload failed: {result.status} {result.body}")
        return result

    def between() -> None:
        _clear(uploads_dir)
        _clear(bare_dir)

    # Warm-up: every worker process has imported and served an upload.
    warm = _expected_sha256(MB)
    for _ in range(2 * config.server.workers):
        upload_project(MB, warm)
        upload_bare(MB)
    between()

    peaks: dict[int, float] = {}
    bare_peaks: dict[int, float] = {}
    hwm_ok = True
    for size_mb in sizes:
        size = size_mb * MB
        expected = _expected_sha256(size)
        gw_pids, bare_pids = gateway.worker_pids(), bare.worker_pids()
        for pid in gw_pids + bare_pids:
            hwm_ok = reset_peak_rss(pid) and hwm_ok
        sampler = _RssSampler(gw_pids)
        bare_sampler = _RssSampler(bare_pids)
        sampler.start()
        bare_sampler.start()
        project, baseline = ab_rounds(
            config.rounds,
            partial(upload_project, size, expected),
            partial(upload_bare, size),
            between=between,
        )
        between()
        sampled, bare_sampled = sampler.stop(), bare_sampler.stop()
        hwm = max((proc_status_kib(pid, "VmHWM") for pid in gw_pids), default=0)
        bare_hwm = max((proc_status_kib(pid, "VmHWM") for pid in bare_pids), default=0)
        peaks[size_mb] = (hwm if hwm_ok else sampled) / 1024
        bare_peaks[size_mb] = (bare_hwm if hwm_ok else bare_sampled) / 1024

        mbps_p = [r.size / MB / r.seconds for r in project]
        mbps_b = [r.size / MB / r.seconds for r in baseline]
        ratios = paired_ratios(mbps_p, mbps_b)
        report.metrics[f"{size_mb} MB"] = {
            "project_MBps_median": round(median(mbps_p), 1),
            "bare_MBps_median": round(median(mbps_b), 1),
            "project_s": [round(r.seconds, 3) for r in project],
            "bare_s": [round(r.seconds, 3) for r in baseline],
            "ratio_per_round": [round(x, 3) for x in ratios],
            "gateway_peak_rss_MB": round(peaks[size_mb], 1),
            "gateway_sampled_rss_MB": round(sampled / 1024, 1),
            "bare_peak_rss_MB": round(bare_peaks[size_mb], 1),
        }
        report.checks.append(
            Check(
                f"{size_mb} MB upload MB/s vs bare (median of pairs)",
                median(ratios),
                ">=",
                THROUGHPUT_TARGET,
                "x",
                note=f"{median(mbps_p):.0f} vs {median(mbps_b):.0f} MB/s",
            )
        )
    spread = max(peaks.values()) - min(peaks.values())
    report.metrics["gateway peak RSS by size (MB)"] = {
        str(k): round(v, 1) for k, v in peaks.items()
    }
    report.metrics["bare peak RSS by size (MB)"] = {
        str(k): round(v, 1) for k, v in bare_peaks.items()
    }
    report.metrics["rss_method"] = "VmHWM (reset per size)" if hwm_ok else "VmRSS sampled / 10 ms"
    report.checks.append(
        Check(
            "gateway worker peak RSS spread across sizes",
            spread,
            "<=",
            RSS_SPREAD_TARGET_MB,
            "MB",
            note=", ".join(f"{k} MB: {v:.0f}" for k, v in peaks.items()),
        )
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sizes", help="upload sizes in MB, comma separated (default 1,100,500)")
    parser.add_argument("--upload-rounds", type=int, dest="upload_rounds")
    parser.add_argument("--workers", type=int, help="gunicorn workers (both sides)")
    parser.add_argument("--threads", type=int, help="gunicorn threads per worker (both sides)")


def config_from_args(args: argparse.Namespace) -> UploadConfig:
    config = UploadConfig.quick() if args.quick else UploadConfig()
    if getattr(args, "sizes", None):
        config.sizes_mb = [int(x) for x in args.sizes.split(",") if x.strip()]
    rounds = getattr(args, "upload_rounds", None) or getattr(args, "rounds", None)
    if rounds:
        config.rounds = rounds
    config.server = server_from_args(args, config.server)
    config.keep_workdir = bool(getattr(args, "keep", False))
    return config


def main(argv: Sequence[str] | None = None) -> int:
    return bench_main(
        argv, "python -m bench.uploads", __doc__, add_arguments, config_from_args, run, rounds=True
    )


if __name__ == "__main__":
    raise SystemExit(main())
