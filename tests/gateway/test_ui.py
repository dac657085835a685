"""The web page's serving side (gateway/ui.py): ``/`` redirects to ``/ui/``, every view URL
answers the same app shell (so views reload and share), assets come from the package with
a strict Content-Security-Policy, nothing is loaded from another origin, nothing inline,
the page stays open when auth is on while the API does not, and an installed gateway
ships every asset (package data). What the page does is tested in a real browser:
tests/e2e/test_ui_e2e.py."""

from __future__ import annotations

import configparser
import fnmatch
import re
from pathlib import Path

import pytest
from flask import Flask

from gateway import create_app
from gateway.dispatch import RecordingJobDispatcher
from gateway.ui import CSP, STATIC_DIR

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
NOWHERE = "redis://127.0.0.1:1/15"  # nothing listens there: the page needs no Redis
SECRET = "u" * 40
VIEWS = (
    "/ui/",
    "/ui/jobs",
    "/ui/jobs/0b3c6c1e-4a2b-4f6e-9b1d-3c2a1f0e9d8c",
    "/ui/compare/0b3c6c1e-4a2b-4f6e-9b1d-3c2a1f0e9d8c/7d9e8f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a",
)
_REF = re.compile(r'(?:src|href)="([^"]*)"')
_EXTERNAL = re.compile(r"https?://(?!www\.w3\.org/)", re.IGNORECASE)
_IMPORT = re.compile(r"""(?:import|export)\s[^;]*?from\s+'(\./[^']+)'""", re.DOTALL)


def make_app(tmp_path: Path, **config: str) -> Flask:
    return create_app(
        {"REDIS_URL": NOWHERE, "DATA_DIR": str(tmp_path / "data"), "AUTH_ENABLED": "false"}
        | config,
        dispatcher=RecordingJobDispatcher(),
    )


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(tmp_path)


def test_the_root_redirects_to_the_page(app: Flask) -> None:
    response = app.test_client().get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/ui/"
    assert app.test_client().get("/ui").status_code in (301, 308)  # Flask's slash redirect


@pytest.mark.parametrize("path", VIEWS)
def test_every_view_url_answers_the_same_shell(app: Flask, path: str) -> None:
    client = app.test_client()
    shell = client.get("/ui/").get_data(as_text=True)
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.get_data(as_text=True) == shell
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["Cache-Control"] == "no-cache"


def test_an_unknown_page_is_the_shell_with_a_404(app: Flask) -> None:
    response = app.test_client().get("/ui/nowhere/at/all")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert 'type="module"' in response.get_data(as_text=True)  # the page says "no such page"
    missing = app.test_client().get("/ui/static/nothing.js")
    assert missing.status_code == 404 and missing.mimetype == "application/json"


def test_the_policy_allows_nothing_inline_and_nothing_from_elsewhere() -> None:
    directives = dict(part.strip().split(" ", 1) for part in CSP.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"  # no 'unsafe-inline': no style attributes
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["require-trusted-types-for"] == "'script'"  # no HTML from strings
    assert "http" not in CSP and "unsafe" not in CSP


def test_the_shell_has_no_inline_script_or_style(app: Flask) -> None:
    html = app.test_client().get("/ui/jobs").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "every script has a src"
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\bon[a-z]+=", html), "no inline event handlers"
    assert not _EXTERNAL.search(html)


def test_every_asset_is_served_safely_and_references_only_this_origin(app: Flask) -> None:
    client = app.test_client()
    html = client.get("/ui/").get_data(as_text=True)
    refs = [ref for ref in _REF.findall(html) if ref.startswith("/ui/static/")]
    assert {"/ui/static/app.js", "/ui/static/app.css", "/ui/static/icon.svg"} <= set(refs)
    types = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    for path in sorted(STATIC_DIR.iterdir()):
        if path.suffix not in types:
            continue
        asset = client.get(f"/ui/static/{path.name}")
        assert asset.status_code == 200, path.name
        assert asset.mimetype in (types[path.suffix], "application/javascript"), path.name
        assert asset.headers["X-Content-Type-Options"] == "nosniff"
        assert asset.headers["Cache-Control"] == "no-cache"
        text = asset.get_data(as_text=True)
        asset.close()
        assert not _EXTERNAL.search(text), f"{path.name} names another origin"


def test_the_scripts_never_build_html_from_strings_or_set_inline_styles() -> None:
    for path in sorted(STATIC_DIR.glob("*.js")):
        # The code, not its comments (which may well explain why innerHTML is not used).
        code = re.sub(r"/\*.*?\*/|^\s*//.*$", "", path.read_text("utf-8"), flags=re.S | re.M)
        for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert banned not in code, f"{path.name} uses {banned}"
        assert "new Function" not in code, path.name
        assert not re.search(r"""setAttribute\(\s*['"]style['"]""", code), path.name
        assert not re.search(r"""\bstyle:\s""", code), f"{path.name} sets a style attribute"


def test_every_module_import_resolves() -> None:
    modules = {path.name for path in STATIC_DIR.glob("*.js")}
    for path in sorted(STATIC_DIR.glob("*.js")):
        for target in _IMPORT.findall(path.read_text("utf-8")):
            assert target.removeprefix("./") in modules, f"{path.name} imports {target}"


def test_the_page_stays_open_when_auth_is_on_and_the_api_does_not(tmp_path: Path) -> None:
    client = make_app(tmp_path, AUTH_ENABLED="true", JWT_SECRET=SECRET).test_client()
    for path in ("/", *VIEWS, "/ui/static/app.js", "/ui/static/app.css"):
        response = client.get(path)
        assert response.status_code in (200, 302), path
        response.close()
    denied = client.get("/api/v1/jobs")
    assert denied.status_code == 401
    assert denied.get_json()["error"]["code"] in ("unauthorized", "invalid_token")
    # Only the page's own paths are open: a look-alike prefix is not.
    assert client.get("/uix").status_code == 401
    assert client.get("/api/v1/limits").status_code == 401


def test_the_api_keeps_its_own_headers(app: Flask) -> None:
    # The page's policy is the page's: API answers are JSON for every client, as before.
    response = app.test_client().get("/health")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response.headers


def test_an_installed_gateway_ships_every_asset() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    patterns = [line.strip() for line in config["options.package_data"]["gateway"].splitlines()]
    patterns = [p for p in patterns if p]
    gateway = ROOT / "gateway"
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            relative = path.relative_to(gateway).as_posix()
            assert any(
                fnmatch.fnmatch(relative, p) and relative.count("/") == p.count("/")
                for p in patterns
            ), f"{relative} is not in setup.cfg's package_data"
