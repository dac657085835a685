"""The engine is its own service: importing and building it pulls in no gateway/workers/Celery."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import sys
import engine, engine.api, engine.store, engine.service, engine.__main__
from engine.store import InMemoryEstimateStore
engine.create_app(store=InMemoryEstimateStore())
bad = sorted(m for m in sys.modules if m.split(".")[0] in {"gateway", "workers", "celery"})
print(",".join(bad))
"""


def test_engine_imports_no_other_service() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
