"""Evaluating uploaded configurations in child processes, with memory and time limits.

The evaluator reads untrusted input and uses native code (RE2 for ``regex()``): a crash, a
runaway allocation or a hang in it must never take an engine process down with it. So
:class:`IsolatedEvaluator` runs :func:`engine.inventory.collect` in a child process:

* children are started from a ``forkserver`` (a clean, single-threaded parent that already
  imported the evaluator), so they never inherit the engine's threads, locks or sockets;
* a child caps its own address space (``RLIMIT_AS``) before it reads any input, and its CPU
  time per estimate (``RLIMIT_CPU``, raised by the same budget before each one); it receives
  the bundle's files in memory and reads nothing else from the engine;
* registry and git modules are fetched **in the child**, while it plans (a nested module
  call is only known once its parent is fetched): untrusted downloads and archives stay
  under the child's memory limit and deadline, and what the child shares with other
  processes — the module cache and parse cache on disk, the fetch lock in Redis — works
  from any process (:mod:`engine.fetch`). The fetch budget
  (``ENGINE_MODULE_FETCH_SECONDS``) is below the child's deadline, so a slow registry ends as
  a listed unknown, not as a killed evaluation; a child killed mid-fetch leaves only a work
  directory the cache sweeps and a lock that expires;
* the engine waits at most ``timeout`` seconds for an answer, then kills the child;
* a child serves estimates one at a time and is kept for the next one, so its parse cache
  stays warm (estimating the same modules again, the common case in CI, parses nothing
  twice); it is replaced after ``max_tasks`` estimates, and at once after a crash or a
  timeout.

The outcome comes back over a pipe: the collected projects, a refusal of the input
(:class:`~engine.errors.EngineInputError`, the job fails with that code), or nothing — a
crash, reported as ``evaluation_failed`` / ``evaluation_timeout``. A crash is about the input,
not the engine: that estimate fails with a clear code and the engine keeps serving.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import resource
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

from engine.errors import EngineInputError
from engine.fetch.settings import FetchSettings
from engine.inventory import Collected, Options, collect

log = logging.getLogger("engine.isolation")

_PRELOAD = [
    "engine.inventory",
    "engine.terraform",
    "engine.terraform.functions.strings",
    "engine.fetch.resolver",
]
_context: ForkServerContext | None = None
_context_lock = threading.Lock()


def _forkserver() -> ForkServerContext:
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(_PRELOAD)
            _context = context
        return _context


@dataclass(frozen=True)
class Limits:
    memory_bytes: int
    timeout_seconds: float


Outcome = tuple[Any, ...]


def serve(conn: multiprocessing.connection.Connection, limits: Limits) -> None:
    """The child's loop: one request at a time until the pipe closes."""
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    while True:
        try:
            files, region, options, fetch = conn.recv()
        except (EOFError, OSError):
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = int(usage.ru_utime + usage.ru_stime + limits.timeout_seconds) + 2
        # Only the soft limit (SIGXCPU ends the child): a lowered hard limit could not be
        # raised again for the next estimate.
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        if hard != resource.RLIM_INFINITY:
            cpu = min(cpu, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, hard))
        conn.send(_evaluate(files, region, options, fetch, limits))


def _evaluate(
    files: Mapping[str, bytes],
    region: str,
    options: Options,
    fetch: FetchSettings | None,
    limits: Limits,
) -> Outcome:
    try:
        return ("ok", collect(files, region, options, fetch))
    except EngineInputError as exc:
        return ("input", exc.code, exc.message)
    except MemoryError:
        return (
            "input",
            "evaluation_failed",
            "evaluating the configuration needs more than "
            f"{limits.memory_bytes // (1024 * 1024)} MiB of memory",
        )


