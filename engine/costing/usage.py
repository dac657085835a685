"""Usage estimates: Infracost's usage file format, from the bundle and from ``options.usage``.

Format (``infracost-usage.yml`` or ``*.usage.yml`` in the bundle, or the same document as the
JSON object ``options.usage`` of the request)::

    version: 0.1
    resource_type_default_usage:        # applies to every resource of the type
      aws_lambda_function:
        monthly_requests: 1000000
    resource_usage:                     # per address; "[*]" matches any index
      aws_lambda_function.api:
        monthly_requests: 25000000
        request_duration_ms: 120
      aws_s3_bucket.assets:
        standard:                       # nested keys (S3 storage classes)
          storage_gb: 5000

Precedence (later wins, merged key by key): type defaults, wildcard addresses, the exact
address; bundle files in path order, then ``options.usage``. YAML is read with ``safe_load``
semantics, with aliases refused (no "billion laughs"), a size cap and a nesting cap. Problems
are reported as warnings in the estimate's metadata, never as errors.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

import yaml

MAX_USAGE_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 8
MAX_ENTRIES = 20_000
USAGE_FILE_NAMES = ("infracost-usage.yml", "infracost-usage.yaml")
USAGE_FILE_SUFFIXES = (".usage.yml", ".usage.yaml")


def is_usage_file(path: str) -> bool:
    name = posixpath.basename(path).lower()
    return name in USAGE_FILE_NAMES or name.endswith(USAGE_FILE_SUFFIXES)


class _NoAliasLoader(yaml.SafeLoader):  # type: ignore[misc]
    """``yaml.SafeLoader`` that refuses aliases (exponential expansion) outright."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases are not allowed in usage files", event.start_mark
            )
        return super().compose_node(parent, index)


