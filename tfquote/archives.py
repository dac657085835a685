"""Archive safety for uploaded Terraform bundles: one set of rules for both sides.

This module owns every decision about whether an uploaded archive is acceptable and how
it is unpacked.  The gateway calls :func:`inspect_archive` at upload time; it reads only
the archive's directory (for ZIP the central directory and the local headers, never the
file data; for tar.gz the tar headers, streaming through gzip without writing anything
and counting every decompressed byte against the limit).  The worker calls
:func:`extract_archive`, which runs the very same checks again on the same open file and
then writes regular files into an empty per-job directory, counting the bytes it really
writes (declared sizes lie) and removing everything it wrote if anything goes wrong.

Only ``zip`` (stored or deflate entries) and ``tar.gz`` are accepted.  Nothing here
imports Flask or Celery; it is stdlib only so both processes can share it.

Every rejection is an :class:`ArchiveError` with a stable ``code`` (also listed in
:data:`ERROR_CODES`).  No other exception type escapes :func:`inspect_archive`,
:func:`extract_archive` or :func:`detect_format` for anything an archive contains; the one
exception is a caller bug (``dest`` missing or not empty), a ``ValueError`` raised before
the archive is opened.  Checks run in a fixed order and the first failure wins: first the
container, then each entry in archive order, then the archive as a whole, and finally
(extraction only) what the entry data turns out to be.

Container:

``io_error``
    The archive could not be opened, or the workspace could not be written (permissions,
    disk full).  Not necessarily the uploader's fault: treat as a server error.
``unsupported_format``
    Not a ZIP or tar.gz at all (text, 7z, rar, cab, a gzip stream that does not hold a
    tar, an empty file), a split / spanned / multi-volume ZIP, or a ZIP needing a newer
    spec version.
``unsupported_compression``
    A tar that is not gzip-compressed (bare ``.tar``, ``.tar.bz2``, ``.tar.xz``,
    ``.tar.zst``, any bzip2/xz/zstd/lzip stream, which are never decompressed), or a ZIP
    entry using a method other than stored (0) or deflate (8).
``corrupt_archive``
    Truncated or malformed structure, bad CRC, a ZIP local header or Unicode-path extra
    field naming an entry differently from the central directory, entry counts that
    disagree, a directory entry carrying data, stored sizes that disagree, non-zero data
    after the tar end-of-archive point (where tarfile stops but GNU tar would go on).
``too_many_entries``
    More than ``max_entries`` members.
``prefix_data``
    Bytes before the first ZIP local header (self-extracting stubs, polyglots, shifted
    offsets).
``overlapping_entries``
    ZIP entries whose local header + data overlap each other or the central directory
    (David Fifield's non-recursive zip bomb).  Implemented here: CPython only checks this
    itself from 3.11.8 / 3.12.2.

Each entry (links and special files are refused whatever their name):

``link_entry``
    A symbolic or hard link (ZIP: ``S_IFLNK`` in the Unix mode bits, whatever the host
    system field says; tar: SYMTYPE/LNKTYPE, even links pointing inside the tree).
``special_entry``
    Anything that is not a regular file or a directory: devices, FIFOs, sockets, sparse
    files, GNU dump/volume/multivolume headers, unknown tar types, DOS volume labels, and
    ZIP entries whose type bits disagree with the trailing ``/`` of their name.
``path_traversal``
    A ``..`` path segment (with ``/`` or ``\\`` as separator, also after NFKC folding).
``unsafe_path``
    Absolute path, drive letter (``C:``), UNC or any backslash, NUL / control / format
    (bidi, zero-width) characters, lone surrogates (undecodable bytes), an empty name, a
    file name ending in ``/``, or a name whose NFKC form adds path separators.
``name_too_long``
    A path component longer than ``max_name_bytes`` UTF-8 bytes, a whole path longer than
    :data:`MAX_PATH_BYTES`, or a tar metadata block (GNU long name, PAX header) larger than
    :data:`MAX_TAR_META_BYTES`.
``path_too_deep``
    More than ``max_depth`` path components.
``encrypted_entry``
    Encrypted ZIP entry (flag bit 0 or 6, central-directory encryption, AES method 99).
``nested_archive``
    An entry that is itself an archive or compressed stream: by name when inspecting, by
    name and by magic bytes when extracting.  We never open an archive inside an archive.
``too_large``
    More than ``max_total_bytes`` in total, declared or really written; for tar.gz also a
    decompressed stream beyond that plus a header allowance.
``compression_ratio``
    Uncompressed/compressed above ``max_ratio`` for one ZIP entry, or for all file bytes
    against the archive's size (judged only once :data:`RATIO_FLOOR_BYTES` are involved).
``duplicate_entry``
    The same (normalised) path twice.
``name_collision``
    Two different paths that become equal after NFKC normalisation and case folding (they
    would collide on a case-insensitive or normalising filesystem or in a later tool).
``file_dir_conflict``
    A path used both as a file and as a directory (``a`` and ``a/b``).

The archive as a whole:

``empty_archive``
    No regular files at all.
``no_terraform``
    No Terraform in it: see :func:`has_terraform`.

Decisions worth knowing: names are kept as written (after dropping ``.`` segments, the
``./`` prefix tar adds and repeated slashes), never NFC-rewritten; non-ASCII names are
allowed.  Bytes after a ZIP's end record (trailing junk, truncated comments) are ignored:
no part of our pipeline reads them.  Timestamps, owners and permission bits in the
archive are ignored; files are written 0o644 and directories 0o755.
"""

from __future__ import annotations

import gzip
import io
import itertools
import lzma
import os
import re
import shutil
import stat
import struct
import tarfile
import unicodedata
import zipfile
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final, Literal

__all__ = [
    "DEFAULT_LIMITS",
    "ERROR_CODES",
    "MAX_PATH_BYTES",
    "MAX_TAR_META_BYTES",
    "RATIO_FLOOR_BYTES",
    "TERRAFORM_SUFFIXES",
    "ArchiveEntry",
    "ArchiveError",
    "ArchiveLimits",
    "check_entry_name",
    "detect_format",
    "extract_archive",
    "has_terraform",
    "inspect_archive",
]

ArchiveFormat = Literal["zip", "tar.gz"]
StrPath = str | os.PathLike[str]

