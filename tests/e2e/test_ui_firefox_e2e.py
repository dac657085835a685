"""The web page (issue 15) in real headless Firefox (Debian's firefox-esr, over WebDriver
BiDi: tests/support/firefox.py), against the same real stack as the Chromium tests
(tests/e2e/test_ui_e2e.py, which go through every feature); these check that the page
works in the second browser the issue names: the token prompt, an upload picked in the
page with its options, the job followed to COMPLETED, the total, charts and breakdown
equal to the API's, sorting and a resource's components, ZIP and tar.gz listings (the
browser's DecompressionStream), the jobs list, a comparison of two jobs, and the page's
own money rounding and tar.gz writer against Python's. Clicks and typing are real input
events. No script error and no CSP violation is allowed in any test.

Screenshots at 360 px and 1440 px go to ``var/ui-screenshots/firefox/`` (or
``$UI_SCREENSHOTS/firefox``), with an index.html.
"""

from __future__ import annotations

import base64
import tarfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.test_cost_changes_e2e import BASE_TF, PR_TF
from tests.e2e.test_ui_e2e import (
    MONEY,
    SAMPLE,
    SHOTS,
    STACK,
    _tar_gz,
    _zip,
    expected_changes,
    usd,
)
from tests.support.firefox import Firefox, require_firefox
from tests.support.ui_stack import UIStack, ui_stack
from tfquote.costdiff import dec, format_money
from tfquote.reports.model import build, quantity

pytestmark = pytest.mark.e2e

FIREFOX_SHOTS = SHOTS / "firefox"

CHANGES_JS = (
    "return [...document.querySelectorAll('table.changes tr[data-address]')].map(tr =>"
    " [tr.dataset.address, tr.dataset.action,"
    " ...[...tr.querySelectorAll('td.num')].map(td => td.textContent.trim())])"
)


@pytest.fixture(scope="module")
def stack(redis_url: str, engine_url: str, session_dir: Path) -> Iterator[UIStack]:
    require_firefox()  # before starting anything: skip (or, under CI, fail) at once
    with ui_stack(redis_url, engine_url, session_dir, db=11, name="ui-firefox") as started:
        yield started


@pytest.fixture(scope="module")
def browser(stack: UIStack, session_dir: Path) -> Iterator[Firefox]:
    FIREFOX_SHOTS.mkdir(parents=True, exist_ok=True)
    for old in FIREFOX_SHOTS.glob("*.png"):
        old.unlink()
    firefox = Firefox(session_dir / "firefox")
    try:
        yield firefox
    finally:
        firefox.close()
        names = sorted({p.name.rsplit("-", 1)[0] for p in FIREFOX_SHOTS.glob("*.png")})
        (FIREFOX_SHOTS / "index.html").write_text(
            "<!DOCTYPE html><meta charset='utf-8'><title>tfquote in Firefox</title>"
            "<style>img{border:1px solid #ccc;vertical-align:top;margin:4px}</style>"
            + "".join(
                f"<h2>{n}</h2><img width='360' src='{n}-360.png' alt='{n} at 360 px'>"
                f"<img width='720' src='{n}-1440.png' alt='{n} at 1440 px'>"
                for n in names
            ),
            "utf-8",
        )


@pytest.fixture(autouse=True)
def _clean_console(browser: Firefox) -> Iterator[None]:
    """No script error, no CSP violation, in any test."""
    browser.problems()
    yield
    assert browser.problems() == []


def sign_in(browser: Firefox, stack: UIStack) -> None:
    browser.open(stack.url + "/health")
    browser.js("sessionStorage.setItem('tfquote.token', arguments[0])", stack.alice)


def shot(browser: Firefox, name: str) -> None:
    for width in (360, 1440):
        overflow = browser.screenshot(FIREFOX_SHOTS / f"{name}-{width}.png", width)
        assert overflow <= 0, f"{name} is {overflow}px wider than a {width}px screen"


def wait_for_job_page(browser: Firefox) -> str:
    browser.wait("return location.pathname.startsWith('/ui/jobs/')", what="the job's page")
    browser.wait(
        "return document.querySelector('.status-line .badge[data-status=COMPLETED]')",
        timeout=90,
        what="the job to complete",
    )
    return browser.url().rsplit("/", 1)[1]


