"""tfquote.archives against the shared corpus of real hostile / edge-case archives.

The corpus (``../shared/corpus/hostile`` beside the repository) comes with MANIFEST.txt
giving each file's origin, what it is and how it is expected to be handled.  Every file,
whatever its extension, is treated as an upload with the DEFAULT limits:

* ``detect_format``, ``inspect_archive`` and ``extract_archive`` (into a fresh empty dir;
  run even when inspection already refused, to prove the two agree) either succeed or
  raise ``ArchiveError`` with a documented code - never another exception;
* nothing is ever written outside the destination, and a refused extraction leaves the
  destination empty;
* every file the manifest marks as must-reject is rejected, and files whose handling is
  unambiguous get their exact code checked (:data:`EXPECTED`);
* each call is bounded in time and in memory (tracemalloc peak).

Most of the corpus's tar vectors are bare ``.tar`` files, which we refuse outright
(``unsupported_compression``).  So that the tar rules themselves meet the real vectors,
each ``.tar`` is also gzipped in memory and run again (:data:`EXPECTED_REWRAPPED`).

The last test prints the outcome table (files tried, accepted, rejected by code).
"""

from __future__ import annotations

import gzip
import os
import re
import tarfile
import tempfile
import time
import tracemalloc
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.shared import SHARED, require_shared
from tfquote import archives
from tfquote.archives import (
    ERROR_CODES,
    ArchiveError,
    detect_format,
    extract_archive,
    inspect_archive,
)

CORPUS = SHARED / "corpus" / "hostile"
MANIFEST = require_shared(CORPUS / "MANIFEST.txt", module=True)

pytestmark = pytest.mark.unit

MAX_SECONDS = 5.0  # per file, for detect + inspect + extract together
MAX_PEAK_BYTES = 64 * 1024 * 1024  # Python-level allocations while handling one file
# Where the corpus's traversal samples aim ('../' * 40 + 'tmp/evil.txt').
ESCAPE_TARGETS = (Path("/tmp/evil.txt"), Path("/tmp/evil.tf"), Path("/evil.txt"))

BARE_TAR = frozenset({"unsupported_compression", "unsupported_format"})
CORRUPT = frozenset({"corrupt_archive", "unsupported_format"})

