"""Evaluating an uploaded configuration in a child process, with memory and time limits.

The evaluator reads untrusted input and uses native code (RE2 for ``regex()``): a crash, a
runaway allocation or a hang in it must never take an engine process down with it. So
:class:`IsolatedEvaluator` runs :func:`engine.inventory.collect` in a child process started
from a ``forkserver`` (one clean, single-threaded parent that already imported the evaluator,
so a child starts in milliseconds and never inherits the engine's threads or sockets):

* the child caps its address space (``RLIMIT_AS``) and CPU time (``RLIMIT_CPU``) before it
  touches the input; it receives the bundle's files in memory and reads nothing else;
* the parent waits at most ``timeout`` seconds, then kills it;
* the outcome comes back over a pipe: the result, a refusal of the input
  (:class:`~engine.errors.EngineInputError`, the job fails with that code), or nothing —
  a crash, reported as ``evaluation_failed`` / ``evaluation_timeout``.

A crash is about the input, not the engine: the job fails with a clear code and the engine
keeps serving.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import resource
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.context import ForkServerContext
from typing import Any

from engine.errors import EngineInputError
from engine.inventory import Collected, Options, collect

log = logging.getLogger("engine.isolation")

_PRELOAD = ["engine.inventory", "engine.terraform", "engine.terraform.functions.strings"]
_context: ForkServerContext | None = None


def _forkserver() -> ForkServerContext:
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        _context = context
    return _context


@dataclass(frozen=True)
class Limits:
    memory_bytes: int
    timeout_seconds: float


def _child(
    conn: multiprocessing.connection.Connection,
    files: Mapping[str, bytes],
    region: str,
    options: Options,
    limits: Limits,
) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = int(limits.timeout_seconds) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        outcome: tuple[Any, ...] = ("ok", collect(files, region, options))
    except EngineInputError as exc:
        outcome = ("input", exc.code, exc.message)
    except MemoryError:
        outcome = (
            "input",
            "evaluation_failed",
            f"evaluating the configuration needs more than "
            f"{limits.memory_bytes // (1024 * 1024)} MiB of memory",
        )
    try:
        conn.send(outcome)
    except MemoryError:
        conn.send(("input", "evaluation_failed", "the evaluation result is too large"))
    finally:
        conn.close()


class Evaluator:
    """What evaluates configurations: :class:`IsolatedEvaluator` or :class:`InProcessEvaluator`."""

    def collect(self, files: Mapping[str, bytes], region: str, options: Options) -> Collected:
        raise NotImplementedError


class IsolatedEvaluator(Evaluator):
    """Runs configuration evaluation in a limited child process (see the module docstring)."""

    def __init__(self, *, memory_bytes: int, timeout_seconds: float, target: Any = None) -> None:
        self.limits = Limits(memory_bytes, timeout_seconds)
        # what the child runs (tests give one that crashes); importable by name
        self.target = target or _child

    def collect(self, files: Mapping[str, bytes], region: str, options: Options) -> Collected:
        context = _forkserver()
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=self.target,
            args=(sender, dict(files), region, options, self.limits),
            name="tfquote-evaluate",
            daemon=True,
        )
        started = time.monotonic()
        process.start()
        sender.close()
        try:
            outcome = self._wait(receiver, process)
        finally:
            receiver.close()
            if process.is_alive():
                process.kill()
            process.join(5)
        log.debug("evaluated in a child process", extra={"seconds": time.monotonic() - started})
        kind = outcome[0]
        if kind == "ok":
            result: Collected = outcome[1]
            return result
        raise EngineInputError(outcome[1], outcome[2])

    def _wait(
        self,
        receiver: multiprocessing.connection.Connection,
        process: multiprocessing.process.BaseProcess,
    ) -> tuple[Any, ...]:
        if receiver.poll(self.limits.timeout_seconds):
            try:
                outcome: tuple[Any, ...] = receiver.recv()
                return outcome
            except (EOFError, OSError):
                pass  # the child died before or while answering
        else:
            process.kill()
            return (
                "crash",
                "evaluation_timeout",
                f"evaluating the configuration took longer than "
                f"{self.limits.timeout_seconds:g} seconds",
            )
        process.join(5)
        code = process.exitcode
        if code is not None and code < 0:
            cause = signal.Signals(-code).name
            if -code == signal.SIGXCPU:
                return (
                    "crash",
                    "evaluation_timeout",
                    "evaluating the configuration used too much CPU time",
                )
        else:
            cause = f"exit status {code}"
        log.error("the evaluation process crashed", extra={"cause": cause})
        return (
            "crash",
            "evaluation_failed",
            f"the evaluator crashed on this configuration ({cause})",
        )


class InProcessEvaluator(Evaluator):
    """Evaluation in the calling process (tests, benchmarks, ``ENGINE_EVAL_ISOLATION=false``)."""

    def collect(self, files: Mapping[str, bytes], region: str, options: Options) -> Collected:
        return collect(files, region, options)
