"""Shared fixtures: a private redis-server (never port 6379), and the real engine,
celery worker and gateway processes for integration and end-to-end tests."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tfquote import redis_server
from tfquote.devstack import BIN, Service, service_env, start_gunicorn, start_service

# module_servers and fetch_settings (a local module registry and git server), for any test.
pytest_plugins = ["tests.support.module_fixtures"]


@pytest.fixture(scope="session", autouse=True)
def _no_default_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point the defaults at a port nothing listens on, so a test that forgets to pass
    its private Redis fails loudly instead of touching the machine's port 6379. Engines
    started by tests fetch no remote module (the module tests turn it on, against their own
    local registry and git server) and keep their caches in the session's temp dir."""
    mp = pytest.MonkeyPatch()
    # (Not CELERY_BROKER_URL: Celery itself lets that variable beat any configuration.)
    for name in ("REDIS_URL", "ENGINE_REDIS_URL"):
        mp.setenv(name, "redis://127.0.0.1:1/15")
    mp.setenv("ENGINE_MODULE_FETCH", "false")
    mp.setenv("ENGINE_MODULE_CACHE_DIR", str(tmp_path_factory.mktemp("module-cache")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tfquote")


@pytest.fixture(scope="session")
def redis_proc(session_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = redis_server.free_port()
    proc = redis_server.start(port, session_dir / "redis")
    yield proc, port
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def redis_url(redis_proc: tuple[subprocess.Popen[bytes], int]) -> str:
    return f"redis://127.0.0.1:{redis_proc[1]}/0"


@pytest.fixture
def redis_client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url)


@pytest.fixture(scope="session")
def data_dir(session_dir: Path) -> Path:
    path = session_dir / "data"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def engine_url(redis_url: str, session_dir: Path) -> Iterator[str]:
    port = redis_server.free_port()
    env = {"REDIS_URL": redis_url, "ENGINE_REDIS_URL": redis_url, "LOG_LEVEL": "INFO"}
    service = start_gunicorn("engine", "engine:create_app()", port, env, session_dir)
    yield f"http://127.0.0.1:{port}"
    service.stop()


@pytest.fixture(scope="session")
def stack_env(redis_url: str, data_dir: Path, engine_url: str) -> dict[str, str]:
    """The environment every tfquote process of the test stack shares."""
    return {
        "REDIS_URL": redis_url,
        "DATA_DIR": str(data_dir),
        "ENGINE_URL": engine_url,
        "AUTH_ENABLED": "false",
        "RATE_LIMIT_JOBS": "100000/minute",
        "RATE_LIMIT_UPLOADS": "100000/minute",
        "RATE_LIMIT_READS": "100000/minute",
        "MAX_ATTEMPTS": "3",
        "RETRY_BACKOFF_BASE": "0.2",
        "RETRY_BACKOFF_MAX": "1",
        "ENGINE_POLL_INTERVAL": "0.05",
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture(scope="session")
def worker(stack_env: dict[str, str], session_dir: Path) -> Iterator[Service]:
    env = service_env(stack_env)
    marker = "celery@tfquote-test"
    log_path = session_dir / "worker.log"

    def ready() -> bool:
        # Celery logs "<name> ready." once it consumes.
        return log_path.exists() and f"{marker} ready." in log_path.read_text(errors="replace")

    service = start_service(
        "worker",
        [str(BIN / "celery"), "-A", "workers", "worker", "--loglevel", "INFO",
         "--concurrency", "2", "--pool", "prefork", "-n", marker, "-E"],
        env,
        session_dir,
        ready,
        timeout=90,
    )  # fmt: skip
    yield service
    service.stop(timeout=20)


@pytest.fixture(scope="session")
def gateway_url(stack_env: dict[str, str], session_dir: Path, worker: Service) -> Iterator[str]:
    port = redis_server.free_port()
    service = start_gunicorn("gateway", "wsgi:app", port, stack_env, session_dir, workers=2)
    yield f"http://127.0.0.1:{port}"
    service.stop()