#: Stable error codes and what they mean (the module docstring explains each in full).
ERROR_CODES: Final[dict[str, str]] = {
    "io_error": "the archive could not be read or the workspace could not be written",
    "unsupported_format": "not a zip or tar.gz archive (or a split/multi-volume zip)",
    "unsupported_compression": "tar not compressed with gzip, or zip method not stored/deflate",
    "corrupt_archive": "truncated or malformed archive, or bad checksum",
    "too_many_entries": "more entries than allowed",
    "prefix_data": "data before the first zip local header",
    "overlapping_entries": "zip entries overlap each other or the central directory",
    "link_entry": "symbolic or hard link",
    "special_entry": "device, FIFO, socket, sparse or other non-regular entry",
    "path_traversal": "a '..' path segment",
    "unsafe_path": "absolute, drive, UNC, backslash, control-character or otherwise unsafe name",
    "name_too_long": "a path component or whole path is too long",
    "path_too_deep": "too many nested directories",
    "encrypted_entry": "encrypted zip entry",
    "nested_archive": "an archive inside the archive",
    "too_large": "more uncompressed data than allowed",
    "compression_ratio": "compression ratio above the allowed maximum",
    "duplicate_entry": "the same path appears twice",
    "name_collision": "two paths collide after case folding or Unicode normalisation",
    "file_dir_conflict": "a path is both a file and a directory",
    "empty_archive": "no regular files in the archive",
    "no_terraform": "no Terraform (.tf, .tf.json) or plan JSON in the archive",
}

#: Cap on a whole normalised path, in UTF-8 bytes (PATH_MAX on Linux).
MAX_PATH_BYTES: Final = 4096
#: Cap on one tar metadata block (GNU long name/link, PAX header).  Checked *before*
#: tarfile reads the block, because tarfile buffers the whole block in memory.
MAX_TAR_META_BYTES: Final = 1024 * 1024
_MAX_TAR_META_TOTAL: Final = 8 * MAX_TAR_META_BYTES  # all metadata blocks of one archive
#: Ratios are only judged once this many uncompressed bytes are involved: a small file of
#: blanks can legitimately compress 200:1 and does no harm, a bomb must be big to matter.
RATIO_FLOOR_BYTES: Final = 64 * 1024

# Terraform treats `.tf` / `.tf.json` as configuration; `.json` may be a `terraform show
# -json` plan.  Variables files alone are not something we can price.
TERRAFORM_SUFFIXES: Final = (".tf", ".tf.json", ".tfvars", ".tfvars.json", ".json")

_CHUNK: Final = 64 * 1024
_MAGIC_HEAD: Final = 512  # enough for every signature we look for, including ustar at 257

_ZIP_LFH: Final = b"PK\x03\x04"
_ZIP_EOCD: Final = b"PK\x05\x06"
_ZIP_EOCD64: Final = b"PK\x06\x06"
_ZIP_EOCD64_LOC: Final = b"PK\x06\x07"
_ZIP_EOCD_SIZE: Final = 22
_ZIP_LFH_SIZE: Final = 30
_ZIP_STORED: Final = 0
_ZIP_DEFLATED: Final = 8
_ZIP_AES: Final = 99
# Flag bit 0: encrypted; bit 6: strong encryption; bit 13: central directory encrypted.
_ZIP_ENCRYPTION_FLAGS: Final = 0x0001 | 0x0040 | 0x2000
_ZIP_UTF8_FLAG: Final = 0x0800
_DOS_VOLUME_LABEL: Final = 0x08
_DOS_DIRECTORY: Final = 0x10

# tar types we accept as plain data.  Everything else, including types tarfile silently
# treats as regular files (GNU 'D' dumpdir, 'V' volume label, unknown letters), is refused.
_TAR_FILE_TYPES: Final = frozenset({tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.CONTTYPE})
_TAR_META_TYPES: Final = frozenset(
    {
        tarfile.GNUTYPE_LONGNAME,
        tarfile.GNUTYPE_LONGLINK,
        tarfile.XHDTYPE,
        tarfile.XGLTYPE,
        tarfile.SOLARIS_XHDTYPE,
    }
)
# A tar stream carries headers and 512-byte padding on top of the file data; allow that
# much on top of max_total_bytes before the streamed-bytes counter trips.
_TAR_OVERHEAD_PER_ENTRY: Final = 8 * 1024
_TAR_OVERHEAD_FIXED: Final = 1024 * 1024

# Names that announce an archive or a compressed stream (nested archives are refused).
_NESTED_SUFFIXES: Final = (
    ".zip", ".jar", ".war", ".ear", ".apk", ".aar", ".whl", ".nupkg", ".ipa", ".xpi",
    ".tar", ".tgz", ".taz", ".tbz", ".tbz2", ".tb2", ".txz", ".tlz", ".tzst", ".gz",
    ".bz2", ".xz", ".lz", ".lzma", ".lz4", ".zst", ".z", ".7z", ".rar", ".cab", ".ace",
    ".arj", ".lzh", ".lha", ".cpio", ".deb", ".rpm", ".iso", ".dmg", ".xar", ".sz",
)  # fmt: skip

# (offset, magic, kind) of archive and compressed-stream formats, for the top-level
# sniff and for the nested-archive check on entry contents.
_MAGICS: Final[tuple[tuple[int, bytes, str], ...]] = (
    (0, _ZIP_LFH, "zip"),
    (0, _ZIP_EOCD, "zip"),
    (0, b"PK\x07\x08", "zip-split"),
    (0, b"PK00PK\x03\x04", "zip-split"),
    (0, b"\x1f\x8b\x08", "gzip"),
    (0, b"\xfd7zXZ\x00", "xz"),
    (0, b"\x28\xb5\x2f\xfd", "zstd"),
    (0, b"LZIP\x01", "lzip"),
    (0, b"\x04\x22\x4d\x18", "lz4"),
    (0, b"\x1f\x9d", "compress"),
    (0, b"\x1f\xa0", "compress"),
    (0, b"\x5d\x00\x00", "lzma"),
    (0, b"7z\xbc\xaf\x27\x1c", "7z"),
    (0, b"Rar!\x1a\x07", "rar"),
    (0, b"MSCF\x00\x00\x00\x00", "cab"),
    (0, b"!<arch>\n", "ar"),
    (0, b"\xed\xab\xee\xdb", "rpm"),
    (0, b"070701", "cpio"),
    (0, b"070702", "cpio"),
    (0, b"070707", "cpio"),
    (0, b"\xc7\x71", "cpio"),
    (0, b"xar!\x00\x1c", "xar"),
    (0, b"\x60\xea", "arj"),
    (7, b"**ACE**", "ace"),
    (257, b"ustar\x0000", "tar"),  # POSIX
    (257, b"ustar  \x00", "tar"),  # GNU
)
# "BZh" + level + the block (pi) or end-of-stream (sqrt pi) magic: "BZh1" alone is text.
_BZIP2_MAGIC: Final = re.compile(rb"BZh[1-9](1AY&SY|\x17rE8P\x90)")
_STREAM_KINDS: Final = frozenset({"bzip2", "xz", "zstd", "lzip", "lz4", "compress", "lzma"})

_DRIVE: Final = re.compile(r"^[A-Za-z]:")
_ANY_SEP: Final = re.compile(r"[\\/]")
# Unicode categories refused in names: controls, format (bidi overrides, zero-width),
# surrogates (tarfile's surrogateescape for undecodable bytes), line/paragraph separators.
_BAD_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

# Everything the stdlib parsers are known to raise on hostile input.  Anything outside
# this list is still caught at the public boundary (see _guard) and reported as corrupt.
_PARSER_ERRORS: Final = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    tarfile.TarError,
    gzip.BadGzipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    struct.error,
    ValueError,
    NotImplementedError,
    RuntimeError,
    UnicodeError,
    KeyError,
    IndexError,
    OverflowError,
    MemoryError,
)


