"""JWT authentication and tenant isolation, in-process against a real Redis."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from flask import Flask
from flask.testing import FlaskClient

from gateway import create_app
from gateway.dispatch import RecordingJobDispatcher
from tfquote.settings import ConfigError

pytestmark = pytest.mark.integration

SECRET = "s" * 40
TF = b'resource "aws_eip" "ip" {}\n'


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"sub": "alice", "exp": now + 300, "iat": now, "aud": "tfquote", "iss": "issuer"}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def hs256(payload: dict[str, Any], secret: str | bytes = SECRET) -> str:
    return jwt.encode(payload, secret, algorithm="HS256")


def hand_signed(header: dict[str, Any], payload: dict[str, Any], key: bytes) -> str:
    """Sign by hand: PyJWT itself refuses to HMAC with a PEM key (the confusion attack)."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def make_app(redis_url: str, tmp_path: Path, **config: str) -> Flask:
    base = {
        "REDIS_URL": redis_url.rsplit("/", 1)[0] + "/3",
        "DATA_DIR": str(tmp_path / "data"),
        "AUTH_ENABLED": "true",
        "JWT_AUDIENCE": "tfquote",
        "JWT_ISSUER": "issuer",
        "RATE_LIMIT_READS": "100000/minute",
        "RATE_LIMIT_UPLOADS": "100000/minute",
        "RATE_LIMIT_JOBS": "100000/minute",
    }
    return create_app({**base, **config}, dispatcher=RecordingJobDispatcher())


@pytest.fixture
def hs_client(redis_url: str, tmp_path: Path) -> FlaskClient:
    return make_app(redis_url, tmp_path, JWT_SECRET=SECRET).test_client()


@pytest.fixture(scope="module")
def rsa_keys() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def get(client: FlaskClient, token: str | None, path: str = "/api/v1/jobs"):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.get(path, headers=headers)


def test_valid_token(hs_client: FlaskClient) -> None:
    response = get(hs_client, hs256(claims()))
    assert response.status_code == 200


def test_no_token(hs_client: FlaskClient) -> None:
    response = get(hs_client, None)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


BAD_TOKENS = {
    "malformed": "not.a.jwt",
    "garbage": "%%%",
    "alg_none": ".".join(
        [
            b64(json.dumps({"alg": "none", "typ": "JWT"}).encode()),
            b64(json.dumps(claims()).encode()),
            "",
        ]
    ),
    "wrong_signature": hs256(claims(), "x" * 40),
    "expired": hs256(claims(exp=int(time.time()) - 120)),
    "not_yet_valid": hs256(claims(nbf=int(time.time()) + 600)),
    "missing_exp": hs256(claims(exp=None)),
    "missing_sub": hs256(claims(sub=None)),
    "wrong_aud": hs256(claims(aud="someone-else")),
    "wrong_iss": hs256(claims(iss="mallory")),
    "empty_sub": hs256(claims(sub="")),
    "oversized": hs256(claims(pad="x" * 9000)),
}


@pytest.mark.parametrize("name", sorted(BAD_TOKENS))
def test_bad_tokens_are_401(hs_client: FlaskClient, name: str) -> None:
    response = get(hs_client, BAD_TOKENS[name])
    assert response.status_code == 401, (name, response.json)
    assert response.json["error"]["code"] in {"invalid_token", "unauthorized"}
    assert 'Bearer error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_wrong_scheme(hs_client: FlaskClient) -> None:
    response = hs_client.get("/api/v1/jobs", headers={"Authorization": "Basic YTpi"})
    assert response.status_code == 401


def test_rs256_and_key_confusion(
    redis_url: str, tmp_path: Path, rsa_keys: tuple[bytes, bytes]
) -> None:
    private, public = rsa_keys
    key_file = tmp_path / "public.pem"
    key_file.write_bytes(public)
    client = make_app(redis_url, tmp_path, JWT_PUBLIC_KEY_FILE=str(key_file)).test_client()
    good = jwt.encode(claims(), private, algorithm="RS256")
    assert get(client, good).status_code == 200
    confused = hand_signed({"alg": "HS256", "typ": "JWT"}, claims(), public)
    assert get(client, confused).status_code == 401
    assert get(client, hs256(claims())).status_code == 401


