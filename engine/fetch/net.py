"""HTTPS for module fetching: checked addresses, verified TLS, bounded time and bytes.

Every request made for a module (service discovery, version lists, download endpoints,
archives) goes through :class:`HttpClient`, which owns these rules:

* **HTTPS only**, certificates verified against the system trust store, or against the CA
  bundle named by ``REQUESTS_CA_BUNDLE`` / ``SSL_CERT_FILE`` (:class:`FetchSettings`'s
  ``ca_bundle``); TLS 1.2 at least. Proxies from the environment are not used.
* **Addresses checked after DNS resolution** (:class:`AddressPolicy`): every address a
  host name resolves to must be a public one (no loopback, link-local, private, shared,
  reserved, multicast...) unless private addresses are allowed, all of them or the listed
  ones; the connection then goes to the address that was checked, so a second lookup
  cannot swap it (DNS rebinding). Cloud metadata addresses are never allowed.
* **Redirects** are followed by hand, at most :data:`MAX_REDIRECTS`, each hop checked
  again: HTTPS, a permitted address, and no ``Authorization`` header once the host changes.
* **Time**: every socket operation is bounded by the time left of the job's fetch budget
  (:class:`Deadline`) and by :data:`IO_TIMEOUT`; a server that never answers, or trickles,
  ends in :class:`FetchError` ``module_fetch_timeout``.
* **Bytes**: a body larger than the caller's cap ends in ``module_too_large`` as soon as the
  cap is crossed, whatever ``Content-Length`` said.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

from engine.fetch.addresses import display_url as _display
from engine.fetch.errors import FetchError

MAX_REDIRECTS = 5
#: Longest wait for any one socket operation (connect, a read), within the job's budget.
IO_TIMEOUT = 15.0
#: Metadata endpoints of cloud providers: never reachable, whatever is allowed.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(text) for text in ("169.254.169.254", "fd00:ec2::254", "169.254.170.2")
)
_CHUNK = 64 * 1024
_USER_AGENT = "tfquote-engine (terraform module fetcher)"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class Deadline:
    """The job's fetch budget: what is left of it bounds every network wait."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.until = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.until - time.monotonic()

    def timeout(self, cap: float = IO_TIMEOUT) -> float:
        left = self.remaining()
        if left <= 0:
            raise FetchError(
                "module_fetch_timeout",
                f"the module fetch budget of {self.seconds:g} s for this estimate is used up",
            )
        return min(cap, left)