class ArchiveError(Exception):
    """An archive broke one of the rules.  ``code`` is stable (see :data:`ERROR_CODES`),
    ``message`` is for humans, ``entry`` names the offending member when there is one."""

    def __init__(self, code: str, message: str, entry: str | None = None) -> None:
        # Pass every argument to Exception so pickling (Celery results) round-trips.
        super().__init__(code, message, entry)
        self.code = code
        self.message = message
        self.entry = entry

    def __str__(self) -> str:
        where = f" (entry {self.entry!r})" if self.entry is not None else ""
        return f"{self.code}: {self.message}{where}"


@dataclass(frozen=True)
class ArchiveLimits:
    """Caps applied by both inspection and extraction."""

    max_entries: int = 1000
    max_total_bytes: int = 50 * 1024 * 1024
    max_ratio: float = 100.0  # per entry and total, uncompressed/compressed
    max_name_bytes: int = 255  # per path component; whole paths are capped at MAX_PATH_BYTES
    max_depth: int = 16

    def __post_init__(self) -> None:
        for field in ("max_entries", "max_total_bytes", "max_ratio", "max_name_bytes"):
            if getattr(self, field) <= 0:
                raise ValueError(f"ArchiveLimits.{field} must be positive")
        if self.max_depth < 1:
            raise ValueError("ArchiveLimits.max_depth must be at least 1")


DEFAULT_LIMITS: Final = ArchiveLimits()


@dataclass(frozen=True)
class ArchiveEntry:
    """One member as listed by :func:`inspect_archive`.

    ``name`` is the normalised relative POSIX path (no ``./`` prefix, no trailing slash);
    ``size`` is the declared uncompressed size; ``compressed_size`` is only known for ZIP.
    """

    name: str
    size: int
    compressed_size: int | None
    is_dir: bool


# --------------------------------------------------------------------------- public API


def has_terraform(names: Iterable[str]) -> bool:
    """True if ``names`` hold at least one ``.tf`` / ``.tf.json`` file or a ``.json`` file
    that may be a plan (``.tfvars.json`` does not count: variables alone cannot be priced).

    Mirrors Terraform's own loader: suffixes are case-sensitive, directory names (ending in
    ``/``) are ignored, and so are hidden files (``.x.tf``, macOS ``._main.tf``) and editor
    droppings (``main.tf~``, ``#main.tf#``), which Terraform skips too.
    """
    for name in names:
        if name.endswith("/"):
            continue
        base = name.rsplit("/", 1)[-1]
        if not base or base.startswith(".") or base.endswith("~"):
            continue
        if base.startswith("#") and base.endswith("#"):
            continue
        if base.endswith((".tf", ".tf.json")):
            return True
        if base.endswith(".json") and not base.endswith(".tfvars.json"):
            return True
    return False


def check_entry_name(
    raw: str, *, is_dir: bool = False, limits: ArchiveLimits = DEFAULT_LIMITS
) -> str | None:
    """The name rules alone (``path_traversal``, ``unsafe_path``, ``name_too_long``,
    ``path_too_deep``) for trees that do not come as an archive (a git checkout of a
    module): the normalised name, None for the root, or :class:`ArchiveError`."""
    return _check_name(raw, is_dir, limits)


def detect_format(path: StrPath) -> ArchiveFormat | None:
    """Return ``"zip"`` or ``"tar.gz"`` judged by content (magic bytes), never by name.

    ``"zip"`` also covers a ZIP with data prepended (its end record is found at the tail;
    :func:`inspect_archive` then rejects it with ``prefix_data``) and a split/spanned ZIP
    (rejected with ``unsupported_format``).  ``"tar.gz"`` means a
    gzip stream whose first 512 decompressed bytes are a tar header (at most 512 bytes are
    decompressed here).  ``None`` for anything else, including bare tar and other
    compressors.  Raises :class:`ArchiveError` (``io_error``) if the file cannot be read.
    """
    with _guard(), _open_archive(path) as fp:
        kind = _sniff(fp, _file_size(fp))
    if kind in ("zip", "zip-prefixed", "zip-split"):
        return "zip"
    if kind == "tar.gz":
        return "tar.gz"
    return None


def inspect_archive(path: StrPath, limits: ArchiveLimits = DEFAULT_LIMITS) -> list[ArchiveEntry]:
    """Check an archive without writing anything and list its members.

    Reads the ZIP directory (central directory and local headers, no decompression) or
    streams the tar headers through gzip (decompressed bytes are counted against the
    limits, nothing is kept; the gzip CRC is verified).  Raises :class:`ArchiveError` for
    every rule that the directory shows; what only entry *contents* reveal (a ZIP entry's
    bad CRC or truncated data, an archive disguised under a ``.tf`` name) is caught by
    :func:`extract_archive`.  Returns every member except the root (``./``) entry.
    """
    with _guard(), _open_archive(path) as fp:
        return _scan(fp, limits, writer=None)


def extract_archive(
    path: StrPath, dest: Path, limits: ArchiveLimits = DEFAULT_LIMITS
) -> list[Path]:
    """Apply every inspection rule again, then write the regular files under ``dest``.

    ``dest`` must be an existing, empty directory (else ``ValueError``: a caller bug).
    Real bytes are counted as they are written and extraction stops the moment a limit is
    crossed.  On any failure everything written under ``dest`` is removed and
    :class:`ArchiveError` is raised.  Returns the paths of the files written (under
    ``dest`` as given), in archive order.  Files are 0o644, directories 0o755; the
    archive's permissions, owners and timestamps are ignored, links are never created.
    """
    dest = Path(dest)
    if not dest.is_dir():
        raise ValueError(f"extraction destination {dest} is not an existing directory")
    if any(dest.iterdir()):
        raise ValueError(f"extraction destination {dest} is not empty")
    try:
        with _guard(), _open_archive(path) as fp:
            writer = _Writer(dest, limits, _file_size(fp))
            _scan(fp, limits, writer=writer)
            return writer.written
    except BaseException:
        # Remove partial output whatever went wrong (including KeyboardInterrupt or a
        # worker timeout), so a failed job never leaves attacker-controlled files behind.
        _clear_directory(dest)
        raise


# ------------------------------------------------------------------------ dispatching


@contextmanager
def _guard() -> Iterator[None]:
    """Turn any unexpected exception into ``ArchiveError``.

    The stdlib parsers raise a zoo of exception types on hostile input; callers must only
    ever see ArchiveError, so whatever slips past the specific handlers is reported as
    ``corrupt_archive`` with its type name, rather than becoming an HTTP 500.
    BaseExceptions (KeyboardInterrupt, SystemExit, timeouts) pass through untouched.
    """
    try:
        yield
    except ArchiveError:
        raise
    except Exception as exc:
        raise ArchiveError(
            "corrupt_archive", f"archive could not be parsed ({type(exc).__name__}: {exc})"
        ) from exc


