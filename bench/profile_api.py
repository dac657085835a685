"""Where a job API request's CPU goes: cProfile of one gunicorn worker serving a few
thousand requests, the gateway and the bare app (:mod:`bench.bare_app`) side by side.

Each side runs alone under gunicorn's ``sync`` worker (1 worker: every request on the
profiled thread, see :mod:`bench.gunicorn_profile`) with the benchmark's settings (auth
on, rate limits on, JSON access log at INFO, a private Redis). ``requests`` POSTs (each
with its own ``Idempotency-Key``, as in ``bench api``), then as many GETs of the jobs
created, over keep-alive-less connections (the sync worker closes each one). The worker
is profiled from its start to its exit; the report is per request, so the start-up and
the ``/health`` probes weigh ``1 / requests``.

Printed: CPU per request by area (the package a function's own time is spent in:
flask_limiter, jwt, redis, kombu/celery, logging, ...) for each side, and the top
functions by own time and by cumulative time. The clock is the worker thread's CPU time
(waiting for Redis costs nothing); reading it on every call and return inflates every
figure, call-heavy code most (the totals come out ~4x the CPU that `bench api` measures
without a profiler), so read shares and the two sides' difference, not absolute times.

    python -m bench.profile_api [--requests 3000] [--top 25] [--side gateway] [--keep]
"""

from __future__ import annotations

import argparse
import pstats
import signal
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.api import Side
from bench.common import (
    HttpServer,
    RedisProcess,
    ServerSettings,
    bench_token,
    create_upload,
    gateway_env,
    start_gunicorn,
    workdir,
)
from bench.loadgen import run_batch

#: Areas, most specific first: the first whose marker is in a function's file path wins.
AREAS: tuple[tuple[str, str], ...] = (
    ("flask_limiter/", "flask-limiter"),
    ("/limits/", "limits"),
    ("/jwt/", "pyjwt"),
    ("/cryptography/", "pyjwt"),
    ("/redis/", "redis-py"),
    ("/kombu/", "kombu"),
    ("/celery/", "celery"),
    ("/amqp/", "kombu"),
    ("/marshmallow/", "marshmallow"),
    ("pythonjsonlogger", "json logger"),
    ("/logging/", "logging"),
    ("/flask/", "flask"),
    ("/werkzeug/", "werkzeug"),
    ("/gunicorn/", "gunicorn"),
    ("/json/", "json"),
    ("/uuid.py", "uuid"),
    ("/gateway/", "tfquote gateway"),
    ("/tfquote/", "tfquote shared"),
    ("/bench/", "bare app"),
    ("socket", "sockets"),
    ("/selectors.py", "sockets"),
)


def area_of(filename: str) -> str:
    if filename == "~":
        return "builtins"  # C functions: attributed to themselves, see _builtin_area
    for marker, area in AREAS:
        if marker in filename:
            return area
    return "other python"


def _builtin_area(name: str) -> str:
    # A C function's own time: socket I/O and hashing are worth telling apart.
    if "socket" in name or "recv" in name or "send" in name or "select" in name:
        return "sockets"
    if "hashlib" in name or "hmac" in name or "openssl" in name or "_hashlib" in name:
        return "pyjwt"
    if "json" in name:
        return "json"
    return "builtins"


@dataclass
class Profile:
    side: str
    route: str
    requests: int
    stats: pstats.Stats

    @property
    def total_s(self) -> float:
        return float(self.stats.total_tt)  # type: ignore[attr-defined]

    def by_area(self) -> dict[str, float]:
        """Own time per area, µs per request."""
        areas: dict[str, float] = defaultdict(float)
        raw = self.stats.stats  # type: ignore[attr-defined]
        for (filename, _line, name), (_cc, _nc, tt, _ct, _callers) in raw.items():
            area = area_of(filename)
            if area == "builtins":
                area = _builtin_area(name)
            areas[area] += tt
        return {
            area: round(seconds / self.requests * 1e6, 1)
            for area, seconds in sorted(areas.items(), key=lambda item: -item[1])
        }

    def top(self, key: str, count: int) -> list[tuple[str, float, float]]:
        """(function, own µs/request, cumulative µs/request) of the top ``count`` by ``key``
        (``tottime`` or ``cumulative``)."""
        raw = self.stats.stats  # type: ignore[attr-defined]
        index = 2 if key == "tottime" else 3
        rows = sorted(raw.items(), key=lambda item: -item[1][index])[:count]
        return [
            (_label(func), tt / self.requests * 1e6, ct / self.requests * 1e6)
            for func, (_cc, _nc, tt, ct, _callers) in rows
        ]


