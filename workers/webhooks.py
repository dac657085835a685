"""Delivering completion webhooks (``workers.deliver_webhook``) and sweeping the outbox
(``workers.sweep_webhooks``), as plain functions the thin Celery tasks call.

The contract and the outbox are `tfquote.webhooks`. Here is the part that talks to the
outside world, with what that takes:

- **SSRF.** The target is checked when it is delivered to, not only when the job was
  created: the host name is resolved, every address it resolves to must be public
  (unless ``WEBHOOK_ALLOW_PRIVATE=true``), and the connection goes to the address that
  was checked (`PinnedAdapter`), so a DNS answer that changes between the check and the
  connection (rebinding) cannot point it elsewhere. TLS still verifies the certificate
  against the host name. Redirects are never followed: a 3xx is a failed attempt.
- **Never blocking jobs.** Deliveries run on their own queue, each attempt bounded by
  ``WEBHOOK_TIMEOUT`` (the response body is never read); a failed attempt is not retried
  in the task but scheduled in the outbox, and published again with a countdown when that
  is short, or by the sweeper when it is long (a countdown longer than the broker's
  visibility timeout would be handed out twice).
- **Once.** A per-event lock lets one attempt run at a time; a delivered or abandoned
  event is taken out of the outbox and never sent again. Attempts back off exponentially
  (``WEBHOOK_RETRY_BASE`` doubling up to ``WEBHOOK_RETRY_MAX``) for
  ``WEBHOOK_MAX_AGE_SECONDS`` (24 h) after the event.

Imports neither Flask nor Celery.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from tfquote import options as job_options
from tfquote.jobs import JobStore
from tfquote.settings import Settings
from tfquote.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    WebhookStore,
    backoff,
    payload,
    publish_pending,
    sign,
)

log = logging.getLogger(__name__)

#: Publishes a delivery attempt: (job_id, event, countdown seconds or None).
Publish = Callable[[str, str, float | None], None]


class Result(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    GAVE_UP = "gave_up"
    SKIPPED = "skipped"  # nothing to do: delivered already, not due, or another attempt runs


class TargetRefused(Exception):
    """The target is not allowed (scheme, or an address that is not public)."""


@dataclass
class WebhookDeps:
    settings: Settings
    jobs: JobStore
    store: WebhookStore
    publish: Publish


class PinnedAdapter(HTTPAdapter):
    """Connects to the address that was checked, while TLS verifies the real host name
    (`server_hostname` for SNI, `assert_hostname` for the certificate)."""

    def __init__(self, hostname: str) -> None:
        self.hostname = hostname
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: bool | str, cert: Any = None
    ) -> tuple[Any, Any]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        kwargs: dict[str, Any] = dict(pool_kwargs)
        if host_params.get("scheme") == "https":
            kwargs["server_hostname"] = self.hostname
            kwargs["assert_hostname"] = self.hostname
        return host_params, kwargs


def resolve_checked(url: str, settings: Settings) -> tuple[str, str]:
    """(the URL rewritten to a checked address, the original host) or `TargetRefused`;
    `socket.gaierror` when the name does not resolve now (retried later)."""
    problem = job_options.webhook_target_problem(
        url,
        allow_http=settings.webhook_allow_http,
        allow_private=settings.webhook_allow_private,
    )
    if problem is not None:
        raise TargetRefused(problem)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise socket.gaierror(f"{host} has no address")
    if not settings.webhook_allow_private:
        refused = [a for a in addresses if not job_options.address_is_public(a)]
        if refused:
            raise TargetRefused(
                f"{host} resolves to a loopback, link-local or private address ({refused[0]})"
            )
    address = addresses[0]
    literal = f"[{address}]" if ipaddress.ip_address(address).version == 6 else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), host


def post(url: str, body: bytes, headers: Mapping[str, str], settings: Settings) -> int:
    """One POST to the checked address; the status code. Raises `TargetRefused`, and
    requests' own errors for the network."""
    pinned, host = resolve_checked(url, settings)
    parts = urlsplit(url)
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment may carry it elsewhere
    session.mount(f"{parts.scheme}://", PinnedAdapter(host))
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    try:
        response = session.post(
            pinned,
            data=body,
            headers={**headers, "Host": host_header},
            timeout=(min(5.0, settings.webhook_timeout), settings.webhook_timeout),
            allow_redirects=False,
            stream=True,  # the status is all we need; never wait for a body
        )
        response.close()
        return response.status_code
    finally:
        session.close()


_OWNER = f"{socket.gethostname()}:{os.getpid()}"