def _open_archive(path: StrPath) -> IO[bytes]:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise ArchiveError("io_error", f"cannot open archive: {exc.strerror or exc}") from exc


def _file_size(fp: IO[bytes]) -> int:
    return os.fstat(fp.fileno()).st_size


def _scan(fp: IO[bytes], limits: ArchiveLimits, writer: _Writer | None) -> list[ArchiveEntry]:
    size = _file_size(fp)
    kind = _sniff(fp, size)
    if kind in ("zip", "zip-prefixed"):
        return _scan_zip(fp, size, limits, writer)
    if kind == "tar.gz":
        entries = _scan_tar_gz(fp, size, limits, writer=None)
        if writer is not None:
            # Two passes: the first sees the whole archive (duplicates, no_terraform, ...)
            # before a single byte is written; the second re-applies every rule while
            # writing, so a stream that changes between passes is still caught.
            fp.seek(0)
            _scan_tar_gz(fp, size, limits, writer=writer)
        return entries
    if kind == "zip-split":
        raise ArchiveError("unsupported_format", "split or spanned (multi-volume) zip archive")
    if kind == "tar" or kind in _STREAM_KINDS:
        what = "uncompressed tar" if kind == "tar" else f"{kind} stream"
        raise ArchiveError("unsupported_compression", f"{what}: only zip and tar.gz accepted")
    if kind == "gzip":
        raise ArchiveError("unsupported_format", "gzip stream that does not contain a tar")
    if kind == "empty":
        raise ArchiveError("unsupported_format", "empty file")
    if kind == "unknown":
        raise ArchiveError("unsupported_format", "not a zip or tar.gz archive")
    raise ArchiveError("unsupported_format", f"{kind} archive: only zip and tar.gz accepted")


def _magic_kind(head: bytes) -> str | None:
    """Archive/compression format announced by the first bytes of some content."""
    for offset, magic, kind in _MAGICS:
        if head[offset : offset + len(magic)] == magic:
            return kind
    if _BZIP2_MAGIC.match(head):
        return "bzip2"
    if len(head) >= tarfile.BLOCKSIZE and _is_tar_header(head[: tarfile.BLOCKSIZE]):
        return "tar"  # pre-POSIX (v7) tar has no magic, only a valid header checksum
    return None


def _is_tar_header(block: bytes, *, empty_ok: bool = False) -> bool:
    if block.count(0) == len(block):
        # All zeros: the end-of-archive marker of an empty tar.  Only meaningful right
        # after a gzip header; a file that merely starts with zeros is not an archive.
        return empty_ok
    try:
        tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
    except Exception:  # any parse failure just means "not a tar header"
        return False
    return True


def _sniff(fp: IO[bytes], size: int) -> str:
    if size == 0:
        return "empty"
    fp.seek(0)
    head = fp.read(_MAGIC_HEAD)
    kind = _magic_kind(head)
    if kind == "gzip":
        return "tar.gz" if _gzip_holds_tar(fp) else "gzip"
    if kind is None and _find_eocd(fp, size) is not None:
        # Not a zip at offset 0, but a zip end record at the tail: a zip with something
        # prepended.  Report it as a zip so the scan can name the problem (prefix_data).
        return "zip-prefixed"
    return kind or "unknown"


def _gzip_holds_tar(fp: IO[bytes]) -> bool:
    """Decompress at most one tar block and ask whether it is a tar header."""
    fp.seek(0)
    data = fp.read(_CHUNK)
    decomp = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        block = decomp.decompress(data, tarfile.BLOCKSIZE)
    except zlib.error:
        return True  # corrupt gzip: call it tar.gz and let the full scan report corruption
    if len(block) < tarfile.BLOCKSIZE:
        # A finished stream this short cannot be a tar (a tar is at least 1 KiB); an
        # unfinished one was cut short, which the full scan will report as corrupt.
        return not decomp.eof
    return _is_tar_header(block, empty_ok=True)


# -------------------------------------------------------------------------- name rules


def _check_name(raw: str, is_dir: bool, limits: ArchiveLimits) -> str | None:
    """Validate a member name and return it normalised, or None for the root (``./``)."""
    if not raw:
        raise ArchiveError("unsafe_path", "empty entry name", raw)
    for ch in raw:
        if unicodedata.category(ch) in _BAD_CATEGORIES:
            raise ArchiveError(
                "unsafe_path",
                f"name contains control or invisible character U+{ord(ch):04X}",
                raw,
            )
    # '..' is checked with both separators: on Windows, or for any tool that treats '\'
    # as a separator, '..\\x' traverses just like '../x'.
    if ".." in _ANY_SEP.split(raw):
        raise ArchiveError("path_traversal", "name contains a '..' segment", raw)
    if "\\" in raw:
        raise ArchiveError("unsafe_path", "name contains a backslash", raw)
    if raw.startswith("/"):
        raise ArchiveError("unsafe_path", "absolute path", raw)
    if _DRIVE.match(raw):
        raise ArchiveError("unsafe_path", "name starts with a drive letter", raw)
    if raw.endswith("/") and not is_dir:
        raise ArchiveError("unsafe_path", "file name ends with '/'", raw)
    # Drop '.', empty segments ('a//b') and the './' prefix that `tar -C dir .` adds.
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if not parts:
        if is_dir:
            return None
        raise ArchiveError("unsafe_path", "file name has no path components", raw)
    name = "/".join(parts)
    if len(name.encode("utf-8")) > MAX_PATH_BYTES:
        raise ArchiveError("name_too_long", f"path longer than {MAX_PATH_BYTES} bytes", raw)
    for part in parts:
        if len(part.encode("utf-8")) > limits.max_name_bytes:
            raise ArchiveError(
                "name_too_long",
                f"path component longer than {limits.max_name_bytes} bytes",
                raw,
            )
    if len(parts) > limits.max_depth:
        raise ArchiveError("path_too_deep", f"more than {limits.max_depth} path components", raw)
    # Fullwidth solidus (U+FF0F) and full stops (U+FF0E) become '/' and '..' under NFKC:
    # refuse names whose compatibility form is structurally different, so no later
    # normalising tool can turn them into other paths.
    folded = unicodedata.normalize("NFKC", name)
    if folded != name:
        folded_parts = _ANY_SEP.split(folded)
        if ".." in folded_parts:
            raise ArchiveError("path_traversal", "name folds to a '..' segment (NFKC)", raw)
        if len(folded_parts) != len(parts) or any(p in ("", ".") for p in folded_parts):
            raise ArchiveError("unsafe_path", "name folds to a different path (NFKC)", raw)
    return name


def _fold(name: str) -> str:
    # NFKC, then case folding, then NFKC again (casefold can denormalise): the key under
    # which two names would land on the same file on a case-insensitive/normalising FS.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def _is_nested_name(name: str) -> bool:
    return name.lower().endswith(_NESTED_SUFFIXES)