def _label(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    parts = Path(filename).parts
    for anchor in ("site-packages", "main", "lib"):
        if anchor in parts:
            parts = parts[len(parts) - parts[::-1].index(anchor) :]
            break
    return f"{'/'.join(parts[-3:])}:{line}({name})"


#: One gunicorn sync worker: every request on the profiled thread.
PROFILED_SERVER = ServerSettings(workers=1, threads=1, worker_class="sync")
#: The app and the jobs route of each side.
SIDES = {"gateway": ("wsgi:app", "/api/v1/jobs"), "bare": ("bench.bare_app:create_app()", "/jobs")}


def _start(name: str, app: str, env: dict[str, str], work: Path, *, profiled: bool) -> HttpServer:
    extra = ("-c", "python:bench.gunicorn_profile") if profiled else ()
    return start_gunicorn(name, app, env, work, PROFILED_SERVER, extra=extra)


def _stop_and_load(server: HttpServer, out: Path) -> pstats.Stats:
    # SIGTERM: gunicorn stops its worker gracefully, which runs worker_exit (the dump).
    server.service.proc.send_signal(signal.SIGTERM)
    server.service.proc.wait(60)
    dumps = sorted(out.parent.glob(f"{out.name}.*"))
    if not dumps:
        raise RuntimeError(f"no profile written for {out}")
    stats = pstats.Stats(str(dumps[0]))
    for extra in dumps[1:]:
        stats.add(str(extra))
    return stats


def profile_side(name: str, count: int, work: Path) -> Iterator[Profile]:
    """Profile ``count`` POSTs, then ``count`` GETs, of one side (``gateway`` or ``bare``)."""
    redis_proc = RedisProcess(work / f"redis-{name}")
    try:
        env = gateway_env(redis_proc.url, work / "data", BARE_UPLOAD_DIR=str(work / "bare"))
        app, prefix = SIDES[name]
        token = bench_token()
        # The upload (gateway only) and 100 jobs for the GETs, made through an unprofiled
        # server of the same app, so the profiles hold only the requests they measure.
        server = _start(f"{name}-setup", app, env, work, profiled=False)
        try:
            setup = Side(name, server.url, prefix, token)
            # the bare app stores whatever upload id it is given
            setup.upload_id = create_upload(server.url, token) if name == "gateway" else "0" * 32
            setup.create_jobs(100)
        finally:
            server.stop()
        for route in ("POST", "GET"):
            out = work / f"{name}-{route}.prof"
            server = _start(
                f"{name}-{route}", app, {**env, "PROFILE_OUT": str(out)}, work, profiled=True
            )
            try:
                side = Side(name, server.url, prefix, token)
                side.upload_id, side.job_ids = setup.upload_id, setup.job_ids
                make = (
                    side.post_factory(f"profile-{time.time_ns():x}")
                    if route == "POST"
                    else side.get_factory()
                )
                answers = run_batch(server.url, [make(n) for n in range(count)], connections=1)
                bad = [a for a in answers if a.status not in (200, 201, 202)]
                if bad:
                    raise RuntimeError(f"{name} {route}: {len(bad)} failed: {bad[0].body!r}")
            finally:
                stats = _stop_and_load(server, out)
            yield Profile(name, route, count, stats)
    finally:
        redis_proc.stop()


def render(profiles: Sequence[Profile], top: int) -> str:
    lines: list[str] = []
    for route in ("POST", "GET"):
        pair = [p for p in profiles if p.route == route]
        if not pair:
            continue
        lines.append(f"== {route}: CPU per request under cProfile, by area (µs)")
        areas = sorted(
            {a for p in pair for a in p.by_area()},
            key=lambda a: -max(p.by_area().get(a, 0.0) for p in pair),
        )
        header = "| area | " + " | ".join(p.side for p in pair) + " |"
        lines += [header, "|---|" + "---:|" * len(pair)]
        for area in areas:
            cells = " | ".join(f"{p.by_area().get(area, 0.0):,.0f}" for p in pair)
            lines.append(f"| {area} | {cells} |")
        totals = " | ".join(f"**{p.total_s / p.requests * 1e6:,.0f}**" for p in pair)
        lines.append(f"| **total** | {totals} |")
        for p in pair:
            for key in ("tottime", "cumulative"):
                lines.append("")
                lines.append(
                    f"-- {p.side} {route}: top {top} by {key} (µs/request: own, cumulative)"
                )
                for label, own, cum in p.top(key, top):
                    lines.append(f"  {own:8.1f} {cum:8.1f}  {label}")
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_api", description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--side", choices=("gateway", "bare", "both"), default="both")
    parser.add_argument("--keep", action="store_true", help="keep the .prof files and logs")
    args = parser.parse_args(argv)
    sides = ("gateway", "bare") if args.side == "both" else (args.side,)
    with workdir("tfquote-profile-api-", keep=args.keep) as work:
        profiles = [p for side in sides for p in profile_side(side, args.requests, work)]
        print(render(profiles, args.top))
        if args.keep:
            print(f"profiles and logs kept in {work}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
