"""Builders for hostile (and benign) archives, for the tfquote.archives tests.

Every attack builder takes a scratch directory, writes ONE archive into it and returns
``(path, expected_code)``.  :data:`ATTACKS` lists them with what the tests need to know
besides: whether :func:`~tfquote.archives.inspect_archive` can see the problem from the
archive's directory alone, and the (small) limits to run with.  Benign builders return
``(path, {name: bytes})``: exactly the files extraction must produce.

Most archives are built with zipfile/tarfile; the ones those libraries refuse to write
(NUL in a name, encrypted flag without encryption, overlapping entries, lying counts)
come from :func:`raw_zip`, a small struct-level ZIP writer.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import stat
import struct
import tarfile
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tfquote.archives import ArchiveLimits

Built = tuple[Path, str]
BenignBuilt = tuple[Path, dict[str, bytes]]

TF = b'resource "aws_instance" "web" {\n  instance_type = "t3.micro"\n}\n'
SMALL = ArchiveLimits(max_entries=20, max_total_bytes=1000, max_ratio=100.0)

# ------------------------------------------------------------------ low-level helpers


def deflate_raw(data: bytes) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush()


@dataclass
class RawEntry:
    """One ZIP entry, written byte for byte as described."""

    name: bytes
    content: bytes = b""
    method: int = 0  # 0 stored, 8 deflate (compressed here); anything else stored as is
    flags: int = 0
    external_attr: int = 0o100644 << 16
    create_system: int = 3
    local_name: bytes | None = None  # defaults to name
    crc: int | None = None  # defaults to the content's CRC
    file_size: int | None = None  # defaults to len(content)
    compress_size_delta: int = 0  # lie about the compressed size (central directory)
    extra: bytes = b""  # central directory extra field
    header_offset: int | None = None  # point the central entry elsewhere


def raw_zip(
    entries: Sequence[RawEntry],
    *,
    prefix: bytes = b"",
    disk: int = 0,
    count_delta: int = 0,
) -> bytes:
    """A ZIP from scratch.  Offsets in the central directory are absolute (prefix
    included), as a self-extractor would write them."""
    body = bytearray(prefix)
    central = bytearray()
    for e in entries:
        payload = deflate_raw(e.content) if e.method == 8 else e.content
        crc = zlib.crc32(e.content) if e.crc is None else e.crc
        size = len(e.content) if e.file_size is None else e.file_size
        local_name = e.name if e.local_name is None else e.local_name
        offset = len(body)
        body += struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, e.flags, e.method, 0, 0x21, crc,
            len(payload), size, len(local_name), 0,
        )  # fmt: skip
        body += local_name + payload
        central += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", (e.create_system << 8) | 20, 20, e.flags,
            e.method, 0, 0x21, crc, len(payload) + e.compress_size_delta, size,
            len(e.name), len(e.extra), 0, 0, 0, e.external_attr,
            offset if e.header_offset is None else e.header_offset,
        )  # fmt: skip
        central += e.name + e.extra
    cd_offset = len(body)
    count = len(entries) + count_delta
    eocd = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", disk, disk, count, count, len(central), cd_offset, 0
    )
    return bytes(body + central + eocd)


def write_zip(
    path: Path,
    files: Iterable[tuple[str | zipfile.ZipInfo, bytes]],
    method: int = zipfile.ZIP_DEFLATED,
) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        with zipfile.ZipFile(path, "w", method) as zf:
            for name, data in files:
                zf.writestr(name, data)
    return path


def member(
    name: str,
    data: bytes | None = b"",
    *,
    type_: bytes = tarfile.REGTYPE,
    linkname: str = "",
    pax: dict[str, str] | None = None,
) -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(name)
    info.type = type_
    info.linkname = linkname
    info.mode = 0o755 if type_ == tarfile.DIRTYPE else 0o644
    if pax:
        info.pax_headers = dict(pax)
    if data is not None and type_ in (tarfile.REGTYPE, tarfile.AREGTYPE):
        info.size = len(data)
    return info, data


def tar_bytes(
    members: Iterable[tuple[tarfile.TarInfo, bytes | None]], fmt: int = tarfile.PAX_FORMAT
) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for info, data in members:
            tf.addfile(info, io.BytesIO(data) if data is not None and info.size else None)
    return buf.getvalue()


def write_tar_gz(
    path: Path,
    members: Iterable[tuple[tarfile.TarInfo, bytes | None]],
    fmt: int = tarfile.PAX_FORMAT,
) -> Path:
    path.write_bytes(gzip.compress(tar_bytes(members, fmt), mtime=0))
    return path


def _zip_bytes(files: Iterable[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files:
            zf.writestr(name, data)
    return buf.getvalue()


# ------------------------------------------------------------------------ path attacks


def zip_slip(d: Path) -> Built:
    return write_zip(d / "a.zip", [("main.tf", TF), ("../../evil.tf", b"pwned")]), "path_traversal"


def tar_slip(d: Path) -> Built:
    members = [member("main.tf", TF), member("../../evil.tf", b"pwned")]
    return write_tar_gz(d / "a.tar.gz", members), "path_traversal"


def zip_slip_windows(d: Path) -> Built:
    return write_zip(d / "a.zip", [("main.tf", TF), ("..\\..\\evil.tf", b"x")]), "path_traversal"


def zip_absolute(d: Path) -> Built:
    return write_zip(d / "a.zip", [("main.tf", TF), ("/tmp/evil.tf", b"x")]), "unsafe_path"


def tar_absolute(d: Path) -> Built:
    members = [member("main.tf", TF), member("/tmp/evil.tf", b"x")]
    return write_tar_gz(d / "a.tar.gz", members), "unsafe_path"


def zip_drive_letter(d: Path) -> Built:
    return write_zip(d / "a.zip", [("main.tf", TF), ("C:/evil.tf", b"x")]), "unsafe_path"


def tar_drive_letter(d: Path) -> Built:
    members = [member("main.tf", TF), member("C:evil.tf", b"x")]
    return write_tar_gz(d / "a.tar.gz", members), "unsafe_path"


def zip_unc(d: Path) -> Built:
    return write_zip(
        d / "a.zip", [("main.tf", TF), ("\\\\server\\share\\x.tf", b"x")]
    ), "unsafe_path"


def zip_backslash(d: Path) -> Built:
    return write_zip(d / "a.zip", [("main.tf", TF), ("modules\\vpc.tf", b"x")]), "unsafe_path"


def tar_backslash(d: Path) -> Built:
    members = [member("main.tf", TF), member("modules\\vpc.tf", b"x")]
    return write_tar_gz(d / "a.tar.gz", members), "unsafe_path"


def zip_nul_name(d: Path) -> Built:
    # zipfile cuts names at NUL when reading (ZipInfo.filename) - only orig_filename
    # shows the whole name, so this one must be written by hand.
    data = raw_zip([RawEntry(b"main.tf", TF), RawEntry(b"evil.tf\x00.txt", b"x")])
    (d / "a.zip").write_bytes(data)
    return d / "a.zip", "unsafe_path"


def tar_nul_name(d: Path) -> Built:
    # The ustar name field is NUL-terminated; a PAX path record is not.
    members = [member("main.tf", TF), member("ok.tf", b"x", pax={"path": "evil.tf\x00.txt"})]
    return write_tar_gz(d / "a.tar.gz", members), "unsafe_path"


def zip_control_char(d: Path) -> Built:
    return write_zip(d / "a.zip", [("main.tf", TF), ("evil\x1b[2J.tf", b"x")]), "unsafe_path"


def zip_bidi_override(d: Path) -> Built:
    # "main<RLO>ft.exe" displays as "mainexe.tf"
    return write_zip(d / "a.zip", [("main.tf", TF), ("main\u202eft.exe", b"x")]), "unsafe_path"


def zip_fullwidth_dots(d: Path) -> Built:
    name = "\uff0e\uff0e/evil.tf"  # NFKC: "../evil.tf"
    return write_zip(d / "a.zip", [("main.tf", TF), (name, b"x")]), "path_traversal"


def zip_fullwidth_slash(d: Path) -> Built:
    name = "modules\uff0fvpc.tf"  # NFKC: "modules/vpc.tf"
    return write_zip(d / "a.zip", [("main.tf", TF), (name, b"x")]), "unsafe_path"


def tar_not_utf8(d: Path) -> Built:
    members = [member("main.tf", TF), member("bad\udcff.tf", b"x")]
    path = d / "a.tar.gz"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for info, data in members:
            tf.addfile(info, io.BytesIO(data or b""))
    path.write_bytes(gzip.compress(buf.getvalue()))
    return path, "unsafe_path"


def zip_bad_utf8_flag(d: Path) -> Built:
    data = raw_zip([RawEntry(b"main.tf", TF), RawEntry(b"bad\xff.tf", b"x", flags=0x800)])
    (d / "a.zip").write_bytes(data)
    return d / "a.zip", "corrupt_archive"


def tar_gnu_longname_slip(d: Path) -> Built:
    long_name = "../" + "x" * 120 + ".tf"  # > 100 bytes: stored in a ././@LongLink block
    members = [member("main.tf", TF), member(long_name, b"x")]
    return write_tar_gz(d / "a.tar.gz", members, tarfile.GNU_FORMAT), "path_traversal"


def tar_pax_path_slip(d: Path) -> Built:
    # The ustar header says safe.tf; the PAX record that overrides it says otherwise.
    members = [member("main.tf", TF), member("safe.tf", b"x", pax={"path": "../evil.tf"})]
    return write_tar_gz(d / "a.tar.gz", members), "path_traversal"


def zip_long_name(d: Path) -> Built:
    return write_zip(d / "a.zip", [("main.tf", TF), ("a" * 253 + ".tf", b"x")]), "name_too_long"


def tar_long_name(d: Path) -> Built:
    members = [member("main.tf", TF), member("a" * 253 + ".tf", b"x")]
    return write_tar_gz(d / "a.tar.gz", members), "name_too_long"


def zip_path_over_4096(d: Path) -> Built:
    name = "/".join(["d" * 250] * 17) + "/x.tf"  # > 4096 bytes (and deep)
    return write_zip(d / "a.zip", [("main.tf", TF), (name, b"x")]), "name_too_long"


def zip_deep_path(d: Path) -> Built:
    name = "d/" * 16 + "main.tf"  # 17 components
    return write_zip(d / "a.zip", [("main.tf", TF), (name, b"x")]), "path_too_deep"


def tar_deep_path(d: Path) -> Built:
    members = [member("main.tf", TF), member("d/" * 16 + "x.tf", b"x")]
    return write_tar_gz(d / "a.tar.gz", members), "path_too_deep"


# ---------------------------------------------------------------------- entry types


def zip_symlink(d: Path) -> Built:
    info = zipfile.ZipInfo("link.tf")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return write_zip(d / "a.zip", [("main.tf", TF), (info, b"/etc/passwd")]), "link_entry"


def zip_symlink_dos_host(d: Path) -> Built:
    # Unix link bits under a DOS "made by" host: extractors disagree on whether that is a
    # link, so the mode bits alone decide, whatever the host field says.
    data = raw_zip(
        [
            RawEntry(b"main.tf", TF),
            RawEntry(b"link.tf", b"/etc", external_attr=(stat.S_IFLNK | 0o777) << 16,
                     create_system=0),
        ]
    )  # fmt: skip
    (d / "a.zip").write_bytes(data)
    return d / "a.zip", "link_entry"


def tar_symlink(d: Path) -> Built:
    members = [
        member("main.tf", TF),
        member("link.tf", None, type_=tarfile.SYMTYPE, linkname="/etc/passwd"),
    ]
    return write_tar_gz(d / "a.tar.gz", members), "link_entry"


def tar_symlink_inside(d: Path) -> Built:
    # Even a link that stays inside the tree (data_filter would allow it) is refused.
    members = [
        member("main.tf", TF),
        member("alias.tf", None, type_=tarfile.SYMTYPE, linkname="main.tf"),
    ]
    return write_tar_gz(d / "a.tar.gz", members), "link_entry"


def tar_hardlink(d: Path) -> Built:
    members = [
        member("main.tf", TF),
        member("hard.tf", None, type_=tarfile.LNKTYPE, linkname="main.tf"),
    ]
    return write_tar_gz(d / "a.tar.gz", members), "link_entry"


def zip_fifo(d: Path) -> Built:
    info = zipfile.ZipInfo("pipe.tf")
    info.create_system = 3
    info.external_attr = (stat.S_IFIFO | 0o644) << 16
    return write_zip(d / "a.zip", [("main.tf", TF), (info, b"")]), "special_entry"


def tar_fifo(d: Path) -> Built:
    members = [member("main.tf", TF), member("pipe.tf", None, type_=tarfile.FIFOTYPE)]
    return write_tar_gz(d / "a.tar.gz", members), "special_entry"


def tar_char_device(d: Path) -> Built:
    dev, _ = member("null.tf", None, type_=tarfile.CHRTYPE)
    dev.devmajor, dev.devminor = 1, 3
    return write_tar_gz(d / "a.tar.gz", [member("main.tf", TF), (dev, None)]), "special_entry"


def tar_block_device(d: Path) -> Built:
    dev, _ = member("sda.tf", None, type_=tarfile.BLKTYPE)
    dev.devmajor, dev.devminor = 8, 0
    return write_tar_gz(d / "a.tar.gz", [member("main.tf", TF), (dev, None)]), "special_entry"


def tar_gnu_dumpdir(d: Path) -> Built:
    # GNU 'D' (incremental dump directory): tarfile treats unknown types as regular files.
    members = [member("main.tf", TF), member("dump.tf", b"x", type_=b"D")]
    return write_tar_gz(d / "a.tar.gz", members, tarfile.GNU_FORMAT), "special_entry"


def tar_sparse(d: Path) -> Built:
    # PAX sparse format 0.1: tarfile would expand the holes on extraction.
    pax = {"GNU.sparse.map": "0,10", "GNU.sparse.size": "1000000", "GNU.sparse.name": "s.tf"}
    members = [member("main.tf", TF), member("sparse.tf", b"0123456789", pax=pax)]
    return write_tar_gz(d / "a.tar.gz", members), "special_entry"


def tar_gnu_sparse_type(d: Path) -> Built:
    # Old GNU sparse ('S'): refused before tarfile reads its extension blocks.
    info, _ = member("sparse.tf", None, type_=tarfile.GNUTYPE_SPARSE)
    data = tar_bytes([member("main.tf", TF)])[:1024] + info.tobuf(tarfile.GNU_FORMAT)
    (d / "a.tar.gz").write_bytes(gzip.compress(data + b"\0" * 1024))
    return d / "a.tar.gz", "special_entry"


def tar_pax_sparse_map_bomb(d: Path) -> Built:
    # PAX sparse 1.0: the map in the data claims 10^12 entries; tarfile would build a list
    # of every number it can read.  Refused before the map is read.
    pax = {
        "GNU.sparse.major": "1",
        "GNU.sparse.minor": "0",
        "GNU.sparse.name": "s.tf",
        "GNU.sparse.realsize": "10",
    }
    sparse_map = b"1000000000000\n" + b"1\n" * 4096
    members = [member("main.tf", TF), member("sparse.tf", sparse_map, pax=pax)]
    return write_tar_gz(d / "a.tar.gz", members), "special_entry"


def _pax_record(key: str, total: int) -> bytes:
    """One PAX record 'LEN key=value\\n' exactly ``total`` bytes long."""
    body = f" {key}=".encode()
    digits = len(str(total))
    return str(total).encode() + body + b"x" * (total - digits - len(body) - 1) + b"\n"


def tar_many_global_pax_headers(d: Path) -> Built:
    # Each global header is under the per-block cap, together they are not.
    blob = bytearray()
    for i in range(9):
        info = tarfile.TarInfo(f"pax_global_{i}")
        info.type = tarfile.XGLTYPE
        record = _pax_record(f"comment{i}", 1_000_000)
        info.size = len(record)
        blob += info.tobuf(tarfile.USTAR_FORMAT) + record + b"\0" * (-len(record) % 512)
    blob += tar_bytes([member("main.tf", TF)])
    (d / "a.tar.gz").write_bytes(gzip.compress(bytes(blob)))
    return d / "a.tar.gz", "name_too_long"


def zip_dos_volume_label(d: Path) -> Built:
    data = raw_zip(
        [RawEntry(b"main.tf", TF), RawEntry(b"LABEL", external_attr=0x08, create_system=0)]
    )
    (d / "a.zip").write_bytes(data)
    return d / "a.zip", "special_entry"


def zip_dir_mode_on_file_name(d: Path) -> Built:
    data = raw_zip(
        [RawEntry(b"main.tf", TF), RawEntry(b"modules", external_attr=(stat.S_IFDIR | 0o755) << 16)]
    )
    (d / "a.zip").write_bytes(data)
    return d / "a.zip", "special_entry"


# ------------------------------------------------------------------ name-set attacks


def zip_duplicate(d: Path) -> Built:
    return write_zip(d / "a.zip", [("main.tf", TF), ("main.tf", b"other")]), "duplicate_entry"


def tar_duplicate(d: Path) -> Built:
    members = [member("main.tf", TF), member("main.tf", b"other")]
    return write_tar_gz(d / "a.tar.gz", members), "duplicate_entry"


def tar_duplicate_after_dot(d: Path) -> Built:
    members = [member("main.tf", TF), member("./main.tf", b"other")]
    return write_tar_gz(d / "a.tar.gz", members), "duplicate_entry"


def zip_case_collision(d: Path) -> Built:
    return write_zip(d / "a.zip", [("main.tf", TF), ("MAIN.tf", b"x")]), "name_collision"


def tar_case_collision(d: Path) -> Built:
    members = [member("main.tf", TF), member("Main.tf", b"x")]
    return write_tar_gz(d / "a.tar.gz", members), "name_collision"


def zip_case_collision_dirs(d: Path) -> Built:
    files = [("mod/a.tf", TF), ("MOD/b.tf", b"x")]
    return write_zip(d / "a.zip", files), "name_collision"


def zip_nfc_nfd(d: Path) -> Built:
    files = [("caf\u00e9.tf", TF), ("cafe\u0301.tf", b"x")]
    return write_zip(d / "a.zip", files), "name_collision"


def tar_nfc_nfd(d: Path) -> Built:
    members = [member("caf\u00e9.tf", TF), member("cafe\u0301.tf", b"x")]
    return write_tar_gz(d / "a.tar.gz", members), "name_collision"


def zip_nfkc_collision(d: Path) -> Built:
    files = [("main.tf", TF), ("\uff4d\uff41\uff49\uff4e.tf", b"x")]  # fullwidth "main"
    return write_zip(d / "a.zip", files), "name_collision"


def zip_file_dir_conflict(d: Path) -> Built:
    return write_zip(d / "a.zip", [("a", b"x"), ("a/b.tf", TF)]), "file_dir_conflict"


def zip_file_then_explicit_dir(d: Path) -> Built:
    return write_zip(d / "a.zip", [("main.tf", TF), ("mod", b"x"), ("mod/", b"")]), (
        "file_dir_conflict"
    )


def tar_file_dir_conflict(d: Path) -> Built:
    members = [member("a/b.tf", TF), member("a", b"x")]
    return write_tar_gz(d / "a.tar.gz", members), "file_dir_conflict"


# ------------------------------------------------------------------ nesting, crypto


def zip_nested_zip(d: Path) -> Built:
    inner = _zip_bytes([("main.tf", TF)])
    return write_zip(d / "a.zip", [("main.tf", TF), ("inner.zip", inner)]), "nested_archive"


def zip_nested_by_magic(d: Path) -> Built:
    # A gzip stream hiding under a .tf name: only visible once the content is read.
    hidden = gzip.compress(b"x" * 1000)
    return write_zip(d / "a.zip", [("main.tf", TF), ("vars.tf", hidden)]), "nested_archive"


def tar_nested_tar_gz(d: Path) -> Built:
    inner = gzip.compress(tar_bytes([member("main.tf", TF)]))
    members = [member("main.tf", TF), member("inner.tar.gz", inner)]
    return write_tar_gz(d / "a.tar.gz", members), "nested_archive"


def tar_nested_by_magic(d: Path) -> Built:
    members = [member("main.tf", TF), member("vars.tf", _zip_bytes([("x.tf", TF)]))]
    return write_tar_gz(d / "a.tar.gz", members), "nested_archive"


def zip_encrypted_flag(d: Path) -> Built:
    data = raw_zip([RawEntry(b"main.tf", TF), RawEntry(b"secret.tf", b"x" * 24, flags=0x1)])
    (d / "a.zip").write_bytes(data)
    return d / "a.zip", "encrypted_entry"


def zip_bzip2_method(d: Path) -> Built:
    return write_zip(d / "a.zip", [("main.tf", TF)], zipfile.ZIP_BZIP2), "unsupported_compression"


def zip_lzma_method(d: Path) -> Built:
    return write_zip(d / "a.zip", [("main.tf", TF)], zipfile.ZIP_LZMA), "unsupported_compression"


# --------------------------------------------------------------------- structure


def fifield_overlap_bomb(n_files: int = 5, kernel_bytes: int = 1 << 20) -> bytes:
    """A small David Fifield quoted-overlap zip bomb: every file's deflate stream quotes
    the next file's local header in a stored block and then *is* the next file's data,
    so all files share one kernel.  CPython 3.11.7 would happily extract it."""
    names = [f"{i}.tf".encode() for i in range(n_files)]
    kernel = deflate_raw(b"\0" * kernel_bytes)

    def lfh(name: bytes, crc: int, csize: int, usize: int) -> bytes:
        head = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, csize, usize,
                           len(name), 0)  # fmt: skip
        return head + name

    datas: list[bytes] = [b""] * n_files
    plains: list[bytes] = [b""] * n_files
    headers: list[bytes] = [b""] * n_files
    datas[-1], plains[-1] = kernel, b"\0" * kernel_bytes
    headers[-1] = lfh(names[-1], zlib.crc32(plains[-1]), len(kernel), kernel_bytes)
    for i in range(n_files - 2, -1, -1):
        nxt = headers[i + 1]
        quote = b"\x00" + struct.pack("<HH", len(nxt), len(nxt) ^ 0xFFFF) + nxt
        datas[i] = quote + datas[i + 1]
        plains[i] = nxt + plains[i + 1]
        headers[i] = lfh(names[i], zlib.crc32(plains[i]), len(datas[i]), len(plains[i]))
    body = headers[0] + datas[0]
    central = bytearray()
    offset = 0
    for i in range(n_files):
        central += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, zlib.crc32(plains[i]),
            len(datas[i]), len(plains[i]), len(names[i]), 0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        central += names[i]
        offset += len(headers[i]) + 5  # the next header sits right after the quote header
    eocd = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, n_files, n_files, len(central), len(body), 0
    )
    return body + bytes(central) + eocd


def zip_overlap_bomb(d: Path) -> Built:
    (d / "a.zip").write_bytes(fifield_overlap_bomb())
    return d / "a.zip", "overlapping_entries"


def zip_full_overlap(d: Path) -> Built:
    # Two central entries pointing at the same local header (zblg-style "full overlap").
    data = raw_zip(
        [RawEntry(b"main.tf", TF, method=8), RawEntry(b"b.tf", TF, method=8, header_offset=0)]
    )
    (d / "a.zip").write_bytes(data)
    return d / "a.zip", "overlapping_entries"


def zip_overlaps_central_directory(d: Path) -> Built:
    data = raw_zip([RawEntry(b"main.tf", TF, compress_size_delta=10)])
    (d / "a.zip").write_bytes(data)
    return d / "a.zip", "overlapping_entries"


def zip_prefix_data(d: Path) -> Built:
    stub = b'#!/bin/sh\nexec unzip -o "$0"\n'
    (d / "a.zip").write_bytes(raw_zip([RawEntry(b"main.tf", TF)], prefix=stub))
    return d / "a.zip", "prefix_data"


def zip_prefix_data_zipfile(d: Path) -> Built:
    # Prepended to a zipfile-written archive: CD offsets are relative, zipfile adjusts.
    data = _zip_bytes([("main.tf", TF)])
    (d / "a.zip").write_bytes(b"MZ" + b"\0" * 200 + data)
    return d / "a.zip", "prefix_data"


def zip_name_mismatch(d: Path) -> Built:
    data = raw_zip([RawEntry(b"main.tf", TF, local_name=b"evil.tf")])
    (d / "a.zip").write_bytes(data)
    return d / "a.zip", "corrupt_archive"


def zip_unicode_extra_mismatch(d: Path) -> Built:
    name = b"main.tf"
    other = b"../evil.tf"
    extra_data = b"\x01" + struct.pack("<L", zlib.crc32(name)) + other
    extra = struct.pack("<2H", 0x7075, len(extra_data)) + extra_data
    (d / "a.zip").write_bytes(raw_zip([RawEntry(name, TF, extra=extra)]))
    return d / "a.zip", "corrupt_archive"


def zip_count_mismatch(d: Path) -> Built:
    data = raw_zip([RawEntry(b"main.tf", TF), RawEntry(b"b.tf", TF)], count_delta=-1)
    (d / "a.zip").write_bytes(data)
    return d / "a.zip", "corrupt_archive"


def zip_multi_volume(d: Path) -> Built:
    (d / "a.zip").write_bytes(raw_zip([RawEntry(b"main.tf", TF)], disk=1))
    return d / "a.zip", "unsupported_format"


def zip_split_marker(d: Path) -> Built:
    (d / "a.zip").write_bytes(b"PK\x07\x08" + raw_zip([RawEntry(b"main.tf", TF)]))
    return d / "a.zip", "unsupported_format"


def zip_stored_size_lie(d: Path) -> Built:
    data = raw_zip([RawEntry(b"main.tf", TF, file_size=len(TF) * 100)])
    (d / "a.zip").write_bytes(data)
    return d / "a.zip", "corrupt_archive"


def zip_dir_with_data(d: Path) -> Built:
    data = raw_zip(
        [RawEntry(b"main.tf", TF), RawEntry(b"mod/", b"hidden", external_attr=0o40755 << 16)]
    )
    (d / "a.zip").write_bytes(data)
    return d / "a.zip", "corrupt_archive"


def zip_truncated(d: Path) -> Built:
    data = _zip_bytes([("main.tf", TF), ("b.tf", os.urandom(2000))])
    (d / "a.zip").write_bytes(data[: len(data) // 2])
    return d / "a.zip", "corrupt_archive"


def tar_truncated(d: Path) -> Built:
    data = gzip.compress(tar_bytes([member("main.tf", TF), member("b.tf", os.urandom(4000))]))
    (d / "a.tar.gz").write_bytes(data[: len(data) // 2])
    return d / "a.tar.gz", "corrupt_archive"


def zip_bad_crc(d: Path) -> Built:
    data = raw_zip([RawEntry(b"main.tf", TF, method=8, crc=zlib.crc32(TF) ^ 0xFFFF)])
    (d / "a.zip").write_bytes(data)
    return d / "a.zip", "corrupt_archive"


def tar_bad_crc(d: Path) -> Built:
    data = bytearray(gzip.compress(tar_bytes([member("main.tf", TF)])))
    data[-8] ^= 0xFF  # gzip trailer: CRC32 of the uncompressed stream
    (d / "a.tar.gz").write_bytes(bytes(data))
    return d / "a.tar.gz", "corrupt_archive"


def tar_gz_trailing_garbage(d: Path) -> Built:
    data = gzip.compress(tar_bytes([member("main.tf", TF)])) + b"garbage after the stream"
    (d / "a.tar.gz").write_bytes(data)
    return d / "a.tar.gz", "corrupt_archive"


def tar_garbage_header(d: Path) -> Built:
    good = tar_bytes([member("main.tf", TF)])
    block = bytearray(good[:512])
    block[148:156] = b"9999999\0"  # bad header checksum in the second member's place
    data = good[:1024] + bytes(block) + b"\0" * 1024
    (d / "a.tar.gz").write_bytes(gzip.compress(data))
    return d / "a.tar.gz", "corrupt_archive"


# ----------------------------------------------------------------------- limits


def zip_too_many_entries(d: Path) -> Built:
    files = [(f"f{i:04}.tf", b"") for i in range(1001)]
    return write_zip(d / "a.zip", files, zipfile.ZIP_STORED), "too_many_entries"


def tar_too_many_entries(d: Path) -> Built:
    members = [member(f"f{i:04}.tf", b"") for i in range(1001)]
    return write_tar_gz(d / "a.tar.gz", members), "too_many_entries"


def zip_too_large(d: Path) -> Built:  # run with SMALL limits
    files = [(f"f{i}.tf", os.urandom(600)) for i in range(3)]
    return write_zip(d / "a.zip", files), "too_large"


def tar_too_large(d: Path) -> Built:  # run with SMALL limits
    members = [member(f"f{i}.tf", os.urandom(600)) for i in range(3)]
    return write_tar_gz(d / "a.tar.gz", members), "too_large"


def zip_declared_huge(d: Path) -> Built:
    # Declares 16 GiB for a stored entry; with deflate the lie is only the header.
    data = raw_zip([RawEntry(b"main.tf", TF, method=8, file_size=0xFFFFFFF0)])
    (d / "a.zip").write_bytes(data)
    return d / "a.zip", "too_large"


def tar_declared_huge(d: Path) -> Built:
    info = tarfile.TarInfo("big.tf")
    info.size = 1 << 34  # 16 GiB, base-256 encoded in a GNU header; no data follows
    data = info.tobuf(tarfile.GNU_FORMAT) + b"\0" * 1024
    (d / "a.tar.gz").write_bytes(gzip.compress(data))
    return d / "a.tar.gz", "too_large"


def zip_ratio_bomb(d: Path) -> Built:
    files = [("main.tf", TF), ("zeros.tf", b"\0" * (10 * 1024 * 1024))]
    return write_zip(d / "a.zip", files), "compression_ratio"


def tar_ratio_bomb(d: Path) -> Built:
    members = [member("main.tf", TF), member("zeros.tf", b"\0" * (10 * 1024 * 1024))]
    return write_tar_gz(d / "a.tar.gz", members), "compression_ratio"


def zip_many_small_ratio(d: Path) -> Built:
    # No single entry is over the per-entry floor, but the archive as a whole is.
    files = [("main.tf", TF)] + [(f"z{i}.tf", b"\0" * 60_000) for i in range(20)]
    return write_zip(d / "a.zip", files), "compression_ratio"


def tar_huge_pax_header(d: Path) -> Built:
    # A 2 MiB PAX header: refused before tarfile would buffer it in memory.
    info = tarfile.TarInfo("././@PaxHeader")
    info.type = tarfile.XHDTYPE
    info.size = 2 * 1024 * 1024
    data = info.tobuf(tarfile.USTAR_FORMAT) + b"\0" * info.size + tar_bytes([member("a.tf", TF)])
    (d / "a.tar.gz").write_bytes(gzip.compress(data))
    return d / "a.tar.gz", "name_too_long"


# ------------------------------------------------------------------ empty, no terraform


def zip_empty(d: Path) -> Built:
    return write_zip(d / "a.zip", []), "empty_archive"


def zip_only_dirs(d: Path) -> Built:
    return write_zip(d / "a.zip", [("mod/", b""), ("mod/sub/", b"")]), "empty_archive"


def tar_empty(d: Path) -> Built:
    return write_tar_gz(d / "a.tar.gz", []), "empty_archive"


def zip_readme_only(d: Path) -> Built:
    return write_zip(d / "a.zip", [("README.md", b"# hi\n")]), "no_terraform"


def tar_readme_only(d: Path) -> Built:
    return write_tar_gz(d / "a.tar.gz", [member("README.md", b"# hi\n")]), "no_terraform"


def zip_hidden_tf_only(d: Path) -> Built:
    # macOS AppleDouble droppings are not Terraform (Terraform itself skips dotfiles).
    return write_zip(d / "a.zip", [("__MACOSX/._main.tf", b"x")]), "no_terraform"


# ------------------------------------------------------------------ other formats


def tar_bz2(d: Path) -> Built:
    (d / "a.tar.bz2").write_bytes(bz2.compress(tar_bytes([member("main.tf", TF)])))
    return d / "a.tar.bz2", "unsupported_compression"


def tar_xz(d: Path) -> Built:
    (d / "a.tar.xz").write_bytes(lzma.compress(tar_bytes([member("main.tf", TF)])))
    return d / "a.tar.xz", "unsupported_compression"


def plain_tar(d: Path) -> Built:
    (d / "a.tar").write_bytes(tar_bytes([member("main.tf", TF)]))
    return d / "a.tar", "unsupported_compression"


def plain_tar_named_tgz(d: Path) -> Built:
    (d / "a.tar.gz").write_bytes(tar_bytes([member("main.tf", TF)]))  # the name lies
    return d / "a.tar.gz", "unsupported_compression"


def gzip_not_tar(d: Path) -> Built:
    (d / "main.tf.gz").write_bytes(gzip.compress(TF * 20))
    return d / "main.tf.gz", "unsupported_format"


def text_file(d: Path) -> Built:
    (d / "main.zip").write_bytes(TF)  # the name lies
    return d / "main.zip", "unsupported_format"


def empty_file(d: Path) -> Built:
    (d / "a.zip").write_bytes(b"")
    return d / "a.zip", "unsupported_format"


def seven_zip_magic(d: Path) -> Built:
    (d / "a.zip").write_bytes(b"7z\xbc\xaf\x27\x1c" + b"\0" * 100)
    return d / "a.zip", "unsupported_format"


# --------------------------------------------------------------------------- table


@dataclass(frozen=True)
class Attack:
    build: Callable[[Path], Built]
    code: str  # what the builder returns as expected_code (kept here for static use)
    fmt: str  # "zip", "tar.gz" or "other": what detect_format should say (other: None)
    inspect_sees: bool = True  # False: only visible once entry contents are read
    limits: ArchiveLimits = field(default_factory=ArchiveLimits)

    @property
    def id(self) -> str:
        return self.build.__name__


ATTACKS: tuple[Attack, ...] = (
    Attack(zip_slip, "path_traversal", "zip"),
    Attack(tar_slip, "path_traversal", "tar.gz"),
    Attack(zip_slip_windows, "path_traversal", "zip"),
    Attack(zip_absolute, "unsafe_path", "zip"),
    Attack(tar_absolute, "unsafe_path", "tar.gz"),
    Attack(zip_drive_letter, "unsafe_path", "zip"),
    Attack(tar_drive_letter, "unsafe_path", "tar.gz"),
    Attack(zip_unc, "unsafe_path", "zip"),
    Attack(zip_backslash, "unsafe_path", "zip"),
    Attack(tar_backslash, "unsafe_path", "tar.gz"),
    Attack(zip_nul_name, "unsafe_path", "zip"),
    Attack(tar_nul_name, "unsafe_path", "tar.gz"),
    Attack(zip_control_char, "unsafe_path", "zip"),
    Attack(zip_bidi_override, "unsafe_path", "zip"),
    Attack(zip_fullwidth_dots, "path_traversal", "zip"),
    Attack(zip_fullwidth_slash, "unsafe_path", "zip"),
    Attack(tar_not_utf8, "unsafe_path", "tar.gz"),
    Attack(zip_bad_utf8_flag, "corrupt_archive", "zip"),
    Attack(tar_gnu_longname_slip, "path_traversal", "tar.gz"),
    Attack(tar_pax_path_slip, "path_traversal", "tar.gz"),
    Attack(zip_long_name, "name_too_long", "zip"),
    Attack(tar_long_name, "name_too_long", "tar.gz"),
    Attack(zip_path_over_4096, "name_too_long", "zip"),
    Attack(zip_deep_path, "path_too_deep", "zip"),
    Attack(tar_deep_path, "path_too_deep", "tar.gz"),
    Attack(zip_symlink, "link_entry", "zip"),
    Attack(zip_symlink_dos_host, "link_entry", "zip"),
    Attack(tar_symlink, "link_entry", "tar.gz"),
    Attack(tar_symlink_inside, "link_entry", "tar.gz"),
    Attack(tar_hardlink, "link_entry", "tar.gz"),
    Attack(zip_fifo, "special_entry", "zip"),
    Attack(tar_fifo, "special_entry", "tar.gz"),
    Attack(tar_char_device, "special_entry", "tar.gz"),
    Attack(tar_block_device, "special_entry", "tar.gz"),
    Attack(tar_gnu_dumpdir, "special_entry", "tar.gz"),
    Attack(tar_sparse, "special_entry", "tar.gz"),
    Attack(tar_gnu_sparse_type, "special_entry", "tar.gz"),
    Attack(tar_pax_sparse_map_bomb, "special_entry", "tar.gz"),
    Attack(tar_many_global_pax_headers, "name_too_long", "tar.gz"),
    Attack(zip_dos_volume_label, "special_entry", "zip"),
    Attack(zip_dir_mode_on_file_name, "special_entry", "zip"),
    Attack(zip_duplicate, "duplicate_entry", "zip"),
    Attack(tar_duplicate, "duplicate_entry", "tar.gz"),
    Attack(tar_duplicate_after_dot, "duplicate_entry", "tar.gz"),
    Attack(zip_case_collision, "name_collision", "zip"),
    Attack(tar_case_collision, "name_collision", "tar.gz"),
    Attack(zip_case_collision_dirs, "name_collision", "zip"),
    Attack(zip_nfc_nfd, "name_collision", "zip"),
    Attack(tar_nfc_nfd, "name_collision", "tar.gz"),
    Attack(zip_nfkc_collision, "name_collision", "zip"),
    Attack(zip_file_dir_conflict, "file_dir_conflict", "zip"),
    Attack(zip_file_then_explicit_dir, "file_dir_conflict", "zip"),
    Attack(tar_file_dir_conflict, "file_dir_conflict", "tar.gz"),
    Attack(zip_nested_zip, "nested_archive", "zip"),
    Attack(zip_nested_by_magic, "nested_archive", "zip", inspect_sees=False),
    Attack(tar_nested_tar_gz, "nested_archive", "tar.gz"),
    Attack(tar_nested_by_magic, "nested_archive", "tar.gz", inspect_sees=False),
    Attack(zip_encrypted_flag, "encrypted_entry", "zip"),
    Attack(zip_bzip2_method, "unsupported_compression", "zip"),
    Attack(zip_lzma_method, "unsupported_compression", "zip"),
    Attack(zip_overlap_bomb, "overlapping_entries", "zip"),
    Attack(zip_full_overlap, "overlapping_entries", "zip"),
    Attack(zip_overlaps_central_directory, "overlapping_entries", "zip"),
    Attack(zip_prefix_data, "prefix_data", "zip"),
    Attack(zip_prefix_data_zipfile, "prefix_data", "zip"),
    Attack(zip_name_mismatch, "corrupt_archive", "zip"),
    Attack(zip_unicode_extra_mismatch, "corrupt_archive", "zip"),
    Attack(zip_count_mismatch, "corrupt_archive", "zip"),
    Attack(zip_multi_volume, "unsupported_format", "zip"),
    Attack(zip_split_marker, "unsupported_format", "zip"),
    Attack(zip_stored_size_lie, "corrupt_archive", "zip"),
    Attack(zip_dir_with_data, "corrupt_archive", "zip"),
    Attack(zip_truncated, "corrupt_archive", "zip"),
    Attack(tar_truncated, "corrupt_archive", "tar.gz"),
    Attack(zip_bad_crc, "corrupt_archive", "zip", inspect_sees=False),
    Attack(tar_bad_crc, "corrupt_archive", "tar.gz"),
    Attack(tar_gz_trailing_garbage, "corrupt_archive", "tar.gz"),
    Attack(tar_garbage_header, "corrupt_archive", "tar.gz"),
    Attack(zip_too_many_entries, "too_many_entries", "zip"),
    Attack(tar_too_many_entries, "too_many_entries", "tar.gz"),
    Attack(zip_too_large, "too_large", "zip", limits=SMALL),
    Attack(tar_too_large, "too_large", "tar.gz", limits=SMALL),
    Attack(zip_declared_huge, "too_large", "zip"),
    Attack(tar_declared_huge, "too_large", "tar.gz"),
    Attack(zip_ratio_bomb, "compression_ratio", "zip"),
    Attack(tar_ratio_bomb, "compression_ratio", "tar.gz"),
    Attack(zip_many_small_ratio, "compression_ratio", "zip"),
    Attack(tar_huge_pax_header, "name_too_long", "tar.gz"),
    Attack(zip_empty, "empty_archive", "zip"),
    Attack(zip_only_dirs, "empty_archive", "zip"),
    Attack(tar_empty, "empty_archive", "tar.gz"),
    Attack(zip_readme_only, "no_terraform", "zip"),
    Attack(tar_readme_only, "no_terraform", "tar.gz"),
    Attack(zip_hidden_tf_only, "no_terraform", "zip"),
    Attack(tar_bz2, "unsupported_compression", "other"),
    Attack(tar_xz, "unsupported_compression", "other"),
    Attack(plain_tar, "unsupported_compression", "other"),
    Attack(plain_tar_named_tgz, "unsupported_compression", "other"),
    Attack(gzip_not_tar, "unsupported_format", "other"),
    Attack(text_file, "unsupported_format", "other"),
    Attack(empty_file, "unsupported_format", "other"),
    Attack(seven_zip_magic, "unsupported_format", "other"),
)


# -------------------------------------------------------------------------- benign

MODULE_TF = b'variable "cidr" {\n  type = string\n}\n'
PLAN = b'{"format_version": "1.2", "resource_changes": []}\n'


def benign_zip(d: Path) -> BenignBuilt:
    files = {
        "main.tf": TF,
        "variables.tf": MODULE_TF,
        "terraform.tfvars": b'cidr = "10.0.0.0/16"\n',
        "modules/vpc/main.tf": MODULE_TF * 50,
        "modules/vpc/empty.tf": b"",
    }
    entries = [("modules/", b""), ("modules/vpc/", b""), *files.items()]
    return write_zip(d / "ok.zip", entries), files


def benign_zip_stored(d: Path) -> BenignBuilt:
    files = {"main.tf": TF, "nested/deeper/x.tf.json": b'{"resource": {}}\n'}
    return write_zip(d / "ok.zip", files.items(), zipfile.ZIP_STORED), files


def benign_zip_plan_only(d: Path) -> BenignBuilt:
    files = {"plan.json": PLAN}
    return write_zip(d / "ok.zip", files.items()), files


def benign_zip_streamed(d: Path) -> BenignBuilt:
    # Written to a non-seekable stream: data descriptors (flag bit 3), like `zip - .`.
    class Unseekable(io.RawIOBase):
        def __init__(self) -> None:
            self.buf = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int:
            data = bytes(b)  # type: ignore[call-overload]
            self.buf += data
            return len(data)

    files = {"main.tf": TF * 3, "caf\u00e9/\u00fcber.tf": MODULE_TF}
    sink = Unseekable()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            with zf.open(name, "w") as out:
                out.write(data)
    (d / "ok.zip").write_bytes(bytes(sink.buf))
    return d / "ok.zip", files


def benign_zip64(d: Path) -> BenignBuilt:
    files = {"main.tf": TF, "b.tf": MODULE_TF}
    with zipfile.ZipFile(d / "ok.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            with zf.open(name, "w", force_zip64=True) as out:
                out.write(data)
    return d / "ok.zip", files


def benign_zip_dos(d: Path) -> BenignBuilt:
    files = {"MAIN.tf": TF, "sub/b.tf": MODULE_TF}
    entries = [
        RawEntry(b"sub/", external_attr=0x10, create_system=0),
        RawEntry(b"MAIN.tf", TF, method=8, external_attr=0x20, create_system=0),
        RawEntry(b"sub/b.tf", MODULE_TF, external_attr=0x21, create_system=11),
    ]
    (d / "ok.zip").write_bytes(raw_zip(entries))
    return d / "ok.zip", files


def benign_zip_trailing_comment(d: Path) -> BenignBuilt:
    files = {"main.tf": TF}
    path = write_zip(d / "ok.zip", files.items())
    with zipfile.ZipFile(path, "a") as zf:
        zf.comment = b"built by CI"
    return path, files


def benign_zip_1000_entries(d: Path) -> BenignBuilt:
    files = {f"m/f{i:04}.tf": b"" for i in range(999)}
    return write_zip(d / "ok.zip", [("m/", b""), *files.items()], zipfile.ZIP_STORED), files


def benign_tar_gz_dot(d: Path) -> BenignBuilt:
    # What `tar -czf x.tar.gz -C dir .` produces: a "./" root and "./" prefixes.
    files = {"main.tf": TF, "modules/vpc/main.tf": MODULE_TF, "plan.json": PLAN}
    members = [
        member(".", None, type_=tarfile.DIRTYPE),
        member("./main.tf", TF),
        member("./modules", None, type_=tarfile.DIRTYPE),
        member("./modules/vpc", None, type_=tarfile.DIRTYPE),
        member("./modules/vpc/main.tf", MODULE_TF),
        member("./plan.json", PLAN),
    ]
    return write_tar_gz(d / "ok.tar.gz", members, tarfile.GNU_FORMAT), files


def benign_tar_gz_pax_long(d: Path) -> BenignBuilt:
    long_dir = "/".join(["module_" + "x" * 40] * 4)
    # ~150 KiB of realistic, varied HCL: above the ratio floor, compresses ~10:1.
    big = "".join(
        f'variable "v{i}" {{\n  default = "{i * 7919 % 100003}"\n}}\n' for i in range(3000)
    )
    files = {f"{long_dir}/main.tf": TF, "r\u00e9seau.tf": MODULE_TF, "big.tf": big.encode()}
    members = [member(name, data) for name, data in files.items()]
    return write_tar_gz(d / "ok.tar.gz", members, tarfile.PAX_FORMAT), files


def benign_tar_gz_ustar(d: Path) -> BenignBuilt:
    files = {"main.tf": TF, "empty.tf": b"", "vars/terraform.tfvars.json": b"{}"}
    members = [member(name, data) for name, data in files.items()]
    return write_tar_gz(d / "ok.tgz", members, tarfile.USTAR_FORMAT), files


def benign_tar_gz_at_limit(d: Path) -> BenignBuilt:  # run with SMALL limits
    files = {"main.tf": TF, "pad.tf": os.urandom(1000 - len(TF))}
    members = [member(name, data) for name, data in files.items()]
    return write_tar_gz(d / "ok.tar.gz", members), files


@dataclass(frozen=True)
class Benign:
    build: Callable[[Path], BenignBuilt]
    fmt: str
    limits: ArchiveLimits = field(default_factory=ArchiveLimits)

    @property
    def id(self) -> str:
        return self.build.__name__


BENIGN: tuple[Benign, ...] = (
    Benign(benign_zip, "zip"),
    Benign(benign_zip_stored, "zip"),
    Benign(benign_zip_plan_only, "zip"),
    Benign(benign_zip_streamed, "zip"),
    Benign(benign_zip64, "zip"),
    Benign(benign_zip_dos, "zip"),
    Benign(benign_zip_trailing_comment, "zip"),
    Benign(benign_zip_1000_entries, "zip"),
    Benign(benign_tar_gz_dot, "tar.gz"),
    Benign(benign_tar_gz_pax_long, "tar.gz"),
    Benign(benign_tar_gz_ustar, "tar.gz"),
    Benign(benign_tar_gz_at_limit, "tar.gz", limits=SMALL),
)
