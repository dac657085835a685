"""The web page (issue 15) in real headless Chromium, against the real stack: a private
Redis database, the engine (behind a gate that can hold estimates, tests/support/gate.py),
a celery worker and a gunicorn gateway with authentication on. One stack and one browser
session serve the whole module; the tests run in order, as one person would use the page.

Checked: the token prompt and the API's 401 messages; the README's sample and a shared
example (a folder, its root module picked in the page) estimated with options, the job
watched to the end, the total, the charts and the breakdown equal to the API's; sorting,
filtering, a component's price source and date; the reports downloaded as the API serves
them; ZIP and tar.gz listings for the root-module and var-file pickers; two jobs compared
(the API's compare_to diff, and two jobs diffed in the page); a running job cancelled and
another followed to COMPLETED without a reload; a FAILED job's message; bad input refused
in the page with the API's words and nothing uploaded twice; tenant isolation; 503, 429
and a network failure explained.

Screenshots of every page at 360 px and 1440 px go to ``var/ui-screenshots/`` (or
``$UI_SCREENSHOTS``), with an index.html; the path is printed at the end of the module.
"""

from __future__ import annotations

import io
import os
import tarfile
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis

from gateway.auth import mint_token
from tests.e2e.test_cost_changes_e2e import BASE_TF, PR_TF
from tests.support.browser import (
    chrome,
    console_problems,
    full_page_screenshot,
    require_chromium,
    reset_viewport,
)
from tests.support.shared import SHARED, require_shared
from tests.support.ui_stack import JWT_SECRET, UIStack, ui_stack
from tfquote import redis_server
from tfquote.costdiff import dec, format_money
from tfquote.devstack import ROOT, start_gunicorn
from tfquote.reports.model import build, quantity
from tfquote.settings import Settings

pytestmark = pytest.mark.e2e

T = TypeVar("T")
SAMPLE = ROOT / "docs" / "examples"
SHOTS = Path(os.environ.get("UI_SCREENSHOTS") or ROOT / "var" / "ui-screenshots")
VPC = SHARED / "corpus/terraform/terraform-aws-modules/terraform-aws-vpc"

# A small repository with a root module in a folder, a var file and a long path (a tar
# name over 100 bytes, so the tar.gz listing has to read PAX headers).
STACK = {
    "envs/prod/main.tf": """
variable "replicas" {
  type    = number
  default = 1
}
variable "size" {
  type    = string
  default = "t3.micro"
}
module "app" {
  source   = "../../modules/app"
  replicas = var.replicas
  size     = var.size
}
""",
    "envs/prod/prod.tfvars": 'size = "t3.large"\n',
    "envs/dev/main.tf": 'resource "aws_s3_bucket" "dev" {\n  bucket = "dev"\n}\n',
    "modules/app/main.tf": """
variable "replicas" {}
variable "size" {}
resource "aws_instance" "node" {
  count         = var.replicas
  ami           = "ami-0a1b2c3d4e5f67890"
  instance_type = var.size
}
""",
    "docs/" + "a-very-long-folder-name-for-the-tar-listing/" * 3 + "notes.txt": "notes\n",
}


def usd(value: Any) -> str:
    amount = dec(value)
    return "—" if amount is None else format_money(amount)


def expected_changes(rows: list[dict[str, Any]]) -> dict[str, tuple[str, str, str, str]]:
    """The rows a comparison shows for an API diff: address -> action, past, now, change."""
    out = {}
    for r in rows:
        if r["action"] == "no-op" and not Decimal(r["diffMonthlyCost"] or 0):
            continue
        change = dec(r["diffMonthlyCost"])
        out[r["address"]] = (
            r["action"],
            usd(r["pastMonthlyCost"]),
            usd(r["monthlyCost"]),
            "—" if change is None else format_money(change, sign=True),
        )
    return out


# --- the stack --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stack(redis_url: str, engine_url: str, session_dir: Path) -> Iterator[UIStack]:
    require_chromium()  # before starting anything: skip (or, under CI, fail) at once
    with ui_stack(redis_url, engine_url, session_dir, db=9, name="ui") as started:
        yield started


# --- the browser ------------------------------------------------------------------------------


