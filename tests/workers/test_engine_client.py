"""EngineClient over real HTTP against a scripted engine (a Werkzeug server in a
thread): how each kind of answer is sorted into result, permanent or transient."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from workers.engine_client import EngineClient
from workers.errors import JobCancelled, PermanentJobError, TransientJobError

pytestmark = pytest.mark.integration

Handler = Callable[[Request], Response]


class ScriptedEngine:
    def __init__(self) -> None:
        self.handler: Handler = lambda r: Response("{}", 200)
        self.requests: list[tuple[str, str, dict[str, str]]] = []

        @Request.application
        def app(request: Request) -> Response:
            self.requests.append((request.method, request.path, dict(request.headers)))
            request.get_data()
            return self.handler(request)

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()


@pytest.fixture(scope="module")
def engine() -> Iterator[ScriptedEngine]:
    scripted = ScriptedEngine()
    yield scripted
    scripted.server.shutdown()


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    path = tmp_path / "bundle.tar.gz"
    path.write_bytes(b"not really a tarball; the scripted engine does not care")
    return path


def client(url: str, **kw) -> EngineClient:
    return EngineClient(url, read_timeout=kw.pop("read_timeout", 2.0), poll_interval=0.01, **kw)


def as_json(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status, headers=headers, mimetype="application/json")


def test_sync_result(engine: ScriptedEngine, bundle: Path) -> None:
    engine.handler = lambda r: as_json(200, {"id": "e1", "status": "succeeded", "result": {"n": 1}})
    result = client(engine.url).submit(
        bundle, region="us-east-1", idempotency_key="job-1", request_id="rid-1"
    )
    assert result == {"n": 1}
    method, path, headers = engine.requests[-1]
    assert (method, path) == ("POST", "/v1/estimates")
    assert headers["Idempotency-Key"] == "job-1"
    assert headers["X-Request-Id"] == "rid-1"
    # Asked for 202-and-poll; an engine may still answer 200 at once.
    assert headers["Prefer"] == "respond-async"


def test_async_result_is_polled(engine: ScriptedEngine, bundle: Path) -> None:
    polls = {"n": 0}

    def handler(r: Request) -> Response:
        if r.method == "POST":
            return as_json(202, {"id": "e2", "status": "pending"}, {"Location": "/v1/estimates/e2"})
        polls["n"] += 1
        if polls["n"] < 3:
            return as_json(200, {"id": "e2", "status": "running"})
        return as_json(200, {"id": "e2", "status": "succeeded", "result": {"ok": True}})

    engine.handler = handler
    assert client(engine.url).submit(bundle, region="us-east-1", idempotency_key="j") == {
        "ok": True
    }
    assert polls["n"] == 3


def test_an_abandoned_estimate_is_submitted_again(engine: ScriptedEngine, bundle: Path) -> None:
    # The engine process computing it died: the same request with the same key has
    # another process take it over, and polling goes on.
    posts: list[dict[str, str]] = []

    def handler(r: Request) -> Response:
        if r.method == "POST":
            posts.append(dict(r.headers))
            return as_json(202, {"id": "e4", "status": "pending"}, {"Location": "/v1/estimates/e4"})
        if len(posts) == 1:
            return as_json(200, {"id": "e4", "status": "running", "meta": {"abandoned": True}})
        return as_json(200, {"id": "e4", "status": "succeeded", "result": {"again": True}})

    engine.handler = handler
    result = client(engine.url).submit(bundle, region="us-east-1", idempotency_key="job-4")
    assert result == {"again": True}
    assert [h["Idempotency-Key"] for h in posts] == ["job-4", "job-4"]


def test_async_poll_stops_when_cancelled(engine: ScriptedEngine, bundle: Path) -> None:
    engine.handler = lambda r: (
        as_json(202, {"id": "e3", "status": "pending"}, {"Location": "/v1/estimates/e3"})
        if r.method == "POST" else as_json(200, {"id": "e3", "status": "running"})
    )  # fmt: skip
    with pytest.raises(JobCancelled):
        client(engine.url).submit(bundle, region="us-east-1", idempotency_key="j",
                                  should_continue=lambda: False)  # fmt: skip


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_transient_statuses(engine: ScriptedEngine, bundle: Path, status: int) -> None:
    engine.handler = lambda r: as_json(status, {"error": {"code": "x", "message": "busy"}})
    with pytest.raises(TransientJobError) as info:
        client(engine.url).submit(bundle, region="us-east-1", idempotency_key="j")
    assert info.value.code == "engine_unavailable"


def test_permanent_error_keeps_engine_code(engine: ScriptedEngine, bundle: Path) -> None:
    engine.handler = lambda r: as_json(
        422, {"error": {"code": "hcl_parse_error", "message": "bad"}}
    )
    with pytest.raises(PermanentJobError) as info:
        client(engine.url).submit(bundle, region="us-east-1", idempotency_key="j")
    assert info.value.code == "hcl_parse_error"


def test_failed_estimate_is_permanent(engine: ScriptedEngine, bundle: Path) -> None:
    engine.handler = lambda r: as_json(
        200, {"id": "e", "status": "failed", "error": {"code": "no_terraform", "message": "none"}}
    )
    with pytest.raises(PermanentJobError) as info:
        client(engine.url).submit(bundle, region="us-east-1", idempotency_key="j")
    assert info.value.code == "no_terraform"


def test_non_json_answer_is_transient(engine: ScriptedEngine, bundle: Path) -> None:
    engine.handler = lambda r: Response("<html>proxy error</html>", 200)
    with pytest.raises(TransientJobError):
        client(engine.url).submit(bundle, region="us-east-1", idempotency_key="j")


def test_timeout_is_transient(engine: ScriptedEngine, bundle: Path) -> None:
    gate = threading.Event()

    def slow(r: Request) -> Response:
        gate.wait(2)
        return as_json(200, {})

    engine.handler = slow
    with pytest.raises(TransientJobError) as info:
        client(engine.url, read_timeout=0.2).submit(bundle, region="us-east-1", idempotency_key="j")
    gate.set()
    assert info.value.code == "engine_timeout"


def test_connection_refused_is_transient(bundle: Path) -> None:
    with pytest.raises(TransientJobError) as info:
        client("http://127.0.0.1:9").submit(bundle, region="us-east-1", idempotency_key="j")
    assert info.value.code == "engine_unavailable"


def test_injected_session_is_used(engine: ScriptedEngine, bundle: Path) -> None:
    session = requests.Session()
    session.headers["User-Agent"] = "tfquote-test"
    engine.handler = lambda r: as_json(200, {"status": "succeeded", "result": {}})
    client(engine.url, session=session).submit(bundle, region="us-east-1", idempotency_key="j")
    assert engine.requests[-1][2]["User-Agent"] == "tfquote-test"


@pytest.fixture
def crashing_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The real engine app whose estimate computation crashes (an engine bug)."""
    import engine.service
    from engine import create_app
    from engine.store import InMemoryEstimateStore

    def crash(*_: object, **__: object) -> dict[str, object]:
        raise RuntimeError("boom")

    monkeypatch.setattr(engine.service, "compute", crash)
    app = create_app(store=InMemoryEstimateStore())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.extensions["engine"].service.shutdown()


