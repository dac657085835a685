"""Project-level contracts: import direction, deployment files, entry points."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n.split(".")[0] for n in names} | names


def package_imports(package: str) -> dict[Path, set[str]]:
    return {p: imported_modules(p) for p in sorted((ROOT / package).rglob("*.py"))}


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("workers", {"flask", "gateway", "engine"}),
        ("gateway", {"workers", "engine"}),
        ("engine", {"gateway", "workers", "celery"}),
        ("tfquote", {"flask", "celery", "gateway", "workers", "engine"}),
    ],
)
def test_import_direction(package: str, forbidden: set[str]) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imports & forbidden)
        for path, imports in package_imports(package).items()
        if imports & forbidden
    }
    assert offenders == {}


@pytest.mark.parametrize(
    "leaf",
    ["tfquote/archives.py", "tfquote/jobs.py", "tfquote/uploads.py", "workers/engine_client.py",
     "workers/workspace.py", "workers/pipeline.py", "tfquote/retrying.py", "tfquote/costdiff.py",
     "tfquote/budget.py", "tfquote/webhooks.py", "workers/webhooks.py",
     "tfquote/reports/__init__.py", "tfquote/reports/model.py", "tfquote/reports/table.py",
     "tfquote/reports/markdown.py", "tfquote/reports/html.py", "tfquote/client/cli.py",
     "tfquote/client/api.py", "tfquote/client/pack.py"],
)  # fmt: skip
def test_leaf_modules_import_neither_flask_nor_celery(leaf: str) -> None:
    assert not imported_modules(ROOT / leaf) & {"flask", "celery", "werkzeug", "kombu"}


def test_reports_are_pure() -> None:
    # Rendered by the gateway and by the client alike: no framework, no I/O, no stores.
    for path, imports in package_imports("tfquote/reports").items():
        ours = {name for name in imports if name.startswith("tfquote.")}
        assert ours <= {"tfquote.reports", "tfquote.reports.model", "tfquote.reports.html",
                        "tfquote.reports.markdown", "tfquote.reports.table",
                        "tfquote.costdiff"}, path  # fmt: skip
        assert not imports & {"redis", "requests", "socket", "os", "subprocess"}, path


def test_the_client_uses_the_public_api_only() -> None:
    # requests against the HTTP API; of tfquote only the renderers (no store, no settings).
    allowed = {"tfquote.reports", "tfquote.client", "tfquote.client.api", "tfquote.client.pack",
               "tfquote.client.cli"}  # fmt: skip
    for path, imports in package_imports("tfquote/client").items():
        ours = {name for name in imports if name.startswith("tfquote.")}
        assert ours <= allowed, path
        assert not imports & {"redis", "celery", "kombu"}, path


def test_the_client_is_a_console_script() -> None:
    setup = (ROOT / "setup.cfg").read_text()
    assert "tfquote = tfquote.client.cli:main" in setup


def test_gateway_enqueues_by_name_only() -> None:
    # The gateway publishes through the shared contract, which sends by task name.
    gateway = "\n".join(p.read_text() for p in (ROOT / "gateway").rglob("*.py"))
    assert "publish_job(" in gateway
    source = gateway + (ROOT / "tfquote" / "tasks.py").read_text()
    assert "send_task(" in source
    assert ".delay(" not in source and "apply_async(" not in source


def test_wsgi_is_one_line_factory_call() -> None:
    code = [
        line for line in (ROOT / "wsgi.py").read_text().splitlines()
        if line.strip() and not line.startswith(("#", '"""', "from ", "import "))
    ]  # fmt: skip
    assert code == ["app = create_app()"]


def test_procfile_names_every_process() -> None:
    entries = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()
    )
    assert set(entries) == {"redis", "engine", "worker", "beat", "gateway", "flower"}
    assert "celery -A workers worker" in entries["worker"]
    assert "celery -A workers flower" in entries["flower"]
    assert "${FLOWER_PORT" in entries["flower"] and "${GATEWAY_PORT" in entries["gateway"]
    assert "${ENGINE_PORT" in entries["engine"]


def test_every_gunicorn_runs_with_limits_above_the_apps() -> None:
    from tfquote import gunicorn_conf, httplimits

    lines = [
        *(ROOT / "Procfile").read_text().splitlines(),
        *(ROOT / "Dockerfile").read_text().splitlines(),
        " ".join(str(service.get("command")) for service in
                 yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"].values()),
        (ROOT / "tfquote" / "devstack.py").read_text(),
    ]  # fmt: skip
    for line in lines:
        if "gunicorn" in line and ("--bind" in line or "'--bind'" in line):
            assert "python:tfquote.gunicorn_conf" in line, line
    # Whatever the application refuses must reach it (gunicorn's refusals are HTML).
    assert gunicorn_conf.limit_request_line > httplimits.MAX_URL_BYTES + len("DELETE  HTTP/1.1")
    assert gunicorn_conf.limit_request_fields > httplimits.MAX_HEADER_COUNT
    assert gunicorn_conf.limit_request_field_size > httplimits.MAX_HEADER_BYTES


def test_compose_file() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"redis", "gateway", "worker", "engine", "flower", "beat"}
    # Celery can exit on a Redis restart; without beat the reconciler never runs.
    assert all(service.get("restart") == "unless-stopped" for service in services.values())
    assert services["beat"]["command"][:4] == ["celery", "-A", "workers", "beat"]
    redis_cmd = " ".join(services["redis"]["command"])
    assert "--appendonly yes" in redis_cmd and "noeviction" in redis_cmd
    for name in ("gateway", "worker"):
        assert "tfquote-data:/data" in services[name]["volumes"]
        assert services[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert "FLOWER_BASIC_AUTH" in services["flower"]["environment"]
    assert all("healthcheck" in services[n] for n in ("redis", "engine", "worker", "flower"))


def test_dockerfile_is_multistage_nonroot_with_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", text, re.M)) >= 2
    assert re.search(r"^USER 1000(:1000)?$", text, re.M)
    assert re.search(r"^HEALTHCHECK ", text, re.M)


def test_ci_runs_make_test() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_ci_installs_the_browsers_the_page_tests_need() -> None:
    # Only when missing and only as root (a clean Debian CI machine), before make test.
    run = (ROOT / ".ci" / "run").read_text()
    install = run.index("apt-get install -y -qq --no-install-recommends chromium chromium-driver")
    assert "firefox-esr git" in run[install : install + 120]
    for binary in ("chromium", "chromedriver", "firefox-esr", "git"):
        assert f"command -v {binary}" in run
    assert '[ "$(id -u)" -eq 0 ]' in run
    assert install < run.index("\nmake test")


def test_the_readme_has_one_table_of_every_variable() -> None:
    from engine.config import EngineSettings
    from tfquote.settings import Settings, variable_names

    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration\n", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|"))
    launch = ["JWT_PUBLIC_KEY_FILE", "REDIS_PORT", "WORKER_CONCURRENCY", "GATEWAY_WORKERS",
              "GATEWAY_HOST", "FLOWER_HOST"]  # fmt: skip
    names = {*variable_names(Settings), *variable_names(EngineSettings), *launch}
    assert sorted(name for name in names if f"`{name}`" not in table) == []
    # One table: no other section lists variables with their defaults.
    assert readme.count("| Variable |") == 1
