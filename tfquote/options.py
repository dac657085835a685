"""Job options: the contract between the public API, the workers and the engine.

``POST /api/v1/jobs`` accepts ``options`` (validated by the gateway's marshmallow schema, which
uses the rules below), the job record stores them, the worker checks the paths against the
extracted upload, and the engine receives them with the bundle. One module holds the rules so
the three cannot drift apart.

========================  ==================================================================
``root_module``           folder inside the upload to plan from (default: detected)
``var_files``             ``.tfvars`` / ``.tfvars.json`` paths in the upload, applied in order
``variables``             variable values, like ``-var`` (any JSON value)
``workspace``             the value of ``terraform.workspace`` (default ``default``)
``usage_file``            an Infracost usage file in the upload
``usage``                 an Infracost usage document given inline (wins over the file)
``usage_preset``          ``small`` / ``medium`` / ``large``: Infracost's usage defaults for
                          every usage-based quantity no usage file gives
========================  ==================================================================
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Mapping
from typing import Any

MAX_OPTIONS_BYTES = 64 * 1024
MAX_VAR_FILES = 64
MAX_VARIABLES = 256
MAX_PATH_LENGTH = 1024

OPTION_KEYS = (
    "root_module",
    "var_files",
    "variables",
    "workspace",
    "usage_file",
    "usage",
    "usage_preset",
)
USAGE_PRESETS = ("small", "medium", "large")

VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
WORKSPACE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,89}$")
VAR_FILE_SUFFIXES = (".tfvars", ".tfvars.json")
USAGE_FILE_SUFFIXES = (".yml", ".yaml")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


class OptionError(ValueError):
    """An invalid option; ``field`` names it (``var_files[2]``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def path_problem(path: str) -> str | None:
    """Why ``path`` is not a relative path inside the upload, or None."""
    if not path:
        return "must not be empty"
    if len(path) > MAX_PATH_LENGTH:
        return f"must be at most {MAX_PATH_LENGTH} characters"
    if _CONTROL.search(path):
        return "must not contain control characters or backslashes"
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return "must be a relative path inside the upload, not an absolute one"
    if ".." in path.split("/"):
        return "must not contain '..' segments"
    return None


def normalise_path(path: str) -> str:
    """``./envs//prod/`` -> ``envs/prod``; the upload's top is ``.``."""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    return "/".join(parts) or "."


def options_size(options: Mapping[str, Any]) -> int:
    return len(json.dumps(options, separators=(",", ":"), ensure_ascii=False).encode())


def validate(options: Any) -> dict[str, Any]:
    """Check and normalise an options object; raises :class:`OptionError`."""
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise OptionError("options", "must be a JSON object")
    unknown = sorted(set(options) - set(OPTION_KEYS))
    if unknown:
        raise OptionError(unknown[0], "unknown option")
    if options_size(options) > MAX_OPTIONS_BYTES:
        raise OptionError("options", f"must be at most {MAX_OPTIONS_BYTES} bytes as JSON")
    out: dict[str, Any] = {}
    root = options.get("root_module")
    if root is not None:
        out["root_module"] = normalise_path(_path("root_module", root))
    var_files = options.get("var_files")
    if var_files is not None:
        if not isinstance(var_files, list):
            raise OptionError("var_files", "must be a list of paths")
        if len(var_files) > MAX_VAR_FILES:
            raise OptionError("var_files", f"must list at most {MAX_VAR_FILES} files")
        paths = []
        for index, item in enumerate(var_files):
            path = _path(f"var_files[{index}]", item)
            if not path.endswith(VAR_FILE_SUFFIXES):
                raise OptionError(f"var_files[{index}]", "must be a .tfvars or .tfvars.json file")
            paths.append(normalise_path(path))
        out["var_files"] = paths
    variables = options.get("variables")
    if variables is not None:
        if not isinstance(variables, Mapping):
            raise OptionError("variables", "must be an object of variable values")
        if len(variables) > MAX_VARIABLES:
            raise OptionError("variables", f"must have at most {MAX_VARIABLES} entries")
        for name in variables:
            if not isinstance(name, str) or not VARIABLE_NAME.match(name):
                raise OptionError(f"variables.{name}", "is not a valid variable name")
        out["variables"] = dict(variables)
    workspace = options.get("workspace")
    if workspace is not None:
        if not isinstance(workspace, str) or not WORKSPACE_NAME.match(workspace):
            raise OptionError(
                "workspace",
                "must be 1-90 letters, digits, '-', '_' or '.' (not starting with one of '-.')",
            )
        out["workspace"] = workspace
    usage_file = options.get("usage_file")
    if usage_file is not None:
        path = _path("usage_file", usage_file)
        if not path.endswith(USAGE_FILE_SUFFIXES):
            raise OptionError("usage_file", "must be a .yml or .yaml file")
        out["usage_file"] = normalise_path(path)
    usage = options.get("usage")
    if usage is not None:
        if not isinstance(usage, Mapping):
            raise OptionError("usage", "must be an object (an Infracost usage document)")
        out["usage"] = dict(usage)
    preset = options.get("usage_preset")
    if preset is not None:
        if preset not in USAGE_PRESETS:
            raise OptionError("usage_preset", f"must be one of {', '.join(USAGE_PRESETS)}")
        out["usage_preset"] = preset
    return out


def _path(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise OptionError(field, "must be a string")
    problem = path_problem(value)
    if problem is not None:
        raise OptionError(field, problem)
    return value


def missing_paths(
    options: Mapping[str, Any], files: Iterable[str], dirs: Iterable[str]
) -> str | None:
    """The first option path that names nothing in the upload (checked by the worker against
    the extracted files), as a message; None when all exist."""
    file_set = set(files)
    dir_set = set(dirs)
    root = options.get("root_module")
    if isinstance(root, str) and root not in dir_set:
        return f"root_module {root!r} is not a folder with .tf files in the upload"
    for path in options.get("var_files") or ():
        if path not in file_set:
            return f"var file {path!r} is not in the upload"
    usage_file = options.get("usage_file")
    if isinstance(usage_file, str) and usage_file not in file_set:
        return f"usage_file {usage_file!r} is not in the upload"
    return None


def folder_of(path: str) -> str:
    folder = posixpath.dirname(path)
    return folder or "."