class _Registry:
    """Tracks every path (explicit entries and their implied parent directories) to find
    duplicates, case/Unicode collisions and file-versus-directory conflicts."""

    def __init__(self) -> None:
        self._kinds: dict[str, bool] = {}  # path -> is_dir
        self._explicit: set[str] = set()
        self._folded: dict[str, str] = {}

    def add(self, name: str, is_dir: bool) -> None:
        parts = name.split("/")
        for i in range(1, len(parts)):
            self._add("/".join(parts[:i]), True, explicit=False, entry=name)
        self._add(name, is_dir, explicit=True, entry=name)

    def _add(self, path: str, is_dir: bool, *, explicit: bool, entry: str) -> None:
        known = self._kinds.get(path)
        if known is None:
            other = self._folded.setdefault(_fold(path), path)
            if other != path:
                raise ArchiveError(
                    "name_collision",
                    f"{path!r} and {other!r} collide after case folding/normalisation",
                    entry,
                )
            self._kinds[path] = is_dir
        elif known != is_dir:
            raise ArchiveError(
                "file_dir_conflict", f"{path!r} is both a file and a directory", entry
            )
        elif explicit and path in self._explicit:
            raise ArchiveError("duplicate_entry", f"{path!r} appears more than once", entry)
        if explicit:
            self._explicit.add(path)


class _Totals:
    """Running declared totals shared by the zip and tar scans."""

    def __init__(self, limits: ArchiveLimits) -> None:
        self.limits = limits
        self.entries = 0
        self.declared = 0

    def count_entry(self, entry: str) -> None:
        self.entries += 1
        if self.entries > self.limits.max_entries:
            raise ArchiveError(
                "too_many_entries", f"more than {self.limits.max_entries} entries", entry
            )

    def add_declared(self, size: int, entry: str) -> None:
        self.declared += size
        if size > self.limits.max_total_bytes or self.declared > self.limits.max_total_bytes:
            raise ArchiveError(
                "too_large",
                f"declared sizes exceed {self.limits.max_total_bytes} bytes",
                entry,
            )


def _check_ratio(
    uncompressed: int, compressed: int, limits: ArchiveLimits, what: str, entry: str | None
) -> None:
    if uncompressed < RATIO_FLOOR_BYTES:
        return
    if uncompressed > limits.max_ratio * max(compressed, 1):
        raise ArchiveError(
            "compression_ratio",
            f"{what} expands {uncompressed} bytes from {compressed} "
            f"(ratio above {limits.max_ratio:g})",
            entry,
        )


def _finish(entries: list[ArchiveEntry]) -> list[ArchiveEntry]:
    files = [e.name for e in entries if not e.is_dir]
    if not files:
        raise ArchiveError("empty_archive", "the archive holds no regular files")
    if not has_terraform(files):
        raise ArchiveError("no_terraform", "no .tf, .tf.json or plan .json file in the archive")
    return entries


# --------------------------------------------------------------------------------- ZIP


@dataclass(frozen=True)
class _Eocd:
    offset: int  # where the classic end record starts
    disk: int  # number of this disk / of the disk holding the central directory
    cd_disk: int
    entries_here: int  # entries on this disk / in total, as declared
    entries: int
    zip64: bytes | None  # the zip64 locator (20 bytes) when present


def _find_eocd(fp: IO[bytes], size: int) -> _Eocd | None:
    """Locate the end-of-central-directory record the way zipfile does (so both agree)."""
    if size < _ZIP_EOCD_SIZE:
        return None
    tail_len = min(size, 0xFFFF + _ZIP_EOCD_SIZE)
    fp.seek(size - tail_len)
    tail = fp.read(tail_len)
    if tail[-_ZIP_EOCD_SIZE : -_ZIP_EOCD_SIZE + 4] == _ZIP_EOCD and tail[-2:] == b"\0\0":
        pos = len(tail) - _ZIP_EOCD_SIZE
    else:
        pos = tail.rfind(_ZIP_EOCD)
        if pos < 0 or pos + _ZIP_EOCD_SIZE > len(tail):
            return None
    _sig, disk, cd_disk, n_here, n_total, _size, _off, _clen = struct.unpack_from(
        "<4s4H2LH", tail, pos
    )
    offset = size - tail_len + pos
    locator: bytes | None = None
    if offset >= 20:
        fp.seek(offset - 20)
        locator = fp.read(20)
        if locator[:4] != _ZIP_EOCD64_LOC:
            locator = None
    return _Eocd(offset, disk, cd_disk, n_here, n_total, locator)


def _declared_entries(fp: IO[bytes], eocd: _Eocd) -> int | None:
    """Entry count from the end records; refuses multi-volume archives.  None when only
    zipfile's own zip64 parsing can tell."""
    if eocd.disk != 0 or eocd.cd_disk != 0:
        raise ArchiveError("unsupported_format", "multi-volume (split) zip archive")
    if eocd.entries_here != eocd.entries:
        raise ArchiveError("corrupt_archive", "end record entry counts disagree")
    if eocd.zip64 is None:
        return eocd.entries
    _sig, z64_disk, _z64_off, disks = struct.unpack("<4sLQL", eocd.zip64)
    if z64_disk != 0 or disks > 1:
        raise ArchiveError("unsupported_format", "multi-volume (split) zip64 archive")
    if eocd.offset < 76:
        return None
    # zipfile expects the zip64 end record right before the locator; so do we.
    fp.seek(eocd.offset - 76)
    record = fp.read(56)
    if record[:4] != _ZIP_EOCD64:
        return None
    _sig64, _sz, _made, _need, disk, cd_disk, n_here, n_total, _cds, _cdo = struct.unpack(
        "<4sQ2H2L4Q", record
    )
    if disk != 0 or cd_disk != 0:
        raise ArchiveError("unsupported_format", "multi-volume (split) zip64 archive")
    if n_here != n_total:
        raise ArchiveError("corrupt_archive", "zip64 end record entry counts disagree")
    return int(n_total)


def _unicode_path_extra(info: zipfile.ZipInfo) -> str | None:
    """The Info-ZIP Unicode Path extra field (0x7075), if it applies to this entry.

    unzip and 7-Zip prefer this name over the header's when its CRC matches the header
    name, so an entry carrying a *different* name there has two names."""
    extra, i = info.extra, 0
    while i + 4 <= len(extra):
        tag, length = struct.unpack_from("<2H", extra, i)
        data = extra[i + 4 : i + 4 + length]
        i += 4 + length
        if tag != 0x7075 or len(data) < 5 or data[0] != 1:
            continue
        encoding = "utf-8" if info.flag_bits & _ZIP_UTF8_FLAG else "cp437"
        header_name = info.orig_filename.encode(encoding, "surrogateescape")
        if struct.unpack_from("<L", data, 1)[0] != zlib.crc32(header_name):
            return None  # stale field: every tool ignores it
        return data[5:].decode("utf-8", "surrogateescape")
    return None


