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
``compare_to``            a COMPLETED job of the same tenant to diff this estimate against
``budget``                ``monthly_total_max`` / ``monthly_diff_max`` (decimal strings) and
                          ``diff_percent_max``: checked into ``result.policy``
``webhook_url``           an https URL POSTed a signed event when the job finishes
========================  ==================================================================

The first six shape the estimate and go to the engine (:data:`ENGINE_OPTION_KEYS`); the last
three are the orchestrator's own (the worker diffs, checks budgets and sends webhooks), so the
engine never sees them and its idempotency fingerprint does not depend on them.
"""

from __future__ import annotations

import ipaddress
import json
import posixpath
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

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
    "compare_to",
    "budget",
    "webhook_url",
)
#: What the engine receives; the rest is handled by the workers.
ENGINE_OPTION_KEYS = OPTION_KEYS[:7]
BUDGET_KEYS = ("monthly_total_max", "monthly_diff_max", "diff_percent_max")
MAX_WEBHOOK_URL_LENGTH = 2048
JOB_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# A decimal as people write money: digits, an optional fraction; no exponent, no sign games.
_DECIMAL = re.compile(r"^\d{1,15}(\.\d{1,10})?$")
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
    compare_to = options.get("compare_to")
    if compare_to is not None:
        if not isinstance(compare_to, str) or not JOB_ID.match(compare_to):
            raise OptionError("compare_to", "must be a job id")
        out["compare_to"] = compare_to
    budget = options.get("budget")
    if budget is not None:
        out["budget"] = validate_budget(budget)
    webhook_url = options.get("webhook_url")
    if webhook_url is not None:
        problem = webhook_url_problem(webhook_url)
        if problem is not None:
            raise OptionError("webhook_url", problem)
        out["webhook_url"] = webhook_url
    return out


def engine_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options the engine receives (see the module docstring)."""
    return {key: value for key, value in options.items() if key in ENGINE_OPTION_KEYS}


def _decimal_text(value: str | int | float) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def decimal_problem(value: Any) -> str | None:
    """Why `value` is not a non-negative decimal (``"50.00"``, ``50``, ``12.5``), or None."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return 'must be a decimal number such as "50.00"'
    if not _DECIMAL.match(_decimal_text(value)):
        return 'must be a non-negative decimal number such as "50.00" (no exponent)'
    return None


def validate_budget(budget: Any) -> dict[str, str]:
    """``{"monthly_total_max": "1000.00", ...}`` with every limit as a decimal string."""
    if not isinstance(budget, Mapping):
        raise OptionError("budget", "must be an object with " + ", ".join(BUDGET_KEYS))
    unknown = sorted(set(budget) - set(BUDGET_KEYS))
    if unknown:
        raise OptionError(f"budget.{unknown[0]}", "unknown budget limit")
    if not budget:
        raise OptionError("budget", "must set at least one of " + ", ".join(BUDGET_KEYS))
    out: dict[str, str] = {}
    for key in BUDGET_KEYS:
        if key not in budget:
            continue
        problem = decimal_problem(budget[key])
        if problem is not None:
            raise OptionError(f"budget.{key}", problem)
        # Normalised so "10" and 10 fingerprint alike; the pattern admits only decimals.
        out[key] = format(Decimal(_decimal_text(budget[key])), "f")
    return out


def webhook_url_problem(url: Any) -> str | None:
    """Why `url` is not a usable webhook URL by its shape, or None. Whether http and private
    addresses are allowed is a deployment's choice: see :func:`webhook_target_problem`."""
    if not isinstance(url, str):
        return "must be a URL string"
    if len(url) > MAX_WEBHOOK_URL_LENGTH:
        return f"must be at most {MAX_WEBHOOK_URL_LENGTH} characters"
    if _CONTROL.search(url) or " " in url:
        return "must not contain spaces or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an absolute http(s) URL such as https://hooks.example.com/tfquote"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials (the payload is signed instead)"
    if parts.fragment:
        return "must not have a fragment"
    if port == 0:
        return "must not use port 0"
    return None


def address_is_public(address: str) -> bool:
    """A global unicast address: not loopback, private, link-local, shared (CGNAT),
    multicast, reserved or unspecified; IPv4-mapped IPv6 is judged as its IPv4."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def webhook_target_problem(url: str, *, allow_http: bool, allow_private: bool) -> str | None:
    """Why the deployment refuses `url` before any DNS lookup (scheme, a literal private
    address, a ``localhost`` name), or None. Names are resolved and checked again at
    delivery time, where DNS rebinding cannot slip past."""
    problem = webhook_url_problem(url)
    if problem is not None:
        return problem
    parts = urlsplit(url)
    if parts.scheme == "http" and not allow_http:
        return "must be an https URL (http needs WEBHOOK_ALLOW_HTTP=true)"
    host = (parts.hostname or "").rstrip(".").lower()
    if allow_private:
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return "points at this host (loopback); private targets need WEBHOOK_ALLOW_PRIVATE=true"
    try:
        public = address_is_public(host)
    except ValueError:
        return None  # a name: checked after resolution, at delivery
    if not public:
        return (
            "points at a loopback, link-local or private address; private targets need "
            "WEBHOOK_ALLOW_PRIVATE=true"
        )
    return None


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
