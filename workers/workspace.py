"""A job's workspace: its upload unpacked, checked and packed into the engine bundle.

``DATA_DIR/jobs/{job_id}/src`` receives the upload — archives extracted with the
limits in `tfquote.archives`, single files copied — and ``bundle.tar.gz`` holds just
the Terraform files that passed the checks. The caller removes the workspace, always.
Imports neither Flask nor Celery.
"""

from __future__ import annotations

import codecs
import gzip
import shutil
import tarfile
from collections.abc import Sequence
from pathlib import Path

from tfquote.archives import ArchiveError, ArchiveLimits, extract_archive
from tfquote.uploads import Upload, is_archive
from workers.errors import PermanentJobError

#: What goes to the engine. ``.json`` files go only when they look like a plan; usage
#: files (Infracost's format) carry the usage-based quantities.
BUNDLE_SUFFIXES = (
    ".tf",
    ".tf.json",
    ".tfvars",
    ".tfvars.json",
    "infracost-usage.yml",
    "infracost-usage.yaml",
    ".usage.yml",
    ".usage.yaml",
)
_PLAN_MARKERS = ('"format_version"', '"planned_values"', '"resource_changes"')


def _is_plan_json(path: Path) -> bool:
    """Cheap check on the head of a .json file; the engine does the real parsing."""
    with path.open("rb") as fh:
        head = fh.read(8192)
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom) :].decode(encoding, errors="ignore")
            break
    else:
        text = head.decode("utf-8", errors="ignore")
    return any(marker in text for marker in _PLAN_MARKERS)


def _is_terraform_file(path: Path) -> bool:
    name = path.name.lower()
    if name.endswith(BUNDLE_SUFFIXES):
        return True
    return name.endswith(".json") and _is_plan_json(path)


def _archive_stem(name: str) -> str:
    lowered = name.lower()
    for suffix in (".tar.gz", ".tgz", ".zip"):
        if lowered.endswith(suffix):
            return name[: -len(suffix)] or "archive"
    return name


def unpack_upload(
    upload: Upload, upload_dir: Path, dest: Path, limits: ArchiveLimits
) -> list[Path]:
    """Unpack every file of the upload under `dest`; returns the Terraform files.

    A lone archive is extracted into `dest` itself; with several files, each archive
    gets its own directory so names cannot collide. Raises PermanentJobError.
    """
    dest.mkdir(parents=True)
    lone_archive = len(upload.files) == 1 and is_archive(upload.files[0].name)
    for item in upload.files:
        source = upload_dir / item.name
        if not source.is_file():
            raise PermanentJobError(f"{item.name}: upload file is gone", code="upload_missing")
        if is_archive(item.name):
            target = dest if lone_archive else dest / _archive_stem(item.name)
            if target != dest and target.exists():  # a.zip beside a.tar.gz
                target = dest / item.name.replace(".", "_")
            target.mkdir(exist_ok=True)
            try:
                extract_archive(source, target, limits)
            except ArchiveError as exc:
                raise PermanentJobError(f"{item.name}: {exc.message}", code=exc.code) from exc
        else:
            shutil.copyfile(source, dest / item.name)
    files = sorted(p for p in dest.rglob("*") if p.is_file() and _is_terraform_file(p))
    terraform = (".tf", ".tf.json", ".json")  # .json files got here only as plans
    if not any(
        p.name.lower().endswith(terraform) and not p.name.lower().endswith(".tfvars.json")
        for p in files
    ):
        raise PermanentJobError(
            "no Terraform found: need at least one .tf/.tf.json file or a plan JSON",
            code="no_terraform",
        )
    return files


def bundle_root(src: Path, files: Sequence[Path]) -> Path:
    """The directory the bundle is relative to: a single top-level folder that holds
    everything (the usual shape of a zipped repository) is stepped into."""
    root = src
    while True:
        children = list(root.iterdir())
        if len(children) == 1 and children[0].is_dir():
            root = children[0]
        else:
            return root


def write_bundle(src: Path, files: Sequence[Path], bundle: Path) -> Path:
    """Pack the files reproducibly: the same upload gives the same bytes on every attempt.

    The engine fingerprints the bundle to tell a replay (same ``Idempotency-Key``, same
    payload) from a reused key; timestamps in the gzip header or the tar entries would
    make every retry look like a different request.
    """
    root = bundle_root(src, files)
    with (
        bundle.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for path in sorted(files, key=lambda p: p.relative_to(root).as_posix()):
            info = tarfile.TarInfo(path.relative_to(root).as_posix())
            info.size = path.stat().st_size
            info.mtime = 0
            info.mode = 0o644
            with path.open("rb") as fh:
                tar.addfile(info, fh)
    return bundle
