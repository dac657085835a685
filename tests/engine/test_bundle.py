"""The bundle reader: in-memory tar.gz, regular files only, hostile archives rejected."""

from __future__ import annotations

import gzip
import io
import tarfile

import pytest

from engine.bundle import read_bundle
from engine.errors import BundleError
from tests.engine.helpers import build_tgz

pytestmark = pytest.mark.unit

LIMITS = {"max_files": 10, "max_bytes": 4096}


def _info(name: str, kind: bytes, **attrs: object) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    for key, value in attrs.items():
        setattr(info, key, value)
    return info


def _reject(data: bytes, reason: str, **limits: int) -> BundleError:
    with pytest.raises(BundleError) as caught:
        read_bundle(data, **{**LIMITS, **limits})
    assert caught.value.code == "invalid_bundle"
    assert caught.value.reason == reason, caught.value.message
    return caught.value


def test_reads_regular_files_and_skips_directories() -> None:
    data = build_tgz(
        {
            "./": _info("./", tarfile.DIRTYPE),
            "./main.tf": b"a",
            "mod/": _info("mod/", tarfile.DIRTYPE),
            "mod/x.tf": b"bb",
        }
    )
    assert read_bundle(data, **LIMITS) == {"main.tf": b"a", "mod/x.tf": b"bb"}


def test_empty_archive_gives_no_files() -> None:
    assert read_bundle(build_tgz({}), **LIMITS) == {}


def test_symlink_is_rejected() -> None:
    link = _info("evil.tf", tarfile.SYMTYPE, linkname="/etc/passwd")
    _reject(build_tgz({"main.tf": b"x", "evil.tf": link}), "link")


def test_hardlink_is_rejected() -> None:
    link = _info("copy.tf", tarfile.LNKTYPE, linkname="main.tf")
    _reject(build_tgz({"main.tf": b"x", "copy.tf": link}), "link")


def test_parent_traversal_is_rejected() -> None:
    error = _reject(build_tgz({"../x.tf": b"x"}), "path_traversal")
    assert "../x.tf" in error.message


def test_nested_traversal_is_rejected() -> None:
    _reject(build_tgz({"a/../../x.tf": b"x"}), "path_traversal")


def test_absolute_path_is_rejected() -> None:
    _reject(build_tgz({"/etc/x.tf": b"x"}), "absolute_path")


@pytest.mark.parametrize("kind", [tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE])
def test_devices_and_fifos_are_rejected(kind: bytes) -> None:
    _reject(build_tgz({"dev": _info("dev", kind, devmajor=1, devminor=3)}), "special_file")


def test_too_many_files_is_rejected() -> None:
    members = {f"f{i}.tf": b"x" for i in range(11)}
    _reject(build_tgz(members), "too_many_files")


def test_exactly_max_files_is_accepted() -> None:
    members = {f"f{i}.tf": b"x" for i in range(10)}
    assert len(read_bundle(build_tgz(members), **LIMITS)) == 10


def test_too_big_is_rejected_by_real_bytes() -> None:
    _reject(build_tgz({"a.tf": b"x" * 3000, "b.tf": b"y" * 3000}), "too_large")


def test_gzip_bomb_is_stopped_while_streaming() -> None:
    # 64 MiB of zeros compresses to ~64 KiB; the reader must stop long before inflating it all.
    bomb = build_tgz({"big.tf": bytes(64 * 1024 * 1024)})
    assert len(bomb) < 200_000
    _reject(bomb, "too_large", max_bytes=1024 * 1024)


def test_duplicate_member_is_rejected() -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for content in (b"one", b"two"):
            info = tarfile.TarInfo("main.tf")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    _reject(buffer.getvalue(), "duplicate")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a tarball",
        gzip.compress(b"gzip but not a tar archive" * 40),
        build_tgz({"main.tf": b"x" * 2000})[:-30],  # truncated stream
        b"\x1f\x8b" + b"\x00" * 40,  # gzip magic, corrupt header
    ],
    ids=["empty", "plain-text", "gzip-not-tar", "truncated", "corrupt-gzip"],
)
def test_unreadable_archives_are_invalid_bundle(data: bytes) -> None:
    with pytest.raises(BundleError) as caught:
        read_bundle(data, **LIMITS)
    assert caught.value.code == "invalid_bundle"


def test_uncompressed_tar_is_rejected() -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("main.tf")
        archive.addfile(info, io.BytesIO(b""))
    _reject(buffer.getvalue(), "format")