class Page:
    """One headless Chromium tab and what the tests ask of it."""

    def __init__(self, driver: Any, base: str, downloads: Path) -> None:
        self.driver = driver
        self.base = base
        self.downloads = downloads
        self.shots: list[tuple[str, int, int]] = []

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def use_token(self, token: str | None) -> None:
        """Sign in as the page would keep it (sessionStorage) without going through the
        prompt again (the prompt has its own test)."""
        self.driver.get(self.base + "/health")
        if token:
            self.driver.execute_script(
                "sessionStorage.setItem('tfquote.token', arguments[0])", token
            )
        else:
            self.driver.execute_script("sessionStorage.clear()")

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def wait(self, check: Callable[[], T], timeout: float = 60, what: str = "") -> T:
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                value = check()
                if value:
                    return value
            except Exception as exc:  # the element is being redrawn; look again
                last = exc
            time.sleep(0.1)
        raise AssertionError(
            f"timed out waiting for {what or check}: {last}\n{self.text('main')[:3000]}"
        )

    def el(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def els(self, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return list(self.driver.find_elements(By.CSS_SELECTOR, css))

    def shown(self, css: str, timeout: float = 60) -> Any:
        return self.wait(
            lambda: next((e for e in self.els(css) if e.is_displayed()), None), timeout, css
        )

    def text(self, css: str) -> str:
        found = self.els(css)
        return str(found[0].text) if found else ""

    def click(self, css: str) -> None:
        self.shown(css).click()

    def select(self, css: str, value: str) -> None:
        from selenium.webdriver.support.ui import Select

        Select(self.shown(css)).select_by_value(value)

    def type(self, css: str, text: str) -> None:
        """Replace the field's text as a person would (select all, delete, type), so the
        page sees input events; WebElement.clear() sends none."""
        from selenium.webdriver.common.keys import Keys

        element = self.shown(css)
        element.send_keys(Keys.CONTROL, "a")
        element.send_keys(Keys.DELETE)
        if text:
            element.send_keys(text)

    def choose_files(self, *paths: Path) -> None:
        self.el("[data-role=files-input]").send_keys("\n".join(str(p) for p in paths))

    def uploads_sent(self) -> int:
        """Upload requests this tab made (the page is one document: the count survives
        every change of view)."""
        return int(
            self.js(
                "return performance.getEntriesByType('resource').filter(e => "
                "e.initiatorType === 'xmlhttprequest' && new URL(e.name).pathname === '/api/v1/uploads').length"
            )
        )

    def job_id_from_url(self) -> str:
        self.wait(lambda: "/ui/jobs/" in self.driver.current_url, what="the job's page")
        return str(self.driver.current_url.rsplit("/", 1)[1])

    def shot(self, name: str, *, full: bool = True) -> None:
        """The page at 360 px (a phone) and 1440 px; nothing may stick out sideways."""
        for width in (360, 1440):
            overflow = full_page_screenshot(
                self.driver, SHOTS / f"{name}-{width}.png", width, full=full
            )
            self.shots.append((name, width, overflow))
            assert overflow <= 0, f"{name} is {overflow}px wider than a {width}px screen"
        reset_viewport(self.driver)
        time.sleep(0.2)


@pytest.fixture(scope="module")
def page(
    stack: UIStack, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Page]:
    downloads = tmp_path_factory.mktemp("ui-downloads")
    driver = chrome(width=1440, height=1000, downloads=downloads)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    tab = Page(driver, stack.url, downloads)
    try:
        yield tab
    finally:
        driver.quit()
        names = sorted({name for name, _, _ in tab.shots})
        (SHOTS / "index.html").write_text(
            "<!DOCTYPE html><meta charset='utf-8'><title>tfquote page screenshots</title>"
            "<style>body{font-family:sans-serif} img{border:1px solid #ccc;vertical-align:top;"
            "margin:4px} .w360{width:360px} .w1440{width:720px}</style>"
            + "".join(
                f"<h2>{n}</h2><img class='w360' src='{n}-360.png' alt='{n} at 360 px'>"
                f"<img class='w1440' src='{n}-1440.png' alt='{n} at 1440 px'>"
                for n in names
            ),
            "utf-8",
        )
        # Said on the terminal, past pytest's output capture, so a reviewer finds them.
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():
                reporter.write_line(
                    f"\nweb page screenshots (360 px and 1440 px): {SHOTS}/index.html"
                )


@pytest.fixture(autouse=True)
def _clean_console(page: Page) -> Iterator[None]:
    """No script error, no CSP or Trusted Types violation, in any test."""
    console_problems(page.driver)  # drop what an earlier test left
    yield
    assert console_problems(page.driver) == []


# --- the tests, in the order a person would go ---------------------------------------------------


def test_the_page_asks_for_a_token_and_says_why_one_is_refused(page: Page, stack: UIStack) -> None:
    page.use_token(None)
    page.open("/")
    assert page.driver.current_url == stack.url + "/ui/"
    dialog = page.shown("#token-dialog")
    # The API's own 401 message, and what to do.
    assert 'the API answered "missing bearer token"' in dialog.text
    page.shot("token-prompt", full=False)  # a modal: what the screen shows
    page.type("#token-dialog input[type=password]", "not-a-token")
    page.click("#token-dialog button[type=submit]")
    page.wait(
        lambda: "The API refused this token: token is malformed." in page.text("#token-dialog")
    )
    expired = mint_token(
        Settings.from_env(overrides={"AUTH_ENABLED": "true", "JWT_SECRET": JWT_SECRET}),
        "alice",
        ttl_seconds=-60,
    )
    page.type("#token-dialog input[type=password]", expired)
    page.click("#token-dialog button[type=submit]")
    page.wait(lambda: "token expired" in page.text("#token-dialog"))
    page.type("#token-dialog input[type=password]", stack.alice)
    page.click("#token-dialog button[type=submit]")
    page.wait(lambda: not page.els("#token-dialog"), what="the prompt to close")
    assert "Signed in as alice" in page.text("#auth-status")
    # Kept for this tab only: not in localStorage, not in a cookie.
    assert page.js("return sessionStorage.getItem('tfquote.token')") == stack.alice
    assert page.js("return localStorage.length") == 0 and page.driver.get_cookies() == []
    # Reloading a view keeps the session; nothing inline was blocked or styled.
    page.open("/ui/jobs")
    page.wait(lambda: "No jobs yet" in page.text(".jobs-body"))
    assert page.js("return document.querySelectorAll('[style]').length") == 0


def test_the_readme_sample_with_options_through_to_its_breakdown(
    page: Page, stack: UIStack
) -> None:
    page.use_token(stack.alice)
    page.open("/ui/")
    before = stack.job_ids()
    page.choose_files(SAMPLE / "main.tf", SAMPLE / "infracost-usage.yml")
    page.wait(lambda: len(page.els("[data-role=file-list] li")) == 2)
    page.select("[data-role=region]", "us-east-1")
    page.type("[data-role=variable-name]", "web_count")
    page.type("[data-role=variable-value]", "3")
    page.type("[data-role=workspace]", "staging")
    page.type("[data-role=budget-monthly_total_max]", "10")  # far below any price of it
    page.type("[data-role=project-name]", "README sample")
    # A double click submits once: one upload, one job.
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(page.driver).double_click(page.el("[data-action=submit]")).perform()
    job_id = page.job_id_from_url()
    page.shown(".status-line .badge[data-status=COMPLETED]", timeout=90)
    assert stack.job_ids() - before == {job_id}
    assert page.uploads_sent() == 1
    job = stack.job(job_id)
    assert job["options"] == {
        "variables": {"web_count": "3"},
        "workspace": "staging",
        "budget": {"monthly_total_max": "10"},
    }
    page.wait(lambda: page.text("h1") == "README sample", what="the upload's name as the title")

    # The numbers are the API's, to the cent.
    report = build(job)
    estimate = job["result"]["estimate"]
    assert page.text("[data-card=total] .card-value") == usd(estimate["totalMonthlyCost"])
    assert job["result"]["policy"]["passed"] is False
    assert page.text("[data-card=budget] .card-value") == "exceeded"
    assert "Budget exceeded" in page.text("[data-role=verdict]")
    check = page.text("[data-check=monthly_total_max]")
    assert "$10.00" in check and usd(estimate["totalMonthlyCost"]) in check and "failed" in check
    resources = estimate["projects"][0]["breakdown"]["resources"]
    assert len(resources) == 8  # three web instances now
    expected = {r["name"]: usd(r["monthlyCost"]) for r in resources}
    shown = page.js(
        "return [...document.querySelectorAll('tr.resource-row')].map(tr => "
        "[tr.dataset.resource, tr.lastElementChild.textContent.trim()])"
    )
    assert dict(shown) == expected
    by_cost = sorted(resources, key=lambda r: (-Decimal(r["monthlyCost"]), r["name"]))
    assert [name for name, _ in shown] == [r["name"] for r in by_cost]  # most expensive first
    charts = page.js(
        "return [...document.querySelectorAll('figure.chart')].map(f => [...f.querySelectorAll('g.chart-row')]"
        ".map(g => [g.dataset.label, g.dataset.value]))"
    )
    assert charts[0] == [[name, usd(amount)] for name, amount in report.cost_by_service()]
    assert charts[1] == [[name, usd(amount)] for name, amount in report.cost_by_resource()[:10]]
    bars = page.js(
        "return [...document.querySelectorAll('figure.chart')[0].querySelectorAll('rect')].map(r => r.getBoundingClientRect().width)"
    )
    assert bars == sorted(bars, reverse=True) and bars[-1] > 0

    # Sorting: by name, both ways; by cost, cheapest first.
    def names() -> list[str]:
        return list(
            page.js(
                "return [...document.querySelectorAll('tr.resource-row')].map(tr => tr.dataset.resource)"
            )
        )

    page.click("button[data-sort=name]")
    assert names() == sorted(expected)
    assert page.el("th[aria-sort=ascending] button[data-sort=name]")
    page.click("button[data-sort=name]")
    assert names() == sorted(expected, reverse=True)
    page.click("button[data-sort=monthly]")  # a new column starts most expensive first
    page.click("button[data-sort=monthly]")
    assert names() == [
        r["name"] for r in sorted(resources, key=lambda r: (Decimal(r["monthlyCost"]), r["name"]))
    ]

    # Filtering.
    page.type("[data-role=filter]", "aws_instance")
    assert sorted(names()) == ["aws_instance.web[0]", "aws_instance.web[1]", "aws_instance.web[2]"]
    assert page.text("[data-role=count]") == "Showing 3 of 8 priced resources."
    page.type("[data-role=filter]", "")
    page.wait(lambda: len(names()) == 8)

    # A resource opens onto its components, each with its price's source and date.
    db = next(r for r in resources if r["name"] == "aws_db_instance.main")
    page.click('button[data-expand="aws_db_instance.main"]')
    detail = page.shown('tr[data-detail="aws_db_instance.main"]')
    assert (
        page.el('button[data-expand="aws_db_instance.main"]').get_attribute("aria-expanded")
        == "true"
    )
    rows = page.js(
        "return [...arguments[0].querySelectorAll('tr[data-component]')].map(tr => ({"
        "name: tr.dataset.component, source: tr.querySelector('.price-source').textContent,"
        "date: tr.querySelector('.price-date').textContent, cost: tr.children[4].textContent.trim(),"
        "qty: tr.children[1].textContent.trim(), unit: tr.children[2].textContent.trim()}))",
        detail,
    )
    assert rows == [
        {
            "name": c["name"],
            "source": c["priceSource"],
            "date": c["priceEffectiveDate"],
            "cost": usd(c["monthlyCost"]),
            "qty": quantity(dec(c["monthlyQuantity"])),
            "unit": c["unit"],
        }
        for c in db["costComponents"]
    ]
    # Usage-based components are marked.
    lb = next(r for r in resources if r["name"] == "aws_lb.web")
    page.click('button[data-expand="aws_lb.web"]')
    marked = page.js(
        "return [...document.querySelectorAll('tr[data-detail=\"aws_lb.web\"] tr[data-component]')]"
        ".filter(tr => tr.classList.contains('usage-based')).map(tr => tr.dataset.component)"
    )
    assert marked == [c["name"] for c in lb["costComponents"] if c["usageBased"]] and marked
    page.shot("job-completed")

    # The reports, downloaded as the API serves them.
    for fmt, ext in (("markdown", "md"), ("html", "html"), ("json", "json")):
        page.click(f"button[data-report={fmt}]")
        target = page.downloads / f"tfquote-{job_id[:8]}.{ext}"
        page.wait(
            lambda target=target: target.exists() and target.stat().st_size > 0, what=str(target)
        )
        served = stack.api("GET", f"/api/v1/jobs/{job_id}/report", params={"format": fmt})
        assert target.read_bytes() == served.content, fmt


def test_a_shared_example_folder_with_its_root_module_picked_in_the_page(
    page: Page, stack: UIStack
) -> None:
    repo = require_shared(VPC)
    page.use_token(stack.alice)
    page.open("/ui/")
    page.el("[data-role=folder-input]").send_keys(str(repo))
    page.wait(lambda: "terraform-aws-vpc" in page.text("[data-role=file-list]"))
    # The folders with Terraform, found in the browser, as the worker will see them.
    expected = sorted(
        {
            ("." if p.parent == repo else p.parent.relative_to(repo).as_posix())
            for p in repo.rglob("*.tf")
            if ".terraform" not in p.parts and not p.name.startswith(".")
        },
        key=lambda f: (f != ".", f),
    )
    options = page.wait(
        lambda: (
            [o.get_attribute("value") for o in page.els("[data-role=root-module] option")][1:]
            or None
        )
    )
    assert options == expected
    assert "examples/complete" in options
    page.select("[data-role=root-module]", "examples/complete")
    page.shot("new-estimate")
    page.click("[data-action=submit]")
    job_id = page.job_id_from_url()
    page.shown(".status-line .badge[data-status=COMPLETED]", timeout=90)
    job = stack.job(job_id)
    assert job["options"] == {"root_module": "examples/complete"}
    upload = stack.api("GET", f"/api/v1/uploads/{job['upload_id']}").json()
    assert [f["name"] for f in upload["files"]] == ["terraform-aws-vpc.tar.gz"]
    estimate = job["result"]["estimate"]
    assert page.text("[data-card=total] .card-value") == usd(estimate["totalMonthlyCost"])
    shown = page.js(
        "return [...document.querySelectorAll('tr.resource-row')].map(tr => tr.dataset.resource)"
    )
    assert sorted(shown) == sorted(
        r["name"] for r in estimate["projects"][0]["breakdown"]["resources"]
    )
    assert shown, "the example prices something"


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in files.items():
            archive.writestr(f"platform/{path}", text)
    return buffer.getvalue()


def _tar_gz(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"platform/{path}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_zip_and_tar_gz_are_listed_in_the_page_for_the_pickers(
    page: Page, stack: UIStack, tmp_path: Path
) -> None:
    (tmp_path / "platform.zip").write_bytes(_zip(STACK))
    (tmp_path / "platform.tar.gz").write_bytes(_tar_gz(STACK))
    page.use_token(stack.alice)
    page.open("/ui/")

    def pickers() -> tuple[list[str], list[str]]:
        roots = [o.get_attribute("value") for o in page.els("[data-role=root-module] option")][1:]
        var_files = [i.get_attribute("value") for i in page.els("[data-role=var-file]")]
        return roots, var_files

    for name in ("platform.tar.gz", "platform.zip"):  # the zip is the one estimated
        for button in page.els("[data-role=file-list] button"):
            button.click()
        page.choose_files(tmp_path / name)
        assert page.wait(lambda: pickers()[1] or None) == ["envs/prod/prod.tfvars"]
        assert pickers()[0] == ["envs/dev", "envs/prod", "modules/app"]
        assert f"{len(STACK)} files" in page.text("[data-role=file-list]")
    page.select("[data-role=root-module]", "envs/prod")
    page.click("[data-role=var-file]")
    page.type("[data-role=variable-name]", "replicas")
    page.type("[data-role=variable-value]", "2")
    page.click("[data-action=submit]")
    job_id = page.job_id_from_url()
    page.shown(".status-line .badge[data-status=COMPLETED]", timeout=90)
    job = stack.job(job_id)
    assert job["options"] == {
        "root_module": "envs/prod",
        "var_files": ["envs/prod/prod.tfvars"],
        "variables": {"replicas": "2"},
    }
    names = [r["name"] for r in job["result"]["estimate"]["projects"][0]["breakdown"]["resources"]]
    assert sorted(names) == ["module.app.aws_instance.node[0]", "module.app.aws_instance.node[1]"]
    components = job["result"]["estimate"]["projects"][0]["breakdown"]["resources"][0][
        "costComponents"
    ]
    assert any("t3.large" in c["name"] for c in components)  # the var file was applied


UNKNOWNS_TF = b"""
variable "replicas" {
  type = number
}
resource "aws_instance" "web" {
  count         = var.replicas
  ami           = "ami-0a1b2c3d4e5f67890"
  instance_type = "t3.micro"
}
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = "arn:aws:iam::123456789012:role/x"
  runtime       = "python3.12"
  handler       = "a.b"
  filename      = "fn.zip"
}
"""
MISSPELT_USAGE = b"""version: 0.1
resource_usage:
  aws_lambda_function.fn:
    monthly_requestz: 100
"""


def test_a_usage_preset_unknowns_and_warnings(page: Page, stack: UIStack, tmp_path: Path) -> None:
    """The preset picked in the page; a count nobody can know and a misspelt usage key are
    listed with the API's reasons, and nothing unknown is priced."""
    (tmp_path / "main.tf").write_bytes(UNKNOWNS_TF)
    (tmp_path / "infracost-usage.yml").write_bytes(MISSPELT_USAGE)
    page.use_token(stack.alice)
    page.open("/ui/")
    page.choose_files(tmp_path / "main.tf", tmp_path / "infracost-usage.yml")
    page.wait(lambda: len(page.els("[data-role=file-list] li")) == 2)
    page.select("[data-role=usage-preset]", "medium")
    page.click("[data-action=submit]")
    job_id = page.job_id_from_url()
    page.shown(".status-line .badge[data-status=COMPLETED]", timeout=90)
    job = stack.job(job_id)
    assert job["options"] == {"usage_preset": "medium"}
    report = build(job)
    assert "count is unknown" in dict(report.unknowns)["aws_instance.web"]
    assert any("monthly_requestz" in w for w in report.warnings)
    shown_unknowns = page.js(
        "return [...document.querySelectorAll('ul.unknowns li')].map(li => li.textContent)"
    )
    assert shown_unknowns == [f"{address}: {reason}" for address, reason in report.unknowns]
    shown_warnings = page.js(
        "return [...document.querySelectorAll('ul.warnings li')].map(li => li.textContent)"
    )
    assert shown_warnings == report.warnings
    # The instances whose count is unknown are not in the breakdown, priced or not.
    rows = page.js(
        "return [...document.querySelectorAll('tr.resource-row')].map(tr => tr.dataset.resource)"
    )
    assert rows == ["aws_lambda_function.fn"]
    # The function's usage came from the preset (the misspelt key gave it nothing).
    lambda_components = job["result"]["estimate"]["projects"][0]["breakdown"]["resources"][0][
        "costComponents"
    ]
    assert {c.get("usageSource") for c in lambda_components if c["usageBased"]} == {"preset:medium"}


def test_compare_two_jobs(page: Page, stack: UIStack, tmp_path: Path) -> None:
    base = stack.completed([("main.tf", BASE_TF)])
    other = stack.completed([("main.tf", PR_TF)])  # no compare_to: the page diffs it
    page.use_token(stack.alice)
    page.open("/ui/")
    # The pull request's job, compared with the base through the form's compare_to.
    page.wait(
        lambda: (
            base["job_id"]
            in [o.get_attribute("value") for o in page.els("[data-role=compare-to] option")]
        )
    )
    page.select("[data-role=compare-to]", base["job_id"])
    pr_file = tmp_path / "main.tf"
    pr_file.write_bytes(PR_TF)
    page.choose_files(pr_file)
    page.click("[data-action=submit]")
    pr_id = page.job_id_from_url()
    page.shown(".status-line .badge[data-status=COMPLETED]", timeout=90)
    pr = stack.job(pr_id)
    assert pr["options"] == {"compare_to": base["job_id"]}
    diff = pr["result"]["diff"]
    assert page.text("[data-role=headline]") == diff["headline"]
    assert page.text("[data-card=past] .card-value") == usd(diff["pastTotalMonthlyCost"])

    def changes() -> dict[str, tuple[str, str, str, str]]:
        rows = page.js(
            "return [...document.querySelectorAll('table.changes tr[data-address]')].map(tr => [tr.dataset.address,"
            " tr.dataset.action, ...[...tr.querySelectorAll('td.num')].map(td => td.textContent.trim())])"
        )
        return {row[0]: tuple(row[1:]) for row in rows}

    api_rows = expected_changes(diff["resources"])
    assert changes() == api_rows
    assert set(api_rows) == {
        "aws_instance.web[0]",
        "aws_instance.web[1]",
        "aws_nat_gateway.main",
        "aws_db_instance.db",
    }

    # The compare view of the same pair: the API's diff.
    page.click("[data-role=compare-link]")
    page.shown("[data-role=diff-origin][data-origin=api]")
    assert changes() == api_rows
    assert page.text("[data-side=base] .card-value") == usd(
        base["result"]["estimate"]["totalMonthlyCost"]
    )
    assert page.text("[data-side=job] .card-value") == usd(
        pr["result"]["estimate"]["totalMonthlyCost"]
    )
    page.shot("compare")

    # Two jobs picked in the list: diffed in the page, by the same rules as the API.
    page.open("/ui/jobs")
    for job_id in (base["job_id"], other["job_id"]):
        page.click(f'tr[data-job-id="{job_id}"] input[type=checkbox]')
    page.click("button[data-action=compare]")
    page.shown("[data-role=diff-origin][data-origin=page]")
    assert page.driver.current_url.endswith(f"/ui/compare/{base['job_id']}/{other['job_id']}")
    assert changes() == api_rows
    counts = page.js(
        "return Object.fromEntries([...document.querySelectorAll('[data-count]')].map(li => [li.dataset.count, li.textContent]))"
    )
    assert counts["added"] == f"{diff['summary']['added']} added"
    assert counts["removed"] == f"{diff['summary']['removed']} removed"
    assert counts["changed"] == f"{diff['summary']['changed']} changed"
    assert page.text("[data-role=headline]") == diff["headline"]
    # A view is its URL: reloading shows the same comparison.
    page.driver.refresh()
    page.shown("[data-role=diff-origin][data-origin=page]")
    assert changes() == api_rows


def test_a_running_job_is_cancelled_and_another_followed_to_the_end(
    page: Page, stack: UIStack
) -> None:
    page.use_token(stack.alice)
    upload_id = stack.upload([("main.tf", BASE_TF)])
    stack.gate.hold()
    try:
        doomed = stack.create(upload_id)
        watched = stack.create(upload_id)
        page.wait(lambda: stack.gate.waiting == 2, what="both jobs in the engine call")
        assert stack.job(doomed)["status"] == stack.job(watched)["status"] == "RUNNING"
        page.open(f"/ui/jobs/{watched}")
        page.shown("[data-role=progress]")
        page.shot("job-running")
        page.open("/ui/jobs")
        page.shown(f'tr[data-job-id="{doomed}"][data-status=RUNNING]')
        page.shot("jobs")
        page.click(f'tr[data-job-id="{doomed}"] button[data-action=cancel]')
        dialog = page.shown("dialog[open]")
        assert "Cancel job" in dialog.text
        assert page.js("return document.activeElement.dataset.confirm") == "no"  # the safe default
        page.click("dialog[open] button[data-confirm=yes]")
        page.shown(f'tr[data-job-id="{doomed}"][data-status=CANCELLED]')
        assert stack.job(doomed)["status"] == "CANCELLED"
        assert page.el(f'tr[data-job-id="{watched}"]').get_attribute("data-status") == "RUNNING"
    finally:
        stack.gate.release()
    # No reload: the badge follows the job.
    page.shown(f'tr[data-job-id="{watched}"][data-status=COMPLETED]', timeout=90)
    assert stack.job(watched)["status"] == "COMPLETED"
    assert stack.wait(doomed, {"CANCELLED"})["status"] == "CANCELLED"

    # Filtered by status, in the URL.
    page.select("#status-filter", "CANCELLED")
    page.wait(lambda: "status=CANCELLED" in page.driver.current_url)
    rows = page.wait(
        lambda: (
            page.js(
                "return [...document.querySelectorAll('tr[data-job-id]')].map(tr => [tr.dataset.jobId, tr.dataset.status])"
            )
            or None
        )
    )
    assert rows == [[doomed, "CANCELLED"]]


def test_the_jobs_are_paged_with_the_api_cursor(page: Page, stack: UIStack) -> None:
    first = stack.api("GET", "/api/v1/jobs", params={"limit": 3}).json()
    second = stack.api(
        "GET", "/api/v1/jobs", params={"limit": 3, "cursor": first["next_cursor"]}
    ).json()
    page.use_token(stack.alice)
    page.open("/ui/jobs?limit=3")

    def ids() -> list[str]:
        return list(
            page.js(
                "return [...document.querySelectorAll('tr[data-job-id]')].map(tr => tr.dataset.jobId)"
            )
        )

    assert page.wait(lambda: ids() or None) == [job["job_id"] for job in first["items"]]
    assert not page.els("button[data-action=newer]")
    page.click("button[data-action=older]")
    page.wait(lambda: ids() == [job["job_id"] for job in second["items"]], what="the second page")
    assert "cursor=" in page.driver.current_url
    page.driver.refresh()  # a page of the list is its URL
    page.wait(
        lambda: ids() == [job["job_id"] for job in second["items"]], what="the second page again"
    )
    page.click("button[data-action=newer]")
    page.wait(lambda: ids() == [job["job_id"] for job in first["items"]], what="the first page")


def test_a_failed_job_says_why_in_plain_words(page: Page, stack: UIStack) -> None:
    job_id = stack.create(
        stack.upload([("broken.tf", b'resource "aws_instance" "x" {\n  ami = \n')])
    )
    job = stack.wait(job_id, {"FAILED"})
    page.use_token(stack.alice)
    page.open(f"/ui/jobs/{job_id}")
    failure = page.shown("[data-role=failure]")
    assert page.text("[data-role=error-code]") == job["error"]["code"] == "hcl_parse_error"
    assert page.text("[data-role=error-message]") == job["error"]["message"]
    assert "syntax error" in failure.text
    page.shot("job-failed")
    # A finished job is deleted after a confirmation.
    page.click("button[data-action=delete]")
    page.click("dialog[open] button[data-confirm=yes]")
    page.wait(lambda: page.driver.current_url.endswith("/ui/jobs"), what="back to the list")
    assert stack.api("GET", f"/api/v1/jobs/{job_id}").status_code == 404


def test_bad_input_is_refused_in_the_page_and_nothing_is_sent_twice(
    page: Page, stack: UIStack, tmp_path: Path
) -> None:
    page.use_token(stack.alice)
    page.open("/ui/")
    before = stack.job_ids()
    # Something dropped on the page is taken like a chosen file.
    page.js(
        "const data = new DataTransfer(); data.items.add(new File(['resource \"aws_eip\" \"ip\" {}'], 'dropped.tf'));"
        "document.querySelector('[data-role=dropzone]').dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));"
    )
    page.wait(lambda: "dropped.tf" in page.text("[data-role=file-list]"))
    page.click('[data-item="dropped.tf"] button')
    page.wait(lambda: not page.els('[data-item="dropped.tf"]'))
    # No file: refused before anything is sent.
    page.click("[data-action=submit]")
    assert "Choose what to estimate first" in page.shown("[data-role=files-error]").text
    # 200 MB against the 100 MiB the API advertises: refused in the page, nothing sent.
    huge = tmp_path / "huge.zip"
    with huge.open("wb") as sparse:
        sparse.truncate(200 * 1000 * 1000)
    page.choose_files(huge)
    page.wait(lambda: "huge.zip" in page.text("[data-role=file-list]"))
    page.click("[data-action=submit]")
    message = page.wait(
        lambda: (
            page.text("[data-role=files-error]")
            if "MiB" in page.text("[data-role=files-error]")
            else None
        )
    )
    limit = stack.api("GET", "/api/v1/limits").json()["max_upload_bytes"]
    assert (
        f"at most {limit // (1024 * 1024)} MiB per upload" in message
        and "nothing was sent" in message
    )
    assert page.uploads_sent() == 0
    page.click('[data-item="huge.zip"] button')

    # A bad variable name and a budget that is not a number: the API's own messages.
    page.choose_files(SAMPLE / "main.tf")
    page.type("[data-role=variable-name]", "1bad")
    page.type("[data-role=variable-value]", "3")
    page.type("[data-role=budget-monthly_total_max]", "a lot")
    page.click("[data-action=submit]")
    page.shown("[data-role=refusal]")
    refusal = stack.api(
        "POST",
        "/api/v1/jobs",
        json={
            "upload_id": stack.upload([("main.tf", (SAMPLE / "main.tf").read_bytes())]),
            "region": "us-east-1",
            "options": {"variables": {"1bad": "3"}, "budget": {"monthly_total_max": "a lot"}},
        },
    ).json()["error"]
    variable_message = refusal["details"]["options"]["variables"]["1bad"]["key"][0]
    budget_message = refusal["details"]["options"]["budget"]["monthly_total_max"][0]
    assert page.text("[data-role=variable-error]") == f'"1bad": {variable_message}'
    assert budget_message in page.text("[data-role=budget-monthly_total_max] ~ .field-error")
    assert refusal["message"] in page.text("[data-role=refusal]")
    assert page.uploads_sent() == 1
    # The upload's progress events moved the bar to the end; the page says the files are
    # on the server already.
    progress = page.js(
        "const p = document.querySelector('[data-role=progress]'); return [p.hidden, p.value]"
    )
    assert progress == [False, 100]
    assert "another submission of these files reuses it" in page.text("[data-role=upload-note]")
    page.shot("new-estimate-refused")

    # Corrected one at a time: the files already sent are reused.
    page.type("[data-role=variable-name]", "web_count")
    page.click("[data-action=submit]")
    page.wait(
        lambda: (
            budget_message in page.text("[data-role=refusal]")
            and not page.text("[data-role=variable-error]")
        )
    )
    assert page.uploads_sent() == 1
    page.type("[data-role=budget-monthly_total_max]", "150")
    page.click("[data-action=submit]")
    job_id = page.job_id_from_url()
    assert page.uploads_sent() == 1
    assert stack.job_ids() - before == {job_id}
    assert stack.job(job_id)["options"] == {
        "variables": {"web_count": "3"},
        "budget": {"monthly_total_max": "150"},
    }


MONEY = ["0", "0.005", "0.015", "0.025", "-0.005", "-2.675", "45.625", "1.125", "1234567.895",
         "0.02115068493150684931506849315", "999.995", "-1000000", "146.074", "-0.0049"]  # fmt: skip
PERCENTS = [("146.074", "147.262"), ("1", "3"), ("-5", "8"), ("0", "0"), ("2", "0"), ("1", "800")]
QUANTITIES = ["730", "0.0273972602739726027397260274", "3650", "1234567.12345", "0.00005"]
IGNORE = "# comment\nsecrets.auto.tfvars\n*.log\n/build/\ndocs/**/draft-*\n!docs/keep/draft-1.md\nlogs/\n"
IGNORE_PATHS = [
    "main.tf", "secrets.auto.tfvars", "envs/prod/secrets.auto.tfvars", "debug.log", "a/b/c.log",
    "build/out.tf", "src/build/x.tf", "docs/a/b/draft-2.md", "docs/keep/draft-1.md", "docs/draft.md",
    "logs/today.txt", "app/logs/x.txt", "logs",
]  # fmt: skip


def test_the_pages_arithmetic_ignore_rules_and_tar_writer_agree_with_python(
    page: Page, stack: UIStack, tmp_path: Path
) -> None:
    """The page's own small implementations, run in the browser, against the Python ones
    they mirror: money rounding (tfquote.costdiff), .terraformignore (pathspec, as the
    client reads it), and the tar.gz a folder is packed into (tarfile, and the gateway's
    archive rules)."""
    import base64

    import pathspec

    from tfquote.archives import inspect_archive
    from tfquote.costdiff import percent

    page.use_token(stack.alice)
    page.open("/ui/jobs")
    page.driver.set_script_timeout(30)
    files = {"main.tf": "resource \"aws_eip\" \"ip\" {}\n", "envs/prod/é.tfvars": "a = 1\n",
             "modules/" + "a-folder-name-long-enough-" * 6 + "/main.tf": "# deep\n"}  # fmt: skip
    got = page.driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const [values, pairs, quantities, ignore, paths, files] = arguments;
        Promise.all([import('/ui/static/money.js'), import('/ui/static/archive.js')]).then(async ([m, a]) => {
          const matcher = a.ignoreMatcher(ignore);
          const entries = Object.entries(files).map(([path, text]) => ({path, file: new File([text], path.split('/').pop())}));
          const blob = await a.packTarGz('repo', entries);
          const bytes = new Uint8Array(await blob.arrayBuffer());
          let binary = '';
          for (const b of bytes) binary += String.fromCharCode(b);
          done({
            money: values.map(v => [m.money(v), m.money(v, {sign: true})]),
            percent: pairs.map(([d, p]) => m.percent(m.dec(d), m.dec(p))),
            quantity: quantities.map(q => m.quantity(q)),
            ignored: paths.map(p => matcher(p)),
            tar: btoa(binary),
            listed: await a.listTarGz(new File([bytes], 'repo.tar.gz')),
          });
        }).catch(err => done({error: String(err)}));
        """,
        MONEY, PERCENTS, QUANTITIES, IGNORE, IGNORE_PATHS, files,
    )  # fmt: skip
    assert "error" not in got, got
    assert got["money"] == [
        [format_money(Decimal(v)), format_money(Decimal(v), sign=True)] for v in MONEY
    ]
    assert got["percent"] == [percent(Decimal(d), Decimal(p)) for d, p in PERCENTS]
    assert got["quantity"] == [quantity(Decimal(q)) for q in QUANTITIES]
    with warnings.catch_warnings():  # the client's own pattern kind, deprecated by pathspec
        warnings.simplefilter("ignore", DeprecationWarning)
        spec = pathspec.PathSpec.from_lines("gitwildmatch", IGNORE.splitlines())

    def skipped(path: str) -> bool:  # as tfquote/client/pack.py walks a folder
        parts = path.split("/")
        folders = ["/".join(parts[:i]) + "/" for i in range(1, len(parts))]
        return spec.match_file(path) or any(spec.match_file(f) for f in folders)

    assert got["ignored"] == [skipped(p) for p in IGNORE_PATHS]
    packed = tmp_path / "repo.tar.gz"
    packed.write_bytes(base64.b64decode(got["tar"]))
    with tarfile.open(packed) as archive:
        members = {m.name: archive.extractfile(m).read().decode() for m in archive.getmembers()}  # type: ignore[union-attr]
    assert members == {f"repo/{path}": text for path, text in files.items()}
    assert sorted(e.name for e in inspect_archive(packed)) == sorted(
        members
    )  # the gateway takes it
    assert sorted(got["listed"]) == sorted(members)  # and the page reads its own tar back


def test_the_page_works_with_the_keyboard(page: Page, stack: UIStack) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    page.use_token(stack.alice)
    page.open("/ui/")
    page.shown("[data-action=choose-files]")
    # Every control has a name people and screen readers can read.
    unnamed = page.js(
        "return [...document.querySelectorAll('input:not([type=file]), select, textarea, button')]"
        ".filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())"
        ".map(el => el.outerHTML.slice(0, 80))"
    )
    assert unnamed == []

    def tab_to(css: str, limit: int = 80) -> Any:
        for _ in range(limit):
            ActionChains(page.driver).send_keys(Keys.TAB).perform()
            if page.js("return document.activeElement.matches(arguments[0])", css):
                return page.driver.switch_to.active_element
        raise AssertionError(f"{css} cannot be reached with Tab")

    # From the list to a job with Tab and Enter, then its table with the keyboard only.
    page.open("/ui/jobs?status=COMPLETED")
    page.shown("tr[data-job-id]")
    link = tab_to("tr[data-job-id] a")
    outline = page.js(
        "const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]"
    )
    assert outline == ["solid", "3px"]  # focus is visible
    link.send_keys(Keys.ENTER)
    page.shown("tr.resource-row")
    assert page.js("return document.activeElement.tagName") == "H1"  # the new view is announced
    sort = tab_to("button[data-sort=name]")
    sort.send_keys(Keys.ENTER)
    assert (
        page.el("button[data-sort=name]").find_element("xpath", "..").get_attribute("aria-sort")
        == "ascending"
    )
    expand = tab_to("button[data-expand]")
    expand.send_keys(Keys.ENTER)
    assert expand.get_attribute("aria-expanded") == "true"
    # A confirmation is answered with the keyboard, and Escape keeps the job.
    tab_to("button[data-action=delete]").send_keys(Keys.ENTER)
    page.shown("dialog[open]")
    ActionChains(page.driver).send_keys(Keys.ESCAPE).perform()
    page.wait(lambda: not page.els("dialog[open]"), what="the dialog to close")
    assert page.el(".status-line .badge").text == "COMPLETED"


def test_another_tenant_sees_nothing_of_alices(page: Page, stack: UIStack) -> None:
    page.use_token(stack.alice)
    page.open("/ui/jobs")
    alices = page.wait(
        lambda: (
            page.js(
                "return [...document.querySelectorAll('tr[data-job-id]')].map(tr => tr.dataset.jobId)"
            )
            or None
        )
    )
    page.click("#auth-status button")  # sign out: the prompt comes back
    page.shown("#token-dialog")
    assert page.js("return sessionStorage.getItem('tfquote.token')") is None
    page.type("#token-dialog input[type=password]", stack.bob)
    page.click("#token-dialog button[type=submit]")
    page.wait(lambda: "Signed in as bob" in page.text("#auth-status"))
    page.wait(lambda: "No jobs yet" in page.text(".jobs-body"))
    page.open(f"/ui/jobs/{alices[0]}")
    panel = page.shown(".notice-error[data-status='404']")
    assert "Not found" in panel.text and "job not found" in panel.text
    assert "another tenant" in panel.text
    assert stack.api("GET", f"/api/v1/jobs/{alices[0]}", token=stack.bob).status_code == 404
    page.shot("not-found")


def test_an_unreachable_or_busy_service_is_explained(
    page: Page, stack: UIStack, session_dir: Path, redis_url: str
) -> None:
    # The network gone: the page says it cannot reach the API, and recovers.
    page.use_token(stack.alice)
    page.open("/ui/jobs")
    page.shown("tr[data-job-id]")
    page.driver.execute_cdp_cmd("Network.enable", {})
    page.driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    try:
        page.click("button[data-action=refresh]")
        panel = page.shown(".notice-error[data-status='0']")
        assert "Cannot reach the tfquote API" in panel.text
        page.shot("error-offline")
    finally:
        page.driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
    page.click("button[data-action=retry]")
    page.shown("tr[data-job-id]")

    # Redis down behind a gateway (503), and its rate limit (429): the API's words.
    port = redis_server.free_port()
    broken = start_gunicorn(
        "ui-broken-gateway",
        "wsgi:app",
        port,
        {
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "RATE_LIMIT_STORAGE_URL": redis_url.rsplit("/", 1)[0] + "/10",
            "RATE_LIMIT_READS": "2/minute",
            "DATA_DIR": str(session_dir / "ui-broken"),
            "AUTH_ENABLED": "false",
            "REDIS_SOCKET_TIMEOUT": "0.5",
        },
        session_dir,
        workers=1,
        threads=4,
    )
    try:
        redis.Redis.from_url(redis_url.rsplit("/", 1)[0] + "/10").flushdb()
        page.driver.get(f"http://127.0.0.1:{port}/ui/jobs")
        panel = page.shown(".notice-error[data-status='503']")
        assert "The service is unavailable" in panel.text
        assert "a backing service is unavailable; retry later" in panel.text
        page.shot("error-503")
        page.wait(
            lambda: (
                page.click("button[data-action=retry]")
                or page.els(".notice-error[data-status='429']")
            ),
            what="the 429",
        )
        panel = page.shown(".notice-error[data-status='429']")
        assert "Too many requests" in panel.text and "Wait" in panel.text
    finally:
        broken.stop()