def _zip_is_dir(info: zipfile.ZipInfo, name: str) -> bool:
    """Entry type from the name and the mode bits; refuse links, specials, contradictions."""
    is_dir = name.endswith("/")
    mode = info.external_attr >> 16
    fmt = stat.S_IFMT(mode)
    if fmt:
        # Unix mode bits are honoured whatever create_system says: other extractors do.
        if stat.S_ISLNK(mode):
            raise ArchiveError("link_entry", "symbolic link", name)
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise ArchiveError("special_entry", f"non-regular file (mode {oct(mode)})", name)
        if stat.S_ISDIR(mode) != is_dir:
            raise ArchiveError("special_entry", "entry type bits disagree with its name", name)
    dos = info.external_attr & 0xFF
    if dos & _DOS_VOLUME_LABEL:
        raise ArchiveError("special_entry", "DOS volume label entry", name)
    if dos & _DOS_DIRECTORY and not is_dir:
        raise ArchiveError("special_entry", "DOS directory attribute on a file name", name)
    return is_dir


def _check_zip_layout(
    fp: IO[bytes], size: int, start_dir: int, infos: list[zipfile.ZipInfo]
) -> None:
    """Prefix data, overlapping entries and local/central header agreement."""
    if not infos:
        if start_dir != 0:
            raise ArchiveError("prefix_data", f"{start_dir} bytes before the end record")
        return
    first = min(info.header_offset for info in infos)
    fp.seek(0)
    if first != 0 or fp.read(4) != _ZIP_LFH:
        raise ArchiveError(
            "prefix_data", f"data before the first local header (first entry at {first})"
        )
    spans: list[tuple[int, int, zipfile.ZipInfo, bytes, int]] = []
    for info in infos:
        off = info.header_offset
        fp.seek(off)
        header = fp.read(_ZIP_LFH_SIZE)
        if len(header) != _ZIP_LFH_SIZE or header[:4] != _ZIP_LFH:
            raise ArchiveError("corrupt_archive", "bad local header", info.orig_filename)
        flags = struct.unpack_from("<H", header, 6)[0]
        name_len, extra_len = struct.unpack_from("<2H", header, 26)
        local_name = fp.read(name_len)
        data_end = off + _ZIP_LFH_SIZE + name_len + extra_len + info.compress_size
        if data_end > size:
            raise ArchiveError(
                "corrupt_archive", "entry data runs past end of file", info.orig_filename
            )
        spans.append((off, data_end, info, local_name, flags))
    spans.sort(key=lambda s: s[0])
    # Fifield's bomb points many central entries at (parts of) the same compressed data;
    # in an honest zip every local header + data span is disjoint and precedes the CD.
    for (_, end, info, _, _), (nxt, _, other, _, _) in itertools.pairwise(spans):
        if end > nxt:
            raise ArchiveError(
                "overlapping_entries",
                f"entry overlaps {other.orig_filename!r} (ends at {end}, next at {nxt})",
                info.orig_filename,
            )
    last_end, last = spans[-1][1], spans[-1][2]
    if last_end > start_dir:
        raise ArchiveError(
            "overlapping_entries", "entry overlaps the central directory", last.orig_filename
        )
    for _, _, info, local_name, flags in spans:
        encoding = "utf-8" if flags & _ZIP_UTF8_FLAG else "cp437"
        unicode_name = _unicode_path_extra(info)
        if unicode_name is not None and unicode_name != info.orig_filename:
            raise ArchiveError(
                "corrupt_archive",
                f"Unicode path extra field names it {unicode_name!r}",
                info.orig_filename,
            )
        if local_name.decode(encoding, "surrogateescape") != info.orig_filename:
            # Two names for one entry: different tools would extract different files.
            raise ArchiveError(
                "corrupt_archive",
                "local header name differs from central directory",
                info.orig_filename,
            )


def _scan_zip(
    fp: IO[bytes], size: int, limits: ArchiveLimits, writer: _Writer | None
) -> list[ArchiveEntry]:
    eocd = _find_eocd(fp, size)
    if eocd is None:
        raise ArchiveError("corrupt_archive", "no zip end record (truncated or not a zip)")
    declared = _declared_entries(fp, eocd)
    if declared is not None and declared > limits.max_entries:
        # Before zipfile materialises one ZipInfo per central directory record.
        raise ArchiveError("too_many_entries", f"declares {declared} entries")
    try:
        zf = zipfile.ZipFile(fp)
    except NotImplementedError as exc:
        raise ArchiveError("unsupported_format", f"zip feature not supported: {exc}") from exc
    except _PARSER_ERRORS as exc:
        raise ArchiveError("corrupt_archive", f"unreadable zip: {exc}") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_entries:
            raise ArchiveError("too_many_entries", f"{len(infos)} entries")
        if declared is not None and declared != len(infos):
            # zipfile walks the directory by its byte size, other tools by this count.
            raise ArchiveError(
                "corrupt_archive",
                f"end record declares {declared} entries, directory holds {len(infos)}",
            )
        _check_zip_layout(fp, size, zf.start_dir, infos)
        registry = _Registry()
        totals = _Totals(limits)
        entries: list[ArchiveEntry] = []
        plan: list[tuple[zipfile.ZipInfo, ArchiveEntry]] = []
        for info in infos:
            raw = info.orig_filename  # keeps anything after a NUL that .filename cuts off
            totals.count_entry(raw)
            # The type first: links and specials are refused whatever they are called.
            is_dir = _zip_is_dir(info, raw)
            name = _check_name(raw, is_dir, limits)
            if info.flag_bits & _ZIP_ENCRYPTION_FLAGS or info.compress_type == _ZIP_AES:
                raise ArchiveError("encrypted_entry", "encrypted entry", raw)
            if info.compress_type not in (_ZIP_STORED, _ZIP_DEFLATED):
                raise ArchiveError(
                    "unsupported_compression", f"compression method {info.compress_type}", raw
                )
            if is_dir and info.file_size:
                raise ArchiveError("corrupt_archive", "directory entry carries data", raw)
            if name is None:
                continue
            if not is_dir and _is_nested_name(name):
                raise ArchiveError("nested_archive", "archive inside the archive", raw)
            if info.compress_type == _ZIP_STORED and info.compress_size != info.file_size:
                raise ArchiveError("corrupt_archive", "stored entry sizes disagree", raw)
            totals.add_declared(info.file_size, raw)
            _check_ratio(info.file_size, info.compress_size, limits, "entry", raw)
            registry.add(name, is_dir)
            entry = ArchiveEntry(name, info.file_size, info.compress_size, is_dir)
            entries.append(entry)
            plan.append((info, entry))
        _check_ratio(totals.declared, size, limits, "archive", None)
        _finish(entries)
        if writer is not None:
            for info, entry in plan:
                if entry.is_dir:
                    writer.make_dir(entry.name)
                    continue
                try:
                    src = zf.open(info)
                except _PARSER_ERRORS as exc:
                    raise ArchiveError(
                        "corrupt_archive", f"cannot read entry: {exc}", entry.name
                    ) from exc
                with src:
                    writer.write_file(entry.name, src, info.file_size, info.compress_size)
    return entries


