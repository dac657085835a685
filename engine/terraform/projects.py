"""Which folders of an upload are root modules (projects), the way Infracost detects them.

A root module is a folder with Terraform files that no other folder of the upload calls as a
local module (``source = "./..."`` or ``"../..."``). Folders under ``.terraform/`` are never
roots (they are installed modules). Folders under ``examples/``, ``example/``, ``test/`` and
``tests/`` are roots only when nothing else is: a repository of a reusable module uploaded
whole gives its examples as projects, while a repository with a real root module gives that.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from engine.terraform.config import TF_SUFFIXES, ConfigError, module_files, parse_file
from engine.terraform.evaluator import EvalError, Scope, evaluate
from engine.terraform.functions.filesystem import UploadFiles
from engine.terraform.modules import is_local_source

_SECONDARY = frozenset({"examples", "example", "test", "tests"})


def configuration_dirs(paths: Iterable[str]) -> list[str]:
    """Folders ("" for the upload root) holding .tf / .tf.json files, outside .terraform/."""
    found = {
        posixpath.dirname(path)
        for path in paths
        if path.endswith(TF_SUFFIXES) and ".terraform" not in path.split("/")[:-1]
    }
    return sorted(found)


def _local_calls(files: UploadFiles, directory: str) -> list[str]:
    targets: list[str] = []
    for path in module_files(files.list(), directory):
        data = files.read(path)
        if data is None:
            continue
        try:
            body = parse_file(path, data)
        except ConfigError:
            continue
        for block in body.blocks:
            if block.type != "module":
                continue
            source = block.body.attributes.get("source")
            if source is None:
                continue
            try:
                value = evaluate(source.expr, Scope())
            except EvalError:
                continue
            if value.is_known and isinstance(value.v, str) and is_local_source(value.v):
                target = posixpath.normpath(posixpath.join(directory or ".", value.v))
                targets.append("" if target == "." else target)
    return targets


def _is_secondary(directory: str) -> bool:
    return any(part in _SECONDARY for part in directory.split("/"))


def detect_roots(files: UploadFiles) -> list[str]:
    dirs = configuration_dirs(files.list())
    if not dirs:
        return []
    called: set[str] = set()
    for directory in dirs:
        called.update(_local_calls(files, directory))
    candidates = [d for d in dirs if d not in called]
    primary = [d for d in candidates if not _is_secondary(d)]
    if primary:
        return primary
    if candidates:
        return candidates
    # Every folder is called by another (a cycle): fall back to the shallowest.
    return [min(dirs, key=lambda d: (0 if d == "" else d.count("/") + 1, d))]