def deliver(job_id: str, event: str, deps: WebhookDeps) -> Result:
    """One delivery attempt of (job_id, event), if it is due and no other runs."""
    store, settings = deps.store, deps.settings
    record = store.get(job_id, event)
    if record is None or record.state != "pending" or record.due_ms is None:
        return Result.SKIPPED
    if record.due_ms > store.now_ms() + 1000:
        return Result.SKIPPED  # an early duplicate: the attempt that is due will come
    owner = f"{_OWNER}:{uuid.uuid4().hex[:8]}"
    if not store.acquire(job_id, event, owner, settings.webhook_timeout * 2 + 5):
        return Result.SKIPPED
    try:
        return _attempt(job_id, event, deps)
    finally:
        store.release(job_id, event, owner)


def _attempt(job_id: str, event: str, deps: WebhookDeps) -> Result:
    store, settings = deps.store, deps.settings
    record = store.get(job_id, event)  # again, under the lock: it may just have gone out
    if record is None or record.state != "pending":
        return Result.SKIPPED
    attempts = record.attempts + 1
    job = deps.jobs.get(job_id)
    url = job.options.get("webhook_url") if job is not None else None
    secret = settings.webhook_secret_for(job.tenant) if job is not None else None
    if job is None or not isinstance(url, str) or not secret:
        reason = "the job was deleted" if job is None else "no webhook secret is configured"
        store.record(
            job_id,
            event,
            state="gave_up",
            attempts=record.attempts,
            last_status=None,
            last_error=reason,
        )
        log.warning("webhook abandoned: %s", reason, extra={"job_id": job_id})
        return Result.GAVE_UP
    body = payload(event, job.to_public(), settings.public_url)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "tfquote-webhooks/1",
        EVENT_HEADER: event,
        DELIVERY_HEADER: f"{job_id}:{event}",
        SIGNATURE_HEADER: sign(secret, body, int(time.time())),
    }
    status: int | None = None
    try:
        status = post(url, body, headers, settings)
        error = "" if 200 <= status < 300 else f"HTTP {status}"
    except TargetRefused as exc:
        store.record(
            job_id,
            event,
            state="gave_up",
            attempts=attempts,
            last_status=None,
            last_error=f"refused: {exc}",
        )
        log.warning("webhook target refused: %s", exc, extra={"job_id": job_id})
        return Result.GAVE_UP
    except (requests.RequestException, OSError) as exc:
        error = f"{type(exc).__name__}: {str(exc)[:200]}"
    if not error:
        store.record(job_id, event, state="delivered", attempts=attempts, last_status=status)
        log.info("webhook delivered", extra={"job_id": job_id, "event": event})
        return Result.DELIVERED
    delay = backoff(attempts, settings.webhook_retry_base, settings.webhook_retry_max)
    now = store.now_ms()
    next_due = now + int(delay * 1000)
    if (next_due - record.first_ms) / 1000 > settings.webhook_max_age_seconds:
        store.record(
            job_id, event, state="gave_up", attempts=attempts, last_status=status, last_error=error
        )
        log.warning(
            "webhook given up after %d attempts: %s", attempts, error, extra={"job_id": job_id}
        )
        return Result.GAVE_UP
    store.record(
        job_id,
        event,
        state="pending",
        attempts=attempts,
        last_status=status,
        last_error=error,
        next_due_ms=next_due,
    )
    log.info("webhook attempt failed (%s); next in %.1fs", error, delay, extra={"job_id": job_id})
    if delay <= settings.visibility_timeout / 2:
        # Short enough to hand to the broker as a countdown; a longer wait is the
        # sweeper's (see the module docstring).
        try:
            deps.publish(job_id, event, delay)
        except Exception:  # the sweeper publishes it anyway
            log.warning("could not publish the webhook retry", exc_info=True)
    return Result.RETRY


def sweep(store: WebhookStore, publish: Publish, *, grace_seconds: float = 5.0) -> int:
    """Publish every delivery that is due (for longer than `grace_seconds`: a fresh event
    is its publisher's). Returns how many were published."""
    due = store.due(older_than_ms=int(grace_seconds * 1000))
    for job_id, event in due:
        publish(job_id, event, None)
    return len(due)


def notify(store: WebhookStore | None, publish: Publish | None, job_id: str) -> None:
    """The fast path after a terminal transition: publish the job's pending events now.
    Never raises: a lost publish is the sweeper's to repair, never the job's failure."""
    if store is None or publish is None:
        return
    try:
        publish_pending(store, job_id, lambda job_id, event: publish(job_id, event, None))
    except Exception:
        log.warning("could not publish the webhook; the sweeper will", exc_info=True)
