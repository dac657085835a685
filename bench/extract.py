"""Benchmark 4, extraction: `tfquote.archives.extract_archive` (every safety rule,
re-checked while writing) against plain ``zipfile.ZipFile.extractall`` on the same
archives, into a fresh empty directory each time, interleaved round by round:

- 2,000 small Terraform files in 20 directories (deflate). The default limits allow
  1,000 entries per archive, so this case passes ``ArchiveLimits(max_entries=2000)``;
- one 50 MB file (50,000,000 bytes, under the default 50 MiB limit) of random-ish but
  compressible text, compression ratio far below the limit of 100.

Both read the archive from the page cache; the output is deleted between runs.

    python -m bench extract [--quick] [--rounds 5]
"""

from __future__ import annotations

import argparse
import random
import shutil
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

from bench.common import BenchReport, Check, ab_rounds, bench_main, median, paired_ratios
from bench.common import workdir as make_workdir
from tfquote.archives import DEFAULT_LIMITS, ArchiveLimits, extract_archive

TIME_TARGET = 1.5  # extract_archive <= 1.5 x extractall
MANY_FILES = 2000
BIG_FILE_BYTES = 50_000_000


@dataclass
class ExtractConfig:
    rounds: int = 5
    many_files: int = MANY_FILES
    big_bytes: int = BIG_FILE_BYTES
    directory: str | None = None  # where archives and output go (default: the temp dir)
    keep_workdir: bool = False

    @classmethod
    def quick(cls) -> ExtractConfig:
        return cls(rounds=3)


def _tf_text(rng: random.Random, index: int) -> str:
    return (
        f'resource "aws_instance" "app_{index}" {{\n'
        f'  ami           = "ami-{rng.getrandbits(64):016x}"\n'
        f'  instance_type = "{rng.choice(["t3.micro", "t3.small", "m5.large", "c6g.xlarge"])}"\n'
        f"  count         = {rng.randint(1, 5)}\n"
        f'  tags = {{ Name = "app-{index}", Team = "team-{rng.randint(1, 40)}" }}\n'
        "}\n"
    )


def make_many(path: Path, files: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    total = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for i in range(files):
            text = "".join(_tf_text(rng, i * 10 + j) for j in range(rng.randint(2, 12)))
            zf.writestr(f"modules/mod{i % 20:02d}/file{i:04d}.tf", text)
            total += len(text)
    return total


def make_big(path: Path, size: int, seed: int = 11) -> float:
    """One `size`-byte .tf file of random-ish text; returns its compression ratio."""
    rng = random.Random(seed)
    pieces: list[bytes] = []
    # 4 MiB of varied Terraform-looking text, repeated with a per-block salt line so
    # deflate's 32 KiB window never sees a repeat: compressible, never a bomb.
    block = "".join(_tf_text(rng, i) for i in range(20_000)).encode()
    written = 0
    salt = 0
    while written < size:
        head = f"# block {salt} {rng.getrandbits(128):032x}\n".encode()
        piece = (head + block)[: size - written]
        pieces.append(piece)
        written += len(piece)
        salt += 1
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf,
        zf.open("main.tf", "w", force_zip64=False) as out,
    ):
        for piece in pieces:
            out.write(piece)
    return size / path.stat().st_size


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def run(config: ExtractConfig) -> BenchReport:
    started = time.monotonic()
    report = BenchReport("extract", config=asdict(config))
    with make_workdir(
        "tfquote-bench-extract-", keep=config.keep_workdir, parent=config.directory
    ) as work:
        many, big = work / "many.zip", work / "big.zip"
        many_bytes = make_many(many, config.many_files)
        ratio = make_big(big, config.big_bytes)
        report.metrics["archives"] = {
            "many": {
                "files": config.many_files,
                "uncompressed_bytes": many_bytes,
                "zip_bytes": many.stat().st_size,
            },
            "big": {
                "uncompressed_bytes": config.big_bytes,
                "zip_bytes": big.stat().st_size,
                "compression_ratio": round(ratio, 2),
            },
        }
        dest = work / "out"
        many_limits = ArchiveLimits(max_entries=max(config.many_files, DEFAULT_LIMITS.max_entries))

        def fresh() -> None:
            shutil.rmtree(dest, ignore_errors=True)
            dest.mkdir()

        def plain(path: Path) -> float:
            def go() -> None:
                with zipfile.ZipFile(path) as zf:
                    zf.extractall(dest)

            return _timed(go)

        def safe(path: Path, limits: ArchiveLimits) -> float:
            return _timed(lambda: extract_archive(path, dest, limits))

        for label, path, limits in (
            (f"{config.many_files} small files", many, many_limits),
            (f"one {config.big_bytes // 1_000_000} MB file", big, DEFAULT_LIMITS),
        ):
            fresh()
            safe(path, limits)  # warm-up: page cache, imports
            fresh()
            plain(path)
            project, baseline = ab_rounds(
                config.rounds,
                partial(safe, path, limits),
                partial(plain, path),
                between=fresh,
            )
            ratios = paired_ratios(project, baseline)
            report.metrics[label] = {
                "extract_archive_ms_median": round(median(project) * 1000, 1),
                "extractall_ms_median": round(median(baseline) * 1000, 1),
                "ratio_per_round": [round(x, 3) for x in ratios],
            }
            report.checks.append(
                Check(
                    f"{label}: extract_archive time vs extractall",
                    median(ratios),
                    "<=",
                    TIME_TARGET,
                    "x",
                    note=f"{median(project) * 1000:.0f} vs {median(baseline) * 1000:.0f} ms",
                )
            )
        shutil.rmtree(dest, ignore_errors=True)
    report.notes.append(
        f"the {config.many_files}-file case needs ArchiveLimits(max_entries="
        f"{many_limits.max_entries}); the default ({DEFAULT_LIMITS.max_entries}) refuses it "
        "with too_many_entries, and the workers use the default"
    )
    report.duration_s = round(time.monotonic() - started, 1)
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--extract-rounds", type=int, dest="extract_rounds")
    parser.add_argument(
        "--extract-dir", help="directory for the archives and the output (e.g. /dev/shm)"
    )


def config_from_args(args: argparse.Namespace) -> ExtractConfig:
    config = ExtractConfig.quick() if args.quick else ExtractConfig()
    rounds = getattr(args, "extract_rounds", None) or getattr(args, "rounds", None)
    if rounds:
        config.rounds = rounds
    config.directory = getattr(args, "extract_dir", None)
    config.keep_workdir = bool(getattr(args, "keep", False))
    return config


def main(argv: Sequence[str] | None = None) -> int:
    return bench_main(
        argv,
        "python -m bench.extract",
        __doc__,
        add_arguments,
        config_from_args,
        run,
        keep_help=None,
        rounds=True,
    )


if __name__ == "__main__":
    raise SystemExit(main())
