"""Start the real processes of a tfquote stack — the engine, celery workers, beat and
the gateway, each as the Procfile would — and stop them afterwards.

Used by the test suite, the benchmarks and the chaos suite, which all need the same
thing: real processes on free local ports with logs captured to files.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@dataclass
class Service:
    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path

    def logs(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def service_env(overrides: Mapping[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(ROOT)
    env.update(overrides)
    return env


def start_service(
    name: str,
    argv: list[str],
    env: Mapping[str, str],
    log_dir: Path,
    ready: Callable[[], bool],
    timeout: float = 60.0,
) -> Service:
    log_path = log_dir / f"{name}.log"
    log_file = log_path.open("ab")
    proc = subprocess.Popen(
        argv, cwd=ROOT, env=dict(env), stdout=log_file, stderr=subprocess.STDOUT
    )
    log_file.close()
    service = Service(name, proc, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{service.logs()[-4000:]}")
        try:
            if ready():
                return service
        except Exception:
            pass
        time.sleep(0.1)
    service.stop()
    raise RuntimeError(f"{name} not ready after {timeout}s:\n{service.logs()[-4000:]}")


def http_ok(url: str) -> Callable[[], bool]:
    def check() -> bool:
        return requests.get(url, timeout=1).status_code == 200

    return check


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def start_gunicorn(
    name: str,
    app: str,
    port: int,
    env: Mapping[str, str],
    log_dir: Path,
    *,
    workers: int = 1,
    threads: int = 8,
    extra: tuple[str, ...] = (),
) -> Service:
    """An HTTP service as the Procfile runs it (``engine:create_app()``, ``wsgi:app``),
    ready once its ``/health`` answers."""
    return start_service(
        name,
        [str(BIN / "gunicorn"), "-c", "python:tfquote.gunicorn_conf",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads), *extra, app],
        service_env(env),
        log_dir,
        http_ok(f"http://127.0.0.1:{port}/health"),
    )  # fmt: skip