def _depth_ok(value: Any, depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return all(_depth_ok(item, depth + 1) for item in value.values())
    if isinstance(value, list):
        return all(_depth_ok(item, depth + 1) for item in value)
    return True


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif isinstance(value, Mapping):
            out[key] = _merge({}, value)
        else:
            out[key] = value
    return out


@dataclass
class Usage:
    """The merged usage document of one estimate."""

    resource_usage: dict[str, dict[str, Any]] = field(default_factory=dict)
    type_defaults: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    from_options: bool = False
    preset: str | None = None
    warnings: list[str] = field(default_factory=list)
    _wildcards: list[tuple[re.Pattern[str], str]] = field(default_factory=list, repr=False)
    # where each top-level key of each entry came from: "file", "inline", "preset:medium"
    _sources: dict[tuple[str, str, str], str] = field(default_factory=dict, repr=False)

    def add_document(self, document: Any, origin: str, label: str = "file") -> None:
        if document is None:
            return
        if not isinstance(document, dict):
            self.warnings.append(f"{origin}: a usage document must be a mapping; ignored")
            return
        if not _depth_ok(document):
            self.warnings.append(f"{origin}: nested deeper than {MAX_DEPTH} levels; ignored")
            return
        version = document.get("version")
        if version is not None and str(version) != "0.1":
            self.warnings.append(f"{origin}: version {version!r} is not 0.1; read anyway")
        for key, target in (
            ("resource_usage", self.resource_usage),
            ("resource_type_default_usage", self.type_defaults),
        ):
            section = document.get(key)
            if section is None:
                continue
            if not isinstance(section, dict):
                self.warnings.append(f"{origin}: {key} must be a mapping; ignored")
                continue
            for name, values in section.items():
                if len(target) >= MAX_ENTRIES:
                    self.warnings.append(f"{origin}: more than {MAX_ENTRIES} entries; rest ignored")
                    break
                if not isinstance(values, dict):
                    self.warnings.append(f"{origin}: {key}.{name} must be a mapping; ignored")
                    continue
                target[str(name)] = _merge(target.get(str(name), {}), values)
                for usage_key in values:
                    self._sources[(key, str(name), str(usage_key))] = label
        unknown = sorted(
            set(map(str, document)) - {"version", "resource_usage", "resource_type_default_usage"}
        )
        if unknown:
            self.warnings.append(f"{origin}: unknown keys ignored: {', '.join(unknown)}")
        self._wildcards = [
            (_wildcard_pattern(name), name) for name in sorted(self.resource_usage) if "[*]" in name
        ]

    def _layers(self, address: str, resource_type: str) -> list[tuple[str, str, dict[str, Any]]]:
        """The entries that apply to a resource, lowest precedence first: its type's defaults,
        the wildcard entries that match it, its own entry (section, name, values)."""
        layers: list[tuple[str, str, dict[str, Any]]] = []
        if resource_type in self.type_defaults:
            defaults = self.type_defaults[resource_type]
            layers.append(("resource_type_default_usage", resource_type, defaults))
        for pattern, name in self._wildcards:
            if pattern.fullmatch(address):
                layers.append(("resource_usage", name, self.resource_usage[name]))
        if address in self.resource_usage:
            layers.append(("resource_usage", address, self.resource_usage[address]))
        return layers

    def for_resource(self, address: str, resource_type: str) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for _section, _name, values in self._layers(address, resource_type):
            merged = _merge(merged, values)
        return merged

    def for_resource_with_sources(
        self, address: str, resource_type: str
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """:meth:`for_resource`, and where each top-level usage key came from (the winning
        layer's "file", "inline" or "preset:NAME"), in one walk of the entries."""
        merged: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for section, name, values in self._layers(address, resource_type):
            merged = _merge(merged, values)
            for usage_key in values:
                sources[usage_key] = self._sources[(section, name, usage_key)]
        return merged, sources

    def to_metadata(self) -> dict[str, Any]:
        return {
            "files": list(self.files),
            "fromOptions": self.from_options,
            "preset": self.preset,
            "resources": len(self.resource_usage),
            "resourceTypes": len(self.type_defaults),
            "warnings": list(self.warnings),
        }


def _wildcard_pattern(name: str) -> re.Pattern[str]:
    parts = name.split("[*]")
    return re.compile(r"\[[^\]]*\]".join(re.escape(part) for part in parts))


PRESETS = ("small", "medium", "large")

#: Infracost's preset files (shipped as they are) name a type the way Infracost's own code
#: spells it where that differs from the AWS provider's type name; the preset is meant for
#: the provider's type.
PRESET_TYPE_NAMES = {"aws_kinesis_analytics_application": "aws_kinesisanalytics_application"}


def preset_document(name: str) -> Any:
    """Infracost's usage preset ``name`` (shipped in ``engine/data/usage_presets``)."""
    if name not in PRESETS:
        raise ValueError(f"unknown usage preset {name!r}")
    text = resources.files("engine.data").joinpath(f"usage_presets/{name}.yml").read_text("utf-8")
    document = yaml.load(text, Loader=_NoAliasLoader)
    defaults = document.get("resource_type_default_usage") if isinstance(document, dict) else None
    if isinstance(defaults, dict):
        for infracost_name, provider_name in PRESET_TYPE_NAMES.items():
            if infracost_name in defaults and provider_name not in defaults:
                defaults[provider_name] = defaults.pop(infracost_name)
    return document


def load_usage(
    files: Mapping[str, bytes],
    options_usage: Any = None,
    *,
    usage_file: str | None = None,
    directory: str | None = None,
    preset: str | None = None,
) -> Usage:
    """Usage for one project, lowest precedence first: the ``preset`` (Infracost's
    small/medium/large defaults per type); ``usage_file`` if given, else the usage files
    directly in the project's ``directory`` (all usage files of the bundle when ``directory``
    is None), in path order; then ``options.usage``, which wins key by key."""
    usage = Usage()
    if preset is not None:
        usage.preset = preset
        usage.add_document(preset_document(preset), f"usage preset {preset}", f"preset:{preset}")
    if usage_file is not None:
        paths = [usage_file] if usage_file in files else []
        if not paths:
            usage.warnings.append(f"{usage_file}: usage file not in the upload")
    else:
        paths = sorted(
            (
                path
                for path in files
                if is_usage_file(path)
                and (directory is None or posixpath.dirname(path) == _folder(directory))
            ),
            key=_path_order,
        )
    for path in paths:
        data = files[path]
        usage.files.append(path)
        if len(data) > MAX_USAGE_FILE_BYTES:
            usage.warnings.append(f"{path}: larger than {MAX_USAGE_FILE_BYTES} bytes; ignored")
            continue
        try:
            document = yaml.load(data.decode("utf-8-sig"), Loader=_NoAliasLoader)
        except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as exc:
            first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
            usage.warnings.append(f"{path}: not valid YAML ({first or type(exc).__name__})")
            continue
        usage.add_document(document, path, "file")
    if options_usage is not None:
        usage.from_options = True
        usage.add_document(options_usage, "options.usage", "inline")
    return usage


def _folder(directory: str) -> str:
    return "" if directory in ("", ".") else directory


def _path_order(path: str) -> tuple[int, str]:
    return (path.count("/"), path)


# Quantities beyond this are nonsense (and would overflow the decimal context when multiplied).
MAX_MAGNITUDE = 18


def to_decimal(value: Any) -> Decimal | None:
    """A number from an attribute or usage value; ``None`` for anything that is not one."""
    if isinstance(value, bool) or value is None:
        return None
    # HCL evaluates fractional literals (cache_cluster_size = 0.5) to Decimal.
    if isinstance(value, int | float | str | Decimal):
        text = str(value).strip()
        if len(text) > 64:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
        if not number.is_finite() or (number != 0 and number.adjusted() > MAX_MAGNITUDE):
            return None
        return number
    return None
