"""The pure parts of issue 12: the diff, budgets, the markdown limit, the client's packing,
webhook signatures and target checks."""

from __future__ import annotations

import gzip
import io
import socket
import tarfile
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from tfquote import budget, costdiff
from tfquote import options as job_options
from tfquote.client.pack import PackError, idempotency_key, pack
from tfquote.reports import markdown, render
from tfquote.reports.model import build
from tfquote.settings import Settings
from tfquote.webhooks import sign, verify
from workers.webhooks import TargetRefused, resolve_checked

pytestmark = pytest.mark.unit


def priced(name: str, monthly: str, rtype: str = "aws_instance") -> dict[str, Any]:
    return {"name": name, "resourceType": rtype, "metadata": {}, "hourlyCost": None,
            "monthlyCost": monthly, "monthlyUsageCost": None,
            "costComponents": [{"name": "Usage", "unit": "hours", "monthlyQuantity": "730",
                                "price": str(D(monthly) / 730), "monthlyCost": monthly}]}  # fmt: skip


def project(name: str, *resources: dict[str, Any], free: tuple[str, ...] = ()) -> dict[str, Any]:
    total = sum((D(r["monthlyCost"]) for r in resources), D(0))
    return {"name": name, "metadata": {"path": name}, "breakdown": {
        "resources": list(resources),
        "freeResources": [{"name": f, "resourceType": "aws_vpc"} for f in free],
        "unsupportedResources": [], "totalHourlyCost": "0",
        "totalMonthlyCost": str(total), "totalMonthlyUsageCost": "0"}}  # fmt: skip


def test_compare_matches_by_address_across_projects() -> None:
    base = [project("network", priced("aws_nat_gateway.a", "32.85")),
            project("app", priced("aws_instance.web", "10"), priced("aws_instance.old", "5")),
            project("gone", priced("aws_instance.legacy", "7"))]  # fmt: skip
    current = {"projects": [
        project("app", priced("aws_instance.web", "20"), priced("aws_nat_gateway.a", "32.85"),
                free=("aws_vpc.main",)),
    ]}  # fmt: skip
    summary = costdiff.apply_diff(current, base, source="compare_to", base_job_id="b")
    actions = {row["address"]: (row["action"], row["project"]) for row in summary["resources"]}
    assert actions == {
        "aws_instance.web": ("update", "app"),
        "aws_nat_gateway.a": ("no-op", "app"),  # moved between root modules: the same resource
        "aws_instance.old": ("delete", "app"),
        "aws_instance.legacy": ("delete", "gone"),
        "aws_vpc.main": ("create", "app"),
    }
    assert summary["summary"] == {"added": 1, "removed": 2, "changed": 1, "replaced": 0,
                                  "unchanged": 1}  # fmt: skip
    assert summary["pastTotalMonthlyCost"] == "54.85"
    assert summary["diffTotalMonthlyCost"] == "-2"
    # The removed project is kept, with its past and nothing now.
    gone = next(p for p in current["projects"] if p["name"] == "gone")
    assert gone["breakdown"]["totalMonthlyCost"] == "0"
    assert (
        gone["pastBreakdown"]["totalMonthlyCost"] == "7"
        and gone["diff"]["totalMonthlyCost"] == "-7"
    )
    assert current["pastTotalMonthlyCost"] == "54.85" and current["diffTotalMonthlyCost"] == "-2"
    assert summary["headline"] == "-$2.00/month (-4 %), 1 resource added, 2 removed, 1 changed"


def test_headline_without_a_past() -> None:
    current = {"projects": [project(".", priced("aws_instance.a", "12.5"))]}
    summary = costdiff.apply_diff(current, [], source="plan", actions={"aws_instance.a": "create"})
    assert summary["headline"] == "+$12.50/month (new cost), 1 resource added, 0 removed"
    assert summary["diffPercent"] is None


@pytest.mark.parametrize(
    ("estimate", "limits", "passed", "actuals"),
    [
        ({"totalMonthlyCost": "120"}, {"monthly_total_max": "100"}, False, ["120"]),
        # No baseline: everything is new, so the diff is the total and has no percentage.
        ({"totalMonthlyCost": "120"}, {"monthly_diff_max": "150", "diff_percent_max": "5"},
         False, ["120", None]),
        ({"totalMonthlyCost": "110", "pastTotalMonthlyCost": "100", "diffTotalMonthlyCost": "10"},
         {"monthly_diff_max": "10", "diff_percent_max": "10"}, True, ["10", "10"]),
        ({"totalMonthlyCost": "90", "pastTotalMonthlyCost": "100", "diffTotalMonthlyCost": "-10"},
         {"diff_percent_max": "0"}, True, ["-10"]),
    ],
)  # fmt: skip
def test_budget_checks(estimate: dict[str, str], limits: dict[str, str], passed: bool,
                       actuals: list[str | None]) -> None:  # fmt: skip
    policy = budget.evaluate(limits, estimate)
    assert policy["passed"] is passed
    assert [check["actual"] for check in policy["checks"]] == actuals


def test_budget_options_are_validated_and_normalised() -> None:
    assert job_options.validate({"budget": {"monthly_total_max": 10.5}})["budget"] == {
        "monthly_total_max": "10.5"
    }
    for bad in ({"monthly_total_max": "1e3"}, {"monthly_total_max": "-1"}, {"x": "1"}, {}, []):
        with pytest.raises(job_options.OptionError):
            job_options.validate({"budget": bad})
    # The engine never sees what only the orchestrator uses.
    options = {"workspace": "w", "compare_to": "0" * 8 + "-0000-4000-8000-" + "0" * 12,
               "budget": {"monthly_total_max": "1"}, "webhook_url": "https://h.example/x"}  # fmt: skip
    assert job_options.engine_options(job_options.validate(options)) == {"workspace": "w"}