@dataclass(frozen=True)
class AddressPolicy:
    """Which resolved addresses a fetch may connect to."""

    allow_private: bool = False
    #: private addresses allowed even when ``allow_private`` is false
    allowed: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, text: str) -> AddressPolicy:
        """``true`` / ``false`` or a comma-separated list of addresses and networks."""
        value = text.strip().lower()
        if value in ("true", "1", "yes", "on"):
            return cls(allow_private=True)
        if value in ("", "false", "0", "no", "off"):
            return cls()
        networks = tuple(
            ipaddress.ip_network(part.strip(), strict=False)
            for part in value.split(",")
            if part.strip()
        )
        return cls(allowed=networks)

    def refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` may not be used, or None."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if address in METADATA_ADDRESSES:
            return f"{address} is a cloud metadata address"
        if address.is_global and not address.is_multicast:
            return None
        if self.allow_private or any(address in network for network in self.allowed):
            if address.is_multicast or address.is_unspecified:
                return f"{address} is not a unicast address"
            return None
        kind = (
            "loopback"
            if address.is_loopback
            else "link-local"
            if address.is_link_local
            else "private"
            if address.is_private
            else "not a public"
        )
        return f"{address} is a {kind} address (ENGINE_MODULE_ALLOW_PRIVATE is off)"

    def resolve(self, host: str, port: int, deadline: Deadline) -> list[IPAddress]:
        """Every address of ``host``, all checked; FetchError when one is refused."""
        deadline.timeout()
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise FetchError("module_fetch_failed", f"cannot resolve {host}: {exc}") from exc
        addresses: list[IPAddress] = []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            reason = self.refusal(address)
            if reason is not None:
                raise FetchError("module_address_refused", f"{host} resolves to {reason}")
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise FetchError("module_fetch_failed", f"{host} has no address")
        return addresses


def tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    context = (
        ssl.create_default_context(cafile=ca_bundle) if ca_bundle else ssl.create_default_context()
    )
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class _PinnedConnection(http.client.HTTPSConnection):
    """An HTTPS connection to one of the addresses checked for its host (SNI and the
    certificate check still use the host name)."""

    def __init__(
        self,
        host: str,
        port: int,
        addresses: list[IPAddress],
        *,
        timeout: float,
        context: ssl.SSLContext,
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._addresses = addresses
        self._tls = context

    def connect(self) -> None:
        error: OSError | None = None
        for address in self._addresses:
            try:
                sock = socket.create_connection((str(address), self.port), self.timeout)
            except OSError as exc:
                error = exc
                continue
            self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)
            return
        raise error or OSError(f"cannot connect to {self.host}")


@dataclass
class Response:
    url: str  # the final URL, after redirects
    status: int
    headers: Mapping[str, str]
    body: bytes = b""

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise FetchError(
                "module_fetch_failed", f"{_display(self.url)} did not answer with JSON"
            ) from exc


@dataclass
class HttpClient:
    policy: AddressPolicy
    ca_bundle: str | None = None
    #: counted per instance; tests and the job metadata read it
    requests: int = 0
    _context: ssl.SSLContext | None = field(default=None, repr=False)

    @property
    def context(self) -> ssl.SSLContext:
        if self._context is None:
            self._context = tls_context(self.ca_bundle)
        return self._context

    def get(
        self,
        url: str,
        deadline: Deadline,
        *,
        headers: Mapping[str, str] | None = None,
        max_bytes: int = 1024 * 1024,
        sink: IO[bytes] | None = None,
    ) -> Response:
        """GET ``url`` (following checked redirects). The body is returned, or written to
        ``sink`` when given; either way at most ``max_bytes`` of it are accepted."""
        sent = dict(headers or {})
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            with self._open(current, sent, deadline) as (status, response_headers, response):
                if status in (301, 302, 303, 307, 308):
                    location = response_headers.get("location")
                    if not location:
                        raise FetchError(
                            "module_fetch_failed", f"{_display(current)}: redirect without Location"
                        )
                    target = urljoin(current, location)
                    if urlsplit(target).hostname != urlsplit(current).hostname:
                        sent.pop("Authorization", None)
                    current = target
                    continue
                body = self._read(response, current, deadline, max_bytes, sink)
                return Response(current, status, response_headers, body)
        raise FetchError(
            "module_fetch_failed", f"{_display(url)}: more than {MAX_REDIRECTS} redirects"
        )

    def _open(self, url: str, headers: Mapping[str, str], deadline: Deadline) -> _Exchange:
        parts = urlsplit(url)
        if parts.scheme != "https":
            raise FetchError(
                "module_address_refused",
                f"{_display(url)}: modules are fetched over HTTPS only",
            )
        host = parts.hostname or ""
        try:
            port = parts.port or 443
        except ValueError:
            raise FetchError("module_fetch_failed", f"{_display(url)}: invalid port") from None
        addresses = self.policy.resolve(host, port, deadline)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        connection = _PinnedConnection(
            host, port, addresses, timeout=deadline.timeout(), context=self.context
        )
        self.requests += 1
        return _Exchange(connection, path, {"User-Agent": _USER_AGENT, **headers}, url, deadline)

    @staticmethod
    def _read(
        response: http.client.HTTPResponse,
        url: str,
        deadline: Deadline,
        max_bytes: int,
        sink: IO[bytes] | None,
    ) -> bytes:
        declared = response.getheader("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(
                "module_too_large", f"{_display(url)} is {declared} bytes (limit {max_bytes})"
            )
        chunks: list[bytes] = []
        total = 0
        while True:
            deadline.timeout()  # a trickling server still ends with the budget
            chunk = response.read1(_CHUNK) if hasattr(response, "read1") else response.read(_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise FetchError(
                    "module_too_large", f"{_display(url)} is larger than {max_bytes} bytes"
                )
            if sink is not None:
                sink.write(chunk)
            else:
                chunks.append(chunk)
        return b"".join(chunks)


class _Exchange:
    """One request and its response, closed on exit; socket errors become FetchErrors."""

    def __init__(
        self,
        connection: _PinnedConnection,
        path: str,
        headers: Mapping[str, str],
        url: str,
        deadline: Deadline,
    ) -> None:
        self.connection = connection
        self.path = path
        self.headers = headers
        self.url = url
        self.deadline = deadline

    def __enter__(self) -> tuple[int, dict[str, str], http.client.HTTPResponse]:
        try:
            self.connection.request("GET", self.path, headers=dict(self.headers))
            response = self.connection.getresponse()
        except BaseException as exc:
            self.connection.close()
            raise _translate(exc, self.url, self.deadline) from exc
        headers = {name.lower(): value for name, value in response.getheaders()}
        return response.status, headers, response

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        self.connection.close()
        if exc is not None and not isinstance(exc, FetchError) and isinstance(exc, Exception):
            raise _translate(exc, self.url, self.deadline) from exc


def _translate(exc: BaseException, url: str, deadline: Deadline) -> BaseException:
    if isinstance(exc, FetchError) or not isinstance(exc, Exception):
        return exc
    if isinstance(exc, TimeoutError | socket.timeout):
        return FetchError("module_fetch_timeout", f"{_display(url)} did not answer in time")
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return FetchError("module_fetch_failed", f"{_display(url)}: TLS failed: {exc}")
    if deadline.remaining() <= 0:
        return FetchError("module_fetch_timeout", f"{_display(url)} did not answer in time")
    return FetchError("module_fetch_failed", f"{_display(url)}: {type(exc).__name__}: {exc}")