# Exact expectations where the manifest's reason maps onto one of our codes.  Keys are
# paths relative to the corpus; values the set of acceptable codes.
EXPECTED: dict[str, frozenset[str]] = {
    "snyk+zip-slip-vulnerability/archives/zip-slip.zip": frozenset({"path_traversal"}),
    "snyk+zip-slip-vulnerability/archives/zip-slip-win.zip": frozenset(
        {"path_traversal", "unsafe_path"}
    ),
    "golang+go/src/archive/zip/testdata/symlink.zip": frozenset({"link_entry"}),
    "corkami+pocs/zip/unix.zip": frozenset({"special_entry"}),
    "microsoft+RecursiveExtractor/RecursiveExtractor.Tests/TestData/Bombs/zbsm.zip": frozenset(
        {"overlapping_entries", "too_large", "compression_ratio"}
    ),
    "openharmony+third_party_python/Lib/test/ziptestdata/exe_with_zip": frozenset({"prefix_data"}),
    "openharmony+third_party_python/Lib/test/ziptestdata/exe_with_z64": frozenset({"prefix_data"}),
    "golang+go/src/archive/zip/testdata/test-prefix.zip": frozenset({"prefix_data"}),
    "golang+go/src/archive/zip/testdata/test-badbase.zip": frozenset(
        {"prefix_data", "corrupt_archive"}
    ),
    "corkami+pocs/zip/dual.zip": frozenset({"duplicate_entry"}),
    "corkami+pocs/zip/drive.zip": frozenset({"special_entry"}),  # DOS volume-label entry
    "corkami+pocs/zip/unicode.zip": frozenset({"corrupt_archive"}),  # two names, one entry
    "golang+go/src/archive/zip/testdata/dupdir.zip": frozenset({"file_dir_conflict"}),
    "corkami+pocs/zip/aes.zip": frozenset({"encrypted_entry"}),
    "corkami+pocs/zip/zipcrypto.zip": frozenset({"encrypted_entry"}),
    "microsoft+RecursiveExtractor/RecursiveExtractor.Tests/TestData/TestDataArchives/"
    "TestDataEncryptedAES.zip": frozenset({"encrypted_entry"}),
    "microsoft+RecursiveExtractor/RecursiveExtractor.Tests/TestData/TestDataArchives/"
    "TestDataEncryptedZipCrypto.zip": frozenset({"encrypted_entry"}),
    **{
        f"corkami+pocs/zip/{name}.zip": frozenset({"unsupported_compression"})
        for name in (
            "PPMd",
            "bz2",
            "deflate64",
            "implode",
            "jpeg",
            "lzma",
            "reduced1",
            "reduced2",
            "reduced3",
            "reduced4",
            "shrunk",
        )
    },
    "microsoft+RecursiveExtractor/RecursiveExtractor.Tests/TestData/Bombs/droste.zip": frozenset(
        {"nested_archive"}
    ),
    **{
        f"microsoft+RecursiveExtractor/RecursiveExtractor.Tests/TestData/TestDataArchives/{n}": (
            frozenset({"nested_archive"})
        )
        for n in ("NestedFormatsTest.zip", "TestDataArchivesNested.zip", "TestDataCorrupt.tar.zip")
    },
    "corkami+pocs/zip/gynvael/THI_2018_files.zip": frozenset({"nested_archive"}),
    "corkami+pocs/zip/empty.zip": frozenset({"empty_archive"}),
    "corkami+pocs/zip/corkami.zip": frozenset({"corrupt_archive"}),
    "corkami+pocs/zip/volume.zip.001": CORRUPT,
    "corkami+pocs/zip/volume.zip.002": CORRUPT,
    "golang+go/src/archive/zip/testdata/test-baddirsz.zip": frozenset({"corrupt_archive"}),
    **{
        f"microsoft+RecursiveExtractor/RecursiveExtractor.Tests/TestData/Bombs/10GB.{ext}": (
            frozenset({"unsupported_compression"})
        )
        for ext in ("bz2", "7z.bz2", "gz.bz2", "rar.bz2", "xz.bz2", "zip.bz2")
    },
    "openharmony+third_party_python/Lib/test/testtar.tar.xz": frozenset(
        {"unsupported_compression"}
    ),
    "golang+go/src/archive/tar/testdata/pax-bad-hdr-large.tar.bz2": frozenset(
        {"unsupported_compression"}
    ),
    **{
        name: frozenset({"unsupported_format"})
        for name in (
            "corkami+pocs/zip/README.md",
            "snyk+zip-slip-vulnerability/archives/README.md",
            "openharmony+third_party_python/Lib/test/ziptestdata/README.md",
            "openharmony+third_party_python/Lib/test/ziptestdata/header.sh",
            "golang+go/src/archive/zip/testdata/readme.notzip",
            "golang+go/src/archive/zip/testdata/go-no-datadesc-sig.zip.base64",
        )
    },
}

