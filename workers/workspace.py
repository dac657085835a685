"""A job's workspace: its upload unpacked, checked and packed into the engine bundle.

An upload with archives is extracted under ``DATA_DIR/jobs/{job_id}/src`` with the limits
in `tfquote.archives`; an upload of plain files is read where the gateway stored it
(nothing to extract, so nothing is copied: the workspace stays empty). The bundle holds
just the files that passed the checks, packed in memory (spilling to a temporary file past
`BUNDLE_IN_MEMORY_BYTES`). The caller removes the workspace, always. Imports neither Flask
nor Celery.
"""

from __future__ import annotations

import codecs
import gzip
import posixpath
import shutil
import tarfile
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from tfquote import options as job_options
from tfquote.archives import ArchiveError, ArchiveLimits, extract_archive
from tfquote.uploads import Upload, is_archive
from workers.errors import PermanentJobError

#: Configuration, variable and usage files: always in the bundle. ``.json`` files go only
#: when they look like a plan; usage files (Infracost's format) carry usage quantities.
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
#: Other files Terraform code may read (``file()``, ``templatefile()``, ``yamldecode(file())``:
#: templates, JSON, YAML, scripts) also go, when they are text and at most this large.
DATA_FILE_MAX_BYTES = 1024 * 1024
#: Folders that are never read by a configuration: version control and provider binaries.
#: ``.terraform/modules`` stays: it holds the modules ``terraform init`` installed.
_SKIPPED_DIRS = ((".git",), (".terraform", "providers"), (".terraform", "plugins"))
#: Bundles up to this size stay in memory; larger ones spill to a temporary file.
BUNDLE_IN_MEMORY_BYTES = 8 * 1024 * 1024


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


def _is_data_file(path: Path, relative: tuple[str, ...]) -> bool:
    """A text file a configuration may read, outside version control and provider folders."""
    for skipped in _SKIPPED_DIRS:
        if relative[: len(skipped)] == skipped or any(
            relative[i : i + len(skipped)] == skipped for i in range(len(relative) - 1)
        ):
            return False
    if path.stat().st_size > DATA_FILE_MAX_BYTES:
        return False
    with path.open("rb") as fh:
        head = fh.read(8192)
    return b"\x00" not in head


def _archive_stem(name: str) -> str:
    lowered = name.lower()
    for suffix in (".tar.gz", ".tgz", ".zip"):
        if lowered.endswith(suffix):
            return name[: -len(suffix)] or "archive"
    return name


def prepare_upload(
    upload: Upload, upload_dir: Path, workspace: Path, limits: ArchiveLimits
) -> tuple[Path, list[Path]]:
    """The folder the engine's files are relative to, and those files (see `select`).

    Plain files are read in the upload's own folder: copying them would only cost a write,
    a read and a delete per file. Archives are extracted under ``workspace / "src"``
    (`unpack_upload`). Raises PermanentJobError.
    """
    if any(is_archive(item.name) for item in upload.files):
        src = workspace / "src"
        return src, unpack_upload(upload, upload_dir, src, limits)
    for item in upload.files:
        if not (upload_dir / item.name).is_file():
            raise PermanentJobError(f"{item.name}: upload file is gone", code="upload_missing")
    return upload_dir, select([upload_dir / item.name for item in upload.files], upload_dir)


def unpack_upload(
    upload: Upload, upload_dir: Path, dest: Path, limits: ArchiveLimits
) -> list[Path]:
    """Unpack every file of the upload under `dest`; returns the files for the engine
    (see `select`).

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
    return select([p for p in dest.rglob("*") if p.is_file()], dest)


def select(candidates: Sequence[Path], root: Path) -> list[Path]:
    """The files for the engine: the Terraform files, and the text files a configuration
    may read. Raises PermanentJobError (``no_terraform``) when there is no configuration."""
    every = sorted(candidates)
    terraform = [p for p in every if _is_terraform_file(p)]
    suffixes = (".tf", ".tf.json", ".json")  # .json files got here only as plans
    if not any(
        p.name.lower().endswith(suffixes) and not p.name.lower().endswith(".tfvars.json")
        for p in terraform
    ):
        raise PermanentJobError(
            "no Terraform found: need at least one .tf/.tf.json file or a plan JSON",
            code="no_terraform",
        )
    chosen = set(terraform)
    data = [p for p in every if p not in chosen and _is_data_file(p, p.relative_to(root).parts)]
    return sorted([*terraform, *data])


def bundle_root(src: Path, files: Sequence[Path]) -> Path:
    """The directory the bundle is relative to: an upload that is one folder (the usual
    shape of a zipped repository, ``repo/...``) is stepped into, one level only, so paths
    in the bundle are the repository's own paths."""
    children = list(src.iterdir())
    if len(children) == 1 and children[0].is_dir():
        return children[0]
    return src


def write_bundle(src: Path, files: Sequence[Path]) -> IO[bytes]:
    """Pack the files reproducibly: the same upload gives the same bytes on every attempt.
    Returns the bundle, rewound, in memory unless it is large; the caller closes it.

    The engine fingerprints the bundle to tell a replay (same ``Idempotency-Key``, same
    payload) from a reused key; timestamps in the gzip header or the tar entries would
    make every retry look like a different request.
    """
    root = bundle_root(src, files)
    # Handed to the caller open (it closes it), so no context manager here.
    bundle: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=BUNDLE_IN_MEMORY_BYTES)  # noqa: SIM115
    try:
        with (
            gzip.GzipFile(filename="", mode="wb", fileobj=bundle, mtime=0, compresslevel=6) as gz,
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
        ):
            for path in sorted(files, key=lambda p: p.relative_to(root).as_posix()):
                info = tarfile.TarInfo(path.relative_to(root).as_posix())
                info.size = path.stat().st_size
                info.mtime = 0
                info.mode = 0o644
                with path.open("rb") as fh:
                    tar.addfile(info, fh)
        bundle.seek(0)
    except BaseException:
        bundle.close()
        raise
    return bundle


def bundle_options(options: Mapping[str, Any], src: Path, files: Sequence[Path]) -> dict[str, Any]:
    """The job's options for the engine, with their paths checked against the extracted
    upload and made relative to the bundle (see :func:`bundle_root`).

    A path may be given relative to the upload or, when the upload is one folder, relative
    to that folder (``repo/envs/prod`` and ``envs/prod`` both work). A path that names
    nothing fails the job with ``invalid_option``.
    """
    if not options:
        return {}
    root = bundle_root(src, files)
    step = root.relative_to(src).as_posix()
    relative = [p.relative_to(root).as_posix() for p in files]
    dirs = {posixpath.dirname(p) or "." for p in relative if p.endswith((".tf", ".tf.json"))}

    known = set(relative) | dirs

    def inside(path: str) -> str:
        # relative to the repository folder, or to the upload (with that folder's name)
        if path not in known and step != "." and path.startswith(step + "/"):
            return path[len(step) + 1 :]
        if path == step and "." in dirs:
            return "."
        return path

    out = dict(options)
    if isinstance(out.get("root_module"), str):
        out["root_module"] = inside(out["root_module"])
    if isinstance(out.get("var_files"), list):
        out["var_files"] = [inside(path) for path in out["var_files"]]
    if isinstance(out.get("usage_file"), str):
        out["usage_file"] = inside(out["usage_file"])
    problem = job_options.missing_paths(out, relative, dirs)
    if problem is not None:
        raise PermanentJobError(problem, code="invalid_option")
    return out