def test_es256(redis_url: str, tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    client = make_app(
        redis_url, tmp_path, JWT_ALGORITHM="ES256", JWT_PUBLIC_KEY=public.decode()
    ).test_client()
    assert get(client, jwt.encode(claims(), key, algorithm="ES256")).status_code == 200
    assert get(client, hs256(claims())).status_code == 401


@pytest.mark.parametrize(
    "config",
    [{}, {"JWT_SECRET": "short"}, {"JWT_ALGORITHM": "RS256", "JWT_SECRET": SECRET},
     {"JWT_SECRET": SECRET, "JWT_LEEWAY_SECONDS": "60"}],
)  # fmt: skip
def test_refuses_to_start_without_usable_key(
    redis_url: str, tmp_path: Path, config: dict[str, str]
) -> None:
    with pytest.raises(ConfigError):
        make_app(redis_url, tmp_path, **config)


def test_health_stays_open(hs_client: FlaskClient) -> None:
    assert hs_client.get("/health").status_code == 200
    assert hs_client.get("/health/live").status_code == 200


def test_tenants_are_isolated(hs_client: FlaskClient) -> None:
    alice = {"Authorization": f"Bearer {hs256(claims(sub='alice'))}"}
    bob = {"Authorization": f"Bearer {hs256(claims(sub='bob'))}"}
    up = hs_client.post(
        "/api/v1/uploads", data={"file": (io.BytesIO(TF), "main.tf")},
        content_type="multipart/form-data", headers=alice,
    ).json  # fmt: skip
    assert hs_client.get(f"/api/v1/uploads/{up['upload_id']}", headers=bob).status_code == 404
    body = {"upload_id": up["upload_id"], "region": "us-east-1"}
    # Bob cannot start a job on Alice's upload.
    denied = hs_client.post("/api/v1/jobs", json=body, headers=bob)
    assert denied.status_code == 422 and denied.json["error"]["code"] == "upload_not_found"
    job = hs_client.post("/api/v1/jobs", json=body, headers={**alice, "Idempotency-Key": "k"}).json
    assert hs_client.get(f"/api/v1/jobs/{job['job_id']}", headers=bob).status_code == 404
    assert hs_client.delete(f"/api/v1/jobs/{job['job_id']}", headers=bob).status_code == 404
    assert hs_client.get("/api/v1/jobs", headers=bob).json["items"] == []
    assert [j["job_id"] for j in hs_client.get("/api/v1/jobs", headers=alice).json["items"]] == [
        job["job_id"]
    ]


# --- verified tokens are kept until they expire ------------------------------------------


def _hs_settings() -> Any:
    from tfquote.settings import Settings

    return Settings.from_env(
        environ={
            "AUTH_ENABLED": "true",
            "JWT_SECRET": SECRET,
            "JWT_AUDIENCE": "tfquote",
            "JWT_ISSUER": "issuer",
            "JWT_LEEWAY_SECONDS": "5",
        }
    )


@pytest.mark.unit
def test_a_verified_token_is_not_verified_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from gateway import auth

    calls: list[str] = []
    real = auth.verify_token
    monkeypatch.setattr(auth, "verify_token", lambda t, s: calls.append(t) or real(t, s))
    tokens = auth.VerifiedTokens(_hs_settings())
    token = hs256(claims())
    assert tokens.claims(token)["sub"] == "alice"
    assert tokens.claims(token)["sub"] == "alice"
    assert calls == [token]


@pytest.mark.unit
def test_a_kept_token_expires_like_any_other(monkeypatch: pytest.MonkeyPatch) -> None:
    from gateway import auth

    tokens = auth.VerifiedTokens(_hs_settings())
    now = time.time()
    token = hs256(claims(exp=int(now) + 60))
    tokens.claims(token)
    # Past exp, inside the 5 s leeway: still good; past the leeway: "token expired".
    monkeypatch.setattr(auth.time, "time", lambda: now + 63)
    assert tokens.claims(token)["sub"] == "alice"
    monkeypatch.setattr(auth.time, "time", lambda: now + 66)
    monkeypatch.setattr(jwt.api_jwt, "datetime", _frozen_datetime(now + 66))
    with pytest.raises(auth.Unauthorized, match="token expired"):
        tokens.claims(token)


def _frozen_datetime(at: float) -> type:
    """``datetime.datetime`` for PyJWT's clock, stopped at ``at``."""
    import datetime

    class Frozen(datetime.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return datetime.datetime.fromtimestamp(at, tz=datetime.UTC)

    return Frozen


@pytest.mark.unit
def test_a_forged_twin_of_a_kept_token_is_refused() -> None:
    from gateway import auth

    tokens = auth.VerifiedTokens(_hs_settings())
    payload = claims()
    tokens.claims(hs256(payload))
    with pytest.raises(auth.Unauthorized, match="signature"):
        tokens.claims(hs256(payload, "x" * 40))


@pytest.mark.unit
def test_kept_tokens_are_bounded() -> None:
    from gateway import auth

    tokens = auth.VerifiedTokens(_hs_settings(), max_tokens=3)
    for n in range(10):
        tokens.claims(hs256(claims(sub=f"user-{n}")))
    assert len(tokens._tokens) == 3
