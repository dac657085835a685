"""Cost changes through the whole system (issue 12): a plan's diff against its prior state,
two jobs compared with ``compare_to``, budgets, every report format (the HTML one rendered
in headless Chromium), and the ``tfquote`` client run as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import time
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.test_pipeline_e2e import upload, wait_done
from tests.support.browser import chrome
from tests.support.plans import change_plan, plan_bytes
from tfquote.devstack import BIN, ROOT

pytestmark = pytest.mark.e2e

BASE_TF = b"""
provider "aws" {
  region = "us-east-1"
}
resource "aws_instance" "web" {
  count         = 2
  ami           = "ami-0a1b2c3d4e5f67890"
  instance_type = "t3.micro"
}
resource "aws_db_instance" "db" {
  engine            = "postgres"
  instance_class    = "db.t3.medium"
  allocated_storage = 50
  storage_type      = "gp3"
}
resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}
"""
# The pull request: bigger web instances, a NAT gateway added, the database removed.
PR_TF = b"""
provider "aws" {
  region = "us-east-1"
}
resource "aws_instance" "web" {
  count         = 2
  ami           = "ami-0a1b2c3d4e5f67890"
  instance_type = "t3.large"
}
resource "aws_nat_gateway" "main" {
  allocation_id = "eipalloc-0123"
  subnet_id     = "subnet-1"
}
resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}
"""


def create(
    gateway_url: str, upload_id: str, options: dict[str, Any] | None = None
) -> requests.Response:
    return requests.post(
        f"{gateway_url}/api/v1/jobs",
        json={"upload_id": upload_id, "region": "us-east-1", "options": options or {}},
        timeout=30,
    )


def completed(
    gateway_url: str, files: list[tuple[str, bytes]], options: dict[str, Any] | None = None
) -> dict[str, Any]:
    up = upload(gateway_url, files)
    response = create(gateway_url, up["upload_id"], options)
    assert response.status_code == 202, response.text
    job = wait_done(gateway_url, response.json()["job_id"], timeout=120)
    assert job["status"] == "COMPLETED", job
    return job


@pytest.fixture(scope="module")
def plan_job(gateway_url: str) -> dict[str, Any]:
    return completed(
        gateway_url,
        [("tfplan.json", plan_bytes(change_plan()))],
        {"budget": {"monthly_total_max": "1000.00", "monthly_diff_max": "50.00"}},
    )


@pytest.fixture(scope="module")
def compared(gateway_url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    base = completed(gateway_url, [("main.tf", BASE_TF)])
    pr = completed(gateway_url, [("main.tf", PR_TF)], {"compare_to": base["job_id"]})
    return base, pr


def test_a_plan_diffs_every_resource_against_its_prior_state(plan_job: dict[str, Any]) -> None:
    result = plan_job["result"]
    rows = {row["address"]: row for row in result["diff"]["resources"]}
    assert {a: r["action"] for a, r in rows.items()} == {
        "aws_instance.web": "update",
        "aws_instance.worker": "replace",
        "aws_nat_gateway.main": "create",
        "aws_ebs_volume.scratch": "delete",
        "aws_db_instance.db": "no-op",
        "aws_s3_bucket.logs": "no-op",
        "aws_vpc.main": "no-op",
    }
    # t3.micro -> t3.large at $0.0104 / $0.0832 an hour, each with an 8 GB gp3 root volume.
    web = rows["aws_instance.web"]
    assert (D(web["pastMonthlyCost"]), D(web["monthlyCost"])) == (D("8.232"), D("61.376"))
    assert D(web["diffMonthlyCost"]) == D("53.144")
    assert D(web["diffHourlyCost"]) == D(web["hourlyCost"]) - D(web["pastHourlyCost"])
    # A deleted resource costs in the past only; a created one in the future only.
    scratch = rows["aws_ebs_volume.scratch"]
    assert scratch["monthlyCost"] is None and D(scratch["pastMonthlyCost"]) == D("10")
    assert D(scratch["diffMonthlyCost"]) == D("-10")
    nat = rows["aws_nat_gateway.main"]
    assert nat["pastMonthlyCost"] is None and D(nat["diffMonthlyCost"]) == D(nat["monthlyCost"])
    assert D(rows["aws_db_instance.db"]["diffMonthlyCost"]) == 0
    assert result["diff"]["summary"] == {
        "added": 1,
        "removed": 1,
        "changed": 2,
        "replaced": 1,
        "unchanged": 3,
    }
    assert result["diff"]["headline"] == (
        "+$146.07/month (+99 %), 1 resource added, 1 removed, 2 changed"
    )
    # The Infracost document, as `infracost diff --format json` shapes it.
    estimate = result["estimate"]
    project = estimate["projects"][0]
    assert D(estimate["pastTotalMonthlyCost"]) == D("147.262")
    assert D(estimate["pastTotalMonthlyCost"]) + D(estimate["diffTotalMonthlyCost"]) == D(
        estimate["totalMonthlyCost"]
    )
    assert D(project["pastBreakdown"]["totalMonthlyCost"]) == D("147.262")
    assert {r["name"] for r in project["pastBreakdown"]["resources"]} == {
        "aws_instance.web",
        "aws_instance.worker",
        "aws_ebs_volume.scratch",
        "aws_db_instance.db",
        "aws_s3_bucket.logs",
    }
    diffed = {r["name"]: r for r in project["diff"]["resources"]}
    assert set(diffed) == {
        "aws_instance.web",
        "aws_instance.worker",
        "aws_nat_gateway.main",
        "aws_ebs_volume.scratch",
    }
    assert diffed["aws_ebs_volume.scratch"]["metadata"]["action"] == "delete"
    assert D(diffed["aws_instance.worker"]["monthlyCost"]) == D("70.08")
    assert D(project["diff"]["totalMonthlyCost"]) == D("146.074")


def test_budget_fails_without_failing_the_job(plan_job: dict[str, Any]) -> None:
    policy = plan_job["result"]["policy"]
    assert plan_job["status"] == "COMPLETED"
    assert policy == {
        "passed": False,
        "checks": [
            {"name": "monthly_total_max", "limit": "1000.00", "actual": "293.336", "passed": True},
            {"name": "monthly_diff_max", "limit": "50.00", "actual": "146.074", "passed": False},
        ],
    }


def test_budget_passes(gateway_url: str) -> None:
    job = completed(
        gateway_url,
        [("tfplan.json", plan_bytes(change_plan()))],
        {"budget": {"monthly_diff_max": "200", "diff_percent_max": 100}},
    )
    policy = job["result"]["policy"]
    assert policy["passed"] is True
    assert [(c["name"], c["actual"]) for c in policy["checks"]] == [
        ("monthly_diff_max", "146.074"),
        ("diff_percent_max", "99.19"),
    ]


def test_compare_to_diffs_two_uploads_resource_by_resource(
    compared: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    base, pr = compared
    diff = pr["result"]["diff"]
    assert diff["source"] == "compare_to" and diff["base_job_id"] == base["job_id"]
    actions = {row["address"]: row["action"] for row in diff["resources"]}
    assert actions == {
        "aws_instance.web[0]": "update",
        "aws_instance.web[1]": "update",
        "aws_nat_gateway.main": "create",
        "aws_db_instance.db": "delete",
        "aws_s3_bucket.logs": "no-op",
    }
    assert diff["summary"]["added"] == 1 and diff["summary"]["removed"] == 1
    assert diff["summary"]["changed"] == 2
    # The past is the base job's estimate, to the cent.
    assert diff["pastTotalMonthlyCost"] == base["result"]["estimate"]["totalMonthlyCost"]
    estimate = pr["result"]["estimate"]
    assert estimate["pastTotalMonthlyCost"] == base["result"]["estimate"]["totalMonthlyCost"]
    assert D(estimate["pastTotalMonthlyCost"]) + D(estimate["diffTotalMonthlyCost"]) == D(
        estimate["totalMonthlyCost"]
    )
    db = next(row for row in diff["resources"] if row["address"] == "aws_db_instance.db")
    assert db["monthlyCost"] is None and D(db["diffMonthlyCost"]) == -D(db["pastMonthlyCost"])
    assert diff["headline"].startswith(("+$", "-$"))


def test_compare_to_a_job_that_cannot_serve_is_refused(gateway_url: str) -> None:
    up = upload(gateway_url, [("main.tf", BASE_TF)])
    unknown = create(
        gateway_url, up["upload_id"], {"compare_to": "00000000-0000-4000-8000-000000000000"}
    )
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "invalid_option"
    failed = create(gateway_url, up["upload_id"], {"root_module": "nowhere"})
    failed_job = wait_done(gateway_url, failed.json()["job_id"])
    assert failed_job["status"] == "FAILED"
    refused = create(gateway_url, up["upload_id"], {"compare_to": failed_job["job_id"]})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "invalid_option"
    assert "FAILED" in refused.json()["error"]["message"]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"budget": {"monthly_total_max": "a lot"}}, "budget"),
        ({"budget": {"monthly_total_max": "1e3"}}, "budget"),
        ({"webhook_url": "not a url"}, "webhook_url"),
        ({"compare_to": "yesterday"}, "compare_to"),
    ],
)
def test_bad_options_are_400_validation_errors(
    gateway_url: str, options: dict[str, Any], field: str
) -> None:
    up = upload(gateway_url, [("main.tf", BASE_TF)])
    response = create(gateway_url, up["upload_id"], options)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["details"]["options"]


def test_every_report_format(gateway_url: str, plan_job: dict[str, Any]) -> None:
    url = f"{gateway_url}/api/v1/jobs/{plan_job['job_id']}/report"
    table = requests.get(url, params={"format": "table"}, timeout=30)
    assert table.headers["Content-Type"].startswith("text/plain")
    assert "OVERALL TOTAL" in table.text and "$293.34" in table.text
    assert "Monthly cost depends on usage: $0.045 per GB" in table.text  # NAT data processed
    assert "- aws_ebs_volume.scratch (delete)" in table.text
    assert "Budget: FAILED" in table.text
    markdown = requests.get(url, params={"format": "markdown"}, timeout=30)
    assert markdown.headers["Content-Type"].startswith("text/markdown")
    text = markdown.text
    assert text.startswith("## ❌ tfquote: +$146.07/month (+99 %)")
    assert "| - `aws_ebs_volume.scratch` | delete | $10.00 | - | -$10.00 |" in text
    assert "<details>" in text and text.count("<details>") == text.count("</details>")
    assert "❌ **budget exceeded**" in text and len(text) < 65_536
    assert "Karpenter" in text  # the price sources and their dates
    as_json = requests.get(url, params={"format": "json"}, timeout=30)
    assert as_json.json() == plan_job["result"]["estimate"]
    html = requests.get(url, params={"format": "html"}, timeout=30)
    assert html.headers["Content-Type"].startswith("text/html")
    assert "<script" not in html.text and 'http-equiv="Content-Security-Policy"' in html.text
    bad = requests.get(url, params={"format": "xml"}, timeout=30)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "validation_error"


@pytest.fixture(scope="module")
def browser() -> Any:
    # Skips without Chromium on a developer's machine, fails under CI=true (tests/support).
    driver = chrome(width=1280, height=1000)
    yield driver
    driver.quit()


def test_html_report_renders_in_chromium(
    gateway_url: str, plan_job: dict[str, Any], browser: Any, tmp_path: Path
) -> None:
    browser.get(f"{gateway_url}/api/v1/jobs/{plan_job['job_id']}/report?format=html")
    assert browser.title.startswith("tfquote: +$146.07/month")
    page = browser.execute_script("""
        const bars = (i) => [...document.querySelectorAll('.chart')[i].querySelectorAll('g.row')]
            .map(g => ({label: g.dataset.label,
                        width: g.querySelector('rect').getBoundingClientRect().width}));
        const visible = (sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                                    return r.width > 0 && r.height > 0; };
        return {
          services: bars(0), resources: bars(1),
          overflow: document.documentElement.scrollWidth - window.innerWidth,
          tables: ['#diff', '#budget', '#breakdown', '#sources'].map(visible),
          fetched: performance.getEntriesByType('resource').length,
          cards: [...document.querySelectorAll('.card .value')].map(e => e.textContent),
          budgetColor: getComputedStyle(document.querySelector('.card .fail')).color,
        };
    """)
    browser.save_screenshot(str(tmp_path / "report.png"))
    assert page["cards"] == ["$293.34", "$147.26", "+$146.07 (99.19 %)", "exceeded"]
    assert page["services"][0]["label"] == "EC2"  # the biggest service draws the longest bar
    widths = [bar["width"] for bar in page["services"]]
    assert widths == sorted(widths, reverse=True) and widths[-1] > 0
    assert [bar["label"] for bar in page["resources"]][:2] == [
        "aws_instance.worker",
        "aws_instance.web",
    ]
    assert page["overflow"] <= 0  # nothing wider than the window
    assert page["tables"] == [True, True, True, True]
    assert page["fetched"] == 0  # self-contained: not one request beyond the page
    assert page["budgetColor"] == "rgb(207, 34, 46)"
    browser.set_window_size(420, 900)  # a phone: the layout wraps instead of overflowing
    assert (
        browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        <= 0
    )


def test_report_of_an_unfinished_job_is_409(gateway_url: str) -> None:
    up = upload(gateway_url, [("main.tf", BASE_TF)])
    job = create(gateway_url, up["upload_id"]).json()
    requests.delete(f"{gateway_url}/api/v1/jobs/{job['job_id']}", timeout=10)
    response = requests.get(f"{gateway_url}/api/v1/jobs/{job['job_id']}/report", timeout=10)
    status = requests.get(f"{gateway_url}/api/v1/jobs/{job['job_id']}", timeout=10).json()["status"]
    if status == "COMPLETED":  # the worker was faster than the cancel
        pytest.skip("the job completed before it could be cancelled")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "job_not_completed"
    assert response.json()["error"]["details"] == {"status": status}


# --- the client, as a real subprocess ---------------------------------------------------------


def tfquote(
    gateway_url: str, *args: str, cwd: Path | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TFQUOTE_URL": gateway_url, "PATH": f"{BIN}:{os.environ['PATH']}"}
    env.pop("TFQUOTE_TOKEN", None)
    return subprocess.run(
        [str(BIN / "tfquote"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd or ROOT,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "infra"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "config").write_text("[core]\n")
    (root / ".terraform" / "providers").mkdir(parents=True)
    (root / ".terraform" / "providers" / "aws.bin").write_bytes(b"\x7fELF" + b"0" * 1000)
    (root / "main.tf").write_bytes(PR_TF)
    (root / "secrets.auto.tfvars").write_text('password = "hunter2"\n')
    (root / ".terraformignore").write_text("secrets.auto.tfvars\n")
    return root


def test_client_estimates_a_directory_and_prints_a_table(gateway_url: str, repo: Path) -> None:
    run = tfquote(gateway_url, "estimate", str(repo))
    assert run.returncode == 0, run.stderr
    assert "OVERALL TOTAL" in run.stdout and "aws_nat_gateway.main" in run.stdout
    assert run.stderr == ""  # no progress display when not on a terminal
    # Re-running the same step asks for the same job (content-derived Idempotency-Key).
    first = tfquote(gateway_url, "estimate", str(repo), "--no-wait")
    again = tfquote(gateway_url, "estimate", str(repo), "--no-wait")
    assert first.returncode == again.returncode == 0
    assert first.stdout == again.stdout and len(first.stdout.strip()) == 36
    job = requests.get(f"{gateway_url}/api/v1/jobs/{first.stdout.strip()}", timeout=10).json()
    shown = tfquote(gateway_url, "jobs", "show", job["job_id"])
    assert json.loads(shown.stdout)["job_id"] == job["job_id"]
    listed = tfquote(gateway_url, "jobs", "list", "--limit", "100")
    assert job["job_id"] in listed.stdout


def test_client_exit_codes(gateway_url: str, repo: Path, tmp_path: Path) -> None:
    over = tfquote(
        gateway_url,
        "estimate",
        str(repo),
        "--budget-total",
        "1",
        "--format",
        "markdown",
        "--out",
        str(tmp_path / "comment.md"),
    )
    assert over.returncode == 1, over.stderr
    assert "budget exceeded: monthly_total_max" in over.stderr
    assert (tmp_path / "comment.md").read_text().startswith("## ❌ tfquote:")
    failed = tfquote(gateway_url, "estimate", str(repo), "--root-module", "nowhere")
    assert failed.returncode == 3
    assert "FAILED: invalid_option" in failed.stderr
    usage = tfquote(gateway_url, "estimate", str(tmp_path / "missing"))
    assert usage.returncode == 2 and "no such file or directory" in usage.stderr
    assert tfquote(gateway_url, "estimate").returncode == 2
    refused = tfquote(gateway_url, "estimate", str(repo), "--budget-total", "lots")
    assert refused.returncode == 2 and "validation_error" in refused.stderr
    started = time.monotonic()
    unreachable = tfquote("http://127.0.0.1:9", "jobs", "list")
    assert unreachable.returncode == 4 and time.monotonic() - started < 30


def test_client_compares_two_paths(gateway_url: str, repo: Path, tmp_path: Path) -> None:
    base = tmp_path / "base"
    base.mkdir()
    (base / "main.tf").write_bytes(BASE_TF)
    run = tfquote(
        gateway_url,
        "estimate",
        str(repo),
        "--compare-to-path",
        str(base),
        "--budget-diff",
        "10000",
        "--format",
        "json",
    )
    assert run.returncode == 0, run.stderr
    estimate = json.loads(run.stdout)
    assert estimate["pastTotalMonthlyCost"] is not None
    assert {r["name"] for r in estimate["projects"][0]["diff"]["resources"]} >= {
        "aws_nat_gateway.main",
        "aws_db_instance.db",
    }
    newest = tfquote(gateway_url, "jobs", "list", "--limit", "1").stdout.split()[0]
    report = tfquote(gateway_url, "report", newest, "--format", "markdown")
    assert report.returncode == 0, report.stderr
    assert "Compared with job `" in report.stdout
    served = requests.get(f"{gateway_url}/api/v1/jobs/{newest}/report?format=markdown", timeout=10)
    # The client renders with the gateway's own renderers: the same comment, link aside.
    assert report.stdout.split("[Full report]")[0] == served.text.split("[Full report]")[0]