# ------------------------------------------------------------------------------ tar.gz


class _GuardedTarInfo(tarfile.TarInfo):
    """TarInfo that refuses what would make tarfile allocate without bound, *before* it
    reads it.

    tarfile reads a GNU long name or a PAX header into memory in one go, and a GNU or PAX
    1.0 sparse map into a list of integers as long as the header claims: a few KiB of
    gzip could make it allocate gigabytes.  ``_proc_member`` is the hook tarfile documents
    for subclasses (every header in a long-name/PAX chain goes through it); the
    ``_proc_gnusparse_*`` methods are what ``_proc_pax`` calls on the same object.  Should
    a future Python rename them, the sparse check in ``_tar_is_dir`` still refuses those
    members - only this early exit would be lost.
    """

    def _proc_member(self, tarfile_: tarfile.TarFile) -> tarfile.TarInfo:
        if self.type == tarfile.GNUTYPE_SPARSE:
            raise ArchiveError("special_entry", "sparse file", self.name)
        if self.type in _TAR_META_TYPES:
            # Per block, and per archive (global PAX headers accumulate in tarfile).
            total = getattr(tarfile_, "_tfquote_meta_bytes", 0) + self.size
            setattr(tarfile_, "_tfquote_meta_bytes", total)  # noqa: B010
            if self.size > MAX_TAR_META_BYTES or total > _MAX_TAR_META_TOTAL:
                raise ArchiveError(
                    "name_too_long", f"tar metadata header of {self.size} bytes", self.name
                )
        result: tarfile.TarInfo = super()._proc_member(tarfile_)  # type: ignore[misc]
        return result

    def _refuse_sparse(self, next_: tarfile.TarInfo, pax: dict[str, str], *_: object) -> None:
        name = pax.get("GNU.sparse.name") or pax.get("path") or next_.name
        raise ArchiveError("special_entry", "sparse file (PAX GNU.sparse)", name)

    _proc_gnusparse_00 = _refuse_sparse
    _proc_gnusparse_01 = _refuse_sparse
    _proc_gnusparse_10 = _refuse_sparse


class _CountingReader(io.RawIOBase):
    """Read-only stream over the decompressed tar that counts every byte and stops the
    moment the stream exceeds the byte cap or the compression ratio.

    It also remembers the last few hundred KiB it handed out, so that once tarfile says
    "end of archive" we can check that everything from there on is zero padding: tarfile
    silently stops at the first bad header, while GNU tar skips it and extracts what
    follows - a member only some tools can see must not slip through.
    """

    _KEEP: Final = 256 * 1024  # far more than tarfile's read-ahead (one 10 KiB record)

    def __init__(self, source: gzip.GzipFile, limits: ArchiveLimits) -> None:
        super().__init__()
        self._source = source
        self._cap = (
            limits.max_total_bytes
            + limits.max_entries * _TAR_OVERHEAD_PER_ENTRY
            + _TAR_OVERHEAD_FIXED
        )
        self._recent: deque[tuple[int, bytes]] = deque()
        self._recent_size = 0
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        try:
            n = self._source.readinto(buffer)
        except _PARSER_ERRORS as exc:
            raise ArchiveError("corrupt_archive", f"bad gzip stream: {exc}") from exc
        if n:
            self._remember(bytes(memoryview(buffer)[:n]))
        self.count += n
        # Only a cap here, no ratio: tar headers and padding compress to almost nothing, so
        # a legitimate tar of many small files has a huge stream ratio.  The ratio is judged
        # on file bytes instead (declared in the scan, real in the writer).
        if self.count > self._cap:
            raise ArchiveError("too_large", f"decompressed stream exceeds {self._cap} bytes")
        return n

    def _remember(self, chunk: bytes) -> None:
        self._recent.append((self.count, chunk))
        self._recent_size += len(chunk)
        while self._recent_size - len(self._recent[0][1]) >= self._KEEP:
            self._recent_size -= len(self._recent.popleft()[1])

    def verify_end(self, end: int) -> None:
        """Everything from stream offset ``end`` (where tarfile stopped) must be zeros;
        reads to the end of the gzip stream, which also verifies its CRC and length."""
        if self._recent and self._recent[0][0] > end:
            raise ArchiveError("corrupt_archive", "tar stream ended in an unexpected place")
        for start, chunk in self._recent:
            skip = max(end - start, 0)
            if skip < len(chunk) and chunk.count(0, skip) != len(chunk) - skip:
                raise ArchiveError("corrupt_archive", "data after the tar end-of-archive point")
        self._recent.clear()
        buffer = bytearray(_CHUNK)
        while n := self.readinto(buffer):
            self._recent.clear()
            if buffer.count(0, 0, n) != n:
                raise ArchiveError("corrupt_archive", "data after the tar end-of-archive point")


def _tar_is_dir(member: tarfile.TarInfo, name: str) -> bool:
    if member.issym() or member.islnk():
        raise ArchiveError("link_entry", f"link to {member.linkname!r}", name)
    if member.sparse is not None or member.type == tarfile.GNUTYPE_SPARSE:
        raise ArchiveError("special_entry", "sparse file", name)
    if member.type == tarfile.DIRTYPE:
        return True
    if member.type in _TAR_FILE_TYPES:
        return False
    raise ArchiveError("special_entry", f"non-regular tar member (type {member.type!r})", name)


def _apply_data_filter(member: tarfile.TarInfo, dest: str) -> None:
    """PEP 706 'data' filter as a second opinion after our own rules."""
    try:
        tarfile.data_filter(member, dest)
    except (tarfile.AbsoluteLinkError, tarfile.LinkOutsideDestinationError) as exc:
        raise ArchiveError("link_entry", str(exc), member.name) from exc
    except tarfile.SpecialFileError as exc:
        raise ArchiveError("special_entry", str(exc), member.name) from exc
    except tarfile.OutsideDestinationError as exc:
        raise ArchiveError("path_traversal", str(exc), member.name) from exc
    except (tarfile.FilterError, ValueError, OSError) as exc:
        # AbsolutePathError and friends; plain ValueError for embedded NUL on 3.11.
        raise ArchiveError(
            "unsafe_path", f"refused by tar data filter: {exc}", member.name
        ) from exc


def _next_member(tf: tarfile.TarFile) -> tarfile.TarInfo | None:
    try:
        return tf.next()
    except ArchiveError:
        raise
    except _PARSER_ERRORS as exc:
        raise ArchiveError("corrupt_archive", f"bad tar stream: {exc}") from exc


def _scan_tar_gz(
    fp: IO[bytes], size: int, limits: ArchiveLimits, writer: _Writer | None
) -> list[ArchiveEntry]:
    fp.seek(0)
    with gzip.GzipFile(fileobj=fp, mode="rb") as gz:
        return _scan_tar_stream(_CountingReader(gz, limits), size, limits, writer)


