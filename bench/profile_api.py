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
import json
import pstats
import signal
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.common import (
    RedisProcess,
    bench_token,
    create_upload,
    free_port,
    gateway_env,
    workdir,
)
from bench.loadgen import build_request, run_batch
from tfquote.devstack import BIN, Service, http_ok, service_env, start_service

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


def _start(
    name: str, app: str, env: dict[str, str], work: Path, *, profiled: bool
) -> tuple[Service, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [
        str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
        "--worker-class", "sync", "--timeout", "300", app,
    ]  # fmt: skip
    if profiled:
        argv[-1:-1] = ["-c", "python:bench.gunicorn_profile"]
    service = start_service(name, argv, service_env(env), work, http_ok(f"{url}/health"))
    return service, url


def _stop_and_load(service: Service, out: Path) -> pstats.Stats:
    # SIGTERM: gunicorn stops its worker gracefully, which runs worker_exit (the dump).
    service.proc.send_signal(signal.SIGTERM)
    service.proc.wait(60)
    dumps = sorted(out.parent.glob(f"{out.name}.*"))
    if not dumps:
        raise RuntimeError(f"no profile written for {out}")
    stats = pstats.Stats(str(dumps[0]))
    for extra in dumps[1:]:
        stats.add(str(extra))
    return stats


@dataclass
class _Side:
    name: str
    app: str
    prefix: str
    token: str
    upload_id: str = "0" * 32  # the bare app stores whatever id it is given
    job_ids: tuple[str, ...] = ()

    def post(self, host: str, count: int) -> list[bytes]:
        body = json.dumps({"upload_id": self.upload_id, "region": "us-east-1"}).encode()
        tag = f"{time.time_ns():x}"
        return [
            build_request(
                "POST",
                host,
                self.prefix,
                body=body,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"profile-{tag}-{n}",
                },
            )
            for n in range(count)
        ]

    def get(self, host: str, count: int) -> list[bytes]:
        headers = {"Authorization": f"Bearer {self.token}"}
        ids = self.job_ids
        return [
            build_request("GET", host, f"{self.prefix}/{ids[n % len(ids)]}", headers=headers)
            for n in range(count)
        ]


def _prepare(side: _Side, url: str) -> None:
    """The upload (gateway only) and 100 jobs for the GETs, made through an unprofiled
    server of the same app, so the profiles hold only the requests they measure."""
    if side.name == "gateway":
        side.upload_id = create_upload(url, side.token)
    ids = []
    with requests.Session() as session:
        for _ in range(100):
            response = session.post(
                f"{url}{side.prefix}",
                json={"upload_id": side.upload_id, "region": "us-east-1"},
                headers={"Authorization": f"Bearer {side.token}"},
                timeout=10,
            )
            response.raise_for_status()
            ids.append(response.json()["job_id"])
    side.job_ids = tuple(ids)


def profile_side(name: str, count: int, work: Path) -> Iterator[Profile]:
    """Profile ``count`` POSTs, then ``count`` GETs, of one side (``gateway`` or ``bare``)."""
    redis_proc = RedisProcess(work / f"redis-{name}")
    try:
        env = gateway_env(redis_proc.url, work / "data", BARE_UPLOAD_DIR=str(work / "bare"))
        side = _Side(name, "wsgi:app", "/api/v1/jobs", bench_token())
        if name == "bare":
            side = _Side(name, "bench.bare_app:create_app()", "/jobs", side.token)
        service, url = _start(f"{name}-setup", side.app, env, work, profiled=False)
        try:
            _prepare(side, url)
        finally:
            service.stop()
        for route in ("POST", "GET"):
            out = work / f"{name}-{route}.prof"
            service, url = _start(
                f"{name}-{route}", side.app, {**env, "PROFILE_OUT": str(out)}, work, profiled=True
            )
            try:
                host = url.split("//", 1)[1]
                batch = side.post(host, count) if route == "POST" else side.get(host, count)
                answers = run_batch(url, batch, connections=1)
                bad = [a for a in answers if a.status not in (200, 201, 202)]
                if bad:
                    raise RuntimeError(f"{name} {route}: {len(bad)} failed: {bad[0].body!r}")
            finally:
                stats = _stop_and_load(service, out)
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
