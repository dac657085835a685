"""Reading an uploaded tar.gz bundle safely, entirely in memory.

The bundle comes from another service but is still treated as hostile: nothing is ever written
to disk (so there is no extraction path to escape from), only regular files are accepted, and
both the member count and the *real* decompressed byte count are enforced while streaming, so a
gzip bomb or a lying tar header is stopped after at most the configured limit has been read.
"""

from __future__ import annotations

import gzip
import io
import struct
import tarfile
import zlib
from pathlib import PurePosixPath
from typing import IO

from engine.errors import BundleError

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 64 * 1024
# Tar headers and padding are not file content but still have to be decompressed; allow this
# much framing per member on top of the content limit before calling the stream a bomb.
_FRAMING_PER_MEMBER = 3 * 512
_FRAMING_BASE = 64 * 1024


class _CountingReader(io.RawIOBase):
    """A read-only stream that fails once more than ``limit`` bytes have been read through it.

    It wraps the gzip stream handed to tarfile, so *everything* tarfile decompresses (headers,
    PAX records, padding, content) counts, not just what member headers claim.
    """

    def __init__(self, inner: IO[bytes] | gzip.GzipFile, limit: int) -> None:
        super().__init__()
        self._inner = inner
        self._limit = limit
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        self.count += len(data)
        if self.count > self._limit:
            raise BundleError(
                "invalid_bundle", "bundle expands beyond the size limit", reason="too_large"
            )
        buffer[: len(data)] = data
        return len(data)


def read_bundle(data: bytes, *, max_files: int, max_bytes: int) -> dict[str, bytes]:
    """Return ``{relative posix path: content}`` for every regular file in a tar.gz.

    Raises :class:`BundleError` (code ``invalid_bundle``) for anything that is not a clean
    archive of regular files within the limits. Directory entries are accepted and skipped.
    """
    if not data.startswith(GZIP_MAGIC):
        raise BundleError("invalid_bundle", "bundle is not a gzip-compressed tar", reason="format")
    limit = max_bytes + max_files * _FRAMING_PER_MEMBER + _FRAMING_BASE
    stream = _CountingReader(gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb"), limit)
    try:
        # Stream mode ("r|") reads strictly forward through the counting reader: no seeking
        # back, so nothing is decompressed twice and the count is exact.
        with tarfile.open(fileobj=io.BufferedReader(stream, _CHUNK), mode="r|") as archive:
            return _read_members(archive, max_files=max_files, max_bytes=max_bytes)
    except BundleError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError, ValueError, struct.error) as exc:
        # gzip.BadGzipFile is an OSError; truncated streams raise EOFError; bad headers raise
        # tarfile errors or ValueError (UnicodeDecodeError included).
        raise BundleError(
            "invalid_bundle", f"bundle is not a readable tar.gz ({type(exc).__name__})"
        ) from exc


def _read_members(archive: tarfile.TarFile, *, max_files: int, max_bytes: int) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    members = 0
    total = 0
    for member in archive:
        members += 1
        if members > max_files:
            raise BundleError(
                "invalid_bundle",
                f"bundle has more than {max_files} members",
                reason="too_many_files",
            )
        path = _safe_path(member.name)
        if member.isdir():
            continue
        if member.issym() or member.islnk():
            raise BundleError(
                "invalid_bundle", f"{path}: links are not allowed in a bundle", reason="link"
            )
        if not member.isreg():
            raise BundleError(
                "invalid_bundle",
                f"{path}: only regular files are allowed (devices, fifos... are not)",
                reason="special_file",
            )
        if path is None:
            raise BundleError("invalid_bundle", "a bundle member has an empty name", reason="name")
        if path in files:
            raise BundleError(
                "invalid_bundle", f"{path}: duplicate member in bundle", reason="duplicate"
            )
        handle = archive.extractfile(member)
        if handle is None:  # pragma: no cover - isreg() members always have a handle
            raise BundleError("invalid_bundle", f"{path}: unreadable member", reason="member")
        chunks: list[bytes] = []
        while True:
            chunk = handle.read(_CHUNK)
            if not chunk:
                break
            # Count what is really read, not member.size: the header may lie.
            total += len(chunk)
            if total > max_bytes:
                raise BundleError(
                    "invalid_bundle",
                    f"bundle content exceeds {max_bytes} bytes",
                    reason="too_large",
                )
            chunks.append(chunk)
        files[path] = b"".join(chunks)
    return files


def _safe_path(name: str) -> str | None:
    """Normalise a member name to a relative posix path, rejecting anything that could escape.

    Returns None for the archive root (``.`` / ``./``), which tar tools emit as a directory.
    """
    if "\x00" in name or "\\" in name:
        raise BundleError("invalid_bundle", f"{name!r}: invalid member name", reason="name")
    if name.startswith("/"):
        raise BundleError(
            "invalid_bundle", f"{name}: absolute paths are not allowed", reason="absolute_path"
        )
    parts = [part for part in PurePosixPath(name).parts if part not in ("", ".")]
    if any(part == ".." for part in parts):
        raise BundleError(
            "invalid_bundle", f"{name}: '..' is not allowed in paths", reason="path_traversal"
        )
    if parts and parts[0].endswith(":"):
        # "C:" style prefixes mean nothing on posix but would be absolute on Windows consumers.
        raise BundleError(
            "invalid_bundle", f"{name}: drive-qualified paths are not allowed", reason="name"
        )
    if not parts:
        return None
    return "/".join(parts)
