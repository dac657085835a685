"""JWT authentication (PyJWT): who the caller is, and so which tenant they act for.

Tokens are verified with the one configured algorithm (HS256 with ``JWT_SECRET``, or
RS256/ES256 with a public key) — pinning it is what defeats ``alg: none`` and the
HS256-signed-with-the-RSA-public-key confusion. ``exp`` and ``sub`` are required;
``aud``/``iss`` are checked when configured; leeway is at most 30 s. Every failure is a
401 with ``WWW-Authenticate: Bearer error="invalid_token"`` and the JSON envelope. The
health probes stay open.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import Any

import jwt
from flask import Flask, g, request

from gateway.errors import APIError
from tfquote.logs import tenant_var
from tfquote.settings import Settings

log = logging.getLogger(__name__)

MAX_TOKEN_BYTES = 8192
# Probes, the API documentation and the web page's shell and assets (they hold no data:
# the page asks for a token and sends it to the API) are public; everything else needs a
# token. Whole paths or path segments, never bare prefixes: "/docsx" is not the docs.
_OPEN_PATHS = frozenset(
    {"/", "/health", "/docs", "/redoc", "/openapi.json", "/openapi.yaml", "/ui"}
)
_OPEN_TREES = ("/health/", "/docs/", "/ui/")


def is_open_path(path: str) -> bool:
    return path in _OPEN_PATHS or path.startswith(_OPEN_TREES)


class Unauthorized(APIError):
    status = 401
    code = "unauthorized"

    def __init__(self, message: str, *, error: str = "invalid_token") -> None:
        super().__init__(message, code="invalid_token" if error == "invalid_token" else None)
        if error == "invalid_token":
            self.headers["WWW-Authenticate"] = (
                f'Bearer error="invalid_token", error_description="{message}"'
            )
        else:
            self.headers["WWW-Authenticate"] = 'Bearer realm="tfquote"'


def _bearer_token() -> str:
    header = request.headers.get("Authorization")
    if not header:
        raise Unauthorized("missing bearer token", error="")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("expected 'Authorization: Bearer <token>'")
    token = token.strip()
    if len(token) > MAX_TOKEN_BYTES:
        raise Unauthorized("token too large")
    return token


def verify_token(token: str, settings: Settings) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            settings.jwt_verification_key,
            algorithms=[settings.jwt_algorithm_effective],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            leeway=settings.jwt_leeway,
            options={
                "require": ["exp", "sub"],
                "verify_aud": settings.jwt_audience is not None,
                "verify_iss": settings.jwt_issuer is not None,
            },
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("token expired") from None
    except jwt.ImmatureSignatureError:
        raise Unauthorized("token not valid yet") from None
    except jwt.MissingRequiredClaimError as exc:
        raise Unauthorized(f"token lacks the {exc.claim} claim") from None
    except jwt.InvalidAudienceError:
        raise Unauthorized("token audience is wrong") from None
    except jwt.InvalidIssuerError:
        raise Unauthorized("token issuer is wrong") from None
    except jwt.InvalidAlgorithmError:
        raise Unauthorized("token algorithm not allowed") from None
    except jwt.InvalidSignatureError:
        raise Unauthorized("token signature is invalid") from None
    except (jwt.InvalidTokenError, ValueError, TypeError):
        # DecodeError and friends, and the odd ValueError from a malformed key/segment.
        raise Unauthorized("token is malformed") from None
    return claims


class VerifiedTokens:
    """Tokens this process has verified, with their claims, until they expire.

    Verifying an HS256 token costs ~40 µs of CPU (RS256/ES256 several times that) and a
    CI client sends the same token on every poll. A token is kept only after it passed
    every check, under its exact text, so another token — a forged one too — is always
    verified in full; a kept one is dropped and verified again once past its ``exp``
    (plus the leeway), which then answers "token expired" as before. Bounded (least
    recently used first out); safe across a worker's threads.
    """

    def __init__(self, settings: Settings, max_tokens: int = 1024) -> None:
        self._settings = settings
        self._max = max_tokens
        self._tokens: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def claims(self, token: str) -> dict[str, Any]:
        with self._lock:
            claims = self._tokens.get(token)
            if claims is not None:
                if time.time() < claims["exp"] + self._settings.jwt_leeway:
                    self._tokens.move_to_end(token)
                    return claims
                del self._tokens[token]
        claims = verify_token(token, self._settings)
        if isinstance(claims.get("exp"), int | float):
            with self._lock:
                self._tokens[token] = claims
                if len(self._tokens) > self._max:
                    self._tokens.popitem(last=False)
        return claims


def tenant_of(claims: dict[str, Any], settings: Settings) -> str:
    tenant = claims.get(settings.jwt_tenant_claim)
    if not isinstance(tenant, str) or not tenant.strip() or len(tenant) > 256:
        raise Unauthorized(f"token has no usable {settings.jwt_tenant_claim} claim")
    return tenant


def init_app(app: Flask, settings: Settings) -> None:
    if not settings.auth_enabled:
        log.warning("AUTHENTICATION IS DISABLED (AUTH_ENABLED=false)")
        return
    verified = VerifiedTokens(settings)

    @app.before_request
    def _authenticate() -> None:
        # A CORS preflight never carries credentials; it reveals nothing but headers.
        if request.method == "OPTIONS" or is_open_path(request.path):
            return
        claims = verified.claims(_bearer_token())
        g.tenant = tenant_of(claims, settings)
        # Reset by the request log's teardown with the request id.
        g.tenant_token = tenant_var.set(g.tenant)


def mint_token(
    settings: Settings, sub: str, *, ttl_seconds: int = 3600, extra: dict[str, Any] | None = None
) -> str:
    """A token for local use and tests; HS256 only (the gateway never holds private keys)."""
    if settings.jwt_algorithm_effective != "HS256" or not settings.jwt_secret:
        raise SystemExit("minting needs JWT_SECRET (HS256)")
    now = int(time.time())
    claims: dict[str, Any] = {"sub": sub, "iat": now, "exp": now + ttl_seconds}
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    claims.update(extra or {})
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")