@pytest.mark.parametrize("prefer_async", [True, False], ids=["polled", "synchronous"])
def test_a_failed_estimate_is_permanent_whatever_the_transport(
    crashing_engine: str, bundle: Path, prefer_async: bool
) -> None:
    """The engine keeps a failed estimate as the outcome of its Idempotency-Key: a
    retry gets the same failure, so retrying it only burns attempts."""
    with pytest.raises(PermanentJobError) as info:
        client(crashing_engine, prefer_async=prefer_async).submit(
            bundle, region="us-east-1", idempotency_key=f"job-{prefer_async}"
        )
    assert info.value.code == "internal_error"


@pytest.mark.unit
def test_the_engine_session_reads_the_environment_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from workers.engine_client import engine_session

    netrc = tmp_path / "netrc"
    netrc.write_text("machine engine.internal login svc password s3cret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "ca.pem"))
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    session = engine_session("http://engine.internal:8000")
    assert session.trust_env is False
    assert session.proxies == {"http": "http://proxy.internal:3128"}
    assert session.verify == str(tmp_path / "ca.pem")
    assert session.auth == ("svc", "s3cret")
    # Bypassed hosts get no proxy, as requests itself would decide per request.
    monkeypatch.setenv("NO_PROXY", "engine.internal")
    assert engine_session("http://engine.internal:8000").proxies == {}
