"""Bundle files -> the projects to estimate and the inventory document (the engine's result).

Chooses the input: a plan JSON anywhere in the bundle is authoritative (Terraform already
evaluated everything); otherwise each root module of the configuration is planned statically
by :mod:`engine.terraform` (one project per root module; ``options.root_module`` picks one).
The returned shape is the public result contract::

    {"region": str, "source": "plan" | "hcl",
     "resources": [{"address", "type", "name", "mode", "provider", "region", "project"}],
     "summary": {"resource_count": int, "by_type": {type: n}, "by_mode": {...},
                 "projects": n, "resources_not_expanded": n, "modules_not_expanded": n},
     "unknowns": [{"address", "reason", "kind", "project"}],
     "projects": [{"path", "resource_count"}],
     "modules": [{"address", "source", "kind", "directory", "project",
                  # fetched modules (kind "registry", "git", "archive") also:
                  "version", "package", "download", "from_cache", ...}],
     "warnings": [...]}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from engine.errors import EngineInputError
from engine.fetch.settings import FetchSettings
from engine.model import Resource, Unknown
from engine.plan import is_plan_candidate_path, load_json, looks_like_plan, parse_plan
from engine.terraform import ConfigError, InvalidOption, VarFileError, plan_upload
from engine.terraform.projects import configuration_dirs

Source = Literal["plan", "hcl"]


@dataclass
class Project:
    """One root module (or the plan): its resources, sorted by address."""

    path: str
    resources: list[Resource] = field(default_factory=list)
    unknowns: list[Unknown] = field(default_factory=list)
    modules: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: A plan's resources before the change (None: no past known, as for configurations).
    past_resources: list[Resource] | None = None
    #: A plan's action per managed resource address.
    actions: dict[str, str] | None = None


@dataclass
class Collected:
    source: Source
    projects: list[Project]

    @property
    def resources(self) -> list[Resource]:
        return [resource for project in self.projects for resource in project.resources]

    @property
    def unknowns(self) -> list[Unknown]:
        return [unknown for project in self.projects for unknown in project.unknowns]

    @property
    def path(self) -> str:
        return self.projects[0].path if len(self.projects) == 1 else "."


@dataclass(frozen=True)
class Options:
    """The job options that shape what is evaluated (see the engine's API document)."""

    root_module: str | None = None
    var_files: Sequence[str] = ()
    variables: Mapping[str, Any] = field(default_factory=dict)
    workspace: str = "default"

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> Options:
        root = options.get("root_module")
        return cls(
            root_module=root if isinstance(root, str) else None,
            var_files=tuple(options.get("var_files") or ()),
            variables=dict(options.get("variables") or {}),
            workspace=str(options.get("workspace") or "default"),
        )


def collect(
    files: Mapping[str, bytes],
    region: str = "us-east-1",
    options: Options | None = None,
    fetch: FetchSettings | None = None,
) -> Collected:
    """Pick plan or configuration and return the projects to estimate. With ``fetch``,
    registry and git modules are fetched (:mod:`engine.fetch`) and parsed files are also
    kept in the shared parse cache on disk; without it, neither."""
    options = options or Options()
    plans: list[tuple[str, Any]] = []
    invalid: EngineInputError | None = None
    for path in sorted(files):
        if not is_plan_candidate_path(path):
            continue
        try:
            document = load_json(path, files[path])
        except EngineInputError as exc:
            invalid = invalid or exc
            continue
        if looks_like_plan(document):
            plans.append((path, document))

    if plans:
        path, document = plans[0]
        result = parse_plan(document, path)
        unknowns = list(result.unknowns)
        # More than one plan is ambiguous: say which one was used instead of merging them.
        unknowns.extend(
            Unknown(other, f"additional plan file ignored; {path} was used", "configuration")
            for other, _ in plans[1:]
        )
        project = Project(
            path,
            _sorted(result.resources),
            unknowns,
            past_resources=result.past_resources,
            actions=result.actions,
        )
        return Collected("plan", [project])

    if configuration_dirs(files):
        return Collected("hcl", _plan_configuration(files, region, options, fetch))

    if invalid is not None:
        # No configuration at all, and the JSON that could have been a plan is broken.
        raise invalid
    raise EngineInputError(
        "no_terraform", "the bundle contains no .tf, .tf.json or Terraform plan JSON files"
    )


def _plan_configuration(
    files: Mapping[str, bytes], region: str, options: Options, fetch: FetchSettings | None
) -> list[Project]:
    remote = None
    fetcher = None
    if fetch is not None:
        # Imported here: the fetcher (HTTPS, git, the cache) is only needed when configured.
        from engine.fetch.resolver import fetcher_for
        from engine.terraform import parsecache

        parsecache.configure(Path(fetch.cache_dir) / "parsed" if fetch.parse_cache else None)
        fetcher = fetcher_for(fetch)
        remote = fetcher.resolver()
    try:
        planned = plan_upload(
            files,
            region=region,
            root_module=options.root_module,
            var_files=options.var_files,
            variables=options.variables,
            workspace=options.workspace,
            remote=remote,
        )
    except InvalidOption as exc:
        raise EngineInputError("invalid_option", str(exc)) from exc
    except (ConfigError, VarFileError) as exc:
        raise EngineInputError("hcl_parse_error", str(exc)) from exc
    finally:
        if fetcher is not None:
            fetcher.maintain()
    projects: list[Project] = []
    for item in planned:
        result = item.result
        projects.append(
            Project(
                item.path,
                result.resources,
                list(result.unknowns),
                [
                    {
                        "address": m.address,
                        "source": m.source,
                        "kind": m.kind,
                        "directory": m.directory or ".",
                        **dict(m.detail),
                    }
                    for m in result.modules
                ],
                list(result.warnings),
            )
        )
    return projects


def build_inventory(
    files: Mapping[str, bytes], region: str, *, options: Options | None = None
) -> dict[str, Any]:
    """The inventory document for a bundle (see the module docstring for its shape)."""
    return render_inventory(collect(files, region, options), region)


def render_inventory(collected: Collected, region: str) -> dict[str, Any]:
    """The inventory document of already collected resources."""
    resources = collected.resources
    by_type = Counter(resource.type for resource in resources)
    by_mode = Counter(resource.mode for resource in resources)
    unknowns = [
        {**unknown.to_dict(), "project": project.path}
        for project in collected.projects
        for unknown in project.unknowns
    ]
    return {
        "region": region,
        "source": collected.source,
        "resources": [
            {
                **resource.to_inventory_entry(),
                "region": resource.effective_region(region),
                "project": project.path,
            }
            for project in collected.projects
            for resource in project.resources
        ],
        "summary": {
            "resource_count": len(resources),
            "by_type": dict(sorted(by_type.items())),
            "by_mode": {"managed": by_mode.get("managed", 0), "data": by_mode.get("data", 0)},
            "projects": len(collected.projects),
            "resources_not_expanded": sum(1 for u in unknowns if u["kind"] == "resource"),
            "modules_not_expanded": sum(1 for u in unknowns if u["kind"] == "module"),
        },
        "unknowns": unknowns,
        "projects": [
            {"path": project.path, "resource_count": len(project.resources)}
            for project in collected.projects
        ],
        "modules": [
            {**module, "project": project.path}
            for project in collected.projects
            for module in project.modules
        ],
        "warnings": [warning for project in collected.projects for warning in project.warnings],
    }


def _sorted(resources: list[Resource]) -> list[Resource]:
    return sorted(resources, key=lambda resource: resource.address)
