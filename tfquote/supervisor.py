"""``python -m tfquote.supervisor [-f Procfile] [NAME...]``: run the Procfile's processes
and keep them running, as `make run` needs.

A Celery worker's main process can exit when Redis restarts under it (the kombu failure
family of celery/kombu#582 and #970); honcho then stopped the whole local stack. Here,
as with compose's ``restart: unless-stopped``, a process that exits is started again
after a backoff (1 s doubling to 30 s; back to 1 s once it has run for a minute), and
every exit and restart is logged. Ctrl-C (SIGINT) or SIGTERM stops them all: SIGTERM
to each process group, SIGKILL for whatever is left after the grace period.

Each line of output is prefixed with the time and the process name, as honcho did.
Imports neither Flask nor Celery.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

MIN_BACKOFF = 1.0
MAX_BACKOFF = 30.0
#: A process that ran this long before exiting starts again after the shortest backoff.
STABLE_AFTER = 60.0
GRACE_SECONDS = 35.0  # gunicorn's --graceful-timeout is 30

_print_lock = threading.Lock()


def read_procfile(path: Path) -> dict[str, str]:
    entries: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, command = line.partition(":")
        if not sep or not name.strip():
            raise SystemExit(f"{path}: not a Procfile line: {line!r}")
        entries[name.strip()] = command.strip()
    return entries


def say(name: str, text: str, width: int) -> None:
    with _print_lock:
        sys.stdout.write(f"{time.strftime('%H:%M:%S')} {name:<{width}} | {text}\n")
        sys.stdout.flush()


@dataclass
class Process:
    name: str
    command: str
    width: int
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    failures: int = 0  # consecutive short-lived runs
    restart_at: float | None = 0.0  # None: not to be restarted
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        # Its own session (and process group, which signals go to): Ctrl-C in the
        # terminal reaches the supervisor only, which stops the processes in order.
        self.proc = subprocess.Popen(
            ["/bin/sh", "-c", self.command],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.started = time.monotonic()
        self.restart_at = None
        say(self.name, f"started with pid {self.proc.pid}", self.width)
        assert self.proc.stdout is not None
        thread = threading.Thread(target=self._pump, args=(self.proc.stdout,), daemon=True)
        thread.start()
        self.threads = [thread]

    def _pump(self, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            say(self.name, raw.decode(errors="replace").rstrip("\n"), self.width)

    def reap(self, now: float) -> None:
        """Notice an exit and schedule the restart."""
        if self.proc is None or self.proc.poll() is None:
            return
        ran = now - self.started
        self.failures = 0 if ran >= STABLE_AFTER else self.failures + 1
        delay = min(MAX_BACKOFF, MIN_BACKOFF * 2 ** max(self.failures - 1, 0))
        say(
            self.name,
            f"exited with code {self.proc.returncode} after {ran:.1f}s; restarting in {delay:.0f}s",
            self.width,
        )
        for thread in self.threads:
            thread.join(1)
        self.proc = None
        self.restart_at = now + delay

    def signal(self, signum: int) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signum)
            except ProcessLookupError:
                pass

    def group_alive(self) -> bool:
        """Whether anything of its process group is left (a shell's child may outlive it)."""
        if self.proc is None:
            return False
        self.proc.poll()
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


class Supervisor:
    def __init__(self, entries: dict[str, str]) -> None:
        width = max(len(name) for name in entries)
        self.processes = [Process(name, command, width) for name, command in entries.items()]
        self.width = width
        self.stopping = threading.Event()

    def request_stop(self, signum: int, _frame: object) -> None:
        self.stopping.set()

    def run(self) -> int:
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGTERM, self.request_stop)
        while not self.stopping.is_set():
            now = time.monotonic()
            for process in self.processes:
                process.reap(now)
                if process.restart_at is not None and now >= process.restart_at:
                    process.start()
            self.stopping.wait(0.2)
        self.stop()
        return 0

    def stop(self) -> None:
        say("supervisor", "stopping every process", self.width)
        for process in self.processes:
            process.signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        while time.monotonic() < deadline and any(p.group_alive() for p in self.processes):
            time.sleep(0.1)
        for process in self.processes:
            if process.group_alive():
                say(process.name, "did not stop in time; killing it", self.width)
                process.signal(signal.SIGKILL)
            if process.proc is not None:
                process.proc.wait(5)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tfquote.supervisor", description=__doc__)
    parser.add_argument("-f", "--procfile", type=Path, default=Path("Procfile"))
    parser.add_argument("names", nargs="*", help="the processes to run (default: all)")
    args = parser.parse_args(argv)
    entries = read_procfile(args.procfile)
    unknown = [name for name in args.names if name not in entries]
    if unknown:
        parser.error(f"not in {args.procfile}: {', '.join(unknown)}")
    if args.names:
        entries = {name: entries[name] for name in args.names}
    return Supervisor(entries).run()


if __name__ == "__main__":
    sys.exit(main())
