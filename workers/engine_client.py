"""The HTTP client for the downstream estimation engine (``ENGINE_URL``).

Contract (README, "Engine contract"): ``POST /v1/estimates`` with the job's bundle, the
region and options, and ``Idempotency-Key: <job_id>``; the engine answers ``200`` with
the result at once, or ``202`` plus ``Location`` to poll ``GET /v1/estimates/{id}``.
Because every retry carries the same key, a retried submission never makes the engine
do the work twice.

Failures are sorted here, by what they are rather than how they arrive: a failed
estimate (polled as ``status: failed``, or answered at once as an error that names the
stored estimate in ``Location``) is permanent and keeps the engine's error code, as is
any other 4xx; connection errors, timeouts, other 5xx and 429 are transient (retried). The
``requests.Session`` is injected so tests can hand in their own transport. Imports
neither Flask nor Celery.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any
from urllib.parse import urljoin

import requests

from workers.errors import JobCancelled, PermanentJobError, TransientJobError

log = logging.getLogger(__name__)

_TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}


def _error_of(response: requests.Response) -> tuple[str | None, str]:
    try:
        body = response.json()
    except ValueError:
        return None, response.text[:200]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return error.get("code"), str(error.get("message", ""))[:500]
    return None, str(body)[:200]


def engine_session(base_url: str) -> requests.Session:
    """A session for the engine with the environment read once, not on every request.

    With ``trust_env`` requests looks up proxies (``HTTP(S)_PROXY``, ``NO_PROXY``), CA
    bundles (``REQUESTS_CA_BUNDLE``) and ``~/.netrc`` credentials on every call: ~0.25 ms
    of a worker's CPU per job, for answers that cannot change while it runs (the engine
    URL is fixed). They are resolved here for that URL and set on the session instead.
    """
    session = requests.Session()
    settings = session.merge_environment_settings(base_url, {}, None, None, None)
    session.proxies.update(settings.get("proxies") or {})
    if settings.get("verify") is not None:
        session.verify = settings["verify"]
    if settings.get("cert") is not None:
        session.cert = settings["cert"]
    session.auth = requests.utils.get_netrc_auth(base_url)
    session.trust_env = False
    return session


class EngineClient:
    def __init__(
        self,
        base_url: str,
        *,
        session: requests.Session | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        poll_interval: float = 0.5,
        poll_timeout: float = 180.0,
        prefer_async: bool = True,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.session = session or requests.Session()
        self.timeout = (connect_timeout, read_timeout)
        self.poll_interval = poll_interval
        self.poll_timeout = poll_timeout
        # Asking for 202-and-poll keeps every HTTP call short: a slow estimate never
        # trips the read timeout, so it is not retried (and re-attempted) needlessly.
        self.prefer_async = prefer_async
        self.sleep = sleep

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout as exc:
            raise TransientJobError(f"engine timed out: {exc}", code="engine_timeout") from exc
        except requests.RequestException as exc:
            raise TransientJobError(
                f"engine unreachable: {exc.__class__.__name__}", code="engine_unavailable"
            ) from exc

    def _check(self, response: requests.Response) -> dict[str, Any]:
        if response.status_code >= 400 and response.headers.get("Location"):
            # The estimate's own failed outcome, answered at once (the engine names the
            # stored estimate). It is final whatever the status, as it is when polled: the
            # engine replays it to every retry with this Idempotency-Key, so retrying an
            # `internal_error` would only burn the job's attempts.
            code, message = _error_of(response)
            raise PermanentJobError(
                message or f"engine failed the estimate ({response.status_code})",
                code=code or "engine_failed",
            )
        if response.status_code in _TRANSIENT_STATUS:
            _, message = _error_of(response)
            raise TransientJobError(
                f"engine answered {response.status_code}: {message}",
                code="engine_unavailable",
            )
        if response.status_code >= 400:
            code, message = _error_of(response)
            raise PermanentJobError(
                message or f"engine rejected the job ({response.status_code})",
                code=code or "engine_rejected",
            )
        try:
            body = response.json()
        except ValueError:
            raise TransientJobError(
                "engine sent a non-JSON answer", code="engine_bad_response"
            ) from None
        if not isinstance(body, dict):
            raise TransientJobError("engine sent a non-object answer", code="engine_bad_response")
        return body

    def submit(
        self,
        bundle: Path | IO[bytes],
        *,
        region: str,
        idempotency_key: str,
        options: Mapping[str, Any] | None = None,
        request_id: str | None = None,
        should_continue: Callable[[], bool] = lambda: True,
    ) -> dict[str, Any]:
        """Submit a bundle (a file, or a seekable binary stream read from its start on
        every attempt) and return the engine's result document."""
        headers = {"Idempotency-Key": idempotency_key}
        if self.prefer_async:
            headers["Prefer"] = "respond-async"
        if request_id:
            headers["X-Request-ID"] = request_id

        def send(fh: IO[bytes]) -> requests.Response:
            return self._request(
                "POST",
                urljoin(self.base_url, "v1/estimates"),
                headers=headers,
                data={"region": region, "options": json.dumps(dict(options or {}))},
                files={"bundle": ("bundle.tar.gz", fh, "application/gzip")},
            )

        def post() -> requests.Response:
            if isinstance(bundle, Path):
                with bundle.open("rb") as fh:
                    return send(fh)
            bundle.seek(0)
            return send(bundle)

        response = post()
        body = self._check(response)
        if response.status_code == 202:
            location = response.headers.get("Location") or f"v1/estimates/{body.get('id')}"
            return self._poll(urljoin(self.base_url, location), headers, should_continue, post)
        return self._result_of(body)

    def _result_of(self, body: Mapping[str, Any]) -> dict[str, Any]:
        status = body.get("status", "succeeded")
        if status == "failed":
            error = body.get("error") or {}
            raise PermanentJobError(
                str(error.get("message", "engine failed the estimate")),
                code=str(error.get("code") or "engine_failed"),
            )
        result = body.get("result")
        if not isinstance(result, dict):
            raise TransientJobError("engine answer has no result", code="engine_bad_response")
        return result

    def _poll(
        self,
        url: str,
        headers: Mapping[str, str],
        should_continue: Callable[[], bool],
        resubmit: Callable[[], requests.Response],
    ) -> dict[str, Any]:
        deadline = time.monotonic() + self.poll_timeout
        poll_headers = {k: v for k, v in headers.items() if k == "X-Request-ID"}
        wait = min(0.02, self.poll_interval)
        while True:
            body = self._check(self._request("GET", url, headers=poll_headers))
            if body.get("status") in ("succeeded", "failed"):
                return self._result_of(body)
            meta = body.get("meta")
            if isinstance(meta, dict) and meta.get("abandoned") is True:
                # The engine process computing it died. The same request with the same
                # Idempotency-Key has another process take the work over (or, if the
                # lease was renewed after all, is answered as a replay): still one effect.
                log.info("engine estimate abandoned; submitting it again")
                answer = resubmit()
                resubmitted = self._check(answer)
                if answer.status_code != 202:
                    return self._result_of(resubmitted)
            if not should_continue():
                raise JobCancelled("job was cancelled while the engine worked")
            if time.monotonic() > deadline:
                raise TransientJobError("engine did not finish in time", code="engine_timeout")
            # Small estimates finish within milliseconds, real ones within a second or two:
            # look again soon, then back off (doubling) to the configured interval, so a
            # result is picked up at most about as late as it took to compute.
            self.sleep(wait)
            wait = min(wait * 2, self.poll_interval)
