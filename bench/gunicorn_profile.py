"""gunicorn config hooks for :mod:`bench.profile_api`: profile a worker from its start
to its exit with cProfile and dump the stats to ``$PROFILE_OUT.<pid>``.

cProfile sees only the thread that enabled it, so the profiled server runs the ``sync``
worker class, where every request is handled on the worker's main thread. Its clock is that
thread's CPU time, not the wall clock: a ``recv`` waiting for Redis or the client costs
what the kernel spent on it, not the wait, so two runs on a busy machine stay comparable.
"""

from __future__ import annotations

import cProfile
import os
import time
from typing import Any

_profiler = cProfile.Profile(time.thread_time)


def post_worker_init(worker: Any) -> None:
    _profiler.enable()


def worker_exit(server: Any, worker: Any) -> None:
    _profiler.disable()
    _profiler.dump_stats(f"{os.environ['PROFILE_OUT']}.{os.getpid()}")
