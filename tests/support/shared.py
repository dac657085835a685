"""``../shared/`` beside the repository: the hostile-archive corpus, real Terraform and
plans, the price snapshots. A test that needs it skips when it is missing on a
developer's machine, but under ``CI=true`` a missing ``../shared/`` fails the run: CI
always lays it out, so its absence means the tests did not run, not that they passed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require_shared(path: Path, *, module: bool = False) -> Path:
    """`path` (under ``../shared/``) when it exists; otherwise skip (or, in CI, fail)
    the test — or the whole module when called at import time with `module`."""
    if path.exists():
        return path
    reason = f"{path} not found (CI lays ../shared/ out beside the repository)"
    if in_ci():
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=module)
