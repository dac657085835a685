"""Headless Chromium for the browser tests: Debian's ``chromium`` and ``chromium-driver``
packages, driven by selenium with the system chromedriver named explicitly (so
selenium-manager never tries to download a browser or a driver).

`require_chromium` skips a test where Chromium is missing on a developer's machine and
fails it under ``CI=true`` (``.ci/run`` installs the packages, so a missing browser in CI
means the tests did not run, not that they passed) — the same rule as
`tests.support.shared.require_shared`.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.shared import in_ci

CHROMIUM = Path(
    os.environ.get("TFQUOTE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
)
CHROMEDRIVER = Path(
    os.environ.get("TFQUOTE_CHROMEDRIVER")
    or shutil.which("chromedriver")
    or "/usr/bin/chromedriver"
)


def require_chromium() -> None:
    """Skip (or, under CI=true, fail) when headless Chromium cannot run here."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return
    reason = f"{', '.join(missing)} not found: apt-get install -y chromium chromium-driver"
    if in_ci():
        pytest.fail(f"CI=true but {reason} (.ci/run installs them)", pytrace=False)
    pytest.skip(reason)


def chrome(*, width: int = 1280, height: int = 1000, downloads: Path | None = None) -> Any:
    """A headless Chromium session (selenium WebDriver) with the browser console kept, so a
    test can fail on script errors and CSP violations; `downloads` is where downloads land."""
    require_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    if downloads is not None:
        downloads.mkdir(parents=True, exist_ok=True)
        driver.execute_cdp_cmd(
            "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
        )
    return driver


def set_viewport(driver: Any, width: int, height: int = 900) -> None:
    """Lay the page out for a `width` px viewport (a phone at 360: device emulation, since a
    desktop window cannot be made that narrow)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 700},
    )


def reset_viewport(driver: Any) -> None:
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def full_page_screenshot(
    driver: Any, path: Path, width: int, *, max_height: int = 12000, full: bool = True
) -> int:
    """Write the whole page at `width` px to `path` (or, not `full`, what a screen of that
    width shows: right for a modal dialog, which sits in the middle of the viewport);
    returns how far the page overflows sideways (0 when nothing is wider than it)."""
    set_viewport(driver, width, 800 if width < 700 else 900)
    time.sleep(0.3)  # let the charts redraw at the new width (a ResizeObserver, next frame)
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    overflow = int(
        driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    )
    if full:
        set_viewport(driver, width, min(max(height, 600), max_height))
        time.sleep(0.2)
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
    return overflow


def console_problems(driver: Any) -> list[str]:
    """Script errors and security-policy violations from the browser console since the last
    call; the network's own 4xx/5xx lines (the page shows those) are not problems."""
    problems = []
    for entry in driver.get_log("browser"):
        message = str(entry.get("message", ""))
        if "Failed to load resource" in message:
            continue
        if entry.get("level") == "SEVERE" or "Content Security Policy" in message:
            problems.append(message)
    return problems