class _Child:
    """One evaluation process and the engine's end of its pipe."""

    def __init__(self, target: Callable[..., None], limits: Limits) -> None:
        context = _forkserver()
        self.conn, child_end = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=target, args=(child_end, limits), name="tfquote-evaluate", daemon=True
        )
        self.process.start()
        child_end.close()
        self.tasks = 0

    def ask(self, request: tuple[Any, ...], timeout: float) -> Outcome | str:
        """The answer, or why there is none: "died" or "timeout"."""
        self.tasks += 1
        try:
            self.conn.send(request)
            if not self.conn.poll(timeout):
                return "timeout"
            answer: Outcome = self.conn.recv()
            return answer
        except (EOFError, OSError):
            return "died"

    def kill(self) -> None:
        try:
            self.conn.close()
        finally:
            if self.process.is_alive():
                self.process.kill()
            self.process.join(5)


class Evaluator(Protocol):
    """What evaluates configurations: :class:`IsolatedEvaluator` or :class:`InProcessEvaluator`.
    ``fetch`` configures remote modules and the parse cache on disk (None: neither)."""

    fetch: FetchSettings | None

    def collect(self, files: Mapping[str, bytes], region: str, options: Options) -> Collected:
        """The inventory of ``files`` as Terraform would plan them."""
        ...


class IsolatedEvaluator:
    """Evaluation in limited child processes (see the module docstring)."""

    def __init__(
        self,
        *,
        memory_bytes: int,
        timeout_seconds: float,
        max_tasks: int = 200,
        max_idle: int = 4,
        target: Callable[..., None] | None = None,
        fetch: FetchSettings | None = None,
    ) -> None:
        self.limits = Limits(memory_bytes, timeout_seconds)
        self.fetch = fetch
        self.max_tasks = max_tasks
        self.max_idle = max_idle
        # What a child runs: `serve`; tests give one that crashes (importable by name).
        self.target = target or serve
        self._idle: list[_Child] = []
        self._lock = threading.Lock()

    def _acquire(self) -> _Child:
        with self._lock:
            while self._idle:
                child = self._idle.pop()
                if child.process.is_alive():
                    return child
                child.kill()
        return _Child(self.target, self.limits)

    def _release(self, child: _Child) -> None:
        with self._lock:
            if child.tasks < self.max_tasks and len(self._idle) < self.max_idle:
                self._idle.append(child)
                return
        child.kill()

    def collect(self, files: Mapping[str, bytes], region: str, options: Options) -> Collected:
        child = self._acquire()
        answer = child.ask((dict(files), region, options, self.fetch), self.limits.timeout_seconds)
        if isinstance(answer, str):
            outcome = self._failure(child, timed_out=answer == "timeout")
            child.kill()
        else:
            outcome = answer
            self._release(child)
        if outcome[0] == "ok":
            result: Collected = outcome[1]
            return result
        raise EngineInputError(outcome[1], outcome[2])

    def _failure(self, child: _Child, *, timed_out: bool) -> Outcome:
        process = child.process
        if timed_out:
            process.kill()
            process.join(5)
            return (
                "crash",
                "evaluation_timeout",
                "evaluating the configuration took longer than "
                f"{self.limits.timeout_seconds:g} seconds",
            )
        process.join(5)
        code = process.exitcode
        if code is not None and code < 0:
            if -code == signal.SIGXCPU:
                return (
                    "crash",
                    "evaluation_timeout",
                    "evaluating the configuration used too much CPU time",
                )
            cause = signal.Signals(-code).name
        else:
            cause = f"exit status {code}"
        log.error("the evaluation process crashed", extra={"cause": cause})
        return (
            "crash",
            "evaluation_failed",
            f"the evaluator crashed on this configuration ({cause})",
        )

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for child in idle:
            child.kill()


class InProcessEvaluator:
    """Evaluation in the calling process (tests, benchmarks, ``ENGINE_EVAL_ISOLATION=false``)."""

    def __init__(self, fetch: FetchSettings | None = None) -> None:
        self.fetch = fetch

    def collect(self, files: Mapping[str, bytes], region: str, options: Options) -> Collected:
        return collect(files, region, options, self.fetch)
