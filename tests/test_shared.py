"""Tests that need ../shared/ skip without it on a developer's machine, but fail in CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.shared import require_shared

pytestmark = pytest.mark.unit


def test_missing_shared_skips_outside_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require_shared(tmp_path / "missing")


def test_missing_shared_fails_the_run_in_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require_shared(tmp_path / "missing")


def test_present_shared_is_returned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert require_shared(tmp_path) == tmp_path


def test_no_test_skips_on_shared_by_itself() -> None:
    """Every use of ../shared/ goes through require_shared (a bare skipif would skip in CI)."""
    root = Path(__file__).resolve().parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name not in {"shared.py", "test_shared.py"}
        and ('/ "shared"' in (text := path.read_text()) or "SHARED.exists()" in text)
    ]
    assert offenders == []