# After gzipping the corpus's bare tars: what the tar rules must say about each.
TAR_CONTROLS = frozenset({"no_terraform"})  # structurally fine, just no Terraform inside
EXPECTED_REWRAPPED: dict[str, frozenset[str]] = {
    "zip-slip.tar": frozenset({"path_traversal"}),
    "zip-slip-win.tar": frozenset({"path_traversal", "unsafe_path"}),
    "hardlink.tar": frozenset({"link_entry"}),
    "writer.tar": frozenset({"link_entry"}),
    "pax.tar": frozenset({"link_entry"}),
    "gnu-multi-hdrs.tar": frozenset({"link_entry"}),
    "pax-multi-hdrs.tar": frozenset({"link_entry"}),
    "hdr-only.tar": frozenset({"special_entry", "link_entry"}),
    "gnu-incremental.tar": frozenset({"special_entry"}),
    "gnu-nil-sparse-data.tar": frozenset({"special_entry"}),
    "gnu-nil-sparse-hole.tar": frozenset({"special_entry"}),
    "gnu-sparse-big.tar": frozenset({"special_entry", "too_large"}),
    "pax-nil-sparse-data.tar": frozenset({"special_entry"}),
    "pax-nil-sparse-hole.tar": frozenset({"special_entry"}),
    "pax-sparse-big.tar": frozenset({"special_entry"}),
    "sparse-formats.tar": frozenset({"special_entry"}),
    "pax-nul-path.tar": frozenset({"unsafe_path"}),
    "gnu-not-utf8.tar": frozenset({"unsafe_path"}),
    "writer-big.tar": frozenset({"too_large"}),
    "writer-big-long.tar": frozenset({"too_large"}),
    "recursion.tar": frozenset({"corrupt_archive"}),
    "issue10968.tar": CORRUPT,
    "issue11169.tar": CORRUPT,
    "issue12435.tar": CORRUPT,
    "neg-size.tar": CORRUPT,
    "pax-path-hdr.tar": CORRUPT,
    "TestDataCorrupt.tar": CORRUPT,
    **{
        name: TAR_CONTROLS
        for name in (
            "gnu.tar",
            "v7.tar",
            "star.tar",
            "ustar-file-reg.tar",
            "file-and-dir.tar",
            "nil-uid.tar",
            "xattrs.tar",
            "pax-records.tar",
            "pax-pos-size-file.tar",
            "TestData.tar",
            "pax-bad-mtime-file.tar",
            "pax-bad-hdr-file.tar",
        )
    },
}


# ---------------------------------------------------------------------- manifest


@dataclass(frozen=True)
class ManifestEntry:
    what: str
    expected: str

    @property
    def must_reject(self) -> bool:
        """The manifest says reject without leaving room for acceptance: "REJECT ..."
        (unless it goes on "or accept consistently"), "reject by magic", "reject nested
        archives"; but not "control: accept if ...", "accept/reject consistently",
        "reject if not in allow-list" or "documentation"."""
        text = self.expected
        if text.startswith("REJECT"):
            return "or accept" not in text
        low = text.lower()
        hedges = ("accept if", "accept/reject", "or accept", "reject if")
        return "reject" in low and not any(h in low for h in hedges)


def read_manifest() -> dict[str, ManifestEntry]:
    entries: dict[str, ManifestEntry] = {}
    current: dict[str, str] = {}

    def flush() -> None:
        if "file" in current:
            entries[current["file"]] = ManifestEntry(
                current.get("what", ""), current.get("expected", "")
            )

    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        if line.startswith("- file: "):
            flush()
            current = {"file": line.removeprefix("- file: ").strip()}
        elif (match := re.match(r"^  (\w+): (.*)$", line)) and current:
            current[match.group(1)] = match.group(2).strip()
    flush()
    return entries


def corpus_files() -> list[str]:
    if not MANIFEST.is_file():
        return []
    return sorted(
        p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file() and p != MANIFEST
    )


FILES = corpus_files()
TARS = [name for name in FILES if name.endswith(".tar")]
MANIFEST_ENTRIES = read_manifest() if MANIFEST.is_file() else {}


def _is_control(name: str) -> bool:
    expected = MANIFEST_ENTRIES[name].expected.lower()
    return expected.startswith(("control", "accept", "policy control")) and name not in EXPECTED


# Benign zips from many tools (data descriptors, zip64, NTFS/unix extras, odd timestamps,
# read-only modes, comments): refused only for holding no Terraform.
CONTROL_ZIPS = [n for n in FILES if n.endswith(".zip") and _is_control(n)]
CONTROL_TARS = sorted(n for n in TARS if EXPECTED_REWRAPPED.get(Path(n).name) == TAR_CONTROLS)


# ------------------------------------------------------------------- guarded runs


@dataclass(frozen=True)
class Outcome:
    fmt: str | None
    inspect_code: str | None  # None: inspection accepted it
    extract_code: str | None  # None: extraction succeeded
    files_written: int
    unexpected: str | None  # any exception other than ArchiveError
    strays: tuple[str, ...]  # paths written outside the destination
    leftovers: tuple[str, ...]  # paths left in the destination after a refusal
    seconds: float
    peak_bytes: int

    @property
    def code(self) -> str | None:
        return self.extract_code or self.inspect_code


def tree(root: Path) -> set[str]:
    found: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        found.update(str(Path(dirpath, n).relative_to(root)) for n in dirnames + filenames)
    return found


