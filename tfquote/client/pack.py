"""What ``tfquote estimate PATH`` uploads, and the content hash its Idempotency-Key uses.

``PATH`` may be a directory (packed as a reproducible tar.gz: sorted entries, zero
timestamps and owners, so the same files always give the same bytes and the same hash),
an archive (``.zip``, ``.tar.gz``, ``.tgz``), a single ``.tf`` / ``.tf.json`` file, or a
plan JSON — all but the directory are uploaded as they are.

A directory skips ``.git/``, ``.terraform/`` except ``.terraform/modules/`` (modules
fetched by ``terraform init`` are code to estimate; providers are hundreds of megabytes
of binaries), and whatever ``.terraformignore`` names (gitignore syntax, as Terraform
reads it).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pathspec

ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz")
FILE_SUFFIXES = (".tf", ".tf.json", ".json", ".tfvars", ".tfvars.json")


class PackError(ValueError):
    """The path cannot be estimated (missing, or not a kind we upload)."""


@dataclass(frozen=True)
class Packed:
    filename: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _ignored(root: Path) -> pathspec.GitIgnoreSpec:
    ignore = root / ".terraformignore"
    lines = ignore.read_text(errors="replace").splitlines() if ignore.is_file() else []
    return pathspec.GitIgnoreSpec.from_lines(lines)


def walk(root: Path) -> Iterator[str]:
    """The files of `root` to upload, as sorted relative POSIX paths."""
    spec = _ignored(root)
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        rel_folder = Path(folder).relative_to(root).as_posix()
        rel_folder = "" if rel_folder == "." else rel_folder + "/"
        keep = []
        for name in sorted(dirs):
            path = rel_folder + name
            if path == ".git" or path.endswith("/.git"):
                continue
            if path.startswith(".terraform") and not (
                path == ".terraform" or path.startswith(".terraform/modules")
            ):
                continue
            if spec.match_file(path + "/"):
                continue
            keep.append(name)
        dirs[:] = keep
        for name in files:
            path = rel_folder + name
            if path.startswith(".terraform/") and not path.startswith(".terraform/modules/"):
                continue
            full = Path(folder) / name
            if full.is_symlink() or not full.is_file() or spec.match_file(path):
                continue
            found.append(path)
    yield from sorted(found)


def pack_directory(root: Path) -> bytes:
    """A reproducible tar.gz of `root`'s files (see the module docstring)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path in walk(root):
            data = (root / path).read_bytes()
            info = tarfile.TarInfo(f"{root.resolve().name or 'upload'}/{path}")
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            archive.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def pack(path: Path) -> Packed:
    if path.is_dir():
        data = pack_directory(path)
        if len(data) < 100 and not any(True for _ in walk(path)):
            raise PackError(f"{path}: no files to upload")
        return Packed(f"{path.resolve().name or 'upload'}.tar.gz", data)
    if not path.is_file():
        raise PackError(f"{path}: no such file or directory")
    name = path.name
    if not name.lower().endswith(ARCHIVE_SUFFIXES + FILE_SUFFIXES):
        raise PackError(
            f"{path}: not a directory, an archive (.zip, .tar.gz, .tgz), a .tf file or a plan JSON"
        )
    return Packed(name, path.read_bytes())


def idempotency_key(
    packed: Packed, region: str, options: Mapping[str, Any], usage: Packed | None = None
) -> str:
    """Derived from the content and the options: re-running the same CI step with the same
    files and flags asks for the same job (the API answers with the existing one)."""
    canonical = json.dumps(
        {
            "content": packed.sha256,
            "usage": usage.sha256 if usage else None,
            "region": region,
            "options": options,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return "tfquote-cli-" + hashlib.sha256(canonical.encode()).hexdigest()[:48]