def big_job(resources: int) -> dict[str, Any]:
    entries = [
        priced(f'module.fleet["{i:05d}"].aws_instance.node', "1.5") for i in range(resources)
    ]
    estimate: dict[str, Any] = {"totalMonthlyCost": str(D("1.5") * resources),
                                "projects": [project("fleet", *entries)],
                                "metadata": {"catalog": {"sources": [
                                    {"title": "EC2 prices", "effectiveDate": "2026-07-20"}]}}}  # fmt: skip
    result: dict[str, Any] = {"region": "us-east-1", "estimate": estimate, "unknowns": []}
    result["diff"] = costdiff.apply_diff(estimate, [], source="plan")
    return {"job_id": "j", "status": "COMPLETED", "result": result}


def test_markdown_is_cut_between_rows_with_a_note() -> None:
    text = render(big_job(3000), "markdown", report_url="https://x/r")
    assert len(text) <= markdown.LIMIT
    assert "This report was cut to fit a 65,536-character comment" in text
    assert text.rstrip().endswith("Generated by tfquote.</sub>")  # the provenance survives
    assert text.count("<details>") == text.count("</details>")
    assert "2176 of 3000 changed resources, all 3000 priced resources not shown" in text
    table_rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert all(line.endswith("|") and line.count(" | ") >= 2 for line in table_rows)
    # Small reports are never cut.
    small = render(big_job(3), "markdown")
    assert "cut to fit" not in small and small.count("aws_instance.node") == 6


def test_table_and_html_escape_what_terraform_names() -> None:
    job = big_job(1)
    job["result"]["estimate"]["projects"][0]["breakdown"]["resources"][0]["name"] = (
        'aws_instance.x["<script>alert(1)</script>"]'
    )
    html = render(job, "html")
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<script>" not in render(job, "markdown")
    assert build(job).resources().__next__().name.startswith("aws_instance.x")


def test_pack_a_directory_reproducibly(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    for path, text in {"main.tf": "x", "modules/a/main.tf": "y", ".git/HEAD": "ref",
                       ".terraform/providers/p/bin": "elf", ".terraform/modules/m/main.tf": "m",
                       ".terraform/modules/modules.json": "{}", "secret.tfvars": "s",
                       "notes/draft.tf": "d", ".terraformignore": "*.tfvars\nnotes/\n"}.items():  # fmt: skip
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    packed = pack(root)
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(packed.data))) as archive:
        names = sorted(archive.getnames())
    assert names == ["repo/.terraform/modules/m/main.tf", "repo/.terraform/modules/modules.json",
                     "repo/.terraformignore", "repo/main.tf", "repo/modules/a/main.tf"]  # fmt: skip
    assert pack(root).data == packed.data  # same files, same bytes, same key
    key = idempotency_key(packed, "us-east-1", {"budget": {"monthly_total_max": "1"}})
    assert key == idempotency_key(pack(root), "us-east-1", {"budget": {"monthly_total_max": "1"}})
    assert key != idempotency_key(packed, "eu-west-1", {"budget": {"monthly_total_max": "1"}})
    (root / "main.tf").write_text("changed")
    assert idempotency_key(pack(root), "us-east-1", {"budget": {"monthly_total_max": "1"}}) != key
    with pytest.raises(PackError):
        pack(tmp_path / "missing")
    (tmp_path / "README.md").write_text("no")
    with pytest.raises(PackError):
        pack(tmp_path / "README.md")


def test_signatures() -> None:
    body = b'{"event":"job.completed"}'
    header = sign("secret", body, 1_700_000_000)
    assert header.startswith("t=1700000000,v1=") and len(header.split("v1=")[1]) == 64
    assert verify("secret", body, header, now=1_700_000_100)
    assert not verify("secret", body + b" ", header, now=1_700_000_100)
    assert not verify("other", body, header, now=1_700_000_100)
    assert not verify("secret", body, header, now=1_700_001_000)  # too old: a replay


def test_delivery_checks_addresses_after_resolution() -> None:
    strict = Settings.from_env({"WEBHOOK_ALLOW_HTTP": "true"})
    lenient = Settings.from_env({"WEBHOOK_ALLOW_HTTP": "true", "WEBHOOK_ALLOW_PRIVATE": "true"})
    with pytest.raises(TargetRefused):
        resolve_checked("http://127.0.0.1:9/x", strict)
    pinned, host = resolve_checked("http://127.0.0.1:9/x?a=1", lenient)
    assert (pinned, host) == ("http://127.0.0.1:9/x?a=1", "127.0.0.1")
    with pytest.raises(TargetRefused):
        resolve_checked("http://127.0.0.1:9/x", Settings.from_env({}))  # http not allowed
    # A name is only judged by what it resolves to: this host's own name is not public.
    name = socket.gethostname()
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, 80)}
    except socket.gaierror:
        pytest.skip("this host's name does not resolve")
    if all(job_options.address_is_public(str(a)) for a in addresses):
        pytest.skip("this host's name resolves to a public address")
    with pytest.raises(TargetRefused, match="resolves to"):
        resolve_checked(f"http://{name}:9/x", strict)


def test_progress_shows_on_a_terminal_only() -> None:
    from tfquote.client.cli import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        progress = Progress(stream)
        progress("uploading 1,024 / 2,048 bytes")
        progress("job 9b1d0000 RUNNING (attempt 1)")
        progress.done()
    assert pipe.getvalue() == ""
    assert terminal.getvalue().startswith("\ruploading 1,024 / 2,048 bytes\rjob 9b1d0000 RUNNING")
    assert terminal.getvalue().endswith("\r")  # the line is cleared before the report prints