@dataclass
class _Run:
    fmt: str | None = None
    inspect_code: str | None = None
    extract_code: str | None = None
    files_written: int = 0
    unexpected: str | None = None


def run_guarded(archive: Path) -> Outcome:
    """detect + inspect + extract one archive in a private scratch dir, recording every
    way it could go wrong instead of raising (so one bad file cannot hide the others)."""
    escapes_before = {p for p in ESCAPE_TARGETS if p.exists()}
    own_tracing = not tracemalloc.is_tracing()
    if own_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    run = _Run()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tfquote-corpus-") as scratch:
        root = Path(scratch)
        dest = root / "a" / "b" / "c" / "dest"
        dest.mkdir(parents=True)
        try:
            run.fmt = detect_format(archive)
            try:
                inspect_archive(archive)
            except ArchiveError as exc:
                run.inspect_code = exc.code
            try:
                run.files_written = len(extract_archive(archive, dest))
            except ArchiveError as exc:
                run.extract_code = exc.code
        except Exception as exc:  # the whole point: record, do not crash the table
            run.unexpected = f"{type(exc).__name__}: {exc}"
        seconds = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        if own_tracing:
            tracemalloc.stop()
        inside = {f"a/b/c/dest/{p}" for p in tree(dest)} | {"a", "a/b", "a/b/c", "a/b/c/dest"}
        strays = sorted(tree(root) - inside)
        strays += [str(p) for p in ESCAPE_TARGETS if p.exists() and p not in escapes_before]
        leftovers = sorted(tree(dest)) if run.extract_code else []
    return Outcome(
        run.fmt,
        run.inspect_code,
        run.extract_code,
        run.files_written,
        run.unexpected,
        tuple(strays),
        tuple(leftovers),
        seconds,
        peak,
    )


_CACHE: dict[str, Outcome] = {}


def outcome(name: str) -> Outcome:
    if name not in _CACHE:
        _CACHE[name] = run_guarded(CORPUS / name)
    return _CACHE[name]


def rewrapped_outcome(name: str) -> Outcome:
    key = f"gz:{name}"
    if key not in _CACHE:
        with tempfile.TemporaryDirectory(prefix="tfquote-rewrap-") as scratch:
            wrapped = Path(scratch) / (Path(name).name + ".gz")
            wrapped.write_bytes(gzip.compress((CORPUS / name).read_bytes(), mtime=0))
            _CACHE[key] = run_guarded(wrapped)
    return _CACHE[key]


def assert_sound(result: Outcome) -> None:
    assert result.unexpected is None, f"non-ArchiveError exception: {result.unexpected}"
    assert result.fmt in ("zip", "tar.gz", None)
    for code in (result.inspect_code, result.extract_code):
        assert code is None or code in ERROR_CODES, code
    if result.inspect_code is not None:
        # Extraction re-runs every inspection rule first: it must refuse the same way.
        assert result.extract_code == result.inspect_code
    if result.fmt is None:
        assert result.inspect_code is not None, "an unrecognised file was accepted"
    assert result.strays == (), f"written outside the destination: {result.strays}"
    assert result.leftovers == (), f"left behind after a refusal: {result.leftovers}"
    assert result.seconds < MAX_SECONDS, f"took {result.seconds:.1f}s"
    assert result.peak_bytes < MAX_PEAK_BYTES, f"peak {result.peak_bytes} bytes"


# ------------------------------------------------------------------------- tests


def test_manifest_covers_the_corpus() -> None:
    assert len(FILES) > 100
    assert sorted(MANIFEST_ENTRIES) == FILES


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", FILES)
def test_corpus_file(name: str) -> None:
    result = outcome(name)
    assert_sound(result)
    entry = MANIFEST_ENTRIES.get(name)
    if entry is not None and entry.must_reject:
        assert result.code is not None, f"manifest says: {entry.expected}"
    if name.endswith(".tar"):
        assert result.code in BARE_TAR, "bare tar must be refused before anything else"
    if name in EXPECTED:
        assert result.code in EXPECTED[name], f"manifest says: {entry and entry.expected}"
    if name in CONTROL_ZIPS:
        assert result.code == "no_terraform", "a control may only lack Terraform"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", TARS)
