"""The supervisor behind `make run`: a process that exits is restarted with backoff and
the restart is logged; the others keep running; a signal stops them all."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tfquote.devstack import ROOT, wait_for

pytestmark = pytest.mark.integration


def test_an_exiting_process_is_restarted_and_logged(tmp_path: Path) -> None:
    counter = tmp_path / "starts"
    procfile = tmp_path / "Procfile"
    procfile.write_text(f"flaky: echo start >> {counter}; exit 3\nsteady: sleep 600\n")
    log = tmp_path / "out.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tfquote.supervisor", "-f", str(procfile)],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        # Backoff 1 s, then 2 s: the third start comes about 3 s after the first.
        assert wait_for(lambda: counter.exists() and len(counter.read_text().split()) >= 3, 15)
        text = log.read_text()
        assert "flaky  | exited with code 3" in text
        assert "restarting in 1s" in text and "restarting in 2s" in text
        assert text.count("steady | started") == 1  # the others keep running
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
    assert "stopping every process" in log.read_text()


def test_backoff_is_reset_after_a_stable_run() -> None:
    from tfquote.supervisor import STABLE_AFTER, Process

    process = Process("p", "true", 1)
    process.proc = subprocess.Popen(["true"])
    process.proc.wait()
    process.failures = 4
    process.started = time.monotonic() - STABLE_AFTER - 1
    process.reap(time.monotonic())
    assert process.failures == 0 and process.restart_at is not None