def test_the_token_prompt_then_the_readme_sample_to_its_breakdown(
    browser: Firefox, stack: UIStack
) -> None:
    browser.open(stack.url + "/health")
    browser.js("sessionStorage.clear()")
    browser.open(stack.url + "/")
    assert browser.url() == stack.url + "/ui/"
    dialog_says = "return document.querySelector('#token-dialog')?.innerText.includes(arguments[0])"
    browser.wait(dialog_says, 'the API answered "missing bearer token"')
    browser.type("#token-dialog input[type=password]", "not-a-token")
    browser.click("#token-dialog button[type=submit]")
    browser.wait(dialog_says, "The API refused this token: token is malformed.")
    browser.type("#token-dialog input[type=password]", stack.alice)
    browser.click("#token-dialog button[type=submit]")
    browser.wait("return !document.querySelector('#token-dialog')", what="the prompt to close")
    assert "Signed in as alice" in browser.text("#auth-status")
    assert browser.js("return localStorage.length") == 0

    before = stack.job_ids()
    browser.choose_files(
        "[data-role=files-input]", SAMPLE / "main.tf", SAMPLE / "infracost-usage.yml"
    )
    browser.wait("return document.querySelectorAll('[data-role=file-list] li').length === 2")
    browser.select("[data-role=region]", "us-east-1")
    browser.type("[data-role=variable-name]", "web_count")
    browser.type("[data-role=variable-value]", "3")
    browser.type("[data-role=project-name]", "README sample")
    shot(browser, "new-estimate")
    browser.click("[data-action=submit]")
    job_id = wait_for_job_page(browser)
    assert stack.job_ids() - before == {job_id}
    job = stack.job(job_id)
    assert job["options"] == {"variables": {"web_count": "3"}}

    estimate = job["result"]["estimate"]
    assert browser.text("[data-card=total] .card-value") == usd(estimate["totalMonthlyCost"])
    resources = estimate["projects"][0]["breakdown"]["resources"]
    assert len(resources) == 8
    expected = {r["name"]: usd(r["monthlyCost"]) for r in resources}
    rows_js = (
        "return [...document.querySelectorAll('tr.resource-row')].map(tr =>"
        " [tr.dataset.resource, tr.lastElementChild.textContent.trim()])"
    )
    shown = browser.js(rows_js)
    assert dict(shown) == expected
    by_cost = sorted(resources, key=lambda r: (-Decimal(r["monthlyCost"]), r["name"]))
    assert [name for name, _ in shown] == [r["name"] for r in by_cost]
    report = build(job)
    charts = browser.js(
        "return [...document.querySelectorAll('figure.chart')].map(f =>"
        " [...f.querySelectorAll('g.chart-row')].map(g => [g.dataset.label, g.dataset.value]))"
    )
    assert charts[0] == [[name, usd(amount)] for name, amount in report.cost_by_service()]
    assert charts[1] == [[name, usd(amount)] for name, amount in report.cost_by_resource()[:10]]
    bars = browser.js(
        "return [...document.querySelectorAll('figure.chart')[0].querySelectorAll('rect')]"
        ".map(r => r.getBoundingClientRect().width)"
    )
    assert bars == sorted(bars, reverse=True) and bars[-1] > 0

    browser.click("button[data-sort=name]")
    assert [name for name, _ in browser.js(rows_js)] == sorted(expected)

    db = next(r for r in resources if r["name"] == "aws_db_instance.main")
    browser.click('button[data-expand="aws_db_instance.main"]')
    components = browser.wait(
        'return [...document.querySelectorAll(\'tr[data-detail="aws_db_instance.main"]'
        " tr[data-component]')].map(tr => ({name: tr.dataset.component,"
        " source: tr.querySelector('.price-source').textContent,"
        " date: tr.querySelector('.price-date').textContent,"
        " cost: tr.children[4].textContent.trim(), qty: tr.children[1].textContent.trim(),"
        " unit: tr.children[2].textContent.trim()}))",
        what="the resource's components",
    )
    assert components == [
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
    shot(browser, "job-completed")


def test_zip_and_tar_gz_are_listed_for_the_pickers(
    browser: Firefox, stack: UIStack, tmp_path: Path
) -> None:
    (tmp_path / "platform.tar.gz").write_bytes(_tar_gz(STACK))
    (tmp_path / "platform.zip").write_bytes(_zip(STACK))
    sign_in(browser, stack)
    browser.open(stack.url + "/ui/")
    pickers_js = (
        "return [[...document.querySelectorAll('[data-role=root-module] option')]"
        ".slice(1).map(o => o.value),"
        " [...document.querySelectorAll('[data-role=var-file]')].map(i => i.value)]"
    )
    for name in ("platform.tar.gz", "platform.zip"):  # the zip is the one estimated
        browser.js(
            "document.querySelectorAll('[data-role=file-list] button').forEach(b => b.click())"
        )
        browser.choose_files("[data-role=files-input]", tmp_path / name)
        browser.wait(
            "return document.querySelectorAll('[data-role=var-file]').length > 0", what=name
        )
        assert browser.js(pickers_js) == [
            ["envs/dev", "envs/prod", "modules/app"],
            ["envs/prod/prod.tfvars"],
        ]
        assert f"{len(STACK)} files" in browser.text("[data-role=file-list]")
    browser.select("[data-role=root-module]", "envs/prod")
    browser.click("[data-role=var-file]")
    browser.type("[data-role=variable-name]", "replicas")
    browser.type("[data-role=variable-value]", "2")
    browser.click("[data-action=submit]")
    job = stack.job(wait_for_job_page(browser))
    assert job["options"] == {
        "root_module": "envs/prod",
        "var_files": ["envs/prod/prod.tfvars"],
        "variables": {"replicas": "2"},
    }
    names = [r["name"] for r in job["result"]["estimate"]["projects"][0]["breakdown"]["resources"]]
    assert sorted(names) == ["module.app.aws_instance.node[0]", "module.app.aws_instance.node[1]"]


def test_the_jobs_list_and_two_jobs_compared(browser: Firefox, stack: UIStack) -> None:
    base = stack.completed([("main.tf", BASE_TF)])
    other = stack.completed([("main.tf", PR_TF)])
    pr = stack.wait(
        stack.create(stack.upload([("main.tf", PR_TF)]), {"compare_to": base["job_id"]}),
        {"COMPLETED"},
    )
    diff = pr["result"]["diff"]
    api_rows = expected_changes(diff["resources"])
    sign_in(browser, stack)

    browser.open(stack.url + "/ui/jobs")
    for job in (base, other, pr):
        browser.wait(
            'return document.querySelector(`tr[data-job-id="${arguments[0]}"]'
            " .badge[data-status=COMPLETED]`)",
            job["job_id"],
            what=f"job {job['job_id']} in the list",
        )
    shot(browser, "jobs")

    # The pull request's job made with compare_to: the API's diff.
    browser.open(f"{stack.url}/ui/compare/{base['job_id']}/{pr['job_id']}")
    browser.wait("return document.querySelector('[data-role=diff-origin][data-origin=api]')")
    assert {row[0]: tuple(row[1:]) for row in browser.js(CHANGES_JS)} == api_rows
    assert browser.text("[data-role=headline]") == diff["headline"]
    shot(browser, "compare")

    # Two jobs without compare_to: the page diffs them, by the same rules.
    browser.open(f"{stack.url}/ui/compare/{base['job_id']}/{other['job_id']}")
    browser.wait("return document.querySelector('[data-role=diff-origin][data-origin=page]')")
    assert {row[0]: tuple(row[1:]) for row in browser.js(CHANGES_JS)} == api_rows
    assert browser.text("[data-role=headline]") == diff["headline"]


def test_the_pages_money_and_tar_writer_agree_with_python(
    browser: Firefox, stack: UIStack, tmp_path: Path
) -> None:
    sign_in(browser, stack)
    browser.open(stack.url + "/ui/jobs")
    files = {"main.tf": 'resource "aws_eip" "ip" {}\n', "envs/prod/é.tfvars": "a = 1\n",
             "modules/" + "a-folder-name-long-enough-" * 6 + "/main.tf": "# deep\n"}  # fmt: skip
    got = browser.js(
        """
        const [values, files] = arguments;
        const [m, a] = await Promise.all([import('/ui/static/money.js'), import('/ui/static/archive.js')]);
        const entries = Object.entries(files).map(([path, text]) => ({path, file: new File([text], path.split('/').pop())}));
        const blob = await a.packTarGz('repo', entries);
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let binary = '';
        for (const b of bytes) binary += String.fromCharCode(b);
        return {
          money: values.map(v => [m.money(v), m.money(v, {sign: true})]),
          tar: btoa(binary),
          listed: await a.listTarGz(new File([bytes], 'repo.tar.gz')),
        };
        """,
        MONEY,
        files,
    )
    assert got["money"] == [
        [format_money(Decimal(v)), format_money(Decimal(v), sign=True)] for v in MONEY
    ]
    packed = tmp_path / "repo.tar.gz"
    packed.write_bytes(base64.b64decode(got["tar"]))
    with tarfile.open(packed) as archive:
        members = {
            m.name: archive.extractfile(m).read().decode()  # type: ignore[union-attr]
            for m in archive.getmembers()
        }
    assert members == {f"repo/{path}": text for path, text in files.items()}
    assert sorted(got["listed"]) == sorted(members)