def _scan_tar_stream(
    reader: _CountingReader, size: int, limits: ArchiveLimits, writer: _Writer | None
) -> list[ArchiveEntry]:
    # Without a real destination (inspection) the data filter still needs one to judge
    # where a name would land; a fixed path that nothing ever writes to does the job.
    filter_dest = str(writer.root) if writer is not None else os.path.join(os.sep, "tfquote-dest")
    try:
        # Stream mode ("r|"): forward-only, so nothing is re-read or seeked around.
        tf = tarfile.open(fileobj=reader, mode="r|", tarinfo=_GuardedTarInfo)  # noqa: SIM115
    except ArchiveError:
        raise
    except _PARSER_ERRORS as exc:
        raise ArchiveError("corrupt_archive", f"bad tar stream: {exc}") from exc
    registry = _Registry()
    totals = _Totals(limits)
    entries: list[ArchiveEntry] = []
    with tf:
        while (member := _next_member(tf)) is not None:
            raw = member.name  # final name, after GNU long-name and PAX path overrides
            totals.count_entry(raw)
            is_dir = _tar_is_dir(member, raw)
            name = _check_name(raw, is_dir, limits)
            _apply_data_filter(member, filter_dest)
            if name is None:
                continue
            if not is_dir and _is_nested_name(name):
                raise ArchiveError("nested_archive", "archive inside the archive", raw)
            if is_dir and member.size:
                raise ArchiveError("corrupt_archive", "directory entry carries data", raw)
            totals.add_declared(member.size, raw)
            _check_ratio(totals.declared, size, limits, "archive", raw)
            registry.add(name, is_dir)
            entry = ArchiveEntry(name, member.size, None, is_dir)
            entries.append(entry)
            if writer is None:
                continue
            if is_dir:
                writer.make_dir(name)
                continue
            try:
                src = tf.extractfile(member)
            except ArchiveError:
                raise
            except _PARSER_ERRORS as exc:
                raise ArchiveError("corrupt_archive", f"cannot read member: {exc}", raw) from exc
            if src is None:  # cannot happen for the regular types we accept
                raise ArchiveError("special_entry", "member has no data stream", raw)
            with src:
                writer.write_file(name, src, member.size, None)
        reader.verify_end(tf.offset)
    return _finish(entries)


# -------------------------------------------------------------------------- extraction


class _Writer:
    """Writes validated entries under ``root``, counting real bytes."""

    def __init__(self, dest: Path, limits: ArchiveLimits, archive_size: int) -> None:
        self.dest = dest
        self.root = Path(os.path.realpath(dest))
        self.limits = limits
        self.archive_size = archive_size
        self.total = 0
        self.written: list[Path] = []
        # Directories this extraction made (or found) and checked: real directories inside
        # the root. Checked once each, not once per file under them — those checks were
        # half of the time spent on an archive of many small files. Every file's own
        # path is still resolved and checked in write_file before it is created.
        self._checked_dirs: set[str] = set()

    def _inside(self, path: str) -> None:
        real = os.path.realpath(path)
        if os.path.commonpath([real, str(self.root)]) != str(self.root):
            raise ArchiveError("path_traversal", "resolved path leaves the destination", path)

    def make_dir(self, name: str) -> None:
        current = str(self.root)
        for part in name.split("/"):
            current = os.path.join(current, part)
            if current in self._checked_dirs:
                continue
            try:
                os.mkdir(current, 0o755)
                os.chmod(current, 0o755)  # exact mode regardless of the worker's umask
            except FileExistsError:
                # Only a real directory we made may be reused; never follow a link.
                if not stat.S_ISDIR(os.lstat(current).st_mode):
                    raise ArchiveError(
                        "file_dir_conflict", f"{part!r} exists and is not a directory", name
                    ) from None
            except OSError as exc:
                raise ArchiveError("io_error", f"cannot create directory: {exc}", name) from exc
            self._inside(current)
            self._checked_dirs.add(current)

    def write_file(self, name: str, src: IO[bytes], declared: int, compressed: int | None) -> None:
        parent, _, _ = name.rpartition("/")
        if parent:
            self.make_dir(parent)
        target = os.path.join(str(self.root), name)
        self._inside(target)  # resolves the (real, link-free) parent we just made
        head = self._read(src, _MAGIC_HEAD, name)
        while len(head) < _MAGIC_HEAD:
            more = self._read(src, _MAGIC_HEAD - len(head), name)
            if not more:
                break
            head += more
        kind = _magic_kind(head)
        if kind is not None:
            raise ArchiveError("nested_archive", f"entry content is a {kind} archive", name)
        try:
            out = open(target, "xb", opener=_create_file)  # noqa: SIM115 - closed below
        except FileExistsError as exc:
            raise ArchiveError("duplicate_entry", "file already written", name) from exc
        except OSError as exc:
            raise ArchiveError("io_error", f"cannot create file: {exc}", name) from exc
        self.written.append(self.dest / name)
        written = 0
        with out:
            chunk = head
            while chunk:
                written += len(chunk)
                self._account(len(chunk), written, declared, compressed, name)
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise ArchiveError("io_error", f"cannot write file: {exc}", name) from exc
                chunk = self._read(src, _CHUNK, name)
        if written != declared:
            raise ArchiveError(
                "corrupt_archive", f"entry holds {written} bytes, declared {declared}", name
            )

    def _account(
        self, n: int, written: int, declared: int, compressed: int | None, name: str
    ) -> None:
        # Real bytes, checked before they reach the disk: declared sizes are only claims.
        self.total += n
        if self.total > self.limits.max_total_bytes:
            raise ArchiveError(
                "too_large", f"more than {self.limits.max_total_bytes} bytes written", name
            )
        if written > declared:
            raise ArchiveError("corrupt_archive", "entry is longer than declared", name)
        if compressed is not None:
            _check_ratio(written, compressed, self.limits, "entry", name)
        _check_ratio(self.total, self.archive_size, self.limits, "archive", name)

    @staticmethod
    def _read(src: IO[bytes], n: int, name: str) -> bytes:
        try:
            return src.read(n)
        except ArchiveError:
            raise
        except _PARSER_ERRORS as exc:
            # Bad CRC, truncated data, bad deflate stream: the archive's fault.
            raise ArchiveError("corrupt_archive", f"cannot read entry data: {exc}", name) from exc


def _create_file(path: str, flags: int) -> int:
    # O_NOFOLLOW on top of the O_EXCL that "xb" sets: never write through a link; the mode
    # is ours, not the archive's, and fchmod makes it exact whatever the umask.
    fd = os.open(path, flags | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        os.fchmod(fd, 0o644)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _clear_directory(dest: Path) -> None:
    """Best-effort removal of everything under ``dest`` (which itself stays)."""
    try:
        children = list(os.scandir(dest))
    except OSError:
        return
    for child in children:
        try:
            if child.is_dir(follow_symlinks=False):
                shutil.rmtree(child.path, ignore_errors=True)
            else:
                os.unlink(child.path)
        except OSError:
            continue  # keep going: remove as much as we can