def test_corpus_tar_rewrapped_as_tar_gz(name: str) -> None:
    result = rewrapped_outcome(name)
    assert_sound(result)
    entry = MANIFEST_ENTRIES.get(name)
    if entry is not None and entry.must_reject:
        assert result.code is not None, f"manifest says: {entry.expected}"
    expected = EXPECTED_REWRAPPED.get(Path(name).name)
    if expected is not None:
        assert result.code in expected, f"manifest says: {entry and entry.expected}"


def extract_relaxed(archive: Path, dest: Path) -> dict[str, bytes]:
    """Extract with the Terraform requirement switched off, so the corpus's controls
    (which hold no Terraform) exercise the writer on real-world archives."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(archives, "has_terraform", lambda names: True)
        written = extract_archive(archive, dest)
    return {p.relative_to(dest).as_posix(): p.read_bytes() for p in written}


@pytest.mark.parametrize("name", CONTROL_ZIPS)
def test_corpus_control_zip_extracts_byte_identically(name: str, tmp_path: Path) -> None:
    assert outcome(name).code == "no_terraform"
    dest = tmp_path / "dest"
    dest.mkdir()
    got = extract_relaxed(CORPUS / name, dest)
    with zipfile.ZipFile(CORPUS / name) as zf:
        expected = {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
    assert got == expected
    assert tree(tmp_path) == {"dest", *(f"dest/{p}" for p in tree(dest))}


@pytest.mark.parametrize("name", CONTROL_TARS)
def test_corpus_control_tar_gz_extracts_byte_identically(name: str, tmp_path: Path) -> None:
    wrapped = tmp_path / "in.tar.gz"
    wrapped.write_bytes(gzip.compress((CORPUS / name).read_bytes(), mtime=0))
    dest = tmp_path / "dest"
    dest.mkdir()
    got = extract_relaxed(wrapped, dest)
    expected: dict[str, bytes] = {}
    with tarfile.open(CORPUS / name) as tf:
        for info in tf.getmembers():
            src = tf.extractfile(info) if info.isreg() else None
            if src is not None:
                expected[info.name.removeprefix("./")] = src.read()
    assert got == expected
    assert tree(tmp_path) == {"in.tar.gz", "dest", *(f"dest/{p}" for p in tree(dest))}


def _table(title: str, results: dict[str, Outcome]) -> tuple[str, Counter[str]]:
    by_code: Counter[str] = Counter(r.code or "ACCEPTED" for r in results.values())
    lines = [
        f"{title}: {len(results)} files tried, {by_code['ACCEPTED']} accepted, "
        f"{len(results) - by_code['ACCEPTED']} rejected"
    ]
    lines += [f"  {code:<26}{count:>4}" for code, count in sorted(by_code.items())]
    return "\n".join(lines), by_code


@pytest.mark.timeout(120)
def test_corpus_outcome_table(capsys: pytest.CaptureFixture[str]) -> None:
    uploads = {name: outcome(name) for name in FILES}
    rewrapped = {name: rewrapped_outcome(name) for name in TARS}
    text1, codes = _table("hostile corpus as uploaded", uploads)
    text2, _ = _table("corpus .tar files gzipped", rewrapped)
    slowest = max(uploads.values(), key=lambda r: r.seconds)
    with capsys.disabled():
        print(f"\n{text1}\n{text2}\n  slowest file: {slowest.seconds:.2f}s")
        print(
            f"controls (only no_terraform) that extract byte-identically once the Terraform"
            f" rule is relaxed: {len(CONTROL_ZIPS)} zips, {len(CONTROL_TARS)} gzipped tars"
        )
    assert sum(codes.values()) == len(FILES)
    assert all(r.unexpected is None for r in [*uploads.values(), *rewrapped.values()])
    must_reject = [n for n in FILES if MANIFEST_ENTRIES[n].must_reject]
    assert must_reject and all(uploads[n].code for n in must_reject)
    # Nothing in this corpus holds Terraform, so nothing is accepted; but the controls
    # must fail only for that reason, i.e. be structurally sound.
    assert codes["no_terraform"] >= 30
    assert not any(r.files_written for r in uploads.values())
